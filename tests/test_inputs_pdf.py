"""PDF reports: the two 洪泽区 PDFs (ruled tables, one continuing over a page break, group labels
one character per line in the text flow) extract as labelled, and evidence cites the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from input_labels import CORPUS, labels, metadata_mismatches, table_mismatches

from audit.ingest import read_bytes, read_file
from audit.pipeline import run_audit
from audit.render.audit_json import audit_json

pytest.importorskip("pdfplumber")

HONGZE = labels("pdf")
FAMILIES = ("applications.", "review_litigation.", "values.", "structure.", "document.", "dates.", "extraction.")


@pytest.fixture(scope="module")
def pdf_audit() -> dict[str, Any]:
    return audit_json(run_audit([str(CORPUS / "pdf")]))


def _document(audit: dict[str, Any], name: str) -> dict[str, Any]:
    [doc] = [d for d in audit["documents"] if Path(d["source"]).name == name]
    return dict(doc)


@pytest.mark.parametrize("name", sorted(HONGZE))
def test_pdf_extracts_as_labelled(pdf_audit: dict[str, Any], name: str) -> None:
    label, doc = HONGZE[name], _document(pdf_audit, name)
    assert metadata_mismatches(label, doc) == []
    assert table_mismatches(label, doc) == []


@pytest.mark.parametrize("name", sorted(HONGZE))
def test_pdf_findings_as_labelled(pdf_audit: dict[str, Any], name: str) -> None:
    label, doc = HONGZE[name], _document(pdf_audit, name)
    rules = [f["rule"] for f in pdf_audit["findings"] if f["document"] == doc["id"]]
    for expected in label.get("expect", []):
        assert expected["rule"] in rules or not expected["rule"].startswith(FAMILIES), expected
    assert {r for r in label.get("expect_not", []) if r.startswith(FAMILIES)} & set(rules) == set()


def test_evidence_cites_page_and_line(pdf_audit: dict[str, Any]) -> None:
    findings = [f for f in pdf_audit["findings"] if f["rule"] == "review_litigation.totals"]
    assert findings
    source = read_file(str(CORPUS / "pdf" / "hongze-2023.pdf"))
    for finding in findings:
        for evidence in finding["evidence"]:
            assert evidence["page"] == source.pages[evidence["line"] - 1] == 4
            assert evidence["text"] == source.original[evidence["line"] - 1]
            assert evidence["text"].startswith("10 | 1 | 0 |")


def test_table_rows_come_from_the_grid_not_the_text_flow() -> None:
    source = read_file(str(CORPUS / "pdf" / "hongze-2024.pdf"))
    assert source.error is None and len(source.pages) == len(source.original)
    assert sorted(set(source.pages)) == [1, 2, 3, 4, 5]
    # the merged group label is one cell, not one character per line; page numbers are gone
    assert any(line.startswith("三、本年度办理结果 | ") for line in source.original)
    assert not any(line.strip("- ").isdigit() for line in source.original)
    # the applications table continues on page 4: its first row there is a plain label row
    first_on_4 = next(i for i, p in enumerate(source.pages) if p == 4)
    assert source.original[first_on_4].startswith("2.没有现成信息需要另行制作 | 1 |")


def test_truncated_and_fake_pdfs_are_findings_not_crashes(tmp_path: Path) -> None:
    data = (CORPUS / "pdf" / "hongze-2023.pdf").read_bytes()
    for cut in (data[:200], data[: len(data) // 3], b"%PDF-1.7\n" + b"\x00" * 100):
        source = read_bytes(cut, "cut.pdf")
        assert source.error is None or source.lines is not None  # never raises
    (tmp_path / "cut.pdf").write_bytes(data[:500])
    (tmp_path / "empty.pdf").write_bytes(b"")
    result = audit_json(run_audit([str(tmp_path)]))
    unreadable = [f for f in result["findings"] if f["rule"] == "extraction.unreadable_input"]
    assert len(unreadable) == 2


def test_a_heading_set_flush_on_a_table_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its descenders touch the table's top rule: it was dropped with the table's objects, and the
    report drew a false structure.nonstandard_outline (found by the whole-run fuzzing)."""
    import random

    import generator
    import generator_renderings

    monkeypatch.setattr(generator_renderings, "TABLE_GAP", 0.0)
    data, *_ = generator.make("render.pdf", generator.seed_named("002-2"), random.Random(0))
    lines = read_bytes(data, "flush.pdf").lines
    for heading in (
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ):
        assert any(line.replace(" ", "").startswith(heading) for line in lines), heading
