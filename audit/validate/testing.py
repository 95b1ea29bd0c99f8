"""Frames from a small document spec, for rule fixtures and other tests.

    frames, sources = build_frames({"documents": [{"year": 2021, "tables": {...}}], "sources": [...]})

A document spec holds metadata fields (`id`, `source`, `kind`, `agency`, `agency_key`, `year`,
`format`, `period: [start, end]`, `published`, `signed`, `duplicate_of`, `truncated_copy_of`,
`content_hash`, `title`, `headings`, `shape_applications`, `shape_article20`), `tables` in the
audit.json shape of contract.md §2 and optional `issues`:

- `applications: {ROW: [7 values]}` or `{ROW: {COLUMN: value}}` (a partial row: absent cells)
- `review_litigation: [15 values]`, `{GROUP: [5 values]}` or `{GROUP: {OUTCOME: value}}`
- `article20: {ITEM: {FIELD: value}}`
- a value: a number; `null` = blank cell; a string = as printed ("/" placeholder, "+43", "41亿元")
- a table may name a table of `named_tables` (`applications: 002-2022`) or derive from one:
  `{from: 002-2022, set: {ROW: values}, drop: [ROW]}`
- `issues: [{table, code, rows, detail}]` (line: the table's first line unless given)
- `tables_run_together: true`: the tables are printed with each row's cells run together (「…申请数量
  230000023」), as a text archive of a portal page prints them, and no cell is read from them.
- `headings: ["二、主动公开政府信息情况", ...]` or dicts {number, title, section}; the section is
  read from the title when not given.
- `narrative: ["2019年,全区共接收政府信息公开申请214件…", ...]`: lines of text printed after the
  title; the claims frame is what audit.extract.claims reads from them.

Every document gets real source lines: a title line, the period sentence, its headings with their
tables beneath, the published and signed lines; each table row is one line (`label | v | v …`),
so findings quote realistic evidence. Missing fields take plain defaults (an annual report of
示例区人民政府 for 2022). Sources listed under `sources` with an `error` are unreadable inputs; with
`skipped`, inputs that are no report; `notes: [{code, detail, line}]` are ingest's notes (on a
document's own source when the path is one of theirs).
"""

from __future__ import annotations

import copy
import json
import math
from collections import defaultdict
from typing import Any

import pandas as pd

from audit.extract.cells import parse_cell
from audit.extract.claims import claims_frame, claims_from_lines
from audit.model import (
    A20_2019,
    A20_2021,
    A20_ITEM_ZH,
    APP_COLUMNS,
    APP_ROW_ZH,
    CELL_COLUMNS,
    DOCUMENT_COLUMNS,
    ISSUE_COLUMNS,
    RL_GROUPS,
    RL_OUTCOMES,
    Frames,
    Source,
    SourceNote,
    empty_frame,
    short_hash,
)

DEFAULT_SOURCE = "report.txt"
DEFAULT_AGENCY = "示例区人民政府"
DEFAULT_YEAR = 2022
_A20_2021_FIELDS = {"issued", "repealed", "in_force", "amount_10k_yuan"}
_A20_2019_FIELDS = {"new_made", "new_published", "total_published", "prior_count", "change", "items"}
_SECTION_WORDS = (
    ("主动公开", "article20"),
    ("申请", "applications"),
    ("复议", "review_litigation"),
    ("诉讼", "review_litigation"),
    ("总体", "overview"),
    ("问题", "problems"),
    ("其他", "other"),
    ("其它", "other"),
)
_TABLE_ORDER = ("article20", "applications", "review_litigation")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def cell_value(value: Any) -> tuple[float, str, bool, bool]:
    """(value, raw, blank, placeholder) of a spec value."""
    if value is None:
        return math.nan, "", True, False
    if isinstance(value, bool):
        raise ValueError(f"a table value cannot be a boolean: {value!r}")
    if isinstance(value, int | float):
        return float(value), _number(value), False, False
    parsed = parse_cell(str(value))
    if parsed is None:
        return math.nan, str(value), False, False
    return (math.nan if parsed.value is None else parsed.value), parsed.raw, parsed.blank, parsed.placeholder


def _table_rows(table: str, spec: Any, year: Any) -> list[tuple[str, dict[str, Any]]]:
    """(row key, {column: value}) in print order."""
    if table == "applications":
        return [
            (row, dict(zip(APP_COLUMNS, v, strict=True)) if isinstance(v, list) else dict(v)) for row, v in spec.items()
        ]
    if table == "review_litigation":
        if isinstance(spec, list):
            spec = {g: spec[i * 5 : i * 5 + 5] for i, g in enumerate(RL_GROUPS)}
        return [
            (g, dict(zip(RL_OUTCOMES, v, strict=True)) if isinstance(v, list) else dict(v)) for g, v in spec.items()
        ]
    if table == "article20":
        fields = A20_2021 if (year or 0) >= 2021 else A20_2019
        return [
            (item, dict(zip(fields[item], v, strict=False)) if isinstance(v, list) else dict(v))
            for item, v in spec.items()
        ]
    raise ValueError(f"unknown table {table!r}")


def resolve_table(table: str, spec: Any, named: dict[str, Any] | None) -> Any:
    """A table spec with references to `named` tables (name → {table: spec}) replaced by the table."""
    if isinstance(spec, str):
        if not named or spec not in named or table not in named[spec]:
            raise KeyError(f"no named table {spec!r} with a {table} table")
        return copy.deepcopy(named[spec][table])
    if isinstance(spec, dict) and "from" in spec:
        base = resolve_table(table, spec["from"], named)
        if table == "review_litigation" and isinstance(base, list):
            base = {g: base[i * 5 : i * 5 + 5] for i, g in enumerate(RL_GROUPS)}
        base.update(copy.deepcopy(spec.get("set") or {}))
        for row in spec.get("drop") or []:
            base.pop(row, None)
        return base
    return spec


def _row_label(table: str, row: str) -> str:
    if table == "applications":
        return APP_ROW_ZH.get(row, row)
    if table == "article20":
        return A20_ITEM_ZH.get(row, row)
    return "行政复议、行政诉讼"


def infer_shapes(tables: dict[str, Any]) -> tuple[str | None, str | None]:
    """(shape_applications, shape_article20) the tables as given have."""
    app = tables.get("applications") or {}
    shape_app = "2021" if any(r.startswith("other.") for r in app) else ("2019" if "other" in app else None)
    fields = {f for v in (tables.get("article20") or {}).values() if isinstance(v, dict) for f in v}
    shape_a20 = "2021" if fields & _A20_2021_FIELDS else ("2019" if fields & _A20_2019_FIELDS else None)
    return shape_app, shape_a20


def default_format(kind: str, year: Any, shapes: tuple[str | None, str | None]) -> str:
    if kind != "annual_report":
        return "unknown"
    if shapes[1] or shapes[0]:
        return str(shapes[1] or shapes[0])
    if year is None:
        return "unknown"
    return "pre2019" if year <= 2018 else ("2019" if year <= 2020 else "2021")


def _iso(value: Any) -> Any:
    """Dates as the extractor gives them: ISO strings (YAML reads bare dates as date objects)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _heading(spec: Any) -> dict[str, Any]:
    if isinstance(spec, dict):
        h = dict(spec)
    else:
        number, _, title = str(spec).partition("、")
        h = {"number": number, "title": title}
    if "section" not in h:
        h["section"] = next((s for word, s in _SECTION_WORDS if word in str(h.get("title", ""))), None)
    return h


class _Lines:
    def __init__(self) -> None:
        self.by_source: dict[str, list[str]] = defaultdict(list)

    def add(self, source: str, text: str) -> int:
        self.by_source[source].append(text)
        return len(self.by_source[source])


def _table_lines(
    out: _Lines, source: str, doc_id: str, table: str, spec: Any, year: Any, run_together: bool = False
) -> tuple[list[tuple[Any, ...]], int]:
    """The table's lines (and its cells, none when `run_together`: the cells printed with nothing
    between them, as a text archive of a portal page prints them, which no reader can split)."""
    cells: list[tuple[Any, ...]] = []
    first = 0
    rows = _table_rows(table, spec, year)
    sep = "" if run_together else " | "
    if table == "review_litigation":
        values = [cell_value(v) for _, cols in rows for v in cols.values()]
        line = out.add(source, sep.join(raw for _, raw, _, _ in values))
        cells.extend((doc_id, table, row, col, *cell_value(v), line) for row, cols in rows for col, v in cols.items())
        return ([] if run_together else cells), line
    for row, cols in rows:
        parsed = {col: cell_value(v) for col, v in cols.items()}
        line = out.add(source, sep.join([_row_label(table, row), *(p[1] for p in parsed.values())]))
        first = first or line
        cells.extend((doc_id, table, row, col, *p, line) for col, p in parsed.items())
    return ([] if run_together else cells), first


def _document(
    spec: dict[str, Any], ordinal: int, out: _Lines, named: dict[str, Any] | None
) -> tuple[dict[str, Any], list[tuple[Any, ...]], list[dict[str, Any]], list[tuple[Any, ...]]]:
    source = spec.get("source", DEFAULT_SOURCE)
    doc_id = spec.get("id", f"{source}#{ordinal}")
    kind = spec.get("kind", "annual_report")
    agency = spec.get("agency", DEFAULT_AGENCY)
    year = spec.get("year", DEFAULT_YEAR)
    tables: dict[str, Any] = {t: resolve_table(t, v, named) for t, v in (spec.get("tables") or {}).items()}
    run_together = bool(spec.get("tables_run_together"))
    shapes = infer_shapes(tables) if not run_together else (None, None)
    shapes = (spec.get("shape_applications", shapes[0]), spec.get("shape_article20", shapes[1]))
    default_title = (
        f"{agency}{year}年政府信息公开工作年度报告" if kind == "annual_report" else f"{agency}政府信息公开指南"
    )
    title = spec.get("title", default_title)  # title: null = no title found
    row: dict[str, Any] = {c: None for c in DOCUMENT_COLUMNS}
    start = out.add(source, title or str(agency))
    period = [_iso(p) for p in spec.get("period") or [None, None]]
    row.update(title=title, agency_line=start, year_line=start if year is not None else None)
    if any(period):
        row["period_line"] = out.add(source, f"本报告中所列数据的统计期限自{period[0]}起至{period[1]}止。")
    narrative = [(out.add(source, str(text)), str(text)) for text in spec.get("narrative") or []]
    claims = claims_from_lines(doc_id, narrative, year)
    cells: list[tuple[Any, ...]] = []
    first_line: dict[str, int] = {}
    headings = []
    for h in map(_heading, spec.get("headings") or []):
        h["line"] = out.add(source, f"{h['number']}、{h['title']}")
        headings.append(h)
        table = h["section"]
        if table in tables and table not in first_line:
            new, first_line[table] = _table_lines(out, source, doc_id, table, tables[table], year, run_together)
            cells.extend(new)
    for table in _TABLE_ORDER:
        if table in tables and table not in first_line:
            new, first_line[table] = _table_lines(out, source, doc_id, table, tables[table], year, run_together)
            cells.extend(new)
    dates = {field: _iso(spec.get(field)) for field in ("published", "signed")}
    for field, text in (("published", "发布时间:{}"), ("signed", "{}")):
        if dates[field]:
            row[f"{field}_line"] = out.add(source, text.format(dates[field]))
    end = len(out.by_source[source])
    issues = [
        {
            "document": doc_id,
            "table": i.get("table"),
            "code": i["code"],
            "rows": i.get("rows", ""),
            "detail": i.get("detail", ""),
            "line": i.get("line", first_line.get(i.get("table") or "", start)),
            "line_end": i.get("line_end", i.get("line", first_line.get(i.get("table") or "", start))),
        }
        for i in spec.get("issues") or []
    ]
    content = {k: v for k, v in spec.items() if k not in ("id", "source", "ordinal", "tables")} | {"tables": tables}
    row.update(
        id=doc_id,
        source=source,
        ordinal=spec.get("ordinal", ordinal),
        line_start=start,
        line_end=end,
        kind=kind,
        agency=agency,
        agency_key=spec.get("agency_key", agency),
        year=year,
        format=spec.get("format", default_format(kind, year, shapes)),
        period_start=period[0],
        period_end=period[1],
        published=dates["published"],
        signed=dates["signed"],
        duplicate_of=spec.get("duplicate_of"),
        truncated_copy_of=spec.get("truncated_copy_of"),
        content_hash=spec.get(
            "content_hash", short_hash(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str), length=16)
        ),
        shape_applications=shapes[0],
        shape_article20=shapes[1],
        headings=headings,
    )
    return row, cells, issues, claims


def build_frames(spec: dict[str, Any], named_tables: dict[str, Any] | None = None) -> tuple[Frames, list[Source]]:
    """Frames and sources for the documents (and unreadable sources) of a spec; tables given by name
    are looked up in `named_tables` (name → {table: spec})."""
    out = _Lines()
    doc_rows: list[dict[str, Any]] = []
    cell_rows: list[tuple[Any, ...]] = []
    issue_rows: list[dict[str, Any]] = []
    claim_rows: list[tuple[Any, ...]] = []
    ordinals: dict[str, int] = defaultdict(int)
    for doc in spec.get("documents") or []:
        source = doc.get("source", DEFAULT_SOURCE)
        ordinals[source] += 1
        row, doc_cells, doc_issues, doc_claims = _document(doc, ordinals[source], out, named_tables)
        claim_rows.extend(doc_claims)
        doc_rows.append(row)
        cell_rows.extend(doc_cells)
        issue_rows.extend(doc_issues)
    sources = [
        Source(path=p, lines=ls, line_numbers=range(1, len(ls) + 1), original=list(ls), size=1)
        for p, ls in out.by_source.items()
    ]
    for s in spec.get("sources") or []:
        notes = [SourceNote(n["code"], n["detail"], int(n.get("line", 0))) for n in s.get("notes") or []]
        known = next((x for x in sources if x.path == s["path"]), None)
        if known is not None:  # notes on a document's own source
            known.notes.extend(notes)
            continue
        sources.append(
            Source(
                path=s["path"], error=s.get("error"), size=int(s.get("size", 0)), skipped=s.get("skipped"), notes=notes
            )
        )
    documents = (
        pd.DataFrame(doc_rows, columns=list(DOCUMENT_COLUMNS)).astype(object)
        if doc_rows
        else empty_frame(DOCUMENT_COLUMNS)
    )
    cells = pd.DataFrame(cell_rows, columns=list(CELL_COLUMNS)) if cell_rows else empty_frame(CELL_COLUMNS)
    cells = cells.astype({"value": "float64", "blank": "bool", "placeholder": "bool"})
    issues = pd.DataFrame(issue_rows, columns=list(ISSUE_COLUMNS)) if issue_rows else empty_frame(ISSUE_COLUMNS)
    frames = Frames(documents=documents, cells=cells, claims=claims_frame(claim_rows), issues=issues)
    return frames, sources


def build_history(
    documents: list[dict[str, Any]], named_tables: dict[str, Any] | None = None
) -> tuple[Frames, list[Source]]:
    """History frames (what audit.history loads: documents carry their text in a `lines` column of
    (line, text, original) tuples) for document specs, and their sources for quoting evidence."""
    frames, sources = build_frames({"documents": documents}, named_tables)
    by_path = {s.path: s for s in sources}
    lines = []
    spans = zip(frames.documents["source"], frames.documents["line_start"], frames.documents["line_end"], strict=True)
    for path, start, end in spans:
        source = by_path[path]
        lines.append([(n, source.lines[n - 1], source.original[n - 1]) for n in range(int(start), int(end) + 1)])
    stored = frames.documents.assign(lines=pd.Series(lines, index=frames.documents.index, dtype=object))
    return Frames(stored, frames.cells, frames.claims, frames.issues), sources
