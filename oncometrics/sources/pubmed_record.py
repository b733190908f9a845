"""One PubMed paper, whatever its format, as rows of the canonical tables.

Shared by the XML (:mod:`oncometrics.sources.pubmed`) and MEDLINE text
(:mod:`oncometrics.sources.medline`) parsers: they fill a :class:`Paper`,
:func:`to_record` turns it into rows (countries parsed from each author's own
affiliations, provenance ``affiliation_text``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from oncometrics.countries import countries_in_affiliation, hk_macao_default
from oncometrics.sources.base import (
    Record,
    Row,
    norm_award_id,
    richness,
    work_id_for,
)

#: PubMed publication types -> normalised doc_type, strongest first.
DOC_TYPES: tuple[tuple[str, str], ...] = (
    ("retraction of publication", "retraction"),
    ("published erratum", "erratum"),
    ("review", "review"),
    ("systematic review", "review"),
    ("scoping review", "review"),
    ("meta-analysis", "review"),
    ("letter", "letter"),
    ("editorial", "editorial"),
    ("comment", "comment"),
    ("news", "other"),
    ("newspaper article", "other"),
    ("preprint", "preprint"),
    ("journal article", "article"),
    ("case reports", "article"),
    ("clinical trial", "article"),
    ("randomized controlled trial", "article"),
)
_NOT_ARTICLE = frozenset(
    {
        "biography",
        "portrait",
        "interview",
        "lecture",
        "address",
        "congress",
        "dataset",
        "video-audio media",
        "webcast",
        "autobiography",
        "bibliography",
        "directory",
        "festschrift",
        "legislation",
        "patient education handout",
    }
)


def doc_type(pub_types: list[str]) -> str | None:
    """Normalised document type of a list of PubMed publication types.

    Review wins over article ("Journal Article" + "Review" is a review);
    retraction and erratum notices win over everything.  Other research
    types (Clinical Trial, Case Reports, Comparative Study…) are articles;
    a record typed only as Biography, Interview, Congress… is ``other``.
    """
    types = {t.strip().casefold() for t in pub_types if t and t.strip()}
    if not types:
        return None
    for name, value in DOC_TYPES:
        if name in types:
            return value
    return "other" if types <= _NOT_ARTICLE else "article"


@dataclass
class Paper:
    """The facts of one PubMed record, whatever its format (XML or MEDLINE)."""

    pmid: str | None
    doi: str | None = None
    title: str | None = None
    year: int | None = None
    date: str | None = None
    pub_types: list[str] = field(default_factory=list)
    journal: str | None = None
    language: str | None = None
    #: (name, affiliations, orcid) in byline order
    authors: list[tuple[str | None, list[str], str | None]] = field(
        default_factory=list
    )
    #: (descriptor UI or None, heading, is_major)
    mesh: list[tuple[str | None, str, bool]] = field(default_factory=list)
    #: (award id, agency)
    grants: list[tuple[str | None, str | None]] = field(default_factory=list)
    #: canonical ids (doi:… / pmid:…) of the references
    references: list[str] = field(default_factory=list)
    doc_type: str | None = None


def to_record(paper: Paper, record_no: int, file: str, source: str) -> Record:
    """Rows of the canonical tables for one parsed paper."""
    wid = work_id_for(None, paper.doi, paper.pmid, source)
    rec = Record(record_no)
    children = 0
    for pos, (name, affs, orcid) in enumerate(paper.authors, start=1):
        rec.add(
            "authorships",
            {
                "work_id": wid,
                "author_position": pos,
                "author_id": f"orcid:{orcid}" if orcid else None,
                "author_name": name,
                "is_corresponding": None,
            },
        )
        seen: list[str] = []
        for text in affs:
            codes = _author_countries(text, name)
            rec.add(
                "affiliations",
                {
                    "work_id": wid,
                    "author_position": pos,
                    "affiliation": text,
                    "country": codes[0] if codes else None,
                },
            )
            seen += [c for c in codes if c not in seen]
        for code in seen:
            rec.add(
                "authorship_countries",
                {
                    "work_id": wid,
                    "author_position": pos,
                    "country": code,
                    "provenance": "affiliation_text",
                },
            )
        children += 1 + len(affs)
    for mesh_code, label, major in paper.mesh:
        rec.add(
            "work_subjects",
            {
                "work_id": wid,
                "scheme": "mesh",
                "code": mesh_code,
                "label": label,
                "is_primary": None,
                "is_major": major,
                "score": None,
            },
        )
    for award, agency in paper.grants:
        rec.add(
            "grants",
            {
                "work_id": wid,
                "funder_id": None,
                "funder_name": agency,
                "award_id": award,
                "award_id_norm": norm_award_id(award),
            },
        )
    for cited in dict.fromkeys(paper.references):
        rec.add("citations", {"work_id": wid, "cited_work_id": cited})
    children += len(paper.mesh) + len(paper.grants) + len(paper.references)
    row: Row = {
        "work_id": wid,
        "source": source,
        "openalex_id": None,
        "doi": paper.doi,
        "pmid": paper.pmid,
        "title": paper.title,
        "publication_year": paper.year,
        "publication_date": paper.date,
        "doc_type": paper.doc_type or doc_type(paper.pub_types),
        "source_title": paper.journal,
        "language": paper.language,
        "cited_by_count": None,
        "citation_source": None,
        "primary_topic_id": None,
        "primary_subfield_id": None,
        "primary_field_id": None,
    }
    row["richness"] = richness(row, children)
    row["ingest_file"] = file
    row["record_no"] = record_no
    rec.add("works", row)
    return rec


#: "(P.M.O.)", "(C.K., C.J., S.I.)": initials closing an address in the
#: NEJM-style affiliation shared by all authors.
_INITIALS = re.compile(r"\(((?:[A-Z][a-z]?\.-?)+(?:,\s*(?:[A-Z][a-z]?\.-?)+)*)\)")


def _author_countries(text: str, name: str | None) -> tuple[str, ...]:
    """Countries of `text` for the author called `name` ("Last, Fore").

    In a NEJM-style string ("… Hamilton, ON (P.M.O.); … Cape Town, South
    Africa (E.D.B.); …") an author whose initials are listed gets only the
    countries of the addresses marked with them; otherwise every country of
    the string.
    """
    by_initials = countries_by_initials(text)
    mine = by_initials.get(_initials(name) or "") if by_initials else None
    return mine if mine else countries_in_affiliation(text)


def _initials(name: str | None) -> str | None:
    """'O'Byrne, Paul M' -> 'PMO' (forename initials, then the surname's)."""
    if not name or ", " not in name:
        return None
    last, fore = name.split(", ", 1)
    letters = [w[0] for w in re.split(r"[\s\-]+", fore) if w] + [last[:1]]
    return "".join(letters).upper()


def countries_by_initials(text: str) -> dict[str, tuple[str, ...]] | None:
    """{initials: countries} of a NEJM-style affiliation; None for other styles."""
    return _by_initials(text, hk_macao_default())


@lru_cache(maxsize=4096)
def _by_initials(text: str, fold: bool) -> dict[str, tuple[str, ...]] | None:
    """{initials: countries} of a NEJM-style affiliation; None for other styles.

    Each ``;``-separated piece is cut after every initials group; a chunk
    without a country of its own takes the countries of its whole piece
    ("… Vancouver (J.M.F.) - both in Canada").
    """
    if len(_INITIALS.findall(text)) < 2:
        return None
    out: dict[str, list[str]] = {}
    for piece in text.split(";"):
        whole = countries_in_affiliation(_INITIALS.sub(" ", piece), hk_macao_to_cn=fold)
        start = 0
        for m in _INITIALS.finditer(piece):
            chunk = piece[start : m.start()]
            codes = countries_in_affiliation(chunk, hk_macao_to_cn=fold) or whole
            start = m.end()
            for group in m.group(1).split(","):
                key = re.sub(r"[^A-Za-z]", "", group).upper()
                have = out.setdefault(key, [])
                have += [c for c in codes if c not in have]
    return {k: tuple(v) for k, v in out.items()}
