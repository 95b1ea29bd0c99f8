"""Archived page text whose table cells run together (pingtan .txt): no number is guessed; the tables
are reported present but unreadable (structure.incomplete_table), not absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from input_labels import CORPUS, labels, table_mismatches

from audit.extract.table_cells import read_tables
from audit.pipeline import run_audit
from audit.render.audit_json import audit_json

TEXTS = {name: label for name, label in labels("pingtan").items() if name.endswith(".txt")}
REPORTS = sorted(name for name, label in TEXTS.items() if label.get("kind", "annual_report") == "annual_report")


@pytest.fixture(scope="module")
def text_audit() -> dict[str, Any]:
    return audit_json(run_audit([str(CORPUS / "pingtan" / name) for name in TEXTS]))


def _document(audit: dict[str, Any], name: str) -> dict[str, Any]:
    [doc] = [d for d in audit["documents"] if Path(d["source"]).name == name]
    return dict(doc)


@pytest.mark.parametrize("name", REPORTS)
def test_every_number_given_is_right(text_audit: dict[str, Any], name: str) -> None:
    mismatches = table_mismatches(TEXTS[name], _document(text_audit, name))
    assert [m for m in mismatches if "<absent>" not in m] == []


@pytest.mark.parametrize("name", REPORTS)
def test_run_together_tables_are_incomplete_not_missing(text_audit: dict[str, Any], name: str) -> None:
    doc = _document(text_audit, name)
    if doc["format"] == "pre2019":
        pytest.skip("pre-2019 statistics tables are not the standard three")
    findings = [f for f in text_audit["findings"] if f["document"] == doc["id"]]
    incomplete = [f for f in findings if f["rule"] == "structure.incomplete_table"]
    assert len(incomplete) == 3 and not [f for f in findings if f["rule"] == "structure.missing_table"]
    assert all(f["evidence"][0]["line"] == 10 for f in incomplete)  # the body line, as printed


def test_no_cell_is_read_from_a_run_together_line() -> None:
    line = (
        "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        "一、本年新收政府信息公开申请数量230 000023二、上年结转政府信息公开申请数量0000000"
    )
    result = read_tables([(1, line)])
    assert result.cells == []
    assert [(i["table"], i["line"]) for i in result.issues] == [("applications", 1)]  # → incomplete_table


def test_short_or_piped_lines_are_left_to_the_token_scanner() -> None:
    assert read_tables([(1, "规章 | 0 | 0 | 0 |")]).issues == []
