"""One invention per family across sources: priority families join DOCDB ones.

Sources without DOCDB family ids (USPTO, Lens) get a family from their
earliest priority (``prio:<key>``) or their own application (``app:<key>``).
When a document of a DOCDB family (``docdb:<id>``, from EPO OPS or PATSTAT)
has that same key as *its* earliest priority, both are the same invention:
:func:`unify_families` rewrites such family ids to the DOCDB one, so that a
store mixing USPTO and EPO records counts each invention once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: Tables whose ``family_id`` is rewritten.
FAMILY_TABLES = ("patents", "patent_parties", "patent_classes", "patent_priorities")


def family_links(patents: ir.Table, patent_priorities: ir.Table) -> ir.Table:
    """``(family_id, invention_id)`` for priority families matching a DOCDB one.

    A DOCDB family's key is the earliest priority of each of its documents
    (by date, then key); a key shared by several DOCDB families goes to the
    smallest id.
    """
    pr = patent_priorities.filter(
        patent_priorities.family_id.startswith("docdb:")
        & patent_priorities.priority_date.notnull()
    )
    order = [pr.priority_date, pr.priority_number]
    rn = ibis.row_number().over(group_by="patent_id", order_by=order)
    first = pr.mutate(rn=rn).filter(ibis._.rn == 0)
    keys = first.group_by(key=first.priority_number).aggregate(
        invention_id=first.family_id.min()
    )
    own = patents.filter(
        patents.family_id.startswith("prio:") | patents.family_id.startswith("app:")
    ).select("family_id")
    own = own.distinct().mutate(key=ibis._.family_id.re_extract(r"^[a-z]+:(.*)$", 1))
    return own.join(keys, "key").select("family_id", "invention_id")


def unify_families(tables: dict[str, ir.Table]) -> dict[str, ir.Table]:
    """`tables` with priority-derived family ids replaced by matching DOCDB ids."""
    links = family_links(tables["patents"], tables["patent_priorities"])
    out = dict(tables)
    for name in FAMILY_TABLES:
        t = tables[name]
        j = t.left_join(links, "family_id")
        fam = ibis.coalesce(j.invention_id, j.family_id)
        out[name] = j.select(*[fam.name(c) if c == "family_id" else j[c]
                               for c in t.columns])  # fmt: skip
    return out


def keep(t: ir.Table, keys: ir.Table, col: str, *, anti: bool = False) -> ir.Table:
    """Rows of `t` whose `col` is (not, with `anti`) among ``keys[col]``.

    `keys` may be derived from `t` (a family selected by its own classes):
    the join is made on a view of `t` with an explicit predicate, which ibis
    accepts where a plain ``semi_join(keys, col)`` raises an IntegrityError.
    """
    k = keys.select(_key=keys[col]).distinct()
    v = t.view()  # a fresh relation: `keys` may derive from `t` itself
    pred = v[col] == k._key
    j = v.anti_join(k, pred) if anti else v.semi_join(k, pred)
    return j.select(*t.columns)


# ------------------------------------------------------------ document types
#: Document types; only ``utility`` (and a ``reissue``, in its original's
#: family) stands for an invention.
DOC_TYPES = ("utility", "reissue", "design", "plant")


def document_type(patents: ir.Table) -> ir.StringValue:
    """``utility``, ``design``, ``plant`` or ``reissue`` of each document.

    From the kind code and the publication number, the same for every source
    (USPTO XML, EPO OPS/DOCDB, Lens): kind ``S…`` is a design (US ``S1``,
    DOCDB ``S`` of CN, CA …) as is a US number ``D…``; a US kind ``P…``
    (``P1``–``P4``, ``P9``) or number ``PP…`` a plant patent; a US kind
    ``E…`` or number ``RE…`` a reissue.  Everything else (applications and
    grants ``A``/``B``/``C``…, utility models) is ``utility``.
    """
    kind = patents.kind.fill_null("").upper()
    cc = patents.jurisdiction.fill_null("").upper()
    pid = patents.patent_id.fill_null("").upper()
    us = (cc == "US") | pid.startswith("US")
    num = pid.re_replace(r"^US", "")
    design = kind.startswith("S") | (us & num.re_search(r"^D[0-9]"))
    plant = us & (kind.startswith("P") | num.startswith("PP"))
    reissue = us & (kind.startswith("E") | num.startswith("RE"))
    return ibis.cases(
        (design, "design"), (plant, "plant"), (reissue, "reissue"), else_="utility"
    )


def utility_documents(patents: ir.Table) -> ir.Table:
    """The documents that stand for inventions: utility ones and reissues."""
    t = patents.mutate(_type=document_type(patents))
    return t.filter(t._type.isin(["utility", "reissue"])).select(*patents.columns)


def documents_by_type(patents: ir.Table) -> ir.Table:
    """``(doc_type, documents, families)``: what the store holds, by type."""
    t = patents.mutate(doc_type=document_type(patents))
    return t.group_by("doc_type").aggregate(
        documents=t.patent_id.nunique(), families=t.family_id.nunique()
    )


# ------------------------------------------------------------ family scope
#: Offices whose filing is international on its own (PCT, EPO).
REGIONAL_OFFICES = ("WO", "EP")


def family_offices(patents: ir.Table, patent_priorities: ir.Table) -> ir.Table:
    """``(family_id, n_offices, international)``, one row per family.

    A family's offices are the jurisdictions of its documents and of its
    priority applications (the country prefix of the priority key); it is
    international when it has two or more offices or one of them is WO (PCT)
    or EP: the EPO/OECD "international family".
    """
    docs = patents.select("family_id", office=patents.jurisdiction.upper())
    pr = patent_priorities
    prio = pr.select(
        "family_id", office=pr.priority_number.re_extract(r"^([A-Za-z]{2})", 1).upper()
    )
    offices = docs.union(prio)
    offices = offices.filter(offices.office.notnull() & (offices.office != ""))
    t = offices.group_by("family_id").aggregate(
        n_offices=offices.office.nunique(),
        regional=offices.office.isin(list(REGIONAL_OFFICES)).any(),
    )
    return t.select(
        "family_id", "n_offices", international=(t.n_offices >= 2) | t.regional
    )
