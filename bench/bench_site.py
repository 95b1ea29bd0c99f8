"""The HTML site stage alone (audit.render.html.write_site) on a generated corpus: seconds, pages,
bytes and peak RSS of the process tree while it runs; optionally a cProfile of it (issue 13).

    .venv/bin/python bench/bench_site.py CORPUS_FOLDER [--out DIR] [--repeat 1] [--profile N]
        [--workers N] [--check OTHER_OUT]

The RunResult is audited once (audit.pipeline.run_audit, no store) and cached as a pickle beside
the output folder (bench/out/site/<corpus>.pickle), so later runs time the site alone. The corpus
folders are the ones bench/bench_run.py keeps (bench/out/run/corpus-N-…/files). --workers sets
$XXGK_SITE_WORKERS (1: in-process). --check compares every file of the output with another folder's.
"""

from __future__ import annotations

import argparse
import cProfile
import filecmp
import gc
import os
import pickle
import pstats
import shutil
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_run import Sampler  # noqa: E402


def load_result(corpus: Path, cache_dir: Path) -> Any:
    from audit.gate import verdict
    from audit.pipeline import run_audit

    cache = cache_dir / f"{corpus.parent.name if corpus.name == 'files' else corpus.name}.pickle"
    if cache.exists():
        with cache.open("rb") as f:
            return pickle.load(f)
    t0 = time.perf_counter()
    result = run_audit([str(corpus)], validate_frames=False)
    result.gate = verdict(result.findings, "never", internal_errors=len(result.faults))
    print(f"audited {len(result.documents):,} documents in {time.perf_counter() - t0:.1f} s")
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as f:
        pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "site" / "pages")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", type=int, default=0, help="print the N most expensive functions (cumulative)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--index-agencies", type=int, default=None, help="set audit.render.regions.INDEX_AGENCIES")
    parser.add_argument("--check", type=Path, default=None, help="an output folder the pages must equal")
    args = parser.parse_args()
    if args.workers is not None:
        os.environ["XXGK_SITE_WORKERS"] = str(args.workers)
    result = load_result(args.corpus, BENCH / "out" / "site")
    gc.set_threshold(50_000, 20, 10)  # as `xxgk-audit run` sets it (audit/cli.py)
    if args.index_agencies is not None:
        from audit.render import regions

        regions.INDEX_AGENCIES = args.index_agencies
    from audit.render.html import write_site

    print(f"audit from {Path(write_site.__code__.co_filename).parent}")

    for _ in range(args.repeat):
        shutil.rmtree(args.out, ignore_errors=True)
        sampler = Sampler(os.getpid(), 0.02)
        base = sampler.peak() if sampler.samples else 0
        sampler.start()
        profile = cProfile.Profile() if args.profile else None
        t0, cpu0 = time.perf_counter(), os.times()
        if profile:
            profile.enable()
        paths = write_site(result, args.out)
        if profile:
            profile.disable()
        seconds, cpu1 = time.perf_counter() - t0, os.times()
        cpu = sum(cpu1[:4]) - sum(cpu0[:4])  # this process and its finished workers
        sampler.done.set()
        sampler.join()
        size = sum(p.stat().st_size for p in args.out.iterdir())
        base = sampler.samples[0][1] if sampler.samples else base
        print(
            f"site: {len(result.documents):,} documents, {len(paths):,} files, {size / 2**20:,.1f} MB "
            f"in {seconds:.2f} s ({cpu:.1f} s CPU); RSS at start {base / 2**20:,.0f} MB, peak {sampler.peak() / 2**20:,.0f} MB"
        )
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    if args.check:
        mine = sorted(p.name for p in args.out.iterdir())
        theirs = sorted(p.name for p in args.check.iterdir())
        assert mine == theirs, f"different files: {set(mine) ^ set(theirs)}"
        _, mismatch, errors = filecmp.cmpfiles(args.out, args.check, mine, shallow=False)
        print(f"check: {len(mine) - len(mismatch) - len(errors)} of {len(mine)} files equal; differ: {mismatch[:10]}")


if __name__ == "__main__":
    main()
