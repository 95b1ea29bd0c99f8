"""The same report content as HTML, DOCX, PDF and Markdown files (used by tests/generator.py).

A report's text is read as blocks: narrative lines and tables (runs of pipe rows `a | b | c |`, as the
seed texts print them). A table is laid out on a grid the way a portal prints it: a row shorter than
the widest spans its last cell across the rest (colspan) or is padded with empty cells; a group label
followed by numbered sub-rows one cell shorter (「(三)不予公开 | 1.属于国家秘密 | …」 then
「2.其他法律… | …」) spans those rows (rowspan). The PDF is written by hand: no PDF writer that embeds
Chinese text is installed, so the text uses a non-embedded CID font (Identity-H) with a ToUnicode
map, which every text extractor reads, and tables are drawn as ruled grids (what pdfplumber's table
finder looks for).
"""

from __future__ import annotations

import html
import io
import random
import re
from dataclasses import dataclass, field

_NUMERIC = re.compile(r"[-+]?[\d.,，%万元亿]+")
_SUB_ROW = re.compile(r"\d+[.．、]")


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    width: int
    height: int
    cells: list[Cell] = field(default_factory=list)


Block = str | Table  # a narrative line or a table


def table_cells(line: str) -> list[str] | None:
    """The cells of a pipe row, or None for a narrative line. Trailing padding is dropped (`| ||`:
    a space or less between pipes); a cell printed empty (`|  |`, two spaces) is a blank cell."""
    if "|" not in line:
        return None
    parts = line.split("|")
    while parts and len(parts[-1]) < 2 and not parts[-1].strip():
        parts.pop()
    cells = [c.strip() for c in parts]
    return cells if len(cells) >= 2 or line.rstrip().endswith("|") else None


def blocks(text: str, rng: random.Random) -> list[Block]:
    """Narrative lines and laid-out tables, in order."""
    out: list[Block] = []
    rows: list[list[str]] = []
    for line in text.splitlines():
        cells = table_cells(line)
        if cells is not None and cells:
            rows.append(cells)
            continue
        if rows:
            out.append(layout(rows, rng))
            rows = []
        if line.strip():
            out.append(line.strip())
    if rows:
        out.append(layout(rows, rng))
    return out


def _label(text: str) -> bool:
    return bool(text) and not _NUMERIC.fullmatch(text)


def layout(rows: list[list[str]], rng: random.Random) -> Table:
    """Grid positions of pipe rows: rowspans for group labels, colspans or padding for short rows."""
    width = max(len(r) for r in rows)
    table = Table(width=width, height=len(rows))
    covered: dict[int, int] = {}  # row → columns taken at its left by a rowspan from above
    for r, cells in enumerate(rows):
        start = covered.get(r, 0)
        span = 1
        if start == 0 and len(cells) >= 3 and _label(cells[0]) and _label(cells[1]):
            while (
                r + span < len(rows)
                and len(rows[r + span]) == len(cells) - 1
                and _SUB_ROW.match(rows[r + span][0])
                and covered.get(r + span, 0) == 0
            ):
                span += 1
        for k, text in enumerate(cells):
            col = start + k
            if col >= width:
                break
            cell = Cell(text, r, col)
            if k == 0 and span > 1:
                cell.rowspan = span
                for below in range(r + 1, r + span):
                    covered[below] = 1
            if k == len(cells) - 1 and col < width - 1 and rng.random() < 0.5:
                cell.colspan = width - col
            table.cells.append(cell)
        used = start + len(cells)
        if table.cells and table.cells[-1].row == r and table.cells[-1].colspan == 1:
            table.cells.extend(Cell("", r, c) for c in range(used, width))
    return table


def _title(items: list[Block]) -> str:
    for block in items[:12]:
        if isinstance(block, str) and "报告" in block and len(block) < 80:
            return block
    return "政府信息公开"


# ---------------------------------------------------------------- HTML


def to_html(text: str, rng: random.Random) -> tuple[bytes, str]:
    """A portal page: chrome around the article body, tables with rowspan/colspan. Returns (bytes, encoding)."""
    items = blocks(text, rng)
    title = _title(items)
    body: list[str] = []
    for block in items:
        if isinstance(block, str):
            tag = "h1" if block == title else "p"
            body.append(f"<{tag}>{html.escape(block)}</{tag}>")
            continue
        body.append('<table border="1" cellspacing="0">')
        for r in range(block.height):
            tds = []
            for c in (c for c in block.cells if c.row == r):
                attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                    f' colspan="{c.colspan}"' if c.colspan > 1 else ""
                )
                content = html.escape(c.text) or "&nbsp;"
                if rng.random() < 0.1 and content.isdigit() and len(content) > 1:  # digits split across spans
                    content = f"<span>{content[:1]}</span><span>{content[1:]}</span>"
                tds.append(f"<td{attrs}>{content}</td>")
            body.append(f"<tr>{''.join(tds)}</tr>")
        body.append("</table>")
    encoding = rng.choice(["utf-8", "utf-8", "gb18030"])
    charset = "gb2312" if encoding == "gb18030" else "utf-8"
    page = (
        f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>{html.escape(title)}</title>'
        "<script>var x = 1 < 2;</script></head>\n<body>\n"
        '<div class="nav">首页 &gt; 政务公开 &gt; 政府信息公开年报</div>\n'
        '<div class="TRS_Editor">\n' + "\n".join(body) + "\n</div>\n<div class='footer'>主办单位</div></body></html>\n"
    )
    return page.encode(encoding, errors="replace"), encoding


# ---------------------------------------------------------------- Markdown


def to_markdown(text: str, rng: random.Random) -> bytes:
    """A converter's Markdown: `#` title, paragraphs between blank lines, `| a | b |` tables."""
    items = blocks(text, rng)
    title = _title(items)
    out: list[str] = []
    for block in items:
        if isinstance(block, str):
            out.append(f"# {block}" if block == title else block)
            out.append("")
            continue
        grid = [[""] * block.width for _ in range(block.height)]
        for c in block.cells:
            grid[c.row][c.col] = c.text.replace("|", "\\|")
        for r, row in enumerate(grid):
            out.append("| " + " | ".join(row) + " |")
            if r == 0:
                out.append("|" + "---|" * block.width)
        out.append("")
    return "\n".join(out).encode("utf-8")


# ---------------------------------------------------------------- DOCX


def to_docx(text: str, rng: random.Random) -> bytes:
    """A Word file: paragraphs and real tables (merged cells where the grid spans)."""
    import docx

    document = docx.Document()
    for block in blocks(text, rng):
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=block.height, cols=block.width)
        grid = table._cells  # row by row, before any merge (table.cell() walks the whole table each call)
        for c in block.cells:
            cell = grid[c.row * block.width + c.col]
            if c.rowspan > 1 or c.colspan > 1:
                bottom = min(block.height, c.row + c.rowspan) - 1
                right = min(block.width, c.col + c.colspan) - 1
                cell = cell.merge(grid[bottom * block.width + right])  # spans never overlap: the cells stay valid
            cell.text = c.text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- PDF

_PAGE_W, _PAGE_H, _MARGIN = 595.0, 842.0, 50.0
_TEXT_SIZE, _CELL_SIZE = 10.5, 7.0
TABLE_GAP = 4.0  # points between a text line's baseline and the table below (clear of descenders)


def _width(text: str, size: float) -> float:
    return sum(size * (0.5 if ord(ch) < 128 else 1.0) for ch in text)


def _wrap(text: str, size: float, width: float) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if current and _width(current + ch, size) > width:
            lines.append(current)
            current = ""
        current += ch
    return [*lines, current] if current else lines or [""]


def _hex(text: str) -> str:
    return "".join(f"{ord(ch) if ord(ch) < 0x10000 else 0x3F:04X}" for ch in text)


class _Pages:
    """Content streams of A4 pages, filled top to bottom."""

    def __init__(self) -> None:
        self.streams: list[list[str]] = [[]]
        self.y = _PAGE_H - _MARGIN
        self.chars: set[str] = set()

    def room(self, height: float) -> None:
        if self.y - height < _MARGIN:
            self.streams.append([])
            self.y = _PAGE_H - _MARGIN

    def text(self, x: float, y: float, text: str, size: float, page: int = -1) -> None:
        self.chars.update(ch if ord(ch) < 0x10000 else "?" for ch in text)
        self.streams[page].append(f"BT /F1 {size:g} Tf {x:.2f} {y:.2f} Td <{_hex(text)}> Tj ET")

    def rect(self, x: float, y: float, w: float, h: float, page: int) -> None:
        self.streams[page].append(f"{x:.2f} {y:.2f} {w:.2f} {h:.2f} re S")


def _pdf_table(pages: _Pages, table: Table) -> None:
    col_w = (_PAGE_W - 2 * _MARGIN) / table.width
    lines_in: dict[int, int] = {r: 1 for r in range(table.height)}
    wrapped: dict[int, list[str]] = {}
    for i, c in enumerate(table.cells):
        wrapped[i] = _wrap(c.text, _CELL_SIZE, col_w * c.colspan - 4)
        if c.rowspan == 1:
            lines_in[c.row] = max(lines_in[c.row], len(wrapped[i]))
    heights = {r: n * (_CELL_SIZE + 2) + 4 for r, n in lines_in.items()}
    # a group of rows bound by a rowspan moves to the next page whole
    group_end = {r: r for r in range(table.height)}
    for c in table.cells:
        for r in range(c.row, c.row + c.rowspan):
            group_end[c.row] = max(group_end[c.row], min(table.height - 1, r))
    tops: dict[int, tuple[int, float]] = {}  # row → (page, top y)
    pages.y -= TABLE_GAP
    r = 0
    while r < table.height:
        end = group_end[r]
        pages.room(sum(heights[k] for k in range(r, end + 1)))
        for k in range(r, end + 1):
            tops[k] = (len(pages.streams) - 1, pages.y)
            pages.y -= heights[k]
        r = end + 1
    for i, c in enumerate(table.cells):
        page, top = tops[c.row]
        last = min(table.height - 1, c.row + c.rowspan - 1)
        height = sum(heights[k] for k in range(c.row, last + 1) if tops[k][0] == page)
        x = _MARGIN + c.col * col_w
        pages.rect(x, top - height, col_w * c.colspan, height, page)
        for n, line in enumerate(wrapped[i]):
            if line:
                pages.text(x + 2, top - (n + 1) * (_CELL_SIZE + 2), line, _CELL_SIZE, page)
    pages.y -= 6


def to_pdf(text: str, rng: random.Random) -> bytes:
    """A PDF of the report: wrapped paragraphs, ruled tables, pages numbered in the bottom margin."""
    pages = _Pages()
    width = _PAGE_W - 2 * _MARGIN
    for block in blocks(text, rng):
        if isinstance(block, Table):
            _pdf_table(pages, block)
            continue
        for line in _wrap(block, _TEXT_SIZE, width):
            pages.room(_TEXT_SIZE * 1.6)
            pages.y -= _TEXT_SIZE * 1.6
            pages.text(_MARGIN, pages.y, line, _TEXT_SIZE)
    for number in range(len(pages.streams)):
        pages.text(_PAGE_W / 2 - 10, _MARGIN / 2, f"- {number + 1} -", 9, page=number)
    return _pdf_file([("\n".join(s)).encode("ascii") for s in pages.streams], pages.chars)


def _to_unicode(chars: set[str]) -> bytes:
    codes = sorted({ord(ch) for ch in chars})
    parts = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for i in range(0, len(codes), 100):
        chunk = codes[i : i + 100]
        parts.append(f"{len(chunk)} beginbfchar")
        parts.extend(f"<{c:04X}> <{c:04X}>" for c in chunk)
        parts.append("endbfchar")
    parts.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    return "\n".join(parts).encode("ascii")


def _pdf_file(streams: list[bytes], chars: set[str]) -> bytes:
    n_pages = len(streams)
    # objects: 1 catalog, 2 pages, 3 Type0 font, 4 CIDFont, 5 descriptor, 6 ToUnicode, then page/content pairs
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{7 + 2 * i} 0 R".encode() for i in range(n_pages))
        + f"] /Count {n_pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 6 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor 5 0 R /DW 1000 /W [32 126 500] >>",
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] "
        b"/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>",
        _stream(_to_unicode(chars)),
    ]
    for i, content in enumerate(streams):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_W:g} {_PAGE_H:g}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {8 + 2 * i} 0 R >>".encode()
        )
        objects.append(_stream(content))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes) -> bytes:
    return f"<< /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"
