"""audit.json against contract.md §2, end to end: every kind of table cell in every table comes out
exactly as printed (a number, `null` for a blank — never 0 —, the literal of a placeholder), the run
counts equal the lists they count, the document is strict JSON, and a waiver holds through its
`expires` day.

The reports are generated text in the two layouts of the bundled samples (one table row per line as in
audit/samples/002, one cell per line as in audit/samples/001) and audited by the real command
(`xxgk-audit run`); the audit.json it writes is read back with a parser that refuses NaN and Infinity.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from audit.cli import main
from audit.gate import apply_gate, expired, gate_fails, load_waivers
from audit.model import APP_COLUMNS, APP_ROW_ZH, APP_ROWS_2019, APP_ROWS_2021, RL_GROUPS, RL_OUTCOMES

# The cell kinds as printed → their audit.json value (contract.md §2 "Table cells"), written out here
# rather than derived from audit.extract.cells so that the test does not share the code's mistakes.
BLANK = ""
CELLS: dict[str, Any] = {
    "0": 0,
    "7": 7,
    "215": 215,
    "1,234": 1234,
    BLANK: None,
    "/": "/",
    "-": "-",
    "—": "—",
    "无": "无",
}
ROTATION = list(CELLS)  # counts and placeholders, in turn, so that every table holds every kind
MONEY_10K = {"11609.06": 11609.06, "0.5": 0.5}  # 本年收费金额 (万元): decimals stay decimals
SIGNED = {"+43": 43, "-13": -13}  # 本年增/减


def strict_json(text: str) -> Any:
    """json.loads refusing the NaN / Infinity that Python's json writes by default."""

    def refuse(constant: str) -> Any:
        pytest.fail(f"not strict JSON: it holds {constant}")

    return json.loads(text, parse_constant=refuse)


def mismatches(expected: Any, actual: Any, path: str = "") -> Iterator[str]:
    """Where two JSON values differ, types included (0 is not 0.0, not False)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected.keys() | actual.keys():
            if key not in actual:
                yield f"{path}/{key}: missing (expected {expected[key]!r})"
            elif key not in expected:
                yield f"{path}/{key}: unexpected {actual[key]!r}"
            else:
                yield from mismatches(expected[key], actual[key], f"{path}/{key}")
    elif type(expected) is not type(actual) or expected != actual:
        yield f"{path}: expected {expected!r}, got {actual!r}"


# -- report text -----------------------------------------------------------------------------


class Table:
    """Header and data rows of a table as text, in one of two layouts."""

    def __init__(self, layout: str) -> None:
        self.layout = layout
        self.lines: list[str] = []

    def caption(self, *cells: str) -> None:
        """Header cells (captions, column heads), each ending the header row."""
        if self.layout == "rows":
            self.lines.append(" | ".join(cells) + " | ||")
        else:
            self.lines.extend(f"{c} |" for c in cells)
            self.lines.append("|||")

    def row(self, label: str, cells: list[str]) -> None:
        """A data row. A blank cell is printed empty: `|   |` in a row line, a lone `|` line per cell."""
        if self.layout == "rows":
            printed = [c if c else "  " for c in cells]
            self.lines.append(" | ".join([label, *printed]) if label else " | ".join(printed))
            self.lines[-1] += " |"
        else:
            if label:
                self.lines.append(f"{label} |")
            self.lines.extend(f"{c} |" if c else "|" for c in cells)
            self.lines.append("||||")


def _kinds(start: int) -> Iterator[str]:
    i = start
    while True:
        yield ROTATION[i % len(ROTATION)]
        i += 1


def applications(layout: str, fmt: str, start: int) -> tuple[list[str], dict[str, Any]]:
    t = Table(layout)
    t.caption("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况")
    t.caption("自然人", "法人或其他组织", "总计")
    t.caption("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
    kinds = _kinds(start)
    expected: dict[str, Any] = {}
    for key in APP_ROWS_2021 if fmt == "2021" else APP_ROWS_2019:
        cells = [next(kinds) for _ in APP_COLUMNS]
        t.row(APP_ROW_ZH[key], cells)
        expected[key] = {c: CELLS[v] for c, v in zip(APP_COLUMNS, cells, strict=True)}
    return t.lines, expected


def review_litigation(layout: str, start: int) -> tuple[list[str], dict[str, Any]]:
    t = Table(layout)
    t.caption("行政复议", "行政诉讼")
    t.caption("结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉")
    t.caption(*["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)
    kinds = _kinds(start)
    cells = [next(kinds) for _ in range(15)]
    assert cells[0] != BLANK  # a leading blank reads as the empty corner of the header
    t.row("", cells)
    values = iter(cells)
    return t.lines, {g: {o: CELLS[next(values)] for o in RL_OUTCOMES} for g in RL_GROUPS}


def article20_2021(layout: str) -> tuple[list[str], dict[str, Any]]:
    t = Table(layout)
    t.caption("第二十条第(一)项")
    t.caption("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")
    t.row("规章", ["0", "7", BLANK])
    t.row("行政规范性文件", ["/", "-", "—"])
    t.caption("第二十条第(五)项")
    t.caption("信息内容", "本年处理决定数量")
    t.row("行政许可", ["无"])
    t.caption("第二十条第(六)项")
    t.caption("信息内容", "本年处理决定数量")
    t.row("行政处罚", ["1,234"])
    t.row("行政强制", [BLANK])
    t.caption("第二十条第(八)项")
    t.caption("信息内容", "本年收费金额(单位:万元)")
    fee = "11609.06" if layout == "rows" else "0.5"
    t.row("行政事业性收费", [fee])
    return t.lines, {
        "regulations": {"issued": 0, "repealed": 7, "in_force": None},
        "normative_documents": {"issued": "/", "repealed": "-", "in_force": "—"},
        "licensing": {"decisions": "无"},
        "penalty": {"decisions": 1234},
        "coercion": {"decisions": None},
        "fees": {"amount_10k_yuan": MONEY_10K[fee]},
    }


def article20_2019(layout: str) -> tuple[list[str], dict[str, Any]]:
    t = Table(layout)
    t.caption("第二十条第(一)项")
    t.caption("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量")
    t.row("规章", ["0", BLANK, "/"])
    t.row("规范性文件", ["7", "—", "215"])
    t.caption("第二十条第(五)项")
    t.caption("信息内容", "上一年项目数量", "本年增/减", "处理决定数量")
    t.row("行政许可", ["185", "+43", "1,234"])
    t.row("其他对外管理服务事项", ["无", "-", BLANK])
    t.caption("第二十条第(六)项")
    t.caption("信息内容", "上一年项目数量", "本年增/减", "处理决定数量")
    t.row("行政处罚", ["51", "-13", "0"])
    t.row("行政强制", ["-", "/", "—"])
    t.caption("第二十条第(八)项")
    t.caption("信息内容", "上一年项目数量", "本年增/减")
    t.row("行政事业性收费", [BLANK, "无"])
    t.caption("第二十条第(九)项")
    t.caption("信息内容", "采购项目数量", "采购总金额")
    amount, yuan = ("27.5951亿元", 2759510000) if layout == "rows" else ("104150元", 104150)
    t.row("政府集中采购", ["9253", amount])
    return t.lines, {
        "regulations": {"new_made": 0, "new_published": None, "total_published": "/"},
        "normative_documents": {"new_made": 7, "new_published": "—", "total_published": 215},
        "licensing": {"prior_count": 185, "change": SIGNED["+43"], "decisions": 1234},
        "other_services": {"prior_count": "无", "change": "-", "decisions": None},
        "penalty": {"prior_count": 51, "change": SIGNED["-13"], "decisions": 0},
        "coercion": {"prior_count": "-", "change": "/", "decisions": "—"},
        "fees": {"prior_count": None, "change": "无"},
        "procurement": {"items": 9253, "amount": amount, "amount_yuan": yuan},
    }


def report(
    agency: str, year: int, fmt: str, layout: str, *, period: bool = True, omit: str = ""
) -> tuple[str, dict[str, Any]]:
    """A six-part annual report holding the three tables (but `omit`); (text, expected `tables`)."""
    start = len(agency)  # a different rotation per report
    a20, a20_expected = article20_2021(layout) if fmt == "2021" else article20_2019(layout)
    app, app_expected = applications(layout, fmt, start)
    rl, rl_expected = review_litigation(layout, start + 3)
    tables = {"article20": a20_expected, "applications": app_expected, "review_litigation": rl_expected}
    printed = {"article20": a20, "applications": app, "review_litigation": rl}
    if omit:
        del tables[omit]
        printed[omit] = []
    lines = [
        f"{agency}{year}年政府信息公开工作年度报告",
        f"本报告由{agency}办公室编制。"
        + (f"本报告中所列数据的统计期限为{year}年1月1日至{year}年12月31日。" if period else ""),
        "一、总体情况",
        f"{year}年,本机关认真贯彻《中华人民共和国政府信息公开条例》,做好政府信息公开工作。",
        "二、主动公开政府信息情况",
        *printed["article20"],
        "三、收到和处理政府信息公开申请情况",
        *printed["applications"],
        "四、政府信息公开行政复议、行政诉讼情况",
        *printed["review_litigation"],
        # the official title ends in 改进情况: this common variant is structure.nonstandard_outline (info)
        "五、存在的主要问题及改进措施" if omit else "五、存在的主要问题及改进情况",
        "公开内容还不够全面,将进一步加强。",
        "六、其他需要报告的事项",
        "本机关无其他需要报告的事项。",
        agency,
        f"{year + 1}年1月20日",
    ]
    return "\n".join(lines) + "\n", tables


REPORTS = {  # file name → (agency, year, format, layout, table left out)
    "a2021_rows.txt": ("甲市乙区人民政府", 2022, "2021", "rows", ""),
    "a2021_cells.txt": ("丙县人民政府办公室", 2021, "2021", "cells", ""),
    "a2019_rows.txt": ("丁市戊区人民政府", 2020, "2019", "rows", ""),
    "a2019_cells.txt": ("己县人民政府", 2019, "2019", "cells", ""),
    # no 行政复议 table under its heading: structure.missing_table (warning)
    "partial.txt": ("辛县交通运输局", 2022, "2021", "cells", "review_litigation"),
}


def write_reports(folder: Path) -> dict[str, dict[str, Any]]:
    """The REPORTS in `folder`; file name → expected `tables` of audit.json."""
    expected = {}
    for name, (agency, year, fmt, layout, omit) in REPORTS.items():
        text, expected[name] = report(agency, year, fmt, layout, omit=omit)
        (folder / name).write_text(text, encoding="utf-8")
    return expected


def audit_run(folder: Path, out: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """`xxgk-audit run FOLDER --out OUT ARGS`: (exit code, audit.json, output); audit.json and the JSON
    twin of every page are read with the strict parser."""
    result = CliRunner().invoke(main, ["run", str(folder), "--out", str(out), "--no-db", *args])
    assert result.exit_code in (0, 1), result.output
    twins = [p for p in out.glob("*.json") if p.name != "audit.json"]
    assert twins
    for twin in twins:
        strict_json(twin.read_text(encoding="utf-8"))
    return result.exit_code, strict_json((out / "audit.json").read_text(encoding="utf-8")), result.output


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any], int]:
    """One run over the generated reports and an empty file (an unreadable input: a run-level error):
    (audit.json, expected tables per file, number of input files)."""
    folder = tmp_path_factory.mktemp("contract-in")
    expected = write_reports(folder)
    (folder / "empty.txt").write_bytes(b"")
    _, doc, _ = audit_run(folder, tmp_path_factory.mktemp("contract-out"), "--fail-on", "never")
    return doc, expected, len(REPORTS) + 1


def _report_document(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found = [d for d in doc["documents"] if Path(d["source"]).name == name and d["kind"] == "annual_report"]
    assert len(found) == 1, [(d["id"], d["kind"]) for d in doc["documents"]]
    return found[0]


# -- table cells -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(REPORTS))
@pytest.mark.parametrize("table", ["applications", "review_litigation", "article20"])
def test_every_cell_kind_is_printed_exactly(run: Any, name: str, table: str) -> None:
    doc, expected, _ = run
    document = _report_document(doc, name)
    assert document["format"] == REPORTS[name][2]
    if table not in expected[name]:  # not printed: absent, not an empty object (contract.md §2)
        assert table not in document["tables"]
        return
    assert table in document["tables"], f"{name}: no {table} table read"
    wrong = list(mismatches(expected[name][table], document["tables"][table]))
    assert not wrong, f"{name} {table}: " + "; ".join(wrong[:12])


def test_the_generated_tables_hold_every_kind_in_every_table() -> None:
    """The check above can only fail on a kind that is there: every table holds a 0, a positive count,
    a blank and each placeholder literal; 第二十条 a decimal money amount or the procurement literal."""
    for agency, year, fmt, layout, _ in REPORTS.values():
        tables = report(agency, year, fmt, layout)[1]
        for name, table in tables.items():
            values = [v for row in table.values() for v in row.values()]
            present = {json.dumps(v, ensure_ascii=False) for v in values}
            required = {"0", "null", '"/"', '"-"', '"—"', '"无"'}
            assert required <= present, (fmt, layout, name, required - present)
            assert any(type(v) is int and v > 0 for v in values), (fmt, layout, name)
        a20 = [v for row in tables["article20"].values() for v in row.values()]
        if fmt == "2021":
            assert any(isinstance(v, float) for v in a20)
        else:
            assert any(isinstance(v, str) and v.endswith("元") for v in a20)


def test_blank_cells_are_null_and_never_zero(run: Any) -> None:
    """The contract's central promise, spelled out: a cell printed empty is null in audit.json."""
    doc, expected, _ = run
    for name in REPORTS:
        tables = _report_document(doc, name)["tables"]
        blanks = [
            (table, row, column)
            for table, rows in expected[name].items()
            for row, cells in rows.items()
            for column, value in cells.items()
            if value is None
        ]
        assert len(blanks) >= 5
        shown = {(t, r, c): tables[t][r][c] for t, r, c in blanks}
        assert all(v is None for v in shown.values()), {k: v for k, v in shown.items() if v is not None}


AMOUNTS_YUAN = {"0.07亿元": 7000000, "1.09亿元": 109000000, "0.57万元": 5700}


def test_procurement_amount_in_yuan_is_exact(tmp_path: Path) -> None:
    """`amount_yuan` is the printed amount in whole yuan, not the float product of amount and unit
    (about one 亿元 amount in seven with two decimals comes out as 7000000.000000001)."""
    text, _ = report("庚县人民政府", 2020, "2019", "rows")
    (tmp_path / "in").mkdir()
    for i, amount in enumerate(AMOUNTS_YUAN):
        (tmp_path / "in" / f"r{i}.txt").write_text(text.replace("27.5951亿元", amount), encoding="utf-8")
    _, doc, _ = audit_run(tmp_path / "in", tmp_path / "out", "--fail-on", "never")
    wrong = []
    for i, (amount, yuan) in enumerate(AMOUNTS_YUAN.items()):
        procurement = _report_document(doc, f"r{i}.txt")["tables"]["article20"]["procurement"]
        wrong += mismatches({"items": 9253, "amount": amount, "amount_yuan": yuan}, procurement)
    assert not wrong


# -- run counts ------------------------------------------------------------------------------


def test_run_counts_equal_the_lists(run: Any) -> None:
    doc, _, files = run
    counts = doc["run"]
    by_severity = Counter(f["severity"] for f in doc["findings"])
    assert counts["findings"] == {s: by_severity.get(s, 0) for s in ("error", "warning", "info")}
    # the fixture reaches every severity, so a count stuck at 0 cannot pass
    assert all(by_severity[s] > 0 for s in ("error", "warning", "info")), by_severity
    assert counts["not_assessable"] == len(doc["not_assessable"]) > 0
    assert counts["inputs"] == len(doc["inputs"]) == files
    assert counts["documents"] == len(doc["documents"]) == sum(i["documents"] for i in doc["inputs"])
    assert {Path(d["source"]).name for d in doc["documents"]} == set(REPORTS)


def test_placeholders_and_blanks_make_rules_not_assessable(run: Any) -> None:
    """Every generated report has a placeholder or a blank in each identity's operands: the rules
    report them as not assessable, per document, rather than passing or failing them."""
    doc, _, _ = run
    ids = {_report_document(doc, name)["id"] for name in REPORTS}
    undecided = Counter(entry.get("document") for entry in doc["not_assessable"])
    assert all(undecided[i] > 0 for i in ids), undecided


# -- strict JSON -----------------------------------------------------------------------------


def test_period_of_a_report_without_one_is_null_beside_one_with_it(tmp_path: Path) -> None:
    """A report stating its 统计期限 and one that does not, in one run: the second's period is null
    (not {"start": NaN, ...}, which is not JSON)."""
    folder = tmp_path / "in"
    folder.mkdir()
    with_period, _ = report("甲市乙区人民政府", 2022, "2021", "rows")
    without, _ = report("丙县人民政府办公室", 2022, "2021", "rows", period=False)
    (folder / "with.txt").write_text(with_period, encoding="utf-8")
    (folder / "without.txt").write_text(without, encoding="utf-8")
    checked = CliRunner().invoke(main, ["check", str(folder), "--json", "--no-db", "--fail-on", "never"])
    strict_json(checked.stdout)
    _, doc, _ = audit_run(folder, tmp_path / "out", "--fail-on", "never")
    assert _report_document(doc, "with.txt")["period"] == {"start": "2022-01-01", "end": "2022-12-31"}
    assert _report_document(doc, "without.txt")["period"] is None


def test_strict_parser_refuses_nan() -> None:
    with pytest.raises(pytest.fail.Exception):
        strict_json('{"period": {"start": NaN}}')


# -- waivers ---------------------------------------------------------------------------------

EXPIRES = dt.date(2026, 12, 31)


def _findings(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"id": list(ids), "severity": ["error"] * len(ids), "rule": ["r"] * len(ids)})


def _waiver_file(tmp_path: Path, ids: list[str], expires: dt.date) -> Path:
    path = tmp_path / "waivers.yaml"
    entries = [{"id": i, "reason": "已核实", "reviewer": "张三", "expires": expires} for i in ids]
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("today", "holds"),
    [(dt.date(2026, 12, 30), True), (EXPIRES, True), (dt.date(2027, 1, 1), False)],
    ids=["day-before", "expiry-day", "day-after"],
)
def test_waiver_holds_through_its_expiry_day(tmp_path: Path, today: dt.date, holds: bool) -> None:
    """README: a waiver silences a finding "until it expires"; `expires: 2026-12-31` is the last day it
    holds (the YAML date as a reviewer writes it, read by load_waivers)."""
    waivers = load_waivers(_waiver_file(tmp_path, ["f1"], EXPIRES))
    gated = apply_gate(_findings("f1", "f2"), waivers=waivers, today=today)
    waived = dict(zip(gated["id"], gated["waived"], strict=True))
    assert waived["f2"] is None
    if holds:
        assert waived["f1"] == {"reason": "已核实", "reviewer": "张三", "expires": "2026-12-31"}
        assert expired(waivers, today) == []
        assert not gate_fails(apply_gate(_findings("f1"), waivers=waivers, today=today), "error")
    else:
        assert waived["f1"] is None
        assert [w["id"] for w in expired(waivers, today)] == ["f1"]
        assert gate_fails(apply_gate(_findings("f1"), waivers=waivers, today=today), "error")


def test_waiver_expiring_today_holds_and_yesterdays_does_not_on_the_command_line(tmp_path: Path) -> None:
    """The same boundary through `xxgk-audit run --waivers`, on today's clock."""
    folder = tmp_path / "in"
    folder.mkdir()
    text, _ = report("甲市乙区人民政府", 2022, "2021", "rows")
    (folder / "r.txt").write_text(text, encoding="utf-8")
    code, doc, _ = audit_run(folder, tmp_path / "o1")
    errors = [f["id"] for f in doc["findings"] if f["severity"] == "error"]
    assert code == 1 and errors
    today = dt.date.today()

    def run_with(expires: dt.date, out: str) -> tuple[int, dict[str, Any], str]:
        return audit_run(folder, tmp_path / out, "--waivers", str(_waiver_file(tmp_path, errors, expires)))

    code, doc, _ = run_with(today, "o2")
    assert code == 0
    assert all(f.get("waived", {}).get("expires") == today.isoformat() for f in doc["findings"] if f["id"] in errors)
    code, doc, output = run_with(today - dt.timedelta(days=1), "o3")
    assert code == 1 and "expired" in output
    assert not any("waived" in f for f in doc["findings"])
