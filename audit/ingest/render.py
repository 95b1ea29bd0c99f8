"""Structured documents (HTML, PDF, DOCX) → the stable text rendering every later stage reads.

A reader turns its input into blocks: a paragraph is one line, a table row is one pipe row in the
shape of scraped portal text (domain.md §10 item 1), which audit.extract.tokens already reads:

- the row's own cells in document order; a cell merged over several rows or columns appears once,
  in the first row it spans (so a group label stands only on the first row of its group);
- each cell as ``text |``, cells joined by one space, so a blank cell reads ``a |  | c |``;
- blank cells before the row's first text cell are dropped (the leftover of a label merged over
  rows that continues on the next page, or an empty corner cell): they never hold a value, and the
  tokenizer would read a leading pipe as markdown;
- a row with a single cell (a caption across the whole table, a page frame around narrative)
  is a plain line.

The rendering is `Source.original` (quoted as evidence and shown in the HTML audit); `Source.lines`
is its NFKC form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from audit.ingest.text import normalise_lines
from audit.model import Source

_SPACE = re.compile(r"\s+")
# A line break inside CJK text is where the layout wrapped a word, not a word boundary.
_CJK_BREAK = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s*\n\s*(?=[\u3000-\u9fff\uff00-\uffef])")
# A pipe inside a cell would split it in two: show it as a broken bar (unchanged by NFKC).
_CELL_PIPE = "\u00a6"
# Lines longer than this are cut (a 100k-character line is hostile or junk; nothing reads it whole).
MAX_LINE_CHARS = 20_000


def cell_text(text: str | None) -> str:
    """One cell's text on one line: wrapped CJK joined, other whitespace (NBSP, U+3000) one space."""
    if not text:
        return ""
    text = _CJK_BREAK.sub("", text)
    return _SPACE.sub(" ", text).strip().replace("|", _CELL_PIPE)


def pipe_row(cells: Sequence[str | None]) -> str:
    """One table row as a pipe row; `None` is a cell covered by a merged cell (not rendered)."""
    texts = [cell_text(c) for c in cells if c is not None]
    while texts and not texts[0]:
        texts.pop(0)
    if not texts:
        return ""
    if len(texts) == 1:
        return texts[0]
    return " ".join(f"{text} |" for text in texts)


@dataclass
class Rendering:
    """The lines of a rendering and, for paged inputs, the page each line is on."""

    lines: list[str] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)

    def add(self, text: str, page: int = 0) -> None:
        line = _SPACE.sub(" ", text).strip()[:MAX_LINE_CHARS]
        if line:
            self.lines.append(line)
            self.pages.append(page)

    def add_rows(self, rows: Iterable[Sequence[str | None]], page: int = 0) -> None:
        for row in rows:
            self.add(pipe_row(row), page)


def rendered_source(rendering: Rendering, path: str, *, media_type: str, size: int, paged: bool) -> Source:
    """A Source whose `original` is the rendering (or an error when it holds no text)."""
    from audit.ingest.text import EMPTY

    if not rendering.lines:
        return Source(path=path, media_type=media_type, size=size, error=EMPTY)
    original = rendering.lines
    return Source(
        path=path,
        lines=normalise_lines(original),
        line_numbers=list(range(1, len(original) + 1)),
        original=original,
        encoding="utf-8",
        media_type=media_type,
        size=size,
        pages=list(rendering.pages) if paged else [],
    )
