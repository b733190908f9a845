"""Snapshot parts on Spark: list them, identify them, read their numbered lines.

The reading half of the Spark ingest (:mod:`oncometrics.ingest_spark`).
Parts are named as the Python ingest names them (a local path as listed by
:func:`oncometrics.store.expand_paths`, else the URL), so that the rows'
``ingest_file`` and the quarantine's ``file`` are the same whichever engine
read them.  Every file is read by one task (gzip is not splittable, and the
settings of :data:`ONE_TASK_PER_FILE` stop Spark from splitting or packing
plain files), so the 1-based line number of a line is its row number in its
task: the Python parser's record number, blank lines included.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oncometrics.layout import local_path
from oncometrics.store_stage import sha256_of

#: Spark SQL settings under which a file is never split nor packed with
#: others: each file is one partition, read in order by one task.
ONE_TASK_PER_FILE = {
    "spark.sql.files.maxPartitionBytes": str(1 << 50),
    "spark.sql.files.openCostInBytes": str(1 << 50),
    # parse each line once: this rule would give every raw field read its
    # own pruned from_json, each parsing the whole line again
    "spark.sql.optimizer.enableJsonExpressionOptimization": "false",
    # generated code: interpreted nested JSON rows exhausted a 1 GB driver
    # heap on 120 works (seen with the test suite's session settings)
    "spark.sql.codegen.wholeStage": "true",
    "spark.sql.codegen.factoryMode": "FALLBACK",
}


@dataclass(frozen=True)
class Part:
    """One input file: its name in the store, its address for Spark, its size."""

    name: str
    url: str
    size: int
    local: Path | None = None


def list_parts(session: Any, targets: list[str]) -> list[Part]:
    """The files of `targets` (files or folders, paths or URLs), in ingest order.

    Local paths (and ``file://``) are expanded as the Python ingest does;
    other URLs (``s3a://``, ``hdfs://``…) are listed recursively through
    Spark's Hadoop file system, names starting with ``.`` or ``_`` skipped,
    sorted by path component.  ValueError for a path that does not exist.
    """
    from oncometrics.store import expand_paths

    out: list[Part] = []
    for target in targets:
        local = local_path(target)
        if local is not None:
            if not local.exists():
                raise ValueError(f"{target}: no such file or folder")
            for p in expand_paths([local]):
                out.append(Part(str(p), file_url(p), p.stat().st_size, p))
        else:
            out.extend(_hadoop_parts(session, target))
    return out


def _hadoop_parts(session: Any, target: str) -> list[Part]:
    jvm = session._jvm
    root = jvm.org.apache.hadoop.fs.Path(target)
    fs = root.getFileSystem(session._jsc.hadoopConfiguration())
    if not fs.exists(root):
        raise ValueError(f"{target}: no such file or folder")
    base = root.toString().rstrip("/")
    found = []
    it = fs.listFiles(root, True)
    while it.hasNext():
        status = it.next()
        url = status.getPath().toString()
        below = url[len(base) :].strip("/").split("/") if url != base else []
        if any(name.startswith((".", "_")) for name in below):
            continue
        found.append(Part(url, url, int(status.getLen())))
    return sorted(found, key=lambda p: p.url.split("/"))


def checksums(session: Any, parts: list[Part]) -> dict[str, str]:
    """SHA-256 of each part's content, by name.

    Local files are hashed here (the driver); others by the executors
    (Spark's ``binaryFile`` source and ``sha2``: each file is held in an
    executor's memory once, so a part must be under 2 GB).
    """
    out = {}
    for p in parts:
        if p.local is not None:
            with contextlib.suppress(OSError):  # unreadable: no checksum
                out[p.name] = sha256_of(p.local)
    remote = [p for p in parts if p.local is None]
    if remote:
        from pyspark.sql import functions as F

        by_url = {p.url: p.name for p in remote}
        df = session.read.format("binaryFile").load([p.url for p in remote])
        rows = df.select("path", F.sha2("content", 256).alias("sha")).collect()
        for row in rows:
            name = by_url.get(row["path"])
            if name is not None:
                out[name] = row["sha"]
    return out


@contextlib.contextmanager
def settings(session: Any, values: dict[str, str]) -> Iterator[None]:
    """Spark SQL `values` set for the duration, then restored."""
    conf = session.conf
    old = {k: conf.get(k, None) for k in values}
    for k, v in values.items():
        conf.set(k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                conf.unset(k)
            else:
                conf.set(k, v)


def numbered_lines(session: Any, parts: list[Part]) -> Any:
    """A DataFrame ``(fi, rn, line)``: part index, 1-based line number, text.

    Call under :func:`settings` with :data:`ONE_TASK_PER_FILE`.  The line
    number is the row's position in its task (the whole file): the row id
    minus the task's first id.  Lines end at ``\\n``, ``\\r\\n`` or a lone
    ``\\r`` and a UTF-8 byte-order mark at the start is dropped, as in the
    Python reader.
    """
    from functools import reduce

    from pyspark.sql import functions as F

    reads = [
        session.read.text(p.url).select(F.lit(i).alias("fi"), F.col("value"))
        for i, p in enumerate(parts)
    ]
    lines = reduce(lambda a, b: a.unionAll(b), reads)
    first = F.shiftleft(F.spark_partition_id().cast("long"), 33)
    rn = F.monotonically_increasing_id() - first + 1
    return lines.select("fi", rn.alias("rn"), F.col("value").alias("line"))


def file_url(path: Path) -> str:
    """``file://`` + the absolute path, unencoded (as Hadoop reads it)."""
    return "file://" + str(path.resolve())
