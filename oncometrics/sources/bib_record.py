"""One bibliographic record, whatever its source, as rows of the canonical tables.

The one record model of the bibliographic readers: PubMed XML and MEDLINE
text (:mod:`oncometrics.sources.pubmed`, :mod:`oncometrics.sources.medline`)
and the WoS, Scopus, Lens and Dimensions exports fill a :class:`Work`;
:func:`to_record` turns it into rows.  Countries come from the shared address
parser, each author getting the countries of *their own* addresses; an
address the source does not link to any author (old WoS ``C1`` without the
``[Author; …]`` prefix, Scopus ``Affiliations``) is given to every author of
the work (documented in ``docs/sources/exports.md``).  PubMed affiliation
strings may be shared by all authors and tell them apart by initials (NEJM
style, ``… Hamilton, ON (P.M.O.); …``): with ``Work.by_initials`` an author
gets only the countries of the addresses marked with their initials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from oncometrics.countries import countries_in_affiliation, hk_macao_default
from oncometrics.sources.base import (
    Record,
    Reject,
    Row,
    clip,
    norm_award_id,
    norm_doi,
    richness,
    work_id_for,
)

#: English month abbreviations, as bibliographic dates write them.
MONTHS = tuple(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
)


@dataclass
class Author:
    """One byline entry."""

    name: str | None
    affiliations: list[str] = field(default_factory=list)
    is_corresponding: bool | None = None
    #: countries known directly (e.g. a country column), ISO alpha-2
    countries: list[str] = field(default_factory=list)
    author_id: str | None = None


class Subject(NamedTuple):
    """One subject of a work (a MeSH heading, a WoS category…)."""

    scheme: str
    code: str | None
    label: str
    is_major: bool | None = None


@dataclass
class Work:
    """The facts of one bibliographic record, as an export reader fills them.

    A reader sets what its format gives and leaves the rest empty;
    :func:`to_record` turns a work into rows of the canonical tables.
    """

    #: the export format ("wos", "scopus", "lens", "pubmed", …)
    source: str
    #: the record's own id in its source (WoS UT, Scopus EID, Lens id…)
    source_id: str | None = None
    #: ids that join records across sources (normalised by `to_record`)
    doi: str | None = None
    pmid: str | None = None
    title: str | None = None
    # -- who: the byline
    authors: list[Author] = field(default_factory=list)
    #: addresses not linked to an author (given to every author)
    unlinked: list[str] = field(default_factory=list)
    #: affiliation strings may mark their authors by initials (PubMed)
    by_initials: bool = False
    # -- when and where: publication year, and the full date when the
    # export gives one (ISO); the type is mapped to ours by `to_record`
    year: int | None = None
    date: str | None = None
    doc_type: str | None = None
    journal: str | None = None
    language: str | None = None
    subjects: list[Subject] = field(default_factory=list)
    # -- impact: None is "no count in the export", not "cited zero times";
    # `citation_date` is when the export observed it (WoS ``DA``), ISO date
    cited_by_count: int | None = None
    citation_date: str | None = None
    #: (funder name, award id)
    grants: list[tuple[str | None, str | None]] = field(default_factory=list)
    #: canonical ids of cited works (doi:… / pmid:…)
    references: list[str] = field(default_factory=list)


def checked_record(
    work: Work, record_no: int, file: str, raw: object, missing: str
) -> Record | Reject:
    """Rows of `work`, or a reject saying `missing` when it has no id at all."""
    if not (work.source_id or work.doi or work.pmid):
        return Reject(record_no, missing, clip(str(raw)))
    return to_record(work, record_no, file)


def to_record(w: Work, record_no: int, file: str) -> Record:
    """Rows of the canonical tables for one bibliographic record."""
    doi = norm_doi(w.doi)
    pmid = (w.pmid or "").strip() or None
    wid = work_id_for(None, doi, pmid, w.source, w.source_id)
    rec = Record(record_no)
    shared = _countries(w.unlinked)
    for pos, a in enumerate(w.authors, start=1):
        _add_author(rec, wid, pos, a, shared, w.by_initials)
    for text in w.unlinked:
        codes = countries_in_affiliation(text)
        _add_affiliation(rec, wid, None, text, codes)
    for s in w.subjects:
        rec.add(
            "work_subjects",
            {
                "work_id": wid,
                "scheme": s.scheme,
                "code": s.code,
                "label": s.label,
                "is_primary": None,
                "is_major": s.is_major,
                "score": None,
            },
        )
    for funder, award in w.grants:
        rec.add(
            "grants",
            {
                "work_id": wid,
                "funder_id": None,
                "funder_name": funder,
                "award_id": award,
                "award_id_norm": norm_award_id(award),
            },
        )
    refs = [r for r in dict.fromkeys(w.references) if r != wid]
    for cited in refs:
        rec.add("citations", {"work_id": wid, "cited_work_id": cited})
    children = sum(1 + len(a.affiliations) for a in w.authors) + len(w.unlinked)
    children += len(w.subjects) + len(w.grants) + len(refs)
    rec.add("works", _work_row(w, wid, doi, pmid, children, file, record_no))
    return rec


def _add_author(
    rec: Record, wid: str, pos: int, a: Author, shared: list[str], initials: bool
) -> None:
    rec.add(
        "authorships",
        {
            "work_id": wid,
            "author_position": pos,
            "author_id": a.author_id,
            "author_name": a.name,
            "is_corresponding": a.is_corresponding,
        },
    )
    own = list(a.countries)
    for text in a.affiliations:
        codes = (
            _author_countries(text, a.name)
            if initials
            else countries_in_affiliation(text)
        )
        _add_affiliation(rec, wid, pos, text, codes)
        own += [c for c in codes if c not in own]
    for code in dict.fromkeys(own) or shared:
        rec.add(
            "authorship_countries",
            {
                "work_id": wid,
                "author_position": pos,
                "country": code,
                "provenance": "affiliation_text",
            },
        )


def _add_affiliation(
    rec: Record, wid: str, pos: int | None, text: str, codes: tuple[str, ...]
) -> None:
    rec.add(
        "affiliations",
        {
            "work_id": wid,
            "author_position": pos,
            "affiliation": text,
            "country": codes[0] if codes else None,
        },
    )


def _work_row(
    w: Work,
    wid: str,
    doi: str | None,
    pmid: str | None,
    children: int,
    file: str,
    record_no: int,
) -> Row:
    cited = w.cited_by_count is not None
    row: Row = {
        "work_id": wid,
        "source": w.source,
        "openalex_id": None,
        "doi": doi,
        "pmid": pmid,
        "title": w.title,
        "publication_year": w.year,
        "publication_date": w.date,
        "doc_type": w.doc_type,
        "source_title": w.journal,
        "language": w.language,
        "cited_by_count": w.cited_by_count,
        "citation_source": w.source if cited else None,
        "citation_date": w.citation_date if cited else None,
        "primary_topic_id": None,
        "primary_subfield_id": None,
        "primary_field_id": None,
    }
    row["richness"] = richness(row, children)
    row["ingest_file"] = file
    row["record_no"] = record_no
    return row


def _countries(texts: list[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        out += [c for c in countries_in_affiliation(text) if c not in out]
    return out


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
