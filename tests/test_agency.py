"""Agency identity (audit.extract.agency.agency_key): one body under its spellings across years is
one key; different bodies — a government and its office, same-named districts of two provinces
when the region is known — are not."""

from __future__ import annotations

import pytest

from audit.extract.agency import agency_key, agency_key_in_context, region_of


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("洪泽区人民政府", "淮安市洪泽区人民政府"),
        ("洪泽区人民政府", "江苏省淮安市洪泽区人民政府"),
        ("济南市历下区人民政府", "历下区"),
        ("济南市历下区人民政府", "历下区政府"),
        ("济南市历下区人民政府", "山东省济南市历下区人民政府"),
        ("平潭综合实验区管委会", "平潭综合实验区管理委员会"),
        ("平潭综合实验区", "平潭综合实验区管委会"),
        ("济南市历下区人民政府办公室", "历下区政府办公室"),
        ("杭州市西湖区人民政府办公室", "西湖区政府办"),
        ("广东省人民政府", "广东省政府"),
        ("广东省人民政府办公厅", "广东省政府办公厅"),
    ],
)
def test_one_body_under_several_spellings(a: str, b: str) -> None:
    assert agency_key(a) == agency_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("济南市历下区人民政府", "济南市历下区人民政府办公室"),
        ("洪泽区人民政府", "洪泽区人民政府办公室"),
        ("历下区", "历下区人民政府办公室"),
        ("六安市人民政府", "六安市人民政府办公室"),
    ],
)
def test_a_government_and_its_office_are_different_bodies(a: str, b: str) -> None:
    assert agency_key(a) != agency_key(b)


def test_same_named_districts_of_two_provinces_differ_when_the_region_is_known() -> None:
    zhoushan = agency_key("普陀区人民政府", region_of("浙江省舟山市普陀区人民政府"))
    shanghai = agency_key("普陀区人民政府", region_of("上海市普陀区人民政府"))
    assert zhoushan != shanghai
    assert zhoushan == agency_key("舟山市普陀区人民政府", region_of("舟山市普陀区人民政府"))
    # the region read from the text: the seed cites 《浙江省政府信息公开暂行办法》 and 舟山市门户网站
    text = "本报告根据《浙江省政府信息公开暂行办法》编制……在舟山市门户网站上统一发布"
    assert agency_key("普陀区", region_of("普陀区", text)) == zhoushan
    # without any region the key stays unqualified (and groups the bare name as before)
    assert agency_key("浙江省舟山市普陀区") == agency_key("普陀区") == "普陀区人民政府"


def test_a_region_does_not_split_unambiguous_names() -> None:
    assert agency_key("历下区人民政府", "山东") == agency_key("历下区人民政府") == agency_key("历下区", None)


def test_region_of_prefers_the_name_then_the_most_cited_province() -> None:
    assert region_of("上海市普陀区人民政府", "浙江省 浙江省") == "上海"
    assert region_of("普陀区", "浙江省……浙江省……上海市") == "浙江"
    assert region_of("普陀区", "在舟山市门户网站公开") == "浙江"
    assert region_of("普陀区", "") is None


def test_the_seed_report_of_zhoushan_putuo_gets_its_region() -> None:
    from pathlib import Path

    from audit.extract.meta import read_metadata
    from audit.ingest import read_paths
    from audit.segment import segment

    seed = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds" / "000_5c77b9a79b9a7ac0.txt"
    if not seed.is_file():
        pytest.skip("needs ../shared/corpus")
    meta = read_metadata(segment(read_paths([str(seed)]))[0])
    assert meta["agency_key"] == "普陀区人民政府@浙江"


def test_the_context_is_read_only_for_ambiguous_places() -> None:
    from audit.extract.agency import agency_key_in_context

    def text() -> str:
        raise AssertionError("read the text of an unambiguous name")

    assert agency_key_in_context("济南市历下区人民政府", text) == "历下区人民政府"
    assert agency_key_in_context("普陀区人民政府", lambda: "上海市普陀区……上海市") == "普陀区人民政府@上海"
    assert agency_key_in_context(None, text) is None


@pytest.mark.parametrize("name", ["区教育局", "市教育局", "县财政局", "区卫健委", "街道办事处", "市场监督管理局"])
def test_a_body_named_without_its_place_has_no_key(name: str) -> None:
    # 「区教育局」 is the 教育局 of some 区: keying it would join different districts' reports
    assert agency_key(name) is None


def test_a_place_that_starts_with_a_level_word_still_has_a_key() -> None:
    assert agency_key("济南市市中区人民政府") == agency_key("市中区人民政府") == "市中区人民政府"
    assert agency_key("六安市市场监督管理局") == "六安市市场监督管理局"


def test_the_name_with_its_place_is_preferred_over_a_generic_title() -> None:
    from audit.extract.meta import read_metadata
    from audit.ingest import read_bytes
    from audit.segment import segment

    text = "区教育局2021年政府信息公开工作年度报告\n一、总体情况\n如对本报告有疑问，请与济南市历下区教育局联系。\n"
    (doc,) = segment([read_bytes(text.encode(), "r.txt")])
    meta = read_metadata(doc)
    assert (meta["agency"], meta["agency_key"]) == ("济南市历下区教育局", "历下区教育局")


def test_a_town_without_its_county_takes_the_county_the_text_names() -> None:
    # hundreds of towns are called 城关镇: the key needs the county (or at least the province)
    text = "本报告由连江县城关镇人民政府编制……福建省"
    assert agency_key_in_context("城关镇人民政府", text) == agency_key("福州市连江县城关镇人民政府")
    assert agency_key_in_context("解放路街道办事处", "请与济南市历下区解放路街道办事处联系") == "历下区解放路街道办事处"
    assert agency_key_in_context("城关镇人民政府", "依据《福建省政府信息公开规定》") == "城关镇人民政府@福建"
    assert agency_key_in_context("城关镇人民政府", "城关镇坚持……") is None  # which one? not grouped
    assert agency_key_in_context("连江县城关镇人民政府", "") == "连江县城关镇人民政府"
