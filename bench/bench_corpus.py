"""Distinct realistic reports with errors injected at known cells, and the truth of every identity.

Every labelled report of the corpus (tests/shapes.py: its narrative and its tables cell by cell) is
used once per round; round r renames the report's agency (「历下区」 → 「历下甲乙区」, CJK tags so no digit
enters the text) so each round is another set of agencies, each with its own years (the cross-year
rules see chains). Each copy then gets:
- its numbers perturbed so that every table identity still holds: 2×2 cycles (+d, −d, −d, +d) over two
  result rows × two applicant columns leave every row and column sum, and so every total the
  narrative states, unchanged;
- with probability `error_share`, one injected error: a cell of the applications table, a 总计 of
  it, or a 总计 of the review/litigation table, changed by 1–9;
- a text shape of domain.md §10 (a weighted mix of the shapes and mutations of tests/shapes.py:
  plain text layouts, HTML, PDF, Markdown, a few DOCX — python-docx takes ~1 s a file to write).

The truth of a file lists the identities of the four arithmetic rules, decided from its printed
cells: `expected` (they fail: the injected error, and the real report's own errors) and `clean`
(they hold). An identity with an operand the rendering does not show, shows blank, shows as a
placeholder or shows so that no reader may place it is in neither: the run is not scored there.
`excusable` names the failing ones with an operand the truth lets a reader refuse (the rest of a row a
cut or a spaced cell went through): refusing it with a finding is as right as finding it.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from shapes import VARIANT, Report, labelled_reports, render  # noqa: E402
from shapes_render import APP_COLUMNS, FILE_SHAPES, TEXT_SHAPES  # noqa: E402

APP, RL = "applications", "review_litigation"
PARTS = APP_COLUMNS[:-1]
RESULT_ROWS = (
    "granted",
    "partially_granted",
    *(f"denied.{r}" for r in ("state_secret", "prohibited_by_law", "safety_stability", "third_party")),
    *(f"denied.{r}" for r in ("internal_affairs", "process_info", "enforcement_file", "administrative_query")),
    *(f"unavailable.{r}" for r in ("not_held", "needs_creation", "unclear")),
    *(f"not_processed.{r}" for r in ("petition", "duplicate", "publication", "excessive", "confirmation")),
)
OTHER_ROWS = (("other.no_correction", "other.unpaid_fee", "other.other"), ("other",))
RL_GROUPS = ("review", "litigation_direct", "litigation_after_review")
RULES = (
    "applications.row_total",
    "applications.results_total",
    "applications.column_balance",
    "review_litigation.totals",
)
# Relative weights of the variants of tests/shapes.py; a variant not named weighs 1.
WEIGHTS = {**dict.fromkeys(TEXT_SHAPES, 3.0), "html": 12.0, "pdf": 3.0, "md": 3.0, "docx": 0.25}
_TAG_CHARS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

Key = tuple[str, str, str]
Check = tuple[str, str, str | None, str | None]  # (rule, table, row, column) as findings locate them: the 总计 cell


@dataclass
class Item:
    path: str
    report: str
    variant: str
    agency: str | None
    year: int | None
    injected: list[dict[str, Any]]
    expected: list[Check]
    clean: list[Check]
    # failing identities over a cell the truth lets a reader refuse (`optional`: the rest of a row a cut or
    # a spaced cell went through): found, or refused with a finding — both right; never silently missed
    excusable: list[Check] = field(default_factory=list)


def tag(n: int) -> str:
    """A CJK name for round n: 甲, 乙, … 甲乙, …"""
    out = ""
    while True:
        n, d = divmod(n, len(_TAG_CHARS))
        out = _TAG_CHARS[d] + out
        if n == 0:
            return out
        n -= 1


def renamed(report: Report, round_: int) -> Report:
    """The report of another agency: its agency word gets the round's tag before its last character."""
    if not report.agency or round_ == 0:
        return replace(report, name=f"{report.name}~{round_}")
    old = report.agency
    new = old[:-1] + tag(round_) + old[-1]

    def fix(lines: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(line.replace(old, new) for line in lines)

    headings = tuple((t, h.replace(old, new)) for t, h in report.headings)
    return replace(
        report,
        name=f"{report.name}~{round_}",
        head=fix(report.head),
        tail=fix(report.tail),
        headings=headings,
        agency=new,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return float(value)
    return None


def _as_printed(old: Any, value: float) -> Any:
    return str(int(value)) if isinstance(old, str) else int(value)


def perturbed(cells: dict[Key, Any], rng: random.Random, cycles: int = 3) -> dict[Key, Any]:
    """`cells` with 2×2 cycles applied over result rows × applicant columns: every identity keeps."""
    out = dict(cells)
    rows = [r for r in RESULT_ROWS if all(_number(out.get((APP, r, c))) is not None for c in PARTS)]
    for _ in range(cycles):
        if len(rows) < 2:
            return out
        r1, r2 = rng.sample(rows, 2)
        c1, c2 = rng.sample(PARTS, 2)
        room = min(_number(out[(APP, r2, c1)]) or 0, _number(out[(APP, r1, c2)]) or 0)
        if room < 1:  # the cells to lower are 0 (most are): no cycle there
            continue
        d = rng.randint(1, int(min(room, 9)))
        for key, sign in (((APP, r1, c1), 1), ((APP, r2, c2), 1), ((APP, r1, c2), -1), ((APP, r2, c1), -1)):
            out[key] = _as_printed(out[key], (_number(out[key]) or 0) + sign * d)
    return out


def inject(cells: dict[Key, Any], rng: random.Random) -> tuple[dict[Key, Any], dict[str, Any] | None]:
    """One error: an applications cell or 总计, or a review/litigation 总计, changed by 1–9."""
    numeric = [k for k, v in cells.items() if k[0] in (APP, RL) and _number(v) is not None]
    kinds = {
        "applications.cell": [k for k in numeric if k[0] == APP and k[2] != "total"],
        "applications.total": [k for k in numeric if k[0] == APP and k[2] == "total"],
        "review_litigation.total": [k for k in numeric if k[0] == RL and k[2] == "total"],
    }
    kinds = {k: v for k, v in kinds.items() if v}
    if not kinds:
        return cells, None
    kind = rng.choice(sorted(kinds))
    key = rng.choice(kinds[kind])
    delta = rng.randint(1, 9)
    out = dict(cells)
    out[key] = _as_printed(out[key], (_number(out[key]) or 0) + delta)
    return out, {"kind": kind, "cell": list(key), "delta": delta}


def _identities(cells: dict[Key, Any]) -> Iterator[tuple[Check, list[Key], list[Key]]]:
    """(check, parts, totals) of every identity the four rules test, as the rules group them."""
    rows = {k[1] for k in cells if k[0] == APP}
    if rows:
        for row in sorted(rows):
            yield ("applications.row_total", APP, row, "total"), [(APP, row, c) for c in PARTS], [(APP, row, "total")]
        other = next((o for o in OTHER_ROWS if set(o) <= rows), OTHER_ROWS[0])
        for col in APP_COLUMNS:
            parts = [(APP, r, col) for r in (*RESULT_ROWS, *other)]
            yield ("applications.results_total", APP, "results_total", col), parts, [(APP, "results_total", col)]
            left = [(APP, "new_received", col), (APP, "carried_over", col)]
            right = [(APP, "results_total", col), (APP, "carried_forward", col)]
            yield ("applications.column_balance", APP, None, col), left, right
    if any(k[0] == RL for k in cells):
        for group in RL_GROUPS:
            parts = [(RL, group, o) for o in ("upheld", "corrected", "other", "pending")]
            yield ("review_litigation.totals", RL, group, "total"), parts, [(RL, group, "total")]


def judged(
    cells: dict[Key, Any], shown: set[Key], refused: set[Key], optional: frozenset[Key] = frozenset()
) -> tuple[list[Check], list[Check], list[Check]]:
    """(expected, clean, excusable): the identities that fail and those that hold, over the cells the
    text shows as numbers a reader can place (the others are not scored), and the failing ones over a
    cell the reader may refuse (`optional`)."""
    expected, clean, excusable = [], [], []
    for check, left, right in _identities(cells):
        keys = left + right
        values = [_number(cells.get(k)) for k in keys]
        if any(v is None for v in values) or any(k not in shown or k in refused for k in keys):
            continue
        total_left = sum(values[: len(left)])
        total_right = sum(values[len(left) :])
        if abs(total_left - total_right) < 1e-9:
            clean.append(check)
        else:
            expected.append(check)
            if optional.intersection(keys):
                excusable.append(check)
    return expected, clean, excusable


def _variants(text_only: bool) -> tuple[list[str], list[float]]:
    names = [n for n in VARIANT if not (text_only and (n in FILE_SHAPES or n.endswith("@html")))]
    return names, [WEIGHTS.get(n, 1.0) for n in names]


def build(folder: Path, documents: int, *, seed: int = 1, error_share: float = 0.3, text_only: bool = False) -> int:
    """Write `documents` distinct files into `folder` and their truth to folder/../truth.jsonl (one
    Item per line); returns the number written."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    names, weights = _variants(text_only)
    reports = labelled_reports()
    seen: set[str] = set()
    written = 0
    with (folder.parent / "truth.jsonl").open("w", encoding="utf-8") as truth_file:
        round_ = 0
        while written < documents:
            for base in reports:
                if written >= documents:
                    break
                item = _one(folder, renamed(base, round_), written, rng, names, weights, error_share, seen)
                if item is not None:
                    truth_file.write(json.dumps(item.__dict__, ensure_ascii=False) + "\n")
                    written += 1
            round_ += 1
    return written


def _one(
    folder: Path,
    report: Report,
    index: int,
    rng: random.Random,
    names: list[str],
    weights: list[float],
    error_share: float,
    seen: set[str],
) -> Item | None:
    cells = perturbed(report.tables.cells(), rng)
    injected = None
    if rng.random() < error_share:
        cells, injected = inject(cells, rng)
    report = replace(report, tables=report.tables.with_cells(cells))
    for _ in range(5):  # a variant that does not apply (None), or a text met before: another one
        variant = VARIANT[rng.choices(names, weights)[0]]
        out = render(report, variant, rng.randrange(1 << 30))
        if out is None:
            continue
        digest = hashlib.blake2b(out.data, digest_size=16).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        path = folder / f"{index:06d}_{variant.name.replace('@', '-')}{out.suffix}"
        path.write_bytes(out.data)
        shown = set(out.truth.cells)
        expected, clean, excusable = judged(out.truth.cells, shown, out.truth.refuse, frozenset(out.truth.optional))
        return Item(
            str(path),
            report.name,
            variant.name,
            out.truth.agency,
            out.truth.year,
            [injected] if injected and tuple(injected["cell"]) in shown else [],
            expected,
            clean,
            excusable,
        )
    return None


def load_truth(path: Path) -> list[Item]:
    items = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            raw = json.loads(line)
            raw["expected"] = [tuple(c) for c in raw["expected"]]
            raw["clean"] = [tuple(c) for c in raw["clean"]]
            raw["excusable"] = [tuple(c) for c in raw.get("excusable", [])]
            items.append(Item(**raw))
    return items
