"""What the PubMed XML and MEDLINE text parsers share.

Both (:mod:`oncometrics.sources.pubmed`, :mod:`oncometrics.sources.medline`)
fill the one bibliographic record model,
:class:`~oncometrics.sources.bib_record.Work`, made by :func:`new_paper`;
this module holds the PubMed publication types.
"""

from __future__ import annotations

from oncometrics.sources.bib_record import Author, Work

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


def new_paper(pmid: str | None) -> Work:
    """An empty PubMed record: its affiliations may mark authors by initials."""
    return Work(source="pubmed", pmid=pmid, by_initials=True)


def pubmed_author(
    name: str | None, affiliations: list[str], orcid: str | None
) -> Author:
    """One byline entry of a PubMed record (``orcid:…`` id when it has one)."""
    return Author(name, affiliations, author_id=f"orcid:{orcid}" if orcid else None)
