"""Agency pages built, rendered and written one agency at a time, in forked worker processes.

A chunk of agencies is a task: each page's context is built (audit.render.site), rendered,
written with its JSON twin and dropped; only a small summary of it (PageSummary), the faults and
the paths written go back to the parent, which builds the index from the summaries. The workers are
forked: they inherit the prepared run (never pickled) and the compiled templates. A page's build
also completes some finding views (the link to the failing cell, the marked value in the quoted
line): the views the index lists are sent back and copied into the parent's, so the pool writes
exactly what one process writes (tests/test_site_scale.py compares them byte for byte).

$XXGK_SITE_WORKERS sets the number of workers (1: no pool); by default a run of at least
POOL_DOCUMENTS documents uses one per core the process may use, at most MAX_WORKERS. A worker that
dies (killed, out of memory) makes the parent write every page itself.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from audit.model import Fault
from audit.render.context import AgencyPage
from audit.render.site import PageSummary, agency_pages, split_page, summarize
from audit.render.views import Position

POOL_DOCUMENTS = 400  # fewer documents are written in-process: a fork costs more than it saves
MAX_WORKERS = 8  # by default: each worker's copy-on-write pages grow as it touches the run's objects
CHUNKS_PER_WORKER = 8  # tasks per worker: big agencies do not leave one worker doing the tail alone
# A forked worker's memory grows with every page of the parent it touches (reference counts write to
# them): the agencies are written in waves of about this many documents, each by fresh workers.
WAVE_DOCUMENTS = 4000


@dataclass
class ChunkResult:
    summaries: list[PageSummary] = field(default_factory=list)
    build_faults: list[Fault] = field(default_factory=list)
    render_faults: list[Fault] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # file names in out_dir
    findings: dict[Position, dict[str, Any]] = field(default_factory=dict)  # views completed in a worker


@dataclass
class PageJob:
    """Everything a worker needs, inherited through the fork."""

    run: Any  # audit.render.site._Run
    tasks: list[tuple[str | None, list[dict[str, Any]]]]
    tool: dict[str, str]
    env: jinja2.Environment
    out_dir: Path
    guarded: bool  # faults are collected (else the first exception propagates)
    write_page: Callable[[Path, str, str, Any, list[Fault] | None], bool]
    places: bool = False  # find each agency's region and level (the index lists regions)
    wanted: set[Position] = field(default_factory=set)  # findings the index lists

    def run_chunk(self, chunk: list[int], send_findings: bool) -> ChunkResult:
        out = ChunkResult()
        build_faults: list[Fault] | None = out.build_faults if self.guarded else None
        render_faults: list[Fault] | None = out.render_faults if self.guarded else None
        for i in chunk:
            key, docs = self.tasks[i]
            pages: list[AgencyPage] = agency_pages(self.run, key, docs, self.tool, build_faults)
            listed = len(out.summaries)
            for page in pages:
                out.summaries.append(summarize(page, self.run if self.places else None))
                for name, template, context in split_page(page):
                    if self.write_page(self.out_dir, name, template, context, render_faults):
                        out.written += [f"{name}.html", f"{name}.json"]
            ids = [str(d["id"]) for d in docs]
            shown = {link["id"] for s in out.summaries[listed:] for link, _, _ in s["documents"]}  # this agency's pages
            if send_findings:
                for doc in ids:
                    for n, view in enumerate(self.run.findings_by_doc.get(doc, [])):
                        if (doc, n) in self.wanted or doc not in shown:
                            out.findings[(doc, n)] = view
            # the views of a document left off its page stay: the index lists them as they are
            self.run.forget([doc for doc in ids if doc in shown])
        return out


_JOB: PageJob | None = None  # set in the parent just before the fork; the workers read it


def _work(args: tuple[list[int], bool]) -> ChunkResult:
    assert _JOB is not None
    return _JOB.run_chunk(*args)


def workers_for(documents: int) -> int:
    configured = os.environ.get("XXGK_SITE_WORKERS")
    if configured:
        return max(1, int(configured))
    if documents < POOL_DOCUMENTS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cores, MAX_WORKERS)


def chunks_of(tasks: list[tuple[str | None, list[dict[str, Any]]]], workers: int) -> list[list[int]]:
    """Consecutive agencies, about the same number of documents per chunk."""
    total = sum(len(docs) for _, docs in tasks)
    target = max(1, min(total // (workers * CHUNKS_PER_WORKER), WAVE_DOCUMENTS // (workers * 4)))
    chunks: list[list[int]] = [[]]
    size = 0
    for i, (_, docs) in enumerate(tasks):
        if size >= target:
            chunks.append([])
            size = 0
        chunks[-1].append(i)
        size += len(docs)
    return [c for c in chunks if c]


def _waves(job: PageJob, chunks: list[list[int]]) -> list[list[list[int]]]:
    """The chunks in consecutive waves of about WAVE_DOCUMENTS documents."""
    waves: list[list[list[int]]] = [[]]
    size = 0
    for chunk in chunks:
        if size >= WAVE_DOCUMENTS:
            waves.append([])
            size = 0
        waves[-1].append(chunk)
        size += sum(len(job.tasks[i][1]) for i in chunk)
    return waves


def run_pages(job: PageJob, workers: int) -> list[ChunkResult]:
    """Every agency page of the job, in order; in `workers` forked processes when more than one."""
    global _JOB
    if workers <= 1 or len(job.tasks) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [job.run_chunk(list(range(len(job.tasks))), False)]
    chunks = chunks_of(job.tasks, workers)
    _JOB = job
    gc.freeze()  # the run's objects: never walked by a worker's collector (which would also copy every page)
    try:
        results: list[ChunkResult] = []
        for wave in _waves(job, chunks):  # fresh workers per wave: each copies only the pages its wave touches
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                results += pool.map(_work, [(c, True) for c in wave])
    except BrokenProcessPool:  # a worker died (killed, out of memory): the pages are written here instead
        return [job.run_chunk(list(range(len(job.tasks))), False)]
    finally:
        _JOB = None
        gc.unfreeze()
    for result in results:  # the views as the workers completed them
        for (doc, n), view in result.findings.items():
            job.run.findings_by_doc[doc][n].update(view)
    return results
