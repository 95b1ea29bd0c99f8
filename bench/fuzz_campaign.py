"""Whole-run fuzz campaign (issue 9): thousands of generated documents, audited folder by folder.

    .venv/bin/python bench/fuzz_campaign.py --documents 10000 --seed 1 [--folder-size 250]
        [--alone-share 0.2] [--repeat-share 0.25] [--jobs 1] [--work bench/out/fuzz] [--keep]

Each folder holds a few hundred inputs from tests/generator.py (real reports, their mutations, HTML,
DOCX, PDF and Markdown renderings, junk files), written with their truth (truth.json beside the
folder). `xxgk-audit run FOLDER --out OUT --no-db` runs as a fresh process and the properties of
tests/run_properties.py are checked: exit 0/1, strict JSON, every input in audit.json, a document
in every readable report, evidence on every finding. A share of the files (all of them when the
folder run crashed, to find the culprits) is then audited alone in a worker process
(`check FILE --json --no-db`, in-process there) and each document's per-document findings are
compared with the folder run's; a share of the folders is audited twice (same audit.json). Folders
with a violation are kept as reproducers; the summary names them, grouped by check and shape, and
summary.json in the work folder lists every violation. Exit status: 1 when there was a crash, else 0.
About 2 minutes per 1,000 documents on this machine (20 minutes for 10,000).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from generator import save_truth, write_folder  # noqa: E402
from run_properties import (  # noqa: E402
    CRASH,
    LABEL,
    Outcome,
    Violation,
    check_run,
    crash_violations,
    determinism_violations,
    isolation_violations,
    run_in_process,
    run_subprocess,
)

_KEPT_DOCUMENT_KEYS = (
    "id",
    "source",
    "kind",
    "agency",
    "year",
    "format",
    "period",
    "duplicate_of",
    "truncated_copy_of",
)


def _alone_worker(paths_file: Path, results_file: Path) -> None:
    """Audit each listed file alone, in this process; one JSON line per file, flushed as it goes."""
    paths = json.loads(paths_file.read_text(encoding="utf-8"))
    with results_file.open("w", encoding="utf-8") as out:
        for path in paths:
            outcome = run_in_process("check", [Path(path)])
            audit = None
            if outcome.audit is not None:
                documents = [{k: d.get(k) for k in _KEPT_DOCUMENT_KEYS} for d in outcome.audit.get("documents", [])]
                audit = {"documents": documents, "findings": outcome.audit.get("findings", [])}
            record = {"path": path, "exit_code": outcome.exit_code, "stderr": outcome.stderr[-2000:]}
            out.write(json.dumps({**record, "audit": audit, "problems": outcome.problems}, ensure_ascii=False) + "\n")
            out.flush()


def _run_alone(paths: list[str], folder: Path, timeout: float) -> dict[str, Outcome]:
    """Outcomes of auditing each path alone (a worker process; a file it died on is a crash)."""
    if not paths:
        return {}
    listing, results = folder / "alone.json", folder / "alone.jsonl"
    listing.write_text(json.dumps(paths, ensure_ascii=False), encoding="utf-8")
    command = [sys.executable, __file__, "--alone-worker", str(listing), str(results)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=timeout, check=False)
        died = f"worker exit {done.returncode}: {done.stderr.strip()[-300:]}" if done.returncode else ""
    except subprocess.TimeoutExpired:
        died = f"worker timed out after {timeout:.0f} s"
    outcomes: dict[str, Outcome] = {}
    if results.exists():
        for line in results.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            outcomes[r["path"]] = Outcome(r["exit_code"], "", r["stderr"], r["audit"], r["problems"], 0.0)
    for path in paths:
        if path not in outcomes and died:
            outcomes[path] = Outcome(-9, "", died, None, [], 0.0)
            died = ""  # the first missing file is the one the worker died on; the rest never ran
    return outcomes


def audit_folder(index: int, args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(args.work) / f"f{index:04d}"
    shutil.rmtree(folder, ignore_errors=True)
    inputs = write_folder(folder / "in", args.seed * 100_003 + index, args.folder_size)
    save_truth(inputs, folder / "truth.json")
    outcome = run_subprocess("run", [folder / "in"], folder / "out", timeout=args.timeout)
    violations = check_run(inputs, outcome)
    if random.Random(args.seed * 7 + index).random() < args.repeat_share:  # the same folder again: same audit.json
        again = run_subprocess("run", [folder / "in"], folder / "out-again", timeout=args.timeout)
        violations += determinism_violations(outcome, again)
    crashed = outcome.audit is None or any(v.category == CRASH for v in crash_violations(outcome))
    rng = random.Random(index)
    by_path = {os.path.abspath(os.fspath(g.path)): g for g in inputs}
    if crashed:  # find the culprits: every file alone
        alone = sorted(by_path)
    else:
        with_documents = sorted({os.path.abspath(d["source"]) for d in outcome.audit["documents"]})  # type: ignore[index]
        alone = rng.sample(with_documents, k=round(len(with_documents) * args.alone_share))
    outcomes = _run_alone(alone, folder, timeout=max(args.timeout, 30.0 * len(alone)))
    for path, single in outcomes.items():
        if crashed or outcome.audit is None:
            violations += [_culprit(v, path) for v in crash_violations(single)]
        else:
            violations += isolation_violations(outcome.audit, path, single)
    for v in violations:
        if v.path and os.path.abspath(v.path) in by_path:
            v.shape = by_path[os.path.abspath(v.path)].truth.shape
    documents = len(outcome.audit["documents"]) if outcome.audit else 0
    kept = bool(violations) and (args.keep_labels or any(v.category != LABEL for v in violations))
    if not (kept or args.keep):
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "folder": str(folder),
        "inputs": len(inputs),
        "generated_documents": sum(g.truth.parts for g in inputs),
        "documents": documents,
        "exit_code": outcome.exit_code,
        "seconds": outcome.seconds,
        "alone": len(alone),
        "violations": [asdict(v) for v in violations],
        "shapes": Counter(g.truth.shape for g in inputs),
    }


def _gist(detail: str) -> str:
    """A message without its shape, numbers, paths and document names: one line per kind of failure."""
    return re.sub(r"\S*[/#]\S*|\d+", "", detail.split(": ", 1)[-1])[:80]


def _culprit(violation: Violation, path: str) -> Violation:
    violation.path = path
    violation.check = f"alone_{violation.check}"
    return violation


def summary(results: list[dict[str, Any]], seconds: float) -> tuple[str, int]:
    folders, inputs = len(results), sum(r["inputs"] for r in results)
    generated, documents = sum(r["generated_documents"] for r in results), sum(r["documents"] for r in results)
    alone = sum(r["alone"] for r in results)
    by_kind: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for r in results:
        for v in r["violations"]:
            by_kind[(v["category"], v["check"])].append((r["folder"], v))
    count = {c: sum(len(vs) for (cat, _), vs in by_kind.items() if cat == c) for c in ("crash", "property", "label")}
    run_seconds = sum(r["seconds"] for r in results)
    lines = [
        f"folders: {folders}, inputs: {inputs}, generated documents: {generated}, documents audited: {documents}",
        f"folder runs: {run_seconds:.0f} s ({documents / max(run_seconds, 1e-9):.0f} documents/s); "
        f"files audited alone: {alone}; wall clock {seconds:.0f} s",
        f"crashes: {count['crash']}",
        f"property violations: {count['property']}",
        f"label misses (kind/year a mutation kept; extraction quality, not crashes): {count['label']}",
    ]
    for (category, check), found in sorted(by_kind.items()):
        folders_hit = {f for f, _ in found}
        lines.append(f"  {category}/{check}: {len(found)} in {len(folders_hit)} folders")
        by_shape: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        for folder, v in found:
            by_shape[v.get("shape") or "(run)"].append((folder, v))
        for shape, cases in sorted(by_shape.items(), key=lambda item: -len(item[1])):
            details: dict[str, tuple[str, dict[str, Any]]] = {}
            for folder, v in cases:  # a few distinct messages per shape, each with one reproducer
                details.setdefault(_gist(v["detail"]), (folder, v))
            lines.append(f"    {shape}: {len(cases)}")
            for folder, v in list(details.values())[: 10 if category == CRASH else 3]:
                lines.append(f"      {v['detail'][:240]}\n        reproducer: {v['path'] or folder + '/in'}")
    return "\n".join(lines), count["crash"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000, help="generated documents to audit (at least)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder-size", type=int, default=250, help="inputs per folder")
    parser.add_argument("--alone-share", type=float, default=0.2, help="share of files also audited alone")
    parser.add_argument("--repeat-share", type=float, default=0.25, help="share of folders audited twice")
    parser.add_argument("--jobs", type=int, default=1, help="folders audited at once")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for one folder run")
    parser.add_argument("--work", default=str(ROOT / "bench" / "out" / "fuzz"))
    parser.add_argument("--keep", action="store_true", help="keep every folder, not only reproducers")
    parser.add_argument(
        "--keep-labels", action="store_true", help="keep folders whose only violations are label misses"
    )
    parser.add_argument("--alone-worker", nargs=2, metavar=("PATHS_JSON", "RESULTS_JSONL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.alone_worker:
        _alone_worker(Path(args.alone_worker[0]), Path(args.alone_worker[1]))
        return 0
    Path(args.work).mkdir(parents=True, exist_ok=True)
    # about 1.1 documents per report input and 10 % junk: enough folders for the documents asked
    per_folder = args.folder_size * 0.9 * 1.1
    folders = max(1, -(-args.documents // int(per_folder)))
    start = time.monotonic()
    results: list[dict[str, Any]] = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for result in pool.map(lambda i: audit_folder(i, args), range(folders)):
            results.append(result)
            bad = Counter(v["category"] for v in result["violations"])
            print(
                f"{result['folder']}: {result['inputs']} inputs, {result['documents']} documents, "
                f"exit {result['exit_code']} in {result['seconds']:.1f} s, {result['alone']} alone, {dict(bad) or 'clean'}",
                flush=True,
            )
    while sum(r["generated_documents"] for r in results) < args.documents:  # top up when junk ran high
        results.append(audit_folder(len(results), args))
    text, crashes = summary(results, time.monotonic() - start)
    report = Path(args.work) / "summary.json"
    report.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=dict), encoding="utf-8")
    print(text)
    print(f"every violation: {report}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
