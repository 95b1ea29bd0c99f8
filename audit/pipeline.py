"""One audit run: inputs → sources → documents → frames → findings, as a RunResult.

Stages run in order over the whole batch; each frame is checked against its schema at the stage
boundary (pandera, imported only here because it is slow to import).
"""

from __future__ import annotations

import os

from audit.extract.batch import extract_all
from audit.ingest import read_paths
from audit.model import RunResult
from audit.segment import segment
from audit.validate import load_rules, run_rules


def _check_frames(result: RunResult) -> None:
    from audit.schemas import check

    frames = result.frames
    check("documents", frames.documents)
    check("cells", frames.cells)
    check("claims", frames.claims)
    check("issues", frames.issues)
    check("findings", result.findings)


def run_audit(
    paths: list[str],
    *,
    severities: dict[str, str] | None = None,
    validate_frames: bool | None = None,
    db: str | None = None,
) -> RunResult:
    """Audit every file under `paths`; never raises for a bad input (it becomes a finding).

    `db`: the history store (audit.history) — read before the rules run (the same agencies' other
    reports, for the cross-year rules) and given this run's documents, cells, claims and findings
    after; None audits without history. DuckDB is imported only when a store is used.
    """
    sources = read_paths(paths)
    documents = segment(sources)
    frames = extract_all(documents)
    rules = load_rules()
    store = None
    history = None
    if db:
        from audit.history import HistoryStore

        store = HistoryStore(db)
        history = store.load(frames.documents)
    findings, not_assessable = run_rules(frames, sources, rules=rules, severities=severities, history=history)
    result = RunResult(
        sources=sources,
        documents=documents,
        frames=frames,
        findings=findings,
        not_assessable=not_assessable,
        rules=rules,
        history=history,
    )
    if validate_frames if validate_frames is not None else os.environ.get("XXGK_CHECK_FRAMES", "1") != "0":
        _check_frames(result)
    if store is not None:
        store.save(result)
    return result
