"""The agency page's comparisons across reports: the years side by side with a trend per key
figure, and the diff of each year's conflicting versions.

Versions of a year are the reports of the same agency and year that are not copies (exact or
truncated) of another document: the run's own, and — when the run reads a history store — the
reports of earlier runs kept there (`RunResult.history`, the frames `HistoryStore.load` returned,
whose documents carry their text lines). A stored version is shown only when its table numbers
differ from the first version listed (what document.conflicting_versions reports); a stored
rendering of the same report (HTML page and text archive) is not a conflict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from audit.history import LINES_COLUMN
from audit.model import Frames, dated_reports, short_hash
from audit.render.context import (
    DocumentView,
    YearColumn,
    YearsRow,
    YearsView,
    cells_index,
    plain,
    year_label,
)
from audit.render.grids import Cells, CellView
from audit.render.trend import build_trend
from audit.render.versions import (
    CellsDiff,
    Line,
    TextDiff,
    VersionDiff,
    VersionRef,
    cells_diff,
    content_lines,
    text_diff,
)

NUMERALS = "一二三四五六七八九十"
STORED_LABEL = "历史库中的版本"


def years_view(reports: list[DocumentView], figures: list[list[tuple[str, CellView]]]) -> YearsView:
    """Key figures of the reports (originals, oldest first) side by side, with a trend per figure."""
    per_year: dict[int | None, int] = defaultdict(int)
    for v in reports:
        per_year[v["year"]] += 1
    columns: list[YearColumn] = [
        {
            "year": v["year"],
            "label": year_label(v["year"]),
            "document": v["id"],
            "version": v["id"] if per_year[v["year"]] > 1 else None,
            "href": f"#{v['anchor']}",
        }
        for v in reports
    ]
    rows: list[YearsRow] = []
    for i, (label, _) in enumerate(figures[0] if figures else []):
        cells = [f[i][1] for f in figures]
        by_year: dict[int, list[CellView]] = defaultdict(list)
        for column, cell in zip(columns, cells, strict=True):
            if column["year"] is not None:  # a report of unknown year has no place on the time axis
                by_year[column["year"]].append(cell)
        rows.append({"label": label, "cells": cells, "trend": build_trend(label, sorted(by_year.items()))})
    return {"columns": columns, "rows": rows}


class StoredVersion:
    """A report of an earlier run, from the history store: what a diff needs of it."""

    def __init__(self, record: dict[str, Any], cells: Cells):
        self.id = str(record["id"])
        self.ref: VersionRef = {
            "id": self.id,
            "source": str(record.get("source") or ""),
            "lines": [plain(record.get("line_start")), plain(record.get("line_end"))],
            "href": None,
            "stored": True,
            "label": STORED_LABEL,
        }
        self.lines = content_lines((int(n), str(t)) for n, t, *_ in record.get(LINES_COLUMN) or [])
        self.cells = cells


def stored_versions(history: Frames | None) -> dict[tuple[str, int], list[StoredVersion]]:
    """The history store's annual reports that are no copy, by (agency_key, year)."""
    if history is None or history.documents.empty or LINES_COLUMN not in history.documents:
        return {}
    h = dated_reports(history.documents)
    if h.empty:
        return {}
    ids = set(h["id"])
    cells = cells_index(history.cells[history.cells["document"].isin(ids)])
    out: dict[tuple[str, int], list[StoredVersion]] = defaultdict(list)
    for row in h.to_dict("records"):
        record = {str(k): v for k, v in row.items()}
        key = (str(record["agency_key"]), int(record["year"]))
        out[key].append(StoredVersion(record, cells.get(str(record["id"]), {})))
    return out


def _label(k: int) -> str:
    return f"版本{NUMERALS[k]}" if k < len(NUMERALS) else f"版本{k + 1}"


def _ref(v: DocumentView, k: int) -> VersionRef:
    return {
        "id": v["id"],
        "source": v["source"],
        "lines": v["lines"],
        "href": f"#{v['anchor']}",
        "stored": False,
        "label": _label(k),
    }


def version_diffs(
    originals: list[DocumentView],
    stored: list[StoredVersion],
    lines_of: Callable[[str], list[Line]],
    cells_of: Callable[[str], Cells],
) -> tuple[list[VersionDiff], int, int]:
    """Each other version of a year against the first one listed — the run's own versions, then the
    stored ones — when their table numbers differ (what document.conflicting_versions reports); how
    many of the run's other versions print the same numbers (the same report rendered twice: not a
    conflict, no diff); and how many have no table number read at all (a text archive whose cells run
    together): those were not compared, and no agreement is claimed for them."""
    if not originals or (len(originals) < 2 and not stored):
        return [], 0, 0
    first = originals[0]
    a, a_lines, a_cells = _ref(first, 0), lines_of(first["id"]), cells_of(first["id"])
    diffs: list[VersionDiff] = []
    same_numbers = unread = 0
    for k, v in enumerate(originals[1:], start=1):
        other = cells_of(v["id"])
        if not any(c["value"] is not None for c in other.values()):
            unread += 1
            continue
        cells = cells_diff(a_cells, other)
        if cells["numbers"]:
            diffs.append(_diff(first, a, _ref(v, k), cells, text_diff(a_lines, lines_of(v["id"]))))
        else:
            same_numbers += 1
    for s in stored:
        cells = cells_diff(a_cells, s.cells)
        if cells["numbers"]:
            diffs.append(_diff(first, a, s.ref, cells, text_diff(a_lines, s.lines)))
    return diffs, same_numbers, unread


def _diff(first: DocumentView, a: VersionRef, b: VersionRef, cells: CellsDiff, text: TextDiff) -> VersionDiff:
    anchor = f"{first['anchor']}-vs-{short_hash('version', b['id'], length=8)}"
    return {"anchor": anchor, "a": a, "b": b, "cells": cells, "text": text}
