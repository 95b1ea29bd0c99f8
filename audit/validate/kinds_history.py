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
from collections import defaultdict
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


def line_ref(doc: dict[str, Any], line: Any, quotes: dict[str, dict[int, str]]) -> tuple[str, int, str | None] | None:
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
            line_ref(cur, tgt[1], quotes),
            *(line_ref(cur, c[1], quotes) for _, _, c in cur_parts),
            *(line_ref(prev, c[1], quotes) for _, _, c in prev_parts),
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
