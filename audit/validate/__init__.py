"""The validate stage: rules from rules/*.yaml run over the frames of all documents at once.

Public API:

- `run_rules(frames, sources, *, rules=None, severities=None, history=None) -> (findings, not_assessable)`
- `load_rules(paths=None) -> list[dict]`
- `list_rules() -> str`, `explain_rule(rule_id) -> str` (what `xxgk-audit rules [ID]` prints)

Rules are data: each rule names a check kind from the registry (`audit.validate.registry`) and its
parameters; a new rule of an existing kind needs no Python. pandas is imported only when rules
run, so listing or explaining rules starts instantly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.validate.rulebook import explain_rule, list_rules, load_rules, rules_dir

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from audit.model import Fault, Frames, Source

__all__ = ["explain_rule", "list_rules", "load_rules", "rules_dir", "run_rules"]


def run_rules(
    frames: Frames,
    sources: list[Source],
    *,
    rules: list[dict[str, Any]] | None = None,
    severities: dict[str, str] | None = None,
    history: Frames | None = None,
    faults: list[Fault] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(findings, not_assessable) with exactly FINDING_COLUMNS and NOT_ASSESSABLE_COLUMNS of audit.model.

    `rules` defaults to every rule of rules/*.yaml; `severities` overrides the severity of rules by
    id (error | warning | info | off). A finding id is stable across runs for the same rule,
    document content and location. `history` holds earlier reports of the same agencies (the
    frames audit.history loads; documents carry their text in a `lines` column) for the cross-year rules.
    `faults`: failures of earlier stages (audit.model.Fault); rules that fail add theirs, and
    extraction.internal_error reports them all.
    """
    from audit.validate.engine import run_rules as run

    return run(frames, sources, rules=rules, severities=severities, history=history, faults=faults)
