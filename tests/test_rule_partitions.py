"""Rules over groups of agencies (audit.validate.engine: a batch beyond PARTITION_DOCUMENTS) find what
they find over the whole batch at once: the same findings, ids, evidence and undecided checks."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from audit.pipeline import run_audit
from audit.validate import engine, load_rules, run_rules
from audit.validate.registry import REGISTRY, Kind

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus")
def test_groups_of_agencies_find_what_the_whole_batch_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    batch = run_audit([str(CORPUS), str(ROOT / "audit" / "samples")], validate_frames=False)
    rules = load_rules()
    whole = run_rules(batch.frames, batch.sources, rules=rules)
    documents = batch.frames.documents
    groups = engine.agency_groups(documents, 4)
    assert len(groups) >= 4 and sorted(d for g in groups for d in g) == sorted(documents["id"])  # each once
    for group in groups:  # whole agencies: no agency in two groups
        held = set(documents.loc[documents["id"].isin(group), "agency_key"].dropna())
        others = set(documents.loc[~documents["id"].isin(group), "agency_key"].dropna())
        assert not held & others
    monkeypatch.setattr(engine, "PARTITION_DOCUMENTS", 4)
    grouped = run_rules(batch.frames, batch.sources, rules=rules)
    for got, want in zip(grouped, whole, strict=True):
        pd.testing.assert_frame_equal(got, want)
    assert len(whole[0]) > 50 and {"history.copied_text", "document.duplicate"} <= set(whole[0]["rule"])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus")
def test_batch_wide_rules_beside_the_waves_find_the_same_and_survive_their_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In parallel, the batch-wide rules run in a process of their own beside the waves of groups:
    the same findings and faults in the same order; when that process dies they are run here."""
    batch = run_audit([str(CORPUS), str(ROOT / "audit" / "samples")], validate_frames=False)
    rules = load_rules()
    parent = os.getpid()
    copied = REGISTRY["copied_text"]

    def dies_away(ctx: Any, params: dict[str, Any]) -> Any:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return copied.function(ctx, params)

    def run(*, parallel: bool) -> tuple[pd.DataFrame, pd.DataFrame, list[Any]]:
        faults: list[Any] = []
        monkeypatch.setattr(engine, "PARALLEL_MIN_DOCUMENTS", 1 if parallel else 10**9)
        found, undecided = run_rules(batch.frames, batch.sources, rules=rules, faults=faults)
        return found, undecided, [(f.stage, f.document) for f in faults]

    monkeypatch.setattr(engine, "PARTITION_DOCUMENTS", 4)
    alone = run(parallel=False)
    assert "history.copied_text" in set(alone[0]["rule"])
    for killed in (False, True):
        if killed:
            monkeypatch.setitem(REGISTRY, "copied_text", Kind("copied_text", dies_away, copied.params, copied.doc))
        beside = run(parallel=True)
        pd.testing.assert_frame_equal(beside[0], alone[0])
        pd.testing.assert_frame_equal(beside[1], alone[1])
        assert beside[2] == alone[2]


def test_parked_outcomes_come_back_in_task_order_and_a_full_disk_keeps_the_rest_in_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcomes = {i: ([{"id": f"f{i}", "evidence": [{"line": i}]}], None, []) for i in range(6)}
    parked = engine._Parked()
    parked.park((i, outcomes[i]) for i in (4, 0, 2))
    assert parked.all() == [outcomes[0], outcomes[2], outcomes[4]]

    real, calls = engine.pickle.dump, [0]

    def fills_the_disk(obj: Any, file: Any, protocol: int) -> None:
        calls[0] += 1
        if calls[0] > 2:
            file.write(b"\x80partial")
            raise OSError(28, "No space left on device")
        real(obj, file, protocol=protocol)

    full = engine._Parked()
    monkeypatch.setattr(engine.pickle, "dump", fills_the_disk)
    full.park((i, outcomes[i]) for i in (5, 1, 3, 0))
    full.park([(2, outcomes[2]), (4, outcomes[4])])
    assert calls[0] == 3  # the disk refused the third; the rest never tried it
    assert full.all() == [outcomes[i] for i in range(6)]
