"""The frames of a batch's chunks joined in the parent (audit.extract.batch): categories united,
a column missing from one chunk keeps the batch's dtype, and copies take their original's agency in
document order."""

from __future__ import annotations

import math

import pandas as pd

from audit.extract.batch import _inherit_agency, join_frames
from audit.model import ISSUE_COLUMNS, Frames, empty_frame


def _frames(cells: pd.DataFrame, claims: pd.DataFrame) -> Frames:
    documents = pd.DataFrame({"id": [str(d) for d in cells["document"].unique()]})
    return Frames(documents=documents, cells=cells, claims=claims, issues=empty_frame(ISSUE_COLUMNS))


def test_chunks_join_with_united_categories_and_the_batch_dtypes() -> None:
    first = _frames(
        pd.DataFrame({"document": ["b#1", "b#1"], "row": ["x", "y"]}).astype("category"),
        pd.DataFrame({"document": ["b#1"], "unit": pd.Series(["件"], dtype="str")}),
    )
    second = _frames(
        pd.DataFrame({"document": ["a#1"], "row": ["z"]}).astype("category"),
        pd.DataFrame({"document": ["a#1"], "unit": pd.Series([None], dtype=object)}),  # all missing here
    )
    empty = _frames(
        pd.DataFrame({"document": [], "row": []}).astype("category"), pd.DataFrame({"document": [], "unit": []})
    )
    joined = join_frames([first, empty, second])
    assert joined.cells["document"].tolist() == ["b#1", "b#1", "a#1"]
    assert list(joined.cells["document"].cat.categories) == ["a#1", "b#1"]  # sorted, as one frame's would be
    assert list(joined.cells.index) == [0, 1, 2]
    assert joined.claims["unit"].dtype == first.claims["unit"].dtype
    assert joined.claims["unit"].iloc[0] == "件" and joined.claims["unit"].isna().iloc[1]
    assert join_frames([empty]).cells.empty


def test_copies_take_the_agency_of_their_original_in_document_order() -> None:
    documents = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "agency": ["甲局", "残缺", "乙局", None, math.nan],
            "agency_key": ["甲", "残", "乙", None, math.nan],
            "duplicate_of": [None, "a", None, "b", None],
            "truncated_copy_of": [None, None, None, None, "d"],
        }
    )
    out = _inherit_agency(documents)
    # b copies a; d copies b, which already took a's name; e copies d, named only through b
    assert out["agency"].tolist() == ["甲局", "甲局", "乙局", "甲局", "甲局"]
    assert out["agency_key"].tolist() == ["甲", "甲", "乙", "甲", "甲"]
    nameless = pd.DataFrame(
        {
            "id": ["a", "b"],
            "agency": [math.nan, "自有"],
            "agency_key": [math.nan, "自"],
            "duplicate_of": [None, "a"],
            "truncated_copy_of": [None, None],
        }
    )
    assert _inherit_agency(nameless)["agency"].tolist()[1] == "自有"  # an original without a name gives none
