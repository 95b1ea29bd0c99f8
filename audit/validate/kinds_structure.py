"""Structure check kinds: a table missing under its heading, extraction doubts, the table shape of
the wrong format for the year, and an outline other than the official six sections."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from audit.model import TABLE_ZH, plain_rows
from audit.validate.kinds import Context, as_float, hits_frame, is_missing, kind, line_list, na_frame, nothing, refs

_NUMERALS = "一二三四五六七八九十"
_TOP_LEVEL = re.compile(f"^[{_NUMERALS}]+$")
_STRIP = re.compile(r"[\s\u3000]+")
_TRAILING = re.compile(r"[。:：;；,，、.]+$")


def headings_frame(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per heading: document, number, title, line, section (level-1 headings when a level is given)."""
    columns = ["document", "number", "title", "line", "section"]
    exploded = documents[["id", "headings"]].explode("headings")
    exploded = exploded[exploded["headings"].map(lambda h: isinstance(h, dict))]
    if exploded.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    fields = pd.DataFrame(exploded["headings"].tolist(), index=exploded.index)
    for c in ("number", "title", "line", "section", "level"):
        if c not in fields.columns:
            fields[c] = None
    fields["document"] = exploded["id"]
    top = fields["level"].isna() | (fields["level"] == 1)
    return fields.loc[top, columns].reset_index(drop=True)


@kind("table_present", params=("sections",))
def table_present(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A heading of one of the `sections` (section key → table) is followed by no cell of its
    table and no extraction issue about it (then the table is present but unreadable)."""
    sections: dict[str, str] = params["sections"]
    heads = headings_frame(ctx.documents)
    heads = heads[heads["section"].isin(list(sections))].drop_duplicates(["document", "section"])
    if heads.empty:
        return nothing()
    heads = heads.assign(table=heads["section"].map(sections))
    seen = [ctx.issues[["document", "table"]]]
    for table in set(sections.values()):
        codes, documents = ctx.codes(table, "document")
        seen.append(pd.DataFrame({"document": documents[np.unique(codes[codes >= 0])], "table": table}))
    present = pd.concat(seen).drop_duplicates().assign(present=True)
    merged = heads.merge(present, on=["document", "table"], how="left")
    missing = merged[merged["present"].isna()]
    records = [
        {
            "document": doc,
            "table": table,
            "refs": refs([line]),
            "key": f"missing/{table}",
            "vars": {"table": TABLE_ZH.get(table, table), "heading": f"{number or ''}、{title or ''}".lstrip("、")},
        }
        for doc, table, line, number, title in missing[["document", "table", "line", "number", "title"]].itertuples(
            index=False, name=None
        )
    ]
    return hits_frame(records), na_frame()


@kind("extraction_issue", params=("codes",))
def extraction_issue(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each extraction issue whose code is one of `codes` (a table the reader found incomplete).
    With `rendering` ({severity, detail, reason}), the issues of a second rendering of a report
    whose tables were read in the other (documents' `rendering_of`, in scope with `renderings: true`)
    are one hit per document at that severity, and each of its tables is not assessable."""
    codes: dict[str, str] | list[str] = params["codes"]
    names = codes if isinstance(codes, dict) else {c: c for c in codes}
    issues = ctx.issues[ctx.issues["code"].isin(list(names))]
    copy_of = (
        ctx.documents.set_index("id")["rendering_of"].dropna() if "rendering" in params else pd.Series(dtype=object)
    )
    copies = issues["document"].isin(copy_of.index)
    hits, undecided = _rendering_issues(issues[copies], copy_of, names, params.get("rendering") or {})
    issues = issues[~copies]
    records = hits + [
        {
            "document": doc,
            "table": table,
            "refs": refs([line, line_end]),
            "key": f"{table}/{code}/{rows}",
            "vars": {
                # a fragment that begins with the numbers of a table it does not name: 「表格不完整…」
                "table": TABLE_ZH.get(table, table) if isinstance(table, str) and table else "表格",
                "code": names[code],
                "detail": detail or names[code],
                "rows": rows or "",
            },
        }
        for doc, table, code, rows, detail, line, line_end in issues[
            ["document", "table", "code", "rows", "detail", "line", "line_end"]
        ].itertuples(index=False, name=None)
    ]
    return hits_frame(records), na_frame(undecided)


def _rendering_issues(
    issues: pd.DataFrame, copy_of: pd.Series, names: dict[str, str], wording: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One lowered hit per second rendering, naming the rendering whose verdict stands, and each of
    its unread tables as not assessable: what the tool could not read is no fault of the report."""
    hits: list[dict[str, Any]] = []
    undecided: list[dict[str, Any]] = []
    for doc, group in issues.groupby("document", sort=False):
        original = str(copy_of[doc])
        tables = list(dict.fromkeys(TABLE_ZH.get(t, t or "") for t in group["table"]))
        hits.append(
            {
                "document": doc,
                "refs": refs([*group["line"], *group["line_end"]]),
                "key": f"rendering/{original}",
                "severity": wording.get("severity"),
                "vars": {
                    "table": "、".join(tables),
                    "code": "、".join(dict.fromkeys(names[c] for c in group["code"])),
                    "detail": str(wording.get("detail", "")).format(original=original),
                    "rows": "",
                },
            }
        )
        undecided.extend(
            {
                "document": doc,
                "table": table,
                "reason": str(wording.get("reason", "")).format(
                    table=TABLE_ZH.get(table, table or ""), detail=detail or names[code], original=original
                ),
                "line": line,
            }
            for table, code, detail, line in group[["table", "code", "detail", "line"]].itertuples(
                index=False, name=None
            )
        )
    return hits, undecided


def required_value(years: pd.Series, spans: list[dict[str, Any]], field: str) -> pd.Series:
    """Per year, `field` of the first span {from, to, field} that contains it (None outside every span)."""
    y = as_float(years)
    conditions = [
        (y >= span.get("from", -np.inf)).to_numpy() & (y <= span.get("to", np.inf)).to_numpy() & y.notna().to_numpy()
        for span in spans
    ]
    values = np.select(conditions, [str(span[field]) for span in spans], default="") if spans else np.full(len(y), "")
    return pd.Series(values, index=years.index).replace("", None)


@kind("shape_matches_year", params=("required", "tables"))
def shape_matches_year(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shape of each table in `tables` (table → documents column holding its shape) is the
    shape `required` for the report year ([{from, to, shape}])."""
    docs = ctx.documents
    required = required_value(docs["year"], params["required"], "shape")
    records = []
    for table, column in params["tables"].items():
        shape = docs[column]
        wrong = docs[shape.notna() & required.notna() & (shape.astype(str) != required.astype(str))]
        if wrong.empty:
            continue
        table_cells = ctx.table_cells(table)
        cells = table_cells[table_cells["document"].isin(wrong["id"])]
        telling = cells[cells["row"].isin(params.get("evidence_rows", {}).get(table, []))]
        telling_lines = telling.groupby("document")["line"].agg(line_list).to_dict()
        first_lines = cells.groupby("document")["line"].min().to_dict()
        details = params.get("detail", {}).get(table, {})
        for doc, year, have, want in zip(wrong["id"], wrong["year"], wrong[column], required[wrong.index], strict=True):
            evidence = telling_lines.get(doc) or [first_lines.get(doc)]
            records.append(
                {
                    "document": doc,
                    "table": table,
                    "refs": refs(evidence),
                    "key": f"shape/{table}",
                    "vars": {
                        "table": TABLE_ZH.get(table, table),
                        "year": "" if is_missing(year) else int(year),
                        "shape": have,
                        "required": want,
                        "detail": details.get(str(have), ""),
                    },
                }
            )
    records += _old_outline(docs, required, params.get("outline"))
    return hits_frame(records), na_frame()


def _old_outline(docs: pd.DataFrame, required: pd.Series, outline: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Reports of a year with a required format that print no standard table but a section only the
    old outline has (「政府信息公开的收费及减免情况」, domain.md §8, §10.29): the old template, kept.
    A report with the new tables under an old outline is judged by its tables (domain.md §8)."""
    if not outline:
        return []
    untabled = docs[docs["shape_applications"].isna() & docs["shape_article20"].isna() & required.notna()]
    heads = headings_frame(untabled)
    old = heads[heads["title"].astype(str).str.contains("|".join(outline["sections"]), regex=True)]
    old = old.drop_duplicates("document")
    years = dict(zip(untabled["id"], untabled["year"], strict=True))
    wanted = dict(zip(untabled["id"], required[untabled.index], strict=True))
    return [
        {
            "document": doc,
            "table": None,
            "refs": refs([line]),
            "key": "shape/outline",
            "vars": {
                "table": outline["name"],
                "year": int(years[doc]),
                "shape": outline["shape"],
                "required": wanted[doc],
                "detail": outline["detail"].format(title=f"{number}、{title}"),
            },
        }
        for doc, number, title, line in plain_rows(old, "document", "number", "title", "line")
    ]


@functools.lru_cache(maxsize=4096)
def _normalised(text: str) -> str:
    t = _STRIP.sub("", unicodedata.normalize("NFKC", text))
    t = re.sub(f"^[{_NUMERALS}]+[、.．]", "", t)
    return _TRAILING.sub("", t)


def normalise_title(text: Any) -> str:
    """A heading title compared loosely: NFKC, no spaces, no leading 「一、」, no trailing punctuation."""
    return _normalised(str(text or ""))


@kind("outline", params=("canonical",))
def outline(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The top-level headings are exactly the `canonical` ones (number → title), in number. A title
    listed under `variants` is a known variant: still reported, as a deviation, and named so."""
    canonical = {str(k): normalise_title(v) for k, v in params["canonical"].items()}
    printed = {str(k): str(v) for k, v in params["canonical"].items()}
    variants = {(str(k), normalise_title(v)) for k, vs in params.get("variants", {}).items() for v in vs}
    heads = headings_frame(ctx.documents)
    heads = heads[heads["number"].astype(str).str.match(_TOP_LEVEL)].copy()
    if heads.empty:
        return nothing()
    heads["number"] = heads["number"].astype(str)
    heads["norm"] = heads["title"].map(normalise_title)
    heads["want"] = heads["number"].map(canonical)
    heads["exact"] = heads["norm"] == heads["want"]
    heads["variant"] = [(n, t) in variants for n, t in zip(heads["number"], heads["norm"], strict=True)]
    per_doc = heads.groupby("document", sort=False).agg(count=("number", "size"), exact=("exact", "all"))
    deviating = per_doc[(per_doc["count"] != len(canonical)) | ~per_doc["exact"]]
    records = []
    limit = int(params.get("list_at_most", 4))
    wanted = heads[heads["document"].isin(deviating.index)]
    columns = ["document", "number", "title", "line", "want", "exact", "variant"]
    by_doc: dict[Any, list[tuple[Any, ...]]] = {}
    for record in wanted[columns].itertuples(index=False, name=None):
        by_doc.setdefault(record[0], []).append(record[1:])
    for doc, count in deviating["count"].items():
        notes, lines = _outline_notes(by_doc[doc], canonical, printed, int(count))
        shown = "；".join(notes[:limit]) + (f"；等{len(notes)}处" if len(notes) > limit else "")
        records.append(
            {
                "document": doc,
                "refs": refs(lines or [h[2] for h in by_doc[doc]]),
                "key": "outline",
                "vars": {"deviations": shown, "count": count, "official": len(canonical)},
            }
        )
    return hits_frame(records), na_frame()


def _outline_notes(
    heads: list[tuple[Any, ...]], canonical: dict[str, str], printed: dict[str, str], count: int
) -> tuple[list[str], list[int]]:
    """What deviates, in words, and the lines of the deviating headings.

    `heads`: (number, title, line, canonical title or NaN, exact, variant) per heading."""
    notes: list[str] = []
    lines: list[int] = []
    if count != len(canonical):
        notes.append(f"共{count}个一级标题(官方格式为{len(canonical)}个)")
    for number, title, line, want, exact, variant in heads:
        if exact:
            continue
        lines.append(line)
        shown = f"「{number}、{str(title or '').strip()}」"
        if variant:
            notes.append(f"{shown}是常见变体(官方格式为「{number}、{printed[number]}」)")
        elif isinstance(want, str):
            notes.append(f"{shown}与官方格式「{number}、{printed[number]}」不同")
        else:
            notes.append(f"{shown}不在官方格式的六部分之中")
    present = {h[0] for h in heads}
    missing = [n for n in canonical if n not in present]
    notes.extend(f"缺少「{n}、{printed[n]}」" for n in missing)
    return notes, line_list(lines)
