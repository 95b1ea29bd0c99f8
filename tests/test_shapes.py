"""Every labelled report of the corpus in every text shape of domain.md §10 (tests/shapes.py): each
labelled cell the rendering shows is read right, or left out with a finding on its document
(structure.incomplete_table, structure.missing_table, extraction.*, or document.not_a_report for a
fragment not taken for a report) — never a wrong number, never a silent gap. At least 99% of the
cells printed as cells must be read right; cells a shape prints so that no reader may place them
(glued to their label, run together, changes in words, cut through, blanks a shape drops) count
apart and must be refused. Prints the shape × (right, refused (unreadable), wrong, silent) table,
the metadata per field (kind, agency, year, format) and the findings a variant must cause.

One audit per variant (all reports in one folder, as a user would run them). The full matrix takes
about 20 s and is marked slow; `pytest -m "not slow" tests/test_shapes.py` runs the fast subset.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from shapes import VARIANT, VARIANTS, Rendering, Truth, Variant, labelled_reports, render

from audit.pipeline import run_audit

# Findings that say cells were not read: the table's, or the document's as a whole (a fragment not
# taken for a report is audited for nothing, its numbers included).
REFUSALS = ("structure.incomplete_table", "structure.missing_table", "document.not_a_report")
META = ("kind", "agency", "year", "format")
FINDINGS = "findings"  # the rules a variant must make report (format_mismatch for an old table in a new year)
# The fast subset: the shapes the issue names first, a file format, and a cut.
FAST = ("pipe", "converter_md", "pipe_own_line", "pdf_above", "blanks@cell_per_line", "cut_end", "html")


@dataclass
class Score:
    right: int = 0
    refused: int = 0
    unreadable: int = 0  # of the refused: printed so that no reader may place them (glued, cut, …)
    wrong: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # left out without a finding
    meta: Counter[str] = field(default_factory=Counter)  # field → right
    meta_total: Counter[str] = field(default_factory=Counter)
    meta_misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.right += other.right
        self.refused += other.refused
        self.unreadable += other.unreadable
        self.wrong += other.wrong
        self.silent += other.silent
        self.meta.update(other.meta)
        self.meta_total.update(other.meta_total)
        self.meta_misses += other.meta_misses

    @property
    def cells(self) -> int:
        return self.right + self.refused + len(self.wrong) + len(self.silent)

    @property
    def readable(self) -> int:
        """Cells a reader can place: the shape printed them as cells."""
        return self.cells - self.unreadable


def _same(expected: Any, value: Any, raw: Any, blank: bool) -> bool:
    if expected is None:
        return bool(blank)
    if blank:
        return False
    if isinstance(expected, str):
        try:
            return float(expected) == float(value)
        except (TypeError, ValueError):
            return str(raw).strip() == expected
    return (
        value is not None and not (isinstance(value, float) and math.isnan(value)) and float(value) == float(expected)
    )


def _shown(expected: Any, value: Any, raw: Any, blank: bool) -> str:
    return "blank" if blank else repr(raw if isinstance(expected, str) else value)


def audit_variant(variant: Variant, folder: Path, seed: int = 0) -> dict[str, Score]:
    """Render every labelled report in `variant` into `folder`, audit the folder once, score each."""
    folder.mkdir(parents=True, exist_ok=True)
    rendered: dict[str, Rendering] = {}
    for report in labelled_reports():
        out = render(report, variant, seed)
        if out is not None:
            path = folder / f"{report.name}{out.suffix}"
            path.write_bytes(out.data)
            rendered[str(path)] = out
    result = run_audit([str(folder)], validate_frames=False)
    docs = result.frames.documents
    cells = result.frames.cells
    findings = result.findings
    scores = {}
    for path, out in rendered.items():
        ids = list(docs.loc[docs["source"] == path, "id"])
        mine = cells[cells["document"].isin(ids)]
        read = {(t, r, c): (v, raw, b) for t, r, c, v, raw, b in mine[["table", "row", "column", "value", "raw", "blank"]].itertuples(index=False, name=None)}  # fmt: skip
        found = findings[findings["document"].isin(ids)]
        refusing = found[found["rule"].isin(REFUSALS) | found["rule"].str.startswith("extraction.")]
        tables = set(refusing["table"].dropna())
        anywhere = refusing["table"].isna().any()
        copies = docs[docs["id"].isin(ids) & (docs["duplicate_of"].notna() | docs["truncated_copy_of"].notna())]
        if not copies.empty:  # a copy's tables get no finding (its original gives the verdict): its issues
            issues = result.frames.issues
            said = issues[issues["document"].isin(copies["id"])]["table"]
            tables |= set(said.dropna())
            anywhere |= said.isna().any()
        scores[out.truth.report] = _score(out.truth, read, tables, anywhere)
        main = _main_document(docs, ids, mine)
        _score_meta(scores[out.truth.report], out.truth, main)
        _score_findings(scores[out.truth.report], out.truth, set(found["rule"]))
    return scores


def _score(truth: Truth, read: dict[tuple[str, str, str], tuple[Any, Any, bool]], tables: set[str], anywhere: bool) -> Score:  # fmt: skip
    score = Score()
    where = f"{truth.variant} {truth.report}"
    for key, expected in truth.cells.items():
        got = read.get(key)
        if got is None:
            if key[0] in tables or anywhere:
                score.refused += 1
                score.unreadable += key in truth.refuse or key in truth.optional
            else:
                score.silent.append(f"{where}: {'.'.join(key)} = {expected!r} left out without a finding")
        elif key in truth.refuse:
            score.wrong.append(f"{where}: {'.'.join(key)} read {_shown(expected, *got)} where no reader may place it")
        elif _same(expected, *got):
            score.right += 1
        else:
            score.wrong.append(f"{where}: {'.'.join(key)} read {_shown(expected, *got)}, printed {expected!r}")
    return score


def _main_document(docs: Any, ids: list[str], cells: Any) -> dict[str, Any] | None:
    if not ids:
        return None
    counts = cells["document"].value_counts()
    ranked = sorted(ids, key=lambda i: (-int(counts.get(i, 0)), docs.loc[docs["id"] == i, "kind"].iloc[0] != "annual_report"))  # fmt: skip
    row: dict[str, Any] = docs.loc[docs["id"] == ranked[0]].iloc[0].to_dict()
    return row


def _score_meta(score: Score, truth: Truth, doc: dict[str, Any] | None) -> None:
    for name in META:
        expected = getattr(truth, name)
        if expected is None:
            continue
        got = (doc or {}).get(name)
        ok = expected in str(got or "") if name == "agency" else str(got) == str(expected)
        score.meta_total[name] += 1
        score.meta[name] += ok
        if not ok:
            score.meta_misses.append(f"{truth.variant} {truth.report}: {name} {got!r}, expected {expected!r}")


def _line(name: str, s: Score) -> str:
    meta = "  ".join(f"{s.meta[m]:>4}/{s.meta_total[m]:<3}" for m in META)
    if s.meta_total[FINDINGS]:
        meta += f"  {FINDINGS} {s.meta[FINDINGS]}/{s.meta_total[FINDINGS]}"
    refused = f"{s.refused} ({s.unreadable})"
    return f"{name:<22}{s.right:>7}{refused:>15}{len(s.wrong):>7}{len(s.silent):>8}   {meta}"


def _score_findings(score: Score, truth: Truth, rules: set[str]) -> None:
    for rule in truth.findings:
        score.meta_total[FINDINGS] += 1
        score.meta[FINDINGS] += rule in rules
        if rule not in rules:
            score.meta_misses.append(f"{truth.variant} {truth.report}: no {rule}")


def _table(rows: dict[str, Score]) -> str:
    head = f"{'shape':<22}{'right':>7}{'refused (unreadable)':>22}{'wrong':>7}{'silent':>8}   "
    lines = [head + "  ".join(f"{m:>8}" for m in META)]
    total = Score()
    for name, s in rows.items():
        total.add(s)
        lines.append(_line(name, s))
    lines.append(_line("all", total))
    lines.append(
        f"cells right: {total.right}/{total.readable} of the cells printed as cells ({_share(total):.2%}), "
        f"{total.right}/{total.cells} of all; the unreadable ones (glued, run together, in words, cut, "
        "blanks a shape drops) refused with a finding"
    )
    return "\n".join(lines)


def _share(score: Score) -> float:
    return score.right / score.readable if score.readable else 1.0


def run_matrix(variants: tuple[Variant, ...], folder: Path) -> tuple[dict[str, Score], Score]:
    rows: dict[str, Score] = {}
    for variant in variants:
        per_report = audit_variant(variant, folder / variant.name.replace("@", "_"))
        rows[variant.name] = Score()
        for score in per_report.values():
            rows[variant.name].add(score)
    total = Score()
    for s in rows.values():
        total.add(s)
    print("\n" + _table(rows))
    for miss in total.meta_misses[:40]:
        print("  meta:", miss)
    return rows, total


def _check(total: Score, least: float) -> None:
    assert not total.wrong, "\n".join(total.wrong[:30])
    assert not total.silent, "\n".join(total.silent[:30])
    assert total.meta[FINDINGS] == total.meta_total[FINDINGS], [m for m in total.meta_misses if "no " in m]
    assert _share(total) >= least, f"{total.right}/{total.readable} readable cells right"
    # metadata right in every shape: kind, agency (from a title wrapped or removed too, §10.23), year, format
    for name in META:
        assert total.meta[name] == total.meta_total[name], [m for m in total.meta_misses if f": {name} " in m]


def test_shapes_fast(tmp_path: Path) -> None:
    _, total = run_matrix(tuple(VARIANT[v] for v in FAST), tmp_path)
    _check(total, 0.99)


@pytest.mark.slow
def test_shapes_every_variant(tmp_path: Path) -> None:
    _, total = run_matrix(tuple(v for v in VARIANTS if v.name not in FAST), tmp_path)
    _check(total, 0.99)


def test_every_labelled_report_is_rendered() -> None:
    reports = labelled_reports()
    assert len(reports) >= 15
    cells = sum(len(r.tables.cells()) for r in reports)
    assert cells >= 2300  # 2374 labelled cells in 13 reports with tables (2025-12)
    for report in reports:
        out = render(report, VARIANT["pipe"])
        assert out is not None and len(out.truth.cells) == len(report.tables.cells())
