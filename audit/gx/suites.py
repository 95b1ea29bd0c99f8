"""ExpectationSuites from rules/*.yaml: one suite per frame, one or two expectations per exported rule.

- identity rules (sum_equals, balance) → ExpectTableIdentityToHold (its failing rows are the
  findings) and ExpectIdentityOperandsToBeNumbers (its failing rows are the checks not assessable:
  blank ≠ 0), on the rule's wide frame;
- year_chain → the same two expectations on the rule's year-pairs frame (previous year's terms on
  one side, this year's on the other: audit.gx.specs);
- non_negative → the built-in ExpectColumnValuesToBeBetween(min_value=0) on `cells_scoped`;
- the exported `cells` frame keeps its promise that blank is never 0: the built-in
  ExpectColumnValuesToBeNull on the value of every blank or placeholder cell (not a rule of the
  reports: a failure is a fault of the tool).

Every expectation's `meta` says which rule (and which part of it) it stands for; the engine reads the
failing rows back by the frame's index columns (INDEX_COLUMNS).
"""

from __future__ import annotations

from typing import Any

import great_expectations as gx

from audit.gx import expectations as custom
from audit.gx.frames import other_axis, state_column
from audit.gx.specs import Spec
from audit.validate.kinds_tables import identity_keys

SUITE_PREFIX = "xxgk_"
CONTRACT = "cells.blank_is_not_zero"


def index_columns(frame: str) -> list[str]:
    """The columns that name a failing row of `frame` (document and location)."""
    if frame.startswith("cells_wide_"):
        return ["document", frame.rsplit("_by_", 1)[1]]
    if frame.startswith("year_pairs_"):
        return ["document", "previous", frame.rsplit("_by_", 1)[1]]
    return ["document", "table", "row", "column"]


def suite_name(frame: str) -> str:
    return f"{SUITE_PREFIX}{frame}"


def _identity(spec: Spec) -> list[Any]:
    p = spec.params
    keys = identity_keys(p["left"], p["right"], p["alternatives"])
    common: dict[str, Any] = {
        "column_list": [*keys, *(state_column(k) for k in keys)],
        "left": p["left"],
        "right": p["right"],
        "alternatives": p["alternatives"],
        "tolerance": p["tolerance"],
        "row_condition": spec.condition,
        "condition_parser": "pandas",
    }
    axis = other_axis(p["group_by"])
    shape = "this year's and the previous year's cells of a year pair" if spec.expectation == "chain" else f"{axis}s"
    return [
        custom.ExpectTableIdentityToHold(
            **common,
            meta={"rule": spec.id, "check": "holds", "notes": f"{spec.rule['title']['zh']} ({shape} as columns)"},
        ),
        custom.ExpectIdentityOperandsToBeNumbers(
            **common, meta={"rule": spec.id, "check": "assessable", "notes": "blank ≠ 0: undecided when not a number"}
        ),
    ]


def _non_negative(spec: Spec) -> list[Any]:
    return [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="value",
            min_value=0,
            row_condition=spec.condition,
            condition_parser="pandas",
            meta={"rule": spec.id, "check": "holds", "notes": spec.rule["title"]["zh"]},
        )
    ]


def contract() -> list[Any]:
    """The exported cells frame: a blank or placeholder cell has no number."""
    return [
        gx.expectations.ExpectColumnValuesToBeNull(
            column="value",
            row_condition="blank == True or placeholder == True",
            condition_parser="pandas",
            meta={"contract": CONTRACT, "notes": "blank ≠ 0: a blank or placeholder cell has no value"},
        )
    ]


def build_suites(exported: list[Spec]) -> dict[str, Any]:
    """Frame name → its ExpectationSuite (not yet added to a context)."""
    by_frame: dict[str, list[Any]] = {"cells": contract()}
    for spec in exported:
        made = _non_negative(spec) if spec.expectation == "non_negative" else _identity(spec)
        by_frame.setdefault(spec.frame, []).extend(made)
    return {frame: gx.ExpectationSuite(name=suite_name(frame), expectations=made) for frame, made in by_frame.items()}


def result_format(frame: str) -> dict[str, Any]:
    """Every failing row, named by the frame's index columns."""
    return {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": index_columns(frame),
        "return_unexpected_index_query": False,
    }
