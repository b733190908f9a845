"""Activity index and relative specialisation (contract section 5).

``AI(a) = (P(a, d) / P(world, d)) / (P(a, all) / P(world, all))`` where
``all`` is the actor's output in all fields over the same years and document
types (Glänzel 2000; OECD Patent Statistics Manual 2009 for the same ratio on
patents, the RTA).  ``RSI = (AI − 1) / (AI + 1)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir


def actor_totals(
    weights: ir.Table, counted_works: ir.Table, *, by: Sequence[str] = ()
) -> ir.Table:
    """All-field output per actor: ``(actor, *by, p_all, p_all_full)``.

    `weights` are the actor weights of *all* counted works (not only the
    domain); `counted_works` provides the `by` columns (e.g. year).
    """
    cols = ["work_id", *by]
    j = weights.join(counted_works.select(*cols), "work_id")
    return j.group_by("actor", *by).aggregate(
        p_all=j.weight.sum(), p_all_full=j.work_id.count().cast("float64")
    )


def activity_index(
    actor_table: ir.Table,
    totals: ir.Table,
    *,
    by: Sequence[str] = (),
    counting: str = "fractional",
) -> ir.Table:
    """`actor_table` plus ``p_all``, ``ai`` and ``rsi``; same grain.

    Parameters
    ----------
    actor_table
        Domain output per actor (``p_frac``, ``p_full``; one row per actor
        and `by`).
    totals
        ``(actor, *by, p_all)`` and, for full counting, ``p_all_full``: the
        all-field totals (from :func:`actor_totals` or a user table).  World
        totals are sums over the actors of each table.
    counting
        ``"fractional"`` compares ``p_frac`` with ``p_all``; ``"full"``
        compares ``p_full`` with ``p_all_full``.

    Returns
    -------
    ir.Table
        Null ``ai``/``rsi`` when the actor has no all-field total.
    """
    p_col, all_col = (
        ("p_frac", "p_all") if counting == "fractional" else ("p_full", "p_all_full")
    )
    gb = list(by)
    tot = totals.select("actor", *gb, _all=totals[all_col].cast("float64"))
    tot = tot.mutate(_world_all=tot._all.sum().over(group_by=gb))
    t = actor_table.mutate(
        _world_d=actor_table[p_col].cast("float64").sum().over(group_by=gb)
    )
    t = t.left_join(tot, ["actor", *gb])
    t = t.drop(*[c for c in t.columns if c.endswith("_right")])
    share_d = t[p_col].cast("float64") / t._world_d
    share_all = t._all / t._world_all
    ai = ibis.ifelse(share_all > 0, share_d / share_all, ibis.null("float64"))
    t = t.mutate(p_all=t._all, ai=ai).drop("_all", "_world_all", "_world_d")
    return t.mutate(rsi=(t.ai - 1.0) / (t.ai + 1.0))
