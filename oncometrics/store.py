"""The store: canonical tables as Parquet parts under one folder.

Layout::

    STORE/manifest.json                 one entry per ingested file
    STORE/<table>/part-<sha16>.parquet  rows that file contributed
    STORE/quarantine/<source>-<sha16>.jsonl   rejected records, with reasons

Ingesting a file is all-or-nothing: rows are staged, deduplicated against
the store with DuckDB, moved into place, and only then is the file entered
in the manifest.  Parts whose file is not in the manifest (a crash between
the two steps) are removed when the store is opened, so a rerun re-reads
that file and skips those that are in.

With ``jobs > 1`` worker processes checksum, parse and stage files (rows
and quarantine under ``_staging``) while the calling process commits them
one at a time in input order: the dedup decisions, the manifest and the
messages are those of the sequential run, whatever the number of workers.

Duplicates (contract section 1): two works are the same when the first key
both carry is equal, in the order OpenAlex id, DOI, PMID, work id (a
source id such as `wos:<UT>` when a work has none of the three); patents by
publication number; trials by NCT id.  The richest record is kept: a richer
newcomer replaces the stored one, whose rows are removed from its parts.
Every read record is counted once as stored, duplicate or rejected.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing as mp
import os
import pickle
import shutil
import signal
import time
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from oncometrics.schema import DERIVED, ENTITIES, TABLES
from oncometrics.sources import SourceSpec, get_source
from oncometrics.sources.base import (
    Record,
    Reject,
    SourceError,
    _progress,
    clip,
    guarded,
)

#: Key columns used to find duplicates, in precedence order, by entity.
DEDUP_KEYS: dict[str, tuple[str, ...]] = {
    # work_id last: records with none of the ids (WoS UT / Scopus EID only)
    # are the same work when their source ids are equal
    "work": ("openalex_id", "doi", "pmid", "work_id"),
    "patent": ("patent_id",),
    "trial": ("nct_id",),
}
#: Columns of the main table giving a record's source and version date (the
#: latest version of a record wins, contract section 1); None: unversioned.
VERSION_COLS: dict[str, tuple[str, str]] = {"work": ("source", "citation_date")}
BATCH_RECORDS = 20_000
#: Also flush staged rows when this many are buffered (bounds memory).
BATCH_ROWS = 500_000
#: DuckDB memory cap for the dedup step (it spills to _staging/tmp beyond it).
DEDUP_MEMORY_LIMIT = "1GB"
#: Staged batches are read once by DuckDB: favour speed over size.
STAGING_COMPRESSION = "lz4"
MAX_LISTED_REJECTS = 20
_REC = "_rec"


class StoreError(Exception):
    """A fatal store problem (unwritable folder, corrupt manifest…)."""


@dataclass
class FileResult:
    """What ingesting one file did."""

    path: str
    source: str
    sha256: str = ""
    size: int = 0
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    replaced: int = 0
    skipped: bool = False
    error: str | None = None
    seconds: float = 0.0

    @property
    def balanced(self) -> bool:
        """True when read = stored + duplicates + rejected."""
        return self.read == self.stored + self.duplicates + self.rejected


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


def default_jobs() -> int:
    """Worker processes for a parallel ingest: the CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


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
    """A folder of canonical Parquet tables plus its manifest."""

    def __init__(self, root: Path | str, *, create: bool = True):
        self.root = Path(root)
        if not self.root.exists():
            if not create:
                raise StoreError(
                    f"{self.root}: no store here (run `oncometrics ingest` first)"
                )
            try:
                self.root.mkdir(parents=True)
            except OSError as exc:
                raise StoreError(
                    f"{self.root}: cannot create the store ({exc.strerror})"
                ) from exc
        self._recover()

    # ------------------------------------------------------------------ paths
    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.root / "manifest.json"

    def table_dir(self, table: str) -> Path:
        """The folder of one canonical table."""
        return self.root / table

    def parts(self, table: str) -> list[Path]:
        """The Parquet parts of `table` (may be empty)."""
        d = self.table_dir(table)
        return sorted(d.glob("part-*.parquet")) if d.exists() else []

    def manifest(self) -> dict[str, Any]:
        """The manifest: ``{"files": {sha256: entry}}``."""
        if not self.manifest_path.exists():
            return {"version": 1, "files": {}}
        try:
            return json.loads(self.manifest_path.read_text())  # type: ignore[no-any-return]
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"{self.manifest_path}: unreadable manifest ({exc})"
            ) from exc

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
        os.replace(tmp, self.manifest_path)

    def counts(self) -> dict[str, int]:
        """Rows per canonical table."""
        return {
            t: sum(pq.ParquetFile(p).metadata.num_rows for p in self.parts(t))
            for t in TABLES
        }

    # --------------------------------------------------------------- recovery
    def _recover(self) -> None:
        """Drop staging folders and parts of files missing from the manifest."""
        shutil.rmtree(self.root / "_staging", ignore_errors=True)
        known = {sha[:16] for sha in self.manifest().get("files", {})}
        for table in [*TABLES, *DERIVED]:
            for p in self.table_dir(table).glob("part-*"):
                tag = p.name.split("-", 2)[1].split(".")[0]
                if p.name.endswith(".tmp") or tag not in known:
                    p.unlink()

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
        files (label, total bytes).
        """
        spec = get_source(source)
        files = expand_paths(paths)
        jobs = max(1, min(jobs, len(files)))
        if jobs > 1:
            summary = self._ingest_parallel(spec, files, jobs, log, progress)
        else:
            summary = IngestSummary()
            for path in files:
                res = self.ingest_file(spec.name, path, log=log, progress=progress)
                summary.files.append(res)
        self.derive(progress=progress)  # under the bar, no message of its own
        return summary

    def derive(
        self, *, progress: Callable[[str, int], Callable[[int], None]] | None = None
    ) -> int:
        """Bring the derived tables up to date (see :mod:`oncometrics.derived`).

        Done at the end of every :meth:`ingest`; returns the parts written.
        `progress(label, total bytes)` as for :meth:`ingest`.
        """
        from oncometrics import derived

        try:
            todo = derived.plan(self.root)
            report = None
            if progress is not None and todo:
                report = progress("derived tables", derived.plan_bytes(self.root, todo))
            return derived.derive(
                self.root,
                memory_limit=DEDUP_MEMORY_LIMIT,
                temp_directory=str(self.root / "_staging" / "tmp"),
                progress=report,
            )
        except (OSError, duckdb.Error) as exc:
            raise StoreError(
                f"{self.root}: cannot write the derived tables ({exc})"
            ) from exc

    def ingest_file(
        self,
        source: str,
        path: Path,
        *,
        log: Callable[[str], None] = print,
        progress: Callable[[str, int], Callable[[int], None]] | None = None,
    ) -> FileResult:
        """Ingest one file; never raises for bad content (see FileResult.error)."""
        spec = get_source(source)
        staged = _stage_file(
            self.root,
            spec,
            path,
            0,
            self.manifest()["files"],
            log,
            (lambda size: progress(str(path), size)) if progress else None,
        )
        return self._finish(spec, staged, log)

    def _finish(
        self, spec: SourceSpec, staged: _Staged, log: Callable[[str], None]
    ) -> FileResult:
        """Commit one staged file (messages first); enter it in the manifest."""
        res = staged.res
        try:
            manifest = self.manifest()
            if res.sha256 and res.sha256 in manifest["files"] and not res.skipped:
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
            if res.skipped or not res.sha256:
                return res
            tag = res.sha256[:16]
            try:
                qdir = self.root / "quarantine"
                qdir.mkdir(parents=True, exist_ok=True)
                if res.error:
                    return res
                if staged.quarantine.exists():
                    os.replace(staged.quarantine, qdir / staged.quarantine_name)
                t0 = time.perf_counter()
                res.stored, res.duplicates, res.replaced = self._commit(
                    spec.entity, staged.staging, tag
                )
                res.seconds += time.perf_counter() - t0
            except OSError as exc:
                raise StoreError(
                    f"{self.root}: cannot write the store ({exc})"
                ) from exc
        finally:
            shutil.rmtree(staged.staging, ignore_errors=True)
            staged.quarantine.unlink(missing_ok=True)
        manifest["files"][res.sha256] = {
            k: v for k, v in asdict(res).items() if k not in ("skipped", "error")
        } | {"ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        self._write_manifest(manifest)
        return res

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
                n, mp_context=ctx, initializer=_worker_init, initargs=(done_bytes,)
            )

        def submit(to: ProcessPoolExecutor, i: int) -> Future[_Staged]:
            known = frozenset(self.manifest()["files"])
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
                    pending = deque((k, submit(pool, k)) for k, _ in pending)
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

    # -------------------------------------------------------------- dedup
    def _commit(self, entity: str, staging: Path, tag: str) -> tuple[int, int, int]:
        """Deduplicate staged rows, move them in; return stored, dups, replaced.

        One DuckDB connection does it all.  Only the stored records that share
        a key value with a staged one can be duplicates of it, so only those
        are read into memory (one streaming scan of the stored key columns).
        """
        main, key, children = ENTITIES[entity]
        keys = DEDUP_KEYS[entity]
        staged_main = sorted((staging / main).glob("*.parquet"))
        existing = self.parts(main)
        moved: list[tuple[Path, Path]] = []
        con = duckdb.connect()
        try:
            con.execute(f"SET temp_directory='{self.root / '_staging' / 'tmp'}'")
            con.execute(f"SET memory_limit='{DEDUP_MEMORY_LIMIT}'")
            if not staged_main:
                return 0, 0, 0
            src, ver = VERSION_COLS.get(entity, ("NULL", "NULL"))
            version = f"{src}::VARCHAR AS src, {ver}::VARCHAR AS ver"
            con.execute(
                f"CREATE TEMP TABLE new AS SELECT {_REC}, {key} AS k, richness, "
                f"{version}, {', '.join(keys)} FROM read_parquet({_list(staged_main)})"
            )
            if existing:
                shares_a_key = " OR ".join(
                    f"{k} IN (SELECT {k} FROM new WHERE {k} IS NOT NULL)" for k in keys
                )
                con.execute(
                    f"CREATE TEMP TABLE old AS SELECT {key} AS k, richness, "
                    f"{version}, {', '.join(keys)} FROM read_parquet({_list(existing)}) "
                    f"WHERE {shares_a_key}"
                )
            else:
                con.execute("CREATE TEMP TABLE old AS SELECT * FROM new WHERE false")
                con.execute(f"ALTER TABLE old DROP COLUMN {_REC}")
            n_replaced, n_new, n_dup = _decide(con, keys)
            for table in TABLES:
                files = sorted((staging / table).glob("*.parquet"))
                if not files:
                    continue
                target = self.table_dir(table) / f"part-{tag}.parquet"
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(target.name + ".tmp")
                where = (
                    f"WHERE {_REC} IN (SELECT {_REC} FROM keep)"
                    if table == main or table in children
                    else ""
                )
                con.execute(
                    f"COPY (SELECT * EXCLUDE ({_REC}) FROM read_parquet({_list(files)}) "
                    f"{where}) TO '{tmp}' (FORMAT PARQUET, COMPRESSION ZSTD)"
                )
                moved.append((tmp, target))
            if n_replaced:
                self._remove_keys(con, main, key, children)
        finally:
            con.close()
        for tmp, target in moved:
            os.replace(tmp, target)
        return n_new, n_dup, n_replaced

    def _remove_keys(
        self,
        con: duckdb.DuckDBPyConnection,
        main: str,
        key: str,
        children: tuple[str, ...],
    ) -> None:
        """Rewrite existing parts without the rows of superseded records.

        The keys are in `con`'s ``replaced`` table (see :func:`_decide`).
        """
        for table in (main, *children):
            col = key if table == main else ENTITIES_KEY_COL.get(table, key)
            parts = self.parts(table)
            if not parts:
                continue
            hit = {
                Path(row[0])
                for row in con.execute(
                    f"SELECT DISTINCT filename FROM read_parquet({_list(parts)}, "
                    f"filename=true) WHERE {col} IN (SELECT k FROM replaced)"
                ).fetchall()
            }
            for part in parts:
                if part not in hit:
                    continue
                tmp = part.with_name(part.name + ".tmp")
                con.execute(
                    f"COPY (SELECT * FROM read_parquet('{part}') WHERE {col} NOT IN "
                    f"(SELECT k FROM replaced)) TO '{tmp}' (FORMAT PARQUET, COMPRESSION ZSTD)"
                )
                os.replace(tmp, part)


@dataclass
class _Staged:
    """A file parsed and staged, waiting for its commit (see Store._finish)."""

    res: FileResult
    staging: Path
    #: the staged quarantine (moved to ``quarantine/<name>`` at commit)
    quarantine: Path
    quarantine_name: str
    #: messages not yet logged (a worker's, logged in input order at commit)
    logs: list[str] = field(default_factory=list)


def _stage_file(
    root: Path,
    spec: SourceSpec,
    path: Path,
    index: int,
    known: Container[str],
    log: Callable[[str], None],
    progress: Callable[[int], Callable[[int], None] | None] | None,
) -> _Staged:
    """Checksum, parse and stage one file (no store change); `known`: manifest.

    Staged rows go to ``_staging/<index>-<sha16>/``, rejects to a staged
    quarantine file next to it.  Never raises for bad content (the error is
    in ``res.error`` and logged); raises StoreError when it cannot write.
    """
    res = FileResult(path=str(path), source=spec.name)
    t0 = time.perf_counter()
    staging = root / "_staging" / f"{index:06d}"
    staged = _Staged(res, staging, staging.with_suffix(".quarantine.jsonl"), "")
    try:
        res.size = path.stat().st_size
        res.sha256 = sha256_of(path)
    except OSError as exc:
        res.error = f"{path}: cannot read ({exc.strerror or exc})"
        log(res.error)
        return staged
    if res.sha256 in known:
        res.skipped = True
        log(f"{path}: already in the store (same checksum), skipped")
        return staged
    tag = res.sha256[:16]
    staged.staging = staging = root / "_staging" / f"{index:06d}-{tag}"
    staged.quarantine = qstaged = staging.with_suffix(".quarantine.jsonl")
    staged.quarantine_name = f"{spec.name}-{tag}.jsonl"
    qpath = root / "quarantine" / staged.quarantine_name
    shutil.rmtree(staging, ignore_errors=True)
    writer = _StagingWriter(staging, tag)
    listed = 0
    token = _progress.set(progress(res.size) if progress else None)
    ok = False
    try:
        staging.parent.mkdir(parents=True, exist_ok=True)
        with open(qstaged, "w", encoding="utf-8") as qfh:
            last_no = 0
            res.read = fast = _fast_stage(spec.name, path, staging)
            try:
                for item in () if fast else guarded(spec.parser()(path), path):
                    res.read += 1
                    last_no = item.record_no
                    if isinstance(item, Reject):
                        res.rejected += 1
                        _quarantine(qfh, path, item)
                        if listed < MAX_LISTED_REJECTS:
                            log(f"{path}: record {item.record_no}: {item.reason}")
                        listed += 1
                    else:
                        writer.add(item)
            except SourceError as exc:
                if res.read == 0:
                    res.error = str(exc)
                    log(res.error)
                    return staged
                res.read += 1
                res.rejected += 1
                listed += 1
                _quarantine(qfh, path, Reject(last_no + 1, exc.message))
                log(f"{path}: record {last_no + 1}: {exc.message}")
            if listed > MAX_LISTED_REJECTS:
                log(
                    f"{path}: … {listed - MAX_LISTED_REJECTS} more rejected records, "
                    f"see {qpath}"
                )
        writer.close()
        if res.read == 0:
            res.error = f"{path}: empty input, no records found"
            log(res.error)
            return staged
        ok = True
    except OSError as exc:
        raise StoreError(f"{root}: cannot write the store ({exc})") from exc
    finally:
        _progress.reset(token)
        if not ok:
            shutil.rmtree(staging, ignore_errors=True)
        if qstaged.exists() and (not ok or qstaged.stat().st_size == 0):
            qstaged.unlink()
    res.seconds = time.perf_counter() - t0
    return staged


#: Bytes read per file, shared with the parent (set in each worker process).
_DONE_BYTES: Any = None


def _worker_init(done_bytes: Any) -> None:
    """A staging worker: Ctrl-C is the parent's to handle."""
    global _DONE_BYTES
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _DONE_BYTES = done_bytes


def _stage_job(
    root: Path, spec: SourceSpec, path: Path, index: int, known: frozenset[str]
) -> _Staged:
    """`_stage_file` in a worker: messages are kept for the parent to log."""
    logs: list[str] = []
    shared = _DONE_BYTES

    def report(n: int) -> None:
        shared[index] = n

    try:
        staged = _stage_file(
            root,
            spec,
            path,
            index,
            known,
            logs.append,
            (lambda _size: report) if shared is not None else None,
        )
    except StoreError:
        raise
    except Exception as exc:  # a parser bug: the parent re-raises it
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            raise RuntimeError(f"{type(exc).__name__}: {exc}") from None
        raise
    staged.logs = logs
    return staged


def _stage_alone(
    solo: ProcessPoolExecutor,
    submit: Callable[[ProcessPoolExecutor, int], Future[_Staged]],
    i: int,
    path: Path,
) -> _Staged:
    """Stage file `i` in a worker of its own (after a worker died)."""
    try:
        return submit(solo, i).result()
    except BrokenProcessPool as exc:
        raise StoreError(
            f"{path}: the worker process reading this file stopped unexpectedly ({exc})"
        ) from None
    finally:
        solo.shutdown(wait=True)


#: Child tables whose key column differs from the entity key name.
ENTITIES_KEY_COL: dict[str, str] = {}


def _fast_stage(source: str, path: Path, staging: Path) -> int:
    """Records staged by the DuckDB fast path (0: use the Python parser)."""
    if source != "openalex" or not _env_flag("ONCOMETRICS_FAST_INGEST"):
        return 0
    from oncometrics.sources.openalex_duckdb import stage

    shutil.rmtree(staging, ignore_errors=True)
    done = stage(path, staging)
    if done is None:
        shutil.rmtree(staging, ignore_errors=True)
    return done.read if done else 0


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _list(files: list[Path]) -> str:
    return "[" + ", ".join(f"'{f}'" for f in files) + "]"


def _pair_matches(keys: tuple[str, ...], a: str, b: str) -> list[tuple[str, str]]:
    """Per key: (equi-join condition, extra filter) for `a` ~ `b` on that key.

    Two records match on key i when both carry it, it is equal, and for every
    key before i at least one of them lacks it ("the first key both carry").
    """
    out = []
    for i, k in enumerate(keys):
        extra = " AND ".join(f"({a}.{p} IS NULL OR {b}.{p} IS NULL)" for p in keys[:i])
        out.append((f"{a}.{k} = {b}.{k}", extra or "true"))
    return out


#: SQL: the best new record of a group beats the stored one (`_decide`):
#: a later version date; same date, other source: richer; else file order.
_BEATS_STORED = """coalesce(CASE
    WHEN ver IS DISTINCT FROM old_ver THEN old_ver IS NULL OR ver > old_ver
    WHEN src IS DISTINCT FROM old_src AND richness <> old_richness
        THEN richness > old_richness
    ELSE true END, false)"""


def _decide(
    con: duckdb.DuckDBPyConnection, keys: tuple[str, ...]
) -> tuple[int, int, int]:
    """Which staged records to keep, which stored keys they replace, counts.

    Leaves temp tables ``keep`` (``_rec`` of the records to store) and
    ``replaced`` (``k``: stored keys superseded) in `con`; returns the number
    of replaced keys, of records stored and of duplicates.
    """
    # Each new record's match in the store (if any) and its earliest earlier
    # match within the same file (if any); equi-joins only, one per key.
    old_hits = " UNION ALL ".join(
        f"SELECT n.{_REC}, {i} AS prec, any_value(o.k) AS old_k, "
        f"any_value(o.richness) AS old_richness, any_value(o.src) AS old_src, "
        f"any_value(o.ver) AS old_ver FROM new n JOIN old o ON {on} "
        f"WHERE {extra} GROUP BY n.{_REC}"
        for i, (on, extra) in enumerate(_pair_matches(keys, "n", "o"))
    )
    new_hits = " UNION ALL ".join(
        f"SELECT n.{_REC}, min(p.{_REC}) AS first_rec FROM new n JOIN new p ON {on} "
        f"WHERE p.{_REC} < n.{_REC} AND {extra} GROUP BY n.{_REC}"
        for on, extra in _pair_matches(keys, "n", "p")
    )
    con.execute(
        f"""CREATE TEMP TABLE m AS
        WITH oh AS (SELECT {_REC}, arg_min(old_k, prec) AS old_k,
                           arg_min(old_richness, prec) AS old_richness,
                           arg_min(old_src, prec) AS old_src,
                           arg_min(old_ver, prec) AS old_ver
                    FROM ({old_hits}) GROUP BY {_REC}),
             nh AS (SELECT {_REC}, min(first_rec) AS first_rec
                    FROM ({new_hits}) GROUP BY {_REC})
        SELECT n.{_REC}, n.k, n.richness, n.src, n.ver, oh.old_k, oh.old_richness,
               oh.old_src, oh.old_ver, nh.first_rec
        FROM new n LEFT JOIN oh USING ({_REC}) LEFT JOIN nh USING ({_REC})"""
    )
    # Point every record at the root of its chain of in-file matches.
    for _ in range(64):
        changed = con.execute(
            f"""UPDATE m SET first_rec = r.first_rec FROM m r
            WHERE m.first_rec = r.{_REC} AND r.first_rec IS NOT NULL"""
        ).fetchone()
        if not changed or not changed[0]:
            break
    # A group is one stored record or one first-seen record of this file
    # (with every record chained to it).  The latest version wins (version
    # date, e.g. OpenAlex updated_date); between different sources the
    # richest breaks a tie; then file order: the last one wins (contract 1).
    con.execute(
        f"""CREATE TEMP TABLE g AS
        SELECT m.{_REC}, m.k, m.richness, m.src, m.ver,
               coalesce(m.old_k, r.old_k) AS old_k,
               coalesce(m.old_richness, r.old_richness) AS old_richness,
               coalesce(m.old_src, r.old_src) AS old_src,
               coalesce(m.old_ver, r.old_ver) AS old_ver,
               coalesce('old:' || m.old_k, 'old:' || r.old_k,
                        'rec:' || coalesce(m.first_rec, m.{_REC})) AS grp
        FROM m LEFT JOIN m r ON r.{_REC} = m.first_rec"""
    )
    con.execute(
        f"""CREATE TEMP TABLE ranked AS
        SELECT *, row_number() OVER (PARTITION BY grp ORDER BY ver DESC NULLS LAST,
                   CASE WHEN n_src > 1 THEN richness END DESC NULLS LAST,
                   {_REC} DESC) AS rn
        FROM (SELECT *, count(DISTINCT src) OVER (PARTITION BY grp) AS n_src
              FROM g)"""
    )
    wins = _BEATS_STORED
    con.execute(
        f"""CREATE TEMP TABLE keep AS SELECT {_REC} FROM ranked
        WHERE rn = 1 AND (old_k IS NULL OR {wins})"""
    )
    con.execute(
        f"""CREATE TEMP TABLE replaced AS SELECT DISTINCT old_k AS k FROM ranked
        WHERE rn = 1 AND old_k IS NOT NULL AND {wins}"""
    )
    n_replaced = con.execute("SELECT count(*) FROM replaced").fetchone()
    n_groups_new = con.execute(
        "SELECT count(DISTINCT grp) FROM g WHERE old_k IS NULL"
    ).fetchone()
    total = con.execute("SELECT count(*) FROM new").fetchone()
    stored = int(n_groups_new[0]) if n_groups_new else 0
    n = int(total[0]) if total else 0
    return int(n_replaced[0]) if n_replaced else 0, stored, n - stored


def _quarantine(fh: Any, path: Path, rej: Reject) -> None:
    fh.write(
        json.dumps(
            {
                "file": str(path),
                "record_no": rej.record_no,
                "reason": rej.reason,
                "raw": clip(rej.raw),
            },
            ensure_ascii=False,
        )
        + "\n"
    )


class _StagingWriter:
    """Buffers parsed rows and writes them as staged Parquet batches.

    Rows are kept as the parser made them (dicts by column name, or tuples in
    schema column order, see :mod:`oncometrics.sources.base`) with a parallel
    list of record numbers, and converted to Arrow in one C-level call per
    table (a struct array).  A batch is written every `BATCH_RECORDS` records
    or `BATCH_ROWS` buffered rows, whichever comes first, which bounds memory.
    """

    def __init__(self, staging: Path, tag: str):
        self.staging = staging
        self.tag = tag
        self.buf: dict[str, tuple[list[Any], list[int]]] = {}
        self.n_records = 0
        self.n_rows = 0
        self.batch = 0

    def add(self, rec: Record) -> None:
        no, buf, n = rec.record_no, self.buf, 0
        for table, rows in rec.rows.items():
            if not rows:
                continue
            dest = buf.get(table)
            if dest is None:
                if table not in TABLES:
                    raise ValueError(f"parser emitted rows for unknown table {table!r}")
                dest = buf[table] = ([], [])
            dest[0].extend(rows)
            dest[1].extend([no] * len(rows))
            n += len(rows)
        self.n_records += 1
        self.n_rows += n
        if self.n_records % BATCH_RECORDS == 0 or self.n_rows >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        for table, (rows, recs) in self.buf.items():
            d = self.staging / table
            d.mkdir(parents=True, exist_ok=True)
            pq.write_table(
                _to_table(table, rows, recs),
                d / f"b{self.batch:06d}.parquet",
                compression=STAGING_COMPRESSION,
                use_dictionary=False,
                write_statistics=False,
            )
        self.buf = {}
        self.n_rows = 0
        self.batch += 1

    def close(self) -> None:
        self.flush()


def _to_table(table: str, rows: list[Any], recs: list[int]) -> pa.Table:
    """Rows of `table` (dicts or schema-ordered tuples) plus the record column.

    Converted as one struct array (missing dict keys are null), about three
    times less CPU than building Python lists per column.
    """
    schema = TABLES[table]
    struct = pa.struct(list(schema))
    try:
        arr = pa.array(rows, type=struct)
    except pa.ArrowTypeError:  # dicts and tuples mixed: name every value
        names = schema.names
        rows = [
            r if type(r) is dict else dict(zip(names, r, strict=True)) for r in rows
        ]
        arr = pa.array(rows, type=struct)
    out = pa.Table.from_struct_array(arr)
    return out.append_column(pa.field(_REC, pa.int64()), pa.array(recs, pa.int64()))


@contextlib.contextmanager
def opened(root: Path | str) -> Iterator[Store]:
    """An existing store (raises StoreError when there is none)."""
    yield Store(root, create=False)
