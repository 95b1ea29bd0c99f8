"""pandera schemas of the frames in audit.model, checked at stage boundaries.

Kept apart from audit.model because pandera takes ~0.4 s to import; `audit.model.schema(name)`
and `check(name, frame)` import it only when a frame is actually checked.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from audit.model import FORMATS, KINDS, SEVERITIES, TABLES

_str = pa.Column(None, nullable=True, required=True)
# A missing text value is None, never NaN: NaN is truthy, breaks numpy masks and is not JSON.
_text = pa.Column(
    None,
    pa.Check(
        lambda s: s.map(lambda v: v is None or isinstance(v, str)), error="text or None (never NaN)", ignore_na=False
    ),
    nullable=True,
    required=True,
)
_int = pa.Column("Int64", nullable=True, coerce=True)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "documents": pa.DataFrameSchema(
        {
            "id": pa.Column(None, unique=True),
            "source": pa.Column(None),
            "ordinal": pa.Column("Int64", pa.Check.ge(1), coerce=True),
            "kind": pa.Column(None, pa.Check.isin(KINDS)),
            "format": pa.Column(None, pa.Check.isin(FORMATS)),
            "year": _int,
            **{
                c: _text
                for c in ("agency", "agency_key", "period_start", "period_end", "published", "signed", "title")
                + ("duplicate_of", "truncated_copy_of")
            },
            "content_hash": pa.Column(None),
        },
        strict=False,
    ),
    "cells": pa.DataFrameSchema(
        {
            "document": pa.Column(None),
            "table": pa.Column(None, pa.Check.isin(TABLES)),
            "row": pa.Column(None),
            "column": pa.Column(None),
            "value": pa.Column(float, nullable=True, coerce=True),
            "raw": pa.Column(None, nullable=True),
            "blank": pa.Column(bool),
            "placeholder": pa.Column(bool),
            "line": _int,
        },
        strict=False,
        # a cell is exactly one of: a number, blank, or a placeholder literal
        checks=pa.Check(
            lambda df: (df["value"].notna().astype(int) + df["blank"].astype(int) + df["placeholder"].astype(int)) <= 1,
            error="a cell is a number, blank or a placeholder, never two of them",
        ),
    ),
    "claims": pa.DataFrameSchema(
        {
            "document": pa.Column(None),
            "metric": pa.Column(None),
            "value": pa.Column(float, nullable=True, coerce=True),
            "approx": pa.Column(bool, coerce=True),
            "line": _int,
            "kind": pa.Column(
                None, pa.Check.isin(["count", "percent", "change", "change_percent", "whole", "part", "part_open"])
            ),
            "low": pa.Column(float, nullable=True, coerce=True),
            "high": pa.Column(float, nullable=True, coerce=True),
            "span_start": _int,
            "span_end": _int,
        },
        strict=False,
    ),
    "issues": pa.DataFrameSchema(
        {"document": pa.Column(None), "table": _str, "code": pa.Column(None), "line": _int},
        strict=False,
    ),
    "findings": pa.DataFrameSchema(
        {
            "id": pa.Column(None),
            "rule": pa.Column(None),
            "severity": pa.Column(None, pa.Check.isin(SEVERITIES)),
            "document": _str,
            "message": pa.Column(None),
            "evidence": pa.Column(None, pa.Check(lambda s: s.map(lambda e: isinstance(e, list) and len(e) > 0))),
        },
        strict=False,
    ),
}


def check(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a frame against its schema; raises pandera.errors.SchemaError on a violation."""
    return SCHEMAS[name].validate(frame)


def violations(name: str, frame: pd.DataFrame) -> list[tuple[str | None, str]]:
    """(document, what is wrong) for each document whose rows break the frame's schema; a violation
    of the frame as a whole (a missing column, a wrong dtype) has document None."""
    import pandera.errors as pe

    try:
        SCHEMAS[name].validate(frame, lazy=True)
    except pe.SchemaErrors as errors:
        key = "id" if name == "documents" else "document"
        found: dict[str | None, str] = {}
        for case in errors.failure_cases.to_dict("records"):
            index = case.get("index")
            document = None
            if index is not None and index == index and index in frame.index and key in frame.columns:
                document = str(frame.at[index, key])
            what = f"{case.get('column') or name}: {case.get('check')} ({case.get('failure_case')!r})"
            found.setdefault(document, what[:300])
        return list(found.items())
    return []
