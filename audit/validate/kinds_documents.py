"""Document and run check kinds over the documents frame: dates, deadlines, what a document is,
copies, conflicting versions and unreadable inputs. Comparisons are column operations over all
documents; only hits are visited one by one to write their message values."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from audit.model import dated_reports
from audit.validate.kinds import (
    COLUMN_ORDER,
    ROW_ORDER,
    TABLE_ORDER,
    Context,
    as_float,
    hits_frame,
    is_missing,
    kind,
    label,
    na_frame,
    nothing,
    number,
    refs,
    stored_quotes,
)


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce", format="ISO8601")


def _years(values: pd.Series) -> pd.Series:
    return as_float(values)


def _text(value: Any, missing: str = "未注明") -> str:
    return missing if is_missing(value) else str(value)


@kind("period_matches_year")
def period_matches_year(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The year of the stated period start and end is the report year (when both are known)."""
    docs = ctx.documents
    year = _years(docs["year"])
    start, end = _dates(docs["period_start"]).dt.year, _dates(docs["period_end"]).dt.year
    start_off = start.notna() & year.notna() & (start != year)
    end_off = end.notna() & year.notna() & (end != year)
    bad = docs[start_off | end_off]
    stated = end.where(end_off, start)[bad.index]
    records = [
        {
            "document": doc,
            "expected": float(y),
            "actual": float(s),
            "refs": refs([period_line, year_line]),
            "key": "period",
            "vars": {"year": int(y), "period_year": int(s), "period": f"{_text(ps)}至{_text(pe)}"},
        }
        for doc, y, s, ps, pe, period_line, year_line in zip(
            bad["id"],
            year[bad.index],
            stated,
            bad["period_start"],
            bad["period_end"],
            bad["period_line"],
            bad["year_line"],
            strict=True,
        )
    ]
    return hits_frame(records), na_frame()


@kind("date_order", params=("dates",))
def date_order(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each date of `dates` (field → name) is not before the end of the statistical period: the
    stated period end, else 31 December of the report year."""
    docs = ctx.documents
    stated = _dates(docs["period_end"])
    year = _years(docs["year"])
    year_end = _dates(year.map(lambda y: None if pd.isna(y) else f"{int(y)}-12-31"))
    reference = stated.fillna(year_end)
    records = []
    for field, name in params["dates"].items():
        when = _dates(docs[field])
        early = docs[when.notna() & reference.notna() & (when < reference)]
        for doc, value, ref, from_period, line, period_line in zip(
            early["id"],
            early[field],
            reference[early.index],
            stated[early.index].notna(),
            early[f"{field}_line"],
            early["period_line"],
            strict=True,
        ):
            records.append(
                {
                    "document": doc,
                    "refs": refs([line, period_line] if from_period else [line]),
                    "key": field,
                    "vars": {
                        "date_name": name,
                        "date": value,
                        "reference": ref.date().isoformat(),
                        "reference_name": "统计期限截止日" if from_period else "报告年度最后一天",
                    },
                }
            )
    return hits_frame(records), na_frame()


def body_names(docs: pd.DataFrame, title_name: str | None) -> pd.Series:
    """The name of the reporting body: the part of the title before the report year when the title
    names one (「六安市人民政府办公室2020年…」), else the agency read from the text. The title is
    preferred because the agency is often the office that compiled a government's report."""
    agency = docs["agency"].astype(object).where(docs["agency"].notna(), "").astype(str)
    if not title_name:
        return agency.str.strip()
    titled = docs["title"].astype(object).where(docs["title"].notna(), "").astype(str).str.extract(title_name)[0]
    titled = titled.fillna("").str.strip()
    return titled.where(titled != "", agency).str.strip()


def body_types(names: pd.Series, bodies: dict[str, str]) -> pd.Series:
    """Per body name, the first body type (key of `bodies`) whose pattern matches, else 'unclear'."""
    names = names.fillna("").astype(str).str.strip()
    conditions = [names.map(re.compile(pattern).search).notna().to_numpy() for pattern in bodies.values()]
    return pd.Series(np.select(conditions, list(bodies), default="unclear") if bodies else "unclear", index=names.index)


@kind("deadline", params=("deadlines",))
def deadline(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The published date is on or before the deadline of the first `deadlines` entry
    ({from, to, body, month_day, basis}) matching the report year and the body type: the `bodies`
    patterns over the body's name (the title before the year, matched by `title_name`, else the
    agency); an unclear body matches only entries without `body`."""
    docs = ctx.documents
    year = _years(docs["year"])
    body = body_types(body_names(docs, params.get("title_name")), params.get("bodies", {}))
    rules = params["deadlines"]
    conditions = [
        (
            (year >= r.get("from", -np.inf))
            & (year <= r.get("to", np.inf))
            & (body == r["body"] if "body" in r else True)
        ).to_numpy()
        & year.notna().to_numpy()
        for r in rules
    ]
    chosen = pd.Series(np.select(conditions, list(range(len(rules))), default=-1), index=docs.index)
    # text all through (object): on an empty batch map() gives int64, which pandas' string dtype cannot add
    month_day = pd.Series([rules[i]["month_day"] if i >= 0 else "" for i in chosen], index=docs.index, dtype=object)
    due_year = pd.Series(
        [str(int(y) + 1) if i >= 0 else None for y, i in zip(year, chosen, strict=True)], index=docs.index, dtype=object
    )
    due = _dates(due_year + "-" + month_day)
    published = _dates(docs["published"])
    late = docs[published.notna() & due.notna() & (published > due)]
    names = params.get("body_names", {})
    records = [
        {
            "document": doc,
            # dates, not numbers of the report: the message gives both and the days late (no 应为/实为)
            "refs": refs([line] + ([agency_line] if "body" in rules[chosen[i]] else [])),
            "key": "published",
            "vars": {
                "published": published[i].date().isoformat(),
                "deadline": due[i].date().isoformat(),
                "days": int((published[i] - due[i]).days),
                "basis": rules[chosen[i]].get("basis", ""),
                "body": names.get(body[i], body[i]),
            },
        }
        for i, doc, line, agency_line in zip(
            late.index, late["id"], late["published_line"], late["agency_line"], strict=True
        )
    ]
    return hits_frame(records), na_frame()


@kind("document_kind", params=("kinds",))
def document_kind(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The document's kind is one of `kinds` (kind → name): it is not an annual report."""
    names: dict[str, str] = params["kinds"]
    docs = ctx.documents[ctx.documents["kind"].isin(list(names))]
    records = [
        {
            "document": doc,
            "refs": refs([start]),
            "key": f"kind/{k}",
            "vars": {"kind": names[k], "title": _text(title, "")},
        }
        for doc, k, title, start in docs[["id", "kind", "title", "line_start"]].itertuples(index=False, name=None)
    ]
    return hits_frame(records), na_frame()


@kind("copy", params=("how", "copy_says", "original_says"))
def copy(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A document is a copy of another of the run: `duplicate_of` or `truncated_copy_of` set
    (`how`: field → how to say it). The copy says what it copies (`copy_says`), and the original
    which copies of it the input holds (`original_says`), so that both say why one is audited."""
    how: dict[str, str] = params["how"]
    docs = ctx.documents
    columns = ["id", "original", "field", "source", "line_start", "line_end"]
    parts = []
    for f in how:
        part = docs.loc[docs[f].notna()].copy()
        part["original"], part["field"] = part[f], f
        parts.append(part[columns])
    links = pd.concat(parts, ignore_index=True)
    every = ctx.all_documents.drop_duplicates("id").set_index("id")
    first_line = {
        d: (src, line) for d, src, line in zip(every.index, every["source"], every["line_start"], strict=True)
    }
    records = []
    for copy_id, original, field, start, end in links[["id", "original", "field", "line_start", "line_end"]].itertuples(
        index=False, name=None
    ):
        evidence = refs([start, end] if field == "truncated_copy_of" else [start])
        src, line = first_line.get(original, (None, None))
        if src is not None and not is_missing(line):
            evidence.append((str(src), int(line), None))
        relation = params["copy_says"].format(other=original, how=how[field])
        records.append(
            {
                "document": copy_id,
                "refs": evidence,
                "key": f"{field}/{copy_id}",
                "vars": {"relation": relation, "other": original, "how": how[field], "last_line": _text(end, "?")},
            }
        )
    in_scope = set(docs["id"])
    for original, group in links.groupby("original", sort=False):
        if original not in in_scope:
            continue
        listed = "、".join(f"{c}({how[f]})" for c, f in zip(group["id"], group["field"], strict=True))
        evidence = refs([first_line[original][1]]) + [
            (str(s), int(n), None) for s, n in zip(group["source"], group["line_start"], strict=True)
        ]
        records.append(
            {
                "document": original,
                "refs": list(dict.fromkeys(evidence)),
                "key": f"copies/{original!s}",
                "vars": {"relation": params["original_says"].format(copies=listed), "copies": listed},
            }
        )
    return hits_frame(records), na_frame()


@kind("conflicting_versions")
def conflicting_versions(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Another annual report of the same `agency_key` and year, with other content, has at least
    `min_differing_cells` table cells whose numbers differ (the same report rendered twice — HTML
    and text — differs in text but not in numbers, and is not reported)."""
    docs = ctx.documents[ctx.documents["agency_key"].notna() & ctx.documents["year"].notna()]
    cols = ["id", "agency_key", "year", "content_hash", "source", "ordinal"]
    others, all_cells, stored = docs[cols], ctx.cells, _stored_reports(ctx)  # earlier runs' versions too
    if not stored.empty and ctx.history is not None:
        others = pd.concat([others, stored[cols]], ignore_index=True)
        all_cells = pd.concat([ctx.cells, ctx.history.cells], ignore_index=True)
    pairs = docs[cols].merge(others, on=["agency_key", "year"], suffixes=("", "_other"))
    pairs = pairs[(pairs["id"] != pairs["id_other"]) & (pairs["content_hash"] != pairs["content_hash_other"])]
    if pairs.empty:
        return nothing()
    candidates = all_cells[all_cells["document"].isin({*pairs["id"], *pairs["id_other"]}) & all_cells["value"].notna()]
    numeric = candidates[["document", "table", "row", "column", "value", "line"]].astype(
        {"document": object, "table": object, "row": object, "column": object}
    )
    both = pairs[["id", "id_other", "source_other"]].merge(numeric, left_on="id", right_on="document")
    both = both.merge(
        numeric.rename(columns={"document": "id_other", "value": "value_other", "line": "line_other"}),
        on=["id_other", "table", "row", "column"],
    )
    differing = both[(both["value"] - both["value_other"]).abs() > 1e-6].copy()
    if differing.empty:
        return nothing()
    differing = differing.assign(
        _t=differing["table"].map(TABLE_ORDER).fillna(9),
        _r=differing["row"].map(ROW_ORDER).fillna(-1),
        _c=differing["column"].map(COLUMN_ORDER).fillna(-1),
    ).sort_values(["id", "id_other", "_t", "_r", "_c"], kind="stable")
    counts = differing.groupby(["id", "id_other"], sort=False).size()
    limit = int(params.get("list_at_most", 5))
    kept = counts[counts >= int(params.get("min_differing_cells", 1))]
    shown: dict[tuple[Any, Any], list[tuple[Any, ...]]] = {}
    columns = ["id", "id_other", "table", "row", "column", "value", "value_other", "line", "source_other", "line_other"]
    for rec in (
        differing.groupby(["id", "id_other"], sort=False).head(limit)[columns].itertuples(index=False, name=None)
    ):
        shown.setdefault((rec[0], rec[1]), []).append(rec[2:])
    records = []
    quotes = stored_quotes(stored)
    for (doc, other), n in zip(kept.index.tolist(), kept.tolist(), strict=True):
        cells = shown[(doc, other)]
        listed = "；".join(
            f"「{label(t, 'row', r)}·{label(t, 'column', c)}」本版本 {number(v)}、另一版本 {number(vo)}"
            for t, r, c, v, vo, *_ in cells
        )
        quoted = quotes.get(other)
        evidence = refs(c[5] for c in cells) + [
            (c[6], int(c[7]), None if quoted is None else quoted.get(int(c[7]), ""))
            for c in cells
            if not is_missing(c[7])
        ]
        name = other if quoted is None else f"{other}(此前审核、存于历史库)"
        records.append(
            {
                "document": doc,
                "refs": list(dict.fromkeys(evidence)),
                "key": f"versions/{other}",
                "vars": {"other": name, "count": int(n), "cells": listed + (f"；等共{n}处" if n > limit else "")},
            }
        )
    return hits_frame(records), na_frame()


def _stored_reports(ctx: Context) -> pd.DataFrame:
    """The history store's annual reports (no copies) with an agency and year (ctx.history)."""
    if ctx.history is None or ctx.history.documents.empty:
        return pd.DataFrame()
    return dated_reports(ctx.history.documents)
