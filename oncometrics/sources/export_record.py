"""What the bibliographic export readers (WoS, Scopus, Lens, Dimensions) share.

They fill the one record model, :class:`~oncometrics.sources.bib_record.Work`;
this module holds the cell readers (DOIs in text, years, counts, funding,
document types) and the loop from CSV rows to records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from oncometrics.sources import checks
from oncometrics.sources.base import Record, Reject, clip, norm_doi
from oncometrics.sources.bib_record import Subject, Work, checked_record
from oncometrics.sources.export_io import Row, cell, csv_rows, split
from oncometrics.sources.medline import mesh_ids

_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s,;\]]+)", re.IGNORECASE)


#: Where the Scopus, Lens and Dimensions CSV exports keep the fields they all
#: have (`mesh`: the terms kept as ``mesh`` subjects when MeSH C04 headings).
CROSSWALK: dict[str, tuple[str, str, str]] = {
    # field: (Scopus, Lens, Dimensions)
    "source_id": ("EID", "Lens ID", "Publication ID"),
    "doi": ("DOI", "DOI", "DOI"),
    "pmid": ("PubMed ID", "PMID", "PMID"),
    "title": ("Title", "Title", "Title"),
    "journal": ("Source title", "Source Title", "Source title"),
    "year": ("Year", "Publication Year", "PubYear"),
    "doc_type": ("Document Type", "Publication Type", "Publication Type"),
    "mesh": ("Index Keywords", "MeSH Terms", "MeSH terms"),
}
CSV_EXPORTS = ("scopus", "lens", "dimensions")


@dataclass(frozen=True)
class CsvExport:
    """A CSV export format: its source, its name in errors, its columns.

    `missing` is the reason given to a row without any id; `preamble` the
    start of a line before the header (Dimensions' "About the data").
    """

    source: str
    fmt: str
    missing: str
    preamble: str | None = None

    @cached_property
    def columns(self) -> dict[str, str]:
        """This export's column of each field of :data:`CROSSWALK`."""
        i = CSV_EXPORTS.index(self.source)
        return {name: columns[i] for name, columns in CROSSWALK.items()}

    def work(self, row: Row) -> Work:
        """A :class:`Work` with the fields every CSV export has."""
        get = {name: cell(row, column) for name, column in self.columns.items()}
        work = Work(source=self.source, source_id=get["source_id"])
        work.doi, work.pmid = get["doi"], get["pmid"]
        work.title, work.journal = get["title"], get["journal"]
        work.year = to_year(self.columns["year"], get["year"])
        work.doc_type = export_doc_type(get["doc_type"])
        ids = mesh_ids()
        for term in split(get["mesh"]):
            if (code := ids.get(term.casefold())) is not None:
                work.subjects.append(Subject("mesh", code, term))
        return work

    def records(
        self, path: Path, read: Callable[[Row], Work]
    ) -> Iterator[Record | Reject]:
        """Records of one file, each row `read` into a :class:`Work`.

        A row whose value cannot be stored (:class:`BadValue`) or that has no
        id at all is rejected; see
        :func:`~oncometrics.sources.export_io.csv_rows` for the rest.
        """
        required = (self.columns["source_id"], self.columns["title"])
        rows = csv_rows(path, required=required, fmt=self.fmt, preamble=self.preamble)
        for item in rows:
            if isinstance(item, Reject):
                yield item
                continue
            record_no, row = item
            try:
                work = read(row)
            except checks.BadValue as exc:
                yield Reject(record_no, str(exc), clip(str(row)))
                continue
            yield checked_record(work, record_no, str(path), row, self.missing)


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
