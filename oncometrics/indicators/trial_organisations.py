"""Trial indicators per organisation: sponsors and site facilities.

Same counting as :mod:`oncometrics.indicators.trials` (distinct trials,
competition ranks); nothing is executed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oncometrics.indicators.output import competition_rank, left_join_filled

if TYPE_CHECKING:
    import ibis.expr.types as ir


def trials_by_sponsor(
    oncology_trials: ir.Table, trial_sponsors: ir.Table, trial_countries: ir.Table
) -> ir.Table:
    """Trials per sponsor (normalised name), as lead or collaborator.

    One row per ``name_norm``; ``name`` is the alphabetically first spelling,
    ``sponsor_class`` the largest non-null class; ``trials`` counts distinct
    trials in any role, ranked (competition rank) on it.

    Returns
    -------
    ir.Table
        ``(sponsor, name, sponsor_class, trials, lead_trials,
        collaborator_trials, early_phase_trials, site_countries, rank)``.
    """
    s = trial_sponsors.filter(trial_sponsors.name_norm.notnull())
    s = s.join(oncology_trials.select("nct_id", "early_phase"), "nct_id")
    per = s.group_by(sponsor=s.name_norm, nct_id=s.nct_id).aggregate(
        name=s.name.min(),
        sponsor_class=s.sponsor_class.max(),
        lead=(s.role == "lead").cast("int64").max(),
        early=s.early_phase.cast("int64").max(),
    )
    ctry = per.select("sponsor", "nct_id").join(
        trial_countries.select("nct_id", "country"), "nct_id"
    )
    ctry = ctry.group_by("sponsor").aggregate(site_countries=ctry.country.nunique())
    agg = per.group_by("sponsor").aggregate(
        name=per.name.min(),
        sponsor_class=per.sponsor_class.max(),
        trials=per.nct_id.count(),
        lead_trials=per.lead.sum(),
        early_phase_trials=per.early.sum(),
    )
    agg = left_join_filled(agg, ctry, "sponsor", {"site_countries": 0})
    return agg.mutate(
        collaborator_trials=agg.trials - agg.lead_trials,
        rank=competition_rank(agg.trials.cast("float64")),
    )


def trials_by_facility(oncology_trials: ir.Table, trial_sites: ir.Table) -> ir.Table:
    """Trials per site facility (normalised name) and country.

    One row per (``facility``, ``country``); ``trials`` counts distinct trials
    with a site there.  ``rank`` is world-wide, ``country_rank`` within the
    country (null for an unresolved country), ``early_phase_rank`` ranks
    facilities with at least one early-phase trial.

    Returns
    -------
    ir.Table
        ``(facility, country, name, city, trials, early_phase_trials, rank,
        country_rank, early_phase_rank)``.
    """
    s = trial_sites.filter(trial_sites.facility_norm.notnull())
    s = s.join(oncology_trials.select("nct_id", "early_phase"), "nct_id")
    per = s.group_by(facility=s.facility_norm, country=s.country, nct_id=s.nct_id)
    per = per.aggregate(
        name=s.facility.min(),
        city=s.city.min(),
        early=s.early_phase.cast("int64").max(),
    )
    agg = per.group_by("facility", "country").aggregate(
        name=per.name.min(),
        city=per.city.min(),
        trials=per.nct_id.count(),
        early_phase_trials=per.early.sum(),
    )
    n, early = agg.trials.cast("float64"), agg.early_phase_trials.cast("float64")
    return agg.mutate(
        rank=competition_rank(n),
        country_rank=competition_rank(
            n, group_by=["country"], eligible=agg.country.notnull()
        ),
        early_phase_rank=competition_rank(early, eligible=early > 0),
    )
