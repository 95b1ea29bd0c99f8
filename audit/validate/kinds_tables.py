"""Arithmetic check kinds over the cells frame: sums, balances, signs.

Each works on the cells of every document at once: the operand cells of a rule are scattered, by
integer codes, into checks × operands arrays (a check is one document × row or column), and the
comparison, the blank/placeholder/missing bookkeeping and the evidence lines are array operations.
Only the hits and the undecided checks are visited one by one, to write their words.

Blank is not zero: a check with an operand that is blank, a placeholder, not a number or absent is
not assessable and is returned as such, never decided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from audit.model import TABLE_ZH
from audit.validate.kinds import (
    Context,
    hits_frame,
    kind,
    label,
    na_frame,
    nothing,
    number,
    plain,
    refs,
)

OK, BLANK, PLACEHOLDER, NOT_NUMBER = 0, 1, 2, 3
_STATE_TEXT = {BLANK: "为空白", PLACEHOLDER: "为占位符「{raw}」", NOT_NUMBER: "不是数字「{raw}」"}
_MISSING_TEXT = "未能从表格中抽取"


def _other_axis(axis: str) -> str:
    if axis not in ("row", "column"):
        raise ValueError(f"group_by must be 'row' or 'column', not {axis!r}")
    return "column" if axis == "row" else "row"


@dataclass
class Operands:
    """The operand cells of one check per row: checks × keys arrays (NaN state = cell missing)."""

    documents: np.ndarray  # document id of each check
    groups: np.ndarray  # group key (row or column) of each check
    keys: list[str]
    value: np.ndarray
    state: np.ndarray
    line: np.ndarray
    position: np.ndarray  # row of each operand cell in the table's cells (-1: missing), for its raw text
    tc: pd.DataFrame

    def raw(self, i: int, j: int) -> Any:
        return None if self.position[i, j] < 0 else self.tc["raw"].iat[self.position[i, j]]


def operands(ctx: Context, table: str, group_axis: str, keys: list[str], groups: list[str] | None) -> Operands:
    """The operand cells of every check of `table`: one check per (document, group) that has a
    cell in the table, one column per key of the other axis; a cell printed twice counts once (the
    first). Pure array work on integer codes: no per-document Python."""
    other = _other_axis(group_axis)
    tc = ctx.table_cells(table)
    doc_codes, doc_names = ctx.codes(table, "document")
    grp_codes, grp_names = ctx.codes(table, group_axis)
    key_codes, key_names = ctx.codes(table, other)
    wanted = np.ones(len(tc), dtype=bool) if groups is None else tc[group_axis].isin(groups).to_numpy()
    wanted &= (doc_codes >= 0) & (grp_codes >= 0)
    pair = doc_codes * (len(grp_names) + 1) + grp_codes
    checks = np.unique(pair[wanted])
    to_key = np.full(len(key_names) + 1, -1, dtype=np.int64)  # last slot: NA key code -1
    for j, k in enumerate(keys):
        if k in key_names:
            to_key[key_names.get_loc(k)] = j
    key_pos = to_key[key_codes]
    sel = np.flatnonzero(wanted & (key_pos >= 0))
    check_pos = np.searchsorted(checks, pair[sel])
    _, first = np.unique(check_pos * len(keys) + key_pos[sel], return_index=True)
    sel, check_pos = sel[first], check_pos[first]
    shape = (len(checks), len(keys))
    value, state, line = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    position = np.full(shape, -1, dtype=np.int64)
    v = tc["value"].to_numpy(dtype=float)[sel]
    blank, placeholder = tc["blank"].to_numpy(dtype=bool)[sel], tc["placeholder"].to_numpy(dtype=bool)[sel]
    value[check_pos, key_pos[sel]] = v
    state[check_pos, key_pos[sel]] = np.select([~np.isnan(v), blank, placeholder], [OK, BLANK, PLACEHOLDER], NOT_NUMBER)
    line[check_pos, key_pos[sel]] = tc["line"].to_numpy(dtype=float)[sel]
    position[check_pos, key_pos[sel]] = sel
    documents = np.asarray(doc_names, dtype=object)[checks // (len(grp_names) + 1)]
    group_keys = np.asarray(grp_names, dtype=object)[checks % (len(grp_names) + 1)]
    return Operands(documents, group_keys, keys, value, state, line, position, tc)


def identity_keys(left: list[str], right: list[str], alternatives: list[list[str]]) -> list[str]:
    """Every operand key of an identity, once, in order."""
    return list(dict.fromkeys([*left, *right, *(k for alt in alternatives for k in alt)]))


def identity_sides(
    value: np.ndarray,
    present: np.ndarray,
    keys: list[str],
    left: list[str],
    right: list[str],
    alternatives: list[list[str]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(in_left, in_right, left sum, right sum) per check. `value`, `present`: checks × keys, the
    number (NaN when none) and whether the cell exists at all. The left side is `left` plus the
    alternative the table prints (most cells present, the first on a tie); a cell that is not a
    number adds 0 here (whether the check can be decided is the caller's: blank ≠ 0). Shared with
    the GX metric (audit.gx.expectations)."""
    position = {k: j for j, k in enumerate(keys)}
    n = present.shape[0]
    in_left = np.zeros((n, len(keys)), dtype=bool)
    in_left[:, [position[k] for k in left]] = True
    if alternatives:
        scores = np.stack([present[:, [position[k] for k in alt]].mean(axis=1) for alt in alternatives], axis=1)
        chosen = scores.argmax(axis=1)
        for i, alt in enumerate(alternatives):
            in_left[np.ix_(chosen == i, [position[k] for k in alt])] = True
    in_right = np.zeros((n, len(keys)), dtype=bool)
    in_right[:, [position[k] for k in right]] = True
    numbers = np.where(np.isnan(value), 0.0, value)
    return in_left, in_right, (numbers * in_left).sum(axis=1), (numbers * in_right).sum(axis=1)


# Another engine's verdict on the checks (audit.gx): (failing, undecided) per check of the Operands.
Verdict = Callable[[Operands], tuple[np.ndarray, np.ndarray]]


def identity(
    ctx: Context,
    params: dict[str, Any],
    left: list[str],
    right: list[str],
    alternatives: list[list[str]],
    location: str,
    verdict: Verdict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """sum(left [+ the alternative the table prints]) == sum(right), per (document, group): decided
    here, or by `verdict`, then worded."""
    keys = identity_keys(left, right, alternatives)
    ops = operands(ctx, params["table"], params["group_by"], keys, params.get("groups"))
    if len(ops.documents) == 0:
        return nothing()
    in_left, in_right, lsum, rsum = identity_sides(ops.value, ~np.isnan(ops.state), keys, left, right, alternatives)
    used = in_left | in_right
    bad = used & ~(ops.state == OK)  # NaN (missing) is not OK
    if verdict is None:
        undecided = bad.any(axis=1)
        failing = ~undecided & (np.abs(lsum - rsum) > float(params.get("tolerance", 1e-6)))
    else:
        failing, undecided = verdict(ops)
    hits = _hits(params, ops, used, in_left, in_right, failing, lsum, rsum, location)
    return hits, _not_assessable(params, ops, used, bad & undecided[:, None], location)


def _location(params: dict[str, Any], group: Any, location: str) -> tuple[Any, Any]:
    """(row, column) of the cell a finding marks: the total cell, or the whole row/column."""
    total = params.get("total")
    if params["group_by"] == "row":
        return group, (total if location == "total" else None)
    return (total if location == "total" else None), group


def _terms(params: dict[str, Any], values: dict[str, float], keys: list[str], *, nonzero: bool = False) -> str:
    table, axis = params["table"], _other_axis(params["group_by"])
    shown = [k for k in keys if k in values and (not nonzero or values[k] != 0)]
    text = " + ".join(f"{label(table, axis, k, params.get('labels'))} {number(values[k])}" for k in shown) or "0"
    if nonzero and len(shown) < len([k for k in keys if k in values]):
        text += "(其余各项为0)"
    return text


def _hits(
    params: dict[str, Any],
    ops: Operands,
    used: np.ndarray,
    in_left: np.ndarray,
    in_right: np.ndarray,
    failing: np.ndarray,
    lsum: np.ndarray,
    rsum: np.ndarray,
    location: str,
) -> pd.DataFrame:
    table, group_axis, keys = params["table"], params["group_by"], ops.keys
    records = []
    for i in np.flatnonzero(failing):
        doc, group = ops.documents[i], ops.groups[i]
        vals = {k: float(v) for k, v, u in zip(keys, ops.value[i], used[i], strict=True) if u and not np.isnan(v)}
        left = [k for k, is_left in zip(keys, in_left[i], strict=True) if is_left]
        right = [k for k, is_right in zip(keys, in_right[i], strict=True) if is_right]
        row, column = _location(params, group, location)
        expected, actual = float(lsum[i]), float(rsum[i])
        records.append(
            {
                "document": doc,
                "table": table,
                "row": row,
                "column": column,
                "expected": plain(expected),
                "actual": plain(actual),
                "refs": refs(ops.line[i][used[i]]),
                "key": f"{table}/{group_axis}={group}",
                "vars": {
                    "table": TABLE_ZH.get(table, table),
                    "group": label(table, group_axis, group),
                    "v": lambda vals=vals: {k: number(v) for k, v in vals.items()},
                    "left_terms": lambda vals=vals, left=left: _terms(params, vals, left),
                    "left_nonzero": lambda vals=vals, left=left: _terms(params, vals, left, nonzero=True),
                    "right_terms": lambda vals=vals, right=right: _terms(params, vals, right),
                    "expected": number(expected),
                    "actual": number(actual),
                    "diff": number(actual - expected),
                },
            }
        )
    return hits_frame(records)


def _reason_piece(name: str, state: float, raw: Any) -> str:
    return f"「{name}」" + (_MISSING_TEXT if np.isnan(state) else _STATE_TEXT[int(state)].format(raw=raw))


def _not_assessable(
    params: dict[str, Any], ops: Operands, used: np.ndarray, bad: np.ndarray, location: str
) -> pd.DataFrame:
    """One row per undecided check; the reason names every unusable operand."""
    rows = np.flatnonzero(bad.any(axis=1))
    if len(rows) == 0:
        return na_frame()
    table, group_axis = params["table"], params["group_by"]
    names = [label(table, _other_axis(group_axis), k, params.get("labels")) for k in ops.keys]
    axis_word = "列" if group_axis == "column" else "行"
    first_lines = np.where(used[rows] & ~np.isnan(ops.line[rows]), ops.line[rows], np.inf).min(axis=1)
    records = []
    for i, first_line in zip(rows, first_lines, strict=True):
        group = ops.groups[i]
        unusable = [_reason_piece(names[j], ops.state[i, j], ops.raw(int(i), int(j))) for j in np.flatnonzero(bad[i])]
        # a table that lost most of its cells would list dozens of operands: name a few, count the rest
        pieces = "、".join(unusable) if len(unusable) <= 4 else "、".join(unusable[:3]) + f"等共{len(unusable)}项"
        row, column = _location(params, group, location)
        records.append(
            {
                "document": ops.documents[i],
                "table": table,
                "row": row,
                "column": column,
                "reason": f"「{label(table, group_axis, group)}」{axis_word}：{pieces}",
                "line": None if np.isinf(first_line) else int(first_line),
            }
        )
    return na_frame(records)


@kind("sum_equals", params=("table", "group_by", "parts", "total"))
def sum_equals(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For each group (a row with group_by: row, a column with group_by: column) of `table`, the
    `parts` cells, plus the set of `alternatives` the table prints (most cells present), sum to the `total` cell.
    Marks the total cell."""
    return identity(
        ctx,
        params,
        list(params["parts"]),
        [params["total"]],
        [list(a) for a in params.get("alternatives", [])],
        "total",
    )


@kind("balance", params=("table", "group_by", "left", "right"))
def balance(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For each group of `table`, the `left` cells and the `right` cells have equal sums.
    Marks the whole row or column."""
    return identity(ctx, params, list(params["left"]), list(params["right"]), [], "group")


@kind("non_negative", params=("tables",))
def non_negative(ctx: Context, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """No numeric cell of `tables` is below zero, except in the `signed_columns` (本年增/减)."""
    cells = ctx.cells
    negative = cells[(cells["value"] < 0).to_numpy()]
    negative = negative[
        negative["table"].isin(params["tables"]) & ~negative["column"].isin(params.get("signed_columns", []))
    ]
    if negative.empty:
        return nothing()
    return negative_hits(negative), na_frame()


def negative_hits(negative: pd.DataFrame) -> pd.DataFrame:
    """The hits of non_negative for its `negative` cells (decided here or by audit.gx)."""
    return hits_frame(
        [
            {
                "document": doc,
                "table": table,
                "row": row,
                "column": column,
                # no value is required, only a sign: the message states the value (no 应为/实为 pair)
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
            for doc, table, row, column, value, raw, line in negative[
                ["document", "table", "row", "column", "value", "raw", "line"]
            ].itertuples(index=False, name=None)
        ]
    )
