"""Run `xxgk-audit` on generated inputs and check what must hold of any run (issue 9).

Shared by tests/test_run_fuzz.py (in-process, through click's CliRunner) and bench/fuzz_campaign.py
(a subprocess per folder, so a hang or a blow-up cannot take the campaign down). A violation is a
crash (exit 2, a traceback, audit.json missing or not strict JSON, an input missing from it), a
property violation (a report without documents, a document from no input, a finding without
evidence, a document whose findings change when its file is audited alone), or a label miss (a kind
or year the mutation kept but the run did not read: extraction quality, reported apart).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import Generated

# Rules that by nature compare documents with each other or with the store, or judge the run as a
# whole (no report in the whole run): their findings may change with the company a file is audited in.
CROSS_DOCUMENT_RULES = (
    "document.duplicate",
    "document.conflicting_versions",
    "narrative.year_over_year",
    "extraction.no_reports",
)
CROSS_DOCUMENT_PREFIXES = ("history.",)
STATUSES = ("audited", "unreadable", "skipped")
EMPTY_WORDS = ("空文件", "empty file")  # how the run says an input holds nothing
CRASH, PROPERTY, LABEL = "crash", "property", "label"


@dataclass
class Outcome:
    """One CLI run: exit code, output streams and the audit.json it wrote (None when unreadable)."""

    exit_code: int
    stdout: str
    stderr: str
    audit: dict[str, Any] | None
    problems: list[str]  # outputs missing or not strict JSON
    seconds: float


@dataclass
class Violation:
    category: str  # CRASH | PROPERTY | LABEL
    check: str
    detail: str
    path: str = ""  # the input concerned, "" for the run as a whole
    shape: str = ""  # the generator's shape of that input, when known

    def line(self) -> str:
        where = f" [{self.path}]" if self.path else ""
        return f"{self.category}/{self.check}{where}: {self.detail}"


def _no_constants(name: str) -> Any:
    raise ValueError(f"not strict JSON: {name}")


def strict_loads(text: str) -> Any:
    """json.loads that refuses NaN, Infinity and -Infinity."""
    return json.loads(text, parse_constant=_no_constants)


def read_outputs(out: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """audit.json parsed strictly, and the problems of every JSON output (audit.json and the twins)."""
    problems: list[str] = []
    audit: dict[str, Any] | None = None
    if not (out / "audit.json").is_file():
        problems.append("audit.json not written")
    for path in sorted(out.glob("*.json")):
        try:
            data = strict_loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            problems.append(f"{path.name}: {error}")
            continue
        if path.name == "audit.json":
            audit = data
    return audit, problems


def _cli_args(command: str, paths: list[Path], out: Path | None) -> list[str]:
    args = [command, *map(os.fspath, paths), "--no-db"]
    return [*args, "--out", os.fspath(out)] if command == "run" and out is not None else [*args, "--json"]


def run_in_process(command: str, paths: list[Path], out: Path | None = None) -> Outcome:
    """`xxgk-audit run PATHS --out OUT --no-db` (or `check PATHS --json --no-db`) through CliRunner."""
    from click.testing import CliRunner

    from audit.cli import main

    start = time.monotonic()
    result = CliRunner().invoke(main, _cli_args(command, paths, out))
    seconds = time.monotonic() - start
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        stderr += "".join(traceback.format_exception(result.exception))
    return _outcome(command, result.exit_code, result.stdout, stderr, out, seconds)


def run_subprocess(command: str, paths: list[Path], out: Path | None = None, timeout: float = 600.0) -> Outcome:
    """The same as a fresh process (`python -m audit.cli`); a timeout is exit code -9."""
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-P", "-m", "audit.cli", *_cli_args(command, paths, out)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
        code, stdout, stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as expired:
        code, stdout, stderr = -9, "", f"timed out after {timeout:.0f} s: {expired}"
    return _outcome(command, code, stdout, stderr, out, time.monotonic() - start)


def _outcome(command: str, code: int, stdout: str, stderr: str, out: Path | None, seconds: float) -> Outcome:
    if command == "run" and out is not None:
        audit, problems = read_outputs(out)
        return Outcome(code, stdout, stderr, audit, problems, seconds)
    try:
        return Outcome(code, stdout, stderr, strict_loads(stdout), [], seconds)
    except ValueError as error:
        return Outcome(code, stdout, stderr, None, [f"stdout: {error}"], seconds)


def _key(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def crash_violations(outcome: Outcome) -> list[Violation]:
    out: list[Violation] = []
    if outcome.exit_code not in (0, 1):
        last = outcome.stderr.strip().splitlines()[-1:] or [""]
        out.append(Violation(CRASH, "exit_code", f"exit {outcome.exit_code}: {last[0][:300]}"))
    if "Traceback (most recent call last)" in outcome.stderr:
        out.append(Violation(CRASH, "traceback", outcome.stderr.strip().splitlines()[-1][:300]))
    out.extend(Violation(CRASH, "strict_json", p) for p in outcome.problems)
    return out


def check_run(inputs: list[Generated], outcome: Outcome) -> list[Violation]:
    """Every property of one run over `inputs` (the whole folder) that needs no second run."""
    violations = crash_violations(outcome)
    audit = outcome.audit
    if audit is None:
        return violations
    records = {_key(r["source"]): r for r in audit.get("inputs", [])}
    given = {_key(os.fspath(g.path)) for g in inputs}
    documents: dict[str, list[dict[str, Any]]] = {}
    for doc in audit.get("documents", []):
        documents.setdefault(_key(doc["source"]), []).append(doc)
        if _key(doc["source"]) not in given:
            violations.append(Violation(PROPERTY, "document_source", f"document {doc['id']} from no input"))
    findings_on: dict[str, list[dict[str, Any]]] = {}
    for finding in audit.get("findings", []):
        violations.extend(_evidence_violations(finding))
        for evidence in finding.get("evidence") or []:
            findings_on.setdefault(_key(str(evidence.get("source", ""))), []).append(finding)
    run = audit.get("run", {})
    if run.get("documents") != len(audit.get("documents", [])):
        violations.append(Violation(PROPERTY, "counts", f"run.documents {run.get('documents')} ≠ documents listed"))
    violations.extend(evidence_text_violations(inputs, audit))
    for g in inputs:
        path = os.fspath(g.path)
        record = records.get(_key(path))
        if record is None:
            violations.append(Violation(CRASH, "input_missing", f"{g.truth.shape} not in audit.json inputs", path))
            continue
        violations.extend(_input_violations(g, record, documents.get(_key(path), []), findings_on.get(_key(path), [])))
    return violations


def determinism_violations(first: Outcome, second: Outcome) -> list[Violation]:
    """The same folder audited twice gives the same audit.json (CI compares runs; ids must not churn)."""
    if first.audit is None or second.audit is None or first.audit == second.audit:
        return []
    keys = sorted(k for k in first.audit if first.audit.get(k) != second.audit.get(k))
    detail = f"audit.json differs between two runs of the same folder in {keys}"
    if "findings" in keys:
        seen = {json.dumps(f, sort_keys=True) for f in second.audit["findings"]}
        changed = sorted({str(f["rule"]) for f in first.audit["findings"] if json.dumps(f, sort_keys=True) not in seen})
        detail += f" (findings of {changed})"
    return [Violation(PROPERTY, "determinism", detail)]


def evidence_text_violations(inputs: list[Generated], audit: dict[str, Any]) -> list[Violation]:
    """For UTF-8 text inputs: every evidence line exists and holds the evidence text (NFKC, excerpts allowed)."""
    texts: dict[str, list[str]] = {}
    for g in inputs:
        if g.path.suffix == ".txt" and not g.truth.shape.startswith("junk."):
            try:
                texts[_key(os.fspath(g.path))] = g.path.read_bytes().decode("utf-8").lstrip("\ufeff").splitlines()
            except UnicodeDecodeError:
                continue
    out: list[Violation] = []
    for finding in audit.get("findings", []):
        for e in finding.get("evidence") or []:
            lines = texts.get(_key(str(e.get("source"))))
            line = e.get("line")
            if lines is None or not isinstance(line, int):
                continue
            cited = unicodedata.normalize("NFKC", lines[line - 1]) if 1 <= line <= len(lines) else None
            shown = unicodedata.normalize("NFKC", str(e.get("text") or "")).strip().strip("…").strip()
            if cited is None or shown not in cited:
                detail = (
                    f"{finding['rule']} cites line {line} of {len(lines)}: {shown[:80]!r} not in {str(cited)[:80]!r}"
                )
                out.append(Violation(PROPERTY, "evidence_text", detail, str(e.get("source"))))
    return out


def _evidence_violations(finding: dict[str, Any]) -> list[Violation]:
    evidence = finding.get("evidence") or []
    bad = [e for e in evidence if not e.get("source") or not isinstance(e.get("line"), int)]
    if evidence and not bad:
        return []
    what = "no evidence" if not evidence else f"evidence without source/line: {bad[:2]}"
    return [Violation(PROPERTY, "evidence", f"{finding.get('rule')} on {finding.get('document')}: {what}")]


def _input_violations(
    g: Generated, record: dict[str, Any], docs: list[dict[str, Any]], findings: list[dict[str, Any]]
) -> list[Violation]:
    path, truth, out = os.fspath(g.path), g.truth, []
    status = record.get("status")
    if "status" in record and (status not in STATUSES or (status != "audited" and not record.get("reason"))):
        out.append(Violation(PROPERTY, "status", f"status {status!r}, reason {record.get('reason')!r}", path))
    said = f"{record.get('reason') or ''} {record.get('error') or ''}"
    if not truth.blank and any(word in said for word in EMPTY_WORDS):
        out.append(Violation(PROPERTY, "false_empty", f"{truth.shape} has content but: {said.strip()}", path))
    if truth.expect == "documents":
        if not docs:
            why = record.get("reason") or record.get("error") or "no document"
            out.append(Violation(PROPERTY, "no_document", f"{truth.shape} of {truth.seed}: {why}", path))
        elif status not in (None, "audited"):
            out.append(Violation(PROPERTY, "status", f"{truth.shape}: documents but status {status!r}", path))
    elif truth.expect == "documents_or_refused" and not docs:
        refused = status in ("unreadable", "skipped") or record.get("error") or findings
        if not refused:
            out.append(Violation(PROPERTY, "silently_empty", f"{truth.shape}: no document and no reason", path))
    if docs and truth.kind is not None and docs[0]["kind"] != truth.kind:
        out.append(Violation(LABEL, "kind", f"{truth.shape} of {truth.seed}: {docs[0]['kind']} ≠ {truth.kind}", path))
    if docs and truth.year is not None and docs[0].get("year") != truth.year:
        out.append(
            Violation(LABEL, "year", f"{truth.shape} of {truth.seed}: {docs[0].get('year')} ≠ {truth.year}", path)
        )
    return out


def per_document_rule(rule: str) -> bool:
    return rule not in CROSS_DOCUMENT_RULES and not rule.startswith(CROSS_DOCUMENT_PREFIXES)


def _finding_key(f: dict[str, Any]) -> tuple[str, str, str, str]:
    location = json.dumps(f.get("location"), sort_keys=True, ensure_ascii=False)
    return (str(f["rule"]), str(f.get("document")), location, str(f.get("message")))


def _metadata(doc: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(json.dumps(doc.get(k), sort_keys=True) for k in ("kind", "agency", "year", "format", "period"))


def isolation_violations(together: dict[str, Any], path: str, alone: Outcome) -> list[Violation]:
    """The documents of `path` must have the same metadata and per-document findings when the file is
    audited alone as in the folder run, copies of another document of the run (never audited twice) aside."""
    out = crash_violations(alone)
    for v in out:
        v.path, v.check = path, f"alone_{v.check}"
    if alone.audit is None:
        return out
    key = _key(path)
    docs = {d["id"]: d for d in together.get("documents", []) if _key(d["source"]) == key}
    originals = {i for i, d in docs.items() if not d.get("duplicate_of") and not d.get("truncated_copy_of")}
    alone_docs = {d["id"]: d for d in alone.audit.get("documents", [])}
    if set(docs) != set(alone_docs):
        out.append(
            Violation(PROPERTY, "isolation", f"documents {sorted(docs)} together, {sorted(alone_docs)} alone", path)
        )
    for doc_id in sorted(originals & set(alone_docs)):
        if _metadata(docs[doc_id]) != _metadata(alone_docs[doc_id]):
            detail = f"{doc_id}: {_metadata(docs[doc_id])} together, {_metadata(alone_docs[doc_id])} alone"
            out.append(Violation(PROPERTY, "isolation", detail, path))

    def keys(audit: dict[str, Any]) -> set[tuple[str, str, str, str]]:
        return {
            _finding_key(f)
            for f in audit.get("findings", [])
            if per_document_rule(str(f["rule"]))
            and (
                f.get("document") in originals
                or (f.get("document") is None and any(_key(str(e.get("source"))) == key for e in f["evidence"] or []))
            )
        }

    together_keys, alone_keys = keys(together), keys(alone.audit)
    for extra in sorted(alone_keys - together_keys):
        out.append(Violation(PROPERTY, "isolation", f"only alone: {extra[0]} on {extra[1]}: {extra[3][:200]}", path))
    for lost in sorted(together_keys - alone_keys):
        out.append(Violation(PROPERTY, "isolation", f"only together: {lost[0]} on {lost[1]}: {lost[3][:200]}", path))
    return out
