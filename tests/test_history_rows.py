"""The history store's rows built a column at a time (audit.history_rows, issue 13) hold what the
row-at-a-time code held: JSON texts byte for byte, text lines as `numbered_lines` gives them,
appends of whole chunks, and the same store whether the frames hold strings or categories."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from audit import history
from audit.history import ROW_KEYS, HistoryStore
from audit.history_rows import (
    _dump,
    _first_of_key,
    _slices,
    _text_column,
    document_lines,
    json_rows,
    line_tables,
)
from audit.model import CLAIM_COLUMNS, Document, Source
from audit.pipeline import run_audit

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
LIXIA = CORPUS / "002_6460700eaa6e9ee9.txt"


def _tricky() -> pd.DataFrame:
    """Every kind of column a frame holds, with the values JSON writes differently."""
    n = 7
    return pd.DataFrame(
        {
            "f": np.array([0.0, -0.0, math.nan, math.inf, -math.inf, 1e-300, 2.5]),
            "i": np.array([0, -1, 2**62, 3, 3, 0, 7], dtype="int64"),
            "b": np.array([True, False, True, True, False, False, True]),
            "nullable": pd.array([1, None, 3, 1, None, 0, 2], dtype="Int64"),
            "flags": pd.array([True, None, False, True, None, False, True], dtype="boolean"),
            "s": pd.Series(["条", None, 'quote " and \\', "\n\t\x00", "", "条", "é"], dtype="str"),
            "cat": pd.Series(["a", None, "b", "a", "甲", None, "b"], dtype="category"),
            "numcat": pd.Series([1.5, -0.0, None, 1.5, 2.0, None, 0.0]).astype("category"),
            "obj": pd.Series(
                [None, pd.NA, math.nan, np.int64(4), [1, np.float64(2.0), None], {"k": "值"}, True], dtype=object
            ),
            "mixed": pd.Series(["x", 1, 1.0, True, -0.0, 0.0, "x"], dtype=object),
            "when": pd.Series(pd.to_datetime(["2024-01-02"] * n)).astype(object),
        }
    )


def test_json_rows_are_the_row_at_a_time_text() -> None:
    frame = _tricky()
    columns = (*frame.columns, "absent")
    want = [_dump({c: row.get(c) for c in columns}) for row in frame.to_dict("records")]
    assert json_rows(frame, columns) == want
    assert '"f": -0.0' in want[1] and '"mixed": 1.0' in want[2] and '"mixed": true' in want[3]  # not merged
    assert json_rows(frame.iloc[:0], columns) == []


@pytest.mark.parametrize("dtype", [object, "str", "category"])
def test_text_columns_are_str_of_each_value_and_missing_is_null(dtype: object) -> None:
    values = ["a", None, 1.5, math.nan, True, "条", pd.NA] if dtype is object else ["a", None, "条", "a"]
    series = pd.Series(values, dtype=dtype)  # type: ignore[call-overload]
    want = [None if pd.isna(v) else str(v) for v in values]
    assert (
        _text_column(series).tolist()
        == want
        == [None if m else s for s, m in zip(series.astype(str), series.isna(), strict=True)]
    )


@pytest.mark.parametrize("sizes", [(5, 3, 4), (2**40, 2**30, 7)])  # the second overflows one int64
def test_first_of_key_is_not_duplicated(sizes: tuple[int, ...]) -> None:
    rng = np.random.default_rng(2)
    columns = [(rng.integers(-1, min(size, 6), 5000).astype(np.int32), size) for size in sizes]
    want = ~pd.DataFrame({k: codes for k, (codes, _) in enumerate(columns)}).duplicated().to_numpy()
    assert np.array_equal(_first_of_key(columns), want) and 0 < want.sum() < len(want)


def _source() -> Source:
    lines = [f"第{k}行" for k in range(10)]
    return Source(path="x.txt", lines=lines, line_numbers=range(3, 13), original=[f"原{k}" for k in range(12)])


@pytest.mark.parametrize(
    "doc",
    [
        Document(_source(), 1, 0, 10),  # the last two numbers are past the original: ""
        Document(_source(), 1, 2, 8, first_line_offset=1, chrome=frozenset({3, 5})),
        Document(_source(), 1, 4, 4),
        Document(Source("y.txt", ["a", "b", "c", "d"], [2, 2, 1, 4], ["A", "B", "C", "D"]), 1, 0, 4),
        Document(Source("z.txt", ["a", "b", "c"], [5, 6, 7], ["A", "B"]), 1, 0, 3),
    ],
)
def test_document_lines_are_numbered_lines(doc: Document) -> None:
    first: dict[int, str] = {}
    for n, text in doc.numbered_lines():
        first.setdefault(n, text)
    numbers, texts, originals = document_lines(doc)
    assert list(numbers) == sorted(first) and texts == [first[n] for n in sorted(first)]
    assert originals == [doc.source.original_line(n) for n in numbers]


def test_slices_are_whole_chunks_and_the_rest() -> None:
    keep = np.random.default_rng(1).random(1000) < 0.7
    for chunk in (1, 7, 100, 2000):
        slices = list(_slices(keep, chunk))
        assert np.array_equal(np.concatenate(slices), np.flatnonzero(keep))
        assert all(len(s) == chunk for s in slices[:-1]) and 0 < len(slices[-1]) <= chunk
    docs = [Document(_source(), k, 0, 10) for k in range(25)]
    for k, doc in enumerate(docs):
        doc.__dict__["content_hash"] = f"h{k % 20}"  # five copies, stored once
    frames = list(line_tables(docs, {"h0"}, 30))
    assert [len(f) for f in frames] == [30] * 6 + [10] and len(set(pd.concat(frames)["content_hash"])) == 19


class _Spy:
    """A connection that records the rows appended in each transaction, per table."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.transactions, self.registered = con, list[list[tuple[str, int]]](), 0

    def execute(self, sql: str) -> duckdb.DuckDBPyConnection:
        if sql.startswith("BEGIN"):
            self.transactions.append([])
        elif sql.startswith("INSERT INTO"):
            self.transactions[-1].append((sql.split()[2], self.registered))
        return self.con.execute(sql)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.registered = len(frame)
        self.con.register(name, frame)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)


def test_each_table_is_committed_in_whole_commits_and_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "COMMIT_ROWS", 12)
    with duckdb.connect() as con:
        con.execute("CREATE TABLE a (x INTEGER)")
        con.execute("CREATE TABLE b (x INTEGER)")
        spy = _Spy(con)
        slices = [("a", 4)] * 7 + [("a", 2), ("b", 4), ("b", 1)]
        history._append_committed(spy, ((t, pd.DataFrame({"x": range(n)})) for t, n in slices))  # type: ignore[arg-type]
        assert [[n for _, n in t] for t in spy.transactions] == [[4, 4, 4], [4, 4, 4], [4, 2], [4, 1]]
        assert [{t for t, _ in tx} for tx in spy.transactions] == [{"a"}] * 3 + [{"b"}]
        assert con.execute("SELECT count(*) FROM a").fetchone() == (30,)


@pytest.mark.skipif(not LIXIA.is_file(), reason="needs ../shared/corpus")
def test_string_or_category_columns_store_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The frames may carry cells' `raw` and claims' text columns as categories: the store holds the
    same rows either way."""
    monkeypatch.setattr(history, "ROWS_CHUNK", 50)
    result = run_audit([str(LIXIA)], validate_frames=False)
    result.frames.cells.loc[result.frames.cells.index[::3], "raw"] = None  # missing: NULL, not "None"
    plain, categories = HistoryStore(tmp_path / "plain.duckdb"), HistoryStore(tmp_path / "category.duckdb")
    plain.save(result)
    frames = result.frames
    frames.cells = frames.cells.astype({c: "category" for c in ("document", "table", "row", "column", "raw")})
    text = [c for c in CLAIM_COLUMNS if frames.claims[c].dtype == object or frames.claims[c].dtype == "str"]
    frames.claims = frames.claims.astype(dict.fromkeys(text, "category"))
    categories.save(result)
    for table, keys in ROW_KEYS.items():
        got, want = (_table(store.path, table, keys) for store in (categories, plain))
        pd.testing.assert_frame_equal(got, want, obj=table)
    assert len(_table(plain.path, "cells", ROW_KEYS["cells"])) > 100


def _table(path: str, table: str, keys: list[str]) -> pd.DataFrame:
    with duckdb.connect(path, read_only=True) as con:
        frame = con.execute(f"SELECT * FROM {table}").df().drop(columns="first_seen", errors="ignore")
    return frame.sort_values(keys).reset_index(drop=True)
