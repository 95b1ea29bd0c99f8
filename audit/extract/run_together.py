"""Tables whose cells were run together into one line of text (archived page text, pingtan .txt).

「一、本年新收政府信息公开申请数量230 000023」 is 23|0|0|0|0|0|23, but read without the page it could
as well be 2|30|0|0|0|0|23 or 230|0|0|0|0|2|3: the cell boundaries are gone, and choosing the split
that makes the table's own identities hold would hide exactly the errors the audit exists to find.
So no cell is read from such a line: the table is reported as present but unreadable (an extraction
issue → `structure.incomplete_table`), rather than absent (`structure.missing_table`), which would
wrongly suggest an image or attachment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A table's header words, run together with its first row's digits, on one long unpiped line.
_RUN_TOGETHER = {
    "applications": re.compile(r"勾稽关系.{0,200}?本年新收政府信息公开申请数量\s*\d[\d\s]*\d"),
    "review_litigation": re.compile(r"行政复议.{0,40}?结果维持.{0,120}?复议后起诉.{0,80}?总计\s*\d[\d\s]{13,}"),
    "article20": re.compile(r"第二十条第.{0,6}项\s*信息内容.{0,80}?(?:规章|行政许可)\s*\d"),
}
_MIN_LINE = 120  # shorter lines are rows the token scanner reads (tokens._MAX_CELL_CHARS)


def run_together_tables(lines: Iterable[tuple[int, str]]) -> dict[str, tuple[int, str]]:
    """table → (line, the run-together text quoted) for the tables printed that way."""
    found: dict[str, tuple[int, str]] = {}
    for number, text in lines:
        if len(text) < _MIN_LINE or "|" in text:
            continue
        for table, pattern in _RUN_TOGETHER.items():
            match = pattern.search(text) if table not in found else None
            if match:
                found[table] = (number, match.group()[-24:])
    return found
