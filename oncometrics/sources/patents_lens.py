"""Lens.org patent exports: CSV (current and legacy layouts) and JSON.

CSV: one row per publication; ``;;`` separates list values (applicants,
inventors, CPC/IPCR codes, priority numbers ``US 201161550506 P 20111024``).
The legacy export prints dates as ``dd/mm/yy`` (the century comes from the
``Publication Year`` column) and is often not UTF-8 (then read as cp1252 or
Latin-1).  Lens CSV gives no party countries, so its inventions are
unassigned at country level (they still count in applicant tables).

JSON: the API / export record layout (an array, ``{"data": [...]}`` pages,
or JSON Lines) with ``biblio.parties.{applicants,inventors}[].residence``,
``biblio.classifications_{cpc,ipcr}.classifications[].symbol`` and
``biblio.priority_claims.claims[]``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from oncometrics.sources.base import Record, Reject, SourceError, clip
from oncometrics.sources.checks import BadValue, count, reason_of, shape, text
from oncometrics.sources.patent_files import CsvDicts, CsvStop, parse_members
from oncometrics.sources.patent_model import PatentDoc

_PRIO = re.compile(
    r"([A-Z]{2})\s*([0-9A-Z/.,-]+?)\s+(?:[A-Z]\d?\s+)?(\d{8}|\d{4}-\d{2}-\d{2})"
)
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")


def sniff_csv(head: bytes) -> bool:
    """True for a Lens patent CSV export (header names Lens columns)."""
    first = head.split(b"\n", 1)[0].split(b"\r", 1)[0]
    return b"Jurisdiction" in first and (
        b"Publication Number" in first or b"Display Key" in first or b"Lens ID" in first
    )


def sniff_json(head: bytes) -> bool:
    """True for Lens patent JSON (records with ``lens_id`` and ``biblio``)."""
    text = head.lstrip()
    return (
        text[:1] in (b"[", b"{")
        and b'"lens_id"' in head
        and (b'"jurisdiction"' in head or b'"biblio"' in head)
    )


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def parse(path: Path) -> Iterator[Record | Reject]:
    """Parse a Lens patent export (CSV or JSON; plain, gzip or zip)."""
    return parse_members(
        path,
        [
            ("lens-json", sniff_json, parse_json_stream),
            ("lens-csv", sniff_csv, parse_csv_stream),
        ],
        only="lens",
    )


# ----------------------------------------------------------------- CSV
def parse_csv_stream(fh: IO[bytes], label: str) -> Iterator[Record | Reject]:
    """Records of a Lens CSV export (row n = record n)."""
    reader = CsvDicts(io.StringIO(_decode(fh.read()), newline=""))
    no = 0
    try:
        for no, row in enumerate(reader, start=1):
            try:
                yield _csv_doc(row).record(no)
            except ValueError as exc:
                yield Reject(no, f"{label}: {exc}", clip(repr(row)))
    except CsvStop as exc:
        yield Reject(no + 1, f"{label}: {exc.reason}; reading stopped")


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";;") if v.strip()]


def _csv_date(text: str | None, year_hint: str | None) -> str | None:
    """ISO date from ``yyyy-mm-dd`` or legacy ``dd/mm/yy``."""
    text = (text or "").strip()
    m = _DMY.match(text)
    if not m:
        return text or None
    d, mth, y = m.groups()
    if len(y) == 2:
        hint = int(year_hint) if year_hint and year_hint.isdigit() else 2099
        y4 = 2000 + int(y)
        y = str(y4 if y4 <= hint else y4 - 100)
    return f"{y}-{int(mth):02d}-{int(d):02d}"


def _number(display: str, jurisdiction: str, kind: str) -> str:
    tokens = display.split()
    if tokens and tokens[0] == jurisdiction:
        tokens = tokens[1:]
    if len(tokens) > 1 and tokens[-1] == kind:
        tokens = tokens[:-1]
    return "".join(tokens).replace("/", "")


def _csv_doc(row: dict[str, Any]) -> PatentDoc:
    g = lambda k: (row.get(k) or "").strip()  # noqa: E731
    jur, kind = g("Jurisdiction"), g("Kind")
    display = g("Display Key") or g("Publication Number")
    if not display:
        raise ValueError("no publication number (Display Key / Publication Number)")
    year = g("Publication Year")
    cited = g("Cited by Patent Count") or g("Cited Count")
    doc = PatentDoc(
        source="lens",
        jurisdiction=jur or None,
        kind=kind or None,
        doc_number=_number(display, jur, kind),
        application_number=g("Application Number").replace(" ", "") or None,
        title=g("Title") or None,
        publication_date=_csv_date(g("Publication Date"), year),
        filing_date=_csv_date(g("Application Date"), year),
        priority_date=_csv_date(g("Earliest Priority Date"), year),
        cited_by_count=int(cited) if cited.isdigit() else None,
    )
    for prio in _split(g("Priority Numbers")):
        m = _PRIO.match(prio)
        if m:
            doc.priorities.append((m.group(1), m.group(2), m.group(3)))
    for role, col in (("applicant", "Applicants"), ("inventor", "Inventors")):
        doc.parties += [(role, name, None) for name in _split(g(col))]
    for scheme, col in (
        ("cpc", "CPC Classifications"),
        ("ipc", "IPCR Classifications"),
    ):
        doc.classes += [(scheme, code) for code in _split(g(col))]
    return doc


# ----------------------------------------------------------------- JSON
def parse_json_stream(fh: IO[bytes], label: str) -> Iterator[Record | Reject]:
    """Records of a Lens JSON export, API page or JSON Lines file."""
    data = fh.read()
    try:
        doc = orjson.loads(data)
        items: list[Any] = doc if isinstance(doc, list) else doc.get("data", [doc])
        lines = [orjson.dumps(x) for x in items]
    except orjson.JSONDecodeError:
        lines = [ln for ln in data.splitlines() if ln.strip()]
    if not lines:
        raise SourceError(label, "no Lens records in this JSON")
    for no, line in enumerate(lines, start=1):
        try:
            rec = orjson.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("a Lens record must be a JSON object")
            yield _json_doc(rec).record(no)
        except orjson.JSONDecodeError as exc:
            yield Reject(no, f"{label}: invalid JSON ({exc})", clip(line))
        except ValueError as exc:
            yield Reject(no, f"{label}: {exc}", clip(line))
        except (TypeError, AttributeError, KeyError) as exc:
            yield Reject(no, f"{label}: {reason_of(exc)}", clip(line))


def _name(p: dict[str, Any]) -> str | None:
    for key in ("extracted_name", "inventor_name", "applicant_name", "name"):
        v = p.get(key)
        if isinstance(v, dict):
            v = v.get("value") or v.get("name")
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


#: Types of the fields of a Lens patent JSON record that are read.
_SHAPE: dict[str, type | tuple[type, ...]] = {
    "jurisdiction": str,
    "kind": str,
    "doc_number": str,
    "date_published": str,
    "biblio": dict,
}
_BIBLIO_SHAPE: dict[str, type | tuple[type, ...]] = {
    "application_reference": dict,
    "invention_title": list,
    "priority_claims": dict,
    "parties": dict,
    "cited_by": dict,
    "classifications_cpc": dict,
    "classifications_ipcr": dict,
}


def _json_doc(rec: dict[str, Any]) -> PatentDoc:
    shape(rec, _SHAPE)
    bib = rec.get("biblio") or {}
    shape(bib, _BIBLIO_SHAPE)
    app = bib.get("application_reference") or {}
    titles = bib.get("invention_title") or []
    for t in titles:
        if not isinstance(t, dict):
            raise BadValue("biblio.invention_title", "expected a list of objects")
        text("biblio.invention_title.text", t.get("text"))
    title = next(
        (t.get("text") for t in titles if t.get("lang") == "en"),
        titles[0].get("text") if titles else None,
    )
    abstracts = rec.get("abstract") or bib.get("abstract") or []
    abstract = next(
        (a.get("text") for a in abstracts if isinstance(a, dict)
         and a.get("lang") == "en"), None)  # fmt: skip
    doc = PatentDoc(
        source="lens",
        jurisdiction=rec.get("jurisdiction"),
        kind=rec.get("kind"),
        doc_number=rec.get("doc_number"),
        title=title,
        abstract=abstract,
        publication_date=rec.get("date_published"),
        application_number=(app.get("jurisdiction") or "")
        + (app.get("doc_number") or "")
        or None,
        filing_date=app.get("date"),
    )
    prios = bib.get("priority_claims") or {}
    for c in prios.get("claims") or []:
        doc.priorities.append(
            (c.get("jurisdiction"), c.get("doc_number"), c.get("date"))
        )
    doc.priority_date = (prios.get("earliest_claim") or {}).get("date")
    parties = bib.get("parties") or {}
    for role, key in (("applicant", "applicants"), ("inventor", "inventors")):
        for p in parties.get(key) or []:
            doc.parties.append((role, _name(p), p.get("residence")))
    for scheme, key in (
        ("cpc", "classifications_cpc"),
        ("ipc", "classifications_ipcr"),
    ):
        for c in (bib.get(key) or {}).get("classifications") or []:
            if c.get("symbol"):
                doc.classes.append((scheme, c["symbol"]))
    cited = (bib.get("cited_by") or {}).get("patent_count")
    doc.cited_by_count = count("biblio.cited_by.patent_count", cited)
    return doc
