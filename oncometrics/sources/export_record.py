"""One record of a bibliographic export (WoS, Scopus, Lens, Dimensions) as rows.

The export parsers fill an :class:`ExportWork`; :func:`to_record` turns it
into rows of the canonical tables.  Countries come from the shared address
parser, each author getting the countries of *their own* addresses; an
address the export does not link to any author (old WoS ``C1`` without the
``[Author; …]`` prefix, Dimensions' flat country list) is given to every
author of the work (documented in ``docs/sources/exports.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oncometrics.countries import countries_in_affiliation, country_from_affiliation
from oncometrics.sources import checks
from oncometrics.sources.base import (
    Record,
    Row,
    norm_award_id,
    norm_doi,
    richness,
    work_id_for,
)

_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s,;\]]+)", re.IGNORECASE)


@dataclass
class Author:
    """One byline entry."""

    name: str | None
    affiliations: list[str] = field(default_factory=list)
    is_corresponding: bool | None = None
    #: countries known directly (e.g. a country column), ISO alpha-2
    countries: list[str] = field(default_factory=list)
    author_id: str | None = None


@dataclass
class ExportWork:
    """The facts of one exported record."""

    source: str
    source_id: str | None
    doi: str | None = None
    pmid: str | None = None
    title: str | None = None
    year: int | None = None
    date: str | None = None
    doc_type: str | None = None
    journal: str | None = None
    language: str | None = None
    cited_by_count: int | None = None
    #: when the export observed the citation count (WoS ``DA``), ISO date
    citation_date: str | None = None
    authors: list[Author] = field(default_factory=list)
    #: addresses not linked to an author (given to every author)
    unlinked: list[str] = field(default_factory=list)
    #: (scheme, code, label)
    subjects: list[tuple[str, str | None, str]] = field(default_factory=list)
    #: (funder name, award id)
    grants: list[tuple[str | None, str | None]] = field(default_factory=list)
    #: canonical ids of cited works (doi:… / pmid:…)
    references: list[str] = field(default_factory=list)


def to_record(w: ExportWork, record_no: int, file: str) -> Record:
    """Rows of the canonical tables for one exported work."""
    doi = norm_doi(w.doi)
    pmid = (w.pmid or "").strip() or None
    wid = work_id_for(None, doi, pmid, w.source, w.source_id)
    rec = Record(record_no)
    shared = _countries(w.unlinked)
    for pos, a in enumerate(w.authors, start=1):
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
        for text in a.affiliations:
            rec.add(
                "affiliations",
                {
                    "work_id": wid,
                    "author_position": pos,
                    "affiliation": text,
                    "country": country_from_affiliation(text),
                },
            )
        own = list(dict.fromkeys([*a.countries, *_countries(a.affiliations)]))
        for code in own or shared:
            rec.add(
                "authorship_countries",
                {
                    "work_id": wid,
                    "author_position": pos,
                    "country": code,
                    "provenance": "affiliation_text",
                },
            )
    for text in w.unlinked:
        rec.add(
            "affiliations",
            {
                "work_id": wid,
                "author_position": None,
                "affiliation": text,
                "country": country_from_affiliation(text),
            },
        )
    for scheme, subject_code, label in w.subjects:
        rec.add(
            "work_subjects",
            {
                "work_id": wid,
                "scheme": scheme,
                "code": subject_code,
                "label": label,
                "is_primary": None,
                "is_major": None,
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
        "citation_source": w.source if w.cited_by_count is not None else None,
        "citation_date": w.citation_date if w.cited_by_count is not None else None,
        "primary_topic_id": None,
        "primary_subfield_id": None,
        "primary_field_id": None,
    }
    row["richness"] = richness(row, children)
    row["ingest_file"] = file
    row["record_no"] = record_no
    rec.add("works", row)
    return rec


def _countries(texts: list[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        out += [c for c in countries_in_affiliation(text) if c not in out]
    return out


def doi_in(text: str | None) -> str | None:
    """The first DOI found in free text ('… DOI 10.1/x' -> '10.1/x')."""
    m = _DOI_IN_TEXT.search(text or "")
    return norm_doi(m.group(1).rstrip(".")) if m else None


def to_year(field: str, text: str | None) -> int | None:
    """A year cell (empty: None); BadValue naming `field` when not a plausible year."""
    return checks.year(field, text)


def to_count(field: str, text: str | None) -> int | None:
    """A count cell (empty: None); BadValue naming `field` when not a count."""
    return checks.count(field, text)


def to_int(text: str | None) -> int | None:
    """An integer from an export cell ('12', ' 12 ', '') or None."""
    t = (text or "").strip().replace(",", "")
    return int(t) if t.isdigit() else None


def split_funding(text: str | None) -> list[tuple[str | None, str | None]]:
    """'NIH [R01 CA1, R01 CA2]; Wellcome' -> (funder, award) pairs.

    Splits on ``;`` outside square brackets; the bracket holds the award
    ids, separated by commas.
    """
    out: list[tuple[str | None, str | None]] = []
    for part in _split_outside_brackets(text or "", ";"):
        m = re.match(r"^(.*?)\s*\[(.*)\]\s*$", part)
        if not m:
            out.append((part, None))
            continue
        funder = m.group(1).strip() or None
        for award in m.group(2).split(","):
            out.append((funder, award.strip() or None))
    return out


def _split_outside_brackets(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        depth += ch == "["
        depth -= ch == "]" and depth > 0
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


#: Export document types (WoS DT, Scopus "Document Type", …) -> doc_type,
#: strongest first; matched on the lower-cased ";"-separated values.
EXPORT_DOC_TYPES: tuple[tuple[str, str], ...] = (
    ("retraction", "retraction"),
    ("correction", "erratum"),
    ("erratum", "erratum"),
    ("review", "review"),
    ("letter", "letter"),
    ("editorial material", "editorial"),
    ("editorial", "editorial"),
    ("note", "letter"),
    ("book chapter", "book-chapter"),
    ("chapter", "book-chapter"),
    ("book", "book"),
    ("meeting abstract", "other"),
    ("conference abstract", "other"),
    ("book review", "other"),
    ("news item", "other"),
    ("preprint", "preprint"),
    ("article", "article"),
    ("proceedings paper", "article"),
    ("conference paper", "article"),
    ("journal-article", "article"),
    ("journal article", "article"),
    ("conference proceedings article", "article"),
    ("conference proceedings", "article"),
    ("proceeding", "article"),
    ("dissertation", "other"),
    ("monograph", "book"),
    ("edited book", "book"),
    ("data paper", "article"),
)


def export_doc_type(text: str | None) -> str | None:
    """Normalised doc_type of an export's document type cell.

    "Article; Early Access" -> article, "Review" -> review (review wins over
    article), "Editorial Material" -> editorial, "Correction" -> erratum,
    "Proceedings Paper" -> article; unknown values -> other.
    """
    values = {v.strip().casefold() for v in (text or "").split(";") if v.strip()}
    values.discard("early access")
    if not values:
        return None
    for name, value in EXPORT_DOC_TYPES:
        if name in values:
            return value
    return "other"
