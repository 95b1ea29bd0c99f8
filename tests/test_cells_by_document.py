"""A page's cells are read by document from the run's cells frame: by slices when each document's
cells are consecutive (as extraction writes them), else by index; both give the same cells."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audit.render.context import CellsByDocument


def _frame(order: list[int], lines: list[float] | list[int]) -> pd.DataFrame:
    rows = [
        ("a.txt#1", "applications", "granted", "total", 3.0, "3", False, False),
        ("a.txt#1", "applications", "granted", "natural_person", np.nan, "", True, False),
        ("b.txt#1", "applications", "granted", "total", 2.5, "2.5", False, False),
        ("a.txt#1", "applications", "granted", "total", 9.0, "9", False, False),  # a repeat: the first wins
        ("c.txt#1", "review_litigation", "review", "total", np.nan, "/", False, True),
    ]
    frame = pd.DataFrame(
        [rows[i] for i in order],
        columns=["document", "table", "row", "column", "value", "raw", "blank", "placeholder"],
    )
    frame["line"] = [lines[i] for i in order]
    for c in ("document", "table", "row", "column"):
        frame[c] = frame[c].astype("category")
    return frame


def test_consecutive_and_scattered_cells_read_alike() -> None:
    for lines in ([10, 11, 20, 12, 30], [10.0, np.nan, 20.0, 12.0, 30.0]):
        together = CellsByDocument(_frame([0, 1, 3, 2, 4], lines))
        scattered = CellsByDocument(_frame([0, 2, 1, 4, 3], lines))
        assert isinstance(together._rows["a.txt#1"], slice)
        assert not isinstance(scattered._rows["a.txt#1"], slice)
        for doc in ("a.txt#1", "b.txt#1", "c.txt#1"):
            assert together.get(doc) == scattered.get(doc)
        a = together.get("a.txt#1")
        assert a[("applications", "granted", "total")] == {
            "value": 3,
            "raw": "3",
            "blank": False,
            "placeholder": False,
            "line": 10,
        }
        assert a[("applications", "granted", "natural_person")]["value"] is None
        assert a[("applications", "granted", "natural_person")]["line"] == (None if isinstance(lines[1], float) else 11)
        assert together.get("b.txt#1")[("applications", "granted", "total")]["value"] == 2.5
        assert "d.txt#1" not in together and together.get("d.txt#1") == {}
