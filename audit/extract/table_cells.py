"""Rows found by audit.extract.tables → cells (with their lines) and extraction issues.

A row is placed only by its label, never by position: a row whose number of values does not match
its columns, an unlabelled row, values printed between two labels where the layout does not say
whose they are, a change written as words (「减4」), a row glued to its label (「规章000」) or a value
the text was cut in — none of these is placed by guesswork. Their cells are left out and an issue
says which row, what was printed and where (`structure.incomplete_table` reports it). Trailing
blanks beyond the expected width are colspan padding and are dropped; a row printed with empty
cells only is a row of blank cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from audit.extract.cells import parse_cell
from audit.extract.run_together import run_together_tables
from audit.extract.tables import (
    APPLICATIONS,
    ARTICLE20,
    REVIEW,
    REVIEW_CELLS,
    Row,
    TableScan,
    scan_tables,
)
from audit.extract.tokens import BLANK, Token, tokenize
from audit.labels import SHAPE_2019_WORDS, SHAPE_2021_WORDS
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
    last = next((text for _, text in reversed(lines) if text.strip()), "")
    scan = scan_tables(tokenize(lines), ends_open=not last.rstrip().endswith("|"))
    result = TablesResult()
    _applications(scan, result)
    _review(scan, result)
    _article20(scan, result, year)
    _leading(scan, result)
    _run_together(lines, result)
    return result


# -- helpers ---------------------------------------------------------------------------------


def _trim(values: list[Token], width: int) -> list[Token]:
    values = list(values)
    while len(values) > width and values[-1].kind == BLANK:
        values.pop()
    return values


def _add_cell(result: TablesResult, table: str, row: str, column: str, token: Token) -> bool:
    """The cell as printed; False (nothing added) for a value that is not one (「减4」)."""
    cv = parse_cell("" if token.kind == BLANK else token.text)
    if cv is None:
        return False
    result.cells.append((table, row, column, cv.value, cv.raw, cv.blank, cv.placeholder, token.line))
    return True


def _issue(result: TablesResult, table: str | None, code: str, rows: list[str], detail: str, lines: list[int]) -> None:
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


def _quoted(row: Row, limit: int = 30) -> str:
    return f"「{row.label.text.strip()[:limit]}」"


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
        who = _quoted(rows[0]) if len(rows) == 1 else f"{_quoted(rows[0])}等{len(rows)}行各"
        glued = rows[0].glued
        parts.append(f"{who}印出{got}个单元格(应为{want}个)" + ("，数字与行名连在一起，无法拆分" if glued else ""))
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
    at_end = table in scan.ended_at_document_end
    at_start = table in scan.started_at_document_start
    code = "truncated" if at_end or at_start else "row_missing"
    what = {
        (True, False): "在文档末尾被截断，缺少",
        (False, True): "文档从表格中间开始（前面被截去），缺少",
        (True, True): "只印出了一部分（文档前后均被截断），缺少",
    }.get((at_end, at_start), "缺少以下行")
    listed = "、".join(names.get(k, k) for k in missing[:8]) + (f"等{len(missing)}行" if len(missing) > 8 else "")
    _issue(result, table, code, missing, f"{what}：{listed}", [first, last])


def _unknown_rows(result: TablesResult, table: str, rows: list[Row]) -> None:
    odd = [r for r in rows if r.key is None and not r.unlabelled and any(v.kind != BLANK for v in r.values)]
    if odd:
        labels = "、".join(_quoted(r, 20) for r in odd[:5])
        lines = [t.line for r in odd for t in [r.label, *r.values]]
        _issue(result, table, "ambiguous_row", ["?"] * len(odd), f"无法识别的行{labels}带有数值，未计入任何一行", lines)


def _loose_values(result: TablesResult, table: str, runs: list[list[Token]]) -> None:
    """Values that follow no row label: an unlabelled row, or numbers between two labels."""
    runs = [run for run in runs if any(v.kind != BLANK for v in run)]
    if runs:
        shown = "、".join("「" + " ".join(v.text or "(空)" for v in run[:8]) + "」" for run in runs[:4])
        detail = f"{len(runs)}组数值{shown}没有行名（或无法确定属于上下哪一行），未计入任何一行"
        _issue(result, table, "ambiguous_row", ["?"] * len(runs), detail, [v.line for run in runs for v in run])


def _leading(scan: TableScan, result: TablesResult) -> None:
    """A fragment that begins with the numbers ending a table (its labels cut away): a cut table,
    and which one the numbers alone do not say."""
    for values in scan.leading:
        shown = " ".join(v.text or "(空)" for v in values[:10])
        detail = f"文档从某个表格的中间开始（表格前部被截去），开头的数值「{shown}」没有行名，不知属于哪个表格，未读取"
        _issue(result, None, "truncated", ["?"], detail, [v.line for v in values])


# -- rows placed by their labels ---------------------------------------------------------------


def _placed(scan: TableScan, result: TablesResult, table: str, rows: list[Row]) -> list[Row]:
    """The rows of `table` that may be placed, their values settled by layout; the rest reported."""
    loose: list[list[Token]] = [r.values for r in rows if r.unlabelled]
    labelled = [r for r in rows if not r.unlabelled]
    if any(r.beside for r in labelled if r.key):
        doubtful = _settle_pdf_rows(table, labelled, loose)
    else:
        doubtful = _settle_below(scan, table, labelled, loose)
    _loose_values(result, table, loose)
    if doubtful:
        shown = "、".join(_quoted(r, 20) for r in doubtful[:5])
        detail = f"{shown}等行的数值单独印在行名上下，无法确定各属于哪一行，未读取"
        _issue(result, table, "ambiguous_row", [r.key or "?" for r in doubtful], detail, [t.line for r in doubtful for t in [r.label, *r.values, *r.before]])  # fmt: skip
    cut = scan.cut_value
    placed = []
    for r in labelled:
        if r in doubtful:
            continue
        if cut is not None and any(v is cut for v in r.values):
            detail = f"文档在{_quoted(r)}一行的数值「{cut.text}」处结束，该数值可能不完整，此行未读取"
            _issue(result, table, "truncated", [r.key or "?"], detail, [r.label.line, cut.line])
            continue
        placed.append(r)
    return placed


def _fixed(r: Row) -> bool:
    """Values that are the row's by how they were printed: beside its label, closed by pipes."""
    return r.beside or r.delimited or r.blank or r.glued


def _settle_below(scan: TableScan, table: str, rows: list[Row], loose: list[list[Token]]) -> list[Row]:
    """A table printed one cell per line (no row has its numbers beside its label): values follow
    their label. Numbers before a label are no row's; before the table's first row, in a table the
    text does not begin inside, they say the numbers may stand above their labels throughout."""
    first = next((r for r in rows if r.key), None)
    leading = first is not None and not _fixed(first) and bool(first.before)
    for r in rows:
        if r.before:
            loose.append(r.before)
            r.before = []
    if leading and table not in scan.started_at_document_start:
        return [r for r in rows if not _fixed(r) and r.values]
    return []


def _settle_pdf_rows(table: str, rows: list[Row], loose: list[list[Token]]) -> list[Row]:
    """PDF text: a row's numbers beside its label, or — for a tall row — on a line of their own
    above or below its label. Between two rows printed beside their labels, the lines of labels (L)
    and of numbers (V) must alternate: V L V L … is numbers above their labels, L V L V … numbers
    below; any other run (L V L: whose are the numbers?) is refused whole. A 2021 table's
    「(六)其他处理」 is the label of a group, not a row: it takes no numbers."""
    groups = {"other"} if table == APPLICATIONS and any((r.key or "").startswith("other.") for r in rows) else set()
    doubtful: list[Row] = []
    run: list[tuple[str, Any]] = []

    def settle() -> None:
        kinds = "".join(kind for kind, _ in run)
        labels: list[Row] = [item for kind, item in run if kind == "L"]
        chunks: list[list[Token]] = [item for kind, item in run if kind == "V"]
        if chunks and not labels:
            loose.extend(chunks)
        elif chunks and kinds in ("VL" * len(labels), "LV" * len(labels)):
            for r, values in zip(labels, chunks, strict=True):
                r.values, r.before = values, []
        elif chunks:
            doubtful.extend(labels)
        run.clear()

    for r in rows:
        if _fixed(r):
            settle()
            if r.before:  # numbers above a row printed with its own: nobody's
                loose.append(r.before)
                r.before = []
            continue
        if r.before:
            run.append(("V", r.before))
        if r.key in groups:  # its numbers, above or below it, are the rows' around it
            if r.values:
                run.append(("V", r.values))
            r.values, r.before = [], []
            continue
        run.append(("L", r))
        if r.values:
            run.append(("V", r.values))
    settle()
    return doubtful


def _by_key(result: TablesResult, table: str, rows: list[Row]) -> dict[str, Row]:
    """One row per key; a key printed twice with different values is refused, not chosen."""
    by_key: dict[str, Row] = {}
    twice: list[str] = []
    for r in rows:
        if r.key is None:
            continue
        seen = by_key.get(r.key)
        if seen is None or (not seen.values and not seen.blank and (r.values or r.blank)):
            by_key[r.key] = r
        elif r.values and [v.text for v in r.values] != [v.text for v in seen.values]:
            twice.append(r.key)
    for key in dict.fromkeys(twice):
        r = by_key.pop(key)
        _issue(result, table, "ambiguous_row", [key], f"{_quoted(r)}一行印了两次，数值不同，未读取", [r.label.line])
    return by_key


def _values(r: Row, width: int) -> list[Token]:
    if r.glued:
        return []  # whatever follows, the row's own digits are run into its label
    if r.blank and not r.values:
        return [Token(BLANK, "", r.label.line)] * width
    return _trim(r.values, width)


def _place(result: TablesResult, table: str, key: str, columns: tuple[str, ...], values: list[Token], worded: list[Token]) -> None:  # fmt: skip
    for column, token in zip(columns, values, strict=True):
        if not _add_cell(result, table, key, column, token):
            worded.append(token)


def _worded_issue(result: TablesResult, table: str, worded: list[Token]) -> None:
    if worded:
        shown = "、".join(f"「{t.text}」" for t in worded[:5])
        detail = f"单元格{shown}不是一个数值（增减写成文字，或一格里有几个数字），未读取"
        _issue(result, table, "cells_missing", [], detail, [t.line for t in worded])


# -- the three tables ------------------------------------------------------------------------


def _cut_at_start_of(scan: TableScan, result: TablesResult, table: str, printed: bool) -> None:
    """The text ends at a table's caption, header or heading (`第二十条第(一)项 |`), nothing printed
    after it: a table cut off before its first row, not a missing one."""
    if table in scan.seen and table in scan.ended_at_document_end and not printed:
        first = scan.seen[table]
        detail = f"文档在「{first.text.strip()[:30]}」之后结束，表格的各行被截去，未能读取"
        _issue(result, table, "truncated", [], detail, [first.line, scan.last.get(table, first).line])


def _is_table(scan: TableScan, table: str, rows: list[Row]) -> bool:
    """A table, not a narrative line that happens to read like one of its labels."""
    if table not in scan.seen:
        return False
    if table == APPLICATIONS and scan.app_header_seen:
        return True
    if any(r.unlabelled or r.before for r in rows):
        return True  # numbers printed with no label of their own: a table, cut or laid out so
    with_values = sum(1 for r in rows if r.key and (r.blank or any(v.kind != BLANK for v in r.values)))
    # one row makes a 第二十条 table after its caption; its row labels (规章, 行政许可) are common words,
    # so a text that begins with one needs two, or another table after it; an applications row
    # label is unmistakable
    if table == APPLICATIONS:
        least = 1 if table in scan.started_at_document_start else 2
    else:
        alone = not scan.a20_headers and not {APPLICATIONS, REVIEW} & set(scan.seen)
        least = 2 if table in scan.started_at_document_start and alone else 1
    return with_values >= least


def _applications(scan: TableScan, result: TablesResult) -> None:
    rows = [r for r in scan.rows if r.table == APPLICATIONS]
    if not _is_table(scan, APPLICATIONS, rows):
        _cut_at_start_of(scan, result, APPLICATIONS, any(r.values for r in rows))
        return
    by_key = _by_key(result, APPLICATIONS, _placed(scan, result, APPLICATIONS, rows))
    has_sub_rows = any(k in by_key for k in _OTHER_2021)
    flat = by_key.get("other")
    if flat is not None and has_sub_rows and all(v.kind == BLANK for v in flat.values):
        del by_key["other"]  # 「(六)其他处理」 was the group label of the 2021 sub-rows
    if has_sub_rows:
        result.shape_applications = "2021"
    elif flat is not None and flat.values:
        result.shape_applications = "2019"
    bad: list[tuple[Row, int, int]] = []
    worded: list[Token] = []
    for key, r in by_key.items():
        values = _values(r, len(APP_COLUMNS))
        if len(values) != len(APP_COLUMNS):
            bad.append((r, len(values), len(APP_COLUMNS)))
            continue
        _place(result, APPLICATIONS, key, APP_COLUMNS, values, worded)
    _row_width_issues(result, APPLICATIONS, bad)
    _worded_issue(result, APPLICATIONS, worded)
    _unknown_rows(result, APPLICATIONS, rows)
    expected = {"2021": APP_ROWS_2021, "2019": APP_ROWS_2019}.get(result.shape_applications or "", APP_ROWS_COMMON)
    _missing_rows(result, scan, APPLICATIONS, [k for k in expected if k not in by_key], APP_ROW_ZH)


def _review(scan: TableScan, result: TablesResult) -> None:
    numbers = [c for c in map(parse_cell, (v.text for v in scan.review_values if v.kind != BLANK)) if c is not None]
    if REVIEW not in scan.seen or not (any(c.value is not None for c in numbers) or len(numbers) >= 5):
        _cut_at_start_of(scan, result, REVIEW, bool(scan.review_values))
        return  # the heading, then 「无」 or nothing: not a table
    values = _trim(scan.review_values, REVIEW_CELLS)
    cut = scan.cut_value is not None and any(v is scan.cut_value for v in values)
    if len(values) == REVIEW_CELLS and not cut:
        keys = [(g, o) for g in RL_GROUPS for o in RL_OUTCOMES]
        worded: list[Token] = []
        for (group, outcome), token in zip(keys, values, strict=True):
            if not _add_cell(result, REVIEW, group, outcome, token):
                worded.append(token)
        _worded_issue(result, REVIEW, worded)
        return
    lines = [scan.seen[REVIEW].line] + [t.line for t in values]
    if cut:
        detail = f"文档在数值「{scan.cut_value.text if scan.cut_value else ''}」处结束，该数值可能不完整，未读取"
        _issue(result, REVIEW, "truncated", ["review_litigation"], detail, lines)
        return
    cut_off = REVIEW in scan.ended_at_document_end and len(values) < REVIEW_CELLS
    detail = f"印出{len(values)}个数值(应为{REVIEW_CELLS}个)，无法确定各数值所属的列"
    _issue(result, REVIEW, "truncated" if cut_off else "cells_missing", ["review_litigation"], detail, lines)


def _caption_shape(header: str) -> str | None:
    if SHAPE_2021_WORDS.search(header):
        return "2021"
    if SHAPE_2019_WORDS.search(header):
        return "2019"
    return None


def _article20(scan: TableScan, result: TablesResult, year: int | None) -> None:
    rows = [r for r in scan.rows if r.table == ARTICLE20]
    if not _is_table(scan, ARTICLE20, rows):
        _cut_at_start_of(scan, result, ARTICLE20, any(r.values for r in rows))
        return
    shapes = [s for s in map(_caption_shape, scan.a20_headers.values()) if s]
    doc_shape = max(set(shapes), key=shapes.count) if shapes else None
    result.shape_article20 = doc_shape
    fallback = doc_shape or ("2021" if (year or 0) >= 2021 else "2019")
    bad: list[tuple[Row, int, int]] = []
    worded: list[Token] = []
    by_key = _by_key(result, ARTICLE20, _placed(scan, result, ARTICLE20, rows))
    for key, r in by_key.items():
        shape = _caption_shape(scan.a20_headers.get(r.caption or "", "")) or fallback
        fields = (A20_2021 if shape == "2021" else A20_2019).get(key) or A20_2019.get(key) or A20_2021[key]
        printed = tuple(f for f in fields if f != "amount_yuan")
        values = _values(r, len(printed))
        if len(values) != len(printed):
            bad.append((r, len(values), len(printed)))
            continue
        _place(result, ARTICLE20, key, printed, values, worded)
        if key == "procurement":
            _add_amount_yuan(result, values[1])
    _row_width_issues(result, ARTICLE20, bad)
    _worded_issue(result, ARTICLE20, worded)
    _unknown_rows(result, ARTICLE20, rows)
    expected = A20_2021 if fallback == "2021" else A20_2019
    _missing_rows(result, scan, ARTICLE20, [k for k in expected if k not in by_key], A20_ITEM_ZH)


def _add_amount_yuan(result: TablesResult, token: Token) -> None:
    cv = parse_cell("" if token.kind == BLANK else token.text)
    if cv is None:
        return
    result.cells.append(
        (ARTICLE20, "procurement", "amount_yuan", cv.yuan, cv.raw, cv.blank, cv.placeholder, token.line)
    )
