"""What a number in a narrative sentence is about: the sentence and clause it stands in, the scope
words before it (全区, 本机关, 下属单位 …) and its metric — the keyword closest before it in its clause
(audit.extract.claim_words), read as an application row, a 复议/诉讼 cell, a 第二十条 field or a
主动公开 count. Used by audit.extract.claims, which turns the counts into claims.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from audit.extract import claim_words as w
from audit.extract.numbers import CN_CHARS, Number

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterable

# A number with a unit a claim can have (a sentence of dates and phone numbers only is skipped).
HAS_COUNT = re.compile(rf"[\d{CN_CHARS}][余多万亿]? ?(?:件|条|起|宗|例|%|个|次|项|份|篇|期|家|人次)")
TITLED = re.compile(r"《[^《》]*》|〔[^〔〕]*〕")
CLAUSE_CHAR = re.compile(f"[{re.escape(w.CLAUSE_END)}]")
INCLUDING = re.compile(r"[(（](?:包括|包含|含)[^()（）]*[)）]")
NUMERAL = re.compile(rf"[\d{CN_CHARS}０-９]")


def sentences(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for m in w.SENTENCE_END.finditer(text):
        yield start, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def clause_bounds(text: str) -> list[int]:
    """The positions clauses of a sentence start at (after ，；、:() …); a 、 between names with no count
    (「收到公民、法人或其他组织…」, 「予以公开、部分公开共48件」) starts none."""
    bounds = [0]
    last = -1
    for m in CLAUSE_CHAR.finditer(text):
        i = m.start()
        if text[i] != "、" or HAS_COUNT.search(text, last + 1, i):
            bounds.append(i + 1)
        last = i
    return bounds


def clause_start(text: str, lo: int, pos: int) -> int:
    """Where the clause of `pos` starts (not before `lo`); see clause_bounds."""
    bounds = clause_bounds(text)
    return max(lo, bounds[bisect_right(bounds, pos) - 1])


_FORWARD = next(k for k, (_, metric) in enumerate(w.METRIC_RES) if metric == "applications.carried_forward")
_CONJUNCTION = re.compile(r"\s*(?:或者?|和|及|与|、|/)")


def metric_of(before: str, after: str, about_applications: bool) -> str | None:
    """The metric a count is about: the keyword closest before it, else just after it (「收到70件申请」);
    None for one number given to two names (「予以公开或部分公开48件」, 「48件予以公开或部分公开」)."""
    best: tuple[int, str] | None = None
    last: list[re.Match[str]] = []
    for m in w.ANY_METRIC.finditer(before):
        last = [*last[-1:], m]
        if best is None or m.end() >= best[0]:
            best = (m.end(), w.METRIC_PATTERNS[int(str(m.lastgroup)[1:])][1])
    joined = len(last) == 2 and w.JOINED_NAMES.match(before[last[0].end() : last[1].start()])
    if joined and not w.BOTH_GROUPS.search(before):  # 「行政复议和行政诉讼均为0件」 gives it to both
        return None
    if best is None:
        # the first pattern (in METRIC_RES order) that names the text right after the number, and
        # 结转下年 anywhere in its first characters when that pattern comes later (or none does):
        # ANY_METRIC's alternatives are the patterns in order, so its match at 0 is the first's
        named = w.ANY_METRIC.match(after)
        first = int(str(named.lastgroup)[1:]) if named is not None else len(w.METRIC_RES)
        if first > _FORWARD and w.METRIC_RES[_FORWARD][0].search(after[:6]):
            named, first = None, _FORWARD
        if named is not None:
            conjunction = _CONJUNCTION.match(after, named.end())
            if conjunction and w.ANY_METRIC.match(after, conjunction.end()):
                return None
        if first < len(w.METRIC_RES):
            best = (0, w.METRIC_RES[first][1])
    if best is None:
        return None
    metric = best[1]
    if metric in w.NEEDS_APPLICATION and (not about_applications or w.OTHER_DOMAIN.search(before)):
        return None
    return metric


def mentions_cases(text: str) -> bool:
    """Whether the text names 复议/诉讼/起诉 (a plain substring test: this runs on every line)."""
    return "复议" in text or "诉" in text


def group_before(text: str, pos: int) -> str | None:
    """The review/litigation group named last before `pos`."""
    group = None
    for m in w.RL_GROUPS.finditer(text, 0, pos):
        group = m.lastgroup
    return group


def mask_titles(text: str) -> str:
    """The text with the digits inside 《titles》 and 〔文号〕 blanked (same length): 《…20条措施》 counts nothing."""
    if "《" not in text and "〔" not in text:
        return text
    return TITLED.sub(lambda m: NUMERAL.sub("X", m.group()), text)


def scopes(sentence: str) -> list[tuple[int, str]]:
    """(end, scope) of the scope words of a sentence, in order; those inside 「(包括区本级和各区属单位)」,
    which widens a figure, are left out."""
    if "含" in sentence or "包括" in sentence:
        sentence = INCLUDING.sub(lambda m: " " * len(m.group()), sentence)
    found = [(m.start(), m.end(), scope) for pattern, scope in w.SCOPE_WORDS for m in pattern.finditer(sentence)]
    return [(end, scope) for _, end, scope in sorted(found)]


def scope_at(scopes: list[tuple[int, str]], pos: int) -> str | None:
    """The scope word last before `pos` (of the sentence's scopes)."""
    found = None
    for end, scope in scopes:  # in order of their start: the last one ending before pos
        if end <= pos:
            found = scope
    return found


def column_of(before: str) -> str:
    for word, column in w.COLUMN_WORDS:
        if before.endswith(word) or before.endswith(word + "申请"):
            return column
    return "total"


def a20_row(word: str) -> str:
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
    return f"article20.{a20_row(row)}.{field}"


def proactive_metric(text: str, n: Number, before: str, scope_at: Callable[[int], str | None]) -> str | None:
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
    if "其中" in segment or scope_at(n.start) == "sub":
        return "proactive.part"
    return "proactive.total"


def with_subject(metric: str | None, before: str, n: Number, subject: Any) -> str | None:
    """An applicant column of the sentence's first application count: 「收到申请75件,其中自然人申请72件」,
    「…75件,涉及自然人72件、商业企业3件」."""
    if subject is None or not subject[0].startswith("applications."):
        return metric
    row = subject[0].rsplit(".", 1)[0]
    if metric is None:
        column = column_of(before)
        return None if column == "total" or n.unit not in w.CASE_UNITS else f"{row}.{column}"
    column = metric.rsplit(".", 1)[1]
    return f"{row}.{column}" if metric.startswith("applications.") and column != "total" else metric
