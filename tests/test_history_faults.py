"""Faults of the history store (audit.history): a run waits for another run's read-rules-write
section (an OS lock that dies with its holder); a file that is not a usable DuckDB store fails at
once with StoreError naming the file, the cause and the way out; a full disk names its cause and
leaves the store as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audit.history import HistoryStore, StoreBusy, StoreError
from audit.model import RunResult
from audit.pipeline import run_audit

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
S4 = SEEDS / "004_35efe59cd959ef3f.txt"
LIXIA = SEEDS / "002_6460700eaa6e9ee9.txt"
EXE = Path(sys.executable).with_name("xxgk-audit")
WAITING = "另一个运行正在使用历史库"

pytestmark = pytest.mark.skipif(not S4.is_file(), reason="needs ../shared/corpus")


@pytest.fixture(scope="module")
def small() -> RunResult:
    return run_audit([str(S4)], validate_frames=False)


@pytest.fixture(scope="module")
def big() -> RunResult:
    return run_audit([str(LIXIA)], validate_frames=False)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory, small: RunResult) -> bytes:
    """The bytes of a store holding 六安 (the material of the corrupt files)."""
    db = tmp_path_factory.mktemp("stored") / "history.duckdb"
    HistoryStore(db).save(small)
    return db.read_bytes()


def _holder(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process inside the store's section for `seconds`; returns once it holds it."""
    code = (
        "import sys, time; from audit.history import HistoryStore\n"
        "with HistoryStore(sys.argv[1]).exclusive():\n"
        "    print('held', flush=True); time.sleep(float(sys.argv[2]))"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


# -- one run at a time --------------------------------------------------------------------------------


def test_a_run_waits_for_another_runs_section_and_says_so_once(tmp_path: Path, capfd: Any) -> None:
    db = tmp_path / "history.duckdb"
    holder = _holder(db, 1.5)
    try:
        started = time.monotonic()
        with pytest.raises(StoreBusy, match=f"PID {holder.pid}"), HistoryStore(db, lock_timeout=0.3).exclusive():
            pass
        assert 0.3 <= time.monotonic() - started < 2
        err = capfd.readouterr().err
        assert err.count(WAITING) == 1 and f"PID {holder.pid}" in err and str(db) in err
        with HistoryStore(db, lock_timeout=30).exclusive():  # waits for the holder, then holds it
            waited = time.monotonic() - started
        assert 1.0 < waited < 10
        assert capfd.readouterr().err.count(WAITING) == 1
    finally:
        holder.wait(timeout=30)


def test_the_lock_dies_with_its_holder(tmp_path: Path) -> None:
    db = tmp_path / "history.duckdb"
    holder = _holder(db, 60)
    holder.kill()
    holder.wait(timeout=10)
    started = time.monotonic()
    with HistoryStore(db, lock_timeout=5).exclusive():
        assert time.monotonic() - started < 1


def test_the_section_is_reentrant_and_excludes_every_other_holder(tmp_path: Path, small: RunResult) -> None:
    db = tmp_path / "history.duckdb"
    store = HistoryStore(db)
    with store.exclusive():
        with store.exclusive():  # the pipeline's section around save, which may take it again
            store.save(small)
        # another object (another thread of this process, say) is kept out as another process is
        with pytest.raises(StoreBusy), HistoryStore(db, lock_timeout=0.2).exclusive():
            pass
        store.save(small)
    with HistoryStore(db, lock_timeout=0.2).exclusive():  # released with the outer section
        assert HistoryStore(db).counts()["documents"] == 1


# -- a store that cannot be used -------------------------------------------------------------------


def _flipped(data: bytes) -> bytes:
    """One byte changed in every 256 KiB block after the headers: checksums fail."""
    out = bytearray(data)
    for offset in range(3 * 4096 + 108, len(out), 262144):
        out[offset] ^= 0xFF
    return bytes(out)


CORRUPT: dict[str, tuple[Any, str]] = {  # kind: (bytes from a good store's bytes, cause)
    "random bytes": (lambda good: os.urandom(20000), "not_a_database"),
    "a text file": (lambda good: "历下区政府信息公开工作年度报告\n".encode() * 200, "not_a_database"),
    "truncated to its first page": (lambda good: good[:4096], "truncated"),
    "truncated to half": (lambda good: good[: len(good) // 2], "truncated"),
    "bytes changed": (_flipped, "corrupt"),
}


@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_a_corrupt_store_fails_at_once_and_says_why(tmp_path: Path, kind: str, stored: bytes, small: RunResult) -> None:
    make, cause = CORRUPT[kind]
    db = tmp_path / "history.duckdb"
    data = make(stored)
    db.write_bytes(data)
    store = HistoryStore(db)
    for action in (lambda: store.load(small.frames.documents), lambda: store.save(small)):
        started = time.monotonic()
        with pytest.raises(StoreError) as raised, store.exclusive():
            action()
        assert time.monotonic() - started < 2
        error = raised.value
        assert error.cause == cause and error.path == str(db)
        assert str(db) in str(error) and "--db" in str(error) and "--no-db" in str(error)
    assert db.read_bytes() == data  # never overwritten


def test_a_directory_in_place_of_the_store(tmp_path: Path, small: RunResult) -> None:
    db = tmp_path / "history.duckdb"
    db.mkdir()
    with pytest.raises(StoreError) as raised:
        HistoryStore(db).load(small.frames.documents)
    assert raised.value.cause == "not_a_file" and "路径不是普通文件" in str(raised.value)


def test_an_empty_file_is_a_store_not_created_yet(tmp_path: Path, small: RunResult) -> None:
    """What a store whose creation failed (a full disk) leaves: nothing to lose, replaced under the lock."""
    db = tmp_path / "history.duckdb"
    db.touch()
    store = HistoryStore(db)
    with store.exclusive():
        assert store.load(small.frames.documents).documents.empty
        store.save(small)
    assert store.counts()["documents"] == 1


def test_a_store_without_permission(tmp_path: Path, small: RunResult, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    db = tmp_path / "history.duckdb"
    HistoryStore(db).save(small)
    if os.geteuid() == 0:  # root reads anything: give the error DuckDB gives
        message = f'IO Error: Cannot open file "{db}": Permission denied'

        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise duckdb.IOException(message)

        monkeypatch.setattr(duckdb, "connect", refuse)
    else:
        db.chmod(0)
    started = time.monotonic()
    with pytest.raises(StoreError) as raised:
        HistoryStore(db).load(small.frames.documents)
    assert time.monotonic() - started < 2
    assert raised.value.cause == "permission_denied" and "Permission denied" in str(raised.value)


@pytest.mark.parametrize(
    ("said", "cause", "shown"),
    [
        (
            "IO Error: Trying to read a database file with storage version number 99, but we can only read storage "
            "versions between 64 and 67.",
            "other_version",
            "不兼容的 DuckDB 版本",
        ),
        ('IO Error: Cannot open file "x": Read-only file system', "read_only", "文件系统只读"),
        ('IO Error: Could not read from file "x": Input/output error', "io_error", "读写失败"),
    ],
)
def test_what_duckdb_says_names_the_cause(
    tmp_path: Path, said: str, cause: str, shown: str, small: RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failures that cannot be made on a test machine, as DuckDB words them (its messages, 2.x)."""
    import duckdb

    db = tmp_path / "history.duckdb"
    HistoryStore(db).save(small)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise duckdb.IOException(said)

    monkeypatch.setattr(duckdb, "connect", refuse)
    with pytest.raises(StoreError) as raised:
        HistoryStore(db).load(small.frames.documents)
    assert raised.value.cause == cause and shown in str(raised.value) and said in str(raised.value)


def test_a_corrupt_store_costs_the_run_its_history_not_its_outputs(tmp_path: Path) -> None:
    db = tmp_path / "history.duckdb"
    db.write_bytes(b"not a database\n" * 100)
    started = time.monotonic()
    done = subprocess.run(
        [str(EXE), "run", str(S4), "--out", str(tmp_path / "out"), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert time.monotonic() - started < 30  # was 124 s of retries, then "another run holds it"
    assert done.returncode == 2, done.stdout + done.stderr
    assert "不是 DuckDB 数据库" in done.stdout + done.stderr
    audit = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))
    (fault,) = [f for f in audit["findings"] if f["rule"] == "extraction.internal_error"]
    assert fault["document"] is None and fault["evidence"][0]["source"] == str(db)
    assert {f["rule"] for f in audit["findings"]} > {"extraction.internal_error"}  # audited without history
    assert db.read_bytes() == b"not a database\n" * 100


# -- writes that fail ------------------------------------------------------------------------------


class _FailingConnection:
    """A real connection whose statement starting with `fail_on` raises `error` (DuckDB's own)."""

    def __init__(self, con: Any, fail_on: str | tuple[str, ...], error: Exception):
        self._fail_on: str | tuple[str, ...]
        self._con, self._fail_on, self._error = con, fail_on, error

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.startswith(self._fail_on):
            raise self._error
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _io_errors() -> list[tuple[str, Exception, str, str]]:
    import duckdb

    wal = "history.duckdb.wal"
    return [
        (
            "COMMIT",
            duckdb.TransactionException(
                f'TransactionContext Error: Failed to commit: Could not write file "{wal}": No space left on device'
            ),
            "no_space",
            "磁盘空间已满",
        ),
        (
            "INSERT INTO cells",
            duckdb.IOException(f'IO Error: Could not write file "{wal}": Input/output error'),
            "io_error",
            "读写失败",
        ),
        (
            "INSERT INTO lines",
            duckdb.IOException(f'IO Error: Could not write file "{wal}": Disk quota exceeded'),
            "no_space",
            "磁盘空间已满",
        ),
    ]


@pytest.mark.parametrize("case", range(len(_io_errors())))
def test_a_failed_write_names_its_cause_and_keeps_the_store(
    tmp_path: Path, case: int, small: RunResult, big: RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    fail_on, error, cause, said = _io_errors()[case]
    db = tmp_path / "history.duckdb"
    store = HistoryStore(db)
    store.save(small)
    before = store.counts()
    connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: _FailingConnection(connect(*a, **k), fail_on, error))
    with pytest.raises(StoreError) as raised, store.exclusive():
        store.save(big)
    monkeypatch.undo()
    assert raised.value.cause == cause and said in str(raised.value) and str(error) in str(raised.value)
    assert "cannot rollback" not in str(raised.value) and "本次结果未写入" in str(raised.value)
    assert store.counts() == before  # the transaction was rolled back
    store.save(big)
    assert store.counts()["documents"] > before["documents"]


class _FailingFromLines(_FailingConnection):
    """Fails on the first text lines and on every clean-up after them (a disk that died then)."""

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.startswith("INSERT INTO lines"):
            self._fail_on = ("INSERT INTO lines", "DELETE")
        return super().execute(sql, *args)


def test_rows_of_a_save_that_failed_half_way_are_never_read_and_go_with_the_next_save(
    tmp_path: Path, small: RunResult, big: RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cells, claims and lines are committed before their documents rows (DuckDB would hold one
    transaction's rows in memory): a save failing after them, whose clean-up fails too, leaves rows
    no reader sees, and the next save removes them."""
    import duckdb

    db = tmp_path / "history.duckdb"
    store = HistoryStore(db)
    store.save(small)
    before, tables = store.counts(), store.read_tables()
    error = duckdb.IOException('IO Error: Could not write file "history.duckdb.wal": Input/output error')
    connect = duckdb.connect
    monkeypatch.setattr(
        duckdb, "connect", lambda *a, **k: _FailingFromLines(connect(*a, **k), "INSERT INTO lines", error)
    )
    with pytest.raises(StoreError), store.exclusive():
        store.save(big)
    monkeypatch.undo()
    with duckdb.connect(str(db), read_only=True) as con:
        (cells,) = con.execute("SELECT count(*) FROM cells").fetchone() or (0,)
    assert cells > before["cells"]  # the failed save's cells are there…
    assert store.counts() == before  # …but no reader sees them
    assert {t: len(f) for t, f in store.read_tables().items()} == {t: len(f) for t, f in tables.items()}
    assert store.load(big.frames.documents).documents.empty
    store.save(small)  # adds nothing, removes what the failed save left
    with duckdb.connect(str(db), read_only=True) as con:
        (cells,) = con.execute("SELECT count(*) FROM cells").fetchone() or (0,)
    assert cells == before["cells"]
    store.save(big)
    assert store.counts()["cells"] > before["cells"]


def _mount_tmpfs(folder: Path, size: str) -> str | None:
    """None once a tmpfs of `size` is mounted on `folder`, else why it could not be."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        return "mounting a tmpfs needs root on Linux"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    return None if done.returncode == 0 else f"mount failed: {done.stderr.decode(errors='replace').strip()}"


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "disk"
    why = _mount_tmpfs(folder, "16M")
    if why:
        pytest.skip(f"{why} (the failed-write cases above still cover the messages)")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _fill(folder: Path) -> Path:
    stat = os.statvfs(folder)
    filler = folder / "filler"
    filler.write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize))
    return filler


def test_a_full_disk_names_its_cause_and_keeps_the_store(tiny_disk: Path, small: RunResult, big: RunResult) -> None:
    store = HistoryStore(tiny_disk / "history.duckdb")
    with store.exclusive():
        store.save(small)
    before = store.counts()
    filler = _fill(tiny_disk)
    with pytest.raises(StoreError) as raised, store.exclusive():
        store.save(big)
    assert raised.value.cause == "no_space" and "No space left on device" in str(raised.value)
    assert "cannot rollback" not in str(raised.value)
    # a store created on the full disk fails the same way
    fresh = HistoryStore(tiny_disk / "fresh.duckdb")
    with pytest.raises(StoreError) as raised, fresh.exclusive():
        fresh.save(small)
    assert raised.value.cause == "no_space"
    filler.unlink()
    assert store.counts() == before
    with store.exclusive(), fresh.exclusive():
        store.save(big)
        fresh.save(small)
    assert store.counts()["documents"] > before["documents"] and fresh.counts()["documents"] == 1


def test_a_read_only_disk_reads_the_history_and_says_why_it_cannot_write(
    tiny_disk: Path, small: RunResult, big: RunResult
) -> None:
    locked, unlocked = HistoryStore(tiny_disk / "a.duckdb"), HistoryStore(tiny_disk / "b.duckdb")
    with locked.exclusive():
        locked.save(small)
    unlocked.save(small)  # never held: no lock file beside it
    assert not os.path.exists(unlocked.lock_path)
    assert subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], capture_output=True).returncode == 0
    with locked.exclusive():
        assert len(locked.load(big.frames.documents).documents) == 0  # another agency: read, nothing of it
        with pytest.raises(StoreError) as raised:
            locked.save(big)
    assert raised.value.cause == "read_only" and "文件系统只读" in str(raised.value)
    with pytest.raises(StoreError) as raised, unlocked.exclusive():
        pass
    assert raised.value.cause == "read_only"
