"""The command line as contract.md §1 describes it: commands, outputs, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import main

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
S4 = SEEDS / "004_35efe59cd959ef3f.txt"  # fails applications.column_balance (error)
S3 = SEEDS / "003_01ab33d891669608.txt"  # warnings only (structure.missing_table)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    # a machine format is stdout alone (the verdict goes to stderr); otherwise both, as a user sees them
    return result.exit_code, result.stdout if "--json" in args else result.output


def test_check_exit_codes_follow_fail_on() -> None:
    assert invoke("check", str(S4))[0] == 1
    assert invoke("check", str(S4), "--fail-on", "never")[0] == 0
    assert invoke("check", str(S3))[0] == 0
    assert invoke("check", str(S3), "--fail-on", "warning")[0] == 1


def test_check_json_is_the_audit_document() -> None:
    code, out = invoke("check", str(S4), "--json")
    doc = json.loads(out)
    assert code == 1
    assert doc["tool"]["name"] == "xxgk-audit"
    assert {f["rule"] for f in doc["findings"]} >= {"applications.column_balance"}
    assert all(f["evidence"] for f in doc["findings"])


def test_unreadable_input_is_a_finding_and_the_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "noise.bin").write_bytes(bytes(range(256)) * 40)
    shutil.copy(S4, tmp_path / S4.name)
    code, out = invoke("check", str(tmp_path), "--json")
    doc = json.loads(out)
    assert code == 1
    assert doc["run"]["inputs"] == 3
    unreadable = [f for f in doc["findings"] if f["rule"] == "extraction.unreadable_input"]
    assert sorted(Path(f["evidence"][0]["source"]).name for f in unreadable) == ["empty.txt", "noise.bin"]
    assert all(f["document"] is None for f in unreadable)
    assert any(d["agency"] and "六安" in d["agency"] for d in doc["documents"])


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory a tmp folder: `run` keeps its history store in .xxgk-audit/ there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XXGK_AUDIT_DB", raising=False)
    return tmp_path


def test_run_writes_site_and_audit_json(in_tmp: Path) -> None:
    out = in_tmp / "out"
    code, text = invoke("run", str(S4), str(S3), "--out", str(out), "--fail-on", "never")
    assert code == 0, text
    assert (out / "index.html").is_file() and (out / "audit.json").is_file()
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert doc["run"]["documents"] == 2
    assert len(list(out.glob("agency-*.html"))) == 2


def test_extract_prints_documents_without_findings() -> None:
    code, out = invoke("extract", str(S4), "--json")
    doc = json.loads(out)
    assert code == 0 and "findings" not in doc
    tables = doc["documents"][0]["tables"]
    assert tables["applications"]["new_received"]["total"] == 25
    assert type(tables["applications"]["new_received"]["total"]) is int  # not 25.0
    assert tables["article20"]["procurement"] == {"items": 0, "amount": "0", "amount_yuan": None}


def test_rules_lists_and_explains() -> None:
    code, out = invoke("rules")
    assert code == 0 and "applications.column_balance" in out and "extraction.unreadable_input" in out
    code, out = invoke("rules", "applications.column_balance")
    assert code == 0 and "error" in out
    assert invoke("rules", "no.such_rule")[0] == 2


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke("check")[0] == 2
    assert invoke("check", str(S4), "--fail-on", "sometimes")[0] == 2
    bad = tmp_path / "config.yaml"
    bad.write_text("severity: {applications.column_balance: fatal}\n", encoding="utf-8")
    assert invoke("check", str(S4), "--config", str(bad))[0] == 2


def test_config_overrides_severity(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("severity: {applications.column_balance: warning}\n", encoding="utf-8")
    code, out = invoke("check", str(S4), "--json", "--config", str(config))
    doc = json.loads(out)
    assert {f["severity"] for f in doc["findings"] if f["rule"] == "applications.column_balance"} == {"warning"}
    config.write_text("severity: {applications.column_balance: 'off'}\n", encoding="utf-8")
    code, out = invoke("check", str(S4), "--json", "--config", str(config))
    assert not [f for f in json.loads(out)["findings"] if f["rule"] == "applications.column_balance"]


def test_run_without_paths_audits_the_bundled_samples(in_tmp: Path) -> None:
    code, _ = invoke("run", "--out", "out", "--fail-on", "never")
    doc = json.loads((in_tmp / "out" / "audit.json").read_text(encoding="utf-8"))
    assert code == 0 and doc["run"]["inputs"] == 5 and doc["run"]["documents"] == 14


@pytest.mark.slow
def test_console_script_runs_as_a_process() -> None:
    exe = Path(sys.executable).parent / "xxgk-audit"
    proc = subprocess.run([str(exe), "check", str(S4)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "column_balance" in proc.stdout


def test_config_naming_an_unknown_rule_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("severity: {applications.colum_balance: warning}\n", encoding="utf-8")
    code, out = invoke("check", str(S4), "--config", str(config))
    assert code == 2 and "unknown rule ids" in out


def test_same_file_name_in_two_folders_keeps_ids_unique(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(S4, tmp_path / folder / "report.txt")
    code, out = invoke("check", str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "a" / "report.txt"), "--json")
    doc = json.loads(out)
    assert code == 1, out
    assert doc["run"]["inputs"] == 2  # the file named twice is one input
    assert sorted(d["id"] for d in doc["documents"]) == ["a/report.txt#1", "b/report.txt#1"]
    assert [d["duplicate_of"] for d in doc["documents"]] == [None, "a/report.txt#1"]


def test_python_dash_m_audit_and_extract_without_json(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "audit", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Usage: xxgk-audit" in done.stdout
    code, out = invoke("extract", str(S4))
    assert code == 0 and json.loads(out)["documents"][0]["year"] == 2020


def test_agency_pages_of_an_earlier_run_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("run", str(SEEDS), "--out", str(out), "--no-db")[0] == 1
    before = set(out.glob("agency-*.html"))
    assert invoke("run", str(S4), "--out", str(out), "--no-db")[0] == 1
    after = set(out.glob("agency-*.html"))
    assert len(after) == 1 < len(before) and after < before
    assert {p.stem for p in out.glob("agency-*.json")} == {p.stem for p in after}


def test_the_demo_names_its_inputs_samples_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no PATH the bundled samples are shown as `samples/…`, never `../../…/site-packages/…`;
    a --config given relative to the user's folder is still read from there."""
    monkeypatch.chdir(tmp_path)
    Path("config.yaml").write_text("severity: {structure.nonstandard_outline: 'off'}\n", encoding="utf-8")
    code, _ = invoke("run", "--out", "out", "--no-db", "--fail-on", "never", "--config", "config.yaml")
    doc = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))
    assert code == 0 and doc["inputs"] and all(i["source"].startswith("samples/") for i in doc["inputs"])
    assert not [f for f in doc["findings"] if f["rule"] == "structure.nonstandard_outline"]
    assert Path.cwd() == tmp_path  # the run went back to where it started
