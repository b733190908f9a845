"""Clinical trial indicators (contract sections 1–3, trials).

A trial is one NCT id, dated by its start year.  By default only
interventional studies that started count (not withdrawn, not "not yet
recruiting"; a trial whose registry gives no study type or status is kept);
both filters are settings (:class:`TrialSettings`).  It is in the cancer
domain when one of its condition MeSH descriptors (``mesh`` or ``ancestor``
rows of ``trial_conditions``) is under the domain's tree, or one of its
registered condition texts contains a domain trial keyword
(case-insensitive).  Country counts are *full* counts by site country: a
trial counts 1 for every country with at least one of its sites.  A
country's share is its trials / the number of trials with a resolved site
country (the world), not / the sum of country participations: a country
with sites in every trial has share 1 (contract section 3).  Early phase =
the ``early_phases`` setting (default EARLY_PHASE1, PHASE1, PHASE1/PHASE2:
INCa's CLIP² labelling).  Ranks are competition ranks (1, 2, 2, 4).

Every function takes Ibis tables and plain values and returns a table;
nothing is executed here, nothing reads the settings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Unpack

import ibis

from oncometrics.indicators.output import Run, competition_rank, finished, world_share
from oncometrics.indicators.pairs import partner_pairs
from oncometrics.indicators.trial_organisations import (
    trials_by_facility,
    trials_by_sponsor,
)
from oncometrics.mesh import norm_mesh_ui

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: Default early phases (INCa CLIP²: phases I, I/II and early phase I).
EARLY_PHASES = ("EARLY_PHASE1", "PHASE1", "PHASE1/PHASE2")
#: Default study types counted.
STUDY_TYPES = ("INTERVENTIONAL",)
#: Default overall statuses left out (the study did not start).
EXCLUDED_STATUSES = ("WITHDRAWN", "NOT_YET_RECRUITING")


@dataclass(frozen=True)
class TrialDomain:
    """What makes a trial an oncology trial (plain values)."""

    mesh_ids: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    everything: bool = False


@dataclass(frozen=True)
class TrialSettings:
    """The plain values the trial tables depend on."""

    period: tuple[int, int] | None = None
    study_types: tuple[str, ...] = STUDY_TYPES
    excluded_statuses: tuple[str, ...] = EXCLUDED_STATUSES
    early_phases: tuple[str, ...] = EARLY_PHASES
    hk_macao_to_cn: bool = True


#: The canonical tables :func:`trial_tables` reads.
TABLES_NEEDED = ["trials", "trial_conditions", "trial_sponsors", "trial_sites"]

#: Row order of each output table (deterministic files on every engine).
ORDER: dict[str, tuple[str, ...]] = {
    "trials_summary": (),
    "trials_by_country": ("rank", "country"),
    "trials_by_country_year": ("start_year", "rank", "country"),
    "trials_by_phase": ("phase",),
    "trial_partners": ("country", "rank_shared", "partner"),
    "trials_by_sponsor": ("rank", "sponsor"),
    "trials_by_facility": ("rank", "facility", "country"),
}

#: Lead sponsor class counted as industry.
INDUSTRY = "INDUSTRY"
#: Phase label of a trial registered without a phase (observational studies).
NO_PHASE = "NOT_GIVEN"


def _domain_trial_ids(trial_conditions: ir.Table, domain: TrialDomain) -> ir.Table:
    """nct_id of trials with a domain MeSH descriptor or keyword condition."""
    c = trial_conditions
    mesh_ids = sorted({m for d in domain.mesh_ids if (m := norm_mesh_ui(d))})
    keep = c.mesh_id.isin(mesh_ids).fill_null(False)
    text = c.condition.fill_null("").lower()
    for kw in domain.keywords:
        keep = keep | text.contains(kw.lower())
    return c.filter(keep).select("nct_id").distinct()


def counted_trials(trials: ir.Table, settings: TrialSettings) -> ir.Table:
    """`trials` of the counted study types and statuses (unknown ones kept).

    ``study_type`` must be one of ``settings.study_types`` (all when empty)
    and ``overall_status`` none of ``settings.excluded_statuses``; a trial
    whose registry gives neither is kept (NCI CTS lists interventional,
    active trials only).
    """
    t = trials
    if settings.study_types:
        types = [x.upper() for x in settings.study_types]
        st = t.study_type.upper()
        t = t.filter(st.isnull() | st.isin(types))
    if settings.excluded_statuses:
        out = [x.upper() for x in settings.excluded_statuses]
        t = t.filter(t.overall_status.isnull() | ~t.overall_status.upper().isin(out))
    return t


def oncology_trials(
    trials: ir.Table,
    trial_conditions: ir.Table,
    domain: TrialDomain,
    settings: TrialSettings | None = None,
) -> ir.Table:
    """Counted trials of `domain` started in the settings' period; one row each.

    Returns
    -------
    ir.Table
        ``(nct_id, start_year, phase, early_phase, industry,
        lead_sponsor_class)``; ``phase`` is ``NOT_GIVEN`` when unregistered.
    """
    s = settings or TrialSettings()
    t = counted_trials(trials, s)
    if not domain.everything:
        t = t.filter(t.nct_id.isin(_domain_trial_ids(trial_conditions, domain).nct_id))
    if s.period is not None:
        t = t.filter(t.start_year.between(s.period[0], s.period[1]))
    return t.select(
        "nct_id",
        "start_year",
        phase=t.phase.fill_null(NO_PHASE),
        early_phase=t.phase.isin(list(s.early_phases)).fill_null(False),
        industry=(t.lead_sponsor_class == INDUSTRY).fill_null(False),
        lead_sponsor_class=t.lead_sponsor_class,
    )


def fold_sites(trial_sites: ir.Table, fold: bool) -> ir.Table:
    """`trial_sites` with Hong Kong and Macao read as China when `fold`."""
    if not fold:
        return trial_sites
    c = trial_sites.country
    return trial_sites.mutate(country=ibis.ifelse(c.isin(["HK", "MO"]), "CN", c))


def trial_countries(oncology_trials: ir.Table, trial_sites: ir.Table) -> ir.Table:
    """Distinct (trial, site country) pairs with the trial's facts.

    Returns ``(nct_id, country, start_year, early_phase, industry,
    n_countries)``; ``n_countries`` is the trial's number of site countries.
    """
    s = trial_sites.filter(trial_sites.country.notnull())
    pairs = s.select("nct_id", "country").distinct()
    pairs = pairs.join(oncology_trials, "nct_id")
    return pairs.mutate(n_countries=pairs.country.count().over(group_by="nct_id"))


#: Columns of the country tables after the key columns, in order.
COUNTRY_COLUMNS = (
    "trials",
    "early_phase_trials",
    "share",
    "rank",
    "industry_share",
    "multinational_rate",
    "early_phase_share",
    "early_phase_rank",
    "industry_trials",
    "multinational_trials",
)


def _world(tc: ir.Table, gb: list[str]) -> ir.Table:
    """Number of (early-phase) trials with a resolved site country, per `gb`."""
    per = tc.select("nct_id", "early_phase", *gb).distinct()
    agg = per.aggregate if not gb else per.group_by(gb).aggregate
    return agg(
        world_trials=per.nct_id.count(),
        world_early=per.early_phase.cast("int64").sum(),
    )


def _country_counts(tc: ir.Table, keys: list[str]) -> ir.Table:
    agg = tc.group_by(keys).aggregate(
        trials=tc.nct_id.count(),
        early_phase_trials=tc.early_phase.cast("int64").sum(),
        industry_trials=tc.industry.cast("int64").sum(),
        multinational_trials=(tc.n_countries >= 2).cast("int64").sum(),
    )
    gb = [k for k in keys if k != "country"]
    world = _world(tc, gb)
    agg = agg.join(world, gb) if gb else agg.cross_join(world)
    n = agg.trials.cast("float64")
    early = agg.early_phase_trials.cast("float64")
    early_world = agg.world_early.cast("float64")
    agg = agg.mutate(
        share=n / agg.world_trials.cast("float64"),
        rank=competition_rank(n, group_by=gb),
        industry_share=agg.industry_trials.cast("float64") / n,
        multinational_rate=agg.multinational_trials.cast("float64") / n,
        early_phase_share=ibis.ifelse(early_world > 0, early / early_world, None),
        early_phase_rank=competition_rank(early, group_by=gb, eligible=early > 0),
    )
    return agg.select(*keys, *COUNTRY_COLUMNS)


def trials_by_country(trial_countries: ir.Table) -> ir.Table:
    """Full counts by site country; one row per country.

    ``trials`` = trials with at least one site in the country;
    ``share`` = trials / the number of trials with a resolved site country
    (a multi-country trial counts once in the denominator, so shares add up
    to the mean number of countries per trial, not 1); ``industry_share`` = share
    of the country's trials with an industry lead sponsor;
    ``multinational_rate`` = share of its trials with sites in ≥ 2 countries.

    Returns
    -------
    ir.Table
        ``(country, trials, early_phase_trials, share, rank, industry_share,
        multinational_rate, early_phase_share, early_phase_rank,
        industry_trials, multinational_trials)``; ``early_phase_share`` is
        early-phase trials / the number of early-phase trials with a resolved
        site country, ``early_phase_rank`` ranks
        countries with at least one early-phase trial.
    """
    return _country_counts(trial_countries, ["country"])


def trials_by_country_year(trial_countries: ir.Table) -> ir.Table:
    """Full counts by site country and start year; shares and ranks per year.

    One row per (country, start_year); trials without a start year are left
    out.  Columns as :func:`trials_by_country` plus ``start_year``.
    """
    tc = trial_countries.filter(trial_countries.start_year.notnull())
    return _country_counts(tc, ["country", "start_year"])


def trials_by_phase(oncology_trials: ir.Table) -> ir.Table:
    """Trials per phase; one row per phase, ``share`` = trials / all trials.

    Returns ``(phase, early_phase, trials, share)``.
    """
    t = oncology_trials
    agg = t.group_by("phase", "early_phase").aggregate(trials=t.nct_id.count())
    return agg.mutate(share=world_share(agg.trials.cast("float64")))


def trial_partners(trial_countries: ir.Table) -> ir.Table:
    """Shared trials and Salton's index per ordered pair of site countries.

    One row per (country, partner) sharing at least one trial, both directions
    listed; ``salton = shared / sqrt(trials(country) · trials(partner))``.

    Returns
    -------
    ir.Table
        ``(country, partner, shared_trials, trials_country, trials_partner,
        salton, rank_shared, rank_salton)``; ranks among the country's
        partners.
    """
    return partner_pairs(trial_countries, "nct_id", co="shared_trials",
                         size="trials", rank="rank_shared")  # fmt: skip


def trials_summary(
    oncology_trials: ir.Table,
    trial_countries: ir.Table,
    store_trials: ir.Table | None = None,
    domain_trials_any: ir.Table | None = None,
) -> ir.Table:
    """One row: counted domain trials, early-phase ones, located ones,
    ``unassigned`` (no resolved site country) and countries reached; with
    `store_trials` and `domain_trials_any` (the domain's trials of any study
    type and status), also their numbers, so that a report can say what the
    store holds and what the filters left out.
    """
    tc = trial_countries
    located = tc.select("nct_id").distinct().mutate(_located=ibis.literal(1))
    t = oncology_trials.left_join(located, "nct_id")
    agg = t.aggregate(
        trials=t.nct_id.count(),
        early_phase_trials=t.early_phase.cast("int64").sum().fill_null(0),
        located_trials=t._located.count(),
    )
    countries = tc.aggregate(countries=tc.country.nunique())
    agg = agg.cross_join(countries)
    if store_trials is not None and domain_trials_any is not None:
        a = domain_trials_any
        agg = agg.cross_join(
            store_trials.aggregate(store_trials=store_trials.nct_id.nunique())
        ).cross_join(a.aggregate(domain_trials_any=a.nct_id.nunique()))
    return agg.mutate(unassigned_trials=agg.trials - agg.located_trials)


def trial_tables(
    tables: dict[str, ir.Table],
    domain: TrialDomain,
    settings: TrialSettings,
    **run: Unpack[Run],
) -> dict[str, ir.Table]:
    """Every trial indicator table, each with the `meta` columns (domain hash).

    `tables` are the store's canonical tables (``engine.load_tables``).
    `cache` (e.g. the runner's ``Inputs.cache``) may materialise the two
    shared intermediate tables once instead of once per output table.
    """
    keep = run.get("cache") or (lambda t: t)
    trials, conditions = tables["trials"], tables["trial_conditions"]
    sites = fold_sites(tables["trial_sites"], settings.hk_macao_to_cn)
    ot = keep(oncology_trials(trials, conditions, domain, settings))
    unfiltered = replace(settings, study_types=(), excluded_statuses=())
    any_status = oncology_trials(trials, conditions, domain, unfiltered)
    tc = keep(trial_countries(ot, sites))
    out = {
        "trials_summary": trials_summary(ot, tc, trials, any_status),
        "trials_by_country": trials_by_country(tc),
        "trials_by_country_year": trials_by_country_year(tc),
        "trials_by_phase": trials_by_phase(ot),
        "trial_partners": trial_partners(tc),
        "trials_by_sponsor": trials_by_sponsor(ot, tables["trial_sponsors"], tc),
        "trials_by_facility": trials_by_facility(ot, sites),
    }
    return finished(out, ORDER, run.get("meta") or {})


__all__ = [
    "TrialDomain",
    "TrialSettings",
    "counted_trials",
    "oncology_trials",
    "trial_countries",
    "trial_partners",
    "trial_tables",
    "trials_by_country",
    "trials_by_country_year",
    "trials_by_facility",
    "trials_by_phase",
    "trials_by_sponsor",
    "trials_summary",
]
