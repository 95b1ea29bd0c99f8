"""Claims extraction on corpus sentences, and the HTML mark of a narrative finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from audit.extract.claims import claims_frame, claims_from_lines

SEED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds" / "002_6460700eaa6e9ee9.txt"


def claims(*sentences: str):
    return claims_frame(claims_from_lines("doc", list(enumerate(sentences, start=1))))


def stated(frame, kind: str = "count") -> dict[str, float]:
    chosen = frame[frame["kind"] == kind]
    return dict(zip(chosen["metric"], chosen["value"], strict=True))


def test_old_regime_words_map_to_the_table_rows() -> None:
    frame = claims(
        "2020年,我区共计收到政府信息公开申请176件,同比去年减少38件,下降17.8%。其中予以公开90件,占比51.1%,"
        "部分公开20件,占比11.4%,不同意公开13件,占比7.4%,不属于本行政机关46件,占比26.1%,申请信息不存在4件,"
        "占比2.3%,告知作出更改补充1件,占比0.6%,不予办理2件,占比1.1%。"
    )
    assert stated(frame) == {
        "applications.new_received.total": 176,
        "applications.granted.total": 90,
        "applications.partially_granted.total": 20,
        "applications.denied.total": 13,
        "applications.unavailable.not_held.total": 46,
        "applications.unavailable.nonexistent.total": 4,
        "applications.unavailable.unclear.total": 1,
        "applications.not_processed.total": 2,
    }
    percents = frame[frame["kind"] == "percent"]
    assert list(percents["base"]) == [90, 20, 13, 46, 4, 1, 2]
    changes = frame[frame["kind"].str.startswith("change")]
    assert list(changes["value"]) == [-38, -17.8] and set(changes["base"]) == {176}


def test_number_after_its_noun_and_carried_forward() -> None:
    frame = claims("本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。")
    assert stated(frame) == {
        "applications.new_received.total": 70,
        "applications.results_total.total": 69,
        "applications.carried_forward.total": 1,
    }
    assert set(frame["scope"]) == {"region"}


def test_scope_words() -> None:
    frame = claims("2021年,全县依申请公开办理依申请公开428件,其中,县本级受理67件,行政复议2件;下属单位共受理361件。")
    counts = frame[frame["kind"] == "count"]
    assert list(zip(counts["value"], counts["scope"], strict=True)) == [
        (428, "region"),
        (67, "body"),
        (2, "body"),
        (361, "sub"),
    ]


def test_lists_each_item_and_open_ended() -> None:
    frame = claims(
        "公开信息20条,其中甲网站2条,乙网站、丙网站各1条,其他16条。", "公开199条,包括规划公示181条、规划动态13条等。"
    )
    first = frame[(frame["line"] == 1) & (frame["kind"] == "part")]
    assert list(first["value"]) == [2, 2, 16] and list(first["base"]) == [1, 2, 1]
    assert set(frame[frame["line"] == 2]["kind"]) == {"whole", "part_open"}


def test_no_claims_from_other_domains_or_negations() -> None:
    frame = claims(
        "申请人应当在收到收费通知次日起20个工作日内缴纳费用。",
        "未发生一件行政复议和行政诉讼案件。",
        "2020年,市政府办审核部门信箱5542条,办结5503条,办结率99.3%。",
    )
    assert frame[frame["kind"] == "count"].empty and frame[frame["kind"] == "percent"].empty


def test_span_points_at_the_number() -> None:
    frame = claims("2019年,全区共接收政府信息公开申请214件,共办结212件。")
    row = frame.iloc[0]
    assert row["text"][row["span_start"] : row["span_end"]] == "214件"


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/corpus not available")
def test_html_marks_the_stated_number_and_escapes_the_sentence(tmp_path: Path) -> None:
    from audit.pipeline import run_audit
    from audit.render.html import write_site

    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, t in enumerate(lines) if t.startswith("本报告根据") and "2019年度" in t)
    report = lines[start - 2 : start + 90]
    report = [t.replace("2019年,全区共接收", "<script>alert(1)</script>2019年,全区共接收") for t in report]
    path = tmp_path / "lixia-2019.txt"
    path.write_text("\n".join(report), encoding="utf-8")
    result = run_audit([str(path)])
    mismatches = result.findings[result.findings["rule"] == "narrative.table_mismatch"]
    assert len(mismatches) >= 2
    write_site(result, tmp_path / "out")
    pages = [p for p in (tmp_path / "out").glob("agency-*.html")]
    tree = lxml_html.fromstring(pages[0].read_text(encoding="utf-8"))
    marks = [m.text for m in tree.xpath("//ul[@class='evidence']//mark")]
    assert "214件" in marks and "212件" in marks
    assert not tree.xpath("//script[contains(., 'alert')]")
    assert any("<script>alert(1)</script>" in (q.text_content() or "") for q in tree.xpath("//q"))
