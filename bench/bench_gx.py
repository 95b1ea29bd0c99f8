"""Great Expectations against the native engine, and what GX costs at start-up. In one run:

    python bench/bench_gx.py [--corpus ../shared/corpus] [--repeat 5] [--runs 5]

1. Audits the corpus once (ingest → extract), then decides the exported rules (docs/gx.md) over those
   same frames both ways, best of --repeat: GX (derived frames + suites + validation, GX imported
   beforehand and its import timed apart) and the native engine (audit.validate.run_rules on the
   same rules); the year chains (history.*) alone each way; and the whole rule stage each way
   (--engine gx runs the other rules natively).
2. Cold start, wall clock, median of --runs fresh processes: `xxgk-audit --help`, `check SAMPLE`,
   `check SAMPLE --engine gx`; each with the [gx] extra installed and with it hidden. Hidden means a
   finder first on sys.meta_path that refuses `great_expectations` and `pyarrow` (the extra's two
   packages; pandas imports pyarrow whenever it is installed), as on a machine without the extra.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = sorted((ROOT / "audit" / "samples").glob("*.txt"))[0]

HIDE = """
import importlib.abc, sys
class _Hidden(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('great_expectations', 'pyarrow'):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _Hidden())
"""


def best(repeat: int, action: Any) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def rule_stage(corpus: Path, repeat: int) -> None:
    from audit.pipeline import run_audit
    from audit.validate import load_rules
    from audit.validate import run_rules as run_native
    from audit.validate.engine import prepare_frames

    start = time.perf_counter()
    import great_expectations  # noqa: F401

    print(f"import great_expectations: {time.perf_counter() - start:.2f} s (once per process)")
    from audit.gx.engine import gx_checks
    from audit.gx.engine import run_rules as run_gx
    from audit.gx.specs import specs

    result = run_audit([str(corpus)], validate_frames=False)
    frames, sources = result.frames, result.sources
    rules = load_rules()
    exported, native = specs(rules)
    mine = [r for r in rules if r["id"] in {s.id for s in exported}]
    chains = [r for r in rules if r["id"] in {s.id for s in exported if s.expectation == "chain"}]
    print(
        f"corpus {corpus}: {len(frames.documents)} documents, {len(frames.cells)} cells; "
        f"{len(exported)} rules exported to GX, {len(native)} native"
    )

    def gx_only() -> None:
        documents, cells, _ = prepare_frames(frames, sources, [])
        gx_checks(documents, cells, exported)

    rows = [
        ("exported rules, GX validation (frames + suites + validate)", best(repeat, gx_only)),
        ("exported rules, GX decided + findings worded", best(repeat, lambda: run_gx(frames, sources, rules=mine))),
        ("exported rules, native engine", best(repeat, lambda: run_native(frames, sources, rules=mine))),
        ("of which the year chains, GX decided + worded", best(repeat, lambda: run_gx(frames, sources, rules=chains))),
        ("of which the year chains, native engine", best(repeat, lambda: run_native(frames, sources, rules=chains))),
        ("all rules, --engine gx", best(repeat, lambda: run_gx(frames, sources, rules=rules))),
        ("all rules, native engine", best(repeat, lambda: run_native(frames, sources, rules=rules))),
    ]
    for name, seconds in rows:
        print(f"  {name:<60} {seconds * 1000:8.1f} ms")


def cold(args: list[str], hidden: bool, runs: int) -> float | None:
    run = f"import sys\nsys.argv = {['xxgk-audit', *args]!r}\nfrom audit.cli import main\nmain()"
    code = (HIDE if hidden else "") + run
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            return None  # e.g. --engine gx with GX hidden: a usage error, no time to report
    return statistics.median(times)


def cold_starts(runs: int) -> None:
    print(f"cold start, median of {runs} fresh processes (wall clock):")
    commands = [["--help"], ["check", str(SAMPLE), "--no-db"], ["check", str(SAMPLE), "--no-db", "--engine", "gx"]]
    for args in commands:
        shown = " ".join("SAMPLE" if a == str(SAMPLE) else a for a in args)
        cells = []
        for hidden in (False, True):
            seconds = cold(args, hidden, runs)
            cells.append("usage error (exit 2)" if seconds is None else f"{seconds:.2f} s")
        print(f"  xxgk-audit {shown:<32} with [gx] {cells[0]:>10}   without {cells[1]:>20}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rule_stage(args.corpus, args.repeat)
    cold_starts(args.runs)


if __name__ == "__main__":
    main()
