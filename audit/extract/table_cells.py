"""Rows found by audit.extract.tables → cells (with their lines) and extraction issues.

A row whose number of values does not match its columns is never placed by guesswork: its cells
are left out and an issue says which row, how many values were printed and where
(`structure.incomplete_table` reports it). Trailing blanks beyond the expected width are
colspan padding and are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from audit.extract.cells import parse_cell
from audit.extract.labels import SHAPE_2019_WORDS, SHAPE_2021_WORDS
from audit.extract.run_together import run_together_tables
from audit.extract.tables import APPLICATIONS, ARTICLE20, REVIEW, REVIEW_CELLS, Row, TableScan, scan_tables
from audit.extract.tokens import BLANK, Token, tokenize
from audit.model import (
    A20_2019,
    A20_2021,
    A20_ITEM_ZH,
    APP_COLUMNS,
    APP_ROW_ZH,
    APP_ROWS_2019,
    APP_ROWS_2021,
    APP_ROWS_COMMON,
    RL_GROUPS,
    RL_OUTCOMES,
)

_OTHER_2021 = ("other.no_correction", "other.unpaid_fee", "other.other")


@dataclass
class TablesResult:
    cells: list[tuple[Any, ...]] = field(
        default_factory=list
    )  # (table, row, column, value, raw, blank, placeholder, line)
    issues: list[dict[str, Any]] = field(default_factory=list)
    shape_applications: str | None = None
    shape_article20: str | None = None


def read_tables(lines: Iterable[tuple[int, str]], year: int | None = None) -> TablesResult:
    """Cells and extraction issues of the three standard tables in a document's lines."""
    lines = list(lines)
    scan = scan_tables(tokenize(lines))
    result = TablesResult()
    _applications(scan, result)
    _review(scan, result)
    _article20(scan, result, year)
    _run_together(lines, result)
    return result


# -- helpers ---------------------------------------------------------------------------------


def _trim(values: list[Token], width: int) -> list[Token]:
    values = list(values)
    while len(values) > width and values[-1].kind == BLANK:
        values.pop()
    return values


def _add_cell(result: TablesResult, table: str, row: str, column: str, token: Token) -> None:
    cv = parse_cell("" if token.kind == BLANK else token.text)
    assert cv is not None  # only value tokens reach here
    result.cells.append((table, row, column, cv.value, cv.raw, cv.blank, cv.placeholder, token.line))


def _issue(result: TablesResult, table: str, code: str, rows: list[str], detail: str, lines: list[int]) -> None:
    result.issues.append(
        {
            "table": table,
            "code": code,
            "rows": ",".join(rows),
            "detail": detail,
            "line": min(lines) if lines else None,
            "line_end": max(lines) if lines else None,
        }
    )


def _run_together(lines: list[tuple[int, str]], result: TablesResult) -> None:
    """Tables printed with their cells run together: present, but no cell can be read for sure."""
    read = {cell[0] for cell in result.cells} | {issue["table"] for issue in result.issues}
    for table, (line, quoted) in run_together_tables(lines).items():
        if table not in read:
            detail = f"各单元格的数字连在一起（「…{quoted}」），无法确定每个数值所属的列，未读取"
            _issue(result, table, "cells_missing", [], detail, [line])


def _row_width_issues(result: TablesResult, table: str, bad: list[tuple[Row, int, int]]) -> None:
    if not bad:
        return
    by_count: dict[tuple[int, int], list[Row]] = {}
    for r, got, want in bad:
        by_count.setdefault((got, want), []).append(r)
    parts = []
    for (got, want), rows in by_count.items():  # rows sharing a count are one statement
        first = f"「{rows[0].label.text.strip()[:30]}」"
        who = first if len(rows) == 1 else f"{first}等{len(rows)}行各"
        parts.append(f"{who}印出{got}个单元格(应为{want}个)")
    shown = "；".join(parts[:6]) + (f"；等共{len(bad)}行" if len(parts) > 6 else "")
    lines = [t.line for r, _, _ in bad for t in [r.label, *r.values]]
    codes = {"cells_missing" if got < want else "ambiguous_row" for _, got, want in bad}
    for code in sorted(codes):
        _issue(result, table, code, [r.key or "?" for r, _, _ in bad], f"{shown}，无法确定各数值所属的列", lines)


def _missing_rows(result: TablesResult, scan: TableScan, table: str, missing: list[str], names: dict[str, str]) -> None:
    if not missing:
        return
    first = scan.seen[table].line
    last = scan.last.get(table, scan.seen[table]).line
    cut = table in scan.ended_at_document_end
    code = "truncated" if cut else "row_missing"
    what = "在文档末尾被截断，缺少" if cut else "缺少以下行"
    listed = "、".join(names.get(k, k) for k in missing[:8]) + (f"等{len(missing)}行" if len(missing) > 8 else "")
    _issue(result, table, code, missing, f"{what}：{listed}", [first, last])


def _unknown_rows(result: TablesResult, table: str, rows: list[Row]) -> None:
    odd = [r for r in rows if r.key is None and any(v.kind != BLANK for v in r.values)]
    if odd:
        labels = "、".join(f"「{r.label.text.strip()[:20]}」" for r in odd[:5])
        lines = [t.line for r in odd for t in [r.label, *r.values]]
        _issue(result, table, "ambiguous_row", ["?"] * len(odd), f"无法识别的行{labels}带有数值，未计入任何一行", lines)


# -- the three tables ------------------------------------------------------------------------


def _is_table(scan: TableScan, table: str, rows: list[Row]) -> bool:
    """A table, not a narrative line that happens to read like one of its labels."""
    if table not in scan.seen:
        return False
    if table == APPLICATIONS and scan.app_header_seen:
        return True
    with_values = sum(1 for r in rows if r.key and any(v.kind != BLANK for v in r.values))
    return with_values >= (2 if table == APPLICATIONS else 1)


def _applications(scan: TableScan, result: TablesResult) -> None:
    rows = [r for r in scan.rows if r.table == APPLICATIONS]
    if not _is_table(scan, APPLICATIONS, rows):
        return
    by_key: dict[str, Row] = {}
    for r in rows:
        if r.key is not None and r.key not in by_key:
            by_key[r.key] = r
    has_sub_rows = any(k in by_key for k in _OTHER_2021)
    flat = by_key.get("other")
    if flat is not None and has_sub_rows and not flat.values:
        del by_key["other"]  # 「(六)其他处理」 was the group label of the 2021 sub-rows
    if has_sub_rows:
        result.shape_applications = "2021"
    elif flat is not None and flat.values:
        result.shape_applications = "2019"
    bad: list[tuple[Row, int, int]] = []
    for key, r in by_key.items():
        values = _trim(r.values, len(APP_COLUMNS))
        if len(values) != len(APP_COLUMNS):
            bad.append((r, len(values), len(APP_COLUMNS)))
            continue
        for column, token in zip(APP_COLUMNS, values, strict=True):
            _add_cell(result, APPLICATIONS, key, column, token)
    _row_width_issues(result, APPLICATIONS, bad)
    _unknown_rows(result, APPLICATIONS, rows)
    expected = {"2021": APP_ROWS_2021, "2019": APP_ROWS_2019}.get(result.shape_applications or "", APP_ROWS_COMMON)
    _missing_rows(result, scan, APPLICATIONS, [k for k in expected if k not in by_key], APP_ROW_ZH)


def _review(scan: TableScan, result: TablesResult) -> None:
    if REVIEW not in scan.seen or not any(v.kind != BLANK for v in scan.review_values):
        return  # a heading-like line with no numbers after it: not a table
    values = _trim(scan.review_values, REVIEW_CELLS)
    if len(values) == REVIEW_CELLS:
        keys = [(g, o) for g in RL_GROUPS for o in RL_OUTCOMES]
        for (group, outcome), token in zip(keys, values, strict=True):
            _add_cell(result, REVIEW, group, outcome, token)
        return
    lines = [scan.seen[REVIEW].line] + [t.line for t in values]
    cut = REVIEW in scan.ended_at_document_end and len(values) < REVIEW_CELLS
    detail = f"印出{len(values)}个数值(应为{REVIEW_CELLS}个)，无法确定各数值所属的列"
    _issue(result, REVIEW, "truncated" if cut else "cells_missing", ["review_litigation"], detail, lines)


def _caption_shape(header: str) -> str | None:
    if SHAPE_2021_WORDS.search(header):
        return "2021"
    if SHAPE_2019_WORDS.search(header):
        return "2019"
    return None


def _article20(scan: TableScan, result: TablesResult, year: int | None) -> None:
    rows = [r for r in scan.rows if r.table == ARTICLE20]
    if not _is_table(scan, ARTICLE20, rows):
        return
    shapes = [s for s in map(_caption_shape, scan.a20_headers.values()) if s]
    doc_shape = max(set(shapes), key=shapes.count) if shapes else None
    result.shape_article20 = doc_shape
    fallback = doc_shape or ("2021" if (year or 0) >= 2021 else "2019")
    found: set[str] = set()
    bad: list[tuple[Row, int, int]] = []
    for r in rows:
        if r.key is None or r.key in found:
            continue
        found.add(r.key)
        shape = _caption_shape(scan.a20_headers.get(r.caption or "", "")) or fallback
        fields = (A20_2021 if shape == "2021" else A20_2019).get(r.key) or A20_2019.get(r.key) or A20_2021[r.key]
        printed = tuple(f for f in fields if f != "amount_yuan")
        values = _trim(r.values, len(printed))
        if len(values) != len(printed):
            bad.append((r, len(values), len(printed)))
            continue
        for name, token in zip(printed, values, strict=True):
            _add_cell(result, ARTICLE20, r.key, name, token)
        if r.key == "procurement":
            _add_amount_yuan(result, values[1])
    _row_width_issues(result, ARTICLE20, bad)
    _unknown_rows(result, ARTICLE20, rows)
    expected = A20_2021 if fallback == "2021" else A20_2019
    _missing_rows(result, scan, ARTICLE20, [k for k in expected if k not in found], A20_ITEM_ZH)


def _add_amount_yuan(result: TablesResult, token: Token) -> None:
    cv = parse_cell("" if token.kind == BLANK else token.text)
    assert cv is not None
    result.cells.append(
        (ARTICLE20, "procurement", "amount_yuan", cv.yuan, cv.raw, cv.blank, cv.placeholder, token.line)
    )
