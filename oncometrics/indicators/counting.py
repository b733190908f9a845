"""Full and fractional counting of publications per actor (contract section 3).

An *actor* is whatever the authorship table names: a country, an institution,
a unit of the user's organisation.  Every function here takes a table with the
columns ``(work_id, author_position, actor)`` (one row per authorship-actor
link) or a thin wrapper renames a canonical table to that shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir


def actor_weights(
    domain_works: ir.Table | None, authorship_actors: ir.Table
) -> ir.Table:
    """Fractional weight of each actor in each work; one row per (work, actor).

    A work's weight 1 is shared equally among its authorships with at least
    one resolved actor, and an authorship's share equally among its distinct
    actors: ``weight(w, a) = Σ_authorships-of-a 1 / (n_auth(w) · n_act(w, k))``.
    Full counting is one row per (work, actor), i.e. ``count()``.

    Parameters
    ----------
    domain_works
        Counted works; only ``work_id`` is used.  None: every work of
        `authorship_actors` (for all-field totals, where the caller joins
        the works it counts anyway).
    authorship_actors
        ``(work_id, author_position, actor)``; rows with a null actor are
        ignored (those authorships leave the denominator), duplicates collapse.

    Returns
    -------
    ir.Table
        ``(work_id, actor, weight)``; the weights of a work sum to 1 unless
        the work has no resolved actor at all (then it has no row).

    Notes
    -----
    Most works have a single actor (one country): their weight is exactly 1
    whatever their authorships, so one grouping by work finds them (the
    smallest and largest actor are equal) and only the other works go
    through the per-authorship computation (window functions, the costly
    part; measured in docs/benchmarks.md, compute).

    Examples
    --------
    >>> import ibis
    >>> ibis.options.interactive = False
    >>> works = ibis.memtable({"work_id": ["W1"]})
    >>> links = ibis.memtable({"work_id": ["W1", "W1", "W1"],
    ...                        "author_position": [1, 1, 2],
    ...                        "actor": ["FR", "US", "FR"]})
    >>> t = actor_weights(works, links).order_by("actor").to_pandas()
    >>> t.weight.tolist()
    [0.75, 0.25]
    """
    links = authorship_actors.select("work_id", "author_position", "actor")
    if domain_works is not None:
        links = links.semi_join(domain_works.select("work_id"), "work_id")
    # smallest and largest resolved actor per work (null actors are ignored;
    # a work with none has null bounds and falls out of both filters)
    per_work = links.group_by("work_id").aggregate(
        lo=links.actor.min(), hi=links.actor.max()
    )
    single = per_work.filter(per_work.lo == per_work.hi).select(
        "work_id", actor=per_work.lo, weight=ibis.literal(1.0, "float64")
    )
    multi = per_work.filter(per_work.lo != per_work.hi).select("work_id")
    links = links.filter(links.actor.notnull()).semi_join(multi, "work_id").distinct()
    # n_act: actors of the authorship; n_auth: authorships of the work with an
    # actor = Σ 1/n_act over the work's links (each authorship adds exactly 1),
    # rounded to undo floating-point error.  Two windows, no join.
    n_act = ibis._.actor.count().over(group_by=["work_id", "author_position"])
    t = links.mutate(n_act=n_act.cast("float64"))
    n_auth = (1.0 / t.n_act).sum().over(group_by="work_id").round()
    t = t.mutate(share=1.0 / (n_auth * t.n_act))
    several = t.group_by("work_id", "actor").aggregate(weight=t.share.sum())
    return single.union(several, distinct=False)


def country_weights(
    domain_works: ir.Table | None, authorship_countries: ir.Table
) -> ir.Table:
    """Country weights, ``(work_id, actor, weight)`` with actor = ISO alpha-2."""
    return _weights_by(domain_works, authorship_countries, "country")


def institution_weights(
    domain_works: ir.Table | None, authorship_institutions: ir.Table
) -> ir.Table:
    """Institution weights, ``(work_id, actor, weight)`` with actor = institution_id."""
    return _weights_by(domain_works, authorship_institutions, "institution_id")


def _weights_by(
    domain_works: ir.Table | None, authorships: ir.Table, actor: str
) -> ir.Table:
    """:func:`actor_weights` with the `actor` column of `authorships` as actor."""
    links = authorships.select("work_id", "author_position", actor=authorships[actor])
    return actor_weights(domain_works, links)


def unassigned_works(domain_works: ir.Table, weights: ir.Table) -> ir.Table:
    """Counted works with no resolved actor (no row in `weights`); same columns."""
    return domain_works.anti_join(weights.select("work_id").distinct(), "work_id")
