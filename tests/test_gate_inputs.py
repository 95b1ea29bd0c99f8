"""Gate inputs (issue 11, item 10): configuration, waivers and baselines are checked against a
schema; every mistake is a usage error (exit 2) naming the file and the entry, never an internal
error, never silently ignored."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import main
from audit.gate import GateError, load_baseline, load_config, load_waivers

SAMPLE = Path(__file__).resolve().parents[1] / "audit" / "samples" / "004_35efe59cd959ef3f.txt"
RULES = {"structure.nonstandard_outline", "dates.late_publication", "applications.column_balance"}
TODAY = dt.date(2026, 12, 4)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_readme_example_with_a_bare_off_is_read(tmp_path: Path) -> None:
    config = write(
        tmp_path, "c.yaml", "severity: {dates.late_publication: error, structure.nonstandard_outline: off}\n"
    )
    assert load_config(config, RULES) == {"dates.late_publication": "error", "structure.nonstandard_outline": "off"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("severty: {dates.late_publication: off}\n", "severty: unknown key (did you mean 'severity'?)"),
        (
            "severity: {dates.late_publicaton: off}\n",
            "'dates.late_publicaton' (did you mean 'dates.late_publication'?)",
        ),
        ("severity: {dates.late_publication: fatal}\n", "severity.dates.late_publication"),
        ("- severity\n", "expected a mapping"),
        ("severity: [dates.late_publication]\n", "severity"),
        ("severity: {a: [b\n", "cannot read configuration"),
    ],
)
def test_a_wrong_configuration_names_its_mistake(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(GateError, match=None) as caught:
        load_config(write(tmp_path, "c.yaml", text), RULES)
    assert says in str(caught.value) and "c.yaml" in str(caught.value)


def waiver(**fields: object) -> dict[str, object]:
    return {"id": "9f2c1a7e03b4", "reason": "已核实", "reviewer": "张三", "expires": "2027-06-30", **fields}


@pytest.mark.parametrize(
    ("entries", "says"),
    [
        ([waiver(expires="2026-13-45")], "entry 1 (id 9f2c1a7e03b4): expires"),
        ([waiver(expires="9999-12-31")], "a waiver must lapse"),
        ([waiver(id=["9f2c1a7e03b4"])], "entry 1: id"),
        ([waiver(), waiver(reviewer="")], "entry 2 (id 9f2c1a7e03b4): reviewer"),
        ([waiver(reson="typo")], "reson: unknown key (did you mean 'reason'?)"),
        ([{"id": "9f2c1a7e03b4"}], "reason"),
    ],
)
def test_a_wrong_waiver_names_its_entry(tmp_path: Path, entries: list[dict[str, object]], says: str) -> None:
    path = write(tmp_path, "w.yaml", json.dumps(entries, ensure_ascii=False))
    with pytest.raises(GateError) as caught:
        load_waivers(path, today=TODAY)
    assert says in str(caught.value) and "w.yaml" in str(caught.value)


def test_waiver_files_in_both_shapes_and_yaml_datetimes(tmp_path: Path) -> None:
    listed = write(
        tmp_path, "a.yaml", "- {id: 9f2c1a7e03b4, reason: 已核实, reviewer: 张三, expires: 2027-06-30 10:00:00}\n"
    )
    keyed = write(
        tmp_path, "b.yaml", "waivers:\n  - {id: 9f2c1a7e03b4, reason: 已核实, reviewer: 张三, expires: 2027-06-30}\n"
    )
    assert load_waivers(listed, today=TODAY) == load_waivers(keyed, today=TODAY)
    assert load_waivers(listed, today=TODAY)[0]["expires"] == dt.date(2027, 6, 30)
    with pytest.raises(GateError, match="or {waivers"):
        load_waivers(write(tmp_path, "c.yaml", "waiver:\n  - {id: x}\n"), today=TODAY)


@pytest.mark.parametrize("text", ["{}", "[]", '{"findings": [{"rule": "x"}]}', "not json"])
def test_a_baseline_that_is_no_audit_json_is_refused_clearly(tmp_path: Path, text: str) -> None:
    with pytest.raises(GateError, match="baseline"):
        load_baseline(write(tmp_path, "b.json", text))


def test_the_command_line_turns_every_mistake_into_a_usage_error(tmp_path: Path) -> None:
    bad = [
        ("--config", write(tmp_path, "c.yaml", "- a list\n")),
        ("--config", write(tmp_path, "c2.yaml", "severity: {nope.rule: off}\n")),
        ("--waivers", write(tmp_path, "w.yaml", "- {id: x, reason: r, reviewer: v, expires: 2026-13-45}\n")),
        ("--baseline", write(tmp_path, "b.json", "{}")),
    ]
    for option, path in bad:
        result = CliRunner().invoke(main, ["check", str(SAMPLE), option, str(path)])
        assert result.exit_code == 2 and "internal error" not in result.output, (option, result.output)
        assert path.name in result.output


def test_an_unused_waiver_and_an_expired_one_are_reported_in_chinese(tmp_path: Path) -> None:
    audit = json.loads(CliRunner().invoke(main, ["check", str(SAMPLE), "--json"]).stdout)
    real = audit["findings"][0]["id"]
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    soon = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    path = write(
        tmp_path,
        "w.yaml",
        f"- {{id: '000000000000', reason: 旧, reviewer: 张三, expires: '{soon}'}}\n"
        f"- {{id: '{real}', reason: 已核实, reviewer: 张三, expires: '{yesterday}'}}\n",
    )
    result = CliRunner().invoke(main, ["check", str(SAMPLE), "--waivers", str(path)])
    assert "豁免 000000000000 没有匹配任何发现" in result.output
    assert f"豁免 {real} 已于 {yesterday} 到期" in result.output


def _verdicts(tmp_path: Path, name: str, *options: str) -> tuple[int, str, str, dict[str, object]]:
    """Exit code, terminal last line, the index's verdict, audit.json's gate: of one run and one check."""
    out = tmp_path / name
    run = CliRunner().invoke(main, ["run", str(SAMPLE), "--out", str(out), "--no-db", *options])
    check = CliRunner().invoke(main, ["check", str(SAMPLE), *options])
    gate = json.loads((out / "audit.json").read_text(encoding="utf-8"))["gate"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert run.exit_code == check.exit_code == gate["exit_code"]
    squash = "".join(gate["summary"].split())
    assert squash in "".join(run.output.split()) and squash in "".join(check.output.split())
    assert gate["summary"] in index
    return run.exit_code, check.output, index, gate


def test_one_verdict_in_terminal_html_and_audit_json_under_waivers_and_baseline(tmp_path: Path) -> None:
    code, _, _, plain = _verdicts(tmp_path, "plain")
    assert code == 1 and plain["summary"].startswith("2 错误") and "未通过" in plain["summary"]
    ids = [f["id"] for f in json.loads((tmp_path / "plain" / "audit.json").read_text(encoding="utf-8"))["findings"]]
    soon = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    one = write(tmp_path, "one.yaml", f"- {{id: '{ids[0]}', reason: 已核实, reviewer: 张三, expires: '{soon}'}}\n")
    code, _, _, gate = _verdicts(tmp_path, "one", "--waivers", str(one))
    assert code == 1 and gate["summary"].startswith("2 错误（1 已豁免）") and gate["waivers"] == str(one)
    both = write(
        tmp_path,
        "both.yaml",
        "".join(f"- {{id: '{i}', reason: 已核实, reviewer: 张三, expires: '{soon}'}}\n" for i in ids[:2]),
    )
    code, terminal, index, gate = _verdicts(tmp_path, "both", "--waivers", str(both))
    assert code == 0 and gate["summary"].startswith("2 错误（2 已豁免）") and "— 通过" in gate["summary"]
    assert "未通过" not in terminal and 'class="stat error"><div class="v">0<' in index  # waived: no red count
    code, _, index, gate = _verdicts(tmp_path, "baseline", "--baseline", str(tmp_path / "plain" / "audit.json"))
    assert (
        code == 0
        and gate["summary"].startswith("2 错误（0 新增）")
        and gate["new"] == {"error": 0, "warning": 0, "info": 0}
    )
    agency = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "baseline").glob("agency-*.html"))
    assert "基线已有" in agency and "新增</span>" not in agency
