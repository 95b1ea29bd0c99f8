"""Segment: documents of each seed file as labelled in truth.yaml, page chrome, kinds, copies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.ingest import read_bytes, read_file
from audit.model import Document, Source
from audit.segment import ATTACHED, BLANK, BOUNDARY, CONTENT, RESIDUE, classify_kind, classify_line, segment

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
_OUTLINE = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、行政复议、行政诉讼情况",
)
TRUTH: dict[str, Any] = yaml.safe_load((SEEDS / "truth.yaml").read_text(encoding="utf-8"))["files"]


def documents_of(file: str) -> list[Document]:
    return segment([read_file(str(SEEDS / file))])


def source_of(text: str, path: str = "x.txt") -> Source:
    return read_bytes(text.encode("utf-8"), path)


# -- the labelled seeds ------------------------------------------------------------------------


@pytest.mark.parametrize("file", sorted(TRUTH))
def test_each_seed_holds_the_labelled_documents(file: str) -> None:
    labels = TRUTH[file]["documents"]
    docs = documents_of(file)
    assert len(docs) == len(labels)
    assert [d.ordinal for d in docs] == list(range(1, len(docs) + 1))
    for position, (doc, label) in enumerate(zip(docs, labels, strict=True), start=1):
        assert label.get("ordinal", position) == doc.ordinal
        if "duplicate_of" in label:
            assert doc.duplicate_of == docs[label["duplicate_of"] - 1].id
            continue
        assert doc.duplicate_of is None
        assert doc.kind == label["kind"], doc.id
        if label.get("truncated"):
            original = next(d for d in docs if d.id == doc.truncated_copy_of)
            assert labels[original.ordinal - 1].get("year") == label["year"]
            assert original.duplicate_of is None and original.end - original.start > doc.end - doc.start
        else:
            assert doc.truncated_copy_of is None, doc.id


def test_documents_do_not_overlap_and_separators_belong_to_none() -> None:
    docs = documents_of("002_6460700eaa6e9ee9.txt")
    for before, after in zip(docs, docs[1:], strict=False):
        assert before.end <= after.start
        between = docs[0].source.lines[before.end : after.start]
        assert between and all(classify_line(line)[0] in (BOUNDARY, BLANK, RESIDUE) for line in between)


def test_glued_font_size_chrome_is_stripped_from_the_first_line() -> None:
    docs = documents_of("002_6460700eaa6e9ee9.txt")
    glued = [d for d in docs if d.first_line_offset]
    assert glued, "002 glues 「大 中 小」 to the first line of most documents"
    for doc in glued:
        assert doc.source.lines[doc.start].startswith("大 中 小")
        first = next(doc.numbered_lines())[1]
        assert not first.startswith(("大", " ")) and first.strip()


def test_download_links_are_chrome_of_the_report_they_follow() -> None:
    doc = documents_of("002_6460700eaa6e9ee9.txt")[2]
    chrome = [doc.source.lines[i] for i in sorted(doc.chrome)]
    assert any(line.startswith("word版:") and line.endswith(".docx") for line in chrome)
    assert all(not line.startswith(("word版", "H5", "一图读懂")) for _, line in doc.numbered_lines())
    assert any(line.startswith("word版") for _, line in doc.numbered_lines(with_chrome=True))


def test_publication_line_is_chrome_inside_the_document_it_heads() -> None:
    [doc] = documents_of("004_35efe59cd959ef3f.txt")
    published = next(i for i, line in enumerate(doc.source.lines) if "发布时间" in line)
    assert doc.start <= published < doc.end and published in doc.chrome
    assert doc.source.lines[doc.start].startswith("六安市")  # the breadcrumb above is not in it


def test_layout_residue_pipes_are_trimmed_at_the_edges_but_kept_inside() -> None:
    [doc] = documents_of("000_5c77b9a79b9a7ac0.txt")
    assert doc.source.lines[doc.start].startswith("普陀区2020年")
    assert doc.source.lines[doc.end - 1].strip("| ")  # the pipe-only and 「打印 关闭」 lines are out
    text = "XX县2020年政府信息公开工作年度报告\n一、总体情况\n|\n||||\n本县主动公开信息100条。\n"
    [doc] = segment([source_of(text)])
    assert [t for _, t in doc.numbered_lines()][2:4] == ["|", "||||"] and not doc.chrome


# -- line classes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("字号:", BOUNDARY),
        ("大 中 小", BOUNDARY),
        ("扫码使用手机浏览本页内容", BOUNDARY),
        ("打印 关闭 | |||||||", BOUNDARY),
        ("当前位置 :首页 > |", BOUNDARY),
        ("首页 > 信息公开 > 市政府办(政府外事办)信息公开年报", BOUNDARY),
        ("word版:济南市历下区人民政府2021年政府信息公开工作年度报告.docx", ATTACHED),
        ("Pdf版:济南市历下区人民政府2021年政府信息公开工作年度报告.pdf", ATTACHED),
        ("pdf版:济南市历下区人民政府2021年政府信息公开工作年度报告.pdf", ATTACHED),
        ("H5:https://jnlxq2021h5.suncoolnet.cn/", ATTACHED),
        ("H5解读:https://jnlxq2021h5.suncoolnet.cn/", ATTACHED),
        ("一图读懂:http://www.lixia.gov.cn/art/2022/2/19/art_55616_4796591.html", ATTACHED),
        ("有声朗读:济南市历下区人民政府2021年政府信息公开工作年度报告", ATTACHED),
        ("电子书:https://jnlxq2021ebook.suncoolnet.cn/", ATTACHED),
        ("动漫解读:济南市历下区人民政府2021年政府信息公开工作年度报告", ATTACHED),
        ("图片解读:济南市历下区人民政府2021年政府信息公开工作年度报告", ATTACHED),
        ("文件下载:", ATTACHED),
        ("展示与解读:", ATTACHED),
        ("点击播放视频", ATTACHED),
        ("1. Word版本:济南市历下区人民政府2020年政府信息公开工作年度报告.docx", ATTACHED),
        ("济南市历下区人民政府2019年政府信息公开工作年度报告.pdf", ATTACHED),
        ("来源单位:市政府办(政府外事办) 发布时间:2021-01-20 08:39 访问量:", ATTACHED),
        ("标题: 平潭综合实验区2019年度政府信息公开工作年度报告", ATTACHED),
        ("|", RESIDUE),
        ("||||||||", RESIDUE),
        ("   ", BLANK),
        ("一、总体情况", CONTENT),
        ("大中小学生资助政策全部公开。", CONTENT),
        ("本报告中所列数据的统计期限为2022年1月1日至2022年12月31日。", CONTENT),
        ("当前位置: 首页 " + "平潭综合实验区2021年度政府信息公开工作年度报告 根据《条例》" * 10, CONTENT),
        ("一、本年新收政府信息公开申请数量 | 209 | 6 | 0 | 0 | 0 | 0 | 215 | ||", CONTENT),
    ],
)
def test_line_classes(line: str, expected: str) -> None:
    assert classify_line(line)[0] == expected


def test_glued_chrome_length() -> None:
    assert classify_line("大 中 小根据《条例》") == (CONTENT, len("大 中 小"))
    assert classify_line("字号: 大 中 小本报告") == (CONTENT, len("字号: 大 中 小"))
    assert classify_line("大中小学校") == (CONTENT, 0)


# -- splitting ---------------------------------------------------------------------------------


def _seed_text(file: str, *, from_line: int = 1) -> str:
    return "\n".join((SEEDS / file).read_text(encoding="utf-8").splitlines()[from_line - 1 :])


def test_two_reports_run_together_without_chrome_are_split_at_the_second_title() -> None:
    first = _seed_text("001_605866c201a9c82d.txt")
    second = _seed_text("004_35efe59cd959ef3f.txt", from_line=3)  # from its title line on
    docs = segment([source_of(first + "\n" + second)])
    assert len(docs) == 2
    assert docs[1].source.lines[docs[1].start].startswith("六安市人民政府办公室2020年")
    assert docs[0].end <= docs[1].start and docs[0].source.lines[docs[0].start].startswith("桃江")


def test_lines_that_merely_mention_a_title_do_not_split_a_report() -> None:
    report = _seed_text("001_605866c201a9c82d.txt").splitlines()
    mentions = [
        "《济南市历下区人民政府2021年政府信息公开工作年度报告》",
        "详见济南市历下区人民政府2021年政府信息公开工作年度报告。",
        "word版:济南市历下区人民政府2021年政府信息公开工作年度报告.docx",
    ]
    text = "\n".join(report[:150] + mentions + report[150:])
    assert len(segment([source_of(text)])) == 1


def test_a_title_repeated_at_the_top_of_a_report_does_not_split_it() -> None:
    text = "XX县2021年政府信息公开工作年度报告\nXX县2021年政府信息公开工作年度报告\n" + _seed_text(
        "001_605866c201a9c82d.txt"
    )
    assert len(segment([source_of(text)])) == 1


def _short_report(title: str, year: int, voice: str = "本机关") -> str:
    """A made-up report of a few lines: a title, an opening sentence and six one-line sections."""
    head = f"{title}\n" if title else ""
    return head + (
        f"依照《中华人民共和国政府信息公开条例》，现将{year}年度政府信息公开工作情况报告如下。\n"
        f"一、总体情况\n{year}年，{voice}主动公开政府信息131条。\n二、主动公开政府信息情况\n见附表。\n"
        "三、收到和处理政府信息公开申请情况\n收到申请4件。\n四、政府信息公开行政复议、行政诉讼情况\n无。\n"
        "五、存在的主要问题及改进情况\n栏目更新不够及时。\n六、其他需要报告的事项\n无。\n"
    )


FIRST = _short_report("杨柳湖镇人民政府2020年政府信息公开工作年度报告", 2020, "我镇")
SECOND = _short_report("杨柳湖镇人民政府2021年度政府信息公开工作报告", 2021, "我镇")  # a title variant
WRAPPED = _short_report("芦溪县司法局2021年度政府\n信息公开工作年度报告", 2021)
UNTITLED = _short_report("", 2019, "我县")


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        (
            FIRST + "\n\n" + SECOND + "\n" + WRAPPED,
            ["杨柳湖镇人民政府2020", "杨柳湖镇人民政府2021", "芦溪县司法局2021"],
        ),
        (FIRST + "\n\n\n" + UNTITLED, ["杨柳湖镇人民政府2020", "依照《中华人民共和国政府信息公开条例》"]),
        (FIRST + "\n======\n" + SECOND + "\n\n＝＝＝＝＝＝\n\n" + UNTITLED, ["杨柳湖镇", "杨柳湖镇", "依照"]),
        (FIRST + "-" * 30 + "\n" + WRAPPED, ["杨柳湖镇人民政府2020", "芦溪县司法局2021"]),
        (FIRST + "\n" + FIRST, ["杨柳湖镇人民政府2020", "杨柳湖镇人民政府2020"]),  # a copy pasted below
    ],
    ids=["blank lines", "no title", "= separators", "- separator", "same title"],
)
def test_reports_pasted_together_are_split(text: str, starts: list[str]) -> None:
    """Reports joined by blank lines or 「=====」-style separators only (no page chrome) are split,
    short ones, variant and wrapped titles and reports without a title included; a separator line
    belongs to neither report."""
    docs = segment([source_of(text)])
    assert len(docs) == len(starts)
    for doc, start in zip(docs, starts, strict=True):
        lines = [t for _, t in doc.numbered_lines() if t.strip()]
        assert lines[0].startswith(start) and doc.kind == "annual_report"
        assert not any(set(t.strip()) <= set("=＝-") for t in lines)


@pytest.mark.parametrize(
    "text",
    [
        FIRST.replace("三、", "======\n三、").replace("五、", "\n----------\n\n五、"),  # breaks between its sections
        FIRST.replace("四、", "-----\n杨柳湖镇人民政府2020年政府信息公开工作年度报告\n四、"),  # a running header
        FIRST.replace("一、总体情况\n", "目录\n" + "".join(f"{h}\n" for h in _OUTLINE) + "一、总体情况\n", 1),
        FIRST.replace("见附表。", "详见《杨柳湖镇人民政府2019年政府信息公开工作年度报告》。\n见附表。"),
    ],
    ids=["section breaks", "running header", "table of contents", "a cited report"],
)
def test_one_report_is_not_split_at_its_own_breaks(text: str) -> None:
    assert len(segment([source_of(text)])) == 1


def test_a_page_holding_only_a_title_joins_the_text_below_its_chrome() -> None:
    text = "XX县2021年政府信息公开工作年度报告\n发布时间:2022-01-20\n字号: 大 中 小\n" + _seed_text(
        "001_605866c201a9c82d.txt", from_line=2
    )
    [doc] = segment([source_of(text)])
    assert doc.start == 0 and {1, 2} <= doc.chrome


def test_unreadable_sources_give_no_documents() -> None:
    assert segment([Source(path="bad.bin", error="binary"), source_of("")]) == []


# -- kinds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "XX区2021年政府信息公开工作年度报告\n本报告根据《条例》编制。\n更新了政府信息公开指南,明确收费标准、监督和救济渠道。",
            "annual_report",
        ),
        ("XX区人民政府政府信息公开指南\n一、主动公开\n二、申请接收渠道\n三、收费标准\n四、监督和救济", "guide"),
        ("(2023年1月更新)\n为便于公民获取本机关政府信息,编制本指南。\n(二)申请接收渠道\n五、监督和救济", "guide"),
        ("关于做好2019年度政府信息公开工作年度报告编制工作的通知\n各街道办事处:\n请于1月20日前报送。", "other"),
        ("关于2014年政府信息公开工作要点落实情况的函\n省政府办公厅:\n现将我区落实情况函告如下。", "other"),
        ("XX局关于2020年法治政府建设情况的报告\n一、主要做法\n二、存在问题", "other"),
        ("本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。\n一、总体情况", "annual_report"),
        ("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况\nXX指南", "annual_report"),
        # no title (§10.23): the report's own sections make it a report; a guide's do not
        (
            "一、总体情况\n全年公开信息312条。\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况",
            "annual_report",
        ),
        ("一、主动公开\n二、依申请公开\n三、监督和救济\n申请接收渠道见下。", "guide"),
        # title variants (§10.25) and a mirror's traditional characters (§10.30)
        ("XX县统计局2022年度政府信息公开工作报告\n一、总体情况", "annual_report"),
        ("XX縣統計局2022年政府信息公開工作年度報告\n一、總體情況", "annual_report"),
    ],
)
def test_kinds(text: str, kind: str) -> None:
    [doc] = segment([source_of(text)])
    assert doc.kind == kind


def test_a_document_without_text_is_unknown() -> None:
    source = source_of("正文\n \n")
    assert classify_kind(Document(source, 1, 1, 2)) == "unknown"


# -- copies ------------------------------------------------------------------------------------


def test_exact_copies_ignore_chrome_and_blank_lines() -> None:
    body = _seed_text("001_605866c201a9c82d.txt")
    page = "字号:\n大 中 小\n{body}\nword版:{name}.docx\n扫码使用手机浏览本页内容\n"
    text = page.format(body=body, name="甲") + page.format(body=body.replace("\n", "\n\n", 3), name="乙")
    first, second = segment([source_of(text)])
    assert second.duplicate_of == first.id and first.duplicate_of is None


def test_copies_are_found_across_files_and_an_edited_copy_is_not_truncated() -> None:
    report = _seed_text("004_35efe59cd959ef3f.txt", from_line=3).splitlines()
    edited = [line.replace("25", "26") for line in report]
    cut = report[: len(report) * 2 // 3]
    docs = segment([source_of("\n".join(x), f"{n}.txt") for n, x in enumerate((report, edited, cut, report))])
    assert [d.truncated_copy_of for d in docs] == [None, None, "0.txt#1", None]
    assert [d.duplicate_of for d in docs] == [None, None, None, "0.txt#1"]


def test_copy_detection_scales_to_ten_thousand_documents() -> None:
    """10,000 documents that all open alike: bucketed, no pairwise comparison of all of them."""
    opening = [
        "XX县2021年政府信息公开工作年度报告",
        "本报告根据《条例》要求编制,内容如下。",
        "一、总体情况:全县主动公开信息。",
    ]
    pages = [opening + [f"第{k}号文件正文第{j}行内容。" for j in range(30)] for k in range(10_000)]
    pages.append(pages[5000][:20])  # a cut-off copy of the 5001st
    text = "\n扫码使用手机浏览本页内容\n".join("\n".join(p) for p in pages)
    docs = segment([source_of(text)])
    assert len(docs) == 10_001
    assert docs[-1].truncated_copy_of == docs[5000].id
    assert sum(d.truncated_copy_of is not None for d in docs) == 1
