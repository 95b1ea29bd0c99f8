"""Changing any single number in a table of a consistent report makes an arithmetic rule fire,
end to end (text → extraction → rules); the consistent report itself raises none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audit.pipeline import run_audit

SEED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds" / "002_6460700eaa6e9ee9.txt"
ARITHMETIC = {
    "applications.column_balance",
    "applications.row_total",
    "applications.results_total",
    "review_litigation.totals",
}


def _report_2022() -> list[str]:
    """The 2022 report of 济南市历下区 (document 2 of the seed file): consistent in every identity."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    start = next(i for i, s in enumerate(lines) if "现将我区2022年度" in s)
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("字号"))
    return lines[start:end]


REPORT = _report_2022()
TABLE_FIRST = next(i for i, s in enumerate(REPORT) if "勾稽关系" in s)
TABLE_LAST = next(i for i, s in enumerate(REPORT) if s.startswith("五、存在的主要问题"))
NUMBER = re.compile(r"(?:(?<=\| )|^)\d+(?= \|)")
SITES = [(i, m.start(), m.group()) for i in range(TABLE_FIRST, TABLE_LAST) for m in NUMBER.finditer(REPORT[i])]


def _arithmetic_rules(lines: list[str], tmp_path: Path) -> set[str]:
    path = tmp_path / "report.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    findings = run_audit([str(path)], validate_frames=False).findings
    return set(findings["rule"]) & ARITHMETIC


def test_the_consistent_report_raises_no_arithmetic_finding(tmp_path: Path) -> None:
    assert len(SITES) == 25 * 7 + 15
    assert _arithmetic_rules(REPORT, tmp_path) == set()


@pytest.mark.parametrize(("line", "at", "number"), SITES, ids=[f"L{i}:{p}" for i, p, _ in SITES])
def test_changing_one_number_fires_an_arithmetic_rule(tmp_path: Path, line: int, at: int, number: str) -> None:
    lines = list(REPORT)
    changed = str(int(number) + 1)
    lines[line] = lines[line][:at] + changed + lines[line][at + len(number) :]
    assert _arithmetic_rules(lines, tmp_path), f"no arithmetic finding after {number}→{changed} on line {line}"
