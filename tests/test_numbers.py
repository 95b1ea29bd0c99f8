"""Property tests of the narrative number parser (audit.extract.numbers)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from audit.extract.numbers import find_numbers, parse_chinese, parse_number

DIGITS = "零一二三四五六七八九"
FULL_WIDTH = str.maketrans("0123456789,.%", "０１２３４５６７８９，．％")


def _section(k: int) -> str:
    out, zero = "", False
    for unit, place in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit = k // place % 10
        if digit == 0:
            zero = zero or bool(out)
            continue
        if zero:
            out, zero = out + "零", False
        out += DIGITS[digit] + unit
    return out


def to_chinese(n: int) -> str:
    """12345 → 一万二千三百四十五 (the written form reports use)."""
    if n == 0:
        return "零"
    high, low = divmod(n, 10_000)
    text = _section(high) + "万" if high else ""
    if low:
        text += ("零" if high and low < 1000 else "") + _section(low)
    return text


def only(text: str):
    numbers = find_numbers(text)
    assert len(numbers) == 1, (text, numbers)
    return numbers[0]


@given(st.integers(min_value=0, max_value=10**9))
def test_arabic_counts(n: int) -> None:
    number = only(f"收到申请{n}件。")
    assert number.value == n and number.unit == "件" and not number.approx
    assert number.low == number.high == n


@given(st.integers(min_value=1000, max_value=10**9))
def test_thousands_separators(n: int) -> None:
    text = f"共{n:,}条"
    number = only(text)
    assert number.value == n
    assert text[number.start : number.end] == f"{n:,}条"


@given(st.integers(min_value=0, max_value=10**7), st.booleans())
def test_full_width_digits_read_as_arabic(n: int, separators: bool) -> None:
    literal = f"{n:,}" if separators else str(n)
    assert only(f"办结{literal.translate(FULL_WIDTH)}件").value == n


@given(st.integers(min_value=0, max_value=99_999_999))
def test_chinese_numerals(n: int) -> None:
    assert parse_chinese(to_chinese(n)) == n
    assert only(f"公开{to_chinese(n)}件").value == n


def test_chinese_numeral_forms() -> None:
    assert parse_chinese("两") == 2
    assert parse_chinese("两千") == 2000
    assert parse_chinese("十五") == 15
    assert parse_chinese("一〇二") == 102
    assert parse_chinese("一千零五") == 1005
    assert parse_chinese("一亿二千万") == 120_000_000
    assert parse_chinese("万") is None and parse_chinese("abc") is None
    assert find_numbers("一是加强领导，一站式服务") == []


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=2), st.sampled_from("万亿"))
def test_multipliers(whole: int, places: int, multiplier: str) -> None:
    literal = f"{whole / 10**places:.{places}f}"
    factor = 10_000 if multiplier == "万" else 100_000_000
    number = only(f"主动公开信息{literal}{multiplier}条")
    assert math.isclose(number.value, float(literal) * factor)
    assert math.isclose(parse_number(literal + multiplier) or 0, float(literal) * factor)


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(["余", "多"]))
def test_more_than(n: int, word: str) -> None:
    number = only(f"回应舆情{n}{word}次")
    assert number.approx and number.value == n
    assert number.low == n < number.high


@given(st.integers(min_value=10, max_value=10**6), st.sampled_from(["约", "近", "超过"]))
def test_approximations_contain_the_number(n: int, word: str) -> None:
    number = only(f"共{word}{n}件")
    assert number.approx and number.low <= n <= number.high and number.low < number.high


def test_corpus_approximations() -> None:
    cases = {"3.6万余条": (36_000, 37_000), "1000多次": (1000, 2000), "20余件": (20, 30), "2900多条": (2900, 3000)}
    for text, (low, high) in cases.items():
        number = only(text)
        assert (number.low, number.high) == (low, high), text
    assert only("32.6万件").value == 326_000 and not only("32.6万件").approx


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=2))
def test_a_figure_in_wan_is_rounded_to_its_last_digit(whole: int, places: int) -> None:
    literal = f"{whole / 10**places:.{places}f}"
    number = only(f"主动公开信息{literal}万条")
    half = 10_000 * 10**-places / 2
    assert not number.approx
    assert math.isclose(number.low, number.value - half) and math.isclose(number.high, number.value + half)
    assert only(f"共{whole}条").low == only(f"共{whole}条").high == whole  # a plain count is exact


@given(st.integers(min_value=0, max_value=1000), st.booleans())
def test_percentages(tenths: int, about: bool) -> None:
    literal = f"{tenths / 10:.1f}%"
    number = only(("占比约" if about else "占比") + literal)
    assert number.percent and math.isclose(number.value, tenths / 10)
    assert number.approx == about
    if about:
        assert math.isclose(number.high - number.low, 2)
    assert only("百分之六十").value == 60 and only("百分之六十").percent


def test_dates_and_times_are_not_counts() -> None:
    units = [n.unit for n in find_numbers("统计期限自2020年1月1日起至2020年12月31日止,办公时间8:30-12:00")]
    assert "件" not in units and "条" not in units
