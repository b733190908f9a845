"""Which patent families are counted: inventions, the cancer domain, the scope.

An invention is a family with a utility document (or a reissue): design and
plant patents are not inventions.  The two-tier cancer patent domain
(:mod:`oncometrics.domain_patents`) selects families by a cancer-specific
code, or by a generic code together with a cancer keyword in a title or an
abstract.  ``family_scope = international`` keeps the families filed in two
or more offices.  Plain values in, Ibis tables out; nothing is executed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from oncometrics.indicators.families import keep, utility_documents

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.domain_patents import PatentDomain


def inventions(patents: ir.Table, period: tuple[int, int] | None = None) -> ir.Table:
    """Every invention of the store: ``(family_id, year)``, one row per family.

    Only utility documents and reissues stand for inventions (design and
    plant patents do not: :func:`~oncometrics.indicators.families.document_type`);
    ``year`` is the smallest ``priority_year`` of the family's documents (each
    document's own year already falls back to filing, then publication; a
    reissue carries its original's priorities).
    """
    t = utility_documents(patents)
    t = t.filter(t.family_id.notnull())
    t = t.group_by("family_id").aggregate(year=t.priority_year.min())
    t = t.filter(t.year.notnull())
    if period is not None:
        t = t.filter(t.year.between(period[0], period[1]))
    return t


def code_matches(code: ir.StringValue, prefixes: tuple[str, ...]) -> ir.BooleanValue:
    """True when `code` falls under one of the normalised `prefixes`.

    A prefix with a ``/`` matches by string prefix (``G01N33/574`` covers
    ``G01N33/57407``); a subclass (``A61K``) covers all its codes; a main
    group (``A61P35``) covers ``A61P35`` and ``A61P35/…`` but not ``A61P350``.
    """
    cond = ibis.literal(False)
    for p in prefixes:
        if "/" in p or len(p) <= 4:
            cond = cond | code.startswith(p)
        else:
            cond = cond | (code == p) | code.startswith(p + "/")
    return cond


def _contains_any(text: ir.StringValue, words: tuple[str, ...]) -> ir.BooleanValue:
    low = text.fill_null("").lower()
    cond = ibis.literal(False)
    for w in words:
        cond = cond | low.contains(w.lower())
    return cond


def domain_routes(
    patents: ir.Table, patent_classes: ir.Table, domain: PatentDomain
) -> ir.Table:
    """``(family_id, route)`` of each family the domain selects, per route.

    Routes (contract section 2): ``specific`` (a cancer-specific code),
    ``generic+keyword`` (a generic code and a cancer keyword in the title or
    abstract of one of the family's documents) and ``title_keyword`` (a
    title keyword of the ``patent_keywords`` setting, off by default).
    """
    pc = patent_classes
    spec = pc.filter(code_matches(pc.code, domain.specific_codes)).select("family_id")
    out = spec.mutate(route=ibis.literal("specific"))
    if domain.generic_codes and domain.keywords:
        gen = pc.filter(code_matches(pc.code, domain.generic_codes)).select("family_id")
        text = patents.title.fill_null("") + " " + patents.abstract.fill_null("")
        kw = patents.filter(_contains_any(text, domain.keywords)).select("family_id")
        both = keep(gen, kw, "family_id")
        out = out.union(both.mutate(route=ibis.literal("generic+keyword")))
    if domain.title_keywords:
        tk = patents.filter(_contains_any(patents.title, domain.title_keywords))
        out = out.union(
            tk.select("family_id").mutate(route=ibis.literal("title_keyword"))
        )
    return out.distinct()


def cancer_inventions(
    patents: ir.Table,
    patent_classes: ir.Table,
    domain: PatentDomain,
    period: tuple[int, int] | None = None,
) -> ir.Table:
    """Inventions of `domain`: ``(family_id, year)``, one row per family.

    A family is in the domain when :func:`domain_routes` selects it by any
    route; ``domain.everything`` keeps every invention.
    """
    inv = inventions(patents, period)
    if domain.everything:
        return inv
    return keep(inv, domain_routes(patents, patent_classes, domain), "family_id")


def in_scope(families: ir.Table, offices: ir.Table, scope: str) -> ir.Table:
    """`families` of the `scope`: ``all``, or ``international`` ones only."""
    if scope == "all":
        return families
    if scope != "international":
        raise ValueError(
            f"bad family_scope {scope!r}: expected 'all' or 'international'"
        )
    return keep(families, offices.filter(offices.international), "family_id")


def fold_hk_macao(parties: ir.Table, fold: bool) -> ir.Table:
    """`parties` with Hong Kong and Macao read as China when `fold`."""
    if not fold:
        return parties
    c = parties.country
    return parties.mutate(country=ibis.ifelse(c.isin(["HK", "MO"]), "CN", c))
