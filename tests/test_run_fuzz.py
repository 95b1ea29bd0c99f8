"""Whole-run fuzzing (issue 9): `xxgk-audit run` on generated folders of real reports, their mutations,
renderings and junk (tests/generator.py) must exit 0 or 1, write strict JSON, account for every input,
find a document in every readable report, give every finding evidence, and give every document the
same findings as when its file is audited alone (rules that compare documents aside:
run_properties.CROSS_DOCUMENT_RULES). bench/fuzz_campaign.py runs the same checks on ≥ 10,000 documents.

FUZZ_EXAMPLES scales the number of generated folders (as in test_fuzz.py).
"""

from __future__ import annotations

import codecs
import io
import os
import random
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from generator import (
    ENCODINGS,
    EXACT_ENCODINGS,
    JUNK,
    SHAPES,
    Generated,
    Truth,
    make,
    reports,
    seed_named,
    seeds,
    write_folder,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from run_properties import check_run, isolation_violations, per_document_rule, run_in_process, strict_loads

from audit.ingest import read_bytes

SCALE = float(os.environ.get("FUZZ_EXAMPLES", "1"))
# A seed is opaque (shrinking it means nothing) and each example is a whole run: no shrink phase.
# Derandomized: the suite tries the same folders every time (a failure is never a flake); the
# campaign in bench/ is the one that explores.
FUZZ = settings(
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


def _examples(n: int) -> int:
    return max(1, int(n * SCALE))


def _audit_folder(folder: Path, inputs: list[Generated], alone: int, rng: random.Random) -> list[str]:
    """Violations of one run over `folder`, and of `alone` of its files audited alone."""
    outcome = run_in_process("run", [folder], folder.parent / "out")
    problems = [v.line() for v in check_run(inputs, outcome)]
    if outcome.audit is None:
        return problems
    with_documents = sorted({d["source"] for d in outcome.audit["documents"]})
    for source in rng.sample(with_documents, k=min(alone, len(with_documents))):
        problems += [
            v.line() for v in isolation_violations(outcome.audit, source, run_in_process("check", [Path(source)]))
        ]
    return problems


# ---------------------------------------------------------------- the generator itself


def test_folders_are_deterministic_from_the_seed(tmp_path: Path) -> None:
    first = write_folder(tmp_path / "a" / "in", 7, 12)
    again = write_folder(tmp_path / "b" / "in", 7, 12)
    other = write_folder(tmp_path / "c" / "in", 8, 12)
    assert [(g.path.name, g.path.read_bytes(), g.truth) for g in first] == [
        (g.path.name, g.path.read_bytes(), g.truth) for g in again
    ]
    assert [g.path.read_bytes() for g in first] != [g.path.read_bytes() for g in other]


def test_seeds_are_single_documents() -> None:
    names = [s.name for s in seeds()]
    assert len(names) == len(set(names)) and {"000", "001", "002-1", "002-10", "003", "004"} <= set(names)
    split = [s for s in seeds() if s.name.startswith("002-")]
    assert len(split) == 8 and not any("字号:" in s.text for s in split)  # ten documents, two exact copies


def _made(shape: str, name: str = "002-2", seed: int = 3) -> tuple[bytes, str, Truth]:
    return make(shape, seed_named(name), random.Random(seed))


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_is_made_with_its_truth(shape: str) -> None:
    data, suffix, truth = _made(shape)
    assert truth.shape == shape and truth.expect in ("documents", "documents_or_refused", "any")
    assert suffix.startswith(".") and (data or shape == "junk.empty")
    assert truth.expect != "documents" or truth.seed


def test_text_mutations_do_what_they_say() -> None:
    original = seed_named("002-2").text
    assert re.search(r"20\d\d年", original)
    chinese = _made("year_chinese")[0].decode()
    assert not re.search(r"(?:19|20)\d\d\s*年", chinese) and "二〇二二年" in chinese.replace("零", "〇")
    assert not re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", _made("year_removed")[0].decode())
    assert "2022年1月1日至2022年12月31日" in original
    assert "2022年1月1日至2022年12月31日" not in _made("period_blank")[0].decode()
    assert "2022年1月1日至2022年12月31日" not in _made("period_mangled")[0].decode()
    cut = _made("table_cut")[0].decode()
    assert len(cut) < len(original) and original.startswith(cut) and not cut.endswith("\n")
    wrapped = _made("lines_wrapped")[0].decode()
    assert wrapped.replace("\n", "") == original.replace("\n", "") and wrapped.count("\n") > original.count("\n")
    assert len(_made("lines_deleted")[0].decode().splitlines()) < len(original.splitlines())
    spaced = "".join(_made("digits_spaced", seed=s)[0].decode() for s in range(6))
    assert "2 0 2 2 年" in spaced and re.search(r"\b1 3 7\b", spaced)
    assert "２０２２年" in _made("digits_fullwidth")[0].decode()
    untitled = _made("title_removed", "001")[0].decode()
    assert "桃江经济开发区2020年政府信息公开工作年度报告" not in untitled.splitlines()[0]


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_encodings(encoding: str) -> None:
    text = seed_named("001").text
    data = _made(f"encoding.{encoding}", "001")[0]
    strict = {"utf8": "utf-8", "utf8_bom": "utf-8-sig", "gb18030": "gb18030", "utf16_bom": "utf-16"}
    strict |= {"utf16le_nobom": "utf-16-le", "utf16be_nobom": "utf-16-be"}
    if encoding in EXACT_ENCODINGS:
        assert data.decode(strict[encoding]) == text
        assert (encoding in ("utf8_bom", "utf16_bom")) == data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE))
    else:
        codec = "gb18030" if encoding.startswith("gb") else "utf-8"
        with pytest.raises(UnicodeDecodeError):
            data.decode(codec)
        assert data.decode(codec, errors="replace").count("\ufffd") <= 10


@pytest.mark.parametrize("encoding", EXACT_ENCODINGS[1:])
def test_every_report_reads_alike_in_every_encoding(encoding: str) -> None:
    """Ingest only (fast, every seed): the lines read from an encoded report are those of its UTF-8."""
    different = []
    for seed in seeds():
        plain = read_bytes(seed.text.encode("utf-8"), "a.txt")
        coded = read_bytes(make(f"encoding.{encoding}", seed, random.Random(0))[0], "a.txt")
        if coded.error or coded.lines != plain.lines:
            different.append(f"{seed.name}: {coded.error or 'other lines'}")
    assert different == []


@pytest.mark.parametrize("encoding", [e for e in ENCODINGS if e not in EXACT_ENCODINGS])
def test_every_damaged_report_is_read_in_part(encoding: str) -> None:
    unread = []
    for seed in seeds():
        for k in range(3):
            source = read_bytes(make(f"encoding.{encoding}", seed, random.Random(k))[0], "a.txt")
            if source.error or not source.lines:
                unread.append(f"{seed.name} (Random({k})): {source.error}")
    assert unread == []


def test_html_rendering_has_merged_cells() -> None:
    data = _made("render.html")[0]
    page = data.decode("gb18030" if b'charset="gb2312"' in data else "utf-8")
    assert page.count("<table") == 3 and 'rowspan="' in page and "<td" in page
    assert "71866" in page and "本年新收政府信息公开申请数量" in page
    spans = [_made("render.html", seed=s)[0] for s in range(4)]
    assert any(b'colspan="' in s for s in spans)


def test_docx_rendering_is_a_word_file_with_tables() -> None:
    docx = pytest.importorskip("docx")
    data = _made("render.docx")[0]
    document = docx.Document(io.BytesIO(data))
    assert len(document.tables) == 3  # 第二十条, applications, review and litigation
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert {"71866", "一、本年新收政府信息公开申请数量", "1.属于国家秘密"} <= cells
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert b"w:vMerge" in xml


def test_pdf_rendering_reads_back_as_text_and_ruled_tables() -> None:
    pdfplumber = pytest.importorskip("pdfplumber")
    data = _made("render.pdf")[0]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "".join(page.extract_text() for page in pdf.pages)
        tables = [t for page in pdf.pages for t in page.extract_tables()]
    assert "统计期限为2022年1月1日至2022年12月31日" in text.replace("\n", "")
    rows = [[c for c in row if c] for t in tables for row in t]
    assert ["行政许可", "71866"] in rows
    assert ["一、本年新收政府信息公开申请数量", "209", "6", "0", "0", "0", "0", "215"] in [
        [c.replace("\n", "") for c in r] for r in rows
    ]


def test_markdown_rendering_has_pipe_tables() -> None:
    text = _made("render.md")[0].decode()
    assert "| 行政许可 | 71866 |" in text and re.search(r"^\|(?:---\|)+$", text, re.M)


def test_junk_is_junk() -> None:
    made = {name: JUNK[name][0](random.Random(1)) for name in JUNK}
    assert made["empty"] == b"" and not made["whitespace"].strip(b" \t\r\n\xe3\x80\x80")
    assert made["png"].startswith(b"\x89PNG") and made["zip"].startswith(b"PK\x03\x04")
    assert made["truncated_pdf"].startswith(b"%PDF") and b"%%EOF" not in made["truncated_pdf"]
    assert made["nested_html"].count(b"<div>") >= 260
    assert 999_990 < len(made["long_line"]) <= 1_000_000 and b"\n" not in made["long_line"]
    made["long_line"].decode("utf-8")
    strict_loads(made["json"].decode())


def test_strict_parser_refuses_nan() -> None:
    for text in ('{"a": NaN}', "[Infinity]", "-Infinity"):
        with pytest.raises(ValueError):
            strict_loads(text)
    assert strict_loads('{"a": null}') == {"a": None}


def test_cross_document_rules_are_the_named_ones() -> None:
    assert not per_document_rule("history.carry_over") and not per_document_rule("document.duplicate")
    assert per_document_rule("document.not_a_report") and per_document_rule("applications.column_balance")


# ---------------------------------------------------------------- whole runs


@settings(FUZZ, max_examples=_examples(3))
@given(st.integers(0, 2**32 - 1))
def test_whole_run_on_a_generated_folder(seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        inputs = write_folder(folder, seed, 6, big_junk=False, junk=0.2)
        assert _audit_folder(folder, inputs, alone=3, rng=random.Random(seed)) == []


@settings(FUZZ, max_examples=_examples(4))
@given(st.sampled_from([s.name for s in reports()]), st.sampled_from(EXACT_ENCODINGS[1:]))
def test_an_encoding_changes_nothing(name: str, encoding: str) -> None:
    """The same report in GB18030, UTF-16 (with or without BOM) or UTF-8 with BOM audits as in UTF-8."""
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for shape in ("original", f"encoding.{encoding}"):
            data, _, _ = make(shape, seed_named(name), random.Random(0))
            path = Path(tmp) / "report.txt"
            path.write_bytes(data)
            outcome = run_in_process("check", [path])
            assert outcome.exit_code in (0, 1) and outcome.audit is not None, outcome.stderr
            docs = [{k: v for k, v in d.items() if k != "source"} for d in outcome.audit["documents"]]
            findings = sorted((f["rule"], f["document"], f["message"]) for f in outcome.audit["findings"])
            results.append((docs, findings))
        assert results[0] == results[1]


@pytest.mark.slow
@settings(FUZZ, max_examples=_examples(2))
@given(st.integers(0, 2**32 - 1))
def test_whole_run_on_a_larger_folder_of_every_shape(seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        inputs = write_folder(folder, seed, 30, junk=0.25)
        assert _audit_folder(folder, inputs, alone=6, rng=random.Random(seed)) == []
