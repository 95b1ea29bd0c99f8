"""`check --format` for CI logs (issue 11, item 11): one line per finding, GitHub annotations,
statistics, quiet; plain lines when piped; every line ends with the run's one verdict."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "audit" / "samples"
S4 = SAMPLES / "004_35efe59cd959ef3f.txt"
SOON = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def check(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.stdout.splitlines()


def findings(*paths: Path) -> list[dict[str, object]]:
    return json.loads(CliRunner().invoke(main, ["check", *map(str, paths), "--json"]).stdout)["findings"]


def test_concise_is_one_line_per_finding_and_the_default_when_piped() -> None:
    code, lines = check(str(SAMPLES))
    assert (code, lines) == check(str(SAMPLES), "--format", "concise")
    expected = findings(SAMPLES)
    assert len(lines) == len(expected) + 1 and code == 1
    pattern = re.compile(
        r"^(?P<path>[^:]+):(?P<line>\d+): (?P<severity>error|warning|info) (?P<rule>[\w.]+) .+ \[(?P<id>[0-9a-f]{12})\]"
    )
    for line, finding in zip(lines, expected, strict=False):
        match = pattern.match(line)
        assert match, line
        assert (match["rule"], match["id"], match["severity"]) == (finding["rule"], finding["id"], finding["severity"])
    assert lines[-1].endswith("未通过（--fail-on error）") and "15 错误" in lines[-1]


def test_github_annotations_escape_and_map_severities(tmp_path: Path) -> None:
    named = tmp_path / "a,b:c.txt"
    named.write_text(S4.read_text(encoding="utf-8"), encoding="utf-8")
    code, lines = check(str(named), "--format", "github")
    annotations = lines[:-1]
    assert code == 1 and len(annotations) == len(findings(named))
    assert all(re.match(r"^::(error|warning|notice) file=[^,:]+,line=\d+,title=[\w.]+::", a) for a in annotations)
    assert "a%2Cb%3Ac.txt" in annotations[0] and annotations[0].startswith("::error ")
    assert any(a.startswith("::notice ") and "structure.nonstandard_outline" in a for a in annotations)


def test_waived_findings_are_notices_in_annotations(tmp_path: Path) -> None:
    ids = [f["id"] for f in findings(S4) if f["severity"] == "error"]
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "".join(f"- {{id: '{i}', reason: 已核实, reviewer: 张三, expires: '{SOON}'}}\n" for i in ids),
        encoding="utf-8",
    )
    code, lines = check(str(S4), "--format", "github", "--waivers", str(waivers))
    assert code == 0 and not any(line.startswith("::error") for line in lines)
    assert "— 通过" in lines[-1]


def test_statistics_and_quiet() -> None:
    code, lines = check(str(SAMPLES), "--statistics")
    per_rule = {line.split()[-1]: int(line.split()[0]) for line in lines[:-1]}
    expected: dict[str, int] = {}
    for f in findings(SAMPLES):
        expected[str(f["rule"])] = expected.get(str(f["rule"]), 0) + 1
    assert per_rule == expected and code == 1
    code, lines = check(str(SAMPLES), "--quiet")
    assert code == 1 and len(lines) == 1 and "未通过" in lines[0]


def test_concise_gives_the_pdf_page() -> None:
    pdf = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf" / "hongze-2023.pdf"
    if not pdf.exists():
        pytest.skip("the shared corpus is not beside the project")
    _, lines = check(str(pdf), "--format", "concise")
    assert any(re.match(r"^\S+hongze-2023\.pdf:60: \(第4页\) error review_litigation\.totals ", line) for line in lines)
