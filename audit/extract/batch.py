"""Documents → the frames: metadata (documents), tables (cells), extraction doubts (issues).

Narrative claims (the claims frame) are read from every document that is not a guide
(audit.extract.claims).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from audit.extract.claims import claims_frame, read_claims
from audit.extract.meta import Lines, numbered_content, read_metadata
from audit.extract.table_cells import read_tables
from audit.model import (
    CELL_COLUMNS,
    DOCUMENT_COLUMNS,
    ISSUE_COLUMNS,
    Document,
    Fault,
    Frames,
    empty_frame,
    none_for_missing,
    shared_strings,
)


def decide_format(year: int | None, shape_applications: str | None, shape_article20: str | None) -> str:
    """The format a report uses, from its table shape first and its year second (domain.md §2).

    The 第二十条 table tells 2019 from 2021 best (its columns changed entirely); the applications
    table only differs in the (六)其他处理 rows, which some 2021+ reports still print flat — that is
    a format deviation (structure.format_mismatch), not a 2019-format report.
    """
    shape = shape_article20 or shape_applications
    if shape:
        return shape
    if year is None:
        return "unknown"
    if year <= 2018:
        return "pre2019"
    return "2019" if year <= 2020 else "2021"


def _document_row(doc: Document, meta: dict[str, Any], shapes: tuple[str | None, str | None]) -> dict[str, Any]:
    first, last = doc.line_span
    kind = meta.get("kind") or doc.kind
    if kind != "annual_report" and any(shapes):
        kind = "annual_report"  # the standard tables make it a report whatever the words say
    fmt = decide_format(meta.get("year"), *shapes) if kind == "annual_report" else "unknown"
    row: dict[str, Any] = {c: None for c in DOCUMENT_COLUMNS}
    row.update(meta)
    row.update(
        id=doc.id,
        source=doc.source.path,
        ordinal=doc.ordinal,
        line_start=first,
        line_end=last,
        kind=kind,
        format=fmt,
        duplicate_of=doc.duplicate_of,
        truncated_copy_of=doc.truncated_copy_of,
        content_hash=doc.content_hash,
        shape_applications=shapes[0],
        shape_article20=shapes[1],
    )
    row["headings"] = meta.get("headings") or []
    return row


def _inherit_agency(documents: pd.DataFrame) -> pd.DataFrame:
    """A copy is the same report: it names the original's agency, whatever its cut-off text still says
    (in document order, so a copy of a copy names what its original took)."""
    if documents.empty:
        return documents
    originals = documents["duplicate_of"].where(documents["duplicate_of"].notna(), documents["truncated_copy_of"])
    copies = np.flatnonzero(originals.notna().to_numpy())
    if not len(copies):
        return documents
    ids = documents["id"].tolist()
    agency = dict(zip(ids, documents["agency"], strict=True))
    agency_key = dict(zip(ids, documents["agency_key"], strict=True))
    for at in copies.tolist():
        original = originals.iat[at]
        if original in agency and isinstance(agency[original], str) and agency[original]:  # NaN is no name
            agency[ids[at]], agency_key[ids[at]] = agency[original], agency_key[original]
    return documents.assign(
        agency=pd.Series([agency[i] for i in ids], index=documents.index, dtype=object),
        agency_key=pd.Series([agency_key[i] for i in ids], index=documents.index, dtype=object),
    )


Rows = tuple[list[dict[str, Any]], list[tuple[Any, ...]], list[dict[str, Any]], list[tuple[Any, ...]], list[Fault]]
# Below this many documents a worker process costs more than it saves.
PARALLEL_MIN_DOCUMENTS = 400
_BATCH: list[Document] = []  # the documents a forked worker reads (inherited, never pickled)
_T = TypeVar("_T")
_R = TypeVar("_R")


def extract_rows(documents: list[Document]) -> Rows:
    """Document, cell, issue and claim rows of `documents`, in this process, and the faults met: a
    step that fails on one document is left out for that document only."""
    doc_rows: list[dict[str, Any]] = []
    cell_rows: list[tuple[Any, ...]] = []
    issue_rows: list[dict[str, Any]] = []
    claim_rows: list[tuple[Any, ...]] = []
    faults: list[Fault] = []
    for doc in documents:
        doc_id = doc.id
        lines: Lines | None = None  # the document's numbered lines, read once for every extractor
        try:
            lines = numbered_content(doc)
            meta = read_metadata(doc, lines)
        except Exception as exc:  # noqa: BLE001 - one document never stops the batch
            faults.append(Fault.of("extract (metadata)", exc, document=doc_id))
            meta = {}
        shapes: tuple[str | None, str | None] = (None, None)
        if (meta.get("kind") or doc.kind) not in ("guide", "unknown"):
            try:
                tables = read_tables(numbered_content(doc) if lines is None else lines, meta.get("year"))
                shapes = (tables.shape_applications, tables.shape_article20)
                cell_rows.extend([(doc_id,) + c for c in tables.cells])
                issue_rows.extend({"document": doc_id, **i} for i in tables.issues)
            except Exception as exc:  # noqa: BLE001
                faults.append(Fault.of("extract (tables)", exc, document=doc_id))
            try:
                claim_rows.extend(read_claims(doc, year=meta.get("year"), lines=lines))
            except Exception as exc:  # noqa: BLE001
                faults.append(Fault.of("extract (claims)", exc, document=doc_id))
        doc_rows.append(_document_row(doc, meta, shapes))
    return doc_rows, cell_rows, issue_rows, claim_rows, faults


def _extract_range(bounds: tuple[int, int]) -> Rows:
    return extract_rows(_BATCH[bounds[0] : bounds[1]])


def workers() -> int:
    """Worker processes worth starting here: one per core (at most 8), none without fork."""
    return min(os.cpu_count() or 1, 8) if "fork" in mp.get_all_start_methods() else 1


def fork_map(function: Callable[[_T], _R], tasks: list[_T]) -> list[_R]:
    """`function` over `tasks` in forked worker processes, the results in task order. A task whose
    worker died (the pool is broken, not the task) or whose result could not come back is redone
    in this process."""
    results: dict[int, _R] = {}
    try:
        with ProcessPoolExecutor(workers(), mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(function, task) for task in tasks]
            for k, future in enumerate(futures):
                try:
                    results[k] = future.result()
                except BrokenProcessPool:
                    break
                except Exception:  # noqa: BLE001 - e.g. a result that does not pickle: redone below
                    continue
    except BrokenProcessPool:
        pass
    return [results[k] if k in results else function(task) for k, task in enumerate(tasks)]


def _extract_rows(documents: list[Document]) -> Rows:
    """Every document's rows, in document order: one process per core for large batches.

    Documents are independent here, so a forked worker per core reads its share of the batch it
    inherited; only the extracted rows travel back. Without fork (or with one core) it runs in-process,
    and so does a range whose worker died.
    """
    global _BATCH
    _BATCH = documents
    try:
        if workers() < 2 or len(documents) < PARALLEL_MIN_DOCUMENTS:
            return extract_rows(documents)
        step = -(-len(documents) // (workers() * 4))
        parts = fork_map(_extract_range, [(i, min(i + step, len(documents))) for i in range(0, len(documents), step)])
    finally:
        _BATCH = []
    return join_rows(parts)


def join_rows(parts: Iterable[Rows]) -> Rows:
    """The rows of several parts of a batch, in order."""
    rows: Rows = ([], [], [], [], [])
    for part in parts:
        for collected, more in zip(rows, part, strict=True):
            collected.extend(more)  # type: ignore[attr-defined]
    return rows


def extract_all(documents: list[Document], faults: list[Fault] | None = None) -> Frames:
    """The frames of `documents`; failures on single documents are appended to `faults` (or raised
    when no list is given, as tests of one extractor want)."""
    doc_rows, cell_rows, issue_rows, claim_rows, met = _extract_rows(documents)
    if met and faults is None:
        raise RuntimeError(f"extraction failed: {met[0]}")
    if faults is not None:
        faults.extend(met)
    return frames_of(doc_rows, cell_rows, issue_rows, claim_rows)


def frames_of(
    doc_rows: list[dict[str, Any]],
    cell_rows: list[tuple[Any, ...]],
    issue_rows: list[dict[str, Any]],
    claim_rows: list[tuple[Any, ...]],
) -> Frames:
    """The frames of the batch's rows (copies marked in `doc_rows`: they take their original's agency)."""
    return finish_frames(part_frames(doc_rows, cell_rows, issue_rows, claim_rows))


def part_frames(
    doc_rows: list[dict[str, Any]],
    cell_rows: list[tuple[Any, ...]],
    issue_rows: list[dict[str, Any]],
    claim_rows: list[tuple[Any, ...]],
) -> Frames:
    """The typed frames of one part of a batch's rows, built where the rows were extracted: a chunk
    worker sends these back (compact numpy buffers and categories, not a Python object per row)
    and the parent concatenates them (join_frames) and finishes the whole (finish_frames)."""
    documents_frame = (
        pd.DataFrame(doc_rows, columns=list(DOCUMENT_COLUMNS)) if doc_rows else empty_frame(DOCUMENT_COLUMNS)
    )
    documents_frame = documents_frame.astype({c: "Int64" for c in _INTEGERS})
    cells = pd.DataFrame(cell_rows, columns=list(CELL_COLUMNS)) if cell_rows else empty_frame(CELL_COLUMNS)
    cells = cells.astype({"value": "float64", "blank": "bool", "placeholder": "bool", **_CELL_CATEGORIES})
    issues = pd.DataFrame(issue_rows, columns=list(ISSUE_COLUMNS)) if issue_rows else empty_frame(ISSUE_COLUMNS)
    return Frames(documents=documents_frame, cells=cells, claims=claims_frame(claim_rows), issues=issues)


# few distinct keys over millions of cells: categories hold each once (41 → 19.5 MB per 2,000 documents)
_CELL_CATEGORIES = {c: "category" for c in ("document", "table", "row", "column")}
_INTEGERS = ["ordinal", "year", "line_start", "line_end", *(c for c in DOCUMENT_COLUMNS if c.endswith("_line"))]


def join_frames(parts: list[Frames]) -> Frames:
    """The frames of consecutive parts of a batch, in order (categories united, never widened to
    object); empty parts add nothing."""
    joined = {}
    for name in ("documents", "cells", "claims", "issues"):
        frames = [getattr(part, name) for part in parts]
        shown = [frame for frame in frames if len(frame)] or frames[:1]
        if len(shown) == 1:
            joined[name] = shown[0]
            continue
        columns = {}
        for column in shown[0].columns:
            pieces = _alike([frame[column] for frame in shown])
            if isinstance(pieces[0].dtype, pd.CategoricalDtype):
                columns[column] = pd.Series(union_categoricals(pieces, sort_categories=True))
            else:
                columns[column] = pd.concat(pieces, ignore_index=True)
        joined[name] = pd.DataFrame(columns)
    return Frames(**joined)


def _alike(pieces: list[pd.Series]) -> list[pd.Series]:
    """A column's pieces in one dtype: a part where the column is all missing got pandas' fallback
    dtype (object), the others the dtype the whole column would have had (e.g. `str`)."""
    held = {str(piece.dtype): piece.dtype for piece in pieces if piece.notna().any()}
    if len(held) != 1 or isinstance(pieces[0].dtype, pd.CategoricalDtype):
        return pieces
    (dtype,) = held.values()
    return [piece if piece.dtype == dtype else piece.astype(dtype) for piece in pieces]


def finish_frames(frames: Frames) -> Frames:
    """What needs the whole batch: copies take their original's agency (their `duplicate_of` and
    `truncated_copy_of` set), and text columns hold None for missing values."""
    documents = _inherit_agency(frames.documents)
    cells = shared_strings(none_for_missing(frames.cells, ["raw"]), ["raw"])  # the cells' keys are never missing
    return Frames(
        documents=none_for_missing(documents),
        cells=object_categories(cells),
        claims=object_categories(frames.claims),
        issues=none_for_missing(frames.issues),
    )


def object_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns whose categories are Python strings (object), not pandas' Arrow-backed
    `str`: reading Arrow categories as Python values (`tolist`, `to_numpy(object)`, as every stage
    does) makes a new str object per row — 125 MB for 400,000 cells' keys — where object categories
    give the same few objects. Same codes, same categories in the same order."""
    changed = {
        c: pd.Categorical.from_codes(
            frame[c].cat.codes.to_numpy(),
            categories=pd.Index(frame[c].cat.categories.to_numpy(dtype=object), dtype=object),
            ordered=frame[c].cat.ordered,
        )
        for c in frame.columns
        if isinstance(frame[c].dtype, pd.CategoricalDtype) and frame[c].cat.categories.dtype != object
    }
    return frame.assign(**changed) if changed else frame
