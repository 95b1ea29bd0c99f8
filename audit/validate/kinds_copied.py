"""内容雷同 (domain.md §9): a report repeats another year's number clauses, or another report's long
passages (check kind `copied_text`).

A national batch cannot hold every report's sentences as text at once (~18 KB a report), so the
comparison runs in two passes: every report's masked long sentences and number clauses are first
reduced to 64-bit hashes, from which the template sentences (held by more than `boilerplate_reports`
reports) and the candidate pairs are found with numpy; the text is then rebuilt only for the reports
of a candidate pair, which are compared on their strings exactly as before. A hash collision could
only propose a pair (then compared on text) or count a sentence as more widespread.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from audit.model import plain_rows
from audit.validate.kinds import Context, hits_frame, is_missing, kind, na_frame, nothing
from audit.validate.kinds_history import history_lines, line_ref, reports

_DATE = re.compile(
    r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月份?|(?:19|20)\d{2}[-./]\d{1,2}(?:[-./]\d{1,2})?"
)
_PHONE = re.compile(r"\d{3,4}-\d{7,8}|\d{7,}")
_REFERENCE = re.compile(r"〔\d{4}〕\s*\d+\s*号|\[\d{4}\]\s*\d+\s*号|第\s*\d+\s*[条款项号期]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")
_CLAUSE_END = re.compile(r"[,，;；。!！?？]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_FOLLOWER = re.compile(r"^(?:占|约|同比|比|较|环比|其中|均|分别|下降|增长|增加|减少|上升)")


# Each masked token starts with a digit, 〔, [ or 第: the lookahead lets most positions fail at once.
_MASKED = re.compile(r"(?=[\d〔\[第])(?:" + "|".join(f"(?:{p.pattern})" for p in (_REFERENCE, _DATE, _PHONE)) + ")")


def _mask(text: str) -> str:
    """Text compared for copying: no spaces; dates, phone numbers and document numbers masked."""
    return _MASKED.sub("#", _SPACE.sub("", text))


def _clause(text: str, start: int, end: int) -> str:
    """The clause of a sentence holding [start, end): between clause marks, with a following
    「占比…」/「同比…」 clause kept (「申请信息不存在4件,占比2.3%」)."""
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    right_match = _CLAUSE_END.search(text, end)
    right = right_match.start() if right_match else len(text)
    while right_match and right < len(text) and text[right] in ",，" and _FOLLOWER.match(text[right + 1 :]):
        right_match = _CLAUSE_END.search(text, right + 1)
        right = right_match.start() if right_match else len(text)
    return text[left:right].strip()


def _telling(clause: str, masked: str, min_chars: int) -> bool:
    """A clause worth reporting when repeated: numbers left once dates and phones are masked
    (`masked`), not only 0 and 100 (nothing and 100% repeat honestly), and two numbers or enough words."""
    numbers = [float(n) for n in _NUMBER.findall(masked)]
    if not numbers or all(n in (0.0, 100.0) for n in numbers):
        return False
    return len(numbers) >= 2 or len(clause) >= min_chars


def _number_clauses(
    claims: pd.DataFrame | None, ids: set[str], min_chars: int
) -> dict[str, dict[str, tuple[int, str]]]:
    """document → {masked clause: (line, clause as printed)} of the narrative's number clauses."""
    out: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for doc, masked, line, clause in _clauses_of(claims, ids, min_chars):
        out[doc].setdefault(masked, (line, clause))
    return out


def _clauses_of(claims: pd.DataFrame | None, ids: set[str], min_chars: int) -> Iterator[tuple[str, str, int, str]]:
    """(document, masked clause, line, clause as printed) of the telling number clauses of `ids`,
    in the claims' order."""
    if claims is None or claims.empty:
        return
    # one mask over every claim: `isin` walks `ids` in Python each time (per slice, it grew as n²)
    wanted = (claims["document"].isin(ids) & claims["text"].notna()).to_numpy()
    for first in range(0, len(claims), _CLAIMS_AT_ONCE):  # a slice at a time: no copy of every claim
        part = claims.iloc[first : first + _CLAIMS_AT_ONCE][wanted[first : first + _CLAIMS_AT_ONCE]]
        met: set[str] = set()  # the clauses of the current document: several numbers share one
        current = None
        for doc, text, start, end, line in plain_rows(part, "document", "text", "span_start", "span_end", "line"):
            if is_missing(start) or is_missing(end) or is_missing(line):
                continue
            if doc != current:
                current, met = doc, set()
            clause = _clause(str(text), int(start), int(end))
            if not clause or "|" in clause or clause in met:
                continue  # a clause met again adds nothing: its document keeps the first
            met.add(clause)
            masked = _mask(clause)
            if _telling(clause, masked, min_chars):
                yield str(doc), masked, int(line), clause


_CLAIMS_AT_ONCE = 20_000


def _run_lines(sources: dict[str, Any], doc: dict[str, Any]) -> list[tuple[int, str]]:
    source = sources.get(doc["source"])
    if source is None or is_missing(doc.get("line_start")) or is_missing(doc.get("line_end")):
        return []
    lo, hi = int(doc["line_start"]), int(doc["line_end"])
    first, last = bisect_left(source.line_numbers, lo), bisect_right(source.line_numbers, hi)
    return list(zip(source.line_numbers[first:last], source.lines[first:last], strict=True))


def _long_sentences(lines: list[tuple[int, str]], min_chars: int) -> dict[str, int]:
    """masked long sentence → its line, outside tables."""
    out: dict[str, int] = {}
    for n, text in lines:
        if "|" in text or len(text) < min_chars:
            continue
        # masking keeps sentence ends, so the line is masked once and split after
        for masked in _SENTENCE_END.split(_mask(text)):
            if len(masked) >= min_chars:
                out.setdefault(masked, n)
    return out


@kind("copied_text")
def copied_text(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Another year's report of the same agency repeats this report's number clauses (a clause of
    the narrative with a count or percentage, dates and phone numbers masked; at least
    `clause_min_chars` characters unless it holds two numbers), or another report — another year's
    or another agency's — repeats a large share (`min_share`, at least `min_sentences`) of its long
    sentences (`sentence_min_chars`). Versions and copies of one report are not compared."""
    docs = reports(ctx)
    if len(docs) < 2:
        return nothing()
    clause_chars = int(params.get("clause_min_chars", 12))
    sentence_chars = int(params.get("sentence_min_chars", 40))
    min_share = float(params.get("min_share", 0.5))
    min_sentences = int(params.get("min_sentences", 3))
    limit = int(params.get("list_at_most", 3))
    boilerplate = int(params.get("boilerplate_reports", 10))
    records_by_id: dict[str, dict[str, Any]] = {
        str(r["id"]): {str(k): v for k, v in r.items()} for r in docs.to_dict("records")
    }
    run_ids = {i for i, r in records_by_id.items() if r["in_run"]}
    hist_ids = set(records_by_id) - run_ids
    history_claims = ctx.history.claims if ctx.history is not None else None
    text = _Texts(ctx, records_by_id, sentence_chars)
    # first pass: hashes only (see the module)
    spread = _Spread([text.sentence_hashes(doc_id) for doc_id in records_by_id])
    clause_holders: dict[str, set[int]] = {}  # in the order a full pass met the documents' clauses
    for claims, ids in ((ctx.claims, run_ids), (history_claims, hist_ids)):
        for doc, masked, _, _ in _clauses_of(claims, ids, clause_chars):
            clause_holders.setdefault(doc, set()).add(hash(masked))
    pairs = _candidate_pairs(records_by_id, clause_holders, spread, min_sentences, boilerplate)
    # second pass: the text of the reports in a candidate pair
    wanted = {doc_id for pair in pairs for doc_id in pair}
    clauses = _number_clauses(ctx.claims, run_ids & wanted, clause_chars)
    clauses.update(_number_clauses(history_claims, hist_ids & wanted, clause_chars))
    sentences = {doc_id: text.sentences(doc_id) for doc_id in records_by_id if doc_id in wanted}
    quotes = history_lines(ctx)

    def template(sentence: str) -> bool:
        return spread.count(hash(sentence)) > boilerplate

    found: list[dict[str, Any]] = []
    for a_id, b_id in pairs:
        a, b = records_by_id[a_id], records_by_id[b_id]
        if not (a["in_run"] or b["in_run"]) or a["content_hash"] == b["content_hash"]:
            continue
        same_agency = a["agency_key"] == b["agency_key"]
        if same_agency and a["year"] == b["year"]:
            continue  # versions of one report
        # number clauses: stale figures of the agency's own other years (another agency's equal counts may
        # be chance); long passages: from any report
        shared_clauses = sorted(set(clauses.get(a_id, {})) & set(clauses.get(b_id, {}))) if same_agency else []
        shared_sentences = {x for x in set(sentences[a_id]) & set(sentences[b_id]) if not template(x)}
        if same_agency:
            later, earlier = (a, b) if a["year"] > b["year"] else (b, a)
            targets = [(later, earlier)] if later["in_run"] else [(earlier, later)]
        else:
            targets = [(x, y) for x, y in ((a, b), (b, a)) if x["in_run"]]
        for on, other in targets:
            own = sentences[str(on["id"])]
            share = len(shared_sentences) / len(own) if own else 0.0
            passages = len(shared_sentences) >= min_sentences and share >= min_share
            if not shared_clauses and not passages:
                continue
            found.append(
                _copied_hit(
                    on,
                    other,
                    shared_clauses,
                    shared_sentences if passages else set(),
                    share,
                    clauses,
                    sentences,
                    quotes,
                    limit,
                    same_agency,
                )
            )
    return hits_frame(found), na_frame()


class _Texts:
    """The reports' lines (the run's from their sources, the history's from the store) and their
    masked long sentences."""

    def __init__(self, ctx: Context, records: dict[str, dict[str, Any]], min_chars: int) -> None:
        self.records, self.min_chars = records, min_chars
        self.spans: dict[Any, dict[str, Any]] = ctx.documents.set_index("id")[["line_start", "line_end"]].to_dict(
            "index"
        )  # type: ignore[assignment]
        self.by_path = {s.path: s for s in ctx.sources}
        self.history: dict[str, list[tuple[int, str]]] = {}
        if ctx.history is not None and "lines" in ctx.history.documents.columns:
            self.history = {
                str(d): [(int(n), str(t)) for n, t, _ in lines]
                for d, lines in zip(ctx.history.documents["id"], ctx.history.documents["lines"], strict=True)
            }

    def sentences(self, doc_id: str) -> dict[str, int]:
        doc = self.records[doc_id]
        lines = (
            _run_lines(self.by_path, doc | self.spans.get(doc_id, {}))
            if doc["in_run"]
            else self.history.get(doc_id, [])
        )
        return _long_sentences(lines, self.min_chars)

    def sentence_hashes(self, doc_id: str) -> np.ndarray:
        return np.unique(np.fromiter(map(hash, self.sentences(doc_id)), dtype=np.int64))


class _Spread:
    """How many reports hold each long sentence, and who holds what, from the sentences' hashes:
    a few integers per report however large the batch."""

    def __init__(self, per_report: list[np.ndarray]) -> None:
        self.reports = len(per_report)
        self.hashes = np.concatenate(per_report) if per_report else np.zeros(0, dtype=np.int64)
        self.owners = np.repeat(np.arange(len(per_report)), [len(h) for h in per_report])
        self.distinct, self.inverse, self.counts = np.unique(self.hashes, return_inverse=True, return_counts=True)

    def count(self, hashed: int) -> int:
        at = int(np.searchsorted(self.distinct, hashed))
        return int(self.counts[at]) if at < len(self.distinct) and self.distinct[at] == hashed else 0

    def pairs(self, boilerplate: int, at_least: int) -> list[tuple[int, int]]:
        """(report, report) index pairs, the first one earlier, sharing at least `at_least`
        sentences that fewer than `boilerplate` + 1 reports hold."""
        held_by = self.counts[self.inverse]
        keep = np.flatnonzero((held_by > 1) & (held_by <= boilerplate))
        order = keep[np.argsort(self.inverse[keep], kind="stable")]  # by sentence, reports in order
        sentence, owner = self.inverse[order], self.owners[order]
        firsts, seconds = [], []
        for step in range(1, min(boilerplate, len(sentence))):  # a sentence's holders lie < `boilerplate` apart
            same = np.flatnonzero(sentence[step:] == sentence[:-step])
            firsts.append(owner[same])
            seconds.append(owner[same + step])
        if not firsts:
            return []
        codes = np.concatenate(firsts).astype(np.int64) * self.reports + np.concatenate(seconds)
        shared, times = np.unique(codes, return_counts=True)
        return [(int(c // self.reports), int(c % self.reports)) for c in shared[times >= at_least]]


def _candidate_pairs(
    docs: dict[str, dict[str, Any]],
    clause_holders: dict[str, set[int]],
    spread: _Spread,
    min_sentences: int,
    boilerplate: int,
) -> list[tuple[str, str]]:
    """Pairs of reports sharing a number clause (same agency) or at least `min_sentences` long
    sentences, found through an index of who holds what — never every pair of a large run. A
    sentence in more than `boilerplate` reports is template text and shared by no pair."""
    pairs: set[tuple[str, str]] = set()
    holders: dict[tuple[Any, int], list[str]] = defaultdict(list)
    for doc_id, held in clause_holders.items():
        if doc_id in docs:
            for clause in held:
                holders[(docs[doc_id]["agency_key"], clause)].append(doc_id)
    for ids in holders.values():
        pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    ids = list(docs)
    pairs.update((ids[a], ids[b]) for a, b in spread.pairs(boilerplate, min_sentences))
    return sorted(pairs)


def _copied_hit(
    on: dict[str, Any],
    other: dict[str, Any],
    shared_clauses: list[str],
    shared_sentences: set[str],
    share: float,
    clauses: dict[str, dict[str, tuple[int, str]]],
    sentences: dict[str, dict[str, int]],
    quotes: dict[str, dict[int, str]],
    limit: int,
    same_agency: bool,
) -> dict[str, Any]:
    on_id, other_id = str(on["id"]), str(other["id"])
    parts = []
    evidence: list[Any] = []
    if shared_clauses:
        # ties (two clauses on one line) broken by the clause itself: set order varies per process
        shown = sorted(shared_clauses, key=lambda c: (clauses[on_id][c][0], c))[:limit]
        listed = "、".join(f"「{clauses[on_id][c][1]}」" for c in shown)
        more = f"等共{len(shared_clauses)}处" if len(shared_clauses) > limit else ""
        parts.append(f"含数字的语句{listed}{more}与之相同")
        for c in shown:
            evidence += [line_ref(on, clauses[on_id][c][0], quotes), line_ref(other, clauses[other_id][c][0], quotes)]
    if shared_sentences:
        own = sentences[on_id]
        parts.append(f"{len(own)} 个长句中有 {len(shared_sentences)} 个({share:.0%})与之相同")
        for s in sorted(shared_sentences, key=lambda s: (own[s], s))[:limit]:
            evidence += [line_ref(on, own[s], quotes), line_ref(other, sentences[other_id][s], quotes)]
    whose = f"本机关{other['year']}年报告" if same_agency else f"另一机关({other['agency_key']}){other['year']}年报告"
    return {
        "document": on_id,
        # no pair of values: how much is shared is said in the message (never a bare 实为 count)
        "refs": list(dict.fromkeys(r for r in evidence if r is not None)),
        "key": f"copied/{other['content_hash']}",
        "vars": {
            "other": other_id,
            "whose": whose,
            "detail": "；".join(parts),
            "clauses": len(shared_clauses),
            "sentences": len(shared_sentences),
        },
    }
