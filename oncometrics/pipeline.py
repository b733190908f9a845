"""The runner: wires the indicator functions and writes the tables.

This is the only module that connects an engine, materialises results
(``to_pyarrow``) and writes files.  Each output table is written twice in the
output folder, as ``<name>.csv`` and ``<name>.parquet``, next to
``domain.json`` (the domain definition and its hash, which every table also
carries in its ``domain_hash`` column).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from oncometrics import derived
from oncometrics import family_settings as fs
from oncometrics.config import Config, parse_period
from oncometrics.domain import SIGNALS, Domain
from oncometrics.engine import connect_config, load_tables
from oncometrics.indicators import collaboration as collab
from oncometrics.indicators import (
    counting,
    impact,
    output,
    provenance,
    selection,
    specialisation,
)
from oncometrics.indicators.stability import (
    INTERVAL_COLUMNS,
    RANK_COLUMNS,
    stability_intervals,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

TABLES_NEEDED = [
    "works",
    "work_subjects",
    "authorship_countries",
    "authorship_institutions",
    "citation_counts",
]

#: Leading columns of the actor tables (more follow).
HEAD = [
    "p_full", "p_frac", "share_frac", "rank_p_frac", "mncs", "pp_top1", "pp_top10",
    "ai", "rsi", "intl_collab_rate", *INTERVAL_COLUMNS, *RANK_COLUMNS,
    "impact_coverage", "threshold_p", "threshold_share", "n_ranked",
]  # fmt: skip


@dataclass
class Inputs:
    """The shared intermediate expressions of one run."""

    counted: ir.Table
    domain_works: ir.Table
    work_impact: ir.Table
    international: ir.Table
    tables: dict[str, ir.Table]
    caches: list[Any]
    country_weights: ir.Table | None = None
    #: the store's derived weights of every work (None: computed from links)
    all_country_weights: ir.Table | None = None
    #: the store folder and the counted document types
    store: Path | None = None
    types: tuple[str, ...] = ()
    #: what domain.json and the tables say about the corpus (:func:`_summary`)
    summary: dict[str, Any] | None = None

    def cache(self, expr: ir.Table) -> ir.Table:
        """`expr` computed once on the engine (released at the end of the run)."""
        backend = expr._find_backend()
        if backend.name == "pyspark":  # Ibis' cache() on Spark does not register
            backend._run_pre_execute_hooks(expr)  # in-memory tables (the MeSH list)
        cached = expr.cache()
        self.caches.append(cached)
        return cached

    def release(self) -> None:
        """Drop the cached intermediate tables."""
        while self.caches:
            self.caches.pop().release()


def compute(
    store: Path,
    out: Path,
    *,
    config: Config,
    log: Callable[[str], Any] = print,
    spark_session: Any = None,
    con: BaseBackend | None = None,
) -> dict[str, Path]:
    """Compute the publication indicator tables of `store` into `out`.

    Parameters
    ----------
    store
        Store folder (``<table>/part-*.parquet``).
    out
        Output folder; created if needed.
    config
        Settings (engine, domain, period, counting, bootstrap, ...).
    log
        One-line progress messages.
    spark_session
        An existing SparkSession to run on (implies the Spark engine).
    con
        An existing Ibis backend (tests); not closed here.

    Returns
    -------
    dict[str, Path]
        Table name -> Parquet file (the CSV sits next to it); ``"domain"`` ->
        ``domain.json``.
    """
    t0 = time.perf_counter()
    own = con is None
    if con is None:
        con = connect_config(config, spark_session=spark_session)
    domain = Domain.from_config(config)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = {"domain": _write_domain(out, domain, config)}  # rewritten below
    stale = [t for t in derived.SOURCES if not derived.complete(store, t)]
    if stale:
        log(
            f"{store}: derived tables missing or out of date ({', '.join(stale)}): "
            "computing from the authorships, same figures, slower; rerun "
            "`oncometrics ingest` on the same files to add them"
        )
    inp = _inputs(con, store, domain, config)
    try:
        inp.summary = _summary(inp, domain)
        written["domain"] = _write_domain(out, domain, config, inp.summary)
        meta = {"domain": domain.label, "domain_hash": domain.hash,
                "period": _period_label(config),
                "citations_observed": inp.summary["citations_observed"]}  # fmt: skip
        for name, table in _tables(inp, config, log):
            written[name] = write_table(out, name, with_meta(table, meta))
            log(f"{name}: {table.num_rows:,} rows ({time.perf_counter() - t0:.1f} s)")
        if any((Path(store) / "patents").glob("part-*.parquet")):  # inventions
            from oncometrics.indicators import inventions as inv

            pt = load_tables(con, store, inv.TABLES_NEEDED)
            exprs = inv.invention_tables(
                pt, fs.patent_domain(config), fs.invention_settings(config),
                meta={"domain": domain.name, "domain_hash": domain.hash},
                cache=inp.cache,
            )  # fmt: skip
            for name, expr in exprs.items():
                written[name] = write_table(out, name, table := to_arrow(expr))
                secs = time.perf_counter() - t0
                log(f"{name}: {table.num_rows:,} rows ({secs:.1f} s)")
        if any((Path(store) / "trials").glob("part-*.parquet")):  # clinical trials
            from oncometrics.indicators import trials as tri

            tt = load_tables(con, store, tri.TABLES_NEEDED)
            trial_exprs = tri.trial_tables(
                tt, fs.trial_domain(domain), fs.trial_settings(config),
                meta={"domain_hash": domain.hash}, cache=inp.cache,
            )  # fmt: skip
            for name, expr in trial_exprs.items():
                written[name] = write_table(out, name, table := to_arrow(expr))
                secs = time.perf_counter() - t0
                log(f"{name}: {table.num_rows:,} rows ({secs:.1f} s)")
    finally:
        inp.release()
        if own and con.name == "duckdb":
            con.disconnect()
    return written


def to_arrow(expr: ir.Table) -> pa.Table:
    """Materialise `expr` as Arrow, with the expression's schema on every engine.

    On Spark the result goes straight through ``DataFrame.toArrow`` (Spark 4),
    not through pandas as Ibis' own ``to_pyarrow`` does.
    """
    backend = expr._find_backend()
    if backend.name != "pyspark":
        return expr.to_pyarrow()
    backend._run_pre_execute_hooks(expr)  # registers in-memory tables
    df = backend._session.sql(backend.compile(expr))
    return df.toArrow().cast(expr.schema().to_pyarrow())


def _period_label(config: Config) -> str:
    p = parse_period(config.period)
    return "all" if p is None else f"{p[0]}-{p[1]}"


def _inputs(con: BaseBackend, store: Path, domain: Domain, config: Config) -> Inputs:
    tables = load_tables(con, store, TABLES_NEEDED)
    period = parse_period(config.period)
    scheme = str(config.values.get("field_scheme") or "openalex_subfield")
    fields = None
    if scheme != "openalex_subfield":
        fields = selection.work_fields(tables["works"], tables["work_subjects"], scheme)
    counted = selection.counted_works(tables["works"], domain.types, period,
                                      fields=fields)  # fmt: skip
    if config.citation_window is not None:
        cc = tables["citation_counts"]
        window = int(config.citation_window)
        counted = selection.windowed_citations(counted, cc, window)
    dw = selection.domain_works(
        tables["works"], tables["work_subjects"], domain, counted=counted
    )
    inp = Inputs(counted, dw, dw, dw, tables, [], store=Path(store), types=domain.types)
    inp.domain_works = dw = inp.cache(dw)  # selected once, used by every table
    # reference sets over every counted work of the store (contract 4)
    wi = impact.work_impact(counted, normalise_by_type=bool(config.normalise_by_type))
    wi = wi.semi_join(dw.select("work_id"), "work_id")
    ac = tables["authorship_countries"]
    # weights of the domain works only; the all-field totals of the activity
    # index are aggregated separately (_country_totals), never kept per work
    inp.all_country_weights, cw = _domain_weights(
        inp, derived.COUNTRY_WEIGHTS, lambda works: counting.country_weights(works, ac)
    )
    inp.country_weights = cw
    # one cached work table: impact plus the international flag (from cw)
    intl = collab.international_from_weights(cw)
    wi = wi.left_join(intl, "work_id").drop("work_id_right")
    wi = wi.mutate(
        n_countries=wi.n_countries.fill_null(0),
        international=wi.international.fill_null(False),
    )
    inp.work_impact = inp.international = inp.cache(wi)
    return inp


def _summary(inp: Inputs, domain: Domain) -> dict[str, Any]:
    """Corpus facts for domain.json and the report: signal counts, which
    reference sets, citation coverage and observation dates."""
    n_counted = int(inp.counted.count().to_pyarrow().as_py())
    d = inp.domain_works
    facts = to_arrow(d.aggregate(
        n=d.work_id.count(), n_cit=d.has_cit.cast("int64").sum(),
        first=d.citation_date.min(), last=d.citation_date.max(),
    )).to_pylist()[0]  # fmt: skip
    n_domain = int(facts["n"] or 0)
    signals: dict[str, Any] = {}
    if not domain.is_everything:
        sig = selection.work_signals(d, inp.tables["work_subjects"], domain)
        rows = to_arrow(selection.signal_counts(sig)).to_pylist()
        got = {r["signal"]: r for r in rows}
        signals = {
            name: {"selected": int(got.get(name, {}).get("selected") or 0),
                   "alone": int(got.get(name, {}).get("alone") or 0)}
            for name in SIGNALS
        }  # fmt: skip
    only_domain = n_counted == n_domain
    first, last = facts["first"], facts["last"]
    return {
        "counted_works": n_counted,
        "domain_works": n_domain,
        "domain_works_with_citations": int(facts["n_cit"] or 0),
        "signals": signals,
        "reference_sets": "domain only: the store holds only domain works"
        if only_domain and not domain.is_everything
        else "whole store (domain and non-domain works of the field)",
        "only_domain_works": only_domain and not domain.is_everything,
        "citations_observed": "n/a" if first is None else
        (first if first == last else f"{first} to {last}"),
    }  # fmt: skip


def _tables(
    inp: Inputs, config: Config, log: Callable[[str], Any]
) -> list[tuple[str, pa.Table]]:
    ac = inp.tables["authorship_countries"]
    ai_ = inp.tables["authorship_institutions"]
    cw = inp.country_weights
    if cw is None:
        cw = inp.cache(counting.country_weights(inp.domain_works, ac))
    c_totals, cy_totals = _country_totals(inp, config, log)

    def inst_weights(works: ir.Table | None) -> ir.Table:
        return counting.institution_weights(works, ai_)

    i_all, iw = _domain_weights(inp, derived.INSTITUTION_WEIGHTS, inst_weights)
    i_totals = _all_field_totals(
        inp, derived.INSTITUTION_TOTALS, config, i_all, inst_weights
    )
    yr = ["publication_year"]
    cworks = actor_works_table(inp, cw, config, yr) if config.bootstrap > 0 else None
    size = _threshold(config)
    country = _actor_table(inp, cw, c_totals, config, size=size, works=cworks)
    year = _actor_table(inp, cw, cy_totals, config, size=size, by=yr, works=cworks)
    del cworks
    inst = _actor_table(
        inp, iw, i_totals, config, size=(float(config.min_p_institution), None)
    )
    inst = _institution_labels(inst, ai_)
    return [
        ("publications_by_country", _rename(country, "country")),
        ("publications_by_country_year", _rename(year, "country")),
        ("publications_by_institution", _rename(inst, "institution_id")),
        ("country_partners", _order(collab.country_partners(inp.domain_works, ac),
                                    ["country", "rank_co", "partner"])),
        ("publications_unassigned", _unassigned(inp, {"country": cw,
                                                      "institution": iw})),
        ("citation_sources", _order(provenance.citation_sources(
            inp.tables["works"], inp.domain_works), ["citation_source"])),
    ]  # fmt: skip


def _threshold(config: Config) -> tuple[float | None, float | None]:
    """``(min_p, min_share)`` of the country tables: an absolute `min_p`
    overrides the relative default."""
    raw = config.values.get("min_p")
    if raw not in (None, ""):
        return float(raw), None
    share = config.values.get("min_share")
    return None, (None if share in (None, "") else float(share))


def threshold_label(config: Config) -> str:
    """How ranked statements name the country size threshold."""
    min_p, share = _threshold(config)
    if min_p is not None:
        return f"P_frac ≥ {min_p:g}"
    if share:
        return f"at least {share * 100:g} % of world output"
    return "no size threshold"


def _country_totals(
    inp: Inputs, config: Config, log: Callable[[str], Any]
) -> tuple[ir.Table, ir.Table | None]:
    """All-field totals per country, and per country-year (None: unknown)."""
    if config.totals:
        tot = read_totals(Path(config.totals))
        log(f"all-field totals from {config.totals} ({tot.num_rows:,} rows)")
        t = ibis.memtable(tot)
        if "publication_year" not in t.columns:
            return t, None
        period = parse_period(config.period)
        if period is not None:
            t = t.filter(t.publication_year.between(*period))
        per_actor = t.group_by("actor").aggregate(
            p_all=t.p_all.sum(), p_all_full=t.p_all_full.sum()
        )
        return per_actor, t
    # per country-year; the per-country totals add up its years (every
    # counted work has exactly one year)
    ac = inp.tables["authorship_countries"]
    by_year = _all_field_totals(
        inp,
        derived.COUNTRY_TOTALS,
        config,
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


def _domain_weights(
    inp: Inputs, table: str, from_links: Callable[[ir.Table | None], ir.Table]
) -> tuple[ir.Table | None, ir.Table]:
    """Every work's weights from the store (None when not derived), and the
    domain works' weights, cached.

    `from_links(works)` computes the weights of `works` (None: all) from the
    authorships: the long way, for a store without the derived `table`.
    """
    all_w = stored_weights(inp.counted._find_backend(), inp.store, table)
    if all_w is None:
        return None, inp.cache(from_links(inp.domain_works))
    ids = inp.domain_works.select("work_id")
    return all_w, inp.cache(all_w.semi_join(ids, "work_id"))


def _all_field_totals(
    inp: Inputs,
    table: str,
    config: Config,
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
    totals = stored_totals(inp, table, config, by=by)
    if totals is None:
        w = all_weights if all_weights is not None else from_links(None)
        totals = specialisation.actor_totals(w, inp.counted, by=by)
    return inp.cache(totals)


def stored_weights(con: BaseBackend, store: Path | None, table: str) -> ir.Table | None:
    """The store's derived weights of every work as ``(work_id, actor, weight)``.

    None when the derived table is not complete (oncometrics.derived).
    """
    if store is None or not derived.complete(store, table):
        return None
    w = load_tables(con, store, [table])[table]
    return w.select("work_id", actor=w[derived.ACTOR[table]], weight=w.weight)


def stored_totals(
    inp: Inputs, table: str, config: Config, *, by: Sequence[str] = ()
) -> ir.Table | None:
    """All-field totals ``(actor, *by, p_all, p_all_full)`` from the store.

    The derived per-part sums by actor, year and type (computed at ingest):
    the counted types and years of all parts, added up.  None when the
    derived table is not complete.
    """
    if inp.store is None or not derived.complete(inp.store, table):
        return None
    t = load_tables(inp.counted._find_backend(), inp.store, [table])[table]
    t = t.filter(t.doc_type.isin(list(inp.types)), t.publication_year.notnull())
    if (period := parse_period(config.period)) is not None:
        t = t.filter(t.publication_year.between(*period))
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
        raise ValueError(f"{path}: cannot read the totals CSV ({exc})") from exc
    missing = {"country", "p"} - set(t.column_names)
    if missing:
        raise ValueError(
            f"{path}: totals CSV lacks column(s) {', '.join(sorted(missing))}"
        )
    cols = {"actor": t["country"].cast(pa.string()), "p_all": t["p"].cast(pa.float64())}
    full = t["p_full"] if "p_full" in t.column_names else t["p"]
    cols["p_all_full"] = full.cast(pa.float64())
    if "publication_year" in t.column_names:
        cols["publication_year"] = t["publication_year"].cast(pa.int32())
    return pa.table(cols)


def _actor_table(
    inp: Inputs,
    weights: ir.Table,
    totals: ir.Table | None,
    config: Config,
    *,
    size: tuple[float | None, float | None],
    by: Sequence[str] = (),
    works: pa.Table | None = None,
) -> pa.Table:
    """One actor table (indicators, ranks, AI, intervals), materialised.

    `works` is the actor-work table of :func:`actor_works_table` when the
    caller already has it (grouped by at least ``actor, *by``).
    """
    by = list(by)
    cnt = str(config.counting)
    cover = float(config.values.get("min_coverage") or 0.0)
    t = impact.actor_impact(
        weights, inp.work_impact, by=by, counting=cnt, min_coverage=cover
    )
    t = output.ranked_indicators(t, min_p=size[0], min_share=size[1], group_by=by)
    if "publication_year" in by:
        t = output.growth_rate(t)
    rate = collab.intl_collab_rate(weights, inp.international, by=by)
    t = t.left_join(rate, ["actor", *by])
    t = t.drop(*[c for c in t.columns if c.endswith("_right")])
    if totals is not None:
        t = specialisation.activity_index(t, totals, by=by, counting=cnt)
    else:
        t = t.mutate(p_all=ibis.null("float64"), ai=ibis.null("float64"),
                     rsi=ibis.null("float64"))  # fmt: skip
    table = _notes(to_arrow(t), inp, totals is not None and bool(config.totals), cover)
    share = size[1] if size[0] is None else None
    table = table.append_column(
        "threshold_share", pa.array([share] * table.num_rows, pa.float64())
    )
    keys = ["actor", *by]
    if int(config.bootstrap) <= 0:
        nulls = {c: pa.nulls(table.num_rows, pa.float64()) for c in INTERVAL_COLUMNS}
        nulls |= {c: pa.nulls(table.num_rows, pa.int64()) for c in RANK_COLUMNS}
        return _append(table.sort_by([(k, "ascending") for k in keys]), nulls)
    if works is None:
        works = actor_works_table(inp, weights, config, by)
    has = pc.and_(pc.fill_null(table["ranked"], False), pc.is_valid(table["mncs"]))
    ranked = table.filter(has).select(keys)
    iv = stability_intervals(
        works,
        keys=keys,
        presorted=True,
        resamples=int(config.bootstrap),
        seed=int(config.seed),
        exact_max=int(config.bootstrap_exact_max),
        ranked=list(zip(*(ranked[k].to_pylist() for k in keys), strict=True)),
    )
    return _join_intervals(table, iv, keys, given=pc.is_valid(table["mncs"]))


#: Why the activity index is n/a when the all-field totals are the domain.
AI_DOMAIN_ONLY = (
    "n/a: the store holds only domain works and no totals file was given, so "
    "the all-field totals are the domain itself (see README, own corpus)"
)
AI_ALL_ONE = "n/a: the all-field totals equal the domain's (AI = 1 for every actor)"
NO_CITATIONS = "n/a: no work of this actor has citation data"
LOW_COVERAGE = "n/a: {cov} of this actor's output has citation data (minimum {min})"


def _notes(
    table: pa.Table, inp: Inputs, totals_file: bool, min_coverage: float
) -> pa.Table:
    """Null AI/RSI and impact figures that would be meaningless, with the
    reason in ``ai_note`` / ``impact_note`` (contract sections 4, 5)."""
    n = table.num_rows
    ai = table["ai"]
    reason = None
    if inp.summary and inp.summary["only_domain_works"] and not totals_file:
        reason = AI_DOMAIN_ONLY
    elif n and pc.all(pc.less(pc.abs(pc.subtract(ai, 1.0)), 1e-9)).as_py():
        reason = AI_ALL_ONE
    if reason is not None:
        for c in ("ai", "rsi"):
            i = table.column_names.index(c)
            table = table.set_column(i, c, pa.nulls(n, pa.float64()))
    table = table.append_column("ai_note", pa.array([reason] * n, pa.string()))
    notes = []
    for cov, mncs in zip(table["impact_coverage"].to_pylist(),
                         table["mncs"].to_pylist(), strict=True):  # fmt: skip
        if mncs is not None:
            notes.append(None)
        elif not cov:
            notes.append(NO_CITATIONS)
        else:
            notes.append(
                LOW_COVERAGE.format(cov=f"{cov:.1%}", min=f"{min_coverage:.0%}")
            )
    return table.append_column("impact_note", pa.array(notes, pa.string()))


def actor_works_table(
    inp: Inputs, weights: ir.Table, config: Config, by: Sequence[str] = ()
) -> pa.Table:
    """Materialised ``(actor, *by, work_id, ncs, top10_share, weight)`` rows.

    Sorted by actor, `by`, work_id on the engine: every prefix of that order
    groups the rows contiguously, so one table serves the intervals of the
    actor table and of the actor-year table.
    """
    expr = _actor_works(weights, inp.work_impact, list(by), str(config.counting))
    return to_arrow(expr.order_by("actor", *by, "work_id"))


def _append(table: pa.Table, cols: dict[str, pa.Array]) -> pa.Table:
    for name, col in cols.items():
        table = table.append_column(name, col)
    return table


def _actor_works(
    weights: ir.Table, work_impact: ir.Table, by: list[str], counting_: str
) -> ir.Table:
    j = weights.join(work_impact, "work_id")
    w = j.weight if counting_ == "fractional" else ibis.literal(1.0)
    return j.select(
        "actor", *by, "work_id", "ncs", "top1_share", "top10_share", weight=w
    )


def _join_intervals(
    table: pa.Table, iv: Any, keys: list[str], given: pa.Array | None = None
) -> pa.Table:
    schema = pa.schema([table.schema.field(k) for k in keys])
    for c in INTERVAL_COLUMNS:
        schema = schema.append(pa.field(c, pa.float64()))
    for c in RANK_COLUMNS:
        schema = schema.append(pa.field(c, pa.int64()))
    right = pa.Table.from_pandas(iv, schema=schema, preserve_index=False)
    if given is not None:  # no interval for a figure that is not given
        keep = table.filter(given).select(keys)
        right = right.join(keep, keys, join_type="inner")
    joined = table.join(right, keys, join_type="left outer")
    return joined.sort_by([(k, "ascending") for k in keys])


def _institution_labels(inst: pa.Table, authorship_institutions: ir.Table) -> pa.Table:
    a = authorship_institutions
    labels = a.group_by(actor=a.institution_id).aggregate(
        ror=a.ror.max(), institution_name=a.institution_name.max(),
        country_code=a.country_code.max(),
    )  # fmt: skip
    lab = to_arrow(labels)
    return inst.join(lab, "actor", join_type="left outer").sort_by("actor")


def _unassigned(inp: Inputs, weights: dict[str, ir.Table]) -> pa.Table:
    """Counted domain works with no resolved actor, per level and year."""
    parts = []
    total = inp.domain_works.group_by("publication_year").aggregate(
        p_total=ibis._.work_id.count()
    )
    for level, w in weights.items():
        un = counting.unassigned_works(inp.domain_works, w).select("work_id")
        j = inp.work_impact.semi_join(un, "work_id")
        agg = j.group_by("publication_year").aggregate(
            p_unassigned=j.work_id.count(),
            p_top1=j.top1_share.sum(),
            p_top10=j.top10_share.sum(),
            tncs=j.ncs.sum(),
        )
        agg = total.left_join(agg, "publication_year").drop("publication_year_right")
        agg = agg.mutate(
            level=ibis.literal(level),
            p_unassigned=agg.p_unassigned.fill_null(0),
            p_top1=agg.p_top1.fill_null(0.0),
            p_top10=agg.p_top10.fill_null(0.0),
            tncs=agg.tncs.fill_null(0.0),
        )
        parts.append(to_arrow(agg))
    t = pa.concat_tables(parts)
    order = ["level", "publication_year", "p_total", "p_unassigned", "p_top1",
             "p_top10", "tncs"]  # fmt: skip
    return t.select(order).sort_by(
        [("level", "ascending"), ("publication_year", "ascending")]
    )


def _rename(table: pa.Table, actor: str) -> pa.Table:
    names = [actor if c == "actor" else c for c in table.column_names]
    t = table.rename_columns(names)
    first = [actor] + (["publication_year"] if "publication_year" in names else [])
    rest = [c for c in names if c not in first and c not in HEAD]
    order = [(k, "ascending") for k in [*first[1:], "rank_p_frac", actor]]
    return t.select([*first, *HEAD, *rest]).sort_by(order)


def _order(expr: ir.Table, keys: list[str]) -> pa.Table:
    return to_arrow(expr).sort_by([(k, "ascending") for k in keys])


def with_meta(table: pa.Table, meta: dict[str, str]) -> pa.Table:
    """`table` with a constant string column per `meta` item (domain, hash…)."""
    for k, v in meta.items():
        table = table.append_column(k, pa.array([v] * table.num_rows, pa.string()))
    return table


def write_table(out: Path, name: str, table: pa.Table) -> Path:
    """Write `table` as ``OUT/name.parquet`` and ``OUT/name.csv``; the Parquet path."""
    path = out / f"{name}.parquet"
    pq.write_table(table, path)
    pacsv.write_csv(table, out / f"{name}.csv")
    return path


def _write_domain(
    out: Path, domain: Domain, config: Config, summary: dict[str, Any] | None = None
) -> Path:
    doc = domain.to_dict()
    doc["totals_file"] = config.values.get("totals")
    doc["size_threshold"] = threshold_label(config)
    if summary is not None:
        doc["corpus"] = summary
    path = out / "domain.json"
    path.write_text(json.dumps(doc, indent=1, default=str) + "\n", encoding="utf-8")
    return path
