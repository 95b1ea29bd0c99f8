"""The site builds finding views per document as pages need them (audit.render.views): the light
records the index counts and orders by must say what the views say, in the same order, and a view
the index lists keeps what its page added."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.pipeline import run_audit
from audit.render.site import _Run, index_positions

SAMPLES = Path(__file__).resolve().parents[1] / "audit" / "samples"


@pytest.fixture(scope="module")
def run() -> _Run:
    result = run_audit([str(SAMPLES)])
    assert len(result.findings) > 10
    return _Run(result)


def test_light_records_are_the_views_fields_in_the_views_order(run: _Run) -> None:
    views = run.findings_by_doc
    light = views.light()
    assert len(light) == len(run.result.findings)
    for record in light:
        view = views.at(record["position"])
        assert {k: view[k] for k in record if k != "position"} == {k: v for k, v in record.items() if k != "position"}  # type: ignore[literal-required]
    order = [f["id"] for doc in views.documents() for f in views.get(doc)]
    assert [views.at(r["position"])["id"] for r in light] == order
    assert sorted(order) == sorted(run.result.findings["id"])


def test_views_are_dropped_after_their_page_but_those_the_index_lists(run: _Run) -> None:
    views = run.findings_by_doc
    listed = index_positions(run)
    assert listed
    doc, n = next(p for p in listed if p[0] is not None)
    views.kept = {(doc, n)}
    first = views.get(doc)[n]
    first["href"] = "marked-by-the-page"
    other = next(d for d in views.documents() if d not in (doc, None))
    before = views.get(other)
    run.forget([str(doc), str(other)])
    assert views.get(doc)[n] is first and first["href"] == "marked-by-the-page"
    assert views.get(other) is not before and views.get(other) == before  # rebuilt, equal
    views.kept = set()
    run.forget([str(doc)])
    assert views.get(doc)[n] is not first


def test_undecided_views_per_document(run: _Run) -> None:
    frame = run.result.not_assessable
    for doc, count in frame["document"].value_counts().items():
        views = run.undecided_by_doc.get(str(doc))
        assert len(views) == count and all(v["document"] == doc for v in views)
    assert run.undecided_by_doc.get("no-such-document") == []
