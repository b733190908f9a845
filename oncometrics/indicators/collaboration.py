"""International co-publication and partner countries (contract section 6).

All counts here are *full* counts: a work co-authored by FR and DE is one
co-publication of the pair.  Salton's index ``co(a, b) / sqrt(P(a)·P(b))``
(Salton & McGill 1983; Glänzel 2001 on co-authorship links) ranks partners
independently of their size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from oncometrics.indicators.pairs import partner_pairs

if TYPE_CHECKING:
    import ibis.expr.types as ir


def work_countries(domain_works: ir.Table, authorship_countries: ir.Table) -> ir.Table:
    """Distinct resolved countries of each counted work: ``(work_id, country)``."""
    ac = authorship_countries.filter(authorship_countries.country.notnull())
    t = ac.select("work_id", "country").distinct()
    return t.semi_join(domain_works.select("work_id"), "work_id")


def international_works(
    domain_works: ir.Table, authorship_countries: ir.Table
) -> ir.Table:
    """``(work_id, publication_year, n_countries, international)``, one row per work.

    ``international`` is true when the authorships name two or more distinct
    countries; a work without any resolved country has ``n_countries = 0``.
    """
    wc = work_countries(domain_works, authorship_countries)
    n = wc.group_by("work_id").aggregate(n_countries=wc.country.count())
    t = domain_works.select("work_id", "publication_year").left_join(n, "work_id")
    t = t.select("work_id", "publication_year", n_countries=t.n_countries.fill_null(0))
    return t.mutate(international=t.n_countries >= 2)


def international_from_weights(weights: ir.Table) -> ir.Table:
    """``(work_id, n_countries, international)`` from country weights.

    The same flags as :func:`international_works` for every work with at
    least one resolved country (one weight row per work and country), read
    off the weights instead of the authorships.
    """
    n = weights.group_by("work_id").aggregate(n_countries=weights.actor.count())
    return n.mutate(international=n.n_countries >= 2)


def intl_collab_rate(
    weights: ir.Table, international_works: ir.Table, *, by: Sequence[str] = ()
) -> ir.Table:
    """Share of an actor's works (full counting) with ≥ 2 countries.

    `international_works` needs ``work_id``, the `by` columns and
    ``international`` (null counts as false).  Grain: one row per actor (and `by`); columns ``(actor, *by, p_intl,
    intl_collab_rate)``.
    """
    cols = ["work_id", *by, "international"]
    j = weights.select("work_id", "actor").join(
        international_works.select(cols), "work_id"
    )
    agg = j.group_by("actor", *by).aggregate(
        p_intl=j.international.fill_null(False).cast("int64").sum(),
        _n=j.work_id.count(),
    )
    return agg.mutate(intl_collab_rate=agg.p_intl.cast("float64") / agg._n).drop("_n")


def country_partners(
    domain_works: ir.Table, authorship_countries: ir.Table
) -> ir.Table:
    """Co-publications and Salton's index per ordered pair of countries.

    One row per (country, partner) with at least one co-publication, both
    directions listed, so each country's partners can be read off its rows
    (:func:`oncometrics.indicators.pairs.partner_pairs`).

    Returns
    -------
    ir.Table
        ``(country, partner, co_publications, p_full_country, p_full_partner,
        salton, rank_co, rank_salton)``; ranks are competition ranks among the
        country's partners.
    """
    wc = work_countries(domain_works, authorship_countries)
    return partner_pairs(
        wc, "work_id", co="co_publications", size="p_full", rank="rank_co"
    )


__all__ = [
    "country_partners",
    "international_from_weights",
    "international_works",
    "intl_collab_rate",
    "work_countries",
]
