"""Actor tables (countries, country-years, institutions), materialised.

One row per actor (and year): output, impact, ranks, activity index,
international collaboration rate and the stability intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from oncometrics.indicators import collaboration as collab
from oncometrics.indicators import impact, output, specialisation
from oncometrics.indicators.stability import (
    INTERVAL_COLUMNS,
    RANK_COLUMNS,
    stability_intervals,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.pipeline.inputs import Inputs

#: Leading columns of the actor tables (more follow).
HEAD = [
    "p_full", "p_frac", "share_frac", "rank_p_frac", "mncs", "pp_top1", "pp_top10",
    "ai", "rsi", "intl_collab_rate", *INTERVAL_COLUMNS, *RANK_COLUMNS,
    "impact_coverage", "threshold_p", "threshold_share", "n_ranked",
]  # fmt: skip

#: Why the activity index is n/a when the all-field totals are the domain.
AI_DOMAIN_ONLY = (
    "n/a: the store holds only domain works and no totals file was given, so "
    "the all-field totals are the domain itself (see README, own corpus)"
)
AI_ALL_ONE = "n/a: the all-field totals equal the domain's (AI = 1 for every actor)"
NO_CITATIONS = (
    "n/a: no work of this actor has citation data in a reference set of "
    "at least min_reference_set works"
)
LOW_COVERAGE = (
    "n/a: {cov} of this actor's output has citation data in a large enough "
    "reference set (minimum {min})"
)


@dataclass(frozen=True)
class Threshold:
    """Size threshold of the ratio ranks: absolute `min_p` (overrides) or
    relative `min_share` of the world's P_frac."""

    min_p: float | None = None
    min_share: float | None = 0.005


@dataclass(frozen=True)
class Resampling:
    """Bootstrap of the stability intervals (``resamples`` 0: none)."""

    resamples: int = 1000
    seed: int = 20141
    exact_max: int = 5000


def actor_table(
    inp: Inputs,
    weights: ir.Table,
    totals: ir.Table | None,
    *,
    counting: str,
    size: Threshold,
    resampling: Resampling,
    by: Sequence[str] = (),
    works: pa.Table | None = None,
    min_coverage: float = 0.0,
    totals_file: bool = False,
) -> pa.Table:
    """One actor table (indicators, ranks, AI, intervals), materialised.

    `works` is the actor-work table of :func:`actor_works_table` when the
    caller already has it (grouped by at least ``actor, *by``).
    """
    by = list(by)
    t = impact.actor_impact(weights, inp.work_impact, by=by, counting=counting,
                            min_coverage=min_coverage)  # fmt: skip
    t = output.ranked_indicators(t, min_p=size.min_p, min_share=size.min_share,
                                 group_by=by)  # fmt: skip
    if "publication_year" in by:
        t = output.growth_rate(t)
    rate = collab.intl_collab_rate(weights, inp.international, by=by)
    t = t.left_join(rate, ["actor", *by])
    t = t.drop(*[c for c in t.columns if c.endswith("_right")])
    if totals is not None:
        t = specialisation.activity_index(t, totals, by=by, counting=counting)
    else:
        t = t.mutate(p_all=ibis.null("float64"), ai=ibis.null("float64"),
                     rsi=ibis.null("float64"))  # fmt: skip
    t = t.mutate(**{f"rank_{c}": output.competition_rank(t[c], group_by=by,
                                                          eligible=t.ranked)
                    for c in ("ai", "intl_collab_rate")})  # fmt: skip
    table = _notes(inp.engine.to_arrow(t), inp, totals_file, min_coverage)
    share = size.min_share if size.min_p is None else None
    table = table.append_column(
        "threshold_share", pa.array([share] * table.num_rows, pa.float64())
    )
    keys = ["actor", *by]
    if resampling.resamples <= 0:
        nulls = {c: pa.nulls(table.num_rows, pa.float64()) for c in INTERVAL_COLUMNS}
        nulls |= {c: pa.nulls(table.num_rows, pa.int64()) for c in RANK_COLUMNS}
        return _append(table.sort_by([(k, "ascending") for k in keys]), nulls)
    if works is None:
        works = actor_works_table(inp, weights, counting, by)
    given = pc.is_valid(table["mncs"])
    ranked = table.filter(pc.and_(pc.fill_null(table["ranked"], False), given))
    ranked = ranked.select(keys)
    iv = stability_intervals(
        works,
        keys=keys,
        presorted=True,
        resamples=resampling.resamples,
        seed=resampling.seed,
        exact_max=resampling.exact_max,
        ranked=list(zip(*(ranked[k].to_pylist() for k in keys), strict=True)),
    )
    return _join_intervals(table, iv, keys, given)


def _notes(
    table: pa.Table, inp: Inputs, totals_file: bool, min_coverage: float
) -> pa.Table:
    """Null AI/RSI that would be meaningless, with the reason in ``ai_note``;
    the reason of missing impact figures in ``impact_note`` (contract 4, 5)."""
    n = table.num_rows
    reason = None
    if inp.summary and inp.summary["only_domain_works"] and not totals_file:
        reason = AI_DOMAIN_ONLY
    elif n and pc.all(pc.less(pc.abs(pc.subtract(table["ai"], 1.0)), 1e-9)).as_py():
        reason = AI_ALL_ONE
    if reason is not None:
        for c in ("ai", "rsi", "rank_ai"):
            if c in table.column_names:
                i = table.column_names.index(c)
                typ = table.schema.field(c).type
                table = table.set_column(i, c, pa.nulls(n, typ))
    table = table.append_column("ai_note", pa.array([reason] * n, pa.string()))
    notes: list[str | None] = []
    cover, mncs = table["impact_coverage"].to_pylist(), table["mncs"].to_pylist()
    for cov, value in zip(cover, mncs, strict=True):
        if value is not None:
            notes.append(None)
        elif not cov:
            notes.append(NO_CITATIONS)
        else:
            notes.append(
                LOW_COVERAGE.format(cov=f"{cov:.1%}", min=f"{min_coverage:.0%}")
            )
    return table.append_column("impact_note", pa.array(notes, pa.string()))


def actor_works_table(
    inp: Inputs, weights: ir.Table, counting: str, by: Sequence[str] = ()
) -> pa.Table:
    """Materialised ``(actor, *by, work_id, ncs, top1_share, top10_share,
    weight)`` rows.

    Sorted by actor, `by`, work_id on the engine: every prefix of that order
    groups the rows contiguously, so one table serves the intervals of the
    actor table and of the actor-year table.
    """
    j = weights.join(inp.work_impact, "work_id")
    w = j.weight if counting == "fractional" else ibis.literal(1.0)
    expr = j.select(
        "actor", *by, "work_id", "ncs", "top1_share", "top10_share", weight=w
    )
    return inp.engine.to_arrow(expr.order_by("actor", *by, "work_id"))


def _append(table: pa.Table, cols: dict[str, pa.Array]) -> pa.Table:
    for name, col in cols.items():
        table = table.append_column(name, col)
    return table


def _join_intervals(
    table: pa.Table, iv: Any, keys: list[str], given: pa.Array
) -> pa.Table:
    """`table` with the intervals of `iv`, for the rows whose figure is given."""
    schema = pa.schema([table.schema.field(k) for k in keys])
    for c in INTERVAL_COLUMNS:
        schema = schema.append(pa.field(c, pa.float64()))
    for c in RANK_COLUMNS:
        schema = schema.append(pa.field(c, pa.int64()))
    right = pa.Table.from_pandas(iv, schema=schema, preserve_index=False)
    right = right.join(table.filter(given).select(keys), keys, join_type="inner")
    joined = table.join(right, keys, join_type="left outer")
    return joined.sort_by([(k, "ascending") for k in keys])


def renamed(table: pa.Table, actor: str) -> pa.Table:
    """`table` with its ``actor`` column named `actor`, head columns first."""
    names = [actor if c == "actor" else c for c in table.column_names]
    t = table.rename_columns(names)
    first = [actor] + (["publication_year"] if "publication_year" in names else [])
    rest = [c for c in names if c not in first and c not in HEAD]
    order = [(k, "ascending") for k in [*first[1:], "rank_p_frac", actor]]
    return t.select([*first, *HEAD, *rest]).sort_by(order)
