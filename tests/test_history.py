"""The history store (audit.history) and the CI gate (--db, --baseline, --waivers).

The 历下区 seed (ten documents: a guide, the 2014 and 2019–2022 reports, copies, two 2021 versions)
is split into one file per report year, so that runs can audit one year at a time into one store.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from audit.history import DB_ENV, DEFAULT_DB_DIR, DEFAULT_DB_NAME, HistoryStore, StoreBusy
from audit.ingest import read_paths
from audit.pipeline import run_audit
from audit.segment import segment

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
LIXIA = CORPUS / "seeds" / "002_6460700eaa6e9ee9.txt"
S4 = CORPUS / "seeds" / "004_35efe59cd959ef3f.txt"
EXE = Path(sys.executable).with_name("xxgk-audit")
NEXT_YEAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()  # a waiver must lapse within 3 years
YEAR_OF_ORDINAL = {1: 2022, 2: 2022, 3: 2021, 4: 2021, 5: 2020, 6: 2020, 7: 2014, 8: 2019, 9: 2019, 10: 2019}

pytestmark = pytest.mark.skipif(not LIXIA.is_file(), reason="needs ../shared/corpus")


def split_by_year(folder: Path) -> dict[int, Path]:
    """The 历下区 seed as one folder per report year (each holding lixia.txt: that year's documents,
    copies and versions included, as printed in the seed)."""
    raw = LIXIA.read_text(encoding="utf-8").split("\n")
    parts: dict[int, list[str]] = {}
    for doc in segment(read_paths([str(LIXIA)])):
        first, last = doc.line_span
        parts.setdefault(YEAR_OF_ORDINAL[doc.ordinal], []).append("\n".join(raw[first - 1 : last]))
    out = {}
    for year, texts in parts.items():
        (folder / str(year)).mkdir(parents=True, exist_ok=True)
        (folder / str(year) / "lixia.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
        out[year] = folder / str(year)
    return out


def _findings(result: Any) -> list[dict[str, Any]]:
    documents = result.frames.documents.set_index("id")
    out = []
    for f in result.findings.to_dict("records"):
        doc = documents.loc[f["document"]] if f["document"] in documents.index else None
        out.append(
            {
                **f,
                "doc_year": None if doc is None else int(doc["year"]) if not pd.isna(doc["year"]) else None,
                "doc_total": _new_received_total(result, f["document"]),
            }
        )
    return out


def _new_received_total(result: Any, document: Any) -> float | None:
    cells = result.frames.cells
    hit = cells[
        (cells["document"] == document)
        & (cells["table"] == "applications")
        & (cells["row"] == "new_received")
        & (cells["column"] == "total")
    ]
    return None if hit.empty else float(hit["value"].iloc[0])


def _audit_years(folders: dict[int, Path], years: list[int], db: Path) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    for year in years:
        findings += _findings(run_audit([str(folders[year])], db=str(db), validate_frames=False))
    return findings


def _counts(findings: list[dict[str, Any]], rule: str) -> Counter[tuple[Any, Any]]:
    return Counter((f["doc_year"], f["doc_total"]) for f in findings if f["rule"] == rule)


def test_the_same_inputs_twice_add_nothing_and_give_the_same_ids(tmp_path: Path) -> None:
    db = tmp_path / "history.duckdb"
    first = run_audit([str(LIXIA), str(S4)], db=str(db), validate_frames=False)
    counts = HistoryStore(db).counts()
    assert counts["documents"] == 9 and counts["cells"] > 0 and counts["claims"] > 0 and counts["findings"] > 0
    again = run_audit([str(LIXIA), str(S4)], db=str(db), validate_frames=False)
    assert HistoryStore(db).counts() == counts
    assert sorted(first.findings["id"]) == sorted(again.findings["id"])
    # the same content under another name is the same document
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "renamed.txt").write_bytes(S4.read_bytes())
    run_audit([str(tmp_path / "copy")], db=str(db), validate_frames=False)
    assert HistoryStore(db).counts()["documents"] == counts["documents"]


@pytest.mark.parametrize("order", ["oldest first", "newest first"])
def test_one_year_per_run_sees_the_other_years(tmp_path: Path, order: str) -> None:
    folders = split_by_year(tmp_path / "in")
    years = sorted(folders, reverse=order == "newest first")
    findings = _audit_years(folders, years, tmp_path / "history.duckdb")
    # truth.yaml: both 2021 versions conflict; 2019 → 2020 chains hold; the copies of 2019 agree
    assert _counts(findings, "document.conflicting_versions") == Counter({(2021, 341.0): 1, (2021, 339.0): 1})
    assert not [
        f for f in findings if f["doc_year"] == 2020 and f["rule"] in ("history.carry_over", "history.item_count_chain")
    ]
    assert not [f for f in findings if f["doc_year"] == 2019 and f["rule"] == "document.conflicting_versions"]
    carry, in_force, copied = (
        _counts(findings, r) for r in ("history.carry_over", "history.in_force_chain", "history.copied_text")
    )
    if order == "oldest first":  # the later year is audited last and carries the finding
        assert carry == Counter({(2022, 215.0): 3}) and in_force == Counter({(2022, 215.0): 1})
        assert copied == Counter({(2021, 341.0): 1, (2021, 339.0): 1})
        message = next(f["message"] for f in findings if f["rule"] == "history.carry_over" and f["column"] == "total")
        assert "结转下年度继续办理为 10" in message and "相符（延续该版本）" in message
    else:  # the stored later year: the finding goes on this run's earlier report
        assert carry == Counter({(2021, 339.0): 3}) and in_force == Counter({(2021, 341.0): 1, (2021, 339.0): 1})
        assert copied == Counter({(2020, 176.0): 2})
        # stated in stored reports: 2020 「减少38件」「下降17.8%」 (vs 2019); 2021 「增加了163件」 and, in both
        # versions, 「2.1万条,同比去年增加300余条」 (vs 2020's 18396)
        assert _counts(findings, "narrative.year_over_year") == Counter({(2019, 215.0): 2, (2020, 176.0): 3})
        stated = [f for f in findings if f["rule"] == "narrative.year_over_year"]
        assert all(f["message"].startswith(("2020年报告", "2021年报告")) for f in stated)
        assert all(f["evidence"][0].get("mark") and f["evidence"][0]["text"] for f in stated)
    for f in findings:  # evidence cites both reports, the stored one with its text
        if f["rule"].startswith("history."):
            assert len({e["source"] for e in f["evidence"]}) == 2 and all(e["text"] for e in f["evidence"])


def test_one_year_per_run_matches_one_run_of_all_years(tmp_path: Path) -> None:
    folders = split_by_year(tmp_path / "in")
    together = _findings(run_audit([str(p) for p in folders.values()], validate_frames=False))
    oldest_first = _audit_years(folders, sorted(folders), tmp_path / "history.duckdb")
    rules = (
        "history.carry_over",
        "history.in_force_chain",
        "history.copied_text",
        "document.conflicting_versions",
        "narrative.year_over_year",
    )
    for rule in rules:
        assert _counts(together, rule) == _counts(oldest_first, rule), rule


def test_a_version_audited_in_an_earlier_run_conflicts(tmp_path: Path) -> None:
    folders = split_by_year(tmp_path / "in")
    text = (folders[2021] / "lixia.txt").read_text(encoding="utf-8")
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    docs = segment(read_paths([str(folders[2021] / "lixia.txt")]))
    lines = text.split("\n")
    for folder, doc in ((v1, docs[0]), (v2, docs[1])):
        folder.mkdir()
        first, last = doc.line_span
        (folder / "report.txt").write_text("\n".join(lines[first - 1 : last]) + "\n", encoding="utf-8")
    db = tmp_path / "history.duckdb"
    first = run_audit([str(v1)], db=str(db), validate_frames=False)
    assert "document.conflicting_versions" not in set(first.findings["rule"])
    second = run_audit([str(v2)], db=str(db), validate_frames=False)
    conflicts = second.findings[second.findings["rule"] == "document.conflicting_versions"]
    assert len(conflicts) == 1 and "历史库" in conflicts["message"].iloc[0]
    assert any(e["source"].endswith("v1/report.txt") and e["text"] for e in conflicts["evidence"].iloc[0])
    assert HistoryStore(db).counts()["documents"] == 2  # both versions are kept


def test_re_auditing_a_corrected_report_is_a_revision_not_a_conflict(tmp_path: Path) -> None:
    """Audit report.txt, fix its two wrong numbers, audit it again into the same output and store: the
    later audit of the same file supersedes the stored one (kept as history), the gate passes. Another
    file claiming the same agency and year still conflicts — with the current version only."""
    (tmp_path / "in").mkdir()
    report = tmp_path / "in" / "report.txt"
    lines = S4.read_text(encoding="utf-8").split("\n")
    report.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    first = _cli("run", str(tmp_path / "in"), "--out", str(out), cwd=tmp_path)
    assert first.returncode == 1  # applications.column_balance: 25 ≠ 24, 0 ≠ 1
    assert lines[186].strip() == "25" and lines[188].strip() == "0"
    lines[186], lines[188] = lines[186].replace("25", "24"), lines[188].replace("0", "1")
    report.write_text("\n".join(lines), encoding="utf-8")
    second = _cli("run", str(tmp_path / "in"), "--out", str(out), cwd=tmp_path)
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert second.returncode == 0, [f["message"] for f in audit["findings"]]
    assert {f["severity"] for f in audit["findings"]} <= {"info"}
    db = tmp_path / DEFAULT_DB_DIR / DEFAULT_DB_NAME  # the store `run` keeps by default
    assert HistoryStore(db).counts()["documents"] == 2  # the earlier audit stays as history
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "copy.txt").write_text(S4.read_text(encoding="utf-8"), encoding="utf-8")
    rival = run_audit([str(tmp_path / "other")], db=str(db), validate_frames=False)
    conflicts = rival.findings[rival.findings["rule"] == "document.conflicting_versions"]
    assert len(conflicts) == 1 and "24" in conflicts["message"].iloc[0]  # against the corrected version


def _cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The console script as a process; the store is chosen by the test alone (`env`), never by the
    environment the tests run in."""
    environ = {k: v for k, v in os.environ.items() if k != DB_ENV} | (env or {})
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, cwd=cwd, env=environ, timeout=300)


def _store_findings(db: Path) -> set[tuple[str, str, Any]]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {(i, r, y) for i, r, y in con.execute("SELECT id, rule, year FROM findings").fetchall()}
    finally:
        con.close()


def test_two_concurrent_runs_on_one_store(tmp_path: Path) -> None:
    """Two runs started together (the 2021 and the 2022 report of one agency) end as the same two runs
    one after the other, in one order or the other: same store, same findings (the carry-over errors
    of the later run included), same exit codes. Without the lock both read the store before either
    writes, and the carry-over errors vanish (the 2022 run then passes the gate)."""
    folders = split_by_year(tmp_path / "in")
    inputs = {2021: [str(folders[2021]), str(S4)], 2022: [str(folders[2022])]}  # 2022 alone has no error

    def args(year: int, db: Path, out: str) -> list[str]:
        return ["run", *inputs[year], "--out", str(tmp_path / out), "--db", str(db)]

    def outcome(db: Path, codes: dict[int, int]) -> dict[str, Any]:
        return {"codes": codes, "counts": HistoryStore(db).counts(), "findings": _store_findings(db)}

    db = tmp_path / "history.duckdb"
    runs = {year: subprocess.Popen([str(EXE), *args(year, db, f"out{year}")], text=True) for year in (2021, 2022)}
    concurrent = outcome(db, {year: p.wait(timeout=300) for year, p in runs.items()})

    # the carry-over errors go on the report audited second (each run compares with the stored year)
    later = {year for _, rule, year in concurrent["findings"] if rule == "history.carry_over"}
    assert len(later) == 1, f"carry-over errors lost (or on both years): {later}, exit codes {concurrent['codes']}"
    order = (2021, 2022) if later == {2022} else (2022, 2021)
    store = tmp_path / "sequential.duckdb"
    assert concurrent == outcome(store, {year: _cli(*args(year, store, "seq")).returncode for year in order})
    assert concurrent["counts"]["documents"] == 5  # 2021 v1 and v2, the 2022 report and guide, 六安
    assert sum(rule == "history.carry_over" for _, rule, _ in concurrent["findings"]) == 3


def test_run_keeps_its_store_outside_the_published_output_unless_told_otherwise(tmp_path: Path) -> None:
    """The store holds the text of every report audited: `run` keeps it in .xxgk-audit/ of the current
    directory, never in the output folder people publish; --db, $XXGK_AUDIT_DB and --no-db choose
    otherwise. A store left in OUT by earlier versions is not used, and the run says so in one line."""
    store = tmp_path / DEFAULT_DB_DIR / DEFAULT_DB_NAME
    done = _cli("run", str(S4), "--out", "out", cwd=tmp_path)
    assert done.returncode == 1 and store.is_file() and HistoryStore(store).counts()["documents"] == 1
    assert not list((tmp_path / "out").glob("*.duckdb")) and DEFAULT_DB_DIR not in done.stderr
    assert ".xxgk-audit/history.duckdb" in _cli("run", "--help").stdout.replace("\n  ", " ")
    chosen = tmp_path / "chosen.duckdb"
    assert _cli("run", str(S4), "--out", "o2", cwd=tmp_path, env={DB_ENV: str(chosen)}).returncode == 1
    assert chosen.is_file() and HistoryStore(store).counts()["documents"] == 1
    assert _cli("run", str(S4), "--out", "o3", "--no-db", cwd=tmp_path).returncode == 1
    assert _cli("check", str(S4), cwd=tmp_path).returncode == 1
    assert sorted(p.name for p in tmp_path.rglob("*.duckdb")) == ["chosen.duckdb", DEFAULT_DB_NAME]
    # a store where earlier versions kept it: not used, one line says where the store is and how to keep it
    shutil.move(store, tmp_path / "out" / DEFAULT_DB_NAME)
    moved = _cli("run", str(S4), "--out", "out", cwd=tmp_path)
    [notice] = [line for line in moved.stderr.splitlines() if DEFAULT_DB_NAME in line]
    assert f"--db {Path('out') / DEFAULT_DB_NAME}" in notice and f"{DEFAULT_DB_DIR}/{DEFAULT_DB_NAME}" in notice
    assert HistoryStore(tmp_path / "out" / DEFAULT_DB_NAME).counts()["documents"] == 1  # left as it was
    kept = _cli("run", str(S4), "--out", "out", "--db", str(Path("out") / DEFAULT_DB_NAME), cwd=tmp_path)
    assert kept.returncode == 1 and DEFAULT_DB_NAME not in kept.stderr


def test_baseline_fails_only_on_new_findings_and_waivers_silence_them(tmp_path: Path) -> None:
    folders = split_by_year(tmp_path / "in")
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    report = (folders[2022] / "lixia.txt").read_text(encoding="utf-8")
    (inputs / "lixia-2022.txt").write_text(report, encoding="utf-8")
    (inputs / "luan-2020.txt").write_bytes(S4.read_bytes())  # errors known before: the baseline holds them
    first = _cli("run", str(inputs), "--out", str(tmp_path / "o1"), "--no-db")
    assert first.returncode == 1
    baseline = tmp_path / "o1" / "audit.json"
    same = _cli("run", str(inputs), "--out", str(tmp_path / "o2"), "--no-db", "--baseline", str(baseline))
    assert same.returncode == 0 and "\nnew " not in same.stdout
    # inject one error: 行政复议 结果维持 1 → 2 (1 + 0 + 0 + 2 ≠ 总计 3)
    row = "1 | 0 | 0 | 2 | 3 | 0 | 0 | 1 | 0 | 1 | 0 | 0 | 0 | 1 | 1 |"
    assert report.count(row) == 1
    (inputs / "lixia-2022.txt").write_text(report.replace(row, "2" + row[1:]), encoding="utf-8")
    later = _cli("run", str(inputs), "--out", str(tmp_path / "o3"), "--no-db", "--baseline", str(baseline))
    assert later.returncode == 1, later.stdout + later.stderr
    new_lines = [line for line in later.stdout.splitlines() if line.startswith("new ")]
    document = json.loads((tmp_path / "o3" / "audit.json").read_text(encoding="utf-8"))
    new = [f for f in document["findings"] if f["new"]]
    assert len(new) == 1 and new[0]["rule"] == "review_litigation.totals" and len(new_lines) == 1, new_lines
    assert all(f["new"] is False for f in document["findings"] if f is not new[0])
    # a reviewer waives it: the gate passes, audit.json and the page say why
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        yaml.safe_dump(
            [{"id": new[0]["id"], "reason": "复议案件统计口径已核实", "reviewer": "张三", "expires": NEXT_YEAR}],
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    waived = _cli(
        "run",
        str(inputs),
        "--out",
        str(tmp_path / "o4"),
        "--no-db",
        "--baseline",
        str(baseline),
        "--waivers",
        str(waivers),
    )
    assert waived.returncode == 0, waived.stdout
    document = json.loads((tmp_path / "o4" / "audit.json").read_text(encoding="utf-8"))
    marked = [f for f in document["findings"] if "waived" in f]
    assert [f["id"] for f in marked] == [new[0]["id"]] and marked[0]["waived"]["reviewer"] == "张三"
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "o4").glob("agency-*.html"))
    assert "已豁免" in pages and "复议案件统计口径已核实" in pages
    # without a baseline the waiver alone silences that finding but not the known errors of 六安
    assert _cli("run", str(inputs), "--out", str(tmp_path / "o5"), "--no-db", "--waivers", str(waivers)).returncode == 1
    # an expired waiver no longer applies
    waivers.write_text(waivers.read_text(encoding="utf-8").replace(NEXT_YEAR, "2000-01-01"), encoding="utf-8")
    expired = _cli(
        "run",
        str(inputs),
        "--out",
        str(tmp_path / "o6"),
        "--no-db",
        "--baseline",
        str(baseline),
        "--waivers",
        str(waivers),
    )
    assert expired.returncode == 1 and "expired" in expired.stderr


def test_unreadable_baseline_or_waivers_are_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert _cli("check", str(S4), "--baseline", str(bad)).returncode == 2
    waivers = tmp_path / "w.yaml"
    waivers.write_text("- {id: abc}\n", encoding="utf-8")
    assert _cli("check", str(S4), "--waivers", str(waivers)).returncode == 2


def test_check_does_not_import_duckdb_without_a_store() -> None:
    code = (
        "import sys; from audit.pipeline import run_audit; "
        f"run_audit([{str(S4)!r}], validate_frames=False); print('duckdb' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=os.environ.copy())
    assert out.stdout.strip() == "False", out.stderr


def test_a_run_waits_for_another_holding_the_store(tmp_path: Path) -> None:
    db = tmp_path / "history.duckdb"
    run_audit([str(S4)], db=str(db), validate_frames=False)
    hold = (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
        "time.sleep(float(sys.argv[2])); con.close()"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold, str(db), "3"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreBusy):
            HistoryStore(db, timeout=0.5).counts()
        assert HistoryStore(db, timeout=60).counts()["documents"] == 1  # waits, then reads
    finally:
        holder.wait(timeout=30)
