"""Dimensions publications CSV exports ("Export full record" / "for bibliometric
mapping").

The file starts with a one-line preamble ("About the data: Exported on …")
before the header.  Columns used: ``Publication ID``, ``DOI``, ``PMID``,
``Title``, ``Source title``, ``PubYear``, ``Publication Date``,
``Publication Type``, ``Authors``, ``Authors (Raw Affiliation)``,
``Corresponding Author(s)``, ``Country of Research organization``,
``MeSH terms``, ``Funder``, ``Supporting Grants``, ``Times cited``.

* ``Authors (Raw Affiliation)`` is ``Name (affiliation; affiliation); Name
  (…)``: each author gets the raw addresses in their parentheses, and the
  country parsed from them.  When that column is missing or empty, the
  flat ``Country of Research organization`` list is given to every author
  (it is not linked to authors).
* ``Times cited`` → ``cited_by_count`` with ``citation_source``
  ``dimensions``.  ``MeSH terms`` that are C04 headings → ``mesh`` subjects.
* ``Funder`` and ``Supporting Grants`` are not aligned in the export: funders
  become grant rows without award id, grant numbers rows without funder.

Works are keyed by DOI, else PMID, else ``dimensions:<Publication ID>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from oncometrics.countries import country_code, fold_hk_macao
from oncometrics.sources.base import Record, Reject
from oncometrics.sources.bib_record import Author, Work
from oncometrics.sources.export_io import Row, cell, split
from oncometrics.sources.export_record import (
    CsvExport,
    to_count,
)

PREAMBLE = "About the data"
DIMENSIONS = CsvExport(
    "dimensions",
    "Dimensions CSV",
    "row has no Publication ID, DOI or PMID",
    preamble=PREAMBLE,
)


def sniff(head: bytes) -> bool:
    """True for a Dimensions CSV export (preamble or ``Publication ID`` header)."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff").lstrip('"')
    return text.startswith(PREAMBLE) or "Publication ID" in text.split("\n", 1)[0]


def parse(path: Path) -> Iterator[Record | Reject]:
    """Works of one Dimensions CSV export."""
    yield from DIMENSIONS.records(path, dimensions_work)


def dimensions_work(row: Row) -> Work:
    """A :class:`Work` from one Dimensions CSV row."""
    work = DIMENSIONS.work(row)
    date = cell(row, "Publication Date") or ""
    work.date = date if len(date) == 10 and date[4] == "-" else None
    work.cited_by_count = to_count("Times cited", cell(row, "Times cited"))
    work.authors = _authors(row)
    if not any(a.affiliations for a in work.authors):
        countries = [
            c
            for c in map(
                country_code, split(cell(row, "Country of Research organization"))
            )
            if c
        ]
        for a in work.authors:
            a.countries = [fold_hk_macao(c) or c for c in countries]
    work.grants = [(f, None) for f in split(cell(row, "Funder"))]
    work.grants += [(None, g) for g in split(cell(row, "Supporting Grants"))]
    return work


def _authors(row: Row) -> list[Author]:
    raw = cell(row, "Authors (Raw Affiliation)")
    authors = (
        [Author(name, affs) for name, affs in raw_affiliations(raw)] if raw else []
    )
    if not authors:
        authors = [Author(n) for n in split(cell(row, "Authors"))]
    corr = {
        n.casefold()
        for n in split(cell(row, "Corresponding Authors", "Corresponding Author"))
    }
    for a in authors:
        a.is_corresponding = (a.name or "").casefold() in corr if corr else None
    return authors


def raw_affiliations(text: str) -> list[tuple[str, list[str]]]:
    """'Doe, Jane (Univ A, Paris, France; Inst B, Lyon, France); Roe, Rob (…)'.

    Returns ``[(name, [address, …]), …]``; parentheses inside an address are
    kept (depth counting), ``;`` splits addresses only inside an author's
    parentheses.
    """
    out: list[tuple[str, list[str]]] = []
    name: list[str] = []
    part: list[str] = []
    parts: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
            if depth == 1:
                continue
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                parts.append("".join(part).strip())
                part = []
                continue
        if depth == 0:
            if ch == ";":
                _close(out, name, parts)
                name, parts = [], []
            else:
                name.append(ch)
        elif depth == 1 and ch == ";":
            parts.append("".join(part).strip())
            part = []
        else:
            part.append(ch)
    _close(out, name, parts)
    return out


def _close(out: list[tuple[str, list[str]]], name: list[str], parts: list[str]) -> None:
    who = "".join(name).strip()
    if who:
        out.append((who, [p for p in parts if p]))
