"""Tables the store derives from its canonical ones, kept in step with them.

``work_country_weights`` holds each work's fractional country weights
(:func:`oncometrics.indicators.counting.country_weights` of all its
authorships).  A work's weights depend on its own authorships only, so they
are computed once, part by part, when files are ingested, instead of by
every ``compute`` from all the authorship rows (window functions over
~5 rows per work).  ``compute`` then selects the domain's works from it and
sums the all-field totals of the activity index from it (measured in
docs/benchmarks.md, compute).

Layout: ``STORE/work_country_weights/part-<sha16>.parquet``, one part per
``authorship_countries`` part, same name.  The store rewrites both when a
richer duplicate supersedes a work (the table is a child of the work entity).
:func:`complete` says whether every part is there and not older than its
source; when it is not, ``compute`` works from the authorships as before, so
a store written by an older version still computes the same figures, and
rerunning ``oncometrics ingest`` on it adds the missing parts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from oncometrics.schema import TABLES

#: The derived table and the canonical table it is computed from.
COUNTRY_WEIGHTS = "work_country_weights"
SOURCE = "authorship_countries"


def _parts(root: Path, table: str) -> dict[str, Path]:
    d = root / table
    return {p.name: p for p in d.glob("part-*.parquet")} if d.is_dir() else {}


def stale_parts(root: Path | str) -> list[tuple[Path, Path]]:
    """``(source part, weights part)`` pairs whose weights are missing or older."""
    root = Path(root)
    have = _parts(root, COUNTRY_WEIGHTS)
    out = []
    for name, src in sorted(_parts(root, SOURCE).items()):
        dest = have.get(name)
        if dest is None or dest.stat().st_mtime_ns < src.stat().st_mtime_ns:
            out.append((src, root / COUNTRY_WEIGHTS / name))
    return out


def complete(root: Path | str) -> bool:
    """Whether ``work_country_weights`` matches ``authorship_countries`` part by part.

    True for a store with no authorship countries at all (nothing to weigh).
    """
    root = Path(root)
    extra = set(_parts(root, COUNTRY_WEIGHTS)) - set(_parts(root, SOURCE))
    return not extra and not stale_parts(root)


def derive(
    root: Path | str,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | None = None,
    log: Callable[[str], Any] | None = None,
) -> int:
    """Write the missing or stale derived parts of the store at `root`.

    Each part is written to a temporary file and moved into place, so an
    interruption leaves either the old state or the new part; parts without
    a source part are removed.  Returns the number of parts written.
    """
    import ibis

    from oncometrics.engine import empty_table
    from oncometrics.indicators import counting

    root = Path(root)
    for name, dest in _parts(root, COUNTRY_WEIGHTS).items():
        if name not in _parts(root, SOURCE):
            dest.unlink()
    todo = stale_parts(root)
    if not todo:
        return 0
    (root / COUNTRY_WEIGHTS).mkdir(exist_ok=True)
    opts: dict[str, Any] = {}
    if threads:
        opts["threads"] = threads
    if memory_limit:
        opts["memory_limit"] = memory_limit
    if temp_directory:
        opts["temp_directory"] = temp_directory
    con = ibis.duckdb.connect(**opts)
    try:
        for i, (src, dest) in enumerate(todo, 1):
            if pq.ParquetFile(src).metadata.num_rows == 0:
                links = empty_table(con, "links", TABLES[SOURCE])
            else:
                links = con.read_parquet(str(src))
            w = counting.country_weights(None, links)
            w = w.select(
                work_id=w.work_id.cast("string"),
                country=w.actor.cast("string"),
                weight=w.weight.cast("float64"),
            )
            tmp = dest.with_name(dest.name + ".tmp")
            w.to_parquet(tmp, compression="zstd")  # DuckDB COPY: streamed
            os.replace(tmp, dest)
            if log is not None:
                log(f"{COUNTRY_WEIGHTS}: part {i}/{len(todo)} written")
    finally:
        con.disconnect()
    return len(todo)
