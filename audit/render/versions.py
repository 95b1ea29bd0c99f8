"""Side-by-side diff of two versions of one agency's report for one year: text and table cells.

Two documents of the same agency and year with different content (not exact or truncated copies)
are shown as a diff of the second against the first:

- text: the non-empty normalised lines of each version compared with difflib; only the changed
  hunks are kept, with CONTEXT identical lines around them (longer identical stretches are
  collapsed to a count). Each line keeps its original line number. A changed line paired with a
  similar line of the other version carries `parts`, runs of (text, changed) from a token diff
  in which a number is one token (「予以公开187件」 against 「予以公开195件」 marks 187 and 195 whole);
- cells: every table cell whose state or value differs between the versions, as two CellViews
  (a blank stays blank, a cell one version lacks is "?" or "—").

The work and the output are bounded so that a huge pair cannot blow up the page: at most
MAX_COMPARED_LINES lines of each version beyond their common beginning and end are compared,
at most MAX_HUNKS hunks / MAX_ROWS rows and MAX_CELLS cells are kept (with a note saying how many
differences are not shown), lines are cut at LINE_CHARS characters and long identical runs inside a
changed line at PART_CONTEXT characters around each change.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TypedDict

from audit.model import TABLE_ZH, TABLES
from audit.render.grids import COLUMN_ZH, ROW_ZH, Cells, CellView, Key, cell_view

CONTEXT = 3  # identical lines shown around a change
MAX_COMPARED_LINES = 2000  # lines of each version compared beyond the common beginning and end
MAX_HUNKS = 20
MAX_ROWS = 200  # rows of the text diff shown
MAX_CELLS = 100  # differing cells shown
LINE_CHARS = 300  # a line longer than this is cut (its line number points at the whole line)
PART_CONTEXT = 30  # characters kept on each side of a change inside a long changed line
ALIGN_LIMIT = 400  # a changed block of m × n lines is aligned by similarity only when m·n ≤ this
SIMILAR = 0.5  # two changed lines this similar are shown as one edited line
SIMILAR_CHARS = 300  # characters of each line the similarity looks at
TOKEN_LIMIT = 4000  # lines longer than this (characters) are not diffed inside
TOKEN = re.compile(r"\d+(?:\.\d+)?|[A-Za-z]+|\s+|.", re.S)

Line = tuple[int | None, str]  # (original line number, text)


class DiffSide(TypedDict):
    line: int | None  # the original line number in its source
    text: str  # the line, cut at LINE_CHARS characters
    parts: list[tuple[str, bool]] | None  # an edited line: runs of (text, changed); else None


class DiffRow(TypedDict):
    op: str  # equal | change (both sides, edited or replaced) | delete (only in A) | insert (only in B)
    a: DiffSide | None
    b: DiffSide | None


class DiffHunk(TypedDict):
    skipped: int  # identical lines collapsed before this hunk
    rows: list[DiffRow]


class TextDiff(TypedDict):
    lines: list[int]  # non-empty lines of A and of B
    changes: int  # changed blocks in all (insertions, deletions, replacements)
    hidden: int  # changed blocks not shown (over MAX_HUNKS / MAX_ROWS, or not compared)
    hunks: list[DiffHunk]
    skipped_after: int  # identical lines collapsed after the last hunk shown
    note: str | None  # what was left out, in Chinese


class CellDiffRow(TypedDict):
    table: str
    row: str
    column: str
    table_label: str
    row_label: str
    column_label: str
    a: CellView
    b: CellView


class CellsDiff(TypedDict):
    count: int  # differing cells in all
    numbers: int  # of them, cells that print a number in both versions (what makes versions conflict)
    hidden: int  # not shown (over MAX_CELLS)
    rows: list[CellDiffRow]  # in print order: table, row, column
    note: str | None


class VersionRef(TypedDict):
    id: str
    source: str
    lines: list[int | None]  # [first, last] original line
    href: str | None  # the version's section on the page; None for a version only in the history store
    stored: bool  # audited in an earlier run and kept in the history store, not in this run
    label: str  # how the page names it: 版本一 … or 历史库中的版本


class VersionDiff(TypedDict):
    anchor: str  # HTML id
    a: VersionRef  # the version the page lists first
    b: VersionRef
    cells: CellsDiff
    text: TextDiff


# -- text -------------------------------------------------------------------------------------------


def content_lines(numbered: Iterable[tuple[int | None, str]]) -> list[Line]:
    """The lines a diff compares: stripped, empty lines dropped (as the content hash does)."""
    return [(n, t.strip()) for n, t in numbered if t and t.strip()]


def _cut(text: str) -> str:
    return text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…"


def _side(line: Line, parts: list[tuple[str, bool]] | None = None) -> DiffSide:
    return {"line": line[0], "text": _cut(line[1]), "parts": parts}


def _shorten(parts: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Identical runs longer than 2·PART_CONTEXT keep PART_CONTEXT characters next to each change."""
    out: list[tuple[str, bool]] = []
    last = len(parts) - 1
    for i, (text, changed) in enumerate(parts):
        if changed:
            out.append((text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…", True))
        elif i == 0 and len(text) > PART_CONTEXT:
            out.append(("…" + text[-PART_CONTEXT:], False))
        elif i == last and len(text) > PART_CONTEXT:
            out.append((text[:PART_CONTEXT] + "…", False))
        elif len(text) > 2 * PART_CONTEXT:
            out.append((text[:PART_CONTEXT] + "…" + text[-PART_CONTEXT:], False))
        else:
            out.append((text, False))
    return out


def _token_parts(a: str, b: str, pa: list[tuple[str, bool]], pb: list[tuple[str, bool]]) -> None:
    ta, tb = TOKEN.findall(a), TOKEN.findall(b)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        pa.append(("".join(ta[i1:i2]), op != "equal"))
        pb.append(("".join(tb[j1:j2]), op != "equal"))


def _merged(parts: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for text, changed in parts:
        if not text:
            continue
        if out and out[-1][1] == changed:
            out[-1] = (out[-1][0] + text, changed)
        else:
            out.append((text, changed))
    return _shorten(out)


def inline_parts(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]] | None:
    """Runs of (text, changed) of two similar lines, from a diff of their tokens (a number is one
    token); two table rows with as many 「|」 are compared cell by cell. None when the lines are too
    long to diff inside."""
    if len(a) > TOKEN_LIMIT or len(b) > TOKEN_LIMIT:
        return None
    pa: list[tuple[str, bool]] = []
    pb: list[tuple[str, bool]] = []
    fa, fb = a.split("|"), b.split("|")
    if 1 < len(fa) == len(fb):
        for k, (x, y) in enumerate(zip(fa, fb, strict=True)):
            if k:
                pa.append(("|", False))
                pb.append(("|", False))
            _token_parts(x, y, pa, pb)
    else:
        _token_parts(a, b, pa, pb)
    return _merged(pa), _merged(pb)


@lru_cache(maxsize=4096)  # _align asks again for the pairs of each side of the pair it picked
def _similarity(a: str, b: str) -> float:
    """SequenceMatcher's ratio of the two lines' beginnings, 0 when its upper bounds (real_quick_ratio,
    quick_ratio: computed here without building the matcher) are below SIMILAR."""
    a, b = a[:SIMILAR_CHARS], b[:SIMILAR_CHARS]
    total = len(a) + len(b)
    if not total:
        return 1.0
    if 2.0 * min(len(a), len(b)) / total < SIMILAR:
        return 0.0
    if 2.0 * (Counter(a) & Counter(b)).total() / total < SIMILAR:  # characters in common
        return 0.0
    return SequenceMatcher(None, a, b).ratio()


def _align(a: list[Line], b: list[Line]) -> list[DiffRow]:
    """Rows of a replaced block: the most similar pair of lines becomes an edited line (recursively
    on each side of it); lines left unpaired are shown side by side, then alone."""
    best, where = SIMILAR, None
    if a and b and len(a) * len(b) <= ALIGN_LIMIT:
        for i, (_, x) in enumerate(a):
            for j, (_, y) in enumerate(b):
                score = _similarity(x, y)
                if score > best:
                    best, where = score, (i, j)
    if where is None:
        rows: list[DiffRow] = []
        for k in range(max(len(a), len(b))):
            left, right = (a[k] if k < len(a) else None), (b[k] if k < len(b) else None)
            op = "change" if left and right else "delete" if left else "insert"
            rows.append({"op": op, "a": _side(left) if left else None, "b": _side(right) if right else None})
        return rows
    i, j = where
    parts = inline_parts(a[i][1], b[j][1])
    edited: DiffRow = {
        "op": "change",
        "a": _side(a[i], parts[0] if parts else None),
        "b": _side(b[j], parts[1] if parts else None),
    }
    return [*_align(a[:i], b[:j]), edited, *_align(a[i + 1 :], b[j + 1 :])]


Opcode = tuple[str, int, int, int, int]


def _opcodes(a: list[str], b: list[str]) -> tuple[list[Opcode], bool]:
    """difflib opcodes over the whole of both texts, comparing at most MAX_COMPARED_LINES lines of
    each beyond their common beginning and end; True when the rest was not compared."""
    n = min(len(a), len(b))
    head = next((k for k in range(n) if a[k] != b[k]), n)
    tail = next((k for k in range(n - head) if a[-1 - k] != b[-1 - k]), n - head)
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    cut = len(mid_a) > MAX_COMPARED_LINES or len(mid_b) > MAX_COMPARED_LINES
    if cut:
        mid_a, mid_b = mid_a[:MAX_COMPARED_LINES], mid_b[:MAX_COMPARED_LINES]
    ops: list[Opcode] = [("equal", 0, head, 0, head)] if head else []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, mid_a, mid_b, autojunk=False).get_opcodes():
        ops.append((op, head + i1, head + i2, head + j1, head + j2))
    if tail and not cut:
        ops.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return ops, cut


def _hunks(ops: list[Opcode]) -> tuple[list[tuple[int, list[Opcode]]], int]:
    """Changed opcodes grouped with CONTEXT identical lines around them: [(identical lines skipped
    before the hunk, its opcodes)], and the identical lines skipped after the last hunk."""
    changed = [k for k, op in enumerate(ops) if op[0] != "equal"]
    if not changed:
        return [], sum(i2 - i1 for _, i1, i2, _, _ in ops)
    hunks: list[tuple[int, list[Opcode]]] = []
    current: list[Opcode] = []
    after = 0
    for k, (op, i1, i2, j1, j2) in enumerate(ops):
        size, keep = i2 - i1, min(i2 - i1, CONTEXT)
        if op != "equal":
            if not hunks:
                hunks.append((0, current))
            current.append((op, i1, i2, j1, j2))
        elif k < changed[0]:  # before the first change: its last CONTEXT lines open the first hunk
            current.append(("equal", i2 - keep, i2, j2 - keep, j2))
            hunks.append((size - keep, current))
        elif k > changed[-1]:  # after the last change
            current.append(("equal", i1, i1 + keep, j1, j1 + keep))
            after = size - keep
        elif size > 2 * CONTEXT:  # a long identical run between changes: close the hunk, open the next
            current.append(("equal", i1, i1 + CONTEXT, j1, j1 + CONTEXT))
            current = [("equal", i2 - CONTEXT, i2, j2 - CONTEXT, j2)]
            hunks.append((size - 2 * CONTEXT, current))
        else:
            current.append((op, i1, i2, j1, j2))
    return hunks, after


def _rows(op: Opcode, a: list[Line], b: list[Line]) -> list[DiffRow]:
    kind, i1, i2, j1, j2 = op
    if kind == "equal":
        return [{"op": "equal", "a": _side(x), "b": _side(y)} for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
    if kind == "delete":
        return [{"op": "delete", "a": _side(x), "b": None} for x in a[i1:i2]]
    if kind == "insert":
        return [{"op": "insert", "a": None, "b": _side(y)} for y in b[j1:j2]]
    return _align(a[i1:i2], b[j1:j2])


def text_diff(a: list[Line], b: list[Line]) -> TextDiff:
    """The changed hunks of B against A (see the module docstring for the bounds). A version
    without text (a stored report whose lines were not kept) is not compared: no text is not a
    deletion of every line."""
    if not a or not b:
        note = "有一个版本没有可比较的文字，未比较文字。"
        return {"lines": [len(a), len(b)], "changes": 0, "hidden": 0, "hunks": [], "skipped_after": 0, "note": note}
    ops, cut = _opcodes([t for _, t in a], [t for _, t in b])
    changes = sum(op != "equal" for op, *_ in ops)
    groups, skipped_after = _hunks(ops)
    hunks: list[DiffHunk] = []
    shown = rows_shown = 0
    truncated = False  # a change shown only in part
    for skipped, group in groups:
        if len(hunks) == MAX_HUNKS or rows_shown >= MAX_ROWS:
            break
        rows: list[DiffRow] = []
        for op in group:
            room = MAX_ROWS - rows_shown - len(rows)
            if room <= 0:
                truncated = truncated or op[0] != "equal"
                break
            new = _rows(op, a, b)
            truncated = truncated or (len(new) > room and op[0] != "equal")
            rows += new[:room]
            shown += op[0] != "equal"
        rows_shown += len(rows)
        hunks.append({"skipped": skipped, "rows": rows})
    hidden = changes - shown
    notes = []
    if hidden:
        notes.append(f"另有 {hidden} 处差异未显示（共 {changes} 处）。")
    if truncated:
        notes.append(f"差异过长，只显示了前 {MAX_ROWS} 行。")
    if cut:
        notes.append(f"两份文字过长，只比较了开头相同部分之后的 {MAX_COMPARED_LINES} 行。")
    if notes:
        skipped_after = 0
    return {
        "lines": [len(a), len(b)],
        "changes": changes,
        "hidden": hidden,
        "hunks": hunks,
        "skipped_after": skipped_after,
        "note": "".join(notes) or None,
    }


# -- cells ------------------------------------------------------------------------------------------

_TABLE_RANK = {t: i for i, t in enumerate(TABLES)}
_ROW_RANK = {t: {r: i for i, r in enumerate(ROW_ZH[t])} for t in TABLES}
_COLUMN_RANK = {t: {c: i for i, c in enumerate(COLUMN_ZH[t])} for t in TABLES}


def _print_order(key: Key) -> tuple[int, int, int, str, str]:
    t, r, c = key
    rows, columns = _ROW_RANK.get(t, {}), _COLUMN_RANK.get(t, {})
    return _TABLE_RANK.get(t, 9), rows.get(r, len(rows)), columns.get(c, len(columns)), r, c


def cells_diff(a: Cells, b: Cells) -> CellsDiff:
    """Every cell whose state or shown value differs between A and B, in print order."""
    tables_a, tables_b = {k[0] for k in a}, {k[0] for k in b}
    differing: list[tuple[Key, CellView, CellView]] = []
    for key in sorted(a.keys() | b.keys(), key=_print_order):
        va = cell_view(key, a.get(key), [], [], absent=key[0] not in tables_a)
        vb = cell_view(key, b.get(key), [], [], absent=key[0] not in tables_b)
        if (va["state"], va["text"]) != (vb["state"], vb["text"]):
            differing.append((key, va, vb))
    rows: list[CellDiffRow] = [
        {
            "table": t,
            "row": r,
            "column": c,
            "table_label": TABLE_ZH.get(t, t),
            "row_label": ROW_ZH.get(t, {}).get(r, r),
            "column_label": COLUMN_ZH.get(t, {}).get(c, c),
            "a": va,
            "b": vb,
        }
        for (t, r, c), va, vb in differing[:MAX_CELLS]
    ]
    hidden = max(0, len(differing) - MAX_CELLS)
    return {
        "count": len(differing),
        "numbers": sum(va["state"] == vb["state"] == "number" for _, va, vb in differing),
        "hidden": hidden,
        "rows": rows,
        "note": f"另有 {hidden} 处单元格差异未显示（共 {len(differing)} 处）。" if hidden else None,
    }


def version_diff(
    anchor: str, a: VersionRef, b: VersionRef, text: tuple[list[Line], list[Line]], cells: tuple[Cells, Cells]
) -> VersionDiff:
    """The diff of version B against version A (text lines as `content_lines`, cells by key)."""
    return {"anchor": anchor, "a": a, "b": b, "cells": cells_diff(*cells), "text": text_diff(*text)}
