"""The findings of a year chain (history.carry_over, item_count_chain, in_force_chain) once GX has
decided its checks. No GX import.

The checks are the rows of the rule's year-pairs frame under its row condition (the query GX runs);
GX names the pairs that break and those it cannot decide. This module then words them as the native
kind (audit.validate.kinds_history.year_chain) does: per report and group, the versions of last year
whose figure this report matches are the one it continues; the broken ones agreeing on a figure make
one finding on a report of the run (one per version of last year when this year's report is stored),
and an undecided pair is not assessable on the run's report of the pair.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import pandas as pd

from audit.gx.frames import line_column, previous_column
from audit.gx.specs import Spec, signed_terms
from audit.validate.kinds import Context, hits_frame, is_missing, label, na_frame, nothing, number
from audit.validate.kinds_history import history_lines, reports

Cell = tuple[float, int | None]  # (value, NaN when not a number; line)
Part = tuple[str, int, Cell]  # (term, sign, cell)
Check = tuple[Any, Any, Any]  # (document, previous, group): a row of a year-pairs frame


def _cell(row: dict[str, Any], column: str) -> Cell:
    value, line = row[column], row[line_column(column)]
    return (math.nan if is_missing(value) else float(value), None if is_missing(line) else int(line))


def _ref(
    doc: dict[str, Any], line: int | None, quotes: dict[str, dict[int, str]]
) -> tuple[str, int, str | None] | None:
    """Evidence: a run report's line is quoted from its source, a stored report's from the store."""
    if line is None:
        return None
    return (str(doc["source"]), line, None if doc["in_run"] else quotes.get(str(doc["id"]), {}).get(line, ""))


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
        cur = docs[str(cur_id)]
        tgt = _cell(pairs[0], target)
        cur_parts = [(t, s, _cell(pairs[0], t)) for t, s in current]
        outcomes: list[tuple[dict[str, Any], list[Part], float, bool]] = []
        for row in pairs:
            prev = docs[str(row["previous"])]
            check = (cur_id, row["previous"], group)
            if check in undecided:
                on = cur if cur["in_run"] else prev
                if on["in_run"]:
                    unsure.append(_undecided(p, on, prev, group, tgt))
                continue
            prev_parts = [(t, s, _cell(row, previous_column(t))) for t, s in previous]
            expected = float(sum(s * c[0] for _, s, c in [*prev_parts, *cur_parts]))
            outcomes.append((prev, prev_parts, expected, check in failing))
        records.extend(_hits(p, cur, group, tgt, cur_parts, outcomes, quotes))
    return hits_frame(records), na_frame(unsure)


def _undecided(p: dict[str, Any], on: dict[str, Any], prev: dict[str, Any], group: Any, tgt: Cell) -> dict[str, Any]:
    table, axis, target = p["table"], p["axis"], p["target"]
    return {
        "document": on["id"],
        "table": table,
        "row": group if axis == "row" else target,
        "column": group if axis == "column" else target,
        "reason": f"{label(table, axis, group)}：与{prev['year']}年报告衔接的单元格为空白或占位符",
        "line": tgt[1],
    }


def _hits(
    p: dict[str, Any],
    cur: dict[str, Any],
    group: Any,
    tgt: Cell,
    cur_parts: list[Part],
    outcomes: list[tuple[dict[str, Any], list[Part], float, bool]],
    quotes: dict[str, dict[int, str]],
) -> list[dict[str, Any]]:
    """The findings of one report and group: GX's broken pairs, grouped by the figure they give."""
    table, axis, target = p["table"], p["axis"], p["target"]
    labels = p.get("labels") or {}
    matching = [prev["id"] for prev, _, _, failed in outcomes if not failed]
    broken: dict[float, list[tuple[dict[str, Any], list[Part], float]]] = defaultdict(list)
    for prev, prev_parts, expected, failed in outcomes:
        if failed:  # versions that agree with each other make one finding on this report
            broken[round(expected, 6)].append((prev, prev_parts, expected))
    # this report in the run: one finding per figure last year's versions give; else one on each of
    # the run's versions of last year
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
            _ref(cur, tgt[1], quotes),
            *(_ref(cur, c[1], quotes) for _, _, c in cur_parts),
            *(_ref(prev, c[1], quotes) for _, _, c in prev_parts),
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
    return found
