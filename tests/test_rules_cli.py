"""`xxgk-audit rules [ID] [--verbose]`: what a reviewer reads, and the internals only on request."""

from __future__ import annotations

from click.testing import CliRunner

from audit.cli import main
from audit.validate import load_rules


def _out(*args: str) -> str:
    result = CliRunner().invoke(main, ["rules", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_list_is_one_line_per_rule() -> None:
    rules = load_rules()
    lines = _out().splitlines()
    assert len(lines) == len(rules)
    assert [line.split()[0] for line in lines] == [r["id"] for r in rules]


def test_explanation_is_chinese_first_and_internals_need_verbose() -> None:
    rule = next(r for r in load_rules() if r["id"] == "narrative.parts_sum")
    plain, verbose = _out(rule["id"]), _out(rule["id"], "--verbose")
    zh, en = " ".join(rule["rationale_zh"].split()), " ".join(rule["rationale"].split())
    assert plain.index(rule["title"]["zh"]) < plain.index(zh) < plain.index(en)
    assert "警告" in plain or "错误" in plain or "提示" in plain
    assert f"kind: {rule['kind']}" not in plain and "{" not in plain
    assert f"kind: {rule['kind']}" in verbose and " ".join(str(rule["message"]).split()) in " ".join(verbose.split())
