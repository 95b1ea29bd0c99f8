"""Structural tests of the HTML audit, parsed with lxml, on the synthetic run of render_fixtures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from render_fixtures import HOSTILE_IMG, HOSTILE_SCRIPT, LIXIA, LONG_LINE, LUAN, Built, build_run

from audit.render.context import agency_slug, document_anchor
from audit.render.html import DISPLAY_CHARS, environment, write_site
from audit.render.site import build_site


@pytest.fixture(scope="module")
def built() -> Built:
    return build_run()


@pytest.fixture(scope="module")
def out(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_site(built.result, out)
    return out


def page(out: Path, name: str) -> Any:
    return lxml_html.fromstring((out / f"{name}.html").read_text(encoding="utf-8"))


def document_page(built: Built, name: str) -> str:
    doc_id = built.docs[name]
    row = built.result.frames.documents.set_index("id").loc[doc_id]
    return agency_slug(row["agency_key"] if isinstance(row["agency_key"], str) else None)


def article(out: Path, built: Built, name: str) -> Any:
    tree = page(out, document_page(built, name))
    found = tree.xpath(f'//article[@data-document="{built.docs[name]}"]')
    assert len(found) == 1
    return found[0]


def grid_cells(art: Any, table: str, **attrs: str) -> list[Any]:
    test = "".join(f' and @data-{k}="{v}"' for k, v in attrs.items())
    return art.xpath(f'.//table[@data-table="{table}"]//td[@data-row{test}]')


def classes(el: Any) -> set[str]:
    return set((el.get("class") or "").split())


def test_write_site_writes_index_agency_pages_and_twins(built: Built, tmp_path: Path) -> None:
    paths = write_site(built.result, tmp_path)
    names = sorted(p.name for p in paths)
    slugs = [agency_slug(LIXIA), agency_slug(LUAN), "agency-unidentified"]
    assert names == sorted(f"{n}.{ext}" for n in ["index", *slugs] for ext in ("html", "json"))
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert re.fullmatch(r"agency-[0-9a-f]{10}", agency_slug(LIXIA))
    assert agency_slug(LIXIA) == agency_slug(LIXIA) != agency_slug(LUAN)


def test_every_finding_appears_on_its_agency_page(out: Path, built: Built) -> None:
    by_doc = {doc_id: name for name, doc_id in built.docs.items()}
    for f in built.result.findings.to_dict("records"):
        name = document_page(built, by_doc[f["document"]]) if isinstance(f["document"], str) else "index"
        items = page(out, name).xpath(f'//li[@data-finding="{f["id"]}"]')
        assert len(items) == 1, (f["rule"], name)
        text = items[0].text_content()
        assert f["message"] in text and f["rule"] in text
        assert all(f"{Path(e['source']).name}:{e['line']}" in text for e in f["evidence"])


def test_every_input_and_document_appears(out: Path, built: Built) -> None:
    index = page(out, "index")
    sources = {s.path for s in built.result.sources}
    assert set(index.xpath("//tr/@data-source")) >= sources
    assert set(index.xpath("//tr/@data-document")) == set(built.docs.values())
    for name in built.docs:
        assert article(out, built, name) is not None
    unreadable = index.xpath('//tr[@data-source="in/broken.pdf"]')
    assert unreadable and all("xref 表缺失" in tr.text_content() for tr in unreadable)


def test_failing_column_marks_the_rows_involved(out: Path, built: Built) -> None:
    art = article(out, built, "y2021")
    failing = [td for td in grid_cells(art, "applications", column="natural_person") if "fail" in classes(td)]
    assert {td.get("data-row") for td in failing} == {
        "new_received",
        "carried_over",
        "results_total",
        "carried_forward",
    }
    assert all("新收 20 + 上年结转 2 = 22" in td.get("title") and "sev-error" in classes(td) for td in failing)
    assert "fail" not in classes(grid_cells(art, "applications", row="granted", column="natural_person")[0])


def test_cell_findings_mark_exactly_their_cell(out: Path, built: Built) -> None:
    art = article(out, built, "y2021")
    app_fail = {
        (td.get("data-row"), td.get("data-column")) for td in grid_cells(art, "applications") if "fail" in classes(td)
    }
    assert ("granted", "total") in app_fail
    assert not any(col == "total" and row != "granted" for row, col in app_fail)
    rl_fail = [
        (td.get("data-row"), td.get("data-column"))
        for td in grid_cells(art, "review_litigation")
        if "fail" in classes(td)
    ]
    assert rl_fail == [("review", "total")]
    # a finding about another document never marks this one, even with evidence in the same source
    later = article(out, built, "y2022")
    later_fail = [
        (td.get("data-row"), td.get("data-column")) for td in grid_cells(later, "applications") if "fail" in classes(td)
    ]
    assert later_fail == [("carried_over", "total")]


def test_rows_in_print_order_with_chinese_labels(out: Path, built: Built) -> None:
    art = article(out, built, "y2021")
    rows = art.xpath('.//table[@data-table="applications"]/tbody/tr')
    assert rows[0].get("data-row") == "new_received" and rows[-1].get("data-row") == "carried_forward"
    assert "other" not in [r.get("data-row") for r in rows]  # 2021 format: (六) has three sub-rows
    assert rows[0].xpath("./th")[0].text_content() == "一、本年新收政府信息公开申请数量"
    assert all(len(r.xpath("./td")) == 7 for r in rows)
    luan = article(out, built, "luan_a").xpath('.//table[@data-table="applications"]/tbody/tr/@data-row')
    assert "other" in luan and "other.other" not in luan  # 2019 format: one (六) row
    a20 = article(out, built, "luan_a").xpath('.//table[@data-table="article20"]//td[@data-row="procurement"]')
    assert [td.text_content() for td in a20][:2] == ["4", "27.5951亿元"]


def test_blank_placeholder_and_missing_cells(out: Path, built: Built) -> None:
    art = article(out, built, "y2021")
    (blank,) = grid_cells(art, "applications", row="denied.state_secret", column="commercial")
    assert "blank" in classes(blank) and blank.text_content() == "" and "undecided" in classes(blank)
    (placeholder,) = grid_cells(art, "applications", row="other.other", column="research")
    assert "placeholder" in classes(placeholder) and placeholder.text_content() == "/"
    (missing,) = grid_cells(art, "applications", row="unavailable.unclear", column="legal_service")
    assert "missing" in classes(missing) and missing.text_content() == "?"
    (zero,) = grid_cells(art, "applications", row="denied.state_secret", column="natural_person")
    assert "number" in classes(zero) and zero.text_content() == "0"


OWN_SCRIPT = (
    (Path(__file__).parents[1] / "audit/render/templates/filters.js.html.j2").read_text(encoding="utf-8").strip()
)


def test_report_text_is_inert(out: Path, built: Built) -> None:
    for path in out.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        tree = lxml_html.fromstring(text)
        # the one script is the page's own filter script, never anything from a report
        assert [s.text.strip() for s in tree.xpath("//script")] == [OWN_SCRIPT], path.name
        assert not tree.xpath("//img | //iframe | //object | //embed"), path.name
        assert not [a for el in tree.iter() if isinstance(el.tag, str) for a in el.attrib if a.lower().startswith("on")]
    art = article(out, built, "y2021")
    assert HOSTILE_IMG in art.xpath(".//h3")[0].text_content()
    quoted = art.xpath(".//ul[@class='evidence']//q/text()")
    assert HOSTILE_SCRIPT in quoted
    raw = (out / f"{document_page(built, 'y2021')}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;document.title=" in raw and "<script>document" not in raw


def test_no_external_urls(out: Path) -> None:
    for path in out.glob("*.html"):
        tree = lxml_html.fromstring(path.read_text(encoding="utf-8"))
        links = tree.xpath("//@href | //@src | //@action | //@data")
        assert not [u for u in links if re.match(r"\s*(https?:|//|ftp:|data:|javascript:)", u, re.I)], path.name
        assert not tree.xpath("//link[@rel='stylesheet'] | //base")
        css = "".join(tree.xpath("//style/text()"))
        assert "@import" not in css and "url(" not in css


def test_internal_links_resolve(out: Path) -> None:
    ids = {p.name: set(lxml_html.fromstring(p.read_text(encoding="utf-8")).xpath("//@id")) for p in out.glob("*.html")}
    for name in ids:
        for href in lxml_html.fromstring((out / name).read_text(encoding="utf-8")).xpath("//a/@href"):
            target, _, anchor = href.partition("#")
            target = target or name
            assert target in ids, (name, href)
            assert not anchor or anchor in ids[target], (name, href)


def test_json_twin_is_the_context(out: Path, built: Built) -> None:
    site = build_site(built.result)
    contexts = {"index": site["index"], **{a["agency"]["slug"]: a for a in site["agencies"]}}
    for name, context in contexts.items():
        twin = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert twin == json.loads(json.dumps(context, allow_nan=False)), name
    assert {p.stem for p in out.glob("*.json")} == set(contexts)


def test_long_lines_are_clipped_on_screen_but_whole_in_the_twin(out: Path, built: Built) -> None:
    art = article(out, built, "y2021")
    shown = [q for q in art.xpath(".//q/text()") if q.startswith(LONG_LINE[:20])]
    assert shown and len(shown[0]) == DISPLAY_CHARS and shown[0].endswith("…")
    twin = (out / f"{document_page(built, 'y2021')}.json").read_text(encoding="utf-8")
    assert LONG_LINE in twin


def test_copies_and_conflicting_versions_have_notes(out: Path, built: Built) -> None:
    copy = article(out, built, "copy2021")
    assert "copy" in classes(copy) and "完全相同的副本" in copy.text_content()
    assert copy.xpath(
        f'.//a[@href="#{document_anchor(built.docs["y2021"])}" or contains(@href, "{document_anchor(built.docs["y2021"])}")]'
    )
    luan = page(out, agency_slug(LUAN))
    assert "2 个表格数字不一致的版本" in luan.xpath('//section[@id="y2020"]')[0].text_content()
    index = page(out, "index")
    other = {
        tr.get("data-document") for tr in index.xpath("//section[h2[starts-with(., '非年度报告')]]//tr[@data-document]")
    }
    assert other == {built.docs["guide"], built.docs["copy2021"]}


def test_years_side_by_side(out: Path, built: Built) -> None:
    tree = page(out, agency_slug(LIXIA))
    heads = [th.text_content() for th in tree.xpath("//section[contains(@class, 'years')]//thead//th")][1:]
    assert [h[:4] for h in heads] == ["2021", "2022", "趋势"]
    rows = {
        tr.xpath("./th")[0].text_content(): tr.xpath("./td[not(@class='trend')]")
        for tr in tree.xpath("//section[contains(@class, 'years')]//tbody/tr")
    }
    assert [td.text_content() for td in rows["上年结转申请"]] == ["2", "5"]
    assert "fail" in classes(rows["上年结转申请"][1]) and "fail" not in classes(rows["上年结转申请"][0])
    sections = [s.get("id") for s in tree.xpath("//section[contains(@class, 'year-group')]")]
    assert sections == ["y2022", "y2021"]  # newest first


def test_index_matrix_counts_and_links(out: Path, built: Built) -> None:
    index = page(out, "index")
    heads = [th.text_content() for th in index.xpath("//table[@class='matrix']/thead//th")]
    assert heads == ["机关", "2020年度", "2021年度", "2022年度", "其他文件", "合计"]
    rows = {tr.xpath("./th")[0].text_content(): tr for tr in index.xpath("//table[@class='matrix']/tbody/tr")}
    assert set(rows) == {LIXIA, LUAN, "未识别机关"}
    lixia_2021 = rows[LIXIA].xpath("./td")[1]
    assert "4 错误" in lixia_2021.text_content() and "1 提示" in lixia_2021.text_content()
    assert lixia_2021.xpath("./a/@href") == [f"{agency_slug(LIXIA)}.html#y2021"]
    assert "none" in classes(rows[LIXIA].xpath("./td")[0])
    stats = {
        s.xpath("./div[@class='k']")[0].text_content(): s.xpath("./div[@class='v']")[0].text_content()
        for s in index.xpath("//div[contains(concat(' ', @class, ' '), ' stat ')]")
    }
    assert stats["错误"] == "7" and stats["无法判定的检查"] == "1"


def test_counts_are_computed_once(out: Path) -> None:
    """Each matrix row's total is its agency page's count; the rows add up to the run's count
    (the index said 7 提示 where the agency page said 8, and 9 机关 over 8 rows)."""
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    total = {"error": 0, "warning": 0, "info": 0}
    for row in index["matrix"]:
        agency = json.loads((out / f"{row['agency']['slug']}.json").read_text(encoding="utf-8"))
        assert row["counts"] == agency["counts"], row["agency"]["name"]
        assert sum(r["findings"] for r in agency["rule_summary"]) == sum(agency["counts"].values())
        total = {k: total[k] + row["counts"][k] for k in total}
    run_level = {k: sum(1 for f in index["run_findings"] if f["severity"] == k and not f["waived"]) for k in total}
    assert {k: total[k] + run_level[k] for k in total} == index["run"]["findings"]
    assert sum(r["findings"] for r in index["rule_summary"]) == sum(index["run"]["findings"].values())
    named = [r for r in index["matrix"] if r["agency"]["key"] is not None]
    assert len(named) == index["run"]["agencies"]


def test_table_level_findings_are_noted_above_the_table(out: Path, built: Built) -> None:
    block = article(out, built, "luan_a").xpath('.//div[@class="table-block"][.//table[@data-table="applications"]]')[0]
    assert "structure.incomplete_table" in block.text_content()
    unknown = article(out, built, "unknown")
    assert "未抽取到此表" in unknown.text_content()


def test_environment_autoescapes() -> None:
    env = environment()
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_a_report_nothing_could_be_checked_in_is_never_a_clean_tick(tmp_path: Path) -> None:
    """Pre-2019 reports and reports whose tables were lost get a grey 「未能核对」, not ✓ (issue 11, item 6)."""
    from audit.pipeline import run_audit

    samples = Path(__file__).resolve().parents[1] / "audit" / "samples"
    site = build_site(run_audit([str(samples)], validate_frames=False))
    cells = {
        (row["agency"]["name"], c["year"]): c for row in site["index"]["matrix"] for c in row["cells"] if c["documents"]
    }
    assert cells[("济南市历下区人民政府", 2014)]["unchecked"] == 1  # the pre-2019 report
    assert cells[("六安市人民政府办公室", 2020)]["unchecked"] == 0
    write_site(run_audit([str(samples)], validate_frames=False), tmp_path)
    page = lxml_html.fromstring((tmp_path / "index.html").read_text(encoding="utf-8"))
    heads = [th.text_content() for th in page.xpath("//table[@class='matrix']/thead//th")]
    lixia = next(tr for tr in page.iter("tr") if "济南市历下区人民政府" in tr.text_content())
    pre2019 = lixia.xpath("./td")[heads.index("2014年度") - 1]
    assert "未能核对" in pre2019.text_content() and "✓" not in pre2019.text_content()
    putuo = next(tr for tr in page.iter("tr") if "普陀区" in tr.text_content())  # its one report's tables were lost
    assert "未能核对" in putuo.text_content() and "✓" not in putuo.text_content()
