"""The report tables of a page (grids, their cells and notes) as HTML, built in Python.

A page of a big agency holds tens of thousands of cells; as a jinja macro each cell cost a macro
call and a dozen `escape` calls (half of the whole site's time). Here each text is escaped once,
the parts every grid of one shape shares (its header, its row heads) are built once per process,
and the plain number cell — nearly all of them — is one f-string. The output is exactly what the
macros `cell`, `grid` and `table_view` of templates/macros.html.j2 wrote before (the pages'
tests, and bench/bench_site.py --check against an earlier output, hold it to that).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from markupsafe import Markup

from audit.render.grids import CellView, Grid, TableView

SEVERITY_WORD = {"error": "错误", "warning": "警告", "info": "提示"}
DISPLAY_CHARS = 200  # a quoted line longer than this is shortened on screen (the JSON twin keeps it whole)
CLIP = 40  # characters of a cell's text shown in the grid (its title and the twin keep it whole)


def esc(value: Any) -> str:
    """What jinja's autoescape writes for `{{ value }}`: str(value) with & < > " ' escaped."""
    text = value if isinstance(value, str) else str(value)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&#34;")
    if "'" in text:
        text = text.replace("'", "&#39;")
    return text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@lru_cache(maxsize=4096)
def _key(value: str) -> str:
    """A row or column key escaped (the few keys repeat in every grid)."""
    return esc(value)


_NUMBER_CELLS: dict[tuple[str, str], str] = {}  # the opening of a plain number cell, by (row, column)


def cell_html(c: CellView) -> str:
    """One `<td>` of a grid: its state as a class, its marks and line in the title, a failing cell
    linking to its first finding and to its note."""
    line = c["line"]
    if c["state"] == "number" and not c["marks"] and not c["undecided"]:
        at = (c["row"], c["column"])
        opening = _NUMBER_CELLS.get(at)
        if opening is None:
            opening = f'<td class="cell number" data-row="{esc(at[0])}" data-column="{esc(at[1])}"'
            if len(_NUMBER_CELLS) < 4096:  # the keys of the standard tables; odd rows are not kept
                _NUMBER_CELLS[at] = opening
        # a number's text is digits, '-' and '.' (grids._number): nothing to escape
        if line is None:
            return f"{opening}>{c['text']}</td>"
        return f'{opening} title="第 {line} 行">{c["text"]}</td>'
    state, marks = c["state"], c["marks"]
    classes = state
    if c["fail"]:
        classes += f" fail sev-{c['severity']}"
    if c["undecided"]:
        classes += " undecided"
    ident = c.get("id")
    parts = [f'<td class="cell {esc(classes)}"']
    if ident:
        parts.append(f' id="{esc(ident)}"')
    parts.append(f' data-row="{_key(c["row"])}" data-column="{_key(c["column"])}"')
    if marks:
        parts.append(f' data-findings="{esc(" ".join(str(m["finding"]) for m in marks))}"')
    parts.append(' title="')
    parts += [f"{esc(m['message'])}&#10;" for m in marks]
    parts += [f"无法判定：{esc(u)}&#10;" for u in c["undecided"]]
    if state == "blank":
        parts.append("空白（不按 0 计算） ")
    elif state == "placeholder":
        parts.append(f"占位符「{esc(c['raw'])}」 ")
    elif state == "missing":
        parts.append("未抽取到此单元格")
    elif state == "text":
        parts.append(f"原文「{esc(c['raw'])}」 ")
    if line is not None:
        parts.append(f"第 {line} 行")
    parts.append('">')
    text = c["text"]
    if c["fail"]:
        href = c.get("href") or f"#f-{marks[0]['finding']}"
        note_id = c.get("note_id")
        described = f' aria-describedby="{esc(note_id)}"' if note_id else ""
        shown = esc(_clip(text, CLIP)) if text else "（空白）"
        parts.append(f'<a class="cell-link" href="{esc(href)}"{described}>{shown}</a>')
        if c.get("note"):
            parts.append(f'<sup class="note-ref">注{esc(c["note"])}</sup>')
    else:
        parts.append(esc(_clip(text, CLIP)))
    parts.append("</td>")
    return "".join(parts)


def cells_html(cells: list[CellView]) -> Markup:
    return Markup("".join(cell_html(c) for c in cells))


@lru_cache(maxsize=1024)
def _grid_head(table_key: str, columns: tuple[tuple[str, str], ...], groups: tuple[tuple[str, int], ...]) -> str:
    """The opening of a grid up to its body: the same for every report of one format."""
    out = [f'<div class="scroll">\n<table class="grid" data-table="{esc(table_key)}">\n  <thead>\n']
    corner = '<th scope="col"><span class="sr-only">项目</span></th>'
    if groups:
        out.append('    <tr><th rowspan="2" scope="col"><span class="sr-only">项目</span></th>')
        for label, span in groups:
            if label:
                out.append(f'<th colspan="{esc(span)}" scope="colgroup">{esc(label)}</th>')
            else:
                out.append(f'<td colspan="{esc(span)}" class="empty"></td>')
        out.append("</tr>\n")
        corner = ""
    out.append(f"    <tr>{corner}")
    out += [f'<th data-column="{esc(key)}">{esc(label)}</th>' for key, label in columns]
    out.append("</tr>\n  </thead>\n  <tbody>\n")
    return "".join(out)


@lru_cache(maxsize=4096)
def _row_head(key: str, label: str, sub: bool) -> str:
    cls = ' class="sub"' if sub else ""
    return f'    <tr data-row="{esc(key)}"{cls}><th class="rowhead" scope="row">{esc(label)}</th>'


def grid_html(g: Grid, table_key: str) -> str:
    head = _grid_head(
        table_key,
        tuple((c["key"], c["label"]) for c in g["columns"]),
        tuple((grp["label"], grp["span"]) for grp in g["column_groups"]),
    )
    rows = [
        _row_head(r["key"], r["label"], bool(r["sub"])) + "".join(map(cell_html, r["cells"])) + "</tr>\n"
        for r in g["rows"]
    ]
    return head + "".join(rows) + "  </tbody>\n</table>\n</div>\n"


def table_html(t: TableView) -> str:
    """One of the report's three tables: its grids, the findings on it that mark no cell shown, and
    the numbered notes of its failing cells."""
    out = [f'<div class="table-block" id="{esc(t["anchor"])}">\n  <h4>{esc(t["title"])}</h4>\n']
    if not t["present"]:
        out.append('  <p class="muted small">未抽取到此表（可能是图片、附件，或报告没有这张表）。</p>\n')
    for n in t["notes"]:
        out.append(
            f'  <p class="small"><span class="badge {esc(n["severity"])}">{esc(n["rule"])}</span> '
            f"{esc(n['message'])}</p>\n"
        )
    out += [grid_html(g, t["key"]) for g in t["grids"]]
    if t["cell_notes"]:
        out.append('  <ol class="cell-notes">\n')
        for note in t["cell_notes"]:
            at = "" if note["line"] is None else f"（第 {note['line']} 行）"
            out.append(
                f'    <li id="{esc(note["id"])}" value="{note["n"]}"><a href="#{esc(note["cell"])}">注{note["n"]}</a> '
                f"{esc(note['where'])}{at}：\n"
            )
            marks = [
                f'<span class="sev-word {esc(mk["severity"])}">{esc(SEVERITY_WORD.get(mk["severity"], mk["severity"]))}'
                f"</span> {esc(mk['message'])} "
                f'<a href="#f-{esc(mk["finding"])}">见问题 #{esc(mk["finding"])}</a>'
                for mk in note["marks"]
            ]
            out.append("；".join(marks))
            out.append("    </li>\n")
        out.append("  </ol>\n")
    out.append("</div>\n")
    return "".join(out)


def tables_html(tables: list[TableView]) -> Markup:
    return Markup("".join(table_html(t) for t in tables))


def _loc(source: str | None, line: Any, page: Any) -> str:
    at = "" if page is None else f" 第{page}页"
    return f"{(source or '?').split('/')[-1]}{at}:{'?' if line is None else line}"


def finding_html(f: dict[str, Any], rules: dict[str, Any]) -> str:
    """One finding as the pages list it (what the macro `finding` wrote): its badges, message,
    location with expected and actual values, and the quoted lines with the failing value marked."""
    sev, fid = esc(f["severity"]), esc(f["id"])
    year = "-" if f["year"] is None else f["year"]
    out = [
        f'<li class="finding {sev}{" waived" if f["waived"] else ""}" id="f-{fid}" data-finding="{fid}" '
        f'data-rule="{esc(f["rule"])}" data-filter-item data-severity="{sev}" data-year="{esc(year)}" '
        f'data-agency="{esc(f["agency"] or "")}">\n  <div class="head">\n'
        f'    <span class="badge {sev}">{esc(f["severity_label"])}</span>\n'
    ]
    if f["new"]:
        out.append('<span class="badge new">新增</span>')
    elif f["new"] is False:
        out.append('<span class="badge old">基线已有</span>')
    rule = rules.get(f["rule"]) if f["rule"] in rules else None
    rationale = rule["rationale"] if rule is not None else ""
    out.append(f'    <code class="rule" title="{esc(rationale)}">{esc(f["rule"])}</code>\n')
    if f["rule_title"]:
        out.append(f'<span class="muted small">{esc(f["rule_title"])}</span>')
    out.append(f'    <span class="fid mono" title="问题编号（跨次运行稳定）">#{fid}</span>\n  </div>\n')
    out.append(f'  <p class="msg">{esc(f["message"])}</p>\n')
    waived = f["waived"]
    if waived:
        out.append(
            f'<p class="waiver small">已豁免（不计入门禁）：{esc(waived["reason"])}　审核人 {esc(waived["reviewer"])}，'
            f"有效期至 {esc(waived['expires'])}</p>"
        )
    if f["where"] or f["expected"] is not None or f["actual"] is not None:
        out.append('  <p class="ea">\n')
        if f["where"]:
            where = esc(f["where"])
            out.append(
                f'位置：<a class="to-cell" href="{esc(f["href"])}">{where}</a>' if f["href"] else f"位置：{where}"
            )
        labels = rule or {}
        if f["expected"] is not None:
            label = f"（{esc(labels['expected_label'])}）" if labels.get("expected_label") else ""
            out.append(f'　应为{label} <b class="num">{esc(f["expected"])}</b>')
        if f["actual"] is not None:
            label = f"（{esc(labels['actual_label'])}）" if labels.get("actual_label") else ""
            out.append(f'　实为{label} <b class="num">{esc(f["actual"])}</b>')
        out.append("  </p>\n")
    out.append('  <ul class="evidence">\n')
    for e in f["evidence"]:
        source, line = e["source"], e["line"]
        out.append(
            f'    <li><span class="loc mono" title="{esc(source or "")}:{esc(line)}">'
            f"{esc(_loc(source, line, e.get('page')))}</span>"
        )
        marked = e.get("marked")
        if marked:
            out.append(f"<q>{esc(marked[0])}<mark>{esc(marked[1])}</mark>{esc(marked[2])}</q>")
        elif e["text"]:
            out.append(f"<q>{esc(_clip(e['text'], DISPLAY_CHARS))}</q>")
        out.append("</li>\n")
    out.append("  </ul>\n</li>\n")
    return "".join(out)


def findings_html(items: list[dict[str, Any]], rules: dict[str, Any]) -> Markup:
    return Markup("".join(finding_html(f, rules) for f in items))


def sparkline_html(t: dict[str, Any]) -> Markup:
    """The trend of one key figure (audit.render.trend) as an inline SVG: a gap year is a dashed mark
    across the whole height, never a point at 0."""
    w, h, label = esc(t["width"]), esc(t["height"]), esc(t["label"])
    out = [
        f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'role="img" aria-label="{label}"><title>{label}</title>'
    ]
    bottom = esc(t["height"] - 2)
    out += [
        f'<line class="gap {esc(p["gap"])}" data-year="{esc(p["year"])}" x1="{esc(p["x"])}" x2="{esc(p["x"])}" '
        f'y1="2" y2="{bottom}"/>'
        for p in t["points"]
        if p["y"] is None
    ]
    out += [f'<polyline points="{esc(line)}"/>' for line in t["lines"]]
    out += [
        f'<circle data-year="{esc(p["year"])}" cx="{esc(p["x"])}" cy="{esc(p["y"])}" r="2.2"/>'
        for p in t["points"]
        if p["y"] is not None
    ]
    out.append("</svg>")
    return Markup("".join(out))


SORT_RANK = {"error": 0, "warning": 1, "info": 2}


def finding_rows_html(items: list[dict[str, Any]], show_agency: bool) -> Markup:
    """The rows of a findings table (sortable, filterable; each links to its finding)."""
    out = []
    for f in items:
        sev, year = esc(f["severity"]), f["year"]
        waived = ' class="waived"' if f["waived"] else ""
        badges = (' <span class="badge plain">已豁免</span>' if f["waived"] else "") + (
            ' <span class="badge new">新增</span>' if f["new"] else ""
        )
        agency = f"<td>{esc(f['agency'] or '未识别机关')}</td>" if show_agency else ""
        out.append(
            f'  <tr data-filter-item data-severity="{sev}" data-rule="{esc(f["rule"])}" '
            f'data-year="{esc("-" if year is None else year)}" data-agency="{esc(f["agency"] or "")}"{waived}>\n'
            f'    <td data-sort="{SORT_RANK.get(f["severity"], 3)}"><span class="badge {sev}">'
            f"{esc(f['severity_label'])}</span>{badges}</td>\n"
            f'{agency}    <td data-sort="{esc(0 if year is None else year)}">{esc("年份不明" if year is None else year)}</td>\n'
            f'    <td><span class="mono small">{esc(f["rule"])}</span></td>\n'
            f'    <td><a href="{esc(f["link"])}">{esc(_clip(str(f["message"]), 120))}</a></td>\n'
            "  </tr>\n"
        )
    return Markup("".join(out))
