"""Scraped text → a flat stream of table tokens, whatever the text shape.

The shapes of domain.md §10 differ in how cells and rows are delimited, not in what they hold:

- pipe rows (`label | 209 | 6 | … | 215 | ||`): one line is one row; empty cells between
  content cells are blank; the empty run at the end is colspan padding, which ends the row;
- markdown rows (`| 规章 | 0 | 0 | 0 |`): the same with a leading pipe;
- one cell per line (`0 |`): a lone `|` line is a blank cell, a run of pipes (`||||||||`) is the
  padding that closes a row;
- a pipe on its own line (§10.19: `规章` / `|` / `0` / `|`, or `行政规范性文件` / `|` / `2 |`): a lone
  `|` right after a cell line that has no pipe of its own is that cell's separator, not a blank cell;
- converter markdown (§10.18): `|---|---|` separator lines hold no cell;
- a piped cell holding several numbers (`| 3 5 |`: one letter-spaced number, or two?) is one
  token that reads as no number, never split;
- PDF text: page numbers between rows (`- 3 -`, `第3页 共5页`) are no cells;
- one cell per line without pipes, blank lines between: no row delimiters at all; two values may
  share a line (`26 26`), and PDF text puts a label and its numbers on one line.

Every shape becomes CELL / BLANK / ROWEND tokens carrying their original line number; the table
readers then map rows by label (audit.labels), never by position alone. A ROWEND made by a
line of pipes alone (`| ||`) has the text PIPES_ONLY, one that closes a row with empty cells or
padding after its last cell the text "": after a row label that printed no value, both say the
row's cells are blank (§10.20); a row that simply ends (`| 规章 |`) has the text ROW_CLOSED.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from audit.extract.cells import is_value

CELL, BLANK, ROWEND = "cell", "blank", "rowend"

# A run of values at the end of an unpiped line: numbers (signed, with units) or placeholders.
_VALUE = r"(?:[+\-−－]?\d[\d,]*(?:\.\d+)?(?:亿元|万元|元)?|/|—{1,2}|-{1,2})"
_TRAILING_VALUES = re.compile(rf"(?:^|(?<=\s))({_VALUE}(?:\s+{_VALUE})*)\s*$")
# Lines this long without a pipe are narrative, never table cells (cheap early exit).
_MAX_CELL_CHARS = 120
# A page number a PDF's text leaves between table rows (`- 3 -`, `第3页 共5页`): no cell.
_PAGE_NUMBER = re.compile(r"[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?")
# A markdown table's header separator: `|---|:--:|`.
_MD_SEPARATOR = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")
PIPES_ONLY = "|"  # the text of a ROWEND made by a line of pipes alone
ROW_CLOSED = "."  # the text of a ROWEND after a row's last cell, with no empty cell after it


class Token(NamedTuple):  # a tuple: created ~200 times per report, so cheap construction matters
    kind: str  # CELL, BLANK or ROWEND
    text: str
    line: int  # original 1-based line number


# Tokens are made by tuple.__new__ (in C) rather than Token(...) (a Python-level __new__): the same
# tuples, several times cheaper to make.
_new = tuple.__new__


def tokenize(lines: Iterable[tuple[int, str]]) -> list[Token]:
    """The tokens of `lines`, in order (a list: built in one loop, with no generator per line)."""
    tokens: list[Token] = []
    add = tokens.append
    bare_cell = False  # the previous line was a cell with no pipe: a lone `|` now is its separator
    for number, line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if "|" not in stripped:
            size = len(stripped)
            if size <= 16 and _PAGE_NUMBER.fullmatch(stripped):
                continue
            bare_cell = size <= _MAX_CELL_CHARS
            if not bare_cell or " " not in stripped:
                add(_new(Token, (CELL, stripped, number)))
            else:
                _split_values(tokens, number, stripped, _TRAILING_VALUES.search(stripped))
            continue
        if stripped == "|" and bare_cell:
            bare_cell = False
            continue
        bare_cell = False
        if "-" in stripped and _MD_SEPARATOR.fullmatch(stripped):
            continue
        _piped(tokens, number, stripped)
    return tokens


def _piped(tokens: list[Token], number: int, line: str) -> None:
    add = tokens.append
    if not line.strip("| "):  # pipes and spaces only
        if line.startswith("|  ") and line.endswith("|"):  # `|  |  |`: a markdown row of blank cells
            tokens.extend(_new(Token, (BLANK, "", number)) for _ in line[1:-1].split("|"))
            add(_new(Token, (ROWEND, "", number)))
            return
        # a lone pipe is one blank cell; a run of pipes is row padding
        add(_new(Token, (BLANK, "", number)) if line == "|" else _new(Token, (ROWEND, PIPES_ONLY, number)))
        return
    parts = line.split("|")
    if line[-1] == "|":
        del parts[-1]
    if line[0] == "|":
        del parts[0]
    texts = list(map(str.strip, parts))
    last_content = len(texts) - 1
    while not texts[last_content]:
        last_content -= 1
    # After the last content cell, `|  |` (a cell rendered empty: two spaces) is a blank cell and
    # `| ||` (one space, then bare pipes) is colspan padding.
    while last_content + 1 < len(parts) and len(parts[last_content + 1]) >= 2 and not texts[last_content + 1]:
        last_content += 1
    content_cells = 0
    for text in texts[: last_content + 1]:
        if not text:
            add(_new(Token, (BLANK, "", number)))
            continue
        content_cells += 1
        if " " not in text:
            add(_new(Token, (CELL, text, number)))
            continue
        # several_values(text), from the search _split_values needs anyway: the pattern ends at the
        # end of the text, so a match at 0 is a match of the whole text
        m = _TRAILING_VALUES.search(text)
        if m is not None and m.start() == 0 and " " in m.group(1):
            add(_new(Token, (CELL, text, number)))  # `3 5` in one cell: one number letter-spaced, or two? unread
        else:
            _split_values(tokens, number, text, m)
    if last_content < len(parts) - 1:
        add(_new(Token, (ROWEND, "", number)))  # empty cells or padding after the last cell with text
    elif content_cells > 1 or line[0] == "|":
        add(_new(Token, (ROWEND, ROW_CLOSED, number)))  # `| 550 |`, a markdown row of one cell, is a row too


def _split_values(tokens: list[Token], number: int, text: str, m: re.Match[str] | None) -> None:
    """A label followed by values (`规范性文件 26 26`, PDF rows) or several values (`26 26`): `text`
    holds a space, `m` is _TRAILING_VALUES searched in it."""
    if not m:
        tokens.append(_new(Token, (CELL, text, number)))
        return
    label = text[: m.start(1)].strip()
    if label and not _label_can_carry_values(label):
        tokens.append(_new(Token, (CELL, text, number)))
        return
    if label:
        tokens.append(_new(Token, (CELL, label, number)))
    tokens.extend(_new(Token, (CELL, v, number)) for v in m.group(1).split())


def several_values(text: str) -> bool:
    """Values and nothing else, more than one (`26 26`, `2 0 9`)."""
    m = _TRAILING_VALUES.fullmatch(text.strip())
    return m is not None and " " in m.group(1)


def _label_can_carry_values(label: str) -> bool:
    # "2020年1月1日至 12" is a sentence fragment, not a row label; labels end in CJK text or ")"
    return not is_value(label) and not label.endswith(("年", "月", "日", ":", "第", "至"))
