"""Narrative claims: the numbers a report states in words, as rows of the claims frame.

One pass over the lines of a document; only lines holding a digit (or a Chinese numeral) and one
of the keywords are read. Each sentence (up to 。) is cut into clauses (，；、), and each count
(a number with a unit such as 件/条) is named after the keyword closest before it in its clause
(audit.extract.claim_words): 「收到…申请215件」 → applications.new_received.total,
「不同意公开15件」 → applications.denied.total.

Metrics besides the application rows:
- review_litigation.{review,litigation_direct,litigation_after_review,litigation}.{upheld,corrected,
  other,pending,total}: 「被申请行政复议2件，其中维持1件」; an outcome without a number of its own is
  the count before it (「行政复议1件，维持」, 「行政诉讼3件，均维持」, 「均已结案」 = pending 0);
  「未发生/没有/无 行政复议」 states 0; `litigation` (诉讼 not said to be direct or after review) is
  both kinds together. Only about 政府信息公开 (its words in the sentence, or under a 复议/诉讼 heading).
- article20.{normative_documents,regulations}.{issued,in_force,repealed}: 「制发/出台/印发规范性文件
  3件」, 「现行有效10件」, 「废止3件」; not in a sentence about 清理/审查/备案 of documents.
- proactive.{total,website,part}: 「主动公开政府信息3460条」; website when it is the 政府网站's
  count, part when it is one part of a total (after 其中, or of 下属单位/各乡镇).

Besides counts (`kind` count) a sentence gives:
- percent: 「予以公开137件,占比约60%」 — `base` is the count it is a share of (same `group`);
  「办结率100%」 is metric applications.completion_rate with no base (its terms are in the table);
- change / change_percent: 「同比去年减少了126件」, 「上升了93%」 — about the sentence's first count;
- part: 「主动公开信息262条,其中人民日报2条,…各1条」 — the parts of the count before 其中/包括
  (「各1条」 counts once per item named); `part_open` when the list is not exhaustive (「等」,
  fewer than three parts and no 其他).
`scope` is region (全区/全市…), body (本机关/区政府办/县本级…), sub (下属单位…) or None.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from audit.extract import claim_words as w
from audit.extract.claim_lists import list_parts
from audit.extract.numbers import CN_CHARS, Number, find_numbers

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    import pandas as pd

    from audit.model import Document

SUBGROUP_TOTALS = {"review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total"}
HAS_NUMBER = re.compile(rf"[\d{CN_CHARS}]")
# A number with a unit a claim can have (a sentence of dates and phone numbers only is skipped).
HAS_COUNT = re.compile(rf"[\d{CN_CHARS}][余多万亿]? ?(?:件|条|起|宗|例|%|个|次|项|份|篇|期|家|人次)")


def _sentences(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for m in w.SENTENCE_END.finditer(text):
        yield start, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def _clause_start(text: str, lo: int, pos: int) -> int:
    i = pos
    while i > lo and text[i - 1] not in w.CLAUSE_END:
        i -= 1
    return i


def _metric_of(before: str, after: str, about_applications: bool) -> str | None:
    """The metric a count is about: the keyword closest before it, else just after it (「收到70件申请」)."""
    best: tuple[int, str] | None = None
    for m in w.ANY_METRIC.finditer(before):
        if best is None or m.end() >= best[0]:
            best = (m.end(), w.METRIC_PATTERNS[int(str(m.lastgroup)[1:])][1])
    if best is None:
        for pattern, metric in w.METRIC_RES:
            if pattern.match(after) or (metric == "applications.carried_forward" and pattern.search(after[:6])):
                best = (0, metric)
                break
    if best is None:
        return None
    metric = best[1]
    if metric in w.NEEDS_APPLICATION and (not about_applications or w.OTHER_DOMAIN.search(before)):
        return None
    return metric


def _mentions_cases(text: str) -> bool:
    """Whether the text names 复议/诉讼/起诉 (a plain substring test: this runs on every line)."""
    return "复议" in text or "诉" in text


def _group_before(text: str, pos: int) -> str | None:
    """The review/litigation group named last before `pos`."""
    group = None
    for m in w.RL_GROUPS.finditer(text, 0, pos):
        group = m.lastgroup
    return group


def _scope(sentence: str, pos: int) -> str | None:
    found: tuple[int, str] | None = None
    for pattern, scope in w.SCOPE_WORDS:
        for m in pattern.finditer(sentence, 0, pos):
            if found is None or m.start() > found[0]:
                found = (m.start(), scope)
    return None if found is None else found[1]


def _column_of(before: str) -> str:
    for word, column in w.COLUMN_WORDS:
        if before.endswith(word) or before.endswith(word + "申请"):
            return column
    return "total"


def _a20_row(word: str) -> str:
    return "regulations" if "规章" in word else "normative_documents"


def article20_metric(text: str, n: Number, before: str) -> str | None:
    """article20.<row>.<issued|in_force|repealed> of a count in a sentence about 规范性文件/规章."""
    if n.unit not in w.DOCUMENT_UNITS or w.A20_NOT_THE_TABLE.search(text):
        return None
    field = row = None
    for pattern, name in w.A20_BEFORE:
        m = pattern.search(before)
        if m:
            field, row = name, m["row"]
            break
    if field is None and w.A20_VERB_ONLY.search(before):
        m = w.A20_NOUN_AFTER.match(text, n.end)
        if m:
            field, row = "issued", m["row"]
    if field is None:
        return None
    if row is None:  # 「…规范性文件3件、废止3件」: the row named last before it
        named = [m.group() for m in w.A20_WORD.finditer(text, 0, n.start)]
        if not named:
            return None
        row = named[-1]
    return f"article20.{_a20_row(row)}.{field}"


def proactive_metric(text: str, n: Number, before: str, scope: str | None) -> str | None:
    """proactive.<total|website|part> of a count of 主动公开 information, else None."""
    if n.unit not in w.INFORMATION_UNITS or "信息" not in before:
        return None
    m = w.PROACTIVE.search(before)
    if m is None or (m["verb"] and w.NOT_PROACTIVE_VERB.search(before, 0, m.start())):
        return None
    channel = before[: m.end()]
    if w.WEBSITE.search(channel) and not w.OTHER_CHANNEL.search(channel):
        return "proactive.website"
    segment = re.split(r"[;；]", text[: n.start])[-1]
    if scope == "sub" or "其中" in segment:
        return "proactive.part"
    return "proactive.total"


def _with_subject(metric: str | None, before: str, n: Number, subject: Any) -> str | None:
    """An applicant column of the sentence's first application count: 「收到申请75件,其中自然人申请72件」,
    「…75件,涉及自然人72件、商业企业3件」."""
    if subject is None or not subject[0].startswith("applications."):
        return metric
    row = subject[0].rsplit(".", 1)[0]
    if metric is None:
        column = _column_of(before)
        return None if column == "total" or n.unit not in w.CASE_UNITS else f"{row}.{column}"
    column = metric.rsplit(".", 1)[1]
    return f"{row}.{column}" if metric.startswith("applications.") and column != "total" else metric


class _Reader:
    """Claims of one document, one sentence at a time."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self.rows: list[tuple[Any, ...]] = []
        self.groups = 0
        self.changing = False
        self.about_applications = False
        self.review_section = False
        self.sentence_start = 0
        self.about_documents = False

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

    def _count(self, metric: str, n: Number, line: int, text: str, scope: str | None) -> None:
        self.groups += 1
        self.add(metric, n, line, text, "count", scope=scope, group=f"{self.doc_id}:{line}:{self.groups}")

    def sentence(self, line: int, text: str) -> None:
        numbers = [n for n in find_numbers(text, with_unit=True) if n.unit in w.COUNT_UNITS or n.unit == "%"]
        about_cases = _mentions_cases(text) and (self.review_section or bool(w.RL_CONTEXT.search(text)))
        self.about_documents = "规" in text and bool(w.A20_WORD.search(text))
        if about_cases:
            self._stated_zeros(line, text)
        if not numbers:
            return
        self.sentence_start = len(self.rows)
        self.changing = False
        subject: tuple[str, Number, str | None] | None = None
        last_count: tuple[str, Number, int] | None = None
        cases: list[tuple[str, Number, str | None]] = []  # (group, count, scope) of the sentence's case counts
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
            if w.NEGATION.search(before):
                continue
            # a case count is about 政府信息公开 when that is said before it (「共办理行政复议120件,其中涉及
            # 政府信息公开的5件」: 120 is every case the body handled)
            of_disclosure = about_cases and (self.review_section or bool(w.RL_CONTEXT.search(text, 0, n.start)))
            metric = _with_subject(self._metric(text, n, before, after, scope, of_disclosure), before, n, subject)
            if metric is None:
                continue
            self._count(metric, n, line, text, scope)
            last_count = (metric, n, len(self.rows) - 1)
            if subject is None:
                subject = (metric, n, scope)
            if metric.startswith("review_litigation.") and metric.endswith(".total"):
                if w.BOTH_GROUPS.search(text, 0, n.start):  # 「行政复议和行政诉讼均为0件」
                    other = "review" if metric.split(".")[1] != "review" else "litigation"
                    self._count(f"review_litigation.{other}.total", n, line, text, scope)
                    cases.append((other, n, scope))
                cases.append((metric.split(".")[1], n, scope))
                self._implied_outcome(line, text, cases)
        self._parts(line, text, numbers)

    def _metric(
        self, text: str, n: Number, before: str, after: str, scope: str | None, about_cases: bool
    ) -> str | None:
        """The full metric (with its column) of a count, or None when it names nothing we know."""
        if self.about_documents:
            a20 = article20_metric(text, n, before)
            if a20 is not None:
                return a20
        proactive = proactive_metric(text, n, before, scope)
        if proactive is not None:
            return proactive
        metric = _metric_of(before, after, self.about_applications)
        if metric is None or n.unit not in w.CASE_UNITS:
            return None
        if metric == "pending_or_forward":
            group = _group_before(text, n.start) if about_cases else None
            return f"review_litigation.{group}.pending" if group else "applications.carried_forward.total"
        if metric.startswith("outcome."):
            group = self._outcome_group(text, n.start) if about_cases else None
            return f"review_litigation.{group}.{metric[8:]}" if group else None
        if metric.startswith("review_litigation."):
            return f"{metric}.total" if about_cases else None
        return f"{metric}.{_column_of(before)}"

    def _outcome_group(self, text: str, pos: int) -> str | None:
        """The group an outcome is of: the one named last before it, but 诉讼 as a whole right after
        a list of both kinds (「行政诉讼3件,其中直接起诉2件,复议后起诉1件,尚未审结1件」)."""
        group = _group_before(text, pos)
        if group in ("litigation_direct", "litigation_after_review"):
            last = [r for r in self.rows[self.sentence_start :] if r[7] == "count"][-2:]
            kinds = {r[1] for r in last}
            attached = bool(last) and bool(re.search(r"[(（]", text[last[-1][13] : pos]))  # 「复议后起诉1件(维持1件)」
            if kinds == SUBGROUP_TOTALS and not attached:
                return "litigation"
        return group

    def _implied_outcome(self, line: int, text: str, cases: list[tuple[str, Number, str | None]]) -> None:
        """「行政复议1件,维持…」, 「…3件,均维持」, 「…2件,均已结案」: the outcome of the count just read
        (and of the counts listed with it by 、/和) when it has no number of its own."""
        group, count, scope = cases[-1]
        m = w.IMPLIED_OUTCOME.match(text, count.end)
        if m is None:
            return
        rest = re.split(r"[,，;；。]", text[m.end() :], maxsplit=1)[0]
        if HAS_COUNT.search(rest):
            return  # 「结果维持2件」: the outcome has its own number
        listed = [cases[-1]]
        for earlier in reversed(cases[:-1]):
            if re.search(r"[,，;；。]", text[earlier[1].end : listed[-1][1].start]):
                break
            listed.append(earlier)
        every = m["all"] is not None
        if not every and (len(listed) > 1 or count.value != 1):
            return  # 「2件，维持」 does not say whether both were
        outcome = w.IMPLIED_WORDS[m["word"]]
        start = m.start("all") if every else m.start("word")
        for group, count, scope in listed:
            value = 0.0 if outcome == "done" else count.value
            low, high = (0.0, 0.0) if outcome == "done" else (count.low, count.high)
            stated = Number(value, start, m.end("word"), count.unit, count.approx, low, high)
            column = "pending" if outcome == "done" else outcome
            self._count(f"review_litigation.{group}.{column}", stated, line, text, scope)

    def _stated_zeros(self, line: int, text: str) -> None:
        """「未发生一件行政复议和行政诉讼案件」, 「没有因…申请行政复议、诉讼…的情况发生」: 0 of each group."""
        seen: set[str] = set()
        for m in w.NEGATED_RL.finditer(text):
            end = len(re.split(r"[,，;；。]", text[m.start() :], maxsplit=1)[0]) + m.start()
            clause = text[m.start() : end]
            if w.NOT_A_ZERO.search(clause) or not (self.review_section or w.RL_CONTEXT.search(text, 0, m.end())):
                continue
            counts = [n for n in find_numbers(clause, with_unit=True) if n.start != len(m["neg"])]
            if counts:
                continue
            named = list(w.RL_GROUPS.finditer(text, m.start(), end))
            for g in named:
                if g.lastgroup in seen or g.lastgroup is None:
                    continue
                seen.add(g.lastgroup)
                zero = Number(0.0, m.start(), named[-1].end(), "件", False, 0.0, 0.0)
                self._count(f"review_litigation.{g.lastgroup}.total", zero, line, text, _scope(text, m.start()))

    def _change_sign(self, before: str) -> int:
        """+1/-1 when the clause states a change against last year (or continues one), else 0."""
        m = w.CHANGE_RE.search(before) or (w.CHANGE_CONTINUED.match(before) if self.changing else None)
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
            return
        rate = w.COMPLETION_RATE.search(before)
        if rate is not None:
            head = text[: n.start]
            if "申请" in head and not w.OTHER_DOMAIN.search(head):
                start = n.start - len(before) + rate.start()
                stated = Number(n.value, start, n.end, n.unit, n.approx, n.low, n.high)
                self.add("applications.completion_rate.total", stated, line, text, "percent", scope=scope)
        elif w.PERCENT_OF.search(before) and last is not None and "率" not in before:
            metric, count, index = last
            self.add(metric, n, line, text, "percent", scope=scope, base=count.value, group=self.rows[index][-1])

    def _parts(self, line: int, text: str, numbers: list[Number]) -> None:
        """「N条,其中 a条, b条…」: the parts of the last count before 其中/包括 in the sentence."""
        for m in w.LIST_WORDS.finditer(text):
            wholes = [n for n in numbers if n.end <= m.start() and n.unit in w.COUNT_UNITS]
            if not wholes or text[wholes[-1].end : m.start()].strip(",，:：(（ ") != "":
                continue
            whole = wholes[-1]
            parts, open_ended, other = list_parts(text, m.end(), whole.unit)
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


def _worth_reading(sentence: str) -> bool:
    """A sentence with a count and a word that may name it, or one that says there were no cases."""
    if HAS_COUNT.search(sentence):
        return bool(w.KEYWORDS.search(sentence) or w.ANY_METRIC.search(sentence))
    return _mentions_cases(sentence) and bool(w.NEGATED_RL.search(sentence))


def claims_from_lines(doc_id: str, numbered_lines: Iterable[tuple[int, str]]) -> list[tuple[Any, ...]]:
    """Claims (rows in CLAIM_COLUMNS order) of the lines (original line number, text) of one document."""
    reader = _Reader(doc_id)
    for line, text in numbered_lines:
        if text[:1] in w.HEADING_START and len(text) < 60 and w.HEADING.match(text):
            reader.review_section = bool(w.RL_WORD.search(text))
        if len(text) < 6 or not w.KEYWORDS.search(text):
            continue
        if not HAS_COUNT.search(text) and not (_mentions_cases(text) and w.NEGATED_RL.search(text)):
            continue
        reader.about_applications = "申请" in text
        for lo, hi in _sentences(text):
            sentence = text[lo:hi].strip(" |")
            if _worth_reading(sentence):
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
