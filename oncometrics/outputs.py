"""The published output tables, one Arrow schema each (columns described).

``oncometrics compute`` writes the tables of `OUTPUTS` into
``STORE/indicators/`` and ``oncometrics portfolio`` into ``STORE/portfolio/``;
nothing else.  :func:`conform` is the writers' check: a table whose columns
or types differ from its schema is a bug (:class:`OutputSchemaError`), never
written.  The report, the dashboard and the portfolio section read columns
by these exact names, and :func:`check_columns` fails loudly when a table on
disk has drifted from them.  ``docs/outputs.md`` is generated from this module
(``python -m oncometrics.outputs > docs/outputs.md``); ``tests/test_docs.py``
fails when it is stale.

To add a column: add a line ``name TYPE one-line description`` to its table's
`_cols` block (or to a shared group such as `ACTOR_INDICATORS`), make the
writer produce it, and regenerate the page.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyarrow as pa

S, I32, I64, F64, B = pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.bool_()

Col = tuple[str, pa.DataType, str]


class OutputSchemaError(RuntimeError):
    """A table differs from its published schema (a bug, not the user's input)."""


_TYPES = {"S": S, "I32": I32, "I64": I64, "F64": F64, "B": B}


def _cols(block: str) -> list[Col]:
    """The columns of a text block: a line ``name TYPE description`` each.

    TYPE is one of `_TYPES`; an indented line continues the description above.
    """
    cols: list[Col] = []
    for line in textwrap.dedent(block).strip("\n").splitlines():
        if line[:1].isspace():
            name, typ, text = cols[-1]
            cols[-1] = (name, typ, f"{text} {line.strip()}")
        else:
            name, typ, text = line.split(None, 2)
            cols.append((name, _TYPES[typ], text))
    return cols


def _table(doc: str | None, *groups: Sequence[Col]) -> pa.Schema:
    fields = [
        pa.field(name, typ, metadata={"description": text})
        for group in groups
        for name, typ, text in group
    ]
    return pa.schema(fields, metadata=None if doc is None else {"description": doc})


def described(block: str) -> pa.Schema:
    """The schema of a block of ``name TYPE description`` lines (as `_cols`
    reads them), for tables that are not published outputs (the drill-downs)."""
    return _table(None, _cols(block))


# ------------------------------------------------------------ shared groups
#: Provenance of the publication tables.
PUB_META: list[Col] = _cols("""
    domain              S  Domain name (`domain.json`).
    domain_hash         S  12-digit hash of the domain definition.
    period              S  Publication years counted, `FIRST-LAST` or `all`.
    citations_observed  S  Date range at which the citation counts of the domain works
                           were observed (`n/a`: no citation data).
""")  # fmt: skip
#: Provenance of the invention tables.
INV_META: list[Col] = _cols("""
    period        S  Priority years counted, `FIRST-LAST` or `all`.
    domain        S  Domain name (`domain.json`).
    domain_hash   S  12-digit hash of the domain definition.
    by            S  Party whose country counts: `inventor` or `applicant`.
    family_scope  S  Families counted: `all` or `international`.
""")
HASH: list[Col] = [("domain_hash", S, "12-digit hash of the domain definition.")]

#: The indicators of one publishing actor (country, institution), in order.
ACTOR_INDICATORS: list[Col] = [
    *_cols("""
        p_full            I64  Publications, full counting.
        p_frac            F64  Publications, fractional counting.
        share_frac        F64  World share of `p_frac` (among the actors listed).
        rank_p_frac       I64  Competition rank on `p_frac` (1 = largest).
        mncs              F64  Mean normalised citation score.
        pp_top1           F64  Share of publications in the world's top 1 % most cited.
        pp_top10          F64  Share of publications in the world's top 10 % most cited.
        ai                F64  Activity index: share in the domain / share in all
                               fields.
        rsi               F64  Relative specialisation index (ai − 1) / (ai + 1).
        intl_collab_rate  F64  Share of publications with two or more countries.
        mncs_lo           F64  Lower bound of the 95 % stability interval of `mncs`.
        mncs_hi           F64  Upper bound of the 95 % stability interval of `mncs`.
        pp_top10_lo       F64  Lower bound of the 95 % stability interval of `pp_top10`.
        pp_top10_hi       F64  Upper bound of the 95 % stability interval of `pp_top10`.
        pp_top1_lo        F64  Lower bound of the 95 % stability interval of `pp_top1`.
        pp_top1_hi        F64  Upper bound of the 95 % stability interval of `pp_top1`.
    """),
    *[
        (f"rank_{i}_{e}", I64, f"{w} of the 95 % bootstrap interval of `rank_{i}`.")
        for i in ("mncs", "pp_top1", "pp_top10")
        for e, w in (("lo", "Best rank"), ("hi", "Worst rank"))
    ],
    *_cols("""
        impact_coverage        F64  Share of the actor's output (counting weights) that
                                    is rated: citation data, in a reference set of at
                                    least `min_reference_set` works; impact figures
                                    cover only those works.
        threshold_p            F64  P_frac an actor needs to be ranked on ratio
                                    indicators.
        threshold_share        F64  The size threshold as a share of world P_frac (null
                                    when an absolute `min_p` is used).
        n_ranked               I64  Actors above the size threshold (ranked on ratios).
        ai_note                S    Why `ai`/`rsi` are n/a when the all-field totals are
                                    the domain itself (null otherwise).
        impact_note            S    Why the impact figures are n/a (no or too few rated
                                    works; null otherwise).
        tncs                   F64  Total normalised citation score (sum of weights ×
                                    NCS).
        p_top1                 F64  Publications in the world's top 1 % (weighted).
        p_top10                F64  Publications in the world's top 10 % (weighted).
        share_full             F64  World share of `p_full`.
        rank_p_full            I64  Competition rank on `p_full`.
        rank_mncs              I64  Rank on `mncs` among actors with `p_frac ≥
                                    threshold_p`.
        rank_pp_top1           I64  Rank on `pp_top1` among actors above the threshold.
        rank_pp_top10          I64  Rank on `pp_top10` among actors above the threshold.
        ranked                 B    True when `p_frac ≥ threshold_p` (ranked on ratio
                                    indicators).
        rank_ai                I64  Rank on `ai` among actors above the threshold.
        rank_intl_collab_rate  I64  Rank on `intl_collab_rate` among actors above the
                                    threshold.
    """),
]  # fmt: skip
_INTL: list[Col] = [("p_intl", I64, "Publications with two or more countries.")]
_P_ALL: list[Col] = [("p_all", F64, "All-field publications (fractional): AI base.")]
_YEAR: list[Col] = [("publication_year", I32, "Publication year.")]
_GROWTH: list[Col] = [
    ("growth_p_frac", F64, "`p_frac` / `p_frac` of the previous year − 1 (null "
     "when the previous calendar year is missing)."),
]  # fmt: skip

_SALTON = "Salton index: co / √(full count of country × of partner)."


def pair_columns(co: str, own: str, rank: str, what: str) -> list[Col]:
    """Columns of a partner table: `co` shared items, `own` per-country totals."""
    return [
        ("country", S, "ISO alpha-2 code of the country."),
        ("partner", S, "ISO alpha-2 code of the partner country."),
        (co, I64, f"{what} shared by the two countries (full counting)."),
        (f"{own}_country", I64, f"{what} of the country (full counting)."),
        (f"{own}_partner", I64, f"{what} of the partner (full counting)."),
        ("salton", F64, _SALTON),
        (rank, I64, f"Competition rank of the partner on `{co}` for the country."),
        ("rank_salton", I64, "Competition rank of the partner on `salton`."),
    ]  # fmt: skip


_TRIAL_COUNTS: list[Col] = _cols("""
    trials                I64  Oncology trials with a site in the country.
    early_phase_trials    I64  Of which early phase (phase 1 / 1-2).
    share                 F64  Share of all located trials.
    rank                  I64  Competition rank on `trials`.
    industry_share        F64  Share of the trials led by industry.
    multinational_rate    F64  Share of the trials with sites in 2+ countries.
    early_phase_share     F64  Share of all early-phase trials.
    early_phase_rank      I64  Competition rank on `early_phase_trials`.
    industry_trials       I64  Trials led by industry.
    multinational_trials  I64  Trials with sites in two or more countries.
""")
_INV_COUNTS: list[Col] = _cols("""
    i_full       I64  Inventions (patent families), full counting.
    i_frac       F64  Inventions, fractional counting.
    share_frac   F64  World share of `i_frac`.
    rank_i_frac  I64  Competition rank on `i_frac`.
""")
_PORT_IMPACT: list[Col] = _cols("""
    p_full           I64  Publications, full counting.
    tncs             F64  Total normalised citation score.
    p_top1           F64  Publications in the world's top 1 %.
    p_top10          F64  Publications in the world's top 10 %.
    mncs             F64  Mean normalised citation score.
    pp_top1          F64  Share in the world's top 1 %.
    pp_top10         F64  Share in the world's top 10 %.
    impact_coverage  F64  Share of the output that is rated (citation data, reference
                          set of at least `min_reference_set` works); impact figures
                          cover only those works.
""")  # fmt: skip
#: The key of the technology-field tables.
_FIELD_KEY: list[Col] = _cols("""
    country     S    ISO alpha-2 code of the country.
    field_nr    I32  WIPO technology field number (1-35).
    field_name  S    WIPO technology field name.
    sector      S    WIPO sector of the field.
""")
_PORT_INTERVALS: list[Col] = [
    c
    for c in ACTOR_INDICATORS
    if c[0].endswith(("_lo", "_hi")) and not c[0].startswith("rank_")
]
_PORT_PROJECT_HEAD: list[Col] = _cols("""
    call  S    Funding call.
    year  I64  Year of the call.
""")

# ----------------------------------------------------------------- tables
#: Table written by ``compute`` → its schema (column descriptions in metadata).
INDICATORS: dict[str, pa.Schema] = {
    "publications_by_country": _table(
        "One row per country: publication indicators.",
        [("country", S, "ISO alpha-2 code of the country.")],
        ACTOR_INDICATORS, _INTL, _P_ALL, PUB_META,
    ),
    "publications_by_country_year": _table(
        "One row per country and publication year.",
        [("country", S, "ISO alpha-2 code of the country.")], _YEAR,
        ACTOR_INDICATORS, _GROWTH, _INTL, _P_ALL, PUB_META,
    ),
    "publications_by_institution": _table(
        "One row per institution: publication indicators.",
        [("institution_id", S, "Institution id (OpenAlex `I…`, else `ror:…`).")],
        ACTOR_INDICATORS, _INTL, _P_ALL,
        _cols("""
            ror               S  ROR id of the institution, when known.
            institution_name  S  Institution name.
            country_code      S  ISO alpha-2 code of the institution's country.
        """),
        PUB_META,
    ),
    "country_partners": _table(
        "One row per country and partner country: co-publications.",
        pair_columns("co_publications", "p_full", "rank_co", "Publications"), PUB_META,
    ),
    "publications_unassigned": _table(
        "One row per level and year: counted works with no resolved actor.",
        [
            ("level", S, "Actor level: `country` or `institution`."),
            *_YEAR,
            *_cols("""
                p_total       I64  Domain publications of the year.
                p_unassigned  I64  Of which with no actor of this level.
                p_top1        F64  Unassigned publications in the world's top 1 %
                                   (null: none rated).
                p_top10       F64  Unassigned publications in the world's top 10 %
                                   (null: none rated).
                tncs          F64  Total normalised citation score of the unassigned
                                   (null: none rated).
            """),
        ],
        PUB_META,
    ),
    "citation_sources": _table(
        "One row per database the citation counts come from.",
        _cols("""
            citation_source  S    Database of the citation counts.
            works            I64  Domain works whose count comes from it.
            first_date       S    Earliest date a count was observed.
            last_date        S    Latest date a count was observed.
        """),
        PUB_META,
    ),
    "inventions_by_country": _table(
        "One row per country: invention indicators.",
        [("country", S, "ISO alpha-2 code of the country.")], _INV_COUNTS,
        _cols("""
            rta                    F64  Revealed technological advantage in the domain
                                        (world all-field total over every country of the
                                        store).
            rank_rta               I64  Competition rank on `rta` (eligible countries).
            coinvention_rate       F64  Share of inventions with two or more countries.
            rank_coinvention_rate  I64  Rank on `coinvention_rate` among countries with
                                        `share_frac ≥ 0.5 %`.
            i_all_frac             F64  All-field inventions (fractional): RTA base.
        """),
        INV_META,
    ),
    "inventions_by_country_year": _table(
        "One row per country and priority year.",
        _cols("""
            country  S    ISO alpha-2 code of the country.
            year     I32  Priority year.
        """), _INV_COUNTS, INV_META,
    ),
    "coinvention_partners": _table(
        "One row per country and partner country: co-inventions.",
        pair_columns("co_inventions", "i_full", "rank_co", "Inventions"), INV_META,
    ),
    "inventions_by_applicant": _table(
        "One row per applicant: inventions.",
        _cols("""
            applicant  S  Applicant id.
            name       S  Applicant name.
            country    S  Applicant's country (ISO alpha-2).
        """),
        _INV_COUNTS, INV_META,
    ),
    "technology_mix": _table(
        "One row per country, technology field and period.",
        _FIELD_KEY,
        _cols("""
            i_frac                F64  Inventions in the field (fractional).
            share                 F64  Share of the country's inventions in the field.
            field_specialisation  F64  Field's share of the country's cancer mix / the
                                       world's (not RTA).
        """),
        INV_META,
    ),
    "technology_shift": _table(
        "One row per country and field: change between two periods.",
        _FIELD_KEY,
        _cols("""
            status                S    `both`, or `new`/`gone`: country absent from a
                                       period.
            period_1              S    First period.
            period_2              S    Second period.
            share_1               F64  Share of the field in the first period (null:
                                       absent).
            share_2               F64  Share of the field in the second period (null:
                                       absent).
            shift_pp              F64  Change of share, percentage points.
            fs_1                  F64  Field specialisation in the first period.
            fs_2                  F64  Field specialisation in the second period.
            fs_change             F64  Change of field specialisation.
            truncated_2           B    Second period reaches into the publication lag.
            first_truncated_year  I32  First priority year inside the lag.
        """),
        INV_META,
    ),
    "invention_documents": _table(
        "One row per patent document type: what the store holds and counts.",
        _cols("""
            doc_type                S    `utility`, `reissue`, `design` or `plant`.
            documents               I64  Documents of the type in the store.
            families                I64  Families with a document of the type.
            domain_families         I64  Of which counted (domain, scope, period).
            international_families  I64  Of which international families.
        """),
        INV_META,
    ),
    "invention_lags": _table(
        "One row per patent source: publication lag and truncated years.",
        _cols("""
            source                S    Patent source (uspto, epo_ops, lens, canonical).
            documents             I64  Documents of the source.
            last_publication      S    Latest publication date (ISO).
            grant_only            B    True when the source holds no application.
            lag_months            I32  Months from priority to publication (18 or 36).
            first_truncated_year  I32  First incomplete priority year.
            domain                S    Domain name (`domain.json`).
            domain_hash           S    12-digit hash of the domain definition.
        """),
    ),
    "trials_by_country": _table(
        "One row per country: clinical trials.",
        [("country", S, "ISO alpha-2 code of the country.")], _TRIAL_COUNTS, HASH,
    ),
    "trials_by_country_year": _table(
        "One row per country and start year: clinical trials.",
        _cols("""
            country     S    ISO alpha-2 code of the country.
            start_year  I32  Start year of the trials.
        """), _TRIAL_COUNTS, HASH,
    ),
    "trials_by_phase": _table(
        "One row per trial phase.",
        _cols("""
            phase        S    Trial phase.
            early_phase  B    True for phase 1 and 1-2.
            trials       I64  Oncology trials in the phase.
            share        F64  Share of all oncology trials.
        """), HASH,
    ),
    "trial_partners": _table(
        "One row per country and partner country: shared trials.",
        pair_columns("shared_trials", "trials", "rank_shared", "Trials"), HASH,
    ),
    "trials_by_sponsor": _table(
        "One row per sponsor.",
        _cols("""
            sponsor              S    Sponsor id.
            name                 S    Sponsor name.
            sponsor_class        S    Sponsor class (industry, other, …).
            trials               I64  Trials with the sponsor as lead or collaborator.
            lead_trials          I64  Trials it leads.
            early_phase_trials   I64  Early-phase trials.
            site_countries       I64  Countries of its trials' sites.
            collaborator_trials  I64  Trials where it collaborates.
            rank                 I64  Competition rank on `trials`.
        """), HASH,
    ),
    "trials_by_facility": _table(
        "One row per trial site (facility).",
        _cols("""
            facility            S    Facility id.
            country             S    ISO alpha-2 code.
            name                S    Facility name.
            city                S    City.
            trials              I64  Oncology trials at the facility.
            early_phase_trials  I64  Of which early phase.
            rank                I64  Competition rank on `trials`.
            country_rank        I64  Rank on `trials` within the country.
            early_phase_rank    I64  Competition rank on `early_phase_trials`.
        """),
        HASH,
    ),
    "trials_summary": _table(
        "One row: totals of the trial tables.",
        _cols("""
            trials              I64  Oncology trials.
            early_phase_trials  I64  Of which early phase.
            located_trials      I64  Trials with at least one located site.
            countries           I64  Countries with a site.
            store_trials        I64  Trials in the store (any domain, type, status).
            domain_trials_any   I64  Domain trials of any study type and status.
            unassigned_trials   I64  Trials with no located site.
        """), HASH,
    ),
}  # fmt: skip

#: Table written by ``portfolio`` → its schema.
PORTFOLIO: dict[str, pa.Schema] = {
    "units": _table(
        "One row per unit of the organisation (plus an `(organisation)` row).",
        _cols("""
            unit_code                 S    Unit code (registry).
            name                      S    Unit name.
            parent                    S    Parent unit code.
            team_count                I64  Teams of the unit.
            p_full                    I64  Publications, full counting.
            p_frac                    F64  Publications, fractional counting.
            share_of_org              F64  Share of the organisation's `p_frac`.
            mncs                      F64  Mean normalised citation score.
            mncs_lo                   F64  Lower bound of the 95 % interval of `mncs`.
            mncs_hi                   F64  Upper bound of the 95 % interval of `mncs`.
            pp_top10                  F64  Share in the world's top 10 %.
            pp_top10_lo               F64  Lower bound of the 95 % interval of
                                           `pp_top10`.
            pp_top10_hi               F64  Upper bound of the 95 % interval of
                                           `pp_top10`.
            pp_top1                   F64  Share in the world's top 1 %.
            pp_top1_lo                F64  Lower bound of the 95 % interval of
                                           `pp_top1`.
            pp_top1_hi                F64  Upper bound of the 95 % interval of
                                           `pp_top1`.
            p_top10                   F64  Publications in the world's top 10 %.
            p_top1                    F64  Publications in the world's top 1 %.
            tncs                      F64  Total normalised citation score.
            intl_collab_rate          F64  Share with two or more countries.
            top_partner_countries     S    Main partner countries (`CC:n; …`).
            top_partner_institutions  S    Main partner institutions.
            partner_units             S    Other units co-publishing with the unit.
        """),
        HASH,
    ),
    "unit_year": _table(
        "One row per unit and publication year.",
        [("unit_code", S, "Unit code."), *_YEAR,
         *_PORT_IMPACT[:1], ("p_frac", F64, "Publications, fractional counting."),
         *_PORT_IMPACT[1:], *_INTL,
         ("intl_collab_rate", F64, "Share with two or more countries.")], HASH,
    ),
    "unit_works": _table(
        "One row per unit and publication: the works behind the unit tables.",
        [
            *_cols("""
                unit_code  S    Unit code.
                work_id    S    Publication id.
                weight     F64  Fractional weight of the unit on the work.
            """),
            *_YEAR,
            *_cols("""
                field        S    Field the work is normalised in.
                c            I64  Citations counted.
                ncs          F64  Normalised citation score.
                top10_share  F64  Share of the work in the world's top 10 %.
            """),
        ], HASH,
    ),
    "projects": _table(
        "One row per funded project: its publications' indicators.",
        [
            ("project_id", S, "Project id."),
            *_PORT_PROJECT_HEAD,
            *_cols("""
                team       S  Team of the project.
                unit_code  S  Unit code.
                award_ids  S  Award ids matched in acknowledgements.
            """),
            *_PORT_IMPACT,
            *_INTL,
            ("intl_collab_rate", F64, "Share with two or more countries."),
            *_PORT_INTERVALS,
        ], HASH,
    ),
    "calls": _table(
        "One row per funding call: its projects' publications.",
        _PORT_PROJECT_HEAD, [("n_projects", I64, "Projects of the call.")],
        _PORT_IMPACT, _INTL,
        [("intl_collab_rate", F64, "Share with two or more countries.")],
        _PORT_INTERVALS, HASH,
    ),
    "affiliation_matches": _table(
        "One row per affiliation text matched to a unit.",
        _cols("""
            affiliation    S    Affiliation text as in the store.
            unit_code      S    Unit matched.
            method         S    How: `ror`, `exact`, `fuzzy` or `curation`.
            score          F64  Match score (1 for exact).
            n_authorships  I64  Authorships with this affiliation.
        """), HASH,
    ),
    "unmatched_affiliations": _table(
        "One row per affiliation text of the organisation matched to no unit.",
        _cols("""
            affiliation    S    Affiliation text.
            n_authorships  I64  Authorships with this affiliation.
            n_works        I64  Publications with this affiliation.
            best_guess     S    Closest unit, for curation.
            guess_score    F64  Score of the best guess.
        """),
    ),
}  # fmt: skip

_CENTRE_KEY: list[Col] = _cols("""
    level  S  `centre` (one centre) or `label` (all centres of a label).
    key    S  Centre code, or the label (e.g. `CLIP²`).
""")
_CENTRE_FIGURES: list[Col] = _cols("""
    trials                I64  Oncology trials with a site matched to the centre(s).
    early_phase_trials    I64  Of which early phase (`early_phases` setting).
    multinational_trials  I64  Of which with sites in two or more countries.
    multinational_share   F64  Multinational share (null when no trial).
    industry_share        F64  Share led by industry (null when no trial).
""")
#: ``oncometrics portfolio --centres``: trials at the organisation's centres.
CENTRES: dict[str, pa.Schema] = {
    "centre_trials": _table(
        "One row per centre and per label: the oncology trials run there.",
        _CENTRE_KEY,
        _cols("""
            name    S  Centre name (null for a label row).
            city    S  Centre city (null for a label row).
            labels  S  Labels of the centre, `|`-joined (null for a label row).
        """),
        _CENTRE_FIGURES, HASH,
    ),
    "centre_trials_by_year": _table(
        "One row per centre or label and trial start year.",
        _CENTRE_KEY, [("start_year", I32, "Start year of the trials.")], _CENTRE_FIGURES,
        HASH,
    ),
    "centre_sponsors": _table(
        "One row per centre or label and lead-sponsor class: the sponsor mix.",
        _CENTRE_KEY,
        _cols("""
            sponsor_class  S    Lead sponsor class (`INDUSTRY`, `OTHER`, `NIH`…).
            trials         I64  Trials of that class.
            share          F64  Share of the centre's (label's) trials.
        """), HASH,
    ),
    "centre_site_matches": _table(
        "One row per trial-site facility string matched to a centre (audit).",
        _cols("""
            facility     S    Facility as registered.
            city         S    Site city.
            country      S    Site country (ISO alpha-2).
            centre_code  S    Centre matched.
            method       S    How: `pattern`, `fuzzy` or `curated`.
            score        F64  Match score (1 except fuzzy).
        """),
    ),
}  # fmt: skip
PORTFOLIO.update(CENTRES)

#: Every published table (compute's and portfolio's).
OUTPUTS: dict[str, pa.Schema] = {**INDICATORS, **PORTFOLIO}


def _plain(t: pa.DataType) -> pa.DataType:
    """`t` with large string/binary types as their ordinary form."""
    return {pa.large_string(): S, pa.large_binary(): pa.binary()}.get(t, t)


def conform(name: str, table: pa.Table) -> pa.Table:
    """`table` in the column order and types of ``OUTPUTS[name]``.

    Raises :class:`OutputSchemaError` when `name` is not published or the
    table's columns (names or types) differ from the schema.
    """
    if name not in OUTPUTS:
        raise OutputSchemaError(f"{name}: not a published output table (outputs.py)")
    schema = OUTPUTS[name]
    have = {f.name: _plain(f.type) for f in table.schema}
    want = {f.name: f.type for f in schema}
    bad = [
        f"{c}: {have[c]} instead of {t}"
        for c, t in want.items()
        if c in have and have[c] != t and not pa.types.is_null(have[c])
    ]
    missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
    if missing or extra or bad:
        raise OutputSchemaError(
            f"{name}: differs from its published schema (oncometrics/outputs.py): "
            f"missing {missing}, unexpected {extra}, types {bad}"
        )
    return table.select(schema.names).cast(schema)


def check_columns(name: str, columns: Iterable[str]) -> None:
    """Fail when a table read from disk lacks a published column of `name`.

    Raises :class:`ValueError` naming the table and the missing columns (the
    folder was written by another version: rerun compute).
    """
    if name not in OUTPUTS:
        return
    missing = [c for c in OUTPUTS[name].names if c not in set(columns)]
    if missing:
        raise ValueError(
            f"{name}: lacks published column(s) {', '.join(missing)} "
            "(written by another version of oncometrics? rerun `oncometrics compute`)"
        )


def published(name: str, *columns: str) -> tuple[str, ...]:
    """`columns`, checked to be published columns of table `name`.

    Readers name the columns they use through this, so that a column renamed
    here fails at import (a test imports every reader), not on some page.
    """
    names = set(OUTPUTS[name].names)
    unknown = [c for c in columns if c not in names]
    if unknown:
        raise OutputSchemaError(f"{name} has no column(s) {unknown} (outputs.py)")
    return columns


def _ours(folder: Path) -> bool:
    """True when `folder` holds only output files (safe to replace whole)."""
    names = {f"{t}.{ext}" for t in OUTPUTS for ext in ("csv", "parquet")}
    # domain.json and settings.toml (the reproduce settings) are written with them
    names |= {"domain.json", "settings.toml"}
    return all(p.name in names for p in folder.iterdir())


def stage(out: Path) -> Path:
    """A new empty temporary folder next to `out`, to write the tables into."""
    out = Path(out).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    for left in out.parent.glob(f".{out.name}.*-*"):  # of runs killed mid-write
        pid = left.name.rpartition("-")[2]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if ".old-" in left.name and not out.exists():  # killed between renames
            left.rename(out)
        else:
            shutil.rmtree(left, ignore_errors=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    return tmp


def _alive(pid: int) -> bool:
    """True when process `pid` exists (this one included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def discard(tmp: Path) -> None:
    """Remove the temporary folder of a failed run."""
    shutil.rmtree(tmp, ignore_errors=True)


def publish(tmp: Path, out: Path) -> None:
    """Make the tables written in `tmp` the content of `out`.

    A folder holding only output files is swapped whole (two renames); a
    folder holding other files too gets each new file moved in (one atomic
    rename per file) and the output files this run did not write removed.
    """
    out = Path(out).absolute()
    if not out.exists() or _ours(out):
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
        return
    new = sorted(tmp.iterdir())
    for path in new:
        os.replace(path, out / path.name)
    tmp.rmdir()
    written = {p.name for p in new}
    for stale in out.iterdir():
        if stale.stem in {*OUTPUTS, "domain"} and stale.name not in written:
            stale.unlink()


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A temporary folder next to `out`; on success it becomes `out`.

    An interrupted run leaves `out` as it was (never a 0-byte table, never
    tables of two runs under one ``domain.json``).
    """
    tmp = stage(out)
    try:
        yield tmp
    except BaseException:
        discard(tmp)
        raise
    publish(tmp, out)


def outputs_markdown(tables: Mapping[str, pa.Schema] | None = None) -> str:
    """docs/outputs.md, generated from :data:`OUTPUTS`."""
    lines = [
        "# Output tables",
        "",
        "`oncometrics compute` writes the first tables below into",
        "`STORE/indicators/` and `oncometrics portfolio` the last ones",
        "(`units` onwards) into `STORE/portfolio/`, each as `<table>.parquet` and",
        "`<table>.csv`, with exactly these columns in this order. This page is",
        "generated from `oncometrics/outputs.py`",
        "(`python -m oncometrics.outputs > docs/outputs.md`); `tests/test_docs.py`",
        "fails when it is out of date.",
    ]
    for name, schema in (tables or OUTPUTS).items():
        doc = (schema.metadata or {}).get(b"description", b"").decode()
        lines += ["", f"## `{name}`", "", doc, "", "| column | type | meaning |",
                  "|---|---|---|"]  # fmt: skip
        for f in schema:
            text = (f.metadata or {}).get(b"description", b"").decode()
            lines.append(f"| `{f.name}` | {f.type} | {text.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(outputs_markdown(), end="")
