"""Extraction and rules in worker processes give exactly what they give in one process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from audit import chunks
from audit.extract import batch
from audit.ingest import read_paths
from audit.segment import segment
from audit.validate import engine, run_rules

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"


def test_parallel_extraction_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for round_ in range(32):  # 32 × 14 documents, agencies renamed so they are not all copies
        for seed in SEEDS.glob("*.txt"):
            text = seed.read_text(encoding="utf-8").replace("历下区", f"历下{round_}区")
            (tmp_path / f"r{round_:02d}_{seed.name}").write_text(text, encoding="utf-8")
    documents = segment(read_paths([str(tmp_path)]))
    assert len(documents) >= batch.PARALLEL_MIN_DOCUMENTS
    parallel = batch.extract_all(documents)
    monkeypatch.setattr(batch, "PARALLEL_MIN_DOCUMENTS", 10**9)
    serial = batch.extract_all(documents)
    for name in ("documents", "cells", "claims", "issues"):
        pd.testing.assert_frame_equal(getattr(parallel, name), getattr(serial, name), obj=name)

    sources = list({d.source.path: d.source for d in documents}.values())
    found_parallel, undecided_parallel = run_rules(serial, sources)
    monkeypatch.setattr(engine, "PARALLEL_MIN_DOCUMENTS", 10**9)
    found_serial, undecided_serial = run_rules(serial, sources)
    assert len(found_serial) > 100
    assert _canonical(found_parallel) == _canonical(found_serial)
    assert _canonical(undecided_parallel) == _canonical(undecided_serial)


def _canonical(frame: pd.DataFrame) -> str:
    """Records as JSON (NaN compares equal to NaN here, unlike in dicts of unpickled floats)."""
    return json.dumps(frame.to_dict("records"), ensure_ascii=False, sort_keys=True, default=str)


def test_failures_in_workers_are_isolated_as_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule and an extractor failing on one document inside forked workers: the same faults and
    the same findings as when everything runs in one process (no document of the batch is lost)."""
    from audit.validate.registry import REGISTRY, Kind

    for seed in SEEDS.glob("*.txt"):
        (tmp_path / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    documents = segment(read_paths([str(tmp_path)]))
    culprit = "002_6460700eaa6e9ee9.txt#4"
    real_claims, balance = batch.read_claims, REGISTRY["balance"]

    def claims(doc, **kw):  # type: ignore[no-untyped-def]
        if doc.id == culprit:
            raise KeyError("injected")
        return real_claims(doc, **kw)

    def breaks(ctx, params):  # type: ignore[no-untyped-def]
        if culprit in set(ctx.documents["id"]):
            raise TypeError("injected")
        return balance.function(ctx, params)

    monkeypatch.setattr(batch, "read_claims", claims)
    monkeypatch.setitem(REGISTRY, "balance", Kind("balance", breaks, balance.params, balance.doc))
    sources = list({d.source.path: d.source for d in documents}.values())

    def audit(parallel: bool) -> tuple[list[object], str]:
        monkeypatch.setattr(batch, "PARALLEL_MIN_DOCUMENTS", 1 if parallel else 10**9)
        monkeypatch.setattr(engine, "PARALLEL_MIN_DOCUMENTS", 1 if parallel else 10**9)
        faults: list[object] = []
        frames = batch.extract_all(documents, faults)  # type: ignore[arg-type]
        found, _ = run_rules(frames, sources, faults=faults)  # type: ignore[arg-type]
        return sorted(map(repr, faults)), _canonical(found)

    in_workers, in_process = audit(True), audit(False)
    assert in_workers == in_process
    assert [f for f in in_workers[0] if culprit in f and "rule applications.column_balance" in f]
    assert [f for f in in_workers[0] if culprit in f and "extract (claims)" in f]


# -- the per-document stages in chunks (audit.chunks) -------------------------------------------------


def _old_path(paths: list[str]) -> tuple[list[object], list[str], dict[str, pd.DataFrame], list[str]]:
    """Sources, document ids, frames and faults as the stages give them over the whole batch at once."""
    faults: list[object] = []
    sources = read_paths(paths)
    documents = segment(sources, faults)  # type: ignore[arg-type]
    frames = batch.extract_all(documents, faults)  # type: ignore[arg-type]
    return sources, [d.id for d in documents], vars(frames), sorted(map(repr, faults))


def _chunked(paths: list[str]) -> tuple[list[object], list[str], dict[str, pd.DataFrame], list[str]]:
    found = chunks.audit_inputs(paths)
    faults = [*chunks.source_faults(found.sources), *found.segment_faults, *found.extract_faults]
    return found.sources, [d.id for d in found.documents], vars(found.frames), sorted(map(repr, faults))


def _assert_same(got: tuple[object, ...], want: tuple[object, ...]) -> None:
    assert [repr(s) for s in got[0]] == [repr(s) for s in want[0]]  # type: ignore[attr-defined]
    assert got[1] == want[1] and got[3] == want[3]
    for name, frame in want[2].items():  # type: ignore[attr-defined]
        pd.testing.assert_frame_equal(got[2][name], frame, obj=name)  # type: ignore[index]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """135 inputs: reports renamed per round, exact and cut-off copies far apart (other chunks), two
    reports sharing a name (a/, b/), a report sharing its name with an image (x/, y/), an image, an
    unreadable file and a report that is not UTF-8."""
    root = tmp_path_factory.mktemp("batch")
    seeds = sorted(SEEDS.glob("*.txt"))
    for round_ in range(25):
        for seed in seeds:
            text = seed.read_text(encoding="utf-8").replace("历下区", f"历下{round_}区")
            (root / f"r{round_:02d}_{seed.name}").write_text(text, encoding="utf-8")
    first = (root / f"r00_{seeds[4].name}").read_text(encoding="utf-8")
    (root / "zz_copy.txt").write_text(first, encoding="utf-8")
    (root / "zz_cut.txt").write_text("\n".join(first.splitlines()[:320]) + "\n", encoding="utf-8")
    for sub in ("a", "b"):
        (root / sub).mkdir()
        (root / sub / "r.txt").write_text(seeds[0].read_text(encoding="utf-8").replace("历下区", sub), encoding="utf-8")
    for sub, data in (("x", seeds[4].read_bytes().replace("历下区".encode(), b"X")), ("y", PNG)):
        (root / sub).mkdir()  # a name shared with an image only: the report's ids use its file name
        (root / sub / "solo.txt").write_bytes(data)
    (root / "c.png").write_bytes(PNG)
    (root / "e.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    (root / "gbk.txt").write_bytes(seeds[1].read_text(encoding="utf-8").encode("gb18030"))
    return root


@pytest.fixture(scope="module")
def whole(folder: Path) -> tuple[object, ...]:
    return _old_path([str(folder)])


def _record_processes(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Each chunk's extraction writes the id of the process it runs in to `log`."""
    import os

    real = chunks.extract_rows

    def extract(documents):  # type: ignore[no-untyped-def]
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return real(documents)

    monkeypatch.setattr(chunks, "extract_rows", extract)


def test_chunks_in_workers_give_what_the_whole_batch_gives(
    folder: Path, whole: tuple[Any, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.setattr(chunks, "workers", lambda: 2)
    monkeypatch.setattr(chunks, "CHUNK_FILES", 16)  # 9 chunks of 135 inputs, in 2 workers
    _record_processes(monkeypatch, tmp_path / "pids")
    want = whole
    got = _chunked([str(folder)])
    pids = (tmp_path / "pids").read_text().split()
    # every chunk ran in a worker; the one holding x/solo.txt is extracted again here, as solo.txt
    assert len(pids) == 10 and pids.count(str(os.getpid())) == 1
    _assert_same(got, want)
    documents = want[2]["documents"].set_index("id")
    assert documents.loc["zz_copy.txt#1", "duplicate_of"] == f"r00_{sorted(SEEDS.glob('*.txt'))[4].name}#1"
    assert documents.loc["zz_cut.txt#1", "truncated_copy_of"] is not None
    assert {"a/r.txt#1", "b/r.txt#1", "solo.txt#1"} <= set(documents.index)
    assert len(want[2]["cells"].query("document == 'solo.txt#1'")) > 50


def test_a_small_batch_is_one_chunk_in_this_process(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    _record_processes(monkeypatch, tmp_path / "pids")
    paths = [str(p) for p in sorted(folder.glob("r0[01]_*.txt"))]
    _assert_same(_chunked(paths), _old_path(paths))
    assert (tmp_path / "pids").read_text().split() == [str(os.getpid())]


def test_a_chunk_whose_worker_dies_is_redone_here(
    folder: Path, whole: tuple[Any, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed while it reads one chunk (out of memory, a crash in a C library): the pool
    breaks, the chunks not back yet are redone in this process, nothing is lost or doubled."""
    import os

    monkeypatch.setattr(chunks, "workers", lambda: 2)
    monkeypatch.setattr(chunks, "CHUNK_FILES", 16)
    parent, real = os.getpid(), chunks.extract_rows

    def dies(documents):  # type: ignore[no-untyped-def]
        if os.getpid() != parent and any(d.source.path.endswith("zz_copy.txt") for d in documents):
            os._exit(9)
        return real(documents)

    monkeypatch.setattr(chunks, "extract_rows", dies)
    _assert_same(_chunked([str(folder)]), whole)


def test_chunks_are_cut_by_files_and_by_bytes_in_order() -> None:
    from audit.ingest import Entry

    small = [Entry(f"t{k}.txt", size=10_000) for k in range(450)]
    plan = chunks.plan_chunks(small, parts=8)  # 450 files for 8 chunks: 57 a chunk
    assert [len(c) for c in plan] == [57] * 7 + [51]
    assert [e for c in plan for e in c] == small
    assert [len(c) for c in chunks.plan_chunks(small)] == [200, 200, 50]  # CHUNK_FILES at most
    pdfs = [Entry(f"p{k}.pdf", size=chunks.CHUNK_BYTES // 3 + 1) for k in range(7)]
    assert [len(c) for c in chunks.plan_chunks(pdfs)] == [2, 2, 2, 1]  # about CHUNK_BYTES a chunk
    giant = [Entry("big.pdf", size=3 * chunks.CHUNK_BYTES), *small[:3]]
    assert [len(c) for c in chunks.plan_chunks(giant)] == [1, 3]  # a file over the size is a chunk alone
