"""pandera schemas of the frames in audit.model, checked at stage boundaries.

Kept apart from audit.model because pandera takes ~0.4 s to import; `audit.model.schema(name)`
and `check(name, frame)` import it only when a frame is actually checked.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from audit.model import FORMATS, KINDS, SEVERITIES, TABLES

_str = pa.Column(object, nullable=True, required=True)
_int = pa.Column("Int64", nullable=True, coerce=True)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "documents": pa.DataFrameSchema(
        {
            "id": pa.Column(object, unique=True),
            "source": pa.Column(object),
            "ordinal": pa.Column("Int64", pa.Check.ge(1), coerce=True),
            "kind": pa.Column(object, pa.Check.isin(KINDS)),
            "format": pa.Column(object, pa.Check.isin(FORMATS)),
            "year": _int,
            "agency": _str,
            "duplicate_of": _str,
            "content_hash": pa.Column(object),
        },
        strict=False,
    ),
    "cells": pa.DataFrameSchema(
        {
            "document": pa.Column(object),
            "table": pa.Column(object, pa.Check.isin(TABLES)),
            "row": pa.Column(object),
            "column": pa.Column(object),
            "value": pa.Column(float, nullable=True, coerce=True),
            "raw": pa.Column(object, nullable=True),
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
            "document": pa.Column(object),
            "metric": pa.Column(object),
            "value": pa.Column(float, nullable=True, coerce=True),
            "approx": pa.Column(bool, coerce=True),
            "line": _int,
        },
        strict=False,
    ),
    "issues": pa.DataFrameSchema(
        {"document": pa.Column(object), "table": _str, "code": pa.Column(object), "line": _int},
        strict=False,
    ),
    "findings": pa.DataFrameSchema(
        {
            "id": pa.Column(object),
            "rule": pa.Column(object),
            "severity": pa.Column(object, pa.Check.isin(SEVERITIES)),
            "document": _str,
            "message": pa.Column(object),
            "evidence": pa.Column(object, pa.Check(lambda s: s.map(lambda e: isinstance(e, list) and len(e) > 0))),
        },
        strict=False,
    ),
}


def check(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a frame against its schema; raises pandera.errors.SchemaError on a violation."""
    return SCHEMAS[name].validate(frame)
