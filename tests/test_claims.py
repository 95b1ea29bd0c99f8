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
        "未发生一件行政复议和行政诉讼案件。",  # no 政府信息公开 words, no 复议/诉讼 heading above
        "2020年,市政府办审核部门信箱5542条,办结5503条,办结率99.3%。",
        "全年共办理行政复议案件56件，行政应诉案件80件。",
    )
    assert frame[frame["kind"] == "count"].empty and frame[frame["kind"] == "percent"].empty


def counted(frame) -> list[tuple[str, float, str]]:
    """(metric, value, literal) of the counts, in order."""
    chosen = frame[frame["kind"] == "count"]
    return [
        (m, v, t[a:b])
        for m, v, t, a, b in zip(
            chosen["metric"], chosen["value"], chosen["text"], chosen["span_start"], chosen["span_end"], strict=True
        )
    ]


def test_review_and_litigation_counts_and_outcomes() -> None:
    frame = claims(
        "本年度共发生政府信息公开行政复议2件，其中维持1件，纠正1件；行政诉讼3件，其中直接起诉2件，复议后起诉1件，"
        "尚未审结1件。",
        "本年度发生政府信息公开行政诉讼3件，其中直接起诉2件(维持1件，尚未审结1件)，复议后起诉1件(维持1件)。",
    )
    assert [(m, v) for m, v, _ in counted(frame)] == [
        ("review_litigation.review.total", 2),
        ("review_litigation.review.upheld", 1),
        ("review_litigation.review.corrected", 1),
        ("review_litigation.litigation.total", 3),
        ("review_litigation.litigation_direct.total", 2),
        ("review_litigation.litigation_after_review.total", 1),
        ("review_litigation.litigation.pending", 1),  # after a list of both kinds: 诉讼 as a whole
        ("review_litigation.litigation.total", 3),
        ("review_litigation.litigation_direct.total", 2),
        ("review_litigation.litigation_direct.upheld", 1),
        ("review_litigation.litigation_direct.pending", 1),
        ("review_litigation.litigation_after_review.total", 1),
        ("review_litigation.litigation_after_review.upheld", 1),
    ]


def test_outcomes_without_a_number_and_stated_zeros() -> None:
    frame = claims(
        "处理因政府信息公开引起的行政复议1件,维持具体行政行为。",
        "本年度政府信息公开行政诉讼3件，均维持。",
        "全区政府信息公开工作方面共有行政诉讼案件1件、行政复议案件2件，均已结案。",
        "本年度区政府有政府信息公开申请行政复议1起,尚未处理完毕,本年度无提起行政诉讼情况。",
        "政府信息公开行政复议2件，维持。",  # two cases, one outcome word: not said of both
    )
    assert counted(frame) == [
        ("review_litigation.review.total", 1, "1件"),
        ("review_litigation.review.upheld", 1, "维持"),
        ("review_litigation.litigation.total", 3, "3件"),
        ("review_litigation.litigation.upheld", 3, "均维持"),
        ("review_litigation.litigation.total", 1, "1件"),
        ("review_litigation.review.total", 2, "2件"),
        ("review_litigation.review.pending", 0, "均已结案"),
        ("review_litigation.litigation.pending", 0, "均已结案"),
        ("review_litigation.litigation.total", 0, "无提起行政诉讼"),
        ("review_litigation.review.total", 1, "1起"),
        ("review_litigation.review.pending", 1, "尚未处理完毕"),
        ("review_litigation.review.total", 2, "2件"),
    ]


def test_stated_zeros_need_the_cases_themselves_negated() -> None:
    frame = claims(
        "2020年度,我区严格按照条例规定公开政府信息,没有因政府信息公开申请行政复议、诉讼和申诉的情况发生。",
        "全年政府信息公开工作无一例行政复议被纠错。",
        "有效降低政府信息公开行政复议、行政诉讼发生率。",
        "无法提供的政府信息公开申请，申请人可依法申请行政复议。",
    )
    assert [(m, v) for m, v, _ in counted(frame)] == [
        ("review_litigation.review.total", 0),
        ("review_litigation.litigation.total", 0),
    ]


def test_a_review_heading_makes_case_counts_about_disclosure() -> None:
    lines = [
        (1, "四、政府信息公开行政复议、行政诉讼情况"),
        (2, "本年度发生行政复议4件，行政诉讼2件。"),
        (3, "五、存在的主要问题及改进情况"),
        (4, "全年办理行政复议案件56件。"),
    ]
    frame = claims_frame(claims_from_lines("doc", lines))
    assert list(zip(frame["line"], frame["value"], strict=True)) == [(2, 4), (2, 2)]


def test_normative_documents_and_regulations() -> None:
    frame = claims(
        "设立规范性文件库,集中公开现行有效行政规范性文件698件,动态更新本年度制发的规范性文件88件。",
        "全年共制发规范性文件5件、废止3件，现行有效10件；制定政府规章2件。",
        "本年度印发2件规范性文件。",
        "经清理,已宣布废止规范性文件5件,拟适时修改3件。",
        "其中以市政府名义印发的38件规范性文件,全部在意见征集库进行网上意见征集。",
        "主动公开政策、规范性文件类信息68条，出台规章制度5项。",
    )
    assert [(m, v) for m, v, _ in counted(frame)] == [
        ("article20.normative_documents.in_force", 698),
        ("article20.normative_documents.issued", 88),
        ("article20.normative_documents.issued", 5),
        ("article20.normative_documents.repealed", 3),
        ("article20.normative_documents.in_force", 10),
        ("article20.regulations.issued", 2),
        ("article20.normative_documents.issued", 2),
    ]


def test_proactive_disclosure_counts() -> None:
    frame = claims(
        "2022年,全区通过不同渠道和方式主动公开政府信息3.6万余条,其中政府门户网站公开政府信息2.1万余条,"
        "政务新媒体公开政府信息1.5万余条。",
        "2020年政府门户网站主动公开政府信息18396条,同比去年增加804条,上升4.6%。",
        "全年通过“中国·苍南”县政府门户网站等平台主动公开政府信息数19256条(其中行政处罚结果信息公开9213条)。",
        "各乡镇主动公开政府信息1638条,占47%。",
        "主动公开国土市场出让成交信息31条，其他应主动公开政府信息856条。",
        "2024 年,我区在政府网站平台主动发布各类政府信息 2428 条。",
        "本年度依申请公开政府信息12件。",
    )
    assert [(m, v) for m, v, _ in counted(frame)] == [
        ("proactive.total", 36000),
        ("proactive.website", 21000),
        ("proactive.part", 15000),
        ("proactive.website", 18396),
        ("proactive.total", 19256),
        ("proactive.part", 1638),
        ("proactive.website", 2428),
        ("applications.new_received.total", 12),  # 依申请公开 is the applications', not 主动公开
    ]
    changes = frame[frame["kind"].str.startswith("change")]
    assert set(changes["metric"]) == {"proactive.website"} and list(changes["value"]) == [804, 4.6]
    share = frame[frame["kind"] == "percent"].iloc[0]
    assert (share["metric"], share["base"]) == ("proactive.part", 1638)


def test_completion_rate_of_applications_only() -> None:
    frame = claims(
        "2022年，全区收到政府信息公开申请75件，涉及自然人72件、商业企业3件，均在法定期限内予以答复，办结率100%。",
        "2020年共受理政府信息公开申请25件,按时办结率100%。",
        "2020年,市政府办审核部门信箱5542条,办结5503条,办结率99.3%。",
    )
    rates = frame[frame["metric"] == "applications.completion_rate.total"]
    assert list(rates["value"]) == [100] and rates["base"].isna().all()
    row = rates.iloc[0]
    assert row["text"][row["span_start"] : row["span_end"]] == "办结率100%"
    assert stated(frame)["applications.new_received.natural_person"] == 72


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


# -- narrative across sentences (domain.md §10.31), made-up paragraphs -------------------------


def _narrative(*paragraphs: str) -> list[str]:
    """The narrative.* findings of a report whose text is `paragraphs` (one line each), as 'rule: message'."""
    from test_claims_realistic import A20_2021, APPS_2021, RL_2021, _narrative_findings

    tables = {"applications": APPS_2021, "review_litigation": RL_2021, "article20": A20_2021}
    return _narrative_findings(
        [{"year": 2021, "agency": "某县人民政府", "narrative": list(paragraphs), "tables": tables}]
    )


def _lists(frame) -> list[tuple[float, list[float], bool]]:
    """(whole, parts, exhaustive) of each list of a claims frame."""
    out = []
    for group in dict.fromkeys(frame.loc[frame["kind"] == "whole", "group"]):
        rows = frame[frame["group"] == group]
        parts = rows[rows["kind"].isin(["part", "part_open"])]
        whole = float(rows.loc[rows["kind"] == "whole", "value"].iloc[0])
        out.append((whole, [float(v) for v in parts["value"]], bool((parts["kind"] == "part").all())))
    return out


def test_a_list_opening_a_sentence_lists_the_count_ending_the_sentence_before() -> None:
    """「…主动公开政府信息3075条。其中，A 2460条，占80%…」: the parts and their shares are of 3075."""
    text = (
        "2021年，县政府共主动公开政府信息3075条。其中，政策法规类2460条，占80%；规划计划类307条，占10%；"
        "其他类308条，占10%。"
    )
    frame = claims(text)
    assert _lists(frame) == [(3075, [2460, 307, 308], True)]
    shares = frame[frame["kind"] == "percent"]
    assert list(zip(shares["metric"], shares["base"], strict=True)) == [
        ("proactive.part", 2460),
        ("proactive.part", 307),
        ("proactive.part", 308),
    ]
    whole = frame[frame["kind"] == "whole"].iloc[0]
    assert whole["text"][whole["span_start"] : whole["span_end"]] == "3075条"  # in the sentence before
    assert _narrative(text) == []
    wrong = _narrative(text.replace("占80%", "占85%"))
    assert len(wrong) == 1 and wrong[0].startswith("narrative.percentage") and "2460/3075" in wrong[0]
    assert [f.split(":")[0] for f in _narrative(text.replace("其他类308条，占10%", "其他类280条，占9.1%"))] == [
        "narrative.parts_sum"
    ]


def test_a_share_is_never_of_a_later_sentence() -> None:
    """A 其中 sentence before its total lists nothing: its shares are not held to the later total."""
    frame = claims("其中，政策法规类2460条，占80%。县政府全年主动公开政府信息3075条。")
    assert frame[frame["kind"].isin(["whole", "percent"])].empty


def test_category_shares_of_an_among_phrase() -> None:
    """「在主动公开的…条信息中，X类信息…条，占…%」: each share is of the total the phrase names."""
    text = (
        "在主动公开的1260条政府信息中，财政预决算类信息126条，占10%；重点项目类信息378条，占30%；其他信息756条，占60%。"
    )
    frame = claims(text)
    assert stated(frame)["proactive.total"] == 1260
    assert _lists(frame) == [(1260, [126, 378, 756], True)]
    assert _narrative(text) == []
    assert [f.split(":")[0] for f in _narrative(text.replace("占30%", "占33%"))] == ["narrative.percentage"]


def test_a_list_that_does_not_add_up_while_the_paragraph_goes_on_is_not_exhaustive() -> None:
    """「…其中，A、B、其他…。各乡镇公开…条」: the list may go on in the next sentence: no parts_sum alarm."""
    text = (
        "2021年，全县共主动公开政府信息1650条，其中，县政府网站发布870条，政务微信发布210条，其他渠道发布90条。"
        "各乡镇政府公开政府信息480条。"
    )
    assert _lists(claims(text)) == [(1650, [870, 210, 90], False)]
    assert _narrative(text) == []
    alone = "2021年，全县共主动公开政府信息1650条，其中，县政府网站发布870条，政务微信发布210条，其他渠道发布90条。"
    assert [f.split(":")[0] for f in _narrative(alone)] == ["narrative.parts_sum"]  # nothing goes on: caught


@pytest.mark.parametrize(
    "text",
    [
        "全年主动公开政府信息930条，其中，向上级报送信息60余条，公开民生资金4.5亿元，政策解读27篇，其他信息840条。",
        "全年主动公开政府信息930条，其中，网站发布500余条，新媒体发布300多条，其他渠道发布130条。",
    ],
    ids=["money and another unit", "approximate among exact"],
)
def test_lists_mixing_measures_or_approximate_figures_are_not_exhaustive(text: str) -> None:
    [(whole, _, exhaustive)] = _lists(claims(text))
    assert whole == 930 and not exhaustive
    assert _narrative(text) == []
