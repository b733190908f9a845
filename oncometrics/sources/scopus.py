"""Scopus CSV exports ("Export → CSV", all information).

Columns used (Scopus 2020+ names): ``Authors``, ``Author full names``,
``Author(s) ID``, ``Title``, ``Year``, ``Source title``, ``Cited by``,
``DOI``, ``Affiliations``, ``Authors with affiliations``, ``Index
Keywords``, ``Funding Details``, ``References``, ``Correspondence Address``,
``PubMed ID``, ``Language of Original Document``, ``Document Type``,
``EID``.  Works are keyed by DOI, else PMID, else ``scopus:<EID>``.

* Authors and their affiliations: ``Authors with affiliations`` is a
  ``;``-separated list of ``Name, affiliation`` entries; an entry that does
  not start with an author's name continues the previous author's
  affiliations.  Without that column, ``Affiliations`` is a list of
  addresses not linked to authors (given to every author).  Both the
  2020+ name style ("Koo S.H.") and the older one ("Koo, S.H.") are read.
* ``Cited by`` → ``cited_by_count`` with ``citation_source`` ``scopus``.
* ``Index Keywords`` that are MeSH C04 headings → ``work_subjects`` scheme
  ``mesh`` with their descriptor UI (Scopus indexes medical records with
  MeSH and Emtree terms; only exact C04 names are taken).
* ``Funding Details`` "Funder, ACRONYM: award; …" → ``grants``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from oncometrics.sources.base import Record, Reject
from oncometrics.sources.bib_record import Author, Work
from oncometrics.sources.export_io import Row, cell, split
from oncometrics.sources.export_record import (
    CsvExport,
    doi_in,
    to_count,
)

SCOPUS = CsvExport("scopus", "Scopus CSV", "row has no EID, DOI or PubMed ID")
_OLD_NAMES = re.compile(r"(?<=\.),\s+")
_ID_IN_PARENS = re.compile(r"^(.*?)\s*\((\d+)\)\s*$")


def sniff(head: bytes) -> bool:
    """True for a Scopus CSV export (an ``EID`` and a ``Source title`` column)."""
    first = head.decode("utf-8", "replace").split("\n", 1)[0]
    return "EID" in first and "Source title" in first


def parse(path: Path) -> Iterator[Record | Reject]:
    """Works of one Scopus CSV file."""
    yield from SCOPUS.records(path, scopus_work)


def scopus_work(row: Row) -> Work:
    """A :class:`Work` from one CSV row."""
    work = SCOPUS.work(row)
    work.language = cell(row, "Language of Original Document")
    if "Cited by" in row:
        work.cited_by_count = to_count("Cited by", cell(row, "Cited by"))
    if work.cited_by_count is None and "Cited by" in row:
        work.cited_by_count = 0  # an empty "Cited by" cell means no citation yet
    work.authors, work.unlinked = _authors(row)
    work.grants = [_funding(part) for part in split(cell(row, "Funding Details"))]
    work.references = [
        f"doi:{d}" for d in map(doi_in, split(cell(row, "References"))) if d
    ]
    return work


def _names(value: str | None) -> list[str]:
    if not value or value.startswith("[No author"):
        return []
    return split(value) if ";" in value else split(_OLD_NAMES.sub(";", value))


def _authors(row: Row) -> tuple[list[Author], list[str]]:
    short = _names(cell(row, "Authors"))
    full = [_ID_IN_PARENS.match(n) for n in split(cell(row, "Author full names"))]
    ids = split(cell(row, "Author(s) ID"))
    authors = [Author(name) for name in short]
    for i, a in enumerate(authors):
        m = full[i] if i < len(full) and len(full) == len(short) else None
        a.name = m.group(1) if m else a.name
        scopus_id = m.group(2) if m else (ids[i] if len(ids) == len(short) else None)
        a.author_id = f"scopus:{scopus_id}" if scopus_id else None
    current = -1
    for entry in split(cell(row, "Authors with affiliations")):
        k = _owner(entry, short, current)
        if k is not None:
            current = k
            entry = entry[len(short[k]) :].lstrip(", ").strip()
        if current >= 0 and entry:
            authors[current].affiliations.append(entry)
    unlinked = [] if current >= 0 else split(cell(row, "Affiliations"))
    corr = (cell(row, "Correspondence Address") or "").split(";")[0].strip()
    for name, a in zip(short, authors, strict=True):
        a.is_corresponding = (name == corr) if corr else None
    return authors, unlinked


def _owner(entry: str, names: list[str], current: int) -> int | None:
    """Index of the author an affiliation entry starts with (next ones first)."""
    order = list(range(current + 1, len(names))) + list(range(current + 1))
    for k in order:
        if entry == names[k] or entry.startswith(names[k] + ","):
            return k
    return None


def _funding(part: str) -> tuple[str | None, str | None]:
    """'National Cancer Institute, NCI: R01CA1' -> (funder, award)."""
    funder, sep, award = part.rpartition(":")
    if not sep:
        return part, None
    return funder.strip() or None, award.strip() or None
