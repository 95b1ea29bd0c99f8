"""Ingest: bytes → Source (encodings, unreadable inputs, line splitting, NFKC with the line map)."""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import audit.ingest as ingest
from audit.ingest import read_bytes, read_file, read_paths, sniff
from audit.ingest.text import split_lines

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
S4 = SEEDS / "004_35efe59cd959ef3f.txt"
REPORT = "六安市人民政府办公室2020年政府信息公开工作年度报告\n一、总体情况\n本报告统计期限为2020年1月1日至12月31日。\n"


def nfkc_lines(text: str) -> list[str]:
    return split_lines(unicodedata.normalize("NFKC", text))


def assert_readable(source, lines: list[str]) -> None:
    assert source.error is None
    assert source.lines == lines
    assert list(source.line_numbers) == list(range(1, len(lines) + 1))
    assert len(source.original) == len(lines)


# -- encodings ---------------------------------------------------------------------------------


def test_utf8() -> None:
    source = read_bytes(REPORT.encode("utf-8"), "r.txt")
    assert_readable(source, REPORT.splitlines())
    assert source.encoding == "utf-8" and source.media_type == "text/plain" and source.size == len(REPORT.encode())


def test_utf8_with_bom_drops_the_bom() -> None:
    source = read_bytes(b"\xef\xbb\xbf" + REPORT.encode("utf-8"), "r.txt")
    assert_readable(source, REPORT.splitlines())
    assert source.encoding == "utf-8-sig" and not source.original[0].startswith("\ufeff")


def test_gb18030_seed_reads_like_its_utf8_original() -> None:
    text = S4.read_text(encoding="utf-8")
    source = read_bytes(text.encode("gb18030"), "s4-gb.txt")
    assert source.encoding == "gb18030"
    assert source.lines == read_file(str(S4)).lines


def test_short_gbk_text_is_read_as_gb18030() -> None:
    """charset-normalizer calls short Chinese text Korean or Big5; GB18030 is tried first."""
    source = read_bytes("政府信息公开工作年度报告".encode("gbk"), "short.txt")
    assert source.encoding == "gb18030" and source.lines == ["政府信息公开工作年度报告"]


def test_big5_is_not_read_as_gbk_mojibake() -> None:
    text = "中華人民共和國政府資訊公開條例規定"
    source = read_bytes(text.encode("big5"), "trad.txt")
    assert source.encoding == "big5" and source.lines == [text]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(codec: str) -> None:
    data = REPORT.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    source = read_bytes(data, "r.txt")
    assert_readable(source, REPORT.splitlines())
    assert source.encoding.startswith(("utf-16", "utf-32"))


# -- unreadable inputs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n", "\u3000\u3000\n".encode(), b"\xff\xfe" + " \n".encode("utf-16-le")]
)
def test_empty_input_is_an_error(data: bytes) -> None:
    source = read_bytes(data, "empty.txt")
    assert source.error and "empty" in source.error and "空" in source.error
    assert source.lines == [] and source.original == []


@pytest.mark.parametrize(
    "data",
    [
        random.Random(0).randbytes(5000),
        bytes(range(256)) * 40,
        b"text\x00with\x00nuls\x00" * 50,
        "政府信息公开".encode() + b"\x01\x02\x03\x04\x05\x06" * 20,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"PK\x03\x04\x14\x00\x06\x00",
    ],
    ids=["random", "all-bytes", "nul-laden", "control-chars", "pdf", "zip"],
)
def test_binary_input_is_an_error_without_lines(data: bytes) -> None:
    source = read_bytes(data, "noise.bin")
    assert source.error and "binary" in source.error and source.lines == []


def test_undecodable_text_is_an_error() -> None:
    source = read_bytes("年度报告".encode("gb18030")[:-1] * 3 + b"\x80\xff\x80", "bad.txt")
    assert source.error and source.lines == []


def test_sniff_dispatches_by_content_not_by_name() -> None:
    assert sniff(b"%PDF-1.4") == "application/pdf"
    assert sniff(b"PK\x03\x04") == "application/zip"
    assert sniff(b"\xef\xbb\xbf <!DOCTYPE html><html>") == "text/html"
    assert sniff(REPORT.encode()) == "text/plain"
    assert read_bytes(b"%PDF-1.4 ...", "report.txt").error


# -- a reader that raises ------------------------------------------------------------------------


def _raising_for(name: str, error: BaseException) -> Callable[[bytes, str], object]:
    """The text reader, raising `error` on the file named `name` (a reader's bug on one odd file)."""
    real = ingest._READERS["text/plain"]

    def reader(data: bytes, path: str) -> object:
        if path.endswith(name):
            raise error
        return real(data, path)

    return reader


@pytest.mark.parametrize(
    "error",
    [ValueError("bad\ncell  at 3"), RecursionError("maximum recursion depth exceeded"), MemoryError()],
    ids=["value", "recursion", "memory"],
)
def test_a_reader_that_raises_gives_an_unreadable_source_with_a_note(
    monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    monkeypatch.setitem(ingest._READERS, "text/plain", _raising_for("odd.txt", error))
    source = read_bytes(REPORT.encode(), "odd.txt")
    detail = type(error).__name__ + (": " + " ".join(str(error).split()) if str(error) else "")
    assert source.error == f"读取时出现内部错误 (internal error while reading): {detail}"
    assert [(n.code, n.detail, n.line) for n in source.notes] == [("internal_error", detail, 0)]
    assert source.skipped is None and source.lines == [] and source.size == len(REPORT.encode())
    assert read_bytes(REPORT.encode(), "fine.txt").lines == REPORT.splitlines()


def test_a_reader_that_raises_loses_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from audit.cli import main

    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for seed in ("003_01ab33d891669608.txt", "004_35efe59cd959ef3f.txt"):
        (folder / seed).write_bytes((SEEDS / seed).read_bytes())
    monkeypatch.setitem(ingest._READERS, "text/plain", _raising_for("003_01ab33d891669608.txt", KeyError("k")))
    result = CliRunner().invoke(main, ["run", str(folder), "--out", str(out), "--no-db"])
    assert result.exit_code == 2, result.output
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    inputs = {Path(i["source"]).name: i for i in audit["inputs"]}
    assert inputs["003_01ab33d891669608.txt"]["status"] == "unreadable"
    assert inputs["004_35efe59cd959ef3f.txt"]["status"] == "audited" and inputs["004_35efe59cd959ef3f.txt"]["documents"]
    [fault] = [f for f in audit["findings"] if f["rule"] == "extraction.internal_error"]
    assert fault["evidence"][0]["source"].endswith("003_01ab33d891669608.txt") and "KeyError: 'k'" in fault["message"]
    assert any(f["rule"] == "applications.column_balance" for f in audit["findings"])  # 004 audited as ever


# -- paths -------------------------------------------------------------------------------------


def test_missing_path_still_yields_a_source() -> None:
    [source] = read_paths(["/no/such/file.txt"])
    assert source.path == "/no/such/file.txt" and source.error and "not found" in source.error


def test_folders_are_walked_sorted_skipping_hidden_and_label_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".cache").mkdir()
    for name in ("b/2.txt", "a.txt", "c.bin", ".hidden.txt", ".cache/x.txt", "truth.yaml", "b/1.txt"):
        (tmp_path / name).write_bytes(REPORT.encode())
    missing = str(tmp_path / "gone.txt")
    sources = read_paths([str(tmp_path), missing])
    states = {Path(s.path).relative_to(tmp_path).as_posix(): s.status for s in sources}
    # Hidden entries are listed, not read (a hidden folder as one entry); a name says nothing of the
    # content: truth.yaml holding report text is a report.
    assert states == {
        ".cache": "skipped",
        ".hidden.txt": "skipped",
        "a.txt": "audited",
        "b/1.txt": "audited",
        "b/2.txt": "audited",
        "c.bin": "audited",
        "truth.yaml": "audited",
        "gone.txt": "unreadable",
    }
    assert list(states) == [".cache", ".hidden.txt", "a.txt", "b/1.txt", "b/2.txt", "c.bin", "truth.yaml", "gone.txt"]
    assert "隐藏文件夹，未进入" in (sources[0].skipped or "") and "隐藏文件，未读取" in (sources[1].skipped or "")
    assert sources[-1].error and "not found" in sources[-1].error


def test_an_explicit_file_is_read_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(REPORT, encoding="utf-8")
    [source] = read_paths([str(path)])
    assert source.error is None and source.lines[0].startswith("六安市")


# -- lines and normalisation -------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings(newline: str) -> None:
    source = read_bytes(newline.join(["一", "", "二", "三"]).encode() + newline.encode(), "r.txt")
    assert source.lines == ["一", "", "二", "三"] and list(source.line_numbers) == [1, 2, 3, 4]


def test_mixed_line_endings_and_no_final_newline() -> None:
    source = read_bytes(b"a\r\nb\rc\nd", "r.txt")
    assert source.lines == ["a", "b", "c", "d"]


def test_other_unicode_breaks_do_not_split_lines() -> None:
    source = read_bytes("甲\u2028乙\x0c丙\n丁".encode(), "r.txt")
    assert len(source.lines) == 2


def test_nfkc_full_width_digits_brackets_and_spaces_keep_the_line_map() -> None:
    original = [
        "统计期限为２０２０年１月１日至１２月３１日",
        "（一）主动公开情况：",
        "",
        "\u3000\u3000本年新收\xa0申请",
        "Ⅱ、①",
    ]
    source = read_bytes("\n".join(original).encode("utf-8"), "wide.txt")
    assert source.original == original
    assert source.lines == [
        "统计期限为2020年1月1日至12月31日",
        "(一)主动公开情况:",
        "",
        "  本年新收 申请",
        "II、1",
    ]
    assert list(source.line_numbers) == [1, 2, 3, 4, 5]
    assert all(source.original_line(n) == original[n - 1] for n in source.line_numbers)


def test_nfkc_beyond_the_fast_table() -> None:
    source = read_bytes("＝\u0338 ﬁ ㍻\n二".encode(), "r.txt")
    assert source.lines == [unicodedata.normalize("NFKC", "＝\u0338 ﬁ ㍻"), "二"]


def test_seeds_decode_to_their_nfkc_lines() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        source = read_file(str(path))
        assert source.encoding == "utf-8" and source.lines == nfkc_lines(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_a_50_mb_file_is_read() -> None:
    text = (SEEDS / "002_6460700eaa6e9ee9.txt").read_text(encoding="utf-8") + "\n"
    data = ("\u3000" + text).encode("utf-8") * (50_000_000 // len(text.encode()) + 1)
    source = read_bytes(data, "big.txt")
    assert source.error is None and len(source.lines) > 300_000 and source.lines[0].startswith(" ")


# -- properties --------------------------------------------------------------------------------

# Printable text: no control characters (those mark binary input), no surrogates.
_TEXT_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\ufffd") | st.sampled_from(
    "\n\r\t 　"
)
_CHINESE = st.sampled_from("政府信息公开工作年度报告主动申请统计期限一二三（）：，。、１２３ＡＢ ") | st.sampled_from(
    "abc019 \n"
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(_TEXT_CHARS, min_size=1, max_size=300))
def test_utf8_bytes_give_the_nfkc_lines_of_the_text(text: str) -> None:
    assume(text.strip())
    source = read_bytes(text.encode("utf-8"), "p.txt")
    assert source.error is None
    assert source.lines == nfkc_lines(text)
    assert source.original == split_lines(text)
    assert list(source.line_numbers) == list(range(1, len(source.lines) + 1))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(_CHINESE, min_size=1, max_size=200))
def test_gb18030_bytes_give_the_nfkc_lines_of_the_text(text: str) -> None:
    data = text.encode("gb18030")
    assume(text.strip())
    try:
        data.decode("utf-8")
        assume(False)  # bytes that are also valid UTF-8 are read as UTF-8 (ambiguous by nature)
    except UnicodeDecodeError:
        pass
    source = read_bytes(data, "p.txt")
    assert source.error is None and source.encoding == "gb18030"
    assert source.lines == nfkc_lines(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    source = read_bytes(data, "any.bin")
    assert not (source.error and source.skipped)
    assert (source.error is None and source.skipped is None) == bool(source.lines)
    assert source.lines or source.original == []
    assert len(source.lines) == len(source.original) == len(source.line_numbers)
