"""The validate stage: rules from rules/*.yaml run over the frames of all documents at once.

Public API:

- `run_rules(frames, sources, *, rules=None, severities=None, history=None, faults=None) -> (findings, not_assessable)`
  (audit.validate.engine.run_rules says what each takes)
- `load_rules(paths=None) -> list[dict]`
- `list_rules() -> str`, `explain_rule(rule_id) -> str` (what `xxgk-audit rules [ID]` prints)

Rules are data: each rule names a check kind from the registry (`audit.validate.registry`) and its
parameters; a new rule of an existing kind needs no Python. pandas is imported only when rules
run, so listing or explaining rules starts instantly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.validate.rulebook import explain_rule, list_rules, load_rules, rules_dir

__all__ = ["explain_rule", "list_rules", "load_rules", "rules_dir", "run_rules"]

if TYPE_CHECKING:  # pragma: no cover
    from audit.validate.engine import run_rules
else:

    def run_rules(*args: Any, **kwargs: Any) -> Any:
        """audit.validate.engine.run_rules, imported (with pandas) on the first call."""
        from audit.validate.engine import run_rules as run

        return run(*args, **kwargs)
