"""The whole `xxgk-audit run` on N distinct generated reports: seconds, documents/s and peak memory
per stage, detection on injected errors, and the floor of the same batch (issue 13).

    .venv/bin/python bench/bench_run.py [--documents 1000,5000] [--big] [--seed 1] [--format json|jsonl]
        [--text-only] [--work bench/out/run] [--json FILE]

For each N: bench/bench_corpus.py writes N distinct files with their truth (kept in WORK/corpus-N-…
and reused by later runs with the same N, seed, mix and generator sources); `xxgk-audit run CORPUS
--out OUT --db STORE` runs as a fresh process with $XXGK_TIMINGS set (audit/pipeline.py and
audit/cli.py then log each stage's seconds, documents, start and end); this process samples the RSS
of the run's process tree (the run and its workers, from /proc, every 50 ms) and gives each stage
the peak of the samples taken during it. `other` is what no stage covers: interpreter start, imports, the folder walk's set-up.
Then audit.json is scored against the truth (confusion table of the four arithmetic rules) and the
floor is timed here: read every file, decode it, one regex pass over every number, NFKC.
--big adds 100,000 documents (generation alone takes minutes). Peak RSS sums each process's RSS:
pages shared by a forked worker and its parent count twice (an upper bound); the peak PSS (sampled
every 250 ms) counts them once — the tree's real share of memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_corpus import RULES, Check, build, load_truth  # noqa: E402

EXE = Path(sys.executable).parent / "xxgk-audit"
PAGE = os.sysconf("SC_PAGE_SIZE")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
REFUSALS = ("structure.incomplete_table", "structure.missing_table")
GENERATOR_SOURCES = ("shapes.py", "shapes_render.py", "generator.py", "generator_renderings.py")


# ------------------------------------------------------------------ memory of the process tree


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def tree_rss(root: int) -> int:
    """Bytes resident in `root` and all its descendants."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        todo += _children(pid)
    return total


def tree_pss(root: int) -> int:
    """Bytes of proportional set size of `root` and its descendants: a page shared by a forked worker
    and its parent counts once in the sum (RSS counts it in each)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith("Pss:"))
        except (OSError, StopIteration, IndexError, ValueError):
            continue
        todo += _children(pid)
    return total


class Sampler(threading.Thread):
    """(epoch seconds, bytes) of a process tree's RSS every `interval` seconds until it ends, and its
    PSS every `pss_every` samples (reading it walks the page tables: costlier)."""

    def __init__(self, pid: int, interval: float = 0.05, pss_every: int = 5):
        super().__init__(daemon=True)
        self.pid, self.interval, self.pss_every = pid, interval, pss_every
        self.samples: list[tuple[float, int]] = []
        self.pss: list[tuple[float, int]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.samples.append((time.time(), tree_rss(self.pid)))
            if len(self.samples) % self.pss_every == 1:
                self.pss.append((time.time(), tree_pss(self.pid)))
            self.done.wait(self.interval)

    def peak(self, start: float = 0.0, end: float = float("inf"), *, pss: bool = False) -> int:
        """The highest sample taken between start and end, or the last one before end (a stage
        shorter than the interval)."""
        samples = self.pss if pss else self.samples
        inside = [size for t, size in samples if start <= t <= end]
        before = [size for t, size in samples if t < start]
        return max(inside) if inside else before[-1] if before else 0


# ------------------------------------------------------------------ the run


def run_once(corpus: Path, work: Path, fmt: str) -> dict[str, Any]:
    out, store, log = work / f"out-{corpus.parent.name}", work / "store" / "history.duckdb", work / "timings.jsonl"
    for path in (out, store.parent):
        shutil.rmtree(path, ignore_errors=True)
    log.unlink(missing_ok=True)
    cmd = [str(EXE), "run", str(corpus), "--out", str(out), "--db", str(store), "--fail-on", "never"]
    if fmt != "json":
        cmd += ["--format", fmt]
    env = os.environ | {"XXGK_TIMINGS": str(log)}
    started = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    ended = time.time()
    sampler.done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"run failed ({proc.returncode}):\n{stdout}\n{stderr[-4000:]}")
    stages = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    for s in stages:
        s["peak_rss"] = sampler.peak(s["start"], s["end"])
        s["peak_pss"] = sampler.peak(s["start"], s["end"], pss=True)
    return {
        "seconds": ended - started,
        "peak_rss": sampler.peak(),
        "peak_pss": sampler.peak(pss=True),
        "stages": stages,
        "exit_code": proc.returncode,
        "stdout": stdout.strip().splitlines()[-1:],
        "audit": out / ("audit.jsonl" if fmt == "jsonl" else "audit.json"),
        "site_bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
        "store_bytes": store.stat().st_size if store.exists() else 0,
    }


def read_audit(path: Path) -> dict[str, Any]:
    """documents and findings of audit.json, or of audit.jsonl (docs/jsonl.md)."""
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, Any] = {"documents": [], "findings": [], "not_assessable": []}
    with path.open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            kind = record.pop("record")
            if kind != "header":
                out["not_assessable" if kind == "not_assessable" else f"{kind}s"].append(record)
    return out


# ------------------------------------------------------------------ floor


def floor(corpus: Path) -> dict[str, float]:
    """The least any audit must do: read and decode every file, find every number, NFKC."""
    t0 = time.perf_counter()
    texts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(corpus.iterdir())]
    t1 = time.perf_counter()
    numbers = sum(1 for text in texts for _ in NUMBER.finditer(text))
    t2 = time.perf_counter()
    for text in texts:
        unicodedata.normalize("NFKC", text)
    t3 = time.perf_counter()
    return {"read_decode": t1 - t0, "regex": t2 - t1, "nfkc": t3 - t2, "numbers": numbers}


# ------------------------------------------------------------------ detection


def _checks(records: list[dict[str, Any]], source_of: dict[str, str]) -> dict[str, set[Check]]:
    """(rule, table, row, column) of the records of the four rules, per source file."""
    out: dict[str, set[Check]] = defaultdict(set)
    for r in records:
        if r["rule"] in RULES and r.get("document"):
            loc = r.get("location") or r  # a finding's location, a not-assessable record's own keys
            check = (r["rule"], loc.get("table"), loc.get("row"), loc.get("column"))
            out[os.path.realpath(source_of[r["document"]])].add(check)
    return out


def _refusals(findings: list[dict[str, Any]], source_of: dict[str, str]) -> dict[str, set[str | None]]:
    """Per source file, the tables a finding says could not be read whole (None: the document's)."""
    out: dict[str, set[str | None]] = defaultdict(set)
    for f in findings:
        if f["rule"] in REFUSALS and f.get("document"):
            out[os.path.realpath(source_of[f["document"]])].add((f.get("location") or {}).get("table"))
    return out


def confusion(truth_path: Path, audit: dict[str, Any]) -> dict[str, Counter[str]]:
    """Per rule: tp (failing identity found), fn (missed silently), refused (missed, but the run
    said it could not decide there: not assessable, or the table incomplete or missing), excused
    (refused where the truth allows it: an operand in the rest of a row a cut or a spaced cell went
    through), fp (found where the identity holds), tn, unscored (found where the truth cannot say: an
    operand not shown as a number a reader can place). Recall is tp / (tp + fn + refused)."""
    source_of = {d["id"]: d["source"] for d in audit["documents"]}
    found = _checks(audit["findings"], source_of)
    unassessed = _checks(audit.get("not_assessable", []), source_of)
    refused = _refusals(audit["findings"], source_of)
    table: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[str] = []
    for item in load_truth(truth_path):
        path = os.path.realpath(item.path)
        got = found.get(path, set())
        expected, clean, excusable = set(item.expected), set(item.clean), set(item.excusable)
        for check in expected:
            said = check in unassessed.get(path, set()) or refused.get(path, set()) & {check[1], None}
            missed = ("excused" if check in excusable else "refused") if said else "fn"
            table[check[0]]["tp" if check in got else missed] += 1
            if check not in got and missed != "excused" and len(misses) < 5:
                misses.append(f"{missed}: {Path(item.path).name} ({item.report}): {check}")
        for check in clean:
            table[check[0]]["fp" if check in got else "tn"] += 1
        for check in got - expected - clean:
            table[check[0]]["unscored"] += 1
    table["_misses"] = Counter(misses)
    return table


# ------------------------------------------------------------------ report


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def report(n: int, run: dict[str, Any], base: dict[str, float], scores: dict[str, Counter[str]]) -> list[str]:
    docs = next((s["documents"] for s in run["stages"] if s["stage"] in ("segment", "ingest+segment+extract")), n)
    lines = [
        f"== {n:,} files → {docs:,} documents: whole run {run['seconds']:.1f} s, {docs / run['seconds']:,.1f} documents/s, "
        f"peak RSS {_mb(run['peak_rss'])}, PSS {_mb(run['peak_pss'])} (process tree); site + audit {_mb(run['site_bytes'])}, "
        f"store {_mb(run['store_bytes'])}",
        f"   {'stage':<14}{'seconds':>9}{'docs/s':>10}{'share':>7}{'peak RSS':>11}{'peak PSS':>11}{'run after':>11}",
    ]
    covered = 0.0
    for s in run["stages"]:
        covered += s["seconds"]
        rate = f"{docs / s['seconds']:,.0f}" if s["seconds"] > 0 else "-"
        share = 100 * s["seconds"] / run["seconds"]
        pss = _mb(s.get("peak_pss", 0))
        after = f"{s['rss_mb_after']:,} MB" if s.get("rss_mb_after") is not None else ""  # the run's own RSS left
        lines.append(
            f"   {s['stage']:<14}{s['seconds']:>9.2f}{rate:>10}{share:>6.0f}%{_mb(s['peak_rss']):>11}{pss:>11}{after:>11}"
        )
    other = run["seconds"] - covered
    lines.append(f"   {'other':<14}{other:>9.2f}{'':>10}{100 * other / run['seconds']:>6.0f}%")
    floor_s = base["read_decode"] + base["regex"]
    lines.append(
        f"   floor (this process): read+decode {base['read_decode']:.2f} s, one regex pass over {base['numbers']:,} "
        f"numbers {base['regex']:.2f} s, NFKC {base['nfkc']:.2f} s → read+regex {docs / floor_s:,.0f} documents/s; "
        f"the whole run is {run['seconds'] / floor_s:,.0f}× the floor"
    )
    head = f"{'tp':>7}{'fn':>6}{'refused':>9}{'excused':>9}{'fp':>6}{'tn':>9}{'unscored':>10}{'recall':>8}"
    lines.append(f"   {'rule':<30}{head}")
    for rule in RULES:
        c = scores.get(rule, Counter())
        positives = c["tp"] + c["fn"] + c["refused"]
        recall = f"{c['tp'] / positives:.1%}" if positives else "-"
        row = (
            f"{c['tp']:>7}{c['fn']:>6}{c['refused']:>9}{c['excused']:>9}{c['fp']:>6}{c['tn']:>9}"
            f"{c['unscored']:>10}{recall:>8}"
        )
        lines.append(f"   {rule:<30}{row}")
    lines += [f"   missed: {m}" for m in scores["_misses"]]
    return lines


def generator_digest() -> str:
    """A short hash of the generator's sources: a corpus is reused only if they did not change."""
    sources = [BENCH / "bench_corpus.py", *(BENCH.parent / "tests" / n for n in GENERATOR_SOURCES)]
    return hashlib.blake2b(b"".join(p.read_bytes() for p in sources), digest_size=4).hexdigest()


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) for ln in meminfo if ln.startswith("MemTotal")), 0)
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs ({cpu}), {mem / 2**20:.1f} GiB, Python {platform.python_version()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--documents", default="1000,5000", help="comma-separated sizes (default 1000,5000)")
    ap.add_argument("--big", action="store_true", help="also 100,000 documents")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=["json", "jsonl"], default="json", help="run --format")
    ap.add_argument("--text-only", action="store_true", help="plain-text shapes only (no HTML, PDF, DOCX, .md files)")
    ap.add_argument("--errors", type=float, default=0.3, help="share of documents with an injected error")
    ap.add_argument("--work", type=Path, default=BENCH / "out" / "run")
    ap.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = ap.parse_args()
    sizes = [int(s) for s in args.documents.split(",") if s] + ([100_000] if args.big else [])
    print(machine(), time.strftime("%Y-%m-%d %H:%M"), f"load {os.getloadavg()[0]:.2f}")
    results = []
    for n in sizes:
        mix = "text" if args.text_only else "all"
        corpus = args.work / f"corpus-{n}-{args.seed}-{mix}-{args.errors}-{generator_digest()}" / "files"
        if not (corpus.parent / "truth.jsonl").exists():
            t = time.perf_counter()
            shutil.rmtree(corpus.parent, ignore_errors=True)
            build(corpus, n, seed=args.seed, error_share=args.errors, text_only=args.text_only)
            print(f"generated {n:,} files in {time.perf_counter() - t:.1f} s → {corpus}")
        run = run_once(corpus, args.work, args.format)
        base = floor(corpus)
        scores = confusion(corpus.parent / "truth.jsonl", read_audit(run["audit"]))
        print("\n".join(report(n, run, base, scores)), flush=True)
        results.append({"documents": n, "run": {**run, "audit": str(run["audit"])}, "floor": base, "scores": scores})
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=1, default=str))


if __name__ == "__main__":
    main()
