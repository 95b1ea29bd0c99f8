"""Check kinds over the claims frame: what the narrative states, held against the tables.

Each kind joins the claims of every document in scope with sums of table cells ("terms") computed
once per term over all cells: a term is a row or a row group (`denied` = every `denied.*` row) of
one column — the claim's column, or the one the term names (`normative_documents:new_made`). A
metric's readings are looked up by the whole metric (`article20.normative_documents.issued`), else
by its table and row (`applications.denied`). A term with a blank, placeholder or missing cell has
no value (never 0).

- claim_matches_cell: a stated count equals one of the readings of its metric;
- percentage_fits: a stated share fits one plausible denominator (table terms, or another stated
  count: a share of 主动公开 is of the stated 主动公开 total), a stated rate (办结率) one reading;
- parts_sum: the parts of an exhaustive list add up to its whole;
(year_over_year, which also reads the history store, is in kinds_year_over_year.)
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from audit.model import A20_FIELD_ZH, A20_ITEM_ZH, APP_COLUMN_ZH, APP_ROW_ZH, RL_GROUP_ZH, RL_OUTCOME_ZH
from audit.validate.kinds import Context, hits_frame, is_missing, kind, na_frame, nothing, number

GOVERNMENT_SUFFIXES = ("人民政府", "管委会", "管理委员会", "政府")
# An agency named by its place alone (普陀区, 平潭综合实验区, 桃江经济开发区) is that place's government.
PLACE_SUFFIXES = ("区", "县", "市", "省", "州", "旗", "盟", "镇", "乡", "街道")
NOT_A_GOVERNMENT = ("办公室", "局", "委员会", "厅", "中心", "办", "所", "院", "站", "队", "处")
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
        # keys zipped from the levels: Series.to_dict builds the MultiIndex's tuples first (slow in pandas 3)
        keys = zip(sums.index.get_level_values(0).tolist(), sums.index.get_level_values(1).tolist(), strict=True)
        out[term] = dict(zip(keys, sums.tolist(), strict=True))
    return out


def split_term(term: str, column: str) -> tuple[str, str]:
    """'normative_documents:new_made' → ('normative_documents', 'new_made'); 'denied' → ('denied', column)."""
    row, _, named = term.partition(":")
    return row, named or column


def readings_of(metric: str, readings: dict[str, list[list[str]]]) -> list[list[str]]:
    """The readings of a metric: by the whole metric, else by its table and row."""
    if metric in readings:
        return readings[metric]
    table, row, _ = split_metric(metric)
    return readings.get(f"{table}.{row}", [])


def has_reading(metric: str, readings: dict[str, list[list[str]]]) -> bool:
    return bool(readings_of(metric, readings))


def reading_values(
    claims: pd.DataFrame, cells: pd.DataFrame, readings: dict[str, list[list[str]]], documents: pd.Series | None = None
) -> list[list[float]]:
    """For each claim, the value of each reading of its metric in the table of `documents` (default:
    the claim's own document); NaN for a reading the table cannot give."""
    metrics = claims["metric"].tolist()  # list() walks an Arrow column a boxed scalar at a time
    of = claims["document"] if documents is None else documents
    docs = of.tolist()
    by_table: dict[str, set[str]] = {}
    for metric in metrics:
        table = split_metric(metric)[0]
        for alternative in readings_of(metric, readings):
            by_table.setdefault(table, set()).update(split_term(t, "")[0] for t in alternative)
    cells = cells[cells["document"].isin(pd.unique(of))]
    values = {table: term_values(cells, table, terms) for table, terms in by_table.items()}
    out = []
    for metric, doc in zip(metrics, docs, strict=True):
        table, _, column = split_metric(metric)
        found = []
        for alternative in readings_of(metric, readings):
            terms = [split_term(t, column) for t in alternative]
            found.append(sum(float(values[table][row].get((doc, col), math.nan)) for row, col in terms))
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
    if not isinstance(agency, str):
        return False
    if agency.endswith(GOVERNMENT_SUFFIXES):
        return "办公室" not in agency
    return agency.endswith(PLACE_SUFFIXES) and not any(word in agency for word in NOT_A_GOVERNMENT)


def comparable_scope(claims: pd.DataFrame, documents: pd.DataFrame, region_tables: Any = None) -> pd.Series:
    """A claim is held against its own report's table unless it is about 下属单位 (sub) or every body
    of the area together (agencies: 「全区各级行政机关」), or it is a
    consolidated figure (全区/全市…) in the report of a single body (an office, a bureau) or about a
    table not in `region_tables` (None: every table)."""
    agency = claims["document"].map(documents.drop_duplicates("id").set_index("id")["agency"])
    government = agency.map(is_government)
    scope = claims["scope"].astype(object)
    region_ok = government
    if region_tables is not None:
        tables = claims["metric"].map(lambda m: split_metric(m)[0])
        region_ok = government & tables.isin(list(region_tables))
    return ~scope.isin(["sub", "agencies"]) & ~((scope == "region") & ~region_ok)


def column_label(table: str, column: str) -> str:
    if table == "applications":
        return APP_COLUMN_ZH.get(column, column)
    if table == "review_litigation":
        return RL_OUTCOME_ZH.get(column, column)
    return A20_FIELD_ZH.get(column, column)


def row_label(table: str, row: str, column: str | None = None) -> str:
    """The row's label; with `column`, the cell's (「行政复议 结果维持」) for the tables whose column is
    part of what a claim states (review_litigation outcomes, article20 fields)."""
    if table == "applications":
        return APP_ROW_ZH.get(row, GROUP_ZH.get(row, row))
    if table == "article20":
        label = A20_ITEM_ZH.get(row, row)
        return f"{label} {column_label(table, column)}" if column else label
    label = RL_GROUP_ZH.get(row, GROUP_ZH.get(row, row))
    return f"{label} {column_label(table, column)}" if column else label


def _sum(cells: list[tuple[str, str, float]], terms: list[str], column: str) -> float:
    """The sum of the (row, column, value) cells of `terms` in `column`; NaN when there are none."""
    values = [v for row, col, v in cells if col == column and any(in_term(row, x) for x in terms)]
    return sum(values) if values else math.nan


def _explain(value: float, table: str, row: str, column: str, cells: DocCells, params: dict[str, Any]) -> str:
    """Why the stated number may differ: it is another column of the row, or another known sum."""
    in_table = [(r, c, v) for t, r, c, v, _ in cells if t == table]  # every sum below is over this table
    for col in dict.fromkeys(c for r, c, _ in in_table if in_term(r, row)):
        if col != column and _sum(in_table, [row], col) == value:
            return f"；{number(value)} 是{column_label(table, col)}列的数，不是{column_label(table, column)}"
    for item in params.get("explain") or []:
        if _sum(in_table, item["terms"], column) == value:
            return f"；{number(value)} {item['text']}"
    return ""


@kind("claim_matches_cell", params=("readings",))
def claim_matches_cell(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A count the narrative states equals its table: one of the `readings` of its metric (lists of
    rows or row groups summed) must give the stated number (an approximate number: its interval).
    A consolidated figure (全区…) is held only against the tables in `region_tables` (default all)."""
    claims = claims_in_scope(ctx, ("count",))
    if claims.empty:
        return nothing()
    readings: dict[str, list[list[str]]] = params["readings"]
    known = claims["metric"].map(lambda m: has_reading(m, readings))
    in_scope = comparable_scope(claims, ctx.all_documents, params.get("region_tables"))
    claims = claims[known & in_scope].reset_index(drop=True)
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
    """The hit of a claim no reading agrees with (the first reading the table gives is quoted);
    `cells` are those of its document."""
    table, row, column = split_metric(claim["metric"])
    index = next(i for i, v in enumerate(found) if not math.isnan(v))
    terms = [split_term(t, column) for t in readings_of(claim["metric"], params["readings"])[index]]
    cell_column = terms[0][1]
    why = _explain(claim["value"], table, row, cell_column, cells, params)
    exact_row = row if row in APP_ROW_ZH or row in RL_GROUP_ZH or row in A20_ITEM_ZH else None
    refs = [ref for r, col in terms for ref in cell_lines(cells, table, [r], col)]
    return {
        "document": claim["document"],
        "table": table,
        "row": exact_row,
        "column": cell_column,
        "expected": found[index],
        "actual": claim["value"],
        "refs": [claim_ref(claim), *dict.fromkeys(refs)],
        "key": f"{claim['metric']}:{claim['line']}:{claim['span_start']}",
        "vars": {
            "stated": number(claim["value"]),
            "literal": claim["text"][int(claim["span_start"]) : int(claim["span_end"])],
            "label": row_label(table, row, None if table == "applications" or column == "total" else cell_column),
            "table_value": number(found[index]),
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
    return fits_share_range(share, share, stated, decimals, approx)


def fits_share_range(low: float, high: float, stated: float, decimals: int, approx: bool) -> bool:
    """Whether some share in [low, high] (0–100; a range when the numbers are approximate) prints as
    `stated`: rounded, truncated, or within one point when the text says 约."""
    unit = 10.0**-decimals
    if low - 1e-9 <= stated + unit / 2 and high + 1e-9 >= stated - unit / 2:
        return True
    if high - 1e-9 >= stated and low < stated + unit - 1e-9:
        return True
    return approx and low - 1e-9 <= stated + 1 and high + 1e-9 >= stated - 1


def decimals_of(literal: str) -> int:
    digits = literal.rstrip("%").split(".")
    return len("".join(c for c in digits[1] if c.isdigit())) if len(digits) > 1 else 0


Fraction = tuple[float, float, float, float]  # numerator low, high; denominator low, high


def _table_shares(ctx: Context, claims: pd.DataFrame, denominators: list[list[str]]) -> list[list[Fraction]]:
    """A share of a stated application count: the count over each denominator the table gives."""
    if claims.empty:
        return []
    as_metric = claims.assign(metric="applications.denominator.total")
    values = reading_values(as_metric, ctx.all_cells, {"applications.denominator": denominators})
    return [
        [(b, b, d, d) for d in found if not math.isnan(d) and d > 0]
        for b, found in zip(claims["base"], values, strict=True)
    ]


def _table_rates(ctx: Context, claims: pd.DataFrame, rates: dict[str, dict[str, Any]]) -> list[list[Fraction]]:
    """A rate (办结率): its numerator over each of its denominators, all from the table (one lookup of
    the cells per kind of rate, not per claim)."""
    out: list[list[Fraction]] = [[] for _ in range(len(claims))]
    keys = claims["metric"].map(lambda m: m.rsplit(".", 1)[0]).to_numpy()
    for key, rate in rates.items():
        at = np.flatnonzero(keys == key)
        if not len(at):
            continue
        some = claims.iloc[at]
        numerators = reading_values(some, ctx.all_cells, {key: [rate["numerator"]]})
        denominators = reading_values(some, ctx.all_cells, {key: rate["denominators"]})
        for i, (numerator,), found in zip(at, numerators, denominators, strict=True):
            if not math.isnan(numerator):
                out[i] = [(numerator, numerator, d, d) for d in found if not math.isnan(d) and d > 0]
    return out


def _stated_totals(ctx: Context, claims: pd.DataFrame, wholes: dict[str, list[str]]) -> list[list[Fraction]]:
    """A share of a stated part (主动公开 by one channel or body) over each stated whole of the same
    report (主动公开 total): the part's count and the whole's, with their ranges."""
    if claims.empty or ctx.claims is None:
        return []
    counts = ctx.claims[(ctx.claims["kind"] == "count") & ctx.claims["document"].isin(set(claims["document"]))]
    by_group = {g: (lo, hi) for g, lo, hi in zip(counts["group"], counts["low"], counts["high"], strict=True)}
    # each document's stated counts as plain tuples: (metric, group, low, high)
    stated: dict[Any, list[tuple[Any, Any, float, float]]] = {}
    columns = [counts[c] for c in ("document", "metric", "group", "low", "high")]
    for doc, metric, group, lo, hi in zip(*columns, strict=True):
        stated.setdefault(doc, []).append((metric, group, float(lo), float(hi)))
    out = []
    for claim in records(claims):
        low, high = by_group.get(claim["group"], (claim["base"], claim["base"]))
        allowed = wholes[claim["metric"]]
        out.append(
            [
                (low, high, d_low, d_high)
                for metric, group, d_low, d_high in stated.get(claim["document"], [])
                if metric in allowed and group != claim["group"] and d_high >= low and d_high > 0
            ]
        )
    return out


@kind("percentage_fits", params=("denominators",))
def percentage_fits(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stated share is one of its plausible fractions under rounding or truncation (约: ±1 point):
    a share of an application count (「予以公开187件,占比58%」) is the count over one of the
    `denominators` (applications rows summed, total column); a rate in `rates` (办结率) is its
    numerator over one of its denominators, all from the table; a share of a metric in
    `claim_denominators` (a 主动公开 part) is its count over a stated count of the listed metrics in
    the same report (the 主动公开 total). Other shares, and shares of counts the report's table does not
    hold (下属单位; 全区… in an office's report), are not checked."""
    claims = claims_in_scope(ctx, ("percent",))
    if claims.empty:
        return nothing()
    rates: dict[str, dict[str, Any]] = params.get("rates") or {}
    wholes: dict[str, list[str]] = params.get("claim_denominators") or {}
    prefix = claims["metric"].map(lambda m: m.rsplit(".", 1)[0])
    shares = claims[claims["metric"].str.startswith("applications.") & claims["base"].notna() & ~prefix.isin(rates)]
    # a share of a count the table does not hold (下属单位, 全县 in an office's report) is not checked
    shares = shares[comparable_scope(shares, ctx.all_documents)] if not shares.empty else shares
    rated = claims[prefix.isin(rates)]
    rated = rated[comparable_scope(rated, ctx.all_documents)] if not rated.empty else rated
    of_stated = claims[claims["metric"].isin(wholes) & claims["base"].notna()]
    hits, undecided = [], []
    for frame, fractions, reason in (
        (shares, _table_shares(ctx, shares, params["denominators"]), "表中没有可用的分母"),
        (rated, _table_rates(ctx, rated, rates), "表中没有可用的分子或分母"),
        (of_stated, _stated_totals(ctx, of_stated, wholes), "正文没有可作分母的总数"),
    ):
        for claim, candidates in zip(records(frame), fractions, strict=True):
            if not candidates:
                undecided.append((claim, reason))
                continue
            hit = _share_hit(claim, candidates)
            if hit is not None:
                hits.append(hit)
    na = pd.concat([_undecided([c], r) for c, r in undecided]) if undecided else na_frame()
    return hits_frame(hits), na_frame(na)


def _share_hit(claim: dict[str, Any], candidates: list[Fraction]) -> dict[str, Any] | None:
    """The hit of a stated share none of its fractions fits, else None."""
    literal = claim["text"][int(claim["span_start"]) : int(claim["span_end"])]
    places = decimals_of(literal)
    for n_low, n_high, d_low, d_high in candidates:
        if fits_share_range(n_low / d_high * 100, n_high / d_low * 100, claim["value"], places, claim["approx"]):
            return None
    numerator = candidates[0][0]
    shares = "、".join(f"{number(n)}/{number(d)} = {n / d * 100:.1f}%" for n, _, d, _ in candidates)
    # no one value is required (any plausible denominator would do): the message lists every share
    # it could be, and no 应为/实为 pair is given
    return {
        "document": claim["document"],
        "refs": [claim_ref(claim)],
        "key": f"{claim['metric']}:{claim['line']}:{claim['span_start']}",
        "vars": {"literal": literal, "base": number(numerator), "shares": shares},
    }


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
    if bad.empty:
        return nothing()
    listed = claims[(claims["kind"] == "part") & claims["group"].isin(bad.index)]
    values: dict[Any, list[float]] = defaultdict(list)  # group → its parts' values, in order
    for group, value in zip(listed["group"].tolist(), listed["value"].tolist(), strict=True):
        values[group].append(value)
    hits = []
    for group, w in zip(bad.index, records(bad), strict=True):
        total = math.fsum(v for v in values[group] if not is_missing(v))
        hits.append(
            {
                "document": w["document"],
                "expected": total,  # what the identity requires: the parts' sum
                "actual": w["value"],  # what the report states: the whole
                "refs": [claim_ref(w)],
                "key": f"{group}",
                "vars": {
                    "whole": w["text"][int(w["span_start"]) : int(w["span_end"])],
                    "parts": " + ".join(number(v) for v in values[group]),
                    "sum": number(total),
                    "count": int(w["n"]),
                },
            }
        )
    return hits_frame(hits), na_frame()
