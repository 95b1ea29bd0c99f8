"""Rules over groups of agencies (audit.validate.engine: a batch beyond PARTITION_DOCUMENTS) find what
they find over the whole batch at once: the same findings, ids, evidence and undecided checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from audit.pipeline import run_audit
from audit.validate import engine, load_rules, run_rules

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
