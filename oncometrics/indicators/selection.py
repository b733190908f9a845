"""Which works count: document types, period and the domain (contract 1, 2, 4).

The selected table carries everything the impact indicators need: the
reference-set keys (year, field, type) and the citation count ``cited``
(``cited_by_count``, or the citations of a fixed window after publication).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import pyarrow as pa

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.domain import Domain

#: Field of a work without an OpenAlex primary subfield (one set per year).
UNCLASSIFIED = "unclassified"


def counted_works(
    works: ir.Table,
    types: tuple[str, ...],
    period: tuple[int, int] | None = None,
) -> ir.Table:
    """Works of the counted document types and period, one row per work_id.

    Returns ``(work_id, publication_year, field, doc_type, title, cited)``
    with ``field`` the primary subfield id (or ``"unclassified"``).
    """
    t = works.filter(works.doc_type.isin(list(types)), works.publication_year.notnull())
    if period is not None:
        t = t.filter(t.publication_year.between(period[0], period[1]))
    t = t.select(
        "work_id",
        "publication_year",
        field=t.primary_subfield_id.fill_null(UNCLASSIFIED),
        doc_type=t.doc_type,
        title=t.title,
        cited=t.cited_by_count.fill_null(0),
    )
    return t  # one row per work_id: the store deduplicates works


def _domain_ids(work_subjects: ir.Table, domain: Domain) -> ir.Table:
    """work_id of works whose subjects put them in `domain` (MeSH or topic).

    The domain's MeSH descriptors (all those under the tree) are matched
    by a semi-join on an in-memory table, which every engine runs as a hash
    lookup; an ``IN`` list of that many literals is evaluated as a chain of
    comparisons (see docs/benchmarks.md, compute).  Two filters and a
    union rather than one OR, so that each side stays a plain filter.
    """
    s = work_subjects
    codes = ibis.memtable(
        pa.table({"code": pa.array(list(domain.mesh_descriptors), pa.string())})
    )
    mesh = s.filter(s.scheme == "mesh")
    mesh = mesh.semi_join(codes, mesh.code == codes.code)
    topic = s.filter(s.scheme == "openalex_subfield")
    topic = topic.filter(topic.code.isin(list(domain.openalex_subfields)))
    if not domain.any_topic:
        topic = topic.filter(topic.is_primary.fill_null(False))
    return mesh.select("work_id").union(topic.select("work_id"), distinct=True)


def domain_works(
    works: ir.Table,
    work_subjects: ir.Table,
    domain: Domain,
    period: tuple[int, int] | None = None,
) -> ir.Table:
    """Counted works of `domain`; one row per work.

    A work is in the cancer domain when it has a MeSH descriptor under the
    domain's tree, or its primary OpenAlex subfield (any topic's subfield with
    ``any_topic``) is one of the domain's subfields, or its title contains one
    of the domain's keywords (case-insensitive).  The ``all`` domain keeps
    every counted work.

    Returns
    -------
    ir.Table
        ``(work_id, publication_year, field, doc_type, title, cited)``.
    """
    t = counted_works(works, domain.types, period)
    if domain.is_everything:
        return t
    by_subject = t.work_id.isin(_domain_ids(work_subjects, domain).work_id)
    by_primary = t.field.isin(list(domain.openalex_subfields))
    keep = by_subject | by_primary
    title = t.title.fill_null("").lower()
    for kw in domain.keywords:
        keep = keep | title.contains(kw)
    return t.filter(keep)


def windowed_citations(
    domain_works: ir.Table, citation_counts: ir.Table, window: int
) -> ir.Table:
    """`domain_works` with ``cited`` = citations in years ``y_pub .. y_pub + window``.

    Uses the per-year counts (OpenAlex ``counts_by_year``); a work without
    per-year counts gets 0.
    """
    cc = citation_counts
    j = domain_works.select("work_id", "publication_year").join(cc, "work_id")
    j = j.filter(
        (j.year >= j.publication_year) & (j.year <= j.publication_year + window)
    )
    per_work = j.group_by("work_id").aggregate(windowed=j.cited_by_count.sum())
    t = domain_works.left_join(per_work, "work_id").drop("work_id_right")
    return t.mutate(cited=t.windowed.fill_null(0).cast("int64")).drop("windowed")
