"""The per-document stages in chunks: read, segment and extract a slice of the batch's inputs.

The parent lists the inputs (audit.ingest.list_inputs: nothing is read yet) and names the documents
(ids need every path: audit.segment.document_names) before cutting the list into chunks of a few
hundred files. `audit_chunk` reads, segments and extracts one chunk — in this process for a small
batch, in forked worker processes for a large one, or on the workers of a Dask cluster — and hands
back a `Chunk`: its sources, documents and rows, small next to the work. The parent joins the chunks
in order and does what needs the whole batch: copies (by content hash and opening lines), their
agency, the frames. Every step on one input or document is guarded inside the chunk, and a chunk
whose worker died is redone in this process, so a run loses nothing to a worker.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import partial

import pandas as pd

from audit.extract.batch import extract_rows, finish_frames, fork_map, join_frames, part_frames, workers
from audit.ingest import Entry, list_inputs, read_entry
from audit.model import Document, Fault, Frames, Source
from audit.segment import copy_key, document_names, mark_copies_guarded, split_sources
from audit.textspill import SpilledLines, adopt, spill

# A chunk holds at most this many files and, past its first file, about this many bytes of input
# (a chunk of PDFs is worth far fewer files than one of text); each worker gets several chunks.
CHUNK_FILES = 200
CHUNK_BYTES = 32 << 20
CHUNKS_PER_WORKER = 4
# Below this many files (or bytes) to read, worker processes cost more than they save (and
# `check` on one file starts none).
PARALLEL_MIN_FILES = 100
PARALLEL_MIN_BYTES = 16 << 20


@dataclass
class Chunk:
    """What the parent needs of a chunk: its sources (the rules and pages quote their lines), its
    documents with their `copy_key`, the chunk's frames (typed, built in the chunk: no Python object
    per row travels back), the faults met per stage, and the CPU seconds each stage took in the
    chunk (wall time says little on a shared machine)."""

    sources: list[Source]
    documents: list[Document]
    copy_keys: list[tuple[str, ...] | None]
    frames: Frames
    segment_faults: list[Fault]
    extract_faults: list[Fault]
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Batch:
    """The chunks joined: every input's source, every document, the frames, the faults by stage."""

    sources: list[Source]
    documents: list[Document]
    frames: Frames
    segment_faults: list[Fault]
    extract_faults: list[Fault]
    seconds: dict[str, float]  # CPU seconds per stage, summed over the chunks


_SPILLED = itertools.count()


def audit_chunk(entries: list[Entry], names: dict[str, str], spill_to: str | None = None) -> Chunk:
    """Read, segment and extract `entries` (module-level, so that it pickles to any worker); the
    documents take their ids from `names` (path shown → name, for paths whose file name is shared).
    With `spill_to` (a folder), the sources' texts are written there and only handles to them come
    back (audit.textspill): the parent of a large batch then holds no text."""
    clock = time.process_time()
    sources = [read_entry(entry) for entry in entries]
    read = time.process_time()
    faults: list[Fault] = []
    found = split_sources(sources, faults)
    for doc, _ in found:
        doc.name = names.get(doc.source.path, "")
    documents, keys = [doc for doc, _ in found], [copy_key(content) for _, content in found]
    segmented = time.process_time()
    frames, extract_faults = _extracted(documents)
    seconds = {"ingest": read - clock, "segment": segmented - read, "extract": time.process_time() - segmented}
    if spill_to is not None:
        spill(sources, os.path.join(spill_to, f"{os.getpid()}-{next(_SPILLED)}.texts"))
    return Chunk(sources, documents, keys, frames, faults, extract_faults, seconds)


def _extracted(documents: list[Document]) -> tuple[Frames, list[Fault]]:
    doc_rows, cell_rows, issue_rows, claim_rows, faults = extract_rows(documents)
    return part_frames(doc_rows, cell_rows, issue_rows, claim_rows), faults


def plan_chunks(entries: list[Entry], parts: int = 1) -> list[list[Entry]]:
    """`entries` cut into consecutive chunks of at most CHUNK_FILES files and about CHUNK_BYTES
    bytes, and into at least `parts` chunks when there are files enough (load balance)."""
    files = max(1, min(CHUNK_FILES, -(-len(entries) // max(parts, 1))))
    chunks: list[list[Entry]] = []
    current: list[Entry] = []
    size = 0
    for entry in entries:
        if current and (len(current) >= files or size + entry.size > CHUNK_BYTES):
            chunks.append(current)
            current, size = [], 0
        current.append(entry)
        size += entry.size
    return [*chunks, current] if current else chunks


def audit_inputs(paths: list[str], exclude: list[str] | None = None, scheduler: str | None = None) -> Batch:
    """Every input under `paths` read, segmented and extracted in chunks (see the module); on the
    Dask cluster at `scheduler` when given (dask.distributed, imported only then)."""
    entries = list_inputs(paths, exclude)
    names = document_names([e.display for e in entries if e.to_read])
    audit = partial(audit_chunk, names=names)
    to_read = [e for e in entries if e.to_read]
    if scheduler:
        parts = _on_cluster(scheduler, audit, [replace(e, path=os.path.abspath(e.path)) for e in entries])
    elif workers() > 1 and (len(to_read) >= PARALLEL_MIN_FILES or sum(e.size for e in to_read) >= PARALLEL_MIN_BYTES):
        parts = _spilled(audit, plan_chunks(entries, workers() * CHUNKS_PER_WORKER))
    else:
        parts = [audit(entries)]
    return join_chunks(parts)


def _spilled(audit: Callable[..., Chunk], chunks: list[list[Entry]]) -> list[Chunk]:
    """`audit` over `chunks` in forked workers, the texts spilled to files this process then holds
    open without a name (audit.textspill.adopt): nothing is left on disk after the run."""
    folder = tempfile.mkdtemp(prefix="xxgk-audit-texts-")
    try:
        parts = fork_map(partial(audit, spill_to=folder), chunks)
        for path in sorted(
            {
                text.path
                for part in parts
                for s in part.sources
                for text in (s.lines, s.original)
                if isinstance(text, SpilledLines)
            }
        ):
            adopt(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # files of chunks redone elsewhere, and the folder
    return parts


def join_chunks(parts: list[Chunk]) -> Batch:
    """The chunks in order, with what needs the whole batch done: copies marked (a failure there is
    a fault, copies then unmarked), and the frames built (copies take their original's agency)."""
    documents = [doc for part in parts for doc in part.documents]
    segment_faults = [fault for part in parts for fault in part.segment_faults]
    _rename(parts, document_names(list(dict.fromkeys(doc.source.path for doc in documents))))
    mark_copies_guarded(documents, [key for part in parts for key in part.copy_keys], segment_faults)
    frames = join_frames([part.frames for part in parts])
    frames.documents = frames.documents.assign(
        duplicate_of=pd.Series([doc.duplicate_of for doc in documents], dtype=object),
        truncated_copy_of=pd.Series([doc.truncated_copy_of for doc in documents], dtype=object),
    )
    seconds: dict[str, float] = {}
    for part in parts:
        for stage, spent in part.seconds.items():
            seconds[stage] = seconds.get(stage, 0.0) + spent
    return Batch(
        sources=[source for part in parts for source in part.sources],
        documents=documents,
        frames=finish_frames(frames),
        segment_faults=segment_faults,
        extract_faults=[fault for part in parts for fault in part.extract_faults],
        seconds=seconds,
    )


def _rename(parts: list[Chunk], names: dict[str, str]) -> None:
    """Documents named from every file listed, now named from the files that yielded documents (an
    image or an unreadable file shares its name with no document): a chunk holding a document whose
    id so changes (rare) is extracted again, here, under the new ids."""
    for part in parts:
        changed = False
        for doc in part.documents:
            name = names.get(doc.source.path, "")
            changed, doc.name = changed or doc.name != name, name
        if changed:
            part.frames, part.extract_faults = _extracted(part.documents)


def source_faults(sources: list[Source]) -> list[Fault]:
    """Readers that failed inside the tool left a note (audit.ingest): they are faults of ingest."""
    return [
        Fault("ingest", note.detail, source=s.path, line=note.line)
        for s in sources
        for note in s.notes
        if note.code == "internal_error"
    ]


def _on_cluster(scheduler: str, audit: Callable[[list[Entry]], Chunk], entries: list[Entry]) -> list[Chunk]:
    """`audit` over chunks of `entries` on the Dask cluster at `scheduler` (several chunks per worker
    thread), gathered as they complete; a chunk that failed there (its worker lost, its result not
    sent back) is redone in this process."""
    from dask.distributed import Client, as_completed

    done: dict[int, Chunk] = {}
    with Client(scheduler) as client:
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        chunks = plan_chunks(entries, max(threads, 1) * CHUNKS_PER_WORKER)
        futures = client.map(audit, chunks, pure=False)
        index = {future.key: k for k, future in enumerate(futures)}
        for future in as_completed(futures):
            with suppress(Exception):  # a worker lost, a chunk's error: redone here below
                done[index[future.key]] = future.result()
            future.release()
    return [done[k] if k in done else audit(chunk) for k, chunk in enumerate(chunks)]
