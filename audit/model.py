"""The data passed between stages: table keys, the Source/Document records and the tidy frames.

Every stage below `extract` works on the frames defined here, never on raw text. The frame
schemas live in audit.schemas (pandera), imported only where frames are checked, so that importing
this module stays cheap: `xxgk-audit check` must start in about a second and pandera costs ~0.4 s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# --------------------------------------------------------------------------------------------
# Table keys (contract.md §2.1–2.3)
# --------------------------------------------------------------------------------------------

TABLES = ("article20", "applications", "review_litigation")

APP_COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
APP_COLUMN_ZH = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}

_APP_ROWS_HEAD = (
    "new_received",
    "carried_over",
    "granted",
    "partially_granted",
    "denied.state_secret",
    "denied.prohibited_by_law",
    "denied.safety_stability",
    "denied.third_party",
    "denied.internal_affairs",
    "denied.process_info",
    "denied.enforcement_file",
    "denied.administrative_query",
    "unavailable.not_held",
    "unavailable.needs_creation",
    "unavailable.unclear",
    "not_processed.petition",
    "not_processed.duplicate",
    "not_processed.publication",
    "not_processed.excessive",
    "not_processed.confirmation",
)
APP_ROWS_2019 = _APP_ROWS_HEAD + ("other", "results_total", "carried_forward")
APP_ROWS_2021 = _APP_ROWS_HEAD + (
    "other.no_correction",
    "other.unpaid_fee",
    "other.other",
    "results_total",
    "carried_forward",
)
# Rows both formats share (what can be expected when the (六) rows were not reached).
APP_ROWS_COMMON = _APP_ROWS_HEAD + ("results_total", "carried_forward")
# Every row key in print order (the 2019 flat `other` row before the 2021 sub-rows).
APP_ROWS_ALL = _APP_ROWS_HEAD + (
    "other",
    "other.no_correction",
    "other.unpaid_fee",
    "other.other",
    "results_total",
    "carried_forward",
)
# The result rows (granted … other) whose sum is results_total (domain.md §7 H3).
APP_RESULT_ROWS = tuple(
    r for r in APP_ROWS_ALL if r not in ("new_received", "carried_over", "results_total", "carried_forward")
)

APP_ROW_ZH = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "(一)予以公开",
    "partially_granted": "(二)部分公开",
    "denied.state_secret": "(三)1.属于国家秘密",
    "denied.prohibited_by_law": "(三)2.其他法律行政法规禁止公开",
    "denied.safety_stability": "(三)3.危及“三安全一稳定”",
    "denied.third_party": "(三)4.保护第三方合法权益",
    "denied.internal_affairs": "(三)5.属于三类内部事务信息",
    "denied.process_info": "(三)6.属于四类过程性信息",
    "denied.enforcement_file": "(三)7.属于行政执法案卷",
    "denied.administrative_query": "(三)8.属于行政查询事项",
    "unavailable.not_held": "(四)1.本机关不掌握相关政府信息",
    "unavailable.needs_creation": "(四)2.没有现成信息需要另行制作",
    "unavailable.unclear": "(四)3.补正后申请内容仍不明确",
    "not_processed.petition": "(五)1.信访举报投诉类申请",
    "not_processed.duplicate": "(五)2.重复申请",
    "not_processed.publication": "(五)3.要求提供公开出版物",
    "not_processed.excessive": "(五)4.无正当理由大量反复申请",
    "not_processed.confirmation": "(五)5.要求行政机关确认或重新出具已获取信息",
    "other": "(六)其他处理",
    "other.no_correction": "(六)1.申请人无正当理由逾期不补正",
    "other.unpaid_fee": "(六)2.申请人逾期未按收费通知要求缴纳费用",
    "other.other": "(六)3.其他",
    "results_total": "(七)总计",
    "carried_forward": "四、结转下年度继续办理",
}

RL_GROUPS = ("review", "litigation_direct", "litigation_after_review")
RL_GROUP_ZH = {"review": "行政复议", "litigation_direct": "未经复议直接起诉", "litigation_after_review": "复议后起诉"}
RL_OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
RL_OUTCOME_ZH = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

# 第二十条 table: item -> fields, per format (contract.md §2.3).
A20_2019: dict[str, tuple[str, ...]] = {
    "regulations": ("new_made", "new_published", "total_published"),
    "normative_documents": ("new_made", "new_published", "total_published"),
    "licensing": ("prior_count", "change", "decisions"),
    "other_services": ("prior_count", "change", "decisions"),
    "penalty": ("prior_count", "change", "decisions"),
    "coercion": ("prior_count", "change", "decisions"),
    "fees": ("prior_count", "change"),
    "procurement": ("items", "amount", "amount_yuan"),
}
A20_2021: dict[str, tuple[str, ...]] = {
    "regulations": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "penalty": ("decisions",),
    "coercion": ("decisions",),
    "fees": ("amount_10k_yuan",),
}
A20_ITEM_ZH = {
    "regulations": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
A20_FIELD_ZH = {
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "prior_count": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "items": "采购项目数量",
    "amount": "采购总金额",
    "amount_yuan": "采购总金额(元)",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "amount_10k_yuan": "本年收费金额(万元)",
}
# Fields that hold text as printed rather than a count (kept in `raw`, `value` is the parsed number).
A20_LITERAL_FIELDS = frozenset({"amount"})
# Fields that may legitimately be negative (values.non_negative exempts them).
SIGNED_FIELDS = frozenset({"change"})

KINDS = ("annual_report", "guide", "other", "unknown")
FORMATS = ("2019", "2021", "pre2019", "unknown")
SEVERITIES = ("error", "warning", "info")  # ordered, most severe first
SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}
FAIL_ON = ("error", "warning", "info", "never")  # --fail-on levels


def fails(severities: Iterable[str], fail_on: str) -> bool:
    """Whether findings of these severities fail a run at `fail_on` (error | warning | info | never)."""
    if fail_on not in SEVERITY_RANK:
        return False
    return any(SEVERITY_RANK.get(s, 0) >= SEVERITY_RANK[fail_on] for s in severities)


TABLE_ZH = {
    "article20": "主动公开政府信息情况表(第二十条)",
    "applications": "收到和处理政府信息公开申请情况表",
    "review_litigation": "行政复议、行政诉讼情况表",
}

# Section keys of the official six-part outline (domain.md §3), used by `sections`.
SECTIONS = ("overview", "article20", "applications", "review_litigation", "problems", "other")


_CONTROL_CHARS = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_CONTROL_CHARS.update({0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"})


def printable(text: object) -> str:
    """Text safe for a terminal or a CI log line: control characters (ESC, newline …) escaped as \\xNN,
    so a file name can neither drive the terminal nor fake a line of the log."""
    return str(text).translate(_CONTROL_CHARS)


def short_hash(*parts: object, length: int = 12) -> str:
    """A stable hex digest of the parts (finding ids, content hashes)."""
    h = hashlib.sha1()
    for p in parts:
        h.update(str(p).encode("utf-8", "surrogatepass"))  # any text hashes, even a lone surrogate
        h.update(b"\x1f")
    return h.hexdigest()[:length]


# --------------------------------------------------------------------------------------------
# Records produced by ingest and segment
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceNote:
    """Something ingest met while reading an input that a reviewer must know, though what was read is
    audited: `code` is "limit_exceeded" (a documented limit cut the input: bytes, lines, pages, depth,
    decompressed size), "partial_decode" (bytes that could not be decoded, marked U+FFFD in the text)
    or "internal_error" (the reader itself failed: a fault of the tool, reported as such);
    `detail` says what, in Chinese (with the limit and the amount); `line` is the original line it
    concerns (0: the input as a whole)."""

    code: str
    detail: str
    line: int = 0


NOTE_CODES = ("limit_exceeded", "partial_decode", "internal_error")


@dataclass(frozen=True)
class Fault:
    """A failure inside the tool, caught so that the rest of the run goes on (contract.md §1): it
    becomes an extraction.internal_error finding on `document` (or on `source` when no document is
    known) and the run exits 2. `stage` names where: ingest, segment, extract, rule <id>, store, render."""

    stage: str
    error: str  # "TypeError: message", one line
    document: str | None = None
    source: str | None = None
    line: int = 0

    @classmethod
    def of(cls, stage: str, exc: BaseException, **where: Any) -> Fault:
        message = " ".join(str(exc).split())[:300]
        return cls(stage, f"{type(exc).__name__}: {message}" if message else type(exc).__name__, **where)


@dataclass
class Source:
    """One input file, decoded.

    `lines` is the normalised text (NFKC) the extractors read; `line_numbers[i]` is the 1-based line
    of the original rendering that `lines[i]` came from, and `original[n - 1]` is that original
    line, quoted as evidence. For plain text the two renderings coincide line for line; for HTML,
    PDF and DOCX `original` is a stable text rendering of the document the HTML audit can show.
    """

    path: str  # as given on the command line
    # lists, or handles to a spill file for a large batch (audit.textspill): read them, never change them
    lines: Sequence[str] = field(default_factory=list)
    # a range where lines map one to one (no list of ints held)
    line_numbers: Sequence[int] = field(default_factory=list)
    original: Sequence[str] = field(default_factory=list)
    encoding: str | None = None
    media_type: str = "text/plain"
    size: int = 0
    error: str | None = None  # why it could not be read; then `lines` is empty
    # PDF: the page of each original line (pages[n - 1] for line n), cited in evidence; else empty.
    pages: Sequence[int] = field(default_factory=list)
    # Why a file the folder walk met is not audited at all (an image, a data file, a FIFO, a link out
    # of the input folder): listed in the outputs, not a finding. None for every report input.
    skipped: str | None = None
    notes: list[SourceNote] = field(default_factory=list)  # limits hit and bad bytes (read, but not whole)

    @property
    def status(self) -> str:
        """audited | unreadable | skipped — what became of the input (audit.json `inputs[].status`)."""
        return "skipped" if self.skipped else "unreadable" if self.error else "audited"

    def original_line(self, number: int) -> str:
        if 1 <= number <= len(self.original):
            return self.original[number - 1]
        return ""


@dataclass
class Document:
    """A slice of a Source holding one document (a report, a guide, a notice…).

    `start`/`end` index `source.lines` (end exclusive). `chrome` holds indices (into
    source.lines) of page-chrome lines inside the slice (download links, breadcrumbs), which are
    kept for evidence but excluded from the content hash. `first_line_offset` is the number of
    characters of chrome stripped from the start of the first line (「大 中 小」 glued to the text).
    """

    source: Source
    ordinal: int
    start: int
    end: int
    first_line_offset: int = 0
    chrome: frozenset[int] = frozenset()
    kind: str = "unknown"
    duplicate_of: str | None = None  # id of an identical earlier document
    truncated_copy_of: str | None = None  # id of a longer document this one is a cut-off copy of
    name: str = ""  # the file's name in ids; segment sets a longer path when two inputs share a name

    @property
    def id(self) -> str:
        import os

        return f"{self.name or os.path.basename(self.source.path)}#{self.ordinal}"

    def numbered_lines(self, *, with_chrome: bool = False) -> Iterator[tuple[int, str]]:
        """(original 1-based line number, normalised text) for each line of the document."""
        lines = self.source.lines[self.start : self.end]  # one read of a spilled text, not one per line
        numbers = self.source.line_numbers[self.start : self.end]
        for k, text in enumerate(lines):
            if not with_chrome and self.start + k in self.chrome:
                continue
            if k == 0 and self.first_line_offset:
                text = text[self.first_line_offset :]
            yield numbers[k], text

    def text(self) -> str:
        return "\n".join(t for _, t in self.numbered_lines())

    @cached_property
    def content_hash(self) -> str:
        body = "\n".join(t.strip() for _, t in self.numbered_lines() if t.strip())
        return short_hash(body, length=16)

    @property
    def line_span(self) -> tuple[int, int]:
        nums = self.source.line_numbers[self.start : self.end]
        return (nums[0], nums[-1]) if nums else (0, 0)


# --------------------------------------------------------------------------------------------
# The frames
# --------------------------------------------------------------------------------------------

# Column order of each frame. `documents` carries the DOCUMENT fields of contract.md plus the line
# each metadata value was read from (for evidence) and the structural facts the rules need.
DOCUMENT_COLUMNS = (
    "id",
    "source",
    "ordinal",
    "line_start",
    "line_end",
    "kind",
    "agency",
    "agency_key",  # normalised identity used to group versions and years (audit.extract.agency)
    "year",
    "format",
    "period_start",
    "period_end",
    "published",
    "signed",
    "duplicate_of",
    "truncated_copy_of",
    "content_hash",
    "title",
    # line numbers (original, 1-based) where a value was read; NA when not found
    "agency_line",
    "year_line",
    "period_line",
    "published_line",
    "signed_line",
    # structure: table shapes seen ("2019"/"2021"/None) and the outline
    "shape_applications",
    "shape_article20",
    "headings",  # list of {"number": "二", "title": str, "line": int, "section": key|None}
)
CELL_COLUMNS = ("document", "table", "row", "column", "value", "raw", "blank", "placeholder", "line")
# claims: `kind` count | percent | change | change_percent | whole | part | part_open; `scope` region |
# body | sub | None; `base` the count a percent or change is about (a part: its multiplicity, 「各1条」);
# `low`/`high` the interval an approximate number can mean; `span_start`/`span_end` the number in
# `text` (the sentence); `group` ties a count to its percent and a list's whole to its parts.
CLAIM_COLUMNS = (
    "document",
    "metric",
    "value",
    "approx",
    "unit",
    "line",
    "text",
    "kind",
    "scope",
    "base",
    "low",
    "high",
    "span_start",
    "span_end",
    "group",
)
ISSUE_COLUMNS = ("document", "table", "code", "rows", "detail", "line", "line_end")
FINDING_COLUMNS = (
    "id",
    "rule",
    "severity",
    "document",
    "agency",
    "year",
    "message",
    "expected",
    "actual",
    "evidence",  # list of {"source", "line", "text"}
    "table",  # location of a failing cell, for marking it in the HTML (None when not a cell)
    "row",
    "column",
)
# A check a rule could not decide because an operand was blank or a placeholder.
NOT_ASSESSABLE_COLUMNS = ("rule", "document", "table", "row", "column", "reason", "line")


def dated_reports(documents: pd.DataFrame) -> pd.DataFrame:
    """The annual reports that are no copy (duplicate_of / truncated_copy_of) and have an agency key
    and a year: what cross-year rules, version comparisons and the years view compare."""
    return documents[
        (documents["kind"] == "annual_report")
        & documents["duplicate_of"].isna()
        & documents["truncated_copy_of"].isna()
        & documents["agency_key"].notna()
        & documents["year"].notna()
    ]


def plain_rows(frame: pd.DataFrame, *columns: str) -> Iterator[tuple[Any, ...]]:
    """The rows of some columns as tuples of plain Python values: `tolist` per column, several times
    faster than `itertuples` or iterating Arrow-backed string columns value by value."""
    return zip(*(frame[c].tolist() for c in columns), strict=True)


def none_for_missing(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Text columns as object with None for every missing value: pandas builds NaN from None in some
    columns, and a NaN taken as a value is truthy, breaks numpy masks and is not JSON."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    # pandas 3 infers its `str` dtype for text columns, whose missing value is NaN: back to object + None
    text = [
        c
        for c in (frame.columns if columns is None else columns)
        if is_object_dtype(frame[c]) or is_string_dtype(frame[c])
    ]
    if not text:
        return frame
    return frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), None) for c in text})


def shared_strings(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Text columns (str or missing values only) where equal strings are one object: a cell's `raw`
    or a finding's rule id recurs millions of times in a large batch, each its own ~60-byte object
    (0.6 GB of `raw` at 100,000 documents), and a forked process copies every page of them it
    reads. Values, dtypes and missing values (None or NaN) stay exactly as they were."""
    import numpy as np
    import pandas as pd

    shared = {}
    for c in columns:
        if frame[c].dtype != object:
            continue  # categories and Arrow-backed strings hold each value once already
        values = frame[c].to_numpy()
        codes, uniques = pd.factorize(values)
        out = np.asarray(uniques, dtype=object).take(np.maximum(codes, 0)) if len(uniques) else values.copy()
        missing = codes < 0
        out[missing] = values[missing]
        shared[c] = pd.Series(out, index=frame.index, dtype=object, name=c)
    return frame.assign(**shared) if shared else frame


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


@dataclass
class Frames:
    """The four tidy frames (plus extraction issues) for every document of a run."""

    documents: pd.DataFrame
    cells: pd.DataFrame
    claims: pd.DataFrame
    issues: pd.DataFrame


@dataclass
class RunResult:
    """Everything a renderer needs: inputs, frames, findings and what could not be assessed."""

    sources: list[Source]
    documents: list[Document]
    frames: Frames
    findings: pd.DataFrame
    not_assessable: pd.DataFrame
    rules: list[dict[str, Any]] = field(default_factory=list)  # the rule definitions that ran
    history: Frames | None = None  # the history store's reports the run read (HistoryStore.load), if any
    faults: list[Fault] = field(default_factory=list)  # failures inside the tool, caught (exit 2)
    severities: dict[str, str] | None = None  # the run's severity overrides (--config)
    gate: dict[str, Any] | None = None  # the run's verdict (audit.gate.verdict) with what it used
    started: str | None = None  # when the run began: ISO 8601 local time with its offset (pages, audit.json)

    def source_of(self, path: str) -> Source | None:
        for s in self.sources:
            if s.path == path:
                return s
        return None
