"""Ingest stage: files and folders → Source records (decoded, NFKC-normalised lines + a line map).

Every file the folder walk meets yields a Source, in one of three states: audited (`lines`),
unreadable (`error`: a report the tool cannot read, which becomes an extraction.unreadable_input
finding) or skipped (`skipped`: not a report at all — an image, an archive, a data file, a FIFO,
a link out of the input folder — listed in the outputs, not a finding). Input types come from the
CONTENT, never from the file name: `sniff` reads the first bytes (magic numbers) and, for text, the
first 64 KB (JSON, CSV/TSV, a YAML mapping, Python source are data, not reports); markdown and any
other prose is a report input. Plain text, HTML pages, PDF and DOCX each have a reader; the
structured ones render their input as text with tables as pipe rows (audit.ingest.render), so every
later stage reads one shape.

Safety of the walk: symlinks are followed only to targets inside the folder given (loops stopped),
FIFOs, sockets and devices are never opened, the run's own output folder is never walked, at most
MAX_INPUT_BYTES are read from a file, and `Source.path` is always printable UTF-8.
"""

from __future__ import annotations

import ast
import csv
import errno
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from audit.ingest.docx import zip_source
from audit.ingest.html import html_source
from audit.ingest.pdf import pdf_source
from audit.ingest.text import BINARY, text_source
from audit.model import Source, SourceNote

__all__ = ["MAX_INPUT_BYTES", "read_bytes", "read_file", "read_paths", "sniff"]

# Bytes read from one file at most. Real reports are < 5 MB (PDF) and < 1 MB (text, HTML); beyond
# the cap a text or HTML input is cut at its last line end and what was read is audited (with a
# limit_exceeded note); a PDF or DOCX cut short is unreadable, so it is an error naming the limit.
MAX_INPUT_BYTES = 64 * 1024 * 1024
_SAMPLE = 64 * 1024  # what content typing reads: magic numbers, and the text kinds below

NOT_FOUND = "文件不存在 (file not found)"
UNREADABLE = "无法读取文件 (cannot read file)"
# Not reports: skipped.
IMAGE = "图片文件，无法读取文字（需要 OCR） (image file: no text without OCR)"
MEDIA = "音频或视频文件，不是报告 (audio or video file, not a report)"
ARCHIVE = "压缩包，不解压读取 (compressed archive: not unpacked)"
PROGRAM = "可执行程序，不是报告 (executable program, not a report)"
DATABASE = "数据库文件，不是报告 (database file, not a report)"
DATA = "数据文件（{}），不是报告 (data file, not a report)"
FIFO = "命名管道（FIFO），不读取 (named pipe: never opened)"
SOCKET = "套接字，不读取 (socket: never opened)"
DEVICE = "设备文件，不读取 (device file: never opened)"
SPECIAL = "特殊文件，不读取 (special file: never opened)"
LINK_OUT = "符号链接指向输入文件夹之外 (symlink points outside the input folder)"
LINK_BROKEN = "符号链接指向不存在的文件 (broken symlink)"
LINK_LOOP = "符号链接循环 (symlink loop)"
OWN_OUTPUT = "本次运行的输出文件夹，不读取 (the run's own output folder)"
# Likely reports the tool cannot read: errors (findings).
OLE = "旧版 Word/Excel 文件（.doc/.xls），无法读取，请另存为 DOCX 或 PDF (legacy OLE document: unsupported)"
RTF = "RTF 文件，无法读取，请另存为 DOCX 或 PDF (RTF document: unsupported)"
TOO_BIG = "文件大小 {size} 超过上限 {cap}，截断的 {kind} 无法读取 (file exceeds the size limit)"
TRUNCATED = "文件大小 {size} 超过上限 {cap}，只读取了前 {read} (file truncated at the size limit)"

# The dispatch point: media type → reader.
_READERS: dict[str, Callable[[bytes, str], Source]] = {
    "text/plain": text_source,
    "text/html": html_source,
    "application/pdf": pdf_source,
    "application/zip": zip_source,  # DOCX (other ZIP containers come back unreadable)
}
_UNCUTTABLE = {"application/pdf": "PDF", "application/zip": "DOCX/ZIP"}
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
# What is listed for an entry that is not a file's content (shared-mime-info's inode/ types).
_INODE_TYPES = {
    **dict.fromkeys((LINK_OUT, LINK_BROKEN, LINK_LOOP), "inode/symlink"),
    FIFO: "inode/fifo",
    SOCKET: "inode/socket",
    DEVICE: "inode/device",
    SPECIAL: "inode/x-special",
    OWN_OUTPUT: "inode/directory",
}

# -- content typing ------------------------------------------------------------------------------

# (offset, magic bytes, media type): checked on the raw bytes, in order.
_MAGIC = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"\x00\x00\x01\x00", "image/x-icon"),
    (0, b"ID3\x02", "audio/mpeg"),
    (0, b"ID3\x03", "audio/mpeg"),
    (0, b"ID3\x04", "audio/mpeg"),
    (0, b"OggS\x00", "audio/ogg"),
    (0, b"fLaC\x00", "audio/flac"),
    (0, b"fLaC\x80", "audio/flac"),
    (0, b"\x1aE\xdf\xa3", "video/webm"),  # Matroska / WebM
    (0, b"FLV\x01", "video/x-flv"),
    (0, b"\x1f\x8b\x08", "application/gzip"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"Rar!\x1a\x07", "application/vnd.rar"),
    (0, b"\xfd7zXZ\x00", "application/x-xz"),
    (0, b"\x28\xb5\x2f\xfd", "application/zstd"),
    (257, b"ustar", "application/x-tar"),
    (0, b"\x7fELF", "application/x-executable"),
    (0, b"\xfe\xed\xfa\xce", "application/x-mach-binary"),
    (0, b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (0, b"\xce\xfa\xed\xfe", "application/x-mach-binary"),
    (0, b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (0, b"\xca\xfe\xba\xbe", "application/x-mach-binary"),  # also a Java class file
    (0, b"\x00asm", "application/wasm"),
    (0, b"SQLite format 3\x00", "application/vnd.sqlite3"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # legacy .doc/.xls/.ppt
    (0, b"{\\rtf", "application/rtf"),
)
_RIFF = {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}
_FTYP_IMAGES = {b"heic", b"heix", b"mif1", b"msf1", b"avif"}


def sniff(data: bytes) -> str:
    """The media type of `data` from its content (never from the file name).

    Binary formats are told by their magic numbers; text by its markup (HTML) or its structure in
    the first 64 KB (JSON, CSV/TSV, YAML, Python: data files, not reports); else text/plain.
    """
    binary = _binary_type(data)
    if binary:
        return binary
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf-") or b"%pdf-" in head[:256]:  # junk before the header is allowed
        return "application/pdf"
    if head.startswith(b"pk\x03\x04"):
        return "application/zip"  # DOCX, XLSX, ODT … are ZIP containers
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text: look at its characters
        head = head.decode("utf-16", errors="replace").encode("utf-8", errors="replace").lstrip()
    if _HTML_START.match(head):
        return "text/html"
    data_type = _data_type(data)
    if data_type:
        return data_type
    return "text/html" if b"<html" in head else "text/plain"


# Markup that starts an HTML page or a saved fragment of one (a comment, a body, a bare table).
_HTML_START = re.compile(rb"(?:<!--.*?-->\s*)*<(?:!doctype html|html|head|body|meta|table|div|p)[\s>/]", re.S)


def _binary_type(data: bytes) -> str | None:
    for offset, magic, media_type in _MAGIC:
        if data.startswith(magic, offset):
            return media_type
    if data.startswith(b"DUCK", 8) and b"\x00" in data[12:20]:  # a checksum, "DUCK", a version number
        return "application/vnd.duckdb"  # e.g. a history.duckdb store
    if data.startswith(b"RIFF") and data[8:12] in _RIFF:
        return _RIFF[data[8:12]]
    if data[4:8] == b"ftyp":  # ISO media: MP4, MOV, M4A; HEIF/AVIF images
        return "image/heif" if data[8:12] in _FTYP_IMAGES else "video/mp4"
    # BMP: "BM", then reserved zero bytes and a known DIB header size (a text may start with "BM").
    if data.startswith(b"BM") and data[6:10] == b"\x00" * 4 and data[14:18] in _BMP_DIB:
        return "image/bmp"
    if re.match(rb"BZh[1-9]1AY&SY", data):
        return "application/x-bzip2"
    # Windows executables: "MZ", then the offset (at 0x3c) of the "PE" header.
    if data.startswith(b"MZ") and len(data) >= 64:
        pe = int.from_bytes(data[0x3C:0x40], "little")
        if data.startswith(b"PE\x00\x00", pe) or b"\x00" in data[2:64]:
            return "application/vnd.microsoft.portable-executable"
    return None


_BMP_DIB = {n.to_bytes(4, "little") for n in (12, 40, 52, 56, 64, 108, 124)}


def _data_type(data: bytes) -> str | None:
    """JSON, CSV/TSV, YAML or Python text in the first 64 KB, else None (a report is never data).

    Only UTF-8 text is examined: data files are written by programs, in UTF-8. Each test asks for
    the structure of data (it parses, or nearly every line has the same shape) and a report's prose
    breaks it, so a report — with its pipe-row tables, a few commas, a header of `标题: …` lines —
    is never taken for data.
    """
    complete = len(data) <= _SAMPLE
    sample = data[:_SAMPLE].removeprefix(b"\xef\xbb\xbf")
    if not complete:
        sample = sample[: sample.rfind(b"\n") + 1] or sample  # whole lines only
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _is_json(text, complete):
        return "application/json"
    lines = text.splitlines()
    if _is_python(text, lines, complete):
        return "text/x-python"
    if _is_yaml(text, lines, complete):
        return "application/yaml"
    return _delimited(lines)


def _is_json(text: str, complete: bool) -> bool:
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return False
    try:
        json.loads(stripped)
        return True
    except RecursionError:  # nested deeper than any data file: undecided, read as text
        return False
    except ValueError as error:
        pos = getattr(error, "pos", 0)
        if not complete and pos >= len(stripped) - 4096:
            return True  # valid up to where the sample was cut
    rows = [line for line in stripped.splitlines() if line.strip()]
    return len(rows) >= 2 and all(_json_value(row) for row in rows)  # JSON Lines


def _json_value(row: str) -> bool:
    try:
        return isinstance(json.loads(row), dict | list)
    except (ValueError, RecursionError):
        return False


_PYTHON_HINT = re.compile(r"^(?:import [\w.]+|from [\w.]+ import |(?:async )?def \w+\(|class \w+[(:])", re.M)


def _is_python(text: str, lines: list[str], complete: bool) -> bool:
    """A python shebang, or a module that parses and imports or defines something."""
    if lines and lines[0].startswith("#!") and "python" in lines[0]:
        return True
    if not _PYTHON_HINT.search(text):
        return False
    if not complete:  # end before the last top-level statement, which may be cut
        last = max((i for i, line in enumerate(lines) if line[:1].isalpha()), default=len(lines))
        text = "\n".join(lines[:last])
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # nesting too deep for the parser
        return False
    return any(isinstance(n, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef) for n in module.body)


# A mapping key (`key:` then a space or the line end), maybe as a list item; keys are short names.
_YAML_KEY = re.compile(r"""^( *)((?:- +)*)(?:"[^"]*"|'[^']*'|[\w.\-/]+(?: [\w.\-/]+){0,3}) *:(?: |$)""")
_YAML_ITEM = re.compile(r"^( *)- |^( *)-$")
_YAML_BLOCK = re.compile(r":\s+[|>][-+0-9]*\s*(?:#.*)?$")


def _is_yaml(text: str, lines: list[str], complete: bool) -> bool:
    """A YAML mapping (a label or configuration file): every line not indented under a key is a key
    or a list item, keys are at least a third of the lines outside block scalars, and it parses as
    a mapping."""
    keys = counted = 0
    parent = -1  # indentation of the last key or item: deeper lines continue its value
    block = -1  # indentation of a key whose value is a block scalar (| or >)
    last_top = len(lines)
    for i, line in enumerate(lines):
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if block >= 0 and (not body or indent > block):
            continue  # inside a block scalar
        block = -1
        if not body or body.startswith("#") or line in ("---", "..."):
            continue
        if body.startswith("\t"):
            return False  # YAML never indents with tabs
        counted += 1
        key = _YAML_KEY.match(line)
        if key:
            keys += 1
            parent = indent + len(key.group(2))
            block = parent if _YAML_BLOCK.search(line) else -1
            last_top = i if indent == 0 else last_top
        elif _YAML_ITEM.match(line):
            parent = indent
        elif indent <= parent or parent < 0:
            return False
    if keys < 2 or 3 * keys < counted:
        return False
    import yaml  # only for a text shaped like YAML

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loaded = yaml.load("\n".join(lines if complete else lines[:last_top]), Loader=loader)
    except (yaml.YAMLError, RecursionError):
        return False
    return isinstance(loaded, dict)  # a mapping: a list of items could be a markdown bullet list


_DELIMITERS = ((",", "text/csv"), ("\t", "text/tab-separated-values"), (";", "text/csv"))


def _delimited(lines: list[str]) -> str | None:
    """CSV/TSV: nine rows in ten hold the same number (≥ 1) of one delimiter, and no row holds a
    「。」 (a report's sentence). Pipes are not delimiters: pipe rows are how reports print tables."""
    rows = [line.lstrip(" \t\u3000").rstrip("\r\n ") for line in lines]
    rows = [row for row in rows if row]
    if len(rows) < 2 or any("。" in row for row in rows):
        return None
    for delimiter, media_type in _DELIMITERS:
        counts = Counter(_fields(row, delimiter) - 1 for row in rows)
        width, count = counts.most_common(1)[0]
        if width >= 1 and count >= 0.9 * len(rows):
            return media_type
    return None


def _fields(row: str, delimiter: str) -> int:
    if '"' not in row:
        return row.count(delimiter) + 1
    return len(next(csv.reader([row], delimiter=delimiter), []))


# -- reading -------------------------------------------------------------------------------------


def read_bytes(data: bytes, path: str) -> Source:
    """Decode one input's bytes; never raises (an unreadable input is a Source with `error`, a file
    that is not a report one with `skipped`)."""
    return _typed_source(data, path, sniff(data))


def _typed_source(data: bytes, path: str, media_type: str) -> Source:
    reason = _skip_reason(media_type)
    if reason:
        return Source(path=path, media_type=media_type, size=len(data), skipped=reason)
    reader = _READERS.get(media_type)
    if reader is None:
        return Source(path=path, media_type=media_type, size=len(data), error=_ERRORS.get(media_type, BINARY))
    return reader(data, path)


def _skip_reason(media_type: str) -> str | None:
    family = media_type[: media_type.find("/") + 1]
    return _SKIPPED_FAMILIES.get(family) or _SKIPPED.get(media_type)


def read_file(path: str, *, display: str | None = None) -> Source:
    """A Source for the file at `path` (a symlink is followed), shown as `display` (default: `path`
    made printable). FIFOs, sockets and devices are never opened; at most MAX_INPUT_BYTES are read."""
    shown = _printable(path) if display is None else display
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # before opening: opening a device can act, a FIFO blocks
            return _special(shown, info.st_mode)
        # Non-blocking, and checked again once open: the file may have been replaced meanwhile.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return _special(shown, info.st_mode)
            return _read_open(handle, info.st_size, shown)
    except FileNotFoundError:
        return Source(path=shown, error=NOT_FOUND)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return _listed(shown, skipped=LINK_LOOP)
        return Source(path=shown, error=f"{UNREADABLE}: {error.strerror or error}")


def _read_open(handle: BinaryIO, size: int, shown: str) -> Source:
    """Read an open regular file of `size` bytes (as the file system says), at most the cap."""
    cap = MAX_INPUT_BYTES
    head = handle.read(_SAMPLE + 1)
    media_type = sniff(head)
    if media_type not in _READERS:  # skipped or unreadable: the head says all, the rest is not read
        source = _typed_source(head, shown, media_type)
        source.size = max(size, len(head))
        return source
    if media_type in _UNCUTTABLE and size > cap:  # useless when cut short: not read at all
        return _too_big(shown, media_type, size)
    data = head
    if len(head) > _SAMPLE:
        # Up to the size the file system gives (no cap-sized buffer for a small file), then on to
        # the cap if the file grew or its size is not known (0 for /proc files).
        data += handle.read(max(0, min(size, cap) + 1 - len(data)))
        if size < len(data) <= cap:
            data += handle.read(cap + 1 - len(data))
    if len(data) <= cap:
        return _typed_source(data, shown, media_type)
    size = max(size, len(data))
    if media_type in _UNCUTTABLE:
        return _too_big(shown, media_type, size)
    data = _cut(data[:cap])
    source = _typed_source(data, shown, media_type)
    source.size = size
    if source.error is None and source.skipped is None:
        detail = TRUNCATED.format(size=_amount(size), cap=_amount(cap), read=_amount(len(data)))
        source.notes.append(SourceNote("limit_exceeded", detail))
    return source


def _too_big(shown: str, media_type: str, size: int) -> Source:
    reason = TOO_BIG.format(size=_amount(size), cap=_amount(MAX_INPUT_BYTES), kind=_UNCUTTABLE[media_type])
    return Source(path=shown, media_type=media_type, size=size, error=reason)


def _cut(data: bytes) -> bytes:
    """`data` cut at its last line end, so no character is split (UTF-16/32: at a whole code unit)."""
    unit = 4 if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else 0
    unit = unit or (2 if data.startswith((b"\xff\xfe", b"\xfe\xff")) else 0)
    if unit:
        return data[: len(data) - len(data) % unit]
    end = data.rfind(b"\n")
    return data[: end + 1] if end > 0 else data


def _amount(size: int) -> str:
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    return f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} B"


def _special(shown: str, mode: int) -> Source:
    if stat.S_ISDIR(mode):
        return Source(path=shown, error=f"{UNREADABLE}: {os.strerror(errno.EISDIR)}")
    return _listed(shown, skipped=_special_reason(mode))


def _listed(
    shown: str, *, skipped: str | None = None, error: str | None = None, media_type: str | None = None
) -> Source:
    """A Source for an entry that is not read (a link, a FIFO, a folder): its reason, its inode type."""
    media_type = media_type or _INODE_TYPES.get(skipped or "", "text/plain")
    return Source(path=shown, media_type=media_type, skipped=skipped, error=error)


def _special_reason(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return FIFO
    if stat.S_ISSOCK(mode):
        return SOCKET
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return DEVICE
    return SPECIAL


def _printable(path: str) -> str:
    """`path` as printable UTF-8: bytes of a name that are not UTF-8 (which os.fsdecode turns into
    lone surrogates, fatal to every later `encode`) are shown as `\\xNN`."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file system decode made
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


# -- the walk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """A path met: a regular file to read, or one with the reason it is skipped or unreadable."""

    path: str
    skipped: str | None = None
    error: str | None = None
    media_type: str | None = None  # of an entry not read (default: from `skipped`)


def read_paths(paths: list[str], exclude: list[str] | None = None) -> list[Source]:
    """Sources for files and folders, in the order given; folders are walked recursively in sorted
    order, hidden entries (names starting with a dot) left out.

    `exclude`: folders never walked (the run's own output folder: a second run must not read its
    own pages). A file given explicitly may be a symlink to anywhere (the user chose it); inside a
    folder a symlink is followed only to a target inside that folder. Either way FIFOs, sockets and
    devices are listed as skipped, never opened.
    """
    excluded = {os.path.realpath(p) for p in exclude or ()}
    sources: list[Source] = []
    seen: set[str] = set()  # a file named twice (or inside two given folders) is one input
    shown: set[str] = set()  # `Source.path` of each source: never the same for two files

    for path in paths:
        for entry in _entries(path, excluded):
            key = os.path.abspath(entry.path) if entry.skipped or entry.error else os.path.realpath(entry.path)
            if key in seen:
                continue
            seen.add(key)
            display = _unique(_printable(entry.path), shown)
            if entry.skipped or entry.error:
                sources.append(_listed(display, skipped=entry.skipped, error=entry.error, media_type=entry.media_type))
            else:
                sources.append(read_file(entry.path, display=display))
    return sources


def _unique(display: str, shown: set[str]) -> str:
    """`display`, or with a counter when another file already shows as it (a name holding a literal
    `\\xff` and one holding the byte 0xFF)."""
    name, n = display, 2
    while name in shown:
        name, n = f"{display} ({n})", n + 1
    shown.add(name)
    return name


def _entries(path: str, excluded: set[str]) -> Iterator[_Entry]:
    """The entries one command-line path yields: itself, or the files under it."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        yield _Entry(path, error=NOT_FOUND)
        return
    except OSError as error:
        yield _failed(path, error, link=True)
        return
    if stat.S_ISDIR(info.st_mode):
        real = os.path.realpath(path)
        if real in excluded:
            yield _Entry(path, skipped=OWN_OUTPUT)
        else:
            yield from _walk(path, real, excluded)
    elif stat.S_ISREG(info.st_mode):
        yield _Entry(path)
    else:
        yield _Entry(path, skipped=_special_reason(info.st_mode))


def _failed(path: str, error: OSError, *, link: bool) -> _Entry:
    if error.errno == errno.ELOOP:
        return _Entry(path, skipped=LINK_LOOP)
    if error.errno == errno.ENOENT:
        return _Entry(path, skipped=LINK_BROKEN) if link else _Entry(path, error=NOT_FOUND)
    return _Entry(path, error=f"{UNREADABLE}: {error.strerror or error}")


def _walk(root: str, top: str, excluded: set[str]) -> Iterator[_Entry]:
    """Every entry under the folder `root` (whose real path is `top`), depth first in name order.

    Symlinks are resolved and followed only when the target lies inside `top`; a folder already
    walked (a link back up, two links to one folder) is not walked again, so loops end.
    """
    inside = top.rstrip(os.sep) + os.sep
    walked: set[str] = set()

    def walk(folder: str, real: str) -> Iterator[_Entry]:
        walked.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            yield _Entry(folder, error=f"{UNREADABLE}: {error.strerror or error}", media_type="inode/directory")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            link = entry.is_symlink()
            target = os.path.realpath(entry.path) if link else os.path.join(real, entry.name)
            if link and target != top and not target.startswith(inside):
                yield _Entry(entry.path, skipped=LINK_OUT)
                continue
            try:
                mode = os.stat(entry.path).st_mode
            except OSError as error:
                yield _failed(entry.path, error, link=link)
                continue
            if stat.S_ISDIR(mode):
                if target not in excluded and target not in walked:
                    yield from walk(entry.path, target)
            elif stat.S_ISREG(mode):
                yield _Entry(entry.path)
            else:
                yield _Entry(entry.path, skipped=_special_reason(mode))

    yield from walk(root, top)
