"""The three standard tables of a report, printed in each text shape of domain.md §10 (used by shapes.py).

A table is first laid out as rows of cells the way the report prints it (`layout`): captions and
header rows, then data rows — the group label on the first row of its group only, label variants
seen in real reports, signs on changes. A shape then writes those rows as text lines. Every line is
a list of segments `(text, cell)`, where `cell` is the (table, row, column) a value belongs to (None
for labels, separators and padding), so a mutation that cuts the text knows which cells it keeps,
and which one it cut through.

Shapes that cannot show a cell as a cell say so in `Layout.refuse`: a blank cell where a shape has no
delimiters (PDF text, one cell per line without pipes: the blank vanishes), a row printed short,
cells glued to their label (「规章000」), a change written as words (「减4」). No reader may place those.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

Value = int | float | str | None
Key = tuple[str, str, str]  # (table, row, column)
Cells = dict[Key, Value]
Seg = tuple[str, Key | None]
Line = list[Seg]

APP, RL, A20 = "applications", "review_litigation", "article20"
APP_COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
RL_KEYS = [(g, o) for g in ("review", "litigation_direct", "litigation_after_review") for o in ("upheld", "corrected", "other", "pending", "total")]  # fmt: skip


@dataclass(frozen=True)
class Printed:
    """A report's tables as labelled: every cell as printed (None: a blank cell)."""

    applications: dict[str, tuple[Value, ...]]
    review: tuple[Value, ...] | None
    article20: dict[str, dict[str, Value]]

    @property
    def empty(self) -> bool:
        return not (self.applications or self.review or self.article20)

    @property
    def a20_format(self) -> str:
        fields = {f for item in self.article20.values() for f in item}
        return "2019" if fields & {"new_made", "prior_count", "change", "items"} else "2021"

    def cells(self) -> Cells:
        out: Cells = {}
        for item, fields in self.article20.items():
            for name, value in fields.items():
                out[(A20, item, name)] = value
        for row, values in self.applications.items():
            for column, value in zip(APP_COLUMNS, values, strict=True):
                out[(APP, row, column)] = value
        if self.review is not None:
            for (group, outcome), value in zip(RL_KEYS, self.review, strict=True):
                out[(RL, group, outcome)] = value
        return out

    def with_cells(self, cells: Cells) -> Printed:
        """The same tables with the cells given replaced (blanked zeros, …)."""
        apps = {r: tuple(cells.get((APP, r, c), v) for c, v in zip(APP_COLUMNS, vs, strict=True)) for r, vs in self.applications.items()}  # fmt: skip
        review = tuple(cells.get((RL, g, o), v) for (g, o), v in zip(RL_KEYS, self.review, strict=True)) if self.review else None  # fmt: skip
        a20 = {i: {f: cells.get((A20, i, f), v) for f, v in fs.items()} for i, fs in self.article20.items()}
        return Printed(apps, review, a20)


# ---------------------------------------------------------------- layout: the tables as printed rows


@dataclass
class Row:
    kind: str  # "caption" | "header" | "data"
    labels: list[str]  # caption or header cells; for a data row its group label (if printed) and label
    values: list[tuple[str, Key]] = field(default_factory=list)


@dataclass
class Table:
    name: str
    rows: list[Row]


@dataclass
class Layout:
    tables: list[Table]
    refuse: set[Key] = field(default_factory=set)  # cells printed so that no reader may place them


# Row labels, with variants seen in real reports (domain.md §5.2); the group label goes on the first row.
_APP_LABELS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "new_received": (None, ("一、本年新收政府信息公开申请数量",)),
    "carried_over": (None, ("二、上年结转政府信息公开申请数量",)),
    "granted": ("三、本年度办理结果", ("(一)予以公开",)),
    "partially_granted": (
        None,
        ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "(二)部分公开(区分处理的,只计这一情况,不计其他情形)"),
    ),  # fmt: skip
    "denied.state_secret": ("(三)不予公开", ("1.属于国家秘密",)),
    "denied.prohibited_by_law": (None, ("2.其他法律行政法规禁止公开",)),
    "denied.safety_stability": (None, ("3.危及“三安全一稳定”", '3.危及"三安全一稳定"')),
    "denied.third_party": (None, ("4.保护第三方合法权益",)),
    "denied.internal_affairs": (None, ("5.属于三类内部事务信息", "5.属于三类内容事务信息")),
    "denied.process_info": (None, ("6.属于四类过程性信息",)),
    "denied.enforcement_file": (None, ("7.属于行政执法案卷",)),
    "denied.administrative_query": (None, ("8.属于行政查询事项",)),
    "unavailable.not_held": ("(四)无法提供", ("1.本机关不掌握相关政府信息",)),
    "unavailable.needs_creation": (None, ("2.没有现成信息需要另行制作",)),
    "unavailable.unclear": (None, ("3.补正后申请内容仍不明确",)),
    "not_processed.petition": ("(五)不予处理", ("1.信访举报投诉类申请",)),
    "not_processed.duplicate": (None, ("2.重复申请",)),
    "not_processed.publication": (None, ("3.要求提供公开出版物",)),
    "not_processed.excessive": (None, ("4.无正当理由大量反复申请",)),
    "not_processed.confirmation": (
        None,
        ("5.要求行政机关确认或重新出具已获取信息", "5.要求行政机关确认或重新 出具已获取信息"),
    ),  # fmt: skip
    "other": (None, ("(六)其他处理",)),
    "other.no_correction": ("(六)其他处理", ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",)),
    "other.unpaid_fee": (None, ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",)),
    "other.other": (None, ("3.其他",)),
    "results_total": (None, ("(七)总计", "(七)合计")),
    "carried_forward": (None, ("四、结转下年度继续办理",)),
}
APP_ORDER = tuple(_APP_LABELS)
_APP_HEADERS = (
    ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况"],
    ["自然人", "法人或其他组织", "总计"],
    ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
)
_RL_HEADERS = (
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
)
# 第二十条: (caption item, header after 信息内容, [(row key, label)]) per format (domain.md §4).
_A20: dict[str, list[tuple[str, list[str], list[tuple[str, str]]]]] = {
    "2019": [
        (
            "一",
            ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
            [("regulations", "规章"), ("normative_documents", "规范性文件")],
        ),  # fmt: skip
        (
            "五",
            ["上一年项目数量", "本年增/减", "处理决定数量"],
            [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")],
        ),  # fmt: skip
        ("六", ["上一年项目数量", "本年增/减", "处理决定数量"], [("penalty", "行政处罚"), ("coercion", "行政强制")]),
        ("八", ["上一年项目数量", "本年增/减"], [("fees", "行政事业性收费")]),
        ("九", ["采购项目数量", "采购总金额"], [("procurement", "政府集中采购")]),
    ],
    "2021": [
        (
            "一",
            ["本年制发件数", "本年废止件数", "现行有效件数"],
            [("regulations", "规章"), ("normative_documents", "行政规范性文件")],
        ),  # fmt: skip
        ("五", ["本年处理决定数量"], [("licensing", "行政许可")]),
        ("六", ["本年处理决定数量"], [("penalty", "行政处罚"), ("coercion", "行政强制")]),
        ("八", ["本年收费金额(单位:万元)"], [("fees", "行政事业性收费")]),
    ],
}
_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "："})


def value_text(value: Value, key: Key, rng: random.Random) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and "amount" not in key[2]:
        value = int(value)
    text = str(value)
    if key[2] == "change" and isinstance(value, int | float) and value > 0 and rng.random() < 0.5:
        text = "+" + text  # 「+51」 (S2)
    return text


def layout(printed: Printed, rng: random.Random) -> Layout:
    """The tables of `printed` as printed rows, in report order (第二十条, applications, review)."""
    wide = rng.random() < 0.3  # labels with full-width brackets, as pages not yet normalised print them
    label: Callable[[str], str] = (lambda s: s.translate(_FULL_WIDTH)) if wide else (lambda s: s)
    tables = []
    if printed.article20:
        rows: list[Row] = []
        for item, header, items in _A20[printed.a20_format]:
            present = [(k, text) for k, text in items if k in printed.article20]
            if not present:
                continue
            rows.append(Row("caption", [label(f"第二十条第({item})项")]))
            rows.append(Row("header", ["信息内容", *(label(h) for h in header)]))
            for key, text in present:
                fields = printed.article20[key]
                values = [(value_text(v, (A20, key, f), rng), (A20, key, f)) for f, v in fields.items()]
                rows.append(Row("data", [text], values))
        tables.append(Table(A20, rows))
    if printed.applications:
        rows = [Row("header", [label(c) for c in cells]) for cells in _APP_HEADERS]
        keys = [k for k in APP_ORDER if k in printed.applications]
        for key in keys:
            group, variants = _APP_LABELS[key]
            if group == "(六)其他处理" and "other.no_correction" not in printed.applications:
                group = None
            values = [
                (value_text(v, (APP, key, c), rng), (APP, key, c))
                for c, v in zip(APP_COLUMNS, printed.applications[key], strict=True)
            ]
            rows.append(Row("data", [label(x) for x in ([group] if group else []) + [rng.choice(variants)]], values))
        tables.append(Table(APP, rows))
    if printed.review is not None:
        rows = [Row("header", list(cells)) for cells in _RL_HEADERS]
        values = [
            (value_text(v, (RL, g, o), rng), (RL, g, o)) for (g, o), v in zip(RL_KEYS, printed.review, strict=True)
        ]
        rows.append(Row("data", [], values))
        tables.append(Table(RL, rows))
    return Layout(tables)


# ---------------------------------------------------------------- text shapes: rows → lines


def _joined(cells: list[Seg], sep: str, end: str = "", start: str = "") -> Line:
    line: Line = [(start, None)] if start else []
    for i, seg in enumerate(cells):
        if i:
            line.append((sep, None))
        line.append(seg)
    if end:
        line.append((end, None))
    return line


def _segs(row: Row) -> list[Seg]:
    return [(t, None) for t in row.labels] + [(t, k) for t, k in row.values]


def _blanks_vanish(layout_: Layout, row: Row) -> None:
    """A shape without cell delimiters drops a blank cell: the row reads short, so it is refused."""
    if any(not text for text, _ in row.values):
        layout_.refuse.update(k for _, k in row.values)


def pipe(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """§10.1: `label | v1 | … | v7 | ||`, trailing pipes from colspans; a blank cell is `|  |`."""
    out = []
    for row in table.rows:
        if not row.labels and row.values and not row.values[0][0]:
            layout_.refuse.update(k for _, k in row.values)  # ` | 0 |`: the first blank reads as markdown's pipe
        pad = "|" * (rng.randint(1, 8) if row.kind != "data" else 2)
        out.append(_joined([(f"{t} |" if t else " |", k) for t, k in _segs(row)], " ", " " + pad))
    return out


def markdown(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """§10.2: `| 规章 | 0 | 0 | 0 |`."""
    return [_joined(_segs(row), " | ", " |", "| ") for row in table.rows]


def cell_per_line(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """§10.3: one cell per line, each followed by ` |`; a lone `|` is a blank cell, `|||` ends a row."""
    out: list[Line] = []
    for row in table.rows:
        for text, key in _segs(row):
            out.append([(text, key), (" |", None)] if text else [("|", key)])
        out.append([("|" * rng.randint(2, 8), None)])
    return out


def _broken(text: str) -> list[str]:
    """A header cell broken by `<br>` (「本年新」/「制作数量」), as §10.4 prints it."""
    if " " in text:
        return text.split(" ")
    if len(text) >= 6 and not text.startswith("("):
        return [text[:3], text[3:]]
    return [text]


def blank_lines(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """§10.4: one cell per line, blank lines between, no pipes; header cells broken in two; two
    values may share a line (「26 26」); cells may lead with a space."""
    out: list[Line] = []
    lead = " " if rng.random() < 0.3 else ""
    for row in table.rows:
        if row.kind == "data":
            _blanks_vanish(layout_, row)
            for text in row.labels:
                out += [[(lead + text, None)], []]
            values = [(t, k) for t, k in row.values if t]
            i = 0
            while i < len(values):
                if i + 1 < len(values) and rng.random() < 0.15:
                    out += [[(lead + values[i][0], values[i][1]), (" ", None), values[i + 1]], []]
                    i += 2
                else:
                    out += [[(lead + values[i][0], values[i][1])], []]
                    i += 1
        else:
            for text in row.labels:
                for part in _broken(text) if row.kind == "header" else [text]:
                    out += [[(lead + part, None)], []]
    return out


def pipe_own_line(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """§10.19: every cell and every separator on its own line (`规章` / `|` / `0` / `|`), or a label
    line without its ` |`, the separator alone on the next line, then values with theirs (`2 |`)."""
    out: list[Line] = []
    own = rng.random() < 0.5
    for row in table.rows:
        for text, key in [(t, None) for t in row.labels]:
            out += [[(text, key)], [("|", None)]]
        for text, key in row.values:
            if own:
                out += [[(text, key)], [("|", None)]]  # a blank cell: an empty line, then its separator
            else:
                out.append([(text, key), (" |", None)] if text else [("|", key)])
    return out


def _wrapped(label: str) -> list[str]:
    """A long label wrapped the way a PDF cell wraps it (「…只计这一情」/「形,不计其他情形)」)."""
    if len(label) <= 16:
        return [label]
    return [label[:15], label[15:]]


def _pdf(layout_: Layout, table: Table, rng: random.Random, *, split_headers: bool, above: bool) -> list[Line]:
    out: list[Line] = []
    for row in table.rows:
        if rng.random() < 0.04:  # a page ends inside the table: its number between two rows
            out.append([(rng.choice(["- {} -", "— {} —", "第{}页 共9页"]).format(rng.randint(1, 9)), None)])
        if row.kind == "caption":
            out.append([(row.labels[0], None)])
        elif row.kind == "header":
            if split_headers:
                parts = [_broken(c) + [""] for c in row.labels]
                out.append(_joined([(p[0], None) for p in parts], " "))
                if any(p[1] for p in parts):
                    out.append(_joined([(p[1], None) for p in parts if p[1]], " "))
            else:
                out.append(_joined([(c, None) for c in row.labels], " "))
        else:
            _blanks_vanish(layout_, row)
            *groups, last = row.labels or [""]
            for group in groups:  # a merged label down the rows: one character per line (§10.7)
                out += [[(ch, None)] for ch in (group if rng.random() < 0.5 else [group])]
            values = [(t, k) for t, k in row.values if t]
            numbers = _joined(values, " ")
            wrapped = _wrapped(last) if last else []
            if above and len(wrapped) > 1:  # a tall row: its numbers one line above its label (洪泽 2023)
                out.append(numbers)
                out += [[(w, None)] for w in wrapped]
            elif wrapped:
                out += [[(w, None)] for w in wrapped[:-1]]
                out.append([(wrapped[-1], None), (" ", None), *numbers])
            else:
                out.append(numbers)
    return out


def pdf_beside(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """§10.7: PDF text, a row's numbers after its label, space-separated; merged labels one
    character per line; long labels wrapped."""
    return _pdf(layout_, table, rng, split_headers=False, above=False)


def header_split(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """§10.4/10.8: header words split over two lines (`结果 结果 其他 尚未 总` / `维持 纠正 结果 审结 计`)."""
    return _pdf(layout_, table, rng, split_headers=True, above=False)


def pdf_above(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """PDF text where a tall row's numbers print one line above its label (the corpus PDFs)."""
    return _pdf(layout_, table, rng, split_headers=False, above=True)


def _core(label: str) -> str:
    """「(一)予以公开」 → 「予以公开」, 「1.属于国家秘密」 → 「属于国家秘密」 (converters drop the numbering)."""
    for sep in (")", ".", "、"):
        head, found, rest = label.partition(sep)
        if found and len(head) <= 3 and rest:
            return rest
    return label


def converter_md(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """§10.18: OCR/PDF-to-markdown output — each row its own table under a heading that repeats its
    label; generic (数据1…) or garbled headers; rows without a label; short rows; a trailing
    empty cell."""
    out: list[Line] = []
    if table.name == RL:
        words = ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
        header = rng.sample(words, 6) if rng.random() < 0.5 else [f"数据{i}" for i in range(1, 7)]
        out += [_joined([(h, None) for h in header], " | ", " |", "| "), [("|" + "---|" * 6, None)]]
        for row in table.rows:
            if row.kind == "data":
                out.append(_joined(list(row.values), " | ", " |", "| "))
        return out
    header_words: list[str] = []
    for row in table.rows:
        if row.kind == "caption":
            out += [[("### " + row.labels[0], None)], []]
            continue
        if row.kind == "header":
            header_words = row.labels if table.name == A20 else ["类别", *(f"数据{i}" for i in range(1, 7)), "总计"]
            if table.name == A20:
                out += [_joined([(h, None) for h in header_words], " | ", " |", "| ")]
                out.append([("|" + "---|" * len(header_words), None)])
            continue
        label = row.labels[-1]
        values = list(row.values)
        if len(values) > 1 and rng.random() < 0.05:  # a short row: the converter lost cells
            layout_.refuse.update(k for _, k in values)
            values = values[: rng.randint(1, len(values) - 1)]
        end = " | |" if rng.random() < 0.2 else " |"  # a trailing empty cell
        unlabelled = rng.random() < 0.3
        if table.name == APP:
            out.append([("### " + (label if rng.random() < 0.5 else label.replace(")", ") ", 1)), None)])
            header = header_words if rng.random() < 0.6 else rng.sample(header_words, rng.randint(3, len(header_words)))
            out += [_joined([(h, None) for h in header], " | ", " |", "| ")]
            out.append([("|" + "---|" * len(header), None)])
        elif unlabelled:
            out.append([("#### " + label, None)])
        if unlabelled:
            out.append(_joined(values, " | ", end, "| "))
        else:
            out.append(_joined([(_core(label) if table.name == APP else label, None), *values], " | ", end, "| "))
        if table.name == APP:
            out.append([])
    return out


def run_together(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """Archived page text (the 平潭 .txt files): a whole table on one line, its cells run together."""
    line: Line = []
    for row in table.rows:
        for text, key in _segs(row):
            line.append((text, key))
            if rng.random() < 0.08:
                line.append((" ", None))
    layout_.refuse.update(k for row in table.rows for _, k in row.values)
    return [line]


def glued(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """§10.21: pipe rows, some with their cells glued to the label (`规章000`)."""
    data = [row for row in table.rows if row.kind == "data" and row.labels]
    chosen = {id(row) for row in rng.sample(data, min(len(data), rng.randint(1, 2)))} if data else set()
    out = []
    for row in table.rows:
        if id(row) in chosen:
            layout_.refuse.update(k for _, k in row.values)
            segs: list[Seg] = [(t + " | ", None) for t in row.labels[:-1]] + [(row.labels[-1], None)]
            out.append([*segs, *((t, k) for t, k in row.values), (" | ||", None)])
        else:
            out += pipe(layout_, Table(table.name, [row]), rng)
    return out


def words(layout_: Layout, table: Table, rng: random.Random) -> list[Line]:
    """§10.21: pipe rows whose changes are written as words (`6 | 减4 | 2`, `增加3`)."""
    rows = []
    for row in table.rows:
        values = []
        for text, key in row.values:
            number = text.lstrip("+")
            if key[2] == "change" and number.lstrip("-").isdigit() and int(number) != 0:
                n = int(number)
                text = rng.choice(["增", "增加"]) + str(n) if n > 0 else rng.choice(["减", "减少"]) + str(-n)
                layout_.refuse.add(key)
            values.append((text, key))
        rows.append(Row(row.kind, row.labels, values))
    return pipe(layout_, Table(table.name, rows), rng)


TEXT_SHAPES: dict[str, Callable[[Layout, Table, random.Random], list[Line]]] = {
    "pipe": pipe,
    "markdown": markdown,
    "cell_per_line": cell_per_line,
    "blank_lines": blank_lines,
    "pipe_own_line": pipe_own_line,
    "pdf_beside": pdf_beside,
    "header_split": header_split,
    "pdf_above": pdf_above,
    "converter_md": converter_md,
    "run_together": run_together,
    "glued": glued,
    "words": words,
}
# Files written by tests/generator_renderings.py from the pipe rows: real tables (rowspan/colspan).
FILE_SHAPES = ("html", "docx", "pdf", "md")


def print_tables(printed: Printed, shape: str, rng: random.Random) -> tuple[dict[str, list[Line]], set[Key]]:
    """Each table's lines in `shape` (a file shape prints pipe rows, the file writer lays them out),
    and the cells printed so that no reader may place them."""
    laid = layout(printed, rng)
    write = TEXT_SHAPES["pipe" if shape in FILE_SHAPES else shape]
    lines = {table.name: write(laid, table, rng) for table in laid.tables}
    # a file writer reads the pipe rows back cell by cell: what the pipe text could not show, it shows
    return lines, set() if shape in FILE_SHAPES else laid.refuse
