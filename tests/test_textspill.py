"""Texts spilled to disk (audit.textspill): the handles read back exactly what was spilled, in this
process and in a forked one, after the file's name is gone; a large batch's parent holds no text."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import tempfile
from pathlib import Path

import pytest

from audit.chunks import audit_inputs
from audit.model import Source
from audit.textspill import SpilledLines, adopt, spill


def _sources() -> list[Source]:
    shared = "二、主动公开政府信息情况"
    return [
        Source("a.txt", lines=["一、总体情况", shared], line_numbers=range(1, 3), original=["一、总体情况", shared]),
        Source(
            "b.html",
            lines=["表 | 1"],
            line_numbers=[4],
            original=["x", "y", "z", "表 | 1"],
            media_type="text/html",
            pages=[1, 1, 2, 2],
        ),
        Source("c.txt", error="unreadable"),
    ]


def _read_in_child(source: Source, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    queue.put((list(source.lines), source.original_line(2)))


def test_spilled_texts_read_back_after_adoption(tmp_path: Path) -> None:
    sources, kept = _sources(), _sources()
    path = str(tmp_path / "chunk.texts")
    spill(sources, path)
    a, b, c = sources
    assert isinstance(a.lines, SpilledLines) and isinstance(b.original, SpilledLines)
    assert isinstance(a.line_numbers, range)  # a range holds nothing: kept as it is
    assert c.lines == [] and not isinstance(c.lines, SpilledLines)  # nothing to spill
    back = pickle.loads(pickle.dumps(sources))  # what a chunk worker sends: handles only
    assert len(pickle.dumps(back[1].original)) < 200
    adopt(path)
    assert not os.path.exists(path)  # no name left on disk; read through the held descriptor
    for spilled, original in zip(back, kept, strict=True):
        assert spilled.lines == original.lines and list(spilled.original) == original.original
        assert list(spilled.line_numbers) == list(original.line_numbers) and list(spilled.pages) == original.pages
    assert back[1].lines[0] == "表 | 1" and back[1].original[1:3] == ["y", "z"] and len(back[1].original) == 4
    assert back[0].lines[1] is back[0].original[1]  # one string for an unchanged line, as before spilling
    if "fork" in mp.get_all_start_methods():
        queue: mp.Queue = mp.get_context("fork").Queue()  # type: ignore[type-arg]
        child = mp.get_context("fork").Process(target=_read_in_child, args=(back[1], queue))
        child.start()
        assert queue.get(timeout=30) == (["表 | 1"], "y")
        child.join()


def test_a_large_batch_holds_handles_and_reads_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    samples = Path(__file__).resolve().parent.parent / "audit" / "samples"
    for k in range(3):
        for f in samples.glob("*.txt"):
            (tmp_path / f"{k}_{f.name}").write_bytes(f.read_bytes())
    serial = audit_inputs([str(tmp_path)])  # 15 files: read in this process
    monkeypatch.setattr("audit.chunks.PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr("audit.chunks.workers", lambda: 2)
    spills = tmp_path.parent / f"{tmp_path.name}-spills"
    spills.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spills))
    pooled = audit_inputs([str(tmp_path)])
    assert all(isinstance(s.lines, SpilledLines) for s in pooled.sources)
    assert not any(isinstance(s.lines, SpilledLines) for s in serial.sources)
    assert [s.path for s in pooled.sources] == [s.path for s in serial.sources]
    for x, y in zip(pooled.sources, serial.sources, strict=True):
        assert x.lines == y.lines and x.original == y.original
    assert [d.text() for d in pooled.documents] == [d.text() for d in serial.documents]
    assert not list(spills.iterdir())  # nothing left behind
