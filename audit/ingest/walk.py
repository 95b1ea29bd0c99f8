"""The folder walk: command-line paths → the files to read, each read safely under a size cap.

Every entry met is accounted for: a regular file is read (by the reader audit.ingest gives, see
`Reader`), anything else is listed with the reason it is not (a FIFO, a link out of the folder, a
missing file). Listing (`list_paths`) and reading (`read_entry`) are apart, so that the reading can
run in worker processes over chunks of the list (audit.chunks) in the order the walk met the files. Symlinks are followed only to targets inside the folder given (loops stopped), FIFOs,
sockets and devices are never opened, the run's own output folder is never walked, at most the
cap is read from a file, and `Source.path` is always printable UTF-8.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

from audit.ingest.content import SAMPLE, sniff
from audit.model import Source, SourceNote

__all__ = ["Entry", "Reader", "list_paths", "read_entry", "read_file", "read_paths"]

NOT_FOUND = "文件不存在 (file not found)"
UNREADABLE = "无法读取文件 (cannot read file)"
# Entries that are not files' content: skipped, never opened.
FIFO = "命名管道（FIFO），不读取 (named pipe: never opened)"
SOCKET = "套接字，不读取 (socket: never opened)"
DEVICE = "设备文件，不读取 (device file: never opened)"
SPECIAL = "特殊文件，不读取 (special file: never opened)"
LINK_OUT = "符号链接指向输入文件夹之外 (symlink points outside the input folder)"
LINK_BROKEN = "符号链接指向不存在的文件 (broken symlink)"
LINK_LOOP = "符号链接循环 (symlink loop)"
OWN_OUTPUT = "本次运行的输出文件夹，不读取 (the run's own output folder)"
# Names starting with a dot (.git, .DS_Store, an editor's swap file): tool data, not reports.
HIDDEN_FILE = "隐藏文件，未读取 (hidden file, not read)"
HIDDEN_FOLDER = "隐藏文件夹，未进入 (hidden folder, not walked)"
# A report the cap cuts: PDF and DOCX are then unreadable (an error), text is cut and noted.
TOO_BIG = "文件大小 {size} 超过上限 {cap}，截断的 {kind} 无法读取 (file exceeds the size limit)"
TRUNCATED = "文件大小 {size} 超过上限 {cap}，只读取了前 {read} (file truncated at the size limit)"

# What is listed for an entry that is not a file's content (shared-mime-info's inode/ types).
_INODE_TYPES = {
    **dict.fromkeys((LINK_OUT, LINK_BROKEN, LINK_LOOP), "inode/symlink"),
    FIFO: "inode/fifo",
    SOCKET: "inode/socket",
    DEVICE: "inode/device",
    SPECIAL: "inode/x-special",
    OWN_OUTPUT: "inode/directory",
    HIDDEN_FOLDER: "inode/directory",
    HIDDEN_FILE: "application/octet-stream",  # its content is not read: unknown
}
_UNCUTTABLE = {"application/pdf": "PDF", "application/zip": "DOCX/ZIP"}  # useless when cut short


@dataclass(frozen=True)
class Reader:
    """How a file's bytes become a Source: audit.ingest's dispatch, handed to the walk (which only
    finds and opens files) so that the walk does not import the package above it."""

    decode: Callable[[bytes, str, str], Source]  # (bytes, path shown, media type) → Source
    whole: Container[str]  # media types read whole (up to `cap`); of the others the head says all
    cap: int  # bytes read from one file at most


@dataclass(frozen=True)
class Entry:
    """A path met: a regular file to read, or one with the reason it is skipped or unreadable.
    `display` is `Source.path` (printable, unique in the run); `size` the file's size when listed."""

    path: str
    skipped: str | None = None
    error: str | None = None
    media_type: str | None = None  # of an entry not read (default: from `skipped`)
    display: str = ""
    size: int = 0

    @property
    def to_read(self) -> bool:
        return not (self.skipped or self.error)


def read_paths(paths: list[str], reader: Reader, exclude: list[str] | None = None) -> list[Source]:
    """Sources for files and folders (see `list_paths`), each entry read in turn."""
    return [read_entry(entry, reader) for entry in list_paths(paths, exclude)]


def read_entry(entry: Entry, reader: Reader) -> Source:
    """The Source of one listed entry: a file read, or what the listing said of it."""
    if entry.to_read:
        return read_file(entry.path, reader, display=entry.display)
    return _listed(entry.display, skipped=entry.skipped, error=entry.error, media_type=entry.media_type)


def list_paths(paths: list[str], exclude: list[str] | None = None) -> list[Entry]:
    """The entries of files and folders, in the order given; folders are walked recursively in sorted
    order. Hidden entries (names starting with a dot) met in a folder are listed as skipped, never
    read: a hidden folder is one entry, its content neither walked nor listed.

    `exclude`: folders never walked (the run's own output folder: a second run must not read its
    own pages). A file given explicitly may be a symlink to anywhere (the user chose it); inside a
    folder a symlink is followed only to a target inside that folder. Either way FIFOs, sockets and
    devices are listed as skipped, never opened.
    """
    excluded = {os.path.realpath(p) for p in exclude or ()}
    listed: list[Entry] = []
    seen: set[str] = set()  # a file named twice (or inside two given folders) is one input
    shown: set[str] = set()  # `Source.path` of each source: never the same for two files

    for path in paths:
        for entry in _entries(path, excluded):
            key = os.path.realpath(entry.path) if entry.to_read else os.path.abspath(entry.path)
            if key in seen:
                continue
            seen.add(key)
            listed.append(replace(entry, display=_unique(_printable(entry.path), shown)))
    return listed


def _unique(display: str, shown: set[str]) -> str:
    """`display`, or with a counter when another file already shows as it (a name holding a literal
    `\\xff` and one holding the byte 0xFF)."""
    name, n = display, 2
    while name in shown:
        name, n = f"{display} ({n})", n + 1
    shown.add(name)
    return name


def _entries(path: str, excluded: set[str]) -> Iterator[Entry]:
    """The entries one command-line path yields: itself, or the files under it."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        yield Entry(path, error=NOT_FOUND)
        return
    except OSError as error:
        yield _failed(path, error, link=True)
        return
    if stat.S_ISDIR(info.st_mode):
        real = os.path.realpath(path)
        if real in excluded:
            yield Entry(path, skipped=OWN_OUTPUT)
        else:
            yield from _walk(path, real, excluded)
    elif stat.S_ISREG(info.st_mode):
        yield Entry(path, size=info.st_size)
    else:
        yield Entry(path, skipped=_special_reason(info.st_mode))


def _failed(path: str, error: OSError, *, link: bool) -> Entry:
    if error.errno == errno.ELOOP:
        return Entry(path, skipped=LINK_LOOP)
    if error.errno == errno.ENOENT:
        return Entry(path, skipped=LINK_BROKEN) if link else Entry(path, error=NOT_FOUND)
    return Entry(path, error=f"{UNREADABLE}: {error.strerror or error}")


def _walk(root: str, top: str, excluded: set[str]) -> Iterator[Entry]:
    """Every entry under the folder `root` (whose real path is `top`), depth first in name order.

    Symlinks are resolved and followed only when the target lies inside `top`; a folder already
    walked (a link back up, two links to one folder) is not walked again, so loops end.
    """
    inside = top.rstrip(os.sep) + os.sep
    walked: set[str] = set()

    def walk(folder: str, real: str) -> Iterator[Entry]:
        walked.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            yield Entry(folder, error=f"{UNREADABLE}: {error.strerror or error}", media_type="inode/directory")
            return
        for entry in entries:
            if entry.name.startswith("."):
                yield from _hidden(entry, excluded)
                continue
            link = entry.is_symlink()
            target = os.path.realpath(entry.path) if link else os.path.join(real, entry.name)
            if link and target != top and not target.startswith(inside):
                yield Entry(entry.path, skipped=LINK_OUT)
                continue
            try:
                info = os.stat(entry.path)
            except OSError as error:
                yield _failed(entry.path, error, link=link)
                continue
            mode = info.st_mode
            if stat.S_ISDIR(mode):
                if target not in excluded and target not in walked:
                    yield from walk(entry.path, target)
            elif stat.S_ISREG(mode):
                yield Entry(entry.path, size=info.st_size)
            else:
                yield Entry(entry.path, skipped=_special_reason(mode))

    yield from walk(root, top)


def _hidden(entry: os.DirEntry[str], excluded: set[str]) -> Iterator[Entry]:
    """A hidden entry, listed and not read (a folder as a whole: a .git holds no report)."""
    try:
        folder = entry.is_dir()  # a link to a folder counts as one: it is not entered either
    except OSError:
        folder = False
    if not folder:
        yield Entry(entry.path, skipped=HIDDEN_FILE)
    elif os.path.realpath(entry.path) not in excluded:  # the run's own output is not listed, hidden or not
        yield Entry(entry.path, skipped=HIDDEN_FOLDER)


def read_file(path: str, reader: Reader, *, display: str | None = None) -> Source:
    """A Source for the file at `path` (a symlink is followed), shown as `display` (default: `path`
    made printable). FIFOs, sockets and devices are never opened; at most `reader.cap` bytes are read."""
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
            return _read_open(handle, info.st_size, shown, reader)
    except FileNotFoundError:
        return Source(path=shown, error=NOT_FOUND)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return _listed(shown, skipped=LINK_LOOP)
        return Source(path=shown, error=f"{UNREADABLE}: {error.strerror or error}")


def _read_open(handle: BinaryIO, size: int, shown: str, reader: Reader) -> Source:
    """Read an open regular file of `size` bytes (as the file system says), at most the cap."""
    cap = reader.cap
    head = handle.read(SAMPLE + 1)
    media_type = sniff(head)
    if media_type not in reader.whole:  # skipped or unreadable: the head says all, the rest is not read
        source = reader.decode(head, shown, media_type)
        source.size = max(size, len(head))
        return source
    if media_type in _UNCUTTABLE and size > cap:  # useless when cut short: not read at all
        return _too_big(shown, media_type, size, cap)
    data = head
    if len(head) > SAMPLE:
        # Up to the size the file system gives (no cap-sized buffer for a small file), then on to
        # the cap if the file grew or its size is not known (0 for /proc files).
        data += handle.read(max(0, min(size, cap) + 1 - len(data)))
        if size < len(data) <= cap:
            data += handle.read(cap + 1 - len(data))
    if len(data) <= cap:
        return reader.decode(data, shown, media_type)
    size = max(size, len(data))
    if media_type in _UNCUTTABLE:
        return _too_big(shown, media_type, size, cap)
    data = _cut(data[:cap])
    source = reader.decode(data, shown, media_type)
    source.size = size
    if source.error is None and source.skipped is None:
        detail = TRUNCATED.format(size=_amount(size), cap=_amount(cap), read=_amount(len(data)))
        source.notes.append(SourceNote("limit_exceeded", detail))
    return source


def _too_big(shown: str, media_type: str, size: int, cap: int) -> Source:
    reason = TOO_BIG.format(size=_amount(size), cap=_amount(cap), kind=_UNCUTTABLE[media_type])
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
