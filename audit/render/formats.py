"""Plain-text outputs of `xxgk-audit check` for CI logs: one line per finding.

- `concise`: `path:line: severity rule message [id]` (ruff's concise form; the default when the output
  is not a terminal, so a log never holds boxes wrapped at 80 columns);
- `github`: GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`), which the
  Actions UI shows as annotations on the file;
- `statistics`: how many findings each rule has.

Every text output ends with the run's one verdict (audit.gate.verdict). The machine formats (`DOCUMENTS`:
json, gitlab, junit, sarif) are one parseable document each; the CLI prints their verdict on stderr.
They live in formats_gitlab, formats_junit and formats_sarif. Findings are read through
`audit_json.finding_json`, the one serialisation every output shares; control characters are escaped
(`audit.model.printable`) so that a file name can neither drive a terminal nor fake a log line.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from audit.model import SEVERITIES, RunResult, fails, printable

GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def findings_of(result: RunResult) -> list[dict[str, Any]]:
    from audit.render.audit_json import finding_json

    return [finding_json({str(k): v for k, v in r.items()}) for r in result.findings.to_dict("records")]


def location(finding: dict[str, Any]) -> tuple[str | None, int]:
    """The file and line of a finding's first evidence (None: a finding about the run as a whole;
    line 0: about the input as a whole)."""
    first = (finding.get("evidence") or [{}])[0]
    return (str(first["source"]) if first.get("source") else None), int(first.get("line") or 0)


def _where(finding: dict[str, Any]) -> tuple[str, int]:
    source, line = location(finding)
    return source or "-", line


def repo_path(source: str) -> str:
    """A finding's file as CI tools want it: relative to the working folder (a CI job runs in the
    repository's root), with `/`; a file outside that folder keeps its absolute path."""
    relative = os.path.relpath(os.path.abspath(source))
    outside = relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative)
    return (os.path.abspath(source) if outside else relative).replace(os.sep, "/")


def fail_on(result: RunResult) -> str:
    return str((result.gate or {}).get("fail_on", "error"))


def is_old(finding: dict[str, Any]) -> bool:
    """Held by the baseline: not new (only said when a baseline was given)."""
    return finding.get("new") is False


def gating(finding: dict[str, Any], level: str) -> bool:
    """Whether this finding fails the run at --fail-on `level` (audit.gate.gated, for one finding)."""
    return not finding.get("waived") and not is_old(finding) and fails([finding["severity"]], level)


def concise(result: RunResult) -> Iterator[str]:
    for f in findings_of(result):
        source, line = _where(f)
        marks = "".join([" (waived)" if f.get("waived") else "", " (new)" if f.get("new") is True else ""])
        page = (f.get("evidence") or [{}])[0].get("page")
        where = f"{source}:{line}:" + (f" (第{page}页)" if page is not None else "")  # PDF: the page, as the HTML
        yield printable(f"{where} {f['severity']} {f['rule']} {f['message']} [{f['id']}]{marks}")


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def github(result: RunResult) -> Iterator[str]:
    """Workflow commands; waived findings (and, with a baseline, old ones) are notices: they do not
    fail the gate, and an annotation must not say they do."""
    for f in findings_of(result):
        source, line = _where(f)
        gating = not f.get("waived") and f.get("new") is not False
        level = GITHUB_LEVEL[f["severity"]] if gating else "notice"
        properties = f"file={_github_property(source)},line={max(line, 1)},title={_github_property(f['rule'])}"
        yield f"::{level} {properties}::{_github_data(str(f['message']))} [{f['id']}]"


def statistics(result: RunResult) -> Iterator[str]:
    """Findings per rule, most first (ruff's --statistics)."""
    findings = findings_of(result)
    per_rule = Counter(f["rule"] for f in findings)
    severity = {f["rule"]: f["severity"] for f in findings}
    order = {s: i for i, s in enumerate(SEVERITIES)}
    for rule, count in sorted(per_rule.items(), key=lambda rc: (order[severity[rc[0]]], -rc[1], rc[0])):
        yield f"{count:>6}  {severity[rule]:<8} {rule}"


FORMATS = {"concise": concise, "github": github}


def _json(result: RunResult) -> str:
    from audit.render.audit_json import audit_json, dumps

    return dumps(audit_json(result))


def _gitlab(result: RunResult) -> str:
    from audit.render.formats_gitlab import gitlab

    return gitlab(result)


def _junit(result: RunResult) -> str:
    from audit.render.formats_junit import junit

    return junit(result)


def _sarif(result: RunResult) -> str:
    from audit.render.formats_sarif import sarif

    return sarif(result)


# The machine formats: stdout (or --output) holds the document and nothing else.
DOCUMENTS: dict[str, Callable[[RunResult], str]] = {"json": _json, "gitlab": _gitlab, "junit": _junit, "sarif": _sarif}
