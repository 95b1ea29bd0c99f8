"""Build the context of every HTML page (audit.render.context) from a RunResult.

The run is prepared once (`_Run`): documents as plain records, findings serialised by
`audit_json.finding_json` and grouped by document, not-assessable checks, and the cells of each
document keyed by (table, row, column). Documents are grouped into agency pages by `agency_key`
(documents without one share the 「未识别机关」 page); the index summarises every page. The
years-side-by-side view with its trends and the diffs of a year's versions (this run's, and earlier
runs' from `RunResult.history`) are assembled by `audit.render.years`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypedDict

from audit.model import Fault, RunResult
from audit.render import regions
from audit.render.audit_json import finding_json, input_json
from audit.render.context import (
    FORMAT_ZH,
    KIND_ZH,
    SEVERITY_ZH,
    UNIDENTIFIED_AGENCY,
    AgencyInfo,
    AgencyPage,
    CellsByDocument,
    Counts,
    DocumentLink,
    DocumentView,
    Evidence,
    FindingView,
    IndexPage,
    InputView,
    MatrixCell,
    MatrixRow,
    RuleView,
    Site,
    UndecidedView,
    YearGroup,
    YearsView,
    add_counts,
    agency_slug,
    counts_of,
    document_anchor,
    plain,
    worst,
    year_anchor,
    year_label,
    year_sort,
)
from audit.render.evidence import cell_span
from audit.render.grids import KEY_FIGURES, CellMark, Cells, Key, build_tables, cell_id, key_figures, place, where
from audit.render.overview import INDEX_FINDINGS, by_severity, rule_summary
from audit.render.regions import LEVELS, RegionPage, head_of, level_of, region_of_agency, region_rows
from audit.render.versions import Line, VersionDiff, content_lines
from audit.render.views import FindingViews, Position, UndecidedViews
from audit.render.years import stored_versions, version_diffs, years_view
from audit.validate.renderings import rendering_copies
from audit.validate.rulebook import rationale

# -- the run, prepared once for every page ----------------------------------------------------------


class _Run:
    """Documents, findings and undecided checks of a run, grouped the way the pages need them."""

    def __init__(self, result: RunResult):
        self.result = result
        self.rules = {r["id"]: r for r in result.rules}
        self.docs = [
            {str(k): plain(v) if k != "headings" else v for k, v in r.items()}
            for r in result.frames.documents.to_dict("records")
        ]
        self.doc_ids = {d["id"] for d in self.docs}
        # an agency with more than PAGE_REPORTS reports: each year's reports on a page of their own
        reports: dict[str | None, int] = defaultdict(int)
        for d in self.docs:
            reports[self._agency_key(d)] += d["kind"] == "annual_report"
        self.paged = {key for key, n in reports.items() if n > PAGE_REPORTS}
        # a second rendering of a report (its tables unread) → the report whose verdict stands for it
        self.rendering_of = rendering_copies(result.frames, result.sources)
        self.part_of = self._parts()
        self.page_of = {d["id"]: self._page(d) for d in self.docs}
        # views built per document as its page is (audit.render.views): never every finding's at once
        self.findings_by_doc = FindingViews(result.findings, self.doc_ids, self.finding_view, self.finding_light)
        self.undecided_by_doc = UndecidedViews(result.not_assessable, self.undecided_view)
        self.cells_by_doc = CellsByDocument(result.frames.cells)
        self.doc_by_id = {d["id"]: d for d in self.docs}
        self.document_of = {d.id: d for d in result.documents}  # the Document objects: text for version diffs
        self.stored = stored_versions(result.history)
        self.marks_by_doc: dict[str, dict[Key, list[CellMark]]] = {}  # a report's marked cells, until forgotten

    @staticmethod
    def _agency_key(doc: dict[str, Any]) -> str | None:
        return doc.get("agency_key") or doc.get("agency") or None

    def _page(self, doc: dict[str, Any]) -> str:
        """The page a document is shown on (without .html)."""
        key = self._agency_key(doc)
        if key in self.paged and doc["kind"] == "annual_report":
            return year_page(agency_slug(key), doc.get("year"), self.part_of[doc["id"]])
        return agency_slug(key)

    def _parts(self) -> dict[str, int]:
        """The part of its year's page each report of a paged agency is on: PAGE_REPORTS reports a
        part, in the order the page lists them (originals, then copies)."""
        years: dict[tuple[str | None, Any], list[dict[str, Any]]] = defaultdict(list)
        for d in self.docs:
            if d["kind"] == "annual_report" and self._agency_key(d) in self.paged:
                years[(self._agency_key(d), d.get("year"))].append(d)
        parts: dict[str, int] = {}
        for members in years.values():
            members.sort(
                key=lambda d: bool(
                    d.get("duplicate_of") or d.get("truncated_copy_of") or self.rendering_of.get(d["id"])
                )
            )
            parts.update({d["id"]: i // PAGE_REPORTS for i, d in enumerate(members)})
        return parts

    def lines_of(self, doc_id: str) -> list[Line]:
        """The text a version diff compares: the document's non-empty normalised lines."""
        doc = self.document_of.get(doc_id)
        return content_lines(doc.numbered_lines()) if doc is not None else []

    def cells_of(self, doc_id: str) -> Cells:
        return self.cells_by_doc.get(doc_id, {})

    def forget(self, doc_ids: list[str]) -> None:
        """Drop what was built for these documents (their page is written)."""
        self.cells_by_doc.forget(doc_ids)
        self.findings_by_doc.forget(doc_ids)
        self.undecided_by_doc.forget(doc_ids)
        for doc in doc_ids:
            self.marks_by_doc.pop(doc, None)

    def rule_title(self, rule_id: str) -> str:
        title = (self.rules.get(rule_id) or {}).get("title") or {}
        return str(title.get("zh") or "") if isinstance(title, dict) else str(title)

    def undecided_view(self, row: dict[str, Any]) -> UndecidedView:
        rec = {k: plain(v) for k, v in row.items()}
        return {
            "rule": rec["rule"],
            "rule_title": self.rule_title(rec["rule"]),
            "document": rec.get("document"),
            "table": rec.get("table"),
            "row": rec.get("row"),
            "column": rec.get("column"),
            "where": where(rec.get("table"), rec.get("row"), rec.get("column")),
            "reason": str(rec.get("reason") or ""),
            "line": rec.get("line"),
        }

    def finding_light(self, row: dict[str, Any]) -> dict[str, Any]:
        """What the index reads of a finding: the fields of its view that counts, rule summaries and
        the order of the index's table use (finding_view gives the same values)."""
        f = finding_json({**row, "evidence": None})
        return {
            "rule": str(f["rule"]),
            "rule_title": self.rule_title(str(f["rule"])),
            "severity": str(f["severity"]),
            "document": f.get("document"),
            "agency": f.get("agency"),
            "year": f.get("year"),
            "waived": f.get("waived"),
            "new": f.get("new"),
        }

    def finding_view(self, row: dict[str, Any]) -> FindingView:
        f = finding_json(row)
        loc = f.get("location") or {}
        table, r, c = loc.get("table"), loc.get("row"), loc.get("column")
        doc = f.get("document")
        href = None
        page = f"{self.page_of[doc]}.html" if isinstance(doc, str) and doc in self.page_of else ""
        if table and page:
            href = f"{page}#{document_anchor(str(doc))}-{table}"
        return {
            "id": str(f["id"]),
            "rule": str(f["rule"]),
            "rule_title": self.rule_title(str(f["rule"])),
            "severity": str(f["severity"]),
            "severity_label": SEVERITY_ZH.get(str(f["severity"]), str(f["severity"])),
            "document": doc,
            "agency": f.get("agency"),
            "year": f.get("year"),
            "message": str(f.get("message") or ""),
            "expected": f.get("expected"),
            "actual": f.get("actual"),
            "evidence": [_evidence_view(e) for e in f.get("evidence") or []],
            "table": table,
            "row": r,
            "column": c,
            "where": where(table, r, c),
            "href": href,
            "link": f"{page}#f-{f['id']}",
            "waived": f.get("waived"),
            "new": f.get("new"),
        }

    def href_of(self, doc_id: str) -> str | None:
        """Link to a document's section on its agency page."""
        return f"{self.page_of[doc_id]}.html#{document_anchor(doc_id)}" if doc_id in self.page_of else None

    def rules_for(self, findings: list[FindingView], undecided: list[UndecidedView]) -> dict[str, RuleView]:
        ids = sorted({f["rule"] for f in findings} | {u["rule"] for u in undecided})
        out: dict[str, RuleView] = {}
        for rid in ids:
            rule = self.rules.get(rid) or {}
            title = rule.get("title") or {}
            out[rid] = {
                "id": rid,
                "severity": str(rule.get("severity") or ""),
                "title_zh": str(title.get("zh") or "") if isinstance(title, dict) else str(title),
                "title_en": str(title.get("en") or "") if isinstance(title, dict) else "",
                "rationale": rationale(rule, "zh"),  # the Chinese explanation (English when a rule lacks one)
                "expected_label": str((rule.get("expected_actual") or {}).get("expected") or ""),
                "actual_label": str((rule.get("expected_actual") or {}).get("actual") or ""),
            }
        return out

    def document_view(self, d: dict[str, Any]) -> DocumentView:
        doc_id = d["id"]
        findings = self.findings_by_doc.get(doc_id, [])
        undecided = self.undecided_by_doc.get(doc_id, [])
        anchor = document_anchor(doc_id)
        marks = self.marks_by_doc[doc_id] = _marks(findings, d["source"], self.cells_by_doc.get(doc_id, {}))
        undecided_marks: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for u in undecided:
            if u["table"] and u["row"] and u["column"]:
                undecided_marks[(u["table"], u["row"], u["column"])].append(u["reason"])
        tables = []
        # an exact copy's tables are its original's, shown there: thousands of copies must not
        # repeat them (200 MB of copies made a 315 MB page)
        rendering_of = self.rendering_of.get(doc_id)  # its tables unread: nothing of its own to show
        if d["kind"] == "annual_report" and d["format"] != "pre2019" and not d.get("duplicate_of") and not rendering_of:
            tables = build_tables(d, self.cells_by_doc.get(doc_id, {}), marks, undecided_marks, findings, anchor)
            _link_findings_to_cells(findings, tables, self.page_of[doc_id])
        _mark_cell_values(findings, d["source"], self.cells_by_doc.get(doc_id, {}))
        original = d.get("duplicate_of") or d.get("truncated_copy_of") or rendering_of
        notes = []
        if rendering_of:
            unread = "" if d["format"] == "pre2019" else "本文档中的表格未能读取，无法判定，未与之比较。"
            notes.append(
                f"与 {rendering_of} 是同一份报告的另一份文本（正文所述数字相同）；{unread}结论以 {rendering_of} 为准。"
            )
        if d.get("duplicate_of"):
            notes.append(f"与 {d['duplicate_of']} 内容完全相同的副本，表格与结论以原件为准。")
        if d.get("truncated_copy_of"):
            notes.append(f"{d['truncated_copy_of']} 的不完整副本（文字被截断）。")
        # checked: a standard table with at least one number was read (pre-2019 reports and reports
        # whose tables were lost had no arithmetic checked: never a clean ✓)
        numbers = any(c["value"] is not None for c in self.cells_by_doc.get(doc_id, {}).values())
        unchecked = int(d["kind"] == "annual_report" and not original and not (numbers and d["format"] != "pre2019"))
        return {
            "id": doc_id,
            "unchecked": unchecked,
            "anchor": anchor,
            "href": self.href_of(doc_id) or "",
            "source": str(d["source"]),
            "ordinal": d.get("ordinal"),
            "lines": [d.get("line_start"), d.get("line_end")],
            "kind": str(d["kind"]),
            "kind_label": KIND_ZH.get(str(d["kind"]), str(d["kind"])),
            "title": d.get("title"),
            "agency": d.get("agency"),
            "year": d.get("year"),
            "format": str(d.get("format") or "unknown"),
            "format_label": FORMAT_ZH.get(str(d.get("format")), str(d.get("format"))),
            "period_start": d.get("period_start"),
            "period_end": d.get("period_end"),
            "published": d.get("published"),
            "signed": d.get("signed"),
            "content_hash": d.get("content_hash"),
            "duplicate_of": d.get("duplicate_of"),
            "truncated_copy_of": d.get("truncated_copy_of"),
            "is_copy": bool(original),
            "original_href": self.href_of(original) if original else None,
            "notes": notes,
            "counts": counts_of(findings),
            "findings": findings,
            "not_assessable": undecided,
            "tables": tables,
        }


MARK_CONTEXT = 80  # characters of the sentence shown on each side of a marked number


def _evidence_view(e: dict[str, Any]) -> Evidence:
    view: Evidence = {"source": e.get("source"), "line": e.get("line"), "text": str(e.get("text") or "")}
    if e.get("page") is not None:
        view["page"] = int(e["page"])  # PDF inputs: shown as 第N页 beside the line
    mark = e.get("mark")
    if mark:  # a narrative finding: the stated number, with some context on each side
        view["marked"] = _centred(view["text"], int(mark[0]), int(mark[1]))
    return view


def _centred(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The quote around text[start:end], centred on it (a one-line text quotes the claim, not the
    start of the line)."""
    before = text[max(0, start - MARK_CONTEXT) : start]
    after = text[end : end + MARK_CONTEXT]
    return (
        ("…" if start > MARK_CONTEXT else "") + before,
        text[start:end],
        after + ("…" if end + MARK_CONTEXT < len(text) else ""),
    )


def _mark_cell_values(findings: list[FindingView], source: str, cells: Cells) -> None:
    """Mark the failing value in each table finding's quoted line (audit.render.evidence)."""
    rows: dict[tuple[str, str], list[Key]] = {}  # the report's cells by table row, in cell order (built once)
    for f in findings:
        if not f["table"] or all(e.get("marked") for e in f["evidence"]):
            continue
        lines = {e["line"] for e in f["evidence"] if e["source"] in (None, source)}
        keys = [k for k in place(f["table"], f["row"], f["column"], cells, lines) if k in cells]
        by_line = {cells[k]["line"]: k for k in reversed(keys) if not cells[k]["blank"]}
        for e in f["evidence"]:
            key = by_line.get(e["line"]) if e["source"] in (None, source) and not e.get("marked") else None
            if key is None:
                continue
            if not rows:
                for k in cells:
                    rows.setdefault(k[:2], []).append(k)
            row = [k for k in rows[key[:2]] if cells[k]["line"] == e["line"] and not cells[k]["blank"]]
            raws = [str(cells[k]["raw"] or "") for k in row]
            span = cell_span(e["text"], raws, row.index(key))
            if span is not None:
                e["marked"] = _centred(e["text"], *span)


def _link_findings_to_cells(findings: list[FindingView], tables: list[Any], page: str) -> None:
    """A finding that marks cells links to the first of them (and the cell's note links back)."""
    first: dict[str, str] = {}
    for t in tables:
        for note in t["cell_notes"]:
            for m in note["marks"]:
                first.setdefault(m["finding"], note["cell"])
    for f in findings:
        if f["id"] in first:
            f["href"] = f"{page}.html#{first[f['id']]}"


def _marks(
    findings: list[FindingView], source: str, cells: dict[tuple[str, str, str], dict[str, Any]]
) -> dict[tuple[str, str, str], list[CellMark]]:
    """The cells each located finding marks (see `grids.place` for whole rows and columns)."""
    marks: dict[tuple[str, str, str], list[CellMark]] = defaultdict(list)
    for f in findings:
        if not f["table"]:
            continue
        lines = {e["line"] for e in f["evidence"] if e["source"] in (None, source)}
        for key in place(f["table"], f["row"], f["column"], cells, lines):
            marks[key].append(
                {"finding": f["id"], "rule": f["rule"], "severity": f["severity"], "message": f["message"]}
            )
    return marks


# -- the pages --------------------------------------------------------------------------------------


PAGE_REPORTS = 60  # an agency with more reports has a page per year (its page keeps the overview)


def year_page(slug: str, year: int | None, part: int = 0) -> str:
    """The page of an agency's reports of one year (agencies of more than PAGE_REPORTS reports);
    a year of more reports than that continues on parts 2, 3, …"""
    return f"{slug}-{year_anchor(year)}" + (f"-{part + 1}" if part else "")


def split_page(page: AgencyPage) -> list[tuple[str, str, Any]]:
    """(name, template, context) of the files an agency page is written as: itself; for an agency
    of more than PAGE_REPORTS reports, an overview whose year sections link to one page per year
    holding the year's reports (tables, findings, version diffs)."""
    slug = page["agency"]["slug"]
    if not page.get("paged"):
        return [(slug, "agency.html.j2", page)]
    files: list[tuple[str, str, Any]] = []
    groups = []
    where: dict[str, str] = {}
    for g in page["reports"]:
        docs = g["documents"]
        parts = [docs[i : i + PAGE_REPORTS] for i in range(0, len(docs), PAGE_REPORTS)] or [[]]
        names = [year_page(slug, g["year"], n) for n in range(len(parts))]
        here = {v["id"]: f"{name}.html" for name, members in zip(names, parts, strict=True) for v in members}
        diffs = [_diff_on(d, here, f"{names[0]}.html") for d in g["diffs"]]  # on the first part
        for n, (name, members) in enumerate(zip(names, parts, strict=True)):
            group = g | {"documents": members, "diffs": diffs if n == 0 else []}
            context: dict[str, Any] = {"page": "agency-year", "tool": page["tool"], "agency": page["agency"]}
            context |= {"group": group, "part": n + 1, "parts": [f"{other}.html" for other in names]}
            context["rules"] = page["rules"]
            files.append((name, "agency_year.html.j2", context))
            where.update({v["id"]: f"{name}.html" for v in members})
        groups.append(g | {"documents": [], "diffs": [], "href": f"{names[0]}.html", "reports": len(docs)})
    view = page["years_view"]
    columns = [c | {"href": where.get(c["document"], "") + c["href"]} for c in view["columns"]]
    rows = [
        r
        | {
            "cells": [
                c | {"href": where.get(col["document"], "") + c["href"]} if "href" in c else c
                for c, col in zip(r["cells"], view["columns"], strict=True)
            ]
        }
        for r in view["rows"]
    ]
    overview = page | {"reports": groups, "years_view": {"columns": columns, "rows": rows}}
    return [(slug, "agency.html.j2", overview), *files]


def _diff_on(diff: VersionDiff, pages: dict[str, str], page: str) -> VersionDiff:
    """A version diff shown on `page`: its link to a version on another part of the year goes there."""
    sides = {}
    for side in ("a", "b"):
        ref = diff[side]
        other = pages.get(ref["id"], page)
        sides[side] = ref | {"href": other + ref["href"]} if ref["href"] and other != page else ref
    return diff | sides  # type: ignore[return-value]


def site_tool(result: RunResult) -> dict[str, str]:
    import audit

    tool = {"name": "xxgk-audit", "version": audit.__version__}
    if result.started:
        tool["generated"] = result.started  # every page (and every printed page) says when it was audited
    return tool


def page_tasks(run: _Run) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """The agency pages to build, in the index's order: (agency key, its documents)."""
    groups: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for d in run.docs:
        groups[_Run._agency_key(d)].append(d)
    order = sorted(groups, key=lambda k: (k is None, _display_name(groups[k])))
    return [(key, groups[key]) for key in order]


def build_site(result: RunResult, faults: list[Fault] | None = None) -> Site:
    """The context of every page of the HTML audit (audit.render.html.write_site builds the same
    pages one agency at a time and writes each as soon as it is built).

    With `faults` given, a document that makes its agency page fail is left off the page (found by
    building the page without each document in turn) and recorded there; the index still lists it."""
    tool = site_tool(result)
    run = _Run(result)
    tasks = page_tasks(run)
    agencies = [page for key, docs in tasks for page in agency_pages(run, key, docs, tool, faults)]
    places = run if len(tasks) > regions.INDEX_AGENCIES else None
    return {"index": index_page(run, [summarize(a, places) for a in agencies], tool), "agencies": agencies}


def agency_pages(
    run: _Run, key: str | None, docs: list[dict[str, Any]], tool: dict[str, str], faults: list[Fault] | None
) -> list[AgencyPage]:
    """The page of one agency ([] when it cannot be built at all; see build_site)."""
    return _guarded_page(run, key, docs, tool, faults)


def _guarded_page(
    run: _Run, key: str | None, docs: list[dict[str, Any]], tool: dict[str, str], faults: list[Fault] | None
) -> list[AgencyPage]:
    try:
        return [_agency_page(run, key, docs, tool)]
    except Exception as exc:  # noqa: BLE001
        if faults is None:
            raise
        failing = exc
    kept = []
    for d in docs:
        try:
            _agency_page(run, key, [d], tool)
            kept.append(d)
        except Exception as exc:  # noqa: BLE001 - this document breaks the page
            faults.append(Fault.of("render (agency page)", exc, document=str(d["id"])))
    try:
        return [_agency_page(run, key, kept, tool)] if kept else []
    except Exception:  # noqa: BLE001 - only together: the whole page is lost, each document reported
        faults.extend(Fault.of("render (agency page)", failing, document=str(d["id"])) for d in kept)
        return []


def _display_name(docs: list[dict[str, Any]]) -> str:
    names = [d["agency"] for d in docs if d.get("agency")]
    return max(dict.fromkeys(names), key=names.count) if names else UNIDENTIFIED_AGENCY


def _agency_page(run: _Run, key: str | None, docs: list[dict[str, Any]], tool: dict[str, str]) -> AgencyPage:
    slug = agency_slug(key)
    info: AgencyInfo = {
        "key": key,
        "name": _display_name(docs) if key is not None else UNIDENTIFIED_AGENCY,
        "names": list(dict.fromkeys(d["agency"] for d in docs if d.get("agency"))),
        "slug": slug,
        "href": f"{slug}.html",
    }
    views = [run.document_view(d) for d in docs]
    reports = [v for v in views if v["kind"] == "annual_report"]
    by_year: dict[int | None, list[DocumentView]] = defaultdict(list)
    for v in reports:
        by_year[v["year"]].append(v)
    groups: list[YearGroup] = []
    for year in sorted(by_year, key=lambda y: -year_sort(y) if y is not None else 1):
        members = sorted(by_year[year], key=lambda v: v["is_copy"])
        originals = [v for v in members if not v["is_copy"]]
        known = key is not None and year is not None  # versions of one report: same agency, same year
        stored = run.stored.get((key, year), []) if key is not None and year is not None else []
        diffs, same_numbers, unread = (
            version_diffs(originals, stored, run.lines_of, run.cells_of) if known else ([], 0, 0)
        )
        groups.append(
            {
                "year": year,
                "label": year_label(year),
                "anchor": year_anchor(year),
                "note": _versions_note(len(originals), diffs, same_numbers, unread, known),
                "documents": members,
                "diffs": diffs,
            }
        )
    findings = [f for v in views for f in v["findings"]]
    undecided = [u for v in views for u in v["not_assessable"]]
    originals = sorted((v for v in reports if not v["is_copy"]), key=lambda v: year_sort(v["year"]))
    page: AgencyPage = {
        "page": "agency",
        "tool": tool,
        "agency": info,
        "years": sorted({v["year"] for v in reports if v["year"] is not None}, reverse=True),
        "counts": counts_of(findings),
        "unchecked": sum(v["unchecked"] for v in reports),
        "not_assessable": len(undecided),
        "years_view": _years_view(originals, run),
        "reports": groups,
        "other_documents": [v for v in views if v["kind"] != "annual_report"],
        "rules": run.rules_for(findings, undecided),
        "rule_summary": rule_summary(findings),
        "findings": by_severity(findings),
    }
    if key in run.paged:
        page["paged"] = True
    return page


def _versions_note(versions: int, diffs: list[VersionDiff], same_numbers: int, unread: int, known: bool) -> str | None:
    if versions > 1 and not known:
        return f"这里有 {versions} 份报告：机关或年度未识别，未必是同一份报告的不同版本。"
    notes = []
    conflicting = sum(not d["b"]["stored"] for d in diffs)
    if conflicting:
        notes.append(f"该年度有 {conflicting + 1} 个表格数字不一致的版本，请核对哪一份是正式发布的报告。")
    if same_numbers:
        notes.append(
            f"另有 {same_numbers} 份文本与之表格数字一致（同一报告的不同形式，如网页与文本存档），未列出差异。"
        )
    if unread:
        notes.append(f"另有 {unread} 份文本的表格未能读取（如文本存档中的数字连在一起），未与之比较。")
    stored = sum(d["b"]["stored"] for d in diffs)
    if stored:
        notes.append(f"历史库中另有 {stored} 个此前审核过的版本，表中数字与本次不同。")
    return "".join(notes) or None


def _years_view(reports: list[DocumentView], run: _Run) -> YearsView:
    figures = []
    for v in reports:
        cells = run.cells_of(v["id"])
        marks = run.marks_by_doc.get(v["id"])  # as its section marked them (the same findings)
        if marks is None:
            marks = _marks(v["findings"], v["source"], cells)
        shown = key_figures(run.doc_by_id[v["id"]], cells, marks)
        for (_, table, row, column), (_, view) in zip(KEY_FIGURES, shown, strict=True):
            if view["fail"] and v["tables"]:  # links to the cell in the report's table, and its note
                ident = cell_id(v["anchor"], table, row, column)
                view["href"], view["note_id"] = f"#{ident}", f"{ident}-note"
        figures.append(shown)
    return years_view(reports, figures)


class PageSummary(TypedDict):
    """What the index needs of an agency page (all a forked worker sends back of it)."""

    agency: AgencyInfo
    documents: list[tuple[DocumentLink, str, bool]]  # (link, kind, is_copy) of each document shown
    years: dict[int | None, MatrixCell]  # the matrix cell of each year the page has reports of
    other: Counts
    counts: Counts
    unchecked: int
    filter: list[str]
    place: tuple[str, str] | None  # (region, level) when the index lists regions (audit.render.regions)


def summarize(page: AgencyPage, run: _Run | None = None) -> PageSummary:
    """What the index needs of a page; with `run`, also where the agency sits (region, level)."""
    views = [v for g in page["reports"] for v in g["documents"]] + page["other_documents"]
    slug = page["agency"]["slug"]
    years: dict[int | None, MatrixCell] = {}
    for group in page["reports"]:
        counts: Counts = {"error": 0, "warning": 0, "info": 0}
        for v in group["documents"]:
            counts = add_counts(counts, v["counts"])
        years[group["year"]] = {
            "year": group["year"],
            "href": year_page(slug, group["year"]) + ".html"
            if page.get("paged")
            else f"{page['agency']['href']}#{year_anchor(group['year'])}",
            "documents": len(group["documents"]),
            "counts": counts,
            "unchecked": sum(v["unchecked"] for v in group["documents"]),
            "worst": worst(counts),
        }
    kinds = {f"{f['severity']} {f['rule']} {f['year'] if f['year'] is not None else '-'}" for f in page["findings"]}
    return {
        "agency": page["agency"],
        "documents": [(_link(v), v["kind"], v["is_copy"]) for v in views],
        "years": years,
        "other": counts_of([f for v in page["other_documents"] for f in v["findings"]]),
        "counts": page["counts"],
        "unchecked": sum(c["unchecked"] for c in years.values()),
        "filter": sorted(kinds),
        "place": None if run is None else _place(page, views, run),
    }


def _place(page: AgencyPage, views: list[DocumentView], run: _Run) -> tuple[str, str]:
    heads = (head_of(run.document_of[v["id"]]) for v in views if v["id"] in run.document_of)
    return region_of_agency(page["agency"]["key"], page["agency"]["names"], heads), level_of(page["agency"]["key"])


def index_positions(run: _Run) -> list[Position]:
    """Where the findings the index's table lists are (most severe first) among the views."""
    every: list[Any] = run.findings_by_doc.light()
    ranked: list[Any] = by_severity(every)
    return [f["position"] for f in ranked[:INDEX_FINDINGS]]


def index_page(run: _Run, pages: list[PageSummary], tool: dict[str, str]) -> IndexPage:
    result = run.result
    docs_per_source: dict[str, int] = defaultdict(int)
    for d in run.docs:
        docs_per_source[str(d["source"])] += 1
    inputs: list[InputView] = [input_json(s, docs_per_source[s.path]) for s in result.sources]  # type: ignore[misc]
    shown = {link["id"]: (link, kind, is_copy) for p in pages for link, kind, is_copy in p["documents"]}
    years = sorted({link["year"] for link, kind, _ in shown.values() if kind == "annual_report"}, key=year_sort)
    matrix = [_matrix_row(p, years) for p in pages]  # every page: the totals are the pages' own
    listed = [d for d in run.docs if d["id"] in shown]  # a document whose page failed has no view
    # findings of the run as a whole, and of documents left off every page (a page that failed)
    views = run.findings_by_doc
    run_findings = [f for doc in views.documents() if doc is None or doc not in shown for f in views.get(doc)]
    every: list[Any] = views.light()  # a few fields of every finding; views only for those listed
    undecided: list[Any] = [{"rule": rule} for rule in result.not_assessable["rule"].tolist()]
    ordered: list[Any] = by_severity(every)
    index: IndexPage = {
        "page": "index",
        "tool": tool,
        "run": {
            "inputs": len(inputs),
            "unreadable": sum(1 for i in inputs if i["status"] == "unreadable"),
            "skipped": sum(1 for i in inputs if i["status"] == "skipped"),
            "documents": len(run.docs),
            "reports": sum(1 for _, kind, _ in shown.values() if kind == "annual_report"),
            "agencies": sum(1 for p in pages if p["agency"]["key"] is not None),
            "findings": counts_of(every),
            "not_assessable": len(undecided),
        },
        "inputs": inputs,
        "unreadable": [i for i in inputs if i["status"] == "unreadable"],
        "skipped": [i for i in inputs if i["status"] == "skipped"],
        "years": [{"year": y, "label": year_label(y), "anchor": year_anchor(y)} for y in years],
        "matrix": matrix,
        "other_documents": [
            shown[d["id"]][0] for d in listed if shown[d["id"]][1] != "annual_report" or shown[d["id"]][2]
        ],
        "documents": [shown[d["id"]][0] for d in listed],
        "run_findings": run_findings,
        "gate": result.gate,
        "rules": run.rules_for(every, undecided),
        "rule_summary": rule_summary(every),
        "findings": [views.at(f["position"]) for f in ordered[:INDEX_FINDINGS]],
        "findings_total": len(ordered),
        "agency_names": [p["agency"]["name"] for p in pages],
    }
    if len(pages) > regions.INDEX_AGENCIES and all(p["place"] for p in pages):
        # too many agencies for one table: regions × levels here, each region's agencies on its page
        places = [p["place"] for p in pages if p["place"]]
        reports = [sum(1 for _, kind, _ in p["documents"] if kind == "annual_report") for p in pages]
        index["regions"] = region_rows(matrix, places, reports)
        index["levels"] = list(LEVELS)
        index["matrix"], index["documents"] = [], []
        index["inputs"] = [i for i in inputs if i["status"] != "audited" or i["notes"]]  # all: in audit.json
    return index


def region_pages(index: IndexPage, pages: list[PageSummary], tool: dict[str, str]) -> list[RegionPage]:
    """The page of each region the index lists: its agencies (matrix rows, by level) and documents."""
    if "regions" not in index:
        return []
    years = [y["year"] for y in index["years"]]
    members: dict[str, list[PageSummary]] = defaultdict(list)
    for p in pages:
        if p["place"]:
            members[p["place"][0]].append(p)
    out: list[RegionPage] = []
    for row in index["regions"]:
        agencies = sorted(members[row["region"]], key=lambda p: LEVELS.index(p["place"][1]) if p["place"] else 0)
        out.append(
            {
                "page": "region",
                "tool": tool,
                "region": row,
                "levels": list(LEVELS),
                "years": index["years"],
                "matrix": [_matrix_row(p, years) | {"level": p["place"][1] if p["place"] else ""} for p in agencies],
                "documents": [link for p in agencies for link, _, _ in p["documents"]],
            }
        )
    return out


def _matrix_row(page: PageSummary, years: list[int | None]) -> MatrixRow:
    empty: Counts = {"error": 0, "warning": 0, "info": 0}
    cells: list[MatrixCell] = [
        page["years"].get(year)
        or {"year": year, "href": None, "documents": 0, "counts": empty, "unchecked": 0, "worst": None}
        for year in years
    ]
    return {
        "agency": page["agency"],
        "cells": cells,
        "other": page["other"],
        "counts": page["counts"],
        "unchecked": page["unchecked"],
        "filter": page["filter"],
    }


def _link(v: DocumentView) -> DocumentLink:
    note = " ".join(v["notes"]) or (None if v["kind"] == "annual_report" else v["kind_label"])
    return {
        "id": v["id"],
        "href": v["href"],
        "source": v["source"],
        "kind_label": v["kind_label"],
        "agency": v["agency"],
        "year": v["year"],
        "note": note,
        "counts": v["counts"],
        "unchecked": v["unchecked"],
    }
