"""HTML portal pages: the pingtan pages extract as labelled, and the reader's rules on made pages
(rowspan/colspan, &nbsp;, digits split across spans, portal chrome, hostile markup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from input_labels import CORPUS, labels, metadata_mismatches, table_mismatches

from audit.extract.table_cells import read_tables
from audit.ingest import read_bytes
from audit.pipeline import run_audit
from audit.render.audit_json import audit_json
from audit.render.html import write_site

PINGTAN = {name: label for name, label in labels("pingtan").items() if name.endswith(".html")}
FAMILIES = ("applications.", "review_litigation.", "values.", "structure.", "document.", "dates.", "extraction.")


@pytest.fixture(scope="module")
def pingtan_audit() -> dict[str, Any]:
    return audit_json(run_audit([str(CORPUS / "pingtan" / name) for name in PINGTAN]))


def _document(audit: dict[str, Any], name: str) -> dict[str, Any]:
    [doc] = [d for d in audit["documents"] if Path(d["source"]).name == name]
    return dict(doc)


@pytest.mark.parametrize("name", sorted(PINGTAN))
def test_pingtan_page_extracts_as_labelled(pingtan_audit: dict[str, Any], name: str) -> None:
    label, doc = PINGTAN[name], _document(pingtan_audit, name)
    assert metadata_mismatches(label, doc) == []
    assert table_mismatches(label, doc) == []


@pytest.mark.parametrize("name", sorted(PINGTAN))
def test_pingtan_page_findings_as_labelled(pingtan_audit: dict[str, Any], name: str) -> None:
    label, doc = PINGTAN[name], _document(pingtan_audit, name)
    rules = {f["rule"] for f in pingtan_audit["findings"] if f["document"] == doc["id"]}
    for expected in label.get("expect", []):
        accepted = set(expected.get("accept_rules") or [expected["rule"]])
        assert rules & accepted or not expected["rule"].startswith(FAMILIES), expected
    assert {r for r in label.get("expect_not", []) if r.startswith(FAMILIES)} & rules == set()


# -- made pages ---------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta name="PubDate" content="2022-01-25 09:30">
<title>portal</title><script>var chrome = "一、本年新收政府信息公开申请数量 | 99 |";</script>
<style>.x{color:red}</style></head><body>
<nav>首页 &gt; 信息公开 &gt; 年报</nav><div class="header">字号: 大 中 小</div>
<div class="TRS_Editor">
<p>某某区2021年政府信息公开工作年度报告</p>
<p>统计期限自2021年1月1日起至2021年12月31日止。</p>
<p>三、收到和处理政府信息公开申请情况</p>
<table><tbody>
<tr><td colspan="3" rowspan="3">(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)</td>
    <td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业<br>企业</td><td>科研<br/>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>
    <td><span>1</span><span>2</span></td><td>&nbsp;</td><td>0</td><td>0</td><td>0</td><td>0</td>
    <td><span style="x">1</span><font>2</font></td></tr>
<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>
    <td>3</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>3</td></tr>
</tbody></table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
</div>
<div class="footer">打印 关闭 <a href="javascript:alert(1)">分享</a></div>
</body></html>"""


def _source(page: str) -> Any:
    return read_bytes(page.encode("utf-8"), "page.bin")


def test_body_is_rendered_and_chrome_dropped() -> None:
    source = _source(PAGE)
    text = "\n".join(source.original)
    assert source.error is None and source.media_type == "text/html"
    assert source.original[0].startswith("portal") or "年度报告" in source.original[1]
    for chrome in ("首页", "字号", "打印", "var chrome", "color:red", "分享"):
        assert chrome not in text
    assert "发布时间:2022-01-25 09:30" in source.original[:3]  # from <meta>, the page states none


def test_merged_cells_once_nbsp_blank_and_split_digits_joined() -> None:
    source = _source(PAGE)
    row = next(line for line in source.original if line.startswith("一、本年新收"))
    assert row == "一、本年新收政府信息公开申请数量 | 12 |  | 0 | 0 | 0 | 0 | 12 |"
    assert "商业 企业 | 科研 机构 |" in "\n".join(source.original)
    cells = {(r, c): raw for _, r, c, _, raw, *_ in read_tables(enumerate(source.lines, 1)).cells}
    assert cells[("new_received", "natural_person")] == "12"
    assert cells[("new_received", "commercial")] == ""  # blank, not 0
    assert cells[("carried_over", "total")] == "3"


def test_visible_publication_date_wins_over_meta() -> None:
    page = PAGE.replace(
        '<div class="TRS_Editor">', '<div class="info">发布时间：2022-01-20</div><div class="TRS_Editor">'
    )
    assert "发布时间:2022-01-20" in _source(page).original[:3]


def test_hostile_page_is_inert_in_the_html_audit(tmp_path: Path) -> None:
    hostile = (
        '<html><body><div class="TRS_Editor"><p>某某区2021年政府信息公开工作年度报告</p>'
        '<p><img src=x onerror="alert(1)">正文<a href="javascript:alert(2)">链接</a></p>'
        "<script>alert(3)</script><p>&lt;script&gt;alert(4)&lt;/script&gt;</p>"
        f"<p>{'长' * 100_000}</p><iframe src='https://evil.example'></iframe></div></body></html>"
    )
    path = tmp_path / "hostile.html"
    path.write_text(hostile, encoding="utf-8")
    source = read_bytes(hostile.encode(), "hostile.html")
    assert max(len(line) for line in source.original) <= 20_000
    assert not any("onerror" in line or "javascript:" in line or "alert(3)" in line for line in source.original)
    for page in write_site(run_audit([str(path)]), tmp_path / "out"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "onerror=" not in html and "javascript:alert" not in html
        assert "evil.example" not in html


def test_layout_table_cells_are_paragraphs() -> None:
    page = "<html><body><table><tr><td><p>一、总体情况</p><table><tr><td>规章</td><td>0</td></tr></table></td></tr></table></body></html>"
    assert _source(page).original == ["一、总体情况", "规章 | 0 |"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_page_encodings(encoding: str) -> None:
    page = PAGE.replace("<head>", '<head><meta charset="gb2312">')
    source = read_bytes(page.encode(encoding), "page.htm")
    assert source.error is None and any(line.startswith("一、本年新收") for line in source.original)
