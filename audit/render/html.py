"""The HTML audit: `index.html`, one page per agency, and the JSON twin of every page.

Each page is rendered by jinja2 from exactly one context object (audit.render.context, built by
audit.render.site) and that object is written beside the page as JSON (`index.json`,
`agency-<slug>.json`), like datasette's `.json` twins. Autoescape is always on: report text is
untrusted input. The pages are self-contained — inline CSS, no script, no external URL, no web
font — so they work offline from a file:// URL and print cleanly.

A big run adds pages, never changes a small one's: an agency of more than site.PAGE_REPORTS
reports has a page per year (`agency-<slug>-y2021.html`), and beyond regions.INDEX_AGENCIES
agencies the index lists regions × levels, each region on its page (`region-<slug>.html`). The
parts of a page repeated thousands of times (table cells, findings, trends) are written by
audit.render.gridhtml; the agency pages are written in forked workers (audit.render.pagepool).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import orjson

from audit.model import Fault, RunResult
from audit.render.dochtml import counts_html, doc_table_html, document_html, version_diff_html
from audit.render.gridhtml import (
    DISPLAY_CHARS,
    cells_html,
    finding_rows_html,
    findings_html,
    sparkline_html,
    tables_html,
)

TEMPLATES = Path(__file__).parent / "templates"


def clip(text: Any, limit: int = DISPLAY_CHARS) -> str:
    """Text shortened to `limit` characters with an ellipsis (for display only)."""
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """`{{ d.id }}` on a plain dict (every context is one) reads the key at once: jinja's own lookup
    first tries the attribute, and the AttributeError it catches costs more than the rest of the
    lookup. Same result: a plain dict has no attribute but dict's own (`items`, `get` …), which still
    win over its keys."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def environment() -> jinja2.Environment:
    """The jinja2 environment of the pages: autoescaped, strict about undefined names."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clip"] = clip
    env.globals["cells_html"] = cells_html
    env.globals["tables_html"] = tables_html
    env.globals["findings_html"] = findings_html
    env.globals["finding_rows_html"] = finding_rows_html
    env.globals["sparkline_html"] = sparkline_html
    env.globals["document_html"] = document_html
    env.globals["version_diff_html"] = version_diff_html
    env.globals["counts_html"] = counts_html
    env.globals["doc_table_html"] = doc_table_html
    # the same on every page of a run: rendered once, not once per page
    styles: dict[tuple[tuple[str, str], ...], markupsafe.Markup] = {}

    def style_css(tool: dict[str, str]) -> markupsafe.Markup:
        key = tuple(sorted(tool.items()))
        if key not in styles:
            styles[key] = markupsafe.Markup(env.get_template("style.css.html.j2").render(tool=tool))
        return styles[key]

    env.globals["style_css"] = style_css
    env.globals["filters_js"] = markupsafe.Markup(env.get_template("filters.js.html.j2").render())
    return env


def page_json(context: Any) -> str:
    """The JSON twin of a page: its context, exactly (NaN can never leak: allow_nan=False).

    Compact on purpose: json's C encoder only runs without `indent`, and a twin holds every cell.
    """
    # check_circular=False: a context is a tree built here (no cycles), and the check costs a dict
    # insertion per list and dict
    return json.dumps(context, ensure_ascii=False, allow_nan=False, check_circular=False, separators=(",", ":")) + "\n"


# orjson writes the twins 6× faster, byte for byte the same (page_json_bytes); anything orjson would
# write otherwise than json.dumps is left to json.dumps: a subclass of a JSON
# type, a date, a dataclass (json refuses them), an int beyond 64 bits, a key that is not a string
# (orjson refuses them) …
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
# … and a float below 1e-4, which json writes as 1e-05 and orjson as 0.00001 or 1e-7
_NUMBER_BYTES = frozenset(b"0123456789.-")


def _small_float(data: bytes) -> bool:
    """Whether orjson's `data` may hold such a float: a number (after `:`, `,`, `[` or at the start)
    with 0.0000 or e- in it. A text that only looks like one costs the slower path, nothing else."""
    for marker in (b"e-", b"0.0000"):
        i = data.find(marker)
        while i >= 0:
            start = i
            while start and data[start - 1] in _NUMBER_BYTES:
                start -= 1
            if not start or data[start - 1] in b":,[":
                return True
            i = data.find(marker, i + 1)
    return False


def page_json_bytes(context: Any) -> bytes:
    """`page_json(context)` as UTF-8: by orjson, unless it would write other bytes than json.dumps."""
    try:
        data: bytes = orjson.dumps(context, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError: a value orjson leaves to json
        pass
    else:
        if not _small_float(data):
            return data + b"\n"
    return page_json(context).encode("utf-8")


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


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, then a rename (a full disk or a
    crash never leaves a 0-byte or half-written page or audit.json). Text is written as UTF-8."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(text, bytes):
            temporary.write_bytes(text)
        else:
            temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write_page(out_dir: Path, name: str, template: str, context: Any, faults: list[Fault] | None) -> bool:
    """Render one page and write it with its twin; False when it could not be rendered (a fault)."""
    try:
        html = render_page(_ENV[0], template, context)
    except Exception as exc:  # noqa: BLE001 - one page that cannot be rendered never loses the others
        if faults is None:
            raise
        groups = context.get("reports") or ([context["group"]] if "group" in context else [])
        ids = [d["id"] for g in groups for d in g["documents"]] if name != "index" else []
        faults.append(Fault.of(f"render {name}.html", exc, document=ids[0] if ids else None))
        if name != "index":
            return False
        html = _fallback_index(faults[-1])  # never leave an earlier run's index looking current
    write_atomic(out_dir / f"{name}.html", html)
    write_atomic(out_dir / f"{name}.json", page_json_bytes(context))
    return True


STALE = ("agency-*.html", "agency-*.json", "region-*.html", "region-*.json")  # pages of an earlier run
_ENV: list[jinja2.Environment] = []  # the environment of the site being written (compiled once, forked with it)


def write_site(result: RunResult, out_dir: Path, faults: list[Fault] | None = None) -> list[Path]:
    """Write index.html, agency-<slug>.html per agency and the .json twin of each; return the paths.

    The agency pages are built and written one agency at a time, in worker processes for a big run
    (audit.render.pagepool); the index, from what each page sent back, last. With `faults` given, a
    page that cannot be built is a fault appended there (its documents are left off; every other
    page is written); without, the exception propagates (tests want it). Agency pages an earlier run
    left in `out_dir` (agency-*.html and their twins) are removed: no link leads to them, and a
    reviewer opening one would read an old audit as current.
    """
    from audit.render import regions as places
    from audit.render.pagepool import PageJob, run_pages, workers_for
    from audit.render.site import _Run, index_page, index_positions, page_tasks, region_pages, site_tool

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _ENV[:] = [environment()]
    tool = site_tool(result)
    run = _Run(result)
    tasks = page_tasks(run)
    workers = workers_for(len(run.docs))
    job = PageJob(
        run, tasks, tool, _ENV[0], out_dir, faults is not None, _write_page, len(tasks) > places.INDEX_AGENCIES
    )
    # the findings the index lists: their views keep what their pages add (a worker sends them back)
    job.wanted = run.findings_by_doc.kept = set(index_positions(run))
    results = run_pages(job, workers)
    summaries = [s for r in results for s in r.summaries]
    index_faults: list[Fault] | None = [] if faults is not None else None
    index = index_page(run, summaries, tool)
    _write_page(out_dir, "index", "index.html.j2", index, index_faults)
    regions = region_pages(index, summaries, tool)
    for region in regions:
        _write_page(out_dir, region["region"]["slug"], "region.html.j2", region, index_faults)
    if faults is not None and index_faults is not None:  # every page's build, then the renderings (index first)
        faults += [f for r in results for f in r.build_faults] + index_faults
        faults += [f for r in results for f in r.render_faults]
    written = [out_dir / "index.html", out_dir / "index.json"]
    written += [out_dir / f"{r['region']['slug']}.{ext}" for r in regions for ext in ("html", "json")]
    written += [out_dir / name for r in results for name in r.written]
    kept = set(written)
    for stale in {p for pattern in STALE for p in out_dir.glob(pattern)}:
        if stale not in kept:
            stale.unlink(missing_ok=True)
    return written


def site_bytes(paths: list[Path]) -> int:
    """The size of the pages written (pages and twins), in bytes."""
    return sum(p.stat().st_size for p in paths if p.exists())


def human_size(n: int) -> str:
    """1234567 → 1.2 MB (binary units, one decimal)."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
