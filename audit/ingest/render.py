"""Structured documents (HTML, PDF, DOCX) → the stable text rendering every later stage reads.

A reader turns its input into blocks: a paragraph is one line, a table row is one pipe row in the
shape of scraped portal text (domain.md §10 item 1), which audit.extract.tokens already reads:

- the row's own cells in document order; a cell merged over several rows or columns appears once,
  in the first row it spans (so a group label stands only on the first row of its group);
- each cell as ``text |``, cells joined by one space, so a blank cell reads ``a |  | c |``;
- blank cells before the row's first text cell are dropped (the leftover of a label merged over
  rows that continues on the next page, or an empty corner cell): they never hold a value, and the
  tokenizer would read a leading pipe as markdown — except in a row of values only (the review
  table's data row), whose blank first cells are values: it is written as a markdown row;
- a row with a single cell (a caption across the whole table, a page frame around narrative)
  is a plain line.

The rendering is `Source.original` (quoted as evidence and shown in the HTML audit); `Source.lines`
is its NFKC form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from audit.ingest.text import capped_notes, normalise_lines
from audit.model import Source, SourceNote

_SPACE = re.compile(r"\s+")
# A line break inside CJK text is where the layout wrapped a word, not a word boundary.
_CJK_BREAK = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s*\n\s*(?=[\u3000-\u9fff\uff00-\uffef])")
# A pipe inside a cell would split it in two: show it as a broken bar (unchanged by NFKC).
_CELL_PIPE = "\u00a6"
# Documented limits of a rendering (HTML, PDF, DOCX); each cut is reported as a `limit_exceeded` note.
# Characters kept of one rendered line (a paragraph or a table row): longer is hostile or junk.
MAX_LINE_CHARS = 20_000
# Lines of one rendering: a report renders to a few thousand; past this the rest is not read.
MAX_LINES = 100_000


def cell_text(text: str | None) -> str:
    """One cell's text on one line: wrapped CJK joined, other whitespace (NBSP, U+3000) one space."""
    if not text:
        return ""
    text = _CJK_BREAK.sub("", text)
    return _SPACE.sub(" ", text).strip().replace("|", _CELL_PIPE)


def pipe_row(cells: Sequence[str | None]) -> str:
    """One table row as a pipe row; `None` is a cell covered by a merged cell (not rendered).
    A row of values whose first cells are blank (the review table's data row) keeps them, in the
    markdown form `|  | 0 | … |` (a leading ` |` would read as markdown's leading pipe)."""
    texts = [cell_text(c) for c in cells if c is not None]
    lead = 0
    while lead < len(texts) and not texts[lead]:
        lead += 1
    if lead == len(texts):
        return ""
    if lead and all(_VALUE_CELL.fullmatch(t) for t in texts[lead:] if t):
        return "| " + " | ".join(texts) + " |"
    texts = texts[lead:]
    if len(texts) == 1:
        return texts[0]
    return " ".join(f"{text} |" for text in texts)


# A cell that holds a value (a number, with sign or unit, or a placeholder), as opposed to a label.
_VALUE_CELL = re.compile(r"\s*(?:[+\-−－]?\d[\d,，]*(?:\.\d+)?\s*(?:亿元|万元|元|件|条)?|[/／—\-–]+)\s*")


def drop_blank_label_cells(grid: list[list[str | None]]) -> list[list[str | None]]:
    """Blank cells of a ruled grid's label columns (no row has a value there) count as not there.

    A PDF or Word grid keeps the empty sub-label cell of 「(六)其他处理」 that a portal page would
    merge into the label (colspan): left in, it would read as a blank value cell.
    """
    width = max((len(row) for row in grid), default=0)
    holds_values = [False] * width
    for row in grid:
        for i, cell in enumerate(row):
            if cell and _VALUE_CELL.fullmatch(cell):
                holds_values[i] = True
    return [
        [None if not holds_values[i] and c is not None and not c.strip() else c for i, c in enumerate(row)]
        for row in grid
    ]


@dataclass
class Rendering:
    """The lines of a rendering and, for paged inputs, the page each line is on; the lines cut to
    MAX_LINE_CHARS (index and length before the cut), reported by `rendered_source`."""

    lines: list[str] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    cut: list[tuple[int, int]] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return len(self.lines) >= MAX_LINES

    def add(self, text: str, page: int = 0, *, size: int = 0) -> None:
        """A paragraph (its whitespace collapsed) as one line; nothing for an empty one. `size` is
        its length before the caller cut it, if it did."""
        size = max(size, len(text))
        if len(text) > 2 * MAX_LINE_CHARS:  # collapse only what can be kept (a paragraph may be megabytes)
            text = text.lstrip()[: 2 * MAX_LINE_CHARS]
        self.add_raw(_SPACE.sub(" ", text).strip(), page, size=size)

    def add_raw(self, line: str, page: int = 0, *, size: int = 0) -> None:
        """A line as it is (a rendered pipe row keeps its `|  |` blank cells); `size` is its length
        before the caller cut it, if it did."""
        if not line or self.full:
            return
        if len(line) > MAX_LINE_CHARS or size > 2 * MAX_LINE_CHARS:
            self.cut.append((len(self.lines), max(size, len(line))))
            line = line[:MAX_LINE_CHARS]
        self.lines.append(line)
        self.pages.append(page)

    def add_rows(self, rows: Iterable[Sequence[str | None]], page: int = 0) -> None:
        for row in rows:
            self.add_raw(pipe_row(row), page)  # not collapsed: `|  |` is a blank cell

    def prepend(self, lines: list[str], page: int = 0) -> None:
        """Lines before the rendering (a page title): cut like others, the recorded cuts shifted."""
        lines = [line[:MAX_LINE_CHARS] for line in lines if line]
        self.lines[:0] = lines
        self.pages[:0] = [page] * len(lines)
        del self.lines[MAX_LINES:], self.pages[MAX_LINES:]  # a full rendering stays full, not longer
        self.cut = [(i + len(lines), size) for i, size in self.cut if i + len(lines) < MAX_LINES]

    def notes(self) -> list[SourceNote]:
        """`limit_exceeded` notes: the lines cut to MAX_LINE_CHARS, the lines past MAX_LINES."""
        found = [(i + 1, _LONG_LINE.format(size, MAX_LINE_CHARS)) for i, size in self.cut]
        notes = capped_notes("limit_exceeded", found, _LONG_REST.format("{count}", MAX_LINE_CHARS))
        if self.full:
            notes.append(SourceNote("limit_exceeded", _FULL.format(MAX_LINES), len(self.lines)))
        return notes


_LONG_LINE = "本段长 {} 个字符，超过每行 {} 个字符的上限，只读取了前面部分 (MAX_LINE_CHARS)"
_LONG_REST = "另有 {} 段超过每行 {} 个字符的上限，已截断 (MAX_LINE_CHARS)"
_FULL = "文档的文本达到 {} 行的上限，其后的内容未读取 (MAX_LINES)"


def rendered_source(
    rendering: Rendering,
    path: str,
    *,
    media_type: str,
    size: int,
    paged: bool,
    encoding: str | None = None,
    notes: Sequence[SourceNote] = (),
) -> Source:
    """A Source whose `original` is the rendering (or an error when it holds no text); `notes` are
    the reader's own, the rendering's limit notes are added."""
    from audit.ingest.decoding import EMPTY

    if not rendering.lines:
        return Source(path=path, media_type=media_type, size=size, error=EMPTY, notes=list(notes))
    original = rendering.lines
    return Source(
        path=path,
        lines=normalise_lines(original),
        line_numbers=range(1, len(original) + 1),
        original=original,
        encoding=encoding,  # of a decoded page; None for PDF and DOCX (binary containers)
        media_type=media_type,
        size=size,
        pages=list(rendering.pages) if paged else [],
        notes=[*notes, *rendering.notes()],
    )
