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
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from oncometrics.schema import ENTITIES, TABLES
from oncometrics.sources import get_source
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
    """
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and not any(
                        part.startswith((".", "_")) for part in f.relative_to(p).parts
                    )
                )
            )
        else:
            out.append(p)
    return out


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
        for table in TABLES:
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
    ) -> IngestSummary:
        """Ingest every file in `paths` with the `source` parser.

        `log` receives one-line messages (errors name the file and record);
        `progress(path, size)` may return a callback fed with bytes read.
        """
        spec = get_source(source)
        summary = IngestSummary()
        for path in expand_paths(paths):
            res = self.ingest_file(spec.name, path, log=log, progress=progress)
            summary.files.append(res)
        return summary

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
        res = FileResult(path=str(path), source=spec.name)
        t0 = time.perf_counter()
        try:
            res.size = path.stat().st_size
            res.sha256 = sha256_of(path)
        except OSError as exc:
            res.error = f"{path}: cannot read ({exc.strerror or exc})"
            log(res.error)
            return res
        manifest = self.manifest()
        if res.sha256 in manifest["files"]:
            res.skipped = True
            log(f"{path}: already in the store (same checksum), skipped")
            return res
        tag = res.sha256[:16]
        staging = self.root / "_staging" / tag
        shutil.rmtree(staging, ignore_errors=True)
        qpath = self.root / "quarantine" / f"{spec.name}-{tag}.jsonl"
        qpath.parent.mkdir(parents=True, exist_ok=True)
        writer = _StagingWriter(staging, tag)
        listed = 0
        token = _progress.set(progress(str(path), res.size) if progress else None)
        try:
            with open(qpath, "w", encoding="utf-8") as qfh:
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
                        return res
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
                return res
            res.stored, res.duplicates, res.replaced = self._commit(
                spec.entity, staging, tag
            )
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot write the store ({exc})") from exc
        finally:
            _progress.reset(token)
            shutil.rmtree(staging, ignore_errors=True)
            if qpath.exists() and qpath.stat().st_size == 0:
                qpath.unlink()
        res.seconds = time.perf_counter() - t0
        manifest["files"][res.sha256] = {
            k: v for k, v in asdict(res).items() if k not in ("skipped", "error")
        } | {"ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        self._write_manifest(manifest)
        return res

    # -------------------------------------------------------------- dedup
    def _commit(self, entity: str, staging: Path, tag: str) -> tuple[int, int, int]:
        """Deduplicate staged rows, move them in; return stored, dups, replaced."""
        main, key, children = ENTITIES[entity]
        staged_main = sorted((staging / main).glob("*.parquet"))
        existing = self.parts(main)
        con = duckdb.connect()
        try:
            con.execute(f"SET temp_directory='{self.root / '_staging' / 'tmp'}'")
            con.execute(f"SET memory_limit='{DEDUP_MEMORY_LIMIT}'")
            if not staged_main:
                return 0, 0, 0
            con.execute(
                f"CREATE TEMP TABLE new AS SELECT {_REC}, {key} AS k, richness, "
                f"{', '.join(DEDUP_KEYS[entity])} FROM read_parquet({_list(staged_main)})"
            )
            if existing:
                con.execute(
                    f"CREATE TEMP TABLE old AS SELECT {key} AS k, richness, "
                    f"{', '.join(DEDUP_KEYS[entity])} FROM read_parquet({_list(existing)})"
                )
            else:
                con.execute("CREATE TEMP TABLE old AS SELECT * FROM new WHERE false")
                con.execute(f"ALTER TABLE old DROP COLUMN {_REC}")
            keep, replaced_keys, n_new, n_dup = _decide(con, DEDUP_KEYS[entity])
        finally:
            con.close()
        moved: list[tuple[Path, Path]] = []
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
            con = duckdb.connect()
            try:
                con.register("keep", keep)
                con.execute(
                    f"COPY (SELECT * EXCLUDE ({_REC}) FROM read_parquet({_list(files)}) "
                    f"{where}) TO '{tmp}' (FORMAT PARQUET, COMPRESSION ZSTD)"
                )
            finally:
                con.close()
            moved.append((tmp, target))
        if replaced_keys.num_rows:
            self._remove_keys(main, key, children, replaced_keys)
        for tmp, target in moved:
            os.replace(tmp, target)
        return n_new, n_dup, replaced_keys.num_rows

    def _remove_keys(
        self, main: str, key: str, children: tuple[str, ...], keys: pa.Table
    ) -> None:
        """Rewrite existing parts without the rows of superseded records."""
        for table in (main, *children):
            col = key if table == main else ENTITIES_KEY_COL.get(table, key)
            for part in self.parts(table):
                con = duckdb.connect()
                try:
                    con.register("gone", keys)
                    hit = con.execute(
                        f"SELECT count(*) FROM read_parquet('{part}') "
                        f"WHERE {col} IN (SELECT k FROM gone)"
                    ).fetchone()
                    if not hit or not hit[0]:
                        continue
                    tmp = part.with_name(part.name + ".tmp")
                    con.execute(
                        f"COPY (SELECT * FROM read_parquet('{part}') WHERE {col} NOT IN "
                        f"(SELECT k FROM gone)) TO '{tmp}' (FORMAT PARQUET, COMPRESSION ZSTD)"
                    )
                finally:
                    con.close()
                os.replace(tmp, part)


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


def _decide(
    con: duckdb.DuckDBPyConnection, keys: tuple[str, ...]
) -> tuple[pa.Table, pa.Table, int, int]:
    """Which staged records to keep, which stored keys they replace, counts."""
    # Each new record's match in the store (if any) and its earliest earlier
    # match within the same file (if any); equi-joins only, one per key.
    old_hits = " UNION ALL ".join(
        f"SELECT n.{_REC}, {i} AS prec, any_value(o.k) AS old_k, "
        f"any_value(o.richness) AS old_richness FROM new n JOIN old o ON {on} "
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
                           arg_min(old_richness, prec) AS old_richness
                    FROM ({old_hits}) GROUP BY {_REC}),
             nh AS (SELECT {_REC}, min(first_rec) AS first_rec
                    FROM ({new_hits}) GROUP BY {_REC})
        SELECT n.{_REC}, n.k, n.richness, oh.old_k, oh.old_richness, nh.first_rec
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
    # (with every record chained to it); the richest member wins (ties: the
    # stored one, then the earliest).
    con.execute(
        f"""CREATE TEMP TABLE g AS
        SELECT m.{_REC}, m.k, m.richness,
               coalesce(m.old_k, r.old_k) AS old_k,
               coalesce(m.old_richness, r.old_richness) AS old_richness,
               coalesce('old:' || m.old_k, 'old:' || r.old_k,
                        'rec:' || coalesce(m.first_rec, m.{_REC})) AS grp
        FROM m LEFT JOIN m r ON r.{_REC} = m.first_rec"""
    )
    con.execute(
        f"""CREATE TEMP TABLE ranked AS
        SELECT *, row_number() OVER (PARTITION BY grp
                   ORDER BY richness DESC, {_REC}) AS rn
        FROM g"""
    )
    keep = con.execute(
        f"""SELECT {_REC} FROM ranked
        WHERE rn = 1 AND (old_k IS NULL OR richness > old_richness)"""
    ).to_arrow_table()
    replaced = con.execute(
        """SELECT DISTINCT old_k AS k FROM ranked
        WHERE rn = 1 AND old_k IS NOT NULL AND richness > old_richness"""
    ).to_arrow_table()
    n_groups_new = con.execute(
        "SELECT count(DISTINCT grp) FROM g WHERE old_k IS NULL"
    ).fetchone()
    total = con.execute("SELECT count(*) FROM new").fetchone()
    stored = int(n_groups_new[0]) if n_groups_new else 0
    n = int(total[0]) if total else 0
    return _as_table(keep), _as_table(replaced), stored, n - stored


def _as_table(result: Any) -> pa.Table:
    """DuckDB's arrow() result as a pa.Table (it may be a RecordBatchReader)."""
    if isinstance(result, pa.Table):
        return result
    return result.read_all()  # type: ignore[no-any-return]


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
