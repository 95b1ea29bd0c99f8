"""Plain-text outputs of `xxgk-audit check` for CI logs: one line per finding.

- `concise`: `path:line: severity rule message [id]` (ruff's concise form; the default when the output
  is not a terminal, so a log never holds boxes wrapped at 80 columns);
- `github`: GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`), which the
  Actions UI shows as annotations on the file;
- `statistics`: how many findings each rule has.

Every line ends with the run's one verdict (audit.gate.verdict). Findings are read through
`audit_json.finding_json`, the one serialisation every output shares; control characters are escaped
(`audit.model.printable`) so that a file name can neither drive a terminal nor fake a log line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from audit.model import SEVERITIES, RunResult, printable

GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def findings_of(result: RunResult) -> list[dict[str, Any]]:
    from audit.render.audit_json import finding_json

    return [finding_json({str(k): v for k, v in r.items()}) for r in result.findings.to_dict("records")]


def _where(finding: dict[str, Any]) -> tuple[str, int]:
    first = (finding.get("evidence") or [{}])[0]
    return str(first.get("source") or "-"), int(first.get("line") or 0)


def concise(result: RunResult) -> Iterator[str]:
    for f in findings_of(result):
        source, line = _where(f)
        marks = "".join([" (waived)" if f.get("waived") else "", " (new)" if f.get("new") is True else ""])
        yield printable(f"{source}:{line}: {f['severity']} {f['rule']} {f['message']} [{f['id']}]{marks}")


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
