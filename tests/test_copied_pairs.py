"""history.copied_text finds its candidate pairs from sentence hashes (audit.validate.kinds_copied):
the same pairs, templates and counts as counting the sentences themselves, on random batches."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from audit.validate.kinds_copied import _Spread


def _by_text(held: list[set[str]], boilerplate: int, at_least: int) -> list[tuple[int, int]]:
    """The pairs counted on the sentences' text (what the rule did before hashes)."""
    holders: dict[str, list[int]] = {}
    for report, sentences in enumerate(held):
        for sentence in sentences:
            holders.setdefault(sentence, []).append(report)
    shared: Counter[tuple[int, int]] = Counter()
    for ids in holders.values():
        if 1 < len(ids) <= boilerplate:
            shared.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return sorted(pair for pair, n in shared.items() if n >= at_least)


@pytest.mark.parametrize("seed", range(6))
def test_pairs_and_counts_from_hashes_equal_those_from_text(seed: int) -> None:
    rng = random.Random(seed)
    pool = [f"第{k}句相同的长句" for k in range(rng.randint(5, 60))]
    held = [set(rng.sample(pool, rng.randint(0, min(12, len(pool))))) for _ in range(rng.randint(0, 40))]
    spread = _Spread([np.unique(np.fromiter(map(hash, s), dtype=np.int64)) for s in held])
    for boilerplate, at_least in ((10, 3), (3, 1), (1, 1), (25, 2)):
        assert sorted(spread.pairs(boilerplate, at_least)) == _by_text(held, boilerplate, at_least)
    counts = Counter(x for s in held for x in s)
    assert all(spread.count(hash(x)) == n for x, n in counts.items())
    assert spread.count(hash("不在任何报告中的句子")) == 0


def test_no_reports_and_reports_without_sentences() -> None:
    assert _Spread([]).pairs(10, 1) == []
    assert _Spread([np.zeros(0, dtype=np.int64)] * 3).pairs(10, 1) == []
