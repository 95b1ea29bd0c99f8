"""The folder walk and input typing: every file met is a Source (audited, unreadable or skipped with
its reason), types come from content, and no file can hang, flood or escape the walk."""

from __future__ import annotations

import gzip
import importlib
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import audit.ingest as ingest
from audit.ingest import read_bytes, read_file, read_paths, sniff
from audit.model import Source

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
SAMPLES = Path(__file__).resolve().parents[1] / "audit" / "samples"
SEED = CORPUS / "seeds" / "004_35efe59cd959ef3f.txt"
REPORT = "六安市人民政府办公室2020年政府信息公开工作年度报告\n一、总体情况\n本报告统计期限为2020年1月1日至12月31日。\n"


def bounded(call: Callable[[], Any], seconds: float = 5.0) -> Any:
    """`call()` in a daemon thread: fails instead of hanging the suite (a FIFO opened blocks forever)."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    start = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    assert time.monotonic() - start < seconds
    return result[0]


def walk(*paths: Path | str, exclude: list[str] | None = None) -> list[Source]:
    return bounded(lambda: read_paths([str(p) for p in paths], exclude=exclude))


def by_name(sources: list[Source], root: Path) -> dict[str, Source]:
    return {os.path.relpath(s.path, root): s for s in sources}


def audited(source: Source) -> bool:
    return source.error is None and source.skipped is None and bool(source.lines)


# -- content typing: reports are audited whatever their name, data is skipped ----------------------


MARKDOWN = (
    "# 某某区人民政府2021年政府信息公开工作年度报告\n\n## 一、总体情况\n\n本年度，我区认真贯彻落实条例，"
    "共收到申请12件, 办结12件。\n\n| 项目 | 本年新制作数量 | 本年新公开数量 |\n|---|---|---|\n| 规章 | 0 | 0 |\n"
)


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif"),
        (
            b"BM" + (70).to_bytes(4, "little") + b"\x00" * 4 + (54).to_bytes(4, "little") + (40).to_bytes(4, "little"),
            "image/bmp",
        ),
        (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
        (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    ],
    ids=["png", "jpeg", "gif", "bmp", "tiff-le", "tiff-be", "webp"],
)
def test_images_are_skipped_as_needing_ocr(tmp_path: Path, data: bytes, media_type: str) -> None:
    path = tmp_path / "report.txt"  # the name says text: the content decides
    path.write_bytes(data + bytes(range(256)))
    [source] = walk(tmp_path)
    assert source.media_type == media_type and source.skipped == ingest.IMAGE
    assert "图片文件，无法读取文字（需要 OCR）" in source.skipped
    assert source.error is None and source.lines == [] and source.size == len(data) + 256


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (gzip.compress(REPORT.encode()), ingest.ARCHIVE),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", ingest.ARCHIVE),
        (b"Rar!\x1a\x07\x01\x00", ingest.ARCHIVE),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56, ingest.PROGRAM),
        (b"MZ\x90\x00" + b"\x00" * 56 + (64).to_bytes(4, "little") + b"PE\x00\x00", ingest.PROGRAM),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", ingest.MEDIA),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", ingest.MEDIA),
        (b"\x00\x00\x00\x0c" + b"\x00" * 4 + b"DUCK" + b"\x00" * 20, ingest.DATABASE),
    ],
    ids=["gzip", "7z", "rar", "elf", "pe", "mp3", "mp4", "duckdb-magic"],
)
def test_binary_containers_are_skipped_with_their_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    (tmp_path / "x.txt").write_bytes(data)
    [source] = walk(tmp_path)
    assert source.skipped == reason and source.error is None and source.lines == []


def test_a_history_store_is_skipped_as_a_database(tmp_path: Path) -> None:
    import duckdb

    with duckdb.connect(str(tmp_path / "history.duckdb")) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    sources = walk(tmp_path)
    assert [os.path.basename(s.path) for s in sources] == ["history.duckdb"]
    assert sources[0].skipped == ingest.DATABASE


def test_a_legacy_word_document_is_an_unreadable_report(tmp_path: Path) -> None:
    (tmp_path / "2020年报.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    [source] = walk(tmp_path)
    assert source.skipped is None and source.error == ingest.OLE and "DOCX" in source.error


DATA_FILES = {
    "CSV": '机关,年份,新收申请\n六安市,2020,12\n合肥市,2020,"1,024"\n芜湖市,2021,7\n',
    "TSV": "file\tagency\tyear\nA.txt\t某某区\t2020\nB.txt\t某某县\t2021\n",
    "JSON": '{"documents": [{"id": "a.txt#1", "year": 2020}], "findings": []}',
    "JSON lines": '{"id": 1, "text": "一"}\n{"id": 2, "text": "二"}\n',
    "YAML": "# 标注\nfiles:\n  a.txt:\n    year: 2020\n    detail: >-\n      第一行说明，\n      第二行说明。\n  b.txt: {year: 2021}\n",
    "Python": '"""工具。"""\n\nimport os\n\n\ndef main() -> None:\n    print(os.getcwd())\n',
}


@pytest.mark.parametrize("kind", DATA_FILES)
def test_data_files_are_skipped_whatever_their_name(tmp_path: Path, kind: str) -> None:
    (tmp_path / "report.txt").write_text(DATA_FILES[kind], encoding="utf-8")
    [source] = walk(tmp_path)
    label = "JSON" if kind.startswith("JSON") else kind
    assert source.skipped and f"数据文件（{label}" in source.skipped and source.error is None


@pytest.mark.parametrize("name", ["report.md", "report.markdown", "labels.yaml", "data.csv", "x.json", "y.py"])
def test_a_report_is_audited_whatever_its_name(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(MARKDOWN, encoding="utf-8")
    [source] = walk(tmp_path)
    assert audited(source) and source.lines[0].startswith("# 某某区")


@pytest.mark.parametrize(
    "text",
    [
        MARKDOWN,
        # an archive header of `key: value` lines, then the page text (the 平潭 .txt shape) …
        (CORPUS / "pingtan" / "pingtan-2019.txt").read_text(encoding="utf-8"),
        # … with its body indented, so every line sits under the last header key
        "\n".join(
            line if i < 8 else "    " + line
            for i, line in enumerate((CORPUS / "pingtan" / "pingtan-2019.txt").read_text(encoding="utf-8").splitlines())
        ),
        SEED.read_text(encoding="utf-8").replace("，", ","),  # commas on most lines
        "\n".join("\t" + line for line in SEED.read_text(encoding="utf-8").splitlines()),  # tab-indented
        SEED.read_text(encoding="utf-8").replace(" ", "\t").replace("。", "."),  # tab tables, no 「。」
        "# 报告\n- 本年新收: 12\n- 办结: 12\n",  # a bullet list of `key: value`: not a YAML mapping
        "一、总体情况\n"
        + "\n".join("\t".join(["第一项", "0", "0", "0"]) for _ in range(8))
        + "\n二、主动公开\n"
        + "\n".join("\t".join(["(一)予以公开", *"0000000"]) for _ in range(8)),
    ],
    ids=[
        "markdown",
        "header-lines",
        "header-indented-body",
        "commas",
        "tab-indent",
        "tab-tables",
        "bullets",
        "template",
    ],
)
def test_report_shapes_are_never_taken_for_data(text: str) -> None:
    assert sniff(text.encode("utf-8")) == "text/plain"


@pytest.mark.parametrize("start", ["BM", "MZ", "ID3", "OggS", "fLaC", "II*", "GIF8", "Rar!", "7z", "SQLite"])
def test_text_starting_like_a_magic_number_is_text(start: str) -> None:
    text = f"{start} DUCK DUCK 报告\n" + REPORT * 4
    assert sniff(text.encode("utf-8")) == "text/plain"


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 60_000 + b"]" * 60_000,
        b"{" * 200_000,
        b"[" * 30_000 + b"]" * 30_000 + b"\n{}\n",
        b"import os\nx = " + b"(" * 30_000 + b")" * 30_000 + b"\n",
        b"a: 1\nb: " + b"[" * 30_000 + b"]" * 30_000 + b"\n",
        b"a: 1\nb: 2\n" + b"".join(b" " * i + b"k:\n" for i in range(1, 3000)),
        b"a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n",
    ],
    ids=["json-deep", "json-open", "jsonl-deep", "python-deep", "yaml-flow-deep", "yaml-block-deep", "yaml-aliases"],
)
def test_hostile_structure_is_typed_without_raising(data: bytes) -> None:
    start = time.monotonic()
    assert sniff(data) in {"text/plain", "application/json", "application/yaml", "text/x-python"}
    assert time.monotonic() - start < 1


def test_a_data_parser_failing_leaves_the_text_a_report(monkeypatch: pytest.MonkeyPatch) -> None:
    sniffing = importlib.import_module("audit.ingest.content")

    def broken(*args: object) -> bool:
        raise IndexError("a parser's bug")

    monkeypatch.setattr(sniffing, "_is_yaml", broken)
    source = read_bytes(DATA_FILES["YAML"].encode(), "labels.yaml")
    assert source.media_type == "text/plain" and audited(source)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('{}[]",:;\t\n -#|>&*abc一。0123')), max_size=3000))
def test_typing_never_raises_on_structured_noise(text: str) -> None:
    source = read_bytes(text.encode("utf-8"), "noise.txt")
    assert not (source.skipped and source.error)
    assert bool(source.lines) == (source.error is None and source.skipped is None)


def test_every_sample_and_corpus_file_is_typed_by_content() -> None:
    expected = {".txt": "text/plain", ".html": "text/html", ".pdf": "application/pdf"}
    data_files = {"truth.yaml": "YAML", "labels.yaml": "YAML", "MANIFEST.tsv": "TSV"}
    files = sorted(SAMPLES.glob("*")) + sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) > 25
    for path in files:
        media_type = sniff(path.read_bytes())
        if path.name in data_files:
            assert ingest._skip_reason(media_type) == ingest.DATA.format(data_files[path.name]), path
        elif path.name == "README.md":  # prose about the corpus: audited as text (kind other)
            assert media_type == "text/plain"
        else:
            assert media_type == expected[path.suffix], path


def test_a_whole_folder_is_accounted_for(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.md").write_text(MARKDOWN, encoding="utf-8")
    (tmp_path / "c.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    (tmp_path / "d.csv").write_text(DATA_FILES["CSV"], encoding="utf-8")
    (tmp_path / "e.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    (tmp_path / "f.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / ".hidden.txt").write_text(REPORT, encoding="utf-8")  # hidden entries: listed, not read
    sources = walk(tmp_path)
    states = {
        name: "audited" if audited(s) else "skipped" if s.skipped else "error"
        for name, s in by_name(sources, tmp_path).items()
    }
    assert list(states) == [".hidden.txt", "b.md", "c.png", "d.csv", "e.doc", "f.bin", "sub/a.txt"]
    assert states == {
        ".hidden.txt": "skipped",
        "b.md": "audited",
        "c.png": "skipped",
        "d.csv": "skipped",
        "e.doc": "error",
        "f.bin": "error",
        "sub/a.txt": "audited",
    }
    assert all(not (s.skipped and s.error) for s in sources)


def test_hidden_entries_are_listed_never_read(tmp_path: Path) -> None:
    (tmp_path / ".git" / "objects").mkdir(parents=True)
    (tmp_path / ".git" / "HEAD").write_text(REPORT, encoding="utf-8")
    (tmp_path / ".git" / "objects" / "r.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + b"\x00" * 64)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".报告.txt.swp").write_text(REPORT, encoding="utf-8")
    (tmp_path / "sub" / "r.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / ".link").symlink_to(tmp_path / "sub")  # a hidden link to a folder: not entered either
    (tmp_path / ".gone").symlink_to("nowhere")  # a hidden broken link: hidden, not read
    os.mkfifo(tmp_path / ".fifo")
    sources = by_name(walk(tmp_path), tmp_path)
    assert list(sources) == [".DS_Store", ".fifo", ".git", ".gone", ".link", "sub/.报告.txt.swp", "sub/r.txt"]
    folders, files = {".git", ".link"}, {".DS_Store", ".fifo", ".gone", "sub/.报告.txt.swp"}
    for name in folders:
        assert sources[name].skipped == ingest.HIDDEN_FOLDER == "隐藏文件夹，未进入 (hidden folder, not walked)"
        assert sources[name].media_type == "inode/directory"
    for name in files:
        assert sources[name].skipped == ingest.HIDDEN_FILE == "隐藏文件，未读取 (hidden file, not read)"
    for name in folders | files:
        source = sources[name]
        assert source.error is None and source.lines == [] and source.original == [] and source.size == 0
    assert audited(sources["sub/r.txt"])


def test_a_hidden_path_named_explicitly_is_read(tmp_path: Path) -> None:
    (tmp_path / ".drafts").mkdir()
    (tmp_path / ".drafts" / "r.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / ".drafts" / ".old.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / ".report.txt").write_text(REPORT, encoding="utf-8")
    sources = by_name(walk(tmp_path / ".drafts", tmp_path / ".report.txt"), tmp_path)
    assert {name: s.status for name, s in sources.items()} == {
        ".drafts/.old.txt": "skipped",
        ".drafts/r.txt": "audited",
        ".report.txt": "audited",
    }


def test_a_hidden_output_folder_is_neither_walked_nor_listed(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / ".out").mkdir()
    (tmp_path / ".out" / "index.html").write_text("<html><body>" + REPORT, encoding="utf-8")
    assert [os.path.basename(s.path) for s in walk(tmp_path, exclude=[str(tmp_path / ".out")])] == ["r.txt"]


# -- links, pipes, devices --------------------------------------------------------------------------


def test_a_symlink_out_of_the_folder_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("密码: hunter2\n" + REPORT, encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "link.txt").symlink_to(secret)
    (folder / "rel.txt").symlink_to("../secret.txt")
    (folder / "dir").symlink_to(tmp_path)  # a folder outside (here: the parent)
    sources = walk(folder)
    assert [os.path.basename(s.path) for s in sources] == ["dir", "link.txt", "rel.txt"]
    for source in sources:
        assert source.skipped == ingest.LINK_OUT and "符号链接指向输入文件夹之外" in source.skipped
        assert source.lines == [] and source.original == [] and source.media_type == "inode/symlink"


def test_an_explicit_symlink_is_followed_anywhere(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "in").mkdir()
    link = tmp_path / "in" / "chosen.txt"
    link.symlink_to(tmp_path / "report.txt")
    [source] = walk(link)
    assert audited(source) and source.path == str(link)


def test_a_symlink_inside_the_folder_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "real.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "alias.txt").symlink_to("sub/real.txt")
    (tmp_path / "subdir-link").symlink_to("sub")
    sources = walk(tmp_path)
    assert [os.path.relpath(s.path, tmp_path) for s in sources] == ["alias.txt"]  # first met in sorted order
    assert audited(sources[0])


def test_symlink_loops_end(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "sub" / "up").symlink_to("..")
    (tmp_path / "sub" / "self").symlink_to(".")
    (tmp_path / "sub" / "deeper").mkdir()
    (tmp_path / "sub" / "deeper" / "back").symlink_to("../..")
    sources = by_name(walk(tmp_path), tmp_path)
    assert list(sources) == ["a", "b", "sub/r.txt"]
    assert sources["a"].skipped == sources["b"].skipped == ingest.LINK_LOOP
    assert audited(sources["sub/r.txt"])


def test_a_broken_symlink_is_listed(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to("nowhere.txt")
    [source] = walk(tmp_path)
    assert source.skipped == ingest.LINK_BROKEN


def test_a_fifo_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (tmp_path / "r.txt").write_text(REPORT, encoding="utf-8")
    sources = walk(tmp_path)
    assert [os.path.basename(s.path) for s in sources] == ["pipe.txt", "r.txt"]
    assert sources[0].skipped == ingest.FIFO and sources[0].media_type == "inode/fifo" and audited(sources[1])
    [explicit] = walk(fifo)  # named on the command line: still never opened
    assert explicit.skipped == ingest.FIFO
    assert bounded(lambda: read_file(str(fifo))).skipped == ingest.FIFO


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_link_to_a_device_is_never_read(tmp_path: Path) -> None:
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    [walked] = walk(tmp_path)
    assert walked.skipped == ingest.LINK_OUT
    [explicit] = walk(link)
    assert explicit.skipped == ingest.DEVICE and explicit.lines == []
    [device] = walk("/dev/zero")
    assert device.skipped == ingest.DEVICE


def test_a_socket_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        server.listen(1)
        [walked] = walk(tmp_path)
        [explicit] = walk(path)
    finally:
        server.close()
    assert walked.skipped == explicit.skipped == ingest.SOCKET


# -- the run's own output -----------------------------------------------------------------------------


def test_the_output_folder_is_never_walked(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "out"
    (out / "agency").mkdir(parents=True)
    (out / "index.html").write_text("<html><body>" + REPORT + "</body></html>", encoding="utf-8")
    (out / "audit.json").write_text('{"documents": []}', encoding="utf-8")
    (out / "agency" / "page.html").write_text("<html><body>" + REPORT + "</body></html>", encoding="utf-8")
    (tmp_path / "out-link").symlink_to("out")
    sources = walk(tmp_path, exclude=[str(out)])
    assert [os.path.basename(s.path) for s in sources] == ["r.txt"]
    # An excluded folder given as the input itself is listed as such, not read.
    [source] = walk(out, exclude=[str(tmp_path / "." / "out")])
    assert source.skipped == ingest.OWN_OUTPUT
    names = [os.path.relpath(s.path, tmp_path) for s in walk(tmp_path)]  # without `exclude`: all, once
    assert names == ["out/agency/page.html", "out/audit.json", "out/index.html", "r.txt"]


# -- size limit -------------------------------------------------------------------------------------


def test_a_text_over_the_cap_is_cut_at_a_line_and_noted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_INPUT_BYTES", 100_000)
    path = tmp_path / "big.txt"
    line = "本年度共收到政府信息公开申请12件，均已按期答复。\n"
    path.write_text(line * 10_000, encoding="utf-8")  # ~ 740 KB
    [source] = walk(path)
    assert audited(source) and source.size == path.stat().st_size
    assert all(text == line.strip().replace("，", ",") for text in source.lines)  # no line cut in half
    assert len(line.encode()) * len(source.lines) <= 100_000
    [note] = source.notes
    assert note.code == "limit_exceeded" and note.line == 0
    assert "超过上限 97.7 KB" in note.detail and "只读取了前" in note.detail


def test_the_real_cap_reads_a_sparse_giant_text_fast(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.write(REPORT.encode())
        handle.truncate(ingest.MAX_INPUT_BYTES + 1_000_000)  # sparse: NUL bytes after the report
    start = time.monotonic()
    [source] = walk(path)
    assert time.monotonic() - start < 3
    assert (
        audited(source) and source.lines[0].startswith("六安市") and source.size == ingest.MAX_INPUT_BYTES + 1_000_000
    )
    assert [n.code for n in source.notes] == ["limit_exceeded"]
    assert "64.0 MB" in source.notes[0].detail


@pytest.mark.parametrize("head", [b"%PDF-1.7\n", b"PK\x03\x04\x14\x00"], ids=["pdf", "docx"])
def test_a_pdf_or_docx_over_the_cap_is_an_error_naming_the_limit(tmp_path: Path, head: bytes) -> None:
    path = tmp_path / "big"
    with open(path, "wb") as handle:
        handle.write(head)
        handle.truncate(ingest.MAX_INPUT_BYTES + 1)
    start = time.monotonic()
    [source] = walk(path)
    assert time.monotonic() - start < 1
    assert source.error and "超过上限 64.0 MB" in source.error and "size limit" in source.error
    assert source.skipped is None and source.lines == []


# -- file names ---------------------------------------------------------------------------------


def _make(folder: Path, name: bytes, content: str = REPORT) -> None:
    try:
        fd = os.open(os.path.join(os.fsencode(folder), name), os.O_WRONLY | os.O_CREAT, 0o644)
    except OSError as error:  # a file system that refuses the name
        pytest.skip(f"cannot create {name!r}: {error}")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)


def test_a_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    _make(tmp_path, b"\xff\xfe\xb1\xa8\xb8\xe6.txt")  # 报告 in GBK
    _make(tmp_path, b"\\xff.txt")  # a literal backslash name …
    _make(tmp_path, b"\xff.txt")  # … and the byte 0xFF: shown alike, kept apart
    sources = walk(tmp_path)
    assert len(sources) == 3 and all(audited(s) for s in sources)
    paths = [s.path for s in sources]
    assert len(set(paths)) == 3
    for path in paths:
        path.encode("utf-8")  # no lone surrogates
    assert str(tmp_path / "\\xff\\xfe\\xb1\\xa8\\xb8\\xe6.txt") in paths
    assert {os.path.basename(p) for p in paths} >= {"\\xff.txt", "\\xff.txt (2)"}


def test_control_characters_in_names_are_kept_and_distinct(tmp_path: Path) -> None:
    for name in ("a\nb.txt", "a\x1b[31mb.txt", "a b.txt"):
        (tmp_path / name).write_text(REPORT, encoding="utf-8")
    sources = walk(tmp_path)
    assert sorted(os.path.basename(s.path) for s in sources) == sorted(["a\nb.txt", "a\x1b[31mb.txt", "a b.txt"])
    assert all(audited(s) for s in sources)


# -- order and de-duplication ------------------------------------------------------------------------


def test_order_is_sorted_and_a_file_named_twice_is_one_input(tmp_path: Path) -> None:
    for name in ("b/2.txt", "a.txt", "b/1.txt", "c/z.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(REPORT, encoding="utf-8")
    sources = walk(tmp_path / "c", tmp_path, tmp_path / "a.txt", tmp_path / "missing.txt")
    names = [os.path.relpath(s.path, tmp_path) for s in sources]
    assert names == ["c/z.txt", "a.txt", "b/1.txt", "b/2.txt", "missing.txt"]
    assert sources[-1].error == ingest.NOT_FOUND


def test_a_csv_saved_in_gbk_is_data_too() -> None:
    """Excel on Chinese Windows saves CSV in GBK: it is data, like the UTF-8 one (fuzzing found it)."""
    table = "年份,申请数,公开数,备注\n2021,12,10,无\n2022,15,11,无\n2023,9,8,较上年减少\n"
    for encoding in ("utf-8", "gb18030"):
        assert read_bytes(table.encode(encoding), "x.csv").skipped, encoding


# -- listing apart from reading (the chunks of audit.chunks read what the parent listed) ------------


def test_listing_opens_no_file_and_reading_the_list_is_the_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.md").write_text(MARKDOWN, encoding="utf-8")
    (tmp_path / "c.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    (tmp_path / ".hidden.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "out.txt").symlink_to(SEED)  # a link out of the folder
    os.mkfifo(tmp_path / "pipe.txt")
    walked = walk(tmp_path, tmp_path / "missing.txt")
    opened: list[Any] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: opened.append(path) or real_open(path, *a, **k))
    entries = bounded(lambda: ingest.list_inputs([str(tmp_path), str(tmp_path / "missing.txt")]))
    assert opened == []
    assert [e.size for e in entries if e.to_read] == [len(MARKDOWN.encode()), 40, len(REPORT.encode())]
    assert [repr(ingest.read_entry(e)) for e in entries] == [repr(s) for s in walked]
    assert [e.display for e in entries] == [s.path for s in walked]


def test_reading_a_listed_entry_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "r.txt").write_text(REPORT, encoding="utf-8")
    (entry,) = ingest.list_inputs([str(tmp_path)])

    def breaks(*args: Any, **kwargs: Any) -> Source:
        raise RecursionError("injected")

    monkeypatch.setattr(ingest.walk, "read_file", breaks)
    source = ingest.read_entry(entry)
    assert source.path == entry.display and source.error and source.error.startswith(ingest.INTERNAL_ERROR)
    assert [n.code for n in source.notes] == ["internal_error"] and "RecursionError: injected" in source.notes[0].detail
