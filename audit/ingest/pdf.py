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

Every page costs bounded time and memory, and every cut is reported (a SourceNote, never a silent
drop): pages past MAX_PAGES are not read; a page whose content streams inflate beyond their limit or
that draws too many objects is skipped; a page with too many ruling lines for the table finder (whose
cost grows with their square) or too many tables is read, the surplus as plain text lines; and the
whole file has a budget of content bytes and objects, past which the remaining pages are not read.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from audit.ingest.render import Rendering, drop_blank_label_cells, pipe_row, rendered_source
from audit.model import Source, SourceNote

NO_TEXT_LAYER = "PDF 没有文字层，可能是扫描件 (PDF without a text layer: a scan needs OCR)"
ENCRYPTED = "PDF 已加密，需要密码才能读取 (unreadable binary input: encrypted PDF, a password is needed)"
DAMAGED = "PDF 文件损坏或无法解析 (unreadable binary input: damaged PDF, {reason})"
NOTHING_READ = "PDF 超出读取上限，没有读到文字 (binary input over the limits, no text read): {notes}"
UNREADABLE_PAGE = "(第{page}页无法解析 / page {page} could not be read)"

# Limits (why these values). Measured costs: pdfminer interprets ~30 µs per drawn character and
# ~3.5 µs per byte of content that draws nothing; the corpus pages hold 4–41 KB of content, ≤ 600
# characters and ≤ 600 ruling edges, and read in ≤ 0.2 s each.
MAX_PAGES = 200  # an annual report has a few dozen pages; more is not a report
# A page's content streams (and the forms it draws), inflated: 50× the densest corpus page, and
# interpreting it costs ≤ 7 s; a Flate bomb is measured through a bounded inflater, never inflated whole.
MAX_PAGE_CONTENT_BYTES = 2 * 1024 * 1024
MAX_CONTENT_BYTES = 16 * 1024 * 1024  # the whole file: 400 pages of the densest corpus kind
# What one page draws: characters (counted as the bytes of their codes, so a two-byte CJK character
# counts twice), paths, images and forms. 50,000 is ~15× a dense CJK text page, ~1.5 s to interpret.
MAX_PAGE_OBJECTS = 50_000
# Drawing a form (an XObject of content) costs ~13 characters' worth of interpretation, and nested
# forms multiply (each draws the next twice: 2^n draws), so each draw counts as this many objects.
FORM_COST = 16
MAX_OBJECTS = 1_000_000  # the whole file: 200 pages of 5,000 characters, ~30 s to interpret
# The table finder compares every vertical with every horizontal edge: 1,500 edges (2.5× the densest
# corpus page) cost ~0.7 s; past this the page is read as plain text lines.
MAX_TABLE_EDGES = 1_500
MAX_TABLE_EDGES_TOTAL = 20_000  # the whole file: ~35 table pages of the corpus kind; ≤ ~25 s at worst
# Tables on one page: the corpus has ≤ 3. Each is extracted by passes over the page's characters
# (a page of 250 tiny tables still takes ~1.7 s with this cap); tables past it are read as plain text.
MAX_TABLES_PER_PAGE = 50
# Objects in the file (「12 0 obj」): a 200-page report has ~10,000. When the cross-reference table
# is damaged, pdfminer parses every one before the first page (~35 µs each): 100,000 cost ≤ ~4 s.
MAX_FILE_OBJECTS = 100_000
# Object and cross-reference streams, which pdfminer inflates whole in memory (a report's hold well
# under 1 MB): their total is measured through a bounded inflater before pdfminer sees the file.
MAX_OBJECT_STREAM_BYTES = 16 * 1024 * 1024
TOO_MANY_OBJECTS = f"PDF 的对象超过上限 {MAX_FILE_OBJECTS:,} 个 (binary input over the limit: more than {MAX_FILE_OBJECTS:,} PDF objects)"
OBJECT_STREAMS_TOO_LARGE = (
    f"PDF 的对象流解压后超过上限 {MAX_OBJECT_STREAM_BYTES // 1024 // 1024} MB "
    f"(binary input over the limit: object streams inflate beyond {MAX_OBJECT_STREAM_BYTES // 1024 // 1024} MB)"
)
_OBJECT = re.compile(rb"\d\s+obj\b")
_STRUCTURE_STREAM = re.compile(rb"/Type\s*/(?:ObjStm|XRef)\b")
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
    media_type = "application/pdf"
    refused = _over_file_limits(data)
    if refused:
        return Source(path=path, media_type=media_type, size=len(data), error=refused)
    try:
        rendering, notes = render_pdf(data)
    except Exception as error:  # pdfminer raises many kinds of error on damaged files  # noqa: BLE001
        cause = error.args[0] if error.args and isinstance(error.args[0], Exception) else error  # pdfplumber wraps
        reason = ENCRYPTED if _encrypted(cause) else DAMAGED.format(reason=type(cause).__name__)
        return Source(path=path, media_type=media_type, size=len(data), error=reason)
    if not rendering.lines and notes:  # every page was over a limit
        reason = NOTHING_READ.format(notes="；".join(n.detail for n in notes))
        return Source(path=path, media_type=media_type, size=len(data), error=reason, notes=notes)
    if not rendering.lines:  # pages without a text layer: a scan, which would need OCR
        return Source(path=path, media_type=media_type, size=len(data), error=NO_TEXT_LAYER)
    source = rendered_source(rendering, path, media_type=media_type, size=len(data), paged=True)
    source.notes.extend(notes)
    return source


def _encrypted(error: Exception) -> bool:
    from pdfminer.pdfdocument import PDFEncryptionError

    return isinstance(error, PDFEncryptionError)


def _over_file_limits(data: bytes) -> str | None:
    """Why the file is refused before pdfminer parses it (work pdfminer would do up front), if it is."""
    if sum(1 for _ in itertools.islice(_OBJECT.finditer(data), MAX_FILE_OBJECTS + 1)) > MAX_FILE_OBJECTS:
        return TOO_MANY_OBJECTS
    left = MAX_OBJECT_STREAM_BYTES
    view = memoryview(data)
    for match in _STRUCTURE_STREAM.finditer(data):
        start = data.find(b"stream", match.end(), match.end() + 4096)
        if start >= 0:
            start += 8 if data[start + 6 : start + 8] == b"\r\n" else 7  # the keyword and its end of line
            left -= _inflated_bytes(view[start:], left)
            if left < 0:
                return OBJECT_STREAMS_TOO_LARGE
    return None


@dataclass
class _Budget:
    """What is left of the whole file's budgets, and the notes of the limits hit so far."""

    content: int
    objects: int
    table_edges: int
    notes: list[SourceNote] = field(default_factory=list)

    def note(self, detail: str) -> None:
        self.notes.append(SourceNote("limit_exceeded", detail))


class _OverLimit(Exception):
    """A page over a per-page limit (skipped) or over the file's budget (reading stops there)."""

    def __init__(self, detail: str, *, stop: bool) -> None:
        super().__init__(detail)
        self.stop = stop


def render_pdf(data: bytes) -> tuple[Rendering, list[SourceNote]]:
    import pdfplumber
    from pdfminer.pdfpage import PDFPage

    rendering = Rendering()
    budget = _Budget(MAX_CONTENT_BYTES, MAX_OBJECTS, MAX_TABLE_EDGES_TOTAL)
    # Not `with`: closing a pdfplumber.PDF builds a Page for every page of the file. Pages are
    # taken one at a time from the page tree, so a file of 100,000 pages costs no more than 201.
    pdf = pdfplumber.PDF(io.BytesIO(data))
    doctop = 0.0
    for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        if number > MAX_PAGES:
            budget.note(_pages_not_read(pdf.doc))
            break
        page = pdfplumber.page.Page(pdf, page_obj, page_number=number, initial_doctop=doctop)
        doctop += float(page.height)
        try:
            lines = _read_page(page, number, budget)
        except _OverLimit as over:
            budget.note(str(over))
            if over.stop:
                break
            continue
        except Exception:  # one damaged page: say so where it was, keep the others  # noqa: BLE001
            lines = [UNREADABLE_PAGE.format(page=number)]
        finally:
            page.close()  # frees the page's cached layout objects (large files)
        for text in lines:
            rendering.add_raw(text, number)
    if rendering.lines and all(
        line == UNREADABLE_PAGE.format(page=p) for line, p in zip(rendering.lines, rendering.pages, strict=True)
    ):
        raise ValueError("no page could be read")
    return rendering, budget.notes


def _pages_not_read(doc: Any) -> str:
    from pdfminer.pdftypes import resolve1

    try:  # the page count the page tree declares (the tree itself is not walked further)
        count = resolve1(resolve1(doc.catalog["Pages"])["Count"])
    except Exception:  # noqa: BLE001
        count = None
    if isinstance(count, int) and count > MAX_PAGES:
        return (
            f"PDF 共 {count} 页，超过页数上限 {MAX_PAGES} 页：只读取了前 {MAX_PAGES} 页，其余 {count - MAX_PAGES} 页未读取 "
            f"(page cap {MAX_PAGES}: {count - MAX_PAGES} pages not read)"
        )
    return f"PDF 超过页数上限 {MAX_PAGES} 页：只读取了前 {MAX_PAGES} 页，其余页未读取 (page cap {MAX_PAGES}: the rest not read)"


def _read_page(page: Any, number: int, budget: _Budget) -> list[str]:
    """The page's lines, within the per-page limits and what is left of the file's budget."""
    content = _content_bytes(page.page_obj, min(MAX_PAGE_CONTENT_BYTES, budget.content))
    if content > MAX_PAGE_CONTENT_BYTES:
        raise _OverLimit(
            f"第{number}页的内容流解压后超过每页上限 {_mib(MAX_PAGE_CONTENT_BYTES)}，该页未读取 "
            f"(page {number} not read: content over the per-page limit)",
            stop=False,
        )
    if content > budget.content:
        raise _OverLimit(
            f"PDF 内容流解压后累计超过上限 {_mib(MAX_CONTENT_BYTES)}：第{number}页起未读取 "
            f"(content over the per-file limit: pages {number}+ not read)",
            stop=True,
        )
    budget.content -= content
    _lay_out(page, number, budget)
    return _joined(_page_blocks(page, number, budget))


def _content_bytes(page_obj: Any, limit: int) -> int:
    """Inflated size of the page's content streams and the forms it draws, counted to `limit` + 1 at most."""
    from pdfminer.pdftypes import PDFStream, resolve1

    streams = [resolve1(c) for c in page_obj.contents]
    resources = page_obj.resources if isinstance(page_obj.resources, dict) else {}
    xobjects = resolve1(resources.get("XObject"))
    if isinstance(xobjects, dict):
        streams += [x for x in map(resolve1, xobjects.values()) if isinstance(x, PDFStream) and _is_form(x)]
    total = 0
    for stream in streams:
        if isinstance(stream, PDFStream):
            total += _stream_bytes(stream, limit - total)
            if total > limit:
                break
    return total


def _is_form(stream: Any) -> bool:
    return getattr(stream.get("Subtype"), "name", None) == "Form"


def _stream_bytes(stream: Any, limit: int) -> int:
    """A stream's inflated size, more than `limit` as soon as that is known (a bomb is never inflated)."""
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE

    if stream.data is not None:
        return len(stream.data)
    raw = stream.rawdata or b""
    if stream.decipher and stream.objid is not None:
        raw = stream.decipher(stream.objid, stream.genno, raw, stream.attrs)
    filters = [f for f, _ in stream.get_filters()]
    if not filters:
        return len(raw)
    if filters == [LITERALS_FLATE_DECODE[0]] or filters == [LITERALS_FLATE_DECODE[1]]:
        return _inflated_bytes(raw, limit)
    return len(stream.get_data())  # other filters (rare in content streams) are decoded by pdfminer


def _inflated_bytes(raw: bytes | memoryview, limit: int) -> int:
    """The size `raw` inflates to (Flate), or `limit` + 1 once it is past `limit`; memory stays bounded."""
    inflater = zlib.decompressobj()
    size = 0
    try:
        for start in range(0, len(raw), 64 * 1024):
            size += len(inflater.decompress(raw[start : start + 64 * 1024], limit + 1 - size))
            if size > limit or inflater.unconsumed_tail:
                return limit + 1
            if inflater.eof:
                break
    except zlib.error:
        pass  # pdfminer reads what inflates before the damage
    return size


def _lay_out(page: Any, number: int, budget: _Budget) -> None:
    """Interprets the page as pdfplumber's Page.layout does, with a device that counts what is drawn
    (charged to the budget, also when the page is over its limit: the work was done)."""
    from pdfminer.pdfinterp import PDFPageInterpreter

    limit = min(MAX_PAGE_OBJECTS, budget.objects)
    device = _counting_device()(page.pdf.rsrcmgr, pageno=number, laparams=page.pdf.laparams, limit=limit)
    try:
        PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    except _TooManyObjects:
        budget.objects -= limit
        if limit == MAX_PAGE_OBJECTS:
            raise _OverLimit(
                f"第{number}页绘制的对象超过每页上限 {MAX_PAGE_OBJECTS:,} 个，该页未读取 "
                f"(page {number} not read: over {MAX_PAGE_OBJECTS:,} drawn objects)",
                stop=False,
            ) from None
        raise _OverLimit(
            f"PDF 绘制的对象累计超过上限 {MAX_OBJECTS:,} 个：第{number}页起未读取 "
            f"(drawn objects over the per-file limit: pages {number}+ not read)",
            stop=True,
        ) from None
    budget.objects -= device.count
    page._layout = device.get_result()  # what pdfplumber's Page.layout would compute, unbounded


class _TooManyObjects(Exception):
    pass


@functools.cache
def _counting_device() -> Any:
    """pdfplumber's layout device, counting what the page draws and stopping past `limit`."""
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    class CountingDevice(PDFPageAggregatorWithMarkedContent):
        def __init__(self, *args: Any, limit: int, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.count = 0
            self.limit = limit

        def _spend(self, cost: int = 1) -> None:
            self.count += cost
            if self.count > self.limit:
                raise _TooManyObjects

        def render_string(self, textstate: Any, seq: Any, *args: Any) -> None:
            self._spend(sum(len(x) for x in seq if isinstance(x, bytes)))  # ≥ the characters drawn
            super().render_string(textstate, seq, *args)

        def paint_path(self, *args: Any, **kwargs: Any) -> None:
            self._spend()
            super().paint_path(*args, **kwargs)

        def render_image(self, *args: Any, **kwargs: Any) -> None:
            self._spend()
            super().render_image(*args, **kwargs)

        def begin_figure(self, *args: Any, **kwargs: Any) -> None:
            self._spend(FORM_COST)
            super().begin_figure(*args, **kwargs)

    return CountingDevice


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def _page_blocks(page: Any, number: int, budget: _Budget) -> list[_Block]:
    tables = _tables(page, number, budget)
    blocks: list[_Block] = []
    for table in tables:
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
    for line in _outside(page, [t.bbox for t in tables]).extract_text_lines():
        in_margin = line["top"] < _MARGIN * height or line["bottom"] > (1 - _MARGIN) * height
        if in_margin and _PAGE_NUMBER.fullmatch(line["text"]):
            continue
        blocks.append(_Block(line["top"], line["text"], is_row=False, right=line["x1"]))
    blocks.sort(key=lambda b: b.top)
    return blocks


def _tables(page: Any, number: int, budget: _Budget) -> list[Any]:
    """The page's ruled tables, within the limits; a page past them is read (partly) as plain text."""
    edges = len(page.edges)
    if edges > min(MAX_TABLE_EDGES, budget.table_edges):
        over = MAX_TABLE_EDGES if edges > MAX_TABLE_EDGES else MAX_TABLE_EDGES_TOTAL
        what = "每页上限" if over == MAX_TABLE_EDGES else "全文件累计上限"
        budget.note(
            f"第{number}页有 {edges:,} 条表格线，超过{what} {over:,} 条：该页不识别表格，按纯文字行读取 "
            f"(page {number}: {edges:,} ruling edges over the limit, read as plain text lines)"
        )
        return []
    budget.table_edges -= edges
    tables = list(page.find_tables())
    if len(tables) > MAX_TABLES_PER_PAGE:
        budget.note(
            f"第{number}页有 {len(tables):,} 个表格，超过每页上限 {MAX_TABLES_PER_PAGE} 个："
            f"其余 {len(tables) - MAX_TABLES_PER_PAGE:,} 个按纯文字行读取 "
            f"(page {number}: tables past {MAX_TABLES_PER_PAGE} read as plain text lines)"
        )
    return tables[:MAX_TABLES_PER_PAGE]


def _outside(page: Any, boxes: list[tuple[float, float, float, float]]) -> Any:
    """The page without the objects that touch any of `boxes` (one pass, however many tables) — but a
    character whose middle is above or below a box stays: a heading set flush on a table, its
    descenders touching the top rule, was lost."""
    from pdfplumber.utils import get_bbox_overlap, obj_to_bbox

    if not boxes:
        return page

    def outside(obj: dict[str, Any]) -> bool:
        middle = (obj["top"] + obj["bottom"]) / 2 if "text" in obj else None
        return all(
            get_bbox_overlap(obj_to_bbox(obj), box) is None or (middle is not None and not box[1] <= middle <= box[3])
            for box in boxes
        )

    return page.filter(outside)


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
