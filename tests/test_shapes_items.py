"""Each table shape of domain.md §10 met in reports from unseen publishers (items 18–21, 28, 29), with
a made-up example of its own: read right, or refused with an extraction issue — never a number
placed by position or split by guessing."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from audit.extract.table_cells import TablesResult, read_tables
from audit.model import APP_COLUMNS

GENERIC = "| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |"
SEPARATOR = "|---|---|---|---|---|---|---|---|"


def within(body: str) -> str:
    """`body` inside a report: text before it and a heading after it (a fragment is cut at both ends)."""
    return f"一、总体情况\n今年我局依法公开政府信息。\n{body.strip()}\n五、存在的主要问题及改进情况\n无。"


def read(text: str, year: int | None = 2023) -> TablesResult:
    lines = [unicodedata.normalize("NFKC", line) for line in text.strip("\n").splitlines()]
    return read_tables(list(enumerate(lines, start=1)), year)


def cells(result: TablesResult) -> dict[tuple[str, str, str], Any]:
    """(table, row, column) → value as printed: None for a blank cell, the number otherwise."""
    return {(t, r, c): None if blank else value for t, r, c, value, _raw, blank, _ph, _line in result.cells}


def row(result: TablesResult, table: str, key: str, columns: tuple[str, ...] = APP_COLUMNS) -> list[Any]:
    got = cells(result)
    return [got.get((table, key, c), "missing") for c in columns]


def codes(result: TablesResult) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for issue in result.issues:
        out.setdefault(issue["table"], set()).add(issue["code"])
    return out


# -- §10.18 converter markdown ---------------------------------------------------------------------


def test_converter_markdown_one_table_per_row_labels_in_headings_and_lines_above() -> None:
    result = read(
        within(f"""
三、收到和处理政府信息公开申请情况
### 一、本年新收政府信息公开申请数量
{GENERIC}
{SEPARATOR}
| 本年新收政府信息公开申请数量 | 31 | 2 | 0 | 0 | 1 | 0 | 34 | |
### (一) 予以公开
{GENERIC}
{SEPARATOR}
| 17 | 1 | 0 | 0 | 0 | 0 | 18 |
(二)部分公开
| 4 | 0 | 0 | 0 | 1 | 0 | 5 |
""")
    )
    assert row(result, "applications", "new_received") == [31, 2, 0, 0, 1, 0, 34]  # trailing empty cell: padding
    assert row(result, "applications", "granted") == [17, 1, 0, 0, 0, 0, 18]  # label in the heading
    assert row(result, "applications", "partially_granted") == [4, 0, 0, 0, 1, 0, 5]  # label on the line above
    assert codes(result) == {"applications": {"row_missing"}}  # the rest of the table is not printed


def test_converter_markdown_unlabelled_row_is_reported_never_placed_by_position() -> None:
    result = read(f"""
### 2.重复申请
{GENERIC}
{SEPARATOR}
| 2 | 0 | 0 | 0 | 0 | 0 | 2 |
| 6 | 0 | 1 | 0 | 0 | 0 | 7 |
### 3.要求提供公开出版物
{GENERIC}
{SEPARATOR}
| 要求提供公开出版物 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
""")
    assert row(result, "applications", "not_processed.duplicate") == [2, 0, 0, 0, 0, 0, 2]
    assert row(result, "applications", "not_processed.publication") == [1, 0, 0, 0, 0, 0, 1]
    assert 7 not in {v for (t, _, _), v in cells(result).items() if t == "applications"}
    [unlabelled] = [i for i in result.issues if i["code"] == "ambiguous_row"]
    assert "6 0 1 0 0 0 7" in unlabelled["detail"] and "没有行名" in unlabelled["detail"]


def test_converter_markdown_short_row_and_garbled_review_header() -> None:
    result = read("""
### 第二十条第(一)项
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
|---|---|---|---|
| 规章 | 22 | 235 |
| 行政规范性文件 | 9 | 3 | 118 |
四、政府信息公开行政复议、行政诉讼情况
| 行政复议 | 结果维持 | 数据3 | 尚未审结 | 行政诉讼 | 总计 |
|---|---|---|---|---|---|
| 3 | 1 | 0 | 1 | 5 | 0 | 0 | 0 | 0 | 0 | 2 | 0 | 0 | 0 | 2 |
""")
    a20 = ("issued", "repealed", "in_force")
    assert row(result, "article20", "regulations", a20) == ["missing"] * 3  # 2 numbers for 3 columns: which?
    assert row(result, "article20", "normative_documents", a20) == [9, 3, 118]
    assert codes(result)["article20"] >= {"cells_missing"}
    got = cells(result)
    assert [got[("review_litigation", "review", o)] for o in ("upheld", "corrected", "other", "pending", "total")] == [3, 1, 0, 1, 5]  # fmt: skip
    assert got[("review_litigation", "litigation_after_review", "total")] == 2


# -- §10.19 a pipe on its own line -------------------------------------------------------------------


def test_pipe_on_its_own_line_is_a_separator_not_a_blank_cell() -> None:
    lines = ["第二十条第(一)项", "|", "信息内容", "|", "本年制发件数", "|", "本年废止件数", "|", "现行有效件数", "|"]
    lines += ["规章", "|", "0", "|", "1", "|", "5", "|"]
    lines += ["行政规范性文件", "|", "7 |", "2 |", "40 |"]
    result = read(within("\n".join(lines)))
    a20 = ("issued", "repealed", "in_force")
    assert row(result, "article20", "regulations", a20) == [0, 1, 5]
    assert row(result, "article20", "normative_documents", a20) == [7, 2, 40]
    assert "article20" not in codes(result) or codes(result)["article20"] == {"row_missing"}


def test_pipe_on_its_own_line_with_a_blank_cell() -> None:
    result = read("\n".join(["行政复议", "|", "结果维持", "|", "1", "|", "", "|", *(["0", "|"] * 13)]))
    got = cells(result)
    assert got[("review_litigation", "review", "upheld")] == 1
    assert got[("review_litigation", "review", "corrected")] is None  # an empty line, then its separator
    assert len([k for k in got if k[0] == "review_litigation"]) == 15


# -- §10.20 blank cells as empty spans ---------------------------------------------------------------


def test_blank_cells_printed_as_empty_spans_are_null_cells_not_missing_ones() -> None:
    result = read(
        within("""
第二十条第(五)项 | ||
信息内容 | 本年处理决定数量 | |
行政许可 | ||||
第二十条第(六)项 | ||
信息内容 | 本年处理决定数量 | |
行政处罚 |
| ||
行政强制 | 12 | |
""")
    )
    got = cells(result)
    assert ("article20", "licensing", "decisions") in got and got[("article20", "licensing", "decisions")] is None
    assert ("article20", "penalty", "decisions") in got and got[("article20", "penalty", "decisions")] is None
    assert got[("article20", "coercion", "decisions")] == 12
    assert codes(result).get("article20", set()) <= {"row_missing"}  # 规章… and 收费 are not printed at all


def test_a_label_alone_is_not_a_row_of_blank_cells() -> None:
    """Blank means printed empty; a label with nothing after it shows no cell at all."""
    result = read(
        "第二十条第(五)项\n信息内容\n本年处理决定数量\n行政许可\n第二十条第(六)项\n信息内容\n本年处理决定数量\n行政处罚\n8"
    )
    assert ("article20", "licensing", "decisions") not in cells(result)
    assert "cells_missing" in codes(result)["article20"]


# -- §10.21 cells glued together, changes written as words --------------------------------------------


def test_glued_cells_are_refused_never_split() -> None:
    result = read("""
第二十条第(一)项 | ||
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
规章000 | ||
行政规范性文件 | 4 | 1 | 63 |
""")
    got = cells(result)
    assert not [k for k in got if k[1] == "regulations"]
    assert row(result, "article20", "normative_documents", ("issued", "repealed", "in_force")) == [4, 1, 63]
    [issue] = [i for i in result.issues if "规章000" in i["detail"]]
    assert issue["code"] == "cells_missing" and "连在一起" in issue["detail"]


def test_changes_written_as_words_are_refused_the_rest_of_the_row_read() -> None:
    result = read("""
第二十条第(五)项 | ||
信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
行政许可 | 6 | 减4 | 2 |
其他对外管理服务事项 | 10 | 增加3 | 7 |
""", year=2020)  # fmt: skip
    got = cells(result)
    assert got[("article20", "licensing", "prior_count")] == 6 and got[("article20", "licensing", "decisions")] == 2
    assert ("article20", "licensing", "change") not in got and ("article20", "other_services", "change") not in got
    assert got[("article20", "other_services", "decisions")] == 7
    [issue] = [i for i in result.issues if "减4" in i["detail"]]
    assert "增加3" in issue["detail"] and issue["code"] == "cells_missing"


# -- §10.28 excerpts and fragments --------------------------------------------------------------------


def test_fragment_that_starts_inside_a_table_is_a_cut_table() -> None:
    result = read("""
(七)总计 | 40 | 1 | 0 | 0 | 0 | 0 | 41 | ||
四、结转下年度继续办理 | 3 | 0 | 0 | 0 | 0 | 0 | 3 | ||
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
""")
    assert row(result, "applications", "results_total") == [40, 1, 0, 0, 0, 0, 41]
    assert row(result, "applications", "carried_forward") == [3, 0, 0, 0, 0, 0, 3]
    [issue] = result.issues
    assert issue["code"] == "truncated" and "中间开始" in issue["detail"]


def test_fragment_that_starts_with_the_numbers_of_a_cut_row() -> None:
    result = read("""
0 | 0 | 0 | 6 | ||
四、结转下年度继续办理 | 3 | 0 | 0 | 0 | 0 | 0 | 3 | ||
五、存在的主要问题及改进情况
""")
    assert row(result, "applications", "carried_forward") == [3, 0, 0, 0, 0, 0, 3]
    assert 6 not in set(cells(result).values())
    assert codes(result)["applications"] == {"ambiguous_row", "truncated"}


def test_fragment_that_ends_at_a_heading_is_a_cut_table_not_a_missing_one() -> None:
    result = read("一、总体情况\n今年我局主动公开政府信息52条。\n二、主动公开政府信息情况\n第二十条第(一)项 |")
    [issue] = result.issues
    assert issue["table"] == "article20" and issue["code"] == "truncated"


def test_fragment_that_ends_inside_a_number_takes_no_number_from_the_cut() -> None:
    result = read("""
(七)总计 | 40 | 1 | 0 | 0 | 0 | 0 | 41 | ||
四、结转下年度继续办理 | 3 | 0 | 0 | 0 | 0 | 0 | 1
""")
    assert row(result, "applications", "carried_forward") == ["missing"] * 7  # 1 may be the start of 12
    assert any(i["code"] == "truncated" and "「1」" in i["detail"] for i in result.issues)


# -- §10.29 old tables in new years --------------------------------------------------------------------

_OLD_TABLE_2022 = """示例县农业农村局2022年政府信息公开工作年度报告
本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。
一、总体情况
2022年，我局主动公开政府信息86条。
二、主动公开政府信息情况
第二十条第(一)项 | ||
信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |
规章 | 0 | 0 | 0 |
规范性文件 | 3 | 3 | 27 |
第二十条第(五)项 | ||
信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
行政许可 | 14 | +2 | 380 |
其他对外管理服务事项 | 5 | 0 | 61 |
五、存在的主要问题及改进情况
无。
"""


def test_old_format_table_in_a_new_year_is_read_as_printed() -> None:
    result = read(_OLD_TABLE_2022, year=2022)
    assert result.shape_article20 == "2019"
    got = cells(result)
    assert got[("article20", "normative_documents", "total_published")] == 27
    assert got[("article20", "licensing", "change")] == 2
    assert not [k for k in got if k[2] in ("issued", "in_force")]


def test_old_format_table_in_a_new_year_is_reported(tmp_path: Path) -> None:
    from audit.pipeline import run_audit

    (tmp_path / "report.txt").write_text(_OLD_TABLE_2022, encoding="utf-8")
    result = run_audit([str(tmp_path)], validate_frames=False)
    [doc] = result.frames.documents.to_dict("records")
    assert doc["year"] == 2022 and doc["format"] == "2019"
    assert "structure.format_mismatch" in set(result.findings["rule"])


def test_what_only_looks_like_a_cut_table_is_none() -> None:
    """A section that says 「无」, a page's metadata pairs before its title, a page counter: no table."""
    assert read("一、总体情况\n今年公开信息。\n四、政府信息公开行政复议、行政诉讼情况\n无").issues == []
    assert read("浏览次数 | 123 |\n点击量 | 45 |\n字数 | 3000 |\n示例市2023年年度报告\n一、总体情况\n…").issues == []
    assert read("1 / 3\n一、总体情况\n今年公开信息。").issues == []
    page = "主题分类 | 行政许可 |\n文号 | 12 |\n示例市2023年年度报告\n一、总体情况\n…"
    assert read(page).cells == [] and read(page).issues == []  # 行政许可 here names a topic


def test_several_numbers_in_one_piped_cell_are_refused_never_split() -> None:
    """`| 3 5 |`: one letter-spaced number (35), or two cells run into one? Neither is guessed."""
    result = read(
        within("""
第二十条第(八)项 | ||
信息内容 | 本年收费金额(单位:万元) | |
行政事业性收费 | 3 5 |
第二十条第(五)项 | ||
信息内容 | 本年处理决定数量 | |
行政许可 | 4 0 |
""")
    )
    got = cells(result)
    assert ("article20", "fees", "amount_10k_yuan") not in got and ("article20", "licensing", "decisions") not in got
    [issue] = [i for i in result.issues if "3 5" in i["detail"]]
    assert "4 0" in issue["detail"] and issue["code"] == "cells_missing"


# -- PDF text: numbers beside, above or below a tall row's label (the corpus PDFs' text layer) ------


def test_numbers_above_tall_rows_are_placed_where_lines_alternate() -> None:
    result = read(
        within("""
(一)予以公开 12 0 0 0 0 0 12
5 1 0 0 0 0 6
(二)部分公开(区分处理的,只
计这一情形,不计其他情形)
1.属于国家秘密 0 0 0 0 0 0 0
""")
    )
    assert row(result, "applications", "granted") == [12, 0, 0, 0, 0, 0, 12]
    assert row(result, "applications", "partially_granted") == [5, 1, 0, 0, 0, 0, 6]
    assert row(result, "applications", "denied.state_secret") == [0] * 7


def test_numbers_between_two_tall_rows_are_refused() -> None:
    """L V L: the numbers may be the first row's (printed below it) or the second's (above it)."""
    result = read(
        within("""
(一)予以公开 12 0 0 0 0 0 12
(二)部分公开(区分处理的,只
计这一情形,不计其他情形)
5 1 0 0 0 0 6
1.属于国家秘密
2.其他法律行政法规禁止公开 0 0 0 0 0 0 0
""")
    )
    assert row(result, "applications", "partially_granted") == ["missing"] * 7
    assert row(result, "applications", "denied.state_secret") == ["missing"] * 7
    assert any("无法确定各属于哪一行" in i["detail"] for i in result.issues)


def test_numbers_above_every_label_one_cell_per_line_are_not_shifted_onto_the_next_row() -> None:
    result = read(
        within("""
第二十条第(五)项
信息内容
本年处理决定数量
12
行政许可
第二十条第(六)项
信息内容
本年处理决定数量
30
行政处罚
4
行政强制
""")
    )
    assert not [c for c in result.cells if c[0] == "article20"]  # 行政处罚 = 4 would be 行政强制's number
    assert {"ambiguous_row", "cells_missing"} <= codes(result)["article20"]
