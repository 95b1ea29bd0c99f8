"""A synthetic RunResult for the renderer tests: built by hand, no pipeline involved.

Inputs: `in/lixia.txt` (济南市历下区: a guide, the 2022 and 2021 reports, an exact copy of 2021),
`in/luan.txt` (六安市: two differing 2020 reports in the 2019 format), `in/unknown.txt` (a 2021
report whose agency was not recognised, without tables) and `in/broken.pdf` (unreadable). The
history store holds two earlier versions of 历下区 2022: one whose table numbers differ
(`old/lixia.txt#2`, shown as a version diff) and one only rendered differently (`old/lixia.html#1`,
same numbers: not shown).

What the pages must show (the tests check each):
- 2021 历下区: applications.column_balance on the 自然人 column (rows new_received, carried_over,
  results_total, carried_forward involved), applications.row_total on (granted, total),
  review_litigation.totals on (review, total); a blank cell (commercial, denied.state_secret), a
  placeholder "/" (research, other.other), a missing cell (legal_service, unavailable.unclear), a
  not-assessable check; hostile lines (<script>, onerror) in the title, the text and the evidence;
  an over-long evidence line.
- 2022 历下区: history.carry_over on (carried_over, total) with evidence in both years.
- 2022 历下区: a blank 予以公开 总计 (a gap in its trend, never 0).
- 2020 六安市: version B differs from A in 新收 (7 → 8, a gap marked as a conflict in the trend),
  in a cell blank in B and 0 in A, in one sentence and in a hostile line (HOSTILE_DIFF) only B has.
- run level: extraction.unreadable_input for in/broken.pdf.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from audit.model import (
    APP_COLUMNS,
    APP_ROWS_2019,
    APP_ROWS_2021,
    CELL_COLUMNS,
    CLAIM_COLUMNS,
    DOCUMENT_COLUMNS,
    FINDING_COLUMNS,
    ISSUE_COLUMNS,
    NOT_ASSESSABLE_COLUMNS,
    RL_OUTCOMES,
    Document,
    Frames,
    RunResult,
    Source,
    empty_frame,
    short_hash,
)

HOSTILE_SCRIPT = "<script>document.title='XSS'</script>（此行文字来自报告原文）"
HOSTILE_IMG = "<img src=x onerror=\"document.title='XSS'\">"
HOSTILE_DIFF = (
    "</td></tr></table><script>document.title='DIFF'</script><svg onload=\"document.title='SVG'\"><b>（修订版新增）"
)
LONG_LINE = "（二）依申请公开情况。" + "本机关严格按照条例规定的时限和程序办理申请，" * 30 + "【行尾】"
MISSING = object()  # a cell the extraction did not find
LIXIA, LUAN = "济南市历下区人民政府", "六安市人民政府办公室"

ZERO = [0] * 7
APPS_2021: dict[str, list[Any]] = {r: ZERO for r in APP_ROWS_2021} | {
    "new_received": [20, 3, 0, 0, 0, 1, 24],
    "carried_over": [2, 0, 0, 0, 0, 0, 2],
    "granted": [10, 2, 0, 0, 0, 1, 15],  # total should be 13: row_total
    "partially_granted": [3, 0, 0, 0, 0, 0, 3],
    "denied.state_secret": [0, None, 0, 0, 0, 0, 0],  # blank
    "unavailable.not_held": [3, 1, 0, 0, 0, 0, 4],
    "unavailable.unclear": [0, 0, 0, 0, MISSING, 0, 0],  # one cell not extracted
    "other.other": [0, 0, "/", 0, 0, 0, 0],  # placeholder
    "results_total": [16, 3, 0, 0, 0, 1, 20],  # 自然人 16 + 4 ≠ 20 + 2: column_balance
    "carried_forward": [4, 0, 0, 0, 0, 0, 4],
}
APPS_2022 = {
    **{r: ZERO for r in APP_ROWS_2021},
    "new_received": [30, 1, 0, 0, 0, 0, 31],
    "carried_over": [5, 0, 0, 0, 0, 0, 5],
}
APPS_2022 |= {
    "granted": [31, 1, 0, 0, 0, 0, None],  # a blank total: a gap in the 予以公开 trend
    "results_total": [31, 1, 0, 0, 0, 0, 32],
    "carried_forward": [4, 0, 0, 0, 0, 0, 4],
}
APPS_2020 = {
    **{r: ZERO for r in APP_ROWS_2019},
    "new_received": [7, 0, 0, 0, 0, 0, 7],
    "granted": [7, 0, 0, 0, 0, 0, 7],
}
APPS_2020 |= {"results_total": [7, 0, 0, 0, 0, 0, 7]}
APPS_2020_B = APPS_2020 | {"new_received": [8, 0, 0, 0, 0, 0, 8], "granted": [7, None, 0, 0, 0, 0, 7]}
RL = {"review": [1, 0, 0, 1, 3], "litigation_direct": [0, 0, 0, 0, 0], "litigation_after_review": [0, 0, 0, 0, 0]}
A20_2021_VALUES: dict[tuple[str, str], Any] = {
    ("regulations", "issued"): 0,
    ("regulations", "repealed"): 0,
    ("regulations", "in_force"): 2,
}
A20_2021_VALUES |= {
    ("normative_documents", "issued"): 3,
    ("licensing", "decisions"): 1250,
    ("fees", "amount_10k_yuan"): 11.5,
}
A20_2019_VALUES: dict[tuple[str, str], Any] = {
    ("regulations", "new_made"): 1,
    ("licensing", "prior_count"): 12,
    ("licensing", "change"): -2,
}
A20_2019_VALUES |= {("procurement", "items"): 4, ("procurement", "amount"): "27.5951亿元"}

RULES = [
    (
        "applications.column_balance",
        "error",
        "申请情况表某列的勾稽关系不成立",
        "A column of the applications table does not balance",
    ),
    ("applications.row_total", "error", "申请情况表某行的总计不等于六类申请人之和", "A row does not sum to its total"),
    ("applications.results_total", "error", "办理结果各项之和不等于(七)总计", "The result rows do not sum to (七)总计"),
    (
        "review_litigation.totals",
        "error",
        "行政复议、行政诉讼的总计不等于四项结果之和",
        "A review/litigation total is off",
    ),
    ("narrative.table_mismatch", "error", "正文所述数字与表格不符", "Text contradicts the table"),
    ("history.carry_over", "error", "上年结转数与上一年度报告的结转下年数不一致", "Carry-over chain broken"),
    ("document.duplicate", "info", "文件与本次输入中的另一份文件完全相同", "An exact copy"),
    ("document.not_a_report", "info", "文件不是年度报告", "Not an annual report"),
    ("document.conflicting_versions", "error", "同一机关同一年度有内容不同的两份报告", "Conflicting versions"),
    ("structure.incomplete_table", "warning", "表格不完整", "A table is incomplete"),
    ("structure.missing_table", "warning", "有章节标题但没有表格", "A section heading without its table"),
    ("extraction.unreadable_input", "error", "输入文件无法读取", "An input could not be read"),
]


@dataclass
class _Text:
    """One input file being written line by line."""

    path: str
    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> int:
        self.lines.append(text)
        return len(self.lines)

    def source(self) -> Source:
        data = "\n".join(self.lines)
        n = len(self.lines)
        return Source(
            self.path,
            list(self.lines),
            list(range(1, n + 1)),
            list(self.lines),
            "utf-8",
            "text/plain",
            len(data.encode()),
        )


@dataclass
class Built:
    """Everything a test needs to know about the synthetic run besides the RunResult itself."""

    result: RunResult
    docs: dict[str, str] = field(default_factory=dict)  # short name → document id
    lines: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (doc name, table, row) → line
    stored: dict[str, str] = field(default_factory=dict)  # short name → id of a report in the history store


class _Run:
    def __init__(self) -> None:
        self.texts: list[_Text] = []
        self.sources: dict[str, Source] = {}
        self.documents: list[tuple[_Text, int, int, int, dict[str, Any]]] = []
        self.doc_rows: list[dict[str, Any]] = []
        self.cells: list[tuple[Any, ...]] = []
        self.findings: list[dict[str, Any]] = []
        self.undecided: list[dict[str, Any]] = []
        self.history_docs: list[dict[str, Any]] = []
        self.history_cells: list[tuple[Any, ...]] = []
        self.built = Built(result=None)  # type: ignore[arg-type]

    def text(self, path: str) -> _Text:
        t = _Text(path)
        self.texts.append(t)
        return t

    def document(self, name: str, t: _Text, ordinal: int, body: list[str], **meta: Any) -> str:
        import os

        start = len(t.lines)
        for line in body:
            t.add(line)
        doc_id = f"{os.path.basename(t.path)}#{ordinal}"
        self.built.docs[name] = doc_id
        self.documents.append((t, ordinal, start, len(t.lines), meta))
        row: dict[str, Any] = {c: None for c in DOCUMENT_COLUMNS}
        row.update(
            id=doc_id, source=t.path, ordinal=ordinal, line_start=start + 1, line_end=len(t.lines), kind="annual_report"
        )
        row.update(
            format="unknown",
            content_hash=short_hash(name, *body, length=16),
            headings=[],
            title=body[0] if body else None,
        )
        row.update(meta)
        row["agency_key"] = meta.get("agency")
        self.doc_rows.append(row)
        return doc_id

    def stored(
        self, name: str, path: str, ordinal: int, body: list[str], apps: dict[str, list[Any]], **meta: Any
    ) -> str:
        """A report of an earlier run, kept in the history store (not an input of this run)."""
        import os

        t = _Text(path)
        for line in body:
            t.add(line)
        content_hash = short_hash(name, *body, length=16)
        doc_id = f"{os.path.basename(path)}#{ordinal}"
        if doc_id in self.built.docs.values():  # as HistoryStore.load names a stored report
            doc_id += f"@{content_hash[:8]}"
        self.built.docs[name] = doc_id  # for table_lines, then moved to built.stored
        run_cells, self.cells = self.cells, []
        self.table_lines(name, t, apps, A20_2021_VALUES)
        self.history_cells += self.cells
        self.cells = run_cells
        self.built.stored[name] = self.built.docs.pop(name)
        row: dict[str, Any] = {c: None for c in DOCUMENT_COLUMNS}
        row.update(id=doc_id, source=path, ordinal=ordinal, line_start=1, line_end=len(t.lines), kind="annual_report")
        row.update(content_hash=content_hash, headings=[], title=body[0], **meta)
        row.update(agency_key=meta.get("agency"), lines=[(n, text, text) for n, text in enumerate(t.lines, start=1)])
        self.history_docs.append(row)
        return doc_id

    def table_lines(self, name: str, t: _Text, apps: dict[str, list[Any]], a20: dict[tuple[str, str], Any]) -> None:
        """Print the three tables into `t` and record their cells for document `name`."""
        doc = self.built.docs[name]
        t.add("二、主动公开政府信息情况")
        for (item, fld), value in a20.items():
            self.cell(doc, "article20", item, fld, value, t.add(f"{item} {fld} | {value}"), name)
        t.add("三、收到和处理政府信息公开申请情况")
        for row, values in apps.items():
            line = t.add(f"{row} | " + " | ".join("" if v is None else str(v) for v in values))
            for column, value in zip(APP_COLUMNS, values, strict=True):
                self.cell(doc, "applications", row, column, value, line, name)
        t.add("四、政府信息公开行政复议、行政诉讼情况")
        for group, values in RL.items():
            line = t.add(f"{group} | " + " | ".join(str(v) for v in values))
            for outcome, value in zip(RL_OUTCOMES, values, strict=True):
                self.cell(doc, "review_litigation", group, outcome, value, line, name)

    def cell(self, doc: str, table: str, row: str, column: str, value: Any, line: int, name: str) -> None:
        self.built.lines[(name, table, row)] = line
        if value is MISSING:
            return
        if value is None:
            self.cells.append((doc, table, row, column, float("nan"), "", True, False, line))
        elif isinstance(value, str):
            placeholder = value in ("/", "-", "—")
            self.cells.append(
                (
                    doc,
                    table,
                    row,
                    column,
                    2759510000.0 if not placeholder else float("nan"),
                    value,
                    False,
                    placeholder,
                    line,
                )
            )
        else:
            self.cells.append((doc, table, row, column, float(value), str(value), False, False, line))

    def finding(
        self, rule: str, severity: str, name: str | None, message: str, evidence: list[tuple[str, int]], **loc: Any
    ) -> None:
        doc = self.built.docs.get(name or "")
        meta = next((r for r in self.doc_rows if r["id"] == doc), {})
        texts = {t.path: t for t in self.texts}
        ev = [
            {"source": s, "line": n, "text": texts[s].lines[n - 1] if s in texts and n >= 1 else ""}
            for s, n in evidence
        ]
        row: dict[str, Any] = {c: None for c in FINDING_COLUMNS}
        row.update(
            id=short_hash(rule, doc, loc, message),
            rule=rule,
            severity=severity,
            document=doc,
            message=message,
            evidence=ev,
        )
        row.update(agency=meta.get("agency"), year=meta.get("year"), **loc)
        self.findings.append(row)

    def result(self) -> Built:
        for t in self.texts:
            self.sources[t.path] = t.source()
        self.sources["in/broken.pdf"] = Source(
            "in/broken.pdf", size=4096, media_type="application/pdf", error="PDF 无法解析：文件已损坏（xref 表缺失）"
        )
        docs = []
        for i, (t, ordinal, start, _, meta) in enumerate(self.documents):  # a document runs to the next one
            end = next((s for t2, _, s, _, _ in self.documents[i + 1 :] if t2 is t), len(t.lines))
            self.doc_rows[i]["line_end"] = end
            docs.append(Document(self.sources[t.path], ordinal, start, end, kind=meta.get("kind", "annual_report")))
        frames = Frames(
            documents=pd.DataFrame(self.doc_rows, columns=list(DOCUMENT_COLUMNS)),
            cells=pd.DataFrame(self.cells, columns=list(CELL_COLUMNS)).astype(
                {"value": "float64", "blank": "bool", "placeholder": "bool"}
            ),
            claims=empty_frame(CLAIM_COLUMNS),
            issues=empty_frame(ISSUE_COLUMNS),
        )
        rules = [
            {"id": i, "severity": s, "title": {"zh": zh, "en": en}, "rationale": f"Rationale of {i}."}
            for i, s, zh, en in RULES
        ]
        history = Frames(
            documents=pd.DataFrame(self.history_docs, columns=[*DOCUMENT_COLUMNS, "lines"]),
            cells=pd.DataFrame(self.history_cells, columns=list(CELL_COLUMNS)).astype(
                {"value": "float64", "blank": "bool", "placeholder": "bool"}
            ),
            claims=empty_frame(CLAIM_COLUMNS),
            issues=empty_frame(ISSUE_COLUMNS),
        )
        self.built.result = RunResult(
            sources=list(self.sources.values()),
            documents=docs,
            frames=frames,
            findings=pd.DataFrame(self.findings, columns=list(FINDING_COLUMNS)).astype(object),
            not_assessable=pd.DataFrame(self.undecided, columns=list(NOT_ASSESSABLE_COLUMNS)).astype(object),
            rules=rules,
            history=history,
        )
        return self.built


def build_run() -> Built:
    run = _Run()
    lixia, luan, unknown = run.text("in/lixia.txt"), run.text("in/luan.txt"), run.text("in/unknown.txt")
    base = {"agency": LIXIA, "format": "2021", "shape_applications": "2021", "shape_article20": "2021"}

    run.document(
        "guide",
        lixia,
        1,
        ["济南市历下区人民政府信息公开指南", "一、主动公开", "二、依申请公开"],
        kind="guide",
        agency=LIXIA,
    )
    run.document("y2022", lixia, 2, [f"{LIXIA}2022年政府信息公开工作年度报告", "一、总体情况"], year=2022, **base)
    run.table_lines("y2022", lixia, APPS_2022, A20_2021_VALUES)
    body = [f"{LIXIA}2021年政府信息公开工作年度报告{HOSTILE_IMG}", "一、总体情况", HOSTILE_SCRIPT, LONG_LINE]
    run.document(
        "y2021",
        lixia,
        3,
        body,
        year=2021,
        period_start="2021-01-01",
        period_end="2021-12-31",
        published="2022-01-20",
        **base,
    )
    run.table_lines("y2021", lixia, APPS_2021, A20_2021_VALUES)
    run.document(
        "copy2021",
        lixia,
        4,
        [f"{LIXIA}2021年政府信息公开工作年度报告", "一、总体情况"],
        year=2021,
        duplicate_of=run.built.docs["y2021"],
        **base,
    )

    b19 = {"agency": LUAN, "year": 2020, "format": "2019", "shape_applications": "2019", "shape_article20": "2019"}
    title = f"{LUAN}2020年政府信息公开工作年度报告"
    run.document("luan_a", luan, 1, [title, "一、总体情况", "本年共收到申请7件，予以公开7件。"], **b19)
    run.table_lines("luan_a", luan, APPS_2020, A20_2019_VALUES)
    body_b = [title + "（修订）", "一、总体情况", "本年共收到申请8件，予以公开7件。", HOSTILE_DIFF]
    run.document("luan_b", luan, 2, body_b, **b19)
    run.table_lines("luan_b", luan, APPS_2020_B, A20_2019_VALUES)
    run.document(
        "unknown",
        unknown,
        1,
        ["2021年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况"],
        year=2021,
        format="2021",
    )

    old_2022 = {**base, "year": 2022}
    apps_old = APPS_2022 | {"new_received": [29, 1, 0, 0, 0, 0, 30]}
    old_body = [f"{LIXIA}2022年政府信息公开工作年度报告", "一、总体情况", "本年共收到申请30件。"]
    run.stored("stored_2022", "old/lixia.txt", 2, old_body, apps_old, **old_2022)
    page_body = [f"{LIXIA}2022年政府信息公开工作年度报告（网页版）", "一、总体情况"]
    run.stored("rendering_2022", "old/lixia.html", 1, page_body, APPS_2022, **old_2022)

    L, lines = "in/lixia.txt", run.built.lines
    bal = [
        lines[("y2021", "applications", r)]
        for r in ("new_received", "carried_over", "results_total", "carried_forward")
    ]
    run.finding(
        "applications.column_balance", "error", "y2021", "自然人列：新收 20 + 上年结转 2 = 22，但办理结果总计 16 + 结转下年 4 = 20",
        [(L, n) for n in bal], table="applications", column="natural_person", expected=22, actual=20,
    )  # fmt: skip
    run.finding(
        "applications.row_total", "error", "y2021", "「(一)予以公开」行：自然人 10 + 商业企业 2 + 其他 1 = 13，但总计为 15",
        [(L, lines[("y2021", "applications", "granted")])], table="applications", row="granted", column="total", expected=13, actual=15,
    )  # fmt: skip
    run.finding(
        "review_litigation.totals", "error", "y2021", "行政复议：结果维持 1 + 结果纠正 0 + 其他结果 0 + 尚未审结 1 = 2，但总计为 3",
        [(L, lines[("y2021", "review_litigation", "review")])], table="review_litigation", row="review", column="total", expected=2, actual=3,
    )  # fmt: skip
    run.finding(
        "history.carry_over", "error", "y2022", "上年结转 5 与 2021 年度报告结转下年度 4 不一致",
        [(L, lines[("y2022", "applications", "carried_over")]), (L, lines[("y2021", "applications", "carried_forward")])],
        table="applications", row="carried_over", column="total", expected=4, actual=5,
    )  # fmt: skip
    hostile = [lixia.lines.index(HOSTILE_SCRIPT) + 1, lixia.lines.index(LONG_LINE) + 1, lixia.lines.index(body[0]) + 1]
    run.finding(
        "narrative.table_mismatch", "error", "y2021", "正文称收到申请 25 件，表格为 24 件", [(L, n) for n in hostile]
    )
    run.finding("document.duplicate", "info", "copy2021", "与 lixia.txt#3 内容完全相同", [(L, len(lixia.lines) - 1)])
    run.finding("document.not_a_report", "info", "guide", "这是政府信息公开指南，不是年度报告", [(L, 1)])
    run.finding(
        "document.conflicting_versions",
        "error",
        "luan_b",
        "与 luan.txt#1 同为 2020 年度报告，但文字不同",
        [("in/luan.txt", 1)],
    )
    run.finding(
        "structure.incomplete_table",
        "warning",
        "luan_a",
        "申请情况表不完整：行缺失",
        [("in/luan.txt", 2)],
        table="applications",
    )
    run.finding(
        "structure.missing_table",
        "warning",
        "unknown",
        "「三、收到和处理政府信息公开申请情况」之下没有表格",
        [("in/unknown.txt", 2)],
        table="applications",
    )
    run.finding("extraction.unreadable_input", "error", None, "输入文件无法读取：PDF 无法解析", [("in/broken.pdf", 0)])
    run.undecided.append(
        {"rule": "applications.results_total", "document": run.built.docs["y2021"], "table": "applications", "row": "denied.state_secret",
         "column": "commercial", "reason": "「商业企业」列：「(三)1.属于国家秘密」为空白", "line": lines[("y2021", "applications", "denied.state_secret")]}
    )  # fmt: skip
    return run.result()
