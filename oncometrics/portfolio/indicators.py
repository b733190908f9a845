"""Indicators of the organisation's units and funded projects (contract §7).

Pure functions from Ibis tables to an Ibis table, like
:mod:`oncometrics.indicators`, whose counting and impact functions they reuse.

Counting at unit level (our reading of contract sections 3 and 7): an
authorship's *actors* are the units its affiliations name **plus one "other"
actor for each of its affiliations that names no unit** (for an authorship
with no affiliation string: each of its institutions).  A work's weight 1 is
shared equally among its authorships with at least one actor, and an
authorship's share equally among its distinct actors.  So a paper written by
one author of unit A and one author of a foreign institution gives A the
weight 1/2; an author listing unit A and a foreign institution gives A half of
that author's share; a paper whose two authors are in units A and B gives
each 1/2.  The organisation's share of a work is the sum of its units'
weights.  Full counting: 1 for each work with at least one authorship in the
unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from oncometrics.indicators import collaboration as collab
from oncometrics.indicators import counting, impact

if TYPE_CHECKING:
    from collections.abc import Callable

    import ibis.expr.types as ir

#: Prefix of the actors that are not units of the organisation.
OTHER = "~"
#: Label of the organisation as a whole in the ``units`` table.
ORGANISATION = "(organisation)"


def authorship_actors(
    affiliations: ir.Table,
    string_actors: ir.Table,
    ror_units: ir.Table,
    authorship_institutions: ir.Table,
) -> ir.Table:
    """Actors of each authorship: ``(work_id, author_position, actor)``.

    Parameters
    ----------
    affiliations
        The store's ``affiliations`` table (raw strings per authorship).
    string_actors
        ``(affiliation, actor)``: the units a raw string names, and one
        ``"~…"`` actor per segment of the string that names no unit.
    ror_units
        ``(work_id, author_position, actor)`` matched through ROR ids.
    authorship_institutions
        Institutions of authorships without any affiliation string become
        ``"~inst:<id>"`` actors.
    """
    a = affiliations.filter(affiliations.affiliation.notnull())
    by_text = a.join(string_actors, "affiliation").select(
        "work_id", "author_position", "actor"
    )
    ai = authorship_institutions.filter(
        authorship_institutions.institution_id.notnull()
    )
    no_text = ai.anti_join(a, ["work_id", "author_position"]).select(
        "work_id", "author_position",
        actor=ibis.literal(OTHER + "inst:") + ai.institution_id,
    )  # fmt: skip
    rors = ror_units.select("work_id", "author_position", "actor")
    return by_text.union(no_text).union(rors).distinct()


def unit_weights(domain_works: ir.Table, authorship_actors: ir.Table) -> ir.Table:
    """Fractional weight of each unit in each work: ``(work_id, actor, weight)``."""
    w = counting.actor_weights(domain_works, authorship_actors)
    return w.filter(~w.actor.startswith(OTHER))


def organisation_weights(unit_weights: ir.Table) -> ir.Table:
    """The organisation's weight in each work (sum over its units)."""
    return unit_weights.group_by("work_id").aggregate(
        actor=ibis.literal(ORGANISATION), weight=unit_weights.weight.sum()
    )


def organisation_actors(authorship_actors: ir.Table) -> ir.Table:
    """Authorships in any unit, with the organisation as their actor."""
    a = authorship_actors.filter(~authorship_actors.actor.startswith(OTHER))
    return a.select("work_id", "author_position", actor=ibis.literal(ORGANISATION))


def unit_indicators(
    weights: ir.Table,
    work_impact: ir.Table,
    international_works: ir.Table,
    *,
    by: tuple[str, ...] = (),
    counting_: str = "fractional",
) -> ir.Table:
    """P, MNCS, PP(top x %), international rate; one row per unit (and `by`)."""
    t = impact.actor_impact(weights, work_impact, by=by, counting=counting_)
    rate = collab.intl_collab_rate(weights, international_works, by=by)
    t = t.left_join(rate, ["actor", *by])
    return t.drop(*[c for c in t.columns if c.endswith("_right")])


def organisation_share(unit_indicators: ir.Table) -> ir.Table:
    """`unit_indicators` plus ``share_of_org`` = P_frac(unit) / Σ P_frac(units)."""
    units = unit_indicators.filter(unit_indicators.actor != ORGANISATION)
    total = units.p_frac.sum().as_scalar()
    return unit_indicators.mutate(share_of_org=unit_indicators.p_frac / total)


def partner_countries(
    weights: ir.Table, authorship_actors: ir.Table, authorship_countries: ir.Table
) -> ir.Table:
    """Co-publications of each unit with each country of its co-authors.

    A country counts when an authorship of the work *not* in the unit has it
    (full counting).  Returns ``(actor, partner, co_publications)``.
    """
    ac = authorship_countries.filter(authorship_countries.country.notnull())
    return _outside_partners(weights, authorship_actors, ac, lambda t: t.country)


def partner_institutions(
    weights: ir.Table, authorship_actors: ir.Table, authorship_institutions: ir.Table
) -> ir.Table:
    """Co-publications of each unit with the institutions of co-authors outside it.

    Returns ``(actor, partner, co_publications)`` with partner = institution
    name (else id), full counting.
    """
    ai = authorship_institutions.filter(
        authorship_institutions.institution_id.notnull()
    )
    return _outside_partners(
        weights,
        authorship_actors,
        ai,
        lambda t: t.institution_name.fill_null(t.institution_id),
    )


def _outside_partners(
    weights: ir.Table,
    authorship_actors: ir.Table,
    authorships: ir.Table,
    partner: Callable[[ir.Table], ir.Value],
) -> ir.Table:
    """Co-publications of each unit by `partner` of its outside `authorships`."""
    own = authorship_actors.select("work_id", "author_position", unit="actor")
    pairs = weights.select("work_id", "actor").join(authorships, "work_id")
    pairs = pairs.anti_join(
        own,
        [pairs.work_id == own.work_id, pairs.author_position == own.author_position,
         pairs.actor == own.unit],
    )  # fmt: skip
    pairs = pairs.select("actor", "work_id", partner=partner(pairs)).distinct()
    return pairs.group_by("actor", "partner").aggregate(
        co_publications=pairs.work_id.count()
    )


def partner_units(weights: ir.Table) -> ir.Table:
    """Co-publications between two units of the organisation (full counting)."""
    other = weights.select("work_id", partner="actor")
    pairs = weights.select("work_id", "actor").join(other, "work_id")
    pairs = pairs.filter(pairs.actor != pairs.partner)
    return pairs.group_by("actor", "partner").aggregate(
        co_publications=pairs.work_id.nunique()
    )


def project_works(
    grants: ir.Table, award_keys: ir.Table, project_awards: ir.Table
) -> ir.Table:
    """Works citing a project's award ids: ``(project_id, call, work_id)``.

    `award_keys` maps each ``award_id_norm`` of the store to its match keys
    ``(award_id_norm, key)``; `project_awards` is ``(project_id, call, key)``.
    """
    g = grants.filter(grants.award_id_norm.notnull()).select("work_id", "award_id_norm")
    g = g.join(award_keys, "award_id_norm").select("work_id", "key")
    j = project_awards.join(g, "key")
    return j.select("project_id", "call", "work_id").distinct()


def project_weights(project_works: ir.Table, key: str = "project_id") -> ir.Table:
    """Full-count weights of a project's (or a call's) works: weight 1 each."""
    t = project_works.select(actor=project_works[key], work_id=project_works.work_id)
    return t.distinct().mutate(weight=ibis.literal(1.0))
