"""USPTO bulk grant XML (weekly ``ipg``/``ipgb`` files), zipped or not.

A weekly file is several XML documents concatenated, each starting with its
own ``<?xml …?>`` declaration; each ``us-patent-grant`` is one record.  Read:
publication and application references, IPCR and CPC codes, inventors and
applicants with their country (address, else residence), priority claims and
US provisional applications (both count as priorities).  USPTO gives no
DOCDB family, so the family is the earliest priority (see
:mod:`oncometrics.sources.patent_model`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from oncometrics.sources.base import (
    LongLine,
    Record,
    Reject,
    bounded_lines,
    clip,
    input_limits,
)
from oncometrics.sources.patent_files import parse_members
from oncometrics.sources.patent_model import PatentDoc, class_from_parts

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=True,
    recover=False,
)
ROOTS = (b"<us-patent-grant", b"<us-patent-application")
_DECL = re.compile(rb"<\?xml\s")


def sniff(head: bytes) -> bool:
    """True for USPTO grant (or application) XML."""
    return any(r in head for r in ROOTS)


def documents(fh: IO[bytes], limit: int | None = None) -> Iterator[bytes | LongLine]:
    """The concatenated XML documents of a bulk file, one bytes chunk each.

    A document starts at each XML declaration (``<?xml version=…``), also one
    glued to the end of the previous document's last line.  A document longer
    than `limit` bytes (default: the ``max_record_bytes`` setting) is read
    through without being kept and comes as a :class:`LongLine`.
    """
    limit = input_limits().record_bytes if limit is None else limit
    doc = _Doc(limit)
    for line in bounded_lines(fh, limit):
        m = None if isinstance(line, LongLine) else _DECL.search(line)
        if m is None:
            doc.add(line)
            continue
        assert isinstance(line, bytes)
        if m.start():
            doc.add(line[: m.start()])
        if (whole := doc.take()) is not None:
            yield whole
        doc.add(line[m.start() :])
    if (whole := doc.take()) is not None:
        yield whole


class _Doc:
    """The lines of one document, held up to `limit` bytes."""

    def __init__(self, limit: int):
        self.limit, self.size, self.head = limit, 0, b""
        self.buf: list[bytes] = []

    def add(self, line: bytes | LongLine) -> None:
        if isinstance(line, LongLine):
            self.size += line.size
            self.head = self.head or b"".join([*self.buf, line.head])[:2000]
            self.buf = []
            return
        self.size += len(line)
        if self.head:
            return
        self.buf.append(line)
        if self.size > self.limit:
            self.head, self.buf = b"".join(self.buf)[:2000], []

    def take(self) -> bytes | LongLine | None:
        """The document (None: only blanks), and start the next one."""
        out: bytes | LongLine | None = None
        if self.head:
            out = LongLine(self.size, self.head)
        elif any(b.strip() for b in self.buf):
            out = b"".join(self.buf)
        self.buf, self.size, self.head = [], 0, b""
        return out


def parse_stream(fh: IO[bytes], label: str) -> Iterator[Record | Reject]:
    """Records of one (decompressed) bulk XML stream; numbering from 1."""
    too_long = input_limits().too_long
    for no, chunk in enumerate(documents(fh), start=1):
        if isinstance(chunk, LongLine):
            yield Reject(no, f"{label}: {too_long(chunk.size)}", clip(chunk.head))
            continue
        try:
            root = etree.fromstring(chunk, _PARSER)
        except etree.XMLSyntaxError as exc:
            yield Reject(no, f"{label}: invalid XML ({exc.msg})", clip(chunk))
            continue
        if root.tag not in ("us-patent-grant", "us-patent-application"):
            yield Reject(
                no, f"{label}: not a USPTO patent document <{root.tag!s}>", clip(chunk)
            )
            continue
        try:
            yield _doc(root).record(no)
        except ValueError as exc:
            yield Reject(no, f"{label}: {exc}", clip(chunk))


def parse(path: Path) -> Iterator[Record | Reject]:
    """Parse a USPTO bulk XML file (plain, gzip or zip members)."""
    return parse_members(path, [("uspto", sniff, parse_stream)], only="uspto")


def _text(el: etree._Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    return found.text.strip() if found is not None and found.text else None


def _doc(root: etree._Element) -> PatentDoc:
    bib = root.find("us-bibliographic-data-grant")
    if bib is None:
        bib = root.find("us-bibliographic-data-application")
    if bib is None:
        raise ValueError("no bibliographic data")
    pub = bib.find("publication-reference/document-id")
    app = bib.find("application-reference/document-id")
    doc = PatentDoc(
        source="uspto",
        jurisdiction=_text(pub, "country") or "US",
        doc_number=_text(pub, "doc-number"),
        kind=_text(pub, "kind"),
        publication_date=_text(pub, "date"),
        application_number=(_text(app, "country") or "US")
        + (_text(app, "doc-number") or "")
        if _text(app, "doc-number")
        else None,
        filing_date=_text(app, "date"),
        title=" ".join(bib.findtext("invention-title", "").split()) or None,
    )
    for tag, scheme in (
        ("classifications-ipcr/classification-ipcr", "ipc"),
        ("classifications-cpc//classification-cpc", "cpc"),
    ):
        for c in bib.iterfind(tag):
            code = class_from_parts(
                *(
                    _text(c, k)
                    for k in ("section", "class", "subclass", "main-group", "subgroup")
                )
            )
            if code:
                doc.classes.append((scheme, code))
    for p in bib.iterfind("priority-claims/priority-claim"):
        doc.priorities.append(
            (_text(p, "country"), _text(p, "doc-number"), _text(p, "date"))
        )
    for p in bib.iterfind(
        "us-related-documents/us-provisional-application/document-id"
    ):
        doc.priorities.append(
            (_text(p, "country") or "US", _text(p, "doc-number"), _text(p, "date"))
        )
    _parents(bib, doc)
    abstract = root.find("abstract")
    if abstract is not None:
        doc.abstract = " ".join(" ".join(abstract.itertext()).split()) or None
    _parties(bib, doc)
    return doc


#: Related documents whose parent application is a domestic priority (35 USC
#: 120/121, 251): the parent's date dates the invention, as in DOCDB.
_PARENT_RELATIONS = ("continuation", "continuation-in-part", "division", "reissue")


def _parents(bib: etree._Element, doc: PatentDoc) -> None:
    """Parent applications of continuations, divisions and reissues."""
    for rel in _PARENT_RELATIONS:
        for p in bib.iterfind(f"us-related-documents/{rel}/relation/parent-doc"):
            d = p.find("document-id")
            ref = (
                _text(d, "country") or "US",
                _text(d, "doc-number"),
                _text(d, "date"),
            )
            if not ref[1] or not ref[2]:
                continue
            if rel == "reissue":
                doc.original = ref
            else:
                doc.priorities.append(ref)


def _party_name(book: etree._Element | None) -> str | None:
    if book is None:
        return None
    org = _text(book, "orgname")
    if org:
        return org
    names = [_text(book, "first-name"), _text(book, "last-name")]
    return " ".join(n for n in names if n) or None


def _parties(bib: etree._Element, doc: PatentDoc) -> None:
    parties = bib.find("us-parties")
    if parties is None:
        parties = bib.find("parties")
    if parties is None:
        return
    for role, tag in (
        ("applicant", ".//us-applicant"),
        ("applicant", "applicants/applicant"),
        ("inventor", "inventors/inventor"),
    ):
        for p in parties.iterfind(tag):
            book = p.find("addressbook")
            country = _text(book, "address/country") or _text(p, "residence/country")
            doc.parties.append((role, _party_name(book), country))
