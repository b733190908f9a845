"""The shared intermediate tables of a publication run, made once and cached.

Each function is named after what it returns and takes its inputs as
parameters (plain values, never the Config): the selected works, their
impact, the actors' weights and the all-field totals of the activity index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.csv as pacsv

from oncometrics import derived, layout
from oncometrics.domain import SIGNALS, Domain
from oncometrics.errors import InputError
from oncometrics.indicators import collaboration as collab
from oncometrics.indicators import counting, impact, selection, specialisation

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.engine import Engine

TABLES_NEEDED = [
    "works",
    "work_subjects",
    "authorship_countries",
    "authorship_institutions",
    "citation_counts",
]


@dataclass
class Inputs:
    """The shared intermediate expressions of one run."""

    engine: Engine
    counted: ir.Table
    domain_works: ir.Table
    work_impact: ir.Table
    tables: dict[str, ir.Table]
    country_weights: ir.Table
    #: the store's derived weights of every work (None: computed from links)
    all_country_weights: ir.Table | None = None
    #: the store's address, the counted document types and period
    store: str | Path | None = None
    types: tuple[str, ...] = ()
    period: tuple[int, int] | None = None
    #: what domain.json and the tables say about the corpus (:func:`summary`)
    summary: dict[str, Any] | None = None

    @property
    def international(self) -> ir.Table:
        """The work impact table, which carries the international flag."""
        return self.work_impact

    def cache(self, expr: ir.Table) -> ir.Table:
        """`expr` computed once on the engine (released at the end of the run)."""
        return self.engine.cache(expr)

    def release(self) -> None:
        """Drop the cached intermediate tables."""
        self.engine.release()


def inputs(
    engine: Engine,
    store: str | Path,
    domain: Domain,
    *,
    period: tuple[int, int] | None,
    citation_window: int | None = None,
    normalise_by_type: bool = False,
    field_scheme: str = "openalex_subfield",
    min_reference_set: int = 2,
) -> Inputs:
    """The selected works, their impact and country weights, cached.

    Reference sets hold every counted work of the store, in the domain or
    not (contract section 4); `field_scheme` names their field.
    """
    tables = engine.load_tables(store, TABLES_NEEDED)
    works, subjects = tables["works"], tables["work_subjects"]
    fields = None
    if field_scheme != "openalex_subfield":
        fields = selection.work_fields(works, subjects, field_scheme)
    counted = selection.counted_works(works, domain.types, period, fields=fields)
    if citation_window is not None:
        cc = tables["citation_counts"]
        counted = selection.windowed_citations(counted, cc, int(citation_window))
    dw = selection.domain_works(works, subjects, domain, counted=counted)
    dw = engine.cache(dw)  # selected once, used by every table
    inp = Inputs(engine, counted, dw, dw, tables, dw, store=store,
                 types=domain.types, period=period)  # fmt: skip
    ac = tables["authorship_countries"]
    # weights of the domain works only; the all-field totals of the activity
    # index are aggregated separately (country_totals), never kept per work
    inp.all_country_weights, cw = domain_weights(
        inp, derived.COUNTRY_WEIGHTS, lambda works: counting.country_weights(works, ac)
    )
    inp.country_weights = cw
    inp.work_impact = work_impact(inp, cw, normalise_by_type, min_reference_set)
    inp.summary = summary(inp, domain, min_reference_set)
    return inp


def work_impact(
    inp: Inputs,
    country_weights: ir.Table,
    normalise_by_type: bool,
    min_reference_set: int = 2,
) -> ir.Table:
    """One cached table of the domain works: impact (reference sets over every
    counted work of the store) plus the international flag."""
    wi = impact.work_impact(
        inp.counted,
        normalise_by_type=normalise_by_type,
        min_reference_set=min_reference_set,
    )
    wi = wi.semi_join(inp.domain_works.select("work_id"), "work_id")
    intl = collab.international_from_weights(country_weights)
    wi = wi.left_join(intl, "work_id").drop("work_id_right")
    wi = wi.mutate(
        n_countries=wi.n_countries.fill_null(0),
        international=wi.international.fill_null(False),
    )
    return inp.cache(wi)


def summary(inp: Inputs, domain: Domain, min_reference_set: int = 2) -> dict[str, Any]:
    """Corpus facts for domain.json and the tables: each signal's counts,
    which reference sets, citation coverage and observation dates."""
    n_counted = int(inp.engine.to_arrow(inp.counted.aggregate(
        n=inp.counted.work_id.count()))["n"][0].as_py() or 0)  # fmt: skip
    d = inp.domain_works
    facts = inp.engine.to_arrow(d.aggregate(
        n=d.work_id.count(), n_cit=d.has_cit.cast("int64").sum(),
        first=d.citation_date.min(), last=d.citation_date.max(),
    )).to_pylist()[0]  # fmt: skip
    signals: dict[str, Any] = {}
    if not domain.is_everything:
        sig = selection.work_signals(d, inp.tables["work_subjects"], domain)
        rows = inp.engine.to_arrow(selection.signal_counts(sig)).to_pylist()
        got = {r["signal"]: r for r in rows}
        signals = {
            name: {k: int(got.get(name, {}).get(k) or 0) for k in ("selected", "alone")}
            for name in SIGNALS
        }
    only = n_counted == int(facts["n"] or 0) and not domain.is_everything
    wi = inp.work_impact
    n_rated = int(inp.engine.to_arrow(wi.aggregate(
        n=wi.rated.cast("int64").sum()))["n"][0].as_py() or 0)  # fmt: skip
    first, last = facts["first"], facts["last"]
    return {
        "counted_works": n_counted,
        "domain_works": int(facts["n"] or 0),
        "domain_works_with_citations": int(facts["n_cit"] or 0),
        # with citation data in a reference set of min_reference_set works
        "domain_works_rated": n_rated,
        "min_reference_set": min_reference_set,
        "signals": signals,
        "reference_sets": "domain only: the store holds only domain works"
        if only else "whole store (domain and non-domain works of the field)",
        "only_domain_works": only,
        "citations_observed": "n/a" if first is None
        else (first if first == last else f"{first} to {last}"),
    }  # fmt: skip


def country_totals(
    inp: Inputs, totals_csv: str | Path | None, log: Callable[[str], Any]
) -> tuple[ir.Table, ir.Table | None]:
    """All-field totals per country, and per country-year (None: unknown)."""
    if totals_csv:
        tot = read_totals(Path(totals_csv))
        log(f"all-field totals from {totals_csv} ({tot.num_rows:,} rows)")
        t = ibis.memtable(tot)
        if "publication_year" not in t.columns:
            return t, None
        if inp.period is not None:
            t = t.filter(t.publication_year.between(*inp.period))
        per_actor = t.group_by("actor").aggregate(
            p_all=t.p_all.sum(), p_all_full=t.p_all_full.sum()
        )
        return per_actor, t
    # per country-year; the per-country totals add up its years (every
    # counted work has exactly one year)
    ac = inp.tables["authorship_countries"]
    by_year = all_field_totals(
        inp,
        derived.COUNTRY_TOTALS,
        inp.all_country_weights,
        lambda works: counting.country_weights(works, ac),
        by=["publication_year"],
    )
    totals = inp.cache(
        by_year.group_by("actor").aggregate(
            p_all=by_year.p_all.sum(), p_all_full=by_year.p_all_full.sum()
        )
    )
    return totals, by_year


def domain_weights(
    inp: Inputs, table: str, from_links: Callable[[ir.Table | None], ir.Table]
) -> tuple[ir.Table | None, ir.Table]:
    """Every work's weights from the store (None when not derived), and the
    domain works' weights, cached.

    `from_links(works)` computes the weights of `works` (None: all) from the
    authorships: the long way, for a store without the derived `table`.
    """
    all_w = stored_weights(inp.engine, inp.store, table)
    if all_w is None:
        return None, inp.cache(from_links(inp.domain_works))
    ids = inp.domain_works.select("work_id")
    return all_w, inp.cache(all_w.semi_join(ids, "work_id"))


def all_field_totals(
    inp: Inputs,
    table: str,
    all_weights: ir.Table | None,
    from_links: Callable[[ir.Table | None], ir.Table],
    *,
    by: Sequence[str] = (),
) -> ir.Table:
    """All-field totals ``(actor, *by, p_all, p_all_full)``, cached.

    From the store's derived per-part sums when complete; else one
    aggregate over all counted works of their weights (the derived ones, or
    from the authorships), kept at its small size, never per work.
    """
    totals = stored_totals(inp, table, by=by)
    if totals is None:
        w = all_weights if all_weights is not None else from_links(None)
        totals = specialisation.actor_totals(w, inp.counted, by=by)
    return inp.cache(totals)


def stored_weights(
    engine: Engine, store: str | Path | None, table: str
) -> ir.Table | None:
    """The store's derived weights of every work as ``(work_id, actor, weight)``.

    None when the derived table is not complete (oncometrics.derived).
    """
    if store is None or not layout.derived_complete(store, table):
        return None
    w = engine.load_tables(store, [table])[table]
    return w.select("work_id", actor=w[derived.ACTOR[table]], weight=w.weight)


def stored_totals(
    inp: Inputs, table: str, *, by: Sequence[str] = ()
) -> ir.Table | None:
    """All-field totals ``(actor, *by, p_all, p_all_full)`` from the store.

    The derived per-part sums by actor, year and type (computed at ingest):
    the counted types and years of all parts, added up.  None when the
    derived table is not complete.
    """
    store, engine = inp.store, inp.engine
    if store is None or not layout.derived_complete(store, table):
        return None
    t = engine.load_tables(store, [table])[table]
    t = t.filter(t.doc_type.isin(list(inp.types)), t.publication_year.notnull())
    if inp.period is not None:
        t = t.filter(t.publication_year.between(*inp.period))
    keys = {"actor": t[derived.ACTOR[table]], **{k: t[k] for k in by}}
    return t.group_by(**keys).aggregate(
        p_all=t.p_frac.sum(), p_all_full=t.p_full.sum().cast("float64")
    )


def read_totals(path: Path) -> pa.Table:
    """A user totals CSV as ``(actor, [publication_year], p_all, p_all_full)``.

    Format (``docs/methodology.md``): columns ``country`` (ISO alpha-2), ``p``
    (all-field fractional count), optional ``p_full`` (full count) and
    optional ``publication_year``.
    """
    try:
        t = pacsv.read_csv(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path}: cannot read the totals CSV ({exc})") from exc
    missing = {"country", "p"} - set(t.column_names)
    if missing:
        raise InputError(
            f"{path}: totals CSV lacks column(s) {', '.join(sorted(missing))}"
        )
    cols = {"actor": t["country"].cast(pa.string()), "p_all": t["p"].cast(pa.float64())}
    full = t["p_full"] if "p_full" in t.column_names else t["p"]
    cols["p_all_full"] = full.cast(pa.float64())
    if "publication_year" in t.column_names:
        cols["publication_year"] = t["publication_year"].cast(pa.int32())
    return pa.table(cols)
