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
from itertools import islice
from typing import Any

from audit.extract import agency as A
from audit.extract import dates as D
from audit.model import Document
from audit.segment import chrome_lines, classify_kind, download_titles, find_title

Lines = list[tuple[int, str]]

_INTRO_LINES = 30  # the opening sentences that name the year (「现将我区2022年度…」)
_PUBLISHED_LINES = 10  # page metadata sits above the text
_OPENING_LINES = 6  # the opening lines whose first sentence may name the body as its subject
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


def read_metadata(doc: Document, lines: Lines | None = None) -> dict[str, Any]:
    """The metadata columns of the documents frame for one document (`lines`: its numbered_content,
    when the caller has it already)."""
    lines = numbered_content(doc) if lines is None else lines
    kind = doc.kind if doc.kind != "unknown" else classify_kind(doc)
    title = _with_name_line(find_title(doc), lines)
    downloads = download_titles(doc)
    announced = _announced(lines[:_INTRO_LINES])
    period, period_line = _period(lines)
    signed, signed_line, signer = _signed(lines, title)
    headings = find_headings(lines)
    candidates = _agency_candidates(kind, title, downloads, lines, signer, announced, headings)
    agency, agency_line = _agency(candidates, lines)
    year, year_line = _year(kind, title, downloads, lines, (period, period_line), announced)
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
        "headings": headings,
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
    texts = list(doc.source.lines[doc.start : doc.end])
    if doc.first_line_offset and texts:
        texts[0] = texts[0][doc.first_line_offset :]
    pairs = list(zip(doc.source.line_numbers[doc.start : doc.end], texts, strict=True))
    if doc.chrome:
        pairs = [pair for i, pair in enumerate(pairs, start=doc.start) if i not in doc.chrome]
    return pairs


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _period(lines: Lines) -> tuple[tuple[date, date] | None, int | None]:
    """The statistical period, after a cue word first; a phrase wrapped onto the next line
    (「统计期限为 2025」 / 「年 1 月 1 日至 12 月 31 日」, §10.22) or with spaced digits is read as one."""
    phrases: Lines = []
    for k, (number, text) in enumerate(lines):
        if "年" not in text and "日" not in text and "统计" not in text and "时" not in text and "数据" not in text:
            continue  # no date and no cue word (统计期限, 起止时间, 数据时限 …)
        if k + 1 < len(lines) and D.cut_phrase(text):
            text = text.rstrip() + lines[k + 1][1].lstrip()
        if "日" in text:
            phrases.append((number, D.joined_digits(text)))
    for finder in (D.period_after_cue, D.calendar_year_period):
        for number, text in phrases:
            period = finder(text)
            if period:
                return period, number
    return None, None


def _signed(lines: Lines, title: tuple[str, int] | None) -> tuple[date | None, int | None, tuple[str, int] | None]:
    """The last of the closing lines that is only a date, and the signature above it; else a
    last line ending with both (text scraped into one line); else a date standing alone inside a
    closing line (「…日常化。 二○一四年一月十日 示例统计表…」, §10.27); else the date in brackets
    under the title (「(2024年3月5日)」, §10.25)."""
    tail = _last_filled(lines[-3 * _SIGNATURE_LINES :], _SIGNATURE_LINES)
    for k in range(len(tail) - 1, -1, -1):
        signed = D.date_only(tail[k][1])
        if signed:
            above = A.signature(tail[k - 1][1]) if k > 0 else None
            return signed, tail[k][0], (above, tail[k - 1][0]) if above else None
    ending = A.signed_ending(tail[-1][1]) if tail else None
    signed = D.parse_date(ending[1]) if ending else None
    if ending and signed:
        return signed, tail[-1][0], (ending[0], tail[-1][0])
    for number, text in reversed(tail):
        signed = D.standalone_date(text)
        if signed:
            return signed, number, None
    return (*_dated_title(lines, title), None)


def _last_filled(lines: Lines, count: int) -> Lines:
    """The last `count` of `lines` that hold more than spaces and pipes, in order (read from the end)."""
    filled: Lines = []
    for number, text in reversed(lines):
        if text.strip(" |\t"):
            filled.append((number, text))
            if len(filled) == count:
                break
    filled.reverse()
    return filled


def _dated_title(lines: Lines, title: tuple[str, int] | None) -> tuple[date | None, int | None]:
    """「(2024年3 月 5日)」 on the title's line or on a line of its own just below it."""
    if title is None:
        return None, None
    below = list(islice(((n, t) for n, t in lines if n >= title[1] and t.strip(" |\t")), 3))
    for number, text in below:
        signed = D.bracketed_date(text)
        if signed:
            return signed, number
    return None, None


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
    announced: tuple[tuple[str | None, int | None], int] | None,
    headings: list[dict[str, Any]],
) -> Iterator[tuple[str, int] | None]:
    """A report's agency, most reliable first: its title, 「现公布…年度报告」, a download link's title,
    a report named in 《》, the signature above the closing date, the subject of an opening clause
    (「南溪区交通运输局根据…」) or of the overview's (「2022年,历下区坚持…」), and last the place whose
    government the report speaks for (「我区」) when its portal, compiling or contact office names it. The contact office, the compiling office
    and a leading group are never the body itself (domain.md §10.24). A guide names its body in its
    text (「…获取济南市历下区人民政府及…」). Evaluated lazily."""
    if title:
        yield _named(A.split_title(title[0])[0], title[1])
    if announced:
        yield _named(announced[0][0], announced[1])
    if kind == "guide":
        yield _first_in_lines(A.from_obtain, lines, "获取")
        yield _first_in_lines(A.from_any_site, lines, "网站")
    for text, number in downloads:
        yield _named(A.split_title(text)[0], number)
    intro = lines[:_INTRO_LINES]
    yield _first_in_lines(A.from_book_title, intro, "《")
    yield signer
    yield _first_in_lines(A.from_subject, [(n, t) for n, t in intro[:_OPENING_LINES]], "")
    level = A.voice("\n".join(t for _, t in lines))
    yield _overview_subject(lines, headings, level)
    portal = _first_in_lines(A.from_portal, lines, "门户网站")
    if portal and (level is None or A.place_of_office(portal[0], level)):
        yield portal
    for finder, needle in ((A.from_compiler, "编制"), (A.from_contact, "请与")):
        office = _first_in_lines(finder, lines, needle)
        yield _named(A.place_of_office(office[0], level), office[1]) if office else None


def _overview_subject(lines: Lines, headings: list[dict[str, Any]], level: str | None) -> tuple[str, int] | None:
    """The place the overview's opening sentence names as its subject (「一、总体情况」 /
    「2022年,历下区坚持…」) in a report that speaks for a place of that level: the sentence after
    the heading on its line, else on the next line with text."""
    if not level or level == "department" or not headings or headings[0]["section"] != "overview":
        return None
    heading = headings[0]
    at = next(i for i, (number, _) in enumerate(lines) if number == heading["line"])
    text = lines[at][1]
    rest = text[text.find(heading["title"]) + len(heading["title"]) :].strip(" |#*")
    following = [(n, t.strip(" |#*")) for n, t in lines[at + 1 : at + 3] if t.strip(" |#*")]
    number, sentence = (heading["line"], rest) if rest else following[0] if following else (0, "")
    return _named(A.place_subject(sentence, level), number) if sentence else None


def _agency(candidates: Iterator[tuple[str, int] | None], lines: Lines) -> tuple[str | None, int | None]:
    """The first candidate whose name says which body it is (「历下区教育局」), read no further than
    that; else the first found without its place (「区教育局」), which a contact or compiling office
    may complete when it is that very body with its place."""
    first = None
    for found in candidates:
        if found and A.agency_key(found[0]) is not None:
            return found
        first = first or found
    return _completed(first, lines) if first else (None, None)


def _announced(lines: Lines) -> tuple[tuple[str | None, int | None], int] | None:
    """(agency, year) of 「现公布…年度报告」 in the opening lines, with its line."""
    for number, text in lines:
        found = A.from_announcement(text) if "现" in text else None
        if found:
            return found, number
    return None


def _completed(generic: tuple[str, int], lines: Lines) -> tuple[str, int]:
    """A name without its place (「区教育局」) as the compiling or contact office gives it in full
    (「请与济南市历下区教育局联系」): the same body, so its full name; else the name as found."""
    for finder, needle in ((A.from_compiler, "编制"), (A.from_contact, "请与")):
        office = _first_in_lines(finder, lines, needle)
        if office and A.completes(generic[0], office[0]):
            return office
    return generic


def _named(name: str | None, number: int) -> tuple[str, int] | None:
    return (name, number) if name else None


def _year(
    kind: str,
    title: tuple[str, int] | None,
    downloads: list[tuple[str, int]],
    lines: Lines,
    period: tuple[tuple[date, date] | None, int | None],
    announced: tuple[tuple[str | None, int | None], int] | None,
) -> tuple[int | None, int | None]:
    """The title's year or that of 「现公布…年度报告」; for a report then, in its opening lines,
    「现将我区2022年度…」 or 「2019年度政府信息公开年度报告」 outside cited titles, or the body's own
    year (「2023年，我镇…」, 「本年度(2023年)」); the statistical period; a table footnote (「注：…2023年度…」);
    a download link's title; last the 编制 notice the report cites (「《关于做好2023年度政府信息公开工作
    年度报告编制…的通知》」). A guide or a notice has a year only when its title gives one."""
    if title:
        year = A.split_title(title[0])[1]
        if year:
            return year, title[1]
    if announced and announced[0][1]:
        return announced[0][1], announced[1]
    if kind != "annual_report":
        return None, None
    for number, text in lines[:_INTRO_LINES]:
        if "年" in text:
            masked = _BOOK_TITLE.sub("《》", text) if "《" in text else text
            match = _YEAR_PHRASE.search(masked)
            year = int(match["a"] or match["b"]) if match else D.body_year(masked, A.from_subject)
            if year:
                return year, number
    if period[0]:
        return period[0][0].year, period[1]
    for number, text in lines:
        if "年" in text and D.FOOTNOTE.match(text):
            year = D.footnote_year(text)
            if year:
                return year, number
    for text, number in downloads:
        year = A.split_title(text)[1]
        if year:
            return year, number
    for number, text in lines[:_INTRO_LINES]:
        year = D.notice_year(text) if "《" in text else None
        if year:
            return year, number
    return None, None


def _published(doc: Document, lines: Lines) -> tuple[date | None, int | None]:
    """The page's own publication field, in the page chrome or the first lines: 「发布时间:…」,
    发布日期, 公开日期, 「| 发文日期 | 2024-01-30 |」, 「<publishtime>…」, a bare date after the site's
    name. Never a crawl stamp, a 「today」 widget or a copyright year (domain.md §10.26)."""
    for number, text in [*chrome_lines(doc), *lines[:_PUBLISHED_LINES]]:
        published = D.find_published(text) if D.MAY_PUBLISH.search(text) else None
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
