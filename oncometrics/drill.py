"""Drill-down: the works behind one actor's row of an output table.

``publications_by_country`` says France has ``p_frac`` 4; :func:`drill`
lists the publications that make it up, each with its fractional weight
(the weights add up to that ``p_frac``), citations, NCS and top-10 % share.
It is a pure query: the store's tables, selected and weighted by the very
functions ``compute`` used (:func:`oncometrics.pipeline.inputs_of`), with
the settings the output folder records (``settings.toml``) and at the store
snapshot it records (``domain.json``, ``store_snapshot``), through the
:class:`~oncometrics.engine.Engine`.  Nothing is written to the store.

A work without citation data has null citations, NCS and shares and the
reason in ``note`` (n/a, never a default value).

>>> sorted(LEVELS)
['country', 'institution']
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from oncometrics import layout
from oncometrics.errors import InputError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.config import Config
    from oncometrics.engine import Engine
    from oncometrics.pipeline.inputs import Inputs

S, I32, I64, F64 = pa.string(), pa.int32(), pa.int64(), pa.float64()


@dataclass(frozen=True)
class Level:
    """An output table whose rows can be drilled into: its actor column."""

    table: str
    column: str
    #: the figure the weights add up to
    total: str = "p_frac"


#: Level name (CLI, API) -> the table and column it drills into.
LEVELS: dict[str, Level] = {
    "country": Level("publications_by_country", "country"),
    "institution": Level("publications_by_institution", "institution_id"),
}

NO_CITATIONS = "n/a: no citation data for this work"

#: Columns of a drill-down (CSV, API, dashboard), described.
SCHEMA = pa.schema(
    [
        pa.field(n, t, metadata={"description": d})
        for n, t, d in (
            ("work_id", S, "Publication id in the store."),
            ("doi", S, "DOI (lower case, no URL prefix), when known."),
            ("publication_year", I32, "Publication year."),
            ("title", S, "Title."),
            ("weight", F64, "Fractional weight of the actor on the work "
             "(the weights add up to the actor's p_frac)."),
            ("citations", I64, "Citations counted (null: no citation data)."),
            ("ncs", F64, "Normalised citation score (null: no citation data)."),
            ("top10_share", F64, "Share of the work in the world's top 10 % "
             "(null: no citation data)."),
            ("top1_share", F64, "Share of the work in the world's top 1 % "
             "(null: no citation data)."),
            ("note", S, "Why citation figures are n/a (null when given)."),
        )
    ]
)  # fmt: skip


class DrillError(InputError):
    """A drill-down that cannot be made (unknown level or actor, no settings)."""


def normalise_actor(level: str, actor: str) -> str:
    """`actor` as the table writes it (country codes upper case)."""
    return actor.strip().upper() if level == "country" else actor.strip()


def level_of(level: str) -> Level:
    """The :class:`Level` named `level` (DrillError naming the choices)."""
    try:
        return LEVELS[level]
    except KeyError:
        raise DrillError(
            f"unknown drill-down level {level!r}; choose one of {', '.join(LEVELS)}"
        ) from None


def actor_row(indicators: Path, level: str, actor: str) -> dict[str, Any]:
    """The actor's row of the level's output table (DrillError when absent)."""
    lv = level_of(level)
    path = Path(indicators) / f"{lv.table}.parquet"
    if not path.is_file():
        raise DrillError(f"{path}: no such table (run `oncometrics compute` first)")
    t = pq.read_table(path)
    rows = [r for r in t.to_pylist() if r.get(lv.column) == actor]
    if not rows:
        raise DrillError(f"{actor}: not in {path} (no row for this {level})")
    return rows[0]


def folder_config(indicators: Path) -> tuple[Config, dict[str, Any]]:
    """The settings an output folder was computed with, and its domain.json."""
    from oncometrics.config import load_config

    folder = Path(indicators)
    settings, domain = folder / "settings.toml", folder / "domain.json"
    if not settings.is_file() or not domain.is_file():
        raise DrillError(
            f"{folder}: no settings.toml or domain.json (written by another "
            "version of oncometrics? rerun `oncometrics compute`)"
        )
    doc = json.loads(domain.read_text(encoding="utf-8"))
    return load_config(settings), doc


@contextlib.contextmanager
def _at_snapshot(store: str | Path, snapshot: int | None) -> Iterator[None]:
    """Reads of a local store pinned to `snapshot` (None: as they are)."""
    from oncometrics import store as store_mod

    local = layout.local_path(store)
    if snapshot is None or local is None:
        yield
        return
    store_mod.pin(local, int(snapshot))
    try:
        yield
    finally:
        store_mod.unpin(local)


class Drill:
    """Drill-downs of one output folder; the store's inputs are built once.

    Thread-safe (one query at a time).  Use as a context manager or call
    :meth:`close`.
    """

    def __init__(
        self, store: str | Path, indicators: str | Path, *, engine: Engine | None = None
    ) -> None:
        self.store, self.indicators = store, Path(indicators)
        self.config, self.domain_doc = folder_config(self.indicators)
        self._engine = engine
        self._inp: Inputs | None = None
        self._weights: dict[str, ir.Table] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Drill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _inputs(self) -> Inputs:
        if self._inp is None:
            from oncometrics.domain import Domain
            from oncometrics.engine import Engine
            from oncometrics.pipeline import inputs_of

            domain = Domain.from_config(self.config)
            if domain.hash != self.domain_doc.get("hash"):
                raise DrillError(
                    f"{self.indicators}: the domain definition changed since these "
                    "tables were computed (hash differs); rerun `oncometrics compute`"
                )
            if self._engine is None:
                self._engine = Engine.from_config(self.config)
            with _at_snapshot(self.store, self.domain_doc.get("store_snapshot")):
                self._engine.check_store(self.store)
                self._inp = inputs_of(self._engine, self.store, domain, self.config)
        return self._inp

    def _level_weights(self, level: str) -> ir.Table:
        if level not in self._weights:
            inp = self._inputs()
            if level == "country":
                self._weights[level] = inp.country_weights
            else:
                from oncometrics.pipeline.publications import institution_weights

                with _at_snapshot(self.store, self.domain_doc.get("store_snapshot")):
                    self._weights[level] = institution_weights(inp)[1]
        return self._weights[level]

    def works(self, level: str, actor: str) -> pa.Table:
        """Every work behind `actor`'s row (heaviest first), as :data:`SCHEMA`."""
        actor = normalise_actor(level, actor)
        actor_row(self.indicators, level, actor)  # DrillError when absent
        with self._lock:
            inp = self._inputs()
            expr = _works_expr(inp, self._level_weights(level), actor)
            assert self._engine is not None
            t = self._engine.to_arrow(expr)
        return _finish(t)

    def close(self) -> None:
        """Release the engine (if this object started it)."""
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        self._inp = None
        self._weights = {}


def _works_expr(inp: Inputs, weights: ir.Table, actor: str) -> ir.Table:
    """The actor's works joined with their impact and bibliographic data."""
    w = weights.filter(weights.actor == actor).select("work_id", "weight")
    wi = inp.work_impact.select(
        "work_id", "publication_year", "has_cit", "c", "ncs",
        "top10_share", "top1_share",
    )  # fmt: skip
    j = w.join(wi, "work_id")
    works = inp.tables["works"].semi_join(w, "work_id")
    bib = works.group_by("work_id").aggregate(
        doi=works.doi.max(), title=works.title.max()
    )
    j = j.left_join(bib, "work_id").drop("work_id_right")
    return j.select(
        "work_id", "doi", "publication_year", "title", "weight",
        citations=j.c, ncs=j.ncs, top10_share=j.top10_share,
        top1_share=j.top1_share,
        note=ibis.ifelse(j.has_cit, ibis.null("string"), ibis.literal(NO_CITATIONS)),
    ).order_by(ibis.desc("weight"), "work_id")  # fmt: skip


def _finish(t: pa.Table) -> pa.Table:
    """`t` cast to :data:`SCHEMA`, in its column order."""
    cols = [t[f.name].cast(f.type) for f in SCHEMA]
    return pa.Table.from_arrays(cols, schema=SCHEMA)


def drill(
    store: str | Path,
    indicators: str | Path,
    level: str,
    actor: str,
    *,
    engine: Engine | None = None,
) -> pa.Table:
    """The works behind `actor`'s row of the `level` table of `indicators`.

    Raises :class:`DrillError` (one line) for an unknown level or actor or a
    folder without its settings.
    """
    with Drill(store, indicators, engine=engine) as d:
        return d.works(level, actor)


#: Columns written ``n/a`` in a CSV when the work has no citation data.
CITATION_COLUMNS = ("citations", "ncs", "top10_share", "top1_share")


def csv_rows(table: pa.Table) -> Iterator[list[Any]]:
    """The header then each row of `table` for a CSV: missing citation
    figures are ``n/a`` (never blank, never 0), text cannot run as a formula."""
    from oncometrics.safe_text import safe_cell

    yield list(table.column_names)
    for row in table.to_pylist():
        yield [
            "n/a"
            if v is None and c in CITATION_COLUMNS
            else ("" if v is None else safe_cell(v))
            for c, v in row.items()
        ]


def write_csv(table: pa.Table, fh: IO[str]) -> None:
    """Write `table` (a drill-down) as CSV to the text stream `fh`."""
    import csv

    csv.writer(fh).writerows(csv_rows(table))
