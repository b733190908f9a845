"""Where the figures come from: the citation source of the counted works."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir


def citation_sources(works: ir.Table, domain_works: ir.Table) -> ir.Table:
    """Domain works per citation source, with the dates the counts were observed.

    One row per ``citation_source`` (``"none"`` for records that carry no
    citation count, e.g. PubMed), ``works`` = number of domain works, and
    ``first_date``/``last_date`` = range of ``citation_date`` (null when the
    source does not say when it counted).
    """
    w = works.select("work_id", "citation_source", "citation_date")
    t = domain_works.select("work_id").join(w, "work_id")
    t = t.mutate(citation_source=t.citation_source.fill_null(ibis.literal("none")))
    return t.group_by("citation_source").aggregate(
        works=t.work_id.count(),
        first_date=t.citation_date.min(),
        last_date=t.citation_date.max(),
    )
