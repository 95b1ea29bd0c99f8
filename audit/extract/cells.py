"""Reading one table cell as printed: a number (with sign and unit), blank, or a placeholder.

Report, never repair: a blank stays blank and `/` stays `/`; only the text of a number is parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Literals that stand for "nothing to report" without being a number (domain.md §10 item 10).
PLACEHOLDERS = frozenset({"/", "\\", "-", "--", "—", "——", "–", "─", "不适用", "N/A", "n/a", "NA", "无", "空"})

# Money units and their factor to yuan (domain.md §10 item 11).
UNIT_FACTORS = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
_MINUS = "-−－﹣"
_NUMBER = re.compile(
    r"^(?P<sign>[+\-−－﹢﹣]?)\s*(?P<digits>\d{1,3}(?:[,，]\d{3})+|\d+)(?P<frac>\.\d+)?\s*(?P<unit>亿元|万元|元|件|条|项|个|次)?$"
)


@dataclass(frozen=True)
class CellValue:
    raw: str
    value: float | None  # the number as printed (unit not applied); None unless numeric
    blank: bool = False
    placeholder: bool = False
    unit: str | None = None
    signed: bool = False  # printed with an explicit + or - sign

    @property
    def yuan(self) -> float | None:
        """The value in yuan when a money unit is printed, else None."""
        if self.value is None or self.unit not in UNIT_FACTORS:
            return None
        return round(self.value * UNIT_FACTORS[self.unit], 2)  # to the fen: 0.07亿元 is 7000000, not 7000000.000000001


@lru_cache(maxsize=8192)  # tables repeat a few literals ("0", "/") across thousands of documents
def parse_cell(text: str) -> CellValue | None:
    """The cell literal, or None when the text is not a value (a label, a sentence)."""
    raw = text.strip()
    if not raw:
        return CellValue(raw="", value=None, blank=True)
    if raw in PLACEHOLDERS:
        return CellValue(raw=raw, value=None, placeholder=True)
    m = _NUMBER.match(raw)
    if not m:
        return None
    number = float(m["digits"].replace(",", "").replace("，", "") + (m["frac"] or ""))
    sign = m["sign"]
    if sign and sign in _MINUS:
        number = -number
    return CellValue(raw=raw, value=number, unit=m["unit"], signed=bool(sign))


def is_value(text: str) -> bool:
    return parse_cell(text) is not None


def json_number(value: float) -> int | float:
    """Integers print as integers in audit.json; decimals (万元 fees) keep their fraction."""
    return int(value) if float(value).is_integer() else float(value)
