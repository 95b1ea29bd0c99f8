"""The HTML audit: `index.html`, one page per agency, and the JSON twin of every page.

Each page is rendered by jinja2 from exactly one context object (audit.render.context, built by
audit.render.site) and that object is written beside the page as JSON (`index.json`,
`agency-<slug>.json`), like datasette's `.json` twins. Autoescape is always on: report text is
untrusted input. The pages are self-contained — inline CSS, no script, no external URL, no web
font — so they work offline from a file:// URL and print cleanly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from audit.model import Fault, RunResult
from audit.render.site import build_site

TEMPLATES = Path(__file__).parent / "templates"
DISPLAY_CHARS = 200  # a quoted line longer than this is shortened on screen (the JSON twin keeps it whole)


def clip(text: Any, limit: int = DISPLAY_CHARS) -> str:
    """Text shortened to `limit` characters with an ellipsis (for display only)."""
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def environment() -> jinja2.Environment:
    """The jinja2 environment of the pages: autoescaped, strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clip"] = clip
    return env


def page_json(context: Any) -> str:
    """The JSON twin of a page: its context, exactly (NaN can never leak: allow_nan=False).

    Compact on purpose: json's C encoder only runs without `indent`, and a twin holds every cell.
    """
    return json.dumps(context, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"


def render_page(env: jinja2.Environment, template: str, context: Any) -> str:
    return env.get_template(template).render(**context)


def _fallback_index(fault: Fault) -> str:
    """The index when its page could not be built: says so, and where the results are."""
    error = markupsafe.escape(fault.error)
    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>审核总览生成失败</title>'
        f"<h1>审核总览生成失败</h1><p>审核工具内部错误：{error}</p>"
        "<p>审核结果完整保存在 audit.json 中；各机关页面照常生成。</p></html>\n"
    )


def write_atomic(path: Path, text: str) -> None:
    """Write `path` whole or not at all: a temporary file beside it, then a rename (a full disk or a
    crash never leaves a 0-byte or half-written page or audit.json)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_site(result: RunResult, out_dir: Path, faults: list[Fault] | None = None) -> list[Path]:
    """Write index.html, agency-<slug>.html per agency and the .json twin of each; return the paths.

    With `faults` given, a page that cannot be built is a fault appended there (its documents are
    left off; every other page is written); without, the exception propagates (tests want it).
    Agency pages an earlier run left in `out_dir` (agency-*.html and their twins) are removed: no link
    leads to them, and a reviewer opening one would read an old audit as current.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    site = build_site(result, faults)
    env = environment()
    pages: list[tuple[str, str, Any]] = [("index", "index.html.j2", site["index"])]
    pages += [(a["agency"]["slug"], "agency.html.j2", a) for a in site["agencies"]]
    written: list[Path] = []
    for name, template, context in pages:
        html_path, json_path = out_dir / f"{name}.html", out_dir / f"{name}.json"
        try:
            html = render_page(env, template, context)
        except Exception as exc:  # noqa: BLE001 - one page that cannot be rendered never loses the others
            if faults is None:
                raise
            ids = [d["id"] for g in context.get("reports", []) for d in g["documents"]] if name != "index" else []
            faults.append(Fault.of(f"render {name}.html", exc, document=ids[0] if ids else None))
            if name != "index":
                continue
            html = _fallback_index(faults[-1])  # never leave an earlier run's index looking current
        write_atomic(html_path, html)
        write_atomic(json_path, page_json(context))
        written += [html_path, json_path]
    for stale in set(out_dir.glob("agency-*.html")) | set(out_dir.glob("agency-*.json")):
        if stale not in written:
            stale.unlink(missing_ok=True)
    return written
