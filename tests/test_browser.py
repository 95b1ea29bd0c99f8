"""The HTML audit in a real browser: headless Debian Chromium loads the pages from file://.

A control page with a real inline script proves that scripts do run in this browser setup; the
agency page, whose report text holds `<script>` and `onerror` payloads that would change
document.title, must come out of the browser with its title unchanged and its failing cells in the
rendered DOM. A screenshot is taken too (kept under pytest's tmp dir for a person to look at).

The layout of the version diff and the trends is measured by a probe script the test appends to a
copy of the page (the page itself has no script): it writes the boxes of the elements into a <pre>.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import browser_support
import pytest
from browser_support import require_chromium
from lxml import html as lxml_html
from render_fixtures import LIXIA, LUAN, build_run

from audit.render.context import agency_slug, document_anchor
from audit.render.html import write_site

pytestmark = pytest.mark.browser

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [require_chromium(), *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def dump_dom(profile: Path, page: Path) -> str:
    done = chromium(profile, "--virtual-time-budget=2000", "--dump-dom", page.resolve().as_uri())
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize(("ci", "outcome"), [("1", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_missing_chromium_fails_under_ci_and_skips_locally(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(browser_support, "CHROMIUM", None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome):
        require_chromium()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser-site")
    write_site(build_run().result, out)
    return out


def test_scripts_run_in_this_browser_setup(tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text("<!DOCTYPE html><title>before</title><script>document.title = 'RAN'</script>", encoding="utf-8")
    assert lxml_html.fromstring(dump_dom(tmp_path / "profile", control)).findtext(".//title") == "RAN"


def test_agency_page_renders_failing_cells_and_runs_no_report_text(site: Path, tmp_path: Path) -> None:
    built = build_run()
    page = site / f"{agency_slug(LIXIA)}.html"
    dom = lxml_html.fromstring(dump_dom(tmp_path / "profile", page))
    assert dom.findtext(".//title") == f"{LIXIA} · 政府信息公开年度报告审核"
    assert not dom.xpath("//img")
    own = (Path(__file__).parents[1] / "audit/render/templates/filters.js.html.j2").read_text(encoding="utf-8")
    assert [s.text.strip() for s in dom.xpath("//script")] == [own.strip()]  # the page's own filters only
    report = dom.xpath(f'//article[@id="{document_anchor(built.docs["y2021"])}"]')[0]
    failing = report.xpath('.//table[@data-table="applications"]//td[contains(concat(" ", @class, " "), " fail ")]')
    assert {(td.get("data-row"), td.get("data-column")) for td in failing} == {
        ("new_received", "natural_person"),
        ("carried_over", "natural_person"),
        ("results_total", "natural_person"),
        ("carried_forward", "natural_person"),
        ("granted", "total"),
    }
    assert "<script>document.title='XSS'</script>" in report.text_content()


def test_screenshot(site: Path, tmp_path: Path) -> None:
    shot = tmp_path / "agency.png"
    page = site / f"{agency_slug(LIXIA)}.html"
    done = chromium(tmp_path / "profile", "--window-size=1366,2000", f"--screenshot={shot}", page.resolve().as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a blank page compresses to a few kB


PROBE = """<script>
const box = el => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
const diff = document.querySelector("section.version-diff");
const out = {
  title: document.title,
  sparks: [...document.querySelectorAll("td.trend svg.spark")].map(s => ({
    title: s.querySelector("title").textContent, box: box(s),
    circles: [...s.querySelectorAll("circle")].map(box), gaps: s.querySelectorAll("line.gap").length})),
  diff: diff && box(diff),
  table: diff && box(diff.querySelector("table.diff")),
  cells: diff && [...diff.querySelectorAll("table.cell-diff tbody tr")].map(tr => tr.innerText),
  dels: diff && [...diff.querySelectorAll("table.diff del")].map(e => [e.textContent, ...box(e)]),
  inss: diff && [...diff.querySelectorAll("table.diff ins")].map(e => [e.textContent, ...box(e)]),
  columns: diff && [...diff.querySelectorAll("table.diff tr.insert td")].map(td => box(td)[0]),
};
const pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""


def test_version_diff_and_trends_render(site: Path, tmp_path: Path) -> None:
    page = site / f"{agency_slug(LUAN)}.html"
    probed = tmp_path / page.name
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = lxml_html.fromstring(dump_dom(tmp_path / "profile", probed))
    seen = json.loads(dom.xpath('//pre[@id="probe"]')[0].text_content())
    assert seen["title"] == f"{LUAN} · 政府信息公开年度报告审核"  # the hostile diff line did not run
    sparks = {s["title"].split("：")[0]: s for s in seen["sparks"]}
    assert all(s["box"][0] > 50 and s["box"][1] > 10 for s in sparks.values())
    new = sparks["本年新收申请"]
    assert new["title"] == "本年新收申请：2020年度 版本不一致（7 / 8）" and new["circles"] == [] and new["gaps"] == 1
    assert [c[0] > 0 and c[1] > 0 for c in sparks["上年结转申请"]["circles"]] == [True]
    assert seen["diff"][0] > 300 and seen["diff"][1] > 100 and seen["table"][1] > 40
    assert any("(一)予以公开" in row and "商业企业" in row for row in seen["cells"])
    assert "7" in [d[0] for d in seen["dels"]] and "8" in [i[0] for i in seen["inss"]]
    assert all(w > 0 and h > 0 for _, w, h in seen["dels"] + seen["inss"])
    assert len(seen["columns"]) == 4 and seen["columns"][3] > 200  # the inserted line: right-hand column
