"""Narrative claims: the numbers a report states in words, as rows of the claims frame.

One pass over the lines of a document; only lines holding a digit (or a Chinese numeral) and one
of the keywords are read. Each sentence (up to 。) is cut into clauses (，；、), and each count
(a number with a unit such as 件/条) is named after the keyword closest before it in its clause
(audit.extract.claim_metrics, with the vocabulary in audit.extract.claim_words): 「收到…申请215件」 → applications.new_received.total,
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
  fewer than three parts and no 其他; results 予以公开… of a received count, which also handle last
  year's applications; with no 其他 part, highlights adding up to under half the whole, or channels
  that overlap and add up to more).
`scope` is region (全区/全市…), agencies (全区各级行政机关, 政府系统: every body of the area together),
body (本机关/区政府办/县本级…), sub (下属单位/各乡镇/区直部门…) or None.

When it is unsure what a figure counts, the reader states nothing (a missed check is cheaper than a
false error): no claim from a figure of another year, several years, a stock (累计/以来) or part of
the year (audit.extract.claim_words.PERIOD; 现行有效 is a stock), from numbers inside 《titles》 or
〔文号〕, ordinals and ranges, from one number given to two rows (「予以公开或部分公开48件」, 「分别为」),
from 受理/办结 counts of other work (政务服务, 信访, 咨询 … named after the 政府信息公开申请 words),
from 依申请公开/不予公开 of documents (公开属性) or information, from applicants that are no column
(法人或其他组织), and from 行政复议 the body decides as the 复议机关 or whose outcome has no column (驳回,
撤诉). A share is of the count it follows directly; a change is of the sentence's first count unless a
list (其中) came between.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from audit.extract import claim_words as w
from audit.extract.claim_lists import list_parts
from audit.extract.claim_metrics import (
    HAS_COUNT,
    article20_metric,
    clause_bounds,
    clause_start,
    column_of,
    group_before,
    mask_titles,
    mentions_cases,
    metric_of,
    proactive_metric,
    scope_at,
    scopes,
    sentences,
    with_subject,
)
from audit.extract.numbers import Number, find_numbers

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    import pandas as pd

    from audit.model import Document

SUBGROUP_TOTALS = {"review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total"}
CONSOLIDATED = frozenset({"region", "agencies"})  # figures of an area, not of one body
# Application rows that are a result of handling (a list of them is no split of the received count).
RESULT_ROWS = ("granted", "partially", "denied", "unavailable", "not_processed", "other", "carried_forward")


class _Reader:
    """Claims of one document, one sentence at a time."""

    def __init__(self, doc_id: str, year: int | None = None) -> None:
        self.doc_id = doc_id
        self.year = year
        self.original = ""
        self.periods: list[tuple[int, str, bool]] | None = None  # read when first needed
        self.text = ""
        self.scopes: list[tuple[int, str]] | None = None  # read when first needed
        self.bounds: list[int] = [0]
        self.of_documents: bool | None = None  # the sentence is about 公开属性 of documents (read when needed)
        self.organ = False
        self.rows: list[tuple[Any, ...]] = []
        self.groups = 0
        self.changing = False
        self.about_applications = False
        self.review_section = False
        self.sentence_start = 0
        self.about_documents = False
        # the paragraph around the sentence (its line): the sentence before it and the text after it
        self.before = ""
        self.after = ""
        self.inherited: dict[int, str] = {}  # part positions → the metric of their whole's parts

    def add(self, metric: str, n: Number, line: int, text: str, kind: str, **extra: Any) -> None:
        self.rows.append(
            (
                self.doc_id,
                metric,
                n.value,
                n.approx,
                n.unit,
                line,
                extra.get("source") or self.original or text,
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
        self.original = text
        text = mask_titles(text)
        numbers = [n for n in find_numbers(text, with_unit=True) if n.unit in w.COUNT_UNITS or n.unit == "%"]
        numbers = [n for n in numbers if n.unit != "个" or not w.NOT_A_COUNT_AFTER.match(text, n.end)]
        about_cases = mentions_cases(text) and (self.review_section or bool(w.RL_CONTEXT.search(text)))
        self.about_documents = "规" in text and bool(w.A20_WORD.search(text))
        self.text, self.scopes, self.periods, self.of_documents = text, None, None, None
        self.organ = about_cases and bool(w.REVIEW_ORGAN.search(text)) and not w.RESPONDENT.search(text)
        if about_cases and not self.organ:
            self._stated_zeros(line, text)
        if not numbers:
            return
        self.bounds = clause_bounds(text)
        self.sentence_start = len(self.rows)
        self.changing = False
        carried = self._carried_whole(text)
        among = _AMONG.search(text) if "中" in text else None
        self.inherited = self._part_metrics(text, carried, among)
        subject: tuple[str, Number, str | None] | None = None
        last_count: tuple[str, Number, int] | None = None
        cases: list[tuple[str, Number, str | None]] = []  # (group, count, scope) of the sentence's case counts
        for n in numbers:
            lo = self.bounds[bisect_right(self.bounds, n.start) - 1]
            before, after = text[lo : n.start], text[n.end : n.end + 16]
            if n.unit == "%":
                self._percent(n, before, line, text, subject, last_count, lo)
                continue
            sign = self._change_sign(before)
            if sign:  # of the sentence's first count, not of a part listed after it, nor 「分别…」
                if subject is not None and self._change_of(subject, text, n):
                    self.add(
                        subject[0], _signed(n, sign), line, text, "change", scope=subject[2], base=subject[1].value
                    )
                continue
            if "分别" in before or w.NEGATION.search(before):
                continue
            # a case count is about 政府信息公开 when that is said before it (「共办理行政复议120件,其中涉及
            # 政府信息公开的5件」: 120 is every case the body handled), or under the 复议/诉讼 heading
            # unless the sentence singles out the disclosure cases after it (其中/涉及…信息公开)
            of_disclosure = about_cases and (
                bool(w.RL_CONTEXT.search(text, 0, n.start))
                or (self.review_section and not w.RL_SUBSET_AFTER.search(text, n.end))
            )
            metric = with_subject(self._metric(text, n, before, after, of_disclosure), before, n, subject)
            metric = metric or self.inherited.get(n.start) or self._among_metric(text, n, among)
            if metric is None or not self._in_period(metric, n.start, lo):
                continue
            scope = self._scope_at(n.start)
            if scope not in CONSOLIDATED and self._part_of_own_total(text, metric, n):
                scope = "sub"
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
        if carried is not None:
            self._list(line, text, carried[0], carried[1], source=self.before)
        if among is not None:
            self._list(line, text, _number_at(numbers, among.start("n")), among.end())

    def _carried_whole(self, text: str) -> tuple[Number, int] | None:
        """「…共主动公开信息1853条。其中，A 1251条…」: a sentence that opens with 其中/包括 lists the parts of
        the count that ends the sentence before it in the paragraph (its whole, and where its parts start)."""
        opening = _OPENS_LIST.match(text)
        if opening is None or not self.before:
            return None
        ending = [n for n in find_numbers(self.before, with_unit=True) if n.unit in w.COUNT_UNITS]
        if not ending or self.before[ending[-1].end :].strip(" 。,，;；|") != "":
            return None
        return ending[-1], opening.end()

    def _part_metrics(
        self, text: str, carried: tuple[Number, int] | None, among: re.Match[str] | None
    ) -> dict[int, str]:
        """The metric the parts of a list take from their whole when they name none (「其中，政策文件类
        1502条，占70%」 after 「主动公开政府信息2146条。」): parts of a 主动公开 total are 主动公开 parts."""
        if carried is not None:
            whole, start = carried
            metric = self._metric_of_row(self.before, whole)
        elif among is not None:
            whole, start = Number(0.0, 0, 0, among["unit"], False, 0.0, 0.0), among.end()
            metric = "proactive.total" if w.PROACTIVE_AMONG.search(among["label"]) else None
        else:
            return {}
        if metric not in ("proactive.total", "proactive.website"):
            return {}
        parts, _, _ = list_parts(text, start, whole.unit)
        return {n.start: "proactive.part" for n, _ in parts}

    def _metric_of_row(self, source: str, n: Number) -> str | None:
        """The metric of the count claimed at `n` in the sentence `source` (read before), if any."""
        for r in reversed(self.rows):
            if r[6] == source and r[12] == n.start and r[7] == "count":
                return str(r[1])
        return None

    @staticmethod
    def _among_metric(text: str, n: Number, among: re.Match[str] | None) -> str | None:
        """「在主动公开的1913条信息中」: the whole a category list is of."""
        if among is None or n.start != among.start("n") or not w.PROACTIVE_AMONG.search(among["label"]):
            return None
        return "proactive.total" if n.unit in w.INFORMATION_UNITS else None

    def _part_of_own_total(self, text: str, metric: str, n: Number) -> bool:
        """「市政府及市政府办公室共收到申请52件，其中市政府收到30件」: a count listed after 其中 under a count
        of the same metric that is the body's own (not 全市…) is a part of it, not the table's row."""
        for r in self.rows[self.sentence_start :]:
            if (
                r[7] == "count"
                and r[1] == metric
                and r[8] not in CONSOLIDATED
                and w.LIST_WORDS.search(text, r[13], n.start)
            ):
                return True
        return False

    def _scope_at(self, pos: int) -> str | None:
        if self.scopes is None:
            self.scopes = scopes(self.text)
        return scope_at(self.scopes, pos)

    def _metric(self, text: str, n: Number, before: str, after: str, about_cases: bool) -> str | None:
        """The full metric (with its column) of a count, or None when it names nothing we know."""
        if self.about_documents:
            a20 = article20_metric(text, n, before)
            if a20 is not None:
                return a20
        proactive = proactive_metric(text, n, before, self._scope_at)
        if proactive is not None:
            return proactive
        metric = metric_of(before, after, self.about_applications)
        if metric is None or n.unit not in w.CASE_UNITS:
            return None
        if metric.startswith("applications."):
            return self._application_metric(metric, text, n, before)
        if about_cases and (self.organ or w.UNNAMED_OUTCOME.search(before)):
            return None  # the body as the 复议机关, or an outcome (驳回, 撤诉) with no column we can name
        if metric == "pending_or_forward":
            group = group_before(text, n.start) if about_cases else None
            return f"review_litigation.{group}.pending" if group else "applications.carried_forward.total"
        if metric.startswith("outcome."):
            group = self._outcome_group(text, n.start) if about_cases else None
            return f"review_litigation.{group}.{metric[8:]}" if group else None
        if metric.startswith("review_litigation."):
            return f"{metric}.total" if about_cases else None
        return None

    def _application_metric(self, metric: str, text: str, n: Number, before: str) -> str | None:
        """An application row's metric with its column, or None when the count is of something else:
        documents by 公开属性 or information (「不予公开的信息3条」), another kind of work named after
        the application words (「受理行政许可申请3562件，办结3560件」), applicants that are no column
        (法人或其他组织), or applications that went to review (「共有3件申请被提起行政复议」)."""
        if self.of_documents is None:
            self.of_documents = bool(w.DOCUMENT_SUBJECT.search(text))
        if self.of_documents:
            return None
        if metric in w.NEEDS_APPLICATION:
            if w.PART_BY_CHANNEL.search(before) and not w.EVERY_CHANNEL.search(before):
                return None
            if w.ON_TIME.search(before) and w.LATE.search(text):
                return None
            domain = [m.end() for m in w.OTHER_DOMAIN.finditer(text, 0, n.start)]
            subject = [m.end() for m in w.APPLICATION_SUBJECT.finditer(text, 0, n.start)]
            if domain and (not subject or domain[-1] > subject[-1]):
                return None
            rest = re.split(r"[,，;；。、]", text[n.end :], maxsplit=1)[0]
            if w.RL_WORD.search(rest):
                return None
        elif metric in w.DISCLOSURE_ROWS:
            named = list(w.ANY_METRIC.finditer(before))
            if named and w.OUTCOME_OF_A_THING.search(before, named[-1].end()):
                return None
        column = column_of(before)
        if column == "total" and w.NOT_A_COLUMN.search(before) and not w.EVERY_APPLICANT.search(text):
            return None
        return f"{metric}.{column}"

    def _periods(self, text: str) -> list[tuple[int, str, bool]]:
        """(position, this|other|stock, a comparison) of the period words of a sentence."""
        out: list[tuple[int, str, bool]] = []
        for m in w.PERIOD.finditer(text):
            kind = str(m.lastgroup)
            if kind == "year":
                if self.year is None:
                    continue
                kind = "this" if int(m["year"]) == self.year else "other"
            elif kind == "months":
                kind = "other"
            elif kind == "stock" and out and out[-1][1] == "this" and self._of_this_year(text, out[-1][0], m):
                kind = "this"
            out.append((m.start(), kind, bool(w.COMPARED.search(text, max(m.start() - 3, 0), m.start()))))
        return out

    @staticmethod
    def _of_this_year(text: str, after: int, m: re.Match[str]) -> bool:
        """A stock word that stays in the report year: 「2021年，全区累计主动公开」 (no count since the
        year was named; not 「新增1234条，累计…」), 「2021年以来」 (right after it)."""
        if m.group() == "累计":
            return not HAS_COUNT.search(text, after, m.start())
        return m.group() == "以来" and bool(re.search(r"年度?\s*$", text[after : m.start()]))

    def _in_period(self, metric: str, pos: int, clause_start: int) -> bool:
        """Whether a count at `pos` is of the report year: the last period word before it decides (a
        comparison 「较2020年」 only in its own clause); 现行有效 (a stock) may be 累计/截至目前."""
        if self.periods is None:
            self.periods = self._periods(self.text)
        for start, kind, compared in reversed(self.periods):
            if start >= pos or (compared and start < clause_start):
                continue
            return kind == "this" or (kind == "stock" and metric.endswith(".in_force"))
        return True

    def _outcome_group(self, text: str, pos: int) -> str | None:
        """The group an outcome is of: the one named last before it, but 诉讼 as a whole right after
        a list of both kinds (「行政诉讼3件,其中直接起诉2件,复议后起诉1件,尚未审结1件」)."""
        group = group_before(text, pos)
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
        """「未发生一件行政复议和行政诉讼案件」, 「没有因…申请行政复议、诉讼…的情况发生」, 「行政复议、行政诉讼
        的情况：无」, 「…均为零」: 0 of each group (of the report year)."""
        seen: set[str] = set()
        stated = [
            *(
                (m, m.start(), len(re.split(r"[,，;；。]", text[m.start() :], maxsplit=1)[0]) + m.start())
                for m in w.NEGATED_RL.finditer(text)
            ),
            *((m, clause_start(text, 0, m.start()), m.end()) for m in w.ZERO_AFTER_RL.finditer(text)),
        ]
        for m, start, end in stated:
            clause = text[start:end]
            if w.NOT_A_ZERO.search(clause) or not (self.review_section or w.RL_CONTEXT.search(text, 0, m.end())):
                continue
            if not self._in_period("review_litigation.review.total", start, clause_start(text, 0, start)):
                continue
            skip = len(m["neg"]) if "neg" in m.groupdict() and m["neg"] else -1
            if [n for n in find_numbers(clause, with_unit=True) if n.start != skip]:
                continue
            named = list(w.RL_GROUPS.finditer(text, start, end))
            for g in named:
                if g.lastgroup in seen or g.lastgroup is None:
                    continue
                seen.add(g.lastgroup)
                zero = Number(0.0, start, max(named[-1].end(), m.end()), "件", False, 0.0, 0.0)
                self._count(f"review_litigation.{g.lastgroup}.total", zero, line, text, self._scope_at(start))

    def _change_sign(self, before: str) -> int:
        """+1/-1 when the clause states a change against last year (or continues one), else 0."""
        before = before.rstrip()
        m = w.CHANGE_RE.search(before) or (w.CHANGE_CONTINUED.match(before) if self.changing else None)
        if m is None:
            return 0
        self.changing = True
        return -1 if m.group(2) in ("减少", "下降", "降低", "少") else 1

    @staticmethod
    def _change_of(subject: tuple[str, Number, str | None], text: str, n: Number) -> bool:
        """Whether a stated change is of the sentence's first count: not when a list (其中) came between
        (it may be of a part) or changes go one by one with counts (「分别比上年减少1件、增加2件」)."""
        return text.find("分别", 0, n.start) < 0 and not w.LIST_WORDS.search(text, subject[1].end, n.start)

    def _percent(self, n: Number, before: str, line: int, text: str, subject: Any, last: Any, lo: int) -> None:
        sign = self._change_sign(before)
        if sign:
            if subject is not None and self._change_of(subject, text, n):
                self.add(
                    subject[0], _signed(n, sign), line, text, "change_percent", scope=subject[2], base=subject[1].value
                )
            return
        rate = w.COMPLETION_RATE.search(before)
        if rate is not None:
            head = text[: n.start]
            if "申请" in head and not w.OTHER_DOMAIN.search(head) and self._in_period("rate", n.start, lo):
                start = n.start - len(before) + rate.start()
                stated = Number(n.value, start, n.end, n.unit, n.approx, n.low, n.high)
                self.add(
                    "applications.completion_rate.total", stated, line, text, "percent", scope=self._scope_at(n.start)
                )
        elif w.PERCENT_OF.search(before) and last is not None and "率" not in before:
            # a share of the count it follows (「予以公开86件，占61.4%」), not of a part named between
            # (「申请215件，其中自然人申请占97.2%」, 「…56件，其中涉及征地的有23件，占41.1%」)
            metric, count, index = last
            gap = text[count.end : lo].strip(" ,，;；:：(（")
            if gap or not w.SHARE_START.match(before):
                return
            self.add(
                metric,
                n,
                line,
                text,
                "percent",
                scope=self._scope_at(n.start),
                base=count.value,
                group=self.rows[index][-1],
            )

    def _parts(self, line: int, text: str, numbers: list[Number]) -> None:
        """「N条,其中 a条, b条…」: the parts of the last count before 其中/包括 in the sentence."""
        for m in w.LIST_WORDS.finditer(text):
            wholes = [n for n in numbers if n.end <= m.start() and n.unit in w.COUNT_UNITS]
            if not wholes or text[wholes[-1].end : m.start()].strip(",，:：(（ ") != "":
                continue
            self._list(line, text, wholes[-1], m.end())

    def _list(self, line: int, text: str, whole: Number, start: int, source: str = "") -> None:
        """The whole (in `source`, the sentence before, when it ends there) and the parts listed from
        `start`; exhaustive (parts) or not (part_open). A list that does not add up while the paragraph
        goes on with counts of its unit may go on there (「…其中，A 1397条…。各乡镇公开534条」): not exhaustive."""
        parts, open_ended, other = list_parts(text, start, whole.unit)
        if not parts:
            return
        self.groups += 1
        group = f"{self.doc_id}:{line}:list{self.groups}"
        closed = (
            not open_ended
            and (len(parts) >= 3 or (other and len(parts) >= 2))
            and not self._results_of_received(text, whole, parts)
            and (other or not _highlights_or_overlap(text, whole, parts))
            and (_adds_up(whole, parts) or not _goes_on(self.after, whole.unit))
        )
        scope = scope_at(scopes(source), whole.start) if source else self._scope_at(whole.start)
        self.add("list.whole", whole, line, text, "whole", group=group, scope=scope, source=source)
        for n, times in parts:
            scaled = Number(n.value * times, n.start, n.end, n.unit, n.approx, n.low * times, n.high * times)
            self.add("list.part", scaled, line, text, "part" if closed else "part_open", group=group, base=times)

    def _results_of_received(self, text: str, whole: Number, parts: list[tuple[Number, int]]) -> bool:
        """Whether a list gives results (予以公开…) of a received count: they also handle last year's
        applications and leave some for next year, so they are no split of it."""
        received = any(
            r[1].startswith("applications.new_received.") and r[12] == whole.start
            for r in self.rows[self.sentence_start :]
        )
        if not received:
            return False
        for n, _ in parts:
            metric = metric_of(text[clause_start(text, 0, n.start) : n.start], "", True)
            if metric and metric.startswith("applications.") and metric.split(".")[1].startswith(RESULT_ROWS):
                return True
        return False


def _highlights_or_overlap(text: str, whole: Number, parts: list[tuple[Number, int]]) -> bool:
    """Lists with no 其他 part that are no exhaustive split of their whole: a few highlights adding up
    to less than half of it (「主动公开3460条，其中政策文件120条，政策解读56条，人事信息32条」), or
    channels adding up to more than it (the same item goes to the website and to 微信)."""
    total = sum(n.high * times for n, times in parts)
    if total < whole.low / 2:
        return True
    if sum(n.low * times for n, times in parts) > whole.high:
        labels = [text[clause_start(text, 0, n.start) : n.start] for n, _ in parts]
        return any(w.CHANNEL_PART.search(label) for label in labels)
    return False


# 「其中，…」 / 「包括：…」 opening a sentence; 「在主动公开的1913条信息中，…」 opening a category list.
_OPENS_LIST = re.compile(r"\s*(?:其中|包括)\s*[,，:：]?\s*")
_AMONG = re.compile(
    r"在(?P<label>[^,，。;；]{0,24}?)(?P<n>\d[\d.]*)\s*(?P<unit>条|件|篇|个)(?P<what>[^,，。;；\d]{0,8}?)中\s*[,，:：]\s*"
)


def _number_at(numbers: list[Number], start: int) -> Number:
    return next(n for n in numbers if n.start == start)


def _adds_up(whole: Number, parts: list[tuple[Number, int]]) -> bool:
    low = sum(n.low * times for n, times in parts)
    high = sum(n.high * times for n, times in parts)
    return low <= whole.high + 1e-9 and high >= whole.low - 1e-9


def _goes_on(after: str, unit: str) -> bool:
    """Whether the rest of the paragraph states counts in `unit` (a list may go on there)."""
    return bool(after) and any(n.unit == unit for n in find_numbers(after, with_unit=True))


def _signed(n: Number, sign: int) -> Number:
    if sign > 0:
        return n
    return Number(-n.value, n.start, n.end, n.unit, n.approx, -n.high, -n.low)


def _worth_reading(sentence: str) -> bool:
    """A sentence with a count and a word that may name it, or one that says there were no cases."""
    if HAS_COUNT.search(sentence):
        return bool(w.KEYWORDS.search(sentence) or w.ANY_METRIC.search(sentence))
    return _states_no_cases(sentence)


def _states_no_cases(text: str) -> bool:
    """Whether the text may say there were no 复议/诉讼 cases (「未发生行政复议」, 「…的情况：无」)."""
    if not mentions_cases(text):
        return False
    return bool(w.NEGATED_RL.search(text)) or (
        ("零" in text or "无" in text or "0" in text) and bool(w.ZERO_AFTER_RL.search(text))
    )


def claims_from_lines(
    doc_id: str, numbered_lines: Iterable[tuple[int, str]], year: int | None = None
) -> list[tuple[Any, ...]]:
    """Claims (rows in CLAIM_COLUMNS order) of the lines (original line number, text) of one document;
    `year` is the report year (figures of other years are no claims), None when unknown."""
    reader = _Reader(doc_id, year)
    for line, text in numbered_lines:
        if text[:1] in w.HEADING_START and len(text) < 60 and w.HEADING.match(text):
            reader.review_section = bool(w.RL_WORD.search(text))
        if len(text) < 6 or not w.KEYWORDS.search(text):
            continue
        if not HAS_COUNT.search(text) and not _states_no_cases(text):
            continue
        reader.about_applications = "申请" in text
        reader.before = ""
        for lo, hi in sentences(text):
            sentence = text[lo:hi].strip(" |")
            if _worth_reading(sentence):
                reader.after = text[hi:]
                reader.sentence(line, sentence)
            reader.before = sentence
    return reader.rows


def read_claims(
    doc: Document,
    tables_present: Iterable[str] = (),
    year: int | None = None,
    lines: Iterable[tuple[int, str]] | None = None,
) -> list[tuple[Any, ...]]:
    """Rows of the claims frame for one report of `year` (tables_present is kept for callers that know
    them; `lines`: the document's numbered lines, when the caller has them already)."""
    return claims_from_lines(doc.id, doc.numbered_lines() if lines is None else lines, year)


def claims_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The claims frame (CLAIM_COLUMNS) of claim rows; empty with its columns when there are none."""
    import pandas as pd

    from audit.model import CLAIM_COLUMNS, empty_frame

    if not rows:
        return empty_frame(CLAIM_COLUMNS)
    frame = pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))
    numbers = {"value": "float64", "approx": "bool", "base": "float64", "low": "float64", "high": "float64"}
    # a sentence states several numbers (5 claims a sentence in the sample reports): held once
    return frame.astype(numbers | {"text": "category"})
