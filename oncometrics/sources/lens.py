"""Lens.org scholarly exports: CSV and JSON (JSON array, API page, JSON Lines).

CSV columns used: ``Lens ID``, ``Title``, ``Publication Year``, ``Date
Published``, ``Publication Type``, ``Source Title``, ``Author/s``, ``MeSH
Terms``, ``Funding``, ``PMID``, ``DOI``, ``Citing Works Count``.  The CSV has
**no affiliations**: its authors get no country (use the JSON export for
country counts).

JSON records (the Lens scholarly API shape): ``lens_id``, ``title``,
``year_published``, ``date_published``, ``publication_type``,
``external_ids[{type, value}]`` (doi, pmid), ``authors[{first_name,
last_name, collective_name, affiliations[{name, name_original,
country_code}]}]``, ``source{title}``, ``scholarly_citations_count``,
``mesh_terms[{mesh_heading, mesh_id}]``, ``funding[{org, funding_id}]``,
``languages`` (``references`` hold Lens ids only and are not kept).  An affiliation's
``country_code`` is used when present, else the country is parsed from its
text.  Works are keyed by DOI, else PMID, else ``lens:<Lens ID>``;
``citation_source`` is ``lens``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from oncometrics.countries import country_code, fold_hk_macao
from oncometrics.sources.base import Record, Reject, SourceError, clip
from oncometrics.sources.bib_record import Author, Subject, Work, checked_record
from oncometrics.sources.checks import BadValue, count, reason_of, shape, text, year
from oncometrics.sources.export_io import Row, cell, read_text, split
from oncometrics.sources.export_record import (
    CsvExport,
    export_doc_type,
    to_count,
)
from oncometrics.sources.medline import mesh_ids


def sniff(head: bytes) -> bool:
    """True for a Lens scholarly CSV or JSON export."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    return text.startswith(("Lens ID", '"Lens ID"')) or '"lens_id"' in text[:2000]


def parse(path: Path) -> Iterator[Record | Reject]:
    """Works of one Lens export (CSV or JSON, detected from the content)."""
    text, damage = read_text(path)
    if not text.strip():
        raise SourceError(path, damage or "empty file")
    if text.lstrip()[:1] in "[{":
        yield from _json(path, text, damage)
    else:
        yield from _csv(path)


LENS = CsvExport("lens", "Lens CSV", "record has no Lens ID, DOI or PMID")


def _csv(path: Path) -> Iterator[Record | Reject]:
    yield from LENS.records(path, csv_work)


def csv_work(row: Row) -> Work:
    """A :class:`Work` from one Lens CSV row (no affiliations)."""
    work = LENS.work(row)
    work.date = _iso(cell(row, "Date Published"))
    work.cited_by_count = to_count(
        "Citing Works Count", cell(row, "Citing Works Count")
    )
    work.authors = [Author(n) for n in split(cell(row, "Author/s"))]
    work.grants = [(f, None) for f in split(cell(row, "Funding"))]
    return work


def _json(path: Path, text: str, damage: str | None) -> Iterator[Record | Reject]:
    try:
        doc = json.loads(text)
        records = doc.get("data", [doc]) if isinstance(doc, dict) else doc
        first = records[0] if isinstance(records, list) and records else None
        if isinstance(first, dict) and not _LENS_KEYS & set(first):
            keys = ", ".join(list(first)[:5])
            raise SourceError(path, f"not a Lens JSON export (record keys: {keys})")
        lines = None
    except json.JSONDecodeError as exc:
        records, lines = None, text.splitlines()
        # JSON Lines only when a line is a whole object (a pretty printed
        # document cut short is one broken document); broken lines before
        # it are rejected one by one, whatever the line ends
        if not any(_is_object(line) for line in lines):
            if damage:
                yield Reject(1, damage)
                return
            raise SourceError(path, f"not valid JSON ({exc})") from None
    if records is not None:
        if not isinstance(records, list):
            raise SourceError(path, "not a Lens export: no list of records")
        for n, rec in enumerate(records, start=1):
            yield _from_json(rec, n, path)
        return
    n = 0
    for line in lines or []:  # JSON Lines
        if not line.strip():
            continue
        n += 1
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Reject(n, damage or f"JSON syntax error: {exc}", clip(line))
            if damage:
                return
            continue
        yield _from_json(rec, n, path)
    if damage:
        yield Reject(n + 1, damage)


_LENS_KEYS = {"lens_id", "title", "external_ids", "authors", "year_published"}


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _from_json(rec: Any, n: int, path: Path) -> Record | Reject:
    if not isinstance(rec, dict):
        return Reject(n, "record is not a JSON object", clip(json.dumps(rec)))
    try:
        work = json_work(rec)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        return Reject(n, reason_of(exc), clip(json.dumps(rec)))
    return checked_record(work, n, str(path), rec, LENS.missing)


#: Types of the top-level fields of a Lens JSON record that are read.
_JSON_SHAPE: dict[str, type | tuple[type, ...]] = {
    "lens_id": str,
    "title": str,
    "year_published": (int, str),
    "date_published": str,
    "publication_type": str,
    "scholarly_citations_count": (int, str),
    "external_ids": list,
    "source": dict,
    "languages": list,
    "authors": list,
    "mesh_terms": list,
    "funding": list,
}


def json_work(rec: dict[str, Any]) -> Work:
    """A :class:`Work` from one Lens scholarly JSON record.

    Raises :class:`BadValue` naming the field whose value has the wrong type
    or range.
    """
    shape(rec, _JSON_SHAPE)
    for key in ("external_ids", "authors", "mesh_terms", "funding"):
        if not all(isinstance(x, dict) for x in rec.get(key) or []):
            raise BadValue(key, "expected a list of objects")
    ids = {
        str(e.get("type")): str(e.get("value")) for e in rec.get("external_ids") or []
    }
    work = Work(source="lens", source_id=rec.get("lens_id"))
    work.doi, work.pmid = ids.get("doi"), ids.get("pmid")
    work.title = rec.get("title")
    work.journal = text("source.title", (rec.get("source") or {}).get("title"))
    work.year = year("year_published", rec.get("year_published"))
    work.date = _iso(rec.get("date_published"))
    work.doc_type = export_doc_type(rec.get("publication_type"))
    langs = rec.get("languages") or []
    work.language = langs[0] if langs else None
    work.cited_by_count = count(
        "scholarly_citations_count", rec.get("scholarly_citations_count")
    )
    work.authors = [_json_author(a) for a in rec.get("authors") or []]
    names = mesh_ids()
    for m in rec.get("mesh_terms") or []:
        label = m.get("mesh_heading")
        if label:
            code = m.get("mesh_id") or names.get(label.casefold())
            work.subjects.append(Subject("mesh", code, label))
    work.grants = [
        (f.get("org"), f.get("funding_id")) for f in rec.get("funding") or []
    ]
    return work  # references carry Lens ids only: not linkable to work ids


def _json_author(a: dict[str, Any]) -> Author:
    first, last = a.get("first_name"), a.get("last_name")
    name = f"{last}, {first}" if last and first else last or a.get("collective_name")
    author = Author(name)
    for aff in a.get("affiliations") or []:
        text = aff.get("name_original") or aff.get("name")
        if text:
            author.affiliations.append(text)
        code = country_code(aff.get("country_code"))
        if code and code not in author.countries:
            author.countries.append(fold_hk_macao(code) or code)
    return author


def _iso(value: Any) -> str | None:
    text = str(value or "")[:10]
    return text if len(text) == 10 and text[4] == "-" and text[7] == "-" else None
