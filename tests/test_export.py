"""`xxgk-audit export` (docs/export.md): the frames written as Parquet and CSV read back equal, with
their dtypes, in pandas and DuckDB; the public pandera schemas accept them and refuse what breaks
them; docs/frames.md is generated from those schemas; the examples of docs/export.md run; a history
store exports as the same files; the commands that do not export never import pyarrow or GX."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pandas.testing as pdt
import pandera.errors
import pytest
from click.testing import CliRunner

from audit.cli import main
from audit.export import FRAMES, export_frames, exported_frames, read_frame, store_frames
from audit.export_schemas import SPECS, dtypes, markdown, sql_types, validate
from audit.pipeline import run_audit

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "audit" / "samples"
S4 = CORPUS / "seeds" / "004_35efe59cd959ef3f.txt"


@pytest.fixture(scope="module", params=["samples", "corpus"])
def exported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """The frames of an audit of the samples or of the whole corpus, and a folder holding them as
    out/<frame>.parquet and csv/<frame>.csv."""
    result = run_audit([str(SAMPLES if request.param == "samples" else CORPUS)])
    folder = tmp_path_factory.mktemp(f"export-{request.param}")
    assert export_frames(result, folder / "out") == [folder / "out" / f"{n}.parquet" for n in FRAMES]
    assert export_frames(result, folder / "csv", "csv") == [folder / "csv" / f"{n}.csv" for n in FRAMES]
    frames = exported_frames(result)
    assert {n: len(f) for n, f in frames.items()} == {
        "documents": len(result.frames.documents),
        "cells": len(result.frames.cells),
        "claims": len(result.frames.claims),
        "findings": len(result.findings),
        "issues": len(result.frames.issues),
    }
    assert min(len(frames[n]) for n in ("documents", "cells", "claims", "findings", "issues")) > 0
    return frames, folder


def test_frames_have_the_declared_columns_and_dtypes_and_pass_their_schemas(exported: tuple[dict, Path]) -> None:
    frames, _ = exported
    for name in FRAMES:
        frame = frames[name]
        assert {c: str(t) for c, t in frame.dtypes.items()} == dtypes(name), name
        validate(name, frame)
        for column in frame.columns:  # no NaN hiding in a nullable column: null is pd.NA
            assert not frame[column].astype(object).map(lambda v: isinstance(v, float) and v != v).any()


def test_files_read_back_equal_in_pandas_and_duckdb(exported: tuple[dict, Path]) -> None:
    frames, folder = exported
    for name in FRAMES:
        for path in (folder / "out" / f"{name}.parquet", folder / "csv" / f"{name}.csv"):
            pdt.assert_frame_equal(read_frame(path), frames[name])  # dtypes too
        # pandas alone, as docs/export.md shows it
        csv = pd.read_csv(folder / "csv" / f"{name}.csv", dtype=dtypes(name), keep_default_na=False, na_values=[""])
        pdt.assert_frame_equal(csv, frames[name])
        # DuckDB: the declared types in the file, the same values row for row
        relation = duckdb.sql(f"SELECT * FROM '{folder / 'out' / name}.parquet'")
        assert dict(zip(relation.columns, map(str, relation.types), strict=True)) == sql_types(name)
        pdt.assert_frame_equal(relation.df().astype(dtypes(name)), frames[name])


def test_schemas_refuse_what_breaks_a_frame(exported: tuple[dict, Path]) -> None:
    frames, _ = exported
    findings, cells = frames["findings"], frames["cells"]
    broken = {
        "an unknown severity": findings.assign(severity=pd.array(["fatal"] * len(findings), dtype="string")),
        "an empty text": findings.assign(rule=pd.array([""] * len(findings), dtype="string")),
        "evidence that is not JSON": findings.assign(evidence=findings["evidence"].str.slice(1)),
        "a repeated id": pd.concat([findings, findings.iloc[:1]], ignore_index=True),
        "text as object": findings.astype({"rule": object}),
        "a missing column": findings.drop(columns="row"),
        "a null message": findings.assign(message=pd.array([None] * len(findings), dtype="string")),
    }
    for what, frame in broken.items():
        with pytest.raises(pandera.errors.SchemaErrors):
            validate("findings", frame)
            pytest.fail(f"accepted {what}")
    with pytest.raises(pandera.errors.SchemaErrors):  # one cell twice
        validate("cells", pd.concat([cells, cells.iloc[:1]], ignore_index=True))


def test_frames_md_is_generated_from_the_schemas() -> None:
    committed = (ROOT / "docs" / "frames.md").read_text(encoding="utf-8")
    assert committed == markdown(), "docs/frames.md is stale: run `python -m audit.export_schemas`"
    for name, frame in SPECS.items():
        assert f"## `{name}`" in committed
        for column in frame.columns:
            assert f"| `{column.name}` | {column.dtype} |" in committed


def _blocks(language: str) -> list[str]:
    text = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_the_examples_of_export_md_run(exported: tuple[dict, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, folder = exported
    for path in (folder / "csv").glob("*.csv"):  # the examples read out/<frame>.parquet and out/<frame>.csv
        shutil.copy(path, folder / "out")
    monkeypatch.chdir(folder)
    python, ran = _blocks("python"), 0
    assert len(python) >= 5 and len(_blocks("sql")) >= 3
    for code in python:
        needs = re.findall(r"^# needs: (\w+)", code, flags=re.M)
        if any(importlib.util.find_spec(m) is None for m in needs):
            continue  # pyarrow, polars: not dependencies of the project
        exec(compile(code, "docs/export.md", "exec"), {})
        ran += 1
    assert ran >= 3
    for query in _blocks("sql"):
        assert duckdb.sql(query).fetchall(), query


def test_export_command_writes_the_files_and_refuses_ambiguity(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["export", str(S4), "--out", str(tmp_path / "out"), "--format", "csv"])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{n}.csv" for n in FRAMES)
    assert read_frame(tmp_path / "out" / "findings.csv")["rule"].eq("applications.column_balance").any()
    assert runner.invoke(main, ["export", "--out", str(tmp_path / "x")]).exit_code == 2  # nothing to export
    both = runner.invoke(main, ["export", str(S4), "--db", str(tmp_path / "h.duckdb"), "--out", str(tmp_path / "x")])
    assert both.exit_code == 2
    missing = runner.invoke(main, ["export", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x")])
    assert missing.exit_code == 2 and "no history store" in missing.output


def test_a_history_store_exports_as_the_same_files(tmp_path: Path) -> None:
    db = tmp_path / "history.duckdb"
    first = run_audit([str(S4)], db=str(db))
    revised = tmp_path / S4.name  # the same file name, another text: a second version in the store
    revised.write_text(S4.read_text(encoding="utf-8").replace("本年新收", "本年新收 ", 1), encoding="utf-8")
    second = run_audit([str(revised)], db=str(db))
    frames = store_frames(db)
    for name in FRAMES:
        validate(name, frames[name])
    ids = list(frames["documents"]["id"])
    doc = first.frames.documents["id"][0]
    # stored in the same second: which version keeps the plain id is decided by content hash
    later = frames["documents"]["content_hash"][1]
    assert ids == [doc, f"{doc}@{later[:8]}"]
    assert set(frames["documents"]["content_hash"]) == {
        first.frames.documents["content_hash"][0],
        second.frames.documents["content_hash"][0],
    }
    assert len(frames["cells"]) == len(first.frames.cells) + len(second.frames.cells)
    assert set(frames["cells"]["document"]) == set(ids)
    assert set(frames["findings"]["id"]) == set(first.findings["id"]) | set(second.findings["id"])
    assert set(frames["findings"]["document"].dropna()) <= set(ids)
    assert frames["issues"].empty and frames["findings"]["expected"].isna().all()
    runner = CliRunner()
    done = runner.invoke(main, ["export", "--db", str(db), "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    for name in FRAMES:
        pdt.assert_frame_equal(read_frame(tmp_path / "out" / f"{name}.parquet"), frames[name])


def _loaded(code: str, *args: str) -> list[str]:
    """The modules of interest loaded after running `code` (with args) in a fresh interpreter."""
    watched = ("pandas", "duckdb", "pandera", "pyarrow", "great_expectations", "audit.export", "audit.gx")
    code += f"\nimport sys\nprint(sorted(m for m in {watched!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    return eval(done.stdout.strip().splitlines()[-1])  # noqa: S307 - our own print of a list of names


def test_only_export_loads_the_export_libraries() -> None:
    """The default paths stay light: `--help` imports neither pandas nor DuckDB; `check` no GX, no
    export module, no pandera, and no pyarrow beyond what `import pandas` itself brings (pandas imports
    it whenever it is installed, which the [gx] extra does: see the report of issue 12)."""
    cli = "import sys\nfrom audit.cli import main\ntry:\n    main(sys.argv[1:], prog_name='xxgk-audit')\nexcept SystemExit:\n    pass"
    assert _loaded(cli, "--help") == []
    by_pandas = _loaded("import pandas")
    assert _loaded(cli, "check", str(S4)) == by_pandas
