"""The publication tables: one function per output table, named after it.

Each function's parameters are its inputs (the Hamilton idea): the shared
:class:`~oncometrics.pipeline.inputs.Inputs`, weights, totals and plain
settings.  :func:`publication_tables` wires them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa

from oncometrics import derived
from oncometrics.indicators import collaboration as collab
from oncometrics.indicators import counting, provenance
from oncometrics.indicators.output import left_join_filled
from oncometrics.pipeline.actors import (
    Resampling,
    Threshold,
    actor_table,
    actor_works_table,
    renamed,
)
from oncometrics.pipeline.inputs import (
    Inputs,
    all_field_totals,
    country_totals,
    domain_weights,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir


@dataclass(frozen=True)
class Counting:
    """How actors are counted and ranked (plain values of the settings)."""

    counting: str = "fractional"
    size: Threshold = field(default_factory=Threshold)
    min_p_institution: float = 5.0
    resampling: Resampling = field(default_factory=Resampling)
    #: least share of an actor's output with citation data for impact figures
    min_coverage: float = 0.5
    #: whether the all-field totals come from a user file
    totals_file: bool = False


#: The grain of the year tables.
YEAR = ("publication_year",)


def publication_tables(
    inp: Inputs,
    how: Counting,
    *,
    totals_csv: str | Path | None,
    log: Callable[[str], Any],
) -> Iterator[tuple[str, pa.Table]]:
    """Every publication table, materialised one after the other."""
    cw = inp.country_weights
    c_totals, cy_totals = country_totals(inp, totals_csv, log)
    cworks = country_works(inp, cw, how)
    yield (
        "publications_by_country",
        publications_by_country(inp, cw, c_totals, cworks, how),
    )
    yield (
        "publications_by_country_year",
        publications_by_country(inp, cw, cy_totals, cworks, how, YEAR),
    )
    del cworks
    i_all, iw = institution_weights(inp)
    i_totals = institution_totals(inp, i_all)
    yield (
        "publications_by_institution",
        publications_by_institution(inp, iw, i_totals, how),
    )
    yield "country_partners", country_partners(inp)
    yield "publications_unassigned", publications_unassigned(inp, cw, iw)
    yield "citation_sources", citation_sources(inp)


def country_works(
    inp: Inputs, country_weights: ir.Table, how: Counting
) -> pa.Table | None:
    """The country-work rows of the intervals, shared by country and year tables."""
    if how.resampling.resamples <= 0:
        return None
    return actor_works_table(inp, country_weights, how.counting, ["publication_year"])


def institution_weights(inp: Inputs) -> tuple[ir.Table | None, ir.Table]:
    """Every work's institution weights (None: not derived) and the domain's."""
    return domain_weights(inp, derived.INSTITUTION_WEIGHTS, _institution_links(inp))


def institution_totals(inp: Inputs, all_weights: ir.Table | None) -> ir.Table:
    """All-field totals per institution."""
    return all_field_totals(
        inp, derived.INSTITUTION_TOTALS, all_weights, _institution_links(inp)
    )


def _institution_links(inp: Inputs) -> Callable[[ir.Table | None], ir.Table]:
    ai_ = inp.tables["authorship_institutions"]
    return lambda works: counting.institution_weights(works, ai_)


def publications_by_country(
    inp: Inputs,
    country_weights: ir.Table,
    country_totals: ir.Table | None,
    country_works: pa.Table | None,
    how: Counting,
    by: tuple[str, ...] = (),
) -> pa.Table:
    """One row per country (and `by` value: the year table)."""
    t = actor_table(inp, country_weights, country_totals, counting=how.counting,
                    size=how.size, resampling=how.resampling, by=by,
                    works=country_works, min_coverage=how.min_coverage,
                    totals_file=how.totals_file)  # fmt: skip
    return renamed(t, "country")


def publications_by_institution(
    inp: Inputs,
    institution_weights: ir.Table,
    institution_totals: ir.Table,
    how: Counting,
) -> pa.Table:
    """One row per institution, with its ROR id, name and country."""
    t = actor_table(inp, institution_weights, institution_totals,
                    counting=how.counting,
                    size=Threshold(min_p=how.min_p_institution),
                    resampling=how.resampling,
                    min_coverage=how.min_coverage)  # fmt: skip
    a = inp.tables["authorship_institutions"]
    labels = a.group_by(actor=a.institution_id).aggregate(
        ror=a.ror.max(), institution_name=a.institution_name.max(),
        country_code=a.country_code.max(),
    )  # fmt: skip
    lab = inp.engine.to_arrow(labels)
    t = t.join(lab, "actor", join_type="left outer").sort_by("actor")
    return renamed(t, "institution_id")


def country_partners(inp: Inputs) -> pa.Table:
    """One row per country and partner country."""
    ac = inp.tables["authorship_countries"]
    expr = collab.country_partners(inp.domain_works, ac)
    return _sorted(inp, expr, ["country", "rank_co", "partner"])


def citation_sources(inp: Inputs) -> pa.Table:
    """One row per citation source of the domain works."""
    expr = provenance.citation_sources(inp.tables["works"], inp.domain_works)
    return _sorted(inp, expr, ["citation_source"])


def publications_unassigned(
    inp: Inputs, country_weights: ir.Table, institution_weights: ir.Table
) -> pa.Table:
    """Counted domain works with no resolved actor, per level and year."""
    levels = {"country": country_weights, "institution": institution_weights}
    wi = inp.work_impact  # one row per domain work
    total = wi.group_by("publication_year").aggregate(
        p_total=wi.work_id.count(), n_rated=wi.rated.cast("int64").sum()
    )
    parts = [inp.engine.to_arrow(_unassigned(inp, total, level, w))
             for level, w in levels.items()]  # fmt: skip
    t = pa.concat_tables(parts)
    order = ["level", "publication_year", "p_total", "p_unassigned", "p_top1",
             "p_top10", "tncs"]  # fmt: skip
    return t.select(order).sort_by(
        [("level", "ascending"), ("publication_year", "ascending")]
    )


def _unassigned(inp: Inputs, total: ir.Table, level: str, w: ir.Table) -> ir.Table:
    un = counting.unassigned_works(inp.domain_works, w).select("work_id")
    j = inp.work_impact.semi_join(un, "work_id")
    agg = j.group_by("publication_year").aggregate(
        p_unassigned=j.work_id.count(),
        p_top1=j.top1_share.sum(),
        p_top10=j.top10_share.sum(),
        tncs=j.ncs.sum(),
    )
    agg = left_join_filled(total, agg, "publication_year", {"p_unassigned": 0})
    # A year without any rated work has no impact figure at all (null); else
    # no unassigned work sums to 0, and unassigned works none of which is
    # rated (no citation data, too small reference sets) stay null.
    sums = {
        c: ibis.cases(
            (agg.n_rated == 0, ibis.null("float64")),
            (agg.p_unassigned == 0, 0.0),
            else_=agg[c],
        )
        for c in ("p_top1", "p_top10", "tncs")
    }
    return agg.mutate(level=ibis.literal(level), **sums)


def _sorted(inp: Inputs, expr: ir.Table, keys: list[str]) -> pa.Table:
    return inp.engine.to_arrow(expr).sort_by([(k, "ascending") for k in keys])
