"""Content typing: the media type of an input from its bytes, never from its file name.

Binary formats are told by their magic numbers; text by its markup (HTML) or, in the first 64 KB,
by the structure of data (JSON, CSV/TSV, a YAML mapping, Python source: data files, not reports).
Markdown and any other prose is text/plain, a report input. audit.ingest maps the type to a reader,
a reason to skip the file, or an error.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from collections import Counter

from audit.ingest.decoding import wide_encoding

__all__ = ["SAMPLE", "sniff"]

SAMPLE = 64 * 1024  # what content typing reads: magic numbers, and the text kinds below

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
    elif b"\x00" in head and (wide := wide_encoding(data[:1024])):  # UTF-16/32 without a BOM
        head = data[:1024].decode(wide, errors="replace").encode("utf-8", errors="replace").lstrip().lower()
    if _HTML_START.match(head):
        return "text/html"
    try:
        data_type = _data_type(data)
    except Exception:  # a parser's failure on odd text (yaml, ast): undecided, so read it as text
        data_type = None
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

    UTF-8 text is examined for every kind; GB18030 text only for CSV/TSV (Excel on Chinese Windows
    saves CSV in GBK; other data files are written by programs, in UTF-8). Each test asks for
    the structure of data (it parses, or nearly every line has the same shape) and a report's prose
    breaks it, so a report — with its pipe-row tables, a few commas, a header of `标题: …` lines —
    is never taken for data.
    """
    complete = len(data) <= SAMPLE
    sample = data[:SAMPLE].removeprefix(b"\xef\xbb\xbf")
    if not complete:
        sample = sample[: sample.rfind(b"\n") + 1] or sample  # whole lines only
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            legacy = sample.decode("gb18030")
            return None if "。" in legacy else _delimited(legacy.splitlines())
        except UnicodeDecodeError:
            return None
    if _is_json(text, complete):
        return "application/json"
    lines = text.splitlines()
    if _is_python(text, lines, complete):
        return "text/x-python"
    if _is_yaml(text, lines, complete):
        return "application/yaml"
    return None if "。" in text else _delimited(lines)  # a report's sentence: no CSV (checked at once)


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
