"""The bench's confusion table: a miss the truth allows (a refusal over the rest of a row a cut or a
spaced cell went through) is excused; any other refusal and every silent miss count against recall."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from bench_corpus import judged  # noqa: E402
from bench_run import confusion  # noqa: E402

RL = "review_litigation"
GROUP = [(RL, "review", o) for o in ("upheld", "corrected", "other", "pending")]
TOTAL = (RL, "review", "total")
CHECK = ("review_litigation.totals", RL, "review", "total")


def _cells(total: int) -> dict[tuple[str, str, str], str]:
    return {**{k: "1" for k in GROUP}, TOTAL: str(total)}


def test_judged_names_failing_identities_over_optional_cells() -> None:
    cells = _cells(5)  # 1 + 1 + 1 + 1 ≠ 5
    shown = set(cells)
    assert judged(cells, shown, set()) == ([CHECK], [], [])
    assert judged(cells, shown, set(), frozenset({GROUP[0]})) == ([CHECK], [], [CHECK])
    assert judged(_cells(4), shown, set(), frozenset({GROUP[0]})) == ([], [CHECK], [])  # holds: nothing to excuse
    assert judged(cells, shown, {TOTAL}) == ([], [], [])  # an operand no reader may place: not scored


def _item(path: Path, excusable: bool) -> dict[str, object]:
    return {
        "path": str(path),
        "report": "r",
        "variant": "cut_end",
        "agency": None,
        "year": None,
        "injected": [],
        "expected": [list(CHECK)],
        "clean": [],
        "excusable": [list(CHECK)] if excusable else [],
    }


def test_confusion_excuses_only_allowed_refusals(tmp_path: Path) -> None:
    files = {name: tmp_path / f"{name}.txt" for name in ("found", "excused", "refused", "silent")}
    for f in files.values():
        f.write_text("x", encoding="utf-8")
    truth = tmp_path / "truth.jsonl"
    rows = [_item(files["found"], True), _item(files["excused"], True), _item(files["refused"], False)]
    rows.append(_item(files["silent"], True))  # allowed to refuse, but said nothing: a silent miss
    truth.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    documents = [{"id": f"{name}#1", "source": str(path)} for name, path in files.items()]
    location = {"table": RL, "row": "review", "column": "total"}
    incomplete = {"rule": "structure.incomplete_table", "location": {"table": RL, "row": None, "column": None}}
    findings = [
        {"rule": CHECK[0], "document": "found#1", "location": location},
        {**incomplete, "document": "excused#1"},
        {**incomplete, "document": "refused#1"},
    ]
    table = confusion(truth, {"documents": documents, "findings": findings})
    assert table[CHECK[0]] == Counter({"tp": 1, "excused": 1, "refused": 1, "fn": 1})
    assert sorted(m.split(":")[0] for m in table["_misses"]) == ["fn", "refused"]
