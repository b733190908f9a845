"""Web of Science exports: plain text with field tags, and tab-delimited.

Plain text ("Other file formats → Plain text"): ``FN``/``VR`` header, one
record from ``PT`` to ``ER``, ``EF`` at the end; a tag is two characters
and a space, a value continues on lines indented by three spaces (one item
per line for AU, AF, C1, CR…; joined with a space for TI, AB, FU…).
Tab-delimited ("Tab delimited (Win/Mac, UTF-8 or UTF-16)"): a header row of
the same tags, one record per row, list fields ``;``-separated.

Works are keyed by DOI, else PMID, else ``wos:<UT>`` (``WOS:`` prefix
dropped), so several batch files of one search (500 or 1,000 records each)
ingest into one store with the overlaps counted as duplicates.

Mapping: AF (else AU) authors; ``C1`` ``[Author; Author] Address`` gives
each named author that address, and its country via the shared parser
(addresses without the bracket, in exports before 2008, go to every
author); ``RP`` marks corresponding authors; ``TC`` (Core Collection times
cited) → ``cited_by_count`` with ``citation_source`` ``wos`` and ``citation_date`` ``DA``; ``PY`` year;
``DT`` type; ``SO`` journal; ``DI``/``PM``/``UT`` ids; ``WC`` categories
(``work_subjects`` scheme ``wos_category``) and ``SC`` research areas
(``wos_research_area``); ``FU`` funders and award ids; ``CR`` references
with a DOI → ``citations``.

Bad input: an empty file or one that is not a WoS export raises
:class:`SourceError`; a record without UT, DOI or PMID is rejected; a
record cut off (no ``ER`` before the end of the file) or a damaged gzip
gives one reject after the good records.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from oncometrics.sources.base import Record, Reject, SourceError, clip
from oncometrics.sources.bib_record import MONTHS, Author, Subject, Work, checked_record
from oncometrics.sources.checks import reason_of
from oncometrics.sources.export_io import decode, read_text
from oncometrics.sources.export_record import (
    doi_in,
    export_doc_type,
    split_funding,
    to_count,
    to_year,
)

Fields = dict[str, list[str]]

#: Tags whose continuation lines are separate items.
LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "C1", "CR"})
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_BRACKET = re.compile(r"^\s*\[(.*?)\]\s*(.*)$")
_CORRESPONDING = re.compile(
    r"((?:[^;.()]+;\s*)*[^;.()]+?)\s*\((?:corresponding|reprint) author\)"
)
_DAMAGE = "\x00DAMAGE "


def sniff(head: bytes) -> bool:
    """True for a WoS plain-text or tab-delimited export."""
    text = decode(head)
    return text.startswith(("FN ", "PT\t", "PT ")) or text.startswith("FN\t")


def parse(path: Path) -> Iterator[Record | Reject]:
    """Works of one WoS export file (see the module docstring)."""
    head, lines = _open(path)
    if not head.strip():
        raise SourceError(path, "empty file")
    if head.startswith("PT\t"):
        yield from _tabbed(path, head, lines)
    elif head.startswith(("FN ", "PT ")):
        yield from _plain(path, head, lines)
    else:
        raise SourceError(path, f"not a Web of Science export (starts {head[:30]!r})")


def _open(path: Path) -> tuple[str, Iterator[str]]:
    """The first line and an iterator over the remaining lines (decoded).

    A damaged gzip is read as far as it goes; the damage becomes a sentinel
    line that the record loops turn into one reject.
    """
    text, damage = read_text(path)
    lines = text.splitlines()
    if damage is not None:
        lines.append(f"{_DAMAGE}{damage}")
    it = iter(lines)
    return next(it, ""), it


def _plain(path: Path, head: str, lines: Iterator[str]) -> Iterator[Record | Reject]:
    record_no = 0
    fields: Fields = {}
    raw: list[str] = []
    tag = ""
    for line in _chain(head, lines):
        if line.startswith(_DAMAGE):
            yield Reject(record_no + 1, line[len(_DAMAGE) :])
            return
        if line.startswith("   ") and tag:
            _add(fields, tag, line.strip(), continued=True)
            raw.append(line)
            continue
        m = _TAG_LINE.match(line.rstrip())
        if not m:
            continue  # blank lines between records
        tag, value = m.group(1), (m.group(2) or "").strip()
        if tag in ("FN", "VR", "EF"):
            continue
        raw.append(line)
        if tag == "ER":
            record_no += 1
            yield _one(fields, record_no, str(path), raw)
            fields, raw, tag = {}, [], ""
            continue
        _add(fields, tag, value, continued=False)
    if fields:
        yield Reject(
            record_no + 1,
            "record cut off: no ER line before the end of the file",
            clip("\n".join(raw)),
        )


def _chain(head: str, lines: Iterator[str]) -> Iterator[str]:
    yield head
    yield from lines


def _add(fields: Fields, tag: str, value: str, *, continued: bool) -> None:
    items = fields.setdefault(tag, [])
    if continued and tag not in LIST_TAGS and items:
        items[-1] = f"{items[-1]} {value}"
    else:
        items.append(value)


def _tabbed(path: Path, head: str, lines: Iterator[str]) -> Iterator[Record | Reject]:
    header = [h.strip().lstrip("\ufeff") for h in head.split("\t")]
    record_no = 0
    for line in lines:
        if line.startswith(_DAMAGE):
            yield Reject(record_no + 1, line[len(_DAMAGE) :])
            return
        if not line.strip():
            continue
        record_no += 1
        cells = next(
            csv.reader(io.StringIO(line), delimiter="\t", quoting=csv.QUOTE_NONE)
        )
        while len(cells) > len(header) and not cells[-1].strip():
            cells.pop()  # WoS ends every row with a tab
        if len(cells) != len(header) and len(cells) + 1 != len(header):
            yield Reject(
                record_no,
                f"{len(cells)} columns where the header has {len(header)}",
                clip(line),
            )
            continue
        fields: Fields = {}
        for tag, cell in zip(header, cells, strict=False):
            if cell.strip():
                fields[tag] = _split_cell(tag, cell.strip())
        yield _one(fields, record_no, str(path), [line])


def _split_cell(tag: str, cell: str) -> list[str]:
    if tag == "C1":
        return (
            [p.strip() for p in re.split(r";\s*(?=\[)", cell) if p.strip()]
            if (cell.startswith("["))
            else [p.strip() for p in cell.split(";") if p.strip()]
        )
    if tag in LIST_TAGS:
        return [p.strip() for p in cell.split(";") if p.strip()]
    return [cell]


def _one(fields: Fields, record_no: int, file: str, raw: list[str]) -> Record | Reject:
    try:
        work = wos_work(fields)
    except Exception as exc:  # a record-level surprise must not stop the file
        return Reject(record_no, reason_of(exc), clip("\n".join(raw)))
    missing = "record has no UT, DOI or PMID"
    return checked_record(work, record_no, file, "\n".join(raw), missing)


def _first(fields: Fields, tag: str) -> str | None:
    values = fields.get(tag)
    return values[0].strip() or None if values else None


def wos_work(fields: Fields) -> Work:
    """A :class:`Work` from the fields of one WoS record."""
    ut = _first(fields, "UT")
    # PY, else the year of early access (EA "DEC 2022") for records not yet
    # in an issue
    year = to_year("PY", _first(fields, "PY")) or _year_in(_first(fields, "EA"))
    work = Work(source="wos", source_id=ut.removeprefix("WOS:") if ut else None)
    work.doi, work.pmid = _first(fields, "DI"), _first(fields, "PM")
    work.title, work.journal = _first(fields, "TI"), _first(fields, "SO")
    work.language, work.year = _first(fields, "LA"), year
    work.date = _date(year, _first(fields, "PD"))
    work.doc_type = export_doc_type(_first(fields, "DT"))
    work.cited_by_count = to_count("TC", _first(fields, "TC"))
    work.citation_date = _first(fields, "DA")
    work.authors, work.unlinked = _authors(fields)
    for tag, scheme in (("WC", "wos_category"), ("SC", "wos_research_area")):
        for value in " ".join(fields.get(tag, [])).split(";"):
            if value.strip():
                work.subjects.append(Subject(scheme, None, value.strip()))
    work.grants = split_funding(" ".join(fields.get("FU", [])))
    work.references = [f"doi:{d}" for d in map(doi_in, fields.get("CR", [])) if d]
    return work


def _authors(fields: Fields) -> tuple[list[Author], list[str]]:
    full, short = fields.get("AF", []), fields.get("AU", [])
    names = full or short
    authors = [Author(n) for n in names]
    index = {_key(n): i for i, n in enumerate(short)} | {
        _key(n): i for i, n in enumerate(full)
    }
    unlinked: list[str] = []
    for item in fields.get("C1", []):
        m = _BRACKET.match(item)
        if not m:
            unlinked.append(item)
            continue
        hits = [index[k] for k in map(_key, m.group(1).split(";")) if k in index]
        for i in dict.fromkeys(hits) if hits else ():
            authors[i].affiliations.append(m.group(2))
        if not hits:
            unlinked.append(m.group(2))
    rp = " ".join(fields.get("RP", []))
    named = [n for group in _CORRESPONDING.findall(rp) for n in group.split(";")]
    corresponding = {index[k] for k in map(_key, named) if k in index}
    for i, a in enumerate(authors):
        a.is_corresponding = (i in corresponding) if rp else None
    return authors, unlinked


def _year_in(text: str | None) -> int | None:
    m = re.search(r"\b(19|20)\d\d\b", text or "")
    return int(m.group(0)) if m else None


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.casefold())


def _date(year: int | None, pd: str | None) -> str | None:
    """'MAR 15' or '2022 DEC 13' (+ PY) -> ISO date; None unless the day is known."""
    parts = (pd or "").upper().split()
    if parts and len(parts[0]) == 4 and parts[0].isdigit():
        year, parts = int(parts[0]), parts[1:]  # the early-access form
    if year is None or len(parts) != 2 or parts[0][:3].lower() not in MONTHS:
        return None
    if not parts[1].isdigit() or not 1 <= int(parts[1]) <= 31:
        return None
    return (
        f"{year:04d}-{MONTHS.index(parts[0][:3].lower()) + 1:02d}-{int(parts[1]):02d}"
    )
