"""The rules of a large batch run in a forked child (audit.pipeline.in_child) that sends back their
findings, undecided checks and the faults they met: the same as running them here, and nothing lost
when the child dies or fails."""

from __future__ import annotations

import json
import os
import signal
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from faulty_rules import CULPRIT, break_balance_on

from audit import pipeline
from audit.history import TABLES, HistoryStore
from audit.model import Fault
from audit.pipeline import in_child, run_audit

SAMPLES = Path(__file__).resolve().parents[1] / "audit" / "samples"
_RUN_WORK = pipeline._run_work


def _cut_short() -> str:
    """The child's side of a hand-off whose file is cut short (module level: the pool pickles it by name)."""
    path = _RUN_WORK()
    os.truncate(path, 3)
    return path


def test_the_result_and_what_the_child_appended_come_back() -> None:
    parent = os.getpid()
    met: list[Fault] = []

    def work() -> tuple[int, list[Fault]]:
        met.append(Fault("rule x", "boom", document="d#1"))
        return os.getpid(), met

    pid, faults = in_child(work)
    assert pid != parent and faults == [Fault("rule x", "boom", document="d#1")]
    assert met == []  # appended in the child's copy only


def test_a_child_that_dies_is_redone_here() -> None:
    parent = os.getpid()

    def work() -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return 7

    assert in_child(work) == 7


def test_an_error_of_the_work_is_raised_here() -> None:
    def work() -> int:
        raise ValueError("severity given for unknown rules: x")

    with pytest.raises(ValueError, match="unknown rules"):
        in_child(work)


def test_the_result_comes_through_a_file_that_is_gone_after(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    parent = os.getpid()
    assert in_child(lambda: {"pid": os.getpid(), "rows": list(range(1000))})["pid"] != parent
    assert list(tmp_path.iterdir()) == []


def test_a_hand_off_that_cannot_be_written_is_redone_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))  # mkstemp fails in the child
    parent = os.getpid()
    assert in_child(os.getpid) == parent


def test_a_hand_off_that_cannot_be_read_is_redone_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    parent = os.getpid()
    monkeypatch.setattr(pipeline, "_run_work", _cut_short)
    handed = pipeline.handed_over(os.getpid)
    assert handed is not None and os.path.getsize(handed) == 3  # the child did hand a (cut) file over
    os.unlink(handed)
    assert in_child(os.getpid) == parent
    assert list(tmp_path.iterdir()) == []


def _run(monkeypatch: pytest.MonkeyPatch, child_documents: int) -> Any:
    monkeypatch.setattr(pipeline, "CHILD_DOCUMENTS", child_documents)
    return run_audit([str(SAMPLES)], validate_frames=False)


def test_rules_in_a_child_give_what_they_give_here_faults_included(monkeypatch: pytest.MonkeyPatch) -> None:
    break_balance_on(monkeypatch, CULPRIT)
    here, child = _run(monkeypatch, 10**9), _run(monkeypatch, 1)
    assert child.findings.equals(here.findings) and child.not_assessable.equals(here.not_assessable)
    assert [(f.stage, f.document) for f in child.faults] == [(f.stage, f.document) for f in here.faults]
    assert any(f.document == CULPRIT and f.stage == "rule applications.column_balance" for f in child.faults)


def _stored(path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            table: con.execute(f"SELECT * EXCLUDE (first_seen) FROM {table} ORDER BY ALL").df()
            if table in ("documents", "findings")
            else con.execute(f"SELECT * FROM {table} ORDER BY ALL").df()
            for table in TABLES
        }


def test_the_store_saved_by_a_child_holds_what_a_save_here_holds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stores = {}
    for name, child_documents in (("here", 10**9), ("child", 1)):
        monkeypatch.setattr(pipeline, "CHILD_DOCUMENTS", child_documents)
        result = run_audit([str(SAMPLES)], validate_frames=False, db=str(tmp_path / f"{name}.duckdb"))
        assert not result.faults
        stores[name] = _stored(tmp_path / f"{name}.duckdb")
    assert len(stores["here"]["documents"]) >= 10 and len(stores["here"]["lines"]) > 1000
    for table in TABLES:
        pd.testing.assert_frame_equal(stores["child"][table], stores["here"][table])


def test_a_save_that_fails_in_the_child_is_a_fault_of_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def full_disk(self: HistoryStore, result: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "CHILD_DOCUMENTS", 1)
    monkeypatch.setattr(HistoryStore, "save", full_disk)
    result = run_audit([str(SAMPLES)], validate_frames=False, db=str(tmp_path / "h.duckdb"))
    assert [f.stage for f in result.faults] == ["store"] and "No space" in result.faults[0].error
    assert "extraction.internal_error" in set(result.findings["rule"])


@pytest.mark.parametrize("child_documents", [1, 10**9])
def test_the_timings_log_has_every_stage_once_in_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, child_documents: int
) -> None:
    """The rules and the save log their stages from the child that runs them, as they would here."""
    log = tmp_path / "timings.jsonl"
    monkeypatch.setenv(pipeline.TIMINGS_ENV, str(log))
    monkeypatch.setattr(pipeline, "CHILD_DOCUMENTS", child_documents)
    run_audit([str(SAMPLES)], validate_frames=False, db=str(tmp_path / "h.duckdb"))
    stages = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [s["stage"] for s in stages] == ["ingest+segment+extract", "store.load", "rules", "store.save"]
    assert all(s["documents"] for s in stages[2:]) and all(
        a["end"] <= b["start"] for a, b in zip(stages, stages[1:], strict=False)
    )


def test_an_unreadable_hand_off_of_the_rules_loses_no_finding(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The rules' file cut short: the store's save says it could not save (a fault), the rules are
    run again here and every finding is there."""
    here = run_audit([str(SAMPLES)], validate_frames=False)
    monkeypatch.setattr(pipeline, "_run_work", _cut_short)
    monkeypatch.setattr(pipeline, "CHILD_DOCUMENTS", 1)
    cut = run_audit([str(SAMPLES)], validate_frames=False, db=str(tmp_path / "h.duckdb"))
    assert [(f.stage, f.error.split(":")[0]) for f in cut.faults] == [("store", "UnpicklingError")]
    kept = cut.findings[cut.findings["rule"] != "extraction.internal_error"].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, here.findings)
