"""World shares and ranks (contract section 3).

Ranks are *competition* ranks: descending on the indicator, ties share the
best rank (1, 2, 2, 4).  Values are compared after rounding to 9 decimals, so
the same actors tie on every engine whatever the summation order.  Ratio
indicators are ranked only among actors above a size threshold: by default
relative to the corpus (``P_frac ≥ min_share × world P_frac``), or an
absolute ``P_frac ≥ min_p``; the others keep a null rank but stay listed.
A family's tables leave through :func:`finished`: tagged, then sorted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TypedDict

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: Digits kept when comparing values for ranking (engine-independent ties).
RANK_DIGITS = 9

#: Size indicators (ranked among all actors) and ratio indicators (min_p).
SIZE_INDICATORS = ("p_frac", "p_full")
RATIO_INDICATORS = ("mncs", "pp_top1", "pp_top10")


def competition_rank(
    value: ir.NumericValue,
    *,
    group_by: Sequence[str | ir.Value] = (),
    eligible: ir.BooleanValue | None = None,
) -> ir.IntegerValue:
    """1-based competition rank of `value`, descending, within `group_by`.

    Null values and rows where `eligible` is false get a null rank and do
    not take a place.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"a": ["x", "y", "z", "w"], "v": [3.0, 2.0, 2.0, 1.0]})
    >>> t.mutate(r=competition_rank(t.v)).order_by("a").r.to_list()
    [4, 1, 2, 2]
    """
    ok = value.notnull()
    if eligible is not None:
        ok = ok & eligible.fill_null(False)
    key = value.round(RANK_DIGITS)
    rank = ibis.rank().over(group_by=[*group_by, ok], order_by=ibis.desc(key)) + 1
    return ibis.ifelse(ok, rank, ibis.null("int64")).cast("int64")


def world_share(value: ir.NumericColumn, group_by: Sequence[str] = ()) -> ir.Value:
    """`value` divided by its sum over all actors (within `group_by`)."""
    return value / value.sum().over(group_by=list(group_by))


def left_join_filled(
    left: ir.Table, right: ir.Table, key: str, fill: Mapping[str, object]
) -> ir.Table:
    """`left` with the columns of `right` on `key`; nulls of `fill`'s columns filled.

    A row of `left` without a match in `right` gets ``fill[column]`` where
    it would get null (a count of nothing is 0, not missing).
    """
    t = left.left_join(right, key).drop(f"{key}_right")
    return t.mutate(**{c: t[c].fill_null(v) for c, v in fill.items()})


def size_threshold(
    p_frac: ir.NumericColumn,
    *,
    min_p: float | None = None,
    min_share: float | None = None,
    group_by: Sequence[str] = (),
) -> ir.Value:
    """The P_frac an actor needs to be ranked on ratio indicators.

    `min_p` (absolute) when given, else `min_share` of the world P_frac
    (sum over the actors, within `group_by`), else 0.
    """
    if min_p is not None:
        return ibis.literal(float(min_p))
    if min_share:
        return p_frac.sum().over(group_by=list(group_by)) * float(min_share)
    return ibis.literal(0.0)


def ranked_indicators(
    actor_table: ir.Table,
    *,
    min_p: float | None = 0.0,
    min_share: float | None = None,
    group_by: Sequence[str] = (),
    ratios: Sequence[str] = RATIO_INDICATORS,
) -> ir.Table:
    """`actor_table` plus shares, ``rank_<indicator>`` and the threshold.

    Parameters
    ----------
    actor_table
        One row per actor (and `group_by`), with ``p_frac``, ``p_full`` and the
        ratio columns present in `ratios`.
    min_p
        Minimum ``p_frac`` to be ranked on ratio indicators (absolute).
    min_share
        Used when `min_p` is None: minimum share of the world ``p_frac``.
    group_by
        Columns within which shares and ranks are computed (e.g. year).

    Returns
    -------
    ir.Table
        The same rows with ``share_frac``, ``share_full``, the rank columns,
        ``ranked`` (above the threshold), ``threshold_p`` (the P_frac needed)
        and ``n_ranked`` (actors above it).
    """
    t = actor_table
    gb = list(group_by)
    cut = size_threshold(t.p_frac, min_p=min_p, min_share=min_share, group_by=gb)
    t = t.mutate(
        share_frac=world_share(t.p_frac, gb),
        share_full=world_share(t.p_full.cast("float64"), gb),
        threshold_p=cut.round(RANK_DIGITS),
    )
    ranks = {f"rank_{c}": competition_rank(t[c], group_by=gb) for c in SIZE_INDICATORS}
    eligible = t.p_frac.round(RANK_DIGITS) >= t.threshold_p
    for c in ratios:
        if c in t.columns:
            ranks[f"rank_{c}"] = competition_rank(t[c], group_by=gb, eligible=eligible)
    ranks["ranked"] = eligible
    t = t.mutate(**ranks)
    return t.mutate(n_ranked=t.ranked.cast("int64").sum().over(group_by=gb))


def growth_rate(
    actor_year: ir.Table, value: str = "p_frac", *, year: str = "publication_year"
) -> ir.Table:
    """`actor_year` plus ``growth_<value>`` = value(t) / value(t − 1) − 1.

    Grain: one row per actor-year.  Null when the actor has no row for the
    previous calendar year.
    """
    t = actor_year
    w = ibis.window(group_by="actor", order_by=year)
    prev = t[value].lag().over(w)
    prev_year = t[year].lag().over(w)
    ok = prev_year == t[year] - 1
    growth = ibis.ifelse(ok, t[value] / prev - 1.0, ibis.null("float64"))
    return t.mutate(**{f"growth_{value}": growth})


#: Tables by name (a family's inputs, or its outputs).
Tables = dict[str, "ir.Table"]
#: Materialises a shared intermediate table once (e.g. ``ir.Table.cache``).
Cache = Callable[["ir.Table"], "ir.Table"]


class Run(TypedDict, total=False):
    """What a runner may hand a family's table builder (inventions, trials).

    `meta`: constant columns every table carries (domain name and hash);
    `cache`: materialises the shared intermediate tables once instead of
    once per output table.
    """

    meta: dict[str, str] | None
    cache: Cache | None


def tagged(table: ir.Table, tags: Mapping[str, object]) -> ir.Table:
    """`table` with one constant column per entry of `tags` (none: `table`)."""
    columns = {k: ibis.literal(v) for k, v in tags.items()}
    return table.mutate(**columns) if columns else table


def finished(
    out: Mapping[str, ir.Table],
    order: Mapping[str, Sequence[str]],
    tags: Mapping[str, object],
) -> dict[str, ir.Table]:
    """Each table of `out` :func:`tagged` with `tags`, sorted by its `order` keys.

    A table without sort keys stays in the order it comes.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"a": [2, 1]})
    >>> out = finished({"x": t, "y": t}, {"x": ["a"], "y": []}, {"hash": "h1"})
    >>> out["x"].to_pyarrow().to_pylist()
    [{'a': 1, 'hash': 'h1'}, {'a': 2, 'hash': 'h1'}]
    >>> out["y"].columns
    ('a', 'hash')
    """
    res = {}
    for name, table in out.items():
        t = tagged(table, tags)
        res[name] = t.order_by(list(order[name])) if order[name] else t
    return res
