"""Sources' texts kept on disk instead of in memory, for a large batch.

Every stage after extraction reads a text only now and then (a rule quotes a line, a page shows a
document, the store saves it), yet holding every text for the whole run costs ~20 KB per document.
A chunk worker (audit.chunks) writes the texts of its sources to one file with `spill`, and each
Source then holds `SpilledLines` — the file, an offset, a size — in place of its lists, so only
those handles travel back to the parent. The parent takes the file over with `adopt`: it opens it
and unlinks it at once, so the text disappears when the run ends however it ends, and the
processes forked from the parent (rule and page workers) read it through the inherited descriptor.
Reads go through a small cache, so a rule that walks every document reads each text once.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from audit.model import Source

# the texts of this many sources stay decoded at once (a chunk is at most 200 files)
CACHED_SOURCES = 256
_FDS: dict[str, int] = {}
# what a spilled source keeps on disk, in this order
_PARTS = ("lines", "original", "line_numbers", "pages")


def _fd(path: str) -> int:
    fd = _FDS.get(path)
    if fd is None:
        fd = _FDS[path] = os.open(path, os.O_RDONLY)
    return fd


def adopt(path: str) -> None:
    """Hold the spill file at `path` open and remove its name: read through the descriptor from now
    on, by this process and those it forks; the disk space is freed when the last of them exits."""
    _fd(path)
    os.unlink(path)


@lru_cache(maxsize=CACHED_SOURCES)
def _texts(path: str, offset: int, size: int) -> tuple[Any, ...]:
    fd, data = _fd(path), bytearray()
    while len(data) < size:
        block = os.pread(fd, size - len(data), offset + len(data))
        if not block:
            raise OSError(f"spill file {path} ends before offset {offset + size}")
        data += block
    loaded: tuple[Any, ...] = pickle.loads(data)
    return loaded


class SpilledLines(Sequence[Any]):
    """One part (lines, original, line_numbers or pages) of a source's text held in a spill file;
    indexing, slicing and iterating read it back (cached). Compares equal to the list it replaced."""

    __slots__ = ("path", "offset", "size", "part", "length")

    def __init__(self, path: str, offset: int, size: int, part: int, length: int) -> None:
        self.path, self.offset, self.size, self.part, self.length = path, offset, size, part, length

    def load(self) -> Sequence[Any]:
        loaded: Sequence[Any] = _texts(self.path, self.offset, self.size)[self.part]
        return loaded

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self.load()[index]

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[Any]:
        return iter(self.load())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self.load()) == list(other)

    __hash__ = None  # type: ignore[assignment]  # like the list it stands for

    def __repr__(self) -> str:
        return repr(list(self.load()))

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.path, self.offset, self.size, self.part, self.length)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.path, self.offset, self.size, self.part, self.length = state


def spill(sources: list[Source], path: str) -> None:
    """Write the texts of `sources` to a new file at `path` and leave each source holding handles
    to them (a `range` of line numbers stays as it is: it holds nothing)."""
    with open(path, "wb") as out:
        for source in sources:
            parts = [getattr(source, name) for name in _PARTS]
            if not any(parts[:2]) or any(isinstance(part, SpilledLines) for part in parts):
                continue
            kept = [not isinstance(part, range) and len(part) > 0 for part in parts]
            blob = pickle.dumps(tuple(parts), protocol=pickle.HIGHEST_PROTOCOL)  # shared strings once
            offset = out.tell()
            out.write(blob)
            for k, name in enumerate(_PARTS):
                if kept[k]:
                    setattr(source, name, SpilledLines(path, offset, len(blob), k, len(parts[k])))
