"""The agency page's comparisons: a trend per key figure (inline SVG, gaps never 0) and the
side-by-side diff of conflicting versions (text hunks and differing cells), in the context, the
HTML and the JSON twin; bounded for huge inputs; checked on the real 历下区 2021 versions."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from render_fixtures import HOSTILE_DIFF, LIXIA, LUAN, Built, build_run

from audit.render import versions
from audit.render.context import AgencyPage, agency_slug
from audit.render.grids import CellView, cell_view
from audit.render.html import write_site
from audit.render.site import build_site
from audit.render.trend import HEIGHT, PAD, build_trend
from audit.render.versions import cells_diff, content_lines, inline_parts, text_diff

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "corpus" / "seeds" / "002_6460700eaa6e9ee9.txt"


@pytest.fixture(scope="module")
def built() -> Built:
    return build_run()


@pytest.fixture(scope="module")
def pages(built: Built) -> dict[str, AgencyPage]:
    return {a["agency"]["name"]: a for a in build_site(built.result)["agencies"]}


@pytest.fixture(scope="module")
def out(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_site(built.result, out)
    return out


def number(value: float | None, state: str = "number") -> CellView:
    cell = {"value": value, "raw": "" if value is None else str(value), "blank": state == "blank"}
    return cell_view(("applications", "new_received", "total"), cell | {"placeholder": False, "line": 1}, [], [])


def row(page: AgencyPage, label: str) -> Any:
    return next(r for r in page["years_view"]["rows"] if r["label"] == label)


def group(page: AgencyPage, year: int) -> Any:
    return next(g for g in page["reports"] if g["year"] == year)


def lines(*texts: str) -> list[tuple[int | None, str]]:
    return list(enumerate(texts, start=1))


# -- trend ------------------------------------------------------------------------------------------


def test_trend_gaps_are_never_zero_and_lines_join_only_consecutive_years() -> None:
    blank = number(None, "blank")
    assert blank["state"] == "blank"
    trend = build_trend(
        "本年新收申请",
        [
            (2017, [number(0)]),
            (2018, [number(5)]),
            (2019, [blank]),
            (2020, [number(7)]),
            (2021, [number(8)]),
            (2022, [number(9), number(10)]),  # two versions that disagree
            (2023, [number(4), number(4)]),  # two versions that agree
        ],
    )
    points = trend["points"]
    assert [p["value"] for p in points] == [0, 5, None, 7, 8, None, 4]
    assert [p["gap"] for p in points] == [None, None, "blank", None, None, "conflict", None]
    assert [p["y"] is None for p in points] == [False, False, True, False, False, True, False]
    assert points[0]["y"] == HEIGHT - PAD  # 0 is drawn at the bottom, a blank is not drawn at all
    assert all(PAD <= p["y"] <= HEIGHT - PAD for p in points if p["y"] is not None)
    assert [p["x"] for p in points] == sorted(p["x"] for p in points)
    # 2017–2018 and 2020–2021 are joined; nothing is drawn across 2019 or 2022
    assert len(trend["lines"]) == 2
    assert trend["lines"][1] == f"{points[3]['x']},{points[3]['y']} {points[4]['x']},{points[4]['y']}"
    assert trend["label"] == (
        "本年新收申请：2017年度 0；2018年度 5；2019年度 空白；2020年度 7；2021年度 8；"
        "2022年度 版本不一致（9 / 10）；2023年度 4"
    )
    assert (trend["low"], trend["high"]) == (0, 8)


def test_trend_of_a_single_year_or_no_number() -> None:
    one = build_trend("予以公开", [(2021, [number(3)])])
    assert len(one["points"]) == 1 and one["lines"] == [] and one["points"][0]["x"] == one["width"] / 2
    none = build_trend("予以公开", [(2021, [number(None, "blank")])])
    assert none["low"] is None and none["points"][0]["y"] is None
    assert build_trend("予以公开", [])["label"] == "予以公开：无年度数据"


def test_years_view_trends_from_the_fixture(pages: dict[str, AgencyPage]) -> None:
    lixia, luan = pages[LIXIA], pages[LUAN]
    granted = row(lixia, "予以公开")["trend"]
    assert [(p["year"], p["value"], p["gap"]) for p in granted["points"]] == [(2021, 15, None), (2022, None, "blank")]
    new = row(luan, "本年新收申请")["trend"]["points"]
    assert [(p["year"], p["value"], p["text"]) for p in new] == [(2020, None, "版本不一致（7 / 8）")]
    assert row(luan, "上年结转申请")["trend"]["points"][0]["value"] == 0  # both versions print 0
    # a 2021-format figure in a 2019-format report is absent (—), not missing (?)
    in_force = row(luan, "规范性文件现行有效件数")
    assert [c["state"] for c in in_force["cells"]] == ["absent", "absent"]


def test_sparkline_in_the_html(out: Path) -> None:
    tree = lxml_html.fromstring((out / f"{agency_slug(LIXIA)}.html").read_text(encoding="utf-8"))
    svgs = {
        tr.xpath("./th")[0].text_content(): tr.xpath("./td[@class='trend']/svg")[0]
        for tr in tree.xpath("//section[contains(@class, 'years')]//tbody/tr")
    }
    granted = svgs["予以公开"]
    assert granted.get("role") == "img" and granted.findtext("title") == "予以公开：2021年度 15；2022年度 空白"
    assert granted.get("aria-label") == granted.findtext("title")
    assert [c.get("data-year") for c in granted.xpath("./circle")] == ["2021"]
    assert [g.get("data-year") for g in granted.xpath("./line[contains(@class, 'gap')]")] == ["2022"]
    new = svgs["本年新收申请"]
    assert len(new.xpath("./polyline")) == 1 and len(new.xpath("./circle")) == 2


# -- text diff --------------------------------------------------------------------------------------


def test_text_diff_hunks_context_and_line_numbers() -> None:
    a = [(n, f"第{n}行") for n in range(1, 41)]
    b = [(n + 100, t) for n, t in a]
    b[9] = (110, "第10行（改）")
    del b[30]  # 第31行 only in A
    diff = text_diff(a, b)
    assert diff["changes"] == 2 and diff["hidden"] == 0 and diff["note"] is None
    first, second = diff["hunks"]
    assert first["skipped"] == 6 and second["skipped"] == 31 - 1 - 10 - 6  # identical lines collapsed
    assert [r["op"] for r in first["rows"]] == ["equal"] * 3 + ["change"] + ["equal"] * 3
    edited = first["rows"][3]
    assert (edited["a"]["line"], edited["b"]["line"]) == (10, 110)
    assert edited["b"]["parts"] == [("第10行", False), ("（改）", True)]
    assert [(r["op"], r["a"] and r["a"]["line"], r["b"] and r["b"]["line"]) for r in second["rows"][2:5]] == [
        ("equal", 30, 130),
        ("delete", 31, None),
        ("equal", 32, 132),
    ]
    assert diff["skipped_after"] == 40 - 34


def test_text_diff_pairs_the_similar_line_and_marks_whole_numbers() -> None:
    a = lines("|", "2021年共收到申请341件，其中予以公开187件，占比58%。", "二、其他")
    b = lines("2021年共收到申请339件，其中予以公开195件，占比58%。", "二、其他")
    (hunk,) = text_diff(a, b)["hunks"]
    assert [r["op"] for r in hunk["rows"]] == ["delete", "change", "equal"]
    edited = hunk["rows"][1]
    assert [t for t, changed in edited["a"]["parts"] if changed] == ["341", "187"]
    assert [t for t, changed in edited["b"]["parts"] if changed] == ["339", "195"]


def test_inline_parts_compare_table_rows_cell_by_cell_and_shorten_long_runs() -> None:
    parts = inline_parts("四、结转 | 12 | 0 | 0 | 12 |", "四、结转 | 8 | 2 | 0 | 10 |")
    assert parts is not None
    assert [t for t, c in parts[0] if c] == ["12", "0", "12"] and [t for t, c in parts[1] if c] == ["8", "2", "10"]
    long_a, long_b = "甲" * 500 + "187" + "乙" * 500, "甲" * 500 + "195" + "乙" * 500
    parts = inline_parts(long_a, long_b)
    assert parts is not None
    assert parts[1] == [
        ("…" + "甲" * versions.PART_CONTEXT, False),
        ("195", True),
        ("乙" * versions.PART_CONTEXT + "…", False),
    ]
    assert inline_parts("x" * (versions.TOKEN_LIMIT + 1), "y") is None


def test_identical_and_empty_texts() -> None:
    same = text_diff(lines("a", "b"), lines("a", "b"))
    assert same["changes"] == 0 and same["hunks"] == [] and same["skipped_after"] == 2
    assert content_lines([(1, "  a "), (2, "   "), (3, "")]) == [(1, "a")]
    nothing = text_diff([], lines("a"))  # a stored version without its text: not "every line inserted"
    assert nothing["hunks"] == [] and nothing["lines"] == [0, 1] and "没有可比较的文字" in (nothing["note"] or "")


def test_text_diff_caps_hunks_and_says_how_many_are_hidden() -> None:
    a = [(n, f"第{n}行") for n in range(1, 2001)]
    b = [(n, t + ("改" if n % 10 == 0 else "")) for n, t in a]
    diff = text_diff(a, b)
    assert diff["changes"] == 200
    assert len(diff["hunks"]) == versions.MAX_HUNKS
    shown = sum(r["op"] != "equal" for h in diff["hunks"] for r in h["rows"])
    assert diff["hidden"] == 200 - shown > 0
    assert diff["note"] == f"另有 {diff['hidden']} 处差异未显示（共 200 处）。"
    assert sum(len(h["rows"]) for h in diff["hunks"]) <= versions.MAX_ROWS


def test_a_huge_pair_stays_bounded() -> None:
    a = [(n, f"甲{n}" * 40) for n in range(60_000)]  # ~30 MB of text per side
    b = [(n, f"乙{n}" * 40) for n in range(60_000)]
    start = time.perf_counter()
    diff = text_diff(a, b)
    assert time.perf_counter() - start < 5
    assert diff["note"] == "差异过长，只显示了前 200 行。两份文字过长，只比较了开头相同部分之后的 2000 行。"
    assert sum(len(h["rows"]) for h in diff["hunks"]) <= versions.MAX_ROWS
    assert all(
        len(s["text"]) <= versions.LINE_CHARS for h in diff["hunks"] for r in h["rows"] for s in (r["a"], r["b"]) if s
    )
    one_line = text_diff([(1, "甲" * 5_000_000)], [(1, "乙" * 5_000_000)])
    assert len(json.dumps(one_line, ensure_ascii=False)) < 5_000
    assert len(json.dumps(diff, ensure_ascii=False)) < 500_000


# -- cell diff --------------------------------------------------------------------------------------


def cell(value: Any, *, blank: bool = False, placeholder: bool = False, line: int = 1) -> dict[str, Any]:
    raw = "" if blank else str(value)
    return {
        "value": None if blank or placeholder else value,
        "raw": raw,
        "blank": blank,
        "placeholder": placeholder,
        "line": line,
    }


def test_cells_diff_in_print_order_with_blank_kept_blank() -> None:
    a = {
        ("applications", "carried_forward", "total"): cell(12),
        ("applications", "new_received", "total"): cell(341),
        ("applications", "granted", "commercial"): cell(0),
        ("applications", "granted", "total"): cell(187),
        ("article20", "fees", "amount_10k_yuan"): cell("/", placeholder=True),
    }
    b = {
        ("applications", "carried_forward", "total"): cell(10),
        ("applications", "new_received", "total"): cell(339),
        ("applications", "granted", "commercial"): cell(None, blank=True),
        ("applications", "granted", "total"): cell(187),
        ("article20", "fees", "amount_10k_yuan"): cell(8092),
        ("review_litigation", "review", "total"): cell(3),
    }
    diff = cells_diff(a, b)
    got = [(r["table"], r["row"], r["column"], r["a"]["text"], r["b"]["text"]) for r in diff["rows"]]
    assert got == [
        ("article20", "fees", "amount_10k_yuan", "/", "8092"),
        ("applications", "new_received", "total", "341", "339"),
        ("applications", "granted", "commercial", "0", ""),
        ("applications", "carried_forward", "total", "12", "10"),
        ("review_litigation", "review", "total", "—", "3"),  # A has no such table
    ]
    blank = diff["rows"][2]
    assert (blank["a"]["state"], blank["b"]["state"]) == ("number", "blank")
    assert (blank["row_label"], blank["column_label"]) == ("(一)予以公开", "商业企业")
    assert diff["rows"][0]["table_label"] == "主动公开政府信息情况表(第二十条)"
    assert diff["count"] == 5 and diff["hidden"] == 0 and diff["note"] is None


def test_cells_diff_is_capped() -> None:
    a = {("applications", f"r{i}", "total"): cell(i) for i in range(versions.MAX_CELLS + 7)}
    b = {k: cell(v["value"] + 1) for k, v in a.items()}
    diff = cells_diff(a, b)
    assert diff["count"] == versions.MAX_CELLS + 7 and len(diff["rows"]) == versions.MAX_CELLS
    assert diff["note"] == f"另有 7 处单元格差异未显示（共 {versions.MAX_CELLS + 7} 处）。"


# -- the page ---------------------------------------------------------------------------------------


def test_conflicting_versions_are_diffed_on_the_page(pages: dict[str, AgencyPage], built: Built) -> None:
    (diff,) = group(pages[LUAN], 2020)["diffs"]
    assert (diff["a"]["id"], diff["b"]["id"]) == (built.docs["luan_a"], built.docs["luan_b"])
    assert (diff["a"]["label"], diff["b"]["label"], diff["b"]["stored"]) == ("版本一", "版本二", False)
    cells = {(r["row"], r["column"]): (r["a"]["text"], r["b"]["text"]) for r in diff["cells"]["rows"]}
    assert cells == {
        ("new_received", "natural_person"): ("7", "8"),
        ("new_received", "total"): ("7", "8"),
        ("granted", "commercial"): ("0", ""),
    }
    rows = [r for h in diff["text"]["hunks"] for r in h["rows"] if r["op"] != "equal"]
    assert any(r["b"] and r["b"]["text"] == HOSTILE_DIFF and r["op"] == "insert" for r in rows)
    assert any(r["a"] and r["a"]["parts"] and ("7", True) in r["a"]["parts"] for r in rows)
    # no diff where there is one version, nor for copies
    assert all(g["diffs"] == [] for g in pages[LIXIA]["reports"] if g["year"] == 2021)


def test_a_stored_version_with_other_numbers_is_diffed(pages: dict[str, AgencyPage], built: Built) -> None:
    g = group(pages[LIXIA], 2022)
    (diff,) = g["diffs"]  # the stored rendering with the same numbers is not a conflict
    assert diff["b"]["id"] == built.stored["stored_2022"] and diff["b"]["stored"] and diff["b"]["href"] is None
    assert diff["a"]["id"] == built.docs["y2022"]
    assert {(r["row"], r["column"], r["a"]["text"], r["b"]["text"]) for r in diff["cells"]["rows"]} == {
        ("new_received", "natural_person", "30", "29"),
        ("new_received", "total", "31", "30"),
    }
    assert "历史库中另有 1 个此前审核过的版本" in (g["note"] or "")
    assert any(r["b"] and r["b"]["text"] == "本年共收到申请30件。" for h in diff["text"]["hunks"] for r in h["rows"])


def test_diff_html_is_side_by_side_and_inert(out: Path, built: Built) -> None:
    raw = (out / f"{agency_slug(LUAN)}.html").read_text(encoding="utf-8")
    tree = lxml_html.fromstring(raw)
    (section,) = tree.xpath("//section[@id='y2020']//section[contains(@class, 'version-diff')]")
    assert section.get("data-a") == built.docs["luan_a"] and section.get("data-b") == built.docs["luan_b"]
    cell_rows = section.xpath(".//table[contains(@class, 'cell-diff')]/tbody/tr")
    blank = next(tr for tr in cell_rows if tr.get("data-row") == "granted")
    tds = blank.xpath("./td[contains(@class, 'cell')]")
    assert [td.text_content() for td in tds] == ["0", ""] and "blank" in tds[1].get("class")
    (table,) = section.xpath(".//table[@class='diff']")
    assert all(len(tr.xpath("./td")) == 4 for tr in table.xpath("./tbody/tr[not(@class='skip')]"))
    inserted = table.xpath(".//tr[@class='insert']")
    assert [tr.xpath("./td")[3].text_content() for tr in inserted] == [HOSTILE_DIFF]
    assert section.xpath(".//del[.='7']") and section.xpath(".//ins[.='8']")
    assert not tree.xpath("//iframe | //img") and not tree.xpath("//table[@class='diff']//svg")
    assert len(tree.xpath("//script")) == 1 and not section.xpath(".//script")  # the page's own filters only
    assert "&lt;script&gt;document.title=&#39;DIFF&#39;&lt;/script&gt;" in raw
    assert "<svg onload" not in raw and "</table><script>" not in raw


def test_json_twin_holds_trends_and_diffs(out: Path, pages: dict[str, AgencyPage]) -> None:
    twin = json.loads((out / f"{agency_slug(LUAN)}.json").read_text(encoding="utf-8"))
    assert twin == json.loads(json.dumps(pages[LUAN]))
    (diff,) = next(g for g in twin["reports"] if g["year"] == 2020)["diffs"]
    assert diff["cells"]["count"] == 3 and diff["text"]["hunks"]
    trend = next(r for r in twin["years_view"]["rows"] if r["label"] == "本年新收申请")["trend"]
    assert trend["points"][0]["gap"] == "conflict" and trend["points"][0]["value"] is None


# -- the real case: 济南市历下区 2021, two versions in one seed file ----------------------------------


@pytest.fixture(scope="module")
def lixia_seed() -> AgencyPage:
    if not SEED.is_file():
        pytest.skip("needs ../shared/corpus")
    from audit.pipeline import run_audit

    site = build_site(run_audit([str(SEED)], validate_frames=False))
    return next(a for a in site["agencies"] if a["agency"]["name"] == "济南市历下区人民政府")


def test_seed_lixia_2021_versions_are_diffed(lixia_seed: AgencyPage) -> None:
    name = SEED.name
    (diff,) = group(lixia_seed, 2021)["diffs"]
    assert (diff["a"]["id"], diff["b"]["id"]) == (f"{name}#3", f"{name}#4")
    cells = {(r["row"], r["column"]): (r["a"]["text"], r["b"]["text"]) for r in diff["cells"]["rows"]}
    assert cells == {  # truth.yaml: version A 341 / carried_forward 12, version B 339 / 10
        ("new_received", "natural_person"): ("324", "322"),
        ("new_received", "total"): ("341", "339"),
        ("carried_forward", "natural_person"): ("12", "8"),
        ("carried_forward", "commercial"): ("0", "2"),
        ("carried_forward", "total"): ("12", "10"),
    }
    edited = [r for h in diff["text"]["hunks"] for r in h["rows"] if r["op"] == "change" and r["a"]["parts"]]
    narrative = next(r for r in edited if "予以公开" in r["a"]["text"])
    assert [t for t, c in narrative["a"]["parts"] if c] == ["341", "187"]
    assert [t for t, c in narrative["b"]["parts"] if c] == ["339", "195"]
    assert diff["text"]["hidden"] == 0 and diff["cells"]["hidden"] == 0
    new = row(lixia_seed, "本年新收申请")["trend"]
    by_year = {p["year"]: p for p in new["points"]}
    assert by_year[2021]["text"] == "版本不一致（341 / 339）" and by_year[2021]["y"] is None
    assert (by_year[2020]["value"], by_year[2022]["value"]) == (176, 215)
    in_force = {p["year"]: p["value"] for p in row(lixia_seed, "规范性文件现行有效件数")["trend"]["points"]}
    assert (in_force[2021], in_force[2022]) == (11, 10)  # both 2021 versions print 11


def test_seed_lixia_2021_diff_html(lixia_seed: AgencyPage) -> None:
    from audit.render.html import environment, render_page

    tree = lxml_html.fromstring(render_page(environment(), "agency.html.j2", lixia_seed))
    (section,) = tree.xpath("//section[@id='y2021']//section[contains(@class, 'version-diff')]")
    assert section.xpath(".//del[.='187']") and section.xpath(".//ins[.='195']")
    assert section.xpath(".//del[.='341']") and section.xpath(".//ins[.='339']")


def test_seed_version_from_an_earlier_run_is_diffed_from_the_history_store(tmp_path: Path) -> None:
    if not SEED.is_file():
        pytest.skip("needs ../shared/corpus")
    from audit.ingest import read_paths
    from audit.pipeline import run_audit
    from audit.segment import segment

    text = SEED.read_text(encoding="utf-8").split("\n")
    docs = {d.ordinal: d for d in segment(read_paths([str(SEED)]))}
    for folder, ordinal in (("v1", 3), ("v2", 4)):
        first, last = docs[ordinal].line_span
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text("\n".join(text[first - 1 : last]) + "\n", encoding="utf-8")
    db = str(tmp_path / "history.duckdb")
    run_audit([str(tmp_path / "v1")], db=db, validate_frames=False)
    second = run_audit([str(tmp_path / "v2")], db=db, validate_frames=False)
    (page,) = [a for a in build_site(second)["agencies"] if a["agency"]["name"] == "济南市历下区人民政府"]
    (diff,) = group(page, 2021)["diffs"]
    assert diff["a"]["id"] == "report.txt#1" and diff["b"]["stored"] and diff["b"]["source"].endswith("v1/report.txt")
    cells = {(r["row"], r["column"]): (r["a"]["text"], r["b"]["text"]) for r in diff["cells"]["rows"]}
    assert cells[("new_received", "total")] == ("339", "341") and cells[("carried_forward", "total")] == ("10", "12")
    narrative = next(r for h in diff["text"]["hunks"] for r in h["rows"] if r["a"] and "予以公开" in r["a"]["text"])
    assert [t for t, c in narrative["b"]["parts"] if c] == ["341", "187"]
    assert [t for t, c in narrative["a"]["parts"] if c] == ["339", "195"]
    assert "历史库中另有 1 个" in (group(page, 2021)["note"] or "")


def test_an_unread_version_neither_gives_nor_contradicts_a_year() -> None:
    unread = cell_view(("applications", "new_received", "total"), None, [], [])  # not extracted
    assert unread["state"] == "missing"
    trend = build_trend("本年新收申请", [(2019, [number(23), unread]), (2020, [unread, unread])])
    assert [p["value"] for p in trend["points"]] == [23, None]
    assert [p["gap"] for p in trend["points"]] == [None, "missing"]
    # a blank printed in one version against a number in the other still disagrees (blank ≠ 0)
    assert build_trend("予以公开", [(2021, [number(3), number(None, "blank")])])["points"][0]["gap"] == "conflict"


PINGTAN = ROOT.parent / "shared" / "corpus" / "pingtan"


def test_the_same_report_as_page_and_text_archive_is_not_a_conflict() -> None:
    # pingtan-2019.html and .txt: one report (the text archive's table cells run together, so it
    # has no numbers read); the rule does not fire, and the page neither diffs them nor breaks the trend
    if not PINGTAN.is_dir():
        pytest.skip("needs ../shared/corpus")
    from audit.pipeline import run_audit

    paths = [str(PINGTAN / "pingtan-2019.html"), str(PINGTAN / "pingtan-2019.txt")]
    (page,) = build_site(run_audit(paths, validate_frames=False))["agencies"]
    year = group(page, 2019)
    assert year["diffs"] == [] and year["note"] is None
    # the archive is a copy of the page whose tables were never read: no agreement is claimed with
    # them, and it is neither a version nor a column of the years grid (issue 11, item 2)
    page_doc, archive = year["documents"]
    assert not page_doc["is_copy"] and archive["is_copy"] and archive["original_href"]
    assert all("表格数字一致" not in n and "未能读取" in n for n in archive["notes"])
    assert [c["document"] for c in page["years_view"]["columns"]] == ["pingtan-2019.html#1"]
    assert row(page, "本年新收申请")["trend"]["points"][0]["value"] == 23
