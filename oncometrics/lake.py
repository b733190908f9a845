"""The store's table format: a DuckLake catalog (see docs/store.md).

Layout of a store folder::

    STORE/catalog.ducklake            the catalog (a DuckDB database file)
    STORE/data/main/<table>/*.parquet the data files (Parquet), never changed
    STORE/writer.lock                 held (flock) by the one writing process
    STORE/quarantine/…                rejected records (not part of the lake)

Every change is one DuckLake transaction: a new snapshot, or nothing.  A
reader opens the catalog only long enough to list the data files of one
snapshot (:func:`read_snapshot`) and then reads those Parquet files, which
no later commit modifies; so readers need no lock while they compute, and
Spark reads the same files on a cluster.  :func:`pin` makes every read of
a store in this process use one snapshot (one ``compute``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

CATALOG = "catalog.ducklake"
DATA = "data"
LOCK = "writer.lock"
ALIAS = "lake"
#: How long a reader or the writer waits for the other to release the catalog.
CATALOG_WAIT_S = 120.0
#: The table of ingested files (the old manifest.json), one row per file.
FILES_TABLE = "ingested_files"


class LakeError(Exception):
    """The catalog cannot be opened or read (one line)."""


def sql_str(value: str | Path) -> str:
    """`value` as an SQL string literal (for statements without parameters)."""
    return "'" + str(value).replace("'", "''") + "'"


def extension_path() -> str:
    """The DuckLake extension file installed by ``duckdb-extension-ducklake``.

    ``INSTALL ducklake`` needs the network; the wheel ships the file for one
    DuckDB version, which constraints.txt pins to match.
    """
    try:
        import duckdb_extension_ducklake as pkg
    except ImportError:
        pkg = None
    want = f"v{duckdb.__version__}"
    if pkg is not None and pkg.__file__:
        path = (
            Path(pkg.__file__).parent
            / "extensions"
            / want
            / "ducklake.duckdb_extension"
        )
        if path.exists():
            return str(path)
    raise LakeError(
        f"the store needs the DuckLake extension for DuckDB {duckdb.__version__}: "
        f"pip install duckdb-extension-ducklake=={duckdb.__version__}"
    )


def is_lake(root: Path | str) -> bool:
    """Whether `root` holds a catalog."""
    return (Path(root) / CATALOG).is_file()


#: One DuckDB instance per process with the extension loaded (LOAD takes
#: about a second); each :func:`connect` attaches the catalog on a cursor of
#: it and :meth:`LakeConnection.close` detaches it, one at a time.
_DB: duckdb.DuckDBPyConnection | None = None
_DB_PID = 0
_GUARD = threading.RLock()


class LakeConnection:
    """A cursor of the process's DuckDB with the catalog attached as ``lake``.

    Behaves as a DuckDB connection (``execute``, ``register``, …);
    :meth:`close` detaches the catalog, releasing its file for others.
    """

    def __init__(self, cursor: duckdb.DuckDBPyConnection):
        self._cursor = cursor
        self._open = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def execute(self, sql: str, params: Any = None) -> Any:
        """Run one statement (a step where fault-injection tests may crash)."""
        crash_point("sql")
        return self._cursor.execute(sql, params)

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        try:
            with contextlib.suppress(duckdb.Error):
                self._cursor.execute("ROLLBACK")  # a transaction left open
            self._cursor.execute(f"DETACH DATABASE IF EXISTS {ALIAS}")
            self._cursor.close()
        finally:
            _GUARD.release()


def _instance() -> duckdb.DuckDBPyConnection:
    global _DB, _DB_PID
    if _DB is None or os.getpid() != _DB_PID:
        from oncometrics.config import env_setting

        threads = env_setting("threads")  # checked before DuckDB starts
        db = duckdb.connect()
        if threads:
            db.execute("SET threads = ?", [threads])
        db.execute(f"LOAD {sql_str(extension_path())}")
        _DB, _DB_PID = db, os.getpid()
    return _DB


def connect(
    root: Path | str,
    *,
    read_only: bool,
    memory_limit: str | None = None,
    temp_directory: str | Path | None = None,
    wait_s: float = CATALOG_WAIT_S,
) -> Any:
    """A connection with the store's catalog attached as ``lake`` (a LakeConnection).

    The catalog file admits one writing process or several reading ones;
    while another process holds it, this waits up to `wait_s` seconds.
    Close it promptly: in this process one catalog is attached at a time.
    """
    root = Path(root).absolute()
    _GUARD.acquire()
    try:
        cur = _instance().cursor()
        con = LakeConnection(cur)
    except BaseException:
        _GUARD.release()
        raise
    try:
        if memory_limit:
            cur.execute("SET memory_limit = ?", [memory_limit])
        if temp_directory:
            cur.execute("SET temp_directory = ?", [str(temp_directory)])
        opts = [
            f"DATA_PATH {sql_str(str(root / DATA) + os.sep)}",
            "OVERRIDE_DATA_PATH true",  # the store folder may have moved
            "DATA_INLINING_ROW_LIMIT 0",  # every row in a Parquet file (Spark)
        ]
        if read_only:
            opts.append("READ_ONLY")
        attach = (
            f"ATTACH {sql_str('ducklake:' + str(root / CATALOG))} AS {ALIAS} "
            f"({', '.join(opts)})"
        )
        _attach(cur, attach, root, wait_s)
    except BaseException:
        con.close()
        raise
    return con


def _attach(
    con: duckdb.DuckDBPyConnection, sql: str, root: Path, wait_s: float
) -> None:
    deadline = time.monotonic() + wait_s
    pause = 0.02
    while True:
        try:
            con.execute(sql)
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                first = str(exc).splitlines()[0]
                raise LakeError(f"{root}: cannot open the catalog ({first})") from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


#: Environment variable naming a step at which the process kills itself
#: (fault-injection tests only, tests/test_store_faults.py):
#: ``<step>:<n>`` kills at the n-th time the step is reached; steps are
#: ``sql`` (every statement on a catalog connection) and those named in
#: :mod:`oncometrics.store`.
CRASH_AT_ENV = "ONCOMETRICS_CRASH_AT"
#: ``INT``: send SIGINT (a Ctrl-C) instead of SIGKILL at that step, and wait
#: for it to interrupt the process there (tests/test_store_interrupt.py).
CRASH_SIGNAL_ENV = "ONCOMETRICS_CRASH_SIGNAL"
CRASH_COUNTS: dict[str, int] = {}


def crash_point(step: str) -> None:
    """SIGKILL this process at the step named by ``ONCOMETRICS_CRASH_AT``."""
    want = os.environ.get(CRASH_AT_ENV)
    if not want:
        return
    name, _, nth = want.partition(":")
    if name != step:
        return
    CRASH_COUNTS[step] = CRASH_COUNTS.get(step, 0) + 1
    if CRASH_COUNTS[step] != int(nth or 1):
        return
    if os.environ.get(CRASH_SIGNAL_ENV) == "INT":
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # the handler raises KeyboardInterrupt in this sleep
        return
    os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Snapshot:
    """One snapshot of a store: its id and each table's data files."""

    root: Path
    id: int
    files: dict[str, list[str]] = field(default_factory=dict)
    #: tables with rows deleted by a positional delete file (not yet compacted)
    deletes: frozenset[str] = frozenset()

    def has(self, table: str) -> bool:
        """Whether `table` exists in this snapshot."""
        return table in self.files


_PINS: dict[Path, Snapshot] = {}


def _key(root: Path | str) -> Path:
    return Path(root).absolute()


def pin(root: Path | str, snapshot: int | None = None) -> Snapshot:
    """Read every table of `root` at one snapshot in this process (latest: None)."""
    snap = read_snapshot(root, snapshot)
    _PINS[_key(root)] = snap
    return snap


def is_pinned(root: Path | str) -> bool:
    """Whether reads of `root` in this process are pinned to a snapshot."""
    return _key(root) in _PINS


def unpin(root: Path | str) -> None:
    """Undo :func:`pin`: reads see the latest snapshot again."""
    _PINS.pop(_key(root), None)


@contextlib.contextmanager
def pinned(root: Path | str, snapshot: int | None = None) -> Iterator[Snapshot]:
    """:func:`pin` for the duration of a ``with`` block."""
    previous = _PINS.get(_key(root))
    try:
        yield pin(root, snapshot)
    finally:
        if previous is None:
            unpin(root)
        else:
            _PINS[_key(root)] = previous


def current(root: Path | str, snapshot: int | None = None) -> Snapshot:
    """The pinned snapshot of `root`, else snapshot `snapshot` (None: latest)."""
    snap = _PINS.get(_key(root))
    if snap is not None and (snapshot is None or snapshot == snap.id):
        return snap
    return read_snapshot(root, snapshot)


def read_snapshot(root: Path | str, snapshot: int | None = None) -> Snapshot:
    """List the data files of every table at `snapshot` (None: the latest)."""
    root = _key(root)
    if not is_lake(root):
        raise LakeError(f"{root}: no store here (run `oncometrics ingest` first)")
    con = connect(root, read_only=True)
    try:
        return _list_snapshot(con, root, snapshot)
    finally:
        con.close()


def _list_snapshot(con: Any, root: Path, snapshot: int | None) -> Snapshot:
    span = con.execute(
        "SELECT min(snapshot_id), max(snapshot_id) "
        f"FROM ducklake_snapshots({sql_str(ALIAS)})"
    ).fetchone()
    first = int(span[0]) if span and span[0] is not None else 0
    last = int(span[1]) if span and span[1] is not None else 0
    sid = last if snapshot is None else int(snapshot)
    if not 0 <= sid <= last:
        raise LakeError(f"{root}: no snapshot {sid} (the latest is {last})")
    if sid < first:  # oncometrics expire-snapshots
        raise LakeError(
            f"{root}: snapshot {sid} was expired (the oldest kept is {first})"
        )
    # one query on the catalog's tables (DuckLake spec), not one call of
    # ducklake_list_files per table (25 ms each)
    m = f"__ducklake_metadata_{ALIAS}"
    live = "begin_snapshot <= $sid AND (end_snapshot IS NULL OR end_snapshot > $sid)"
    rows = con.execute(
        f"""WITH s AS (SELECT schema_id, path AS s_path, path_is_relative AS s_rel
                       FROM {m}.ducklake_schema WHERE {live}),
            t AS (SELECT table_id, schema_id, table_name, path AS t_path,
                         path_is_relative AS t_rel FROM {m}.ducklake_table WHERE {live}),
            f AS (SELECT data_file_id, table_id, path AS f_path,
                         path_is_relative AS f_rel FROM {m}.ducklake_data_file WHERE {live}),
            d AS (SELECT DISTINCT data_file_id, true AS has_deletes
                  FROM {m}.ducklake_delete_file WHERE {live})
        SELECT table_name, s_path, s_rel, t_path, t_rel, f_path, f_rel, has_deletes
        FROM t JOIN s USING (schema_id) LEFT JOIN f USING (table_id)
        LEFT JOIN d USING (data_file_id) ORDER BY table_name, f_path""",
        {"sid": sid},
    ).fetchall()
    base = str(root / DATA) + os.sep
    files: dict[str, list[str]] = {}
    deletes = set()
    for name, s_path, s_rel, t_path, t_rel, f_path, f_rel, has_deletes in rows:
        files.setdefault(name, [])
        if f_path is None:
            continue
        schema_dir = base + s_path if s_rel else s_path
        table_dir = schema_dir + t_path if t_rel else t_path
        files[name].append(table_dir + f_path if f_rel else f_path)
        if has_deletes:
            deletes.add(name)
    return Snapshot(root, sid, files, frozenset(deletes))


class WriterLock:
    """The store's one-writer lock: an exclusive ``flock`` on ``writer.lock``.

    The kernel releases it when the holding process ends, however it ends,
    so a lock left by a dead process never blocks (its PID in the file is
    only the name shown to a second writer while the first one lives).
    """

    def __init__(self, root: Path | str):
        self.path = Path(root) / LOCK
        self.fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            raise LakeError(
                f"{self.path.parent}: store in use by PID {self.holder()} "
                "(another ingest); run again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def holder(self) -> str:
        """The PID written by the process holding the lock ('?' if unknown)."""
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the flock
            self.fd = None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()
