"""Bulk ingest of an OpenAlex snapshot on Spark (``ingest --engine spark``).

The snapshot (``data/works/updated_date=*/part_*.gz``, or any folder of
JSON Lines parts) may be anywhere Spark reads: a local path, ``file://``,
``s3a://``, ``hdfs://``.  The store is a folder the driver's DuckDB opens
(local disk or a shared file system such as NFS): its catalog is written by
the driver alone.  Files are taken a batch at a time, in input order:

1. Spark reads the batch's lines, one task per file, numbers them (the
   Python parser's record numbers) and parses them with the explicit raw
   schema of :mod:`oncometrics.sources.openalex_flat`, flagging every line
   the shared flattening cannot take exactly (:mod:`oncometrics.spark_flat`);
2. the files whose records are all clean are flattened on the cluster by
   the shared definition and staged as Parquet per file and table;
3. the other files go to the Python parser on the driver: a local file as
   the Python ingest reads it (:func:`oncometrics.store_stage._stage_file`),
   a remote one from the lines Spark read; bad records are rejected into the
   quarantine with the Python parser's reasons;
4. the driver commits each staged file in input order
   (:func:`oncometrics.store_commit.commit_file` through the store), so the
   latest version of a work wins across partitions, and counts, manifest and
   derived tables are those of the Python ingest.

A file is committed with its entry in ``ingested_files`` in one transaction:
a re-run skips the files already committed (by checksum) and a stop between
two files loses nothing.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from oncometrics.sources import SourceSpec, get_source
from oncometrics.sources.base import LongLine, Reject, SourceError, input_limits
from oncometrics.sources.openalex import (
    _RAW,
    _affiliation_parser,
    _check_first,
    _is_page,
    _jsonl,
    _try_loads,
)
from oncometrics.sources.openalex_work import Context
from oncometrics.spark_read import (
    ONE_TASK_PER_FILE,
    Part,
    checksums,
    file_url,
    list_parts,
    numbered_lines,
    settings,
)
from oncometrics.store import IngestSummary, Store
from oncometrics.store_migrate import _locked
from oncometrics.store_stage import (
    FileResult,
    _Rejects,
    _stage_file,
    _Staged,
    _StagingWriter,
)

Log = Callable[[str], None]
Progress = Callable[[str, int], Callable[[int], None]]


def ingest_spark(
    store: Store,
    targets: list[str],
    session: Any,
    *,
    log: Log = print,
    progress: Progress | None = None,
    batch_files: int | None = None,
) -> IngestSummary:
    """Ingest the OpenAlex parts under `targets` into `store` with Spark.

    `batch_files`: files staged per round of Spark jobs (default: four per
    core of the session).  ValueError for a target that does not exist;
    StoreError when another process writes to the store.
    """
    spec = get_source("openalex")
    parts = list_parts(session, targets)
    size = batch_files or max(1, 4 * session.sparkContext.defaultParallelism)
    summary = IngestSummary()
    report = (
        progress(f"{len(parts)} files, Spark", sum(p.size for p in parts))
        if progress
        else None
    )
    done = 0
    with _locked(store.root):
        store._recover()
        store._known = set(store.manifest()["files"])
        with settings(session, ONE_TASK_PER_FILE):
            for start in range(0, len(parts), size):
                chunk = parts[start : start + size]
                log(f"spark: files {start + 1}-{start + len(chunk)} of {len(parts)}")
                for part, staged in zip(
                    chunk,
                    _stage_chunk(session, store, spec, chunk, start, log),
                    strict=True,
                ):
                    summary.files.append(store._finish(spec, staged, log))
                    done += part.size
                    if report is not None:
                        report(done)
    return summary


def _stage_chunk(
    session: Any,
    store: Store,
    spec: SourceSpec,
    chunk: list[Part],
    start: int,
    log: Log,
) -> list[_Staged]:
    """Stage the files of `chunk` (indexes from `start`), in order."""
    root, known = store.root, store._known
    shas = checksums(session, chunk)
    out: list[_Staged | None] = [None] * len(chunk)
    todo: list[tuple[int, Part, str]] = []
    for k, part in enumerate(chunk):
        res = FileResult(path=part.name, source=spec.name, size=part.size)
        sha = shas.get(part.name)
        nothing = root / "_staging" / f"{start + k:06d}-none"  # nothing staged
        if sha is None:
            res.error = f"{part.name}: cannot read"
            out[k] = _Staged(res, nothing, nothing, "", [res.error])
        elif sha in known:
            res.sha256, res.skipped = sha, True
            msg = f"{part.name}: already in the store (same checksum), skipped"
            out[k] = _Staged(res, nothing, nothing, "", [msg])
        else:
            todo.append((k, part, sha))
    if todo:
        for k, staged in _stage_spark(session, root, spec, todo, start, log):
            out[k] = staged
    return [s for s in out if s is not None]


def _stage_spark(
    session: Any,
    root: Path,
    spec: SourceSpec,
    todo: list[tuple[int, Part, str]],
    start: int,
    log: Log,
) -> Iterator[tuple[int, _Staged]]:
    """Spark reads and checks `todo`; clean files flattened there, others in Python."""
    import ibis

    from oncometrics import spark_flat

    work = root / "_staging" / "spark"
    shutil.rmtree(work, ignore_errors=True)
    parts = [p for _, p, _ in todo]
    names = session.createDataFrame(
        [(i, p.name) for i, p in enumerate(parts)], "fi INT, ingest_file STRING"
    )
    raw = spark_flat.parse_raw(numbered_lines(session, parts), names)
    raw_path = work / "raw"
    t0 = time.perf_counter()
    raw.write.mode("overwrite").parquet(file_url(raw_path))
    con = ibis.pyspark.connect(session)
    facts = spark_flat.file_facts(con, str(raw_path))
    log(f"spark: lines read, parsed and checked in {time.perf_counter() - t0:.1f} s")
    route = {i: _route(p, facts.get(i)) for i, p in enumerate(parts)}
    flat = [i for i, r in route.items() if r == "spark"]
    log(
        f"spark: {len(flat)} file(s) flattened on Spark, "
        f"{len(parts) - len(flat)} through the Python parser"
    )
    if flat:
        spark_flat.write_tables(
            con, str(raw_path), names, flat, work / "out", _affiliation_parser(), log
        )
    for i, (k, part, sha) in enumerate(todo):
        index = start + k
        logs: list[str] = []
        if route[i] == "spark":
            staged = _from_spark(root, spec, part, sha, index, work / "out", i)
            staged.res.read = facts[i]["read"]
        elif part.local is not None:
            staged = _stage_file(root, spec, part.local, index, (), logs.append, None)
        elif route[i].startswith("error:"):
            staged = _failed(root, spec, part, sha, route[i][6:], index)
        else:
            staged = _stage_lines(session, root, spec, part, sha, index)
        staged.logs = logs + staged.logs
        yield k, staged
    shutil.rmtree(work, ignore_errors=True)


def _route(part: Part, facts: dict[str, Any] | None) -> str:
    """``spark``, ``python`` or ``error:<message>`` for one file."""
    if facts is None or not facts["clean"] or facts["first"] is None:
        return "python"  # empty, a flagged record, or an odd start
    first = _try_loads(facts["first"].encode("utf-8"))
    if type(first) is not dict or _is_page(first) or not first:
        if part.local is None:
            return (
                f"error:{part.name}: not OpenAlex JSON Lines (the Spark engine "
                "reads snapshot parts; ingest this file without --engine spark)"
            )
        return "python"
    try:
        _check_first(first, cast(Path, part.name))
    except SourceError as exc:
        return f"error:{exc}" if part.local is None else "python"
    return "spark"


def _failed(
    root: Path, spec: SourceSpec, part: Part, sha: str, msg: str, index: int
) -> _Staged:
    res = FileResult(path=part.name, source=spec.name, size=part.size, sha256=sha)
    res.error = msg
    nothing = root / "_staging" / f"{index:06d}-none"
    return _Staged(res, nothing, nothing, "", [msg])


def _from_spark(
    root: Path, spec: SourceSpec, part: Part, sha: str, index: int, out: Path, fi: int
) -> _Staged:
    """The staging folder of a file flattened by Spark (its tables moved in)."""
    tag = sha[:16]
    staging = root / "_staging" / f"s{index:06d}-{tag}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for table_dir in sorted(out.iterdir()):
        src = table_dir / f"fi={fi}"
        if not table_dir.name.startswith("_") and src.is_dir():
            os.replace(src, staging / table_dir.name)
    res = FileResult(path=part.name, source=spec.name, size=part.size, sha256=sha)
    quarantine = staging.with_suffix(".quarantine.jsonl")
    return _Staged(res, staging, quarantine, f"{spec.name}-{tag}.jsonl")


def _stage_lines(
    session: Any, root: Path, spec: SourceSpec, part: Part, sha: str, index: int
) -> _Staged:
    """A remote file through the Python parser, from the lines Spark reads.

    The parser's JSON Lines path (:func:`oncometrics.sources.openalex._jsonl`)
    on the driver: the same rows and the same reject reasons as a local read.
    """
    res = FileResult(path=part.name, source=spec.name, size=part.size, sha256=sha)
    tag = sha[:16]
    staging = root / "_staging" / f"{index:06d}-{tag}"
    staged = _Staged(
        res,
        staging,
        staging.with_suffix(".quarantine.jsonl"),
        f"{spec.name}-{tag}.jsonl",
    )
    name = cast(Path, part.name)  # a URL: used as text only
    rejects = _Rejects(res, name, staged.logs.append)
    writer = _StagingWriter(staging, tag, rejects.unfit)
    ctx = Context(part.name, _affiliation_parser())
    limit = input_limits().record_bytes
    rows = numbered_lines(session, [part]).toLocalIterator()

    def items() -> Iterator[tuple[int, bytes | LongLine]]:
        for row in rows:
            b = row["line"].encode("utf-8")
            yield row["rn"], (b if len(b) <= limit else LongLine(len(b), b[:_RAW]))

    staging.parent.mkdir(parents=True, exist_ok=True)
    with open(staged.quarantine, "w", encoding="utf-8") as fh:
        rejects.fh = fh
        try:
            for item in _jsonl(items(), name, ctx, True):
                res.read += 1
                if isinstance(item, Reject):
                    rejects.add(item)
                else:
                    writer.add(item)
        except SourceError as exc:
            res.error = str(exc)
            staged.logs.append(res.error)
        writer.close()
        rejects.close(root / "quarantine" / staged.quarantine_name)
    if staged.quarantine.stat().st_size == 0:
        staged.quarantine.unlink()
    return staged
