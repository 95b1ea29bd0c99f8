"""Hostile DOCX and PDF inputs are read within bounded time and memory, and every limit they hit is
named: refused with a Source.error, or read with a "limit_exceeded" SourceNote (issue 9).

The files are built here, cheaply: a ZIP bomb is a run of identical deflate blocks (a few MB of
file declaring gigabytes), and PDFs are written as minimal PDF syntax by hand.
"""

from __future__ import annotations

import io
import random
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from audit.ingest import docx as docx_reader
from audit.ingest import pdf as pdf_reader
from audit.ingest import read_bytes
from audit.model import Source

docx = pytest.importorskip("docx")

SECONDS = 10.0  # generous: each case takes well under a second on the machine it was written on
MB = 1024 * 1024


@contextmanager
def bounded(seconds: float = SECONDS, megabytes: float | None = None) -> Iterator[None]:
    """Asserts the block ran within `seconds` and, if given, allocated at most `megabytes` at its peak."""
    if megabytes is not None:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / MB if megabytes is not None else 0.0
        if megabytes is not None:
            tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    if megabytes is not None:
        assert peak < megabytes, f"peak {peak:.0f} MB"


def limit_notes(source: Source) -> list[str]:
    return [n.detail for n in source.notes if n.code == "limit_exceeded"]


# -- ZIP building --------------------------------------------------------------------------------


@dataclass
class Member:
    name: str
    deflated: bytes
    size: int  # the uncompressed size the headers declare
    crc: int = 0
    flags: int = 0


def member(name: str, content: bytes) -> Member:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(name, packer.compress(content) + packer.flush(), len(content), zlib.crc32(content))


def zero_bomb(name: str, size: int) -> Member:
    """`size` zero bytes deflated without deflating them: one 1 MiB block, flushed, repeated."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(MB)) + packer.flush(zlib.Z_FULL_FLUSH)
    return Member(name, block * (size // MB) + packer.flush(), size // MB * MB)  # CRC: never reached


def build_zip(members: list[Member], declared_count: int | None = None) -> bytes:
    """A ZIP written by hand, so headers can declare what the test needs (sizes, flags, count)."""
    out, directory = bytearray(), bytearray()
    for m in members:
        name = m.name.encode()
        sizes = (m.crc, len(m.deflated), m.size, len(name))
        directory += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, m.flags, 8, 0, 0x21, *sizes, 0, 0, 0, 0, 0, len(out)
        )
        directory += name
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, m.flags, 8, 0, 0x21, *sizes, 0) + name + m.deflated
    count = len(members) if declared_count is None else declared_count
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(out), 0)
    return bytes(out + directory + end)


def word_members() -> list[Member]:
    document = docx.Document()
    document.add_paragraph("某某县人民政府2021年政府信息公开工作年度报告")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "项目", "数量"
    table.cell(1, 0).text, table.cell(1, 1).text = "行政许可", "4321"
    document.add_paragraph("本年度未收取信息处理费。")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        return [member(info.filename, package.read(info)) for info in package.infolist()]


WORD_LINES = [
    "某某县人民政府2021年政府信息公开工作年度报告",
    "项目 | 数量 |",
    "行政许可 | 4321 |",
    "本年度未收取信息处理费。",
]


def replaced(members: list[Member], new: Member) -> list[Member]:
    return [new if m.name == new.name else m for m in members]


# -- DOCX ----------------------------------------------------------------------------------------

PART_LIMIT = f"{docx_reader.MAX_PART_BYTES // MB} MB"


def test_a_plain_word_package_built_by_hand_reads_as_python_docx_wrote_it() -> None:
    source = read_bytes(build_zip(word_members()), "report.docx")
    assert source.error is None and source.original == WORD_LINES and source.notes == []


def test_image_bomb_is_not_inflated_the_text_is_read_and_the_skip_is_noted() -> None:
    """The issue's case: a 2.6 MB DOCX whose image part expands to 2.5 GB (it cost 6.4 GB)."""
    data = build_zip([*word_members(), zero_bomb("word/media/image1.png", 2500 * MB)])
    assert len(data) < 3 * MB
    with bounded(megabytes=50):
        source = read_bytes(data, "bomb.docx")
    assert source.error is None and source.original == WORD_LINES
    notes = limit_notes(source)
    assert any("word/media/image1.png" in n and PART_LIMIT in n for n in notes)
    assert any(f"{docx_reader.MAX_PACKAGE_BYTES // MB} MB" in n for n in notes)  # the declared total


def test_main_part_over_the_limit_is_refused_naming_it() -> None:
    data = build_zip(replaced(word_members(), zero_bomb("word/document.xml", 64 * MB)))
    with bounded(megabytes=50):
        source = read_bytes(data, "bomb.docx")
    assert source.error and "word/document.xml" in source.error and PART_LIMIT in source.error
    assert source.lines == []


def test_a_declared_size_is_never_trusted() -> None:
    """document.xml declares 2 KB but inflates to 1 GB: the stream stops at the declared size."""
    lying = zero_bomb("word/document.xml", 1024 * MB)
    lying.size = 2048
    with bounded(megabytes=50):
        source = read_bytes(build_zip(replaced(word_members(), lying)), "liar.docx")
    assert source.error and "damaged DOCX" in source.error


def test_encrypted_main_part_is_refused() -> None:
    members = word_members()
    for m in members:
        if m.name == "word/document.xml":
            m.flags = 0x1
    source = read_bytes(build_zip(members), "locked.docx")
    assert source.error and "encrypted" in source.error and "word/document.xml" in source.error


def _xlsx() -> list[Member]:
    return [
        member(
            "[Content_Types].xml",
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Override PartName="/xl/workbook.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        ),
        member(
            "_rels/.rels",
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Target="xl/workbook.xml" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            b"</Relationships>",
        ),
        member("xl/workbook.xml", b"<workbook/>"),
    ]


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (_xlsx(), "XLSX"),
        ([member("mimetype", b"application/vnd.oasis.opendocument.text"), member("content.xml", b"<x/>")], "ODT"),
        ([member("report.txt", "年度报告".encode())], "plain ZIP"),
    ],
    ids=["xlsx", "odt", "plain-zip"],
)
def test_a_zip_that_is_not_a_word_document_says_what_it_is(members: list[Member], expected: str) -> None:
    source = read_bytes(build_zip(members), "report.docx")
    assert source.error and "not a DOCX" in source.error and expected in source.error
    assert source.media_type == "application/zip"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) - 30],  # the end record cut
        lambda data: data[:-22] + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 9, 9, 999, 12, 0),  # wrong directory
        lambda data: data.replace(b"PK\x03\x04", b"PK\x03\x05", 3),  # local headers broken
        lambda data: data[:200] + random.Random(0).randbytes(len(data) - 200),
    ],
    ids=["cut", "bad-directory", "bad-local-headers", "garbage"],
)
def test_a_damaged_zip_is_a_clear_error(damage: Callable[[bytes], bytes]) -> None:
    with bounded(seconds=2):
        source = read_bytes(damage(build_zip(word_members())), "damaged.docx")
    assert source.error and "binary" in source.error and source.lines == []


@pytest.mark.parametrize("declared_count", [None, 10], ids=["declared", "understated"])
def test_a_zip_of_thousands_of_members_is_refused_quickly(declared_count: int | None) -> None:
    members = [*word_members(), *(member(f"word/media/{i}.png", b"") for i in range(5000))]
    data = build_zip(members, declared_count)
    with bounded(seconds=2):
        source = read_bytes(data, "many.docx")
    assert source.error and f"{docx_reader.MAX_MEMBERS:,}" in source.error and source.lines == []


# -- PDF building --------------------------------------------------------------------------------

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def stream(body: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(body), entries) + body + b"\nendstream"


def build_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of `objects` (object 1 the catalog), with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref))
    return out.getvalue()


def pages_pdf(contents: list[bytes], *, size: tuple[int, int] = (595, 842), more: list[bytes] | None = None) -> bytes:
    """One page per content stream (Helvetica as /F1; forms /X0, /X1 … are the `more` objects)."""
    more = more or []
    first_page = 4 + len(more)
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(len(contents)))
    forms = b" ".join(b"/X%d %d 0 R" % (i, 4 + i) for i in range(len(more)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(contents))]
    objects += [FONT, *more]
    for i, content in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R " % (*size, first_page + 2 * i + 1)
            + b"/Resources << /Font << /F1 3 0 R >> /XObject << %s >> >> >>" % forms
        )
        objects.append(content)
    return build_pdf(objects)


def text(line: bytes, y: int = 800) -> bytes:
    return stream(b"BT /F1 10 Tf 50 %d Td (%s) Tj ET" % (y, line))


def small_tables(count: int) -> bytes:
    """`count` ruled 2×2 tables, 25 a row; every cell holds the table's label t<i>."""
    ops = []
    for i in range(count):
        x, y = 10 + i % 25 * 90, 10 + i // 25 * 30
        ops += [b"%d %d m %d %d l S" % (x, y + r * 10, x + 80, y + r * 10) for r in range(3)]
        ops += [b"%d %d m %d %d l S" % (x + c * 40, y, x + c * 40, y + 20) for c in range(3)]
        ops += [
            b"BT /F1 6 Tf %d %d Td (t%d) Tj ET" % (x + c * 40 + 2, y + r * 10 + 2, i)
            for r in range(2)
            for c in range(2)
        ]
    return stream(b"\n".join(ops))


def flate_bomb(unit: bytes, size: int) -> bytes:
    """A zlib stream inflating to `size` bytes of `unit` repeated, built without inflating it."""
    chunk = unit * (MB // len(unit))
    packer = zlib.compressobj(9)
    head = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    return head + block * (size // len(chunk) - 1) + packer.flush()


def page_lines(source: Source, page: int) -> list[str]:
    return [line for line, p in zip(source.original, source.pages, strict=True) if p == page]


# -- PDF -----------------------------------------------------------------------------------------


def test_pages_past_the_cap_are_reported_and_the_pages_read_are_audited() -> None:
    """The issue's case: pages 201+ of a 250-page PDF were dropped without a word."""
    data = pages_pdf([text(b"page %d;" % n) for n in range(1, 251)])
    with bounded():
        source = read_bytes(data, "long.pdf")
    assert source.error is None and sorted(set(source.pages)) == list(range(1, 201))
    assert source.original[-1] == "page 200;"
    [note] = limit_notes(source)
    assert "共 250 页" in note and "200" in note and "50 页未读取" in note


def test_a_page_of_many_ruled_tables_is_read_as_text_in_bounded_time() -> None:
    """The issue's case (1,000 tables took 20 s, and overflowed the stack): over the ruling-edge
    limit, the table finder is not run; every table's text is still read, as plain lines."""
    data = pages_pdf([small_tables(300)], size=(2300, 400))
    with bounded():
        source = read_bytes(data, "tables.pdf")
    assert source.error is None
    [note] = limit_notes(source)
    assert "1,800 条表格线" in note and "1,500" in note
    words = set(" ".join(source.original).split())
    assert {f"t{i}" for i in range(300)} <= words


def test_tables_past_the_per_page_cap_are_read_as_text() -> None:
    data = pages_pdf([small_tables(60)], size=(2300, 100))
    with bounded():
        source = read_bytes(data, "tables.pdf")
    rows = [line for line in source.original if line.count("|") == 2]
    assert len(rows) == 2 * pdf_reader.MAX_TABLES_PER_PAGE  # two rows a table
    [note] = limit_notes(source)
    assert "60 个表格" in note and "其余 10 个" in note
    words = set(" ".join(source.original).replace("|", " ").split())
    assert {f"t{i}" for i in range(60)} <= words  # nothing dropped


def test_table_finder_budget_of_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "MAX_TABLE_EDGES_TOTAL", 10)
    source = read_bytes(pages_pdf([small_tables(1), small_tables(1)]), "two.pdf")
    assert page_lines(source, 1) == ["t0 | t0 |", "t0 | t0 |"]
    assert page_lines(source, 2) == ["t0 t0 t0 t0"]  # read as text lines (joined as a wrapped paragraph)
    [note] = limit_notes(source)
    assert "第2页" in note and "全文件累计上限 10" in note


def test_a_content_stream_bomb_skips_its_page_only() -> None:
    bomb = stream(flate_bomb(b"q Q ", 1024 * MB), b"/Filter /FlateDecode")
    data = pages_pdf([text(b"first;"), bomb, text(b"third;")])
    with bounded(megabytes=50):
        source = read_bytes(data, "bomb.pdf")
    assert source.original == ["first;", "third;"] and source.pages == [1, 3]
    [note] = limit_notes(source)
    assert "第2页" in note and "2 MB" in note


def test_a_pdf_with_nothing_read_within_the_limits_is_refused_naming_them() -> None:
    bomb = stream(flate_bomb(b"q Q ", 64 * MB), b"/Filter /FlateDecode")
    source = read_bytes(pages_pdf([bomb]), "bomb.pdf")
    assert source.error and "2 MB" in source.error and "没有读到文字" in source.error


def test_nested_forms_cannot_multiply_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Form k draws form k-1 twice: 2^24 draws of one character, unless the objects are counted."""
    monkeypatch.setattr(pdf_reader, "MAX_PAGE_OBJECTS", 5_000)
    forms = [
        stream(
            b"BT /F1 8 Tf 10 10 Td (x) Tj ET",
            b"/Subtype /Form /BBox [0 0 99 99] /Resources << /Font << /F1 3 0 R >> >>",
        )
    ]
    for k in range(1, 24):
        resources = b"/Resources << /XObject << /X%d %d 0 R >> >>" % (k - 1, 4 + k - 1)
        forms.append(stream(b"/X%d Do /X%d Do" % (k - 1, k - 1), b"/Subtype /Form /BBox [0 0 99 99] " + resources))
    data = pages_pdf([text(b"before;"), stream(b"/X23 Do"), text(b"after;")], more=forms)
    with bounded():
        source = read_bytes(data, "forms.pdf")
    assert source.original == ["before;", "after;"]
    [note] = limit_notes(source)
    assert "第2页" in note and "5,000" in note


def test_object_budget_of_the_file_stops_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "MAX_OBJECTS", 15)
    source = read_bytes(pages_pdf([text(b"ten chars;"), text(b"ten more;;"), text(b"third;")]), "x.pdf")
    assert source.original == ["ten chars;"]
    [note] = limit_notes(source)
    assert "第2页起未读取" in note and "15" in note


def test_object_streams_are_measured_before_pdfminer_inflates_them() -> None:
    bomb = stream(flate_bomb(b"1 0 ", 256 * MB), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode")
    data = pages_pdf([text(b"hello;")], more=[bomb])
    with bounded(megabytes=50):
        source = read_bytes(data, "objstm.pdf")
    assert source.error and "16 MB" in source.error


def test_encrypted_pdf_is_a_clear_error() -> None:
    hex32 = random.Random(1).randbytes(32).hex().encode()
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <%s> /U <%s> >>" % (hex32, hex32)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>", encrypt]
    data = build_pdf(
        objects, b"/Encrypt 3 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]"
    )
    with bounded(seconds=2):
        source = read_bytes(data, "locked.pdf")
    assert source.error == pdf_reader.ENCRYPTED


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n" + random.Random(2).randbytes(2 * MB),
        b"%PDF-1.4\n" + b"".join(b"%d 0 obj\n<< /A 1 >>\nendobj\n" % i for i in range(1, 120_000)),
    ],
    ids=["garbage", "objects-without-xref"],
)
def test_a_corrupt_pdf_is_a_clear_error_quickly(data: bytes) -> None:
    with bounded(seconds=3):
        source = read_bytes(data, "corrupt.pdf")
    assert source.error and "binary" in source.error and source.lines == []
