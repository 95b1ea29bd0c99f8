"""Word (.docx) reports → the stable text rendering (audit.ingest.render).

The package is checked before anything is inflated: its directory, the
declared size of every part, encryption, and whether it is a Word document at all (XLSX, ODT and plain
ZIP files are unreadable inputs, never a crash). Only the main document part is inflated, through a
bounded stream, and parsed with lxml the way python-docx parses it; images and other parts the text
does not need are never decompressed, so a ZIP bomb hidden in one costs nothing (one over the limits
is named in a SourceNote).

The body is walked in document order, so paragraphs and tables interleave as printed. A table cell
merged across columns (`gridSpan`) is one cell; a cell merged down rows (`vMerge`) is rendered in the
row where it starts and counts as covered below, so group labels stand on the first row of their
group as in scraped portal text.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from audit.ingest.render import Rendering, drop_blank_label_cells, rendered_source
from audit.model import Source, SourceNote

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Limits (why these values):
# A Word report is ~20 parts plus one per image; thousands of members make a data archive, not a
# report, and zipfile builds an object (~0.6 KB) for every directory entry before anything is read.
MAX_MEMBERS = 2_000
# The central directory of 2,000 members with ordinary names fits in well under 1 MiB; zipfile reads
# the whole directory at once, so its size is checked from the end record before zipfile sees it.
MAX_DIRECTORY_BYTES = 1024 * 1024
# One part inflated and parsed: a 100-page table-heavy report's document.xml is ~5 MB; lxml needs
# ~7 bytes of memory per byte of XML, so 32 MiB keeps a worst case near 250 MB and 3 s.
MAX_PART_BYTES = 32 * 1024 * 1024
# Declared uncompressed size of the whole package: a report with photos is well under 100 MB. Parts
# the text does not need are never inflated, so beyond this (a ZIP bomb) the text is still read.
MAX_PACKAGE_BYTES = 256 * 1024 * 1024

_MAIN_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    }
)
# python-docx's own parser settings (docx.oxml.parser), so the text reads exactly as it did through
# python-docx: no entity expansion (billion laughs), no network, libxml2's default depth/size guards.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"

DAMAGED = "Word 文档损坏或无法解析 (unreadable binary input: damaged DOCX, {reason})"
DAMAGED_ZIP = "ZIP 文件损坏，无法打开 (unreadable binary input: damaged ZIP, {reason})"
NOT_DOCX = (
    "ZIP 压缩包不是 Word 文档，而是{kind} (unsupported binary input: a ZIP container that is not a DOCX but {kind_en})"
)
ENCRYPTED = "Word 文档的部件 {name} 已加密，无法读取 (unreadable binary input: encrypted ZIP member {name})"
TOO_MANY = (
    "ZIP 压缩包目录过大：{count:,} 个成员、目录 {size}，上限 {limit:,} 个成员、目录 {size_limit} "
    "(binary input over the limit: ZIP directory of {count:,} members)"
)
PART_TOO_LARGE = (
    "Word 文档的部件 {name} 解压后超过单个部件上限 {limit} "
    "(binary input over the limit: part {name} inflates beyond {limit})"
)
# What zipfile and zlib raise on damaged archives and members.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error, NotImplementedError, zlib.error, RuntimeError)  # fmt: skip


def zip_source(data: bytes, path: str) -> Source:
    """A Source for a ZIP container: a Word document is read, anything else is an unreadable input."""
    try:
        part = read_main_part(data)
    except NotRead as refused:
        return Source(path=path, media_type=refused.media_type, size=len(data), error=str(refused))
    try:
        rendering = render_docx(part.xml)
    except Exception as error:  # lxml raises many kinds on damaged XML  # noqa: BLE001
        return Source(path=path, media_type=DOCX, size=len(data), error=DAMAGED.format(reason=type(error).__name__))
    source = rendered_source(rendering, path, media_type=DOCX, size=len(data), paged=False)
    source.notes.extend(part.notes)
    return source


class NotRead(Exception):
    """The package is refused; `str()` is the Source.error (中文 + English)."""

    def __init__(self, reason: str, media_type: str = DOCX) -> None:
        super().__init__(reason)
        self.media_type = media_type


@dataclass
class MainPart:
    xml: bytes  # the main document part (word/document.xml), inflated
    notes: list[SourceNote] = field(default_factory=list)  # parts over a limit that were not read


def read_main_part(data: bytes) -> MainPart:
    """The main document part of a Word package, read within the limits above; raises NotRead."""
    _check_directory(data)
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as error:
        raise NotRead(DAMAGED_ZIP.format(reason=type(error).__name__), ZIP) from error
    with package:
        members = package.infolist()
        if len(members) > MAX_MEMBERS:  # the end record understated the count
            raise NotRead(_too_many(len(members), 0), ZIP)
        name = _main_part_name(package)
        xml = _read(package, name)
        return MainPart(xml, _unread_parts(members, needed={name, "[Content_Types].xml", "_rels/.rels"}))


def _check_directory(data: bytes) -> None:
    """Refuses a ZIP whose directory is too large to list, from its end record, before zipfile lists it."""
    at = len(data) - 22  # zipfile's own search: an end record without comment last, else the last one
    if data[at : at + 4] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if at < 0 or len(data) < at + 22:
        return  # no end record: zipfile will call the file damaged
    count, size = struct.unpack_from("<HI", data, at + 10)
    if (count == 0xFFFF or size == 0xFFFFFFFF) and at >= 76 and data[at - 76 : at - 72] == b"PK\x06\x06":
        count, size = struct.unpack_from("<QQ", data, at - 76 + 32)  # ZIP64 end record
    if count > MAX_MEMBERS or size > MAX_DIRECTORY_BYTES:
        raise NotRead(_too_many(count, size), ZIP)


def _too_many(count: int, size: int) -> str:
    return TOO_MANY.format(count=count, size=_mib(size), limit=MAX_MEMBERS, size_limit=_mib(MAX_DIRECTORY_BYTES))


def _main_part_name(package: zipfile.ZipFile) -> str:
    """The part the package's officeDocument relationship names, if its content type is Word's."""
    names = set(package.namelist())
    target = None
    if "_rels/.rels" in names:
        for rel in _parse(package, "_rels/.rels").iter(f"{_RELS}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                target = posixpath.normpath("/" + rel.get("Target", "")).lstrip("/")
                break
    if target is None and "word/document.xml" in names:
        raise NotRead(DAMAGED.format(reason="no officeDocument relationship"))
    if target is not None and "[Content_Types].xml" not in names:
        raise NotRead(DAMAGED.format(reason="no [Content_Types].xml"))
    content_type = _content_type(package, target) if target else None
    if content_type not in _MAIN_TYPES:
        kind, kind_en = _kind(package, names, content_type or "")
        raise NotRead(NOT_DOCX.format(kind=kind, kind_en=kind_en), ZIP)
    if target not in names:
        raise NotRead(DAMAGED.format(reason=f"{target} missing"))
    return str(target)


def _content_type(package: zipfile.ZipFile, name: str) -> str | None:
    types = _parse(package, "[Content_Types].xml")
    for override in types.iter(f"{_TYPES}Override"):
        if override.get("PartName", "").lower() == f"/{name}".lower():
            return override.get("ContentType")
    extension = posixpath.splitext(name)[1].lstrip(".").lower()
    for default in types.iter(f"{_TYPES}Default"):
        if default.get("Extension", "").lower() == extension:
            return default.get("ContentType")
    return None


def _kind(package: zipfile.ZipFile, names: set[str], content_type: str) -> tuple[str, str]:
    if "spreadsheetml" in content_type or "xl/workbook.xml" in names:
        return "Excel 表格", "an XLSX workbook"
    if "presentationml" in content_type or "ppt/presentation.xml" in names:
        return "PowerPoint 演示文稿", "a PPTX presentation"
    if "mimetype" in names and _opendocument(package):
        return "OpenDocument 文档", "an OpenDocument (ODT/ODS) file"
    return "普通压缩包", "a plain ZIP archive"


def _opendocument(package: zipfile.ZipFile) -> bool:
    try:
        return _read(package, "mimetype", 256).startswith(b"application/vnd.oasis.opendocument")
    except NotRead:
        return False


def _parse(package: zipfile.ZipFile, name: str) -> Any:
    try:
        return etree.fromstring(_read(package, name), _PARSER)
    except etree.XMLSyntaxError as error:
        raise NotRead(DAMAGED.format(reason=f"{name}: XMLSyntaxError")) from error


def _read(package: zipfile.ZipFile, name: str, limit: int = MAX_PART_BYTES) -> bytes:
    """A member inflated through a bounded stream: its declared size is checked, and never trusted."""
    info = package.getinfo(name)
    if info.flag_bits & 0x1:
        raise NotRead(ENCRYPTED.format(name=name))
    too_large = PART_TOO_LARGE.format(name=name, limit=_mib(limit))
    if info.file_size > limit:
        raise NotRead(too_large)
    chunks: list[bytes] = []
    size = 0
    try:
        with package.open(info) as stream:  # in small reads: zipfile inflates as much as is asked for
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise NotRead(too_large)
                chunks.append(chunk)
    except _ZIP_ERRORS as error:
        raise NotRead(DAMAGED.format(reason=f"{name}: {type(error).__name__}")) from error
    return b"".join(chunks)


def _unread_parts(members: list[zipfile.ZipInfo], needed: set[str]) -> list[SourceNote]:
    """Notes naming the parts over a limit that were skipped (the text does not need them)."""
    notes: list[SourceNote] = []
    large = [m for m in members if m.filename not in needed and m.file_size > MAX_PART_BYTES]
    if large:
        listed = "、".join(f"{m.filename}（{_mib(m.file_size)}）" for m in large[:3]) + ("等" if len(large) > 3 else "")
        notes.append(
            SourceNote(
                "limit_exceeded",
                f"{len(large)} 个部件解压后超过单个部件上限 {_mib(MAX_PART_BYTES)}，正文不需要，未解压：{listed} "
                f"(parts over the per-part limit, not needed for the text, not read)",
            )
        )
    total = sum(m.file_size for m in members)
    if total > MAX_PACKAGE_BYTES:
        notes.append(
            SourceNote(
                "limit_exceeded",
                f"压缩包声明的解压总量 {_mib(total)} 超过上限 {_mib(MAX_PACKAGE_BYTES)}，只解压了正文所需的部件 "
                f"(declared uncompressed total over the limit: only the parts the text needs were read)",
            )
        )
    return notes


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB" if size >= 1024 * 1024 else f"{size:,} B"


def render_docx(document_xml: bytes) -> Rendering:
    root = etree.fromstring(document_xml, _PARSER)
    body = root.find(f"{_W}body") if root.tag == f"{_W}document" else None
    if body is None:
        raise ValueError("no w:document/w:body")
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
