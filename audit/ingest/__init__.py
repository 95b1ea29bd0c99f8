"""Ingest stage: files and folders → Source records (decoded, NFKC-normalised lines + a line map).

Every file the folder walk meets yields a Source, in one of three states: audited (`lines`),
unreadable (`error`: a report the tool cannot read, which becomes an extraction.unreadable_input
finding) or skipped (`skipped`: not a report at all — an image, an archive, a data file, a FIFO,
a link out of the input folder — listed in the outputs, not a finding). Input types come from the
CONTENT, never from the file name (audit.ingest.content); markdown and any other prose is a report
input. Plain text, HTML pages, PDF and DOCX each have a reader; the structured ones render their
input as text with tables as pipe rows (audit.ingest.render), so every later stage reads one shape.

This module is the dispatch: media type → reader, reason to skip, or error. The folder walk and its
safety (links, FIFOs, devices, the run's own output, the size cap, printable names) are in
audit.ingest.walk.
"""

from __future__ import annotations

from collections.abc import Callable

from audit.ingest import walk
from audit.ingest.content import sniff
from audit.ingest.decoding import BINARY
from audit.ingest.docx import zip_source
from audit.ingest.html import html_source
from audit.ingest.pdf import pdf_source
from audit.ingest.text import text_source
from audit.ingest.walk import (
    DEVICE,
    FIFO,
    HIDDEN_FILE,
    HIDDEN_FOLDER,
    LINK_BROKEN,
    LINK_LOOP,
    LINK_OUT,
    NOT_FOUND,
    OWN_OUTPUT,
    SOCKET,
    SPECIAL,
    TOO_BIG,
    TRUNCATED,
    UNREADABLE,
    Entry,
)
from audit.model import Fault, Source, SourceNote

__all__ = [
    "ARCHIVE",
    "DATA",
    "DATABASE",
    "DEVICE",
    "FIFO",
    "Entry",
    "HIDDEN_FILE",
    "HIDDEN_FOLDER",
    "IMAGE",
    "INTERNAL_ERROR",
    "LINK_BROKEN",
    "LINK_LOOP",
    "LINK_OUT",
    "MAX_INPUT_BYTES",
    "MEDIA",
    "NOT_FOUND",
    "OLE",
    "OWN_OUTPUT",
    "PROGRAM",
    "RTF",
    "SOCKET",
    "SPECIAL",
    "TOO_BIG",
    "TRUNCATED",
    "UNREADABLE",
    "list_inputs",
    "read_bytes",
    "read_entry",
    "read_file",
    "read_paths",
    "sniff",
]

# Bytes read from one file at most. Real reports are < 5 MB (PDF) and < 1 MB (text, HTML); beyond
# the cap a text or HTML input is cut at its last line end and what was read is audited (with a
# limit_exceeded note); a PDF or DOCX cut short is unreadable, so it is an error naming the limit.
MAX_INPUT_BYTES = 64 * 1024 * 1024

# Not reports: skipped.
IMAGE = "图片文件，无法读取文字（需要 OCR） (image file: no text without OCR)"
MEDIA = "音频或视频文件，不是报告 (audio or video file, not a report)"
ARCHIVE = "压缩包，不解压读取 (compressed archive: not unpacked)"
PROGRAM = "可执行程序，不是报告 (executable program, not a report)"
DATABASE = "数据库文件，不是报告 (database file, not a report)"
DATA = "数据文件（{}），不是报告 (data file, not a report)"
# Likely reports the tool cannot read: errors (findings).
OLE = "旧版 Word/Excel 文件（.doc/.xls），无法读取，请另存为 DOCX 或 PDF (legacy OLE document: unsupported)"
RTF = "RTF 文件，无法读取，请另存为 DOCX 或 PDF (RTF document: unsupported)"
# A reader that raised (a bug on one odd file): the input is unreadable and the run reports the fault.
INTERNAL_ERROR = "读取时出现内部错误 (internal error while reading)"

# The dispatch point: media type → reader.
_READERS: dict[str, Callable[[bytes, str], Source]] = {
    "text/plain": text_source,
    "text/html": html_source,
    "application/pdf": pdf_source,
    "application/zip": zip_source,  # DOCX (other ZIP containers come back unreadable)
}
# Media type → why it is not audited; families (image/, audio/, video/) first, then exact types.
_SKIPPED_FAMILIES = {"image/": IMAGE, "audio/": MEDIA, "video/": MEDIA}
_SKIPPED = {
    **dict.fromkeys(("application/gzip", "application/x-7z-compressed", "application/vnd.rar"), ARCHIVE),
    **dict.fromkeys(("application/x-bzip2", "application/x-xz", "application/zstd", "application/x-tar"), ARCHIVE),
    **dict.fromkeys(("application/x-executable", "application/vnd.microsoft.portable-executable"), PROGRAM),
    **dict.fromkeys(("application/x-mach-binary", "application/wasm"), PROGRAM),
    **dict.fromkeys(("application/vnd.duckdb", "application/vnd.sqlite3"), DATABASE),
    "application/json": DATA.format("JSON"),
    "text/csv": DATA.format("CSV"),
    "text/tab-separated-values": DATA.format("TSV"),
    "application/yaml": DATA.format("YAML"),
    "text/x-python": DATA.format("Python 源代码"),
}
_ERRORS = {"application/x-ole-storage": OLE, "application/rtf": RTF}


def read_bytes(data: bytes, path: str) -> Source:
    """Decode one input's bytes; never raises (an unreadable input is a Source with `error`, a file
    that is not a report one with `skipped`)."""
    return _typed_source(data, path, sniff(data))


def read_file(path: str, *, display: str | None = None) -> Source:
    """A Source for the file at `path` (a symlink is followed), shown as `display` (default: `path`
    made printable). FIFOs, sockets and devices are never opened; at most MAX_INPUT_BYTES are read."""
    return walk.read_file(path, _reader(), display=display)


def read_paths(paths: list[str], exclude: list[str] | None = None) -> list[Source]:
    """Sources for files and folders, in the order given (see audit.ingest.walk.list_paths);
    `exclude`: folders never walked (the run's own output folder)."""
    return walk.read_paths(paths, _reader(), exclude=exclude)


def list_inputs(paths: list[str], exclude: list[str] | None = None) -> list[Entry]:
    """The inputs `read_paths` reads, listed and not read (for reading in chunks, audit.chunks)."""
    return walk.list_paths(paths, exclude)


def read_entry(entry: Entry) -> Source:
    """The Source of one listed input; never raises (a failure is an unreadable input with an
    internal_error note, as a reader's own failure is)."""
    try:
        return walk.read_entry(entry, _reader())
    except Exception as error:  # noqa: BLE001 - one input never stops a chunk
        return _internal_error(b"", entry.display or entry.path, "application/octet-stream", error)


def _reader() -> walk.Reader:
    # Built at each call, so the cap and the dispatch are looked up when read (tests change them).
    return walk.Reader(decode=_typed_source, whole=_READERS, cap=MAX_INPUT_BYTES)


def _typed_source(data: bytes, path: str, media_type: str) -> Source:
    reason = _skip_reason(media_type)
    if reason:
        return Source(path=path, media_type=media_type, size=len(data), skipped=reason)
    reader = _READERS.get(media_type)
    if reader is None:
        return Source(path=path, media_type=media_type, size=len(data), error=_ERRORS.get(media_type, BINARY))
    try:
        return reader(data, path)
    except Exception as error:  # MemoryError and RecursionError (deep structures) included
        return _internal_error(data, path, media_type, error)


def _internal_error(data: bytes, path: str, media_type: str, error: Exception) -> Source:
    """The Source of an input whose reader raised: unreadable, with a note that the pipeline turns
    into an extraction.internal_error finding (exit 2) while the other inputs are audited."""
    detail = Fault.of("ingest", error).error  # "ExcType: message", one line, as every fault says it
    note = SourceNote("internal_error", detail)
    return Source(path=path, media_type=media_type, size=len(data), error=f"{INTERNAL_ERROR}: {detail}", notes=[note])


def _skip_reason(media_type: str) -> str | None:
    family = media_type[: media_type.find("/") + 1]
    return _SKIPPED_FAMILIES.get(family) or _SKIPPED.get(media_type)
