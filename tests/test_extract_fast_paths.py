"""The shortcuts the extractors take for speed (issue 13) say the same as the long way round."""

from __future__ import annotations

import re

import pytest

from audit.extract import claim_words as w
from audit.extract.numbers import _GROUPS, NUMBER_RE, find_numbers
from audit.segment import (
    _PINYIN,
    _TITLE,
    _TITLE_MAX,
    _TRADITIONAL_MARKS,
    _classes,
    _has_pinyin,
    _has_traditional,
    classify_line,
)


def test_number_groups_are_read_in_order() -> None:
    assert NUMBER_RE.groups == len(_GROUPS)
    assert NUMBER_RE.groupindex == {name: k for k, name in enumerate(_GROUPS, start=1)}


@pytest.mark.parametrize(
    "text",
    [
        "共收到申请２１５件，其中予以公开１３７件",
        "约60%",
        "百分之三十",
        "3至5件",
        "第三十三条",
        "2.1万条",
        "一是",
        "1,234件",
    ],
)
def test_full_width_text_reads_as_its_normal_form(text: str) -> None:
    normal = text.translate(str.maketrans("０１２３４５６７８９，．％", "0123456789,.%"))
    assert [(n.value, n.start, n.end, n.unit) for n in find_numbers(text)] == [
        (n.value, n.start, n.end, n.unit) for n in find_numbers(normal)
    ]


def test_metric_patterns_are_led_by_words() -> None:
    # ANY_METRIC's lookahead names the first character of every alternative: none may start otherwise
    for pattern, _ in w.METRIC_PATTERNS:
        assert all("\u4e00" <= alternative[0] <= "\u9fff" for alternative in w._top_level(pattern))


@pytest.mark.parametrize(
    "line",
    [
        "",
        "  |  ",
        "|||",
        "209",
        " 0 |",
        "①",
        "٣",
        "2024年",
        "1.word版:报告",
        "发布时间:2024-01-01",
        "大 中 小本报告",
        "x.PDF",
    ],
)
def test_lines_classed_without_the_call_as_with_it(line: str) -> None:
    assert _classes([line]) == [classify_line(line)]


@pytest.mark.parametrize("text", ["機(jī)關", "(一)总体情况", "abc(jī)", "（guān）", "无括号", "((x)"])
def test_pinyin_found_at_parentheses_as_by_search(text: str) -> None:
    assert _has_pinyin(text) == bool(_PINYIN.search(text))


def test_keywords_are_plain_words() -> None:
    # a plain alternation of words is what lets re skip ahead to their first characters by itself
    words = w._top_level(w.KEYWORDS.pattern)
    assert len(words) > 10 and all(re.escape(word) == word for word in words)


@pytest.mark.parametrize("text", ["", "开放", *_TRADITIONAL_MARKS, "年度報告", "x機"])
def test_traditional_marks_found_as_by_any_mark(text: str) -> None:
    assert _has_traditional(text) == any(mark in text for mark in _TRADITIONAL_MARKS)


def test_the_longest_title_is_within_the_bound() -> None:
    longest = "示" * 60 + "年度报告" + "(" + "二" * 12 + ")"
    assert len(longest) == _TITLE_MAX and _TITLE.fullmatch(longest)
    assert not _TITLE.fullmatch("示" * 61 + "年度报告" + "(" + "二" * 12 + ")")
