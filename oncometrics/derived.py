"""Tables the store derives from its canonical ones, kept in step with them.

* ``work_country_weights``: each work's fractional country weights
  (:func:`oncometrics.indicators.counting.country_weights` of all its
  authorships).  A work's weights depend on its own authorships only, so
  they are computed once, when files are ingested, instead of by every
  ``compute`` from all the authorship rows (~5 per work, window functions).
  ``compute`` selects the domain's works from it.
* ``country_totals``: those weights summed per country, publication year and
  document type, one small aggregate per part: the all-field totals of the
  activity index for any period and document types are the sum of the
  parts' rows, without reading a row per work (docs/benchmarks.md, compute).
* ``work_institution_weights`` and ``institution_totals``: the same for
  institutions (from ``authorship_institutions``).

Layout: ``STORE/<table>/part-<sha16>.parquet``, one part per part of the
authorship table it comes from, same name; a part is computed from the parts
of the same name of its sources (the rows of one ingested file: a work's
rows all come from one file).  When a richer duplicate supersedes a work,
the store removes its rows from the ``work_*_weights`` as from every
child table; the rewritten parts are then newer than the aggregates built
from them, which makes those stale.  :func:`complete` says whether every
part of a derived table is there and not older than its sources; when it
is not, ``compute`` works from the canonical tables as before (same
figures, slower), so a store written by an older version still computes,
and :func:`derive` (run at the end of every ``oncometrics ingest``, also
when all files are skipped) brings the derived tables up to date.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from oncometrics import layout
from oncometrics.schema import DERIVED, TABLES

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

COUNTRY_WEIGHTS = "work_country_weights"
COUNTRY_TOTALS = "country_totals"
INSTITUTION_WEIGHTS = "work_institution_weights"
INSTITUTION_TOTALS = "institution_totals"
#: Each derived table's sources (parts of the same name), in build order;
#: the first is the canonical table whose parts the derived parts mirror.
SOURCES: dict[str, tuple[str, ...]] = {
    COUNTRY_WEIGHTS: ("authorship_countries",),
    COUNTRY_TOTALS: ("authorship_countries", "works", COUNTRY_WEIGHTS),
    INSTITUTION_WEIGHTS: ("authorship_institutions",),
    INSTITUTION_TOTALS: ("authorship_institutions", "works", INSTITUTION_WEIGHTS),
}
#: The actor column of each derived table (as in its links table).
ACTOR: dict[str, str] = {
    COUNTRY_WEIGHTS: "country",
    COUNTRY_TOTALS: "country",
    INSTITUTION_WEIGHTS: "institution_id",
    INSTITUTION_TOTALS: "institution_id",
}


def _parts(root: Path, table: str) -> dict[str, Path]:
    d = root / table
    return {p.name: p for p in d.glob("part-*.parquet")} if d.is_dir() else {}


def _files(
    root: Path | str, table: str, list_files: layout.Lister
) -> dict[str, layout.DataFile]:
    return {f.name: f for f in layout.table_files(root, table, list_files)}


def stale_parts(
    root: Path | str,
    table: str = COUNTRY_WEIGHTS,
    list_files: layout.Lister = layout.list_local,
) -> list[str]:
    """Parts of derived `table` that are missing or older than a source part.

    `list_files` lists a folder of the store (the engine's listing for a
    store addressed by URL); the addresses of the parts are returned.
    """
    have = _files(root, table, list_files)
    sources = [_files(root, s, list_files) for s in SOURCES[table]]
    out = []
    for name in sorted(sources[0]):
        dest = have.get(name)
        newest = max(s[name].mtime_ns for s in sources if name in s)
        if dest is None or dest.mtime_ns < newest:
            out.append(layout.join(root, table, name))
    return out


def complete(
    root: Path | str,
    table: str = COUNTRY_WEIGHTS,
    list_files: layout.Lister = layout.list_local,
) -> bool:
    """Whether derived `table` is up to date with its sources, part by part.

    True for a store without authorship countries (nothing to derive).
    """
    derived_sources = [s for s in SOURCES[table] if s in DERIVED]
    if not all(complete(root, s, list_files) for s in derived_sources):
        return False
    extra = set(_files(root, table, list_files)) - set(
        _files(root, SOURCES[table][0], list_files)
    )
    return not extra and not stale_parts(root, table, list_files)


def plan(root: Path | str) -> list[tuple[str, str]]:
    """``(table, part name)`` that :func:`derive` would write, in build order.

    A part is planned when it is stale, or when a derived source of it is
    planned (its weights part will be rewritten).
    """
    root = Path(root)
    out: list[tuple[str, str]] = []
    for table in SOURCES:
        names = {Path(p).name for p in stale_parts(root, table)}
        names |= {n for t, n in out if t in SOURCES[table]}
        out += [(table, n) for n in sorted(names)]
    return out


def derive(
    root: Path | str,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | None = None,
    progress: Callable[[int], Any] | None = None,
) -> int:
    """Write the missing or stale derived parts of the store at `root`.

    Each part is written to a temporary file and moved into place, so an
    interruption leaves either the old part or the new one; parts without a
    source part are removed.  `progress` is fed the bytes of source parts
    done so far (out of :func:`plan_bytes`).  Returns the parts written.
    """
    root = Path(root)
    for table, sources in SOURCES.items():
        wanted = _parts(root, sources[0])
        for name, dest in _parts(root, table).items():
            if name not in wanted:
                dest.unlink()
    todo = plan(root)
    if not todo:
        return 0
    import ibis  # only when there is work: ingest of patents or trials skips it

    opts = {"threads": threads, "memory_limit": memory_limit,
            "temp_directory": temp_directory}  # fmt: skip
    con = ibis.duckdb.connect(**{k: v for k, v in opts.items() if v})
    con.raw_sql("SET enable_progress_bar = false")  # ingest draws its own
    done = 0
    try:
        for table, name in todo:
            dest = root / table / name
            dest.parent.mkdir(exist_ok=True)
            expr = _BUILD[table](con, root, table, name)
            tmp = dest.with_name(dest.name + ".tmp")
            expr.to_parquet(tmp, compression="zstd")  # DuckDB COPY: streamed
            os.replace(tmp, dest)
            done += _size(root, table, name)
            if progress is not None:
                progress(done)
    finally:
        con.disconnect()
    return len(todo)


def plan_bytes(root: Path | str, todo: list[tuple[str, str]]) -> int:
    """Bytes of the source parts of `todo` (a :func:`plan`), for progress."""
    return sum(_size(Path(root), t, n) for t, n in todo)


def _size(root: Path, table: str, name: str) -> int:
    src = root / SOURCES[table][0] / name
    return src.stat().st_size if src.exists() else 0


def _read(con: BaseBackend, root: Path, table: str, name: str) -> ir.Table:
    """Part `name` of `table` (an empty table of its schema when absent or empty)."""
    from oncometrics.engine import empty_table

    path = root / table / name
    if not path.exists() or pq.ParquetFile(path).metadata.num_rows == 0:
        return empty_table(con, f"empty_{table}", {**TABLES, **DERIVED}[table])
    return con.read_parquet(str(path))


def _weights(con: BaseBackend, root: Path, table: str, name: str) -> ir.Table:
    """Weights of the works of part `name` (counting.actor_weights)."""
    from oncometrics.indicators import counting

    links_table, actor = SOURCES[table][0], ACTOR[table]
    links = _read(con, root, links_table, name)
    links = links.select("work_id", "author_position", actor=links[actor])
    w = counting.actor_weights(None, links)
    w = w.select(
        work_id=w.work_id.cast("string"),
        **{actor: w.actor.cast("string")},
        weight=w.weight.cast("float64"),
    )
    return w.order_by("work_id", actor)  # the same part whatever the threads


def _totals(con: BaseBackend, root: Path, table: str, name: str) -> ir.Table:
    """Weights of part `name` summed per actor, publication year and type."""
    actor = ACTOR[table]
    w = _read(con, root, SOURCES[table][2], name)
    works = _read(con, root, "works", name)
    works = works.select("work_id", "publication_year", "doc_type")
    j = w.join(works, "work_id")
    agg = j.group_by(actor, "publication_year", "doc_type").aggregate(
        p_frac=j.weight.sum(), p_full=j.work_id.count()
    )
    return agg.select(
        **{actor: agg[actor].cast("string")},
        publication_year=agg.publication_year.cast("int32"),
        doc_type=agg.doc_type.cast("string"),
        p_frac=agg.p_frac.cast("float64"),
        p_full=agg.p_full.cast("int64"),
    ).order_by(actor, "publication_year", "doc_type")


_BUILD: dict[str, Callable[[Any, Path, str, str], Any]] = {
    COUNTRY_WEIGHTS: _weights,
    COUNTRY_TOTALS: _totals,
    INSTITUTION_WEIGHTS: _weights,
    INSTITUTION_TOTALS: _totals,
}
