"""Ground truth for every text shape of domain.md §10: each labelled report of the corpus, re-rendered.

A labelled report (../shared/corpus: seeds/truth.yaml, pingtan/labels.yaml, pdf/labels.yaml; the
samples are the seed files) is taken apart into its narrative (the text before, between and after
its tables, as the project reads it) and its tables as labelled (every cell as printed, `null` for
a blank cell). `render(report, variant, seed)` prints the tables again in one shape of §10
(shapes_render.py: text shapes, and HTML/DOCX/PDF/markdown files through generator_renderings.py),
applies the variant's mutations to the whole text (blank cells, title removed or wrapped, period
wrapped, digits spaced in the narrative or in cells, chrome dates, a fragment cut at either end, the
same report three years later) and returns the input file with its truth:

- `cells`: every cell the text still shows and the value it must read as;
- `refuse`: cells shown so that no reader may place them (glued to their label, run together,
  changes in words, a short row, a number cut through): read at all, they are wrong;
- `optional`: the rest of a row a cut or a spaced cell went through: read right, or refused;
- the metadata the text still carries, and the rules that must report on it.

Pure functions of (report, variant, seed): tests/test_shapes.py renders every labelled report in
every variant; bench/ can render as many as it likes (`renderings(seed)`; `random.Random` seeded
from (seed, report, variant) decides every choice).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from shapes_render import FILE_SHAPES, TEXT_SHAPES, Cells, Key, Line, Printed, Value, print_tables

from audit.extract.tables import scan_tables
from audit.extract.tokens import tokenize
from audit.labels import HEADING, classify

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
APP, RL, A20 = "applications", "review_litigation", "article20"
_RL_KEYS = [(g, o) for g in ("review", "litigation_direct", "litigation_after_review") for o in ("upheld", "corrected", "other", "pending", "total")]  # fmt: skip

# 001 labels its 第二十条 table in words (truth.yaml): 「2019 format; every cell 0 except
# procurement.items = 14, procurement.amount = '104150元'」; the fee row prints a third, blank cell.
_A20_001: dict[str, dict[str, Value]] = {
    "regulations": {"new_made": 0, "new_published": 0, "total_published": 0},
    "normative_documents": {"new_made": 0, "new_published": 0, "total_published": 0},
    "licensing": {"prior_count": 0, "change": 0, "decisions": 0},
    "other_services": {"prior_count": 0, "change": 0, "decisions": 0},
    "penalty": {"prior_count": 0, "change": 0, "decisions": 0},
    "coercion": {"prior_count": 0, "change": 0, "decisions": 0},
    "fees": {"prior_count": 0, "change": 0},
    "procurement": {"items": 14, "amount": "104150元"},
}


@dataclass(frozen=True)
class Report:
    """A labelled report: its narrative and its tables as printed."""

    name: str
    head: tuple[str, ...]  # the text before the tables (title, 一、总体情况 …)
    headings: tuple[tuple[str, str], ...]  # (table, the heading printed right before it)
    tail: tuple[str, ...]  # the text after the tables (五、… 六、…)
    kind: str
    agency: str | None  # a substring of the agency's name
    year: int | None
    format: str | None
    tables: Printed


@dataclass
class Truth:
    """What a rendering must read as."""

    report: str
    variant: str
    cells: Cells  # (table, row, column) → value as printed (None: blank), for every cell the text shows
    refuse: set[Key] = field(default_factory=set)  # shown, but no reader may place them
    optional: set[Key] = field(default_factory=set)  # a row a cut went through: read right, or refused
    findings: set[str] = field(default_factory=set)  # rules that must report on the document
    kind: str | None = None
    agency: str | None = None
    year: int | None = None
    format: str | None = None


@dataclass(frozen=True)
class Rendering:
    data: bytes
    suffix: str
    truth: Truth


# ---------------------------------------------------------------- the labelled reports


def _seed_texts() -> dict[str, str]:
    from generator import seeds  # the sample files split into their documents, as tests/generator.py does

    return {s.name: s.text for s in seeds()}


def _ingested(path: Path) -> list[str]:
    from audit.ingest import read_paths

    return list(read_paths([str(path)])[0].lines)


def _short_agency(agency: str) -> str:
    for suffix in ("人民政府办公室", "人民政府", "管理委员会"):
        agency = agency.removesuffix(suffix)
    return agency.removeprefix("淮安市")


def _printed(tables: dict[str, Any]) -> Printed:
    apps = tables.get(APP)
    review = tables.get(RL)
    a20 = tables.get(A20)
    return Printed(
        applications={k: tuple(v) for k, v in apps.items()} if isinstance(apps, dict) else {},
        review=tuple(review) if isinstance(review, list) else None,
        article20={k: dict(v) for k, v in a20.items()} if isinstance(a20, dict) else {},
    )


def _labels() -> list[tuple[str, str, dict[str, Any]]]:
    """(report name, text key, label) of every labelled annual report that is not a copy."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    seeds = yaml.safe_load((CORPUS / "seeds" / "truth.yaml").read_text(encoding="utf-8"))["files"]
    for file, entry in seeds.items():
        docs = entry["documents"]
        for i, doc in enumerate(docs, start=1):
            if doc.get("kind") != "annual_report" or doc.get("duplicate_of") or doc.get("truncated"):
                continue
            key = f"{file[:3]}-{doc.get('ordinal', i)}" if len(docs) > 1 else file[:3]
            out.append((key, key, doc))
    for folder, suffix in (("pingtan", ".html"), ("pdf", ".pdf")):
        labels = yaml.safe_load((CORPUS / folder / "labels.yaml").read_text(encoding="utf-8"))
        for file, doc in labels.items():
            if file.endswith(suffix) and doc.get("kind", "annual_report") == "annual_report":
                out.append((file.removesuffix(suffix), f"{folder}/{file}", doc))
    return out


def _split(lines: list[str], printed: Printed) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """The narrative around the tables: text before the first table line, the headings between the
    tables (each goes before the table that follows it), the text after the last table line."""
    if printed.empty:
        return lines, [], []
    scan = scan_tables(tokenize(enumerate(lines)))
    starts = sorted((token.line, table) for table, token in scan.seen.items())
    first = starts[0][0]
    last = max(token.line for token in scan.last.values())
    headings: list[tuple[str, str]] = []
    for i in range(first, last + 1):
        line = lines[i].strip()
        if "|" not in line and line and classify(line).kind == HEADING:
            after = [table for start, table in starts if start >= i]
            if after:
                headings.append((after[0], line))
    return lines[:first], headings, lines[last + 1 :]


@cache
def labelled_reports() -> tuple[Report, ...]:
    """Every labelled annual report of the corpus, taken apart (read once per process)."""
    texts = _seed_texts()
    reports = []
    labels = _labels()
    by_name = {name: label for name, _, label in labels}
    for name, key, label in labels:
        lines = texts[key].splitlines() if key in texts else _ingested(CORPUS / key)
        tables = dict(label.get("tables") or {})
        if name == "001":
            tables[A20] = _A20_001
        if name == "002-4":  # version B labels the rows it changed: 「every other row is identical to version A」
            tables[APP] = {**by_name["002-3"]["tables"][APP], **tables[APP]}
        printed = _printed(tables)
        head, headings, tail = _split(lines, printed)
        agency = label.get("agency_contains") or _short_agency(label.get("agency") or "") or None
        reports.append(
            Report(
                name=name,
                head=tuple(head),
                headings=tuple(headings),
                tail=tuple(tail),
                kind=label.get("kind", "annual_report"),
                agency=agency,
                year=label.get("year"),
                format=label.get("format"),
                tables=printed,
            )
        )
    return tuple(reports)


# ---------------------------------------------------------------- mutations of the whole text

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_PERIOD_START = re.compile(r"((?:19|20)\d{2})\s*(年\s*1\s*月\s*1\s*日)")
_TITLE_WORDS = ("年度报告", "年报", "工作报告")


def _text(line: Line) -> str:
    return "".join(text for text, _ in line)


def _narrative(line: Line) -> bool:
    return all(key is None for _, key in line)


def _title_index(lines: list[Line]) -> int | None:
    for i, line in enumerate(lines[:8]):
        text = _text(line).strip(" |")
        if _narrative(line) and any(w in text for w in _TITLE_WORDS) and len(text) < 80 and "。" not in text:
            return i
    return None


def _title_removed(lines: list[Line], truth: Truth, rng: random.Random) -> list[Line]:
    """§10.23: the page chrome with the title was cut away."""
    i = _title_index(lines)
    return lines if i is None else lines[:i] + lines[i + 1 :]


def _title_wrapped(lines: list[Line], truth: Truth, rng: random.Random) -> list[Line]:
    """§10.22: `…2023年度政府` / `信息公开工作年度报告`, `示例厅2022` / `政府信息公开工作年度报告`."""
    i = _title_index(lines)
    if i is None:
        return lines
    text = _text(lines[i])
    spots = [m.end() for m in re.finditer(r"(?:19|20)\d{2}|政府|年度(?=政府)", text)] or [len(text) // 2]
    at = rng.choice(spots)
    return lines[:i] + [[(text[:at], None)], [(text[at:], None)]] + lines[i + 1 :]


def _period_wrapped(lines: list[Line], truth: Truth, rng: random.Random) -> list[Line]:
    """§10.22: `统计期限为 2025` / `年 1 月 1 日至 12 月 31 日`."""
    out = []
    for line in lines:
        text = _text(line)
        m = _PERIOD_START.search(text) if _narrative(line) else None
        if m:
            out += [[(text[: m.end(1)] + " ", None)], [(" ".join(text[m.start(2) :]).replace("  ", " "), None)]]
        else:
            out.append(line)
    return out


def _digits_spaced(lines: list[Line], truth: Truth, rng: random.Random) -> list[Line]:
    """§10.22: `2020 年`, `统计期限为 2025 年 1 月 1 日` — spaces around the numbers of the narrative."""
    spaced = re.compile(r"(?<=\d)(?=[年月日])|(?<=[年月])(?=\d)")
    return [[(spaced.sub(" ", _text(line)), None)] if _narrative(line) else line for line in lines]


def _chrome_dates(lines: list[Line], truth: Truth, rng: random.Random) -> list[Line]:
    """§10.26: dates of the page chrome that are not the report's (crawl stamp, today, copyright)."""
    top = ["采集时间：2025-12-30T21:37", "2025年12月30日 星期二", "当前位置：首页 > 政务公开 > 政府信息公开年报"]
    bottom = [
        "版权所有 © 2003-2025 主办单位：示例市人民政府办公室",
        "网站标识码：1234000001 ICP备案：示ICP备05001234号",
    ]
    return [[(t, None)] for t in top] + lines + [[(t, None)] for t in bottom]


def _cut_in(line: Line, at: int, keep_head: bool) -> tuple[Line, Key | None]:
    """`line` cut at character `at` (the part before it, or after it), and the cell cut through."""
    out: Line = []
    pos = 0
    through = None
    for text, key in line:
        end = pos + len(text)
        if pos < at < end:
            through = key
            out.append((text[: at - pos] if keep_head else text[at - pos :], key))
        elif (end <= at) == keep_head:
            out.append((text, key))
        pos = end
    return out, through


def _cut_start(lines: list[Line], truth: Truth, rng: random.Random) -> list[Line]:
    """§10.28: a fragment that starts part-way through a table."""
    rows = [i for i, line in enumerate(lines) if not _narrative(line)]
    if not rows:
        return lines
    i = rng.choice(rows[len(rows) // 4 :])
    first, through = lines[i], None
    if rng.random() < 0.5:
        first, through = _cut_in(first, rng.randrange(len(_text(first))), keep_head=False)
    kept = _bare_numbers_dropped([first, *lines[i + 1 :]])
    if through and kept and kept[0] is first:
        truth.refuse.add(through)
    _cut_row(kept, truth, 0)
    truth.kind = truth.agency = truth.year = truth.format = None  # the title and the body are gone
    return kept


def _cut_end(lines: list[Line], truth: Truth, rng: random.Random) -> list[Line]:
    """§10.28: a fragment that ends at a heading or caption (`第二十条第(一)项 |`) or inside a number."""
    rows = [i for i, line in enumerate(lines) if not _narrative(line)]
    if not rows:
        return lines
    if rng.random() < 0.4:
        heads = [i for i in range(rows[0], rows[-1] + 1) if _narrative(lines[i]) and _text(lines[i]).strip(" |")]
        if heads:
            return lines[: rng.choice(heads) + 1]
    i = rng.choice(rows)
    last, through = _cut_in(lines[i], rng.randrange(1, len(_text(lines[i])) + 1), keep_head=True)
    if through:
        truth.refuse.add(through)
    kept = [*lines[:i], last]
    _cut_row(kept, truth, -1)
    return kept


def _bare_numbers_dropped(lines: list[Line]) -> list[Line]:
    """A fragment that begins with one or two numbers and nothing else (the last cells of a cut row,
    each alone on its line): no cell anyone could name, from any table. They are left out of it."""
    bare = 0  # leading lines that hold numbers (or nothing) and no word
    while bare < len(lines) and not "".join(t for t, k in lines[bare] if k is None).strip(" |"):
        bare += 1
    keys = sum(1 for line in lines[:bare] for _, k in line if k is not None)
    return lines[bare:] if 0 < keys <= 2 else lines


def _cut_row(lines: list[Line], truth: Truth, end: int) -> None:
    """The row a cut went through (its label or its last cell may be gone): read right or refused."""
    keys = [key for line in lines for _, key in line if key is not None]
    if keys:
        row = _row_of(keys[end])
        truth.optional.update(k for k in keys if _row_of(k) == row)


def _row_of(key: Key) -> tuple[str, ...]:
    return key[:1] if key[0] == RL else key[:2]  # the review table prints its 15 cells as one row


def _shifted(lines: list[Line], truth: Truth, rng: random.Random) -> list[Line]:
    """§10.29: the same report three years later (a 2019-format table in a 2022 report)."""
    if truth.year is not None:
        truth.year += 3
    truth.findings.add("structure.format_mismatch")  # and the cells read as printed
    shift = lambda m: str(int(m.group(1)) + 3)  # noqa: E731
    return [[(_YEAR.sub(shift, text) if key is None else text, key) for text, key in line] for line in lines]


def _cells_spaced(lines: list[Line], truth: Truth, rng: random.Random) -> list[Line]:
    """Letter-spaced digits in a few cells (`2 0 9`): one number or three? The cell is refused; the
    rest of its row read right (cells delimited by pipes) or refused (numbers split by spaces)."""
    keys = {key for line in lines for _, key in line if key is not None}
    out = []
    for line in lines:
        spaced: Line = []
        for text, key in line:
            if key is not None and sum(ch.isdigit() for ch in text) >= 2 and rng.random() < 0.05:
                text = re.sub(r"(?<=\d)(?=\d)", " ", text)
                truth.refuse.add(key)
                truth.optional.update(k for k in keys if _row_of(k) == _row_of(key))
            spaced.append((text, key))
        out.append(spaced)
    truth.optional -= truth.refuse
    return out


MUTATIONS = {
    "title_removed": _title_removed,
    "title_wrapped": _title_wrapped,
    "period_wrapped": _period_wrapped,
    "digits_spaced": _digits_spaced,
    "chrome_dates": _chrome_dates,
    "cut_start": _cut_start,
    "cut_end": _cut_end,
    "old_format": _shifted,
    "cells_spaced": _cells_spaced,
}


def _blanked(printed: Printed, rng: random.Random) -> Printed:
    """§10.20: zeros printed as blank cells — a few whole rows blank, a few single cells."""
    cells = printed.cells()
    zeros = [k for k, v in cells.items() if v in (0, "0") and k[2] != "amount"]
    rows = sorted({k[:2] for k in zeros if all(cells[(k[0], k[1], c)] in (0, "0") for c in _columns(cells, k[:2]))})
    blank = set(rng.sample(rows, min(len(rows), 3))) if rows else set()
    changed: Cells = {k: None for k in zeros if k[:2] in blank}
    changed.update({k: None for k in rng.sample(zeros, min(len(zeros), 4))})
    return printed.with_cells(changed)


def _columns(cells: Cells, row: tuple[str, str]) -> list[str]:
    return [k[2] for k in cells if k[:2] == row]


# ---------------------------------------------------------------- variants and rendering

READABLE = ("pipe", "markdown", "cell_per_line", "blank_lines", "pipe_own_line", "pdf_beside", "converter_md", "html")


@dataclass(frozen=True)
class Variant:
    name: str
    shape: str | None  # None: one of READABLE, chosen per report
    mutation: str | None = None
    blanks: bool = False


VARIANTS: tuple[Variant, ...] = (
    *(Variant(s, s) for s in TEXT_SHAPES),
    *(Variant(s, s) for s in FILE_SHAPES),
    *(
        Variant(f"blanks@{s}", s, blanks=True)
        for s in ("pipe", "cell_per_line", "pipe_own_line", "converter_md", "pdf_beside", "html")
    ),  # fmt: skip
    *(Variant(m, None, m) for m in MUTATIONS),
)
VARIANT = {v.name: v for v in VARIANTS}


def render(report: Report, variant: Variant, seed: int = 0) -> Rendering | None:
    """`report` in `variant` as an input file with its truth; None when the variant does not apply
    (an old-format mutation of a report printed in the 2021 format)."""
    from generator_renderings import to_docx, to_html, to_markdown, to_pdf

    rng = random.Random(f"{seed}:{report.name}:{variant.name}")
    if variant.mutation == "old_format" and (not report.tables.article20 or report.tables.a20_format != "2019"):
        return None
    cut = variant.mutation in ("cut_start", "cut_end")  # a fragment is cut text, not a cut file
    shape = variant.shape or rng.choice([s for s in READABLE if not (cut and s in FILE_SHAPES)])
    printed = _blanked(report.tables, rng) if variant.blanks else report.tables
    tables, refuse = print_tables(printed, shape, rng)
    headings = dict(report.headings)
    lines: list[Line] = [[(t, None)] for t in report.head]
    for table, table_lines in tables.items():
        if table in headings:
            lines.append([(headings[table], None)])
        lines += table_lines
    lines += [[(t, None)] for t in report.tail]
    truth = Truth(report.name, variant.name, {}, set(refuse))
    truth.kind, truth.agency, truth.year, truth.format = report.kind, report.agency, report.year, report.format
    if variant.mutation:
        lines = MUTATIONS[variant.mutation](lines, truth, rng)
    shown = {key for line in lines for _, key in line if key is not None}
    truth.cells = {k: v for k, v in printed.cells().items() if k in shown}
    truth.refuse &= shown
    truth.optional &= shown
    text = "\n".join(_text(line) for line in lines) + "\n"
    if shape == "html":
        return Rendering(to_html(text, rng)[0], ".html", truth)
    if shape == "docx":
        return Rendering(to_docx(text, rng), ".docx", truth)
    if shape == "pdf":
        return Rendering(to_pdf(text, rng), ".pdf", truth)
    if shape == "md":
        return Rendering(to_markdown(text, rng), ".md", truth)
    return Rendering(text.encode("utf-8"), ".md" if shape == "converter_md" else ".txt", truth)


def renderings(seed: int = 0, variants: Iterable[Variant] = VARIANTS) -> Iterator[tuple[str, Rendering]]:
    """Every labelled report in every variant, as (file name, rendering): what a benchmark writes."""
    for variant in variants:
        for report in labelled_reports():
            out = render(report, variant, seed)
            if out is not None:
                yield f"{variant.name.replace('@', '_')}/{report.name}{out.suffix}", out
