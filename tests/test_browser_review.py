"""The reviewer's checks of the HTML audit, in a real browser (Playwright driving Debian's chromium).

One run over ../shared/corpus (seeds — the same files as audit/samples —, pdf, pingtan) is written
once for the module and one browser serves every test:
- axe-core finds no serious or critical violation on the index and on every agency page;
- the keyboard alone reaches every failing cell, in document order, and each cell names (by
  aria-describedby) a text that explains it;
- printed to an A4 PDF, the index matrix and the widest years grid keep every column (read back from
  the PDF's ruled tables with pdfplumber), failing cells' notes and collapsed parts are printed, no
  page ends with a heading, and every page carries the tool, its version and the run's time;
- every colour given by a CSS custom property has a literal fallback before it (IE compatibility modes).
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import browser_support
import pdfplumber
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import missing, require_chromium, require_cjk_font
from lxml import html as lxml_html
from playwright.sync_api import Browser, Page, sync_playwright

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BLOCKING = ("serious", "critical")


@pytest.mark.parametrize(("ci", "outcome"), [("1", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_missing_cjk_font_fails_under_ci_and_skips_locally(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(browser_support, "has_cjk_font", lambda: False)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome):
        require_cjk_font()


# -- the run and the browser, once per module -------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS.is_dir():
        missing(f"the shared corpus is not at {CORPUS}")
    out = tmp_path_factory.mktemp("corpus-site")
    command = [sys.executable, "-m", "audit", "run", str(CORPUS), "--out", str(out), "--no-db", "--fail-on", "never"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = require_chromium()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1280, "height": 900})
    yield opened
    opened.close()


def pages(site: Path) -> list[Path]:
    found = sorted(site.glob("*.html"))
    assert site / "index.html" in found and len(found) > 5  # the corpus has several agencies
    return found


def twin(page: Path) -> dict[str, Any]:
    return json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))


def failing_cells(page: Path) -> int:
    return len(lxml_html.fromstring(page.read_bytes()).xpath('//td[contains(concat(" ", @class, " "), " fail ")]'))


OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


# -- axe-core ------------------------------------------------------------------------------------------


def test_axe_finds_no_serious_or_critical_violation_on_any_page(site: Path, page: Page) -> None:
    axe = Axe()
    found: dict[str, list[str]] = {}
    for path in pages(site):
        page.goto(path.as_uri())
        page.evaluate(OPEN_ALL)  # what a reviewer unfolds is checked too
        results = axe.run(page, options={"resultTypes": ["violations"]}).response
        for v in results["violations"]:
            # the findings are checked whatever their impact: heading order, empty headers
            if v["impact"] in BLOCKING or v["id"] in ("heading-order", "empty-table-header", "bypass", "region"):
                targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
                found.setdefault(path.name, []).append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {targets}")
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


# -- the keyboard --------------------------------------------------------------------------------------

# What has the focus: for a failing cell (the cell itself, or the link in it), the text its
# aria-describedby names — what a screen reader reads after the value — and its findings' messages.
FOCUS = """() => {
  const e = document.activeElement, td = e.closest ? e.closest("td.fail") : null;
  const out = {tag: e.tagName, cls: String(e.className || ""), text: (e.textContent || "").trim().slice(0, 20),
               open: e.tagName === "SUMMARY" ? e.parentElement.open : null, cell: td ? td.dataset.kbd : null};
  if (td) {
    const ids = (e.getAttribute("aria-describedby") || td.getAttribute("aria-describedby") || "").split(/\\s+/);
    const notes = ids.filter(Boolean).map(id => document.getElementById(id));
    out.notes = notes.map(n => n && n.checkVisibility() ? n.textContent : null);
    out.messages = (td.dataset.findings || "").split(" ").filter(Boolean).map(f => {
      const m = document.querySelector("#f-" + f + " .msg"); return m ? m.textContent.trim() : null; });
    out.outline = getComputedStyle(e).outlineStyle;
  }
  return out;
}"""


def test_skip_link_and_landmarks(site: Path, page: Page) -> None:
    page.goto((site / "index.html").as_uri())
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS)
    assert first["tag"] == "A" and "skip" in first["cls"] and first["text"] == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    assert page.locator("nav").count() == 1 and page.locator("main").count() == 1


def test_keyboard_alone_reaches_every_failing_cell_in_order_with_its_explanation(site: Path, page: Page) -> None:
    path = max(pages(site), key=failing_cells)  # the page with the most failing cells (济南市历下区)
    page.goto(path.as_uri())
    expected = page.evaluate("() => [...document.querySelectorAll('td.fail')].map((td, i) => td.dataset.kbd = `${i}`)")
    assert len(expected) >= 10
    stops = page.evaluate(
        "() => document.querySelectorAll('a[href], [tabindex], summary, input, select, button').length"
    )
    reached: list[str] = []
    for _ in range(2 * stops + 20):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUS)
        if now["tag"] == "BODY":  # past the last focusable element
            break
        if now["tag"] == "SUMMARY" and not now["open"]:
            page.keyboard.press("Enter")  # a keyboard user unfolds what is folded (copies' tables)
        if now["cell"] is None or (reached and reached[-1] == now["cell"]):
            continue
        reached.append(now["cell"])
        assert now["outline"] != "none", f"failing cell {now['cell']} ({now['text']}) shows no focus"
        notes = now["notes"]
        assert notes and None not in notes, f"failing cell {now['cell']} ({now['text']}): no shown text describes it"
        said = " ".join(notes)
        assert now["messages"] and all(m and m in said for m in now["messages"]), (now["text"], said)
    assert reached == expected, f"{len(reached)} of {len(expected)} failing cells reached by Tab, in order"


# -- print -----------------------------------------------------------------------------------------------


def norm(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


# a table's ruling lines run its whole height; a badge's outline (a few points) must not split a cell
RULED = {"edge_min_length": 15}


@dataclass
class Printed:
    texts: list[str]  # the text of each PDF page
    rows: list[list[str]]  # every row of the ruled tables, cells without whitespace
    # the text under a header cell `left` up to the header cell `right` beside it, on every page
    # (tables ruled only between rows: a label wrapped in its narrow column reads whole)
    columns: dict[tuple[str, str], str]


def printed(page: Page, path: Path, out: Path, columns: tuple[tuple[str, str], ...] = ()) -> Printed:
    """Print `path` to an A4 PDF as Chromium does and read it back."""
    require_cjk_font()  # else every 汉字 prints as a box and the PDF holds no Chinese text
    page.goto(path.as_uri())
    pdf_path = out / f"{path.stem}.pdf"
    page.pdf(path=str(pdf_path), format="A4", print_background=True)
    seen = Printed([], [], dict.fromkeys(columns, ""))
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # Chromium's subset fonts lack a FontBBox: harmless
    with pdfplumber.open(pdf_path) as pdf:
        for sheet in pdf.pages:
            seen.texts.append(sheet.extract_text() or "")
            seen.rows += [[norm(c) for c in r if c is not None] for t in sheet.find_tables(RULED) for r in t.extract()]
            words = sheet.extract_words()
            for left, right in columns:
                for a in (w for w in words if w["text"] == left):
                    for b in (
                        w for w in words if w["text"] == right and abs(w["top"] - a["top"]) < 2 and w["x0"] > a["x0"]
                    ):
                        box = (a["x0"] - 1, a["top"], b["x0"] - 1, sheet.height)
                        seen.columns[left, right] += norm(sheet.crop(box).extract_text())
    return seen


def assert_footer_on_every_page(texts: list[str], tool: dict[str, str]) -> None:
    assert tool.get("generated"), "the page context has no run time (tool.generated)"
    stamp = tool["generated"][:16].replace("T", " ")
    for n, text in enumerate(texts, 1):
        assert f"{tool['name']} {tool['version']}" in text and stamp in text, f"page {n} of {len(texts)}: no footer"
        assert f"第 {n} / {len(texts)} 页" in text


def screen(path: Path) -> Any:
    """The page as the screen has it, without the text only screen readers get (never printed)."""
    dom = lxml_html.fromstring(path.read_bytes())
    for hidden in dom.xpath('//*[contains(concat(" ", @class, " "), " sr-only ")]'):
        hidden.drop_tree()
    return dom


def header(table: Any) -> list[str]:
    return [norm(c.text_content()) for c in table.xpath("./thead/tr[last()]/*")]


def printed_whole(table: Any, seen: Printed) -> bool:
    """A row of the PDF ends with the table's header row: no column was cut."""
    labels = header(table)
    return any(r[-len(labels) :] == labels for r in seen.rows if len(r) >= len(labels))


def assert_no_heading_alone(texts: list[str], dom: Any) -> None:
    """No page ends with a heading whose table or text is on the next page."""
    headings = {norm(h.text_content()) for h in dom.xpath("//h1 | //h2 | //h3 | //h4")}
    for n, text in enumerate(texts, 1):
        body = [line for line in text.splitlines() if "xxgk-audit" not in line]  # the margin's footer
        assert not body or norm(body[-1]) not in headings, f"page {n} ends with the heading {body[-1]}"


def test_printed_index_keeps_every_column_and_agency(site: Path, page: Page, tmp_path: Path) -> None:
    path = site / "index.html"
    dom = screen(path)
    matrix = dom.xpath('//table[contains(@class, "matrix")]')[0]
    columns = header(matrix)
    assert len(columns) >= 10 and "2024年度" in columns and "合计" in columns  # wider than A4 printed before
    seen = printed(page, path, tmp_path, columns=(("文件", "类别"),))
    assert columns in seen.rows, f"matrix header cut: {[r for r in seen.rows if '合计' in r]}"
    agencies = [norm(a.text_content()) for a in matrix.xpath(".//tbody//th")]
    rows = [r for r in seen.rows if len(r) == len(columns) and r[0] in agencies]
    assert [r[0] for r in rows] == agencies  # every agency, a whole row each
    assert_no_heading_alone(seen.texts, dom)
    assert_footer_on_every_page(seen.texts, twin(path)["tool"])
    # the list of every document is folded on screen (<details>): printed open
    listed = seen.columns["文件", "类别"]
    assert [d["id"] for d in twin(path)["documents"] if norm(d["id"]) not in listed] == []


def test_printed_agency_page_keeps_every_column_and_explanation(site: Path, page: Page, tmp_path: Path) -> None:
    path = max(pages(site), key=lambda p: len(screen(p).xpath('//table[contains(@class, "years-grid")]//thead//th')))
    dom = screen(path)
    years = dom.xpath('//table[contains(@class, "years-grid")]')[0]
    assert len(header(years)) >= 7  # 5 years, two versions each: the page whose later years were cut
    seen = printed(page, path, tmp_path)
    grids = dom.xpath('//table[contains(@class, "grid")]')  # years, every report table (copies too), diffs
    cut = [header(g) for g in grids if not printed_whole(g, seen)]
    assert not cut, f"{len(cut)} of {len(grids)} tables lost columns: {cut[:3]}"
    assert_no_heading_alone(seen.texts, dom)
    assert_footer_on_every_page(seen.texts, twin(path)["tool"])
    # failing cells' explanations are printed as numbered notes under their tables (注1 …)
    notes = [norm(li.text_content())[:24] for li in dom.xpath('//ol[contains(@class, "cell-notes")]/li')]
    text = norm("".join(seen.texts))
    assert notes and [n for n in notes if n not in text] == []


# -- CSS fallbacks for IE compatibility modes ------------------------------------------------------------

DECLARATION = re.compile(r"""((?:[^;"']|"[^"]*"|'[^']*')+)""")


def canon(value: str) -> str:
    """A CSS value compared as written: case and spacing aside, #fff is #ffffff."""
    value = re.sub(r"\s+", " ", value.strip().lower())
    return re.sub(r"#([0-9a-f])([0-9a-f])([0-9a-f])\b", lambda m: "#" + "".join(c * 2 for c in m.groups()), value)


def css_blocks(css: str) -> Iterator[list[tuple[str, str]]]:
    """The declarations of every innermost block of a stylesheet, as (property, value) in order."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for body in re.findall(r"\{([^{}]*)\}", css):
        pairs = [d.split(":", 1) for d in DECLARATION.findall(body) if ":" in d]
        yield [(p.strip().lower(), v.strip()) for p, v in pairs]


def test_every_custom_property_has_a_literal_fallback_before_it(site: Path) -> None:
    document = lxml_html.fromstring((site / "index.html").read_bytes())
    css = "\n".join(s.text_content() for s in document.xpath("//style"))
    root = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", css))
    assert {"--error", "--warning", "--info", "--accent"} <= root.keys()
    uses = 0
    for block in css_blocks(css):
        for i, (prop, value) in enumerate(block):
            if "var(" not in value:
                continue
            uses += 1
            literal = canon(re.sub(r"var\((--[\w-]+)\)", lambda m: root[m.group(1)], value))
            before = [(p, canon(v)) for p, v in block[:i]]
            assert (prop, literal) in before, f"{prop}: {value} has no fallback `{prop}: {literal}` before it"
    assert uses > 40
    for path in pages(site):  # no colour hides in an inline style either
        assert not lxml_html.fromstring(path.read_bytes()).xpath("//*[contains(@style, 'var(')]"), path.name
