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
from typing import Any

import numpy as np
import pandas as pd

from audit.validate.kinds import Context, hits_frame, kind, na_frame, nothing, number
from audit.validate.kinds_narrative import (
    cell_lines,
    cells_by_document,
    claim_ref,
    decimals_of,
    fits_percent,
    reading_values,
    records,
    row_label,
    split_metric,
)

_PAIR_COLUMNS = ["id", "agency_key", "year", "content_hash", "source", "in_run"]


def _reports(documents: pd.DataFrame, in_run: bool) -> pd.DataFrame:
    chosen = documents[
        (documents["kind"] == "annual_report")
        & documents["duplicate_of"].isna()
        & documents["truncated_copy_of"].isna()
        & documents["agency_key"].notna()
        & documents["year"].notna()
    ]
    return chosen.assign(in_run=in_run)[_PAIR_COLUMNS]


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


def _change_fits(claim: dict[str, Any], previous: float) -> bool:
    change = claim["base"] - previous
    if claim["kind"] == "change":
        return bool(claim["low"] - 1e-9 <= change <= claim["high"] + 1e-9)
    if previous <= 0:
        return False
    literal = claim["text"][int(claim["span_start"]) : int(claim["span_end"])]
    return fits_percent(change / previous * 100, claim["value"], decimals_of(literal), claim["approx"])


def _change_words(claim: dict[str, Any], previous: float) -> str:
    change = claim["base"] - previous
    if claim["kind"] == "change" or previous <= 0:
        return f"{number(claim['base'])} − {number(previous)} = {number(change)}"
    return f"({number(claim['base'])} − {number(previous)}) / {number(previous)} = {change / previous * 100:.1f}%"


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
    sentence's own count, last year's is the first reading of the metric in last year's table."""
    history = ctx.history
    stored_docs = None if history is None else history.documents
    pairs = previous_year(ctx.all_documents, stored_docs)
    if pairs.empty:
        return nothing()
    claims = _claims(ctx, pairs)
    if claims.empty:
        return nothing()
    readings = {k: v[:1] for k, v in params["readings"].items()}
    known = claims["metric"].map(lambda m: "{}.{}".format(*split_metric(m)[:2]) in readings)
    claims = claims[known & claims["base"].notna()].reset_index(drop=True)
    joined = claims.reset_index(names="claim").merge(pairs, on="document")
    scope = set(ctx.documents["id"])
    # a stored report's claim is judged only against the run's versions of last year in scope
    joined = joined[joined["in_run"] | joined["previous"].isin(scope)].reset_index(drop=True)
    if joined.empty:
        return nothing()
    cells = ctx.all_cells
    if history is not None and not history.cells.empty:
        cells = pd.concat([cells, history.cells[history.cells["document"].isin(set(joined["previous"]))]])
    previous = [found[0] for found in reading_values(joined, cells, readings, joined["previous"])]
    fits = [not math.isnan(v) and _change_fits(c, v) for c, v in zip(records(joined), previous, strict=True)]
    joined = joined.assign(previous_value=previous, decided=~np.isnan(np.asarray(previous, dtype=float)), fits=fits)
    verdict = joined.groupby("claim")[["decided", "fits"]].any()
    failing = joined[joined["claim"].isin(verdict.index[verdict["decided"] & ~verdict["fits"]]) & joined["decided"]]
    if failing.empty:
        return nothing()
    own = cells_by_document(cells, set(failing["previous"]))
    quotes = _stored_quotes(ctx, set(failing["document"]) | set(failing["previous"]))
    hits = []
    for _, rows in failing.groupby("claim", sort=True):
        first = records(rows.iloc[:1])[0]
        if first["in_run"]:
            hits.append(_hit(first, rows, first["document"], own, quotes, readings))
        else:  # the stated change is in a stored report: one finding on each run version of last year
            for version in records(rows):
                hits.append(
                    _hit(
                        version,
                        rows[rows["previous"] == version["previous"]],
                        version["previous"],
                        own,
                        quotes,
                        readings,
                    )
                )
    return hits_frame(hits), na_frame()


def _stored_quotes(ctx: Context, ids: set[Any]) -> dict[str, dict[int, str]]:
    """Stored document id → {line: original text}, for the stored reports among `ids`."""
    history = ctx.history
    if history is None or "lines" not in history.documents.columns:
        return {}
    chosen = history.documents[history.documents["id"].isin(ids)]
    return {
        str(d): {int(n): str(original) for n, _, original in lines}
        for d, lines in zip(chosen["id"], chosen["lines"], strict=True)
    }


def _hit(
    claim: dict[str, Any],
    rows: pd.DataFrame,
    on: str,
    own: dict[str, Any],
    quotes: dict[str, dict[int, str]],
    readings: dict[str, list[list[str]]],
) -> dict[str, Any]:
    """The finding for one claim: `rows` are its pairs with the versions of last year that disagree."""
    table, row, column = split_metric(claim["metric"])
    decided = rows[rows["decided"]]
    values = [float(v) for v in decided["previous_value"]]
    literal = claim["text"][int(claim["span_start"]) : int(claim["span_end"])]
    sentence = claim_ref(claim)
    refs: list[tuple[Any, ...]] = []
    if claim["in_run"]:
        refs.append(sentence)
    else:  # quote the stored report under the path it was audited from
        line = int(sentence[1])
        refs.append((claim["source"], line, quotes.get(str(claim["document"]), {}).get(line, ""), sentence[3]))
    for previous, prev_in_run, prev_source in zip(
        decided["previous"], decided["prev_in_run"], decided["prev_source"], strict=True
    ):
        for _, line, _ in cell_lines(own.get(previous, []), table, readings[f"{table}.{row}"][0], column):
            text = None if prev_in_run else quotes.get(str(previous), {}).get(int(line), "")
            refs.append((prev_source, int(line), text))
    key = f"{claim['metric']}:{claim['line']}:{claim['span_start']}"
    whose = ""
    if on != claim["document"]:
        key += f"@{claim['document']}"
        whose = f"{claim['year']}年报告 {claim['source']} 的"
    return {
        "document": on,
        "expected": claim["base"] - values[0] if claim["kind"] == "change" else None,
        "actual": claim["value"],
        "refs": list(dict.fromkeys(refs)),
        "key": key,
        "vars": {
            "whose": whose,
            "literal": literal,
            "label": row_label(table, row),
            "current": number(claim["base"]),
            "previous": "、".join(number(v) for v in values),
            "previous_documents": "、".join(str(d) for d in decided["previous"]),
            "real_change": "、".join(_change_words(claim, v) for v in values),
        },
    }
