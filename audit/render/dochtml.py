"""A document's section of an agency page and the diff of two versions of a report, as HTML.

Written in Python for the same reason as audit.render.gridhtml: as jinja macros (`document`,
`version_diff`) each page paid a macro call, an attribute lookup and an escape per field of every
document, and a macro call per side of every diff row. The output is exactly what those macros
wrote (tests/test_render_html.py and tests/test_render_versions.py read it; the pages of a run
before and after compared byte for byte).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from audit.render.gridhtml import cells_html, esc, findings_html, tables_html

LEGEND = (
    '<div class="legend">\n'
    '  <span><span class="sw fail" aria-hidden="true">▲</span>问题所在单元格（▲ 错误、△ 警告、○ 提示；说明见表下的注）</span>\n'
    '  <span><span class="sw blank" aria-hidden="true"></span>空白（不按 0 计算）</span>\n'
    '  <span><span class="sw missing" aria-hidden="true"></span>? 未抽取到</span>\n'
    "  <span><b>/</b> 占位符，照原文显示</span>\n"
    "</div>\n"
)
UNSTATED = '<span class="muted">未写明</span>'


def counts_html(c: dict[str, int], empty: str = "无问题", unchecked: int = 0) -> Markup:
    """The severity badges of a count (the macro `counts`): a clean count says `empty`, a report
    whose tables could not be read says so instead."""
    out = ['<span class="counts">']
    if c["error"]:
        out.append(f'<span class="badge error">{esc(c["error"])} 错误</span>')
    if c["warning"]:
        out.append(f'<span class="badge warning">{esc(c["warning"])} 警告</span>')
    if c["info"]:
        out.append(f'<span class="badge info">{esc(c["info"])} 提示</span>')
    if unchecked:
        more = f" ({esc(unchecked)})" if unchecked > 1 else ""
        out.append(f'<span class="badge plain" title="表格未能读取，算术和勾稽关系未核对">未能核对{more}</span>')
    elif not (c["error"] or c["warning"] or c["info"]) and empty:
        out.append(f'<span class="badge ok">{esc(empty)}</span>')
    out.append("</span>")
    return Markup("".join(out))


def _clip(text: Any, limit: int) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def document_html(d: dict[str, Any], rules: dict[str, Any]) -> Markup:
    """One document's section (an `article`): its metadata, findings, undecided checks, tables."""
    year = d["year"]
    title = d["title"] or (d["kind_label"] + ("（" + str(year) + "年度）" if year is not None else ""))
    out = [
        f'<article class="card report{" copy" if d["is_copy"] else ""}" id="{esc(d["anchor"])}" '
        f'data-document="{esc(d["id"])}">\n  <div class="doc-head">\n    <h3>{esc(title)}</h3>\n'
        f"    <span>{counts_html(d['counts'], unchecked=d['unchecked'])}</span>\n  </div>\n"
    ]
    original = d["original_href"]
    link = f' <a href="{esc(original)}">查看原件</a>' if original else ""
    out += [f'<p class="note">{esc(n)}{link}</p>' for n in d["notes"]]
    start, end = d["period_start"], d["period_end"]
    period = f"{esc(start or '?')} 至 {esc(end or '?')}" if start or end else UNSTATED
    published, signed, lines = d["published"], d["signed"], d["lines"]
    out.append(
        '  <dl class="meta">\n'
        f'    <div><dt>文件</dt><dd class="mono">{esc(d["id"])}</dd></div>\n'
        f"    <div><dt>类别</dt><dd>{esc(d['kind_label'])}</dd></div>\n"
        f"    <div><dt>年度</dt><dd>{esc(year if year is not None else '未识别')}</dd></div>\n"
        f"    <div><dt>格式</dt><dd>{esc(d['format_label'])}</dd></div>\n"
        f"    <div><dt>统计期间</dt><dd>{period}</dd></div>\n"
        f"    <div><dt>发布日期</dt><dd>{esc(published or '')}{'' if published else UNSTATED}</dd></div>\n"
        f"    <div><dt>落款日期</dt><dd>{esc(signed or '')}{'' if signed else UNSTATED}</dd></div>\n"
        f'    <div><dt>来源</dt><dd class="mono" title="{esc(d["source"])}">{esc(_clip(d["source"], 80))} '
        f"第 {esc(lines[0])}–{esc(lines[1])} 行</dd></div>\n"
        f'    <div><dt>内容指纹</dt><dd class="mono">{esc(d["content_hash"] or "")}</dd></div>\n'
        "  </dl>\n"
    )
    if d["findings"]:
        out.append(f"  <h4>发现的问题（{len(d['findings'])}）</h4>\n")
        out.append(f'  <ul class="findings">\n{findings_html(d["findings"], rules)}</ul>\n\n')
    elif d["kind"] == "annual_report" and not d["is_copy"]:
        out.append('  <p class="muted small">未发现问题。</p>\n')
    if d["not_assessable"]:
        out.append(f'  <h4>无法判定的检查（{len(d["not_assessable"])}）</h4>\n  <ul class="undecided">\n')
        for u in d["not_assessable"]:
            at = f' <span class="muted mono">（第 {esc(u["line"])} 行）</span>' if u["line"] is not None else ""
            out.append(f"    <li><code>{esc(u['rule'])}</code> {esc(u['reason'])}{at}</li>\n")
        out.append("  </ul>\n")
    if d["tables"]:
        if d["is_copy"]:
            out.append('<details class="copy-tables"><summary>显示副本中的表格</summary>')
        out.append(f"  {LEGEND}\n{tables_html(d['tables'])}")
        if d["is_copy"]:
            out.append("</details>")
    out.append("</article>\n")
    return Markup("".join(out))


def doc_table_html(items: list[dict[str, Any]]) -> Markup:
    """The list of documents (DocumentLink) on the index and on a region's page (the macro `doc_table`)."""
    out = [
        '<div class="scroll">\n<table class="list">\n'
        "  <thead><tr><th>文件</th><th>类别</th><th>机关</th><th>年度</th><th>说明</th><th>问题</th></tr></thead>\n"
        "  <tbody>\n"
    ]
    for d in items:
        ident, year = esc(d["id"]), d["year"]
        out.append(
            f'  <tr data-document="{ident}"><td class="mono"><a href="{esc(d["href"])}">{ident}</a></td>'
            f"<td>{esc(d['kind_label'])}</td><td>{esc(d['agency'] or '')}</td>\n"
            f'    <td>{esc(year if year is not None else "")}</td><td class="small">{esc(d["note"] or "")}</td>'
            f"<td>{counts_html(d['counts'], '', d['unchecked'])}</td></tr>\n"
        )
    out.append("  </tbody>\n</table>\n</div>\n")
    return Markup("".join(out))


# -- version diffs ----------------------------------------------------------------------------------


def _loc(source: str | None, line: Any) -> str:
    return f"{esc((source or '?').split('/')[-1])}:{esc(line if line is not None else '?')}"


def _diff_side(s: dict[str, Any] | None, kind: str) -> str:
    if s is None:
        return '<td class="ln"></td><td class="code none"></td>'
    line = "" if s["line"] is None else esc(s["line"])
    parts = s["parts"]
    if parts:
        tag = "del" if kind == "del" else "ins"
        text = "".join(f"<{tag}>{esc(t)}</{tag}>" if changed else esc(t) for t, changed in parts)
    else:
        text = esc(s["text"])
    return f'<td class="ln">{line}</td><td class="code {kind}">{text}</td>'


def _version(ref: dict[str, Any], side: str) -> str:
    ident = esc(ref["id"])
    name = (
        f'<a class="mono" href="{esc(ref["href"])}">{ident}</a>'
        if ref["href"]
        else f'<span class="mono">{ident}</span>'
    )
    lines = ref["lines"]
    return (
        f'<span class="vtag {side}">{esc(ref["label"])}</span> {name}'
        f"（{_loc(ref['source'], lines[0])}–{esc(lines[1] if lines[1] is not None else '?')}）"
    )


def version_diff_html(v: dict[str, Any]) -> Markup:
    """Two versions of one year's report side by side: the differing cells, then the changed hunks
    of the text with their line numbers (the macro `version_diff`)."""
    a, b, cells, text = v["a"], v["b"], v["cells"], v["text"]
    la, lb = esc(a["label"]), esc(b["label"])
    stored = "：此前审核、存于历史库，本次输入中没有" if b["stored"] else ""
    out = [
        f'<section class="card version-diff" id="{esc(v["anchor"])}" data-a="{esc(a["id"])}" data-b="{esc(b["id"])}">\n'
        f"  <h3>版本对比：{la} ↔ {lb}</h3>\n"
        '  <p class="small muted">\n'
        f"    {_version(a, 'a')}\n"
        f"    　{_version(b, 'b')}{stored}  </p>\n"
        f"  <h4>表格中不同的单元格（{esc(cells['count'])}）</h4>\n"
    ]
    if cells["rows"]:
        out.append(
            '  <div class="scroll">\n  <table class="grid cell-diff">\n'
            f"    <thead><tr><th>表</th><th>行</th><th>列</th><th>{la}</th><th>{lb}</th></tr></thead>\n"
            "    <tbody>\n"
        )
        out += [
            f'    <tr data-table="{esc(r["table"])}" data-row="{esc(r["row"])}" data-column="{esc(r["column"])}">'
            f'<td class="label">{esc(r["table_label"])}</td><th class="rowhead" scope="row">{esc(r["row_label"])}</th>'
            f'<td class="label">{esc(r["column_label"])}</td>{cells_html([r["a"], r["b"]])}</tr>\n'
            for r in cells["rows"]
        ]
        out.append("    </tbody>\n  </table>\n  </div>\n")
    else:
        out.append('  <p class="small muted">两个版本表格中的单元格完全一致。</p>\n')
    if cells["note"]:
        out.append(f'<p class="small note">{esc(cells["note"])}</p>')
    out.append(f"  <h4>文字差异（{esc(text['changes'])} 处）</h4>\n")
    if text["hunks"]:
        out.append(
            '  <div class="scroll">\n  <table class="diff">\n'
            '    <colgroup><col class="ln"><col class="code"><col class="ln"><col class="code"></colgroup>\n'
            f'    <thead><tr><th colspan="2">{la}　<span class="mono">{esc(a["id"])}</span></th>'
            f'<th colspan="2">{lb}　<span class="mono">{esc(b["id"])}</span></th></tr></thead>\n'
        )
        for h in text["hunks"]:
            out.append('    <tbody class="hunk">\n')
            if h["skipped"]:
                out.append(f'<tr class="skip"><td colspan="4">… 相同的 {esc(h["skipped"])} 行未显示 …</td></tr>')
            for r in h["rows"]:
                op = r["op"]
                equal = op == "equal"
                out.append(
                    f'      <tr class="{esc(op)}">{_diff_side(r["a"], "equal" if equal else "del")}'
                    f"{_diff_side(r['b'], 'equal' if equal else 'ins')}</tr>\n"
                )
            out.append("    </tbody>\n")
        if text["skipped_after"]:
            out.append(
                f'<tbody><tr class="skip"><td colspan="4">… 相同的 {esc(text["skipped_after"])} 行未显示 …</td></tr></tbody>'
            )
        out.append("  </table>\n  </div>\n")
    elif text["lines"][0] and text["lines"][1]:
        out.append('  <p class="small muted">两个版本的文字（去掉空行后）完全一致。</p>\n')
    if text["note"]:
        out.append(f'<p class="small note">{esc(text["note"])}</p>')
    out.append("</section>\n")
    return Markup("".join(out))
