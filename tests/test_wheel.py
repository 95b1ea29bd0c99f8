"""Packaging: one version (the package metadata) everywhere it is shown, and a wheel that works on
its own — built from this tree, installed with its dependencies into a fresh virtual environment, it
audits the sample reports it bundles from a folder outside the repository, exports them, and runs as
`python -m audit`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

from click.testing import CliRunner

import audit
from audit.cli import main
from audit.export import FRAMES
from audit.render.audit_json import audit_json

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
S4 = ROOT.parent / "shared" / "corpus" / "seeds" / "004_35efe59cd959ef3f.txt"


def test_one_version_from_the_package_metadata() -> None:
    assert audit.__version__ == version("xxgk-audit") == PROJECT["version"]
    shown = CliRunner().invoke(main, ["--version"])
    assert shown.exit_code == 0 and shown.output.strip().endswith(f"version {audit.__version__}")
    from audit.pipeline import run_audit

    assert audit_json(run_audit([str(S4)]))["tool"] == {"name": "xxgk-audit", "version": audit.__version__}


def test_a_checkout_never_installed_reads_its_version_from_pyproject(tmp_path: Path) -> None:
    """`python -m audit` from a copy of the source that pip never saw still names its version."""
    copy = tmp_path / "checkout"
    (copy / "audit").mkdir(parents=True)
    (copy / "audit" / "__init__.py").write_bytes((ROOT / "audit" / "__init__.py").read_bytes())
    (copy / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "9.8.7"\n', encoding="utf-8")
    # a distribution name that is not installed: the metadata lookup fails, pyproject.toml answers
    code = "import audit; audit.DISTRIBUTION = 'not-installed-xyz'; print(audit.__version__)"
    done = subprocess.run([sys.executable, "-c", code], cwd=copy, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "9.8.7", done.stderr


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done


def test_the_wheel_installs_and_audits_its_samples_outside_the_repository(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, ROOT, cwd=tmp_path)
    (wheel,) = wheels.glob("xxgk_audit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for bundled in ("rules/*.yaml", "audit/render/templates/*", "audit/samples/*"):
        files = [p.relative_to(ROOT).as_posix() for p in ROOT.glob(bundled)]
        expected = {f"audit/{f}" if f.startswith("rules/") else f for f in files}
        assert expected and expected <= names, bundled

    venv = tmp_path / "venv"  # a fresh environment: the base interpreter, nothing of this one's packages
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python, exe = venv / "bin" / "python", venv / "bin" / "xxgk-audit"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    _run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel, cwd=tmp_path, env=env)

    work = tmp_path / "work"
    work.mkdir()
    (package,) = venv.glob("lib/python*/site-packages/audit")  # the installed copy, not this tree
    where = _run(
        python, "-c", "import audit, importlib.util as u; print(audit.__file__, u.find_spec('pyarrow'))", cwd=work
    )
    assert where.stdout.split() == [str(package / "__init__.py"), "None"]  # and the core needs no pyarrow
    assert _run(exe, "--version", cwd=work, env=env).stdout.strip() == f"xxgk-audit, version {PROJECT['version']}"
    assert "Usage: xxgk-audit" in _run(python, "-m", "audit", "--help", cwd=work, env=env).stdout
    rules = _run(exe, "rules", cwd=work, env=env).stdout
    assert "applications.column_balance" in rules

    _run(exe, "run", "--out", "out", "--fail-on", "never", cwd=work, env=env)
    document = json.loads((work / "out" / "audit.json").read_text(encoding="utf-8"))
    assert document["tool"] == {"name": "xxgk-audit", "version": PROJECT["version"]}
    assert document["run"]["inputs"] == 5 and document["run"]["documents"] == 14
    assert all(i["source"].startswith("samples/") and i["status"] == "audited" for i in document["inputs"])
    assert document["findings"] and (work / "out" / "index.html").is_file()

    _run(exe, "export", package / "samples", "--out", "frames", cwd=work, env=env)  # Parquet without pyarrow
    assert sorted(p.name for p in (work / "frames").iterdir()) == sorted(f"{n}.parquet" for n in FRAMES)
