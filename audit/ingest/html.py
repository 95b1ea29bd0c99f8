"""HTML portal pages → the stable text rendering (audit.ingest.render).

The article body is found by the classes portal CMSs give it (`TRS_Editor`, `article_content`,
`zoom` …), else the whole `<body>`; scripts, styles, forms, navigation and other portal chrome are
dropped, so hostile markup never reaches the rendering (which is plain text, escaped when shown).
Tables with rowspan/colspan become pipe rows; `&nbsp;` is whitespace, so a cell holding only it is
blank; inline elements are joined without spaces (digits split across `<span>`s stay one number).

A page whose body does not state when it was published often has the date in the portal chrome
(「发布时间:」, 「时间:」) or only in `<meta name="PubDate">`: the rendering then starts with the title
and a line `发布时间:YYYY-MM-DD HH:MM` made from it, which the metadata extractor reads like any page.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from audit.ingest.render import Rendering, rendered_source
from audit.ingest.text import DecodeError, decode
from audit.model import Source

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
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article_content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    "//*[@id='zoom' or @id='Zoom' or @id='UCAP-CONTENT' or @id='content' or @id='article']",
    "//article",
)
_META_DATES = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date", "releasedate")
_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?(?:\s+(\d{1,2}:\d{2}))?"
_PAGE_DATE = re.compile(r"(?:发布时间|发布日期|时间|日期)\s*[:：]\s*" + _DATE)
_META_DATE = re.compile(_DATE)
_DATE_SEARCH_TEXTS = 5_000  # elements searched for the publication date (it sits near the top)
_STATED_DATE = re.compile(r"发布(?:时间|日期)\s*[:：]?\s*\d{4}")


def html_source(data: bytes, path: str) -> Source:
    """A Source for an HTML page; never raises (an unusable page is a Source with `error`)."""
    try:
        decoded = decode(data)
    except DecodeError as error:
        return Source(path=path, media_type="text/html", size=len(data), error=str(error))
    try:
        rendering = render_html(decoded.text)
    except Exception:  # lxml cannot build a tree (「Document is empty」 for markup with no content)  # noqa: BLE001
        rendering = Rendering()  # → the empty-input error
    return rendered_source(
        rendering, path, media_type="text/html", size=len(data), paged=False, encoding=decoded.encoding
    )


def render_html(text: str) -> Rendering:
    import lxml.html

    root = lxml.html.document_fromstring(text.replace("\x00", ""))
    title = _title(root)
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROPPED if tag != "head")):
        element.drop_tree()
    body = _body(root)
    published = _published(root, body)
    for element in root.xpath("//head"):
        element.drop_tree()
    rendering = Rendering()
    walker = _Walker(rendering)
    walker.walk(body)
    walker.flush()
    stated = any(_STATED_DATE.search(line) for line in rendering.lines[:20])
    head = [] if not title or (rendering.lines and title in rendering.lines[0]) else [title]
    if published and not stated:
        head.append(f"发布时间:{published}")  # from the page chrome or <meta>; see the module doc
    rendering.lines[:0] = head
    rendering.pages[:0] = [0] * len(head)
    return rendering


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

    def flush(self) -> None:
        if self.buffer:
            self.rendering.add("".join(self.buffer))
            self.buffer = []

    def walk(self, element: Any) -> None:
        if self.rendering.full:
            return
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "table" and not element.xpath(".//table"):
            self.flush()
            self.rendering.add_rows(_table_rows(element))
            return self._tail(element)
        if tag == "br":
            self.flush()
            return self._tail(element)
        block = tag.lower() in _BLOCKS or tag in ("td", "th")  # a layout table's cells are blocks
        if block:
            self.flush()
        if tag and element.text:
            self.buffer.append(element.text)
        for child in element:
            if self.rendering.full:
                break
            self.walk(child)
        if block:
            self.flush()
        return self._tail(element)

    def _tail(self, element: Any) -> None:
        if element.tail:
            self.buffer.append(element.tail)


def _table_rows(table: Any) -> list[list[str | None]]:
    """Each <tr>'s own cells in order (merged cells once, where they start); <br>/<p> as spaces."""
    rows: list[list[str | None]] = []
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        rows.append([_cell_text(td) for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")])
    return rows


def _cell_text(cell: Any) -> str:
    parts: list[str] = []

    def visit(element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br" or tag in _BLOCKS:
            parts.append(" ")
        if tag and element.text:
            parts.append(element.text)
        for child in element:
            visit(child)
        if tag in _BLOCKS:
            parts.append(" ")
        if element.tail and element is not cell:
            parts.append(element.tail)

    visit(cell)
    return "".join(parts)
