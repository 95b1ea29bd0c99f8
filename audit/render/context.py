"""The context object of every HTML page: one documented TypedDict per page, plain JSON all through.

Each page renders exactly one context object and writes it beside itself as JSON (its twin):
`index.html` ↔ `index.json` is an `IndexPage`, `agency-<slug>.html` ↔ `agency-<slug>.json` an
`AgencyPage`. A context holds only plain JSON values (str, int, float, bool, None, list, dict;
NaN → None) and the facts already worded for people (Chinese labels, messages, cell texts), so the
templates only lay it out and a script reading the twin sees what the reviewer saw. Report text is
kept whole here; the templates shorten very long lines for display.

The contexts are built by `audit.render.site.build_site`; findings are serialised once by
`audit.render.audit_json.finding_json` (principle 8) and extended with display fields
(`FindingView`); table grids (`TableView`, `CellView`) are defined and built in `audit.render.grids`,
the trend of each key figure (`Trend`) in `audit.render.trend`, the side-by-side diff of two
versions of a year's report (`VersionDiff`) in `audit.render.versions`; `audit.render.years` puts
them together for the agency page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, NotRequired, TypedDict

import numpy as np
import pandas as pd

from audit.model import SEVERITIES, short_hash
from audit.render.grids import Cells, CellView, TableView
from audit.render.trend import Trend
from audit.render.versions import VersionDiff

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
KIND_ZH = {"annual_report": "年度报告", "guide": "政府信息公开指南", "other": "其他文件", "unknown": "未识别文件"}
FORMAT_ZH = {"2019": "2019年版格式", "2021": "2021年版格式", "pre2019": "2019年以前(无统一表格)", "unknown": "未识别"}
UNIDENTIFIED_AGENCY = "未识别机关"
UNKNOWN_YEAR = "年份不明"


# -- the context types ----------------------------------------------------------------------------


class Counts(TypedDict):
    error: int
    warning: int
    info: int


class Evidence(TypedDict):
    source: str | None
    line: int | None
    text: str  # the original line, whole (templates clip it for display)
    page: NotRequired[int]  # PDF inputs: the page the line is on
    # narrative findings: (text before, the stated number, text after), shown with the number in <mark>
    marked: NotRequired[tuple[str, str, str]]


class FindingView(TypedDict):
    """A FINDING of contract.md §3 (flattened location) plus what the page shows about it."""

    id: str
    rule: str
    rule_title: str  # the rule's Chinese title
    severity: str  # error | warning | info
    severity_label: str  # 错误 | 警告 | 提示
    document: str | None
    agency: str | None
    year: int | None
    message: str
    expected: Any
    actual: Any
    evidence: list[Evidence]
    table: str | None  # location of the failing cell (None when not about a cell)
    row: str | None  # None with a column set: the whole column failed (and vice versa)
    column: str | None
    where: str | None  # the location in words, e.g. 「收到和处理政府信息公开申请情况」表「自然人」列
    href: str | None  # link to the first failing cell (or else the table) on the agency page
    link: str  # link to the finding itself on its agency page (f-<id>)
    waived: dict[str, Any] | None  # {reason, reviewer, expires} when a waiver silences it (audit.gate)
    new: bool | None  # with a baseline: not in it (audit.gate); None without one


class UndecidedView(TypedDict):
    """A check that could not be decided (a blank, placeholder or missing operand)."""

    rule: str
    rule_title: str
    document: str | None
    table: str | None
    row: str | None
    column: str | None
    where: str | None
    reason: str
    line: int | None


class DocumentView(TypedDict):
    id: str
    unchecked: int  # 1 for an annual report (no copy) whose standard tables could not be read: nothing was checked
    anchor: str  # HTML id of the document's section on its agency page
    href: str  # agency page + anchor
    source: str
    ordinal: int | None
    lines: list[int | None]  # [first, last] original line
    kind: str
    kind_label: str
    title: str | None
    agency: str | None
    year: int | None
    format: str
    format_label: str
    period_start: str | None
    period_end: str | None
    published: str | None
    signed: str | None
    content_hash: str | None
    duplicate_of: str | None
    truncated_copy_of: str | None
    is_copy: bool
    original_href: str | None  # link to the document this one copies
    notes: list[str]  # copy / conflicting-version notes, in Chinese
    counts: Counts
    findings: list[FindingView]  # most severe first
    not_assessable: list[UndecidedView]
    tables: list[TableView]  # empty for documents that are not reports


class YearGroup(TypedDict):
    year: int | None
    label: str  # "2021年度" or 年份不明
    anchor: str  # y2021 | y-unknown (the index links here)
    note: str | None  # e.g. several differing versions
    documents: list[DocumentView]  # originals first, then copies
    # each other version (of this run, then from the history store) against the first one listed;
    # empty when the year has one version (or the agency was not recognised)
    diffs: list[VersionDiff]


class YearsRow(TypedDict):
    label: str  # e.g. 本年新收申请 (the 总计 column of that row)
    cells: list[CellView]  # one per column of the view
    trend: Trend  # one point per report year (a year of several versions: their value if they agree)


class YearColumn(TypedDict):
    year: int | None
    label: str
    document: str  # the report's document id
    version: str | None  # the document id again when several differing versions share the year, else None
    href: str  # anchor of the report on the page


class YearsView(TypedDict):
    """Key figures of the agency's reports side by side, oldest year first (copies left out)."""

    columns: list[YearColumn]
    rows: list[YearsRow]


class RuleView(TypedDict):
    id: str
    severity: str
    title_zh: str
    title_en: str
    rationale: str
    # what a finding's 应为 / 实为 are (e.g. 所列各分项之和 / 正文所述总数); "" when the rule gives no pair
    expected_label: str
    actual_label: str


class RuleSummary(TypedDict):
    """One rule's findings on a page: how many, where (the per-rule summary)."""

    rule: str
    title: str
    severity: str
    severity_label: str
    findings: int  # not waived
    waived: int
    new: int | None  # with a baseline: findings not in it
    agencies: int
    documents: int


class AgencyInfo(TypedDict):
    key: str | None  # agency_key (None: documents whose agency was not recognised)
    name: str
    names: list[str]  # every spelling the documents use
    slug: str
    href: str


class AgencyPage(TypedDict):
    page: str  # "agency"
    tool: dict[str, str]
    agency: AgencyInfo
    years: list[int]
    counts: Counts
    unchecked: int  # its reports that could not be checked (no standard table read)
    not_assessable: int
    years_view: YearsView
    reports: list[YearGroup]  # newest year first
    other_documents: list[DocumentView]  # guides, notices, unrecognised texts
    rules: dict[str, RuleView]  # the rules the page's findings cite
    rule_summary: list[RuleSummary]
    findings: list[FindingView]  # every finding of the page, for the overview table (most severe first)
    # more than site.PAGE_REPORTS reports: each year's reports are on a page of their own
    # (agency-<slug>-y<year>.html; the year sections here link there)
    paged: NotRequired[bool]


class MatrixCell(TypedDict):
    year: int | None
    href: str | None  # None when the agency has no report that year
    documents: int
    counts: Counts
    unchecked: int  # reports of the cell that could not be checked: never shown as a clean ✓
    worst: str | None  # most severe finding, for colouring


class MatrixRow(TypedDict):
    agency: AgencyInfo
    cells: list[MatrixCell]
    other: Counts  # findings on the agency's documents that are not annual reports (guides, notices)
    counts: Counts  # the agency page's counts: its years plus `other`
    unchecked: int
    filter: list[str]  # "severity rule year" of each kind of finding the row holds (client-side filters)


class DocumentLink(TypedDict):
    id: str
    href: str
    source: str
    kind_label: str
    agency: str | None
    year: int | None
    note: str | None
    counts: Counts
    unchecked: int


class InputView(TypedDict):
    """One input, as audit.json `inputs[]` lists it (audit_json.input_json)."""

    source: str
    status: str  # audited | unreadable | skipped
    reason: str | None  # why it was skipped or could not be read
    media_type: str
    encoding: str | None
    bytes: int
    documents: int
    error: str | None  # why it could not be read
    notes: list[dict[str, Any]]  # a partial read: {code, detail, line}


class IndexPage(TypedDict):
    page: str  # "index"
    tool: dict[str, str]
    run: dict[str, Any]  # {inputs, unreadable, skipped, documents, reports, agencies, findings: Counts, not_assessable}
    inputs: list[InputView]
    unreadable: list[InputView]
    skipped: list[InputView]  # files the walk met that are no report input (images, data files)
    years: list[dict[str, Any]]  # matrix columns: {year, label}
    matrix: list[MatrixRow]
    other_documents: list[DocumentLink]  # not reports, or copies of another document
    documents: list[DocumentLink]  # every document, in input order
    run_findings: list[FindingView]  # findings not about one document (unreadable inputs)
    gate: dict[str, Any] | None  # the run's one verdict (audit.gate.verdict), as the exit code decides
    rules: dict[str, RuleView]
    rule_summary: list[RuleSummary]
    findings: list[FindingView]  # the findings table, most severe first (at most INDEX_FINDINGS of them)
    findings_total: int  # all findings of the run (the table may hold fewer)
    agency_names: list[str]  # for the agency filter
    # beyond audit.render.regions.INDEX_AGENCIES agency pages: regions × levels instead of the
    # matrix and the document list (both then on each region's page); `inputs` then lists only the
    # inputs not read whole (audit.json lists them all)
    regions: NotRequired[list[Any]]
    levels: NotRequired[list[str]]


class Site(TypedDict):
    index: IndexPage
    agencies: list[AgencyPage]


# -- small helpers --------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A pandas/numpy scalar as a plain JSON value (NaN/NA/NaT → None, 3.0 → 3); lists and dicts as they are."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str | list | dict | bool):
        return value
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if hasattr(value, "isoformat"):  # date, datetime, Timestamp
        return value.isoformat()
    if isinstance(value, float):
        return None if math.isnan(value) else (int(value) if value.is_integer() else value)
    return value


class _Column:
    """A column of the cells frame, read a document's rows at a time: a categorical one (table, row,
    column) through its codes, so that the frame's hundreds of thousands of cells are never turned
    into Python strings at once (its categories may be Arrow strings: a new str per cell)."""

    def __init__(self, column: pd.Series):
        if isinstance(column.dtype, pd.CategoricalDtype):
            missing = pd.Series(pd.Categorical([None], dtype=column.dtype)).to_numpy()[0]  # what to_numpy gives
            self.codes: Any = column.cat.codes.to_numpy()
            self.values: Any = np.array([*column.cat.categories.to_numpy(), missing], dtype=object)  # code -1: last
        else:
            self.codes, self.values = None, column.to_numpy()

    def take(self, rows: Any) -> list[Any]:
        if self.codes is None:
            return list(self.values[rows].tolist())
        return list(self.values[self.codes[rows]].tolist())


def _rows_by_document(documents: pd.Series) -> dict[Any, Any]:
    """document → the positions of its cells: a slice when every document's cells are consecutive,
    as extraction writes them (two integers a document, where groupby's indices hold 8 bytes a cell:
    200 MB for a national year), else an index array."""
    if isinstance(documents.dtype, pd.CategoricalDtype):
        codes = documents.cat.codes.to_numpy()
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        owners = codes[starts]
        if (owners >= 0).all() and len(np.unique(owners)) == len(owners):
            ends = [*starts[1:].tolist(), len(codes)]
            names = documents.cat.categories.to_numpy(dtype=object)
            return {names[c]: slice(a, b) for c, a, b in zip(owners.tolist(), starts.tolist(), ends, strict=True)}
    return documents.groupby(documents, sort=False, observed=True).indices


def _numbers(column: pd.Series) -> np.ndarray:
    """A numeric column as a numpy array: the frame's own when it is one (no copy of every cell)."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iuf":
        return column.to_numpy()
    return pd.to_numeric(column, errors="coerce").astype(float).to_numpy()


def _plain_numbers(values: np.ndarray) -> list[Any]:
    """JSON numbers: integers as int, None for NaN."""
    if values.dtype.kind in "iu":
        return values.tolist()
    return [None if v != v else (int(v) if v.is_integer() else v) for v in values.tolist()]


class CellsByDocument:
    """The cells of a cells frame by document, keyed by (table, row, column): {value, raw, blank,
    placeholder, line} as plain JSON values (the first cell wins when a key repeats).

    Built per document when first asked for and kept until `forget`: the site writes one agency at a
    time (a forked worker builds only its own agencies' cells), so the cells of a whole run are never
    held as Python dicts at once."""

    def __init__(self, frame: pd.DataFrame):
        self._rows = _rows_by_document(frame["document"]) if len(frame) else {}
        self._columns = [_Column(frame[c]) for c in ("table", "row", "column", "raw", "blank", "placeholder")]
        self._values = _numbers(frame["value"])
        self._lines = _numbers(frame["line"])
        self._built: dict[str, Cells] = {}

    def __contains__(self, doc: object) -> bool:
        return doc in self._rows

    def get(self, doc: str, default: Cells | None = None) -> Cells:
        if doc in self._built:
            return self._built[doc]
        rows = self._rows.get(doc)
        if rows is None:
            return {} if default is None else default
        table, row, column, raw, blank, placeholder = (c.take(rows) for c in self._columns)
        values, lines = _plain_numbers(self._values[rows]), _plain_numbers(self._lines[rows])
        out: Cells = {}
        keys = zip(table, row, column, strict=True)
        for key, w, b, p, value, line in zip(keys, raw, blank, placeholder, values, lines, strict=True):
            if key not in out:  # one tuple per cell, looked up and stored
                out[key] = {
                    "value": value,
                    "raw": w if isinstance(w, str) else plain(w),
                    "blank": bool(b),
                    "placeholder": bool(p),
                    "line": line,
                }
        self._built[doc] = out
        return out

    def forget(self, docs: Iterable[str]) -> None:
        for doc in docs:
            self._built.pop(doc, None)


def cells_index(frame: pd.DataFrame) -> dict[str, Cells]:
    """Every document's cells at once (see CellsByDocument)."""
    lazy = CellsByDocument(frame)
    return {str(doc): lazy.get(str(doc)) for doc in lazy._rows}


def counts_of(findings: list[FindingView]) -> Counts:
    """Findings per severity, waived ones left out: a waived error is no longer an error of the
    agency (the finding itself still shows, marked 已豁免)."""
    counts: Counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        if f["severity"] in counts and not f.get("waived"):
            counts[f["severity"]] += 1  # type: ignore[literal-required]
    return counts


def add_counts(a: Counts, b: Counts) -> Counts:
    return {"error": a["error"] + b["error"], "warning": a["warning"] + b["warning"], "info": a["info"] + b["info"]}


def worst(counts: Counts) -> str | None:
    return next((s for s in SEVERITIES if counts[s] > 0), None)  # type: ignore[literal-required]


def agency_slug(agency_key: str | None) -> str:
    """The page name of an agency: a stable short hash of its key (names are Chinese)."""
    return "agency-unidentified" if agency_key is None else f"agency-{short_hash('agency', agency_key, length=10)}"


def document_anchor(document_id: str) -> str:
    return f"d-{short_hash('document', document_id, length=10)}"


def year_anchor(year: int | None) -> str:
    return "y-unknown" if year is None else f"y{year}"


def year_label(year: int | None) -> str:
    return UNKNOWN_YEAR if year is None else f"{year}年度"


def year_sort(year: int | None) -> int:
    return 10**6 if year is None else year
