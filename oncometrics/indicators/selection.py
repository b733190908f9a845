"""Which works count: document types, period and the domain (contract 1, 2, 4).

The selected table carries everything the impact indicators need: the
reference-set keys (year, field, type), the citation count ``cited``
(``cited_by_count``, or the citations of a fixed window after publication)
and ``has_cit``, whether the work has citation data at all.  A work
without citation data keeps a null ``cited``: it is counted in P but in no
impact indicator and no reference set (contract section 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import pyarrow as pa

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.domain import Domain

#: Field of a work without a field in the scheme (one set per year).
UNCLASSIFIED = "unclassified"

#: Reference-set field schemes (setting ``field_scheme``).
FIELD_SCHEMES = ("openalex_subfield", "wos_category")


def work_fields(works: ir.Table, work_subjects: ir.Table, scheme: str) -> ir.Table:
    """``(work_id, field)``: the field of each work in `scheme`.

    ``openalex_subfield``: the primary-topic subfield id.  ``wos_category``:
    the work's Web of Science subject category (lower case); a record with
    several takes the alphabetically first (docs/methodology.md).
    """
    if scheme == "openalex_subfield":
        return works.select("work_id", field=works.primary_subfield_id)
    if scheme != "wos_category":
        raise ValueError(f"unknown field_scheme {scheme!r}: {', '.join(FIELD_SCHEMES)}")
    s = work_subjects.filter(work_subjects.scheme == "wos_category")
    label = s.label.strip().lower()
    return s.group_by("work_id").aggregate(field=label.min())


def counted_works(
    works: ir.Table,
    types: tuple[str, ...],
    period: tuple[int, int] | None = None,
    *,
    fields: ir.Table | None = None,
) -> ir.Table:
    """Works of the counted document types and period, one row per work_id.

    Returns ``(work_id, publication_year, field, doc_type, subfield, title,
    cited, has_cit, citation_date)`` with ``field`` the primary subfield id, or the
    field of `fields` (``(work_id, field)``, see :func:`work_fields`), or
    ``"unclassified"``.
    """
    t = works.filter(works.doc_type.isin(list(types)), works.publication_year.notnull())
    if period is not None:
        t = t.filter(t.publication_year.between(period[0], period[1]))
    field = t.primary_subfield_id
    if fields is not None:
        t = t.left_join(fields, "work_id").drop("work_id_right")
        field = t.field
    cols = {"abstract": t.abstract} if "abstract" in t.columns else {}
    return t.select(
        "work_id",
        "publication_year",
        field=field.fill_null(UNCLASSIFIED),
        doc_type=t.doc_type,
        subfield=t.primary_subfield_id,
        title=t.title,
        cited=t.cited_by_count,
        has_cit=t.cited_by_count.notnull(),
        citation_date=t.citation_date,
        **cols,
    )  # one row per work_id: the store deduplicates works


def signal_ids(work_subjects: ir.Table, domain: Domain) -> dict[str, ir.Table]:
    """For each subject signal of `domain`, the ``work_id`` it selects.

    The MeSH descriptors are matched by a semi-join on an in-memory table
    (:func:`_mesh_ids`), which every engine runs as a hash lookup (an ``IN``
    list of that many literals is evaluated as a chain of comparisons,
    docs/benchmarks.md).
    """
    s = work_subjects
    out = {"mesh": _mesh_ids(s, domain)}
    topic = s.filter(s.scheme == "openalex_topic")
    if not domain.any_topic:
        topic = topic.filter(topic.is_primary.fill_null(False))
    by_topic = topic.code.isin(list(domain.openalex_topics) or [""])
    by_name = (
        topic.label.strip().lower().isin(list(domain.openalex_topic_names) or [""])
    )
    out["openalex_topic"] = topic.filter(by_topic | by_name)
    sub = s.filter(s.scheme == "openalex_subfield")
    sub = sub.filter(sub.code.isin(list(domain.openalex_subfields) or [""]))
    if not domain.any_topic:
        sub = sub.filter(sub.is_primary.fill_null(False))
    out["openalex_subfield"] = sub
    wc = s.filter(s.scheme == "wos_category")
    wanted = list(domain.wos_categories) or [""]
    out["wos_category"] = wc.filter(wc.label.strip().lower().isin(wanted))
    asjc = s.filter(s.scheme == "scopus_asjc")
    out["scopus_asjc"] = asjc.filter(asjc.code.isin(list(domain.asjc_codes) or [""]))
    return {k: v.select("work_id").distinct() for k, v in out.items()}


def _mesh_ids(work_subjects: ir.Table, domain: Domain) -> ir.Table:
    """Subject rows with one of the domain's MeSH descriptors (a semi-join)."""
    codes = ibis.memtable(
        pa.table({"code": pa.array(list(domain.mesh_descriptors), pa.string())})
    )
    mesh = work_subjects.filter(work_subjects.scheme == "mesh")
    return mesh.semi_join(codes, mesh.code == codes.code)


def _domain_ids(work_subjects: ir.Table, domain: Domain) -> ir.Table:
    """``work_id`` of works that a subject signal puts in `domain`."""
    parts = [t.select("work_id") for t in signal_ids(work_subjects, domain).values()]
    return ibis.union(*parts, distinct=True)


def keyword_match(t: ir.Table, keywords: tuple[str, ...]) -> ir.BooleanValue:
    """True where the title or the abstract (when stored) holds a keyword."""
    text = t.title.fill_null("").lower()
    if "abstract" in t.columns:
        text = text.concat(" ", t.abstract.fill_null("").lower())
    hit = ibis.literal(False)
    for kw in keywords:
        hit = hit | text.contains(kw)
    return hit


def work_signals(
    counted: ir.Table, work_subjects: ir.Table, domain: Domain
) -> ir.Table:
    """``(work_id, signal)`` for every counted work and domain signal it meets.

    Grain: one row per (work, signal); the primary subfield of the work row
    counts as the ``openalex_subfield`` signal too.
    """
    parts = [
        counted.semi_join(ids, "work_id").select("work_id", signal=ibis.literal(name))
        for name, ids in signal_ids(work_subjects, domain).items()
    ]
    primary = counted.filter(counted.subfield.isin(list(domain.openalex_subfields)))
    parts.append(primary.select("work_id", signal=ibis.literal("openalex_subfield")))
    if domain.keywords:
        kw = counted.filter(keyword_match(counted, domain.keywords))
        parts.append(kw.select("work_id", signal=ibis.literal("keyword")))
    return ibis.union(*parts, distinct=True)


def domain_works(
    works: ir.Table,
    work_subjects: ir.Table,
    domain: Domain,
    period: tuple[int, int] | None = None,
    *,
    counted: ir.Table | None = None,
) -> ir.Table:
    """Counted works of `domain`; one row per work.

    A work is in the cancer domain when any of the domain's signals selects
    it (:func:`work_signals`): a MeSH descriptor under the tree (cysts-only
    descriptors excluded), a listed cancer topic, a domain subfield, a WoS
    category or ASJC code, a keyword in title or abstract.  The ``all``
    domain keeps every counted work.

    Returns
    -------
    ir.Table
        The columns of :func:`counted_works`.
    """
    t = counted if counted is not None else counted_works(works, domain.types, period)
    if domain.is_everything:
        return t
    return t.semi_join(work_signals(t, work_subjects, domain), "work_id")


def signal_counts(signals: ir.Table) -> ir.Table:
    """``(signal, selected, alone)``: works each signal selects, and selects
    alone (no other signal selects them).  Grain: one row per signal."""
    n = signals.signal.count().over(group_by="work_id")
    s = signals.mutate(only=(n == 1).cast("int64"))
    return s.group_by("signal").aggregate(
        selected=s.work_id.count(), alone=s.only.sum()
    )


def windowed_citations(
    works: ir.Table, citation_counts: ir.Table, window: int
) -> ir.Table:
    """`works` with ``cited`` = citations in years ``y_pub .. y_pub + window``.

    Uses the per-year counts (OpenAlex ``counts_by_year``); a work with
    citation data but no per-year count in the window gets 0; a work without
    citation data stays without (null).
    """
    cc = citation_counts
    j = works.select("work_id", "publication_year").join(cc, "work_id")
    j = j.filter(
        (j.year >= j.publication_year) & (j.year <= j.publication_year + window)
    )
    per_work = j.group_by("work_id").aggregate(windowed=j.cited_by_count.sum())
    t = works.left_join(per_work, "work_id").drop("work_id_right")
    cited = ibis.ifelse(t.has_cit, t.windowed.fill_null(0), ibis.null("int64"))
    return t.mutate(cited=cited.cast("int64")).drop("windowed")
