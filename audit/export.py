"""`xxgk-audit export`: the tidy frames of a run, or of a history store, as Parquet or CSV files.

The frames are those of audit.export_schemas (public, documented in docs/frames.md): the run's frames
with every column given its stable dtype, missing values as null and nested values as JSON text.
DuckDB (already the history store's engine) writes the files, each column cast to its declared type,
so no Parquet library is needed: pyarrow installed would make every `import pandas` import it too.

    frames = exported_frames(result)              # {name: DataFrame}, exactly as written
    export_frames(result, Path("out"))            # out/documents.parquet, out/cells.parquet, …
    read_frame(Path("out/cells.parquet"))         # a file back, with the same dtypes
"""

from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from audit.export_schemas import FRAMES, SPECS, Column, dtypes, sql_types
from audit.model import RunResult

__all__ = ["FORMATS", "FRAMES", "export_frames", "export_store", "exported_frames", "read_frame", "store_frames"]

FORMATS = ("parquet", "csv")


def exported_frames(result: RunResult) -> dict[str, pd.DataFrame]:
    """The run's frames as `export_frames` writes them: the columns of audit.export_schemas in
    order, their dtypes, null for every missing value, JSON text for nested values."""
    frames = result.frames
    given = {
        "documents": frames.documents,
        "cells": frames.cells,
        "claims": frames.claims,
        "findings": result.findings,
        "issues": frames.issues,
    }
    return {name: conform(name, given[name]) for name in FRAMES}


def export_frames(result: RunResult, out: Path, fmt: str = "parquet") -> list[Path]:
    """Write out/<frame>.<fmt> for every frame of the run; returns the paths, in FRAMES order."""
    return write_frames(exported_frames(result), out, fmt)


def export_store(db: str | os.PathLike[str], out: Path, fmt: str = "parquet") -> list[Path]:
    """Write the history store's reports as the same files (see store_frames)."""
    return write_frames(store_frames(db), out, fmt)


# -- conforming a frame to its schema --------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _plain(value: Any) -> Any:
    """A nested value as strict JSON can hold it: numpy scalars as Python ones, NaN/NA as null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy scalars and arrays
        return _plain(value.tolist())
    return None if _missing(value) else value


def _json(value: Any) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, str):  # already JSON (the store keeps it so)
        value = json.loads(value)
    return json.dumps(_plain(value), ensure_ascii=False, allow_nan=False)


def _column(values: pd.Series, column: Column) -> pd.Series:
    if column.json is not None:
        return pd.Series([_json(v) for v in values], index=values.index, dtype="string")
    if column.dtype == "string":
        text = values.astype(object)
        text = text.where(text.notna(), None).map(lambda v: None if v is None or v == "" else str(v))
        return text.astype("string")
    if column.dtype in ("Int64", "Float64"):
        numbers = pd.to_numeric(values.astype(object).where(values.notna(), None))
        return numbers.astype(pd.Int64Dtype() if column.dtype == "Int64" else pd.Float64Dtype())
    return values.astype(object).where(values.notna(), None).astype("boolean")


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` as the exported frame `name`: its columns in order (a column it lacks is all null),
    each converted to its dtype; raises when a value cannot be (a number that is text)."""
    index = pd.RangeIndex(len(frame))
    frame = frame.reset_index(drop=True)
    out = {}
    for column in SPECS[name].columns:
        values = frame[column.name] if column.name in frame.columns else pd.Series([None] * len(frame), dtype=object)
        out[column.name] = _column(values.set_axis(index), column)
    return pd.DataFrame(out, index=index)


# -- files -----------------------------------------------------------------------------------------


def _select(name: str) -> str:
    return ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in sql_types(name).items())


def write_frames(frames: dict[str, pd.DataFrame], out: Path, fmt: str = "parquet") -> list[Path]:
    """Write each frame to out/<name>.<fmt>, whole or not at all (a temporary file renamed)."""
    import duckdb

    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    con = duckdb.connect()
    try:
        for name, frame in frames.items():
            path = out / f"{name}.{fmt}"
            part = out / f".{name}.{fmt}.part"
            con.register("frame", frame)
            relation = con.sql(f"SELECT {_select(name)} FROM frame")  # the declared types, even for 0 rows
            try:
                if fmt == "parquet":
                    relation.write_parquet(str(part))
                else:
                    relation.write_csv(str(part), header=True)
                os.replace(part, path)
            finally:
                part.unlink(missing_ok=True)
                con.unregister("frame")
            written.append(path)
    finally:
        con.close()
    return written


def read_frame(path: Path, name: str | None = None) -> pd.DataFrame:
    """An exported file (Parquet or CSV, by its suffix) read back as the frame `name` (default: the
    file's stem), with the exported dtypes: equal to what exported_frames gave. Needs only DuckDB."""
    import duckdb

    name = name or path.stem
    types = sql_types(name)
    con = duckdb.connect()
    try:
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as f:
                found = next(csv.reader(f), [])
            relation = con.read_csv(str(path), header=True, dtype=types)
        else:
            relation = con.read_parquet(str(path))
            found = relation.columns
        if found != list(types):
            raise ValueError(f"{path}: columns {found}, expected those of `{name}`: {list(types)}")
        frame = relation.df()
    finally:
        con.close()
    return frame.astype(dtypes(name))


# -- a history store -------------------------------------------------------------------------------


def store_frames(db: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """The history store's reports as the exported frames: every stored document (each content once;
    a second version of a document id is named `<id>@<hash8>`, as the cross-year rules name it), its
    cells and claims, and every stored finding. The store keeps no issues (that frame is empty) and
    no finding location or 应为/实为 (those columns are null); a finding on a copy keeps the id the
    run gave the copy, which the store holds only as its original."""
    from audit.history import HistoryStore

    tables = HistoryStore(db).read_tables(("documents", "cells", "claims", "findings"))
    documents = tables["documents"].sort_values(["first_seen", "doc_id", "content_hash"], kind="stable")
    rows: list[dict[str, Any]] = []
    order: dict[str, int] = {}  # content hash -> position of its document
    id_of: dict[tuple[str, str], str] = {}  # (id the run gave, content hash) -> id in the export
    taken: set[str] = set()
    for content_hash, doc_id, row_json in documents[["content_hash", "doc_id", "row_json"]].itertuples(index=False):
        unique = str(doc_id) if doc_id not in taken else f"{doc_id}@{str(content_hash)[:8]}"
        taken.add(unique)
        id_of[(str(doc_id), str(content_hash))] = unique
        order[str(content_hash)] = len(order)
        rows.append(json.loads(row_json) | {"id": unique})
    by_hash = {h: i for (_, h), i in id_of.items()}
    cells = tables["cells"].assign(
        document=tables["cells"]["content_hash"].map(by_hash), _doc=tables["cells"]["content_hash"].map(order)
    )
    cells = cells.sort_values(["_doc", "line", "table", "row", "column"], kind="stable")
    claims = tables["claims"].assign(_doc=tables["claims"]["content_hash"].map(order))
    claims = claims.sort_values(["_doc", "seq"], kind="stable")
    claim_rows = [
        json.loads(j) | {"document": by_hash[h]}
        for h, j in claims[["content_hash", "row_json"]].itertuples(index=False)
    ]
    findings = tables["findings"]
    findings = findings.assign(
        document=[
            id_of.get((str(d), str(h)), d) for d, h in zip(findings["document"], findings["content_hash"], strict=True)
        ],
        evidence=findings["evidence_json"],
        _doc=findings["content_hash"].map(order),
    ).sort_values(["_doc", "rule", "id"], kind="stable", na_position="first")
    return {
        "documents": conform("documents", pd.DataFrame(rows)),
        "cells": conform("cells", cells),
        "claims": conform("claims", pd.DataFrame(claim_rows)),
        "findings": conform("findings", findings),
        "issues": conform("issues", pd.DataFrame()),
    }
