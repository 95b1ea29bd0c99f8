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
from typing import Any

import pandas as pd

from audit.model import fails

WAIVER_FIELDS = ("id", "reason", "reviewer", "expires")


class GateError(ValueError):
    """A baseline or waivers file that cannot be read (a usage error)."""


def load_baseline(path: str | Path) -> set[str]:
    """The finding ids of an earlier audit.json."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {str(f["id"]) for f in data["findings"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GateError(f"cannot read baseline {path}: {exc}") from exc


def load_waivers(path: str | Path) -> list[dict[str, Any]]:
    """The waivers of a YAML file: a list of {id, reason, reviewer, expires} (or {waivers: [...]})."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise GateError(f"cannot read waivers {path}: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("waivers") or []
    if not isinstance(data, list):
        raise GateError(f"waivers {path}: expected a list of {{{', '.join(WAIVER_FIELDS)}}}")
    waivers = []
    for i, entry in enumerate(data, start=1):
        missing = [k for k in WAIVER_FIELDS if not isinstance(entry, dict) or entry.get(k) in (None, "")]
        if missing:
            raise GateError(f"waivers {path}: entry {i} lacks {', '.join(missing)}")
        expires = entry["expires"]
        if not isinstance(expires, dt.date):
            try:
                expires = dt.date.fromisoformat(str(expires))
            except ValueError as exc:
                raise GateError(f"waivers {path}: entry {i}: expires must be a date (YYYY-MM-DD)") from exc
        waivers.append(
            {
                "id": str(entry["id"]),
                "reason": str(entry["reason"]),
                "reviewer": str(entry["reviewer"]),
                "expires": expires,
            }
        )
    return waivers


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
