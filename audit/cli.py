"""Command line: `xxgk-audit run | check | extract | export | rules` (contract.md §1).

The only module that knows about argv, exit codes and files on disk. Heavy imports (pandas via the
pipeline, jinja2 via the HTML renderer) happen inside the commands so that `--help` and `rules`
start instantly and `check` loads only what it needs.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from audit.model import printable

EXIT_OK, EXIT_FINDINGS, EXIT_FAILURE = 0, 1, 2
DEFAULT_OUT = "reports_out"


def samples_dir() -> Path:
    """The sample reports shipped inside the package (copies of the seed files)."""
    return Path(__file__).parent / "samples"


def _load_severities(config: str | None) -> dict[str, str] | None:
    if not config:
        return None
    from audit.gate import GateError, load_config
    from audit.validate import load_rules

    try:
        return load_config(config, {r["id"] for r in load_rules()})
    except GateError as exc:
        raise click.UsageError(str(exc)) from exc


# A run keeps millions of objects alive until its end (lines, rows, findings, page parts): with the
# default thresholds the collector walks them again and again (a quarter of the CPU time of a run with
# its site at 2,000 documents). Young objects are collected 70 times less often; the whole heap still
# only when it grew by a quarter (CPython's own rule), so collecting stays linear in the run's size.
_RUN_GC_THRESHOLDS = (50_000, 20, 10)


def _guarded(body: Callable[[], int]) -> None:
    """Run a command body; an unexpected exception is an internal failure (exit 2), never a traceback-only crash."""
    thresholds = gc.get_threshold()
    gc.set_threshold(*_RUN_GC_THRESHOLDS)
    try:
        code = body()
    except click.ClickException:
        raise
    except OSError as exc:  # the disk, not the tool: name the cause (no space left, permission denied)
        reason = exc.strerror or str(exc)
        where = f" ({printable(exc.filename)})" if exc.filename else ""
        click.echo(f"xxgk-audit: cannot write the results{where}: {reason}", err=True)
        sys.exit(EXIT_FAILURE)
    except Exception as exc:  # noqa: BLE001 - the contract maps every internal failure to exit 2
        click.echo(f"xxgk-audit: internal error: {type(exc).__name__}: {printable(exc)}", err=True)
        if os.environ.get("XXGK_DEBUG"):
            traceback.print_exc()
        sys.exit(EXIT_FAILURE)
    finally:
        gc.set_threshold(*thresholds)
    sys.exit(code)


def _audit(
    paths: tuple[str, ...],
    config: str | None,
    *,
    check_frames: bool = True,
    db: str | None = None,
    baseline: str | None = None,
    waivers: str | None = None,
    exclude: list[str] | None = None,
    engine: str = "native",
    scheduler: str | None = None,
) -> Any:
    from audit.gate import GateError, apply_gate, expired, load_baseline, load_waivers
    from audit.pipeline import run_audit

    try:
        known = load_baseline(baseline) if baseline else None
        waived = load_waivers(waivers) if waivers else []
    except GateError as exc:
        raise click.UsageError(str(exc)) from exc
    for w in expired(waived):
        click.echo(f"xxgk-audit: 豁免 {w['id']} 已于 {w['expires']} 到期，该发现重新计入 (waiver expired)", err=True)
    result = run_audit(
        list(paths),
        severities=_load_severities(config),
        validate_frames=check_frames,
        db=db,
        exclude=exclude,
        engine=engine,
        scheduler=scheduler,
    )
    if known is not None or waivers:
        result.findings = apply_gate(result.findings, baseline=known, waivers=waived)
    found = set(result.findings["id"].astype(str))
    for w in waived:
        if w["id"] not in found:  # like ruff's unused noqa: the report was corrected, or the id is wrong
            click.echo(f"xxgk-audit: 豁免 {w['id']} 没有匹配任何发现，可以删除 (unused waiver)", err=True)
    return result


def _echo_faults(faults: list[Any]) -> None:
    """Failures inside the tool, one line each on stderr (the run exits 2; everything else was audited)."""
    for fault in faults:
        where = fault.document or fault.source or "run"
        click.echo(
            f"xxgk-audit: internal error in {fault.stage} on {printable(where)}: {printable(fault.error)}", err=True
        )


def _judge(result: Any, fail_on: str, **used: str | None) -> int:
    """Decide the run's one verdict (audit.gate.verdict), keep it on the result for every output,
    and return its exit code."""
    from audit.gate import verdict

    result.gate = verdict(result.findings, fail_on, internal_errors=len(result.faults)) | used
    return int(result.gate["exit_code"])


def _echo_new(result: Any) -> None:
    """With a baseline: the findings it does not hold, one per line."""
    if "new" not in result.findings.columns:
        return
    for f in result.findings[result.findings["new"].map(lambda n: n is True)].to_dict("records"):
        mark = " (waived)" if f.get("waived") else ""
        click.echo(printable(f"new {f['id']} {f['severity']} {f['rule']} {f['document']}: {f['message']}{mark}"))


fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="Exit 1 when a finding at or above this severity exists.",
)
db_option = click.option("--db", type=click.Path(dir_okay=False), help="History store (DuckDB file) of earlier runs.")
no_db_option = click.option("--no-db", is_flag=True, help="Audit without the history store.")
baseline_option = click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="An earlier audit.json: only findings it does not hold (new ones) decide the exit code.",
)
waivers_option = click.option(
    "--waivers",
    type=click.Path(dir_okay=False),
    help="YAML list of {id, reason, reviewer, expires}: waived findings do not fail the run.",
)
config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="YAML file overriding rule severities: {severity: {RULE_ID: error|warning|info|off}}.",
)


def _require_gx(ctx: click.Context | None = None, param: Any = None, engine: str = "gx") -> str:
    """Great Expectations is an extra: say how to get it (found without importing it: that takes seconds)."""
    import importlib.util

    if engine != "gx":
        return engine
    try:
        found = importlib.util.find_spec("great_expectations") is not None
    except (ImportError, ValueError):  # blocked or half-removed: as good as absent
        found = False
    if not found:
        raise click.UsageError("Great Expectations is not installed: pip install 'xxgk-audit[gx]'")
    return engine


engine_option = click.option(
    "--engine",
    type=click.Choice(["native", "gx"]),
    default="native",
    show_default=True,
    callback=_require_gx,
    help="gx: decide the table identities and value constraints with Great Expectations (the [gx] extra; "
    "the other rules run natively, docs/gx.md).",
)


def _require_dask(ctx: click.Context | None, param: Any, address: str | None) -> str | None:
    """--scheduler needs dask.distributed (the [dask] extra): say how to get it (found without importing it)."""
    import importlib.util

    try:
        found = address is None or importlib.util.find_spec("distributed") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise click.UsageError("Dask is not installed: pip install 'xxgk-audit[dask]'")
    host, _, port = (address or "").removeprefix("tcp://").rpartition(":")
    if host and port.isdigit():  # a TCP scheduler: say at once when it is not there (Dask waits 30 s)
        import socket

        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()
        except OSError as exc:
            raise click.BadParameter(f"no Dask scheduler answers at {address}: {exc.strerror or exc}") from exc
    return address


scheduler_option = click.option(
    "--scheduler",
    metavar="ADDRESS",
    callback=_require_dask,
    help="Read, segment and extract the inputs on the Dask cluster whose scheduler is at ADDRESS "
    "(tcp://host:8786; the [dask] extra; every worker must read the inputs at the same paths: docs/scale.md).",
)


def audit_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options `run` and `check` share: gate level, configuration, history store, baseline, waivers, engine."""
    options = (fail_on_option, config_option, db_option, no_db_option, baseline_option, waivers_option, engine_option)
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xxgk-audit")
def main() -> None:
    """Audit 政府信息公开工作年度报告: tables, arithmetic, dates, structure, copies."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--out", "out_dir", default=DEFAULT_OUT, show_default=True, type=click.Path(file_okay=False), help="Output folder."
)
@click.option(
    "--format",
    "audit_format",
    type=click.Choice(["json", "jsonl"]),
    default="json",
    show_default=True,
    help="json: OUT/audit.json; jsonl: OUT/audit.jsonl, one record per line (header, documents, findings, "
    "not-assessable checks; docs/jsonl.md) for big runs.",
)
@audit_options
@scheduler_option
def run(
    paths: tuple[str, ...],
    out_dir: str,
    audit_format: str,
    fail_on: str,
    config: str | None,
    db: str | None,
    no_db: bool,
    baseline: str | None,
    waivers: str | None,
    engine: str,
    scheduler: str | None,
) -> None:
    """Audit files and folders; write OUT/index.html, one page per agency, OUT/audit.json.

    With no PATH, audits the sample reports shipped with the package. Earlier runs are kept in the
    history store .xxgk-audit/history.duckdb in the current directory, outside OUT, so that
    publishing OUT never publishes the store (--db FILE or $XXGK_AUDIT_DB for another, --no-db for none).
    """

    def body() -> int:
        from audit.history import default_store, earlier_default_notice

        out = Path(out_dir)
        store = None if no_db else (db or default_store())
        notice = None if no_db or db else earlier_default_notice(str(out), default_store())
        if notice:
            click.echo(notice, err=True)
        used = {"config": config, "waivers": waivers, "baseline": baseline}
        try:
            if paths:
                result = _audit(
                    paths,
                    config,
                    db=store,
                    baseline=baseline,
                    waivers=waivers,
                    exclude=[str(out)],
                    engine=engine,
                    scheduler=scheduler,
                )
            else:
                result = _audit_samples(config, store, baseline, waivers, out, engine, scheduler)
            written = _write_outputs(result, out, lambda: _judge(result, fail_on, **used), audit_format)
        except BaseException:
            _discard_stale(out)  # never leave an earlier run's audit.json looking like this run's
            raise
        from audit.render.html import human_size

        click.echo(
            f"{written['run']['inputs']} 个输入，{written['run']['documents']} 份文件，"
            f"{written['run']['not_assessable']} 项无法判定 → {printable(out / 'index.html')}"
            f"（{written['pages']} 个页面，{human_size(written['site_bytes'])}），{printable(written['audit'])}"
        )
        _echo_inputs(result)
        _echo_new(result)
        _echo_faults(result.faults)
        click.echo(result.gate["summary"])
        return int(result.gate["exit_code"])

    _guarded(body)


def _audit_samples(
    config: str | None,
    store: str | None,
    baseline: str | None,
    waivers: str | None,
    out: Path,
    engine: str = "native",
    scheduler: str | None = None,
) -> Any:
    """The bundled samples, read from inside the package so that the pages name them `samples/…`
    (from another folder an installed package's path reads `../../lib/python3/site-packages/…`);
    every path the user gave stays relative to where they ran the command."""
    given = [None if p is None else os.path.abspath(p) for p in (config, store, baseline, waivers)]
    with contextlib.chdir(samples_dir().parent):
        return _audit(
            (samples_dir().name,),
            given[0],
            db=given[1],
            baseline=given[2],
            waivers=given[3],
            exclude=[os.path.abspath(out)],
            engine=engine,
            scheduler=scheduler,
        )


def _write_outputs(result: Any, out: Path, judge: Callable[[], int], fmt: str = "json") -> dict[str, Any]:
    """The HTML site, then audit.json or audit.jsonl (which then holds any failure of a page), each
    file written whole or not at all; the verdict is decided before the pages and again after them."""
    from audit.pipeline import report_faults, timed
    from audit.render.audit_json import write_audit
    from audit.render.html import site_bytes, write_site

    out.mkdir(parents=True, exist_ok=True)
    page_faults: list[Any] = []
    judge()
    with timed("site") as t:
        pages = write_site(result, out, page_faults)
        t["documents"] = len(result.documents)
    report_faults(result, page_faults)
    judge()
    path = out / f"audit.{fmt}"
    with timed("audit.json") as t:
        header = write_audit(result, path, fmt)
        t["documents"] = len(result.documents)
    _discard_stale(out, keep=path.name)  # the other format's file is an earlier run's
    pages_written = sum(1 for p in pages if p.suffix == ".html")  # twins not counted
    return {"run": header["run"], "pages": pages_written, "site_bytes": site_bytes(pages), "audit": path}


def _discard_stale(out: Path, keep: str = "") -> None:
    for name in ("audit.json", "audit.jsonl"):
        if name != keep:
            with contextlib.suppress(OSError):
                (out / name).unlink(missing_ok=True)


def _echo_inputs(result: Any) -> None:
    """Inputs that were not audited (skipped, unreadable), one line each, on stderr."""
    for source in result.sources:
        if source.status != "audited":
            reason = source.skipped or source.error
            click.echo(f"{source.status}: {printable(source.path)}: {printable(reason)}", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the audit.json document instead of a summary.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["auto", "full", "concise", "github", "json", "gitlab", "junit", "sarif"]),
    default="auto",
    show_default=True,
    help="full: panels per input; concise: one line per finding (path:line: severity rule message); "
    "github: workflow annotations; json: audit.json; gitlab: GitLab Code Quality report; junit: JUnit XML "
    "(a testcase per document and rule); sarif: SARIF 2.1.0 (GitHub code scanning). auto: full on a "
    "terminal, concise when piped. json, gitlab, junit and sarif print the document alone (the verdict goes "
    "to stderr); in CI write it to a file: `check reports/ --format sarif -o audit.sarif`.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write the output to this file (whole or not at all) instead of stdout; the verdict is printed on stderr.",
)
@click.option(
    "--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings (text formats)."
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdict line (text formats).")
@audit_options
def check(
    paths: tuple[str, ...],
    as_json: bool,
    output_format: str,
    output: str | None,
    statistics: bool,
    quiet: bool,
    fail_on: str,
    config: str | None,
    db: str | None,
    no_db: bool,
    baseline: str | None,
    waivers: str | None,
    engine: str,
) -> None:
    """Audit files for a quick look on the terminal or in CI; writes no files but --output (and the
    history store, with --db)."""

    def body() -> int:
        chosen = "json" if as_json else output_format
        if chosen == "auto":
            chosen = "full" if sys.stdout.isatty() and not output else "concise"
        if output and chosen == "full" and not (quiet or statistics):
            raise click.UsageError("--output needs a CI format: concise, github, json, gitlab, junit or sarif")
        # a spot check answers in about a second: the frame schemas (pandera, ~0.5 s to import) are
        # checked by `run` and the test suite, not here
        store = None if no_db else db
        result = _audit(paths, config, check_frames=False, db=store, baseline=baseline, waivers=waivers, engine=engine)
        code = _judge(result, fail_on, config=config, waivers=waivers, baseline=baseline)
        from audit.render import formats

        verdict = printable(result.gate["summary"])
        if chosen in formats.DOCUMENTS or quiet or statistics or chosen in formats.FORMATS:
            if chosen in formats.DOCUMENTS:  # a machine format: its output is the document alone
                text = formats.DOCUMENTS[chosen](result)
            else:
                lines = [] if quiet else formats.statistics(result) if statistics else formats.FORMATS[chosen](result)
                text = "\n".join([*lines, verdict])
            if output:
                from audit.render.html import write_atomic

                write_atomic(Path(output), text + "\n")
            else:
                click.echo(text)
            if output or chosen in formats.DOCUMENTS:
                click.echo(verdict, err=True)
        else:
            from rich.console import Console

            from audit.render.terminal import print_summary

            print_summary(result, Console())
            _echo_new(result)
        _echo_faults(result.faults)
        return code

    _guarded(body)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only output format; the flag may be left out).")
def extract(paths: tuple[str, ...], as_json: bool) -> None:
    """Print the documents part of audit.json (segmentation, metadata, tables) without running rules."""

    def body() -> int:
        from audit.extract.batch import extract_all
        from audit.ingest import read_paths
        from audit.render.audit_json import document_json, dumps, tables_by_document
        from audit.segment import segment

        faults: list[Any] = []
        frames = extract_all(segment(read_paths(list(paths)), faults), faults)
        tables = tables_by_document(frames.cells)
        records = frames.documents.to_dict("records")
        docs = [document_json({str(k): v for k, v in r.items()}, tables.get(str(r["id"]), {})) for r in records]
        click.echo(dumps({"documents": docs}))
        _echo_faults(faults)
        return EXIT_FAILURE if faults else EXIT_OK

    _guarded(body)


@main.command(name="export")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the files.")
@click.option(
    "--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True, help="File format."
)
@click.option("--db", type=click.Path(dir_okay=False), help="Export this history store's reports instead of PATHs.")
def export_command(paths: tuple[str, ...], out_dir: str, fmt: str, db: str | None) -> None:
    """Write the tidy frames documents, cells, claims, findings, issues as OUT/<frame>.parquet (or .csv)
    for pandas, DuckDB, polars or Great Expectations: of an audit of PATHs (without the history store),
    or of the reports of a history store (--db). Columns and dtypes: docs/frames.md."""

    def body() -> int:
        from audit.export import export_frames, export_store
        from audit.history import StoreBusy, StoreError

        if bool(paths) == bool(db):
            raise click.UsageError("give PATH... to audit, or --db FILE to export a history store")
        out, faults = Path(out_dir), []
        if db:
            if not os.path.isfile(db):
                raise click.UsageError(f"no history store at {printable(db)}")
            try:
                written = export_store(db, out, fmt)
            except (StoreError, StoreBusy) as exc:
                raise click.UsageError(str(exc)) from exc
        else:
            result = _audit(paths, None, exclude=[str(out)])
            _echo_inputs(result)
            written, faults = export_frames(result, out, fmt), result.faults
        click.echo(" ".join(printable(p) for p in written))
        _echo_faults(faults)
        return EXIT_FAILURE if faults else EXIT_OK

    _guarded(body)


@main.command()
@click.argument("rule_id", required=False)
@click.option("--verbose", is_flag=True, help="Also print the check (kind, scope, params) and the message template.")
def rules(rule_id: str | None, verbose: bool) -> None:
    """List every rule (id, severity, title), or explain one (in Chinese, then English)."""

    def body() -> int:
        from audit.validate import explain_rule, list_rules

        if rule_id is None:
            click.echo(list_rules())
            return EXIT_OK
        try:
            click.echo(explain_rule(rule_id, verbose=verbose))
        except KeyError as exc:
            raise click.UsageError(f"unknown rule {rule_id!r}; `xxgk-audit rules` lists them") from exc
        return EXIT_OK

    _guarded(body)


@main.group(name="gx")
def gx_group() -> None:
    """Great Expectations: the table identities, value constraints and year chains as GX suites (the [gx] extra, docs/gx.md)."""


@gx_group.command(name="init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    help="A history store: the year chains also join its reports (this audit is saved to it, as with run --db).",
)
def gx_init(directory: str, paths: tuple[str, ...], db: str | None) -> None:
    """Audit PATHs (the bundled samples when none), export the frames to DIRECTORY/data/*.parquet and create
    a GX file data context in DIRECTORY/gx: data source, suites from rules/*.yaml, checkpoint `xxgk_audit`;
    run the checkpoint once, which builds the Data Docs."""

    def body() -> int:
        _require_gx()
        from audit.export import export_frames
        from audit.gx.context import init_context

        out = Path(directory)
        if db is not None and not Path(db).is_file():
            raise click.UsageError(f"no history store at {printable(db)}")
        store = str(Path(db).resolve()) if db else None
        result = (
            _audit(paths, None, db=store, exclude=[str(out)]) if paths else _audit_samples(None, store, None, None, out)
        )
        made = init_context(out, result, export_frames)
        click.echo(
            f"GX context {printable(made['context'])}: {made['suites']} suites, {made['expectations']} expectations "
            f"over {printable(made['data'])}; failing rules: {', '.join(made['failed']) or 'none'}"
        )
        click.echo(f"Data Docs: {printable(made['docs'])}")
        click.echo(f"Run natively (not expressible in GX, docs/gx.md): {', '.join(made['native'])}")
        _echo_faults(result.faults)
        return EXIT_FAILURE if result.faults else EXIT_OK

    _guarded(body)


if __name__ == "__main__":  # pragma: no cover
    main()
