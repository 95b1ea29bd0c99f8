"""One report saved twice — the portal page (tables read) and its text archive (each row's cells run
together, tables not read) — is one report: one verdict, from the page; the archive's unread tables
are not assessable and a note, never a warning of the agency (issue 11, item 2). Built from a real
sample (历下区 2021, second version: two column-balance errors and a narrative mismatch) and run
through the whole `run` command."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from generator import seed_named
from generator_renderings import table_cells, to_html

from audit.cli import main

SEED = "002-4"


def _archive(text: str) -> str:
    """The text archive of the page: every table row's cells run together (「…申请数量32260000339」)."""
    return "\n".join("".join(cells) if (cells := table_cells(line)) else line for line in text.splitlines()) + "\n"


def _run(inputs: list[Path], out: Path) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
    result = CliRunner().invoke(main, ["run", *map(str, inputs), "--out", str(out), "--no-db"])
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    pages = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("agency-*.json"))]
    return result.exit_code, audit, pages


def _verdict(audit: dict[str, Any], document: str) -> list[tuple[str, str, str]]:
    return sorted((f["severity"], f["rule"], f["message"]) for f in audit["findings"] if f["document"] == document)


def test_a_report_as_html_and_as_text_archive_gets_one_verdict(tmp_path: Path) -> None:
    text = seed_named(SEED).text
    page, archive = tmp_path / "in" / "report.html", tmp_path / "in" / "report.txt"
    page.parent.mkdir()
    page.write_bytes(to_html(text, random.Random(0))[0])
    archive.write_text(_archive(text), encoding="utf-8")

    alone_code, alone, _ = _run([page], tmp_path / "alone")
    code, both, [agency] = _run([page.parent], tmp_path / "both")

    # the page's verdict, unchanged by the archive beside it, and the same exit code
    assert _verdict(both, "report.html#1") == _verdict(alone, "report.html#1")
    assert {"applications.column_balance", "narrative.table_mismatch"} <= {
        r for _, r, _ in _verdict(alone, "report.html#1")
    }
    assert code == alone_code == 1
    for severity in ("error", "warning"):
        assert both["run"]["findings"][severity] == alone["run"]["findings"][severity]
    # the archive: one note naming the page, never a warning; what it could not read is not assessable
    [(severity, rule, message)] = _verdict(both, "report.txt#1")
    assert (severity, rule) == ("info", "structure.incomplete_table")
    assert "report.html#1" in message and "无法判定" in message
    unread = [u for u in both["not_assessable"] if u["document"] == "report.txt#1"]
    assert {u["table"] for u in unread} == {"applications", "review_litigation"}
    assert all(u["rule"] == "structure.incomplete_table" and "未能读取" in u["reason"] for u in unread)

    # the agency page: the archive shown as a copy of the page, one column for 2021 in the years grid
    [year] = agency["reports"]
    assert [(d["id"], d["is_copy"]) for d in year["documents"]] == [("report.html#1", False), ("report.txt#1", True)]
    assert year["note"] is None and not year["diffs"]
    copy = year["documents"][1]
    assert copy["unchecked"] == 0 and not copy["tables"]
    assert any("report.html#1" in n and "未能读取" in n for n in copy["notes"])
    assert [c["document"] for c in agency["years_view"]["columns"]] == ["report.html#1"]
    assert all(c["text"] != "—" for row in agency["years_view"]["rows"] for c in row["cells"])
    assert agency["counts"]["warning"] == alone["run"]["findings"]["warning"]


def test_an_archive_printing_another_figure_stays_a_version_of_its_own(tmp_path: Path) -> None:
    """Two texts that differ are never merged: the archive whose table prints 188 where the page
    prints 187 (予以公开, 总计) is audited on its own (its unread tables its own warnings, as before)."""
    text = seed_named(SEED).text
    granted = "(一)予以公开18120004187"
    assert granted in _archive(text)
    changed = _archive(text).replace(granted, granted[:-1] + "8", 1)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "report.html").write_bytes(to_html(text, random.Random(0))[0])
    (tmp_path / "in" / "report.txt").write_text(changed, encoding="utf-8")
    _, audit, [agency] = _run([tmp_path / "in"], tmp_path / "out")
    archive = _verdict(audit, "report.txt#1")
    assert archive and all(s == "warning" for s, r, _ in archive if r == "structure.incomplete_table")
    assert [d["is_copy"] for d in agency["reports"][0]["documents"]] == [False, False]
