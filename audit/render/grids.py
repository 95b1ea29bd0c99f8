"""The three report tables as grids for the HTML audit: labels in print order, cell states, marks.

A grid cell is one of: a number, blank (empty, never 0), a placeholder as printed ("/", "—"), text
that is not a number, or missing from extraction ("?"). A finding located on a cell marks it; a
finding located on a whole column (row None) or row (column None) marks the cells of that column
or row among the rows involved — the cells whose line is one of the finding's evidence lines — or
the whole column/row when no evidence line matches a cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NotRequired, TypedDict

from audit.model import (
    A20_2019,
    A20_2021,
    A20_FIELD_ZH,
    A20_ITEM_ZH,
    A20_LITERAL_FIELDS,
    APP_COLUMN_ZH,
    APP_COLUMNS,
    APP_ROW_ZH,
    APP_ROWS_2019,
    APP_ROWS_2021,
    APP_ROWS_ALL,
    RL_GROUP_ZH,
    RL_GROUPS,
    RL_OUTCOME_ZH,
    RL_OUTCOMES,
    SEVERITIES,
    TABLE_ZH,
    TABLES,
)

TABLE_ORDER = TABLES  # section 二、三、四 of the report
ROW_ZH = {"applications": APP_ROW_ZH, "review_litigation": RL_GROUP_ZH, "article20": A20_ITEM_ZH}
COLUMN_ZH = {"applications": APP_COLUMN_ZH, "review_litigation": RL_OUTCOME_ZH, "article20": A20_FIELD_ZH}
ONLY_2019 = frozenset(
    {"new_made", "new_published", "total_published", "prior_count", "change", "items", "amount", "amount_yuan"}
)
ONLY_2021 = frozenset({"issued", "repealed", "in_force", "amount_10k_yuan"})
KEY_FIGURES = (
    ("本年新收申请", "applications", "new_received", "total"),
    ("上年结转申请", "applications", "carried_over", "total"),
    ("予以公开", "applications", "granted", "total"),
    ("办理结果总计", "applications", "results_total", "total"),
    ("结转下年度继续办理", "applications", "carried_forward", "total"),
    ("行政复议总计", "review_litigation", "review", "total"),
    ("未经复议直接起诉总计", "review_litigation", "litigation_direct", "total"),
    ("复议后起诉总计", "review_litigation", "litigation_after_review", "total"),
    ("规范性文件本年制发件数", "article20", "normative_documents", "issued"),  # 2021 format only
    ("规范性文件现行有效件数", "article20", "normative_documents", "in_force"),  # 2021 format only
)

Key = tuple[str, str, str]  # (table, row, column)
Cells = dict[Key, dict[str, Any]]  # {value, raw, blank, placeholder, line} per cell of one document


class CellMark(TypedDict):
    finding: str
    rule: str
    severity: str
    message: str


class CellView(TypedDict):
    row: str
    column: str
    state: str  # number | blank | placeholder | text | missing (not extracted) | absent (no such table)
    text: str  # as shown: the number, the placeholder literal, "" for blank, "?" for missing
    raw: str | None  # as printed in the report
    line: int | None  # original line the cell was read from
    fail: bool  # marked by at least one finding
    severity: str | None  # most severe mark
    marks: list[CellMark]
    undecided: list[str]  # reasons of checks not assessable because of this cell
    id: NotRequired[str]  # failing cells of a report's table: HTML id (findings link here)
    note: NotRequired[int]  # failing cells: the number of their explanation under the table (注n)
    note_id: NotRequired[str]  # HTML id of that explanation (aria-describedby)
    href: NotRequired[str]  # failing cells: where the cell links (its first finding; in the years view, the cell)


class GridRow(TypedDict):
    key: str
    label: str
    sub: bool  # a numbered sub-row such as (三)1.
    cells: list[CellView]


class Grid(TypedDict):
    columns: list[dict[str, str]]  # {key, label}
    column_groups: list[dict[str, Any]]  # a header row above the columns: {label, span}; [] for none
    rows: list[GridRow]


class CellNote(TypedDict):
    """The explanation of one failing cell, printed under its table as 注n (screen readers, print)."""

    n: int
    id: str  # HTML id of the note
    cell: str  # HTML id of the cell
    where: str  # row and column in words
    line: int | None
    marks: list[CellMark]


class TableView(TypedDict):
    key: str  # article20 | applications | review_litigation
    title: str
    anchor: str  # HTML id (document anchor + "-" + key); findings link here
    present: bool  # the report has at least one cell of this table
    grids: list[Grid]  # one, or several for the 第二十条 sub-tables
    notes: list[CellMark]  # findings on this table that mark no cell shown
    cell_notes: list[CellNote]  # the failing cells' explanations, numbered in reading order


def where(table: str | None, row: str | None, column: str | None) -> str | None:
    """A finding's location in words: 「收到和处理政府信息公开申请情况」表「自然人」列."""
    if not table:
        return None
    text = f"「{TABLE_ZH.get(table, table)}」"
    if row:
        text += f"「{ROW_ZH.get(table, {}).get(row, row)}」行"
    if column:
        text += f"「{COLUMN_ZH.get(table, {}).get(column, column)}」列"
    return text


def place(table: str, row: str | None, column: str | None, cells: Cells, lines: set[Any]) -> list[Key]:
    """The cells a finding located at (table, row, column) marks."""
    if row is not None and column is not None:
        return [(table, row, column)]
    if row is None and column is None:
        return []
    along = [k for k in cells if k[0] == table and (k[2] == column if row is None else k[1] == row)]
    involved = [k for k in along if cells[k]["line"] in lines]
    return involved or along


def _number(value: float) -> str:
    if type(value) is int:  # cells hold plain numbers: nearly every one is an int
        return str(value)
    return str(int(value)) if float(value).is_integer() else f"{value:.6f}".rstrip("0").rstrip(".")


def cell_view(
    key: Key, cell: dict[str, Any] | None, marks: list[CellMark], undecided: list[str], *, absent: bool = False
) -> CellView:
    if cell is None:
        state, text = ("absent", "—") if absent else ("missing", "?")
        raw, line = None, None
    else:
        raw, line = cell["raw"], cell["line"]
        if cell["blank"]:
            state, text = "blank", ""
        elif cell["placeholder"]:
            state, text = "placeholder", str(raw or "")
        elif cell["value"] is not None and key[2] not in A20_LITERAL_FIELDS:
            state, text = "number", _number(cell["value"])
        else:
            state, text = "text", str(raw if raw is not None else "")
    ranks = [SEVERITIES.index(m["severity"]) for m in marks if m["severity"] in SEVERITIES] if marks else []
    return {
        "row": key[1],
        "column": key[2],
        "state": state,
        "text": text,
        "raw": None if raw is None else str(raw),
        "line": line,
        "fail": bool(marks),
        "severity": SEVERITIES[min(ranks)] if ranks else None,
        "marks": marks,
        "undecided": undecided,
    }


def _grid(
    table: str,
    rows: Iterable[str],
    columns: Iterable[str],
    cells: Cells,
    marks: dict[Key, list[CellMark]],
    undecided: dict[Key, list[str]],
    groups: list[dict[str, Any]] | None = None,
) -> Grid:
    columns = list(columns)
    return {
        "columns": [{"key": c, "label": COLUMN_ZH[table].get(c, c)} for c in columns],
        "column_groups": groups or [],
        "rows": [
            {
                "key": r,
                "label": ROW_ZH[table].get(r, r),
                "sub": table == "applications" and "." in r,
                "cells": _row_cells(table, r, columns, cells, marks, undecided),
            }
            for r in rows
        ],
    }


def _row_cells(
    table: str,
    row: str,
    columns: list[str],
    cells: Cells,
    marks: dict[Key, list[CellMark]],
    undecided: dict[Key, list[str]],
) -> list[CellView]:
    """The cells of one grid row; an unmarked number (nearly every cell) is built inline."""
    out: list[CellView] = []
    append = out.append
    for column in columns:
        key = (table, row, column)
        cell = cells.get(key)
        if (
            cell is not None
            and cell["value"] is not None
            and not cell["blank"]
            and not cell["placeholder"]
            and not (marks and marks.get(key))
            and not (undecided and undecided.get(key))
            and column not in A20_LITERAL_FIELDS
        ):
            raw, value = cell["raw"], cell["value"]
            append(
                {
                    "row": row,
                    "column": column,
                    "state": "number",
                    "text": str(value) if type(value) is int else _number(value),
                    "raw": raw if raw is None or type(raw) is str else str(raw),
                    "line": cell["line"],
                    "fail": False,
                    "severity": None,
                    "marks": [],
                    "undecided": [],
                }
            )
        else:
            append(cell_view(key, cell, marks.get(key, []), undecided.get(key, [])))
    return out


def _present(cells: Cells, table: str, axis: int) -> list[str]:
    return list(dict.fromkeys(k[axis] for k in cells if k[0] == table))


def _application_rows(doc: dict[str, Any], present: list[str]) -> list[str]:
    base: tuple[str, ...]
    if "other" in present and not any(r.startswith("other.") for r in present):
        base = APP_ROWS_2019
    elif any(r.startswith("other.") for r in present):
        base = APP_ROWS_2021
    else:
        base = APP_ROWS_2019 if (doc.get("shape_applications") or doc.get("format")) == "2019" else APP_ROWS_2021
    return [r for r in APP_ROWS_ALL if r in base or r in present] + [r for r in present if r not in APP_ROWS_ALL]


def _article20_spec(doc: dict[str, Any], fields: list[str]) -> dict[str, tuple[str, ...]]:
    if ONLY_2019.intersection(fields):
        return A20_2019
    if ONLY_2021.intersection(fields):
        return A20_2021
    return A20_2019 if (doc.get("shape_article20") or doc.get("format")) == "2019" else A20_2021


def _layout(cells: Cells) -> dict[str, tuple[list[str], list[str]]]:
    """The rows and the columns each table of a report has cells in, in the order first met
    (`_present` of every table, in one pass)."""
    seen: dict[str, tuple[dict[str, None], dict[str, None]]] = {}
    for table, row, column in cells:
        axes = seen.get(table)
        if axes is None:
            axes = seen[table] = ({}, {})
        axes[0][row] = None
        axes[1][column] = None
    return {table: (list(rows), list(columns)) for table, (rows, columns) in seen.items()}


def _grids(
    doc: dict[str, Any],
    table: str,
    cells: Cells,
    marks: dict[Key, list[CellMark]],
    undecided: dict[Key, list[str]],
    rows: list[str],
    columns: list[str],
) -> list[Grid]:
    if table == "applications":
        groups = [{"label": "", "span": 1}, {"label": "法人或其他组织", "span": 5}, {"label": "", "span": 1}]
        return [_grid(table, _application_rows(doc, rows), APP_COLUMNS, cells, marks, undecided, groups)]
    if table == "review_litigation":
        return [
            _grid(
                table, list(RL_GROUPS) + [r for r in rows if r not in RL_GROUPS], RL_OUTCOMES, cells, marks, undecided
            )
        ]
    spec = dict(_article20_spec(doc, columns))
    for item in rows:  # an item the format does not have keeps the fields it was printed with
        if item not in spec:
            spec[item] = tuple(c for c in columns if (table, item, c) in cells)
    by_fields: dict[tuple[str, ...], list[str]] = {}
    for item, fields in spec.items():
        by_fields.setdefault(fields, []).append(item)
    return [_grid(table, items, fields, cells, marks, undecided) for fields, items in by_fields.items()]


def build_tables(
    doc: dict[str, Any],
    cells: Cells,
    marks: dict[Key, list[CellMark]],
    undecided: dict[Key, list[str]],
    findings: list[Any],
    anchor: str,
) -> list[TableView]:
    """The three tables of a 2019/2021-format report, in the order the report prints them."""
    tables: list[TableView] = []
    layout = _layout(cells)
    marked = {k[0] for k, found in marks.items() if found}  # tables with a marked cell
    for table in TABLE_ORDER:
        present = table in layout
        grids = _grids(doc, table, cells, marks, undecided, *layout[table]) if present else []
        shown = (
            {m["finding"] for g in grids for r in g["rows"] for c in r["cells"] for m in c["marks"]}
            if table in marked
            else set()
        )
        notes: list[CellMark] = [
            {"finding": f["id"], "rule": f["rule"], "severity": f["severity"], "message": f["message"]}
            for f in findings
            if f["table"] == table and f["id"] not in shown
        ]
        tables.append(
            {
                "key": table,
                "title": TABLE_ZH[table],
                "anchor": f"{anchor}-{table}",
                "present": present,
                "grids": grids,
                "notes": notes,
                "cell_notes": _number_failing_cells(grids, table, anchor) if table in marked else [],
            }
        )
    return tables


def cell_id(anchor: str, table: str, row: str, column: str) -> str:
    """The HTML id of a report's cell on its agency page (row keys hold dots: 'other.1')."""
    return f"{anchor}-{table}-{row}-{column}".replace(".", "_")


def _number_failing_cells(grids: list[Grid], table: str, anchor: str) -> list[CellNote]:
    """Give every failing cell an id and a numbered explanation (in reading order): the explanation
    must be text on the page — a tooltip is lost on paper, to the keyboard and to screen readers."""
    notes: list[CellNote] = []
    for g in grids:
        for r in g["rows"]:
            for c in r["cells"]:
                if not c["fail"]:
                    continue
                ident = cell_id(anchor, table, r["key"], c["column"])
                n = len(notes) + 1
                c["id"], c["note"], c["note_id"] = ident, n, f"{ident}-note"
                c["href"] = f"#f-{c['marks'][0]['finding']}"
                label = f"「{r['label']}」行「{COLUMN_ZH[table].get(c['column'], c['column'])}」列"
                notes.append(
                    {
                        "n": n,
                        "id": f"{ident}-note",
                        "cell": ident,
                        "where": label,
                        "line": c["line"],
                        "marks": c["marks"],
                    }
                )
    return notes


def key_figures(doc: dict[str, Any], cells: Cells, marks: dict[Key, list[CellMark]]) -> list[tuple[str, CellView]]:
    """The figures of the side-by-side years view, as cells of one report. A figure the report's
    format does not have (a 2021-format 第二十条 field in a 2019-format table) is absent, not missing."""
    tables = {k[0] for k in cells}
    a20: dict[str, tuple[str, ...]] | None = None
    figures = []
    for label, t, r, c in KEY_FIGURES:
        absent = t not in tables
        if not absent and t == "article20" and (t, r, c) not in cells:
            a20 = a20 or _article20_spec(doc, _present(cells, "article20", 2))
            absent = c not in a20.get(r, ())
        figures.append((label, cell_view((t, r, c), cells.get((t, r, c)), marks.get((t, r, c), []), [], absent=absent)))
    return figures
