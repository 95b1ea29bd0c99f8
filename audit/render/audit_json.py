"""audit.json exactly as contract.md §2–§3 (plus additive keys: run.not_assessable, inputs,
not_assessable, finding location). One serialised finding feeds every output.

`run` writes it record by record (`write_audit`): as audit.json, or as JSON Lines (docs/jsonl.md)
for big runs — never the whole document as one string in memory.
"""

from __future__ import annotations

import json
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

import audit
from audit.model import A20_LITERAL_FIELDS, SEVERITIES, RunResult, Source


def _clean(value: Any) -> Any:
    """pandas/numpy scalars → plain JSON values (NaN/NA → None)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _str_keys(record: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in record.items()}


def cell_json(column: str, value: float, raw: str, blank: bool, placeholder: bool) -> Any:
    """A table cell in audit.json: number, null for blank, the literal for placeholders."""
    if blank:
        return None
    if placeholder or column in A20_LITERAL_FIELDS:
        return raw
    return _clean(value)


def tables_by_document(cells: pd.DataFrame) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    out: dict[str, dict[str, dict[str, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    if cells.empty:
        return out
    # the JSON value of every cell at once (a million cells at 5,000 reports): number, null or literal
    value = cells["value"].to_numpy(dtype=float)
    integral = np.isfinite(value) & (np.mod(value, 1) == 0)
    numbers = np.empty(len(value), dtype=object)
    numbers[:] = value.tolist()  # Python floats
    whole = np.flatnonzero(integral)
    numbers[whole] = value[whole].astype("int64").tolist()  # Python ints: 9253, not 9253.0
    numbers[~np.isfinite(value)] = None
    literal = cells["placeholder"].to_numpy(dtype=bool) | cells["column"].isin(A20_LITERAL_FIELDS).to_numpy()
    shown = np.where(literal, cells["raw"].to_numpy(dtype=object), numbers)
    shown[cells["blank"].to_numpy(dtype=bool)] = None
    keys = zip(
        cells["document"].tolist(),
        cells["table"].tolist(),
        cells["row"].tolist(),
        cells["column"].tolist(),
        strict=True,
    )
    for (doc, table, row, column), cell in zip(keys, shown.tolist(), strict=True):
        out[doc][table].setdefault(row, {})[column] = cell
    return out


def _json(value: Any) -> str:
    # no `indent`: it makes json fall back from its C encoder to the pure-Python one (3–5× slower)
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _laid_out(parts: Iterable[tuple[str, Any]]) -> Iterator[str]:
    """An object as text pieces: one key per line, a list one item per line (readable and diffable
    without `indent`); a list may be any iterable, consumed as it is written."""
    yield "{"
    for i, (key, value) in enumerate(parts):
        yield (",\n" if i else "") + _json(key) + ": "
        if isinstance(value, list | Iterator):
            items = iter(value)
            first = next(items, _END)
            if first is _END:
                yield "[]"
                continue
            yield f"[\n{_json(first)}"
            for item in items:
                yield f",\n{_json(item)}"
            yield "\n]"
        else:
            yield _json(value)
    yield "\n}"


_END = object()


def dumps(document: Any) -> str:
    """Strict JSON (NaN and Infinity refused: a missing value must already be null) — every JSON
    output of the tool goes through here. An object is laid out one key, and one list item, per
    line; a list one item per line."""
    if isinstance(document, list) and document:
        return "[\n" + ",\n".join(_json(item) for item in document) + "\n]"
    if not isinstance(document, dict):
        return _json(document)
    return "".join(_laid_out(document.items()))


def document_json(row: dict[str, Any], tables: dict[str, Any]) -> dict[str, Any]:
    period = None
    start, end = _clean(row.get("period_start")), _clean(row.get("period_end"))
    if start is not None or end is not None:
        period = {"start": start, "end": end}
    return {
        "id": row["id"],
        "source": row["source"],
        "ordinal": _clean(row["ordinal"]),
        "lines": [_clean(row["line_start"]), _clean(row["line_end"])],
        "kind": row["kind"],
        "agency": _clean(row.get("agency")),
        "year": _clean(row.get("year")),
        "format": row["format"],
        "period": period,
        "published": _clean(row.get("published")),
        "signed": _clean(row.get("signed")),
        "duplicate_of": _clean(row.get("duplicate_of")),
        "truncated_copy_of": _clean(row.get("truncated_copy_of")),
        "tables": {k: dict(v) for k, v in tables.items()},
    }


def finding_json(row: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: _clean(row.get(k))
        for k in ("id", "rule", "severity", "document", "agency", "year", "message", "expected", "actual")
    }
    out["evidence"] = [{k: _clean(v) for k, v in e.items()} for e in row.get("evidence") or []]
    location = {k: _clean(row.get(k)) for k in ("table", "row", "column")}
    if any(v is not None for v in location.values()):
        out["location"] = location
    if row.get("new") is not None:  # a baseline was given (audit.gate)
        out["new"] = bool(row["new"])
    if isinstance(row.get("waived"), dict):  # a waiver silences it (audit.gate)
        out["waived"] = dict(row["waived"])
    return out


def input_json(source: Source, documents: int) -> dict[str, Any]:
    """One input as audit.json lists it: what became of it (`status` audited | unreadable | skipped,
    with the `reason`), what it was, and the notes of a partial read (limits, bad bytes)."""
    return {
        "source": source.path,
        "status": source.status,
        "reason": source.skipped or source.error,
        "media_type": source.media_type,
        "encoding": source.encoding,
        "bytes": source.size,
        "documents": documents,
        "error": source.error,
        "notes": [{"code": n.code, "detail": n.detail, "line": n.line} for n in source.notes],
    }


DOCUMENTS_AT_ONCE = 2000  # documents whose records (and cells) are built at a time: bounds the memory


def documents_json(result: RunResult) -> Iterator[dict[str, Any]]:
    """Each document's record, built DOCUMENTS_AT_ONCE documents at a time (a national year's cells
    as nested dicts all at once would take gigabytes)."""
    documents, cells = result.frames.documents, result.frames.cells
    ids = pd.Index(documents["id"])
    if not ids.is_unique:  # (never from a run) one id, one set of tables: built whole
        tables = tables_by_document(cells)
        for r in documents.to_dict("records"):
            yield document_json(_str_keys(r), tables.get(r["id"], {}))
        return
    position = ids.get_indexer(cells["document"].astype(object))  # -1: a cell of no listed document
    order = np.argsort(position, kind="stable")  # each document's cells together, in their order
    bounds = np.searchsorted(position[order], np.arange(0, len(documents) + DOCUMENTS_AT_ONCE, DOCUMENTS_AT_ONCE))
    for k, start in enumerate(range(0, len(documents), DOCUMENTS_AT_ONCE)):
        tables = tables_by_document(cells.iloc[order[bounds[k] : bounds[k + 1]]])
        for r in documents.iloc[start : start + DOCUMENTS_AT_ONCE].to_dict("records"):
            yield document_json(_str_keys(r), tables.get(r["id"], {}))


def findings_json(result: RunResult) -> Iterator[dict[str, Any]]:
    for r in result.findings.to_dict("records"):
        yield finding_json(_str_keys(r))


def not_assessable_json(result: RunResult) -> Iterator[dict[str, Any]]:
    for r in result.not_assessable.to_dict("records"):
        yield {str(k): _clean(v) for k, v in r.items()}


def audit_header(result: RunResult) -> dict[str, Any]:
    """tool, run, gate and inputs: what audit.json holds before its documents."""
    counts = dict.fromkeys(SEVERITIES, 0)
    if not result.findings.empty:
        for severity, n in result.findings["severity"].value_counts().items():
            counts[str(severity)] += int(n)
    docs_per_source: dict[str, int] = defaultdict(int)
    for d in result.documents:
        docs_per_source[d.source.path] += 1
    return {
        "tool": {"name": "xxgk-audit", "version": audit.__version__},
        "run": {
            "started": result.started,
            "inputs": len(result.sources),
            "skipped": sum(1 for s in result.sources if s.skipped),
            "unreadable": sum(1 for s in result.sources if s.status == "unreadable"),
            "internal_errors": len(result.faults),
            "documents": len(result.documents),
            "findings": counts,
            "not_assessable": len(result.not_assessable),
        },
        "gate": result.gate,  # the run's one verdict (audit.gate.verdict): what the exit code says
        "inputs": [input_json(s, docs_per_source.get(s.path, 0)) for s in result.sources],
    }


def _sections(result: RunResult) -> Iterator[tuple[str, Iterator[dict[str, Any]]]]:
    yield "documents", documents_json(result)
    yield "findings", findings_json(result)
    yield "not_assessable", not_assessable_json(result)


def audit_json(result: RunResult) -> dict[str, Any]:
    return audit_header(result) | {name: list(records) for name, records in _sections(result)}


# JSON Lines (docs/jsonl.md): the record type of each line, then the fields as audit.json names them.
RECORD = "record"
RECORD_TYPES = {"documents": "document", "findings": "finding", "not_assessable": "not_assessable"}


def write_audit(result: RunResult, path: Path, fmt: str = "json") -> dict[str, Any]:
    """Write audit.json (`fmt` "json") or its JSON Lines form ("jsonl": a header record, then one
    record per document, finding and not-assessable check) record by record, whole or not at all
    (a temporary file beside `path`, then a rename); return the header."""
    header = audit_header(result)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as out:
            if fmt == "jsonl":
                _write_lines(out, header, _sections(result))
            else:
                out.writelines(_laid_out([*header.items(), *_sections(result)]))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return header


def _write_lines(out: TextIO, header: dict[str, Any], sections: Iterable[tuple[str, Iterator[dict[str, Any]]]]) -> None:
    out.write(_json({RECORD: "header", **header}) + "\n")
    for name, records in sections:
        kind = RECORD_TYPES[name]
        out.writelines(_json({RECORD: kind, **record}) + "\n" for record in records)
