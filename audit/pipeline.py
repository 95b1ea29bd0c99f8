"""One audit run: inputs → sources → documents → frames → findings, as a RunResult.

The per-document stages (ingest, segment, extract) run on chunks of the inputs, in worker processes
for a large batch or on a Dask cluster (audit.chunks); the others in order over the whole batch. Each
frame is checked against its schema at the stage boundary (pandera, imported only here because it is
slow to import). No document can break a run: every stage catches a failure on one source or
document as a Fault (audit.model), the rest goes on, and the faults become extraction.internal_error
findings (the CLI then exits 2).
"""

from __future__ import annotations

import ctypes
import gc
import json
import multiprocessing as mp
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any, TypeVar, cast

from audit.chunks import audit_inputs, source_faults
from audit.model import Fault, Frames, RunResult
from audit.validate import load_rules, run_rules

TIMINGS_ENV = "XXGK_TIMINGS"
_T = TypeVar("_T")


@contextmanager
def timed(stage: str) -> Iterator[dict[str, Any]]:
    """A stage of the run: the heap it freed is given back at its end (release_heap). Opt-in timing
    log for bench/bench_run.py: with $XXGK_TIMINGS=FILE, one JSON line per stage appended to FILE — stage, seconds, documents (set by the caller in the yielded dict), start and
    end (epoch seconds, to line up with memory samples taken outside the process)."""
    record: dict[str, Any] = {"stage": stage, "documents": None}
    path = os.environ.get(TIMINGS_ENV)
    if not path:
        try:
            yield record
        finally:
            release_heap()
        return
    start, clock = time.time(), time.perf_counter()
    try:
        yield record
    finally:
        release_heap()
        record |= {"seconds": round(time.perf_counter() - clock, 4), "start": start, "end": time.time()}
        record["rss_mb_after"] = _resident_mb()  # this process alone, once the stage is over
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")


def _resident_mb() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20
    except (OSError, ValueError, IndexError):
        return None


# From this many documents the rules and the store's save run in forked children (in_child).
CHILD_DOCUMENTS = 2000
_WORK: Callable[[], Any] | None = None  # what the forked child runs (set just before the fork)


def in_child(work: Callable[[], _T]) -> _T:
    """`work()` in a forked child process, its result handed back through a file. The rules build and drop
    millions of short-lived objects (their workers' results, the findings' parts) between the run's
    long-lived ones: in this process the heap stays fragmented afterwards (1.4 GB at 100,000
    documents that malloc_trim cannot give back); a child's goes with it, and the result arrives
    compact. The child pickles its result to a file and exits before this process reads it, so the
    child's memory and the result's copy here are never held at once (0.8 GB at 100,000 documents).
    Without fork, or when the child fails (it died, its result could not come back, `work`
    raised), `work()` runs here: an exception it raises is raised from here."""
    handed = handed_over(work)
    if handed is not None:
        with suppress(Exception):  # an unreadable hand-off: the work is done here, again
            return cast(_T, taken(handed))
    return work()


def handed_over(work: Callable[[], Any]) -> str | None:
    """The name of a temporary file holding `work()`'s result pickled, `work` run in a forked child
    that has exited by now; None without fork or when the child failed (died, raised, could not write)."""
    global _WORK
    if "fork" not in mp.get_all_start_methods():
        return None
    _WORK = work
    gc.freeze()  # the run's objects: the child's collector never walks them (which would copy every page)
    try:
        with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as pool:
            future = pool.submit(_run_work)
            with suppress(Exception):  # the child died or its result did not come back
                return cast(str, future.result())
    except BrokenProcessPool:
        pass
    finally:
        _WORK = None
        gc.unfreeze()
    return None


def taken(handed: str, *, keep: bool = False) -> Any:
    """The result in the file `handed_over` named; the file is removed, read or not, unless `keep`."""
    try:
        with open(handed, "rb") as result:
            return pickle.load(result)
    finally:
        if not keep:
            with suppress(OSError):
                os.unlink(handed)


def _run_work() -> str:
    """The child's side of in_child: the result pickled to a new temporary file, whose name is returned."""
    assert _WORK is not None
    result = _WORK()
    descriptor, path = tempfile.mkstemp(prefix="xxgk-audit-", suffix=".result")
    try:
        with os.fdopen(descriptor, "wb") as handoff:
            pickle.dump(result, handoff, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        with suppress(OSError):
            os.unlink(path)
        raise
    return path


def release_heap() -> None:
    """Give the heap a stage freed back to the system. glibc keeps freed memory for reuse, and a
    stage's temporaries (the chunks' pickles, rows, page contexts) leave it fragmented: 142 MB of
    592 at 20,000 documents after extraction. A no-op where there is no glibc."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _check_frames(frames: Frames, faults: list[Fault]) -> None:
    """Schema violations are faults on the documents whose rows break the schema (never a lost run)."""
    from audit.schemas import violations

    for name in ("documents", "cells", "claims", "issues"):
        frame = getattr(frames, name)
        for document, error in violations(name, frame):
            faults.append(Fault(f"schema {name}", error, document=document))


def run_audit(
    paths: list[str],
    *,
    severities: dict[str, str] | None = None,
    validate_frames: bool | None = None,
    db: str | None = None,
    exclude: list[str] | None = None,
    engine: str = "native",
    scheduler: str | None = None,
) -> RunResult:
    """Audit every file under `paths`; never raises for a bad input (it becomes a finding) nor for a
    failure on one document (it becomes a fault and an extraction.internal_error finding).

    `db`: the history store (audit.history) — read before the rules run (the same agencies' other
    reports, for the cross-year rules) and given this run's documents, cells, claims and findings
    after; None audits without history. DuckDB is imported only when a store is used. A store that
    cannot be used is a fault of the run: the audit goes on without history. `exclude`: folders the
    walk never enters (the run's own output folder). `engine`: "native", or "gx" to decide the rules
    that are table identities or value constraints with Great Expectations (audit.gx, imported only then).
    `scheduler`: the address of a Dask scheduler that runs the per-document stages (audit.chunks).
    """
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    with timed("ingest+segment+extract") as t:
        batch = audit_inputs(paths, exclude=exclude, scheduler=scheduler)
        t["documents"] = len(batch.documents)
        t |= {f"{stage}_cpu_seconds": round(spent, 4) for stage, spent in batch.seconds.items()}  # over all chunks
    sources, documents, frames = batch.sources, batch.documents, batch.frames
    faults = [*source_faults(sources), *batch.segment_faults, *batch.extract_faults]
    if validate_frames if validate_frames is not None else os.environ.get("XXGK_CHECK_FRAMES", "1") != "0":
        with timed("check_frames") as t:
            _check_frames(frames, faults)
            t["documents"] = len(documents)
    rules = load_rules()
    with _store_section(db, faults) as store:
        with timed("store.load") as t:
            history = _guarded_store(faults, db, lambda: store.load(frames.documents)) if store else None
            t["documents"] = 0 if history is None else len(history.documents)
        rules_engine = run_rules
        if engine == "gx":
            from audit.gx.engine import run_rules as rules_engine
        with timed("rules") as t:

            def judge() -> tuple[Any, Any, list[Fault]]:
                found, undecided = rules_engine(
                    frames, sources, rules=rules, severities=severities, history=history, faults=faults
                )
                return found, undecided, faults

            # a large batch's are judged in a child and left in its file until the store is saved
            handed = handed_over(judge) if len(documents) >= CHILD_DOCUMENTS else None
            judged = judge() if handed is None else None
            t["documents"] = len(documents)
        saving = store is not None and not any(f.stage == "store" for f in faults)
        late: list[Fault] = []
        if saving:
            with timed("store.save") as t:

                def save() -> list[Fault]:
                    met: list[Fault] = []
                    _guarded_store(
                        met, db, lambda: store.save(RunResult(sources, documents, frames, *judged_findings()))
                    )
                    return met

                def judged_findings() -> tuple[Any, Any]:
                    # the save's child reads the findings from the rules' file itself: forked from a
                    # process holding them, it would copy every page of them (~0.5 GB at 100,000 documents)
                    if judged is not None:
                        return judged[0], judged[1]
                    found, undecided, _ = taken(cast(str, handed), keep=True)  # the parent takes it after
                    return found, undecided

                # in a child as well: the rows it builds and DuckDB's buffers leave this process's heap
                # 0.5 GB larger at 100,000 documents, which the site would start from
                late = in_child(save) if len(documents) >= CHILD_DOCUMENTS else save()
                t["documents"] = len(documents)
        if judged is None:
            try:
                judged = taken(cast(str, handed))
            except Exception:  # noqa: BLE001 - an unreadable hand-off: the rules are run here, again
                judged = judge()
        findings, not_assessable, faults[:] = judged
        result = RunResult(
            sources=sources,
            documents=documents,
            frames=frames,
            findings=findings,
            not_assessable=not_assessable,
            rules=rules,
            history=history,
            faults=faults,
            severities=severities,
            started=started,
        )
        report_faults(result, late)
    return result


def report_faults(result: RunResult, late: list[Fault]) -> None:
    """Faults met after the rules ran (saving the store, writing pages) join the findings as
    extraction.internal_error, so audit.json written afterwards holds them."""
    if not late:
        return
    import pandas as pd

    result.faults.extend(f for f in late if f not in result.faults)  # the store's are already there
    reporting = [r for r in result.rules if r["kind"] == "internal_error"]
    overrides = {r["id"]: s for r in reporting if (s := (result.severities or {}).get(r["id"]))}
    found, _ = run_rules(result.frames, result.sources, rules=reporting, severities=overrides, faults=list(late))
    result.findings = pd.concat([result.findings, found], ignore_index=True) if not found.empty else result.findings


@contextmanager
def _store_section(db: str | None, faults: list[Fault]) -> Iterator[Any]:
    """The history store held for the read-rules-write section (one run at a time), or None when
    there is no store or it cannot be held (a fault: the run goes on without history)."""
    if not db:
        yield None
        return
    from audit.history import HistoryStore

    store = HistoryStore(db)
    section = store.exclusive()
    try:
        section.__enter__()
    except Exception as exc:  # noqa: BLE001 - a store that cannot be used never loses the audit
        faults.append(Fault.of("store", exc, source=db))
        yield None
        return
    try:
        yield store
    finally:
        section.__exit__(None, None, None)


def _guarded_store(faults: list[Fault], db: str | None, action: Callable[[], Any]) -> Any:
    try:
        return action()
    except Exception as exc:  # noqa: BLE001 - corrupt, busy or full: a fault of the run, outputs still written
        faults.append(Fault.of("store", exc, source=db))
        return None
