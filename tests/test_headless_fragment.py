"""A report's last part, its title and first sections cut away (domain.md §10.28, shape `cut_start`), is
classed a report, so the table it opens inside is refused with structure.incomplete_table rather
than left unread behind document.not_a_report; texts that are not reports keep their kind.

The evidence (audit/segment.py `_report_fragment`): the text opens inside a table (a row of cells,
or a row label of the standard tables) and has one of the report's own headings (「六、其他需要报告的
事项」) or two rows of the standard tables; or it has such a heading and its page offers the report's
own file (「…工作年度报告.pdf」).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from generator import TEXT_MUTATIONS, Seed, make, reports, seeds
from shapes import VARIANT, labelled_reports, render

from audit.ingest import read_bytes
from audit.pipeline import run_audit
from audit.segment import _report_outline, segment

CUT = VARIANT["cut_start"]
SEEDS = range(60)  # the generator's cut points: a row from the last three quarters of the tables


def kinds(text: str | bytes, suffix: str = ".txt") -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return [doc.kind for doc in segment([read_bytes(data, f"fragment{suffix}")])]


def _fragments() -> list[tuple[str, bytes, str, bool]]:
    """(name, data, suffix, thin) of every fragment the generator cuts; thin: it shows cells of a
    table, and neither a mark of the standard tables nor two of the report's headings."""
    out = []
    for seed in SEEDS:
        for report in labelled_reports():
            got = render(report, CUT, seed)
            if got is not None:
                text = got.data.decode("utf-8")
                thin = bool(got.truth.cells) and "本年新收" not in text and _report_outline(text.splitlines())[0] < 2
                out.append((f"{seed}:{report.name}", got.data, got.suffix, thin))
    return out


def test_every_generated_fragment_is_a_report() -> None:
    fragments = _fragments()
    wrong = [name for name, data, suffix, _ in fragments if "annual_report" not in kinds(data, suffix)]
    assert wrong == []
    thin = [name for name, _, _, thin in fragments if thin]
    assert len(thin) >= 5, thin  # the hard case is in the sample


@pytest.mark.parametrize("seed", [s for s in reports() if s.name in ("002-5", "002-8", "002-10")], ids=lambda s: s.name)
def test_every_cut_inside_the_tables_of_a_real_report(seed: Seed) -> None:
    """Cut at each table line of a real report: what follows is a report while it still holds two
    rows of cells (a lone row of two numbers is no evidence of anything)."""
    lines = seed.text.splitlines()
    table = [k for k, line in enumerate(lines) if "|" in line and any(ch.isdigit() for ch in line)]
    wrong = [
        f"from line {k + 1}: {lines[k][:40]}"
        for at, k in enumerate(table)
        if len(table) - at >= 2 and "annual_report" not in kinds("\n".join(lines[k:]))
    ]
    assert table and wrong == []


def test_a_fragment_is_refused_as_an_incomplete_table_not_left_unread(tmp_path: Path) -> None:
    chosen = {}
    for name, data, suffix, thin in _fragments():
        report = name.split(":")[1]
        if thin and report not in chosen:
            chosen[report] = (name, data, suffix)
    tail = [s for s in reports() if s.name == "002-10"][0].text.splitlines()
    chosen["002-10"] = ("002-10 from its 不予公开 rows", "\n".join(tail[58:]).encode("utf-8"), ".txt")
    assert len(chosen) >= 3, chosen
    for report, (_, data, suffix) in chosen.items():
        (tmp_path / f"{report}{suffix}").write_bytes(data)
    result = run_audit([str(tmp_path)], validate_frames=False)
    docs = result.frames.documents
    assert len(docs) == len(chosen)
    assert set(docs["kind"]) == {"annual_report"}
    findings = result.findings
    for doc in docs["id"]:
        rules = set(findings.loc[findings["document"] == doc, "rule"])
        assert "structure.incomplete_table" in rules and "document.not_a_report" not in rules, (doc, rules)


# -- what is not a report stays so ------------------------------------------------------------


def _not_reports() -> list[Seed]:
    return [s for s in seeds() if s.kind != "annual_report"]


@pytest.mark.parametrize("seed", _not_reports(), ids=lambda s: s.name)
def test_a_guide_or_letter_cut_anywhere_is_no_report(seed: Seed) -> None:
    lines = seed.text.splitlines()
    for k in range(len(lines)):
        assert "annual_report" not in kinds("\n".join(lines[k:])), k


@pytest.mark.parametrize("seed", _not_reports(), ids=lambda s: s.name)
def test_the_fuzz_shapes_of_a_guide_or_letter_keep_its_kind(seed: Seed) -> None:
    # a period mutation appends a report's 统计期限 sentence: it may well read as a report (generator.py)
    shapes = [s for s in TEXT_MUTATIONS if not s.startswith("period_")] + ["render.html", "render.md"]
    for shape in shapes:
        for r in range(3):
            data, suffix, _ = make(shape, seed, random.Random(f"{r}:{shape}"))
            assert "annual_report" not in kinds(data, suffix), (shape, r)


@pytest.mark.parametrize(
    "text",
    [
        # opens in a table, but its one heading is one any work report has
        "0 | 3 | 1 |\n12 | 4 | 0 |\n一、总体情况\n今年共办理群众来信312件。",
        # opens in a table of another kind (行政执法 counts): no row of the disclosure tables
        "行政许可 | 120 | 3\n行政处罚 | 14 | 0\n行政强制 | 2 | 0\n以上为本年度执法数据。",
        # one row of the applications table alone
        "(一)予以公开 | 5 | 0 | 0\n以上情况特此说明。",
        # the report's own heading, but in prose from the first line and no report file offered
        "经研究，现将有关事项说明如下。\n六、其他需要报告的事项\n请各单位按时报送。",
        # a notice with a title, whatever follows
        "关于报送政府信息公开工作年度报告的通知\n0 | 1 |\n六、其他需要报告的事项\n各单位据实填写。",
    ],
)
def test_texts_without_enough_evidence_are_no_report(text: str) -> None:
    assert kinds(text) == ["other"]


@pytest.mark.parametrize(
    "text",
    [
        "0 |\n3 |\n|||||\n总体来看,公开质量还不高。\n六、其他需要报告的事项\n无",
        "(三)不予公开 | 1.属于国家秘密 | 1 | 0\n2.其他法律行政法规禁止公开 | 0 | 0\n3.危及“三安全一稳定” | 0 | 0",
        "改进情况见下。\n七、政府信息公开工作存在的主要问题及改进情况\n无\n示例县人民政府2020年政府信息公开工作年度报告.pdf",
    ],
)
def test_the_smallest_fragments_that_are_reports(text: str) -> None:
    assert kinds(text) == ["annual_report"]
