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
reason in ``note`` (n/a, never a default value).  The same goes for the
patent families behind a row of ``inventions_by_country`` (weights add up to
``i_frac``; no citation indicator is defined for families) and the trials
behind a row of ``trials_by_country``, ``trials_by_sponsor`` or
``trials_by_facility`` (each counts once: weights add up to ``trials``).  A
year or period narrows a drill-down to the rows of the by-year table
(``publications_by_country_year``…).  The levels and the row a drill-down
stands for are in :mod:`oncometrics.drill_levels`, the queries in
:mod:`oncometrics.drill_exprs`.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Unpack

import pyarrow as pa

from oncometrics import layout
from oncometrics.drill_levels import (
    LEVELS,
    ROW_YEAR,
    DrillError,
    Level,
    Qualifiers,
    Row,
    level_of,
    normalise_actor,
    parse_years,
    resolve,
)
from oncometrics.outputs import described

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.config import Config
    from oncometrics.domain import Domain
    from oncometrics.engine import Engine
    from oncometrics.pipeline.inputs import Inputs

__all__ = [
    "LEVELS", "SCHEMAS", "Drill", "DrillError", "Level", "Qualifiers", "Row", "drill",
    "level_of", "normalise_actor", "parse_years", "resolve", "write_csv",
]  # fmt: skip

#: Columns of a drill-down of publications (CSV, API, dashboard), described.
SCHEMA = described("""
    work_id           S    Publication id in the store.
    doi               S    DOI (lower case, no URL prefix), when known.
    publication_year  I32  Publication year.
    title             S    Title.
    weight            F64  Fractional weight of the actor on the work (the weights add
                           up to the actor's p_frac); 1 for a pair of countries (they
                           add up to co_publications).
    citations         I64  Citations counted (null: no citation data).
    ncs               F64  Normalised citation score (null: no citation data).
    top10_share       F64  Share of the work in the world's top 10 % (null: no citation
                           data).
    top1_share        F64  Share of the work in the world's top 1 % (null: no citation
                           data).
    note              S    Why citation figures are n/a (null when given).
""")  # fmt: skip
#: Columns of each kind of drill-down.
SCHEMAS: dict[str, pa.Schema] = {
    "publications": SCHEMA,
    "inventions": described("""
        family_id      S    Patent family id (DOCDB, else from the priority).
        patent_number  S    A publication number of the family (the smallest).
        priority_year  I32  Earliest priority year of the family.
        title          S    Title of a document of the family.
        weight         F64  Fractional weight of the country (applicant) on the family
                            (the weights add up to its i_frac); 1 for a pair of
                            countries (they add up to co_inventions); in a technology
                            field, the country's weight times the family's share of
                            the field (they add up to the row's i_frac).
        documents      I64  Documents of the family in the store.
    """),
    "trials": described("""
        nct_id              S    Trial registry number.
        start_year          I32  Start year.
        phase               S    Trial phase.
        title               S    Title.
        lead_sponsor_class  S    Lead sponsor class (INDUSTRY, OTHER, NIH…).
        site_countries      I64  Countries with a site of the trial.
        weight              F64  1: a trial counts once in each of its site countries,
                                 sponsors, facilities and country pairs (the weights
                                 add up to the row's trials, shared_trials).
    """),
}  # fmt: skip


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
        self._prepared: dict[str, tuple[ir.Table, ir.Table]] = {}
        #: the last actors' records, before a year filter (a few kept)
        self._records: dict[tuple[str, str, Any], pa.Table] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Drill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _domain(self) -> Domain:
        from oncometrics.domain import Domain

        domain = Domain.from_config(self.config)
        if domain.hash != self.domain_doc.get("hash"):
            raise DrillError(
                f"{self.indicators}: the domain definition changed since these "
                "tables were computed (hash differs); rerun `oncometrics compute`"
            )
        return domain

    def _engine_(self) -> Engine:
        from oncometrics.engine import Engine

        if self._engine is None:
            self._engine = Engine.from_config(self.config)
        return self._engine

    def _prepare(self, level: str) -> tuple[ir.Table, ir.Table]:
        """What the level's query reads, built once at the recorded snapshot."""
        if level in self._prepared:
            return self._prepared[level]
        from oncometrics import drill_exprs as dx

        engine, kind = self._engine_(), LEVELS[level.split(":")[0]].kind
        with _at_snapshot(self.store, self.domain_doc.get("store_snapshot")):
            engine.check_store(self.store)
            if level.startswith("technology:"):  # families of one period
                got = dx.technology_weights(
                    engine, self.store, self.config, level.split(":", 1)[1]
                )
            elif kind == "inventions":
                got = dx.family_weights(
                    engine,
                    self.store,
                    self.config,
                    applicants=level == "applicant",
                    pairs=level == "inv_partners",
                )
            elif level in ("sponsor", "facility", "phase"):
                got = dx.trial_organisations_of(
                    engine, self.store, self._domain(), self.config, level
                )
            elif kind == "trials":
                got = dx.trial_countries_of(
                    engine, self.store, self._domain(), self.config
                )
            else:
                got = self._publication_weights(level)
        self._prepared[level] = got
        return got

    def _publication_weights(self, level: str) -> tuple[ir.Table, ir.Table]:
        from oncometrics import drill_exprs as dx
        from oncometrics.pipeline import inputs_of
        from oncometrics.pipeline.publications import institution_weights

        if self._inp is None:
            engine = self._engine_()
            self._inp = inputs_of(engine, self.store, self._domain(), self.config)
        inp = self._inp
        if level == "partners":
            return inp.work_impact, self._engine_().cache(dx.work_country_links(inp))
        w = inp.country_weights if level == "country" else institution_weights(inp)[1]
        return inp.work_impact, w

    def works(self, level: str, actor: str, **q: Unpack[Qualifiers]) -> pa.Table:
        """Every row behind `actor`'s row (heaviest first), as its
        :data:`SCHEMAS` says; `year` (``2020``, ``2019-2020``) keeps those
        of the by-year table's rows, `country` names a facility's country,
        `partner` the other country of a pair, `field` a WIPO field and
        `period` a period of ``technology_mix`` (DrillError: unknown level
        or actor, see :func:`resolve`)."""
        return self.rows(resolve(self.indicators, level, actor, **q))

    def rows(self, row: Row) -> pa.Table:
        """Every record behind `row` (from :func:`resolve`)."""
        with self._lock:
            key = (row.level, row.actor, (row.key, row.period))
            if key not in self._records:
                self._records[key] = self._query(row)
                while len(self._records) > 4:
                    self._records.pop(next(iter(self._records)))
            t = self._records[key]
        return _of_row(t, row)

    def rows_many(self, rows: Sequence[Row]) -> list[pa.Table]:
        """``[self.rows(r) for r in rows]``, with one query per group of rows
        that differ only in their actor or years (same level, key and
        period): ``actor IN (...)``, its rows cut per actor here and each
        actor's sorted as its own query sorts them (``drill_exprs.ORDER``).
        Technology rows differ in their field too (one query per period):
        the query's actor is then the pair ``country<US>field`` (:data:`_US`).

        A group of one row runs :meth:`rows`' own query.  The rows of a
        partner level (``partners``, ``inv_partners``, ``trial_partners``:
        the query depends on the pair, see ``drill_exprs.shared_with``) are
        each asked of :meth:`rows`.  The records kept for :meth:`rows` are
        neither read nor filled here.
        """
        from oncometrics.drill_exprs import ORDER

        out: dict[int, pa.Table] = {}
        groups: dict[tuple[str, Any, str | None], dict[int, str]] = {}
        for i, row in enumerate(rows):
            lv = level_of(row.level)
            if lv.key == "partner":
                out[i] = self.rows(row)
            elif lv.periods:
                assert row.key is not None and row.key[0] is not None
                group = groups.setdefault((row.level, None, row.period), {})
                group[i] = f"{row.actor}{_US}{row.key[0]}"
            else:
                groups.setdefault((row.level, row.key, row.period), {})[i] = row.actor
        for (level, _, _), group in groups.items():
            whose = list(dict.fromkeys(group.values()))
            first = rows[next(iter(group))]
            with self._lock:
                if len(whose) == 1:
                    records = {whose[0]: self._query(first)}
                else:
                    t = self._engine_().to_arrow(self._expr(first, whose))
                    records = _per_actor(t, whose, ORDER[level_of(level).kind])
            for i, who in group.items():
                out[i] = _of_row(records[who], rows[i])
        return [out[i] for i in range(len(rows))]

    def _query(self, row: Row) -> pa.Table:
        """Every record behind the actor of `row`, all years."""
        return self._engine_().to_arrow(self._expr(row, row.actor))

    def _expr(self, row: Row, actor: str | Sequence[str]) -> ir.Table:
        """The query of `row`'s records, all years, of `actor` (several
        actors: with their ``actor`` column, unsorted; not at a partner
        level; at the technology level, ``country<US>field`` pairs)."""
        from oncometrics import drill_exprs as dx

        level = row.level
        lv = level_of(level)
        if lv.periods:  # a country in a field: its families' shares of it
            left, right = self._prepare(f"{level}:{row.period}")
            field = right.field_nr.cast("string")
            if isinstance(actor, str):
                assert row.key is not None
                right = right.filter(field == row.key[0])
            else:  # several (country, field) pairs, as rows_many names them
                right = right.mutate(actor=right.actor.concat(_US, field))
            return dx.family_rows(left, right, actor)
        left, right = self._prepare(level)
        if lv.key == "partner":  # the items the pair shares, each once
            assert row.key is not None and row.key[0] is not None
            assert isinstance(actor, str)
            col = "country" if lv.kind == "trials" else "actor"
            item = {"trials": "nct_id"}.get(lv.kind, "work_id")
            right = dx.shared_with(right, item, col, actor, row.key[0])
        kind = lv.kind
        if kind == "inventions":
            expr = dx.family_rows(left, right, actor)
        elif level in ("sponsor", "facility", "phase"):
            expr = dx.trial_rows(left, right, actor, column="actor", key=row.key)
        elif kind == "trials":
            expr = dx.trial_rows(left, right, actor)
        else:
            assert self._inp is not None
            expr = dx.publication_rows(self._inp, right, actor)
        return expr

    def close(self) -> None:
        """Release the engine (if this object started it)."""
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        self._inp = None
        self._prepared = {}
        self._records = {}


#: Between a country and a field in the "actor" of a technology row
#: (:meth:`Drill.rows_many`): the ASCII unit separator.
_US = "\x1f"


def _of_row(t: pa.Table, row: Row) -> pa.Table:
    """The records `t` of `row`'s actor (all years) as its drill-down: in
    its years, as :data:`SCHEMAS` says."""
    kind = level_of(row.level).kind
    if row.years is not None:
        t = _in_years(t, ROW_YEAR[kind], row.years)
    return _finish(t, SCHEMAS[kind])


def _per_actor(
    t: pa.Table, actors: list[str], order: list[tuple[str, str]]
) -> dict[str, pa.Table]:
    """`t` (rows of several `actors`, its ``actor`` column) cut into each
    actor's rows without that column, each sorted by `order`."""
    import numpy as np
    import pyarrow.compute as pc

    which = pc.index_in(t["actor"], value_set=pa.array(actors, t["actor"].type))
    assert which.null_count == 0  # the query keeps only these actors
    t = t.drop_columns(["actor"]).append_column("_actor", which)
    t = t.sort_by([("_actor", "ascending"), *order]).drop_columns(["_actor"])
    counts = np.bincount(which.to_numpy(), minlength=len(actors))
    starts = np.concatenate([[0], np.cumsum(counts)])
    return {a: t.slice(int(starts[i]), int(counts[i])) for i, a in enumerate(actors)}


def _in_years(t: pa.Table, column: str, years: tuple[int, int]) -> pa.Table:
    """The rows of `t` whose `column` falls in `years` (null years dropped)."""
    import pyarrow.compute as pc

    y = t[column]
    return t.filter(pc.and_(pc.greater_equal(y, years[0]), pc.less_equal(y, years[1])))


def _finish(t: pa.Table, schema: pa.Schema) -> pa.Table:
    """`t` cast to `schema`, in its column order."""
    cols = [t[f.name].cast(f.type) for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def drill(
    store: str | Path,
    indicators: str | Path,
    level: str,
    actor: str,
    *,
    engine: Engine | None = None,
    **q: Unpack[Qualifiers],
) -> pa.Table:
    """The works behind `actor`'s row of the `level` table of `indicators`
    (of its by-year table in `year`; `country`: a facility's country;
    `partner`: the other country of a pair; `field`, `period`: a WIPO field
    and a period of ``technology_mix``).

    Raises :class:`DrillError` (one line) for an unknown level or actor or a
    folder without its settings.
    """
    with Drill(store, indicators, engine=engine) as d:
        return d.works(level, actor, **q)


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
