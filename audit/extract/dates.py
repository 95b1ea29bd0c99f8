"""Dates as reports print them: 「2020年1月1日」, 「2020 年 1 月 1 日」, 「2021-01-20 08:39」,
「二〇二一年一月二十日」, and the statistical period in all its phrasings.

Text is NFKC-normalised by ingest (full-width digits and colons are ASCII here). A date whose
parts are missing or impossible (「2018年11日」, 「2018年1231日」, 2月30日) is None, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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

# The page's own publication field (domain.md §10.26): 「发布时间:…」, 「| 发文日期 | 2024-01-30 |」 in a
# pipe metadata table, tag residue 「<publishtime>2024-01-17</publishtime>」, 「<meta name="PubDate"
# content="…">」, 「浏览:12次 时间:2022年2月17日」. A crawl stamp (采集时间, 抓取时间) is none of them.
PUBLISHED = re.compile(
    r"(?:发布时间|发布日期|发文日期|公开日期|发布于|时间|publishtime>|pubdate\"?\s*content=\"?)[\s|:]*", re.IGNORECASE
)
MAY_PUBLISH = re.compile(r"时间|日期|发布于|(?i:publishtime|pubdate)|^\S{2,30}(?:政府|网站|网)\s+\d{4}")
# 「示例市人民政府 2024-01-17」: a bare date after the site's name, alone on its line (no weekday: a
# 「today」 widget prints one).
_SITE_DATE = re.compile(
    r"[^\s\d:|]{2,30}(?:政府|网站|网)\s+(?P<date>\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)

# Dates of the report that stand in the text (domain.md §10.22, 10.25, 10.27).
_SPACED_YEAR = re.compile(r"(?<!\d)([12]) (\d) (\d) (\d)(?=\s*年)")
_CUT_ENDS = frozenset("0123456789年月日至到为自:—-")
_BRACKETED = re.compile(r"[(（]\s*(?P<d>[^()（）]{6,24}?日)\s*[)）]\s*$")
# A date alone between sentences: after 。 (or a signature) and before a space or the line's end.
_STANDALONE = re.compile(
    r"(?:[。!！]|[局委办厅府会处室]\s)\s*(?P<d>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[〇零○O0一二三四五六七八九]{4}\s*年\s*[〇零○一二三四五六七八九十]{1,2}\s*月\s*[〇零○一二三四五六七八九十]{1,3}\s*日)"
    r"(?=\s|$)"
)
# 「2023年，我镇共主动公开…」, 「2023年度,全区…」, 「本年度(2023年)」: the year the body reports on.
_BODY_YEAR = re.compile(
    r"(?:^|[。;；\s])(?P<y>(?:19|20)\d{2})\s*年度?\s*[,，]\s*|本年度\s*[(（]?\s*(?:即|为)?\s*(?P<z>(?:19|20)\d{2})\s*年"
)
_BODY_SUBJECT_START = "我全本在共"
FOOTNOTE = re.compile(r"\s*(?:注|备注|说明)\s*\d?\s*[:：.、]")
_FOOTNOTE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# 《关于做好2023年度政府信息公开工作年度报告编制和发布工作的通知》 names the year being reported.
_NOTICE = re.compile(
    r"《[^《》]*?(?<!\d)(?P<y>(?:19|20)\d{2})\s*年度?[^《》]*?(?:年度报告|年报)[^《》]*?(?:编制|发布|报送)[^《》]*》"
)


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
    """The date after 发布时间/发布日期/公开日期… (「发布时间:2021-01-20 08:39」, 「| 发文日期 | 2024-01-30 |」,
    「<publishtime>2024-01-17</publishtime>」), or after the site's name on a line of its own."""
    for cue in PUBLISHED.finditer(text):
        if cue.group().startswith("时间") and cue.start() > 0 and text[cue.start() - 1] not in " |:":
            continue  # 「统计时间」, 「采集时间」 and the like are not a publication time
        match = NUMERIC_DATE.match(text, cue.end())
        if match:
            return _from_match(match)
    site = _SITE_DATE.fullmatch(text.strip(" |\t"))
    return parse_date(site["date"]) if site else None


def joined_digits(text: str) -> str:
    """「2 0 2 3 年」 read as 「2023年」 (a year printed with spaced digits)."""
    return _SPACED_YEAR.sub(r"\1\2\3\4", text) if " 年" in text or " 0 " in text else text


def cut_phrase(text: str) -> bool:
    """Whether a line (one holding 年 or 日) stops inside a date phrase (「统计期限为 2025」, 「…至」)."""
    last = text.rstrip(" |\t")[-1:]
    return bool(last) and last in _CUT_ENDS


def standalone_date(text: str) -> date | None:
    """The last date in `text` that stands alone between sentences (a signature date that the next
    table runs on after, §10.27), or None."""
    found = None
    for match in _STANDALONE.finditer(text) if "日" in text else ():
        found = match["d"]
    return parse_date(found) if found else None


def bracketed_date(text: str) -> date | None:
    """The date of 「(2024年3 月 5日)」 at the end of a line (the report's date under its title)."""
    match = _BRACKETED.search(text) if "日" in text else None
    return parse_date(match["d"]) if match else None


def body_year(text: str, subject: Callable[[str], str | None]) -> int | None:
    """The year a body sentence opens with when what follows speaks for the reporting body
    (「2023年，我镇…」, 「2023年度,白鹭市发改委…」), or 「本年度(2023年)」; not a plan (「2024年,我镇将…」)."""
    for match in _BODY_YEAR.finditer(text):
        if match["z"]:
            return int(match["z"])
        rest = text[match.end() : match.end() + 40]
        if "将" in rest[:12] or not (rest[:1] in _BODY_SUBJECT_START or subject(rest)):
            continue
        return int(match["y"])
    return None


def footnote_year(text: str) -> int | None:
    """The year a table footnote states (「注：本表为2023年度数据」)."""
    match = _FOOTNOTE_YEAR.search(text)
    return int(match.group(1)) if match else None


def notice_year(text: str) -> int | None:
    """The year of the reports a cited 编制 notice is about."""
    match = _NOTICE.search(text)
    return int(match["y"]) if match else None
