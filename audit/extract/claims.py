"""Narrative claims: the numbers a report states in words, as rows of the claims frame.

One pass over the lines of a document; only lines holding a digit (or a Chinese numeral) and one
of the keywords are read. Each sentence (up to 。) is cut into clauses (，；、), and each count
(a number with a unit such as 件/条) is named after the keyword closest before it in its clause:
「收到…申请215件」 → applications.new_received.total, 「不同意公开15件」 → applications.denied.total.

Besides counts (`kind` count) a sentence gives:
- percent: 「予以公开137件,占比约60%」 — `base` is the count it is a share of (same `group`);
- change / change_percent: 「同比去年减少了126件」, 「上升了93%」 — about the sentence's first count;
- part: 「主动公开信息262条,其中人民日报2条,…各1条」 — the parts of the count before 其中/包括
  (「各1条」 counts once per item named); `part_open` when the list is not exhaustive (「等」,
  fewer than three parts and no 其他).
`scope` is region (全区/全市…), body (本机关/区政府办/县本级…), sub (下属单位…) or None.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from audit.extract.numbers import CN_CHARS, Number, find_numbers

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    import pandas as pd

    from audit.model import Document

COUNT_UNITS = frozenset({"件", "条", "个", "次", "起", "宗", "项", "份", "篇", "期", "件次", "人次", "家"})
KEYWORDS = re.compile(r"申请|复议|诉讼|其中|包括|同比|较上年|比上年|占|规范性文件")
HAS_NUMBER = re.compile(rf"[\d{CN_CHARS}]")
# A number with a unit a claim can have (a sentence of dates and phone numbers only is skipped).
HAS_COUNT = re.compile(rf"[\d{CN_CHARS}][余多万亿]? ?(?:件|条|起|宗|例|%|个|次|项|份|篇|期|家|人次)")
SENTENCE_END = re.compile(r"[。!?！？\n]")
CLAUSE_END = "，,；;、:：()（）"
OTHER_DOMAIN = re.compile(r"审批|窗口|政务服务|热线|许可|办件|事项|信箱|留言|建议|提案|诉求|惠民|协助调查")
# Units a count of applications or cases is given in (「20个工作日」 is not one).
CASE_UNITS = frozenset({"件", "条", "起", "宗", "例"})

# Clause keyword → metric, most specific first. A row group (denied, unavailable, not_processed,
# other) stands for the sum of its rows.
METRIC_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"上年结转|结转上年|上年度结转|上一年度结转", "applications.carried_over"),
    (r"结转下|转下年|转入下一?年|结转至下|结转到下|下年度继续办理", "applications.carried_forward"),
    (r"部分公开|区分处理", "applications.partially_granted"),
    (r"不予公开|不同意公开|不公开", "applications.denied"),
    (r"予以公开|同意公开|全部公开", "applications.granted"),
    (r"无法提供", "applications.unavailable"),
    (r"不属于本行政机关|不属于本机关|非本机关|本机关不掌握|不掌握", "applications.unavailable.not_held"),
    (r"信息不存在|不存在", "applications.unavailable.nonexistent"),
    (r"没有现成信息|另行制作", "applications.unavailable.needs_creation"),
    (r"告知作出更改补充|内容不明确|内容仍不明确", "applications.unavailable.unclear"),
    (r"不予处理|不予办理|不予受理", "applications.not_processed"),
    (r"其他处理|其它处理", "applications.other"),
    (r"行政复议", "review_litigation.review"),
    (r"行政诉讼|诉讼", "review_litigation.litigation"),
    (r"办结|答复|办理完毕|处理完毕", "applications.results_total"),
    (r"收到|受理|接收|接到|新收|共有|依申请", "applications.new_received"),
)
_METRIC_RES = tuple((re.compile(p), m) for p, m in METRIC_PATTERNS)
# All patterns in one: the group that matched names the metric (m0 = the first pattern …).
_ANY_METRIC = re.compile("|".join(f"(?P<m{i}>{p})" for i, (p, _) in enumerate(METRIC_PATTERNS)))
COLUMN_WORDS: tuple[tuple[str, str], ...] = (
    ("自然人", "natural_person"),
    ("商业企业", "commercial"),
    ("科研机构", "research"),
    ("社会公益组织", "social_welfare"),
    ("法律服务机构", "legal_service"),
)
NEEDS_APPLICATION = frozenset({"applications.new_received", "applications.results_total"})
NEGATION = re.compile(r"(未发生|没有|未收到|未有|无)$")
CHANGE_RE = re.compile(
    r"(同比|较上年|比上年|较去年|比去年|与上年相比|较\d{4}年)[^，,；;。]*?(增加|增长|上升|提高|多|减少|下降|降低|少)了?$"
)
CHANGE_CONTINUED = re.compile(r"^()(增加|增长|上升|提高|减少|下降|降低)了?$")
PERCENT_OF = re.compile(r"(占比|占|比例为|比例|比重)[^，,；;。]{0,6}$")
SCOPE_WORDS = (
    (re.compile(r"下属单位|所属单位|各部门|各街道|各乡镇|各镇街|区直各|县直各|市直各|各单位"), "sub"),
    (re.compile(r"本机关|本级|区政府办|市政府办|县政府办|政府办公室|本办|我办|本单位|本局|本委"), "body"),
    (re.compile(r"全区|全市|全县|全省|全州|全旗|各级行政机关|政府系统|全镇"), "region"),
)
LIST_WORDS = re.compile(r"其中|包括")
OPEN_LIST = re.compile(r"^等|^等等")
OTHER_PART = re.compile(r"其他|其它|其余")


def _sentences(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for m in SENTENCE_END.finditer(text):
        yield start, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def _clause_start(text: str, lo: int, pos: int) -> int:
    i = pos
    while i > lo and text[i - 1] not in CLAUSE_END:
        i -= 1
    return i


def _metric_of(before: str, after: str, sentence: str, about_applications: bool) -> str | None:
    """The metric a count is about: the keyword closest before it, else just after it (「收到70件申请」)."""
    best: tuple[int, str] | None = None
    for m in _ANY_METRIC.finditer(before):
        if best is None or m.end() >= best[0]:
            best = (m.end(), METRIC_PATTERNS[int(str(m.lastgroup)[1:])][1])
    if best is None:
        for pattern, metric in _METRIC_RES:
            if pattern.match(after) or (metric == "applications.carried_forward" and pattern.search(after[:6])):
                best = (0, metric)
                break
    if best is None:
        return None
    metric = best[1]
    if metric in NEEDS_APPLICATION and (not about_applications or OTHER_DOMAIN.search(before)):
        return None
    return metric


def _scope(sentence: str, pos: int) -> str | None:
    found: tuple[int, str] | None = None
    for pattern, scope in SCOPE_WORDS:
        for m in pattern.finditer(sentence, 0, pos):
            if found is None or m.start() > found[0]:
                found = (m.start(), scope)
    return None if found is None else found[1]


def _column_of(before: str) -> str:
    for word, column in COLUMN_WORDS:
        if before.endswith(word) or before.endswith(word + "申请"):
            return column
    return "total"


class _Reader:
    """Claims of one document, one sentence at a time."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self.rows: list[tuple[Any, ...]] = []
        self.groups = 0
        self.changing = False
        self.about_applications = False

    def add(self, metric: str, n: Number, line: int, text: str, kind: str, **extra: Any) -> None:
        self.rows.append(
            (
                self.doc_id,
                metric,
                n.value,
                n.approx,
                n.unit,
                line,
                text,
                kind,
                extra.get("scope"),
                extra.get("base"),
                n.low,
                n.high,
                n.start,
                n.end,
                extra.get("group"),
            )
        )

    def sentence(self, line: int, text: str) -> None:
        numbers = [n for n in find_numbers(text, with_unit=True) if n.unit in COUNT_UNITS or n.unit == "%"]
        if not numbers:
            return
        self.changing = False
        subject: tuple[str, Number, str | None] | None = None
        last_count: tuple[str, Number, int] | None = None
        for n in numbers:
            lo = _clause_start(text, 0, n.start)
            before, after = text[lo : n.start], text[n.end : n.end + 8]
            scope = _scope(text, n.start)
            if n.unit == "%":
                self._percent(n, before, line, text, subject, last_count, scope)
                continue
            sign = self._change_sign(before)
            if sign and subject is not None:
                self.add(subject[0], _signed(n, sign), line, text, "change", scope=subject[2], base=subject[1].value)
                continue
            if NEGATION.search(before):
                continue
            metric = _metric_of(before, after, text, self.about_applications)
            if metric is None or (not metric.startswith("list.") and n.unit not in CASE_UNITS):
                continue
            column = _column_of(before) if metric.startswith("applications.") else "total"
            if column != "total" and subject is not None:
                metric = subject[0].rsplit(".", 1)[0]
            self.groups += 1
            group = f"{self.doc_id}:{line}:{self.groups}"
            self.add(f"{metric}.{column}", n, line, text, "count", scope=scope, group=group)
            last_count = (f"{metric}.{column}", n, len(self.rows) - 1)
            if subject is None:
                subject = (f"{metric}.{column}", n, scope)
        self._parts(line, text, numbers)

    def _change_sign(self, before: str) -> int:
        """+1/-1 when the clause states a change against last year (or continues one), else 0."""
        m = CHANGE_RE.search(before) or (CHANGE_CONTINUED.match(before) if self.changing else None)
        if m is None:
            return 0
        self.changing = True
        return -1 if m.group(2) in ("减少", "下降", "降低", "少") else 1

    def _percent(self, n: Number, before: str, line: int, text: str, subject: Any, last: Any, scope: Any) -> None:
        sign = self._change_sign(before)
        if sign and subject is not None:
            self.add(
                subject[0], _signed(n, sign), line, text, "change_percent", scope=subject[2], base=subject[1].value
            )
        elif PERCENT_OF.search(before) and last is not None and "率" not in before:
            metric, count, index = last
            self.add(metric, n, line, text, "percent", scope=scope, base=count.value, group=self.rows[index][-1])

    def _parts(self, line: int, text: str, numbers: list[Number]) -> None:
        """「N条,其中 a条, b条…」: the parts of the last count before 其中/包括 in the sentence."""
        for m in LIST_WORDS.finditer(text):
            wholes = [n for n in numbers if n.end <= m.start() and n.unit in COUNT_UNITS]
            if not wholes or text[wholes[-1].end : m.start()].strip(",，:：(（ ") != "":
                continue
            whole = wholes[-1]
            parts, open_ended, other = _list_parts(text, m.end(), whole.unit)
            if not parts:
                continue
            self.groups += 1
            group = f"{self.doc_id}:{line}:list{self.groups}"
            closed = not open_ended and (len(parts) >= 3 or other)
            self.add("list.whole", whole, line, text, "whole", group=group, scope=_scope(text, whole.start))
            for n, times in parts:
                scaled = Number(n.value * times, n.start, n.end, n.unit, n.approx, n.low * times, n.high * times)
                self.add("list.part", scaled, line, text, "part" if closed else "part_open", group=group, base=times)


def _signed(n: Number, sign: int) -> Number:
    if sign > 0:
        return n
    return Number(-n.value, n.start, n.end, n.unit, n.approx, -n.high, -n.low)


def _list_parts(text: str, start: int, unit: str) -> tuple[list[tuple[Number, int]], bool, bool]:
    """(parts with their multiplicity, open-ended?, has an 其他 part) of the list after 其中 at `start`."""
    depth = 0
    end = len(text)
    for i in range(start, len(text)):
        c = text[i]
        if c in "(（":
            depth += 1
        elif c in ")）":
            depth -= 1
            if depth < 0:
                end = i
                break
        elif c in "。" and depth == 0:
            end = i
            break
    segments = _segments(text[start:end], unit)
    parts: list[tuple[Number, int]] = []
    open_ended = other = False
    offset = start
    for segment in segments:
        numbers = [n for n in find_numbers(_flat(segment), with_unit=True) if n.unit == unit]
        if numbers:
            n = numbers[0]
            label = segment[: n.start]
            times = label.count("、") + 1 if segment[n.start - 1 : n.start] == "各" else 1
            parts.append((Number(n.value, n.start + offset, n.end + offset, n.unit, n.approx, n.low, n.high), times))
            other = other or bool(OTHER_PART.search(label))
            open_ended = open_ended or bool(OPEN_LIST.match(segment[n.end :].lstrip()))
        offset += len(segment) + 1
    return parts, open_ended, other


def _segments(body: str, unit: str) -> list[str]:
    """The items of a list: 「a、b、c;」 ends at the first ; when its items are joined by 、;
    「a;b;c」 gives one item per ; (its first number; the rest are details); else items by ,."""
    head = re.split(r"[;；]", body, maxsplit=1)
    if len(head) == 2:
        first = head[0]
        joined_by_dunhao = len([n for n in find_numbers(_flat(first)) if n.unit == unit]) > 1 and "、" in first
        if joined_by_dunhao:
            return re.split(r"、", first)
        return re.split(r"[;；]", body)
    return re.split(r"[,，]", body)


def _flat(segment: str) -> str:
    """The segment with parenthesised details blanked out (same length, so spans still hold)."""
    return re.sub(r"[(（][^()（）]*[)）]", lambda m: " " * len(m.group()), segment)


def claims_from_lines(doc_id: str, numbered_lines: Iterable[tuple[int, str]]) -> list[tuple[Any, ...]]:
    """Claims (rows in CLAIM_COLUMNS order) of the lines (original line number, text) of one document."""
    reader = _Reader(doc_id)
    for line, text in numbered_lines:
        if len(text) < 6 or not KEYWORDS.search(text) or not HAS_COUNT.search(text):
            continue
        reader.about_applications = "申请" in text
        for lo, hi in _sentences(text):
            sentence = text[lo:hi].strip(" |")
            if HAS_COUNT.search(sentence) and (KEYWORDS.search(sentence) or _ANY_METRIC.search(sentence)):
                reader.sentence(line, sentence)
    return reader.rows


def read_claims(doc: Document, tables_present: Iterable[str] = ()) -> list[tuple[Any, ...]]:
    """Rows of the claims frame for one report (tables_present is kept for callers that know them)."""
    return claims_from_lines(doc.id, doc.numbered_lines())


def claims_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The claims frame (CLAIM_COLUMNS) of claim rows; empty with its columns when there are none."""
    import pandas as pd

    from audit.model import CLAIM_COLUMNS, empty_frame

    if not rows:
        return empty_frame(CLAIM_COLUMNS)
    frame = pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))
    return frame.astype({"value": "float64", "approx": "bool", "base": "float64", "low": "float64", "high": "float64"})
