"""The terminal summary of `xxgk-audit check`, on the synthetic run of render_fixtures."""

from __future__ import annotations

import subprocess
import sys

import pytest
from render_fixtures import LIXIA, build_run
from rich.console import Console

from audit.model import fails
from audit.render.terminal import print_summary


def summary(fail_on: str, width: int = 160) -> str:
    from audit.gate import verdict

    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    result = build_run().result
    result.gate = verdict(result.findings, fail_on)
    print_summary(result, console)
    return console.export_text()


def test_every_input_document_and_finding_is_listed() -> None:
    built = build_run()
    text = summary("error")
    assert all(s.path in text for s in built.result.sources)
    assert all(doc_id in text for doc_id in built.docs.values())
    for f in built.result.findings.to_dict("records"):
        assert f["rule"] in text and f["message"] in text
    assert "lixia.txt:55" in text  # source:line of the first evidence line
    assert LIXIA in text and "无法读取：PDF 无法解析" in text and "lixia.txt#3 的副本" in text


def test_final_line_counts_and_verdict() -> None:
    last = summary("error").strip().splitlines()[-1]
    assert "4 个输入，7 份文件，1 项无法判定。7 错误，2 警告，2 提示 — 未通过（--fail-on error）" in last
    assert "不判定（--fail-on never）" in summary("never").strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("severities", "fail_on", "expected"),
    [
        (["warning"], "error", False),
        (["warning"], "warning", True),
        (["info"], "warning", False),
        (["info"], "info", True),
        (["error"], "never", False),
        ([], "info", False),
    ],
)
def test_fails_at_level(severities: list[str], fail_on: str, expected: bool) -> None:
    assert fails(severities, fail_on) is expected


def test_terminal_imports_neither_jinja2_nor_pandas() -> None:
    code = "import sys, audit.render.terminal; print(sorted(m for m in ('jinja2', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_pdf_findings_give_the_page_as_the_html_does() -> None:
    """`hongze-2023.pdf 第4页:60`, not `hongze-2023.pdf:60` (issue 11, item 7)."""
    from pathlib import Path

    from audit.pipeline import run_audit

    pdf = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf" / "hongze-2023.pdf"
    if not pdf.exists():
        pytest.skip("the shared corpus is not beside the project")
    console = Console(record=True, width=200)
    print_summary(run_audit([str(pdf)], validate_frames=False), console)
    text = console.export_text()
    assert "hongze-2023.pdf 第4页:60" in text
    assert "hongze-2023.pdf:" not in text
