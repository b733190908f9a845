"""The store: canonical tables in a DuckLake catalog (docs/store.md).

Ingesting a file is all-or-nothing: its rows are staged
(:mod:`oncometrics.store_stage`), then deduplicated against the store and
written in one DuckLake transaction together with its entry in
``ingested_files`` (:mod:`oncometrics.store_commit`).  A crash at any
instant leaves the store as it was before that file or after it; a rerun
re-reads the files not in ``ingested_files`` and skips the others.  One
process writes at a time (``writer.lock``); readers list the data files of
one snapshot (:func:`snapshot`, :func:`table_files`) and are never blocked
for longer than a commit.

With ``jobs > 1`` worker processes checksum, parse and stage files (rows
and quarantine under ``_staging``) while the calling process commits them
one at a time in input order: the dedup decisions, the entries and the
messages are those of the sequential run, whatever the number of workers.
Every read record is counted once as stored, duplicate or rejected.

A store of the old format (``manifest.json`` and ``<table>/part-*.parquet``)
is converted when first opened (:func:`_migrate`), in one transaction.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from oncometrics import derived, lake
from oncometrics.lake import ALIAS, FILES_TABLE, LakeError, Snapshot, crash_point
from oncometrics.schema import DERIVED, TABLES
from oncometrics.sources import SourceSpec, get_source
from oncometrics.store_commit import (
    DEDUP_KEYS,
    commit_file,
    compact,
    create_all,
    create_missing,
)
from oncometrics.store_migrate import (
    _complete,
    _create_empty,
    _legacy,
    _locked,
    _migrate,
)
from oncometrics.store_stage import (
    _REC,
    BATCH_RECORDS,
    BATCH_ROWS,
    FileResult,
    StoreError,
    _stage_alone,
    _stage_file,
    _stage_job,
    _Staged,
    _worker_init,
    sha256_of,
)

__all__ = [
    "BATCH_RECORDS",
    "BATCH_ROWS",
    "DEDUP_KEYS",
    "_REC",
    "FileResult",
    "IngestSummary",
    "Store",
    "StoreError",
    "_stage_file",
    "sha256_of",
    "snapshot",
    "snapshot_id",
    "table_files",
]

#: DuckDB memory cap for the dedup step (it spills to _staging/tmp beyond it).
DEDUP_MEMORY_LIMIT = "1GB"


@dataclass
class IngestSummary:
    """Totals over the files of one ``ingest`` call."""

    files: list[FileResult] = field(default_factory=list)

    def total(self, attr: str) -> int:
        """Sum of `attr` over files."""
        return sum(getattr(f, attr) for f in self.files)

    @property
    def errors(self) -> list[FileResult]:
        """Files that could not be read in full."""
        return [f for f in self.files if f.error]

    def line(self) -> str:
        """The one-line summary: read = stored + duplicates + rejected."""
        r, s, d, j = (
            self.total(a) for a in ("read", "stored", "duplicates", "rejected")
        )
        ok = "" if r == s + d + j else "  (MISMATCH)"
        skipped = sum(f.skipped for f in self.files)
        extra = f"; {skipped} file(s) already in the store" if skipped else ""
        return (
            f"read {r:,} = stored {s:,} + duplicates {d:,} + rejected {j:,}{ok}"
            f" from {len(self.files)} file(s){extra}"
        )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, with folders expanded recursively (sorted, hidden skipped).

    Inside a folder, names starting with ``.`` or ``_`` are skipped (the
    Hadoop convention: ``_state.json`` of a fetch, ``_SUCCESS`` markers).
    A folder that cannot be listed, or an input that is not a regular file
    (``/dev/zero``, a FIFO: reading it would hang), raises ValueError.
    """
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(_folder_files(p)))
        elif p.exists() and not p.is_file():
            raise ValueError(f"{p}: not a regular file (a device, FIFO or socket)")
        else:
            out.append(p)
    return out


def _folder_files(root: Path) -> Iterator[Path]:
    """Regular files under `root` (not hidden); ValueError on an unreadable folder."""

    def fail(exc: OSError) -> None:
        where = exc.filename or root
        raise ValueError(f"{where}: cannot read the folder ({exc.strerror or exc})")

    for folder, dirs, files in os.walk(root, onerror=fail):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in files:
            if name.startswith((".", "_")):
                continue
            f = Path(folder) / name
            if f.is_file():
                yield f
            elif f.exists():
                raise ValueError(f"{f}: not a regular file (a device, FIFO or socket)")


class Store:
    """A folder holding a DuckLake catalog of the canonical tables."""

    def __init__(self, root: Path | str, *, create: bool = True):
        self.root = Path(root)
        self._known: set[str] = set()
        if _legacy(self.root):
            _migrate(self.root)
        if not _complete(self.root):
            if not create:
                raise StoreError(
                    f"{self.root}: no store here (run `oncometrics ingest` first)"
                )
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{self.root}: cannot create the store ({exc.strerror})"
                ) from exc
            with _locked(self.root):
                if not _complete(self.root):
                    try:
                        _create(self.root)
                    except (LakeError, OSError, duckdb.Error) as exc:
                        first = str(exc).splitlines()[0]
                        raise StoreError(
                            f"{self.root}: cannot write the store ({first})"
                        ) from None

    # ------------------------------------------------------------------ reads
    def connect(self, *, read_only: bool = False) -> contextlib.closing[Any]:
        """A DuckDB connection with the catalog attached as ``lake`` (closing)."""
        try:
            con = lake.connect(
                self.root,
                read_only=read_only,
                memory_limit=DEDUP_MEMORY_LIMIT,
                temp_directory=self.root / "_staging" / "tmp",
            )
        except LakeError as exc:
            raise StoreError(str(exc)) from None
        return contextlib.closing(con)

    def snapshot(self, snapshot: int | None = None) -> Snapshot:
        """The data files of every table at `snapshot` (None: pinned or latest)."""
        return _snap(self.root, snapshot)

    def snapshot_id(self) -> int:
        """The latest snapshot (or the pinned one, see :func:`lake.pin`)."""
        return self.snapshot().id

    def table_dir(self, table: str) -> Path:
        """The folder of one table's data files."""
        return self.root / lake.DATA / "main" / table

    def parts(self, table: str) -> list[Path]:
        """The data files of `table` in the current snapshot (may be empty)."""
        return [Path(f) for f in self.snapshot().files.get(table, [])]

    def manifest(self, snapshot: int | None = None) -> dict[str, Any]:
        """The ingested files: ``{"files": {sha256: entry}}`` at a snapshot."""
        return read_manifest(self.root, snapshot)

    def counts(self) -> dict[str, int]:
        """Rows per canonical table."""
        with self.connect(read_only=True) as con:
            return {
                t: int(con.execute(f"SELECT count(*) FROM {ALIAS}.{t}").fetchone()[0])  # type: ignore[index]
                for t in TABLES
            }

    # ----------------------------------------------------------------- ingest
    def ingest(
        self,
        source: str,
        paths: Iterable[Path],
        *,
        log: Callable[[str], None] = print,
        progress: Callable[[str, int], Callable[[int], None]] | None = None,
        jobs: int = 1,
    ) -> IngestSummary:
        """Ingest every file in `paths` with the `source` parser.

        `log` receives one-line messages (errors name the file and record);
        `progress(path, size)` may return a callback fed with bytes read.
        With ``jobs > 1`` (and more than one file) up to `jobs` worker
        processes parse and stage files while this process commits them one
        at a time in input order, so the store, the counts and the messages
        are those of ``jobs=1``; `progress` is then called once for all
        files (label, total bytes).  Raises StoreError when another process
        is writing to the store.
        """
        spec = get_source(source)
        files = expand_paths(paths)
        jobs = max(1, min(jobs, len(files)))
        with _locked(self.root):
            self._recover()
            self._known = set(self.manifest()["files"])
            if jobs > 1:
                return self._ingest_parallel(spec, files, jobs, log, progress)
            summary = IngestSummary()
            for path in files:
                summary.files.append(
                    self._ingest_one(spec, path, log=log, progress=progress)
                )
            return summary

    def derive(self, **_: Any) -> int:
        """Derived tables are written by each commit; rebuild missing ones.

        Returns the number of derived tables rebuilt (0 when none was missing).
        """
        missing = [t for t in derived.SOURCES if not derived_complete(self.root, t)]
        if not missing:
            return 0
        with lake.WriterLock(self.root), self.connect() as con:
            con.execute("BEGIN")
            create_missing(con)
            derived.rebuild(con)
            con.execute("COMMIT")
        return len(missing)

    def ingest_file(
        self,
        source: str,
        path: Path,
        *,
        log: Callable[[str], None] = print,
        progress: Callable[[str, int], Callable[[int], None]] | None = None,
    ) -> FileResult:
        """Ingest one file; never raises for bad content (see FileResult.error)."""
        with _locked(self.root):
            self._recover()
            self._known = set(self.manifest()["files"])
            return self._ingest_one(
                get_source(source), path, log=log, progress=progress
            )

    def _ingest_one(
        self,
        spec: SourceSpec,
        path: Path,
        *,
        log: Callable[[str], None],
        progress: Callable[[str, int], Callable[[int], None]] | None,
    ) -> FileResult:
        staged = _stage_file(
            self.root,
            spec,
            path,
            0,
            self._known,
            log,
            (lambda size: progress(str(path), size)) if progress else None,
        )
        return self._finish(spec, staged, log)

    def _recover(self, *, staging: bool = True) -> None:
        """Under the writer lock: drop staging, orphan data files, delete files."""
        if staging:
            shutil.rmtree(self.root / "_staging", ignore_errors=True)
        snap = lake.read_snapshot(self.root)
        with self.connect() as con:
            con.execute(
                "CALL ducklake_delete_orphaned_files(?, cleanup_all => true)", [ALIAS]
            )
            if snap.deletes:  # a crash between a commit and its compaction
                compact(con, sorted(snap.deletes))

    def _finish(
        self, spec: SourceSpec, staged: _Staged, log: Callable[[str], None]
    ) -> FileResult:
        """Commit one staged file (messages first)."""
        res = staged.res
        try:
            if res.sha256 and res.sha256 in self._known and not res.skipped:
                # an earlier file of this run had the same content: what a
                # sequential run would have done without reading it
                res = FileResult(
                    path=res.path,
                    source=res.source,
                    sha256=res.sha256,
                    size=res.size,
                    skipped=True,
                )
                staged.logs = [
                    f"{res.path}: already in the store (same checksum), skipped"
                ]
            for message in staged.logs:
                log(message)
            if res.skipped or not res.sha256 or res.error:
                return res
            try:
                qdir = self.root / "quarantine"
                qdir.mkdir(parents=True, exist_ok=True)
                if staged.quarantine.exists():
                    os.replace(staged.quarantine, qdir / staged.quarantine_name)
                self._commit(spec, staged)
            except (OSError, duckdb.Error) as exc:
                first = str(exc).splitlines()[0]
                raise StoreError(
                    f"{self.root}: cannot write the store ({first})"
                ) from exc
        finally:
            shutil.rmtree(staged.staging, ignore_errors=True)
            staged.quarantine.unlink(missing_ok=True)
        self._known.add(res.sha256)
        return res

    def _commit(self, spec: SourceSpec, staged: _Staged) -> None:
        """One transaction: rows, derived tables and the file's entry."""
        res = staged.res
        t0 = time.perf_counter()
        entry = {k: v for k, v in asdict(res).items() if k not in ("skipped", "error")}
        entry["ingested_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        crash_point("begin")
        with self.connect() as con:
            con.execute("BEGIN")
            _, _, touched = commit_file(con, spec.entity, staged.staging, entry)
            crash_point("before-commit")
            con.execute(
                "CALL ducklake_set_commit_message(?, 'oncometrics', ?)",
                [ALIAS, f"ingest {res.path}"],
            )
            con.execute("COMMIT")
            crash_point("after-commit")
            if touched:
                compact(con, touched)
                crash_point("after-compact")
        res.stored, res.duplicates, res.replaced = (
            entry["stored"], entry["duplicates"], entry["replaced"]
        )  # fmt: skip
        res.seconds += time.perf_counter() - t0

    def _ingest_parallel(
        self,
        spec: SourceSpec,
        files: list[Path],
        jobs: int,
        log: Callable[[str], None],
        progress: Callable[[str, int], Callable[[int], None]] | None,
    ) -> IngestSummary:
        """`jobs` processes stage files; this one commits them in input order.

        At most ``2 * jobs`` files are staged or being staged at a time (on
        disk under ``_staging``), at most `jobs` of them in memory.  When a
        worker dies (killed, out of memory) the file being committed next is
        staged again alone, so that the error names the file that kills it.
        """
        summary = IngestSummary()
        # spawn, not fork: this process holds DuckDB (and maybe rich) threads
        ctx = mp.get_context("spawn")
        done_bytes = ctx.Array("q", len(files), lock=False)
        sizes = []
        for f in files:
            try:
                sizes.append(f.stat().st_size)
            except OSError:
                sizes.append(0)
        report = (
            progress(f"{len(files)} files, {jobs} jobs", sum(sizes))
            if progress
            else None
        )

        def new_pool(n: int) -> ProcessPoolExecutor:
            return ProcessPoolExecutor(
                n,
                mp_context=ctx,
                initializer=_worker_init,
                initargs=(done_bytes, os.getpid()),
            )

        def submit(to: ProcessPoolExecutor, i: int) -> Future[_Staged]:
            known = frozenset(self._known)
            return to.submit(_stage_job, self.root, spec, files[i], i, known)

        pool = new_pool(jobs)
        pending: deque[tuple[int, Future[_Staged]]] = deque()
        todo = iter(range(len(files)))
        try:
            for i in todo:
                pending.append((i, submit(pool, i)))
                if len(pending) == 2 * jobs:
                    break
            while pending:
                i, job = pending[0]
                while not wait([job], timeout=0.2).done:
                    if report is not None:
                        report(sum(done_bytes))
                try:
                    staged = job.result()
                except BrokenProcessPool:
                    pool.shutdown(wait=True, cancel_futures=True)
                    staged = _stage_alone(new_pool(1), submit, i, files[i])
                    pool = new_pool(jobs)
                    # the others again; not file i, staged just now (staging it
                    # twice at once would remove what its commit reads)
                    rest = [(k, submit(pool, k)) for k, _ in list(pending)[1:]]
                    pending = deque([(i, job), *rest])
                pending.popleft()
                done_bytes[i] = sizes[i]
                summary.files.append(self._finish(spec, staged, log))
                if report is not None:
                    report(sum(done_bytes))
                for k in todo:
                    pending.append((k, submit(pool, k)))
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            for _, job in pending:
                if job.done() and not job.cancelled() and job.exception() is None:
                    staged = job.result()
                    shutil.rmtree(staged.staging, ignore_errors=True)
                    staged.quarantine.unlink(missing_ok=True)
        return summary


def default_jobs() -> int:
    """Worker processes for a parallel ingest: the CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def snapshot(root: Path | str, snapshot: int | None = None) -> Snapshot:
    """The data files of every table of the store at `root` (see lake.current).

    A store of the old format is converted first (:class:`Store`).
    """
    if not lake.is_lake(root):
        Store(root, create=False)
    snap = _snap(Path(root), snapshot)
    deadline = time.monotonic() + lake.CATALOG_WAIT_S
    free = snapshot is None and not lake.is_pinned(root)
    while snap.deletes and free and time.monotonic() < deadline:
        # the latest commit deleted rows and is not compacted yet: the writer
        # does it next, or (it died) this process does it
        with contextlib.suppress(StoreError), _locked(Path(root)):
            Store(root, create=False)._recover(staging=False)
        time.sleep(0.05)
        snap = _snap(Path(root), snapshot)
    return snap


def pin(root: Path | str, snapshot_pin: int | None = None) -> Snapshot:
    """Make every read of `root` in this process use one snapshot (see lake.pin).

    `snapshot_pin` None: the latest.  Returns the snapshot (its ``id`` is what
    outputs record).  A store of the old format is converted first.
    """
    snapshot(root)  # converts, or raises "no store here"
    try:
        return lake.pin(root, snapshot_pin)
    except LakeError as exc:
        raise StoreError(str(exc)) from None


def unpin(root: Path | str) -> None:
    """Undo :func:`pin`."""
    lake.unpin(root)


def snapshot_id(root: Path | str, snapshot_pin: int | None = None) -> int:
    """The id of the snapshot reads of `root` see (pinned, else the latest)."""
    return snapshot(root, snapshot_pin).id


def table_files(
    root: Path | str, table: str, snapshot_pin: int | None = None
) -> list[str]:
    """The Parquet data files of `table` at a snapshot (None: pinned or latest).

    Every row of the table is in exactly these files (no inlined rows, no
    delete files), so any engine (DuckDB, Spark on a cluster) can read them.
    """
    snap = snapshot(root, snapshot_pin)
    if table in snap.deletes:
        raise StoreError(
            f"{snap.root}: snapshot {snap.id} has deleted rows of {table} not "
            "yet compacted; use a later snapshot"
        )
    return list(snap.files.get(table, []))


def read_manifest(root: Path | str, snapshot_pin: int | None = None) -> dict[str, Any]:
    """The ingested files of the store at `root`: ``{"files": {sha: entry}}``.

    A folder without a catalog but with an old ``manifest.json`` (indicator
    folders copied with one) gives that file's content.
    """
    root = Path(root)
    if not lake.is_lake(root):
        legacy = root / "manifest.json"
        if legacy.exists():
            import json

            return json.loads(legacy.read_text())  # type: ignore[no-any-return]
        return {"files": {}}
    sid = snapshot(root, snapshot_pin).id
    try:
        con = lake.connect(root, read_only=True)
    except LakeError as exc:
        raise StoreError(str(exc)) from None
    with contextlib.closing(con):
        cur = con.execute(
            f"SELECT * FROM {ALIAS}.{FILES_TABLE} AT (VERSION => ?) ORDER BY ingested_at, path",
            [sid],
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {"version": 2, "snapshot": sid, "files": {r["sha256"]: r for r in rows}}


def _snap(root: Path, snapshot_pin: int | None) -> Snapshot:
    try:
        return lake.current(root, snapshot_pin)
    except LakeError as exc:
        raise StoreError(str(exc)) from None


def _create(root: Path) -> None:
    """A new catalog with every table, in one transaction (under the lock)."""
    _create_empty(root)  # a creation that never committed
    con = lake.connect(root, read_only=False)
    with contextlib.closing(con):
        con.execute("BEGIN")
        create_all(con)
        con.execute("COMMIT")


def derived_complete(root: Path | str, table: str = derived.COUNTRY_WEIGHTS) -> bool:
    """Whether derived `table` (and the derived tables it needs) is in the store.

    True for a store without the links it is derived from (nothing to derive);
    read at the pinned snapshot of `root` (:func:`oncometrics.lake.pin`).
    """
    snap = snapshot(root)
    if not snap.files.get(derived.SOURCES[table][0]):
        return True  # no links: nothing to derive
    need = (table, *derived.SOURCES[table])
    return all(snap.has(t) for t in need if t in DERIVED)


def drop_derived(root: Path | str, tables: list[str]) -> None:
    """Remove derived `tables` from the store (a store of an older version)."""
    st = Store(root, create=False)
    with lake.WriterLock(st.root), st.connect() as con:
        for t in tables:
            con.execute(f"DROP TABLE IF EXISTS {ALIAS}.{t}")
