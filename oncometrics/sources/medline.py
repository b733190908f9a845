"""PubMed MEDLINE text format (``PMID- ``, ``TI  - ``, ``FAU - ``, ``AD  - ``…).

Each line is a 4-character tag, ``- `` and a value; a value continues on
lines indented by six spaces; records are separated by blank lines and start
with ``PMID-``.  The records become the same rows as the XML parser
(:mod:`oncometrics.sources.pubmed`), ``source`` ``pubmed``, so a paper
ingested from both formats is one work (a duplicate).

* Authors: ``FAU`` (full name) opens an author, ``AU`` only when no ``FAU``
  precedes it, ``CN`` a group author; ``AUID- ORCID: …`` gives the ORCID.
  ``AD`` lines belong to the author before them; an ``AD`` before any author
  (old MEDLINE, one address for the first author) belongs to the first
  author.  Countries are parsed from the ``AD`` text of each author only.
* MeSH (``MH``): the text format has no descriptor UI.  The heading name is
  looked up in the bundled MeSH C04 table (``mesh2025_c04_complete.csv``);
  when it is there ``code`` is the UI (so domain selection, which uses codes,
  works), otherwise ``code`` is null and ``label`` holds the heading.  A
  ``*`` on the descriptor or any qualifier marks a major topic.
* ``GR`` ``ID/Acronym/Agency/Country`` is read from the right (grant ids may
  contain ``/``); DOI from ``AID … [doi]``, else ``LID … [doi]``; year from
  ``DP``, date from ``DP`` (when complete) or ``DEP``.
* Bad input: an empty file or one that does not start with ``PMID-`` raises
  :class:`SourceError`; a record without PMID, or with a line that is not a
  field, is rejected; a damaged gzip yields the records before it, then one
  :class:`Reject`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

from oncometrics.sources.base import (
    LongLine,
    Record,
    Reject,
    SourceError,
    TruncatedInput,
    bounded_lines,
    input_limits,
    norm_doi,
    open_input,
)
from oncometrics.sources.bib_record import MONTHS, Author, Subject, Work, to_record
from oncometrics.sources.checks import pmid_problem
from oncometrics.sources.pubmed_record import doc_type, new_paper, pubmed_author

_LONG = "\x00long"  # marks a line beyond max_record_bytes (see _lines)
_TAG = re.compile(r"^([A-Z][A-Z0-9 ]{1,3})- ?(.*)$")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_DP_DATE = re.compile(r"^(\d{4}) ([A-Za-z]{3})[a-z]* (\d{1,2})$")

Fields = list[tuple[str, str]]


@lru_cache(maxsize=1)
def mesh_ids() -> dict[str, str]:
    """Lower-case MeSH heading -> descriptor UI, from the bundled C04 table."""
    ref = resources.files("oncometrics.data.reference") / "mesh2025_c04_complete.csv"
    with ref.open(encoding="utf-8") as fh:
        return {r["mesh_name"].casefold(): r["mesh_id"] for r in csv.DictReader(fh)}


def sniff(head: bytes) -> bool:
    """True when `head` starts like a MEDLINE text export."""
    return head.lstrip(b"\xef\xbb\xbf \r\n").startswith(b"PMID-")


def parse(path: Path) -> Iterator[Record | Reject]:
    """Works of one MEDLINE text file (see the module docstring)."""
    record_no = 0
    for item in _blocks(path):
        record_no += 1
        if isinstance(item, str):  # damage: stop here
            yield Reject(record_no, item)
            return
        fields, raw, bad = item
        if bad:
            yield Reject(record_no, bad, raw)
            continue
        paper = paper_from_fields(fields)
        if not paper.pmid:
            yield Reject(record_no, "record has no PMID", raw)
            continue
        if (why := pmid_problem(paper.pmid)) is not None:
            yield Reject(record_no, why, raw)
            continue
        yield to_record(paper, record_no, str(path))


def _lines(path: Path) -> Iterator[str]:
    """Decoded lines without line ends; TruncatedInput passes through.

    A line beyond ``max_record_bytes`` comes as one line that is not a
    MEDLINE field (its record is rejected as such) and is not held whole.
    """
    limits = input_limits()
    with open_input(path) as fh:
        first = True
        for raw in bounded_lines(fh, limits.record_bytes):
            if isinstance(raw, LongLine):
                yield f"{_LONG} {limits.too_long(raw.size)}"
                continue
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if first:
                line, first = line.lstrip("\ufeff"), False
            yield line


def _blocks(path: Path) -> Iterator[tuple[Fields, str, str | None] | str]:
    """(fields, raw text, problem) per record; a str on a damaged input."""
    fields: Fields = []
    raw: list[str] = []
    bad: str | None = None
    started = False
    try:
        for n, line in enumerate(_lines(path), start=1):
            if not line.strip():
                if fields or bad:
                    yield fields, "\n".join(raw), bad
                fields, raw, bad = [], [], None
                continue
            if not started:
                if not line.startswith("PMID-"):
                    raise SourceError(
                        path, f"not a MEDLINE text file (line {n}: {line[:40]!r})"
                    )
                started = True
            raw.append(line)
            if line.startswith("      ") and fields:
                fields[-1] = (fields[-1][0], f"{fields[-1][1]} {line.strip()}")
            elif m := _TAG.match(line):
                if m.group(1).strip() == "PMID" and fields:
                    yield fields, "\n".join(raw[:-1]), bad
                    fields, raw, bad = [], [line], None
                fields.append((m.group(1).strip(), m.group(2).strip()))
            elif bad is None and line.startswith(_LONG):
                bad = f"line {n}: {line[len(_LONG) + 1 :]}"
            elif bad is None:
                bad = f"line {n} is not a MEDLINE field: {line[:60]!r}"
    except TruncatedInput as exc:
        yield str(exc)
        return
    if not started:
        raise SourceError(path, "empty file")
    if fields or bad:
        yield fields, "\n".join(raw), bad


def paper_from_fields(fields: Fields) -> Work:
    """A PubMed :class:`Work` from the (tag, value) pairs of one record."""
    get: dict[str, str] = {}
    for tag, value in fields:
        get.setdefault(tag, value)
    paper = new_paper(get.get("PMID") or None)
    paper.title = get.get("TI") or None
    paper.journal = get.get("JT") or get.get("TA") or None
    paper.language = get.get("LA") or None
    paper.doc_type = doc_type([v for t, v in fields if t == "PT"])
    paper.doi = _doi(fields)
    paper.year, paper.date = _date(get.get("DP", ""), get.get("DEP", ""))
    paper.authors = _authors(fields)
    paper.subjects = [m for v in (v for t, v in fields if t == "MH") if (m := _mesh(v))]
    grants = [_grant(v) for t, v in fields if t == "GR"]
    paper.grants = [(agency, award) for award, agency in grants]
    return paper


def _doi(fields: Fields) -> str | None:
    for wanted in ("AID", "LID"):
        for tag, value in fields:
            is_doi = tag == wanted and value.endswith("[doi]")
            if is_doi and (d := norm_doi(value[: -len("[doi]")])):
                return d
    return None


def _date(dp: str, dep: str) -> tuple[int | None, str | None]:
    m = _YEAR.search(dp)
    year = int(m.group(1)) if m else None
    if year is None and dep[:4].isdigit():
        year = int(dep[:4])
    if (d := _DP_DATE.match(dp)) and d.group(2).casefold() in MONTHS:
        month = MONTHS.index(d.group(2).casefold()) + 1
        return year, f"{d.group(1)}-{month:02d}-{int(d.group(3)):02d}"
    if len(dep) == 8 and dep.isdigit() and int(dep[:4]) == year:
        return year, f"{dep[:4]}-{dep[4:6]}-{dep[6:]}"
    return year, None


def _authors(fields: Fields) -> list[Author]:
    authors: list[Author] = []
    early: list[str] = []  # AD before any author: the first author's
    last_tag = ""
    for tag, value in fields:
        if tag == "FAU" or tag == "CN" or (tag == "AU" and last_tag != "FAU"):
            authors.append(pubmed_author(value or None, [], None))
        elif tag == "AD":
            (authors[-1].affiliations if authors else early).append(value)
        elif tag == "AUID" and authors and value.upper().startswith("ORCID:"):
            orcid = _orcid(value)
            authors[-1].author_id = f"orcid:{orcid}" if orcid else None
        if tag in ("FAU", "AU", "CN", "AD", "AUID"):
            last_tag = tag if tag != "AUID" else last_tag
    if early and authors and not authors[0].affiliations:
        authors[0].affiliations = early
    return authors


def _orcid(value: str) -> str | None:
    m = re.search(r"(\d{4}-?\d{4}-?\d{4}-?\d{3}[\dXx])", value)
    return m.group(1).upper() if m else None


def _mesh(value: str) -> Subject | None:
    """('D001943', 'Breast Neoplasms', True) from '*Breast Neoplasms/therapy'."""
    head, *qualifiers = value.split("/")
    label = head.lstrip("*").strip()
    if not label:
        return None
    major = head.startswith("*") or any(q.startswith("*") for q in qualifiers)
    return Subject("mesh", mesh_ids().get(label.casefold()), label, major)


def _grant(value: str) -> tuple[str | None, str | None]:
    """(award id, agency) from 'R01 CA180949/CA/NCI NIH HHS/United States'."""
    parts = value.split("/")
    if len(parts) >= 4:
        award, agency = "/".join(parts[:-3]), parts[-2]
    elif len(parts) == 3:
        award, agency = parts[0], parts[1]
    else:
        award, agency = None, parts[0]
    return (award.strip() or None) if award else None, agency.strip() or None
