"""Check kinds over the claims frame: what the narrative states, held against the tables.

Each kind joins the claims of every document in scope with sums of table cells ("terms") computed
once per term over all cells: a term is a row or a row group (`denied` = every `denied.*` row) of
one column. A term with a blank, placeholder or missing cell has no value (never 0).

- claim_matches_cell: a stated count equals one of the readings of its metric;
- percentage_fits: a stated share fits one plausible denominator;
- parts_sum: the parts of an exhaustive list add up to its whole;
(year_over_year, which also reads the history store, is in kinds_year_over_year.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from audit.model import APP_COLUMN_ZH, APP_ROW_ZH, RL_GROUP_ZH
from audit.validate.kinds import Context, hits_frame, kind, na_frame, nothing, number

GOVERNMENT_SUFFIXES = ("人民政府", "管委会", "管理委员会", "政府")
GROUP_ZH = {
    "denied": "(三)不予公开",
    "unavailable": "(四)无法提供",
    "not_processed": "(五)不予处理",
    "other": "(六)其他处理",
}
GROUP_ZH |= {"litigation": "行政诉讼"}


def claims_in_scope(ctx: Context, kinds: tuple[str, ...]) -> pd.DataFrame:
    claims = ctx.claims
    if claims is None or claims.empty:
        return pd.DataFrame()
    chosen = claims[claims["document"].isin(ctx.documents["id"]) & claims["kind"].isin(kinds)]
    return chosen.reset_index(drop=True)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records")  # type: ignore[return-value]


def split_metric(metric: str) -> tuple[str, str, str]:
    """'applications.denied.total' → ('applications', 'denied', 'total')."""
    table, _, rest = metric.partition(".")
    row, _, column = rest.rpartition(".")
    return table, row, column


def term_values(cells: pd.DataFrame, table: str, terms: set[str]) -> dict[str, dict[tuple[Any, Any], float]]:
    """term → {(document, column): the sum of its cells}, NaN when one of them is not a number."""
    # a row printed twice (copies inside one document) counts once
    table_cells = cells[cells["table"] == table].drop_duplicates(["document", "row", "column"])
    rows = table_cells["row"].astype(str).to_numpy()
    names = pd.unique(rows)
    out: dict[str, dict[tuple[Any, Any], float]] = {}
    for term in terms:
        members = [r for r in names if r == term or r.startswith(term + ".")]
        part = table_cells[np.isin(rows, members)]
        grouped = part.groupby(["document", "column"])["value"]
        sums = grouped.sum(min_count=1).where(grouped.count() == grouped.size())
        out[term] = sums.to_dict()  # type: ignore[assignment]
    return out


def reading_values(
    claims: pd.DataFrame, cells: pd.DataFrame, readings: dict[str, list[list[str]]], documents: pd.Series | None = None
) -> list[list[float]]:
    """For each claim, the value of each reading of its metric in the table of `documents` (default:
    the claim's own document); NaN for a reading the table cannot give."""
    parsed = [split_metric(m) for m in claims["metric"]]
    docs = claims["document"] if documents is None else documents
    by_table: dict[str, set[str]] = {}
    for table, row, _ in parsed:
        for alternative in readings.get(f"{table}.{row}", []):
            by_table.setdefault(table, set()).update(alternative)
    cells = cells[cells["document"].isin(pd.unique(docs))]
    values = {table: term_values(cells, table, terms) for table, terms in by_table.items()}
    out = []
    for (table, row, column), doc in zip(parsed, docs, strict=True):
        found = []
        for alternative in readings.get(f"{table}.{row}", []):
            found.append(sum(float(values[table][term].get((doc, column), math.nan)) for term in alternative))
        out.append(found)
    return out


def claim_ref(claim: dict[str, Any]) -> tuple[Any, ...]:
    """Evidence for a claim: its line, with the sentence and the span of the number to mark."""
    return (None, int(claim["line"]), None, (claim["text"], int(claim["span_start"]), int(claim["span_end"])))


DocCells = list[tuple[str, str, str, float, Any]]  # (table, row, column, value, line) of one document


def cells_by_document(cells: pd.DataFrame, documents: set[str]) -> dict[str, DocCells]:
    """The cells of some documents as plain tuples, first printing of each (row, column) only."""
    chosen = cells[cells["document"].isin(documents)].drop_duplicates(["document", "table", "row", "column"])
    out: dict[str, DocCells] = {}
    columns = [chosen[c].tolist() for c in ("document", "table", "row", "column", "value", "line")]
    for doc, table, row, column, value, line in zip(*columns, strict=True):
        out.setdefault(doc, []).append((table, str(row), column, float(value), line))
    return out


def in_term(row: str, term: str) -> bool:
    return row == term or row.startswith(term + ".")


def cell_lines(cells: DocCells, table: str, rows: list[str], column: str) -> list[tuple[Any, ...]]:
    lines = {
        int(line)
        for t, row, col, _, line in cells
        if t == table and col == column and any(in_term(row, r) for r in rows) and not pd.isna(line)
    }
    return [(None, x, None) for x in sorted(lines)]


def is_government(agency: Any) -> bool:
    return isinstance(agency, str) and agency.endswith(GOVERNMENT_SUFFIXES) and "办公室" not in agency


def comparable_scope(claims: pd.DataFrame, documents: pd.DataFrame) -> pd.Series:
    """A claim is held against its own report's table unless it is about 下属单位 (sub), or it is a
    consolidated figure (全区/全市…) in the report of a single body (an office, a bureau)."""
    agency = claims["document"].map(documents.drop_duplicates("id").set_index("id")["agency"])
    government = agency.map(is_government)
    scope = claims["scope"].astype(object)
    return (scope != "sub") & ~((scope == "region") & ~government)


def row_label(table: str, row: str) -> str:
    if table == "applications":
        return APP_ROW_ZH.get(row, GROUP_ZH.get(row, row))
    return RL_GROUP_ZH.get(row, GROUP_ZH.get(row, row))


def _sum(cells: DocCells, table: str, terms: list[str], column: str) -> float:
    values = [v for t, row, col, v, _ in cells if t == table and col == column and any(in_term(row, x) for x in terms)]
    return sum(values) if values else math.nan


def _explain(value: float, table: str, row: str, column: str, cells: DocCells, params: dict[str, Any]) -> str:
    """Why the stated number may differ: it is another column of the row, or another known sum."""
    for col in dict.fromkeys(c for t, r, c, _, _ in cells if t == table and in_term(r, row)):
        if col != column and _sum(cells, table, [row], col) == value:
            return f"；{number(value)} 是{APP_COLUMN_ZH.get(col, col)}列的数，不是{APP_COLUMN_ZH.get(column, column)}"
    for item in params.get("explain") or []:
        if _sum(cells, table, item["terms"], column) == value:
            return f"；{number(value)} {item['text']}"
    return ""


@kind("claim_matches_cell", params=("readings",))
def claim_matches_cell(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A count the narrative states equals its table: one of the `readings` of its metric (lists of
    rows or row groups summed) must give the stated number (an approximate number: its interval)."""
    claims = claims_in_scope(ctx, ("count",))
    if claims.empty:
        return nothing()
    readings: dict[str, list[list[str]]] = params["readings"]
    known = claims["metric"].map(lambda m: "{}.{}".format(*split_metric(m)[:2]) in readings)
    claims = claims[known & comparable_scope(claims, ctx.all_documents)].reset_index(drop=True)
    if claims.empty:
        return nothing()
    values = reading_values(claims, ctx.all_cells, readings)
    hits, undecided, mismatched = [], [], []
    for claim, found in zip(records(claims), values, strict=True):
        decided = [v for v in found if not math.isnan(v)]
        if not decided:
            undecided.append(claim)
            continue
        if any(claim["low"] - 1e-9 <= v <= claim["high"] + 1e-9 for v in decided):
            continue
        mismatched.append((claim, found))
    if mismatched:
        own = cells_by_document(ctx.all_cells, {c["document"] for c, _ in mismatched})
        hits = [_mismatch(c, found, own.get(c["document"], []), params) for c, found in mismatched]
    return hits_frame(hits), _undecided(undecided, "表中没有可比的单元格(缺失、空白或占位符)")


def _mismatch(claim: dict[str, Any], found: list[float], cells: DocCells, params: dict[str, Any]) -> dict[str, Any]:
    """The hit of a claim no reading agrees with; `cells` are those of its document."""
    table, row, column = split_metric(claim["metric"])
    expected = next(v for v in found if not math.isnan(v))
    rows = params["readings"][f"{table}.{row}"][0]
    why = _explain(claim["value"], table, row, column, cells, params)
    exact_row = row if row in APP_ROW_ZH or row in RL_GROUP_ZH else None
    return {
        "document": claim["document"],
        "table": table,
        "row": exact_row,
        "column": column,
        "expected": expected,
        "actual": claim["value"],
        "refs": [claim_ref(claim), *cell_lines(cells, table, rows, column)],
        "key": f"{claim['metric']}:{claim['line']}:{claim['span_start']}",
        "vars": {
            "stated": number(claim["value"]),
            "literal": claim["text"][int(claim["span_start"]) : int(claim["span_end"])],
            "label": row_label(table, row),
            "table_value": number(expected),
            "why": why,
        },
    }


def _undecided(claims: list[dict[str, Any]], reason: str) -> pd.DataFrame:
    rows = [
        {
            "document": c["document"],
            "table": split_metric(c["metric"])[0],
            "row": None,
            "column": None,
            "reason": f"「{c['text'][int(c['span_start']) : int(c['span_end'])]}」：{reason}",
            "line": int(c["line"]),
        }
        for c in claims
    ]
    return na_frame(rows)


def fits_percent(share: float, stated: float, decimals: int, approx: bool) -> bool:
    """A share (0–100) printed as `stated` with `decimals` places: rounded, truncated, or within one
    point when the text says 约."""
    unit = 10.0**-decimals
    if abs(share - stated) <= unit / 2 + 1e-9 or 0 <= share - stated < unit - 1e-9:
        return True
    return approx and abs(share - stated) <= 1 + 1e-9


def decimals_of(literal: str) -> int:
    digits = literal.rstrip("%").split(".")
    return len("".join(c for c in digits[1] if c.isdigit())) if len(digits) > 1 else 0


@kind("percentage_fits", params=("denominators",))
def percentage_fits(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stated share (「予以公开187件,占比58%」) is its count over one of the `denominators` (lists
    of applications rows summed, total column) under rounding or truncation; 约 allows ±1 point."""
    claims = claims_in_scope(ctx, ("percent",))
    if claims.empty:
        return nothing()
    claims = claims[claims["metric"].str.startswith("applications.") & claims["base"].notna()].reset_index(drop=True)
    denominators: list[list[str]] = params["denominators"]
    as_metric = claims.assign(metric="applications.denominator.total")
    values = reading_values(as_metric, ctx.all_cells, {"applications.denominator": denominators})
    hits, undecided = [], []
    for claim, found in zip(records(claims), values, strict=True):
        candidates = [v for v in found if not math.isnan(v) and v > 0]
        if not candidates:
            undecided.append(claim)
            continue
        literal = claim["text"][int(claim["span_start"]) : int(claim["span_end"])]
        places = decimals_of(literal)
        if any(fits_percent(claim["base"] / d * 100, claim["value"], places, claim["approx"]) for d in candidates):
            continue
        shares = "、".join(f"{number(claim['base'])}/{number(d)} = {claim['base'] / d * 100:.1f}%" for d in candidates)
        hits.append(
            {
                "document": claim["document"],
                "expected": round(claim["base"] / candidates[0] * 100, 1),
                "actual": claim["value"],
                "refs": [claim_ref(claim)],
                "key": f"{claim['metric']}:{claim['line']}:{claim['span_start']}",
                "vars": {"literal": literal, "base": number(claim["base"]), "shares": shares},
            }
        )
    return hits_frame(hits), _undecided(undecided, "表中没有可用的分母")


@kind("parts_sum")
def parts_sum(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The parts of an exhaustive list (「N条,其中 a条、b条…」, no 「等」) add up to N; approximate
    numbers count with their intervals."""
    claims = claims_in_scope(ctx, ("whole", "part"))
    if claims.empty:
        return nothing()
    parts = (
        claims[claims["kind"] == "part"]
        .groupby("group")
        .agg(low_parts=("low", "sum"), high_parts=("high", "sum"), n=("value", "size"))
    )
    joined = claims[claims["kind"] == "whole"].set_index("group").join(parts, how="inner")
    bad = joined[(joined["low_parts"] > joined["high"] + 1e-9) | (joined["high_parts"] < joined["low"] - 1e-9)]
    hits = []
    for group, w in zip(bad.index, records(bad), strict=True):
        items = claims[(claims["group"] == group) & (claims["kind"] == "part")]
        hits.append(
            {
                "document": w["document"],
                "expected": w["value"],
                "actual": float(items["value"].sum()),
                "refs": [claim_ref(w)],
                "key": f"{group}",
                "vars": {
                    "whole": w["text"][int(w["span_start"]) : int(w["span_end"])],
                    "parts": " + ".join(number(v) for v in items["value"]),
                    "sum": number(items["value"].sum()),
                    "count": int(w["n"]),
                },
            }
        )
    return hits_frame(hits), na_frame()
