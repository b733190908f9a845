"""Inventions: cancer patent families per country, co-invention, applicants.

An invention is one patent family (``family_id``: DOCDB family, else the
earliest priority), dated by its earliest priority year (contract section 1).
Its actors are the countries of the inventors (``by="inventor"``, default) or
of the applicants (``by="applicant"``) named on one *representative*
document of the family: the member with the most parties of that role with a
resolved country (ties: smallest ``patent_id``), so that a family published
in five offices is not counted five times.  Fractional counting reuses
:func:`oncometrics.indicators.counting.actor_weights` with inventors in place
of authorships.

``RTA(a) = (I(a, cancer) / I(world, cancer)) / (I(a, all) / I(world, all))``
with ``all`` every invention of the store in the same period and the same
(fractional) counting (OECD Patent Statistics Manual 2009, section 7.4).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ibis

from oncometrics.config import parse_period
from oncometrics.indicators import technology
from oncometrics.indicators.counting import actor_weights
from oncometrics.indicators.families import keep, unify_families
from oncometrics.indicators.output import RANK_DIGITS, competition_rank
from oncometrics.indicators.pairs import partner_pairs

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.config import Config
    from oncometrics.domain import Domain

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
}


def inventions(patents: ir.Table, period: tuple[int, int] | None = None) -> ir.Table:
    """Every invention of the store: ``(family_id, year)``, one row per family.

    ``year`` is the smallest ``priority_year`` of the family's documents (each
    document's own year already falls back to filing, then publication).
    """
    t = patents.filter(patents.family_id.notnull())
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


def cancer_inventions(
    patents: ir.Table,
    patent_classes: ir.Table,
    domain: Domain,
    period: tuple[int, int] | None = None,
) -> ir.Table:
    """Inventions of `domain`: ``(family_id, year)``, one row per family.

    A family is in the domain when any CPC/IPC code of any of its documents
    falls under one of ``domain.patent_codes``, or any title contains one of
    ``domain.patent_keywords`` (case-insensitive).  The ``all`` domain keeps
    every invention.
    """
    inv = inventions(patents, period)
    if domain.is_everything:
        return inv
    pc = patent_classes
    hit = pc.filter(code_matches(pc.code, domain.patent_codes)).select("family_id")
    if domain.patent_keywords:
        title = patents.title.lower()
        kw = ibis.literal(False)
        for word in domain.patent_keywords:
            kw = kw | title.contains(word)
        hit = hit.union(patents.filter(kw).select("family_id"))
    return keep(inv, hit, "family_id")


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
    t = t.left_join(tot, "actor").drop("actor_right")
    world = t.i_frac.sum().over()
    world_all = t.i_all_frac.sum().over()
    rta = (t.i_frac / world) / (t.i_all_frac / world_all)
    t = t.mutate(
        share_frac=t.i_frac / world,
        rta=ibis.ifelse(t.i_all_frac > 0, rta, ibis.null("float64")),
        coinvention_rate=t.i_intl.cast("float64") / t.i_full,
    )
    eligible = t.i_frac.round(RANK_DIGITS) >= min_p
    t = t.mutate(
        rank_i_frac=competition_rank(t.i_frac),
        rank_rta=competition_rank(t.rta, eligible=eligible),
    )
    t = t.select(
        country=t.actor, i_full=t.i_full, i_frac=t.i_frac, share_frac=t.share_frac,
        rank_i_frac=t.rank_i_frac, rta=t.rta, rank_rta=t.rank_rta,
        coinvention_rate=t.coinvention_rate, i_all_frac=t.i_all_frac,
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
    fam = fam.join(n, "family_id")
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


def _mode(parties: ir.Table, col: str) -> ir.Table:
    """Most frequent non-null `col` per normalised applicant (ties: smallest)."""
    p = parties.filter(parties[col].notnull())
    c = p.group_by(applicant=p.name_norm, value=p[col]).aggregate(n=p.family_id.count())
    rn = ibis.row_number().over(
        group_by="applicant", order_by=[ibis.desc(c.n), c.value]
    )
    c = c.mutate(rn=rn).filter(ibis._.rn == 0)
    return c.select("applicant", **{col: c.value})


def shift_periods(config: Config) -> tuple[str, str] | None:
    """The two period labels of the technology shift, or None.

    ``periods`` (``"2002-2011,2012-2021"``) when set, else the two halves of
    ``period`` (``2014-2023`` -> ``2014-2018`` and ``2019-2023``).
    """
    if config.periods:
        parts = [p.strip() for p in str(config.periods).split(",") if p.strip()]
        if len(parts) != 2:
            raise ValueError(f"bad periods {config.periods!r}: expected 'A-B,C-D'")
        spans = [parse_period(p) for p in parts]
        return tuple(f"{s[0]}-{s[1]}" for s in spans if s)  # type: ignore[return-value]
    whole = parse_period(config.period)
    if whole is None or whole[1] == whole[0]:
        return None
    mid = whole[0] + (whole[1] - whole[0] + 1) // 2 - 1
    return f"{whole[0]}-{mid}", f"{mid + 1}-{whole[1]}"


def invention_tables(
    tables: dict[str, ir.Table],
    domain: Domain,
    config: Config,
    *,
    cache: Callable[[ir.Table], ir.Table] | None = None,
) -> dict[str, ir.Table]:
    """Every invention table, by output name (no execution happens here).

    `tables` are the store's canonical tables (``patents``, ``patent_parties``,
    ``patent_classes``, ``patent_priorities``); priority families that match
    a DOCDB family are first merged into it
    (:mod:`~oncometrics.indicators.families`).  Settings used: ``period``,
    ``periods``, ``by``, ``min_p``.  Each table carries ``period``, ``by``,
    ``domain`` and ``domain_hash``.  A runner may pass `cache` (e.g.
    ``ir.Table.cache``) to compute the shared intermediate tables once.
    """
    keep_ = cache or (lambda t: t)
    by = str(config.by)
    if by not in ("inventor", "applicant"):
        raise ValueError(f"bad by {by!r}: expected 'inventor' or 'applicant'")
    tables = unify_families(tables)
    pat, parties = tables["patents"], tables["patent_parties"]
    period = parse_period(config.period)
    label = "all" if period is None else f"{period[0]}-{period[1]}"
    fams = keep_(cancer_inventions(pat, tables["patent_classes"], domain, period))
    every = inventions(pat, period)
    links = keep_(family_actors(fams, parties, by))
    w = keep_(invention_weights(fams, links))
    w_all = invention_weights(every, family_actors(every, parties, by))
    out = {
        "inventions_by_country": inventions_by_country(
            w, w_all, n_families=fams, min_p=float(config.min_p)),
        "inventions_by_country_year": inventions_by_country_year(w, fams),
        "coinvention_partners": coinvention_partners(links),
        "inventions_by_applicant": inventions_by_applicant(fams, parties),
    }  # fmt: skip
    shift = shift_periods(config)
    spans = [(label, fams, w)]
    for p in shift or ():
        f = cancer_inventions(pat, tables["patent_classes"], domain, parse_period(p))
        spans.append((p, f, invention_weights(f, family_actors(f, parties, by))))
    mix = _mixes(spans, tables["patent_classes"])
    out["technology_mix"] = mix
    if shift:
        out["technology_shift"] = technology.technology_shift(mix, *shift)
    meta = {
        "domain": ibis.literal(domain.name),
        "domain_hash": ibis.literal(domain.hash),
        "by": ibis.literal(by),
    }
    res = {}
    for name, t in out.items():
        if "period" not in t.columns:
            t = t.mutate(period=ibis.literal(label))
        res[name] = t.mutate(**meta).order_by(*ORDER[name])
    return res


def _mixes(
    spans: list[tuple[str, ir.Table, ir.Table]], patent_classes: ir.Table
) -> ir.Table:
    """Technology mix of each (period label, families, weights), stacked."""
    conc = ibis.memtable(technology.concordance())
    mixes = []
    for name, fams, weights in spans:
        ff = technology.family_fields(fams, patent_classes, conc)
        mix = technology.technology_mix(weights, ff, conc)
        mixes.append(mix.mutate(period=ibis.literal(name)))
    out = mixes[0]
    for m in mixes[1:]:
        out = out.union(m)
    return out
