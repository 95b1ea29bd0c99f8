"""`check --format sarif`: SARIF 2.1.0 (OASIS), the format GitHub code scanning and most CI viewers read.

- `tool.driver`: name, version (package metadata), and every rule of the run with its titles, its
  Chinese explanation (`rationale_zh`) as `fullDescription`, the English one as `help` and its
  default level; a rule the run's --config changed (or turned off) is a `ruleConfigurationOverrides`
  entry of the invocation, as SARIF puts run-time configuration.
- `results`: one per finding (`ruleId`, `level` error | warning | note, `message.text`), located at its
  first evidence line (relative to %SRCROOT%, the working folder: a CI job runs in the repository's
  root); further evidence lines are `relatedLocations`. `partialFingerprints` holds the finding id,
  stable across runs. A waived finding carries an external suppression naming the reason, the
  reviewer and the expiry; with a baseline, `baselineState` is new or unchanged.
- `invocations[0]`: whether the tool ran without internal failure, its exit code and one
  notification per internal failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import audit
from audit.model import RunResult
from audit.render.formats import findings_of, repo_path

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "xxgkFindingId/v1"
ROOT = "%SRCROOT%"


def _title(rule: dict[str, Any], lang: str) -> str:
    title = rule.get("title") or {}
    return str(title.get(lang, "") if isinstance(title, dict) else title)


def _descriptor(rule: dict[str, Any]) -> dict[str, Any]:
    from audit.validate.rulebook import rationale

    short = " / ".join(t for t in (_title(rule, "zh"), _title(rule, "en")) if t) or rule["id"]
    return {
        "id": rule["id"],
        "shortDescription": {"text": short},
        "fullDescription": {"text": rationale(rule, "zh") or short},
        "help": {"text": rationale(rule, "en") or short},
        "defaultConfiguration": {"level": LEVEL[str(rule["severity"])]},
        "properties": {"tags": [str(rule.get("suite") or rule["id"].split(".")[0])]},
    }


def _overrides(rules: list[dict[str, Any]], severities: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for index, rule in enumerate(rules):
        chosen = severities.get(rule["id"])
        if chosen is None or chosen == rule["severity"]:
            continue
        configuration = {"enabled": False} if chosen == "off" else {"level": LEVEL[chosen]}
        out.append({"descriptor": {"id": rule["id"], "index": index}, "configuration": configuration})
    return out


def _location(source: str | None, line: int, text: str | None = None) -> dict[str, Any] | None:
    if not source:
        return None
    path = repo_path(source)
    artifact: dict[str, Any] = (
        {"uri": Path(path).as_uri()} if os.path.isabs(path) else {"uri": quote(path, safe="/"), "uriBaseId": ROOT}
    )
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line >= 1:  # line 0: the input as a whole, no region
        physical["region"] = {"startLine": line, **({"snippet": {"text": text}} if text else {})}
    return {"physicalLocation": physical}


def _result(finding: dict[str, Any], index: dict[str, int]) -> dict[str, Any]:
    evidence = finding.get("evidence") or []
    places = [_location(e.get("source"), int(e.get("line") or 0), e.get("text")) for e in evidence]
    located = [p for p in places if p is not None]
    out: dict[str, Any] = {
        "ruleId": finding["rule"],
        "level": LEVEL[finding["severity"]],
        "message": {"text": finding["message"]},
        "locations": located[:1],
        "partialFingerprints": {FINGERPRINT: finding["id"]},
        "properties": {
            k: finding[k] for k in ("document", "agency", "year", "expected", "actual") if finding.get(k) is not None
        },
    }
    if finding["rule"] in index:
        out["ruleIndex"] = index[finding["rule"]]
    if len(located) > 1:
        out["relatedLocations"] = [{"id": i, **p} for i, p in enumerate(located[1:], start=1)]
    waiver = finding.get("waived")
    if waiver:
        out["suppressions"] = [
            {
                # no status: the 2.1.0 standard calls it `status`, an earlier revision of its schema `state`;
                # absent, the suppression is in effect either way
                "kind": "external",
                "justification": f"{waiver.get('reason', '')}（{waiver.get('reviewer', '')}，有效期至 {waiver.get('expires', '')}）",
                "properties": dict(waiver),
            }
        ]
    if finding.get("new") is not None:
        out["baselineState"] = "new" if finding["new"] else "unchanged"
    return out


def _invocation(result: RunResult) -> dict[str, Any]:
    gate = result.gate or {}
    invocation: dict[str, Any] = {
        "executionSuccessful": not result.faults,
        "toolExecutionNotifications": [
            {"level": "error", "message": {"text": f"{f.stage}: {f.error}"}, **_fault_place(f)} for f in result.faults
        ],
    }
    if "exit_code" in gate:
        invocation["exitCode"] = int(gate["exit_code"])
    overrides = _overrides(result.rules, result.severities or {})
    if overrides:
        invocation["ruleConfigurationOverrides"] = overrides
    return invocation


def _fault_place(fault: Any) -> dict[str, Any]:
    place = _location(fault.source, int(fault.line or 0))
    return {"locations": [place]} if place else {}


def sarif_log(result: RunResult) -> dict[str, Any]:
    rules = list(result.rules)
    index = {r["id"]: i for i, r in enumerate(rules)}
    cwd = Path.cwd().as_uri().rstrip("/") + "/"
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "xxgk-audit",
                        "version": audit.__version__,
                        "rules": [_descriptor(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {ROOT: {"uri": cwd}},
                "invocations": [_invocation(result)],
                "results": [_result(f, index) for f in findings_of(result)],
            }
        ],
    }


def sarif(result: RunResult) -> str:
    from audit.render.audit_json import dumps

    return dumps(sarif_log(result))
