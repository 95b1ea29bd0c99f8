"""Reports from publishers the corpus has never seen: one made-up example per shape of domain.md
§10 items 22–27 and 30 (metadata), each with its own names, years and wording (not domain.md's),
so that what is built is the shape, not the string. Narrative across sentences (§10.31) is held in
tests/test_claims.py; splitting pasted reports in tests/test_segment.py.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from audit.extract.meta import read_metadata
from audit.ingest import read_bytes
from audit.segment import segment


def outline(year: int, voice: str = "本机关") -> str:
    """The six sections of a report, with an opening body sentence of `year` in `voice`."""
    return (
        f"一、总体情况\n{year}年，{voice}围绕政务公开重点工作，共主动公开政府信息86条。\n"
        "二、主动公开政府信息情况\n详见下表。\n"
        "三、收到和处理政府信息公开申请情况\n本年度共收到政府信息公开申请2件。\n"
        "四、政府信息公开行政复议、行政诉讼情况\n未发生政府信息公开行政复议、行政诉讼案件。\n"
        "五、存在的主要问题及改进情况\n解读形式还不够丰富。\n"
        "六、其他需要报告的事项\n本年度未收取信息处理费。\n"
    )


@dataclass
class Case:
    item: str
    name: str
    text: str
    expect: dict[str, Any] = field(default_factory=dict)


CASES = [
    # 22: a title and a period wrapped over two lines, spaced digits
    Case(
        "22",
        "title wrapped after the topic, period wrapped after the year",
        "2021 年松江口市人民政府办公室政府信息公开\n工作年度报告\n本报告中所列数据统计期限为 2021\n"
        "年 1 月 1 日至 12 月 31 日。\n" + outline(2021),
        {
            "kind": "annual_report",
            "agency": "松江口市人民政府办公室",
            "year": 2021,
            "period_start": "2021-01-01",
            "period_end": "2021-12-31",
        },
    ),
    Case(
        "22",
        "title wrapped inside 政府信息公开",
        "桂香路街道办事处2020年度政府\n信息公开工作年度报告\n" + outline(2020, "我街道"),
        {"kind": "annual_report", "agency": "桂香路街道办事处", "year": 2020},
    ),
    Case(
        "22",
        "year with no 年 at the end of the first line",
        "麓山县卫生健康局2024\n政府信息公开工作年度报告\n" + outline(2024),
        {"kind": "annual_report", "agency": "麓山县卫生健康局", "year": 2024},
    ),
    Case(
        "22",
        "spaced digits and a period wrapped after its first date",
        "柳湾乡人民政府2 0 1 9 年政府信息公开工作年度报告\n统计时限为2019年1月1日\n至2019年12月31日。\n"
        + outline(2019, "我乡"),
        {"agency": "柳湾乡人民政府", "year": 2019, "period_start": "2019-01-01", "period_end": "2019-12-31"},
    ),
    # 23: no title; the year and the body only in the text
    Case(
        "23",
        "starts at 一、总体情况, year from the body's first sentence",
        outline(2023, "我乡").replace("本年度共收到", "共收到"),
        {"kind": "annual_report", "year": 2023},
    ),
    Case(
        "23",
        "starts at the site footer",
        "主办单位：临渡县人民政府办公室 备案号：X-ICP备000001号\n" + outline(2018, "我县"),
        {"kind": "annual_report", "year": 2018},
    ),
    Case(
        "23",
        "the body and year in a 现公布… sentence",
        "现公布白沙湾镇人民政府2021年政府信息公开工作年度报告，欢迎社会各界监督。\n" + outline(2021, "我镇"),
        {"kind": "annual_report", "agency": "白沙湾镇人民政府", "year": 2021},
    ),
    Case(
        "23",
        "the title only in 《》",
        "《金川区审计局2019年政府信息公开工作年度报告》\n" + outline(2019),
        {"kind": "annual_report", "agency": "金川区审计局", "year": 2019},
    ),
    Case(
        "23",
        "the body as the first sentence's subject",
        "金川区审计局依据《中华人民共和国政府信息公开条例》规定，编写本年度报告。\n" + outline(2022),
        {"kind": "annual_report", "agency": "金川区审计局", "year": 2022},
    ),
    Case(
        "23",
        "本年度 with its year in brackets",
        "一、总体情况\n本年度（2017年），全县政务公开工作稳步推进。\n二、主动公开政府信息情况\n"
        "三、收到和处理政府信息公开申请情况\n",
        {"kind": "annual_report", "year": 2017},
    ),
    Case(
        "23",
        "year only in a table footnote",
        "一、总体情况\n我局政务公开工作稳步推进。\n二、主动公开政府信息情况\n注：本表为2016年度统计数据。\n"
        "三、收到和处理政府信息公开申请情况\n",
        {"kind": "annual_report", "year": 2016},
    ),
    Case(
        "23",
        "year only in the 编制 notice it cites",
        "按照《关于做好2020年度政府信息公开工作年度报告编制发布工作的通知》要求，形成本报告。\n"
        "一、总体情况\n我局坚持以公开为常态。\n二、主动公开政府信息情况\n",
        {"kind": "annual_report", "year": 2020},
    ),
    # 24: bodies named in the text that are not the reporting body
    Case(
        "24",
        "the contact office alone",
        "一、总体情况\n略。\n六、其他需要报告的事项\n如对本报告有疑问，请与青桐市人民政府办公室联系。\n",
        {"agency": None},
    ),
    Case(
        "24",
        "the compiling office alone",
        "一、总体情况\n本报告由三河口镇综合办公室编制。\n",
        {"agency": None},
    ),
    Case(
        "24",
        "a leading group before the body",
        "一、总体情况\n在青桐市政务公开工作领导小组的统一部署下，青桐市住房和城乡建设局扎实推进公开工作。\n"
        "二、主动公开政府信息情况\n",
        {"agency": "青桐市住房和城乡建设局"},
    ),
    Case(
        "24",
        "the compiling office of a report speaking for its town",
        "本报告由三河口镇党政办公室编制。\n" + outline(2022, "我镇"),
        {"agency": "三河口镇"},
    ),
    Case(
        "24",
        "a name with a second name in brackets is kept whole",
        "青桐市市场监督管理局（青桐市知识产权局）2023年政府信息公开工作年度报告\n" + outline(2023),
        {"agency": "青桐市市场监督管理局(青桐市知识产权局)", "year": 2023},
    ),
    # 25: title variants, the report's date in brackets under the title
    Case(
        "25",
        "年度政府信息公开工作报告 with its date under it",
        "东陵区民政局2021年度政府信息公开工作报告\n（2022年1月18日）\n" + outline(2021),
        {"kind": "annual_report", "agency": "东陵区民政局", "year": 2021, "signed": "2022-01-18"},
    ),
    Case(
        "25",
        "政府信息公开年度报告",
        "东陵区民政局2019年政府信息公开年度报告\n" + outline(2019),
        {"kind": "annual_report", "agency": "东陵区民政局", "year": 2019},
    ),
    Case(
        "25",
        "信息公开工作年度报告",
        "东陵区民政局2020年信息公开工作年度报告\n" + outline(2020),
        {"kind": "annual_report", "agency": "东陵区民政局", "year": 2020},
    ),
    # 26: dates of the page chrome that are no publication date, and the page's own field
    Case(
        "26",
        "a crawl stamp and a today widget only",
        "抓取时间：2026-03-02T08:05\n2026年3月2日 星期一\n东陵区民政局2021年政府信息公开工作年度报告\n"
        + outline(2021)
        + "版权所有 © 2026 东陵区人民政府\n",
        {"published": None},
    ),
    Case(
        "26",
        "公开日期 beside a crawl stamp",
        "采集时间：2026-03-02T08:05\n公开日期：2022-01-27\n东陵区民政局2021年政府信息公开工作年度报告\n"
        + outline(2021),
        {"published": "2022-01-27"},
    ),
    Case(
        "26",
        "发文日期 in a pipe metadata table",
        "| 索引号 | 11220000-2022-00031 | 发布机构 | 东陵区民政局 |\n| 发文日期 | 2022-01-25 | 主题分类 | 其他 |\n"
        "东陵区民政局2021年政府信息公开工作年度报告\n" + outline(2021),
        {"published": "2022-01-25"},
    ),
    Case(
        "26",
        "tag residue",
        "<publishtime>2022-01-21 09:30:00</publishtime>\n东陵区民政局2021年政府信息公开工作年度报告\n" + outline(2021),
        {"published": "2022-01-21"},
    ),
    Case(
        "26",
        "a view counter and 时间",
        "点击:57次 时间:2022年1月24日\n东陵区民政局2021年政府信息公开工作年度报告\n" + outline(2021),
        {"published": "2022-01-24"},
    ),
    Case(
        "26",
        "a bare date after the site name",
        "东陵区人民政府网 2022-01-19\n东陵区民政局2021年政府信息公开工作年度报告\n" + outline(2021),
        {"published": "2022-01-19"},
    ),
    # 27: the signing date mid-line and in Chinese numerals
    Case(
        "27",
        "the next table runs on after the date",
        "东陵区民政局2013年政府信息公开工作年度报告\n"
        + outline(2013)
        + "推动公开工作规范化。 二○一四年二月十二日 附表 东陵区民政局政府信息公开情况统计表 指标名称 单位 数量\n",
        {"signed": "2014-02-12"},
    ),
    Case(
        "27",
        "二〇 numerals under the signature",
        "东陵区民政局2023年政府信息公开工作年度报告\n" + outline(2023) + "东陵区民政局\n二〇二四年一月九日\n",
        {"signed": "2024-01-09"},
    ),
    Case(
        "22",
        "a place's name alone above a title that starts with the year",
        "发布时间：2020-02-11\n青禾新区\n2019年度政府信息公开工作年度报告\n" + outline(2019, "我区"),
        {"kind": "annual_report", "agency": "青禾新区", "year": 2019},
    ),
    Case(
        "22",
        "a title wrapped between the year and 年度",
        "青禾新区2019\n年度政府信息公开工作年度报告\n" + outline(2019, "我区"),
        {"kind": "annual_report", "agency": "青禾新区", "year": 2019},
    ),
    Case(
        "23",
        "no title: the overview's opening sentence names the place (the contact is an office)",
        "本报告中所列数据统计时限为2020年1月1日至2020年12月31日。对本报告如有疑问，请与县政府办公室联系。\n"
        + outline(2020, "桐溪县").replace("围绕", "坚持围绕")
        + "全县共办理申请2件。\n",
        {"kind": "annual_report", "agency": "桐溪县", "year": 2020},
    ),
    Case(
        "24",
        "the portal column's name (a title with no year) above the report's title",
        "首页 > 信息公开 > 县交通\n运输局信息公开年报\n\n梅岭县交通运输局2022年政府信息公开工作年度报告\n"
        + outline(2022),
        {"kind": "annual_report", "agency": "梅岭县交通运输局", "year": 2022},
    ),
    # 30: mirrors that damage the text
    Case(
        "30",
        "traditional characters",
        "東陵區民政局2021年政府資訊公開工作年度報告\n" + outline(2021),
        {"kind": "annual_report", "agency": "东陵区民政局", "year": 2021},
    ),
    Case(
        "30",
        "pinyin inside words",
        "东陵区民政局2021年政府信(xìn)息公开工作年度报(bào)告\n" + outline(2021),
        {"kind": "annual_report", "agency": "东陵区民政局", "year": 2021},
    ),
]


def metadata(text: str) -> dict[str, Any]:
    docs = segment([read_bytes(unicodedata.normalize("NFKC", text).encode("utf-8"), "page.txt")])
    assert len(docs) == 1
    return read_metadata(docs[0])


@pytest.mark.parametrize("case", CASES, ids=[f"{c.item}-{c.name}" for c in CASES])
def test_metadata_of_each_shape(case: Case) -> None:
    meta = metadata(case.text)
    assert {key: meta[key] for key in case.expect} == case.expect


def test_a_period_of_another_year_than_the_body_is_reported(tmp_path: Path) -> None:
    """§10.23 with §1: no title, the body speaks of 2022, the stated period is 2021: the report year
    is the body's, and dates.period_year_mismatch says the two disagree."""
    from audit.pipeline import run_audit

    text = "本报告统计期限为2021年1月1日至2021年12月31日。\n" + outline(2022, "我镇")
    meta = metadata(text)
    assert (meta["year"], meta["period_start"]) == (2022, "2021-01-01")
    (tmp_path / "page.txt").write_text(text, encoding="utf-8")
    findings = run_audit([str(tmp_path / "page.txt")], db=None).findings
    assert "dates.period_year_mismatch" in set(findings["rule"])
    agreed = tmp_path / "agreed"
    agreed.mkdir()
    (agreed / "page.txt").write_text(text.replace("2021年", "2022年"), encoding="utf-8")
    assert "dates.period_year_mismatch" not in set(run_audit([str(agreed)], db=None).findings["rule"])


def test_every_item_has_a_case() -> None:
    assert {c.item for c in CASES} == {"22", "23", "24", "25", "26", "27", "30"}


@pytest.mark.parametrize("mark", ["# ", "## ", "**"])
def test_a_converter_markdown_title_names_the_agency(mark: str) -> None:
    """A converter writes the title as a markdown heading or bold line (`# 示例县2023年度…报告`)."""
    end = "**" if mark == "**" else ""
    text = f"{mark}示例县水利局2023年度政府信息公开工作年度报告{end}\n\n" + outline(2023)
    meta = metadata(text)
    assert meta["agency"] == "示例县水利局" and meta["year"] == 2023 and meta["kind"] == "annual_report"


def test_an_untitled_report_speaking_for_its_place_takes_the_place_of_its_leading_group() -> None:
    """No title; the only full name is the contact, a leading group's office: the report speaks for
    「我区」, so the body is that group's place — never the group itself (§10.23, 10.24)."""
    text = (
        "本报告由区管委会办公室编制。如对本报告有任何疑问，请与示例湾综合试验区政府信息公开工作领导小组办公室联系。\n"
        + outline(2021, voice="我区")
    )
    assert metadata(text)["agency"] == "示例湾综合试验区"
