"""The canonical tables of the store, one Arrow schema each.

Every source parser (``oncometrics.sources.*``) emits rows for these tables and
nothing else; every indicator reads them.  The tables are *long* (no list
columns) so that the same joins run on DuckDB and Spark.  ``docs/data-model.md``
documents each column; ``tests/test_schema.py`` fails when a column is
undocumented.

Keys: ``work_id`` is the canonical id of a publication (``W…`` OpenAlex id when
known, else ``doi:…``, else ``pmid:…``, else ``<source>:<id>``);
``patent_id`` is one patent document (publication number), ``family_id`` its
family; ``nct_id`` is one trial.
"""

from __future__ import annotations

import pyarrow as pa

S = pa.string()
I32 = pa.int32()
I64 = pa.int64()
F64 = pa.float64()
B = pa.bool_()


_TYPES = {"S": S, "I32": I32, "I64": I64, "F64": F64, "B": B}


def _schema(block: str) -> pa.Schema:
    """The schema of a text block: a line ``name TYPE  # note`` a column."""
    fields = []
    for line in block.splitlines():
        if words := line.partition("#")[0].split():
            name, typ = words
            fields.append(pa.field(name, _TYPES[typ]))
    return pa.schema(fields)


# --------------------------------------------------------------------------
# Publications
# --------------------------------------------------------------------------
WORKS = _schema("""
    work_id              S
    source               S    # openalex | pubmed | wos | scopus | lens | dimensions
    openalex_id          S    # W123…, no URL prefix
    doi                  S    # lower-case, no https://doi.org/ prefix
    pmid                 S
    title                S
    publication_year     I32
    publication_date     S    # ISO yyyy-mm-dd when known
    doc_type             S    # normalised: article | review | letter | editorial | …
    source_title         S    # journal
    language             S
    cited_by_count       I64
    citation_source      S    # which database the count comes from
    citation_date        S    # when the count was observed (export/update date)
    primary_topic_id     S
    primary_subfield_id  S    # OpenAlex subfield id, e.g. "2730"
    primary_field_id     S
    richness             I32  # number of non-empty facts; the richest duplicate wins
    ingest_file          S    # file the record came from (as given)
    record_no            I64  # 1-based position of the record in that file
""")

AUTHORSHIPS = _schema("""
    work_id           S
    author_position   I32  # 1-based order in the byline
    author_id         S
    author_name       S
    is_corresponding  B
""")

# The contract's resolved country actors of each authorship (section 3):
# OpenAlex `countries`, else institutions' country_code, else parsed text.
AUTHORSHIP_COUNTRIES = _schema("""
    work_id          S
    author_position  I32
    country          S    # ISO 3166-1 alpha-2
    provenance       S    # openalex_countries | institution | affiliation_text
""")

AUTHORSHIP_INSTITUTIONS = _schema("""
    work_id           S
    author_position   I32
    institution_id    S    # OpenAlex I… id, else "ror:…", else source id
    ror               S    # bare ROR id, e.g. 02vjkv261
    institution_name  S
    country_code      S
    institution_type  S
""")

AFFILIATIONS = _schema("""
    work_id          S
    author_position  I32
    affiliation      S    # raw affiliation string as printed
    country          S    # parsed from the text (may be null)
""")

WORK_SUBJECTS = _schema("""
    work_id     S
    scheme      S    # mesh | openalex_topic | openalex_subfield | openalex_field
    code        S    # MeSH descriptor UI (D…), or OpenAlex id without prefix
    label       S
    is_primary  B    # OpenAlex primary topic
    is_major    B    # MeSH major topic
    score       F64
""")

CITATIONS = _schema("""
    work_id        S  # citing
    cited_work_id  S  # cited
""")

CITATION_COUNTS = _schema("""
    work_id         S
    year            I32
    cited_by_count  I64
""")

GRANTS = _schema("""
    work_id        S
    funder_id      S
    funder_name    S
    award_id       S  # as printed
    award_id_norm  S  # upper-case, no spaces/punctuation
""")

INSTITUTIONS = _schema("""
    institution_id  S
    ror             S
    name            S
    country_code    S
    type            S
""")

# --------------------------------------------------------------------------
# Inventions (patents)
# --------------------------------------------------------------------------
PATENTS = _schema("""
    patent_id           S    # publication number, e.g. US11478000B2, EP1000000A1
    family_id           S    # DOCDB family id, else derived from earliest priority
    source              S    # uspto | epo_ops | lens | canonical
    jurisdiction        S
    kind                S
    application_number  S
    title               S
    abstract            S    # for the cancer keywords of the generic patent classes
    priority_date       S    # earliest priority, ISO date
    filing_date         S
    publication_date    S
    priority_year       I32  # earliest priority year (fallbacks: filing, pub)
    cited_by_count      I64
    richness            I32
    ingest_file         S
    record_no           I64
""")

PATENT_PARTIES = _schema("""
    patent_id  S
    family_id  S
    role       S    # inventor | applicant
    sequence   I32
    name       S
    name_norm  S
    country    S    # ISO alpha-2 of residence / address
""")

PATENT_CLASSES = _schema("""
    patent_id  S
    family_id  S
    scheme     S  # cpc | ipc
    code       S  # normalised, e.g. A61P35/00
""")

PATENT_PRIORITIES = _schema("""
    patent_id        S
    family_id        S
    priority_number  S
    priority_date    S
""")

# --------------------------------------------------------------------------
# Clinical trials
# --------------------------------------------------------------------------
TRIALS = _schema("""
    nct_id                S
    source                S    # ctgov | nci_cts
    title                 S
    overall_status        S
    study_type            S
    phases                S    # "|"-joined API v2 values, e.g. PHASE1|PHASE2
    phase                 S    # one normalised value: EARLY_PHASE1 … PHASE4, NA
    start_date            S
    start_year            I32
    completion_date       S
    enrollment            I64
    lead_sponsor          S
    lead_sponsor_class    S    # INDUSTRY | NIH | OTHER | …
    lead_sponsor_country  S
    richness              I32
    ingest_file           S
    record_no             I64
""")

TRIAL_CONDITIONS = _schema("""
    nct_id     S
    condition  S  # free text as registered
    mesh_id    S  # from derivedSection.conditionBrowseModule
    mesh_term  S
    kind       S  # condition (free text) | mesh | ancestor (MeSH rows)
""")

TRIAL_INTERVENTIONS = _schema("""
    nct_id  S
    type    S
    name    S
""")

TRIAL_SPONSORS = _schema("""
    nct_id         S
    role           S  # lead | collaborator
    name           S
    name_norm      S
    sponsor_class  S
""")

TRIAL_SITES = _schema("""
    nct_id         S
    facility       S
    city           S
    country_name   S  # as registered
    country        S  # ISO alpha-2
    facility_norm  S  # facility name for grouping (see sources.trials)
""")

#: Every canonical table, by name; the store has one folder per entry.
TABLES: dict[str, pa.Schema] = {
    "works": WORKS,
    "authorships": AUTHORSHIPS,
    "authorship_countries": AUTHORSHIP_COUNTRIES,
    "authorship_institutions": AUTHORSHIP_INSTITUTIONS,
    "affiliations": AFFILIATIONS,
    "work_subjects": WORK_SUBJECTS,
    "citations": CITATIONS,
    "citation_counts": CITATION_COUNTS,
    "grants": GRANTS,
    "institutions": INSTITUTIONS,
    "patents": PATENTS,
    "patent_parties": PATENT_PARTIES,
    "patent_classes": PATENT_CLASSES,
    "patent_priorities": PATENT_PRIORITIES,
    "trials": TRIALS,
    "trial_conditions": TRIAL_CONDITIONS,
    "trial_interventions": TRIAL_INTERVENTIONS,
    "trial_sponsors": TRIAL_SPONSORS,
    "trial_sites": TRIAL_SITES,
}

#: Tables the store derives from the canonical ones (never parsed): kept in
#: step with them by ``oncometrics.derived`` so that ``compute`` reads a
#: precomputed result instead of recomputing it from every authorship.
DERIVED: dict[str, pa.Schema] = {
    # fractional country weight of each work, counting.country_weights(None, …)
    "work_country_weights": _schema("""
        work_id  S
        country  S
        weight   F64
    """),
    # those weights summed per country, year and type (one aggregate per part)
    "country_totals": _schema("""
        country           S
        publication_year  I32
        doc_type          S
        p_frac            F64
        p_full            I64
    """),
    # the same for institutions (counting.institution_weights(None, …))
    "work_institution_weights": _schema("""
        work_id         S
        institution_id  S
        weight          F64
    """),
    "institution_totals": _schema("""
        institution_id    S
        publication_year  I32
        doc_type          S
        p_frac            F64
        p_full            I64
    """),
}

#: The entity each record kind is about: main table, its key column, and the
#: child tables that hang off that key (dropped along with a duplicate).
ENTITIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "work": (
        "works",
        "work_id",
        (
            "authorships",
            "authorship_countries",
            "authorship_institutions",
            "affiliations",
            "work_subjects",
            "citations",
            "citation_counts",
            "grants",
            # derived, rows per work (the *_totals: rebuilt when stale)
            "work_country_weights",
            "work_institution_weights",
        ),
    ),
    "patent": (
        "patents",
        "patent_id",
        ("patent_parties", "patent_classes", "patent_priorities"),
    ),
    "trial": (
        "trials",
        "nct_id",
        ("trial_conditions", "trial_interventions", "trial_sponsors", "trial_sites"),
    ),
}
