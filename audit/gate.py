"""The CI gate: which findings fail a run once a baseline and waivers are taken into account.

- a baseline (an earlier audit.json) makes only findings whose id it does not hold count: each
  finding is marked `new: true/false`;
- a waiver ({id, reason, reviewer, expires}) silences one reviewed finding until it expires: the
  finding is marked `waived: {...}` and no longer fails the run.

Both marks are columns added to the findings frame (`new`, `waived`), which audit.json and the HTML
pages show (audit.render.audit_json.finding_json).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from audit.model import SEVERITIES, fails

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

WAIVER_FIELDS = ("id", "reason", "reviewer", "expires")
SEVERITY_CHOICES = ("error", "warning", "info", "off")
MAX_WAIVER_DAYS = 3 * 366  # a waiver is a reviewed exception, not a permanent one: it must lapse


class GateError(ValueError):
    """A configuration, baseline or waivers file that cannot be used (a usage error, exit 2); the
    message names the file and the entry."""


def _read_yaml(path: str | Path, what: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:  # ValueError: `2026-13-45` unquoted
        raise GateError(f"cannot read {what} {path}: {exc}") from exc


def _problems(error: Any) -> str:
    """pydantic's errors about a configuration as `where: what`."""
    lines = []
    for e in error.errors():
        where = ".".join(str(part) for part in e["loc"])
        unknown = e["type"] == "extra_forbidden"
        lines.append(
            f"{where}: " + (f"unknown key{_did_you_mean(str(e['loc'][-1]), ('severity',))}" if unknown else e["msg"])
        )
    return "; ".join(lines)


def _did_you_mean(word: str, choices: Any) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def load_config(path: str | Path, rule_ids: set[str]) -> dict[str, str]:
    """The severity overrides of a configuration file: `{severity: {RULE_ID: error|warning|info|off}}`.

    YAML 1.1 reads a bare `off` as false: it means "off" here. Unknown keys and rule ids are errors
    (with the closest id suggested), never ignored."""
    from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

    class Config(BaseModel):
        model_config = ConfigDict(extra="forbid")
        severity: dict[str, Literal["error", "warning", "info", "off"]] = {}

        @field_validator("severity", mode="before")
        @classmethod
        def bare_off(cls, value: Any) -> Any:
            if isinstance(value, dict):
                return {str(k): "off" if v is False else v for k, v in value.items()}
            return value

    data = _read_yaml(path, "configuration")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise GateError(f"configuration {path}: expected a mapping such as {{severity: {{RULE_ID: off}}}}")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise GateError(f"configuration {path}: {_problems(exc)}") from exc
    unknown = [f"{r!r}{_did_you_mean(r, rule_ids)}" for r in config.severity if r not in rule_ids]
    if unknown:
        raise GateError(f"configuration {path}: unknown rule ids {', '.join(unknown)}; `xxgk-audit rules` lists them")
    return dict(config.severity)


def load_baseline(path: str | Path) -> set[str]:
    """The finding ids of an earlier audit.json."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GateError(f"cannot read baseline {path}: {exc}") from exc
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list) or not all(
        isinstance(f, dict) and isinstance(f.get("id"), str) for f in findings
    ):
        raise GateError(f"baseline {path} is not an audit.json: it needs a `findings` list of objects with an `id`")
    return {f["id"] for f in findings}


def load_waivers(path: str | Path, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The waivers of a YAML file: a list of {id, reason, reviewer, expires} (or {waivers: [...]}).

    Each entry is checked: an id is a finding id (a string, as audit.json writes it), reason and
    reviewer are given, `expires` is a date (a YAML datetime counts by its day) at most
    MAX_WAIVER_DAYS ahead."""
    from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

    day: dt.date = today or dt.date.today()

    class Waiver(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        id: str = Field(min_length=1)
        reason: str = Field(min_length=1)
        reviewer: str = Field(min_length=1)
        expires: dt.date

        @field_validator("expires", mode="before")
        @classmethod
        def a_day(cls, value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, str):
                try:
                    return dt.date.fromisoformat(value.strip())
                except ValueError as exc:
                    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from exc
            return value

        @field_validator("expires")
        @classmethod
        def lapses(cls, value: dt.date) -> dt.date:
            if (value - day).days > MAX_WAIVER_DAYS:
                raise ValueError(f"{value} is more than {MAX_WAIVER_DAYS} days ahead: a waiver must lapse")
            return value

    data = _read_yaml(path, "waivers")
    if isinstance(data, dict):
        if set(data) != {"waivers"}:
            raise GateError(f"waivers {path}: expected a list of {{{', '.join(WAIVER_FIELDS)}}} or {{waivers: [...]}}")
        data = data["waivers"]
    data = [] if data is None else data
    if not isinstance(data, list):
        raise GateError(f"waivers {path}: expected a list of {{{', '.join(WAIVER_FIELDS)}}}")
    waivers, problems = [], []
    for i, entry in enumerate(data):
        try:
            waivers.append(Waiver.model_validate(entry).model_dump())
        except ValidationError as exc:
            problems.append(_entry(exc, i, entry))
    if problems:
        raise GateError(f"waivers {path}: " + "; ".join(problems))
    return waivers


def _entry(error: Any, index: int, entry: Any) -> str:
    """pydantic's errors about one waiver, named by its number and id."""
    name = entry.get("id") if isinstance(entry, dict) else None
    head = f"entry {index + 1}" + (f" (id {name})" if isinstance(name, str) else "")
    parts = []
    for e in error.errors():
        field = ".".join(str(p) for p in e["loc"]) or "entry"
        message = (
            f"unknown key{_did_you_mean(str(e['loc'][-1]), WAIVER_FIELDS)}"
            if e["type"] == "extra_forbidden"
            else e["msg"]
        )
        parts.append(f"{field}: {message}")
    return f"{head}: {', '.join(parts)}"


def apply_gate(
    findings: pd.DataFrame,
    *,
    baseline: set[str] | None = None,
    waivers: list[dict[str, Any]] | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """The findings with `new` (None without a baseline) and `waived` (the waiver applied, or None)."""
    today = today or dt.date.today()
    active = {w["id"]: w for w in waivers or [] if w["expires"] >= today}
    ids = findings["id"].astype(str)
    new = [None if baseline is None else i not in baseline for i in ids]
    waived = [
        None
        if i not in active
        else {
            "reason": active[i]["reason"],
            "reviewer": active[i]["reviewer"],
            "expires": active[i]["expires"].isoformat(),
        }
        for i in ids
    ]
    return findings.assign(
        new=pd.Series(new, index=findings.index, dtype=object),
        waived=pd.Series(waived, index=findings.index, dtype=object),
    )


def gated(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings that can fail the run: not waived, and new when a baseline was given."""
    keep = pd.Series(True, index=findings.index)
    if "waived" in findings.columns:
        keep &= findings["waived"].isna()
    if "new" in findings.columns:
        keep &= findings["new"].map(lambda n: n is not False)
    return findings[keep]


def gate_fails(findings: pd.DataFrame, fail_on: str) -> bool:
    return fails(gated(findings)["severity"], fail_on)


def expired(waivers: list[dict[str, Any]], today: dt.date | None = None) -> list[dict[str, Any]]:
    today = today or dt.date.today()
    return [w for w in waivers if w["expires"] < today]


def verdict(findings: pd.DataFrame, fail_on: str, *, internal_errors: int = 0) -> dict[str, Any]:
    """The one verdict of a run, which the exit code, the terminal, the HTML and audit.json all show:
    counts per severity, how many are waived and (with a baseline) new, whether the gate passes at
    `fail_on`, the exit code (2 when the tool failed somewhere) and a one-line summary such as
    「3 错误（2 已豁免，0 新增）— 通过」."""
    severities = findings["severity"].astype(str) if len(findings) else pd.Series(dtype=str)
    waived = findings["waived"].notna() if "waived" in findings.columns else pd.Series(False, index=findings.index)
    with_baseline = "new" in findings.columns and findings["new"].map(lambda n: n is not None).any()
    new = findings["new"].map(lambda n: n is True) if with_baseline else pd.Series(False, index=findings.index)
    counts = {s: int((severities == s).sum()) for s in SEVERITIES}
    waived_counts = {s: int(((severities == s) & waived).sum()) for s in SEVERITIES}
    new_counts = {s: int(((severities == s) & new).sum()) for s in SEVERITIES} if with_baseline else None
    failing = gate_fails(findings, fail_on)
    exit_code = 2 if internal_errors else int(failing)
    parts = []
    for s in SEVERITIES:
        notes = []
        if any(waived_counts.values()):
            notes.append(f"{waived_counts[s]} 已豁免")
        if new_counts is not None:
            notes.append(f"{new_counts[s]} 新增")
        parts.append(f"{counts[s]} {SEVERITY_ZH[s]}" + (f"（{'，'.join(notes)}）" if notes and counts[s] else ""))
    if internal_errors:
        outcome = f"审核工具内部错误 {internal_errors} 处，其余照常审核（退出码 2）"
    elif fail_on == "never":
        outcome = "不判定（--fail-on never）"
    else:
        outcome = f"{'未通过' if failing else '通过'}（--fail-on {fail_on}）"
    return {
        "fail_on": fail_on,
        "passed": exit_code == 0,
        "exit_code": exit_code,
        "findings": counts,
        "waived": waived_counts if "waived" in findings.columns else None,
        "new": new_counts,
        "internal_errors": internal_errors,
        "summary": "，".join(parts) + " — " + outcome,
    }
