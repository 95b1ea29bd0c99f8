"""The site of a big run (issue 13): written by forked workers exactly as by one process, an agency
of many reports paged by year, regions instead of agencies on the index beyond a threshold. The
thresholds are lowered so that the small synthetic run of render_fixtures crosses them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from render_fixtures import LIXIA, LUAN, Built, build_run

from audit.render import gridhtml, pagepool, regions, site
from audit.render.context import agency_slug
from audit.render.html import environment, write_site
from audit.render.regions import UNKNOWN_REGION, level_of, region_of_agency


@pytest.fixture(scope="module")
def built() -> Built:
    return build_run()


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def tree(out: Path, name: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((out / name).read_text(encoding="utf-8"))


def broken_links(out: Path) -> list[str]:
    """Links between the pages whose file or anchor does not exist."""
    ids = {p.name: set(tree(out, p.name).xpath("//@id")) for p in out.glob("*.html")}
    broken = []
    for name in ids:
        for href in tree(out, name).xpath("//a/@href"):
            page, _, anchor = href.partition("#")
            page = page or name
            if page not in ids or (anchor and anchor not in ids[page]):
                broken.append(f"{name} → {href}")
    return broken


def test_the_pool_writes_what_one_process_writes(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site, "PAGE_REPORTS", 1)  # the year pages too
    monkeypatch.setenv("XXGK_SITE_WORKERS", "1")
    alone = write_site(built.result, tmp_path / "alone", [])
    monkeypatch.setenv("XXGK_SITE_WORKERS", "2")
    pooled = write_site(built.result, tmp_path / "pool", [])
    assert [p.name for p in alone] == [p.name for p in pooled]
    one, two = files(tmp_path / "alone"), files(tmp_path / "pool")
    assert one.keys() == two.keys() and len(one) > 6
    assert [n for n in one if one[n] != two[n]] == []
    # the index lists findings whose link to their cell was completed in a worker
    index = json.loads(two["index.json"])
    assert any(f["href"] and "-y20" in f["href"] for f in index["findings"])


def test_a_worker_that_dies_leaves_the_pages_to_the_parent(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XXGK_SITE_WORKERS", "1")
    write_site(built.result, tmp_path / "alone")
    real = pagepool.PageJob.run_chunk

    def dying(job: pagepool.PageJob, chunk: list[int], send_findings: bool) -> pagepool.ChunkResult:
        if send_findings:  # in a worker: killed, as by the out-of-memory killer
            os._exit(9)
        return real(job, chunk, send_findings)

    monkeypatch.setattr(pagepool.PageJob, "run_chunk", dying)
    monkeypatch.setenv("XXGK_SITE_WORKERS", "2")
    write_site(built.result, tmp_path / "pool")
    assert files(tmp_path / "alone") == files(tmp_path / "pool")


def test_an_agency_of_many_reports_has_a_page_per_year(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site, "PAGE_REPORTS", 2)
    out = tmp_path / "site"
    write_site(built.result, out)
    slug = agency_slug(LIXIA)
    year_pages = sorted(p.name for p in out.glob(f"{slug}-y*.html"))
    assert year_pages and all((out / n.replace(".html", ".json")).is_file() for n in year_pages)
    assert not list(out.glob(f"{agency_slug(LUAN)}-y*"))  # few reports: one page, as before
    overview = json.loads((out / f"{slug}.json").read_text(encoding="utf-8"))
    assert overview["paged"] is True
    assert all(g["documents"] == [] and g["href"] in year_pages for g in overview["reports"])
    shown = sum(g["reports"] for g in overview["reports"])
    on_year_pages = [
        d["id"]
        for n in year_pages
        for d in json.loads((out / n.replace(".html", ".json")).read_bytes())["group"]["documents"]
    ]
    assert len(on_year_pages) == shown == len(set(on_year_pages))
    # every finding of the agency is on a year page, and every link between the pages resolves
    for f in overview["findings"]:
        assert f["link"].split("#")[0] in year_pages or f["document"] not in on_year_pages
    assert broken_links(out) == []


def test_a_year_of_many_reports_continues_on_parts(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site, "PAGE_REPORTS", 1)
    out = tmp_path / "site"
    write_site(built.result, out)
    slug = agency_slug(LIXIA)
    parts = [f"{slug}-y2021.html", f"{slug}-y2021-2.html"]  # the 2021 report, then its copy
    assert sorted(p.name for p in out.glob(f"{slug}-y2021*.html")) == sorted(parts)
    contexts = [json.loads((out / n.replace(".html", ".json")).read_bytes()) for n in parts]
    assert [len(c["group"]["documents"]) for c in contexts] == [1, 1]
    assert all(c["parts"] == parts for c in contexts) and not contexts[1]["group"]["diffs"]
    assert broken_links(out) == []


def test_many_agencies_are_listed_by_region_and_level(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(regions, "INDEX_AGENCIES", 1)
    out = tmp_path / "site"
    write_site(built.result, out)
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert index["matrix"] == [] and index["documents"] == []
    assert index["inputs"] and all(i["status"] != "audited" or i["notes"] for i in index["inputs"])
    assert index["run"]["inputs"] == len(built.result.sources)
    rows = index["regions"]
    assert sum(r["agencies"] for r in rows) == len(index["agency_names"])
    assert all(sum(r["levels"]) == r["agencies"] for r in rows)
    pages = [json.loads((out / f"{r['slug']}.json").read_text(encoding="utf-8")) for r in rows]
    agencies = [m["agency"]["name"] for p in pages for m in p["matrix"]]
    assert sorted(agencies) == sorted(index["agency_names"])
    documents = [d["id"] for p in pages for d in p["documents"]]
    assert sorted(documents) == sorted(built.docs.values())
    for row, page in zip(rows, pages, strict=True):
        assert row["counts"] == {s: sum(m["counts"][s] for m in page["matrix"]) for s in ("error", "warning", "info")}
    links = tree(out, "index.html").xpath('//section[@id="matrix"]//a/@href')
    assert sorted(links) == sorted(r["href"] for r in rows)
    assert broken_links(out) == []


def test_a_small_run_keeps_its_one_index(built: Built, tmp_path: Path) -> None:
    write_site(built.result, tmp_path)
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert "regions" not in index and index["matrix"] and not list(tmp_path.glob("region-*"))
    assert not [p for p in tmp_path.glob("agency-*-y*")]


@pytest.mark.parametrize(
    ("key", "level"),
    [
        ("浙江省人民政府", "省级"),
        ("济南市人民政府", "市级"),
        ("历下区人民政府", "县级"),
        ("普陀区人民政府@浙江", "县级"),
        ("城关镇人民政府", "乡镇（街道）"),
        ("平潭综合实验区管理委员会", "开发区"),
        ("济南市教育局", "部门"),
        (None, "未识别"),
    ],
)
def test_the_level_is_read_from_the_name(key: str | None, level: str) -> None:
    assert level_of(key) == level


def test_the_region_comes_from_the_key_the_name_or_the_reports() -> None:
    assert region_of_agency("普陀区人民政府@浙江", [], []) == "浙江"
    assert region_of_agency("历下区人民政府", ["济南市历下区人民政府"], []) == "山东"
    assert region_of_agency("某区人民政府", ["某区"], ["福建省某市某区", "福建省", "江西省"]) == "福建"
    assert region_of_agency(None, [], []) == UNKNOWN_REGION


def test_cells_are_escaped_once_and_match_the_grid_markup() -> None:
    cell = {
        "row": "other.1",
        "column": "total",
        "state": "text",
        "text": "<b>&",
        "raw": "<b>&",
        "line": 7,
        "fail": True,
        "severity": "error",
        "marks": [{"finding": "f1", "rule": "r", "severity": "error", "message": 'a"b'}],
        "undecided": ["x'y"],
    }
    html = gridhtml.cell_html(cell)  # type: ignore[arg-type]
    assert "<b>" not in html and "&lt;b&gt;&amp;" in html and "a&#34;b&#10;" in html and "x&#39;y" in html
    assert re.search(r'<a class="cell-link" href="#f-f1">', html)
    assert environment().globals["cells_html"]([cell]) == html
