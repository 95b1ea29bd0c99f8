"""Segment stage: Sources → Documents.

A scraped file may hold several pages run together (domain.md §10 item 14): page chrome such as
「字号: 大 中 小」, 「扫码使用手机浏览本页内容」, 「打印 关闭」 or a breadcrumb separates them. Each
line is classed once; boundary chrome splits documents and belongs to none of them, while chrome
that describes a page (download links, 「发布时间」 lines, archive headers) stays inside the document
it belongs to, marked in `Document.chrome` (kept as evidence, left out of the content hash). A
complete report followed by another report's title line is split too, cautiously.

Then each document gets its kind (annual_report / guide / other / unknown), and copies are marked:
exact ones by content hash, truncated ones by an in-order line match against longer documents that
begin with the same lines (bucketed, so 10,000 documents cost no quadratic work).
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from audit.labels import APP_ROW, RL_HEADER, classify_short
from audit.model import Document, Fault, Source

BLANK, RESIDUE, BOUNDARY, ATTACHED, CONTENT = "blank", "residue", "boundary", "attached", "content"
_CHROME = (BOUNDARY, ATTACHED)
_CHROME_MAX_CHARS = 150  # a longer line is text, even if it starts like a breadcrumb

# Page chrome between pages (a whole line after its table-residue pipes are stripped).
_BOUNDARY = re.compile(
    r"字号\s*:?\s*(?:[\[【(]?\s*大\s*中\s*小\s*[\]】)]?)?|[\[【]?\s*大\s*[\]】]?\s*[\[【]?\s*中\s*[\]】]?\s*[\[【]?\s*小\s*[\]】]?"
    r"|扫码使用手机浏览本页内容|扫一扫在手机(?:上)?打开(?:当前页|本页)|[\[【]?打印(?:本页)?[\]】]?\s*[\[【]?关闭(?:窗口)?[\]】]?"
    r"|(?:网站)?首页\s*>.*|当前位置\s*:?.*|您(?:现在)?的?(?:所在)?位置\s*:.*"
)
# 「大 中 小」 glued to the first line of the next page (spaces required: 「大中小学」 is text).
_GLUED = re.compile(r"\s*(?:字号\s*:?\s*)?大\s+中\s+小\s*")
# Chrome that belongs to the page it is on: download links, page metadata, archive headers.
_ATTACHED = re.compile(
    r"(?:\d+\s*[.、]\s*)?(?:(?i:word|pdf|wps|ofd)\s*版(?:本)?\s*:|(?i:h5)(?:解读|版)?\s*:"
    r"|一图读懂|有声朗读|电子书\s*:|动漫解读|动画解读|图片解读|视频解读|结构化展示|文件下载|展示与解读|附件下载|点击播放视频)"
    r"|(?:来源(?:单位)?|发布(?:时间|日期|机构)|访问量|浏览次数|文号|栏目|原文链接|本地目录|索引号|成文日期|标题)\s*:"
    r"|.{0,60}发布时间\s*:\s*\d{4}|页面链接与图片详见|=+\s*正文\s*=+$"
    r"|[^\s|:]{1,120}\.(?i:pdf|docx?|wps|ofd|xlsx?)$"
)
# A line that is only a title (after table-residue pipes are stripped), and the word it ends with.
_TITLE = re.compile(
    r"(?P<t>[^。,;:!?|]{2,60}?(?P<end>年度报告|年报|报告|指南|通知|复函|函|意见|公告|通报|决定|批复|说明))(?:\([^)]{1,12}\))?"
)
# The longest text _TITLE can match whole: 60 characters, 年度报告, and 「(…)」 of 12 (a longer line is
# no title: its fullmatch, which tries every ending at each of 60 characters, is not worth trying).
_TITLE_MAX = 60 + len("年度报告") + 1 + 12 + 1


def _title_match(text: str) -> re.Match[str] | None:
    return _TITLE.fullmatch(text) if len(text) <= _TITLE_MAX else None


_ARCHIVE_TITLE = re.compile(r"标题\s*:\s*(?P<t>.+)")
_MARKDOWN_MARKS = re.compile(r"^#{1,6}\s+|^\*\*|\*\*$")  # a heading or bold line of converter markdown
_DOWNLOAD_TITLE = re.compile(
    r"(?:\d+\s*[.、]\s*)?(?:(?i:word|pdf|wps|ofd)\s*版(?:本)?|有声朗读|动漫解读|动画解读|图片解读|结构化展示)\s*:\s*(?P<t>.+?)"
    r"(?:\.(?i:pdf|docx?|wps|ofd))?|(?P<f>[^\s|:]{1,120}?)\.(?i:pdf|docx?|wps|ofd)"
)
_REPORT_WORDS = re.compile(r"年度报告|年报|公开工作报告")  # 「…年度政府信息公开工作报告」 too (§10.25)
_LINE_HEADING = re.compile(r"[\s|]*(?:十[一二]?|[一二三四五六七八九])、")
# The first half of a title wrapped over two lines ends mid-phrase: 「示例厅2022」, 「…2023年度政府」,
# 「2025 年…办公厅政府信息公开」 (domain.md §10.22); the second half then has no year of its own.
_WRAPPED_HEAD = re.compile(r"(?:(?:19|20)\d{2}\s*(?:年度?)?|政府|政务|信息|公开|工作|年度|的)$")
_SENTENCE_MARK = re.compile(r"[。，,；;：:!?！？]")
_ANY_YEAR = re.compile(r"(?:19|20)\d{2}")
# A separator line between documents pasted into one file (「=====」, 「-----」, 「*****」).
_SEPARATOR = re.compile(r"[=\-*_~#＝－—·•\s]{3,}")
_SEPARATOR_FIRST = frozenset("=-*_~#＝－—·•")  # (and any space: what a separator line starts with)
# The first section of a report, and the opening sentence before it, that start a report with no title.
_FIRST_SECTION = re.compile(r"[\s|]*一、\s*(?:总体情况|概述|基本情况)")
_OPENING_MARKS = ("本报告", "本年报", "根据《中华人民共和国政府信息公开条例》", "现将", "现公布", "统计期限")
# Headings only a report has: two of them make a text with no title a report (§10.23).
_OUTLINE_MARKS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "行政复议、行政诉讼情况",
    "存在的主要问题",
    "其他需要报告的事项",
    "其它需要报告的事项",
)
# What makes one of those headings the disclosure report's own (「六、其他需要报告的事项」,
# 「七、政府信息公开工作存在的主要问题及改进情况」), not a section any work report may have (「总体情况」).
_OWN_HEADING_WORDS = ("政府信息", "需要报告的事项")
# Words of the review/litigation table's own headers (「结果维持」, 「尚未审结」, 「复议后起诉」), not 「其他」 or 「总计」.
_REVIEW_HEADER_WORDS = ("维持", "纠正", "审结", "起诉")
# A row of table cells: numbers between pipes or spaces, with at most a label's words (「(七)总计 | 212 | 1」).
_CELL_TOKENS = re.compile(r"[|\s]+")
_NUMBER_TOKEN = re.compile(r"-?\d+(?:\.\d+)?%?")

# Kind markers, checked as plain substrings (an alternation regex costs ~0.5 ms on a long report).
_TABLE_MARKS = ("第二十条第(一)项", "勾稽关系", "本年新收政府信息公开申请数量")
_REPORT_MARKS = ("本报告", "本年报", "本年度报告", "统计期限", "统计时限")
_GUIDE_MARKS = (
    ("本指南", "政府信息公开指南"),
    ("申请接收渠道", "申请受理机构"),
    ("收费标准",),
    ("监督和救济", "监督与救济", "救济渠道"),
)
_GUIDE_UPDATED = re.compile(r"\(\d{4}年\d{1,2}月更新\)")  # 「(2022年4月更新)」 under a guide's title
_OTHER_ENDS = ("通知", "复函", "函", "意见", "公告", "通报", "决定", "批复", "说明")

_LABEL_CHARS = 16  # a row label's word at most (「二、上年结转政府信息公开申请数量」 is 16)
_ROW_LABEL_CHARS = 40  # a longer line is no row label (「(二)部分公开(区分处理的,只计这一情形,…)」 is 27)
_TINY_CHARS, _TINY_LINES = 80, 2  # a page this small (a lone title) joins its neighbour
_COMPLETE_HEADINGS, _COMPLETE_LINES = 3, 15  # a report this far along may end at a new title
_FINGERPRINT_LINES, _FINGERPRINT_MIN_CHARS = 3, 8
_CONTAINED_SHARE, _SHORTER_SHARE, _MAX_CANDIDATES, _BOILERPLATE = 0.9, 0.95, 16, 64


# Mirrors that damage text (domain.md §10.30): traditional characters (with words swapped: 檔案 for
# 文件) and pinyin inside words (「機(jī)關(guān)」). Titles and kind marks are read through this fold; the
# document's text is left as it is. The table holds the characters of report titles, section
# headings, body names and dates, not a whole converter.
_TRADITIONAL = "報開區縣務機關資訊統計門網發時間號辦處屬於與農業產廳會員長衛環護規範檔條項數據書請復議訴訟況總體動權責問題進對維糾結轉經濟鎮鄉實驗園東為個來當並從內專應將無積極強準確決證運輸設財稅醫療學廣電視華陽龍雲灣嶺寧遼蘇閩贛魯粵瓊貴陝隴晉滬漢澤濱興豐臺劃歸檢測導組織紀錄億萬餘兩價費領頁頒預類額顯風館馬齊門態種據務級職團義莊聯絡碼歷標單簡報際們兒傳優術嚴擔擬據擴損搜攝敗敘斷於曆書會構權樂歐歲殘氣漁潔溝滅濕災熱爭獨獲現環畫當療監盡確禮禍競筆範築簽糧紅約級紐細終統絲經綜線編緊總繳續罰聯聽脅脈臨興舊藝蘭處號蟲術衛補裝裡複見規覽觀計訂認討記訪設許評識詢試詳語說課調談論證譯議護讀變讓豐貝負財貨販責貸費資賣賦質購贊趕趙車軍軟載輕輔輯辦農邊遷過運還這進遠違連遲適選遺郵鄉醫釋里針鐘鋼錄錯鍵鎮長門開閑間閱隊陽際陸險隨隱難雞離電靜韓頂項順須預領頭題類顧風飯飾餘館騙驗體鬥鮮鳳鳴麥麼黃點黨齡齒龍"
_SIMPLIFIED = "报开区县务机关资讯统计门网发时间号办处属于与农业产厅会员长卫环护规范档条项数据书请复议诉讼况总体动权责问题进对维纠结转经济镇乡实验园东为个来当并从内专应将无积极强准确决证运输设财税医疗学广电视华阳龙云湾岭宁辽苏闽赣鲁粤琼贵陕陇晋沪汉泽滨兴丰台划归检测导组织纪录亿万余两价费领页颁预类额显风馆马齐门态种据务级职团义庄联络码历标单简报际们儿传优术严担拟据扩损搜摄败叙断于历书会构权乐欧岁残气渔洁沟灭湿灾热争独获现环画当疗监尽确礼祸竞笔范筑签粮红约级纽细终统丝经综线编紧总缴续罚联听胁脉临兴旧艺兰处号虫术卫补装里复见规览观计订认讨记访设许评识询试详语说课调谈论证译议护读变让丰贝负财货贩责贷费资卖赋质购赞赶赵车军软载轻辅辑办农边迁过运还这进远违连迟适选遗邮乡医释里针钟钢录错键镇长门开闲间阅队阳际陆险随隐难鸡离电静韩顶项顺须预领头题类顾风饭饰余馆骗验体斗鲜凤鸣麦么黄点党龄齿龙"
_FOLD = str.maketrans(_TRADITIONAL + "採", _SIMPLIFIED + "采")
_TRADITIONAL_MARKS = ("報", "開", "關", "務", "區", "縣", "資", "機")
_PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńň]{1,6}[)）]")
_SWAPPED_WORDS = (("檔案", "文件"), ("資訊", "信息"))


def _unless_after_latin(match: re.Match[str]) -> str:
    """Pinyin goes after a Chinese character (「機(jī)關」), not after a word of Latin letters."""
    at = match.start()
    return match.group() if at == 0 or not "\u4e00" <= match.string[at - 1] <= "\u9fff" else ""


def _has_pinyin(text: str) -> bool:
    """Whether _PINYIN occurs in `text`: tried at each parenthesis only (str.find skips to them
    several times faster than the pattern's search over a whole document)."""
    for paren in "(（":
        at = text.find(paren)
        while at >= 0:
            if _PINYIN.match(text, at):
                return True
            at = text.find(paren, at + 1)
    return False


def _has_traditional(text: str) -> bool:
    """Whether `text` holds any of _TRADITIONAL_MARKS (written out: a substring test per mark beats
    both a generator over them and a character-class search, on a line as on a whole document)."""
    return (
        "報" in text or "開" in text or "關" in text or "務" in text
        or "區" in text or "縣" in text or "資" in text or "機" in text
    )  # fmt: skip


def mirror_fold(text: str) -> str:
    """`text` with a mirror's damage undone for reading titles and marks: traditional characters
    folded (檔案 → 文件), pinyin inside words dropped. Plain text comes back as it is, cheaply."""
    if _has_pinyin(text):
        text = _PINYIN.sub(_unless_after_latin, text)
    if _has_traditional(text):
        for old, new in _SWAPPED_WORDS:
            text = text.replace(old, new)
        text = text.translate(_FOLD)
    return text


@dataclass
class _Page:
    start: int
    end: int
    offset: int = 0
    content: list[int] = field(default_factory=list)  # indices of content lines


_EDGE = " \t\r\n\x0b\x0c|\u3000\xa0\u200b\ufeff"
# First characters of chrome lines; other lines are chrome only when they name a file or a
# publication time (checked apart), so most text lines skip the chrome patterns.
_CHROME_FIRST = frozenset("字大[【扫打网首当您0123456789wWpPhHoO一有电动图视结文展附点来发访浏栏原本索成标页=")
_FILE_ENDINGS = (".pdf", ".doc", ".docx", ".wps", ".ofd", ".xls", ".xlsx")


def chrome_free(line: str) -> str:
    """The line without surrounding spaces and table-residue pipes."""
    return line.strip(_EDGE)


def classify_line(line: str) -> tuple[str, int]:
    """(class, glued-chrome length) of one normalised line."""
    text = line.strip(_EDGE)
    if not text:
        return (RESIDUE if "|" in line else BLANK), 0
    first = text[0]
    if first in "大字":
        glued = _GLUED.match(line)
        if glued and line[glued.end() :].strip(_EDGE):
            return CONTENT, glued.end()
    if len(text) > _CHROME_MAX_CHARS:
        return CONTENT, 0
    if first not in _CHROME_FIRST and "发布时间" not in text and not text[-5:].lower().endswith(_FILE_ENDINGS):
        return CONTENT, 0
    if _BOUNDARY.fullmatch(text):
        return BOUNDARY, 0
    if _ATTACHED.match(text):
        return ATTACHED, 0
    return CONTENT, 0


def _classes(lines: Sequence[str]) -> list[tuple[str, int]]:
    """classify_line of every line; the common lines are told apart here without the call: blank
    and pipe-only ones, a cell of digits only (no chrome pattern matches it), a text line (no chrome
    first character, no file name or publication time)."""
    classes: list[tuple[str, int]] = []
    add = classes.append
    for line in lines:
        text = line.strip(_EDGE)
        if not text:
            add(_RESIDUE if "|" in line else _BLANK)
        elif text.isdigit() or (
            text[0] not in _CHROME_FIRST
            and (
                len(text) > _CHROME_MAX_CHARS
                or ("发布时间" not in text and not text[-5:].lower().endswith(_FILE_ENDINGS))
            )
        ):
            add(_CONTENT)
        else:
            add(classify_line(line))
    return classes


_CONTENT, _RESIDUE, _BLANK = (CONTENT, 0), (RESIDUE, 0), (BLANK, 0)


def _pages(classes: list[tuple[str, int]]) -> list[_Page]:
    """Runs of lines between boundary chrome that hold content (glued chrome starts a new run).

    Boundary chrome before a page's first content line (「字号:」 after its 「发布时间」 line) is
    taken into that page; after content it ends the page.
    """
    pages: list[_Page] = []
    page: _Page | None = None
    for i, (cls, glued) in enumerate(classes):
        if glued or (cls == BOUNDARY and page is not None and page.content):
            if page is not None and page.content:
                pages.append(page)
            page = _Page(i, i + 1, glued, [i]) if glued else None
            continue
        if page is None:
            if cls == BOUNDARY:
                continue
            page = _Page(i, i + 1)
        page.end = i + 1
        if cls == CONTENT:
            page.content.append(i)
    if page is not None and page.content:
        pages.append(page)
    return pages


def _trim(page: _Page, classes: list[tuple[str, int]]) -> _Page:
    """Blank and pipe-only lines at the edges belong to no document."""
    while page.end > page.start + 1 and classes[page.end - 1][0] in (BLANK, RESIDUE):
        page.end -= 1
    while page.start < page.end - 1 and classes[page.start][0] in (BLANK, RESIDUE):
        page.start += 1
    return page


def _merge_tiny(pages: list[_Page], lines: Sequence[str]) -> list[_Page]:
    """A page holding only a title or a footer joins the next page (the last one the previous)."""

    def tiny(p: _Page) -> bool:
        return len(p.content) <= _TINY_LINES and sum(len(lines[i].strip()) for i in p.content) < _TINY_CHARS

    merged: list[_Page] = []
    carry: _Page | None = None
    for page in pages:
        if carry is not None:
            page = _Page(carry.start, page.end, carry.offset, carry.content + page.content)
            carry = None
        if tiny(page):
            carry = page
        else:
            merged.append(page)
    if carry is not None:
        if merged:
            last = merged[-1]
            merged[-1] = _Page(last.start, carry.end, last.offset, last.content + carry.content)
        else:
            merged.append(carry)
    return merged


def _split_at_titles(page: _Page, lines: Sequence[str]) -> list[_Page]:
    """Split a page holding several documents pasted together with no page chrome between them:
    before a report title that follows a complete report (or any report, when the new one starts
    afresh below its title: 「一、总体情况」 or an opening sentence), at a separator line
    (「=====」, dropped) that a report start follows, and before a report with no title that
    restarts the outline at 「一、总体情况」 after a complete report. A report's own section breaks,
    a separator before its next section and a title repeated as a running header do not split."""
    starts: list[tuple[int, int]] = []  # (content index a part starts at, content index it ends before)
    content = page.content
    texts = [chrome_free(lines[i]) for i in content]
    begin, headings, own_title = 0, 0, _report_title(texts, 0)
    last = len(texts) - 1
    for k, text in enumerate(texts):
        # _split_here splits only at a separator line, a report title (「报」 on this line or the
        # next) or 「一、」: other lines skip the call
        may_split = (
            "报" in text
            or "一、" in text
            or (k < last and "报" in texts[k + 1])
            or text[:1] in _SEPARATOR_FIRST
            or text[:1].isspace()
        )
        split = _split_here(texts, k, k - begin, headings, own_title) if k > begin and may_split else None
        if split is not None:
            start, end = split
            starts.append((start, end))
            begin, headings, own_title = start, 0, _report_title(texts, start)
            headings = sum(1 for t in texts[start : k + 1] if _is_heading(t))
            continue
        if _is_heading(text):
            headings += 1
    if not starts:
        return [page]
    parts: list[_Page] = []
    begin = 0
    for start, end in [*starts, (len(content), len(content))]:
        first = not parts
        part = _Page(page.start if first else content[begin], page.end, page.offset if first else 0)
        part.content = content[begin:end]
        if end < len(content):
            part.end = content[end]  # up to the next part's first line or the separator
        parts.append(part)
        begin = start
    return [part for part in parts if part.content]


def _is_heading(text: str) -> bool:
    return "、" in text[:4] and bool(_LINE_HEADING.match(text))


def _split_here(texts: list[str], k: int, done: int, headings: int, own_title: str | None) -> tuple[int, int] | None:
    """Where a new document starts at content line k, as (its first line, the line the part before
    ends before), or None. `done` lines and `headings` headings of the current part lie above."""
    text = texts[k]
    complete = headings >= _COMPLETE_HEADINGS and done >= _COMPLETE_LINES
    if _SEPARATOR.fullmatch(text) and sum(c not in " \t" for c in text) >= 3:
        title = _report_title(texts, k + 1)
        if title is not None:
            afresh, own = _below_title(texts, k + 1, title, own_title)
            new = afresh or not own
        else:
            new = _starts_afresh(texts, k + 1)
        return (k + 1, k) if new and done > _TINY_LINES else None
    title = _report_title(texts, k)
    if title is not None:
        afresh, own = _below_title(texts, k, title, own_title)
        if (complete and (afresh or not own)) or (afresh and headings >= 1 and done > _TINY_LINES + 2):
            return k, k
        return None
    if complete and _FIRST_SECTION.match(text):
        start = k
        while start - 1 > k - 4 and any(mark in texts[start - 1] for mark in _OPENING_MARKS):
            start -= 1
        return start, start
    return None


def _below_title(texts: list[str], k: int, title: str, own_title: str | None) -> tuple[bool, bool]:
    """(a report starts afresh below the title at k, the title is the current report's own or a
    citation): a running header repeats the report's own title, 「《…年度报告》」 cites one."""
    afresh = _starts_afresh(texts, k + (2 if title != title_text(texts[k]) else 1))
    return afresh, title == own_title or texts[k][:1] in '《“"「'


def _report_title(texts: list[str], k: int) -> str | None:
    """The report title at content line k (alone on its line or wrapped onto the next), or None."""
    if k >= len(texts) or ("报" not in texts[k] and (k + 1 == len(texts) or "报" not in texts[k + 1])):
        return None
    text = title_text(texts[k])
    if _title_match(text) and _REPORT_WORDS.search(text):
        return text
    if k + 1 < len(texts) and len(text) <= 40 and _WRAPPED_HEAD.search(text) and not _SENTENCE_MARK.search(text):
        joined = text + title_text(texts[k + 1])
        if not _ANY_YEAR.search(texts[k + 1]) and _title_match(joined) and _REPORT_WORDS.search(joined):
            return joined
    return None


def _starts_afresh(texts: list[str], k: int) -> bool:
    """Whether the lines from k open a report: 「一、总体情况」 or an opening sentence (本报告…,
    根据《中华人民共和国政府信息公开条例》…) before any other heading, within a few lines."""
    for text in texts[k : k + 4]:
        if _FIRST_SECTION.match(text) or any(mark in text for mark in _OPENING_MARKS):
            return True
        if _is_heading(text):
            return False
    return False


def _documents_of(source: Source) -> Iterator[tuple[Document, list[str]]]:
    """The documents of one source, each with its content lines (for the kind and the copies)."""
    classes = _classes(source.lines)
    pages = _merge_tiny([_trim(p, classes) for p in _pages(classes)], source.lines)
    pages = [part for page in pages for part in _split_at_titles(page, source.lines)]
    for ordinal, page in enumerate(pages, start=1):
        chrome = frozenset(i for i in range(page.start, page.end) if classes[i][0] in _CHROME)
        doc = Document(source, ordinal, page.start, page.end, first_line_offset=page.offset, chrome=chrome)
        content = _content_lines(doc)
        doc.kind = _kind(doc, content)
        yield doc, content


def segment(sources: list[Source], faults: list[Fault] | None = None) -> list[Document]:
    """Every document of every readable source, in order, with kind and copies marked.

    A failure on one source is caught (a Fault in `faults`): that source becomes one document of
    kind unknown, so it still appears, and the other sources are segmented as usual."""
    found = split_sources(sources, faults)
    documents = [doc for doc, _ in found]
    name_documents(documents)
    mark_copies_guarded(documents, [copy_key(content) for _, content in found], faults, [c for _, c in found])
    return documents


def split_sources(sources: list[Source], faults: list[Fault] | None) -> list[tuple[Document, list[str]]]:
    """The documents of each readable source with their content lines: the per-source part of
    `segment`, which also runs on chunks of the batch (audit.chunks)."""
    found: list[tuple[Document, list[str]]] = []
    for source in sources:
        if source.error or source.skipped:
            continue
        try:
            found.extend(_documents_of(source))
        except Exception as exc:  # noqa: BLE001 - one source never stops the batch
            _record(faults, Fault.of("segment", exc, source=source.path), exc)
            whole = Document(source, 1, 0, len(source.lines))
            found.append((whole, _content_lines(whole)))
    return found


def mark_copies_guarded(
    documents: list[Document],
    keys: list[tuple[str, ...] | None],
    faults: list[Fault] | None,
    contents: list[list[str]] | None = None,
) -> None:
    """`mark_copies_by_keys`, a failure of which is a fault of the run (copies left unmarked)."""
    try:
        mark_copies_by_keys(documents, keys, contents)
    except Exception as exc:  # noqa: BLE001 - copies unmarked is less than a lost batch
        _record(faults, Fault.of("segment (copies)", exc), exc)


def _record(faults: list[Fault] | None, fault: Fault, exc: Exception) -> None:
    if faults is None:  # a caller that collects no faults wants the exception
        raise exc
    faults.append(fault)


def name_documents(documents: list[Document]) -> None:
    """Give documents of inputs that share a file name (a/r.txt, b/r.txt) ids that stay unique.

    Ids use the file name, as contract.md shows; where two inputs share it, the shortest path
    suffix that tells them apart is used instead, and an input given twice gets `~2`, `~3`.
    """
    names = document_names(list(dict.fromkeys(d.source.path for d in documents)))
    if not names:
        return
    for doc in documents:
        doc.name = names.get(doc.source.path, "")


def document_names(paths: list[str]) -> dict[str, str]:
    """Source path → the name its documents' ids use, for the paths whose file name another path
    shares (the others use their file name). Computed over the whole batch, before it is chunked."""
    by_name: dict[str, list[str]] = {}
    for path in paths:
        by_name.setdefault(os.path.basename(path), []).append(path)
    names: dict[str, str] = {}
    for group in by_name.values():
        if len(group) > 1:
            names.update(_distinct_suffixes(group))
    return names


def _distinct_suffixes(paths: list[str]) -> dict[str, str]:
    parts = {p: os.path.normpath(p).replace(os.sep, "/").split("/") for p in paths}
    longest = max(len(v) for v in parts.values())
    for depth in range(2, longest + 1):
        suffixes = {p: "/".join(v[-depth:]) for p, v in parts.items()}
        if len(set(suffixes.values())) == len(paths):
            return suffixes
    seen: dict[str, int] = {}
    out = {}
    for p in paths:  # the same file given twice under one spelling of its path
        seen[parts[p][-1]] = seen.get(parts[p][-1], 0) + 1
        out[p] = f"{'/'.join(parts[p])}~{seen[parts[p][-1]]}"
    return out


# ---------------------------------------------------------------------------------------------
# Titles and kinds
# ---------------------------------------------------------------------------------------------


def chrome_lines(doc: Document) -> Iterator[tuple[int, str]]:
    """(original line number, text) of the chrome lines inside the document."""
    for i in sorted(doc.chrome):
        yield doc.source.line_numbers[i], doc.source.lines[i]


def find_title(doc: Document, *, within: int = 3) -> tuple[str, int] | None:
    """The document's own title: an archive header 「标题: …」, else one of its first content
    lines that is nothing but a title (「普陀区2020年政府信息公开工作年度报告 | |||」), in 《》 or not,
    or such a title wrapped over two lines (「示例街道办事处2023年度政府」 / 「信息公开工作年度报告」).
    A title with a year beats one without it above (a column's 「…信息公开年报」 over the report's). Read through `mirror_fold` (a mirror's 「…年度報告」 is a title too)."""
    for number, text in chrome_lines(doc):
        header = _ARCHIVE_TITLE.match(text.strip())
        if header:
            return mirror_fold(header["t"].strip()), number
    seen = 0
    head: tuple[int, str] | None = None  # the line before, when it may be a title's first half
    yearless: tuple[str, int] | None = None  # a title without a year, unless one with a year follows
    for number, text in doc.numbered_lines():
        text = title_text(text)
        if not text:
            continue
        match = _title_match(text)
        if match:
            found = (match["t"].strip(), number)
            if head is not None and not _ANY_YEAR.search(text):
                joined = _title_match(head[1] + text)
                found = (joined["t"].strip(), head[0]) if joined else found
            if _ANY_YEAR.search(found[0]):
                return found
            yearless = yearless or found
        wrapped = len(text) <= 40 and _WRAPPED_HEAD.search(text) and not _SENTENCE_MARK.search(text)
        head = (number, text) if wrapped else None
        seen += 1
        if seen >= within:
            break
    return yearless


def title_text(line: str) -> str:
    """A line as a title reads: without residue pipes, a converter's markdown marks (`# …`, `**…**`),
    the 《》 or quotes around it, a mirror's damage."""
    text = chrome_free(line)
    if text[:1] == "#" or "**" in text:  # (what _MARKDOWN_MARKS needs to match at all)
        text = _MARKDOWN_MARKS.sub("", text)
    text = text.strip()
    if text and text[0] in '《“"「' and text[-1] in '》”"」':
        text = text[1:-1].strip()
    return mirror_fold(text)


def download_titles(doc: Document) -> list[tuple[str, int]]:
    """Report titles named by download links in the chrome (「word版:…年度报告.docx」)."""
    found = []
    for number, text in chrome_lines(doc):
        match = _DOWNLOAD_TITLE.fullmatch(chrome_free(text))
        title = match and (match["t"] or match["f"])
        if title and _REPORT_WORDS.search(title):
            found.append((title.strip(), number))
    return found


def classify_kind(doc: Document) -> str:
    """annual_report, guide (政府信息公开指南), other (notices, letters) or unknown (no text)."""
    return _kind(doc, _content_lines(doc))


def _kind(doc: Document, content: list[str]) -> str:
    text = mirror_fold("\n".join(content))
    if not text:
        return "unknown"
    if any(mark in text for mark in _TABLE_MARKS):
        return "annual_report"  # the standard tables make a report whatever its words
    title = find_title(doc)
    if title:
        ending = _title_match(chrome_free(title[0]))
        end = ending["end"] if ending else ""
        if end in ("年度报告", "年报", "报告"):
            # 「…工作年度报告」, not 「关于…法治政府建设情况的报告」
            return "annual_report" if "公开" in title[0] else "other"
        if end in _OTHER_ENDS:
            return "other"
        if end == "指南":
            return "guide"
    if any(mark in text for mark in _REPORT_MARKS):
        return "annual_report"  # a report may mention the 指南; a guide never says 本报告
    headings, own = _report_outline(content)
    if headings >= 2 or (title is None and _report_fragment(doc, content, own)):
        return "annual_report"
    guide_marks = sum(any(mark in text for mark in group) for group in _GUIDE_MARKS)
    guide_marks += bool("更新)" in text and _GUIDE_UPDATED.search(text))
    return "guide" if guide_marks >= 2 else "other"


def _report_outline(content: list[str]) -> tuple[int, bool]:
    """How many sections only a report has head lines (「一、总体情况」, 「二、主动公开政府信息情况」…;
    counted up to two: a text cut below its title, or that starts at the site footer), and whether
    one of them is the disclosure report's own (`_OWN_HEADING_WORDS`)."""
    found: set[str] = set()
    own = False
    for line in content:
        if "、" in line[:4] and _LINE_HEADING.match(line):
            marks = [mark for mark in _OUTLINE_MARKS if mark in line[:30]]
            found.update(marks)
            own = own or bool(marks and any(word in line[:30] for word in _OWN_HEADING_WORDS))
            if len(found) >= 2:
                break
    return len(found), own


def _report_fragment(doc: Document, content: list[str], own_heading: bool) -> bool:
    """A report's last part, its title and first sections cut away (§10.28): it opens inside a table
    (a row of cells, or a row label of the standard tables: no notice or guide opens so) and has one of
    the report's own headings or two rows of the standard tables; or it has such a heading and its
    page offers the report's own file (「…工作年度报告.pdf」). One heading alone is not enough."""
    first = next((text for text in map(chrome_free, content) if text), "")
    in_table = _cell_row(first) or _standard_row(first) is not None
    if own_heading:
        return in_table or bool(download_titles(doc))
    if not in_table:
        return False
    rows: set[str] = set()
    for line in content:
        key = _standard_row(line)
        if key is not None:
            rows.add(key)
            if len(rows) >= 2:
                return True
    return False


def _standard_row(line: str) -> str | None:
    """Which line of the standard tables `line` is, by its label (its first cell): a row of the
    applications table (「(三)不予公开 | 1.属于国家秘密」 …) or a header of the review/litigation table."""
    label = chrome_free(line).split("|", 1)[0].strip()
    if not label or len(label) > _ROW_LABEL_CHARS:
        return None
    found = classify_short(label)
    if found.kind == APP_ROW:
        return found.key
    if found.kind == RL_HEADER and any(word in label for word in _REVIEW_HEADER_WORDS):
        return "review_header"
    return None


def _cell_row(text: str) -> bool:
    """Whether `text` is a row of table cells: numbers, and at most as many short words (a label)."""
    tokens = [t for t in _CELL_TOKENS.split(text) if t]
    numbers = sum(1 for t in tokens if _NUMBER_TOKEN.fullmatch(t))
    words = [t for t in tokens if not _NUMBER_TOKEN.fullmatch(t)]
    short = all(len(w) <= _LABEL_CHARS and not _SENTENCE_MARK.search(w) for w in words)
    return numbers >= 1 and numbers >= len(words) and short


# ---------------------------------------------------------------------------------------------
# Copies
# ---------------------------------------------------------------------------------------------


def _content_lines(doc: Document) -> list[str]:
    """The document's non-empty content lines, stripped (what its content hash is made of)."""
    lines = list(doc.source.lines[doc.start : doc.end])
    if doc.first_line_offset and lines:
        lines[0] = lines[0][doc.first_line_offset :]
    if doc.chrome:
        lines = [line for i, line in enumerate(lines, start=doc.start) if i not in doc.chrome]
    return [t for t in (line.strip() for line in lines) if t]


def mark_copies(documents: list[Document], contents: list[list[str]] | None = None) -> None:
    """Set `duplicate_of` (same content hash as an earlier document) and `truncated_copy_of`."""
    if contents is None:
        contents = [_content_lines(doc) for doc in documents]
    mark_copies_by_keys(documents, [copy_key(lines) for lines in contents], contents)


def copy_key(content: list[str]) -> tuple[str, ...] | None:
    """What finding copies needs of a document besides its content hash: None when it has no content,
    else its opening lines (a chunk hands these on, not the content)."""
    if not content:
        return None
    long_enough = [t for t in content[: 4 * _FINGERPRINT_LINES] if len(t) >= _FINGERPRINT_MIN_CHARS]
    return tuple(long_enough[:_FINGERPRINT_LINES])


def mark_copies_by_keys(
    documents: list[Document], keys: list[tuple[str, ...] | None], contents: list[list[str]] | None = None
) -> None:
    """`mark_copies` from each document's `copy_key`: exact copies share the content hash; truncated
    copies are looked for only among documents that begin with the same lines, whose content lines
    are then read again when `contents` is not given."""
    first_with_hash: dict[str, Document] = {}
    for doc, key in zip(documents, keys, strict=True):
        if key is not None:
            original = first_with_hash.setdefault(doc.content_hash, doc)
            if original is not doc:
                doc.duplicate_of = original.id
    buckets: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for k, (doc, key) in enumerate(zip(documents, keys, strict=True)):
        if doc.duplicate_of is None and key is not None and len(key) == _FINGERPRINT_LINES:
            buckets[key].append(k)
    for members in buckets.values():
        if len(members) > 1:
            lines = [contents[k] if contents is not None else _content_lines(documents[k]) for k in members]
            _mark_truncated([documents[k] for k in members], lines)


def _mark_truncated(members: list[Document], contents: list[list[str]]) -> None:
    """Among documents that open alike, a clearly shorter one whose lines another contains in
    order is a truncated copy of it. The candidates for each are the documents sharing most of
    its lines (lines shared by very many are boilerplate and cast no vote), the earliest first."""
    holders: dict[str, list[int]] = defaultdict(list)
    for k, lines in enumerate(contents):
        for line in dict.fromkeys(lines):
            holders[line].append(k)
    positions: dict[int, dict[str, list[int]]] = {}
    for k, doc in enumerate(members):
        votes = Counter(
            c
            for line in dict.fromkeys(contents[k])
            if len(holders[line]) <= _BOILERPLATE
            for c in holders[line]
            if c != k
        )
        for c in sorted(c for c, _ in votes.most_common(_MAX_CANDIDATES)):
            if not _clearly_shorter(contents[k], contents[c]):
                continue
            if c not in positions:
                positions[c] = _positions(contents[c])
            if _in_order_share(contents[k], contents[c], positions[c]):
                doc.truncated_copy_of = members[c].id
                break


def _positions(lines: list[str]) -> dict[str, list[int]]:
    where: dict[str, list[int]] = defaultdict(list)
    for k, line in enumerate(lines):
        where[line].append(k)
    return where


def _clearly_shorter(short: list[str], long: list[str]) -> bool:
    return len(short) <= _SHORTER_SHARE * len(long) and len(long) - len(short) >= 3


def _in_order_share(short: list[str], long: list[str], where: dict[str, list[int]]) -> bool:
    """≥ 90% of `short`'s lines occur in `long` in order, and `long` goes on after the last of
    them (the copy was cut off, not edited)."""
    pointer, matched = -1, 0
    for line in short:
        found = where.get(line)
        if found:
            k = bisect_right(found, pointer)
            if k < len(found):
                pointer, matched = found[k], matched + 1
    return matched >= _CONTAINED_SHARE * len(short) and pointer < len(long) - 2
