"""Word (.docx) reports → the stable text rendering (audit.ingest.render).

python-docx opens the package; the body is then walked in document order, so paragraphs and tables
interleave as printed. A table cell merged across columns (`gridSpan`) is one cell; a cell merged
down rows (`vMerge`) is rendered in the row where it starts and counts as covered below, so group
labels stand on the first row of their group as in scraped portal text. Other ZIP containers
(XLSX, ODT …) are not reports this reader knows: they are unreadable inputs, never a crash.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from audit.ingest.render import Rendering, drop_blank_label_cells, rendered_source
from audit.ingest.text import BINARY
from audit.model import Source

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A document.xml larger than this uncompressed is a ZIP bomb, not a report (reports are < 5 MB).
MAX_DOCUMENT_XML = 100 * 1024 * 1024


def zip_source(data: bytes, path: str) -> Source:
    """A Source for a ZIP container: a Word document is read, anything else is unsupported."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            info = package.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):
        return Source(path=path, media_type="application/zip", size=len(data), error=BINARY)
    if info.file_size > MAX_DOCUMENT_XML:
        return Source(path=path, media_type=DOCX, size=len(data), error=f"{BINARY}: word/document.xml too large")
    try:
        rendering = render_docx(data)
    except Exception as error:  # python-docx/lxml/zipfile raise many kinds on damaged files  # noqa: BLE001
        reason = f"Word 文档损坏或无法解析 (unreadable binary input: damaged DOCX, {type(error).__name__})"
        return Source(path=path, media_type=DOCX, size=len(data), error=reason)
    return rendered_source(rendering, path, media_type=DOCX, size=len(data), paged=False)


def render_docx(data: bytes) -> Rendering:
    import docx

    body = docx.Document(io.BytesIO(data)).element.body
    rendering = Rendering()
    _walk(body, rendering)
    return rendering


def _walk(container: Any, rendering: Rendering) -> None:
    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            rendering.add(_text(child))
        elif child.tag == f"{_W}tbl":
            rendering.add_rows(drop_blank_label_cells(_table_grid(child)))
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            _walk(child, rendering)  # content controls wrap ordinary paragraphs and tables


def _text(element: Any) -> str:
    """The visible text under `element`: runs joined, tabs and breaks as spaces, paragraphs apart."""
    parts: list[str] = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}p"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        else:
            parts.append(" ")
    return "".join(parts)


def _table_grid(table: Any) -> list[list[str | None]]:
    """Each row's own cells; a cell continuing a vertical merge is None (covered)."""
    grid: list[list[str | None]] = []
    for tr in table.iterchildren(f"{_W}tr"):
        row: list[str | None] = []
        for tc in tr.iter(f"{_W}tc"):
            if tc.getparent() is not tr and tc.getparent().tag != f"{_W}sdtContent":
                continue  # a cell of a table nested in this row: its text is in the outer cell
            row.append(None if _continues_merge(tc) else _text(tc))
        grid.append(row)
    return grid


def _continues_merge(tc: Any) -> bool:
    merge = tc.find(f"{_W}tcPr/{_W}vMerge")
    return merge is not None and merge.get(f"{_W}val") in (None, "continue")
