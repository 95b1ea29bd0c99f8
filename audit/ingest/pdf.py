"""PDF reports → the stable text rendering (audit.ingest.render), with the page of every line.

Tables are read from their ruling lines (pdfplumber's table finder), never from the text flow: in
the flow the numbers of a tall row print above their label and a label merged over many rows runs
one character per line (../shared/corpus/pdf/labels.yaml). Each page is rendered top to bottom:
the text lines outside every table, and each table's rows as pipe rows (a merged cell once, where
it starts). A table that continues on the next page simply goes on with more rows there; the
cells a merged label leaves blank at the top of the new page are dropped by `pipe_row`.

Many reports draw a frame around the whole page, which the table finder reports as a one-column
table of text lines: such single-cell rows are narrative, and the lines a paragraph wrapped into
are joined back (a sentence such as the statistical period often wraps mid-date). Page numbers
(「- 3 -」, 「第3页」) in the margins are dropped: a lone number between two table rows would read
as a cell.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from audit.ingest.render import Rendering, drop_blank_label_cells, pipe_row, rendered_source
from audit.model import Source

NO_TEXT_LAYER = "PDF 没有文字层，可能是扫描件 (PDF without a text layer: a scan needs OCR)"
UNREADABLE_PAGE = "(第{page}页无法解析 / page {page} could not be read)"
MAX_PAGES = 200  # an annual report has a few dozen; more is not a report, and parsing costs ~0.2 s a page
_PAGE_NUMBER = re.compile(
    r"[-—–－\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4})?(?:\s*(?:共\s*\d+\s*页))?[-—–－\s]*"
)
_MARGIN = 0.08  # share of the page height at the top and bottom where page numbers sit
_PARAGRAPH_END = ("。", "！", "？", "；", ":", "：", "!", "?", ";")
_HEADING = re.compile(r"\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|第二十条)")
_WRAP_SLACK = 20.0  # points: a text line ending this close to the page's right text edge wrapped


@dataclass
class _Block:
    top: float
    text: str
    is_row: bool  # a pipe row (never joined to its neighbours)
    right: float = 0.0  # right edge of a text line's characters


def pdf_source(data: bytes, path: str) -> Source:
    """A Source for a PDF; never raises (an unreadable PDF is a Source with `error`)."""
    try:
        rendering = render_pdf(data)
    except Exception as error:  # pdfminer raises many kinds of error on damaged files  # noqa: BLE001
        reason = f"PDF 文件损坏或无法解析 (unreadable binary input: damaged PDF, {type(error).__name__})"
        return Source(path=path, media_type="application/pdf", size=len(data), error=reason)
    if not rendering.lines:  # pages without a text layer: a scan, which would need OCR
        return Source(path=path, media_type="application/pdf", size=len(data), error=NO_TEXT_LAYER)
    return rendered_source(rendering, path, media_type="application/pdf", size=len(data), paged=True)


def render_pdf(data: bytes) -> Rendering:
    import pdfplumber

    rendering = Rendering()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages[:MAX_PAGES], start=1):
            try:
                lines = _joined(_page_blocks(page))
            except Exception:  # one damaged page: say so where it was, keep the others  # noqa: BLE001
                lines = [UNREADABLE_PAGE.format(page=number)]
            for text in lines:
                rendering.add_raw(text, number)
            page.close()  # frees the page's cached layout objects (large files)
    if rendering.lines and all(
        line == UNREADABLE_PAGE.format(page=p) for line, p in zip(rendering.lines, rendering.pages, strict=True)
    ):
        raise ValueError("no page could be read")
    return rendering


def _page_blocks(page: Any) -> list[_Block]:
    tables = page.find_tables()
    blocks: list[_Block] = []
    outside = page
    for table in tables:
        outside = outside.outside_bbox(table.bbox)
        for row, cells in zip(table.rows, drop_blank_label_cells(table.extract()), strict=False):
            text = pipe_row(cells)
            if not text:
                continue
            if sum(c is not None and bool(c.strip()) for c in cells) > 1:
                blocks.append(_Block(row.bbox[1], text, is_row=True))
            else:  # a caption or a line of narrative inside a page frame
                chars = page.within_bbox(row.bbox).chars
                right = max((c["x1"] for c in chars), default=0.0)
                blocks.append(_Block(row.bbox[1], text, is_row=False, right=right))
    height = float(page.height) or 1.0
    for line in outside.extract_text_lines():
        in_margin = line["top"] < _MARGIN * height or line["bottom"] > (1 - _MARGIN) * height
        if in_margin and _PAGE_NUMBER.fullmatch(line["text"]):
            continue
        blocks.append(_Block(line["top"], line["text"], is_row=False, right=line["x1"]))
    blocks.sort(key=lambda b: b.top)
    return blocks


def _joined(blocks: list[_Block]) -> list[str]:
    """The page's lines, with the lines a paragraph wrapped into joined back into one."""
    right_edge = max((b.right for b in blocks if not b.is_row), default=0.0)
    out: list[str] = []
    open_paragraph = False
    for block in blocks:
        if block.is_row:
            out.append(block.text)
            open_paragraph = False
            continue
        if open_paragraph and not _HEADING.match(block.text):
            out[-1] = _join(out[-1], block.text)
        else:
            out.append(block.text)
        text = block.text.rstrip()
        open_paragraph = not text.endswith(_PARAGRAPH_END) and block.right >= right_edge - _WRAP_SLACK
    return out


def _join(left: str, right: str) -> str:
    if left[-1:].isascii() and right[:1].isascii():
        return f"{left} {right}"
    return left + right
