"""PubMed/MEDLINE XML: ``PubmedArticleSet`` and the older ``MedlineCitationSet``.

``parse(path)`` streams the file (plain or gzip) with ``lxml.etree.iterparse``
and clears each record after use, so a 30k-record baseline file needs a few
MB of memory.  Each ``PubmedArticle`` / ``MedlineCitation`` becomes one work
(``work_id`` ``doi:…`` when the record has a DOI, else ``pmid:…``).

* ``DeleteCitation`` blocks (lists of PMIDs NLM withdrew) are instructions,
  not records: they are skipped and not counted.
* ``PubmedBookArticle`` (NCBI Bookshelf chapters) become works with
  ``doc_type`` ``book-chapter`` (``book`` when there is no chapter title).
* Affiliations: every ``AuthorList/Author/AffiliationInfo/Affiliation``
  belongs to its author; a pre-2014 ``Article/Affiliation`` belongs to the
  first author (NLM then indexed the first author's address only).  The
  country parsed from an affiliation is given to the author(s) who carry it
  and to nobody else (no propagation to co-authors).
* Bad input: XML damage or a truncated gzip yields the records before it and
  then one :class:`Reject` naming the record and the parser's message; a
  record without PMID is rejected; a wrong root element, non-XML content or
  an empty file raise :class:`SourceError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from oncometrics.sources.base import (
    Record,
    Reject,
    SourceError,
    TruncatedInput,
    clip,
    norm_doi,
    open_input,
    work_id_for,
)
from oncometrics.sources.bib_record import MONTHS, Author, Subject, Work, to_record
from oncometrics.sources.checks import pmid_problem, reason_of
from oncometrics.sources.pubmed_record import (
    DOC_TYPES,
    doc_type,
    new_paper,
    pubmed_author,
)

__all__ = ["DOC_TYPES", "doc_type", "parse", "sniff"]

ROOTS = ("PubmedArticleSet", "MedlineCitationSet", "PubmedBookArticleSet")
RECORDS = ("PubmedArticle", "MedlineCitation", "PubmedBookArticle")
#: Elements read under each root (``DeleteCitation``: skipped, not counted).
_RECORD_TAGS = {
    "PubmedArticleSet": ("PubmedArticle", "PubmedBookArticle", "DeleteCitation"),
    "PubmedBookArticleSet": ("PubmedBookArticle", "DeleteCitation"),
    "MedlineCitationSet": ("MedlineCitation", "DeleteCitation"),
}
#: The first element name (skips "<?xml", "<!DOCTYPE" and comments' "<!--").
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*)")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_MONTHS = {m: i for i, m in enumerate(MONTHS, start=1)}


def sniff(head: bytes) -> bool:
    """True when `head` looks like PubMed/MEDLINE XML."""
    return any(f"<{root}".encode() in head for root in ROOTS)


def parse(path: Path) -> Iterator[Record | Reject]:
    """Works of one PubMed XML file (see the module docstring)."""
    with open_input(path) as fh:
        try:
            head = fh.read(1 << 16)
        except TruncatedInput as exc:
            raise SourceError(path, str(exc)) from None
        if not head.strip():
            raise SourceError(path, "empty file")
        root = _ROOT.search(head)
        if root is None:
            raise SourceError(path, "not XML (no element in the first 64 KiB)")
        name = root.group(1).decode("ascii", "replace")
        if name not in ROOTS:
            raise SourceError(path, f"not PubMed XML: root element <{name}>")
        yield from _records(Prefixed(head, fh), path, name)


class Prefixed:
    """A binary stream that replays `head` before reading on from `rest`."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all when negative)."""
        if self._head:
            if size is None or size < 0:
                out, self._head = self._head + self._rest.read(), b""
                return out
            out, self._head = self._head[:size], self._head[size:]
            return out
        return self._rest.read(size)


def _records(fh: Any, path: Path, root: str) -> Iterator[Record | Reject]:
    """Records of a stream whose root element is `root` (checked by the caller).

    Only the record elements (children of the root) reach Python: lxml's
    ``tag`` filter skips every other event, and each record is cleared and
    dropped from the root once read.
    """
    tags = _RECORD_TAGS[root]
    record_no = 0
    events = etree.iterparse(
        fh,
        events=("end",),
        tag=tags,
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
    )
    try:
        for _, el in events:
            parent = el.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # not a child of the root (never, for these tags)
            if el.tag != "DeleteCitation":
                record_no += 1
                yield _one(el, record_no, str(path))
            el.clear()
            while el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        yield Reject(record_no + 1, f"XML syntax error: {_msg(exc)}")
    except TruncatedInput as exc:
        yield Reject(record_no + 1, str(exc))


def _msg(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _one(el: Any, record_no: int, file: str) -> Record | Reject:
    try:
        paper = _book(el) if el.tag == "PubmedBookArticle" else _article(el)
    except Exception as exc:  # a record-level surprise must not stop the file
        return Reject(record_no, reason_of(exc), _raw(el))
    if not paper.pmid:
        return Reject(record_no, "record has no PMID", _raw(el))
    if (why := pmid_problem(paper.pmid)) is not None:
        return Reject(record_no, why, _raw(el))
    return to_record(paper, record_no, file)


def _raw(el: Any) -> str | None:
    return clip(etree.tostring(el, encoding="unicode"))


def _text(el: Any) -> str | None:
    """All the text of `el` (inline markup included), whitespace collapsed."""
    if el is None:
        return None
    text = " ".join("".join(el.itertext()).split())
    return text or None


def _article(el: Any) -> Work:
    mc = el if el.tag == "MedlineCitation" else el.find("MedlineCitation")
    if mc is None:
        return new_paper(None)
    art = mc.find("Article")
    paper = new_paper(_text(mc.find("PMID")))
    paper.doi = _doi(el.find("PubmedData/ArticleIdList"), art)
    if art is None:
        return paper
    paper.title = _text(art.find("ArticleTitle")) or _text(art.find("VernacularTitle"))
    paper.journal = _text(art.find("Journal/Title"))
    paper.language = _text(art.find("Language"))
    paper.doc_type = doc_type(
        [t for t in map(_text, art.iterfind(".//PublicationType")) if t]
    )
    paper.year, paper.date = _dates(
        art.find("Journal/JournalIssue/PubDate"), art.find("ArticleDate")
    )
    paper.authors = _authors(art.find("AuthorList"), _text(art.find("Affiliation")))
    paper.subjects = _mesh(mc.find("MeshHeadingList"))
    paper.grants = [
        (_text(g.find("Agency")), _text(g.find("GrantID")))
        for g in art.iterfind("GrantList/Grant")
    ]
    paper.references = _references(el.find("PubmedData/ReferenceList"))
    return paper


def _book(el: Any) -> Work:
    doc = el.find("BookDocument")
    if doc is None:
        return new_paper(None)
    chapter = _text(doc.find("ArticleTitle"))
    paper = new_paper(_text(doc.find("PMID")))
    paper.doi = _doi(el.find("PubmedBookData/ArticleIdList"), doc)
    paper.title = chapter or _text(doc.find("Book/BookTitle"))
    paper.journal = _text(doc.find("Book/BookTitle")) if chapter else None
    paper.language = _text(doc.find("Language"))
    paper.year, paper.date = _dates(doc.find("Book/PubDate"), None)
    paper.authors = _authors(doc.find("AuthorList"), None)
    paper.doc_type = "book-chapter" if chapter else "book"
    return paper


def _doi(ids: Any, art: Any) -> str | None:
    if ids is not None:
        for aid in ids.iterfind("ArticleId"):
            if aid.get("IdType") == "doi" and (d := norm_doi(_text(aid))):
                return d
    if art is not None:
        for loc in art.iterfind("ELocationID"):
            doi_ok = loc.get("EIdType") == "doi" and loc.get("ValidYN") != "N"
            if doi_ok and (d := norm_doi(_text(loc))):
                return d
    return None


def _dates(pub: Any, electronic: Any) -> tuple[int | None, str | None]:
    """(year, ISO date) from PubDate (Year, else MedlineDate), else ArticleDate."""
    year: int | None = None
    if pub is not None:
        y = _text(pub.find("Year")) or _text(pub.find("MedlineDate")) or ""
        m = _YEAR.search(y)
        year = int(m.group(1)) if m else None
    e_year = _text(electronic.find("Year")) if electronic is not None else None
    if year is None and e_year and e_year.isdigit():
        year = int(e_year)
    for node in (pub, electronic):
        if node is not None and (iso := _iso(node)) and int(iso[:4]) == year:
            return year, iso
    return year, None


def _iso(node: Any) -> str | None:
    y, mo, d = (_text(node.find(t)) for t in ("Year", "Month", "Day"))
    if not (y and mo and d and y.isdigit() and d.isdigit()):
        return None
    month = int(mo) if mo.isdigit() else _MONTHS.get(mo[:3].casefold())
    if not month or not 1 <= month <= 12 or not 1 <= int(d) <= 31:
        return None
    return f"{int(y):04d}-{month:02d}-{int(d):02d}"


def _authors(authors: Any, article_affiliation: str | None) -> list[Author]:
    out: list[Author] = []
    for a in authors.iterfind("Author") if authors is not None else ():
        last, fore = _text(a.find("LastName")), _text(a.find("ForeName"))
        fore = fore or _text(a.find("Initials"))
        name = (
            f"{last}, {fore}"
            if last and fore
            else last or _text(a.find("CollectiveName"))
        )
        affs = [t for t in map(_text, a.iterfind("AffiliationInfo/Affiliation")) if t]
        if not affs:
            affs = [t for t in map(_text, a.iterfind("Affiliation")) if t]
        orcid = next(
            (_orcid(i) for i in a.iterfind("Identifier") if i.get("Source") == "ORCID"),
            None,
        )
        out.append(pubmed_author(name, affs, orcid))
    if article_affiliation and out and not out[0].affiliations:
        out[0].affiliations = [article_affiliation]
    return out


def _orcid(node: Any) -> str | None:
    text = _text(node) or ""
    m = re.search(r"(\d{4}-?\d{4}-?\d{4}-?\d{3}[\dXx])", text)
    return m.group(1).upper() if m else None


def _mesh(headings: Any) -> list[Subject]:
    out: list[Subject] = []
    for h in headings.iterfind("MeshHeading") if headings is not None else ():
        d = h.find("DescriptorName")
        if d is None or not (label := _text(d)):
            continue
        major = d.get("MajorTopicYN") == "Y" or any(
            q.get("MajorTopicYN") == "Y" for q in h.iterfind("QualifierName")
        )
        out.append(Subject("mesh", d.get("UI"), label, major))
    return out


def _references(refs: Any) -> list[str]:
    out: list[str] = []
    for ids in refs.iterfind("Reference/ArticleIdList") if refs is not None else ():
        kinds = {a.get("IdType"): _text(a) for a in ids.iterfind("ArticleId")}
        doi, pmid = norm_doi(kinds.get("doi")), kinds.get("pubmed")
        if doi or pmid:
            out.append(work_id_for(None, doi, pmid, "pubmed"))
    return out
