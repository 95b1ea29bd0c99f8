"""The history store: an embedded DuckDB file holding the documents, cells, claims, text lines and
findings of every run, so that cross-year rules see an agency's earlier reports even when a run
audits only this year's files.

Everything is keyed by the document's content hash: auditing the same content again adds no row
and gives the same finding ids; a different text for the same agency and year is another version,
kept beside the first. Rows are appended in bulk (INSERT … SELECT from frames built a column at a
time by audit.history_rows, a row group or more per append) into tables without indexes: what is
already stored is left out before any row is built (a document whose content hash is stored, a
finding whose id is), so there is nothing for an index to refuse — a PRIMARY KEY would cost an index entry per text line (gigabytes at 20,000 reports).
Stores written before keep their rows; their keys are dropped by the first save. A report's cells,
claims and lines are appended before its documents row, which makes them visible (see save()).

A run holds an OS lock on `<db>.lock` (fcntl.flock, released by the kernel if the process dies)
for its whole read-rules-write section (`exclusive()`), so that two concurrent runs on one store
never both read it before either writes — the second sees the first's reports, and no cross-year
finding is lost. DuckDB itself lets one process write a database file at a time; inside the
section the file is opened only while reading the history and while writing the results (one
transaction), retrying with backoff when something outside the lock (another tool) holds it.

Failures that waiting cannot cure — a file that is not a DuckDB database, a corrupt or truncated
one, no permission, a full disk — raise `StoreError` at once, naming the file, the cause and the
way out; `StoreBusy` is kept for a store really held by someone else for longer than the timeout.

    store = HistoryStore(default_store())     # .xxgk-audit/history.duckdb, or $XXGK_AUDIT_DB
    with store.exclusive():
        history = store.load(frames.documents)   # Frames of the same agencies' other reports
        ...run the rules with history...
        store.save(result)                       # this run's documents, cells, claims, findings
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

import pandas as pd

from audit.history_rows import ROW_KEYS as ROW_KEYS  # what identifies a stored row (tests, bench)
from audit.history_rows import final_tables, line_tables, report_tables
from audit.model import CELL_COLUMNS, CLAIM_COLUMNS, DOCUMENT_COLUMNS, ISSUE_COLUMNS, Frames, RunResult, empty_frame

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

# Where `run` keeps the store unless told otherwise (--db, $XXGK_AUDIT_DB): a folder of the current
# directory, never inside the output folder, which people publish (the store holds every report's text).
DEFAULT_DB_DIR = ".xxgk-audit"
DEFAULT_DB_NAME = "history.duckdb"
DB_ENV = "XXGK_AUDIT_DB"
DEFAULT_TIMEOUT = 120.0  # seconds to wait for DuckDB's own file lock (held by a tool outside exclusive())
DEFAULT_LOCK_TIMEOUT = 600.0  # seconds to wait for another run's read-rules-write section
# Extra column of the history documents frame: [(line, normalised text, original text), ...].
LINES_COLUMN = "lines"

# The unique key of each table (kept by save(), not by an index: see the module docstring).
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS documents (
        content_hash VARCHAR, doc_id VARCHAR, source VARCHAR, agency_key VARCHAR, year INTEGER,
        kind VARCHAR, format VARCHAR, row_json VARCHAR, first_seen VARCHAR)""",  # key: content_hash
    """CREATE TABLE IF NOT EXISTS cells (
        content_hash VARCHAR, "table" VARCHAR, "row" VARCHAR, "column" VARCHAR, value DOUBLE, raw VARCHAR,
        blank BOOLEAN, placeholder BOOLEAN, line INTEGER)""",  # key: content_hash, table, row, column
    """CREATE TABLE IF NOT EXISTS claims (
        content_hash VARCHAR, seq INTEGER, row_json VARCHAR)""",  # key: content_hash, seq
    """CREATE TABLE IF NOT EXISTS lines (
        content_hash VARCHAR, line INTEGER, text VARCHAR, original VARCHAR)""",  # key: content_hash, line
    """CREATE TABLE IF NOT EXISTS findings (
        id VARCHAR, rule VARCHAR, severity VARCHAR, content_hash VARCHAR, document VARCHAR,
        agency VARCHAR, year INTEGER, message VARCHAR, evidence_json VARCHAR, first_seen VARCHAR)""",  # key: id
)
TABLES = ("documents", "cells", "claims", "lines", "findings")
# A save's connection: DuckDB would otherwise cache up to 80% of the machine's memory while appending
_LIMITS: dict[str, Any] = {"memory_limit": "256MB"}
# A save commits the rows of a table COMMIT_ROWS at a time: DuckDB keeps what a transaction appended
# in memory until it commits (a claim's JSON: ~1.5 KB), so commits are small, one row group
# (122,880 rows), which DuckDB compresses straight into the file. A commit that ends a row group
# half-way has it rewritten by the next, and a short one goes through the WAL to be compressed again
# at the checkpoint: a third more CPU and file, measured. Cells and text lines are built and
# appended a commit at a time; rows with a JSON text (claims, documents, findings) an eighth of one
# at a time, which bounds what building them holds (more, smaller appends cost ~15% more CPU).
ROW_GROUP = 122_880
COMMIT_ROWS = LINES_CHUNK = ROWS_CHUNK = ROW_GROUP
JSON_CHUNK = ROW_GROUP // 8


def default_store() -> str:
    """The store `run` uses without --db: $XXGK_AUDIT_DB, else .xxgk-audit/history.duckdb in the
    current directory (its folder is created by the first run that writes it)."""
    return os.environ.get(DB_ENV) or os.path.join(DEFAULT_DB_DIR, DEFAULT_DB_NAME)


def earlier_default_notice(out: str, store: str) -> str | None:
    """One line telling that OUT/history.duckdb — where `run` kept the store before — is no longer
    used, and how to keep using it; None when there is none there, it is the store in use, or the
    store was chosen ($XXGK_AUDIT_DB)."""
    old = os.path.join(out, DEFAULT_DB_NAME)
    if os.environ.get(DB_ENV) or not os.path.isfile(old) or os.path.abspath(old) == os.path.abspath(store):
        return None
    store, old = _shown(store), _shown(old)
    return (
        f"注意：历史库现在默认存放在 {store}，不再放在发布的输出文件夹中；{old} 本次未使用。"
        f"如需继续使用它，请加 --db {old}，或把它移到 {store}"
        f"（the history store now lives at {store}; to keep using {old}: --db {old}）"
    )


class StoreBusy(RuntimeError):
    """Another run held the store for longer than the timeout."""


class StoreError(RuntimeError):
    """The store cannot be used and waiting will not help: not a DuckDB file, corrupt or truncated,
    no permission, a full disk. `cause` is a short code (see _CAUSES), `detail` the underlying message."""

    def __init__(self, path: str, cause: str, detail: str, *, saving: bool = False):
        zh, en = _CAUSE_TEXT[cause]
        kept = "本次结果未写入，历史库保持原样（nothing of this run was stored）。" if saving else ""
        super().__init__(
            f"历史库 {_shown(path)} 无法使用：{zh}（{en}: {_shown(detail)}）。{kept}"
            "请用 --db 指定另一个文件，或用 --no-db 不带历史库运行"
            "（use --db for another file or --no-db to run without history）"
        )
        self.path, self.cause, self.detail = path, cause, detail


# (text in DuckDB's or the OS's message, cause); the first that matches names the cause.
_CAUSES = (
    ("No space left on device", "no_space"),
    ("Disk quota exceeded", "no_space"),
    ("not a valid DuckDB database file", "not_a_database"),
    ("storage version number", "other_version"),
    ("Corrupt database file", "corrupt"),
    ("Could not read enough bytes", "truncated"),
    ("Permission denied", "permission_denied"),
    ("Operation not permitted", "permission_denied"),
    ("Read-only file system", "read_only"),
    ("Is a directory", "not_a_file"),
    ("Not a directory", "not_a_file"),
)
_CAUSE_TEXT = {
    "no_space": ("磁盘空间已满", "no space left on device"),
    "not_a_database": ("该文件不是 DuckDB 数据库", "not a DuckDB database file"),
    "other_version": ("该文件由不兼容的 DuckDB 版本写入", "written by another DuckDB version"),
    "corrupt": ("文件已损坏", "corrupt database file"),
    "truncated": ("文件不完整（被截断）", "truncated database file"),
    "permission_denied": ("没有读写权限", "permission denied"),
    "read_only": ("文件系统只读", "read-only file system"),
    "not_a_file": ("路径不是普通文件", "not a regular file"),
    "io_error": ("读写失败", "I/O error"),
}


def _cause(message: str) -> str:
    return next((cause for text, cause in _CAUSES if text in message), "io_error")


def _held_elsewhere(exc: Exception) -> bool:
    """DuckDB's file lock held by another process, or (ConnectionException) a connection of another
    configuration open in this process: both clear when the holder closes, unlike any other error."""
    import duckdb

    if isinstance(exc, duckdb.ConnectionException):
        return True
    return isinstance(exc, duckdb.IOException) and ("Could not set lock" in str(exc) or "Conflicting lock" in str(exc))


def _shown(text: str) -> str:
    """`text` safe for a terminal or CI log: control characters and undecodable bytes escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


class HistoryStore:
    """One DuckDB file of past runs (see the module docstring)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ):
        self.path = os.fspath(path)
        self.timeout = timeout
        self.lock_timeout = lock_timeout
        self._held = 0  # depth of this object's exclusive() sections

    def _error(self, exc: BaseException, *, saving: bool = False) -> StoreError:
        return StoreError(self.path, _cause(str(exc)), f"{type(exc).__name__}: {exc}", saving=saving)

    # -- the run's section -------------------------------------------------------------------------

    @property
    def lock_path(self) -> str:
        return self.path + ".lock"

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the store for one run's read-rules-write section, so that a concurrent run reads what
        this one wrote (never both reading before either writes). Waits up to `lock_timeout` for a
        run holding it, saying so once on stderr; re-entrant within this object."""
        if self._held:
            self._held += 1
            try:
                yield
            finally:
                self._held -= 1
            return
        fd = self._open_lock()
        try:
            self._acquire(fd)
            self._held = 1
            try:
                yield
            finally:
                self._held = 0
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _open_lock(self) -> int:
        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            return os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
                # another user's lock file, or a read-only store (load may still read it): flock
                # needs no write access
                with suppress(OSError):
                    return os.open(self.lock_path, os.O_RDONLY)
            raise self._error(exc) from exc

    def _acquire(self, fd: int) -> None:
        deadline = time.monotonic() + self.lock_timeout
        delay, told = 0.02, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            except OSError as exc:
                raise self._error(exc) from exc
            if not told:
                told = True
                print(
                    f"另一个运行正在使用历史库 {_shown(self.path)}（{self._holder(fd)}），等待其结束… "
                    f"(another run holds the history store; waiting up to {self.lock_timeout:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreBusy(
                    f"历史库 {_shown(self.path)} 被另一个运行（{self._holder(fd)}）占用超过 {self.lock_timeout:.0f} 秒"
                    f" (history store is busy: another run holds it); 请稍后重试，或用 --db 指定另一个文件 / --no-db"
                )
            time.sleep(min(delay, left))
            delay = min(delay * 1.5, 0.5)
        with suppress(OSError):  # who holds it, for the message of a run that has to wait
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)

    @staticmethod
    def _holder(fd: int) -> str:
        with suppress(OSError, ValueError):
            return f"PID {int(os.pread(fd, 32, 0))}"
        return "PID 未知"

    # -- connections -------------------------------------------------------------------------------

    @contextmanager
    def _connect(self, *, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection, waiting (up to `timeout`) only while another process holds DuckDB's lock;
        any DuckDB failure while connected, or connecting, becomes StoreError."""
        import duckdb

        deadline = time.monotonic() + self.timeout
        delay = 0.05
        while True:
            try:
                con = duckdb.connect(self.path, read_only=read_only, config={} if read_only else _LIMITS)
                break
            except duckdb.Error as exc:
                if not _held_elsewhere(exc):
                    raise self._error(exc, saving=not read_only) from exc
                if time.monotonic() + delay > deadline:
                    raise StoreBusy(f"history store {_shown(self.path)} is busy (another run holds it): {exc}") from exc
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 2.0)
        try:
            yield con
        except duckdb.Error as exc:
            with suppress(duckdb.Error):
                con.close()
            raise self._error(exc, saving=not read_only) from exc
        except BaseException:
            with suppress(duckdb.Error):
                con.close()
            raise
        try:
            con.close()  # checkpoints (a write committed before is kept in the WAL even if this fails)
        except duckdb.Error as exc:
            raise self._error(exc) from exc

    def exists(self) -> bool:
        return os.path.exists(self.path) and os.path.getsize(self.path) > 0

    def counts(self) -> dict[str, int]:
        """Rows per table (0 for a store not created yet)."""
        if not self.exists():
            return dict.fromkeys(TABLES, 0)
        with self._connect(read_only=True) as con:
            present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            out = {}
            for t in TABLES:
                row = con.execute(f"SELECT count(*) FROM {_visible(t)}").fetchone() if t in present else (0,)
                out[t] = int(row[0]) if row else 0
            return out

    def read_tables(self, names: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
        """Whole tables as stored, for `xxgk-audit export --db` (one the store does not hold yet is empty)."""
        import duckdb

        with duckdb.connect() as blank, self._connect(read_only=True) as con:
            for statement in _SCHEMA:
                blank.execute(statement)
            present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            return {
                t: con.execute(f"SELECT * FROM {_visible(t)}").df()
                if t in present
                else blank.execute(f"SELECT * FROM {t}").df()
                for t in names
            }

    # -- reading -----------------------------------------------------------------------------------

    def load(self, documents: pd.DataFrame) -> Frames:
        """The stored reports of the agencies in `documents` whose content is not in `documents`:
        frames shaped like the run's (documents get an extra `lines` column with their text)."""
        keys = sorted({str(k) for k in documents.get("agency_key", pd.Series(dtype=object)).dropna()})
        hashes = sorted({str(h) for h in documents.get("content_hash", pd.Series(dtype=object)).dropna()})
        if not keys or not self.exists():
            return empty_history()
        with self._connect(read_only=True) as con:
            present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if not set(TABLES) <= present:
                return empty_history()
            con.register("wanted_keys", pd.DataFrame({"agency_key": keys}))
            con.register("run_hashes", pd.DataFrame({"content_hash": hashes or [""]}))
            docs = con.execute(
                "SELECT content_hash, doc_id, row_json, source, agency_key, year, first_seen FROM documents "
                "WHERE agency_key IN (SELECT agency_key FROM wanted_keys) AND content_hash NOT IN "
                "(SELECT content_hash FROM run_hashes) ORDER BY year, content_hash"
            ).df()
            docs = _current(docs, documents)[["content_hash", "doc_id", "row_json"]]
            if docs.empty:
                return empty_history()
            con.register("chosen", docs[["content_hash"]])
            cells = con.execute(
                'SELECT c.* FROM cells c JOIN chosen USING (content_hash) ORDER BY content_hash, line, "table", "row", "column"'
            ).df()
            claims = con.execute(
                "SELECT c.content_hash, c.row_json FROM claims c JOIN chosen USING (content_hash) ORDER BY content_hash, seq"
            ).df()
            lines = con.execute(
                "SELECT l.* FROM lines l JOIN chosen USING (content_hash) ORDER BY content_hash, line"
            ).df()
        return _history_frames(docs, cells, claims, lines, run_ids=set(documents.get("id", pd.Series(dtype=object))))

    # -- writing -----------------------------------------------------------------------------------

    def save(self, result: RunResult) -> None:
        """Add this run's documents, cells, claims, text and findings (what is already there stays).
        The cells, claims and text lines go in first, each append committed on its own (DuckDB keeps
        a transaction's appended rows in memory until it commits: gigabytes of text lines for a
        national year); a report's rows count only once its documents row is there, and the documents
        and findings go in last, in one transaction (built a slice at a time as they go in). A failure (a full disk, say) leaves the store as
        it was — rows of reports without a documents row are removed, then or by the next save — and
        raises StoreError."""
        import duckdb

        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            if self._held and os.path.isfile(self.path) and not os.path.getsize(self.path):
                # left by a store whose creation failed (a full disk): holds nothing, and DuckDB
                # cannot open it; removed only under the lock, never while another run creates it
                os.remove(self.path)
        except OSError as exc:
            raise self._error(exc) from exc
        with self._connect(read_only=False) as con:
            _in_transaction(con, lambda: _prepare(con))
            hashes = result.frames.documents["content_hash"].dropna()
            stored_hashes = _stored(con, "documents", "content_hash", hashes)
            stored_ids = _stored(con, "findings", "id", result.findings["id"].astype(str))
            try:
                _append_committed(con, report_tables(result, stored_hashes, ROWS_CHUNK, JSON_CHUNK))
                lines = line_tables(result.documents, stored_hashes, LINES_CHUNK)
                _append_committed(con, (("lines", chunk) for chunk in lines))
                final = final_tables(result, stored_hashes, stored_ids, JSON_CHUNK)
                _in_transaction(con, lambda: _append_all(con, final))
            except BaseException:
                with suppress(duckdb.Error):
                    _drop_orphans(con)
                raise


def _append_committed(con: duckdb.DuckDBPyConnection, frames: Iterable[tuple[str, pd.DataFrame]]) -> None:
    """Append (table, slice) pairs as they come, committing each table's rows COMMIT_ROWS at a time
    (whole row groups: the slices before a table's last are exactly ROWS_CHUNK, LINES_CHUNK or
    JSON_CHUNK rows, each dividing COMMIT_ROWS)
    and at the end of each table; a failure rolls the open transaction back."""
    import duckdb

    rows, table = 0, None
    try:
        for name, frame in frames:
            if table is not None and (name != table or rows >= COMMIT_ROWS):
                con.execute("COMMIT")
                table = None
            if table is None:
                con.execute("BEGIN TRANSACTION")
                rows, table = 0, name
            _append(con, name, frame)
            rows += len(frame)
        if table is not None:
            con.execute("COMMIT")
    except BaseException:
        if table is not None:
            with suppress(duckdb.Error):  # a COMMIT that failed has already rolled back
                con.execute("ROLLBACK")
        raise


def _append_all(con: duckdb.DuckDBPyConnection, frames: Iterable[tuple[str, pd.DataFrame]]) -> None:
    for name, frame in frames:
        _append(con, name, frame)


def _in_transaction(con: duckdb.DuckDBPyConnection, action: Callable[[], Any]) -> None:
    import duckdb

    con.execute("BEGIN TRANSACTION")
    try:
        action()
        con.execute("COMMIT")
    except BaseException:
        with suppress(duckdb.Error):  # a COMMIT that failed has already rolled back
            con.execute("ROLLBACK")
        raise


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    """The tables there and without keys, and no rows left by a save that failed half-way."""
    for statement in _SCHEMA:
        con.execute(statement)
    _drop_keys(con)
    _drop_orphans(con)


_PER_REPORT = ("cells", "claims", "lines")  # rows that belong to a report's documents row


def _drop_orphans(con: duckdb.DuckDBPyConnection) -> None:
    for table in _PER_REPORT:
        con.execute(f"DELETE FROM {table} WHERE content_hash NOT IN (SELECT content_hash FROM documents)")


def _visible(table: str) -> str:
    """The rows of `table` a reader sees: a report's rows once its documents row is stored."""
    if table not in _PER_REPORT:
        return table
    return f"(SELECT * FROM {table} WHERE content_hash IN (SELECT content_hash FROM documents))"


def _drop_keys(con: duckdb.DuckDBPyConnection) -> None:
    """A store written before saves were appends has PRIMARY KEYs: each table is copied into one
    without (rows unchanged), once, inside the save's transaction."""
    keyed = con.execute(
        "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
        "AND database_name = current_database() AND schema_name = current_schema()"
    ).fetchall()
    for (name,) in keyed:
        if name in TABLES:
            con.execute(f"CREATE TABLE {name}__unkeyed AS SELECT * FROM {name}")
            con.execute(f"DROP TABLE {name}")
            con.execute(f"ALTER TABLE {name}__unkeyed RENAME TO {name}")


def _stored(con: duckdb.DuckDBPyConnection, table: str, key: str, incoming: pd.Series) -> set[str]:
    """The values of `incoming` that `table` already holds in its key column."""
    if incoming.empty:
        return set()
    con.register("incoming_keys", pd.DataFrame({"k": incoming.drop_duplicates().astype(str)}))
    rows = con.execute(
        f'SELECT DISTINCT "{key}" FROM {table} WHERE "{key}" IN (SELECT k FROM incoming_keys)'
    ).fetchall()
    con.unregister("incoming_keys")
    return {r[0] for r in rows}


def _append(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append `frame` (rows not stored yet) to `table` in one bulk INSERT … SELECT from the frame."""
    if frame.empty:
        return
    con.register("incoming", frame)
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming")
    con.unregister("incoming")


def empty_history() -> Frames:
    documents = empty_frame((*DOCUMENT_COLUMNS, LINES_COLUMN))
    return Frames(
        documents=documents,
        cells=empty_frame(CELL_COLUMNS),
        claims=empty_frame(CLAIM_COLUMNS),
        issues=empty_frame(ISSUE_COLUMNS),
    )


def _report_key(source: Any, agency_key: Any, year: Any) -> tuple[str, str, int | None]:
    missing = year is None or year is pd.NA or (isinstance(year, float) and year != year)
    return str(source), str(agency_key), None if missing else int(year)


def _current(stored: pd.DataFrame, run: pd.DataFrame) -> pd.DataFrame:
    """The stored reports that are still current: a later audit of the same file (source path) for
    the same agency and year is a revision — a corrected report — not a rival version, and replaces
    the earlier audit, whether it is in this run or stored by a later run. The replaced audits stay
    in the store as history, but no rule compares against them."""
    if stored.empty:
        return stored
    in_run = {_report_key(*k) for k in zip(run["source"], run["agency_key"], run["year"], strict=True)}
    keys = [_report_key(*k) for k in zip(stored["source"], stored["agency_key"], stored["year"], strict=True)]
    latest: dict[tuple[str, str, int | None], str] = {}
    for key, seen in zip(keys, stored["first_seen"].astype(str), strict=True):
        latest[key] = max(latest.get(key, ""), seen)
    keep = [
        key not in in_run and seen == latest[key]
        for key, seen in zip(keys, stored["first_seen"].astype(str), strict=True)
    ]
    return stored[keep]


def _history_frames(
    docs: pd.DataFrame, cells: pd.DataFrame, claims: pd.DataFrame, lines: pd.DataFrame, *, run_ids: set[Any]
) -> Frames:
    rows: list[dict[str, Any]] = []
    id_of: dict[str, str] = {}
    taken = set(run_ids)
    text_of: dict[str, list[tuple[int, str, str]]] = {}
    for h, group in lines.groupby("content_hash", sort=False):
        text_of[str(h)] = list(
            zip(group["line"].astype(int), group["text"].fillna(""), group["original"].fillna(""), strict=True)
        )
    for content_hash, doc_id, row_json in docs.itertuples(index=False, name=None):
        row = {c: None for c in DOCUMENT_COLUMNS} | json.loads(row_json)
        unique = str(doc_id) if doc_id not in taken else f"{doc_id}@{str(content_hash)[:8]}"
        taken.add(unique)
        id_of[str(content_hash)] = unique
        row["id"] = unique
        row[LINES_COLUMN] = text_of.get(str(content_hash), [])
        rows.append(row)
    documents = pd.DataFrame(rows, columns=[*DOCUMENT_COLUMNS, LINES_COLUMN])
    integers = ["ordinal", "year", "line_start", "line_end", *(c for c in DOCUMENT_COLUMNS if c.endswith("_line"))]
    documents = documents.astype({c: "Int64" for c in integers})
    cells = cells.assign(document=cells["content_hash"].astype(str).map(id_of))
    cells = cells[list(CELL_COLUMNS)].astype({"value": "float64", "blank": "bool", "placeholder": "bool"})
    claim_rows = [
        {c: None for c in CLAIM_COLUMNS} | json.loads(j) | {"document": id_of[str(h)]}
        for h, j in claims.itertuples(index=False, name=None)
    ]
    claims_frame = pd.DataFrame(claim_rows, columns=list(CLAIM_COLUMNS)) if claim_rows else empty_frame(CLAIM_COLUMNS)
    return Frames(
        documents=documents, cells=cells.reset_index(drop=True), claims=claims_frame, issues=empty_frame(ISSUE_COLUMNS)
    )
