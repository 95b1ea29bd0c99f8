"""Run the suites through GX over in-memory frames (an ephemeral context: nothing written) and read
back, for each expectation, the rows it failed, named by the frame's index columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

from audit.gx.suites import index_columns, result_format


@dataclass
class Outcome:
    """What GX said about one expectation: its meta (rule, check), the failing rows' index values,
    and the error when it could not run."""

    frame: str
    meta: dict[str, Any]
    rows: set[tuple[Any, ...]] = field(default_factory=set)
    error: str | None = None


def quiet(context: Any) -> Any:
    """No progress bars on the terminal (an audit prints its own summary)."""
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _error(result: Any) -> str | None:
    info = result.exception_info or {}
    infos = [info] if "raised_exception" in info else list(info.values())
    for entry in infos:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return " ".join(str(entry.get("exception_message") or "GX raised").split())[:300]
    return None


def outcomes(frame: str, validation: Any) -> list[Outcome]:
    """One Outcome per expectation of a suite's validation result."""
    columns = index_columns(frame)
    found = []
    for result in validation.results:
        meta = dict(result.expectation_config.meta or {})
        rows = {tuple(r.get(c) for c in columns) for r in (result.result or {}).get("unexpected_index_list") or []}
        found.append(Outcome(frame, meta, rows, _error(result)))
    return found


def validate(frames: dict[str, pd.DataFrame], suites: dict[str, Any]) -> list[Outcome]:
    """Validate each frame against its suite in a fresh ephemeral context."""
    context = quiet(gx.get_context(mode="ephemeral"))
    source = context.data_sources.add_pandas("xxgk")
    found: list[Outcome] = []
    for name, suite in suites.items():
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        definition = gx.ValidationDefinition(name=name, data=batch, suite=context.suites.add(suite))
        result = definition.run(batch_parameters={"dataframe": frames[name]}, result_format=result_format(name))
        found.extend(outcomes(name, result))
    return found
