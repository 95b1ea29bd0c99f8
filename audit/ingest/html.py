"""HTML portal pages → the stable text rendering (audit.ingest.render).

The article body is found by the classes portal CMSs give it (`TRS_Editor`, `article_content`,
`zoom` …), else the whole `<body>`; scripts, styles, forms, navigation and other portal chrome are
dropped, so hostile markup never reaches the rendering (which is plain text, escaped when shown).
Tables with rowspan/colspan become pipe rows; `&nbsp;` is whitespace, so a cell holding only it is
blank; inline elements are joined without spaces (digits split across `<span>`s stay one number).

Hostile pages stay bounded: the parser keeps huge text nodes and attributes, and a page nested
deeper than libxml2 builds (2048 levels) is parsed again into a tree cut at MAX_HTML_DEPTH, the
text of deeper elements kept (a `limit_exceeded` note says so); the tree is walked without
recursion; entities are not expanded (the HTML parser ignores a document's own entity definitions).

A page whose body does not state when it was published often has the date in the portal chrome
(「发布时间:」, 「时间:」) or only in `<meta name="PubDate">`: the rendering then starts with the title
and a line `发布时间:YYYY-MM-DD HH:MM` made from it, which the metadata extractor reads like any page.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from audit.ingest.decoding import Decoded, DecodeError, decode
from audit.ingest.render import MAX_LINE_CHARS, Rendering, rendered_source
from audit.ingest.text import decode_notes, split_lines
from audit.model import Source, SourceNote

# Documented limit: elements nested deeper than this (only hostile or broken pages; portal pages
# nest a few dozen levels) are not built; their text is read as part of the element at this depth.
# It is libxml2's own limit with huge_tree, past which it would drop the whole document.
MAX_HTML_DEPTH = 2048

# Elements whose content is never report text.
_DROPPED = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "canvas",
    "nav", "header", "footer", "form", "button", "select", "input", "textarea", "head", "title", "aside",
)  # fmt: skip
# Elements that start a new line of the rendering (inline ones join their neighbours).
_BLOCKS = frozenset(
    ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section", "article",
     "blockquote", "pre", "center", "table", "tr", "caption", "thead", "tbody", "tfoot", "hr", "address",
     "figure", "figcaption", "main")
)  # fmt: skip
# Article-body containers of the common portal CMSs, most specific first.
_BODY_XPATHS = (
    "//*[@class and contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[@class and contains(concat(' ', normalize-space(@class), ' '), ' article_content ')]",
    "//*[@class and contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    "//*[@id='zoom' or @id='Zoom' or @id='UCAP-CONTENT' or @id='content' or @id='article']",
    "//article",
)
_META_DATES = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date", "releasedate")
_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?(?:\s+(\d{1,2}:\d{2}))?"
_PAGE_DATE = re.compile(r"(?:发布时间|发布日期|时间|日期)\s*[:：]\s*" + _DATE)
_META_DATE = re.compile(_DATE)
_DATE_SEARCH_TEXTS = 5_000  # elements searched for the publication date (it sits near the top)
_STATED_DATE = re.compile(r"发布(?:时间|日期)\s*[:：]?\s*\d{4}")
UNPARSABLE = "网页无法解析 (unparsable HTML)"


def html_source(data: bytes, path: str) -> Source:
    """A Source for an HTML page; never raises (an unusable page is a Source with `error`)."""
    try:
        decoded = decode(data)
    except DecodeError as error:
        return Source(path=path, media_type="text/html", size=len(data), error=str(error))
    notes = _decode_notes(decoded)
    import lxml.etree

    try:
        rendering = render_html(decoded.text, notes)
    except lxml.etree.LxmlError as error:  # (other exceptions are internal errors, reported as such)
        reason = f"{UNPARSABLE}: {type(error).__name__}"
        return Source(path=path, media_type="text/html", size=len(data), error=reason, notes=notes)
    return rendered_source(
        rendering, path, media_type="text/html", size=len(data), paged=False, encoding=decoded.encoding, notes=notes
    )


def _decode_notes(decoded: Decoded) -> list[SourceNote]:
    """partial_decode notes for the page as a whole (its lines are not the rendering's), naming the
    lines of the page source where the bad spots are."""
    if not (decoded.bad or decoded.cut_tail or decoded.nuls):
        return []
    notes = decode_notes(decoded, split_lines(decoded.text))
    return [SourceNote(n.code, f"网页源码第 {n.line} 行：{n.detail}" if n.line else n.detail) for n in notes]


def render_html(text: str, notes: list[SourceNote] | None = None) -> Rendering:
    """The rendering of a page; a note for a limit the page exceeded is added to `notes`."""
    root = _parse(text.replace("\x00", ""), [] if notes is None else notes)
    if root is None:
        return Rendering()  # markup without content: the empty-input error
    title = _title(root)
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROPPED if tag != "head")):
        element.drop_tree()
    body = _body(root)
    published = _published(root, body)
    for element in root.xpath("//head"):
        element.drop_tree()
    rendering = Rendering()
    _Walker(rendering).walk(body)
    stated = any(_STATED_DATE.search(line) for line in rendering.lines[:20])
    head = [] if not title or (rendering.lines and title in rendering.lines[0]) else [title]
    if published and not stated:
        head.append(f"发布时间:{published}")  # from the page chrome or <meta>; see the module doc
    rendering.prepend(head)
    return rendering


def _parse(text: str, notes: list[SourceNote]) -> Any:
    """The page's tree (None for markup without content). Given as UTF-8 bytes: lxml refuses a str
    that starts with an XML declaration (XHTML pages). huge_tree: libxml2 otherwise drops every node
    of a page holding a text node or attribute over 10 MB or elements nested 256 deep; past 2048
    levels it still does (a fatal error), and the page is parsed again through _DepthCapped."""
    import lxml.etree
    import lxml.html

    data = text.encode("utf-8", "replace")
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
        if not any(error.level_name == "FATAL" for error in parser.error_log):
            return root
    except lxml.etree.ParserError:  # 「Document is empty」
        if not any(error.level_name == "FATAL" for error in parser.error_log):
            return None
    capped = _DepthCapped()
    root = lxml.etree.fromstring(data, lxml.etree.HTMLParser(target=capped, encoding="utf-8", huge_tree=True))
    if capped.flattened:
        detail = f"网页元素嵌套超过 {MAX_HTML_DEPTH} 层的上限，更深的 {capped.flattened} 个元素只读取了文字，未保留表格和段落结构 (MAX_HTML_DEPTH)"  # fmt: skip
        notes.append(SourceNote("limit_exceeded", detail))
    return root


class _DepthCapped:
    """lxml parser target that builds the tree MAX_HTML_DEPTH elements deep: the text of deeper
    elements goes to the deepest element built (a block boundary becomes a <br>, so paragraphs stay
    lines), except inside dropped elements (scripts, styles…), whose text is not kept."""

    def __init__(self) -> None:
        import lxml.etree
        import lxml.html

        self.builder = lxml.etree.TreeBuilder(parser=lxml.html.HTMLParser())
        self.depth = 0
        self.flattened = 0  # elements not built
        self.hidden: list[bool] = []  # for each open element past the cap: is its text dropped?
        self.broken = False  # a <br> ends what was built: no text since

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth <= MAX_HTML_DEPTH:
            self.builder.start(tag, attrib)
            return
        self.flattened += 1
        self.hidden.append(tag in _DROPPED or bool(self.hidden and self.hidden[-1]))
        if tag in _BLOCKS or tag in ("br", "td", "th"):
            self._break()

    def end(self, tag: str) -> None:
        if self.depth <= MAX_HTML_DEPTH:
            self.builder.end(tag)
        elif self.hidden:
            if tag in _BLOCKS or tag in ("td", "th"):
                self._break()
            self.hidden.pop()
        self.depth = max(0, self.depth - 1)

    def data(self, data: str) -> None:
        if not (self.hidden and self.hidden[-1]):
            self.builder.data(data)
            self.broken = self.broken and data.isspace()

    def close(self) -> Any:
        return self.builder.close()

    def _break(self) -> None:
        if not (self.broken or (self.hidden and self.hidden[-1])):
            self.builder.start("br", {})
            self.builder.end("br")
            self.broken = True


def _body(root: Any) -> Any:
    for xpath in _BODY_XPATHS:
        found = [el for el in root.xpath(xpath) if el.text_content().strip()]
        if found:
            return max(found, key=lambda el: len(el.text_content()))
    body = root.find("body")
    return body if body is not None else root


def _title(root: Any) -> str:
    for xpath in ("//meta[@name='ArticleTitle']/@content", "//*[contains(@class, 'article_title')]", "//title"):
        for found in root.xpath(xpath):
            text = found if isinstance(found, str) else found.text_content()
            text = " ".join(text.split())
            if text:
                return text
    return ""


def _published(root: Any, article: Any) -> str | None:
    """「发布时间:…」 in the page chrome above the article, else a <meta> date, as YYYY-MM-DD[ HH:MM].

    The article itself is not searched: a date it states is read by the metadata extractor, and
    「时间:」 inside the report (统计时间, 成文日期) is not when the page was published.
    """
    match = _PAGE_DATE.search(" ".join(_text_before(root, article)))
    if match is None:
        for meta in root.xpath("//meta[@name or @property]"):
            name = (meta.get("name") or meta.get("property") or "").lower()
            if name in _META_DATES:
                match = _META_DATE.search(meta.get("content") or "")
                if match:
                    break
    if match is None:
        return None
    year, month, day, clock = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}" + (f" {clock}" if clock else "")


def _text_before(root: Any, article: Any) -> list[str]:
    """The text nodes of <body> that come before the article (title, source, time in most portals)."""
    body = root.find("body")
    enclosing = set(article.iterancestors())  # their tails come after the article
    texts: list[str] = []
    for element in itertools.islice(body.iter() if body is not None else (), _DATE_SEARCH_TEXTS):
        if element is article:
            break
        if isinstance(element.tag, str):
            tail = None if element in enclosing else element.tail
            texts.extend(t for t in (element.text, tail) if t)
    return texts


class _Walker:
    """Depth-first walk that gathers inline text into lines and tables into pipe rows."""

    def __init__(self, rendering: Rendering) -> None:
        self.rendering = rendering
        self.buffer: list[str] = []
        self.size = 0  # characters in the buffer: a line is cut at MAX_LINE_CHARS anyway

    def walk(self, root: Any) -> None:
        import lxml.etree

        events = lxml.etree.iterwalk(root, events=("start", "end"))  # no recursion: pages may nest deep
        for event, element in events:
            if self.rendering.full:
                break
            tag = element.tag.lower()  # elements only: the parser keeps no comments
            block = tag in _BLOCKS or tag in ("td", "th")  # a layout table's cells are blocks
            if event == "end":
                if block:
                    self.flush()
                self._add(element.tail)
            elif tag == "br" or (tag == "table" and _is_data_table(element)):
                self.flush()
                if tag == "table":
                    self.rendering.add(_stray_text(element))
                    self.rendering.add_rows(_table_rows(element))
                events.skip_subtree()
            else:
                if block:
                    self.flush()
                self._add(element.text)
        self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.rendering.add("".join(self.buffer), size=self.size)
            self.buffer = []
            self.size = 0

    def _add(self, text: str | None) -> None:
        if text:
            if self.size <= 2 * MAX_LINE_CHARS:  # past it, Rendering.add would cut it off anyway
                self.buffer.append(text)
            self.size += len(text)


def _is_data_table(table: Any) -> bool:
    """A table of rows and cells; one holding tables lays out the page, one without rows is a wrapper
    (an unclosed <table> around the rest of the page)."""
    return not table.xpath("boolean(.//table)") and table.xpath("boolean(./tr|./thead/tr|./tbody/tr|./tfoot/tr)")


def _stray_text(table: Any) -> str:
    """The text of a table outside its cells (a caption, or text a browser would show above the table)."""
    parts = [table.text]
    for child in table:
        if child.tag in ("thead", "tbody", "tfoot"):
            parts.append(child.text)
            for row in child:
                parts += _row_stray_text(row) if row.tag == "tr" else [row.text_content(), row.tail]
        elif child.tag == "tr":
            parts += _row_stray_text(child)
        else:
            parts.append(child.text_content())
        parts.append(child.tail)
    return " ".join(part for part in parts if part and not part.isspace())


def _row_stray_text(row: Any) -> list[str | None]:
    parts = [row.text]
    for cell in row:
        parts += [cell.tail] if cell.tag in ("td", "th") else [cell.text_content(), cell.tail]
    return [*parts, row.tail]


def _table_rows(table: Any) -> list[list[str | None]]:
    """Each <tr>'s own cells in order (merged cells once, where they start); <br>/<p> as spaces."""
    rows: list[list[str | None]] = []
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        rows.append([_cell_text(td) for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")])
    return rows


def _cell_text(cell: Any) -> str:
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(cell, False)]  # (element, its children are done)
    while stack:
        element, done = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else ""
        if done:
            if tag in _BLOCKS:
                parts.append(" ")
            if element.tail and element is not cell:
                parts.append(element.tail)
            continue
        if tag == "br" or tag in _BLOCKS:
            parts.append(" ")
        if tag and element.text:
            parts.append(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    return "".join(parts)
