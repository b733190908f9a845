"""The canonical patent CSV: any other source (e.g. a PATSTAT extract).

UTF-8, comma-separated, a header row, **one row per family x party**; the
rows of one family must be consecutive.  Columns (only ``family_id`` is
required; see ``docs/inventions.md``):

``family_id``
    Family (invention) id; an all-digit id is read as a DOCDB family id and
    stored as ``docdb:<id>`` so it merges with EPO OPS records.
``patent_id``
    Representative publication number (default: ``family_id``).
``priority_date`` / ``priority_year``, ``filing_date``, ``publication_date``
    ISO dates (or a bare year in ``priority_year``).
``role``, ``sequence``, ``name``, ``country``
    ``inventor`` or ``applicant``, order, name as printed, ISO alpha-2.
``cpc``, ``ipc``
    Codes separated by ``;`` or ``|`` (may be repeated on every row).
``jurisdiction``, ``kind``, ``title``
    Optional descriptive fields.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from oncometrics.sources.base import Record, Reject, SourceError, clip
from oncometrics.sources.checks import year
from oncometrics.sources.patent_files import CsvDicts, CsvStop, parse_members
from oncometrics.sources.patent_model import PatentDoc

ROLES = {
    "inventor": "inventor",
    "applicant": "applicant",
    "inv": "inventor",
    "app": "applicant",
    "assignee": "applicant",
}
_SEP = re.compile(r"[;|]+")


def sniff(head: bytes) -> bool:
    """True when the header row has ``family_id`` (and is not Lens)."""
    first = head.lstrip(codecs.BOM_UTF8).split(b"\n", 1)[0].lower()
    return b"family_id" in first and b"," in first and b"{" not in first


def parse(path: Path) -> Iterator[Record | Reject]:
    """Parse a canonical patent CSV (plain, gzip or zip)."""
    return parse_members(path, [("csv", sniff, parse_stream)], only="csv")


def _rows(fh: IO[bytes], label: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = CsvDicts(codecs.getreader("utf-8-sig")(fh))
    try:
        if "family_id" not in reader.header():
            raise SourceError(label, "canonical patent CSV needs a family_id column")
        for row in reader:
            yield (
                reader.line_num,
                {k.strip().lower(): (v or "").strip() for k, v in row.items() if k},
            )
    except UnicodeDecodeError as exc:
        raise SourceError(
            label, f"not UTF-8 text near line {reader.line_num + 1} ({exc.reason})"
        ) from exc
    except CsvStop as exc:
        raise SourceError(label, f"bad CSV at line {exc.line} ({exc.reason})") from exc


def parse_stream(fh: IO[bytes], label: str) -> Iterator[Record | Reject]:
    """One record per family (its consecutive rows); record n = n-th family."""
    seen: set[str] = set()
    group: list[tuple[int, dict[str, str]]] = []
    no = 0
    for line, row in _rows(fh, label):
        key = row.get("family_id", "") + "\x00" + row.get("patent_id", "")
        if group and key != _key(group[0][1]):
            no += 1
            yield _record(group, no, label, seen)
            group = []
        group.append((line, row))
    if group:
        no += 1
        yield _record(group, no, label, seen)


def _key(row: dict[str, str]) -> str:
    return row.get("family_id", "") + "\x00" + row.get("patent_id", "")


def _record(
    group: list[tuple[int, dict[str, str]]], no: int, label: str, seen: set[str]
) -> Record | Reject:
    first_line, first = group[0]
    raw = clip("\n".join(repr(r) for _, r in group))
    fam = first.get("family_id", "")
    where = f"{label}: line {first_line}"
    if not fam:
        return Reject(no, f"{where}: empty family_id", raw)
    if _key(first) in seen:
        return Reject(
            no,
            f"{where}: rows of family {fam} are not consecutive "
            "(sort the file by family_id)",
            raw,
        )
    seen.add(_key(first))
    try:
        doc = _doc(group)
        return doc.record(no)
    except ValueError as exc:  # a message naming its own line replaces ours
        msg = str(exc)
        return Reject(
            no, f"{label}: {msg}" if msg.startswith("line ") else f"{where}: {msg}", raw
        )


def _check_year(value: str | None) -> None:
    """BadValue unless `value` (a year, or a date starting with one) is plausible."""
    if value:
        m = re.match(r"\d+(?=$|-)", value)
        year("priority_year", m.group(0) if m else value)


def _doc(group: list[tuple[int, dict[str, str]]]) -> PatentDoc:
    first = group[0][1]
    fam = first["family_id"]
    _check_year(first.get("priority_year"))
    doc = PatentDoc(
        source="canonical",
        doc_number=first.get("patent_id") or fam,
        jurisdiction=first.get("jurisdiction") or None,
        kind=first.get("kind") or None,
        title=first.get("title") or None,
        abstract=first.get("abstract") or None,
        filing_date=first.get("filing_date") or None,
        publication_date=first.get("publication_date") or None,
        priority_date=first.get("priority_date") or first.get("priority_year") or None,
    )
    if fam.isdigit():
        doc.docdb_family = fam
    else:
        doc.family_id = fam
    doc.keep_id = True
    codes: dict[tuple[str, str], None] = {}
    parties = []
    for line, row in group:
        for scheme in ("cpc", "ipc"):
            for code in _SEP.split(row.get(scheme, "")):
                if code.strip():
                    codes[(scheme, code.strip())] = None
        role = row.get("role", "").lower()
        if not role and not row.get("name") and not row.get("country"):
            continue
        if role not in ROLES:
            raise ValueError(
                f"line {line}: role must be inventor or applicant, "
                f"not {row.get('role')!r}"
            )
        seq = row.get("sequence", "")
        parties.append(
            (
                int(seq) if seq.isdigit() else line,
                ROLES[role],
                row.get("name") or None,
                row.get("country") or None,
            )
        )
    doc.classes = list(codes)
    doc.parties = [
        (r, n, c) for _, r, n, c in sorted(parties, key=lambda p: (p[1], p[0]))
    ]
    return doc
