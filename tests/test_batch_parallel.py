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
