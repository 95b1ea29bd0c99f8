"""Dates as reports print them: 「2020年1月1日」, 「2020 年 1 月 1 日」, 「2021-01-20 08:39」,
「二〇二一年一月二十日」, and the statistical period in all its phrasings.

Text is NFKC-normalised by ingest (full-width digits and colons are ASCII here). A date whose
parts are missing or impossible (「2018年11日」, 「2018年1231日」, 2月30日) is None, never a guess.
"""

from __future__ import annotations

import re
from datetime import date

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4}
_CN_DIGITS.update({"五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_CN = "〇零○一二三四五六七八九十"

_Y = r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*年\s*"
_MD = r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
# 2020年1月1日 / 2020-01-01 / 2020/1/1 / 2020.1.1 (a time of day may follow; it is ignored)
NUMERIC_DATE = re.compile(
    _Y + _MD + r"|(?<!\d)(?P<iy>(?:19|20)\d{2})(?P<sep>[-/.])(?P<im>\d{1,2})(?P=sep)(?P<id>\d{1,2})(?!\d)"
)
CHINESE_DATE = re.compile(
    rf"(?P<y>[〇零○O0一二三四五六七八九]{{4}})\s*年\s*(?P<m>[{_CN}]{{1,2}})\s*月\s*(?P<d>[{_CN}]{{1,3}})\s*日"
)

# The period: a full first date, then 至/到/—/- and a second date whose year may be omitted
# (「2020年1月1日至12月31日」 means the same year).
_END = r"(?:(?P<y2>(?:19|20)\d{2})\s*年\s*)?(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日"
PERIOD = re.compile(_Y + _MD + r"\s*(?:起)?\s*(?:至|到|—+|-|~)\s*" + _END)
# Words that introduce the statistical period (统计期限自…起至…止, 起止时间为…, 统计数据时限为…).
PERIOD_CUE = re.compile(r"统计期限|统计时限|统计时间|统计期间|统计周期|数据时限|起止时间|时间段|所列数据|数据统计")
_CUE_REACH = 40  # characters between the cue and the first date

PUBLISHED = re.compile(r"(?:发布时间|发布日期|发文日期|公开日期|发布于|时间)\s*:?\s*")


def make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _cn_number(text: str) -> int | None:
    """「十二」 → 12, 「三十一」 → 31, 「二十」 → 20, 「五」 → 5."""
    if "十" in text:
        tens, _, units = text.partition("十")
        t = _CN_DIGITS.get(tens, -1) if tens else 1
        u = _CN_DIGITS.get(units, -1) if units else 0
        return None if t < 0 or u < 0 else 10 * t + u
    value = _CN_DIGITS.get(text)
    return value if len(text) == 1 else None


def _from_match(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    if groups.get("iy"):
        return make_date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
    return make_date(int(groups["y"]), int(groups["m"]), int(groups["d"]))


def _from_chinese(match: re.Match[str]) -> date | None:
    year = "".join(str(_CN_DIGITS.get(c, "")) for c in match["y"])
    month, day = _cn_number(match["m"]), _cn_number(match["d"])
    if len(year) != 4 or month is None or day is None:
        return None
    return make_date(int(year), month, day)


def parse_date(text: str) -> date | None:
    """The first date in `text` (numeric or in Chinese numerals), or None."""
    match = NUMERIC_DATE.search(text)
    if match:
        return _from_match(match)
    match = CHINESE_DATE.search(text)
    return _from_chinese(match) if match else None


def date_only(text: str) -> date | None:
    """The date when `text` is nothing but a date (the line under a signature), else None."""
    stripped = text.strip(" |\t")
    if not stripped or len(stripped) > 20:
        return None
    for pattern, convert in ((NUMERIC_DATE, _from_match), (CHINESE_DATE, _from_chinese)):
        match = pattern.fullmatch(stripped)
        if match:
            return convert(match)
    return None


def _period_from(match: re.Match[str]) -> tuple[date, date] | None:
    start = make_date(int(match["y"]), int(match["m"]), int(match["d"]))
    end_year = int(match["y2"]) if match["y2"] else int(match["y"])
    end = make_date(end_year, int(match["m2"]), int(match["d2"]))
    if start is None or end is None or end < start:
        return None
    return start, end


def period_after_cue(text: str) -> tuple[date, date] | None:
    """A range right after a cue word (统计期限, 起止时间, 统计数据时限 …), or None (also when the
    dates after the cue are mangled: no guess)."""
    for cue in PERIOD_CUE.finditer(text):
        match = PERIOD.search(text, cue.end(), cue.end() + _CUE_REACH + 60)
        if match and match.start() - cue.end() <= _CUE_REACH:
            period = _period_from(match)
            if period:
                return period
    return None


def calendar_year_period(text: str) -> tuple[date, date] | None:
    """A range without a cue counts only as a whole calendar year (1月1日 … 12月31日), so that
    other ranges in the narrative (a publicity month, a campaign) are not read as the period."""
    for match in PERIOD.finditer(text):
        period = _period_from(match)
        if period and (period[0].month, period[0].day, period[1].month, period[1].day) == (1, 1, 12, 31):
            return period
    return None


def find_period(text: str) -> tuple[date, date] | None:
    """The statistical period stated in `text`: after a cue word first, else a calendar year."""
    return period_after_cue(text) or calendar_year_period(text)


def find_published(text: str) -> date | None:
    """The date after 发布时间/发布日期 (「发布时间:2021-01-20 08:39」, 「发布日期:2021年1月20日」)."""
    for cue in PUBLISHED.finditer(text):
        if cue.group().startswith("时间") and cue.start() > 0 and text[cue.start() - 1] not in " |:":
            continue  # 「统计时间」 and the like are not a publication time
        match = NUMERIC_DATE.match(text, cue.end())
        if match:
            return _from_match(match)
    return None
