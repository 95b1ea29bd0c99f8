"""The rows a save adds to the history store (audit.history), built a column at a time.

A national year is millions of cells and text lines: the rows are never built one Python object per
row. Which rows are new (not stored, the first copy of each content hash) is decided from integer
codes over the whole frame; the columns of each slice are taken from codes and arrays; a JSON text
per row (claims, documents) is assembled from each column's distinct values encoded once. The text
stored is the same, byte for byte, as `json.dumps` of the row (`_dump`).
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd

from audit.model import CLAIM_COLUMNS, DOCUMENT_COLUMNS, Document, RunResult

# What identifies a stored row: a save never stores a row twice (the keys the tables once declared)
ROW_KEYS = {
    "documents": ["content_hash"],
    "cells": ["content_hash", "table", "row", "column"],
    "claims": ["content_hash", "seq"],
    "lines": ["content_hash", "line"],
    "findings": ["id"],
}


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


# json.dumps(value, ensure_ascii=False, default=_json_default), without building an encoder per call
_encode = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


def _dump(record: dict[str, Any]) -> str:
    return json.dumps({k: _plain(v) for k, v in record.items()}, ensure_ascii=False, default=_json_default)


def json_rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """`_dump` of each row's `columns` (null for a column the frame lacks), the same text, built a
    column at a time: `"key": value` for each distinct value of a column once, joined per row."""
    parts = [
        _json_column(frame[c], f"{_encode(c)}: ") if c in frame.columns else [f"{_encode(c)}: null"] * len(frame)
        for c in columns
    ]
    return ["{" + ", ".join(row) + "}" for row in zip(*parts, strict=True)]


def _json_column(series: pd.Series, prefix: str) -> list[str]:
    """prefix + the JSON of each value of `series` as `_dump` writes it."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes, distinct = series.cat.codes.to_numpy(), dtype.categories.tolist()
    elif isinstance(dtype, np.dtype) and dtype.kind == "b":
        return np.where(series.to_numpy(), prefix + "true", prefix + "false").tolist()
    elif isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        values = series.to_numpy()
        # floats by their bits: -0.0 is not 0.0 (json writes the sign); every NaN is null
        keys = values.view(f"i{values.itemsize}") if dtype.kind == "f" else values
        codes, uniques = pd.factorize(keys)
        distinct = (uniques.view(dtype) if dtype.kind == "f" else uniques).tolist()
    elif isinstance(dtype, pd.StringDtype) or (
        isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "biu"
    ):  # strings, nullable integers and booleans: equal values are the same value
        codes, found = pd.factorize(series)
        distinct = found.tolist()
    else:
        return _json_objects(series.tolist(), prefix)
    texts = np.array([prefix + _encode(_plain(v)) for v in distinct] + [prefix + "null"], dtype=object)
    return texts[codes].tolist()  # a code -1 (missing) takes the last


def _json_objects(values: list[Any], prefix: str) -> list[str]:
    """A column of Python objects: a string met again is encoded once (other values each time:
    a cache keyed by value would take 1 for True, 0.0 for -0.0)."""
    seen: dict[str, str] = {}
    out = []
    for v in values:
        if type(v) is str:
            text = seen.get(v)
            if text is None:
                text = seen[v] = prefix + _encode(v)
        else:
            text = prefix + _encode(_plain(v))
        out.append(text)
    return out


def _codes(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """(integer code of each value, the distinct values): -1 for a missing value."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), series.cat.categories
    codes, uniques = pd.factorize(series)
    return codes, pd.Index(uniques)


def _hash_codes(documents: pd.Series, hash_of: dict[Any, Any]) -> tuple[np.ndarray, pd.Index]:
    """Each row's document's content hash, as (codes, hashes): -1 for a document without one."""
    codes, names = _codes(documents)
    of_name, hashes = pd.factorize(pd.Series([hash_of.get(n) for n in names], dtype=object))
    return np.concatenate([of_name, [-1]]).astype(np.int32)[codes], pd.Index(hashes)


def _strings(values: pd.Index) -> np.ndarray:
    """str() of each value as an object array, and None last: `_strings(values)[codes]` are the
    strings of codes into `values`, None for -1."""
    return np.concatenate([values.astype(str).to_numpy(dtype=object), np.array([None], dtype=object)])


def _text_column(series: pd.Series) -> np.ndarray:
    """`series.astype(str)` with missing values None, as an object column; a category's strings
    are converted once each."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return _strings(series.cat.categories)[series.cat.codes.to_numpy()]
    missing = series.isna().to_numpy()
    values = [
        None if gone else v if type(v) is str else str(v) for v, gone in zip(series.tolist(), missing, strict=True)
    ]
    return np.array(values, dtype=object)  # the frame's own strings, not copies


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    """A frame whose string columns stay Python objects: DuckDB scans them itself, as fast as
    pandas would turn them into Arrow strings first (and without that second copy)."""
    return pd.DataFrame(
        {
            k: pd.Series(v, dtype=object) if isinstance(v, np.ndarray) and v.dtype == object else v
            for k, v in columns.items()
        }
    )


def _compact(texts: list[str], index: pd.Index | None = None) -> pd.Series:
    """Long texts (JSON) as pandas' string dtype: with pyarrow, one UTF-8 buffer (a Chinese text
    as a Python str takes twice its UTF-8, and DuckDB adds a UTF-8 copy to each while it holds a
    transaction's rows), ~40% less memory held until the commit; without, Python strings."""
    return pd.Series(texts, index=index, dtype="str")


def report_tables(
    result: RunResult, stored: set[str], chunk: int, json_chunk: int
) -> Iterator[tuple[str, pd.DataFrame]]:
    """The cells and claims this run adds — one copy per content hash not stored yet — as (table,
    frame) pairs of `chunk` rows (claims: `json_chunk`; the last of each table: the rest), so that the save never holds a
    second copy of the batch's frames, nor a JSON text per claim of the whole batch; the text lines
    come from `line_tables`, the rest from `final_tables`."""
    hash_of = _hash_of(result)
    yield from _cell_slices(result.frames.cells, hash_of, stored, chunk)
    yield from _claim_slices(result.frames.claims, hash_of, stored, json_chunk)


def final_tables(
    result: RunResult, stored_hashes: set[str], stored_ids: set[str], chunk: int
) -> Iterator[tuple[str, pd.DataFrame]]:
    """The documents rows (one per content hash not stored) and the findings whose id is not
    stored, `chunk` rows at a time: built while they are appended, never the whole batch's JSON
    at once."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    documents = result.frames.documents
    docs = documents[documents["content_hash"].notna() & ~documents["content_hash"].isin(stored_hashes)]
    # the original before its copies: a copy's row names the original it copies
    docs = docs.assign(_copy=docs["duplicate_of"].notna()).sort_values("_copy", kind="stable")
    docs = docs.drop_duplicates(ROW_KEYS["documents"]).drop(columns="_copy")
    for rows in _slices(np.ones(len(docs), dtype=bool), chunk):
        yield "documents", _documents(docs.iloc[rows], now)
    del docs
    hash_of = _hash_of(result)
    ids = result.findings["id"].astype(str)
    for rows in _slices((~ids.duplicated() & ~ids.isin(stored_ids)).to_numpy(), chunk):
        yield "findings", _findings(result.findings.iloc[rows], hash_of, now)


def _hash_of(result: RunResult) -> dict[Any, Any]:
    documents = result.frames.documents
    return dict(zip(documents["id"], documents["content_hash"], strict=True))


def _documents(docs: pd.DataFrame, now: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "content_hash": docs["content_hash"].tolist(),
            "doc_id": docs["id"].tolist(),
            "source": docs["source"].tolist(),
            "agency_key": [_plain(v) for v in docs["agency_key"].tolist()],
            "year": pd.array([_plain(v) for v in docs["year"].tolist()], dtype="Int64"),
            "kind": docs["kind"].tolist(),
            "format": docs["format"].tolist(),
            "row_json": _compact(json_rows(docs, DOCUMENT_COLUMNS)),
            "first_seen": now,
        },
        columns=["content_hash", "doc_id", "source", "agency_key", "year", "kind", "format", "row_json", "first_seen"],
    )


def _findings(f: pd.DataFrame, hash_of: dict[Any, Any], now: str) -> pd.DataFrame:
    documents = [_plain(d) for d in f["document"].tolist()]
    return pd.DataFrame(
        {
            "id": f["id"].astype(str),
            "rule": f["rule"].astype(str),
            "severity": f["severity"].astype(str),
            "content_hash": pd.Series([hash_of.get(d) if d is not None else None for d in documents], index=f.index),
            "document": pd.Series(documents, index=f.index, dtype=object),
            "agency": f["agency"].map(_plain),
            "year": pd.array([_plain(y) for y in f["year"]], dtype="Int64"),
            "message": f["message"].astype(str),
            "evidence_json": _compact([_encode(e) for e in f["evidence"].tolist()], f.index),
            "first_seen": now,
        }
    )


def _first_of_key(columns: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """Whether each row is the first with its key, the key being several columns of codes (-1 for
    missing) each with the number of values it codes. The codes go into one int64 and a stable sort
    finds the firsts: ~26 bytes a row at the peak, where DataFrame.duplicated takes ~75 (a national
    year has ten million cells)."""
    if math.prod(size + 1 for _, size in columns) >= 2**62:  # too many combinations for one int64
        return ~pd.DataFrame({k: codes for k, (codes, _) in enumerate(columns)}).duplicated().to_numpy()
    key = np.zeros(len(columns[0][0]), dtype=np.int64)
    for codes, size in columns:
        key *= size + 1
        key += codes
        key += 1
    order = np.argsort(key, kind="stable")  # equal keys in frame order: the first of each is first
    key = key[order]
    firsts = np.ones(len(key), dtype=bool)
    np.not_equal(key[1:], key[:-1], out=firsts[1:])
    del key
    first = np.zeros(len(firsts), dtype=bool)
    first[order[firsts]] = True
    return first


def _slices(keep: np.ndarray, chunk: int) -> Iterator[np.ndarray]:
    """The positions of the kept rows, `chunk` of them at a time (the last: the rest)."""
    held = np.zeros(0, dtype=np.intp)
    for start in range(0, len(keep), chunk):
        held = np.concatenate([held, np.flatnonzero(keep[start : start + chunk]) + start])
        while len(held) >= chunk:
            yield held[:chunk]
            held = held[chunk:]
    if len(held):
        yield held


def _cell_slices(
    cells: pd.DataFrame, hash_of: dict[Any, Any], stored: set[str], chunk: int
) -> Iterator[tuple[str, pd.DataFrame]]:
    """The cells of every content hash not stored once (the first met), in slices of `chunk` rows;
    which rows are first is decided over the whole frame from integer codes."""
    h, hashes = _hash_codes(cells["document"], hash_of)
    keys = {c: _codes(cells[c]) for c in ("table", "row", "column")}
    first = _first_of_key([(h, len(hashes)), *((codes, len(values)) for codes, values in keys.values())])
    keep = first & (h >= 0) & ~np.append(hashes.isin(stored), True)[h]
    del first
    strings = {"content_hash": (h, _strings(hashes)), **{c: (codes, _strings(v)) for c, (codes, v) in keys.items()}}
    for rows in _slices(keep, chunk):
        part = cells.iloc[rows]
        yield (
            "cells",
            _frame(
                {
                    **{c: values[codes[rows]] for c, (codes, values) in strings.items()},
                    "value": pd.to_numeric(part["value"], errors="coerce").astype(float).to_numpy(),
                    "raw": _text_column(part["raw"]),
                    "blank": part["blank"].fillna(False).astype(bool).to_numpy(),
                    "placeholder": part["placeholder"].fillna(False).astype(bool).to_numpy(),
                    "line": pd.to_numeric(part["line"], errors="coerce").astype("Int64").array,
                }
            ),
        )


def _claim_slices(
    claims: pd.DataFrame, hash_of: dict[Any, Any], stored: set[str], chunk: int
) -> Iterator[tuple[str, pd.DataFrame]]:
    """The claims of the first document of each content hash not stored (a duplicate's claims are
    the original's), numbered per hash, in slices of `chunk` rows."""
    h, hashes = _hash_codes(claims["document"], hash_of)
    documents, _ = _codes(claims["document"])
    first_doc = pd.Series(documents).groupby(h, sort=False).transform("first").to_numpy()
    keep = (h >= 0) & (documents == first_doc) & ~np.append(hashes.isin(stored), True)[h]
    seq = (pd.Series(h[keep]).groupby(h[keep], sort=False).cumcount() + 1).to_numpy(dtype="int64")
    strings, taken = _strings(hashes), 0
    for rows in _slices(keep, chunk):
        yield (
            "claims",
            _frame(
                {
                    "content_hash": strings[h[rows]],
                    "seq": seq[taken : taken + len(rows)],
                    "row_json": _compact(json_rows(claims.iloc[rows], CLAIM_COLUMNS)),
                }
            ),
        )
        taken += len(rows)


def line_tables(documents: Sequence[Document], stored: set[str], chunk: int) -> Iterator[pd.DataFrame]:
    """The text lines of the documents not stored yet (one copy each: the first), `chunk` rows at
    a time (the last: the rest); a line number met twice in a document keeps its first text."""
    seen = set(stored)
    columns: tuple[list[Any], ...] = ([], [], [], [])  # content_hash, line, text, original
    for doc in documents:
        h = doc.content_hash
        if h in seen:
            continue
        seen.add(h)
        numbers, texts, originals = document_lines(doc)
        columns[0].extend([h] * len(texts))
        columns[1].extend(numbers)
        columns[2].extend(texts)
        columns[3].extend(originals)
        while len(columns[0]) >= chunk:
            yield _lines_frame([c[:chunk] for c in columns])
            for c in columns:
                del c[:chunk]
    if columns[0]:
        yield _lines_frame(list(columns))


def _lines_frame(columns: list[list[Any]]) -> pd.DataFrame:
    content_hash, line, text, original = (np.array(c, dtype=object) for c in columns)
    return _frame({"content_hash": content_hash, "line": line.astype("int64"), "text": text, "original": original})


def document_lines(doc: Document) -> tuple[Sequence[int], list[str], list[str]]:
    """(line numbers, normalised texts, original texts) of `doc` as `doc.numbered_lines()` and
    `doc.source.original_line` give them, from slices of the source's lists; a line number met
    twice keeps its first text and the numbers come out increasing."""
    source = doc.source
    texts = list(source.lines[doc.start : doc.end])
    numbers: Sequence[int] = source.line_numbers[doc.start : doc.end]
    if doc.first_line_offset and texts:
        texts[0] = texts[0][doc.first_line_offset :]
    if doc.chrome:
        kept = [k for k in range(len(texts)) if doc.start + k not in doc.chrome]
        texts, numbers = [texts[k] for k in kept], [numbers[k] for k in kept]
    increasing = isinstance(numbers, range) and numbers.step > 0
    if not increasing and any(map(operator.ge, numbers, islice(numbers, 1, None))):
        first = dict(zip(reversed(numbers), reversed(texts), strict=True))
        numbers = sorted(first)
        texts = [first[n] for n in numbers]
    original, size = source.original, len(source.original)
    if isinstance(numbers, range) and numbers.step == 1 and (not numbers or (numbers[0] >= 1 and numbers[-1] <= size)):
        originals = list(original[numbers.start - 1 : numbers.stop - 1]) if numbers else []
    else:
        whole = original[0:size]  # a spilled text read once, not once per line
        originals = [whole[n - 1] if 0 < n <= size else "" for n in numbers]
    return numbers, texts, originals
