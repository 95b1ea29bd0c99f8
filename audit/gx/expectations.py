"""The custom expectations, built on GX's documented classes (MulticolumnMapExpectation with a
MulticolumnMapMetricProvider): no built-in expectation compares the sum of some columns of a row
with the sum of others, nor skips a row whose operand is blank rather than 0.

Both read a wide row (audit.gx.frames: one check's cells side by side, or a year pair's cells of
both years): `column_list` names every operand's number column and its `:state` column. Importing this module registers them with GX, so a saved suite (gx init) that names
them loads only after `import audit.gx.expectations`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)

from audit.gx.frames import state_column
from audit.validate.kinds_tables import identity_keys, identity_sides

_DOMAIN_KEYS = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
_IDENTITY_KEYS = ("left", "right", "alternatives", "tolerance")


def _evaluate(frame: pd.DataFrame, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
    """(assessable, holds) of the identity in kwargs over the wide rows of `frame`, with the native
    kinds' arithmetic (audit.validate.kinds_tables.identity_sides): assessable only when every
    operand used is a number (blank, a placeholder, text or a cell never printed is not 0)."""
    left, right = list(kwargs["left"]), list(kwargs["right"])
    alternatives = [list(a) for a in kwargs.get("alternatives") or []]
    keys = identity_keys(left, right, alternatives)
    states = frame[[state_column(k) for k in keys]]
    values = frame[keys].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    present, numbers = states.notna().to_numpy(dtype=bool), (states == "number").to_numpy(dtype=bool)
    in_left, in_right, lsum, rsum = identity_sides(values, present, keys, left, right, alternatives)
    assessable = ~((in_left | in_right) & ~numbers).any(axis=1)
    return assessable, np.abs(lsum - rsum) <= float(kwargs.get("tolerance") or 1e-6)


class IdentityHolds(MulticolumnMapMetricProvider):
    """True for a row whose identity holds, or cannot be decided (an operand is not a number)."""

    condition_metric_name = "xxgk.identity.holds"
    condition_domain_keys = _DOMAIN_KEYS
    condition_value_keys = _IDENTITY_KEYS

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        assessable, holds = _evaluate(column_list, **kwargs)
        return pd.Series(~assessable | holds, index=column_list.index)


class IdentityOperandsAreNumbers(MulticolumnMapMetricProvider):
    """True for a row whose operands (as the identity chooses them) are all numbers."""

    condition_metric_name = "xxgk.identity.operands_are_numbers"
    condition_domain_keys = _DOMAIN_KEYS
    condition_value_keys = _IDENTITY_KEYS

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        assessable, _ = _evaluate(column_list, **kwargs)
        return pd.Series(assessable, index=column_list.index)


class _Identity(MulticolumnMapExpectation):
    left: list[str]
    right: list[str]
    alternatives: list[list[str]] = []
    tolerance: float = 1e-6
    # a row whose operands are all absent is still a check (not assessable), as in the native engine
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"

    success_keys: ClassVar[tuple[str, ...]] = ("mostly", *_IDENTITY_KEYS)


class ExpectTableIdentityToHold(_Identity):
    """In each row, the sum of the `left` columns (plus the `alternatives` set the table prints: the one
    with most cells present) equals the sum of the `right` columns, within `tolerance`. A row with an
    operand that is blank, a placeholder, text or absent is not decided here (it passes): see
    ExpectIdentityOperandsToBeNumbers."""

    map_metric: ClassVar[str] = "xxgk.identity.holds"


class ExpectIdentityOperandsToBeNumbers(_Identity):
    """Blank is not 0: every operand the identity uses is a number. A failing row is a check the
    identity cannot decide (a blank cell, a placeholder such as 「/」, text, or a cell never printed)."""

    map_metric: ClassVar[str] = "xxgk.identity.operands_are_numbers"
