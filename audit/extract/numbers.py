"""Numbers as the narrative writes them: 214, 1,234, ３６, 3.6万, 一千二百三十四, 两, 〇/零, 2900多, 约60%.

`parse_number(text)` reads one whole literal; `find_numbers(text)` finds every number of a sentence
with its span, multiplier, approximation and the unit written after it (件, 条, %, …). Every number
also carries the interval of values it can mean (`low`, `high`): 3.6万余条 is 36000–37000,
1000多次 1000–2000, 约60% 59–61, 近50万 450000–500000, 2.1万条 (rounded to its last digit)
20500–21500; an exact number is its own interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FULL_WIDTH = str.maketrans("０１２３４５６７８９，．％", "0123456789,.%")
# Whether a text holds any of them: translating a text that holds none (every NFKC text) costs more
# than finding the numbers in it.
_FULL_WIDTH_CHAR = re.compile("[０１２３４５６７８９，．％]")
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)

# Words before a number that make it approximate, and which way.
UNITS = ("件次", "人次", "件", "条", "个", "次", "起", "宗", "例", "篇", "期", "项", "份", "家", "人", "%")

_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CHINESE = f"[{CN_CHARS}]+"
_UNITS = "|".join(re.escape(u) for u in UNITS)
_UNIT_AHEAD = f"(?=[万亿]?(?:余|多)?[万亿]? ?(?:{_UNITS}))"  # Chinese numerals count only with a unit
# The lookahead names every character a number can start with: no match is lost, and a search skips
# to those characters instead of trying every alternative at every position (~4x faster).
NUMBER_RE = re.compile(
    rf"(?=[大约将近超逾百\d{CN_CHARS}])"
    rf"(?P<before>大约|约|将近|近|超过|逾)?"
    rf"(?:百分之(?P<pct_cn>{_ARABIC}|{_CHINESE})|(?P<arabic>{_ARABIC})|(?P<chinese>{_CHINESE}){_UNIT_AHEAD})"
    rf"(?P<mult>[万亿])?(?P<after>余|多)?(?P<mult2>[万亿])?"
    rf"(?: ?(?P<unit>{_UNITS}))?"
)


# 「3至5件」, 「3—5件」: either end of a range is no count.
_RANGE_SIGNS = "至到~～—–－-"
_RANGE_BEFORE = re.compile(rf"[\d{CN_CHARS}](?:{_UNITS})?\s*[{_RANGE_SIGNS}]\s*$")
_RANGE_AFTER = re.compile(rf"\s*[{_RANGE_SIGNS}]\s*[\d{CN_CHARS}]")


@dataclass(frozen=True)
class Number:
    """One number in a text: value, the span of its literal (approximation words and unit
    included), its unit ('' when none) and the interval it can mean."""

    value: float
    start: int
    end: int
    unit: str
    approx: bool
    low: float
    high: float

    @property
    def percent(self) -> bool:
        return self.unit == "%"


def parse_chinese(text: str) -> float | None:
    """一千二百三十四 → 1234, 两万 → 20000, 十五 → 15, 一〇二 → 102; None if not a Chinese numeral."""
    if not text or any(c not in CN_CHARS for c in text):
        return None
    if all(c in CN_DIGITS for c in text):  # digit by digit: 二〇二一
        return float(int("".join(str(CN_DIGITS[c]) for c in text)))
    total, section, digit = 0, 0, None
    for c in text:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        elif c in CN_SMALL_UNITS:
            section += (1 if digit is None else digit) * CN_SMALL_UNITS[c]
            digit = None
        else:
            section += digit or 0
            if section == 0 and total == 0:
                return None  # a bare 万 or 亿
            unit = CN_BIG_UNITS[c]
            total = (total + section) * unit if unit > 10_000 else total + section * unit
            section, digit = 0, None
    return float(total + section + (digit or 0))


_ARABIC_RE = re.compile(_ARABIC)
_GROUPED_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_arabic(text: str) -> float | None:
    """'1,234' → 1234, '3.6' → 3.6, full-width digits allowed; None if not a number."""
    text = text.translate(FULL_WIDTH)
    if not _ARABIC_RE.fullmatch(text):
        return None
    if "," in text and not _GROUPED_RE.fullmatch(text):
        return None
    return float(text.replace(",", ""))


def parse_number(text: str) -> float | None:
    """One whole literal: Arabic or Chinese, with 万/亿: '3.6万' → 36000, '两千' → 2000."""
    text = text.strip().translate(FULL_WIDTH)
    factor = 1
    while text and text[-1] in CN_BIG_UNITS and not (len(text) > 1 and text[-2] in CN_SMALL_UNITS):
        if parse_arabic(text[:-1]) is None:
            break
        factor *= CN_BIG_UNITS[text[-1]]
        text = text[:-1]
    value = parse_arabic(text)
    if value is None:
        value = parse_chinese(text)
    return None if value is None else value * factor


def _step(literal: str, factor: float) -> float:
    """The size of the last written digit: 2900 → 100, 3.6 (万) → 1000, 20 → 10."""
    if "." in literal:
        return float(10 ** -len(literal.split(".")[1]) * factor)
    digits = literal.replace(",", "")
    trailing = len(digits) - len(digits.rstrip("0"))
    return float(10 ** min(trailing, max(len(digits) - 1, 0)) * factor) if digits.strip("0") else factor


def _interval(
    value: float, before: str | None, after: str | None, step: float, percent: bool, rounded: bool = False
) -> tuple[float, float]:
    if after:  # 2900多, 3.6万余: at least the number, less than the next step
        return value, value + step
    if before in ("超过", "逾"):
        return value, value + step
    if before in ("近", "将近"):
        return value - step, value
    if before in ("约", "大约"):
        spread = 1.0 if percent else max(step / 2, value * 0.05)
        return value - spread, value + spread
    if rounded:  # 2.1万: a figure counted in 万 is rounded to its last digit (20500–21500)
        return value - step / 2, value + step / 2
    return value, value


# NUMBER_RE's groups, all named, in their order: m.groups() reads them in one call (tests check it)
_GROUPS = ("before", "pct_cn", "arabic", "chinese", "mult", "after", "mult2", "unit")


def _match_to_number(m: re.Match[str], groups: tuple[str | None, ...]) -> Number | None:
    """The Number of a NUMBER_RE match, whose groups (in _GROUPS order) are `groups`."""
    before, pct_cn, arabic, chinese, mult, after, mult2, unit_word = groups
    literal = arabic or pct_cn or chinese or ""
    if arabic:  # the text of _ARABIC in translated text: parse_arabic would accept it as it is
        base: float | None = float(arabic.replace(",", ""))
    else:
        base = parse_arabic(literal) if pct_cn and literal[0].isdigit() else parse_chinese(literal)
    if base is None:
        return None
    factor = 1.0
    for big in (mult, mult2):
        if big:
            factor *= CN_BIG_UNITS[big]
    unit = "%" if pct_cn else (unit_word or "")
    value = base * factor
    step = _step(literal, factor) if arabic else factor
    rounded = bool(arabic and (mult or mult2) and not (before or after))
    if rounded:  # 2.1万 is 2.1 ± 0.05 万, 710万 710 ± 0.5 万: the last digit written
        step = factor * 10.0 ** -(len(literal.split(".")[1]) if "." in literal else 0)
    low, high = _interval(value, before, after, step, unit == "%", rounded)
    approx = bool(before or after)
    return Number(value, m.start(), m.end(), unit, approx, low, high)


def find_numbers(text: str, *, with_unit: bool = False) -> list[Number]:
    """Every number of `text` (already NFKC or not) with its span into `text`; only those written
    with a unit (件, 条, % …) when `with_unit`. Ordinals (第三十三条) and the ends of a range (3至5件)
    are not numbers of anything."""
    if _FULL_WIDTH_CHAR.search(text):
        text = text.translate(FULL_WIDTH)
    out = []
    for m in NUMBER_RE.finditer(text):
        groups = m.groups()
        _, pct_cn, arabic, chinese, _, _, _, unit = groups
        if with_unit and not (unit or pct_cn):
            continue
        if chinese and not unit:
            continue  # 一是, 一站式, 万元: Chinese numerals count only with a unit
        if chinese and (chinese in ("万", "亿", "千", "百", "十") or unit == "%"):
            continue
        start, end = m.span()
        prev = text[start - 1] if start else ""
        if prev and arabic and prev in ".-/:":
            continue  # dates, times and versions: 2020-01-20, 8:30
        if prev == "第":
            continue  # 第三十三条, 第2项
        if prev == " " and start > 1:
            prev = text[start - 2]
        if prev and prev in _RANGE_SIGNS and _RANGE_BEFORE.search(text, max(start - 6, 0), start):
            continue  # 3至5件
        following = text[end : end + 1]
        if following == " ":
            following = text[end + 1 : end + 2]
        if following and following in _RANGE_SIGNS and _RANGE_AFTER.match(text, end):
            continue  # 3件至5件
        number = _match_to_number(m, groups)
        if number is not None:
            out.append(number)
    return out
