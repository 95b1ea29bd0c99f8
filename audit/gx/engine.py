"""`--engine gx`: the exported rules run as GX suites, the others natively, into one set of findings.

GX decides: each expectation's failing rows are the checks that fail (or cannot be decided). The
findings are then worded by the native engine's own code (audit.validate: the check kinds' wording,
make_finding), so rule ids, ids, messages, 应为/实为, locations and evidence are the native ones. The
native engine runs the whole (audit.validate.engine.run_rules with `decide`): rules GX cannot express
(audit.gx.specs.NOT_EXPRESSIBLE) run there in the same call, so the run is complete, and
extraction.internal_error runs last and also reports a suite that GX could not run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from audit.gx.chains import chain_outcome
from audit.gx.frames import derived_frames
from audit.gx.specs import Spec, specs
from audit.gx.suites import CONTRACT
from audit.model import Fault, Frames, Source
from audit.validate.engine import run_rules as run_native
from audit.validate.kinds import Context, na_frame, nothing
from audit.validate.kinds_tables import Operands, identity, negative_hits


def identity_outcome(
    ctx: Context, spec: Spec, failing: set[tuple[Any, ...]], undecided: set[tuple[Any, ...]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hits and not-assessable rows of an identity for the checks GX named, worded natively."""

    def verdict(ops: Operands) -> tuple[np.ndarray, np.ndarray]:
        checks = list(zip(ops.documents, ops.groups, strict=True))
        return np.array([c in failing for c in checks], dtype=bool), np.array(
            [c in undecided for c in checks], dtype=bool
        )

    p = spec.params
    return identity(ctx, p, p["left"], p["right"], p["alternatives"], p["location"], verdict)


def negative_outcome(cells: pd.DataFrame, failing: set[tuple[Any, ...]]) -> pd.DataFrame:
    """Hits of values.non_negative for the cells GX named (document, table, row, column)."""
    where = zip(cells["document"], cells["table"], cells["row"], cells["column"], strict=True)
    named = cells[np.array([k in failing for k in where], dtype=bool)]
    return negative_hits(named.drop_duplicates(["document", "table", "row", "column"]))


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


def decide(rules: list[dict[str, Any]], ctx: Context) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """audit.validate.engine.Decide: the exported rules among `rules`, decided by GX over every
    document of `ctx` and worded natively; a suite GX could not run is a fault and no verdict."""
    exported, _ = specs(rules)
    outcomes, validated = gx_checks(ctx.documents, ctx.all_cells, exported, ctx.history)
    by_rule: dict[tuple[str, str], set[tuple[Any, ...]]] = {}
    for o in outcomes:
        if o.error is not None:
            ctx.faults.append(Fault(f"rule {o.meta.get('rule') or o.meta.get('contract')} (gx)", o.error))
        elif o.meta.get("contract") == CONTRACT and o.rows:
            for doc, table, row, column in sorted(o.rows, key=repr):
                ctx.faults.append(Fault("gx contract", f"blank cell {table}/{row}/{column} has a value", document=doc))
        elif o.meta.get("rule"):
            by_rule[(o.meta["rule"], o.meta.get("check", "holds"))] = o.rows
    decided = {}
    for spec in exported:
        if (spec.id, "holds") not in by_rule:  # GX could not run it: a fault above, no verdict
            decided[spec.id] = nothing()
            continue
        failing, unsure = by_rule[(spec.id, "holds")], by_rule.get((spec.id, "assessable"), set())
        if spec.expectation == "identity":
            decided[spec.id] = identity_outcome(ctx, spec, failing, unsure)
        elif spec.expectation == "chain":
            decided[spec.id] = chain_outcome(ctx, spec, validated[spec.frame], failing, unsure)
        else:
            decided[spec.id] = negative_outcome(ctx.all_cells, failing), na_frame()
    return decided


def run_rules(frames: Frames, sources: list[Source], **options: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """audit.validate.run_rules (the same keywords), with the exported rules decided by GX."""
    return run_native(frames, sources, decide=decide, **options)
