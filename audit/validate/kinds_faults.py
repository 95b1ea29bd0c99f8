"""Check kinds about the run itself rather than a report's content: inputs that could not be read,
inputs read only in part (a limit, bad bytes), failures inside the tool, and a run with no report."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import pandas as pd

from audit.validate.kinds import Context, hits_frame, kind, na_frame


@kind("unreadable_input")
def unreadable_input(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An input source could not be read or decoded (run-level: no document). A reader that failed
    inside the tool is extraction.internal_error instead: the input may be fine."""
    records = [
        {
            "document": None,
            "refs": [(s.path, 0, s.error)],
            "key": s.path,
            "vars": {"source": s.path, "error": s.error},
        }
        for s in ctx.sources
        if s.error and not any(n.code == "internal_error" for n in s.notes)
    ]
    return hits_frame(records), na_frame()


class _DocumentAt:
    """The document of a source that holds a given line (the first one for line 0)."""

    def __init__(self, documents: pd.DataFrame):
        self._spans: dict[str, tuple[list[int], list[str]]] = {}
        frame = documents.sort_values(["source", "line_start"], kind="stable")
        for source, group in frame.groupby("source", sort=False):
            starts = [int(x) for x in group["line_start"].fillna(0)]
            self._spans[str(source)] = (starts, [str(d) for d in group["id"]])

    def __call__(self, source: str, line: int) -> str | None:
        starts, ids = self._spans.get(source, ([], []))
        if not ids:
            return None
        return ids[max(bisect_right(starts, line) - 1, 0)]


@kind("source_notes", params=("code",))
def source_notes(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Notes ingest left on a source with the given `code` (limit_exceeded, partial_decode): one hit
    per note, on the document holding the note's line (run-level when the source has no document)."""
    notes = [(s, note) for s in ctx.sources for note in s.notes if note.code == params["code"]]
    document_at = _DocumentAt(ctx.all_documents) if notes else None  # built only when a note needs it
    records = [
        {
            "document": document_at(s.path, note.line),  # type: ignore[misc]
            "refs": [(s.path, note.line, None if note.line else note.detail)],
            "key": f"{note.code}/{note.line}/{note.detail}",
            "vars": {"source": s.path, "detail": note.detail},
        }
        for s, note in notes
    ]
    return hits_frame(records), na_frame()


@kind("internal_error")
def internal_error(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stage or rule failed on a document (or a source); the engine runs this kind after every
    other rule so that the failures of rules are in `ctx.faults` too."""
    lines = dict(zip(ctx.all_documents["id"], ctx.all_documents["line_start"], strict=True))
    sources = dict(zip(ctx.all_documents["id"], ctx.all_documents["source"], strict=True))
    records = []
    for fault in ctx.faults:
        line = fault.line or lines.get(fault.document, 0)
        source = fault.source or sources.get(fault.document)
        records.append(
            {
                "document": fault.document,
                "refs": [(source, 0 if pd.isna(line) else int(line), None if fault.document else fault.error)],
                "key": f"{fault.stage}/{fault.error.split(':')[0]}",
                "vars": {"stage": fault.stage, "error": fault.error, "source": source or ""},
            }
        )
    return hits_frame(records), na_frame()


@kind("no_reports")
def no_reports(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The run holds no annual report at all (an empty folder, only skipped or unreadable files):
    a gate must not pass on nothing. Evidence lists what the inputs were."""
    if (ctx.all_documents["kind"] == "annual_report").any():
        return hits_frame([]), na_frame()
    refs = [(s.path, 0, s.skipped or s.error or "没有年度报告 (no annual report)") for s in ctx.sources[:20]]
    record = {
        "document": None,
        "refs": refs or [("", 0, "没有任何输入文件 (no input file)")],
        "key": "no_reports",
        "vars": {"inputs": len(ctx.sources)},
    }
    return hits_frame([record]), na_frame()
