"""`run --scheduler`: the per-document stages on a Dask cluster give what the local run gives (issue 13).

Skipped where dask[distributed] is not installed, except under CI ($CI set), where it must be
(`make setup` installs the [dask] extra).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from audit import chunks
from audit.cli import main
from audit.pipeline import run_audit
from audit.render.audit_json import audit_json

try:
    from dask.distributed import LocalCluster
except ImportError:
    if os.environ.get("CI"):
        raise
    pytest.skip("dask[distributed] is not installed (pip install 'xxgk-audit[dask]')", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
INPUTS = [str(ROOT.parent / "shared" / "corpus"), str(ROOT / "audit" / "samples")]
SAMPLE = str(ROOT / "audit" / "samples" / "004_35efe59cd959ef3f.txt")


def audit(scheduler: str | None = None, inputs: list[str] = INPUTS) -> dict[str, Any]:
    """audit.json of the dev corpus (without the site: the pages are built from the same result)."""
    return audit_json(run_audit(inputs, scheduler=scheduler))


def _records(audit: dict[str, Any], part: str) -> list[str]:
    return sorted(json.dumps(r, ensure_ascii=False, sort_keys=True, default=str) for r in audit[part])


def _assert_same(remote: dict[str, Any], local: dict[str, Any]) -> None:
    assert _records(remote, "documents") == _records(local, "documents")
    assert _records(remote, "findings") == _records(local, "findings")
    assert remote["inputs"] == local["inputs"]  # every input, in the same order


@pytest.fixture(scope="module")
def local() -> dict[str, Any]:
    found = audit()
    assert len(found["documents"]) > 30 and len(found["findings"]) > 50
    return found


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes (processes, not threads: what a real cluster does, pickling included)."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        yield cluster


def test_a_cluster_run_equals_the_local_run(
    local: dict[str, Any], cluster: LocalCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran_here: list[int] = []
    real = chunks.extract_rows
    monkeypatch.setattr(chunks, "extract_rows", lambda docs: ran_here.append(len(docs)) or real(docs))
    remote = audit(cluster.scheduler_address)
    assert not ran_here  # every chunk ran on the workers (which know nothing of this patch)
    _assert_same(remote, local)


def test_run_takes_the_scheduler(cluster: LocalCluster, tmp_path: Path) -> None:
    def run(out: Path, *args: str) -> dict[str, Any]:
        result = CliRunner().invoke(main, ["run", SAMPLE, "--out", str(out), "--no-db", "--fail-on", "never", *args])
        assert result.exit_code == 0, result.output
        return json.loads((out / "audit.json").read_text(encoding="utf-8"))

    _assert_same(run(tmp_path / "remote", "--scheduler", cluster.scheduler_address), run(tmp_path / "local"))


def test_a_chunk_failing_on_a_worker_is_redone_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk that raises on its worker (here: a thread of an in-process cluster) is audited again
    in this process: the same audit, nothing lost."""
    samples = [str(ROOT / "audit" / "samples")]
    local = audit(inputs=samples)
    real, failed = chunks.extract_rows, []

    def fails_on_workers(documents: list[Any]) -> Any:
        if threading.current_thread() is not threading.main_thread():
            failed.append(len(documents))
            raise MemoryError("injected")
        return real(documents)

    monkeypatch.setattr(chunks, "extract_rows", fails_on_workers)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster:
        remote = audit(cluster.scheduler_address, samples)
    assert len(failed) > 1
    _assert_same(remote, local)


def test_a_scheduler_that_is_not_there_is_said_at_once(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", SAMPLE, "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2 and "no Dask scheduler answers at tcp://127.0.0.1:1" in result.output
    assert not (tmp_path / "audit.json").exists()
