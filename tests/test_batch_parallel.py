"""Extraction and rules in worker processes give exactly what they give in one process."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from audit.extract import batch
from audit.ingest import read_paths
from audit.segment import segment
from audit.validate import engine, run_rules

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"


def test_parallel_extraction_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for round_ in range(32):  # 32 × 14 documents, agencies renamed so they are not all copies
        for seed in SEEDS.glob("*.txt"):
            text = seed.read_text(encoding="utf-8").replace("历下区", f"历下{round_}区")
            (tmp_path / f"r{round_:02d}_{seed.name}").write_text(text, encoding="utf-8")
    documents = segment(read_paths([str(tmp_path)]))
    assert len(documents) >= batch.PARALLEL_MIN_DOCUMENTS
    parallel = batch.extract_all(documents)
    monkeypatch.setattr(batch, "PARALLEL_MIN_DOCUMENTS", 10**9)
    serial = batch.extract_all(documents)
    for name in ("documents", "cells", "claims", "issues"):
        pd.testing.assert_frame_equal(getattr(parallel, name), getattr(serial, name), obj=name)

    sources = list({d.source.path: d.source for d in documents}.values())
    found_parallel, undecided_parallel = run_rules(serial, sources)
    monkeypatch.setattr(engine, "PARALLEL_MIN_DOCUMENTS", 10**9)
    found_serial, undecided_serial = run_rules(serial, sources)
    assert len(found_serial) > 100
    assert _canonical(found_parallel) == _canonical(found_serial)
    assert _canonical(undecided_parallel) == _canonical(undecided_serial)


def _canonical(frame: pd.DataFrame) -> str:
    """Records as JSON (NaN compares equal to NaN here, unlike in dicts of unpickled floats)."""
    return json.dumps(frame.to_dict("records"), ensure_ascii=False, sort_keys=True, default=str)


def test_failures_in_workers_are_isolated_as_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule and an extractor failing on one document inside forked workers: the same faults and
    the same findings as when everything runs in one process (no document of the batch is lost)."""
    from audit.validate.registry import REGISTRY, Kind

    for seed in SEEDS.glob("*.txt"):
        (tmp_path / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    documents = segment(read_paths([str(tmp_path)]))
    culprit = "002_6460700eaa6e9ee9.txt#4"
    real_claims, balance = batch.read_claims, REGISTRY["balance"]

    def claims(doc, **kw):  # type: ignore[no-untyped-def]
        if doc.id == culprit:
            raise KeyError("injected")
        return real_claims(doc, **kw)

    def breaks(ctx, params):  # type: ignore[no-untyped-def]
        if culprit in set(ctx.documents["id"]):
            raise TypeError("injected")
        return balance.function(ctx, params)

    monkeypatch.setattr(batch, "read_claims", claims)
    monkeypatch.setitem(REGISTRY, "balance", Kind("balance", breaks, balance.params, balance.doc))
    sources = list({d.source.path: d.source for d in documents}.values())

    def audit(parallel: bool) -> tuple[list[object], str]:
        monkeypatch.setattr(batch, "PARALLEL_MIN_DOCUMENTS", 1 if parallel else 10**9)
        monkeypatch.setattr(engine, "PARALLEL_MIN_DOCUMENTS", 1 if parallel else 10**9)
        faults: list[object] = []
        frames = batch.extract_all(documents, faults)  # type: ignore[arg-type]
        found, _ = run_rules(frames, sources, faults=faults)  # type: ignore[arg-type]
        return sorted(map(repr, faults)), _canonical(found)

    in_workers, in_process = audit(True), audit(False)
    assert in_workers == in_process
    assert [f for f in in_workers[0] if culprit in f and "rule applications.column_balance" in f]
    assert [f for f in in_workers[0] if culprit in f and "extract (claims)" in f]
