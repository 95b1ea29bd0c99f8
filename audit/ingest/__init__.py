"""Ingest stage: files and folders → Source records (decoded, NFKC-normalised lines + a line map).

Every input appears in the output: a path that does not exist, cannot be read or holds no text
still yields a Source, with `error` saying why (it becomes an extraction.unreadable_input finding).
`read_bytes` sniffs the content and dispatches on the media type: plain text, HTML pages, PDF and
DOCX each have a reader; the structured ones render their input as text with tables as pipe rows
(audit.ingest.render), so every later stage reads one shape.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from audit.ingest.docx import zip_source
from audit.ingest.html import html_source
from audit.ingest.pdf import pdf_source
from audit.ingest.text import BINARY, text_source
from audit.model import Source

__all__ = ["read_bytes", "read_file", "read_paths", "sniff"]

NOT_FOUND = "文件不存在 (file not found)"
UNREADABLE = "无法读取文件 (cannot read file)"

# Companion files met while walking a folder (labels, manifests, notes) are not reports.
_COMPANION_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".tsv", ".csv", ".md", ".toml", ".py"})

# The dispatch point: media type → reader.
_READERS: dict[str, Callable[[bytes, str], Source]] = {
    "text/plain": text_source,
    "text/html": html_source,
    "application/pdf": pdf_source,
    "application/zip": zip_source,  # DOCX (other ZIP containers come back unreadable)
}


def sniff(data: bytes) -> str:
    """The media type of `data` from its first bytes (never from the file name)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf-") or b"%pdf-" in head[:256]:  # junk before the header is allowed
        return "application/pdf"
    if head.startswith(b"pk\x03\x04"):
        return "application/zip"  # DOCX, XLSX, ODT … are ZIP containers
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "application/x-ole-storage"  # legacy .doc/.xls
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text: look at its characters
        head = head.decode("utf-16", errors="replace").encode("utf-8", errors="replace").lstrip()
    if _HTML_START.match(head) or b"<html" in head:
        return "text/html"
    return "text/plain"


# Markup that starts an HTML page or a saved fragment of one (a comment, a body, a bare table).
_HTML_START = re.compile(rb"(?:<!--.*?-->\s*)*<(?:!doctype html|html|head|body|meta|table|div|p)[\s>/]", re.S)


def read_bytes(data: bytes, path: str) -> Source:
    """Decode one input's bytes; never raises (an unreadable input is a Source with `error`)."""
    media_type = sniff(data)
    reader = _READERS.get(media_type)
    if reader is None:
        return Source(path=path, media_type=media_type, size=len(data), error=BINARY)
    return reader(data, path)


def read_file(path: str) -> Source:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return Source(path=path, error=NOT_FOUND)
    except OSError as error:
        return Source(path=path, error=f"{UNREADABLE}: {error.strerror or error}")
    return read_bytes(data, path)


def read_paths(paths: list[str]) -> list[Source]:
    """Sources for files and folders (walked recursively, in sorted order, hidden entries skipped)."""
    sources: list[Source] = []
    seen: set[str] = set()  # a file named twice (or inside two given folders) is one input

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            sources.append(read_file(path))

    for path in paths:
        if os.path.isdir(path):
            files, failures = _walk(path)
            for file in files:
                add(file)
            sources.extend(Source(path=p, error=f"{UNREADABLE}: {reason}") for p, reason in failures)
        else:
            add(path)
    return sources


def _walk(folder: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The files under `folder`, and the folders that could not be listed (with the reason)."""
    found: list[str] = []
    failures: list[tuple[str, str]] = []

    def failed(error: OSError) -> None:
        failures.append((str(error.filename or folder), error.strerror or str(error)))

    for root, dirs, files in os.walk(folder, onerror=failed):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and os.path.splitext(name)[1].lower() not in _COMPANION_SUFFIXES:
                found.append(os.path.join(root, name))
    return sorted(found, key=lambda p: os.path.relpath(p, folder).split(os.sep)), failures
