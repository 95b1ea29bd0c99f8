"""The exported frames: what `xxgk-audit export` writes (public, stable).

One file per frame (`documents`, `cells`, `claims`, `findings`, `issues`), Parquet or CSV. This module
is the single source of their column names, dtypes and meaning: `audit.export` writes from it,
`schema(name)` is the pandera schema an exported file validates against, and docs/frames.md is
generated from it (`python -m audit.export_schemas [OUTPUT]`; tests/test_export.py fails when the
committed file differs).

Conventions, the same in every frame and format:
- dtypes are pandas' nullable ones: text `string`, integers `Int64`, decimals `Float64`, flags
  `boolean`; in the files VARCHAR, BIGINT, DOUBLE, BOOLEAN. A missing value is null (pd.NA), never
  NaN and never an empty string (a CSV field that is empty is null).
- nested values (a finding's evidence, a document's headings) are JSON text, so that one frame is
  written to Parquet and to CSV alike and every reader (pandas, DuckDB, polars, GX) gets plain columns.

Importing this module is cheap (no pandas, no pandera): pandera is imported by `schema()` only.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit.model import FORMATS, KINDS, SEVERITIES, TABLES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pandera.pandas as pa

# pandas dtype -> the type in the Parquet/CSV file, as DuckDB names it
SQL_TYPES = {"string": "VARCHAR", "Int64": "BIGINT", "Float64": "DOUBLE", "boolean": "BOOLEAN"}
CLAIM_KINDS = ("count", "percent", "change", "change_percent", "whole", "part", "part_open")
SHAPES = ("2019", "2021")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # a key of SQL_TYPES
    doc: str
    nullable: bool = True
    values: tuple[str, ...] | None = None  # the closed set of values, when there is one
    json: str | None = None  # JSON text: what it holds (an array of objects with these keys)


@dataclass(frozen=True)
class Frame:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns unique together

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _text(name: str, doc: str, **kw: Any) -> Column:
    return Column(name, "string", doc, **kw)


def _int(name: str, doc: str, **kw: Any) -> Column:
    return Column(name, "Int64", doc, **kw)


def _float(name: str, doc: str, **kw: Any) -> Column:
    return Column(name, "Float64", doc, **kw)


def _flag(name: str, doc: str) -> Column:
    return Column(name, "boolean", doc, nullable=False)


_DOC = "the document's id (`<file>#<ordinal>`), as in audit.json; `documents.id`"
_LINE = "the 1-based line of the original text {}"

DOCUMENTS = Frame(
    "documents",
    "One row per document found in the inputs (a report, a guide, any other text): segmentation and metadata.",
    (
        _text("id", "`<file>#<ordinal>`: the document's id in audit.json, findings and every frame", nullable=False),
        _text("source", "the input file, as given on the command line", nullable=False),
        _int("ordinal", "1-based position of the document in its file", nullable=False),
        _int("line_start", _LINE.format("where the document starts"), nullable=False),
        _int("line_end", _LINE.format("where the document ends"), nullable=False),
        _text("kind", "what the document is", nullable=False, values=KINDS),
        _text("agency", "the agency the report is by, as printed"),
        _text("agency_key", "the agency's normalised name, used to group its years and versions"),
        _int("year", "the year the report is about"),
        _text("format", "the table format (domain.md §2)", nullable=False, values=FORMATS),
        _text("period_start", "first day of the reporting period (ISO date)"),
        _text("period_end", "last day of the reporting period (ISO date)"),
        _text("published", "publication date (ISO date)"),
        _text("signed", "date under the signature (ISO date)"),
        _text("duplicate_of", "id of an identical earlier document of the run"),
        _text("truncated_copy_of", "id of a longer document this one is a cut-off copy of"),
        _text("content_hash", "hash of the document's text: the same text has the same hash", nullable=False),
        _text("title", "the document's title line"),
        _int("agency_line", _LINE.format("the agency was read from")),
        _int("year_line", _LINE.format("the year was read from")),
        _int("period_line", _LINE.format("the period was read from")),
        _int("published_line", _LINE.format("the publication date was read from")),
        _int("signed_line", _LINE.format("the signature date was read from")),
        _text("shape_applications", "the applications table's shape as printed", values=SHAPES),
        _text("shape_article20", "the article 20 table's shape as printed", values=SHAPES),
        _text(
            "headings",
            "the outline: its numbered headings",
            nullable=False,
            json='{"number": "二", "title": text, "line": int, "section": key or null}',
        ),
    ),
    key=("id",),
)

CELLS = Frame(
    "cells",
    "One row per cell of the three statistical tables (contract.md §2.1–2.3): a number, blank, or a placeholder.",
    (
        _text("document", _DOC, nullable=False),
        _text("table", "the table", nullable=False, values=TABLES),
        _text("row", "the row key (contract.md §2)", nullable=False),
        _text("column", "the column key (contract.md §2)", nullable=False),
        _float("value", "the number read; null when blank or a placeholder"),
        _text("raw", "the cell as printed"),
        _flag("blank", "the cell is empty (never read as 0)"),
        _flag("placeholder", "the cell holds a placeholder such as `/`, `-`, `—`"),
        _int("line", _LINE.format("the cell was read from")),
    ),
    key=("document", "table", "row", "column"),
)

CLAIMS = Frame(
    "claims",
    "One row per number stated in the narrative (「共收到申请215件」), with what it counts.",
    (
        _text("document", _DOC, nullable=False),
        _text(
            "metric", "what the number counts (`applications.new_received.total`, `proactive.total`)", nullable=False
        ),
        _float("value", "the number"),
        _flag("approx", "stated approximately (「约」「近」「余」)"),
        _text("unit", "the unit as printed (件, 条, %, …)"),
        _int("line", _LINE.format("of the sentence")),
        _text("text", "the sentence"),
        _text("kind", "what sort of number", nullable=False, values=CLAIM_KINDS),
        _text("scope", "whose number: region, body, sub, agencies (null: the agency's own)"),
        _float("base", "the count a percent or change is about; a part's multiplicity"),
        _float("low", "lowest value the number can mean (an approximate one spans an interval)"),
        _float("high", "highest value the number can mean"),
        _int("span_start", "where the number starts in `text` (character offset)"),
        _int("span_end", "where it ends in `text` (exclusive)"),
        _text("group", "ties a count to its percent, and a list's whole to its parts"),
    ),
)

FINDINGS = Frame(
    "findings",
    "One row per finding of the run (contract.md §3): a rule that failed on a document.",
    (
        _text("id", "stable id: the same rule, content and place give the same id in every run", nullable=False),
        _text("rule", "the rule id (`xxgk-audit rules RULE`)", nullable=False),
        _text("severity", "the severity in force", nullable=False, values=SEVERITIES),
        _text("document", _DOC + "; null for a run-level finding"),
        _text("agency", "the document's agency"),
        _int("year", "the document's year"),
        _text("message", "what is wrong, in Chinese", nullable=False),
        _float("expected", "应为: the value the identity or the other source requires"),
        _float("actual", "实为: the value the report states at the failing place"),
        _text(
            "evidence",
            "the lines a reviewer reads to confirm it (at least one)",
            nullable=False,
            json='{"source": path, "line": int, "text": quote, "page": int (PDF), "mark": [start, end]}',
        ),
        _text("table", "the failing cell's table, when the finding is about a cell", values=TABLES),
        _text("row", "the failing cell's row key"),
        _text("column", "the failing cell's column key"),
    ),
    key=("id",),
)

ISSUES = Frame(
    "issues",
    "One row per table that could not be read whole (numbers run together, rows cut off): what was not extracted.",
    (
        _text("document", _DOC, nullable=False),
        _text("table", "the table concerned", values=TABLES),
        _text("code", "what went wrong (`truncated`, `cells_missing`, …)", nullable=False),
        _text("rows", "the rows concerned, comma-separated keys (null: none named)"),
        _text("detail", "what went wrong, in Chinese"),
        _int("line", _LINE.format("where the problem starts")),
        _int("line_end", _LINE.format("where it ends")),
    ),
)

SPECS: dict[str, Frame] = {f.name: f for f in (DOCUMENTS, CELLS, CLAIMS, FINDINGS, ISSUES)}
FRAMES = tuple(SPECS)  # documents, cells, claims, findings, issues: the files, in this order


def dtypes(name: str) -> dict[str, str]:
    """{column: pandas dtype} of an exported frame, in file order (`pd.read_csv(..., dtype=…)`)."""
    return {c.name: c.dtype for c in SPECS[name].columns}


def sql_types(name: str) -> dict[str, str]:
    """{column: the type in the file} (DuckDB's names: VARCHAR, BIGINT, DOUBLE, BOOLEAN)."""
    return {c.name: SQL_TYPES[c.dtype] for c in SPECS[name].columns}


def _is_json_array(text: Any) -> bool:
    try:
        return isinstance(json.loads(text), list)
    except (TypeError, ValueError):
        return False


@cache
def schema(name: str) -> pa.DataFrameSchema:
    """The pandera schema of an exported frame: exactly its columns in order, exactly their dtypes
    (not coerced), nulls only where allowed, closed sets of values, JSON text where nested, unique keys.

        schema("cells").validate(audit.export.read_frame("out/cells.parquet"))
    """
    import pandera.pandas as pa

    frame = SPECS[name]
    columns = {}
    for c in frame.columns:
        checks = []
        if c.dtype == "string":
            checks.append(pa.Check.str_length(min_value=1, error="no empty text: a missing value is null"))
        if c.values is not None:
            checks.append(pa.Check.isin(c.values))
        if c.json is not None:
            checks.append(pa.Check(_is_json_array, element_wise=True, error="a JSON array"))
        alone = frame.key == (c.name,)
        columns[c.name] = pa.Column(c.dtype, checks, nullable=c.nullable, unique=alone, required=True)
    unique = list(frame.key) if len(frame.key) > 1 else None
    declared = dtypes(name)
    # pandera takes object text for `string` and int64 for `Int64`; an exported frame has exactly its dtypes
    exact = pa.Check(
        lambda df: all(str(df[c].dtype) == t for c, t in declared.items() if c in df.columns),
        error=f"dtypes exactly {declared}",
    )
    return pa.DataFrameSchema(columns, checks=exact, strict=True, ordered=True, unique=unique, name=name)


def validate(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame if it is a valid exported `name` frame; raises pandera.errors.SchemaError(s) otherwise."""
    return schema(name).validate(frame, lazy=True)


# -- docs/frames.md ------------------------------------------------------------------------------

HEADER = """# The exported frames

<!-- Generated by `python -m audit.export_schemas` from audit/export_schemas.py; do not edit by hand. -->

`xxgk-audit export PATH... --out DIR [--format parquet|csv]` (or `--db FILE` for a history store) writes
one file per frame: `DIR/<frame>.parquet` or `DIR/<frame>.csv`. Their columns, in this order, and dtypes
are stable: a change is a CHANGELOG entry. Loading them in pandas, DuckDB and polars, and validating them
with pandera: [export.md](export.md). The schemas are public: `audit.export_schemas.schema(name)`.

- **dtype** is the pandas dtype of the frame as `audit.export.read_frame` (or `pd.read_parquet(…,
  dtype_backend="numpy_nullable")`) returns it; **file** the type in the Parquet file (DuckDB's name).
- A missing value is null (`pd.NA`, SQL NULL, an empty CSV field), never NaN and never an empty string.
- **JSON** columns hold nested values as JSON text (an array of objects), the same in Parquet and CSV:
  `json.loads` in pandas, `from_json`/`->>` in DuckDB, `str.json_decode` in polars.
- CSV files are UTF-8 (no BOM) with a header line; flags are `true`/`false`.
- `table`, `row` and `column` are reserved words in SQL: quote them (`"table"`).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _frame_md(frame: Frame) -> list[str]:
    lines = [f"## `{frame.name}`", "", frame.doc, ""]
    if frame.key:
        lines += [f"Unique: {', '.join(f'`{k}`' for k in frame.key)}.", ""]
    lines += ["| column | dtype | file | null | meaning |", "|---|---|---|---|---|"]
    for c in frame.columns:
        meaning = c.doc
        if c.values is not None:
            meaning += ": " + ", ".join(f"`{v}`" for v in c.values)
        if c.json is not None:
            meaning += f"; JSON array of `{c.json}`"
        null = "yes" if c.nullable else "no"
        lines.append(f"| `{c.name}` | {c.dtype} | {SQL_TYPES[c.dtype]} | {null} | {_cell(meaning)} |")
    return [*lines, ""]


def markdown() -> str:
    lines = [HEADER]
    for frame in SPECS.values():
        lines += _frame_md(frame)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "docs" / "frames.md"
    out.write_text(markdown(), encoding="utf-8")
    print(out)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
