"""`check --format junit`: JUnit XML (the Jenkins/Surefire junit-10.xsd shape that GitLab, Jenkins,
Azure and most CI test viewers read).

- One `<testsuite>` per document (`name` the document id, `file` its input, properties agency, year,
  kind, format); one `<testcase>` per rule that ran on it (`name` the rule id, `classname` the
  document id). Which rules ran on which document: the documents each rule's `applies_to` selects
  (kind, copies, formats), computed as the engine does (`in_scope`; tests/test_ci_formats.py records
  what the engine hands each rule and compares), second renderings of a report
  (audit.validate.renderings) left to the rendering that gives the verdict, as the engine leaves them.
- A testcase fails (`<failure>`) exactly when it holds a finding that fails the gate: at or above
  --fail-on, not waived and, with a baseline, new. So the failures agree with the exit code
  (--fail-on never: no failure). The failure's text lists every finding of the testcase, one line each.
- Findings that do not fail the gate (below --fail-on, waived, held by the baseline) leave the testcase
  passing and are listed in its `<system-out>`, each marked; so are the checks the rule could not
  decide (not_assessable). A waived finding is not `<skipped>`: the rule ran and found it, a reviewer
  accepted it.
- `<skipped>`: a rule the run's --config turned off, on the documents it would have run on.
- `<error>`: extraction.internal_error, a failure of the tool itself (exit 2).
- Findings about no document (an unreadable input, no report found) form a suite per input, or one
  suite `(run)`, holding the failing rules only.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from audit.model import RunResult, printable
from audit.render.formats import fail_on, findings_of, gating, is_old, location, repo_path

INTERNAL_ERROR = "extraction.internal_error"
RUN_SUITE = "(run)"


def with_renderings(result: RunResult) -> Any:
    """The documents frame with `rendering_of` (audit.validate.renderings), which the engine computes
    for the rules' scopes but does not keep; a failure there is already a fault of the run, and the
    engine then treated every document on its own, as here."""
    from audit.validate.renderings import rendering_copies

    try:
        renderings = rendering_copies(result.frames, result.sources)
    except Exception:  # noqa: BLE001 - the engine reported it (a "renderings" fault)
        renderings = {}
    documents = result.frames.documents
    return documents.assign(rendering_of=documents["id"].map(renderings).astype(object))


def in_scope(documents: Any, applies_to: dict[str, Any] | None) -> list[str]:
    """The ids of the documents a rule's `applies_to` selects (as audit.validate.engine does), given
    the documents with `rendering_of` (with_renderings)."""
    from audit.validate.engine import DEFAULT_SCOPE

    scope = {**DEFAULT_SCOPE, **(applies_to or {})}
    mask = documents["id"].notna()
    if scope.get("kinds") is not None:
        mask &= documents["kind"].isin(scope["kinds"])
    if not scope.get("copies", False):
        mask &= documents["duplicate_of"].isna() & documents["truncated_copy_of"].isna()
        if not scope.get("renderings", False):
            mask &= documents["rendering_of"].isna()  # a second rendering: the other gives the verdict
    if scope.get("formats") is not None:
        mask &= documents["format"].isin([str(f) for f in scope["formats"]])
    if scope.get("exclude_formats"):
        mask &= ~documents["format"].isin([str(f) for f in scope["exclude_formats"]])
    return [str(d) for d in documents.loc[mask, "id"]]


def _given(value: Any) -> bool:
    """Not None, NaN or NA (frames hold all three for a missing value)."""
    import pandas as pd

    return value is not None and not (pd.api.types.is_scalar(value) and pd.isna(value))


def _xml(text: object) -> str:
    """Text XML 1.0 can hold: control characters escaped (printable), and the code points XML
    forbids (lone surrogates, U+FFFE/U+FFFF) as \\uXXXX."""
    return "".join(
        c if c not in "\ufffe\uffff" and not 0xD800 <= ord(c) <= 0xDFFF else f"\\u{ord(c):04x}" for c in printable(text)
    )


def _line(finding: dict[str, Any]) -> str:
    source, line = location(finding)
    where = f"{repo_path(source)}:{line}" if source else "-"
    marks = "".join(
        [
            f" (waived: {finding['waived'].get('reason', '')})" if finding.get("waived") else "",
            " (baseline)" if is_old(finding) else "",
            " (new)" if finding.get("new") is True else "",
        ]
    )
    return _xml(f"{where}: {finding['severity']} {finding['message']} [{finding['id']}]{marks}")


class _Suite:
    def __init__(self, name: str, source: str | None, properties: dict[str, Any]):
        self.name, self.source, self.properties = name, source, properties
        self.rules: dict[str, list[dict[str, Any]]] = {}  # rule id → its findings here, in rule order
        self.undecided: dict[str, list[str]] = defaultdict(list)
        self.off: set[str] = set()


def _suites(result: RunResult) -> list[_Suite]:
    documents = with_renderings(result) if len(result.frames.documents) else result.frames.documents
    suites: dict[str, _Suite] = {}
    for row in documents.to_dict("records"):
        properties = {k: row.get(k) for k in ("agency", "year", "kind", "format") if _given(row.get(k))}
        suites[str(row["id"])] = _Suite(str(row["id"]), row.get("source"), properties)
    off = {r for r, s in (result.severities or {}).items() if s == "off"}
    for rule in result.rules:
        for doc in in_scope(documents, rule.get("applies_to")) if len(documents) else []:
            suites[doc].rules[rule["id"]] = []
            if rule["id"] in off:
                suites[doc].off.add(rule["id"])
    for finding in findings_of(result):
        source, _ = location(finding)
        key = finding.get("document") or (repo_path(source) if source else RUN_SUITE)
        suite = suites.setdefault(str(key), _Suite(str(key), source, {}))
        suite.rules.setdefault(finding["rule"], []).append(finding)
        suite.off.discard(finding["rule"])
    for row in result.not_assessable.to_dict("records"):
        if row.get("document") in suites and row.get("rule") in suites[row["document"]].rules:
            where = f"line {int(row['line'])}: " if _given(row.get("line")) else ""
            suites[row["document"]].undecided[row["rule"]].append(
                _xml(f"无法判定 (not assessable) {where}{row['reason']}")
            )
    return list(suites.values())


def _testcase(suite: _Suite, rule: str, findings: list[dict[str, Any]], level: str) -> tuple[Any, str]:
    """The testcase element and its outcome: passed | failure | error | skipped."""
    from lxml import etree

    case = etree.Element("testcase", name=_xml(rule), classname=_xml(suite.name))
    failing = [f for f in findings if gating(f, level)]
    others = [f for f in findings if not gating(f, level)]
    outcome = "passed"
    if rule in suite.off:
        etree.SubElement(case, "skipped", message="规则已关闭 (off in --config)")
        outcome = "skipped"
    elif failing:
        outcome = "error" if rule == INTERNAL_ERROR else "failure"
        element = etree.SubElement(
            case,
            outcome,
            type=_xml(failing[0]["severity"]),
            message=_xml(f"{len(failing)} 处发现未通过 (--fail-on {level})：{failing[0]['message']}"),
        )
        element.text = "\n".join(_line(f) for f in failing)
    out = [_line(f) for f in others] + suite.undecided.get(rule, [])
    if out:
        etree.SubElement(case, "system-out").text = "\n".join(out)
    return case, outcome


def junit(result: RunResult) -> str:
    from lxml import etree

    level = fail_on(result)
    root = etree.Element("testsuites", name="xxgk-audit")
    totals = {"tests": 0, "failure": 0, "error": 0}
    for suite in _suites(result):
        element = etree.SubElement(root, "testsuite", name=_xml(suite.name))
        if suite.source:
            element.set("file", _xml(repo_path(suite.source)))
        if suite.properties:
            properties = etree.SubElement(element, "properties")
            for name, value in suite.properties.items():
                etree.SubElement(properties, "property", name=name, value=_xml(value))
        counts = {"failure": 0, "error": 0, "skipped": 0, "passed": 0}
        for rule, findings in suite.rules.items():
            case, outcome = _testcase(suite, rule, findings, level)
            element.append(case)
            counts[outcome] += 1
        tests = sum(counts.values())
        element.set("tests", str(tests))
        element.set("failures", str(counts["failure"]))
        element.set("errors", str(counts["error"]))
        element.set("skipped", str(counts["skipped"]))
        totals["tests"] += tests
        totals["failure"] += counts["failure"]
        totals["error"] += counts["error"]
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failure"]))
    root.set("errors", str(totals["error"]))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8").rstrip("\n")
