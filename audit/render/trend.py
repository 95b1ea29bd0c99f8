"""The small inline SVG trend beside each key figure of an agency's years-side-by-side view.

A trend is built here as data — the value of each year, its position in the SVG, the polylines
joining consecutive years — so the template only draws it and the JSON twin holds the same points.
A year without a number is a gap, never 0 (principle 2): a blank, a placeholder or text as printed,
a cell not extracted, a table the report does not have, or several versions of the year's report
that print different values (the value is used only when every version agrees). A line joins two
points only when their years follow each other: nothing is drawn across a gap or a year without a
report.
"""

from __future__ import annotations

from typing import TypedDict

from audit.render.grids import CellView

WIDTH, HEIGHT, PAD = 120, 30, 4  # SVG size in px; points stay PAD px inside the edges
GAP_ZH = {
    "blank": "空白",
    "placeholder": "占位符",
    "text": "非数字",
    "missing": "未抽取到",
    "absent": "无此项",
    "conflict": "版本不一致",
}


UNREAD = frozenset({"missing", "absent"})


class TrendPoint(TypedDict):
    year: int
    value: int | float | None  # None: a gap (no number that year)
    text: str  # the year's value in words: "341", "空白", "版本不一致（341 / 339）"
    gap: str | None  # why there is no value: blank | placeholder | text | missing | absent | conflict
    x: float
    y: float | None  # None for a gap: the template draws a dashed mark instead of a point


class Trend(TypedDict):
    width: int
    height: int
    label: str  # the whole trend in Chinese (the SVG's <title> and aria-label)
    points: list[TrendPoint]  # one per year with a report, oldest first
    lines: list[str]  # SVG polyline `points`, one per run of consecutive years with a value
    low: int | float | None  # the value range the y axis spans (None when no year has a value)
    high: int | float | None


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _cell_words(cell: CellView) -> str:
    if cell["state"] == "number":
        return cell["text"]
    if cell["state"] in ("placeholder", "text"):
        return f"{GAP_ZH[cell['state']]}「{cell['raw'] or cell['text']}」"
    return GAP_ZH.get(cell["state"], cell["state"])


def year_value(cells: list[CellView]) -> tuple[int | float | None, str, str | None]:
    """(value, words, gap) of one year from the cells of its versions (usually one). A version whose
    cell was not read (no such table, not extracted) says nothing: it neither gives nor contradicts."""
    read = [c for c in cells if c["state"] not in UNREAD]
    cells = read or cells
    words = list(dict.fromkeys(_cell_words(c) for c in cells))
    if len(words) > 1:
        return None, f"{GAP_ZH['conflict']}（{' / '.join(words)}）", "conflict"
    cell = cells[0]
    if cell["state"] == "number":
        return _number(cell["text"]), words[0], None
    return None, words[0], cell["state"]


def build_trend(label: str, years: list[tuple[int, list[CellView]]]) -> Trend:
    """The trend of one key figure: `years` holds, oldest first, each year's cells (one per version)."""
    values = [(year, *year_value(cells)) for year, cells in years]
    present = [v for _, v, _, _ in values if v is not None]
    low = min([0, *present]) if present else None  # counts start at 0: a change of 2 in 341 stays small
    high = max(present) if present else None
    first, last = (values[0][0], values[-1][0]) if values else (0, 0)
    span_x, span_y = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x_of(year: int) -> float:
        return round(PAD + (span_x * (year - first) / (last - first) if last > first else span_x / 2), 1)

    def y_of(value: int | float) -> float:
        if low is None or high is None or high == low:
            return HEIGHT / 2
        return round(PAD + span_y * (high - value) / (high - low), 1)

    points: list[TrendPoint] = [
        {"year": y, "value": v, "text": t, "gap": g, "x": x_of(y), "y": None if v is None else y_of(v)}
        for y, v, t, g in values
    ]
    lines: list[list[TrendPoint]] = []
    for p in points:
        if p["y"] is None:
            continue
        if lines and lines[-1][-1]["year"] == p["year"] - 1:
            lines[-1].append(p)
        else:
            lines.append([p])
    words = "；".join(f"{p['year']}年度 {p['text']}" for p in points)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "label": f"{label}：{words}" if points else f"{label}：无年度数据",
        "points": points,
        "lines": [" ".join(f"{p['x']},{p['y']}" for p in run) for run in lines if len(run) > 1],
        "low": low,
        "high": high,
    }
