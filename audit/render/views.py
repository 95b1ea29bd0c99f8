"""The run's finding and undecided-check views, built per document when a page asks for them.

A national year has hundreds of thousands of findings; their views (message, evidence, links) held
all at once took ~9 KB a document. A page needs only its own documents' views, and the index only a
few fields of each finding plus the views it lists: `FindingViews` keeps row positions per document,
builds a document's views on first use and drops them when its page is written (`forget`), and
gives the index a light record of every finding (`light`) in the order the views would have had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import pandas as pd

from audit.model import SEVERITIES
from audit.render.context import FindingView, UndecidedView

_V = TypeVar("_V")
Position = tuple[str | None, int]  # (document or None for the run as a whole, index among its views)


def _rank(view: Any) -> int:
    return SEVERITIES.index(view["severity"]) if view["severity"] in SEVERITIES else 9


class _ByDocument(Generic[_V]):
    """Document → the views of its rows of a frame, built by `build` on first use, in the frame's
    order sorted by `order` (stable) when given, dropped by `forget`."""

    def __init__(
        self,
        frame: pd.DataFrame,
        key: Callable[[Any], Any],
        build: Callable[[dict[str, Any]], _V],
        order: Callable[[Any], int] | None = None,
    ):
        self._table, self._build, self._order = _Table(frame), build, order
        self._rows: dict[Any, list[int]] = {}
        for at, doc in enumerate(self._table.column("document")):
            self._rows.setdefault(key(doc), []).append(at)
        self._built: dict[Any, list[_V]] = {}

    def get(self, doc: str | None, default: list[_V] | None = None) -> list[_V]:
        if doc in self._built:
            return self._built[doc]
        rows = self._rows.get(doc)
        if rows is None:
            return [] if default is None else default
        views = [self._build(self._table.row(at)) for at in rows]
        if self._order is not None:
            views.sort(key=self._order)
        self._built[doc] = views
        return views

    def __getitem__(self, doc: str | None) -> list[_V]:
        return self.get(doc)

    def forget(self, docs: Iterable[str]) -> None:
        for doc in docs:
            self._built.pop(doc, None)


class FindingViews(_ByDocument[FindingView]):
    """Document (None: the run as a whole, or a document not in the run) → its finding views, most
    severe first (stable), as `build` makes them from the findings frame's rows."""

    def __init__(
        self,
        findings: pd.DataFrame,
        documents: set[str],
        build: Callable[[dict[str, Any]], FindingView],
        light: Callable[[dict[str, Any]], dict[str, Any]],
    ):
        super().__init__(findings, lambda doc: doc if doc in documents else None, build, _rank)
        self._light = light
        self.kept: set[Position] = set()  # views whose documents keep them past `forget` (the index lists them)
        # `kept` as last seen, its size then, and its documents
        self._held: tuple[set[Position], int, set[str | None]] = (self.kept, 0, set())

    def documents(self) -> list[str | None]:
        """Every key, in the order the findings frame first names it."""
        return list(self._rows)

    def light(self) -> list[dict[str, Any]]:
        """Every finding as the index reads it (the keys `light` gives, and its `position`), in the
        order of the views document by document, without building the views."""
        out: list[dict[str, Any]] = []
        for doc, rows in self._rows.items():
            records = sorted((self._light(self._table.row(at)) for at in rows), key=_rank)
            out += [record | {"position": (doc, n)} for n, record in enumerate(records)]
        return out

    def at(self, position: Position) -> FindingView:
        doc, n = position
        return self.get(doc)[n]

    def forget(self, docs: Iterable[str]) -> None:
        """Drop the views of these documents (their page is written), but those `kept`."""
        kept, size, held = self._held
        if kept is not self.kept or size != len(kept):  # once per set of kept views, not once per page
            self._held = (self.kept, len(self.kept), held := {doc for doc, _ in self.kept})
        super().forget(doc for doc in docs if doc not in held)


class UndecidedViews(_ByDocument[UndecidedView]):
    """Document → the views of its undecided checks, built on first use (see the module)."""

    def __init__(self, undecided: pd.DataFrame, build: Callable[[dict[str, Any]], UndecidedView]):
        super().__init__(undecided, lambda doc: None if doc is None or doc != doc else doc, build)


class _Table:
    """A frame's rows as dicts (what `DataFrame.to_dict("records")` gives), one at a time: the
    columns are read into lists once, not a dict per row of the whole frame."""

    def __init__(self, frame: pd.DataFrame):
        self._columns = {str(c): frame[c].tolist() for c in frame.columns}

    def column(self, name: str) -> list[Any]:
        return self._columns.get(name) or []

    def row(self, at: int) -> dict[str, Any]:
        return {name: values[at] for name, values in self._columns.items()}
