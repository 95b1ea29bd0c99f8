"""Renderings of one report: the same report saved twice — a portal page whose tables are read and
its text archive whose table cells run together ("23000002 3") and could not be read.

Such a pair is one report, not two versions: the copy whose tables were read (more numbers read;
the earlier document on a tie) gives the verdict, and what the other copy could not read is not
assessable. A document is taken for a rendering of another annual report of the same agency and year when

- it read fewer table numbers, and every number it did read equals the other's at the same cell;
- its narrative states the same numbers: the claims (metric, kind, value) of the two are the same,
  and there is at least one;
- when the other has tables read, the digits of the other's text from its first to its last table
  line (labels, values and the headings between, e.g. 「…申请数量230000023…」) occur, in the same
  order and unbroken, among the digits of this one's text: its unread tables print the same figures.

The test is strict on purpose: a second text that differs in any narrative number or any table digit
stays a version of its own (document.conflicting_versions compares what both read). Only pairs of one
agency and year are compared, and a document's digits are gathered once.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import Any

import pandas as pd

from audit.model import Frames, Source, dated_reports, plain_rows

_NOT_DIGIT = re.compile(r"[^0-9]+")
_KEY = ["table", "row", "column"]
_LIST_PART = {"part_open": "part"}


def rendering_copies(frames: Frames, sources: list[Source]) -> dict[str, str]:
    """Document id of each rendering copy → id of the copy whose verdict stands for both."""
    docs = dated_reports(frames.documents)
    docs = docs[docs.duplicated(["agency_key", "year"], keep=False)]
    if docs.empty:
        return {}
    ids = set(docs["id"])
    cells = frames.cells[frames.cells["document"].isin(ids)]
    numbers = cells[pd.to_numeric(cells["value"], errors="coerce").notna()]
    read = _Read(numbers)
    claims = frames.claims[frames.claims["document"].isin(ids)]
    said: dict[Any, list[tuple[str, str, float]]] = defaultdict(list)
    for doc, metric, kind, value in plain_rows(claims, "document", "metric", "kind", "value"):
        # whether a list is exhaustive (part / part_open) is read from the layout around it, which the two
        # renderings do not share: the numbers stated are what must agree
        said[doc].append(
            (str(metric), _LIST_PART.get(str(kind), str(kind)), float(value) if pd.notna(value) else float("nan"))
        )
    narrative = {doc: sorted(c, key=repr) for doc, c in said.items()}
    spans = numbers.groupby("document")["line"].agg(["min", "max"]).dropna()
    tables = {doc: (int(lo), int(hi)) for doc, lo, hi in spans.itertuples(name=None)}
    texts = _Texts(sources)
    order = {doc: i for i, doc in enumerate(frames.documents["id"])}
    copies: dict[str, str] = {}
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    columns = list(docs.columns)
    for row in plain_rows(docs, *columns):  # one pass: a frame's to_dict per small group is slow
        record = dict(zip(columns, row, strict=True))
        groups[(record["agency_key"], record["year"])].append(record)
    for records in groups.values():
        numbers_of = {d["id"]: read.of(d["id"]) for d in records}  # one group's at a time: 0.5 GB for 100k documents
        members = sorted(records, key=lambda d: (-len(numbers_of[d["id"]]), order[d["id"]]))
        kept: list[dict[str, Any]] = []
        for doc in members:
            original = next((k for k in kept if _renders(doc, k, numbers_of, narrative, tables, texts)), None)
            if original is None:
                kept.append(doc)
            else:
                copies[str(doc["id"])] = str(original["id"])
    return copies


def _renders(
    doc: dict[str, Any],
    other: dict[str, Any],
    read: dict[Any, dict[tuple[Any, ...], float]],
    narrative: dict[Any, list[tuple[str, str, float]]],
    tables: dict[Any, tuple[int, int]],
    texts: _Texts,
) -> bool:
    """`doc` is a rendering of `other`, which read at least as many table numbers (`tables`: the
    original lines from the first to the last line holding a number read, per document)."""
    mine, theirs = read[doc["id"]], read[other["id"]]
    if mine and len(mine) >= len(theirs):
        return False  # as readable as the other: two versions, compared cell by cell elsewhere
    if any(theirs.get(key) != value for key, value in mine.items()):
        return False
    said = narrative.get(doc["id"])
    if not said or repr(said) != repr(narrative.get(other["id"])):
        return False
    if not theirs:
        return True  # neither read a table: the narrative is all there is to compare
    span = tables.get(other["id"])
    printed = texts.digits(other, *span) if span else ""
    return bool(printed) and printed in texts.digits(doc)


class _Read:
    """The table numbers each document read, as {(table, row, column): value}, built per document on
    request (the documents of one agency and year at a time) from the numbers' columns."""

    def __init__(self, numbers: pd.DataFrame):
        self._columns = [numbers[c].to_numpy(dtype=object) for c in _KEY]
        self._values = numbers["value"].to_numpy(dtype=float)
        self._rows = numbers.groupby("document", observed=True, sort=False).indices if len(numbers) else {}

    def of(self, doc: Any) -> dict[tuple[Any, ...], float]:
        at = self._rows.get(doc)
        if at is None:
            return {}
        tables, rows, columns = (c[at].tolist() for c in self._columns)
        return dict(zip(zip(tables, rows, columns, strict=True), self._values[at].tolist(), strict=True))


class _Texts:
    """The digits of a document's text (all of it, or the original lines lo..hi), gathered once."""

    def __init__(self, sources: list[Source]):
        self.by_path = {s.path: s for s in sources}
        self._cache: dict[tuple[Any, ...], str] = {}

    def digits(self, doc: dict[str, Any], lo: int | None = None, hi: int | None = None) -> str:
        start, end = doc.get("line_start"), doc.get("line_end")
        source = self.by_path.get(str(doc["source"]))
        if source is None or pd.isna(start) or pd.isna(end):
            return ""
        lo = int(start) if lo is None else max(lo, int(start))
        hi = int(end) if hi is None else min(hi, int(end))
        key = (doc["id"], lo, hi)
        if key not in self._cache:
            first, last = bisect_left(source.line_numbers, lo), bisect_right(source.line_numbers, hi)
            self._cache[key] = _NOT_DIGIT.sub("", "".join(source.lines[first:last]))
        return self._cache[key]
