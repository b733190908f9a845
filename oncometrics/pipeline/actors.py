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

from oncometrics.indicators import collaboration as collab
from oncometrics.indicators import impact, output, specialisation
from oncometrics.indicators.stability import INTERVAL_COLUMNS, stability_intervals

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.pipeline.inputs import Inputs

#: Leading columns of the actor tables (more follow).
HEAD = [
    "p_full", "p_frac", "share_frac", "rank_p_frac", "mncs", "pp_top1", "pp_top10",
    "ai", "rsi", "intl_collab_rate", *INTERVAL_COLUMNS,
]  # fmt: skip


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
    min_p: float,
    resampling: Resampling,
    by: Sequence[str] = (),
    works: pa.Table | None = None,
) -> pa.Table:
    """One actor table (indicators, ranks, AI, intervals), materialised.

    `works` is the actor-work table of :func:`actor_works_table` when the
    caller already has it (grouped by at least ``actor, *by``).
    """
    by = list(by)
    t = impact.actor_impact(weights, inp.work_impact, by=by, counting=counting)
    t = output.ranked_indicators(t, min_p=min_p, group_by=by)
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
    table = inp.engine.to_arrow(t)
    keys = ["actor", *by]
    if resampling.resamples <= 0:
        nulls = {c: pa.nulls(table.num_rows, pa.float64()) for c in INTERVAL_COLUMNS}
        return _append(table.sort_by([(k, "ascending") for k in keys]), nulls)
    if works is None:
        works = actor_works_table(inp, weights, counting, by)
    iv = stability_intervals(
        works,
        keys=keys,
        presorted=True,
        resamples=resampling.resamples,
        seed=resampling.seed,
        exact_max=resampling.exact_max,
    )
    return _join_intervals(table, iv, keys)


def actor_works_table(
    inp: Inputs, weights: ir.Table, counting: str, by: Sequence[str] = ()
) -> pa.Table:
    """Materialised ``(actor, *by, work_id, ncs, top10_share, weight)`` rows.

    Sorted by actor, `by`, work_id on the engine: every prefix of that order
    groups the rows contiguously, so one table serves the intervals of the
    actor table and of the actor-year table.
    """
    j = weights.join(inp.work_impact, "work_id")
    w = j.weight if counting == "fractional" else ibis.literal(1.0)
    expr = j.select("actor", *by, "work_id", "ncs", "top10_share", weight=w)
    return inp.engine.to_arrow(expr.order_by("actor", *by, "work_id"))


def _append(table: pa.Table, cols: dict[str, pa.Array]) -> pa.Table:
    for name, col in cols.items():
        table = table.append_column(name, col)
    return table


def _join_intervals(table: pa.Table, iv: Any, keys: list[str]) -> pa.Table:
    schema = pa.schema([table.schema.field(k) for k in keys]).append(
        pa.field(INTERVAL_COLUMNS[0], pa.float64())
    )
    for c in INTERVAL_COLUMNS[1:]:
        schema = schema.append(pa.field(c, pa.float64()))
    right = pa.Table.from_pandas(iv, schema=schema, preserve_index=False)
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
