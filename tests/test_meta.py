"""Metadata: every labelled fact of truth.yaml, each date phrasing, agency names and keys, headings."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.extract.agency import agency_key, split_title
from audit.extract.dates import date_only, find_period, find_published, parse_date
from audit.extract.meta import numbered_content, read_metadata
from audit.ingest import read_bytes, read_file
from audit.model import SECTIONS, Document
from audit.segment import segment

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
TRUTH: dict[str, Any] = yaml.safe_load((SEEDS / "truth.yaml").read_text(encoding="utf-8"))["files"]
LABELLED = [
    (file, label)
    for file, entry in TRUTH.items()
    for label in entry["documents"]
    if "duplicate_of" not in label  # a copy's facts are its original's
]

_DOCS: dict[str, list[Document]] = {}


def documents_of(file: str) -> list[Document]:
    if file not in _DOCS:
        _DOCS[file] = segment([read_file(str(SEEDS / file))])
    return _DOCS[file]


def labelled_document(file: str, label: dict[str, Any]) -> Document:
    docs = documents_of(file)
    return docs[label.get("ordinal", 1) - 1]


def meta_of(text: str) -> dict[str, Any]:
    [doc] = segment([read_bytes(text.encode("utf-8"), "x.txt")])
    return read_metadata(doc)


# -- the labelled seeds ------------------------------------------------------------------------


@pytest.mark.parametrize(("file", "label"), LABELLED, ids=[f"{f[:3]}#{d.get('ordinal', 1)}" for f, d in LABELLED])
def test_metadata_matches_truth(file: str, label: dict[str, Any]) -> None:
    meta = read_metadata(labelled_document(file, label))
    assert meta["kind"] == label["kind"]
    assert label["agency_contains"] in (meta["agency"] or "")
    assert meta["agency_key"] and meta["agency_line"]
    if "year" in label:
        assert meta["year"] == label["year"] and meta["year_line"]
    if label["kind"] == "guide":
        assert meta["year"] is None
    for key in ("period", "period_stated"):
        if key in label:
            assert [meta["period_start"], meta["period_end"]] == [str(d) for d in label[key]]
    for key in ("published", "signed"):
        if key in label:
            assert meta[key] == str(label[key]) and meta[f"{key}_line"]


PINGTAN = SEEDS.parent / "pingtan"
PINGTAN_TEXTS = (
    {
        f: v
        for f, v in yaml.safe_load((PINGTAN / "labels.yaml").read_text(encoding="utf-8")).items()
        if f.endswith(".txt")
    }
    if (PINGTAN / "labels.yaml").is_file()
    else {}
)


@pytest.mark.parametrize("file", sorted(PINGTAN_TEXTS))
def test_archived_portal_texts_match_their_labels(file: str) -> None:
    """平潭: archive header lines (标题/发布时间/…) above a page scraped into one long line."""
    label = PINGTAN_TEXTS[file]
    [doc] = segment([read_file(str(PINGTAN / file))])
    meta = read_metadata(doc)
    assert meta["kind"] == label.get("kind", "annual_report")
    assert label["agency_contains"] in (meta["agency"] or "")
    for key in ("year", "published"):
        if key in label:
            assert str(meta[key]) == str(label[key])
    if "period" in label:
        assert [meta["period_start"], meta["period_end"]] == [str(d) for d in label["period"]]


@pytest.mark.parametrize(("file", "label"), LABELLED, ids=[f"{f[:3]}#{d.get('ordinal', 1)}" for f, d in LABELLED])
def test_evidence_lines_are_original_lines_holding_the_value(file: str, label: dict[str, Any]) -> None:
    doc = labelled_document(file, label)
    meta = read_metadata(doc)
    original = doc.source.original_line
    if meta["year_line"]:
        assert str(meta["year"]) in original(meta["year_line"])
    if meta["period_line"]:
        assert str(int(meta["period_start"][:4])) in original(meta["period_line"])
    for key in ("published", "signed"):
        if meta[f"{key}_line"]:
            assert parse_date(original(meta[f"{key}_line"])) == date.fromisoformat(meta[key])
    for heading in meta["headings"]:
        assert f"{heading['number']}、" in original(heading["line"])
        assert heading["section"] in (*SECTIONS, None)


def test_the_fast_line_list_is_what_numbered_lines_yields() -> None:
    for file in TRUTH:
        for doc in documents_of(file):
            assert numbered_content(doc) == list(doc.numbered_lines())


def test_report_year_is_the_title_year_even_when_the_period_says_otherwise() -> None:
    """S1: the title says 2020, section 六 says 2021 — the year is 2020, the period stays 2021."""
    meta = read_metadata(documents_of("001_605866c201a9c82d.txt")[0])
    assert meta["year"] == 2020 and meta["period_start"].startswith("2021")


def test_outline_of_the_2020_report_has_eight_parts() -> None:
    meta = read_metadata(documents_of("002_6460700eaa6e9ee9.txt")[4])
    assert [h["number"] for h in meta["headings"]] == list("一二三四五六七八")
    assert [h["section"] for h in meta["headings"]] == [
        "overview",
        None,
        None,
        "article20",
        "applications",
        "review_litigation",
        "problems",
        "other",
    ]


@pytest.mark.parametrize("file", ["000_5c77b9a79b9a7ac0.txt", "003_01ab33d891669608.txt"])
def test_headings_inside_long_lines_are_found(file: str) -> None:
    meta = read_metadata(documents_of(file)[0])
    assert [h["number"] for h in meta["headings"]] == list("一二三四五六")
    assert [h["section"] for h in meta["headings"]] == list(SECTIONS)
    assert meta["headings"][0]["title"] == "总体情况"


def test_table_row_labels_are_not_headings() -> None:
    meta = read_metadata(documents_of("002_6460700eaa6e9ee9.txt")[1])
    titles = [h["title"] for h in meta["headings"]]
    assert len(titles) == 6 and not any(
        t.startswith(("本年新收", "上年结转", "本年度办理结果", "结转下年度")) for t in titles
    )


def test_variant_title_maps_to_its_section() -> None:
    meta = read_metadata(documents_of("004_35efe59cd959ef3f.txt")[0])
    assert meta["headings"][-1]["title"] == "其它需要报告的事项" and meta["headings"][-1]["section"] == "other"


def test_headings_run_into_the_text_are_cut_at_the_known_title() -> None:
    text = "甲区2022年政府信息公开工作年度报告\n" + (
        "联系电话:123。一、总体情况2022年,我区… 二、主动公开政府信息情况第二十条第(一)项 信息内容 "
        "主要包括:一、加强领导;二、完善制度。 六、其他需要报告的事项2022年,无收取信息处理费情况。"
    )
    headings = meta_of(text)["headings"]
    assert [(h["number"], h["title"]) for h in headings] == [
        ("一", "总体情况"),
        ("二", "主动公开政府信息情况"),
        ("六", "其他需要报告的事项"),
    ]


# -- dates -------------------------------------------------------------------------------------

Y2020 = (date(2020, 1, 1), date(2020, 12, 31))


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。", Y2020),
        ("本报告中所列数据的统计期限为2020年1月1日至2020年12月31日。", Y2020),
        ("本报告的起止时间为2020年1月1日至2020年12月31日。如对本报告有任何疑问", Y2020),
        ("本报告中所列数据统计时限为2020年1月1日至2020年12月31日。", Y2020),
        ("统计数据时限为2020年1月1日至2020年12月31日", Y2020),
        ("本报告中使用数据统计期限为2020年1月1日至12月31日,报告的电子版", Y2020),
        ("统计期限为 2020 年 1 月 1 日 至 2020 年 12 月 31 日", Y2020),
        (unicodedata.normalize("NFKC", "统计期限为２０２０年１月１日至１２月３１日"), Y2020),
        ("年度报告统计时间段为2020年1月1日-2020年12月31日", Y2020),
        ("2020年1月1日至2020年12月31日,全区共主动公开信息", Y2020),
        ("统计期限为2021年7月1日至2022年6月30日", (date(2021, 7, 1), date(2022, 6, 30))),
        ("统计数据时限为2018年11日至2018年1231日", None),
        ("统计期限为2020年2月30日至2020年12月31日", None),
        ("统计期限为2020年12月31日至2020年1月1日", None),
        ("于2020年9月1日至9月30日开展政务公开宣传月活动", None),
        ("2020年,我区共收到申请176件。", None),
    ],
)
def test_period_phrasings(text: str, period: tuple[date, date] | None) -> None:
    assert find_period(text) == period


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("来源单位:市政府办(政府外事办) 发布时间:2021-01-20 08:39 访问量:", date(2021, 1, 20)),
        ("发布日期:2021年1月20日", date(2021, 1, 20)),
        (unicodedata.normalize("NFKC", "发布时间：2021年1月20日"), date(2021, 1, 20)),
        ("发布时间: 2020-01-20 15:22", date(2020, 1, 20)),
        ("来源:平潭县人民政府 时间:2022-02-08 16:34 微信 微博", date(2022, 2, 8)),
        ("统计时间:2020-12-31", None),
        ("发布时间:2021-13-20", None),
        ("本报告将于2021年1月20日发布。", None),
    ],
)
def test_published_phrasings(text: str, published: date | None) -> None:
    assert find_published(text) == published


@pytest.mark.parametrize(
    ("line", "signed"),
    [
        ("2020年12月31日", date(2020, 12, 31)),
        ("  2021年1月20日 |", date(2021, 1, 20)),
        ("2021 年 1 月 20 日", date(2021, 1, 20)),
        ("2021-01-20", date(2021, 1, 20)),
        ("二〇二一年一月二十日", date(2021, 1, 20)),
        ("二〇二〇年十二月三十一日", date(2020, 12, 31)),
        ("2020年12月31日,我区召开会议。", None),
        ("2020年12月", None),
        ("二〇二〇年十三月一日", None),
    ],
)
def test_date_only_lines(line: str, signed: date | None) -> None:
    assert date_only(line) == signed


def test_signed_is_the_date_under_the_signature() -> None:
    meta = meta_of(
        "甲县2020年政府信息公开工作年度报告\n一、总体情况\n正文。\n\n甲县人民政府办公室\n二〇二一年一月十五日\n"
    )
    assert meta["signed"] == "2021-01-15" and meta["signed_line"] == 6


def test_signature_and_date_run_into_the_last_line() -> None:
    meta = meta_of(
        "关于2014年政府信息公开工作要点落实情况的函\n省政府办公厅: 现将落实情况函告如下。 平潭综合实验区管委会办公室 2014年12月10日 附件下载"
    )
    assert (meta["kind"], meta["agency"], meta["signed"], meta["signed_line"]) == (
        "other",
        "平潭综合实验区管委会办公室",
        "2014-12-10",
        2,
    )


def test_a_date_inside_the_text_is_not_a_signature() -> None:
    meta = meta_of("甲县2020年政府信息公开工作年度报告\n一、总体情况\n2021年1月15日,我县召开会议。\n")
    assert meta["signed"] is None


# -- agency ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("普陀区2020年政府信息公开工作年度报告 | |||||", ("普陀区", 2020)),
        ("苍南县人民政府2021年度政府信息公开工作年度报告", ("苍南县人民政府", 2021)),
        ("六安市人民政府办公室2020年政府信息公开工作年度报告", ("六安市人民政府办公室", 2020)),
        ("2020年普陀区政府信息公开工作年度报告", ("普陀区", 2020)),
        ("济南市历下区人民政府政府信息公开指南", ("济南市历下区人民政府", None)),
        ("关于2014年政府信息公开工作要点落实情况的函", (None, 2014)),
        ("2020年度政府信息公开工作年度报告", (None, 2020)),
        # a guide's 「…人民政府信息公开指南」 shares 政府 between the name and the topic: the name keeps it
        ("枫桥县人民政府信息公开指南", ("枫桥县人民政府", None)),
        ("年度政府信息公开工作年度报告", (None, None)),  # the second half of a wrapped title names no body
        ("2022年枫桥县人民政府信息公开工作年度报告", ("枫桥县人民政府", 2022)),
        ("枫桥县应急管理局2022政府信息公开工作年度报告", ("枫桥县应急管理局", 2022)),  # no 年 (§10.22)
    ],
)
def test_split_title(title: str, expected: tuple[str | None, int | None]) -> None:
    assert split_title(title) == expected


def test_agency_sources_in_order_of_trust() -> None:
    body = "一、总体情况\n本报告由甲县人民政府办公室编制,将在甲县人民政府门户网站公布。\n如有疑问请与甲县政务公开办联系。\n"
    titled = meta_of("甲县教育局2020年政府信息公开工作年度报告\n" + body)
    assert (titled["agency"], titled["agency_line"]) == ("甲县教育局", 1)
    assert meta_of(body)["agency"] == "甲县人民政府"  # the portal's government; never the compiling office
    linked = meta_of(body + "word版:乙县人民政府2020年政府信息公开工作年度报告.docx\n")
    assert linked["agency"] == "乙县人民政府"  # a download link's title
    signed = meta_of("一、总体情况\n将在甲县人民政府门户网站公布。\n湖南甲经济开发区管理委员会\n2021年1月5日\n")
    assert signed["agency"] == "湖南甲经济开发区管理委员会"
    assert meta_of("一、总体情况\n将在甲县人民政府门户网站公布。\n")["agency"] == "甲县人民政府"


def test_the_contact_and_compiling_offices_are_not_the_body() -> None:
    """domain.md §10.24: an office named as the contact or compiler is no reporting body; a report
    speaking for its place (「我县」) is that place's."""
    contact = "一、总体情况\n如对本报告有疑问,请与甲县人民政府办公室联系。\n"
    assert meta_of(contact)["agency"] is None
    compiled = "一、总体情况\n本报告由甲县人民政府办公室编制。\n"
    assert meta_of(compiled)["agency"] is None
    assert meta_of(compiled + "2020年,我县共主动公开政府信息1200条。\n")["agency"] == "甲县"
    # a department's report published on the government's portal is not the government's
    department = "一、总体情况\n本局将本报告在甲县人民政府门户网站公布。本局共收到申请3件。\n"
    assert meta_of(department)["agency"] is None


def test_a_title_printed_on_two_lines_names_the_body_above_it() -> None:
    # hongze-2023.pdf: 「洪泽区人民政府」 above 「2023 年政府信息公开工作年度报告」, the compiler an office
    body = "本报告由淮安市洪泽区人民政府办公室根据《条例》要求编制此报告。\n一、总体情况\n"
    split = meta_of("洪泽区人民政府\n2023 年政府信息公开工作年度报告\n" + body)
    assert (split["agency"], split["agency_line"], split["year"]) == ("洪泽区人民政府", 1, 2023)
    # a line that is not a body's name alone is not joined
    for above in ("政务公开专栏", "洪泽区人民政府,2024年1月"):
        meta = meta_of(f"{above}\n2023 年政府信息公开工作年度报告\n" + body)
        assert meta["title"] == "2023 年政府信息公开工作年度报告"
    assert meta_of("政务公开专栏\n2023 年政府信息公开工作年度报告\n" + body)["agency"] is None


def test_agency_from_a_download_link_in_the_chrome() -> None:
    doc = documents_of("002_6460700eaa6e9ee9.txt")[2]  # no title line; 「word版:…年度报告.docx」 below
    meta = read_metadata(doc)
    assert meta["agency"] == "济南市历下区人民政府"
    assert doc.source.original_line(meta["agency_line"]).startswith("word版:")
    assert meta["title"] == "济南市历下区人民政府2021年政府信息公开工作年度报告"


def test_a_guide_names_its_body_in_its_text() -> None:
    meta = read_metadata(documents_of("002_6460700eaa6e9ee9.txt")[0])
    assert meta["agency"] == "济南市历下区人民政府" and meta["year"] is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("淮安市洪泽区人民政府", "洪泽区人民政府"),
        ("江苏省淮安市洪泽区人民政府", "洪泽区人民政府"),
        ("浙江省舟山市普陀区", "普陀区"),
        ("济南市历下区人民政府办公室", "历下区政府办公室"),
        (" 洪泽区 人民政府 ", "洪泽区人民政府"),
        ("六安市人民政府办公室(政务公开办)", "六安市人民政府办公室"),
        ("苏州市昆山市人民政府", "昆山市人民政府"),
    ],
)
def test_agency_key_matches_spellings_of_one_body(a: str, b: str) -> None:
    assert agency_key(a) == agency_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("济南市历下区人民政府", "济南市历下区人民政府办公室"),
        ("洪泽区人民政府", "洪泽区人民政府办公室"),
        ("济南市城乡建设委员会", "青岛市城乡建设委员会"),
        ("苏州市高新区管委会", "无锡市高新区管委会"),
        ("六安市人民政府", "合肥市人民政府"),
    ],
)
def test_agency_key_keeps_different_bodies_apart(a: str, b: str) -> None:
    assert agency_key(a) != agency_key(b)


def test_agency_key_leaves_other_words_with_zhengfu_alone() -> None:
    assert agency_key("平潭综合实验区政府信息公开工作领导小组办公室") == "平潭综合实验区政府信息公开工作领导小组办公室"
    assert agency_key("历下区政府") == "历下区人民政府"


def test_agency_key_of_nothing() -> None:
    assert agency_key(None) is None and agency_key("") is None


# -- year --------------------------------------------------------------------------------------


def test_year_from_the_opening_sentence_not_from_a_cited_notice() -> None:
    opening = (
        "根据《关于做好2018年度政府信息公开年度报告编制工作的通知》,现将我区2019年度政府信息公开工作报告如下,本报告…\n"
    )
    assert meta_of(opening + "一、总体情况\n")["year"] == 2019
    cited_only = "根据《关于做好2018年度政府信息公开年度报告编制工作的通知》要求编制本报告。\n"
    period = "本报告统计期限自2019年1月1日起至2019年12月31日止。\n"
    assert meta_of(cited_only + period + "一、总体情况\n")["year"] == 2019
