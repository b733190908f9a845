"""Staging: checksum, parse and write one file's rows under ``_staging``.

Nothing here changes the store: :mod:`oncometrics.store` commits what is
staged.  With ``jobs > 1`` this runs in worker processes, which end with
the process that started them (:func:`_worker_init`).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import pickle
import shutil
import signal
import sys
import time
from collections.abc import Callable, Container
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from oncometrics.errors import OncometricsError
from oncometrics.schema import TABLES
from oncometrics.sources import SourceSpec
from oncometrics.sources.base import (
    Record,
    Reject,
    SourceError,
    _progress,
    clip,
    guarded,
)
from oncometrics.store_fit import OnReject, batch_tables

BATCH_RECORDS = 20_000
#: Also flush staged rows when this many are buffered (bounds memory).
BATCH_ROWS = 500_000
#: Staged batches are read once by DuckDB: favour speed over size.
STAGING_COMPRESSION = "lz4"
MAX_LISTED_REJECTS = 20
_REC = "_rec"


class StoreError(OncometricsError):
    """A fatal store problem (unwritable folder, store in use, old format…)."""


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


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


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
    if _staged_in_bulk(spec, path, staging, res):
        res.seconds = time.perf_counter() - t0
        return staged
    rejects = _Rejects(res, path, log)
    writer = _StagingWriter(staging, tag, rejects.unfit)
    token = _progress.set(progress(res.size) if progress else None)
    ok = False
    try:
        staging.parent.mkdir(parents=True, exist_ok=True)
        with open(qstaged, "w", encoding="utf-8") as qfh:
            rejects.fh = qfh
            last_no = 0
            try:
                for item in guarded(spec.parser()(path), path):
                    res.read += 1
                    last_no = item.record_no
                    if isinstance(item, Reject):
                        rejects.add(item)
                    else:
                        writer.add(item)
            except SourceError as exc:
                if res.read == 0:
                    res.error = str(exc)
                    log(res.error)
                    return staged
                res.read += 1
                rejects.add(Reject(last_no + 1, exc.message), listed=True)
            writer.close()
            rejects.close(qpath)
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


def _staged_in_bulk(
    spec: SourceSpec, path: Path, staging: Path, res: FileResult
) -> bool:
    """Stage an OpenAlex file on the bulk path when it takes it (see
    :mod:`oncometrics.sources.openalex_bulk`: all records clean, none
    rejected); False: stage it with the Python parser."""
    if spec.name != "openalex":
        return False
    from oncometrics.sources import openalex_bulk
    from oncometrics.sources.openalex import _affiliation_parser

    if not openalex_bulk.enabled():
        return False
    try:
        staging.parent.mkdir(parents=True, exist_ok=True)
        n = openalex_bulk.stage(path, staging, parse_country=_affiliation_parser())
    except OSError as exc:
        raise StoreError(f"{path}: cannot write the store ({exc})") from exc
    if n is None:
        return False
    res.read = n
    return True


#: Bytes read per file, shared with the parent (set in each worker process).
_DONE_BYTES: Any = None


def _worker_init(done_bytes: Any, parent: int) -> None:
    """A staging worker: Ctrl-C is the parent's to handle; ends with the parent.

    On Linux the kernel kills the worker when its parent dies, however it
    dies (``PR_SET_PDEATHSIG``); if the parent died before that was set, the
    worker exits at once.  Workers only write under ``_staging``.
    """
    global _DONE_BYTES
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    _DONE_BYTES = done_bytes


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1


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


class _Rejects:
    """A file's rejected records: counted, quarantined, the first ones logged."""

    def __init__(self, res: FileResult, path: Path, log: Callable[[str], None]):
        self.res, self.path, self.log = res, path, log
        self.fh: Any = None
        self.listed = 0

    def add(self, rej: Reject, *, listed: bool = False) -> None:
        """Count, quarantine and (the first MAX_LISTED_REJECTS) log `rej`."""
        self.res.rejected += 1
        _quarantine(self.fh, self.path, rej)
        if listed or self.listed < MAX_LISTED_REJECTS:
            self.log(f"{self.path}: record {rej.record_no}: {rej.reason}")
        self.listed += 1

    def unfit(self, record_no: int, reason: str, raw: str | None) -> None:
        """A record read and buffered whose values do not fit (store_fit)."""
        self.add(Reject(record_no, reason, raw))

    def close(self, qpath: Path) -> None:
        """The line saying how many more were rejected than logged."""
        if self.listed > MAX_LISTED_REJECTS:
            self.log(
                f"{self.path}: … {self.listed - MAX_LISTED_REJECTS} more rejected "
                f"records, see {qpath}"
            )


class _StagingWriter:
    """Buffers parsed rows and writes them as staged Parquet batches.

    Rows are kept as the parser made them (dicts by column name, or tuples in
    schema column order, see :mod:`oncometrics.sources.base`) with a parallel
    list of record numbers, and converted to Arrow in one C-level call per
    table (a struct array).  A batch is written every `BATCH_RECORDS` records
    or `BATCH_ROWS` buffered rows, whichever comes first, which bounds memory.
    A record with a value that does not fit its column is not written but
    given to `reject` (:func:`oncometrics.store_fit.batch_tables`).
    """

    def __init__(self, staging: Path, tag: str, reject: OnReject):
        self.staging = staging
        self.tag = tag
        self.reject = reject
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
        for table, arrow in batch_tables(self.buf, self.reject).items():
            d = self.staging / table
            d.mkdir(parents=True, exist_ok=True)
            pq.write_table(
                arrow,
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
