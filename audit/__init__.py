"""xxgk-audit: audit 政府信息公开工作年度报告 text, tables and narrative.

`audit.__version__` is the installed package's version (its metadata, from pyproject.toml): the one
version `xxgk-audit --version`, audit.json `tool.version`, the pages and SARIF show. Read on first
use, so that importing the package costs nothing; a source tree that was never installed reads
pyproject.toml itself.
"""

from __future__ import annotations

from typing import Any

DISTRIBUTION = "xxgk-audit"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a checkout without `pip install`: the same source, read directly
        import tomllib
        from pathlib import Path

        try:
            project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
            return str(project["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()["__version__"] = found = _version()
        return found
    raise AttributeError(f"module 'audit' has no attribute {name!r}")
