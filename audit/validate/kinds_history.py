"""Cross-year check kinds: an agency's report against its other years (domain.md §7.3 X1–X3) and
against other reports (内容雷同, domain.md §9).

The reports compared are the run's (the documents in the rule's scope) and the history store's
(`ctx.history`: earlier runs' reports of the same agencies, audit.history). A pair is checked when at
least one of its reports is in the run; the finding goes on the run's report of the pair — the later
year's when both are in the run — and its evidence quotes the lines of both reports (a history
report's lines come from the store, under the path it was audited from).

Copies (duplicate_of / truncated_copy_of) are never compared; versions of one report (same agency
and year) are not compared with each other here (document.conflicting_versions does that), but
each is compared with the other years: when the previous year has several versions, the finding
says which of them this report continues.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from typing import Any

import pandas as pd

from audit.model import dated_reports, plain_rows
from audit.validate.kinds import (
    Context,
    hits_frame,
    is_missing,
    kind,
    label,
    na_frame,
    nothing,
    number,
    stored_quotes,
)

_REPORT_COLUMNS = ["id", "agency_key", "year", "format", "content_hash", "source", "in_run"]


def reports(ctx: Context, formats: list[str] | None = None) -> pd.DataFrame:
    """The run's reports in scope and the history's annual reports (no copies), one row each."""
    run = ctx.documents.assign(in_run=True)
    parts = [run]
    history = ctx.history
    if history is not None and not history.documents.empty:
        parts.append(dated_reports(history.documents).assign(in_run=False))
    docs = pd.concat([p[_REPORT_COLUMNS] for p in parts], ignore_index=True)
    docs = docs[docs["agency_key"].notna() & docs["year"].notna()]
    if formats is not None:
        docs = docs[docs["format"].isin([str(f) for f in formats])]
    return docs.astype({"year": int}).reset_index(drop=True)


def history_lines(ctx: Context) -> dict[str, dict[int, str]]:
    """History document id → {line: original text} (what evidence quotes for a stored report)."""
    return stored_quotes(None if ctx.history is None else ctx.history.documents)


def _ref(doc: dict[str, Any], line: Any, quotes: dict[str, dict[int, str]]) -> tuple[str, int, str | None] | None:
    if is_missing(line):
        return None
    n = int(line)
    text = None if doc["in_run"] else quotes.get(str(doc["id"]), {}).get(n, "")
    return (str(doc["source"]), n, text)


# -- X1–X3: a figure carried from one year's report into the next ------------------------------------


Cell = tuple[float, int | None]  # (value, NaN when blank or a placeholder; line)
Part = tuple[str, int, Cell]  # (term, sign, cell)
# a version of last year's report against this one: (its report, its cells, holds | broken | undecided)
Version = tuple[dict[str, Any], list[Part], str]
CHAIN_TOLERANCE = 1e-6


def _parts(
    values: dict[tuple[str, str, str], Cell], doc: str, group: str, terms: list[tuple[str, int]]
) -> list[Part] | None:
    """The cells of `terms` in one document's group, or None when one is absent."""
    out = []
    for term, sign in terms:
        cell = values.get((doc, group, term))
        if cell is None:
            return None
        out.append((term, sign, cell))
    return out


def signed_terms(spec: Any) -> list[tuple[str, int]]:
    """A year chain's terms ('-' subtracts) as (key, sign)."""
    return [(t[1:], -1) if t.startswith("-") else (t, 1) for t in (spec or [])]


def _expected(prev_parts: list[Part], cur_parts: list[Part]) -> float:
    return float(sum(s * c[0] for _, s, c in [*prev_parts, *cur_parts]))


def _chain_cells(ctx: Context, table: str, axis: str, ids: set[str]) -> dict[tuple[str, str, str], Cell]:
    """(document, group, term) → (value, line) of `table`'s cells of the paired reports only (this
    run's and the store's), read as plain lists (iterating Arrow-backed columns is slow)."""
    cells = [ctx.table_cells(table)]
    if ctx.history is not None and not ctx.history.cells.empty:
        cells.append(ctx.history.cells[ctx.history.cells["table"] == table])
    frame = pd.concat([c[c["document"].isin(ids)] for c in cells], ignore_index=True)
    other_axis = "row" if axis == "column" else "column"
    keys = frame[["document", axis, other_axis]].astype(str)
    values = frame["value"].astype("float64")  # NaN: blank or a placeholder
    lines = [None if line != line else int(line) for line in frame["line"].astype("float64").tolist()]
    return dict(zip(plain_rows(keys, *keys.columns), zip(values.tolist(), lines, strict=True), strict=True))


@kind("year_chain", params=("table", "axis", "previous", "target"))
def year_chain(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Consecutive years of one agency: the sum of `previous` (the previous year's cells, '-' to
    subtract) and `current` (this year's) equals this year's `target`, per group of `axis`
    (column: applicant columns of `table`; row: its items; `groups` limits them). `formats` gives
    the formats of `previous` and `current` ({previous: [..], current: [..]}). When the previous
    year has several versions, each is compared and the finding names the one this report continues."""
    table, axis = params["table"], params["axis"]
    previous, current = signed_terms(params["previous"]), signed_terms(params.get("current"))
    target = str(params["target"])
    formats = params.get("formats") or {}
    prev_formats = [str(f) for f in formats.get("previous", ["2019", "2021"])]
    cur_formats = [str(f) for f in formats.get("current", ["2019", "2021"])]
    docs = reports(ctx, sorted({*prev_formats, *cur_formats}))
    if docs.empty:
        return nothing()
    pairs = docs.merge(docs, on="agency_key", suffixes=("", "_prev"))
    pairs = pairs[
        (pairs["year_prev"] == pairs["year"] - 1)
        & pairs["format"].isin(cur_formats)
        & pairs["format_prev"].isin(prev_formats)
        & (pairs["in_run"] | pairs["in_run_prev"])
        & (pairs["content_hash"] != pairs["content_hash_prev"])
    ]
    if pairs.empty:
        return nothing()
    values = _chain_cells(ctx, table, axis, {*pairs["id"], *pairs["id_prev"]})
    targets: dict[str, set[str]] = defaultdict(set)  # document → the groups that have a target cell
    for doc, group, term in values:
        if term == target:
            targets[doc].add(group)
    by_id: dict[str, dict[str, Any]] = {
        str(r["id"]): {str(k): v for k, v in r.items()} for r in docs.to_dict("records")
    }
    groups_param = [str(g) for g in params.get("groups") or []]
    quotes = history_lines(ctx)
    records: list[dict[str, Any]] = []
    undecided: list[dict[str, Any]] = []
    versions = pairs.groupby("id", sort=False)["id_prev"].apply(list)
    for cur_id, prev_ids in versions.items():
        cur = by_id[str(cur_id)]
        groups = groups_param or sorted(targets.get(cur["id"], ()), key=lambda g: _order(table, axis, g))
        for group in groups:
            tgt = values.get((cur["id"], group, target))
            if tgt is None:
                continue
            cur_parts = _parts(values, cur["id"], group, current)
            if cur_parts is None:
                continue
            judged: list[Version] = []
            for prev_id in prev_ids:
                prev = by_id[str(prev_id)]
                prev_parts = _parts(values, prev["id"], group, previous)
                if prev_parts is None:
                    continue
                if any(math.isnan(c[0]) for _, _, c in [*prev_parts, *cur_parts]) or math.isnan(tgt[0]):
                    verdict = "undecided"
                else:
                    holds = abs(_expected(prev_parts, cur_parts) - tgt[0]) <= CHAIN_TOLERANCE
                    verdict = "holds" if holds else "broken"
                judged.append((prev, prev_parts, verdict))
            hits, unsure = chain_findings(params, cur, group, tgt, cur_parts, judged, quotes)
            records.extend(hits)
            undecided.extend(unsure)
    return hits_frame(records), na_frame(undecided)


def chain_findings(
    params: dict[str, Any],
    cur: dict[str, Any],
    group: Any,
    tgt: Cell,
    cur_parts: list[Part],
    judged: list[Version],
    quotes: dict[str, dict[int, str]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(hits, not assessable) of one report `cur` × group of a year chain, from the verdicts on last
    year's versions (decided here or by audit.gx): the versions that hold are the one this report
    continues; the broken ones that give the same figure make one finding on this report when it is
    in the run, else one each on the run's versions; an undecided pair is not assessable on the run's
    report of the pair. `cur` and the versions are rows of `reports`; `quotes`: `history_lines`."""
    table, axis, target = params["table"], params["axis"], str(params["target"])
    labels = params.get("labels") or {}
    matching = [prev["id"] for prev, _, verdict in judged if verdict == "holds"]
    unsure: list[dict[str, Any]] = []
    broken: dict[float, list[tuple[dict[str, Any], list[Part], float]]] = defaultdict(list)
    for prev, prev_parts, verdict in judged:
        on = cur if cur["in_run"] else prev
        if verdict == "undecided" and on["in_run"]:
            unsure.append(
                {
                    "document": on["id"],
                    "table": table,
                    "row": group if axis == "row" else target,
                    "column": group if axis == "column" else target,
                    "reason": f"{label(table, axis, group)}：与{prev['year']}年报告衔接的单元格为空白或占位符",
                    "line": tgt[1],
                }
            )
        elif verdict == "broken":  # versions that agree with each other make one finding on this report
            expected = _expected(prev_parts, cur_parts)
            broken[round(expected, 6)].append((prev, prev_parts, expected))
    # this report in the run: one finding per figure last year's versions give; else one on each of the
    # run's versions of last year
    chosen = (
        [(same[0], same) for same in broken.values()]
        if cur["in_run"]
        else [(o, [o]) for same in broken.values() for o in same]
    )
    found = []
    for (prev, prev_parts, expected), same in chosen:
        if not (cur["in_run"] or prev["in_run"]):
            continue
        on, other = (cur, prev) if cur["in_run"] else (prev, cur)
        evidence = [
            _ref(cur, tgt[1], quotes),
            *(_ref(cur, c[1], quotes) for _, _, c in cur_parts),
            *(_ref(prev, c[1], quotes) for _, _, c in prev_parts),
        ]
        formula = " ".join(f"{'−' if s < 0 else '+'} {number(c[0])}" for _, s, c in [*prev_parts, *cur_parts])
        continues = (
            f"；{cur['year']}年报告与{prev['year']}年的另一版本 {'、'.join(map(str, matching))} 相符（延续该版本）"
            if matching
            else ""
        )
        found.append(
            {
                "document": on["id"],
                "table": table,
                "row": group if axis == "row" else target,
                "column": group if axis == "column" else target,
                "expected": expected,
                "actual": tgt[0],
                "refs": list(dict.fromkeys(r for r in evidence if r is not None)),
                "key": f"{group}/{other['content_hash']}",
                "vars": {
                    "group": labels.get(group, label(table, axis, group)),
                    "this": cur["id"],
                    "prev": "、".join(str(o[0]["id"]) for o in same),
                    "year": cur["year"],
                    "prev_year": prev["year"],
                    "expected": number(expected),
                    "actual": number(tgt[0]),
                    "formula": formula.lstrip("+ "),
                    "v": {t: number(c[0]) for t, _, c in prev_parts},
                    "c": {t: number(c[0]) for t, _, c in cur_parts},
                    "continues": continues,
                },
            }
        )
    return found, unsure


def _order(table: str, axis: str, key: str) -> int:
    from audit.validate.kinds import COLUMN_ORDER, ROW_ORDER

    return (COLUMN_ORDER if axis == "column" else ROW_ORDER).get(key, 99)


# -- 内容雷同: copied number clauses and passages ---------------------------------------------------

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


def _telling(clause: str, min_chars: int) -> bool:
    """A clause worth reporting when repeated: numbers left once dates and phones are masked, not
    only 0 and 100 (nothing and 100% repeat honestly), and two numbers or enough words."""
    numbers = [float(n) for n in _NUMBER.findall(_mask(clause))]
    if not numbers or all(n in (0.0, 100.0) for n in numbers):
        return False
    return len(numbers) >= 2 or len(clause) >= min_chars


def _number_clauses(claims: pd.DataFrame, ids: set[str], min_chars: int) -> dict[str, dict[str, tuple[int, str]]]:
    """document → {masked clause: (line, clause as printed)} of the narrative's number clauses."""
    out: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    if claims is None or claims.empty:
        return out
    part = claims[claims["document"].isin(ids) & claims["text"].notna()]
    for doc, text, start, end, line in plain_rows(part, "document", "text", "span_start", "span_end", "line"):
        if is_missing(start) or is_missing(end) or is_missing(line):
            continue
        clause = _clause(str(text), int(start), int(end))
        if clause and "|" not in clause and _telling(clause, min_chars):
            out[str(doc)].setdefault(_mask(clause), (int(line), clause))
    return out


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
    clauses = _number_clauses(ctx.claims if ctx.claims is not None else pd.DataFrame(), run_ids, clause_chars)
    if ctx.history is not None:
        clauses.update(_number_clauses(ctx.history.claims, hist_ids, clause_chars))
    run_meta: dict[Any, dict[str, Any]] = ctx.documents.set_index("id")[["line_start", "line_end"]].to_dict("index")  # type: ignore[assignment]
    hist_text = {}
    if ctx.history is not None and "lines" in ctx.history.documents.columns:
        hist_text = {
            str(d): [(int(n), str(t)) for n, t, _ in lines]
            for d, lines in zip(ctx.history.documents["id"], ctx.history.documents["lines"], strict=True)
        }
    sentences: dict[str, dict[str, int]] = {}
    by_path = {s.path: s for s in ctx.sources}
    for doc_id, doc in records_by_id.items():
        lines = _run_lines(by_path, doc | run_meta.get(doc_id, {})) if doc["in_run"] else hist_text.get(doc_id, [])
        sentences[doc_id] = _long_sentences(lines, sentence_chars)
    quotes = history_lines(ctx)
    spread: Counter[str] = Counter(x for held in sentences.values() for x in held)

    def template(sentence: str) -> bool:
        return spread[sentence] > boilerplate

    found: list[dict[str, Any]] = []
    for a_id, b_id in _candidate_pairs(records_by_id, clauses, sentences, min_sentences, boilerplate):
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


def _candidate_pairs(
    docs: dict[str, dict[str, Any]],
    clauses: dict[str, dict[str, tuple[int, str]]],
    sentences: dict[str, dict[str, int]],
    min_sentences: int,
    boilerplate: int,
) -> list[tuple[str, str]]:
    """Pairs of reports sharing a number clause (same agency) or at least `min_sentences` long
    sentences, found through an index of who holds what — never every pair of a large run. A
    sentence in more than `boilerplate` reports is template text and shared by no pair."""
    pairs: set[tuple[str, str]] = set()
    holders: dict[tuple[Any, str], list[str]] = defaultdict(list)
    for doc_id, held in clauses.items():
        if doc_id in docs:
            for clause in held:
                holders[(docs[doc_id]["agency_key"], clause)].append(doc_id)
    for ids in holders.values():
        pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    by_sentence: dict[str, list[str]] = defaultdict(list)
    for doc_id, held_sentences in sentences.items():
        for sentence in held_sentences:
            by_sentence[sentence].append(doc_id)
    shared: Counter[tuple[str, str]] = Counter()
    for ids in by_sentence.values():
        if 1 < len(ids) <= boilerplate:
            shared.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    pairs.update(pair for pair, n in shared.items() if n >= min_sentences)
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
            evidence += [_ref(on, clauses[on_id][c][0], quotes), _ref(other, clauses[other_id][c][0], quotes)]
    if shared_sentences:
        own = sentences[on_id]
        parts.append(f"{len(own)} 个长句中有 {len(shared_sentences)} 个({share:.0%})与之相同")
        for s in sorted(shared_sentences, key=lambda s: (own[s], s))[:limit]:
            evidence += [_ref(on, own[s], quotes), _ref(other, sentences[other_id][s], quotes)]
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
