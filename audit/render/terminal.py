"""`xxgk-audit check` on the terminal: one compact panel per input, one block per document.

Each block names the document (id, kind, agency, year, format) and lists its findings grouped by
severity (rule id, message, `source:line` of the first evidence line); a final line gives the
counts, the not-assessable count and whether the run fails at `--fail-on`. Findings are read
through `audit_json.finding_json`, the one serialisation every output shares (principle 8).

Imports stay light (rich and audit.model only; no jinja2, no pandas import of its own): `check`
must start fast.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from audit.model import SEVERITIES, RunResult, printable

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
MARK = {"error": "✖", "warning": "▲", "info": "●"}
LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
KIND = {"annual_report": "年度报告", "guide": "公开指南", "other": "其他文件", "unknown": "未识别"}
FORMAT = {"2019": "2019年版格式", "2021": "2021年版格式", "pre2019": "2019年以前格式"}
MESSAGE_CHARS = 160  # longer messages are shortened here (the HTML audit and --json keep them whole)
PER_SEVERITY = 8  # findings shown per severity and document; the rest are counted


def _value(v: Any) -> Any:
    """None for NaN/NA, plain numbers otherwise."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ in ("NAType", "NaTType"):
        return None
    if hasattr(v, "item"):
        v = v.item()
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _where(finding: dict[str, Any]) -> str:
    evidence = finding.get("evidence") or []
    if not evidence:
        return ""
    first = evidence[0]
    page = f" 第{first['page']}页" if first.get("page") is not None else ""  # PDF: as the HTML says it
    return printable(f"{os.path.basename(first.get('source') or '?')}{page}:{first.get('line')}")


def _findings_table(findings: list[dict[str, Any]]) -> Table | None:
    if not findings:
        return None
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    for severity in SEVERITIES:
        group = [f for f in findings if f["severity"] == severity]
        for f in group[:PER_SEVERITY]:
            mark = Text(f"{MARK[severity]} {LABEL[severity]}", style=STYLE[severity])
            message = str(f["message"])
            message = printable(message)
            body = Text(message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 1] + "…")
            body.append(f"  {f['rule']} · {_where(f)}", style="dim")
            table.add_row(mark, body)
        if len(group) > PER_SEVERITY:
            more = f"… 另有 {len(group) - PER_SEVERITY} 条{LABEL[severity]}（xxgk-audit run 可生成完整的 HTML 报告）"
            table.add_row("", Text(more, style="dim"))
    return table


def _document_block(doc: dict[str, Any], findings: list[dict[str, Any]], undecided: int) -> RenderableType:
    head = Text()
    head.append(printable(doc["id"]), style="bold")
    parts = [
        KIND.get(str(doc.get("kind")), str(doc.get("kind"))),
        str(doc.get("agency") or "机关未识别"),
        f"{doc['year']}年度" if doc.get("year") is not None else "年份未识别",
        FORMAT.get(str(doc.get("format")), "格式未识别"),
    ]
    head.append("  " + " · ".join(parts), style="default")
    if doc.get("duplicate_of"):
        head.append(f"  （{doc['duplicate_of']} 的副本）", style="dim")
    elif doc.get("truncated_copy_of"):
        head.append(f"  （{doc['truncated_copy_of']} 的截断副本）", style="dim")
    if undecided:
        head.append(f"  {undecided} 项无法判定", style="dim")
    if not findings:
        head.append("  ✓ 无问题", style="green")
    table = _findings_table(findings)
    return Group(head, Padding(table, (0, 0, 0, 2))) if table is not None else head


def _counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    return counts


def print_summary(result: RunResult, console: Console) -> None:
    """Print the audit of `result` compactly: per input and document, then the run's one verdict
    (`result.gate`, audit.gate.verdict: the same the exit code, the HTML and audit.json give)."""
    from audit.render.audit_json import finding_json

    findings = [finding_json({str(k): v for k, v in r.items()}) for r in result.findings.to_dict("records")]
    docs = [
        {str(k): _value(v) for k, v in r.items() if k != "headings"} for r in result.frames.documents.to_dict("records")
    ]
    doc_ids = {d["id"] for d in docs}
    by_doc: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        by_doc[f["document"] if f["document"] in doc_ids else None].append(f)
    undecided: dict[Any, int] = defaultdict(int)
    for doc in result.not_assessable["document"].tolist() if len(result.not_assessable) else []:
        undecided[_value(doc)] += 1
    docs_by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in docs:
        docs_by_source[str(d["source"])].append(d)
    run_level: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    paths = {s.path for s in result.sources}
    for f in by_doc.get(None, []):
        source = (f.get("evidence") or [{}])[0].get("source")
        run_level[source if source in paths else None].append(f)

    skipped = [s for s in result.sources if s.skipped]
    for source in result.sources:
        if source.skipped:
            continue
        blocks: list[RenderableType] = []
        if source.error:
            blocks.append(Text(f"无法读取：{printable(source.error)}", style=STYLE["error"]))
        table = _findings_table(run_level.get(source.path, []))
        if table is not None:
            blocks.append(table)
        blocks += [_document_block(d, by_doc.get(d["id"], []), undecided[d["id"]]) for d in docs_by_source[source.path]]
        if not blocks:
            blocks.append(Text("没有识别出文件", style="dim"))
        subtitle = f"{len(docs_by_source[source.path])} 份文件" if not source.error else None
        border = "red" if source.error else "blue"
        console.print(
            Panel(
                Group(*blocks),
                title=Text(printable(source.path), style="bold"),
                title_align="left",
                subtitle=subtitle,
                subtitle_align="right",
                border_style=border,
            )
        )
    if skipped:
        listed = Text("\n".join(f"{printable(s.path)}：{printable(s.skipped)}" for s in skipped), style="dim")
        console.print(Panel(listed, title=f"已跳过 {len(skipped)} 个输入（不是报告）", title_align="left"))
    if run_level.get(None):
        console.print(
            Panel(_findings_table(run_level[None]) or Text(""), title="其他", title_align="left", border_style="red")
        )
    console.print(_verdict(result, findings))


def _verdict(result: RunResult, findings: list[dict[str, Any]]) -> Text:
    gate = result.gate or {}
    line = Text()
    line.append(f"{len(result.sources)} 个输入，{len(result.frames.documents)} 份文件，")
    line.append(f"{len(result.not_assessable)} 项无法判定。")
    summary = str(gate.get("summary") or "")
    style = "bold green" if gate.get("passed") else "bold red"
    line.append(summary, style="dim" if gate.get("fail_on") == "never" and gate.get("passed") else style)
    return line
