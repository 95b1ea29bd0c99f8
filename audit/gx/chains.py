"""The findings of a year chain (history.carry_over, item_count_chain, in_force_chain) once GX has
decided its checks. No GX import.

The checks are the rows of the rule's year-pairs frame under its row condition (the query GX runs);
GX names the pairs that break and those it cannot decide. Per report and group, those verdicts on
last year's versions are then worded by the native kind's own code
(audit.validate.kinds_history.chain_findings).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import pandas as pd

from audit.gx.frames import line_column, previous_column
from audit.gx.specs import Spec
from audit.validate.kinds import Context, hits_frame, is_missing, na_frame, nothing
from audit.validate.kinds_history import Cell, Version, chain_findings, history_lines, reports, signed_terms

Check = tuple[Any, Any, Any]  # (document, previous, group): a row of a year-pairs frame


def _cell(row: dict[str, Any], column: str) -> Cell:
    value, line = row[column], row[line_column(column)]
    return (math.nan if is_missing(value) else float(value), None if is_missing(line) else int(line))


def chain_outcome(
    ctx: Context, spec: Spec, frame: pd.DataFrame, failing: set[Check], undecided: set[Check]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(hits, not assessable) of a year-chain rule for the checks GX named in `frame`."""
    p = spec.params
    checks = frame.query(spec.condition, parser="pandas") if spec.condition else frame  # what GX validated
    if checks.empty:
        return nothing()
    docs: dict[str, dict[str, Any]] = {
        str(r["id"]): {str(k): v for k, v in r.items()} for r in reports(ctx).to_dict("records")
    }
    quotes = history_lines(ctx)
    axis, target = p["axis"], str(p["target"])
    previous, current = signed_terms(p["previous"]), signed_terms(p.get("current"))
    operands = [target, *(t for t, _ in current), *(previous_column(t) for t, _ in previous)]
    columns = ["document", "previous", axis, *operands, *map(line_column, operands)]
    by_group: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)  # in the frame's order
    for record in checks[columns].to_dict("records"):
        by_group[(record["document"], record[axis])].append({str(k): v for k, v in record.items()})
    records: list[dict[str, Any]] = []
    unsure: list[dict[str, Any]] = []
    for (cur_id, group), pairs in by_group.items():
        judged: list[Version] = []
        for row in pairs:
            check = (cur_id, row["previous"], group)
            verdict = "undecided" if check in undecided else "broken" if check in failing else "holds"
            prev_parts = [(t, s, _cell(row, previous_column(t))) for t, s in previous]
            judged.append((docs[str(row["previous"])], prev_parts, verdict))
        cur_parts = [(t, s, _cell(pairs[0], t)) for t, s in current]
        hits, na = chain_findings(p, docs[str(cur_id)], group, _cell(pairs[0], target), cur_parts, judged, quotes)
        records.extend(hits)
        unsure.extend(na)
    return hits_frame(records), na_frame(unsure)
