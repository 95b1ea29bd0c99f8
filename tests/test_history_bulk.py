"""The history store's bulk appends hold exactly what its keyed row inserts held (issue 13).

The oracle is the store as it was written before: tables with PRIMARY KEYs, filled by
INSERT … ON CONFLICT DO NOTHING from rows built one Python row per text line (the code below is
that implementation). Several runs — copies, versions, a re-audit, a changed report — go into
both stores; every table must hold the same rows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from audit import history
from audit.history import ROW_KEYS, HistoryStore
from audit.history_rows import _dump, _json_default, _plain
from audit.model import CELL_COLUMNS, CLAIM_COLUMNS, DOCUMENT_COLUMNS, RunResult
from audit.pipeline import run_audit

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
LIXIA, S4 = CORPUS / "002_6460700eaa6e9ee9.txt", CORPUS / "004_35efe59cd959ef3f.txt"
KEYED_SCHEMA = (
    """CREATE TABLE documents (content_hash VARCHAR PRIMARY KEY, doc_id VARCHAR, source VARCHAR,
        agency_key VARCHAR, year INTEGER, kind VARCHAR, format VARCHAR, row_json VARCHAR, first_seen VARCHAR)""",
    """CREATE TABLE cells (content_hash VARCHAR, "table" VARCHAR, "row" VARCHAR, "column" VARCHAR, value DOUBLE,
        raw VARCHAR, blank BOOLEAN, placeholder BOOLEAN, line INTEGER,
        PRIMARY KEY (content_hash, "table", "row", "column"))""",
    "CREATE TABLE claims (content_hash VARCHAR, seq INTEGER, row_json VARCHAR, PRIMARY KEY (content_hash, seq))",
    """CREATE TABLE lines (content_hash VARCHAR, line INTEGER, text VARCHAR, original VARCHAR,
        PRIMARY KEY (content_hash, line))""",
    """CREATE TABLE findings (id VARCHAR PRIMARY KEY, rule VARCHAR, severity VARCHAR, content_hash VARCHAR,
        document VARCHAR, agency VARCHAR, year INTEGER, message VARCHAR, evidence_json VARCHAR, first_seen VARCHAR)""",
)

pytestmark = pytest.mark.skipif(not LIXIA.is_file(), reason="needs ../shared/corpus")


def _keyed_rows(result: RunResult) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of one run as the keyed store built them (one Python tuple per row)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    docs = result.frames.documents
    hash_of = dict(zip(docs["id"], docs["content_hash"], strict=True))
    records = [r for r in docs.to_dict("records") if _plain(r["content_hash"]) is not None]
    records.sort(key=lambda r: _plain(r["duplicate_of"]) is not None)  # originals before their copies
    documents = [
        (r["content_hash"], r["id"], r["source"], _plain(r["agency_key"]), _plain(r["year"]), r["kind"], r["format"])
        + (_dump({c: r.get(c) for c in DOCUMENT_COLUMNS}), now)
        for r in records
    ]
    cells = []
    for c in result.frames.cells.to_dict("records"):
        if hash_of.get(c["document"]) is not None:
            raw = None if _plain(c["raw"]) is None else str(c["raw"])
            flags = (bool(_plain(c["blank"]) or False), bool(_plain(c["placeholder"]) or False))
            cells.append((hash_of[c["document"]], c["table"], c["row"], c["column"], _plain(c["value"]), raw, *flags))
            cells[-1] += (_plain(c["line"]),)
    claims, counter, first_doc = [], dict[str, int](), dict[str, Any]()
    for c in result.frames.claims.to_dict("records"):
        h = hash_of.get(c["document"])
        if h is None or first_doc.setdefault(h, c["document"]) != c["document"]:
            continue
        counter[h] = counter.get(h, 0) + 1
        claims.append((h, counter[h], _dump({k: c.get(k) for k in CLAIM_COLUMNS})))
    first = {doc.content_hash: doc for doc in reversed(result.documents)}  # a copy's text is its original's
    lines = [
        (h, int(n), text, doc.source.original_line(int(n)))
        for h, doc in reversed(first.items())
        for n, text in doc.numbered_lines()
    ]
    findings = [
        (f["id"], f["rule"], f["severity"], hash_of.get(f["document"]) if _plain(f["document"]) else None)
        + (_plain(f["document"]), _plain(f["agency"]), _plain(f["year"]), f["message"])
        + (json.dumps(f["evidence"], ensure_ascii=False, default=_json_default), now)
        for f in result.findings.to_dict("records")
    ]
    return {"documents": documents, "cells": cells, "claims": claims, "lines": lines, "findings": findings}


def _keyed_save(db: Path, result: RunResult) -> None:
    with duckdb.connect(str(db)) as con:
        if not con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0]:  # type: ignore[index]
            for statement in KEYED_SCHEMA:
                con.execute(statement)
        for table, rows in _keyed_rows(result).items():
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            con.register("incoming", pd.DataFrame(rows, columns=columns, dtype=object))
            con.execute(f"INSERT INTO {table} SELECT * FROM incoming ON CONFLICT DO NOTHING")
            con.unregister("incoming")


def _tables(db: Path | str) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(db), read_only=True) as con:
        frames = {t: con.execute(f"SELECT * FROM {t}").df() for t in ROW_KEYS}
    return {t: f.drop(columns="first_seen", errors="ignore").sort_values(ROW_KEYS[t]).reset_index(drop=True) for t, f in frames.items()}  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[RunResult]:
    """LIXIA (copies, two 2021 versions) and 六安; the same again; 六安 corrected (one cell changed)."""
    changed = tmp_path_factory.mktemp("changed")
    text = S4.read_text(encoding="utf-8")
    (changed / S4.name).write_text(text.replace("\n25\n", "\n26\n", 1), encoding="utf-8")
    assert (changed / S4.name).read_text(encoding="utf-8") != text
    first = run_audit([str(LIXIA), str(S4)], validate_frames=False)
    return [first, first, run_audit([str(LIXIA), str(changed)], validate_frames=False)]


def test_bulk_appends_hold_what_keyed_inserts_held(
    tmp_path: Path, runs: list[RunResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "LINES_CHUNK", 3)  # several chunks of text lines per save
    monkeypatch.setattr(history, "ROWS_CHUNK", 7)  # and of cells
    monkeypatch.setattr(history, "JSON_CHUNK", 3)  # and of claims, documents and findings
    monkeypatch.setattr(history, "COMMIT_ROWS", 21)  # several commits per table
    store, keyed = tmp_path / "appends.duckdb", tmp_path / "keyed.duckdb"
    for result in runs:
        HistoryStore(store).save(result)
        _keyed_save(keyed, result)
        got, want = _tables(store), _tables(keyed)
        for table in ROW_KEYS:
            pd.testing.assert_frame_equal(got[table], want[table], check_dtype=False, obj=table)
    assert len(want["documents"]) == 10 and len(want["lines"]) > 1000  # 9 of the first run, 六安 corrected
    with duckdb.connect(str(store), read_only=True) as con:
        assert not con.execute("SELECT * FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall()


def test_a_store_written_with_keys_keeps_its_rows_and_loses_its_keys(tmp_path: Path, runs: list[RunResult]) -> None:
    first, _, changed = runs
    db, keyed = tmp_path / "old.duckdb", tmp_path / "keyed.duckdb"
    for path in (db, keyed):
        _keyed_save(path, first)
    HistoryStore(db).save(changed)
    _keyed_save(keyed, changed)
    got, want = _tables(db), _tables(keyed)
    for table in ROW_KEYS:
        pd.testing.assert_frame_equal(got[table], want[table], check_dtype=False, obj=table)
    with duckdb.connect(str(db), read_only=True) as con:
        assert not con.execute("SELECT * FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall()
    # and what was stored before still serves the cross-year rules
    assert not HistoryStore(db).load(changed.frames.documents).documents.empty


def test_the_same_report_at_other_lines_keeps_its_first_text(tmp_path: Path, runs: list[RunResult]) -> None:
    """Keyed by (content_hash, line), the old store added the text again when the same content came
    back at other line numbers (a file edited above the report): the history then read it twice."""
    store = HistoryStore(tmp_path / "history.duckdb")
    store.save(runs[0])
    (tmp_path / "shifted").mkdir()
    (tmp_path / "shifted" / S4.name).write_text("\n\n\n" + S4.read_text(encoding="utf-8"), encoding="utf-8")
    shifted = run_audit([str(tmp_path / "shifted")], validate_frames=False)
    [doc] = shifted.documents
    before = _tables(store.path)["lines"]
    assert doc.content_hash in set(before["content_hash"]) and doc.line_span[0] > 3
    store.save(shifted)
    pd.testing.assert_frame_equal(_tables(store.path)["lines"], before)


def test_cell_columns_are_the_stores() -> None:
    """The oracle above builds cells from these columns: a new one would need a store column too."""
    assert {"document", "table", "row", "column", "value", "raw", "blank", "placeholder", "line"} == set(CELL_COLUMNS)
