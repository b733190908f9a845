"""Field-normalised citation impact (contract section 4).

Reference set of a work: the counted works *of the whole store* (in the
domain or not) of the same publication year and field (and document type
when ``normalise_by_type``) that have citation data.  Expected citations
``e`` = mean ``c`` of the set; ``NCS = c / e`` (``1`` when ``e = 0``).
A work whose reference set holds fewer than ``min_reference_set`` works
(default 2) is compared with too little (alone, it is its own yardstick:
NCS 1 and top shares x by construction), so it is *not rated*: its NCS
and shares are null and it counts in no impact figure, as a work without
citation data does (``rated`` says which works are).
Top x % membership follows Waltman & Schreiber (2013): tied works share the
positions they occupy, so each set's shares add up to exactly ``x·n``.
A work without citation data has null ``c``, NCS and shares: it is in no
reference set and no impact indicator, and the actors' ``impact_coverage``
says how much of their output the unrated works leave out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: Top-x % levels reported, in percent.
TOP_LEVELS = (1, 10)


def reference_keys(normalise_by_type: bool = False) -> list[str]:
    """Columns that define a reference set."""
    keys = ["publication_year", "field"]
    return [*keys, "doc_type"] if normalise_by_type else keys


def _top_share(t: ir.Table, pct: int) -> ir.Value:
    """Waltman–Schreiber share of the top `pct` % (needs `lo`, `size`, `n_ref`)."""
    cut = t.n_ref.cast("float64") * pct / 100.0  # exact for integer n·pct
    return ibis.greatest(ibis.least(t.lo + t.size, cut) - t.lo, 0.0) / t.size


def work_impact(
    works: ir.Table, *, normalise_by_type: bool = False, min_reference_set: int = 2
) -> ir.Table:
    """Citations, expected citations, NCS and top shares; one row per work.

    Parameters
    ----------
    works
        ``(work_id, publication_year, field, doc_type, cited, has_cit)`` as
        returned by :func:`oncometrics.indicators.selection.counted_works`:
        every counted work of the store, so that reference sets hold the
        whole field.
    normalise_by_type
        Make document type part of the reference set.
    min_reference_set
        Fewest works (with citation data) a reference set needs for its
        works to be rated; ``1`` rates every work with citation data.

    Returns
    -------
    ir.Table
        ``(work_id, publication_year, field, doc_type, has_cit, c, n_ref, e,
        ncs, top1_share, top10_share, rated)`` where ``n_ref`` is the size of
        the reference set, ``top{x}_share`` in [0, 1] the work's fractional
        membership of the set's top x % (``c``, ``n_ref``, ``e`` null without
        citation data; NCS and shares null when not ``rated``).
    """
    keys = [*reference_keys(normalise_by_type), "has_cit"]
    t = works.select(
        "work_id", "publication_year", "field", "doc_type", "has_cit",
        c=works.cited.fill_null(0).cast("int64"),
    )  # fmt: skip
    # Each set's citation distribution, one row per (set, c): a hash
    # aggregation instead of windows sorted over every work of the store.
    # lo = works of the set with strictly more citations, size = works with
    # the same count; a work occupies positions (lo, lo + size].
    h = t.group_by([*keys, "c"]).aggregate(n=t.c.count())
    n_ref = h.n.sum().over(group_by=keys)
    total = (h.c * h.n).sum().over(group_by=keys)
    upto = h.n.cumsum(group_by=keys, order_by=ibis.desc(h.c))  # c' >= c
    h = h.mutate(
        n_ref=n_ref,
        e=total.cast("float64") / n_ref.cast("float64"),
        lo=(upto - h.n).cast("float64"),
        size=h.n.cast("float64"),
    ).drop("n")
    t = t.join(h, [*keys, "c"])  # every key is non-null (counted_works)
    t = t.mutate(ncs=ibis.ifelse(t.e == 0, 1.0, t.c.cast("float64") / t.e))
    shares = {f"top{p}_share": _top_share(t, p) for p in TOP_LEVELS}
    t = t.mutate(**shares).drop("lo", "size")
    rated = t.has_cit & (t.n_ref >= min_reference_set)
    none = {
        c: ibis.ifelse(t.has_cit, t[c], ibis.null(t[c].type()))
        for c in ("c", "n_ref", "e")
    }
    unrated = {
        c: ibis.ifelse(rated, t[c], ibis.null(t[c].type())) for c in ("ncs", *shares)
    }
    return t.mutate(**none, **unrated, rated=rated)


def actor_impact(
    weights: ir.Table,
    work_impact: ir.Table,
    *,
    by: Sequence[str] = (),
    counting: str = "fractional",
    min_coverage: float = 0.0,
) -> ir.Table:
    """Output and impact per actor: P, MNCS and P/PP(top x %), coverage.

    ``P_full`` counts works, ``P_frac`` sums weights; ``MNCS = Σ w·NCS / Σ w``
    and ``PP(top x %) = Σ w·share / Σ w`` over the *rated* works (citation
    data and a large enough reference set), with ``w`` the fractional weight (``counting="full"``: ``w = 1``);
    ``impact_coverage`` = their Σ w over all the actor's Σ w.  Without any
    such work, or with a coverage below `min_coverage`, the impact columns
    are null.  Grain: one row per actor (and
    `by`).

    Parameters
    ----------
    weights
        ``(work_id, actor, weight)`` from :func:`counting.actor_weights`.
    work_impact
        Output of :func:`work_impact` (any columns named in `by` included,
        e.g. ``publication_year``).
    by
        Extra grouping columns of `work_impact`.
    counting
        ``"fractional"`` (default) or ``"full"``: the weights of the ratios.
    min_coverage
        Least ``impact_coverage`` for the impact figures to be given.

    Returns
    -------
    ir.Table
        ``(actor, *by, p_full, p_frac, impact_coverage, tncs, mncs, p_top1,
        pp_top1, p_top10, pp_top10)``.
    """
    if counting not in ("fractional", "full"):
        raise ValueError(f"unknown counting {counting!r}: 'fractional' or 'full'")
    j = weights.join(work_impact, "work_id")
    w = j.weight if counting == "fractional" else ibis.literal(1.0)
    w_cit = ibis.ifelse(j.rated, w, 0.0)
    j = j.mutate(
        w=w,
        w_cit=w_cit,
        w_ncs=w_cit * j.ncs.fill_null(0.0),
        **{f"w_top{p}": w_cit * j[f"top{p}_share"].fill_null(0.0) for p in TOP_LEVELS},
    )
    agg = j.group_by("actor", *by).aggregate(
        p_full=j.work_id.count(),
        p_frac=j.weight.sum(),
        p_w=j.w.sum(),
        p_cit=j.w_cit.sum(),
        tncs=j.w_ncs.sum(),
        **{f"p_top{p}": j[f"w_top{p}"].sum() for p in TOP_LEVELS},
    )
    ok = (agg.p_cit > 0) & (agg.p_cit >= agg.p_w * min_coverage)

    def ratio(num: ir.NumericValue) -> ir.Value:
        return ibis.ifelse(ok, num / agg.p_cit, ibis.null("float64"))

    def total(num: ir.NumericValue) -> ir.Value:
        return ibis.ifelse(ok, num, ibis.null("float64"))

    return agg.mutate(
        impact_coverage=agg.p_cit / agg.p_w,
        tncs=total(agg.tncs),
        mncs=ratio(agg.tncs),
        **{f"p_top{p}": total(agg[f"p_top{p}"]) for p in TOP_LEVELS},
        **{f"pp_top{p}": ratio(agg[f"p_top{p}"]) for p in TOP_LEVELS},
    ).drop("p_w", "p_cit")
