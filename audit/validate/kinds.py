"""The registry of check kinds, and what every kind receives and returns.

A check kind is a function `(ctx, params) -> Outcome` registered with `@kind("name", params=...)`.
It runs once per rule over ALL documents the rule applies to (pandas, no per-document loops for
the table checks) and returns two frames:

- hits (`HIT_COLUMNS`): one row per failure — the document, the location of the failing cell
  (table/row/column, None when not about a cell), expected/actual numbers, `refs` (evidence:
  a list of `(source or None, line, text or None)`; None source = the document's own source, None
  text = the original line), `key` (the location part of the finding id) and `vars` (values for the
  rule's message template); `severity`, when set, lowers the rule's severity for this hit (a copy's
  reading doubt is a note, never charged to the agency), never raises it.
- not assessable (`NA_COLUMNS`): checks that an operand blank, placeholder or missing kept from
  being decided.

The engine (audit.validate.engine) turns hits into findings: message, evidence text, id, severity.
Kinds live in the kinds_*.py modules, which import this one; audit.validate.registry imports them all
(so the registry is complete) without this module importing them back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from audit.model import (
    A20_2019,
    A20_2021,
    A20_FIELD_ZH,
    A20_ITEM_ZH,
    APP_COLUMN_ZH,
    APP_COLUMNS,
    APP_ROW_ZH,
    APP_ROWS_ALL,
    RL_GROUP_ZH,
    RL_GROUPS,
    RL_OUTCOME_ZH,
    RL_OUTCOMES,
    Fault,
    Frames,
    Source,
)

HIT_COLUMNS = ("document", "table", "row", "column", "expected", "actual", "refs", "key", "vars", "severity")
NA_COLUMNS = ("document", "table", "row", "column", "reason", "line")

# Row and column labels per table, used in messages and not-assessable reasons.
ROW_ZH = {"applications": APP_ROW_ZH, "review_litigation": RL_GROUP_ZH, "article20": A20_ITEM_ZH}
COLUMN_ZH = {"applications": APP_COLUMN_ZH, "review_litigation": RL_OUTCOME_ZH, "article20": A20_FIELD_ZH}
# Print order of tables, rows and columns (for sorting findings and listing cells).
TABLE_ORDER = {"applications": 0, "review_litigation": 1, "article20": 2}
ROW_ORDER = {k: i for i, k in enumerate(dict.fromkeys([*APP_ROWS_ALL, *RL_GROUPS, *A20_2019, *A20_2021]))}
COLUMN_ORDER = {
    k: i
    for i, k in enumerate(
        dict.fromkeys([*APP_COLUMNS, *RL_OUTCOMES, *(f for fs in [*A20_2019.values(), *A20_2021.values()] for f in fs)])
    )
}


class Context:
    """What one rule runs over: the documents in its scope, their cells and issues, and the whole
    run (to name the other copy or version). Cell subsets and key codes are computed on first use
    and shared by every rule of the same scope."""

    def __init__(
        self,
        documents: pd.DataFrame,
        issues: pd.DataFrame,
        all_documents: pd.DataFrame,
        all_cells: pd.DataFrame,
        sources: list[Source],
        cell_mask: Any = None,  # numpy bool array over all_cells; None = every cell
        table_masks: dict[str, Any] | None = None,  # shared across scopes: table → bool array
        cell_documents: Any = None,  # position in all_documents of each cell's document (-1: none)
        claims: pd.DataFrame | None = None,  # the claims frame of the whole run (audit.extract.claims)
        history: Frames | None = None,  # earlier reports of the same agencies from the history store
        faults: list[Fault] | None = None,  # failures inside the tool so far (extraction.internal_error)
    ):
        self.faults = faults if faults is not None else []  # the run's list, shared (it grows)
        self.claims = claims
        self.history = history
        self.documents, self.issues, self.sources = documents, issues, sources
        self.all_documents, self.all_cells = all_documents, all_cells
        self._mask = None if cell_mask is None or bool(cell_mask.all()) else cell_mask
        self._cells: pd.DataFrame | None = None if self._mask is not None else all_cells
        self._table_masks = {} if table_masks is None else table_masks
        self._tables: dict[str, pd.DataFrame] = {}
        self._codes: dict[tuple[str, str], tuple[Any, pd.Index]] = {}
        self._cell_documents = cell_documents

    @property
    def cells(self) -> pd.DataFrame:
        """The cells of the documents in scope."""
        if self._cells is None:
            self._cells = self.all_cells[pd.Series(self._mask, index=self.all_cells.index)]
        return self._cells

    def table_cells(self, table: str) -> pd.DataFrame:
        """The cells of one table of the documents in scope."""
        if table not in self._tables:
            self._tables[table] = self.all_cells[self._table_mask(table)]
        return self._tables[table]

    def _table_mask(self, table: str) -> Any:
        if table not in self._table_masks:
            self._table_masks[table] = (self.all_cells["table"] == table).to_numpy(dtype=bool)
        return self._table_masks[table] if self._mask is None else self._table_masks[table] & self._mask

    def codes(self, table: str, column: str) -> tuple[Any, pd.Index]:
        """Integer codes (-1 for NA) of a key column of `table_cells(table)` and the keys they stand for."""
        if (table, column) not in self._codes:
            if column == "document" and self._cell_documents is not None:  # already known: no hashing
                codes = self._cell_documents[self._table_mask(table)]
                self._codes[(table, column)] = (codes.astype("int64"), pd.Index(self.all_documents["id"]))
            else:
                codes, uniques = pd.factorize(self.table_cells(table)[column])
                self._codes[(table, column)] = (codes.astype("int64"), pd.Index(uniques))
        return self._codes[(table, column)]


@dataclass(frozen=True)
class Kind:
    name: str
    function: Callable[[Context, dict[str, Any]], tuple[pd.DataFrame, pd.DataFrame]]
    params: tuple[str, ...]  # required parameters
    doc: str


REGISTRY: dict[str, Kind] = {}


def kind(name: str, *, params: Iterable[str] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a check kind under `name`; `params` lists the parameters a rule must give it."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY:
            raise ValueError(f"check kind {name!r} registered twice")
        REGISTRY[name] = Kind(name, function, tuple(params), (function.__doc__ or "").strip())
        return function

    return register


# -- building the outcome frames ---------------------------------------------------------------


def hits_frame(records: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Hits with exactly HIT_COLUMNS (missing ones None)."""
    frame = records if isinstance(records, pd.DataFrame) else pd.DataFrame(records)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in HIT_COLUMNS})
    for c in HIT_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    return frame[list(HIT_COLUMNS)].reset_index(drop=True)


def na_frame(records: list[dict[str, Any]] | pd.DataFrame | None = None) -> pd.DataFrame:
    """Not-assessable rows with exactly NA_COLUMNS."""
    frame = records if isinstance(records, pd.DataFrame) else pd.DataFrame(records or [])
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in NA_COLUMNS})
    for c in NA_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    return frame[list(NA_COLUMNS)].reset_index(drop=True)


def nothing() -> tuple[pd.DataFrame, pd.DataFrame]:
    return hits_frame([]), na_frame()


def stored_quotes(stored: pd.DataFrame | None) -> dict[str, dict[int, str]]:
    """History document id → {line: original text}: what evidence quotes for a report that is not in
    the run (`stored`: the history store's documents frame, whose `lines` column holds its text)."""
    if stored is None or stored.empty or "lines" not in stored.columns:
        return {}
    return {
        str(d): {int(n): str(original) for n, _, original in lines}
        for d, lines in zip(stored["id"], stored["lines"], strict=True)
    }


# -- small value helpers -------------------------------------------------------------------------


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def number(value: Any) -> str:
    """A number as a person would write it: 322, -13, 11609.06; '—' when there is none."""
    if is_missing(value):
        return "—"
    x = float(value)
    if x.is_integer():
        return str(int(x))
    return f"{x:.6f}".rstrip("0").rstrip(".")


def plain(value: Any) -> float | None:
    """A JSON-friendly number (None for NA), rounded against float noise."""
    if is_missing(value):
        return None
    return round(float(value), 6)


def line_list(values: Iterable[Any]) -> list[int]:
    """Sorted distinct line numbers, NA dropped."""
    out = set()
    for v in values:
        try:
            x = float(v)
        except (TypeError, ValueError):  # None, pd.NA, text
            continue
        if math.isfinite(x):
            out.add(int(x))
    return sorted(out)


def refs(lines: Iterable[Any]) -> list[tuple[str | None, int, str | None]]:
    """Evidence references in the document's own source."""
    return [(None, n, None) for n in line_list(lines)]


def label(table: str | None, axis: str, key: Any, overrides: dict[str, str] | None = None) -> str:
    """The Chinese label of a row or column key ('row'/'column' axis), a rule's own labels first."""
    if overrides and key in overrides:
        return overrides[key]
    names = (ROW_ZH if axis == "row" else COLUMN_ZH).get(table or "", {})
    return names.get(key, str(key))


def as_float(values: pd.Series) -> pd.Series:
    """Numbers as float64 with NaN for missing: comparisons on nullable Int64 give NA, not False,
    and numpy (np.select, masks) cannot take those."""
    return pd.to_numeric(values, errors="coerce").astype("float64")


def year_of(iso: Any) -> int | None:
    if is_missing(iso) or not isinstance(iso, str) or len(iso) < 4 or not iso[:4].isdigit():
        return None
    return int(iso[:4])
