"""Fuzzing ingest and the table parsers (hypothesis): whatever the bytes, a reader returns a Source
(maybe with `error`) and the table reader returns cells, in bounded time — never an exception.

`pytest tests/test_fuzz.py --hypothesis-show-statistics` prints how many inputs each test tried;
FUZZ_EXAMPLES scales them (the defaults keep the suite under a minute).
"""

from __future__ import annotations

import io
import os
import time
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.extract.table_cells import read_tables
from audit.extract.tokens import tokenize
from audit.ingest import read_bytes
from audit.ingest.render import pipe_row
from audit.model import Source

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SCALE = float(os.environ.get("FUZZ_EXAMPLES", "1"))
SECONDS_PER_INPUT = 20.0  # "no hang": every input is read well within this


def _examples(n: int) -> int:
    return max(1, int(n * SCALE))


def _read(data: bytes) -> Source:
    start = time.monotonic()
    source = read_bytes(data, "fuzz.bin")
    assert time.monotonic() - start < SECONDS_PER_INPUT
    assert isinstance(source, Source)
    assert (source.error is None and source.skipped is None) == bool(source.lines)
    assert len(source.lines) == len(source.line_numbers) and len(source.original) >= len(source.lines)
    assert not source.pages or len(source.pages) == len(source.original)
    return source


@cache
def _pdf() -> bytes:
    return (CORPUS / "pdf" / "hongze-2024.pdf").read_bytes()


@cache
def _html() -> bytes:
    return (CORPUS / "pingtan" / "pingtan-2021.html").read_bytes()


@cache
def _docx() -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("某某县2021年政府信息公开工作年度报告")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "第二十条第(一)项"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "规章"
    table.cell(1, 1).text = "1"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def bounded(examples: int) -> settings:
    """`examples` inputs (times FUZZ_EXAMPLES); time is bounded by `_read`, not hypothesis' deadline."""
    return settings(max_examples=_examples(examples), deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- ingest ------------------------------------------------------------------------------------


@bounded(400)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(data: bytes) -> None:
    _read(data)


@bounded(300)
@given(
    st.sampled_from([b"%PDF-1.7\n", b"PK\x03\x04", b"<html><body>", b"\xef\xbb\xbf", b"\xff\xfe", b"<table>"]),
    st.binary(max_size=2048),
)
def test_bytes_behind_every_magic_number(magic: bytes, tail: bytes) -> None:
    _read(magic + tail)


@bounded(25)
@given(st.floats(min_value=0.0, max_value=1.0))
def test_truncated_pdf(share: float) -> None:
    data = _pdf()
    _read(data[: int(len(data) * share)])


@bounded(15)
@given(st.integers(min_value=0, max_value=10**9), st.binary(min_size=1, max_size=16))
def test_corrupted_pdf(offset: int, junk: bytes) -> None:
    data = _pdf()
    at = offset % len(data)
    _read(data[:at] + junk + data[at + len(junk) :])


@bounded(100)
@given(st.floats(min_value=0.0, max_value=1.0), st.binary(max_size=64))
def test_truncated_or_corrupted_docx(share: float, junk: bytes) -> None:
    data = _docx()
    cut = int(len(data) * share)
    _read(data[:cut])
    _read(data[:cut] + junk + data[cut + len(junk) :])


@bounded(60)
@given(st.floats(min_value=0.0, max_value=1.0), st.text(max_size=200))
def test_truncated_or_spliced_html(share: float, splice: str) -> None:
    data = _html()
    cut = int(len(data) * share)
    _read(data[:cut])
    _read(data[:cut] + splice.encode("utf-8") + data[cut:])


_MARKUP = st.sampled_from(["<table>", "<tr>", "<td rowspan=9>", "<td colspan=0>", "</td>", "<br>", "&nbsp;", "<span>", "<p>", "</table>", "<script>", "<!--", "1", "规章", "|"])  # fmt: skip


@bounded(300)
@given(st.lists(_MARKUP, max_size=80))
def test_random_markup(parts: list[str]) -> None:
    _read(("<html><body>" + "".join(parts)).encode())


# -- table parsers -----------------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["一、本年新收政府信息公开申请数量", "(三)不予公开", "1.属于国家秘密", "三、本年度办理结果", "(七)总计", "第二十条第(一)项",
     "信息内容", "规章", "行政复议", "结果维持", "总计", "自然人", "0", "12", "-3", "+4", "27.5951亿元", "/", "—", "", " ", "|", "||", "商业 企业"]
)  # fmt: skip


@bounded(500)
@given(st.lists(st.lists(_WORDS, max_size=12).map(" | ".join), max_size=60), st.sampled_from([None, 2019, 2021]))
def test_table_reader_on_table_like_lines(lines: list[str], year: int | None) -> None:
    result = read_tables(enumerate(lines, start=1), year)
    assert all(1 <= cell[-1] <= len(lines) for cell in result.cells)


@bounded(300)
@given(st.lists(st.text(max_size=80), max_size=40))
def test_table_reader_and_tokenizer_on_any_text(lines: list[str]) -> None:
    list(tokenize(enumerate(lines, start=1)))
    read_tables(enumerate(lines, start=1))


@bounded(300)
@given(st.lists(st.one_of(st.none(), st.text(max_size=20)), max_size=20))
def test_pipe_row_is_one_line_the_tokenizer_reads(cells: list[str | None]) -> None:
    row = pipe_row(cells)
    assert "\n" not in row
    list(tokenize([(1, row)]))
