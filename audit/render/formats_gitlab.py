"""`check --format gitlab`: a GitLab Code Quality report (the `artifacts:reports:codequality` file).

GitLab's format (docs "Code Quality", "Code Quality report format") is a JSON array of issues, each with
`description`, `check_name`, `fingerprint`, `severity` (info | minor | major | critical | blocker) and
`location.path` / `location.lines.begin`. GitLab compares fingerprints between the branches to say
which issues a merge request adds or fixes, so the fingerprint is the finding id: stable across runs
for the same rule, document content and place.

Severities: error → critical, warning → minor, info → info; a failure of the tool itself
(extraction.internal_error, exit 2) → blocker. A waived finding and, with a baseline, one the baseline
already holds are `info`: they do not fail the gate, and the merge-request widget must not say they do.
"""

from __future__ import annotations

from typing import Any

from audit.model import RunResult
from audit.render.formats import findings_of, is_old, location, repo_path

SEVERITY = {"error": "critical", "warning": "minor", "info": "info"}
INTERNAL_ERROR = "extraction.internal_error"
RUN_PATH = "."  # a finding about the run as a whole (no report found) is put on the repository's root


def severity(finding: dict[str, Any]) -> str:
    if finding.get("waived") or is_old(finding):
        return "info"
    return "blocker" if finding["rule"] == INTERNAL_ERROR else SEVERITY[finding["severity"]]


def _description(finding: dict[str, Any]) -> str:
    marks = [
        f"已豁免：{finding['waived'].get('reason', '')}" if finding.get("waived") else "",
        "基线已有" if is_old(finding) else "",
    ]
    notes = "".join(f"（{m}）" for m in marks if m)
    return f"{finding['message']}{notes}"


def issue(finding: dict[str, Any]) -> dict[str, Any]:
    source, line = location(finding)
    return {
        "description": _description(finding),
        "check_name": finding["rule"],
        "fingerprint": finding["id"],
        "severity": severity(finding),
        "location": {"path": repo_path(source) if source else RUN_PATH, "lines": {"begin": max(line, 1)}},
    }


def gitlab(result: RunResult) -> str:
    from audit.render.audit_json import dumps

    return dumps([issue(f) for f in findings_of(result)])
