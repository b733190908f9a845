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


def country_provenance(works: ir.Table, authorship_countries: ir.Table) -> ir.Table:
    """Authorships with a country, by record source and where the country came from.

    One row per (``source``, ``provenance``): ``provenance`` is
    ``openalex_countries`` (the record's own list), ``institution`` (its
    institutions' countries) or ``affiliation_text`` (read from the raw
    affiliation strings by :mod:`oncometrics.countries`; for OpenAlex only
    when the record gives neither), ``authorships`` the distinct authorships.
    """
    ac = authorship_countries.select("work_id", "author_position", "provenance")
    ac = ac.distinct()
    t = ac.join(works.select("work_id", "source"), "work_id")
    return t.group_by(["source", "provenance"]).aggregate(authorships=t.count())


def provenance_counts(rows: list[dict[str, object]]) -> dict[str, dict[str, int]]:
    """``{source: {provenance: authorships}}`` of :func:`country_provenance` rows."""
    out: dict[str, dict[str, int]] = {}
    for r in sorted(rows, key=lambda r: (str(r["source"]), str(r["provenance"]))):
        out.setdefault(str(r["source"]), {})[str(r["provenance"])] = int(
            r["authorships"]  # type: ignore[call-overload]
        )
    return out


def provenance_line(counts: dict[str, dict[str, int]]) -> str:
    """One line: per source, authorships whose country was read from the text.

    >>> provenance_line({"openalex": {"affiliation_text": 3, "institution": 7}})
    'countries read from affiliation strings: openalex 3 of 10 authorships'
    """
    parts = [
        f"{src} {c.get('affiliation_text', 0):,} of {sum(c.values()):,} authorships"
        for src, c in counts.items()
    ]
    return "countries read from affiliation strings: " + ("; ".join(parts) or "none")
