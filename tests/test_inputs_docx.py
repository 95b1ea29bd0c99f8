"""Word reports: a 2021-format report built here with python-docx (real tables, merged cells as a
portal's Word export has them) extracts to exactly the data it was built from."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from audit.ingest import read_bytes, sniff
from audit.model import APP_COLUMNS, APP_ROWS_2021, RL_GROUPS, RL_OUTCOMES
from audit.pipeline import run_audit
from audit.render.audit_json import audit_json

docx = pytest.importorskip("docx")

# The data the report is built from: distinct numbers, so a value in the wrong cell shows.
APPLICATIONS = {
    row: [i * 10 + c for c in range(6)] + [sum(i * 10 + c for c in range(6))] for i, row in enumerate(APP_ROWS_2021)
}
REVIEW = [1, 2, 3, 0, 6, 0, 1, 0, 1, 2, 0, 0, 0, 0, 0]
ARTICLE20 = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative_documents": {"issued": 12, "repealed": 3, "in_force": 88},
    "licensing": {"decisions": 4321},
    "penalty": {"decisions": 765},
    "coercion": {"decisions": 43},
    "fees": {"amount_10k_yuan": 11609.06},
}
# Printed labels: (group label merged down its rows, row label); None = a label across columns 0–2.
APP_LABELS = [
    (None, "一、本年新收政府信息公开申请数量"),
    (None, "二、上年结转政府信息公开申请数量"),
    ("(一)予以公开", None),
    ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", None),
    *[
        ("(三)不予公开", f"{i}.{t}")
        for i, t in enumerate(
            [
                "属于国家秘密",
                "其他法律行政法规禁止公开",
                "危及“三安全一稳定”",
                "保护第三方合法权益",
                "属于三类内部事务信息",
                "属于四类过程性信息",
                "属于行政执法案卷",
                "属于行政查询事项",
            ],
            1,
        )
    ],  # fmt: skip
    *[
        ("(四)无法提供", f"{i}.{t}")
        for i, t in enumerate(["本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"], 1)
    ],  # fmt: skip
    *[
        ("(五)不予处理", f"{i}.{t}")
        for i, t in enumerate(
            [
                "信访举报投诉类申请",
                "重复申请",
                "要求提供公开出版物",
                "无正当理由大量反复申请",
                "要求行政机关确认或重新出具已获取信息",
            ],
            1,
        )
    ],  # fmt: skip
    *[
        ("(六)其他处理", f"{i}.{t}")
        for i, t in enumerate(
            [
                "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                "其他",
            ],
            1,
        )
    ],  # fmt: skip
    ("(七)总计", None),
    (None, "四、结转下年度继续办理"),
]


def _merge(table: Any, top: int, left: int, bottom: int, right: int, text: str) -> None:
    cell = (
        table.cell(top, left).merge(table.cell(bottom, right))
        if (top, left) != (bottom, right)
        else table.cell(top, left)
    )
    cell.text = text


def _applications_table(document: Any) -> None:
    table = document.add_table(rows=3 + len(APP_LABELS), cols=10)
    _merge(table, 0, 0, 2, 2, "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)")
    _merge(table, 0, 3, 0, 9, "申请人情况")
    _merge(table, 1, 3, 2, 3, "自然人")
    _merge(table, 1, 4, 1, 8, "法人或其他组织")
    _merge(table, 1, 9, 2, 9, "总计")
    for c, text in enumerate(["商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他"], start=4):
        table.cell(2, c).text = text
    first = 3
    _merge(table, first + 2, 0, first + len(APP_LABELS) - 2, 0, "三、本年度办理结果")
    group_start: dict[str, int] = {}
    for i, (group, label) in enumerate(APP_LABELS):
        r = first + i
        if group is None:
            _merge(table, r, 0, r, 2, label or "")
        elif label is None:
            _merge(table, r, 1, r, 2, group)
        else:
            group_start.setdefault(group, r)
            table.cell(r, 2).text = label
        for c, value in enumerate(APPLICATIONS[APP_ROWS_2021[i]], start=3):
            table.cell(r, c).text = str(value)
    for group, start in group_start.items():
        end = max(first + i for i, (g, _) in enumerate(APP_LABELS) if g == group)
        _merge(table, start, 1, end, 1, group)


def _review_table(document: Any) -> None:
    table = document.add_table(rows=4, cols=15)
    _merge(table, 0, 0, 0, 4, "行政复议")
    _merge(table, 0, 5, 0, 14, "行政诉讼")
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    for c, text in enumerate(outcomes):
        _merge(table, 1, c, 2, c, text)
    _merge(table, 1, 5, 1, 9, "未经复议直接起诉")
    _merge(table, 1, 10, 1, 14, "复议后起诉")
    for c in range(5, 15):
        table.cell(2, c).text = outcomes[(c - 5) % 5]
    for c, value in enumerate(REVIEW):
        table.cell(3, c).text = str(value)


def _article20_table(document: Any) -> None:
    a = ARTICLE20
    rows: list[tuple[str, list[str]]] = [
        ("第二十条第(一)项", []),
        ("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"]),
        ("规章", [str(v) for v in a["regulations"].values()]),
        ("行政规范性文件", [str(v) for v in a["normative_documents"].values()]),
        ("第二十条第(五)项", []),
        ("信息内容", ["本年处理决定数量"]),
        ("行政许可", [str(a["licensing"]["decisions"])]),
        ("第二十条第(六)项", []),
        ("信息内容", ["本年处理决定数量"]),
        ("行政处罚", [str(a["penalty"]["decisions"])]),
        ("行政强制", [str(a["coercion"]["decisions"])]),
        ("第二十条第(八)项", []),
        ("信息内容", ["本年收费金额(单位:万元)"]),
        ("行政事业性收费", [str(a["fees"]["amount_10k_yuan"])]),
    ]
    table = document.add_table(rows=len(rows), cols=4)
    for r, (label, values) in enumerate(rows):
        if not values:
            _merge(table, r, 0, r, 3, label)
        elif len(values) == 1:
            table.cell(r, 0).text = label
            _merge(table, r, 1, r, 3, values[0])
        else:
            table.cell(r, 0).text = label
            for c, value in enumerate(values, start=1):
                table.cell(r, c).text = value


def build_report() -> bytes:
    document = docx.Document()
    document.add_paragraph("某某县人民政府2021年政府信息公开工作年度报告")
    document.add_paragraph("本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。")
    document.add_paragraph("一、总体情况")
    document.add_paragraph("2021年，我县坚持以公开为常态、不公开为例外。")
    document.add_paragraph("二、主动公开政府信息情况")
    _article20_table(document)
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    _applications_table(document)
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    _review_table(document)
    document.add_paragraph("五、存在的主要问题及改进情况")
    document.add_paragraph("一是公开内容还不够全面。")
    document.add_paragraph("六、其他需要报告的事项")
    document.add_paragraph("本年度未收取信息处理费。")
    document.add_paragraph("某某县人民政府办公室")
    document.add_paragraph("2022年1月20日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("docx") / "report.bin"  # the type is sniffed, not read off the name
    path.write_bytes(build_report())
    [doc] = audit_json(run_audit([str(path)]))["documents"]
    return dict(doc)


def test_docx_is_sniffed_by_content() -> None:
    assert sniff(build_report()) == "application/zip"
    assert read_bytes(build_report(), Path("x.txt").name).error is None


def test_docx_metadata(extracted: dict[str, Any]) -> None:
    assert extracted["kind"] == "annual_report"
    assert (extracted["year"], extracted["format"]) == (2021, "2021")
    assert extracted["period"] == {"start": "2021-01-01", "end": "2021-12-31"}


def test_docx_tables_equal_the_data_they_were_built_from(extracted: dict[str, Any]) -> None:
    tables = extracted["tables"]
    expected_apps = {row: dict(zip(APP_COLUMNS, values, strict=True)) for row, values in APPLICATIONS.items()}
    assert tables["applications"] == expected_apps
    expected_review = {
        g: dict(zip(RL_OUTCOMES, REVIEW[i * 5 : i * 5 + 5], strict=True)) for i, g in enumerate(RL_GROUPS)
    }
    assert tables["review_litigation"] == expected_review
    assert tables["article20"] == ARTICLE20


def test_merged_cells_are_rendered_once_where_they_start() -> None:
    source = read_bytes(build_report(), "report.docx")
    rows = [line for line in source.original if "|" in line]
    assert sum("三、本年度办理结果" in line for line in rows) == 1
    assert sum("(三)不予公开" in line for line in rows) == 1
    assert any(line.startswith("2.其他法律行政法规禁止公开 | ") for line in rows)


def test_damaged_and_foreign_zip_containers_are_findings_not_crashes() -> None:
    data = build_report()
    for damaged in (data[: len(data) // 2], data[:100], b"PK\x03\x04" + b"\x00" * 200):
        source = read_bytes(damaged, "cut.docx")
        assert source.error and source.lines == []
