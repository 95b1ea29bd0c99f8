"""Run rules over the frames of all documents: scope, check kind, findings.

For each rule the engine selects the documents it applies to (`applies_to`), calls its check kind
once over all of them, and turns the hits into findings: the message from the rule's template, the
evidence lines quoted from the sources, a stable id and the severity (overridable per run).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from typing import Any

import numpy as np
import pandas as pd

from audit.model import (
    CELL_COLUMNS,
    DOCUMENT_COLUMNS,
    FINDING_COLUMNS,
    ISSUE_COLUMNS,
    NOT_ASSESSABLE_COLUMNS,
    SEVERITIES,
    Fault,
    Frames,
    Source,
    shared_strings,
    short_hash,
)
from audit.validate.kinds import COLUMN_ORDER, ROW_ORDER, TABLE_ORDER, Context, is_missing
from audit.validate.registry import REGISTRY
from audit.validate.renderings import rendering_copies

EVIDENCE_CHARS = 400
OVERRIDES = (*SEVERITIES, "off")
# copies: exact and truncated copies and second renderings are left to their original; renderings:
# with copies false, second renderings (audit.validate.renderings) are in scope all the same
DEFAULT_SCOPE: dict[str, Any] = {"kinds": ["annual_report"], "copies": False, "renderings": False}


class _Lenient(dict[str, Any]):
    """Template values; a name the template asks for but the check did not provide prints as '?'.
    A value given as a function (a check's costlier wording) is computed only if the template uses it."""

    def __missing__(self, key: str) -> str:
        return "?"

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if callable(value):
            value = value()
            self[key] = value
        return _Lenient(value) if type(value) is dict else value


def _with_columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return frame
    return frame.assign(**{c: None for c in missing})


def prepare_frames(
    frames: Frames, sources: list[Source], faults: list[Fault] | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The frames as the rules read them. With `faults` given, documents get `rendering_of`: the
    report whose verdict a second rendering of it takes (audit.validate.renderings)."""
    documents = _with_columns(frames.documents, DOCUMENT_COLUMNS).reset_index(drop=True)
    renderings: dict[str, str] = {}
    if faults is not None:
        try:
            renderings = rendering_copies(Frames(documents, frames.cells, frames.claims, frames.issues), sources)
        except Exception as exc:  # noqa: BLE001 - without it every document is audited on its own, as before
            faults.append(Fault.of("renderings", exc))
    documents = documents.assign(rendering_of=documents["id"].map(renderings).astype(object))
    cells = _with_columns(frames.cells, CELL_COLUMNS).reset_index(drop=True)
    value = cells["value"]
    cells = cells.assign(
        value=value if value.dtype == np.float64 else pd.to_numeric(value, errors="coerce").astype(float),
        blank=cells["blank"].fillna(False).astype(bool),
        placeholder=cells["placeholder"].fillna(False).astype(bool),
        line=pd.to_numeric(cells["line"], errors="coerce").astype(float),
    )
    issues = _with_columns(frames.issues, ISSUE_COLUMNS).reset_index(drop=True)
    return documents, cells, issues


def _positions(ids: pd.Index, documents: pd.Series) -> np.ndarray:
    """Each row's position in `ids` (-1: not there), from the categories of a categorical column
    (millions of cells, a few thousand documents) rather than from every value."""
    if isinstance(documents.dtype, pd.CategoricalDtype):
        codes = documents.cat.codes.to_numpy()
        at = np.append(ids.get_indexer(documents.cat.categories.astype(object)), -1)
        return at[np.where(codes < 0, len(at) - 1, codes)]
    return ids.get_indexer(pd.Index(documents.astype(object)))


class _Scopes:
    """The documents (and their cells and issues) each `applies_to` selects, computed once per scope."""

    def __init__(
        self,
        documents: pd.DataFrame,
        cells: pd.DataFrame,
        issues: pd.DataFrame,
        sources: list[Source],
        claims: pd.DataFrame | None = None,
        history: Frames | None = None,
        faults: list[Fault] | None = None,
    ):
        self.documents, self.cells, self.issues, self.sources = documents, cells, issues, sources
        self.claims = claims
        self.history = history
        self.faults: list[Fault] = faults if faults is not None else []
        self._cache: dict[str, Context] = {}
        self._table_masks: dict[str, Any] = {}
        # position of each cell's and issue's document in `documents` (-1: unknown document)
        ids = pd.Index(documents["id"])
        self._cell_doc = _positions(ids, cells["document"])
        self._issue_doc = _positions(ids, issues["document"])

    def context(self, applies_to: dict[str, Any] | None) -> Context:
        scope = {**DEFAULT_SCOPE, **(applies_to or {})}
        key = repr(sorted((k, repr(v)) for k, v in scope.items()))
        if key not in self._cache:
            docs = self.documents
            mask = pd.Series(True, index=docs.index)
            if scope.get("kinds") is not None:
                mask &= docs["kind"].isin(scope["kinds"])
            if not scope.get("copies", False):
                mask &= docs["duplicate_of"].isna() & docs["truncated_copy_of"].isna()
                if not scope.get("renderings", False):  # the verdict is the other rendering's
                    mask &= docs["rendering_of"].isna()
            if scope.get("formats") is not None:
                mask &= docs["format"].isin([str(f) for f in scope["formats"]])
            if scope.get("exclude_formats"):
                mask &= ~docs["format"].isin([str(f) for f in scope["exclude_formats"]])
            chosen = np.append(mask.to_numpy(dtype=bool), False)  # index -1 → False
            in_cells, in_issues = chosen[self._cell_doc], chosen[self._issue_doc]
            self._cache[key] = Context(
                documents=docs[mask],
                issues=self.issues if in_issues.all() else self.issues[in_issues],
                all_documents=docs,
                all_cells=self.cells,
                sources=self.sources,
                cell_mask=in_cells,
                table_masks=self._table_masks,
                cell_documents=self._cell_doc,
                claims=self.claims,
                history=self.history,
                faults=self.faults,
            )
        return self._cache[key]

    def subset(self, ids: list[str]) -> _Scopes:
        """The same run restricted to the documents `ids` (to find which documents make a rule fail)."""
        keep = set(ids)
        claims = self.claims
        if claims is not None and not claims.empty:
            claims = claims[claims["document"].isin(keep)]
        return _Scopes(
            self.documents[self.documents["id"].isin(keep)].reset_index(drop=True),
            self.cells[self.cells["document"].isin(keep)].reset_index(drop=True),
            self.issues[self.issues["document"].isin(keep)].reset_index(drop=True),
            self.sources,
            claims=claims,
            history=self.history,
            faults=self.faults,
        )


# Another engine deciding some rules (audit.gx): called with the rules that are on and a context over
# every document (whose `faults` it may add to), it returns the (hits, not assessable) of each rule it
# took, by rule id, as a check kind returns them; the rules it leaves out run here.
Decide = Callable[[list[dict[str, Any]], Context], dict[str, tuple[pd.DataFrame, pd.DataFrame]]]


def resolve_severity(rule: dict[str, Any], severities: dict[str, str] | None) -> str:
    severity = (severities or {}).get(rule["id"], rule["severity"])
    if severity not in OVERRIDES:
        raise ValueError(f"rule {rule['id']}: severity must be one of {OVERRIDES}, not {severity!r}")
    return severity


def run_rules(
    frames: Frames,
    sources: list[Source],
    *,
    rules: list[dict[str, Any]] | None = None,
    severities: dict[str, str] | None = None,
    history: Frames | None = None,
    faults: list[Fault] | None = None,
    decide: Decide | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(findings, not_assessable) of every rule over every document, sorted deterministically, with
    exactly FINDING_COLUMNS and NOT_ASSESSABLE_COLUMNS of audit.model.

    `rules` defaults to every rule of rules/*.yaml; `severities` overrides the severity of rules by
    id (error | warning | info | off). A finding id is stable across runs for the same rule,
    document content and location. `history` holds earlier reports of the same agencies (the
    frames audit.history loads; documents carry their text in a `lines` column) for the cross-year rules.
    `faults`: failures of earlier stages (audit.model.Fault); a rule that fails adds its own (on the
    documents that make it fail, found by bisection) and extraction.internal_error reports them all, last.
    `decide`: another engine that decides some of the rules (audit.gx, see Decide); the others run here.
    """
    if rules is None:
        from audit.validate.rulebook import load_rules

        rules = load_rules()
    unknown = sorted(set(severities or {}) - {r["id"] for r in rules})
    if unknown:
        raise ValueError(f"severity given for unknown rules: {', '.join(unknown)}")
    faults = faults if faults is not None else []
    # renderings matter only to rules that leave copies to their original
    leaving = any(not {**DEFAULT_SCOPE, **(r.get("applies_to") or {})}["copies"] for r in rules)
    documents, cells, issues = prepare_frames(frames, sources, faults if leaving or decide is not None else None)
    scopes = _Scopes(documents, cells, issues, sources, claims=frames.claims, history=history, faults=faults)
    by_path = {s.path: s for s in sources}
    info_columns = ["source", "agency", "year", "content_hash", "line_start"]
    info: dict[Any, dict[str, Any]] = documents.drop_duplicates("id").set_index("id")[info_columns].to_dict("index")  # type: ignore[assignment]
    active: list[tuple[dict[str, Any], str]] = []
    last: list[tuple[dict[str, Any], str]] = []
    for rule in rules:
        severity = resolve_severity(rule, severities)
        if severity == "off":
            continue  # a rule that is off does not run at all
        if rule["kind"] not in REGISTRY:
            raise ValueError(f"rule {rule['id']}: unknown check kind {rule['kind']!r}")
        (last if rule["kind"] in _LAST_KINDS else active).append((rule, severity))
    outcomes: list[_Outcome] = []
    if decide is not None:
        decided = decide(
            [r for r, _ in active],
            Context(documents, issues, documents, cells, sources, history=history, faults=faults),
        )
        outcomes = [_worded(r, s, *decided[r["id"]], info, by_path) for r, s in active if r["id"] in decided]
        active = [(r, s) for r, s in active if r["id"] not in decided]
    global _RUN
    tasks, groups = _tasks(active, scopes)
    _RUN = (tasks, scopes, info, by_path, groups)
    try:
        outcomes += _run_waves(tasks, parallel=len(documents) >= PARALLEL_MIN_DOCUMENTS)
        faults.extend(f for _, _, met in outcomes for f in met)
        _RUN = ([(r, s, -1) for r, s in last], scopes, info, by_path, groups)
        outcomes += [_run_one(i) for i in range(len(last))]
    finally:
        _RUN = None
        _GROUP.clear()
    undecided = [na for _, na, _ in outcomes if na is not None]
    findings = _finding_columns(outcomes)
    del outcomes
    order = {doc: i for i, doc in enumerate(documents["id"])}
    return sorted_findings(findings, order), sorted_not_assessable(undecided, order)


def _finding_columns(outcomes: list[_Outcome]) -> dict[str, list[Any]]:
    """The outcomes' findings as columns, each outcome's dicts let go once read: held with the frame
    built from them, a batch's finding dicts were ~0.4 GB more at the rules' peak (100,000 documents)."""
    columns: dict[str, list[Any]] = {c: [] for c in FINDING_COLUMNS}
    for found, _, _ in outcomes:
        for name, column in columns.items():
            column.extend(f[name] for f in found)
        found.clear()
    return columns


# A batch of more than PARTITION_DOCUMENTS documents runs its rules over groups of agencies of about
# that many documents, so that what a rule builds while it runs is bounded by the group, not the batch:
# every rule but the batch-wide kinds reads one agency's reports at a time (its years, versions,
# copies and second renderings share its agency key). The batch-wide kinds run once over every document.
PARTITION_DOCUMENTS = 2000
_BATCH_WIDE_KINDS = frozenset({"copied_text", "copy", "unreadable_input", "source_notes", "no_reports"})
_Task = tuple[dict[str, Any], str, int]  # rule, severity, group (-1: the whole batch)


def _tasks(active: list[tuple[dict[str, Any], str]], scopes: _Scopes) -> tuple[list[_Task], list[list[str]]]:
    """What to run: every rule over the whole batch, or the batch-wide rules over the whole batch
    first (they run beside the first group) and then each group of agencies (document ids, in
    document order) with every other rule."""
    groups = agency_groups(scopes.documents, PARTITION_DOCUMENTS)
    if len(groups) <= 1:
        return [(r, s, -1) for r, s in active], []
    wide = [(r, s, -1) for r, s in active if r["kind"] in _BATCH_WIDE_KINDS]
    return wide + [
        (r, s, k) for k in range(len(groups)) for r, s in active if r["kind"] not in _BATCH_WIDE_KINDS
    ], groups


def agency_groups(documents: pd.DataFrame, size: int) -> list[list[str]]:
    """The documents' ids in groups of whole agencies, about `size` documents each (a group closes
    once it holds `size`), in document order; a document without an agency goes with the report it
    copies, or stands alone."""
    if len(documents) <= size:
        return [documents["id"].astype(str).tolist()]
    alone = documents["duplicate_of"].fillna(documents["truncated_copy_of"]).fillna(documents["id"])
    keys = documents["agency_key"].astype(object).where(documents["agency_key"].notna(), "\x00" + alone.astype(str))
    members: dict[Any, list[str]] = {}
    for key, doc_id in zip(keys, documents["id"].astype(str), strict=True):
        members.setdefault(key, []).append(doc_id)
    groups: list[list[str]] = [[]]
    for ids in members.values():
        if len(groups[-1]) >= size:
            groups.append([])
        groups[-1].extend(ids)
    return groups


_GROUP: dict[int, _Scopes] = {}  # the group a process is working on (tasks come group after group)


def _scopes_of(scopes: _Scopes, groups: list[list[str]], k: int) -> _Scopes:
    if k < 0:
        return scopes
    if k not in _GROUP:
        _GROUP.clear()
        _GROUP[k] = scopes.subset(groups[k])
    return _GROUP[k]


# Rules are independent of one another: for large batches each core runs a share of them in a
# forked worker that inherits the prepared frames (`_RUN`); only findings travel back. The final
# sort is total, so the result is identical to running them in one process.
PARALLEL_MIN_DOCUMENTS = 400
_RUN: Any = None
_LAST_KINDS = frozenset({"internal_error"})  # they report what the other rules met
_ISOLATION_RUNS = 200  # re-runs of one failing rule spent finding its culprits (≈ 10 culprits in 20,000)
_Outcome = tuple[list[dict[str, Any]], "pd.DataFrame | None", list[Fault]]


def _outcome(
    rule: dict[str, Any], severity: str, scopes: _Scopes, info: dict[Any, dict[str, Any]], by_path: dict[str, Source]
) -> _Outcome:
    ctx = scopes.context(rule.get("applies_to"))
    hits, na = REGISTRY[rule["kind"]].function(ctx, dict(rule.get("params") or {}))
    return _worded(rule, severity, hits, na, info, by_path)


def _worded(
    rule: dict[str, Any],
    severity: str,
    hits: pd.DataFrame,
    na: pd.DataFrame,
    info: dict[Any, dict[str, Any]],
    by_path: dict[str, Source],
) -> _Outcome:
    records: list[dict[str, Any]] = hits.to_dict("records")  # type: ignore[assignment]
    found = [make_finding(rule, severity, hit, info, by_path) for hit in records]
    return found, (None if na.empty else na.assign(rule=rule["id"])), []


def _run_one(index: int) -> _Outcome:
    tasks, every, info, by_path, groups = _RUN
    rule, severity, group = tasks[index]
    scopes = _scopes_of(every, groups, group)
    try:
        return _outcome(rule, severity, scopes, info, by_path)
    except Exception as exc:  # noqa: BLE001 - a rule failing on some documents must not lose the others
        return _isolate(rule, severity, scopes, info, by_path, exc)


def _isolate(
    rule: dict[str, Any],
    severity: str,
    scopes: _Scopes,
    info: dict[Any, dict[str, Any]],
    by_path: dict[str, Source],
    exc: Exception,
) -> _Outcome:
    """A rule raised over the batch: find the documents that make it raise (halving the batch), mark
    them with faults, and keep the rule's findings over all the other documents."""
    stage = f"rule {rule['id']}"
    errors: dict[str, Exception] = {}
    runs = [_ISOLATION_RUNS]  # a rule failing on most documents would cost ~2n runs: blame the rest whole

    def fails(ids: list[str]) -> bool:
        runs[0] -= 1
        try:
            _outcome(rule, severity, scopes.subset(ids), info, by_path)
        except Exception as error:  # noqa: BLE001
            if len(ids) == 1:
                errors[ids[0]] = error
            return True
        return False

    def culprits(ids: list[str]) -> list[str]:
        if len(ids) <= 1 or runs[0] <= 0:
            return ids
        half = len(ids) // 2
        bad = [d for part in (ids[:half], ids[half:]) if fails(part) for d in culprits(part)]
        return bad or ids  # it fails only with these documents together: all of them

    ids = [str(d) for d in scopes.context(rule.get("applies_to")).documents["id"]]
    bad = culprits(ids) if ids and fails(ids) else []
    rest = [d for d in ids if d not in set(bad)]
    try:
        found, na, _ = _outcome(rule, severity, scopes.subset(rest), info, by_path)
    except Exception as error:  # noqa: BLE001 - it fails whatever the documents: the rule itself
        return [], None, [Fault.of(stage, error)]
    return found, na, [Fault.of(stage, errors.get(d, exc), document=d) for d in bad]


def _waves(tasks: list[_Task]) -> list[list[int]]:
    """The tasks by group, in order, the batch-wide ones with the first group: each wave gets fresh
    workers, so that no worker accumulates what it touched of the batch group after group."""
    waves: dict[int, list[int]] = {}
    for i, (_, _, group) in enumerate(tasks):
        waves.setdefault(max(group, 0), []).append(i)
    return list(waves.values())


def _run_waves(tasks: list[_Task], *, parallel: bool) -> list[_Outcome]:
    """Every task's outcome, in task order. In parallel, the batch-wide tasks (history.copied_text
    alone is a quarter of the rules' time) run in a process of their own beside all the waves of
    groups, not in the first wave, whose other worker would wait for them with nothing to do."""
    waves = _waves(tasks)
    if not parallel:
        return [_run_one(i) for wave in waves for i in wave]
    wide = [i for i, (_, _, group) in enumerate(tasks) if group < 0] if len(waves) > 1 else []
    outcomes = _Parked()
    every, all_groups = _RUN[1], _RUN[4]
    with _beside(wide) as aside:
        for wave in waves:
            wave = [i for i in wave if i not in set(wide)] if wide else wave
            groups = {tasks[i][2] for i in wave} - {-1}
            if len(groups) == 1:  # built once here, before the fork: the workers share it, and never
                _scopes_of(every, all_groups, groups.pop())  # touch (so copy) the whole batch's objects
            ran = _run_in_workers(wave, beside=int(aside.busy()))  # never more processes than cores
            outcomes.park(zip(wave, ran or [_run_one(i) for i in wave], strict=True))
    outcomes.park(zip(wide, aside.outcomes(), strict=True))
    return outcomes.all()


class _Parked:
    """Outcomes kept on disk (an unnamed temporary file) until every wave is over: a batch's findings
    grow to ~0.9 GB at 100,000 documents, and held here they would be held beside every later wave's
    workers and the batch-wide rules' process. Kept in memory when the disk refuses them."""

    def __init__(self) -> None:
        self._held: dict[int, _Outcome] = {}
        self._at: dict[int, int] = {}
        self._file: Any = None
        with suppress(OSError):
            self._file = tempfile.TemporaryFile(prefix="xxgk-audit-outcomes-")  # noqa: SIM115 - all() closes it
        self._writable = self._file is not None

    def park(self, outcomes: Iterable[tuple[int, _Outcome]]) -> None:
        for i, outcome in outcomes:
            if self._writable:
                try:
                    self._at[i] = self._file.seek(0, os.SEEK_END)
                    pickle.dump(outcome, self._file, protocol=pickle.HIGHEST_PROTOCOL)
                    continue
                except OSError:  # a full disk: what is parked stays readable, the rest is held here
                    del self._at[i]
                    self._writable = False
            self._held[i] = outcome

    def all(self) -> list[_Outcome]:
        """Every outcome, in task order; the file is closed (and so removed)."""
        out = dict(self._held)
        if self._file is not None:
            with self._file:
                for i, offset in self._at.items():
                    self._file.seek(offset)
                    out[i] = pickle.load(self._file)
        return [out[i] for i in sorted(out)]


class _Aside:
    """Tasks running in a process of their own (see _beside)."""

    def __init__(self, indices: list[int], running: Future[list[_Outcome]] | None):
        self.indices, self._running = indices, running

    def busy(self) -> bool:
        return self._running is not None and not self._running.done()

    def outcomes(self) -> list[_Outcome]:
        """Their outcomes, once done (run here when the process died or could not be forked)."""
        if self._running is not None:
            try:
                return self._running.result()
            except Exception:  # noqa: BLE001 - it died (memory, a signal) or its result did not come back: here
                pass
        return [_run_one(i) for i in self.indices]


@contextmanager
def _beside(indices: list[int]) -> Iterator[_Aside]:
    """The tasks `indices` started in a forked process while the block runs."""
    if not indices or "fork" not in mp.get_all_start_methods():
        yield _Aside(indices, None)
        return
    pool = ProcessPoolExecutor(1, mp_context=mp.get_context("fork"))
    gc.freeze()  # a forking pool starts its process at the first submit
    try:
        running = pool.submit(_run_list, indices)
    finally:
        gc.unfreeze()
    try:
        yield _Aside(indices, running)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_list(indices: list[int]) -> list[_Outcome]:
    return [_run_one(i) for i in indices]


def _run_in_workers(indices: list[int], beside: int = 0) -> list[_Outcome] | None:
    """The outcomes of `indices` from forked workers, one per core but the `beside` processes busy
    with other tasks; None when there is one core, one task or no fork, or a worker died."""
    cores = min(os.cpu_count() or 1, 8)
    if cores < 2 or len(indices) < 2 or "fork" not in mp.get_all_start_methods():
        return None
    workers = max(cores - beside, 1)
    gc.freeze()  # the batch's objects: never walked by a worker's collector (which would copy every page)
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            return list(pool.map(_run_one, indices))
    except BrokenProcessPool:  # a worker died (memory, a signal): run the rules in-process instead
        return None
    finally:
        gc.unfreeze()


def _quote(source: Source | None, line: int) -> str:
    return source.original_line(line)[:EVIDENCE_CHARS] if source is not None else ""


def _evidence(
    hit: dict[str, Any], own_source: str | None, by_path: dict[str, Source], fallback: Any
) -> list[dict[str, Any]]:
    evidence = []
    for src, line, text, *claim in hit["refs"] or []:
        path = src or own_source
        quoted = str(text if text is not None else _quote(by_path.get(path or ""), int(line)))[:EVIDENCE_CHARS]
        entry = {"source": path, "line": int(line), "text": quoted}
        mark = _mark(quoted, *claim[0]) if claim else None
        if mark is not None:
            entry["mark"] = mark
        evidence.append(entry)
    if not evidence:  # every finding points somewhere: the document's first line at least
        line = 0 if is_missing(fallback) else int(fallback)
        evidence.append({"source": own_source, "line": line, "text": _quote(by_path.get(own_source or ""), line)})
    for entry in evidence:  # paged inputs (PDF): the page the line is on, so a reviewer can find it
        source, number = by_path.get(str(entry["source"] or "")), int(str(entry["line"]))
        if source is not None and 1 <= number <= len(source.pages):
            entry["page"] = source.pages[number - 1]
    return evidence


def _mark(quoted: str, sentence: str, start: int, end: int) -> list[int] | None:
    """[start, end] of a claim's number inside the quoted line (a narrative finding marks it)."""
    at = quoted.find(sentence[:start])
    if at >= 0 and quoted[at + start : at + end] == sentence[start:end]:
        return [at + start, at + end]
    at = quoted.find(sentence[start:end])
    return None if at < 0 else [at, at + end - start]


def make_finding(
    rule: dict[str, Any],
    severity: str,
    hit: dict[str, Any],
    info: dict[Any, dict[str, Any]],
    by_path: dict[str, Source],
) -> dict[str, Any]:
    doc = hit["document"]
    meta = info.get(doc) if doc is not None else None
    agency = None if meta is None or is_missing(meta["agency"]) else meta["agency"]
    year = None if meta is None or is_missing(meta["year"]) else int(meta["year"])
    own_source = meta["source"] if meta is not None else None
    values = _Lenient(hit["vars"] or {})
    values.setdefault("document", doc or "")
    values.setdefault("agency", agency or "")
    values.setdefault("year", "" if year is None else year)
    evidence = _evidence(hit, own_source, by_path, meta["line_start"] if meta is not None else None)
    anchor = meta["content_hash"] if meta is not None else evidence[0]["source"]
    lowered = hit.get("severity")
    if isinstance(lowered, str) and SEVERITIES.index(lowered) > SEVERITIES.index(severity):
        severity = lowered  # a hit may lower its rule's severity (kinds.HIT_COLUMNS), never raise it
    return {
        "id": short_hash(rule["id"], anchor, hit["key"]),
        "rule": rule["id"],
        "severity": severity,
        "document": doc,
        "agency": agency,
        "year": year,
        "message": str(rule["message"]).strip().format_map(values),
        "expected": None if is_missing(hit["expected"]) else hit["expected"],
        "actual": None if is_missing(hit["actual"]) else hit["actual"],
        "evidence": evidence,
        "table": hit["table"],
        "row": hit["row"],
        "column": hit["column"],
    }


def _sort_keys(frame: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    return frame.assign(
        _doc=frame["document"].map(lambda d: -1 if d is None or is_missing(d) else order.get(d, len(order))),
        _table=frame["table"].map(lambda t: TABLE_ORDER.get(t, 9)),
        _row=frame["row"].map(lambda r: ROW_ORDER.get(r, -1)),
        _column=frame["column"].map(lambda c: COLUMN_ORDER.get(c, -1)),
    )


# their values recur across findings: each held once (hundreds of thousands of findings in a large batch)
_SHARED_FINDING_COLUMNS = ("rule", "severity", "document", "agency", "message", "table", "row", "column")
_SHARED_NOT_ASSESSABLE_COLUMNS = ("rule", "document", "table", "row", "column", "reason")


def sorted_findings(findings: dict[str, list[Any]], order: dict[str, int]) -> pd.DataFrame:
    """The findings (FINDING_COLUMNS as lists) as a frame of Python objects, in report order."""
    if not findings["id"]:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS})
    frame = _sort_keys(pd.DataFrame(findings, columns=list(FINDING_COLUMNS)).astype(object), order)
    findings.clear()  # the lists: the frame holds their values now
    frame = frame.assign(_source=[e[0]["source"] or "" for e in frame["evidence"]])
    frame = frame.sort_values(["_doc", "_source", "rule", "_table", "_row", "_column", "id"], kind="stable")
    return shared_strings(frame[list(FINDING_COLUMNS)].reset_index(drop=True), _SHARED_FINDING_COLUMNS)


def sorted_not_assessable(parts: list[pd.DataFrame], order: dict[str, int]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in NOT_ASSESSABLE_COLUMNS})
    frame = _sort_keys(pd.concat(parts, ignore_index=True)[list(NOT_ASSESSABLE_COLUMNS)].astype(object), order)
    frame = frame.sort_values(["_doc", "rule", "_table", "_row", "_column", "reason"], kind="stable")
    frame = frame[list(NOT_ASSESSABLE_COLUMNS)].reset_index(drop=True)
    frame["line"] = [None if is_missing(x) else int(x) for x in frame["line"]]
    return shared_strings(frame, _SHARED_NOT_ASSESSABLE_COLUMNS)
