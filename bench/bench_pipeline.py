"""Throughput of the whole pipeline and cold-start time of `xxgk-audit check`.

    python bench/bench_pipeline.py [--documents 5000] [--check-runs 5]

1. Builds a corpus by repeating the seed files until it holds at least N documents. Each repetition
   renames the agencies (「历下区」 → 「历下区3」 …) so that copies are distinct reports of distinct
   agencies, not exact duplicates that the auditor would skip.
2. Runs ingest → segment → extract → rules → audit.json over it in one process, printing
   documents/second overall and per stage.
3. Times `xxgk-audit check SEED` as a fresh process (cold start, wall clock) several times.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "audit" / "samples"
AGENCY_WORDS = ("普陀区", "桃江经济开发区", "历下区", "苍南县", "六安市")


def build_corpus(target: Path, documents: int) -> int:
    """Write repeated, renamed seed files into `target`; return the number of documents written."""
    from audit.ingest import read_paths
    from audit.segment import segment

    seeds = sorted(SEEDS.glob("*.txt"))
    per_round = len(segment(read_paths([str(p) for p in seeds])))
    rounds = -(-documents // per_round)
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in seeds]
    for r in range(rounds):
        for name, text in texts:
            for word in AGENCY_WORDS:
                text = text.replace(word, f"{word[:-1]}{r}{word[-1]}")
            (target / f"r{r:04d}_{name}").write_text(text, encoding="utf-8")
    return rounds * per_round


def time_pipeline(corpus: Path) -> dict[str, float]:
    from audit.extract.batch import extract_all
    from audit.ingest import read_paths
    from audit.model import RunResult
    from audit.render.audit_json import audit_json
    from audit.segment import segment
    from audit.validate import load_rules, run_rules

    marks = {}
    t0 = time.perf_counter()
    sources = read_paths([str(corpus)])
    marks["ingest"] = time.perf_counter()
    documents = segment(sources)
    marks["segment"] = time.perf_counter()
    frames = extract_all(documents)
    marks["extract"] = time.perf_counter()
    rules = load_rules()
    findings, na = run_rules(frames, sources, rules=rules)
    marks["rules"] = time.perf_counter()
    result = RunResult(sources, documents, frames, findings, na, rules)
    json.dumps(audit_json(result), ensure_ascii=False)
    marks["audit.json"] = time.perf_counter()
    stages, prev = {}, t0
    for name, t in marks.items():
        stages[name] = t - prev
        prev = t
    stages["total"] = prev - t0
    stages["documents"] = len(documents)
    stages["findings"] = len(findings)
    return stages


def time_check(runs: int) -> list[float]:
    exe = Path(sys.executable).parent / "xxgk-audit"
    seed = SEEDS / "004_35efe59cd959ef3f.txt"
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([str(exe), "check", str(seed), "--fail-on", "never"], capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=5000)
    ap.add_argument("--check-runs", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    try:
        n = build_corpus(tmp, args.documents)
        stats = time_pipeline(tmp)
        total = stats.pop("total")
        docs = int(stats.pop("documents"))
        findings = int(stats.pop("findings"))
        print(f"corpus: {docs} documents in {len(list(tmp.iterdir()))} files (built {n}), {findings} findings")
        print(f"pipeline: {total:.2f} s → {docs / total:,.0f} documents/s")
        for name, secs in stats.items():
            print(f"  {name:<10} {secs:6.2f} s  ({docs / secs:,.0f} documents/s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    times = time_check(args.check_runs)
    print(
        f"cold start `xxgk-audit check 004_….txt`: median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s over {len(times)} runs"
    )


if __name__ == "__main__":
    main()
