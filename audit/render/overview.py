"""What a reviewer reads first on a page: findings per rule, and the order of the findings table.

Both pages (the index and each agency page) are summarised by the same function over the same
FindingView objects, so a count never differs between the two (issue: 7 提示 on the index, 8 on the
agency page).
"""

from __future__ import annotations

from collections import defaultdict

from audit.model import SEVERITIES
from audit.render.context import SEVERITY_ZH, FindingView, RuleSummary

INDEX_FINDINGS = 5000  # rows of the index's findings table; beyond, the agency pages and audit.json hold them


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def by_severity(findings: list[FindingView]) -> list[FindingView]:
    """Most severe first, then by agency, year and rule (stable: the input order breaks ties)."""
    return sorted(
        findings,
        key=lambda f: (severity_rank(f["severity"]), f["agency"] or "", f["year"] or 0, f["rule"]),
    )


def rule_summary(findings: list[FindingView]) -> list[RuleSummary]:
    """One row per rule: its findings (waived ones apart), agencies and documents; most severe and
    most frequent first."""
    groups: dict[str, list[FindingView]] = defaultdict(list)
    for f in findings:
        groups[f["rule"]].append(f)
    rows: list[RuleSummary] = []
    for rule, items in groups.items():
        active = [f for f in items if not f["waived"]]
        baseline = any(f["new"] is not None for f in items)
        rows.append(
            {
                "rule": rule,
                "title": items[0]["rule_title"],
                "severity": items[0]["severity"],
                "severity_label": SEVERITY_ZH.get(items[0]["severity"], items[0]["severity"]),
                "findings": len(active),
                "waived": len(items) - len(active),
                "new": sum(1 for f in active if f["new"]) if baseline else None,
                "agencies": len({f["agency"] for f in items}),
                "documents": len({f["document"] for f in items}),
            }
        )
    return sorted(rows, key=lambda r: (severity_rank(r["severity"]), -r["findings"], r["rule"]))
