"""Metadata of one document: title, agency, year, statistical period, publication and signing
dates, and the top-level outline (「一、…」 headings mapped to the official sections).

Each value comes with the original line it was read from (for evidence), or None. Sources are
tried from the most to the least reliable; the order is documented on each finder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from audit.extract import agency as A
from audit.extract import dates as D
from audit.model import Document
from audit.segment import chrome_lines, classify_kind, download_titles, find_title

Lines = list[tuple[int, str]]

_INTRO_LINES = 30  # the opening sentences that name the year (「现将我区2022年度…」)
_PUBLISHED_LINES = 10  # page metadata sits above the text
_SIGNATURE_LINES = 15  # the signature and date close the report

_YEAR_PHRASE = re.compile(
    r"现将(?:我|本)[^,。;]{0,12}?(?<!\d)(?P<a>(?:19|20)\d{2})\s*年度?"
    r"|(?<!\d)(?P<b>(?:19|20)\d{2})\s*年度?\s*的?(?:政府信息公开|政务公开)(?:工作)?(?:年度)?(?:报告|年报)"
)
_BOOK_TITLE = re.compile(r"《[^》]*》")  # a cited document's name says nothing about this report

_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUMERAL_COMMA = re.compile(r"[一二三四五六七八九十]、")
_NUMBERED = re.compile(r"(?P<num>十[一二]?|[一二三四五六七八九十])、\s*")
_FREE_TITLE = re.compile(r"[^\s|。]{2,40}(?=[\s|。]|$)")
# Section titles of both formats and of the pre-2019 outline (domain.md §3, §8). Where scraped text
# runs a heading into the next words (「一、总体情况2019年,…」) one of these still marks it.
_KNOWN_TITLES = sorted(
    (
        "总体情况",
        "概述",
        "主动公开政府信息情况",
        "收到和处理政府信息公开申请情况",
        "依申请公开政府信息情况",
        "政府信息公开申请办理情况",
        "政府信息公开行政复议、行政诉讼情况",
        "政府信息公开行政复议及行政诉讼情况",
        "政府信息公开行政复议和行政诉讼情况",
        "因政府信息公开工作被申请行政复议和提起行政诉讼情况",
        "因政府信息公开申请行政复议、提起行政诉讼的情况",
        "政府信息公开的收费及减免情况",
        "存在的主要问题及改进情况",
        "存在的主要问题及改进措施",
        "政府信息公开工作存在的主要问题及改进情况",
        "政府信息公开工作存在的主要问题及改进措施",
        "其他需要报告的事项",
        "其它需要报告的事项",
        "需要说明的事项与附表",
    ),
    key=len,
    reverse=True,
)
_KNOWN_TITLE = re.compile("|".join(re.escape(t) for t in _KNOWN_TITLES))
_RUN_ON = re.compile(r"[\d第(]")  # what follows a heading glued to the text: a year, 第二十条, (一)
_TABLE_ROW_LABELS = ("本年新收", "上年结转", "本年度办理结果", "结转下年度")
_TABLE_ROW_AFTER = re.compile(r"\s*\|\s*[\d(]")
_SECTION_WORDS = (
    ("review_litigation", re.compile(r"行政复议|行政诉讼")),
    ("problems", re.compile(r"主要问题|问题及改进")),
    ("other", re.compile(r"其[他它]需要报告|^其[他它](?:事项)?$")),
    ("applications", re.compile(r"收到和处理|申请的?(?:办理|处理)|依申请公开")),
    ("article20", re.compile(r"主动公开")),
    ("overview", re.compile(r"总体情况|概述|基本情况")),
)


def read_metadata(doc: Document) -> dict[str, Any]:
    """The metadata columns of the documents frame for one document."""
    lines = numbered_content(doc)
    kind = doc.kind if doc.kind != "unknown" else classify_kind(doc)
    title = _with_name_line(find_title(doc), lines)
    downloads = download_titles(doc)
    period, period_line = _period(lines)
    signed, signed_line, signer = _signed(lines)
    candidates = _agency_candidates(kind, title, downloads, lines, signer)
    found = [c for c in candidates if c]
    # a name that says which body it is (「历下区教育局」) before one without its place (「区教育局」)
    agency, agency_line = next(
        (c for c in found if A.agency_key(c[0]) is not None), found[0] if found else (None, None)
    )
    year, year_line = _year(kind, title, downloads, lines, period, period_line)
    published, published_line = _published(doc, lines)
    return {
        "kind": kind,
        "title": title[0] if title else (downloads[0][0] if downloads else None),
        "agency": agency,
        "agency_line": agency_line,
        "agency_key": A.agency_key_in_context(agency, lambda: "\n".join(t for _, t in lines)),
        "year": year,
        "year_line": year_line,
        "period_start": _iso(period[0] if period else None),
        "period_end": _iso(period[1] if period else None),
        "period_line": period_line,
        "published": _iso(published),
        "published_line": published_line,
        "signed": _iso(signed),
        "signed_line": signed_line,
        "headings": find_headings(lines),
    }


def _with_name_line(title: tuple[str, int] | None, lines: Lines) -> tuple[str, int] | None:
    """A title without a body name whose line before is nothing but one (PDF and print layouts put
    「洪泽区人民政府」 above 「2023 年政府信息公开工作年度报告」) is the two lines joined."""
    if title is None or A.split_title(title[0])[0] is not None:
        return title
    before = [text.strip() for number, text in lines if number < title[1] and text.strip()]
    if not before or len(before[-1]) > 30 or re.search(r"[，。：:；;,|]", before[-1]):
        return title
    joined = before[-1] + title[0]
    name = A.split_title(joined)[0]
    number = next(n for n, text in reversed(lines) if n < title[1] and text.strip())
    is_body = name is not None and A.clean_name(before[-1]) == name and A.is_body_name(name)
    return (joined, number) if is_body else title


def numbered_content(doc: Document) -> Lines:
    """What doc.numbered_lines() yields, as a list, built from slices (several times faster)."""
    texts = doc.source.lines[doc.start : doc.end]
    if doc.first_line_offset and texts:
        texts[0] = texts[0][doc.first_line_offset :]
    pairs = list(zip(doc.source.line_numbers[doc.start : doc.end], texts, strict=True))
    if doc.chrome:
        pairs = [pair for i, pair in enumerate(pairs, start=doc.start) if i not in doc.chrome]
    return pairs


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _period(lines: Lines) -> tuple[tuple[date, date] | None, int | None]:
    for finder in (D.period_after_cue, D.calendar_year_period):
        for number, text in lines:
            if "日" in text:
                period = finder(text)
                if period:
                    return period, number
    return None, None


def _signed(lines: Lines) -> tuple[date | None, int | None, tuple[str, int] | None]:
    """The last of the closing lines that is only a date, and the signature above it; else a
    last line ending with both (text scraped into one line)."""
    tail = [(n, t) for n, t in lines[-3 * _SIGNATURE_LINES :] if t.strip(" |\t")][-_SIGNATURE_LINES:]
    for k in range(len(tail) - 1, -1, -1):
        signed = D.date_only(tail[k][1])
        if signed:
            above = A.signature(tail[k - 1][1]) if k > 0 else None
            return signed, tail[k][0], (above, tail[k - 1][0]) if above else None
    ending = A.signed_ending(tail[-1][1]) if tail else None
    signed = D.parse_date(ending[1]) if ending else None
    if ending and signed:
        return signed, tail[-1][0], (ending[0], tail[-1][0])
    return None, None, None


def _first_in_lines(finder: Callable[[str], str | None], lines: Lines, needle: str) -> tuple[str, int] | None:
    """The first line where `finder` reads a name (only lines holding `needle` are tried)."""
    for number, text in lines:
        if needle in text:
            found = finder(text)
            if found:
                return found, number
    return None


def _agency_candidates(
    kind: str,
    title: tuple[str, int] | None,
    downloads: list[tuple[str, int]],
    lines: Lines,
    signer: tuple[str, int] | None,
) -> Iterator[tuple[str, int] | None]:
    """A report's agency, most reliable first: its title, a download link's title, 「由…编制」,
    the signature above the closing date, 「…人民政府门户网站」, and last the contact 「请与…联系」.
    A guide names its body in its text (「…获取济南市历下区人民政府及…」). Evaluated lazily."""
    if title:
        yield _named(A.split_title(title[0])[0], title[1])
    if kind == "guide":
        yield _first_in_lines(A.from_obtain, lines, "获取")
        yield _first_in_lines(A.from_any_site, lines, "网站")
    for text, number in downloads:
        yield _named(A.split_title(text)[0], number)
    yield _first_in_lines(A.from_compiler, lines, "编制")
    yield signer
    yield _first_in_lines(A.from_portal, lines, "门户网站")
    yield _first_in_lines(A.from_contact, lines, "请与")


def _named(name: str | None, number: int) -> tuple[str, int] | None:
    return (name, number) if name else None


def _year(
    kind: str,
    title: tuple[str, int] | None,
    downloads: list[tuple[str, int]],
    lines: Lines,
    period: tuple[date, date] | None,
    period_line: int | None,
) -> tuple[int | None, int | None]:
    """The title's year; for a report then 「现将我区2022年度…」 or 「2019年度政府信息公开年度报告」
    outside cited titles, the statistical period, a download link's title. A guide or a notice
    has a year only when its title gives one."""
    if title:
        year = A.split_title(title[0])[1]
        if year:
            return year, title[1]
    if kind != "annual_report":
        return None, None
    for number, text in lines[:_INTRO_LINES]:
        if "年" in text:
            match = _YEAR_PHRASE.search(_BOOK_TITLE.sub("《》", text) if "《" in text else text)
            if match:
                return int(match["a"] or match["b"]), number
    if period:
        return period[0].year, period_line
    for text, number in downloads:
        year = A.split_title(text)[1]
        if year:
            return year, number
    return None, None


def _published(doc: Document, lines: Lines) -> tuple[date | None, int | None]:
    """「发布时间:2021-01-20 08:39」 / 发布日期 in the page chrome or the first lines."""
    for number, text in [*chrome_lines(doc), *lines[:_PUBLISHED_LINES]]:
        if "时间" in text or "日期" in text or "发布于" in text:
            published = D.find_published(text)
            if published:
                return published, number
    return None, None


@lru_cache(maxsize=4096)
def section_of(title: str) -> str | None:
    """The official section (audit.model.SECTIONS) a heading title stands for, or None."""
    compact = "".join(title.split())
    for section, words in _SECTION_WORDS:
        if words.search(compact):
            return section
    return None


def _number(numeral: str) -> int:
    if numeral.startswith("十"):
        return 10 + (_NUMERALS.get(numeral[1:], 0) if len(numeral) > 1 else 0)
    return _NUMERALS[numeral]


def _heading_title(text: str, numbered: re.Match[str]) -> str | None:
    """The title after 「N、」: free text up to a space or 「。」, cut back to a known section title
    when the text runs on into the section (「其他需要报告的事项2021年」); a known title with no
    space before the numeral only when it is not part of an enumeration (「…;二、…」)."""
    at = numbered.end()
    known = _KNOWN_TITLE.match(text, at)
    free = _FREE_TITLE.match(text, at)
    spaced = numbered.start() == 0 or text[numbered.start() - 1] in " \t|。"
    if free and spaced:
        title = free.group().rstrip(":,;")
        if known and title != known.group() and _RUN_ON.match(title, known.end() - at):
            return known.group()
        return None if ";" in title else title
    if known and text[known.end() : known.end() + 1] not in (";", ",", "、"):
        return known.group()
    return None


def _numbered_starts(text: str) -> Iterator[re.Match[str]]:
    """「N、」 numerals in the line, found from each 「、」 (most 「、」 separate nouns, not numbers)."""
    at = text.find("、")
    while at != -1:
        if at and text[at - 1] in _NUMERALS:
            start = at - 2 if at >= 2 and text[at - 2] == "十" else at - 1
            numbered = _NUMBERED.match(text, start)
            if numbered:
                yield numbered
        at = text.find("、", at + 1)


def find_headings(lines: Lines) -> list[dict[str, Any]]:
    """Top-level headings 「一、…」…「十二、…」 at a line start or inline (long scraped lines run
    them together). Table row labels (「一、本年新收…」, 「四、结转下年度…」) and enumerations are
    not headings, and an inline heading must continue the numbering."""
    headings: list[dict[str, Any]] = []
    last = 0
    for number, text in lines:
        if "、" not in text or not _NUMERAL_COMMA.search(text):
            continue
        for numbered in _numbered_starts(text):
            title = _heading_title(text, numbered)
            if not title or title.startswith(_TABLE_ROW_LABELS):
                continue
            value = _number(numbered["num"])
            inline = bool(text[: numbered.start()].strip(" |\t"))
            if (inline and value <= last) or _TABLE_ROW_AFTER.match(text, numbered.end() + len(title)):
                continue
            headings.append({"number": numbered["num"], "title": title, "line": number, "section": section_of(title)})
            last = value
    return headings
