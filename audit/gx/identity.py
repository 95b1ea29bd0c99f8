"""The arithmetic of a table identity over wide rows, shared by the GX metric (which decides) and the
findings (which name the operands that were used). No GX import.

Like the native sum_equals/balance: `left` plus the alternative the table prints (the one with most
cells present, the first on a tie) against `right`. A check is assessable only when every operand it
uses is a number: blank, a placeholder, text or a cell never printed is not 0 (blank ≠ 0).
"""

from __future__ import annotations

import numpy as np


def operand_masks(
    present: np.ndarray, keys: list[str], left: list[str], right: list[str], alternatives: list[list[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """(in_left, in_right): checks × keys masks of the operands each check uses. `present`: checks ×
    keys, True where the cell exists (whatever its state)."""
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
    return in_left, in_right


def keys_of(left: list[str], right: list[str], alternatives: list[list[str]]) -> list[str]:
    """Every operand key of an identity, once, in order."""
    return list(dict.fromkeys([*left, *right, *(k for alt in alternatives for k in alt)]))


def evaluate(
    values: np.ndarray,
    numbers: np.ndarray,
    present: np.ndarray,
    keys: list[str],
    left: list[str],
    right: list[str],
    alternatives: list[list[str]],
    tolerance: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(assessable, holds) per check: `values` checks × keys (NaN where not a number), `numbers` True
    where the cell is a number, `present` True where the cell exists."""
    in_left, in_right = operand_masks(present, keys, left, right, alternatives)
    used = in_left | in_right
    assessable = ~(used & ~numbers).any(axis=1)
    clean = np.where(np.isnan(values), 0.0, values)
    difference = (clean * in_left).sum(axis=1) - (clean * in_right).sum(axis=1)
    return assessable, np.abs(difference) <= tolerance
