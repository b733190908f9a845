"""EPO OPS XML: ``exchange-documents`` (biblio) and ``patent-family`` responses.

Each ``exchange-document`` (or ``ops:family-member``) is one record.  Read:
the DOCDB family id (``family-id`` attribute), publication and application
references, priority claims, IPCR/IPC and CPC codes, applicants and inventors
— in the DOCDB format when present, else EPODOC, else as originally filed —
with their country taken from ``residence`` or from the ``[CC]`` suffix of
DOCDB/EPODOC names.  Several responses concatenated in one file are read in
turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from oncometrics.sources.base import LongLine, Record, Reject, clip, input_limits
from oncometrics.sources.patent_files import parse_members
from oncometrics.sources.patent_model import (
    PatentDoc,
    class_from_parts,
    split_cc_suffix,
)
from oncometrics.sources.patents_uspto import documents

NS = {"x": "http://www.epo.org/exchange", "ops": "http://ops.epo.org"}
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
)
_FORMATS = ("docdb", "docdba", "epodoc", "original")


def sniff(head: bytes) -> bool:
    """True for an OPS ``world-patent-data`` response or exchange documents."""
    return b"world-patent-data" in head or b"<exchange-documents" in head


def parse_stream(fh: IO[bytes], label: str) -> Iterator[Record | Reject]:
    """Records of one OPS XML stream (numbered from 1)."""
    no = 0
    too_long = input_limits().too_long
    for chunk in documents(fh):
        if isinstance(chunk, LongLine):
            no += 1
            yield Reject(no, f"{label}: {too_long(chunk.size)}", clip(chunk.head))
            continue
        try:
            root = etree.fromstring(chunk, _PARSER)
        except etree.XMLSyntaxError as exc:
            no += 1
            yield Reject(no, f"{label}: invalid XML ({exc.msg})", clip(chunk))
            continue
        for el in _records(root):
            no += 1
            try:
                doc = (
                    _family_member(el)
                    if str(el.tag).endswith("family-member")
                    else _exchange(el)
                )
                yield doc.record(no)
            except ValueError as exc:
                yield Reject(
                    no, f"{label}: {exc}", clip(etree.tostring(el, encoding="unicode"))
                )


def parse(path: Path) -> Iterator[Record | Reject]:
    """Parse an EPO OPS XML file (plain, gzip or zip members)."""
    return parse_members(path, [("epo", sniff, parse_stream)], only="epo")


def _records(root: etree._Element) -> Iterator[etree._Element]:
    for el in root.iter(
        f"{{{NS['x']}}}exchange-document", f"{{{NS['ops']}}}family-member"
    ):
        if (
            str(el.tag).endswith("family-member")
            and el.find("x:exchange-document", NS) is not None
        ):
            continue  # its exchange-document is a record of its own
        yield el


def _t(el: etree._Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


def _docid(el: etree._Element | None, kind: str) -> etree._Element | None:
    if el is None:
        return None
    return el.find(f"x:document-id[@document-id-type='{kind}']", NS)


def _exchange(el: etree._Element) -> PatentDoc:
    bib = el.find("x:bibliographic-data", NS)
    if bib is None:
        raise ValueError("exchange-document without bibliographic-data")
    pub = bib.find("x:publication-reference", NS)
    doc = _refs(el, pub, bib.find("x:application-reference", NS))
    doc.priorities = [
        _priority(p) for p in bib.iterfind("x:priority-claims/x:priority-claim", NS)
    ]
    titles = {
        t.get("lang", ""): " ".join((t.text or "").split())
        for t in bib.iterfind("x:invention-title", NS)
    }
    doc.title = titles.get("en") or next(iter(titles.values()), None)
    abstracts = {
        a.get("lang", ""): " ".join(" ".join(a.itertext()).split())
        for a in el.iterfind("x:abstract", NS)
    }
    doc.abstract = abstracts.get("en") or next(iter(abstracts.values()), None)
    for t in bib.iterfind("x:classifications-ipcr/x:classification-ipcr/x:text", NS):
        doc.classes.append(("ipc", t.text or ""))
    for t in bib.iterfind("x:classification-ipc/x:text", NS):
        doc.classes.append(("ipc", t.text or ""))
    for c in bib.iterfind("x:patent-classifications/x:patent-classification", NS):
        scheme = c.find("x:classification-scheme", NS)
        if scheme is None or not (scheme.get("scheme") or "").startswith("CPC"):
            continue
        code = class_from_parts(
            *(
                _t(c, f"x:{k}")
                for k in ("section", "class", "subclass", "main-group", "subgroup")
            )
        )
        if code:
            doc.classes.append(("cpc", code))
    parties = bib.find("x:parties", NS)
    if parties is not None:
        _parties(parties, doc)
    return doc


def _refs(
    el: etree._Element, pub: etree._Element | None, app: etree._Element | None
) -> PatentDoc:
    pd, pe = _docid(pub, "docdb"), _docid(pub, "epodoc")
    ad, ae = _docid(app, "docdb"), _docid(app, "epodoc")
    return PatentDoc(
        source="epo_ops",
        jurisdiction=_t(pd, "x:country") or el.get("country"),
        doc_number=_t(pd, "x:doc-number") or el.get("doc-number"),
        kind=_t(pd, "x:kind") or el.get("kind"),
        publication_date=_t(pd, "x:date") or _t(pe, "x:date"),
        application_number=(_t(ad, "x:country") or "") + (_t(ad, "x:doc-number") or "")
        or None,
        filing_date=_t(ad, "x:date") or _t(ae, "x:date"),
        docdb_family=el.get("family-id"),
    )


def _priority(p: etree._Element) -> tuple[str | None, str | None, str | None]:
    d = _docid(p, "docdb")
    if d is not None:
        return _t(d, "x:country"), _t(d, "x:doc-number"), _t(d, "x:date")
    e = _docid(p, "epodoc")
    num = _t(e, "x:doc-number")
    return (num[:2] if num else None), num, _t(e, "x:date")


def _family_member(el: etree._Element) -> PatentDoc:
    doc = _refs(
        el,
        el.find("x:publication-reference", NS),
        el.find("x:application-reference", NS),
    )
    doc.priorities = [_priority(p) for p in el.iterfind("x:priority-claim", NS)]
    return doc


def _parties(parties: etree._Element, doc: PatentDoc) -> None:
    for role, path, name_path in (
        ("applicant", "x:applicants/x:applicant", "x:applicant-name/x:name"),
        ("inventor", "x:inventors/x:inventor", "x:inventor-name/x:name"),
    ):
        rows = list(parties.iterfind(path, NS))
        for fmt in _FORMATS:
            chosen = [r for r in rows if r.get("data-format") == fmt]
            if chosen:
                break
        for r in chosen:
            raw = " ".join((_t(r, name_path) or "").split())
            name, cc = split_cc_suffix(raw)
            country = _t(r, "x:residence/x:country") or cc
            doc.parties.append((role, name or None, country))
