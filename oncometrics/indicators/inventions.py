"""Inventions: cancer patent families per country, co-invention, applicants.

An invention is one patent family (``family_id``: DOCDB family, else the
earliest priority), dated by its earliest priority year (contract section 1).
Design and plant patents are not inventions; a reissue counts in its
original's family.  ``family_scope = international`` keeps the families
filed in two or more offices (or via PCT/EP), as the EPO/OECD studies do.
Its actors are the countries of the inventors (``by="inventor"``, default) or
of the applicants (``by="applicant"``) named on one *representative*
document of the family: the member with the most parties of that role with a
resolved country (ties: smallest ``patent_id``), so that a family published
in five offices is not counted five times.  Fractional counting reuses
:func:`oncometrics.indicators.counting.actor_weights` with inventors in place
of authorships.

``RTA(a) = (I(a, cancer) / I(world, cancer)) / (I(a, all) / I(world, all))``
with ``all`` every invention of the store in the same period, scope and
(fractional) counting, and ``I(world, all)`` summed over *every* actor of
the store, also those without a cancer invention (OECD Patent Statistics
Manual 2009).  Every function takes plain values, never the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

import ibis

from oncometrics.indicators import technology
from oncometrics.indicators.counting import actor_weights
from oncometrics.indicators.families import (
    document_type,
    documents_by_type,
    family_offices,
    keep,
    unify_families,
)
from oncometrics.indicators.invention_selection import (
    cancer_inventions,
    code_matches,
    domain_routes,
    fold_hk_macao,
    in_scope,
    inventions,
)
from oncometrics.indicators.output import (
    RANK_DIGITS,
    Cache,
    Run,
    competition_rank,
    finished,
)
from oncometrics.indicators.pairs import partner_pairs

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.domain_patents import PatentDomain

#: World share of fractional inventions a country needs to be ranked on its
#: co-invention rate (contract section 3: 0.5 % of the world).
COINVENTION_MIN_SHARE = 0.005

#: Store tables the invention indicators read.
TABLES_NEEDED = ["patents", "patent_parties", "patent_classes", "patent_priorities"]
#: Sort keys of each output table.
ORDER = {
    "inventions_by_country": ["rank_i_frac", "country"],
    "inventions_by_country_year": ["year", "rank_i_frac", "country"],
    "coinvention_partners": ["country", "rank_co", "partner"],
    "inventions_by_applicant": ["rank_i_frac", "applicant"],
    "technology_mix": ["period", "country", "field_nr"],
    "technology_shift": ["country", "field_nr"],
    "invention_documents": ["doc_type"],
}


def family_actors(
    families: ir.Table, patent_parties: ir.Table, role: str = "inventor"
) -> ir.Table:
    """``(work_id, author_position, actor)`` links of each family's actors.

    The parties of `role` with a resolved country on the family's
    representative document; ``work_id`` is the family id and
    ``author_position`` the party's sequence (the shape
    :func:`~oncometrics.indicators.counting.actor_weights` expects).
    """
    pp = patent_parties.filter(
        (patent_parties.role == role) & patent_parties.country.notnull()
    )
    pp = keep(pp, families, "family_id")
    per_doc = pp.group_by("family_id", "patent_id").aggregate(n=pp.sequence.nunique())
    order = [ibis.desc(per_doc.n), per_doc.patent_id]
    rn = ibis.row_number().over(group_by="family_id", order_by=order)
    rep = per_doc.mutate(rn=rn).filter(ibis._.rn == 0).select("patent_id")
    links = keep(pp, rep, "patent_id")
    return links.select(
        work_id=links.family_id, author_position=links.sequence, actor=links.country
    ).distinct()


def invention_weights(families: ir.Table, links: ir.Table) -> ir.Table:
    """Fractional weight of each actor in each family: ``(work_id, actor, weight)``."""
    return actor_weights(families.select(work_id=families.family_id), links)


def international_families(links: ir.Table) -> ir.Table:
    """``(work_id, n_countries, international)``: families with ≥ 2 countries."""
    n = links.group_by("work_id").aggregate(n_countries=links.actor.nunique())
    return n.mutate(international=n.n_countries >= 2)


def inventions_by_country(
    weights: ir.Table,
    all_weights: ir.Table,
    *,
    n_families: ir.Table | None = None,
    min_p: float = 0.0,
) -> ir.Table:
    """Cancer inventions, world share, rank, RTA and co-invention per country.

    Parameters
    ----------
    weights
        ``(work_id, actor, weight)`` of the domain's families.
    all_weights
        The same for every invention of the period (the RTA's ``all``).
    n_families
        The domain's families (``family_id``); when given, a last row with
        ``country = "unassigned"`` counts the families without any actor.
    min_p
        Minimum ``i_frac`` to be ranked on RTA.

    Returns
    -------
    ir.Table
        ``(country, i_full, i_frac, share_frac, rank_i_frac, rta, rank_rta,
        coinvention_rate, i_all_frac)``; one row per country.
    """
    w = weights
    intl = international_families(w.select("work_id", "actor"))
    j = w.join(intl, "work_id")
    t = j.group_by("actor").aggregate(
        i_full=j.work_id.count(),
        i_frac=j.weight.sum(),
        i_intl=j.international.cast("int64").sum(),
    )
    tot = all_weights.group_by("actor").aggregate(i_all_frac=all_weights.weight.sum())
    # the world's all-field total is over *every* actor of the store, also
    # those without a cancer invention (OECD; contract section 5)
    tot = tot.mutate(world_all=tot.i_all_frac.sum().over())
    t = t.left_join(tot, "actor").drop("actor_right")
    world = t.i_frac.sum().over()
    world_all = t.world_all
    rta = (t.i_frac / world) / (t.i_all_frac / world_all)
    t = t.mutate(
        share_frac=t.i_frac / world,
        rta=ibis.ifelse(t.i_all_frac > 0, rta, ibis.null("float64")),
        coinvention_rate=t.i_intl.cast("float64") / t.i_full,
    )
    eligible = t.i_frac.round(RANK_DIGITS) >= min_p
    big = t.share_frac.round(RANK_DIGITS) >= COINVENTION_MIN_SHARE
    t = t.mutate(
        rank_i_frac=competition_rank(t.i_frac),
        rank_rta=competition_rank(t.rta, eligible=eligible),
        rank_coinvention_rate=competition_rank(t.coinvention_rate, eligible=big),
    )
    t = t.select(
        country=t.actor, i_full=t.i_full, i_frac=t.i_frac, share_frac=t.share_frac,
        rank_i_frac=t.rank_i_frac, rta=t.rta, rank_rta=t.rank_rta,
        coinvention_rate=t.coinvention_rate,
        rank_coinvention_rate=t.rank_coinvention_rate, i_all_frac=t.i_all_frac,
    )  # fmt: skip
    if n_families is None:
        return t
    return t.union(_unassigned_row(n_families, weights, t))


def _unassigned_row(families: ir.Table, weights: ir.Table, like: ir.Table) -> ir.Table:
    un = keep(
        families.select(work_id=families.family_id), weights, "work_id", anti=True
    )
    agg = un.aggregate(i_full=un.work_id.count())
    cols = {c: ibis.null(like.schema()[c]) for c in like.columns}
    cols.update(country=ibis.literal("unassigned"), i_full=agg.i_full)
    return agg.select(**cols)


def inventions_by_country_year(weights: ir.Table, families: ir.Table) -> ir.Table:
    """``(country, year, i_full, i_frac, share_frac, rank_i_frac)`` per country-year."""
    j = weights.join(
        families.select(work_id=families.family_id, year=families.year), "work_id"
    )
    t = j.group_by("actor", "year").aggregate(
        i_full=j.work_id.count(), i_frac=j.weight.sum()
    )
    t = t.mutate(
        share_frac=t.i_frac / t.i_frac.sum().over(group_by="year"),
        rank_i_frac=competition_rank(t.i_frac, group_by=["year"]),
    )
    return t.rename(country="actor")


def coinvention_partners(links: ir.Table) -> ir.Table:
    """Co-inventions (full counts) and Salton's index per ordered country pair.

    One row per (country, partner) sharing at least one family, both
    directions listed: ``(country, partner, co_inventions, i_full_country,
    i_full_partner, salton, rank_co, rank_salton)``.
    """
    fc = links.select("work_id", country=links.actor)
    return partner_pairs(fc, "work_id", co="co_inventions", size="i_full",
                         rank="rank_co")  # fmt: skip


def inventions_by_applicant(families: ir.Table, patent_parties: ir.Table) -> ir.Table:
    """Inventions per applicant (normalised name), full and fractional.

    Applicants are those of the family's representative document (most named
    applicants); a family's weight 1 is shared equally among its distinct
    normalised names.  ``name`` is the most frequent printed form and
    ``country`` the most frequent country of that applicant.

    Returns
    -------
    ir.Table
        ``(applicant, name, country, i_full, i_frac, share_frac, rank_i_frac)``.
    """
    app, fam = _applicant_families(families, patent_parties)
    t = fam.group_by(applicant=fam.name_norm).aggregate(
        i_full=fam.family_id.count(), i_frac=(1.0 / fam.k.cast("float64")).sum()
    )
    t = t.mutate(
        share_frac=t.i_frac / t.i_frac.sum().over(),
        rank_i_frac=competition_rank(t.i_frac),
    )
    t = t.left_join(_mode(app, "name"), "applicant").drop("applicant_right")
    t = t.left_join(_mode(app, "country"), "applicant").drop("applicant_right")
    return t.select(
        "applicant", "name", "country", "i_full", "i_frac", "share_frac", "rank_i_frac"
    )


def _applicant_families(
    families: ir.Table, patent_parties: ir.Table
) -> tuple[ir.Table, ir.Table]:
    """The applicants of each family's representative document, and the
    ``(family_id, name_norm, k)`` links (`k`: the family's distinct names)."""
    pp = patent_parties.filter(
        (patent_parties.role == "applicant") & patent_parties.name_norm.notnull()
    )
    pp = keep(pp, families, "family_id")
    per_doc = pp.group_by("family_id", "patent_id").aggregate(n=pp.name_norm.nunique())
    rn = ibis.row_number().over(
        group_by="family_id", order_by=[ibis.desc(per_doc.n), per_doc.patent_id]
    )
    rep = per_doc.mutate(rn=rn).filter(ibis._.rn == 0).select("patent_id")
    app = keep(pp, rep, "patent_id")
    fam = app.select("family_id", "name_norm").distinct()
    n = fam.group_by("family_id").aggregate(k=fam.name_norm.count())
    return app, fam.join(n, "family_id")


def applicant_weights(families: ir.Table, patent_parties: ir.Table) -> ir.Table:
    """``(work_id, actor, weight)``: each family's weight 1 shared among its
    applicants, as :func:`inventions_by_applicant` counts them."""
    _, fam = _applicant_families(families, patent_parties)
    return fam.select(
        work_id=fam.family_id, actor=fam.name_norm, weight=1.0 / fam.k.cast("float64")
    )


def _mode(parties: ir.Table, col: str) -> ir.Table:
    """Most frequent non-null `col` per normalised applicant (ties: smallest)."""
    p = parties.filter(parties[col].notnull())
    c = p.group_by(applicant=p.name_norm, value=p[col]).aggregate(n=p.family_id.count())
    rn = ibis.row_number().over(
        group_by="applicant", order_by=[ibis.desc(c.n), c.value]
    )
    c = c.mutate(rn=rn).filter(ibis._.rn == 0)
    return c.select("applicant", **{col: c.value})


@dataclass(frozen=True)
class InventionSettings:
    """The plain values the invention tables depend on (no ``Config`` here)."""

    period: tuple[int, int] | None = None
    #: the two periods of the technology shift (None: no shift table)
    shift: tuple[tuple[int, int], tuple[int, int]] | None = None
    by: str = "inventor"
    min_p: float = 0.0
    family_scope: str = "all"
    hk_macao_to_cn: bool = True
    #: first priority year inside the publication lag (None: none)
    first_truncated_year: int | None = None


def invention_tables(
    tables: dict[str, ir.Table],
    domain: PatentDomain,
    settings: InventionSettings,
    **run: Unpack[Run],
) -> dict[str, ir.Table]:
    """Every invention table, by output name (no execution happens here).

    `tables` are the store's canonical tables (``patents``, ``patent_parties``,
    ``patent_classes``, ``patent_priorities``); priority families that match
    a DOCDB family are first merged into it
    (:mod:`~oncometrics.indicators.families`).  Each table carries
    ``period``, ``by``, ``family_scope`` and the `meta` columns (domain name
    and hash).  A runner may pass `cache` (e.g. ``ir.Table.cache``) to
    compute the shared intermediate tables once.
    """
    keep_ = run.get("cache") or (lambda t: t)
    s = settings
    tables = unify_families(tables)
    pat, classes = tables["patents"], tables["patent_classes"]
    parties = fold_hk_macao(tables["patent_parties"], s.hk_macao_to_cn)
    select, offices, fams, links, w = family_selection(tables, domain, s, keep_)
    label = _label(s.period)
    every = select(s.period, everything=True)
    w_all = invention_weights(every, family_actors(every, parties, s.by))
    out = {
        "inventions_by_country": inventions_by_country(
            w, w_all, n_families=fams, min_p=s.min_p),
        "inventions_by_country_year": inventions_by_country_year(w, fams),
        "coinvention_partners": coinvention_partners(links),
        "inventions_by_applicant": inventions_by_applicant(fams, parties),
        "invention_documents": _documents(pat, fams, offices),
    }  # fmt: skip
    spans = [(label, fams, w)]
    for p in s.shift or ():
        f = select(p)
        spans.append(
            (_label(p), f, invention_weights(f, family_actors(f, parties, s.by)))
        )
    mix = technology.mixes(spans, classes)
    out["technology_mix"] = mix
    if s.shift:
        first, second = (_label(p) for p in s.shift)
        shift = technology.technology_shift(mix, first, second)
        out["technology_shift"] = shift.mutate(
            truncated_2=ibis.literal(_truncated(s.shift[1], s.first_truncated_year)),
            first_truncated_year=ibis.literal(s.first_truncated_year, type="int32"),
        )
    for name, t in out.items():
        if "period" not in t.columns:
            out[name] = t.mutate(period=ibis.literal(label))
    tags = {**(run.get("meta") or {}), "by": s.by, "family_scope": s.family_scope}
    return finished(out, ORDER, tags)


def family_selection(
    tables: dict[str, ir.Table],
    domain: PatentDomain,
    s: InventionSettings,
    keep_: Cache = lambda t: t,
) -> tuple[Callable[..., ir.Table], ir.Table, ir.Table, ir.Table, ir.Table]:
    """The family selector, the families' offices, the counted families,
    their actor links and weights (`tables` already unified), as
    :func:`invention_tables` counts them (and the drill-down lists them)."""
    if s.by not in ("inventor", "applicant"):
        raise ValueError(f"bad by {s.by!r}: expected 'inventor' or 'applicant'")
    pat, classes = tables["patents"], tables["patent_classes"]
    parties = fold_hk_macao(tables["patent_parties"], s.hk_macao_to_cn)
    offices = keep_(family_offices(pat, tables["patent_priorities"]))

    def select(period: tuple[int, int] | None, everything: bool = False) -> ir.Table:
        f = (
            inventions(pat, period)
            if everything
            else (cancer_inventions(pat, classes, domain, period))
        )
        return in_scope(f, offices, s.family_scope)

    fams = keep_(select(s.period))
    links = keep_(family_actors(fams, parties, s.by))
    return select, offices, fams, links, keep_(invention_weights(fams, links))


def _label(period: tuple[int, int] | None) -> str:
    return "all" if period is None else f"{period[0]}-{period[1]}"


def _truncated(period: tuple[int, int], first_truncated: int | None) -> bool:
    return first_truncated is not None and period[1] >= first_truncated


def _documents(patents: ir.Table, fams: ir.Table, offices: ir.Table) -> ir.Table:
    """What the store holds by document type, and how much of it is counted.

    ``(doc_type, documents, families, domain_families, international_families)``:
    ``domain_families`` are the counted (domain, scope, period) families with
    a document of that type.
    """
    t = documents_by_type(patents)
    d = patents.mutate(doc_type=document_type(patents))
    dom = keep(d, fams, "family_id")
    dom = dom.group_by("doc_type").aggregate(domain_families=dom.family_id.nunique())
    intl = keep(d, offices.filter(offices.international), "family_id")
    intl = intl.group_by("doc_type").aggregate(
        international_families=intl.family_id.nunique()
    )
    t = t.left_join(dom, "doc_type").drop("doc_type_right")
    t = t.left_join(intl, "doc_type").drop("doc_type_right")
    return t.mutate(
        domain_families=t.domain_families.fill_null(0),
        international_families=t.international_families.fill_null(0),
    )


__all__ = [
    "InventionSettings",
    "cancer_inventions",
    "code_matches",
    "coinvention_partners",
    "domain_routes",
    "family_actors",
    "fold_hk_macao",
    "in_scope",
    "invention_tables",
    "invention_weights",
    "inventions",
    "inventions_by_applicant",
    "inventions_by_country",
    "inventions_by_country_year",
]
