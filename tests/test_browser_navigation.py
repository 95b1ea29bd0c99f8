"""A reviewer's path through the HTML audit in a real browser (Playwright driving Debian chromium).

Filter the index to errors and open an agency; follow a finding to its marked cell and back; sort the
findings table; and the pages still list everything with scripts off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import require_chromium

from audit.pipeline import run_audit
from audit.render.html import write_site

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).resolve().parents[1] / "audit" / "samples"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("navigation-site")
    write_site(run_audit([str(SAMPLES)], validate_frames=False), out)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


def visible_rows(page: object, selector: str) -> list[str]:
    return page.eval_on_selector_all(  # type: ignore[attr-defined, no-any-return]
        selector, "rows => rows.filter(r => !r.hidden && r.offsetParent !== null).map(r => r.textContent)"
    )


def test_filter_to_errors_then_open_an_agency(browser: object, site: Path) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto((site / "index.html").as_uri())
    assert page.is_visible("form#filters")
    every = visible_rows(page, "table.findings-table tbody tr")
    agencies = visible_rows(page, "table.matrix tbody tr")
    page.click("form#filters button[data-only=error]")
    errors = visible_rows(page, "table.findings-table tbody tr")
    assert 0 < len(errors) < len(every)
    assert all("错误" in row for row in errors)
    clean = page.eval_on_selector_all(
        "table.matrix tbody tr", "rows => rows.filter(r => r.hidden).map(r => r.querySelector('th').textContent)"
    )
    shown = visible_rows(page, "table.matrix tbody tr")
    assert clean and len(shown) + len(clean) == len(agencies)
    assert all("错误" in row for row in shown)  # every agency left has an error
    assert "显示" in page.text_content("form#filters output")
    page.click("table.matrix tbody tr:not([hidden]) th a")
    assert page.url.split("/")[-1].startswith("agency-")
    assert page.is_visible("section#overview")
    page.close()


def test_rule_filter_and_text_filter(browser: object, site: Path) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto((site / "index.html").as_uri())
    rule = page.get_attribute("table.rule-summary tbody tr:last-child", "data-rule")
    page.click(f"table.rule-summary a[data-set-rule='{rule}']")
    shown = page.eval_on_selector_all(
        "table.findings-table tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.dataset.rule)"
    )
    assert shown and set(shown) == {rule}
    page.click("form#filters button[type=reset]")
    page.fill("form#filters input[name=text]", "上年")
    texts = visible_rows(page, "table.findings-table tbody tr")
    assert texts and all("上年" in t for t in texts)
    page.close()


def test_follow_a_finding_to_its_marked_cell_and_back(browser: object, site: Path) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    index = page.goto((site / "index.html").as_uri())
    assert index is not None
    # the first finding of the index that is about a cell
    agency_page = page.eval_on_selector_all(
        "table.findings-table tbody tr a", "links => links.map(a => a.getAttribute('href'))"
    )
    opened = False
    for href in agency_page:
        page.goto(f"{(site / href.split('#')[0]).as_uri()}#{href.split('#')[1]}")
        finding = page.locator(f"#{href.split('#')[1]}")
        to_cell = finding.locator("a.to-cell")
        if not to_cell.count() or "#d-" not in (to_cell.get_attribute("href") or "") or "-note" in href:
            continue
        cell_id = to_cell.get_attribute("href").split("#")[1]  # type: ignore[union-attr]
        if not page.locator(f"td#{cell_id}").count():
            continue
        to_cell.click()
        cell = page.locator(f"td#{cell_id}")
        assert "fail" in (cell.get_attribute("class") or "")
        assert page.evaluate("location.hash") == f"#{cell_id}"
        assert page.evaluate(f"document.getElementById('{cell_id}').matches(':target')")
        # the cell's explanation is text on the page (注n), and names the finding
        note_id = cell.locator("a.cell-link").get_attribute("aria-describedby")
        note = page.locator(f"#{note_id}")
        assert href.split("#")[1].removeprefix("f-") in note.text_content()  # type: ignore[operator]
        # and back: the cell links to its finding
        cell.locator("a.cell-link").click()
        assert page.evaluate("location.hash").startswith("#f-")
        assert page.evaluate("document.querySelector(':target').classList.contains('finding')")
        opened = True
        break
    assert opened, "no finding about a table cell in the sample run"
    page.close()


def test_findings_table_sorts(browser: object, site: Path) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto((site / "index.html").as_uri())
    years = "rows => rows.map(r => r.cells[2].getAttribute('data-sort'))"
    page.click("table.findings-table thead th:nth-child(3) button.sort")
    ascending = [int(y) for y in page.eval_on_selector_all("table.findings-table tbody tr", years)]
    assert ascending == sorted(ascending) and len(set(ascending)) > 1
    assert page.get_attribute("table.findings-table thead th:nth-child(3)", "aria-sort") == "ascending"
    page.click("table.findings-table thead th:nth-child(3) button.sort")
    descending = [int(y) for y in page.eval_on_selector_all("table.findings-table tbody tr", years)]
    assert descending == sorted(descending, reverse=True)
    page.close()


def test_without_script_the_page_lists_everything(browser: object, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    assert not page.is_visible("form#filters")  # a form that cannot work is not shown
    rows = page.eval_on_selector_all("table.findings-table tbody tr", "rows => rows.length")
    assert rows == len(visible_rows(page, "table.findings-table tbody tr")) > 0
    context.close()
