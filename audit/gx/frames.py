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
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from audit.model import A20_2019, A20_2021, APP_COLUMNS, APP_ROWS_ALL, RL_GROUPS, RL_OUTCOMES, TABLES

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


def derived_frames(
    documents: pd.DataFrame, cells: pd.DataFrame, renderings: Iterable[str] = ()
) -> dict[str, pd.DataFrame]:
    """Every frame the suites read besides the exported ones: name → frame (name.parquet on disk)."""
    scoped = scope(documents, renderings)
    frames = {wide_name(t, a): wide(cells, scoped, t, a) for t in TABLES for a in AXES}
    frames["cells_scoped"] = cells_scoped(cells, scoped)
    return frames
