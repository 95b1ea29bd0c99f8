"""The frames the GX suites validate, derived from the run's tidy frames (no GX import: export can
write them too).

The cells frame is long (one row per cell); a table identity needs the cells of one check side by
side. So the identities run on wide frames, one per table and axis:

- `cells_wide_<table>_by_row`: one row per document × printed row, a column per printed column —
  the table as printed (applications.row_total, review_litigation.totals);
- `cells_wide_<table>_by_column`: one row per document × column, a column per printed row — the
  table turned (applications.column_balance, applications.results_total).

Each key has two columns: `<key>` the number (NaN when the cell is not a number) and `<key>:state`
(`number`, `blank`, `placeholder`, `text`; null when the table has no such cell), so a suite can
tell blank from 0 and from a cell that was never printed. A row exists for every (document, group)
with at least one cell, which is what the native engine counts as a check.

`cells_scoped` is the long cells frame with the same document columns, for value constraints.
Every derived frame carries the document's scope columns (SCOPE_COLUMNS), which the expectations'
row conditions read to apply a rule's `applies_to` (kinds, formats, copies, renderings).

`year_pairs_<table>_by_<axis>` joins a report to the same agency's previous year's (the article 20
chains, history.*): one row per current report × previous report × group — the run's reports and the
history store's (annual reports, no copies), at least one of the two in the run, of different
content; several versions of one agency-year give one row per version pair. The current year's cells
are `<key>`, `<key>:state`, `<key>:line`, the previous year's `previous.<key>` and so on; the scope
columns come twice (`previous_<column>` for the previous report) with `in_run`/`previous_in_run`,
since a rule's `applies_to` selects among the run's reports only. A cell printed twice counts once:
the last, as the native chain reads it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import numpy as np
import pandas as pd

from audit.model import (
    A20_2019,
    A20_2021,
    APP_COLUMNS,
    APP_ROWS_ALL,
    RL_GROUPS,
    RL_OUTCOMES,
    TABLES,
    Frames,
    dated_reports,
)

SCOPE_COLUMNS = ("document_kind", "document_format", "is_copy", "is_rendering")
AXES = ("row", "column")
STATES = ("number", "blank", "placeholder", "text")
_A20_FIELDS = tuple(dict.fromkeys(f for fields in [*A20_2019.values(), *A20_2021.values()] for f in fields))
# The keys of each table along each axis, in print order: the wide frames' columns, stable whatever the batch.
KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "row": {
        "applications": APP_ROWS_ALL,
        "review_litigation": RL_GROUPS,
        "article20": tuple(dict.fromkeys([*A20_2019, *A20_2021])),
    },
    "column": {"applications": APP_COLUMNS, "review_litigation": RL_OUTCOMES, "article20": _A20_FIELDS},
}


def other_axis(axis: str) -> str:
    return "column" if axis == "row" else "row"


def state_column(key: str) -> str:
    return f"{key}:state"


def previous_column(key: str) -> str:
    """The previous year's cell of `key` in a year-pairs frame."""
    return f"previous.{key}"


def line_column(key: str) -> str:
    return f"{key}:line"


def previous_scope(column: str) -> str:
    return f"previous_{column}"


def pairs_name(table: str, axis: str) -> str:
    """The year-pairs frame of `table` whose rows are groups along `axis`."""
    return f"year_pairs_{table}_by_{axis}"


def wide_name(table: str, axis: str) -> str:
    """The wide frame whose rows are groups along `axis` (row: the table as printed)."""
    return f"cells_wide_{table}_by_{axis}"


def cell_states(cells: pd.DataFrame) -> np.ndarray:
    """number | blank | placeholder | text for each cell (blank is never 0: it has no number)."""
    value = pd.to_numeric(cells["value"], errors="coerce")
    blank = cells["blank"].fillna(False).astype(bool)
    placeholder = cells["placeholder"].fillna(False).astype(bool)
    return np.select([value.notna(), blank, placeholder], ["number", "blank", "placeholder"], "text").astype(object)


def scope(documents: pd.DataFrame, renderings: Iterable[str] = ()) -> pd.DataFrame:
    """One row per document with SCOPE_COLUMNS. `renderings`: ids of documents that are a second
    rendering of another report (audit.validate.renderings), whose verdict is the other's."""
    ids = documents["id"].astype(object)
    copy = documents["duplicate_of"].notna() | documents["truncated_copy_of"].notna()
    return pd.DataFrame(
        {
            "document": ids.to_numpy(),
            "document_kind": documents["kind"].astype(object).to_numpy(),
            "document_format": documents["format"].astype(object).to_numpy(),
            "is_copy": copy.to_numpy(dtype=bool),
            "is_rendering": ids.isin(set(renderings)).to_numpy(dtype=bool),
        }
    ).drop_duplicates("document")


def wide(cells: pd.DataFrame, scoped: pd.DataFrame, table: str, axis: str) -> pd.DataFrame:
    """The cells of `table` with one row per (document, group along `axis`): see the module doc.
    A cell printed twice counts once (the first), as in the native engine."""
    other = other_axis(axis)
    keys = list(KEYS[other][table])
    sub = cells[(cells["table"] == table) & cells["document"].isin(set(scoped["document"]))]
    sub = sub[sub[axis].notna()].drop_duplicates(["document", axis, other], keep="first")
    sub = sub.assign(_state=cell_states(sub), _value=pd.to_numeric(sub["value"], errors="coerce").astype(float))
    index = pd.MultiIndex.from_frame(sub[["document", axis]].drop_duplicates().astype(object))
    known = sub[sub[other].isin(keys)]
    values = known.pivot(index=["document", axis], columns=other, values="_value").reindex(index=index, columns=keys)
    states = known.pivot(index=["document", axis], columns=other, values="_state").reindex(index=index, columns=keys)
    states = states.astype(object).where(states.notna(), None)
    states.columns = [state_column(k) for k in keys]
    body = pd.concat([values.astype(float), states], axis=1).reset_index()
    body = body.merge(scoped, on="document", how="left")
    columns = ["document", axis, *SCOPE_COLUMNS, *keys, *(state_column(k) for k in keys)]
    return body[columns].reset_index(drop=True)


def cells_scoped(cells: pd.DataFrame, scoped: pd.DataFrame) -> pd.DataFrame:
    """The long cells frame with the document's scope columns (cells of unknown documents dropped)."""
    out = cells.merge(scoped, on="document", how="inner")
    return out.assign(value=pd.to_numeric(out["value"], errors="coerce").astype(float)).reset_index(drop=True)


def _reports(documents: pd.DataFrame, renderings: Iterable[str], history: Frames | None) -> pd.DataFrame:
    """The reports a year pair may join, in the native chain's order (the run's, then the store's):
    every run document (its scope columns say which a rule takes) and the store's annual reports
    that are no copy; each with an agency key and a year."""
    parts = []
    for docs, in_run in ((documents, True), (None if history is None else dated_reports(history.documents), False)):
        if docs is None or docs.empty:
            continue
        docs = docs.drop_duplicates("id")
        extra = docs[["agency_key", "year", "content_hash"]].reset_index(drop=True)
        parts.append(pd.concat([scope(docs, renderings if in_run else ()).reset_index(drop=True), extra], axis=1))
        parts[-1]["in_run"] = in_run
    if not parts:
        return pd.DataFrame(columns=["document", *SCOPE_COLUMNS, "agency_key", "year", "content_hash", "in_run"])
    out = pd.concat(parts, ignore_index=True)
    out = out[out["agency_key"].notna() & out["year"].notna()]
    return out.astype({"year": int, "agency_key": object, "content_hash": object}).reset_index(drop=True)


def report_pairs(
    documents: pd.DataFrame, renderings: Iterable[str] = (), history: Frames | None = None
) -> pd.DataFrame:
    """(current, previous) reports of one agency in consecutive years, one of them in the run, of
    different content, with both reports' scope columns; in the native chain's order."""
    reports = _reports(documents, renderings, history)
    other = reports.rename(columns={c: previous_scope(c) for c in reports.columns if c != "agency_key"})
    other = other.rename(columns={"previous_document": "previous"})
    pairs = reports.assign(_rank=range(len(reports))).merge(
        other.assign(_previous_rank=range(len(other))), on="agency_key"
    )
    keep = (
        (pairs["previous_year"] == pairs["year"] - 1)
        & (pairs["in_run"] | pairs["previous_in_run"])
        & (pairs["content_hash"] != pairs["previous_content_hash"])
    )
    return pairs[keep].reset_index(drop=True)


def _side(cells: pd.DataFrame, table: str, axis: str, ids: set[Any]) -> pd.DataFrame:
    """(document, group) → the number, state and line of each key of the other axis."""
    other, keys = other_axis(axis), list(KEYS[other_axis(axis)][table])
    sub = cells[(cells["table"] == table) & cells["document"].isin(ids) & cells[axis].notna() & cells[other].notna()]
    sub = sub.drop_duplicates(["document", axis, other], keep="last")
    sub = sub.assign(_state=cell_states(sub), _value=pd.to_numeric(sub["value"], errors="coerce").astype(float))
    sub = sub.assign(_line=pd.to_numeric(sub["line"], errors="coerce").astype(float))
    index = pd.MultiIndex.from_frame(sub[["document", axis]].drop_duplicates().astype(object))
    known = sub[sub[other].isin(keys)]
    parts = []
    for column, named in (("_value", str), ("_state", state_column), ("_line", line_column)):
        part = known.pivot(index=["document", axis], columns=other, values=column).reindex(index=index, columns=keys)
        parts.append(part.set_axis([named(k) for k in keys], axis=1))
    return pd.concat(parts, axis=1).reset_index()


def year_pairs(pairs: pd.DataFrame, cells: pd.DataFrame, table: str, axis: str) -> pd.DataFrame:
    """The year-pairs frame of `table` by `axis` (module doc) from `report_pairs` and the cells of
    both the run and the store: one row per pair × group that has a cell in either report, ordered
    as the native chain visits them (current, group, previous)."""
    keys = list(KEYS[other_axis(axis)][table])
    mine = [*keys, *map(state_column, keys), *map(line_column, keys)]
    theirs = [previous_column(c) for c in mine]
    head = ["document", "previous", axis, "agency_key", "year", "previous_year", "in_run", "previous_in_run"]
    columns = [*head, *SCOPE_COLUMNS, *map(previous_scope, SCOPE_COLUMNS), *mine, *theirs]
    side = _side(cells, table, axis, set(pairs["document"]) | set(pairs["previous"]))
    if pairs.empty or side.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    groups = side[["document", axis]]
    which = pairs[["document", "previous"]]
    rows = pd.concat(
        [
            which.merge(groups, on="document"),
            which.merge(groups.rename(columns={"document": "previous"}), on="previous"),
        ]
    ).drop_duplicates()
    rows = rows.merge(pairs, on=["document", "previous"]).merge(side, on=["document", axis], how="left")
    rows = rows.merge(side.set_axis(["previous", axis, *theirs], axis=1), on=["previous", axis], how="left")
    order = {k: i for i, k in enumerate(KEYS[axis][table])}
    rows = rows.assign(_group=rows[axis].map(lambda g: order.get(g, len(order))))
    rows = rows.sort_values(["_rank", "_group", axis, "_previous_rank"], kind="stable")
    states = [c for c in columns if c.endswith(":state")]
    rows[states] = rows[states].astype(object).where(rows[states].notna(), None)
    return rows[columns].reset_index(drop=True)


def derived_frames(
    documents: pd.DataFrame,
    cells: pd.DataFrame,
    renderings: Iterable[str] = (),
    history: Frames | None = None,
    names: Collection[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every frame the suites read besides the exported ones: name → frame (name.parquet on disk);
    only `names` when given. `history`: the store's reports the run read (RunResult.history), which
    the year pairs join."""
    renderings = list(renderings)
    scoped = scope(documents, renderings)
    frames = {}
    for t in TABLES:
        for a in AXES:
            if names is None or wide_name(t, a) in names:
                frames[wide_name(t, a)] = wide(cells, scoped, t, a)
    if names is None or "cells_scoped" in names:
        frames["cells_scoped"] = cells_scoped(cells, scoped)
    paired = [(t, a) for t in TABLES for a in AXES if names is None or pairs_name(t, a) in names]
    if paired:
        pairs = report_pairs(documents, renderings, history)
        stored = [] if history is None or history.cells.empty else [history.cells]
        both = pd.concat([cells, *stored], ignore_index=True) if stored else cells
        frames.update({pairs_name(t, a): year_pairs(pairs, both, t, a) for t, a in paired})
    return frames
