"""The queries of the drill-down (:mod:`oncometrics.drill`), one per kind.

Each builds, from the store's tables and the settings of an output folder,
the rows behind one actor, through the selection and weighting functions
``compute`` itself used: publications (:func:`publication_rows`), patent
families (:func:`family_rows`) and clinical trials (:func:`trial_rows`) of a
country, a sponsor or a site facility (:func:`trial_organisations_of`).
Given several actors, a query lists the rows of each with their ``actor``
column, unsorted (:meth:`oncometrics.drill.Drill.rows_many` cuts them per
actor and sorts each as :data:`ORDER` says).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.config import Config
    from oncometrics.domain import Domain
    from oncometrics.engine import Engine
    from oncometrics.pipeline.inputs import Inputs

NO_CITATIONS = "n/a: no citation data for this work"
SMALL_SET = "n/a: too few works in this work's reference set (min_reference_set)"
#: How each kind's query sorts one actor's rows (its ``order_by``), as
#: pyarrow sort keys.
ORDER: dict[str, list[tuple[str, str]]] = {
    "publications": [("weight", "descending"), ("work_id", "ascending")],
    "inventions": [("weight", "descending"), ("family_id", "ascending")],
    "trials": [("nct_id", "ascending")],
}


def _of(column: ir.StringColumn, actor: str | Sequence[str]) -> ir.BooleanColumn:
    """`column` is `actor` (one of the actors, when several)."""
    return column == actor if isinstance(actor, str) else column.isin(list(actor))


def _ordered(t: ir.Table, actor: str | Sequence[str], *by: ir.Value | str) -> ir.Table:
    """`t` sorted `by` for one actor; as it is for several (cut later)."""
    return t.order_by(*by) if isinstance(actor, str) else t


def _actor(actor: str | Sequence[str]) -> list[str]:
    """The output's actor column: none for one actor, ``actor`` for several."""
    return [] if isinstance(actor, str) else ["actor"]


def publication_rows(
    inp: Inputs, weights: ir.Table, actor: str | Sequence[str]
) -> ir.Table:
    """The actor's works with their weight, impact and bibliographic data."""
    w = weights.filter(_of(weights.actor, actor))
    w = w.select("work_id", *_actor(actor), "weight")
    wi = inp.work_impact.select(
        "work_id", "publication_year", "has_cit", "rated", "c", "ncs",
        "top10_share", "top1_share",
    )  # fmt: skip
    j = w.join(wi, "work_id")
    works = inp.tables["works"].semi_join(w, "work_id")
    bib = works.group_by("work_id").aggregate(
        doi=works.doi.max(), title=works.title.max()
    )
    j = j.left_join(bib, "work_id").drop("work_id_right")
    out = j.select(
        *_actor(actor), "work_id", "doi", "publication_year", "title", "weight",
        citations=j.c, ncs=j.ncs, top10_share=j.top10_share,
        top1_share=j.top1_share,
        note=ibis.cases(
            (~j.has_cit, ibis.literal(NO_CITATIONS)),
            (~j.rated, ibis.literal(SMALL_SET)),
            else_=ibis.null("string"),
        ),
    )  # fmt: skip
    return _ordered(out, actor, ibis.desc("weight"), "work_id")


def shared_with(
    t: ir.Table, item: str, column: str, actor: str, partner: str
) -> ir.Table:
    """The rows of `t` of `actor` (in `column`) whose `item` `partner` has too:
    the items a partner table counts for the pair (each once)."""
    own = t.filter(t[column] == actor)
    return own.semi_join(t.filter(t[column] == partner).select(item), item)


def work_country_links(inp: Inputs) -> ir.Table:
    """``(work_id, actor, weight = 1)``: each counted work and its distinct
    countries, as ``country_partners`` counts them."""
    from oncometrics.indicators.collaboration import work_countries

    wc = work_countries(inp.domain_works, inp.tables["authorship_countries"])
    return wc.select("work_id", actor=wc.country, weight=ibis.literal(1.0))


def family_weights(
    engine: Engine,
    store: str | Path,
    config: Config,
    *,
    applicants: bool = False,
    pairs: bool = False,
) -> tuple[ir.Table, ir.Table]:
    """The store's patents and the counted families' country weights (or
    applicant weights; with `pairs`, weight 1 for each of a family's
    countries, as ``coinvention_partners`` counts them)."""
    from oncometrics.family_settings import invention_settings, patent_domain
    from oncometrics.indicators import inventions as inv

    tables = engine.load_tables(store, inv.TABLES_NEEDED)
    # the lag year only moves the technology shift, never the counted families
    settings = invention_settings(config)
    tables = inv.unify_families(tables)
    _, _, fams, links, w = inv.family_selection(tables, patent_domain(config), settings)
    if pairs:
        w = links.select("work_id", "actor", weight=ibis.literal(1.0)).distinct()
    elif applicants:  # as inventions_by_applicant counts them
        parties = inv.fold_hk_macao(tables["patent_parties"], settings.hk_macao_to_cn)
        w = inv.applicant_weights(fams, parties)
    # the family's year as the year tables count it (utility documents only)
    w = w.join(fams.select(work_id=fams.family_id, year=fams.year), "work_id")
    # the unified families' documents (merged priority families renamed)
    patents = tables["patents"].select(
        "patent_id", "family_id", "title", "priority_year"
    )
    return engine.cache(patents), engine.cache(w)


def technology_weights(
    engine: Engine, store: str | Path, config: Config, period: str
) -> tuple[ir.Table, ir.Table]:
    """The store's patents and, for the families of `period` (a label of
    ``technology_mix``: ``all`` or ``2014-2018``), ``(work_id, actor,
    field_nr, weight, year)``: the country's weight on the family times the
    family's share of the field, as :func:`~oncometrics.indicators.technology.mixes`
    adds them up into ``i_frac``."""
    from oncometrics.drill_levels import DrillError, parse_years
    from oncometrics.family_settings import invention_settings, patent_domain
    from oncometrics.indicators import inventions as inv
    from oncometrics.indicators import technology as tech

    tables = inv.unify_families(engine.load_tables(store, inv.TABLES_NEEDED))
    settings = invention_settings(config)
    try:
        span = None if period == "all" else parse_years(period)
    except DrillError:
        raise DrillError(f"period {period!r}: expected all or YYYY-YYYY") from None
    select = inv.family_selection(tables, patent_domain(config), settings)[0]
    fams = select(span)
    parties = inv.fold_hk_macao(tables["patent_parties"], settings.hk_macao_to_cn)
    w = inv.invention_weights(fams, inv.family_actors(fams, parties, settings.by))
    conc = ibis.memtable(tech.concordance())
    ff = tech.family_fields(fams, tables["patent_classes"], conc)
    j = w.join(ff, w.work_id == ff.family_id)
    j = j.select("work_id", "actor", "field_nr", weight=j.weight * j.share)
    j = j.join(fams.select(work_id=fams.family_id, year=fams.year), "work_id")
    patents = tables["patents"].select(
        "patent_id", "family_id", "title", "priority_year"
    )
    return engine.cache(patents), engine.cache(j)


def family_rows(
    patents: ir.Table, weights: ir.Table, actor: str | Sequence[str]
) -> ir.Table:
    """The actor's families: weight, priority year, a document number, title."""
    w = weights.filter(_of(weights.actor, actor)).select(
        *_actor(actor), family_id=weights.work_id, weight=weights.weight,
        priority_year=weights.year,
    )  # fmt: skip
    p = patents.semi_join(w, "family_id")
    docs = p.group_by("family_id").aggregate(
        patent_number=p.patent_id.min(), documents=p.patent_id.nunique()
    )
    titles = p.filter(p.title.notnull())
    first = titles.group_by("family_id").aggregate(title=titles.title.min())
    j = w.left_join(docs, "family_id").drop("family_id_right")
    j = j.left_join(first, "family_id").drop("family_id_right")
    out = j.select(
        *_actor(actor), "family_id", "patent_number", "priority_year", "title",
        "weight", "documents",
    )  # fmt: skip
    return _ordered(out, actor, ibis.desc("weight"), "family_id")


def trial_countries_of(
    engine: Engine, store: str | Path, domain: Domain, config: Config
) -> tuple[ir.Table, ir.Table]:
    """The store's trials and the counted (trial, site country) pairs."""
    from oncometrics.family_settings import trial_domain, trial_settings
    from oncometrics.indicators import trials as tri

    tables = engine.load_tables(store, tri.TABLES_NEEDED)
    s = trial_settings(config)
    sites = tri.fold_sites(tables["trial_sites"], s.hk_macao_to_cn)
    ot = tri.oncology_trials(
        tables["trials"], tables["trial_conditions"], trial_domain(domain), s
    )
    return tables["trials"], engine.cache(tri.trial_countries(ot, sites))


def trial_organisations_of(
    engine: Engine, store: str | Path, domain: Domain, config: Config, which: str
) -> tuple[ir.Table, ir.Table]:
    """The store's trials and the counted (trial, sponsor) pairs (`which` is
    ``sponsor``), (trial, phase) pairs (``phase``) or (trial, facility, site
    country) pairs (``facility``), as ``trials_by_sponsor``,
    ``trials_by_phase`` and ``trials_by_facility`` count them: ``(nct_id,
    actor, key, start_year, n_countries)``, `key` the facility's country."""
    from oncometrics.family_settings import trial_domain, trial_settings
    from oncometrics.indicators import trials as tri

    tables = engine.load_tables(store, tri.TABLES_NEEDED)
    s = trial_settings(config)
    sites = tri.fold_sites(tables["trial_sites"], s.hk_macao_to_cn)
    ot = tri.oncology_trials(
        tables["trials"], tables["trial_conditions"], trial_domain(domain), s
    )
    tc = tri.trial_countries(ot, sites)
    n = tc.group_by("nct_id").aggregate(n_countries=tc.country.nunique())
    if which == "phase":  # as trials_by_phase groups them
        links = ot.select("nct_id", actor=ot.phase, key=ibis.null("string"))
    elif which == "sponsor":
        sp = tables["trial_sponsors"]
        sp = sp.filter(sp.name_norm.notnull())
        links = sp.select("nct_id", actor=sp.name_norm, key=ibis.null("string"))
    else:
        st = sites.filter(sites.facility_norm.notnull())
        links = st.select("nct_id", actor=st.facility_norm, key=st.country)
    pairs = links.distinct().join(ot.select("nct_id", "start_year"), "nct_id")
    pairs = pairs.left_join(n, "nct_id").drop("nct_id_right")
    pairs = pairs.mutate(n_countries=pairs.n_countries.fill_null(0))
    return tables["trials"], engine.cache(pairs)


def trial_rows(
    trials: ir.Table,
    pairs: ir.Table,
    actor: str | Sequence[str],
    *,
    column: str = "country",
    key: tuple[str | None] | None = None,
) -> ir.Table:
    """The trials of `actor` in `pairs`' `column` (a site country, a sponsor,
    a facility; its country `key` when given), each counting once: weight 1."""
    cond = _of(pairs[column], actor)
    if key is not None:
        cond &= pairs.key.isnull() if key[0] is None else pairs.key == key[0]
    tc = pairs.filter(cond)
    actors = {} if isinstance(actor, str) else {"actor": tc[column]}
    tc = tc.select("nct_id", "start_year", "n_countries", **actors)
    t = trials.semi_join(tc, "nct_id")
    facts = t.group_by("nct_id").aggregate(
        title=t.title.max(), phase=t.phase.max(),
        lead_sponsor_class=t.lead_sponsor_class.max(),
    )  # fmt: skip
    j = tc.left_join(facts, "nct_id").drop("nct_id_right")
    out = j.select(
        *_actor(actor), "nct_id", "start_year", "phase", "title",
        "lead_sponsor_class", site_countries=j.n_countries.cast("int64"),
        weight=ibis.literal(1.0, "float64"),
    )  # fmt: skip
    return _ordered(out, actor, "nct_id")
