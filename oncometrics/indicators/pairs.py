"""Partner tables: shared items and Salton's index per ordered country pair.

One helper for the three partner tables (``country_partners``,
``coinvention_partners``, ``trial_partners``): each item (work, patent
family, trial) counts once for every ordered pair of its distinct countries.
Salton's index ``co(a, b) / sqrt(n(a)·n(b))`` (Salton & McGill 1983; Glänzel
2001 on co-authorship links) ranks partners independently of their size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oncometrics.indicators.output import competition_rank

if TYPE_CHECKING:
    import ibis.expr.types as ir


def partner_pairs(
    item_countries: ir.Table, item: str, *, co: str, size: str, rank: str
) -> ir.Table:
    """Shared items and Salton's index per ordered pair of countries.

    Parameters
    ----------
    item_countries
        ``(item, country)`` rows (duplicates count once).
    item
        The item column (``work_id``, ``nct_id``, …).
    co
        Name of the shared-item count column (``co_publications``, …).
    size
        Prefix of the two full-count columns: ``<size>_country``,
        ``<size>_partner``.
    rank
        Name of the rank column on `co` (``rank_co``, ``rank_shared``).

    Returns
    -------
    ir.Table
        One row per (country, partner) sharing at least one item, both
        directions listed: ``(country, partner, <co>, <size>_country,
        <size>_partner, salton, <rank>, rank_salton)``; ranks are competition
        ranks among the country's partners.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"w": [1, 1, 2, 2, 3], "country": list("ABACA")})
    >>> p = partner_pairs(t, "w", co="co", size="n", rank="rank_co")
    >>> p.order_by("country", "partner").select("country", "partner", "co",
    ...     "n_country", "n_partner").to_pyarrow().to_pylist()[0]
    {'country': 'A', 'partner': 'B', 'co': 1, 'n_country': 3, 'n_partner': 1}
    """
    ic = item_countries.select(item, "country").distinct()
    n = ic.group_by("country").aggregate(_n=ic[item].count())
    other = ic.select(item, partner=ic.country)
    pairs = ic.join(other, item)
    pairs = pairs.filter(pairs.country != pairs.partner)
    t = pairs.group_by("country", "partner").aggregate(**{co: pairs[item].count()})
    t = t.join(n.select("country", **{f"{size}_country": n._n}), "country")
    t = t.join(n.select(partner=n.country, **{f"{size}_partner": n._n}), "partner")
    both = (t[f"{size}_country"] * t[f"{size}_partner"]).cast("float64").sqrt()
    t = t.mutate(salton=t[co].cast("float64") / both)
    return t.mutate(
        **{rank: competition_rank(t[co].cast("float64"), group_by=["country"])},
        rank_salton=competition_rank(t.salton, group_by=["country"]),
    )
