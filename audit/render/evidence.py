"""Where a table cell's value stands in its source line, so that a quote can mark it.

A table finding quotes the line the failing cell was read from (a pipe row, or on a one-line text
the whole report). The cells frame keeps each cell's printed text and line, not its column offset,
so the value is found again in the line: the cells of the row read from that line, in print order,
must appear there as consecutive tokens exactly once. Only then is the failing value marked; a row
whose values repeat elsewhere on the line (`0 | 0 | 0`) or could not be matched is quoted unmarked
rather than marked in the wrong place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_TOKEN = re.compile(r"[^\s|｜]+")


def cell_span(text: str, row_raws: Sequence[str], index: int) -> tuple[int, int] | None:
    """(start, end) of `row_raws[index]` in `text`, or None when the row's values are not found
    there as one unique run of consecutive tokens."""
    wanted = [r.strip() for r in row_raws]
    if not wanted or not 0 <= index < len(wanted) or any(not w or _TOKEN.fullmatch(w) is None for w in wanted):
        return None
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    words = [t[0] for t in tokens]
    k = len(wanted)
    starts = [i for i in range(len(words) - k + 1) if words[i : i + k] == wanted]
    if len(starts) != 1:
        return None
    _, start, end = tokens[starts[0] + index]
    return start, end
