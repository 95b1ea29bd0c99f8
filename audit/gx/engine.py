"""`--engine gx`: the exported rules run as GX suites, the others natively, into one set of findings.

GX decides: each expectation's failing rows are the checks that fail (or cannot be decided). The
findings are then worded as the native engine words them (audit.validate): the same rule ids, ids,
messages, 应为/实为, locations and evidence quoted from the cells' source lines. Rules GX cannot
express (audit.gx.specs.NOT_EXPRESSIBLE) run natively in the same call, so the run is complete;
extraction.internal_error runs last and also reports a suite that GX could not run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from audit.gx.chains import chain_outcome
from audit.gx.frames import derived_frames
from audit.gx.identity import keys_of, operand_masks
from audit.gx.specs import Spec, specs
from audit.gx.suites import CONTRACT
from audit.model import TABLE_ZH, Fault, Frames, Source
from audit.validate import run_rules as run_native
from audit.validate.engine import make_finding, prepare_frames, resolve_severity, sorted_findings, sorted_not_assessable
from audit.validate.kinds import Context, hits_frame, label, na_frame, number, refs
from audit.validate.kinds_tables import OK, compare_hits, compare_not_assessable, operands


def identity_outcome(
    ctx: Context, spec: Spec, failing: set[tuple[Any, ...]], undecided: set[tuple[Any, ...]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hits and not-assessable rows of an identity for the checks GX named, worded natively."""
    p = spec.params
    keys = keys_of(p["left"], p["right"], p["alternatives"])
    ops = operands(ctx, p["table"], p["group_by"], keys, p.get("groups"))
    if len(ops.documents) == 0:
        return hits_frame([]), na_frame()
    checks = list(zip(ops.documents, ops.groups, strict=True))
    in_left, in_right = operand_masks(~np.isnan(ops.state), keys, p["left"], p["right"], p["alternatives"])
    used = in_left | in_right
    numbers = np.where(np.isnan(ops.value), 0.0, ops.value)
    lsum, rsum = (numbers * in_left).sum(axis=1), (numbers * in_right).sum(axis=1)
    failed = np.array([c in failing for c in checks], dtype=bool)
    bad = used & ~(ops.state == OK) & np.array([c in undecided for c in checks], dtype=bool)[:, None]
    return (
        compare_hits(p, ops, used, in_left, in_right, failed, lsum, rsum, p["location"]),
        compare_not_assessable(p, ops, used, bad, p["location"]),
    )


def negative_outcome(cells: pd.DataFrame, failing: set[tuple[Any, ...]]) -> pd.DataFrame:
    """Hits of values.non_negative for the cells GX named (document, table, row, column)."""
    where = zip(cells["document"], cells["table"], cells["row"], cells["column"], strict=True)
    named = cells[np.array([k in failing for k in where], dtype=bool)]
    named = named.drop_duplicates(["document", "table", "row", "column"])
    return hits_frame(
        [
            {
                "document": doc,
                "table": table,
                "row": row,
                "column": column,
                "refs": refs([line]),
                "key": f"{table}/{row}/{column}",
                "vars": {
                    "table": TABLE_ZH.get(table, table),
                    "row": label(table, "row", row),
                    "column": label(table, "column", column),
                    "value": number(value),
                    "raw": raw,
                },
            }
            for doc, table, row, column, value, raw, line in named[
                ["document", "table", "row", "column", "value", "raw", "line"]
            ].itertuples(index=False, name=None)
        ]
    )


def gx_checks(
    documents: pd.DataFrame, cells: pd.DataFrame, exported: list[Spec], history: Frames | None = None
) -> tuple[list[Any], dict[str, Any]]:
    """(GX outcomes, the frames validated): what GX decides, before any wording. Imports GX.
    `history`: the history store's reports, which the year chains join."""
    from audit.gx.suites import build_suites
    from audit.gx.validation import validate

    renderings: list[str] = []
    if "rendering_of" in documents:
        renderings = [str(d) for d in documents["id"][documents["rendering_of"].notna()]]
    suites = build_suites(exported)
    frames = derived_frames(documents, cells, renderings, history, names=set(suites))
    frames["cells"] = cells
    return validate(frames, suites), frames


def run_rules(
    frames: Frames,
    sources: list[Source],
    *,
    rules: list[dict[str, Any]] | None = None,
    severities: dict[str, str] | None = None,
    history: Frames | None = None,
    faults: list[Fault] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """audit.validate.run_rules's contract, with the exported rules decided by GX."""
    if rules is None:
        from audit.validate import load_rules

        rules = load_rules()
    faults = faults if faults is not None else []
    on = [r for r in rules if resolve_severity(r, severities) != "off"]
    exported, _ = specs(on)
    ids = {s.id for s in exported}
    documents, cells, issues = prepare_frames(frames, sources, faults)
    outcomes, validated = gx_checks(documents, cells, exported, history)
    ctx = Context(documents, issues, documents, cells, sources, history=history)
    found, undecided = _gx_findings(exported, outcomes, ctx, validated, severities, faults)
    native = [r for r in rules if r["id"] not in ids]
    native_severities = {k: v for k, v in (severities or {}).items() if k not in ids}
    more, more_na = run_native(
        frames, sources, rules=native, severities=native_severities, history=history, faults=faults
    )
    order = {doc: i for i, doc in enumerate(documents["id"])}
    records: list[dict[str, Any]] = [
        *found,
        *(dict(zip(more.columns, r, strict=True)) for r in more.itertuples(index=False)),
    ]
    return sorted_findings(records, order), sorted_not_assessable([*undecided, more_na], order)


def _gx_findings(
    exported: list[Spec],
    outcomes: list[Any],
    ctx: Context,
    validated: dict[str, pd.DataFrame],
    severities: dict[str, str] | None,
    faults: list[Fault],
) -> tuple[list[dict[str, Any]], list[pd.DataFrame]]:
    by_rule: dict[tuple[str, str], set[tuple[Any, ...]]] = {}
    for o in outcomes:
        if o.error is not None:
            faults.append(Fault(f"rule {o.meta.get('rule') or o.meta.get('contract')} (gx)", o.error))
        elif o.meta.get("contract") == CONTRACT and o.rows:
            for doc, table, row, column in sorted(o.rows, key=repr):
                faults.append(Fault("gx contract", f"blank cell {table}/{row}/{column} has a value", document=doc))
        elif o.meta.get("rule"):
            by_rule[(o.meta["rule"], o.meta.get("check", "holds"))] = o.rows
    documents, cells = ctx.documents, ctx.all_cells
    by_path = {s.path: s for s in ctx.sources}
    info = documents.drop_duplicates("id").set_index("id")[["source", "agency", "year", "content_hash", "line_start"]]
    meta: dict[Any, dict[str, Any]] = info.to_dict("index")  # type: ignore[assignment]
    found: list[dict[str, Any]] = []
    undecided: list[pd.DataFrame] = []
    for spec in exported:
        if (spec.id, "holds") not in by_rule:  # GX could not run it: a fault above, no verdict
            continue
        failing, unsure = by_rule[(spec.id, "holds")], by_rule.get((spec.id, "assessable"), set())
        if spec.expectation == "identity":
            hits, na = identity_outcome(ctx, spec, failing, unsure)
        elif spec.expectation == "chain":
            hits, na = chain_outcome(ctx, spec, validated[spec.frame], failing, unsure)
        else:
            hits, na = negative_outcome(cells, failing), na_frame()
        severity = resolve_severity(spec.rule, severities)
        records: list[dict[str, Any]] = hits.to_dict("records")  # type: ignore[assignment]
        found.extend(make_finding(spec.rule, severity, hit, meta, by_path) for hit in records)
        if not na.empty:
            undecided.append(na.assign(rule=spec.id))
    return found, undecided
