"""The year-over-year check kind: a change the narrative states against last year (「同比减少38件」,
「上升了93%」) held against the previous year's report of the same agency.

The previous year comes from one lookup, `previous_year`: the run's reports and the history store's
(earlier runs, audit.history). A pair is checked when at least one of its reports is in the run.
The finding goes on the report that states the change when it is in the run; when that report is a
stored one (runs newest first), on the run's earlier report, quoting the stored sentence. Evidence
cites both reports: the sentence and last year's table cells.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from audit.model import dated_reports
from audit.validate.kinds import Context, hits_frame, kind, na_frame, nothing, number, stored_quotes
from audit.validate.kinds_narrative import (
    cell_lines,
    cells_by_document,
    claim_ref,
    comparable_scope,
    decimals_of,
    fits_share_range,
    has_reading,
    reading_values,
    readings_of,
    records,
    row_label,
    split_metric,
    split_term,
)

_PAIR_COLUMNS = ["id", "agency_key", "year", "content_hash", "source", "in_run"]


def _reports(documents: pd.DataFrame, in_run: bool) -> pd.DataFrame:
    return dated_reports(documents).assign(in_run=in_run)[_PAIR_COLUMNS]


def previous_year(documents: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """(document, previous) pairs: each report and the reports of the same agency_key for the year
    before (copies left out), from the run's `documents` and the store's `history`; at least one of
    each pair is in the run. Columns: document, previous, year (the document's), in_run, prev_in_run,
    source, prev_source."""
    parts = [_reports(documents, True)]
    if history is not None and not history.empty:
        parts.append(_reports(history, False))
    reports = pd.concat(parts, ignore_index=True).astype({"year": int})
    earlier = reports.assign(year=reports["year"] + 1)
    pairs = reports.merge(earlier, on=["agency_key", "year"], suffixes=("", "_prev"))
    pairs = pairs[(pairs["in_run"] | pairs["in_run_prev"]) & (pairs["content_hash"] != pairs["content_hash_prev"])]
    renamed = pairs.rename(
        columns={"id": "document", "id_prev": "previous", "in_run_prev": "prev_in_run", "source_prev": "prev_source"}
    )
    columns = ["document", "previous", "year", "in_run", "prev_in_run", "source", "prev_source"]
    return renamed[columns].reset_index(drop=True)


Interval = tuple[float, float]  # (low, high) of a figure; an approximate number (2.1万, 300余) is a range


def _change_fits(claim: dict[str, Any], current: Interval, previous: Interval) -> bool:
    """The stated change (its range) meets current − previous (their ranges); a percentage change,
    of any value in the ranges, prints as stated under rounding or truncation (约: ±1 point)."""
    if claim["kind"] == "change":
        lowest, highest = current[0] - previous[1], current[1] - previous[0]
        return bool(max(claim["low"], lowest) <= min(claim["high"], highest) + 1e-9)
    if previous[0] <= 0:
        return False
    literal = claim["text"][int(claim["span_start"]) : int(claim["span_end"])]
    lowest, highest = (current[0] / previous[1] - 1) * 100, (current[1] / previous[0] - 1) * 100
    return fits_share_range(lowest, highest, claim["value"], decimals_of(literal), claim["approx"])


def _figure(value: float, interval: Interval) -> str:
    return (
        number(value)
        if interval[0] == interval[1]
        else f"{number(value)}（{number(interval[0])}–{number(interval[1])}）"
    )


def _change_words(claim: dict[str, Any], current: Interval, previous: float, previous_range: Interval) -> str:
    cur, prev = _figure(claim["base"], current), _figure(previous, previous_range)
    if claim["kind"] == "change" or previous <= 0:
        if current[0] == current[1] and previous_range[0] == previous_range[1]:
            return f"{cur} − {prev} = {number(claim['base'] - previous)}"
        return f"{cur} − {prev} = {number(current[0] - previous_range[1])} 至 {number(current[1] - previous_range[0])}"
    return f"({cur} − {prev}) / {prev} = {(claim['base'] - previous) / previous * 100:.1f}%"


def _current_ranges(claims: pd.DataFrame, counts: pd.DataFrame) -> list[Interval]:
    """The range of each change claim's current figure: the count of the same metric on its line
    whose value is the claim's base (「2.1万条」 is 20500–21500), else the base itself."""
    ranges: dict[tuple[Any, Any, Any, float], Interval] = {}
    columns = [counts[c] for c in ("document", "line", "metric", "value", "low", "high")]
    for doc, line, metric, value, low, high in zip(*columns, strict=True):
        ranges.setdefault((doc, int(line), metric, float(value)), (float(low), float(high)))
    keys = zip(claims["document"], claims["line"], claims["metric"], claims["base"], strict=True)
    return [
        ranges.get((doc, int(line), metric, float(base)), (float(base), float(base)))
        for doc, line, metric, base in keys
    ]


def _stated_values(counts: pd.DataFrame, joined: pd.DataFrame, stated: set[str]) -> list[tuple[float, Interval]]:
    """Last year's figure of a metric no table holds (「主动公开政府信息18396条」): the count the
    previous report states for the same metric, when it states exactly one value (NaN otherwise)."""
    chosen = counts[counts["metric"].isin(stated) & (counts["scope"].astype(object) != "sub")]
    by_key: dict[tuple[Any, Any], set[tuple[float, float, float]]] = {}
    for doc, metric, value, low, high in zip(
        chosen["document"], chosen["metric"], chosen["value"], chosen["low"], chosen["high"], strict=True
    ):
        by_key.setdefault((doc, metric), set()).add((float(value), float(low), float(high)))
    out: list[tuple[float, Interval]] = []
    for previous, metric in zip(joined["previous"], joined["metric"], strict=True):
        found = by_key.get((previous, metric), set())
        if len(found) == 1:
            value, low, high = next(iter(found))
            out.append((value, (low, high)))
        else:
            out.append((math.nan, (math.nan, math.nan)))
    return out


def _claims(ctx: Context, pairs: pd.DataFrame) -> pd.DataFrame:
    """Change claims of the run's reports in scope, and of stored reports whose previous year is one
    of the run's reports in scope."""
    kinds = ("change", "change_percent")
    scope = set(ctx.documents["id"])
    parts = []
    if ctx.claims is not None and not ctx.claims.empty:
        parts.append(ctx.claims[ctx.claims["document"].isin(scope) & ctx.claims["kind"].isin(kinds)])
    history = ctx.history
    if history is not None and not history.claims.empty:
        stored = set(pairs.loc[~pairs["in_run"] & pairs["previous"].isin(scope), "document"])
        parts.append(history.claims[history.claims["document"].isin(stored) & history.claims["kind"].isin(kinds)])
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


@kind("year_over_year", params=("readings",))
def year_over_year(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stated change against last year agrees with the previous year's report of the same agency
    (any of its versions; the run's or the history store's); the stated current figure is the
    sentence's own count, last year's is the first reading of the metric in last year's table, or
    for a `stated` metric no table holds (主动公开 counts) the count last year's report states. A change
    of a figure about 下属单位, or of a consolidated one (全区…) in a single body's report or about a
    table not in `region_tables`, is not held against a table."""
    history = ctx.history
    stored_docs = None if history is None else history.documents
    pairs = previous_year(ctx.all_documents, stored_docs)
    if pairs.empty:
        return nothing()
    claims = _claims(ctx, pairs)
    if claims.empty:
        return nothing()
    readings: dict[str, list[list[str]]] = params["readings"]
    stated = {str(m): str(label) for m, label in (params.get("stated") or {}).items()}
    from_table = claims["metric"].map(lambda m: has_reading(m, readings))
    # a change of a figure the table does not hold (下属单位; 全县… in an office's report) is not checked
    # against it, as in claim_matches_cell
    documents = ctx.all_documents if stored_docs is None else pd.concat([ctx.all_documents, stored_docs])
    in_table = from_table & comparable_scope(claims, documents, params.get("region_tables"))
    claims = claims.assign(from_table=from_table)
    claims = claims[(in_table | claims["metric"].isin(stated)) & claims["base"].notna()].reset_index(drop=True)
    joined = claims.reset_index(names="claim").merge(pairs, on="document")
    scope = set(ctx.documents["id"])
    # a stored report's claim is judged only against the run's versions of last year in scope
    joined = joined[joined["in_run"] | joined["previous"].isin(scope)].reset_index(drop=True)
    if joined.empty:
        return nothing()
    cells = ctx.all_cells
    if history is not None and not history.cells.empty:
        cells = pd.concat([cells, history.cells[history.cells["document"].isin(set(joined["previous"]))]])
    counts = _counts(ctx)
    by_table = joined["from_table"].to_numpy(bool)
    previous: list[tuple[float, Interval]] = [(math.nan, (math.nan, math.nan))] * len(joined)
    # last year's figure: the first reading its table gives (2019 and 2021 tables name a column differently)
    found = reading_values(joined[by_table], cells, readings, joined.loc[by_table, "previous"])
    for i, values in zip(np.flatnonzero(by_table), found, strict=True):
        v = next((v for v in values if not math.isnan(v)), math.nan)
        previous[i] = (v, (v, v))
    for i, value in zip(np.flatnonzero(~by_table), _stated_values(counts, joined[~by_table], set(stated)), strict=True):
        previous[i] = value
    current = _current_ranges(joined, counts)
    fits = [
        not math.isnan(v) and _change_fits(c, cur, rng)
        for c, cur, (v, rng) in zip(records(joined), current, previous, strict=True)
    ]
    joined = joined.assign(
        previous_value=[v for v, _ in previous],
        previous_low=[r[0] for _, r in previous],
        previous_high=[r[1] for _, r in previous],
        current_low=[c[0] for c in current],
        current_high=[c[1] for c in current],
        decided=[not math.isnan(v) for v, _ in previous],
        fits=fits,
    )
    verdict = joined.groupby("claim")[["decided", "fits"]].any()
    failing = joined[joined["claim"].isin(verdict.index[verdict["decided"] & ~verdict["fits"]]) & joined["decided"]]
    if failing.empty:
        return nothing()
    own = cells_by_document(cells, set(failing["previous"]))
    quotes = stored_quotes(None if history is None else history.documents)
    said = _stated_lines(counts[counts["document"].isin(set(failing["previous"]))])
    by_claim: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in records(failing.sort_values("claim", kind="stable")):
        by_claim[int(row["claim"])].append(row)
    hits = []
    for rows in by_claim.values():
        first = rows[0]
        if first["in_run"]:
            hits.append(_hit(first, rows, first["document"], own, said, quotes, readings, stated))
        else:  # the stated change is in a stored report: one finding on each run version of last year
            for version in rows:
                same = [r for r in rows if r["previous"] == version["previous"]]
                hits.append(_hit(version, same, version["previous"], own, said, quotes, readings, stated))
    return hits_frame(hits), na_frame()


def _stated_lines(counts: pd.DataFrame) -> dict[tuple[Any, Any], list[int]]:
    """(document, metric) → the lines stating that figure."""
    out: dict[tuple[Any, Any], set[int]] = defaultdict(set)
    for doc, metric, line in zip(counts["document"], counts["metric"], counts["line"], strict=True):
        out[(doc, metric)].add(int(line))
    return {k: sorted(v) for k, v in out.items()}


def _counts(ctx: Context) -> pd.DataFrame:
    """The count claims of the run and of the history store (current ranges, last year's stated figures)."""
    parts = [
        c for c in (ctx.claims, None if ctx.history is None else ctx.history.claims) if c is not None and not c.empty
    ]
    if not parts:
        return pd.DataFrame(columns=["document", "metric", "value", "low", "high", "group", "scope", "line"])
    claims = pd.concat(parts, ignore_index=True)
    return claims[claims["kind"] == "count"]


def _reading_lines(cells: Any, claim: dict[str, Any], readings: dict[str, list[list[str]]]) -> list[int]:
    """The lines of last year's cells of the first reading its table gives."""
    table, _, column = split_metric(claim["metric"])
    for alternative in readings_of(claim["metric"], readings):
        terms = [split_term(t, column) for t in alternative]
        lines = sorted({int(x[1]) for r, col in terms for x in cell_lines(cells, table, [r], col)})
        if lines:
            return lines
    return []


def _hit(
    claim: dict[str, Any],
    rows: list[dict[str, Any]],
    on: str,
    own: dict[str, Any],
    said: dict[tuple[Any, Any], list[int]],
    quotes: dict[str, dict[int, str]],
    readings: dict[str, list[list[str]]],
    stated: dict[str, str],
) -> dict[str, Any]:
    """The finding for one claim: `rows` are its pairs with the versions of last year that disagree."""
    table, row, column = split_metric(claim["metric"])
    decided = [r for r in rows if r["decided"]]
    values = [float(r["previous_value"]) for r in decided]
    ranges = [(r["previous_low"], r["previous_high"]) for r in decided]
    current = (float(claim["current_low"]), float(claim["current_high"]))
    literal = claim["text"][int(claim["span_start"]) : int(claim["span_end"])]
    sentence = claim_ref(claim)
    refs: list[tuple[Any, ...]] = []
    if claim["in_run"]:
        refs.append(sentence)
    else:  # quote the stored report under the path it was audited from
        line = int(sentence[1])
        refs.append((claim["source"], line, quotes.get(str(claim["document"]), {}).get(line, ""), sentence[3]))
    for r in decided:
        previous, prev_in_run, prev_source = r["previous"], r["prev_in_run"], r["prev_source"]
        if claim["from_table"]:
            lines = _reading_lines(own.get(previous, []), claim, readings)
        else:  # last year's sentence stating the figure
            lines = said.get((previous, claim["metric"]), [])
        for line in lines:
            text = None if prev_in_run else quotes.get(str(previous), {}).get(line, "")
            refs.append((prev_source, line, text))
    key = f"{claim['metric']}:{claim['line']}:{claim['span_start']}"
    whose = ""
    if on != claim["document"]:
        key += f"@{claim['document']}"
        whose = f"{claim['year']}年报告 {claim['source']} 的"
    # 应为 the change last year's figure requires, 实为 the change stated: only for an exact count
    # change (a percentage or an approximate change has no one required value; the message says why)
    paired = claim["kind"] == "change" and not claim["approx"]
    return {
        "document": on,
        "expected": claim["base"] - values[0] if paired else None,
        "actual": claim["value"] if paired else None,
        "refs": list(dict.fromkeys(refs)),
        "key": key,
        "vars": {
            "whose": whose,
            "literal": literal,
            "label": (
                row_label(table, row, None if table == "applications" else column)
                if claim["from_table"]
                else stated.get(claim["metric"], claim["metric"])
            ),
            "current": number(claim["base"]),
            "previous": "、".join(_figure(v, r) for v, r in zip(values, ranges, strict=True)),
            "previous_documents": "、".join(str(r["previous"]) for r in decided),
            "real_change": "、".join(_change_words(claim, current, v, r) for v, r in zip(values, ranges, strict=True)),
        },
    }
