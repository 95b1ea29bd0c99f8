"""The table reader on every text shape of domain.md §10 (items 1–7, 10–13), generated from one
hand-checked table, plus the cases where it must refuse to guess."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.extract.cells import parse_cell
from audit.extract.table_cells import TablesResult, read_tables
from audit.model import APP_COLUMNS, RL_GROUPS, RL_OUTCOMES

# 济南市历下区 2022 (truth.yaml, 002 ordinal 2), as printed.
APP_2022: dict[str, list[Any]] = {
    "new_received": [209, 6, 0, 0, 0, 0, 215],
    "carried_over": [12, 0, 0, 0, 0, 0, 12],
    "granted": [137, 0, 0, 0, 0, 0, 137],
    "partially_granted": [20, 0, 0, 0, 0, 0, 20],
    "denied.state_secret": [0] * 7,
    "denied.prohibited_by_law": [0] * 7,
    "denied.safety_stability": [0] * 7,
    "denied.third_party": [3, 0, 0, 0, 0, 0, 3],
    "denied.internal_affairs": [2, 0, 0, 0, 0, 0, 2],
    "denied.process_info": [10, 0, 0, 0, 0, 0, 10],
    "denied.enforcement_file": [0] * 7,
    "denied.administrative_query": [0] * 7,
    "unavailable.not_held": [42, 1, 0, 0, 0, 0, 43],
    "unavailable.needs_creation": [0, 1, 0, 0, 0, 0, 1],
    "unavailable.unclear": [0] * 7,
    "not_processed.petition": [0] * 7,
    "not_processed.duplicate": [0] * 7,
    "not_processed.publication": [0] * 7,
    "not_processed.excessive": [0] * 7,
    "not_processed.confirmation": [0] * 7,
    "other.no_correction": [0] * 7,
    "other.unpaid_fee": [0] * 7,
    "other.other": [3, 0, 0, 0, 0, 0, 3],
    "results_total": [217, 2, 0, 0, 0, 0, 219],
    "carried_forward": [4, 4, 0, 0, 0, 0, 8],
}
REVIEW_2022 = [1, 0, 0, 2, 3, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1]

# Printed labels: (group label printed on the first row of its group, row label).
LABELS = {
    "new_received": (None, "一、本年新收政府信息公开申请数量"),
    "carried_over": (None, "二、上年结转政府信息公开申请数量"),
    "granted": ("三、本年度办理结果", "(一)予以公开"),
    "partially_granted": (None, "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
    "denied.state_secret": ("(三)不予公开", "1.属于国家秘密"),
    "denied.prohibited_by_law": (None, "2.其他法律行政法规禁止公开"),
    "denied.safety_stability": (None, "3.危及“三安全一稳定”"),
    "denied.third_party": (None, "4.保护第三方合法权益"),
    "denied.internal_affairs": (None, "5.属于三类内部事务信息"),
    "denied.process_info": (None, "6.属于四类过程性信息"),
    "denied.enforcement_file": (None, "7.属于行政执法案卷"),
    "denied.administrative_query": (None, "8.属于行政查询事项"),
    "unavailable.not_held": ("(四)无法提供", "1.本机关不掌握相关政府信息"),
    "unavailable.needs_creation": (None, "2.没有现成信息需要另行制作"),
    "unavailable.unclear": (None, "3.补正后申请内容仍不明确"),
    "not_processed.petition": ("(五)不予处理", "1.信访举报投诉类申请"),
    "not_processed.duplicate": (None, "2.重复申请"),
    "not_processed.publication": (None, "3.要求提供公开出版物"),
    "not_processed.excessive": (None, "4.无正当理由大量反复申请"),
    "not_processed.confirmation": (None, "5.要求行政机关确认或重新 出具已获取信息"),
    "other.no_correction": ("(六)其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    "other.unpaid_fee": (None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    "other.other": (None, "3.其他"),
    "results_total": (None, "(七)总计"),
    "carried_forward": (None, "四、结转下年度继续办理"),
}
HEADER_CELLS = [
    "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
    "申请人情况",
    "自然人",
    "法人或其他组织",
    "总计",
]
SUB_HEADERS = ["商业 企业", "科研 机构", "社会公益组织", "法律服务机构", "其他"]
RL_HEADERS = [
    "行政复议",
    "行政诉讼",
    "结果维持",
    "结果 纠正",
    "其他 结果",
    "尚未 审结",
    "总计",
    "未经复议直接起诉",
    "复议后起诉",
]
RL_HEADERS += ["结果 维持", "结果 纠正", "其他 结果", "尚未 审结", "总计"] * 2


def _fmt(v: Any) -> str:
    return "" if v is None else str(v)


def render(shape: str, app: dict[str, list[Any]] | None = None, review: list[Any] | None = None) -> list[str]:
    """The table as a scraper of the given shape would print it."""
    app = app or APP_2022
    review = review or REVIEW_2022
    lines = ["三、收到和处理政府信息公开申请情况"]
    rows = [([g] if g else []) + [label] for g, label in (LABELS[k] for k in app)]
    cells = [(r, [_fmt(v) for v in app[k]]) for r, k in zip(rows, app, strict=True)]
    if shape == "pipe":  # item 1: one line per row, trailing colspan padding
        lines += [" | ".join(HEADER_CELLS[:2]) + " | ||||||||", " | ".join(HEADER_CELLS[2:]) + " | |||||||"]
        lines += [" | ".join(SUB_HEADERS) + " | |||||"]
        lines += [" | ".join(label + vals) + " | ||" for label, vals in cells]
        lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 | 行政诉讼 | |||||||||||||"]
        lines += [" | ".join(RL_HEADERS[2:]) + " |", " | ".join(_fmt(v) for v in review) + " |"]
    elif shape == "markdown":  # item 2: leading pipe
        lines += ["| " + " | ".join(HEADER_CELLS) + " |", "| " + " | ".join(SUB_HEADERS) + " |"]
        lines += ["| " + " | ".join(label + vals) + " |" for label, vals in cells]
        lines += ["| " + " | ".join(RL_HEADERS) + " |", "| " + " | ".join(_fmt(v) for v in review) + " |"]
    elif shape == "cell_per_line":  # item 3: each cell then " |"; a lone | is a blank cell
        lines += [f"{c} |" for c in HEADER_CELLS + SUB_HEADERS] + ["|||||"]
        for label, vals in cells:
            lines += [f"{c} |" for c in label] + [f"{v} |" if v else "|" for v in vals] + ["||"]
        lines += [f"{c} |" for c in RL_HEADERS] + ["|||||"] + [f"{_fmt(v)} |" if v is not None else "|" for v in review]
    elif shape == "blank_lines":  # item 4: no pipes, blank lines between, header words broken
        words = HEADER_CELLS + ["商业", "企业", "科研", "机构", "社会公益组织", "法律服务机构", "其他"]
        for label, vals in cells:
            words += label + vals
        words += RL_HEADERS + [_fmt(v) for v in review]
        for w in words:
            lines += [" " + w, ""]
    elif shape == "pdf_rows":  # item 7: label and its numbers on one line, group labels alone
        lines += HEADER_CELLS + SUB_HEADERS
        for label, vals in cells:
            lines += label[:-1] + [label[-1] + " " + " ".join(vals)]
        lines += [
            "行政复议 行政诉讼",
            "结果 结果 其他 尚未 总",
            "维持 纠正 结果 审结 计",
            " ".join(_fmt(v) for v in review),
        ]
    lines.append("五、存在的主要问题及改进情况")
    return lines


def as_tables(result: TablesResult) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for table, row, column, value, raw, blank, placeholder, _line in result.cells:
        shown = None if blank else (raw if placeholder else value)
        out.setdefault(table, {}).setdefault(row, {})[column] = shown
    return out


def read(lines: list[str], year: int | None = 2022) -> TablesResult:
    normalised = [unicodedata.normalize("NFKC", s) for s in lines]
    return read_tables(list(enumerate(normalised, start=1)), year)


def expected_review(values: list[Any]) -> dict[str, dict[str, Any]]:
    it = iter(values)
    return {g: {o: next(it) for o in RL_OUTCOMES} for g in RL_GROUPS}


@pytest.mark.parametrize("shape", ["pipe", "markdown", "cell_per_line", "blank_lines", "pdf_rows"])
def test_every_shape_reads_the_same_table(shape: str) -> None:
    result = read(render(shape))
    tables = as_tables(result)
    assert tables["applications"] == {k: dict(zip(APP_COLUMNS, v, strict=True)) for k, v in APP_2022.items()}
    assert tables["review_litigation"] == expected_review(REVIEW_2022)
    assert result.shape_applications == "2021"
    assert result.issues == []


def test_cells_keep_their_line_numbers() -> None:
    lines = render("pipe")
    result = read(lines)
    for _table, row, _column, _value, _raw, _blank, _ph, line in result.cells:
        if row == "carried_forward":
            assert "结转下年度" in lines[line - 1]


def test_full_width_labels_and_digits_after_nfkc() -> None:
    lines = [s.replace("(", "（").replace(")", "）").replace(",", "，") for s in render("pipe")]
    lines = [s.replace("209", "２０９") for s in lines]
    assert as_tables(read(lines))["applications"]["new_received"]["natural_person"] == 209


def test_blank_zero_and_placeholders_stay_distinct() -> None:
    app = dict(APP_2022)
    app["denied.state_secret"] = [0, None, "/", "-", "—", 0, None]
    for shape in ("pipe", "cell_per_line"):
        row = as_tables(read(render(shape, app)))["applications"]["denied.state_secret"]
        assert row == dict(zip(APP_COLUMNS, [0, None, "/", "-", "—", 0, None], strict=True)), shape


def test_row_with_fewer_values_is_left_out_and_reported() -> None:
    """S1's shape: a row prints one value and padding; which column it belongs to is unknown."""
    lines = render("cell_per_line")
    at = lines.index("一、本年新收政府信息公开申请数量 |")
    lines[at + 1 : at + 9] = ["0 |", "||||||||"]
    result = read(lines)
    tables = as_tables(result)
    assert "new_received" not in tables["applications"]
    assert [i["code"] for i in result.issues] == ["cells_missing"]
    assert result.issues[0]["rows"] == "new_received"


def test_a_cut_off_table_is_truncated_not_guessed() -> None:
    lines = render("pipe")
    cut = next(i for i, s in enumerate(lines) if s.startswith("8.属于行政查询事项"))
    result = read(lines[:cut])
    codes = {i["table"]: i["code"] for i in result.issues}
    assert codes == {"applications": "truncated"}
    assert "results_total" in result.issues[0]["rows"].split(",")
    assert "denied.enforcement_file" in as_tables(result)["applications"]


def test_flat_other_row_is_the_2019_shape() -> None:
    app = {k: v for k, v in APP_2022.items() if not k.startswith("other.")}
    app = {**{k: app[k] for k in list(app)[:-2]}, "other": [3, 0, 0, 0, 0, 0, 3], **{k: app[k] for k in list(app)[-2:]}}
    labels_2019 = dict(LABELS, other=(None, "(六)其他处理"))
    lines = _render_with(labels_2019, "pipe", app)
    result = read(lines, year=2020)
    assert result.shape_applications == "2019"
    assert as_tables(result)["applications"]["other"]["total"] == 3
    assert result.issues == []


def _render_with(labels: dict[str, tuple[str | None, str]], shape: str, app: dict[str, list[Any]]) -> list[str]:
    saved = dict(LABELS)
    LABELS.clear()
    LABELS.update(labels)
    try:
        return render(shape, app)
    finally:
        LABELS.clear()
        LABELS.update(saved)


def test_review_table_short_of_values_is_incomplete() -> None:
    lines = render("pipe")
    lines[-2] = " | ".join(str(v) for v in REVIEW_2022[:12]) + " |"
    result = read(lines)
    assert "review_litigation" not in as_tables(result)
    assert [i["code"] for i in result.issues] == ["cells_missing"]


ARTICLE20_2019 = """二、主动公开政府信息情况
第二十条第(一)项 | ||||
信息内容 | 本年新制作数量 | 本年新 公开数量 | 对外公开 总数量 | |
规章 | 0 | / | 0 | |
规范性文件 | 26 | 26 | 293 | |
第二十条第(五)项 | ||||
信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 | |
行政许可 | 185 | +43 | 67556 | |
其他对外管理服务事项 | 877 | −228 | 36300 | |
第二十条第(六)项 | ||||
信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 | |
行政处罚 | 2110 | +30 | 1620 | |
行政强制 | 51 | -13 | 10 | |
第二十条第(八)项 | ||||
信息内容 | 上一年项目数量 | 本年增/减 | ||
行政事业性收费 | 11 | 0 | ||
第二十条第(九)项 | ||||
信息内容 | 采购项目数量 | 采购总金额 | ||
政府集中采购 | 9253 | 27.5951亿元 |
三、收到和处理政府信息公开申请情况"""


def test_article20_2019_with_units_signs_and_placeholders() -> None:
    result = read(ARTICLE20_2019.splitlines(), year=2020)
    a20 = as_tables(result)["article20"]
    assert result.shape_article20 == "2019"
    assert a20["regulations"] == {"new_made": 0, "new_published": "/", "total_published": 0}
    assert a20["licensing"]["change"] == 43 and a20["other_services"]["change"] == -228
    assert a20["coercion"]["change"] == -13
    assert a20["procurement"]["amount"] == pytest.approx(27.5951)
    yuan = [c for c in result.cells if c[2] == "amount_yuan"][0]
    assert yuan[3] == pytest.approx(2759510000) and yuan[4] == "27.5951亿元"
    assert result.issues == []


def test_article20_2021_one_cell_per_line_two_values_share_a_line() -> None:
    text = """第二十条第(一)项

信息内容

本年制发件数

本年废止件数

现行有效件数

规章

0

0

0

行政规范性文件

3 3

10

第二十条第(五)项

信息内容

本年处理决定数量

行政许可

71866

第二十条第(六)项

信息内容

本年处理决定数量

行政处罚

1451

行政强制

43

第二十条第(八)项

信息内容

本年收费金额(单位:万元)

行政事业性收费

11609.06

三、收到和处理政府信息公开申请情况"""
    result = read(text.splitlines())
    a20 = as_tables(result)["article20"]
    assert result.shape_article20 == "2021"
    assert a20["normative_documents"] == {"issued": 3, "repealed": 3, "in_force": 10}
    assert a20["fees"] == {"amount_10k_yuan": 11609.06}
    assert result.issues == []


def test_an_unknown_row_with_values_is_reported_not_merged() -> None:
    """Hubei 2020 adds 「其他主动公开文件」 under 第二十条第(一)项: keep its numbers out of 规范性文件."""
    lines = ARTICLE20_2019.splitlines()
    lines.insert(5, "其他主动公开文件 | 5 | 5 | 40 | |")
    result = read(lines, year=2020)
    assert as_tables(result)["article20"]["normative_documents"]["total_published"] == 293
    assert [i["code"] for i in result.issues] == ["ambiguous_row"]


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_parse_cell_reads_any_integer(n: int) -> None:
    text = f"+{n}" if n > 0 else str(n)
    cv = parse_cell(text)
    assert cv is not None and cv.value == n and not cv.blank and not cv.placeholder


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_cell_reads_thousands_separators(n: int) -> None:
    cv = parse_cell(f"{n:,}")
    assert cv is not None and cv.value == n


@given(st.decimals(min_value=0, max_value=10**6, places=2), st.sampled_from(["元", "万元", "亿元"]))
def test_parse_cell_money_units(amount: Any, unit: str) -> None:
    cv = parse_cell(f"{amount}{unit}")
    factor = {"元": 1, "万元": 1e4, "亿元": 1e8}[unit]
    assert cv is not None and cv.unit == unit
    assert cv.yuan == pytest.approx(float(amount) * factor)


@given(st.text(max_size=40))
def test_parse_cell_never_raises(text: str) -> None:
    cv = parse_cell(text)
    assert cv is None or cv.blank or cv.placeholder or cv.value is not None


@given(
    st.lists(
        st.text(alphabet="0123456789|/- 一二三四五六七八九十、()项第条总计其他行政复议规章\n", max_size=30), max_size=60
    )
)
def test_reader_never_raises_on_table_like_noise(lines: list[str]) -> None:
    read(lines)


def test_review_table_without_its_first_header_cell() -> None:
    lines = ["四、政府信息公开行政复议、行政诉讼情况", "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |"]
    lines += [" | ".join(str(v) for v in REVIEW_2022) + " |", "五、存在的主要问题及改进情况"]
    assert as_tables(read(lines))["review_litigation"] == expected_review(REVIEW_2022)


def test_article20_sub_tables_without_captions() -> None:
    lines = [s for s in ARTICLE20_2019.splitlines() if not s.startswith("第二十条")]
    result = read(lines, year=2020)
    a20 = as_tables(result)["article20"]
    assert a20["penalty"] == {"prior_count": 2110, "change": 30, "decisions": 1620}
    assert a20["fees"] == {"prior_count": 11, "change": 0}
    assert result.shape_article20 == "2019" and result.issues == []


def test_narrative_lines_that_read_like_labels_make_no_table() -> None:
    lines = [
        "(二)依申请公开情况",
        "(一)予以公开",
        "本年度共收到申请10件,其中予以公开5件。",
        "行政复议情况",
        "全年无行政复议案件。",
    ]
    lines += ["第二十条第(一)项", "本年未制发规范性文件。"]
    result = read(lines)
    assert result.cells == [] and result.issues == []
