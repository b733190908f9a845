"""One OpenAlex work object → rows of the canonical tables.

This is the per-record hot path of :mod:`oncometrics.sources.openalex`:
plain loops and inline type checks, no per-field helper calls where they
can be avoided.  Rows are tuples in the column order of
:data:`oncometrics.schema.TABLES` (see :mod:`oncometrics.sources.base`;
``Record.named()`` gives them as dicts).  Problems raise :class:`BadWork`
(the message is the reject reason); unexpected shapes deeper down surface as
"malformed <section>".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oncometrics.schema import TABLES
from oncometrics.sources.base import Record, clip, norm_award_id, norm_doi
from oncometrics.sources.checks import YEAR_MIN, year_max

#: The column order the rows below are built in; checked against the schema
#: at import (on a mismatch the rows are handed over as dicts instead).
COLUMNS: dict[str, tuple[str, ...]] = {
    "works": (
        "work_id", "source", "openalex_id", "doi", "pmid", "title",
        "publication_year", "publication_date", "doc_type", "source_title",
        "language", "cited_by_count", "citation_source", "citation_date",
        "primary_topic_id", "primary_subfield_id", "primary_field_id",
        "richness", "ingest_file", "record_no",
    ),
    "authorships": (
        "work_id", "author_position", "author_id", "author_name",
        "is_corresponding",
    ),
    "authorship_countries": ("work_id", "author_position", "country", "provenance"),
    "authorship_institutions": (
        "work_id", "author_position", "institution_id", "ror",
        "institution_name", "country_code", "institution_type",
    ),
    "affiliations": ("work_id", "author_position", "affiliation", "country"),
    "work_subjects": (
        "work_id", "scheme", "code", "label", "is_primary", "is_major", "score",
    ),
    "citations": ("work_id", "cited_work_id"),
    "citation_counts": ("work_id", "year", "cited_by_count"),
    "grants": ("work_id", "funder_id", "funder_name", "award_id", "award_id_norm"),
    "institutions": ("institution_id", "ror", "name", "country_code", "type"),
}  # fmt: skip
_POSITIONAL = all(tuple(TABLES[t].names) == c for t, c in COLUMNS.items())
#: OpenAlex country codes folded into China, as the affiliation-text parser
#: (``countries.country_from_affiliation``) does by default (Leiden convention).
FOLD_TO_CN: dict[str, str] = {"HK": "CN", "MO": "CN"}
Row = tuple[Any, ...]

#: Crossref-era ``type`` values of old snapshots → current OpenAlex types.
TYPE_ALIASES: dict[str, str] = {
    "journal-article": "article",
    "proceedings-article": "article",
    "posted-content": "preprint",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-part": "book-chapter",
    "book-section": "book-chapter",
    "component": "other",
}
LIST_FIELDS = (
    "authorships",
    "referenced_works",
    "counts_by_year",
    "topics",
    "mesh",
    "grants",
    "awards",
    "funders",
)
TEXT_FIELDS = ("title", "display_name", "publication_date", "language", "type")
_I32 = 2**31
_YMAX = year_max()  # the latest plausible year (read once per process)
_I64 = 2**63
_AFF_CACHE_MAX = 200_000
_EMPTY: dict[str, Any] = {}
_DOI = "https://doi.org/"
_TXT = frozenset((str, type(None)))
_MISS: Any = object()
_LIST = frozenset((list, type(None)))


class BadWork(Exception):
    """A record-level problem; the message is the reject reason."""


#: Countries parsed from affiliation strings, per parser function, shared by
#: all files (each cleared when it exceeds _AFF_CACHE_MAX entries).
_AFF_CACHES: dict[Callable[[str], str | None], dict[str, str | None]] = {}


class Context:
    """Per-file state: file name, institutions seen, affiliation parser."""

    __slots__ = ("aff", "country", "file", "institutions")

    def __init__(self, file: str, country: Callable[[str], str | None] | None):
        self.file = file
        self.country = country
        self.institutions: set[str] = set()
        self.aff = _AFF_CACHES.setdefault(country, {}) if country else {}

    def aff_country(self, text: str) -> str | None:
        """Country parsed from an affiliation string (cached)."""
        aff = self.aff
        if text in aff:
            return aff[text]
        if len(aff) > _AFF_CACHE_MAX:
            aff.clear()
        code = self.country(text) if self.country is not None else None
        aff[text] = code
        return code


def kind(value: Any) -> str:
    """'an object', 'a list', … for messages about JSON values."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    names |= {int: "an integer", float: "a number"}
    return names.get(type(value), "null")


def _wrong(what: str, value: Any) -> Any:
    raise TypeError(f"{what} is {kind(value)} {clip(repr(value), 40)}, not text")


def _first_wrong(where: str, **values: Any) -> None:
    for what, v in values.items():
        if type(v) not in _TXT:
            _wrong(f"{where} {what}", v)


def work_record(w: dict[str, Any], no: int, ctx: Context) -> Record:
    """Map one work object to canonical rows (raises :class:`BadWork`)."""
    wid, year, cites = _check(w)
    section = "work"
    try:
        vals = _work_values(w, wid, year, cites)
        rows: dict[str, list[Row]] = {}
        section = "authorships"
        n = _authorships(w.get("authorships") or (), wid, rows, ctx)
        section = "subjects"
        rows["work_subjects"] = subj = _subjects(w, wid)
        section = "referenced_works"
        refs = w.get("referenced_works")
        rows["citations"] = cit = (
            [(wid, r.rpartition("/")[2]) for r in refs if r] if refs else []
        )
        section = "counts_by_year"
        cnt = w.get("counts_by_year")
        rows["citation_counts"] = cnt = _counts(cnt, wid) if cnt else []
        section = "grants"
        g = w.get("grants") or w.get("awards") or w.get("funders")
        rows["grants"] = grants = _grants(w, wid) if g else []
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BadWork(f"malformed {section} ({msg})") from None
    # Same count as base.richness (non-empty fields + child rows), inlined;
    # ingest_file and record_no are never empty.
    facts = len(vals) + 2 - vals.count(None) - vals.count("")
    rich = facts + n + len(subj) + len(cit) + len(cnt) + len(grants)
    rows["works"] = [(*vals, rich, ctx.file, no)]
    if not _POSITIONAL:  # the schema changed: hand over rows by name
        return Record(no, rows).named_as(COLUMNS)  # type: ignore[arg-type]
    return Record(no, rows)  # type: ignore[arg-type]


def _check(w: dict[str, Any]) -> tuple[str, int | None, int | None]:
    """The work id, year and citation count; BadWork for wrong top-level types."""
    raw_id = w.get("id")
    if type(raw_id) is not str:
        raise BadWork("missing 'id'" if raw_id is None else f"id is {kind(raw_id)}")
    wid = raw_id.rpartition("/")[2]
    if wid[:1] != "W" or not wid[1:].isdigit():
        raise BadWork(f"id {clip(raw_id, 60)!r} is not an OpenAlex work id (W…)")
    year = w.get("publication_year")
    if year is not None and (type(year) is not int or not YEAR_MIN <= year <= _YMAX):
        if type(year) is not int:
            raise BadWork(f"publication_year is {clip(repr(year), 40)}, not an integer")
        raise BadWork(
            f"publication_year: {clip(repr(year), 40)} is not a year "
            f"in {YEAR_MIN}..{_YMAX}"
        )
    cites = w.get("cited_by_count")
    if cites is not None and (type(cites) is not int or not 0 <= cites < _I64):
        raise BadWork(f"cited_by_count is {clip(repr(cites), 40)}, not a count")
    get = w.get
    for key in TEXT_FIELDS:
        if type(get(key)) not in _TXT:
            raise BadWork(f"{key} is {kind(get(key))}, not a string")
    for key in LIST_FIELDS:
        if type(get(key)) not in _LIST:
            raise BadWork(f"{key} is {kind(get(key))}, not a list")
    return wid, year, cites


def _day(value: Any) -> str | None:
    """The date part of an ISO timestamp ('2025-05-02T06:28:07' -> '2025-05-02')."""
    return value[:10] or None if type(value) is str else None


def _work_values(
    w: dict[str, Any], wid: str, year: int | None, cites: int | None
) -> list[Any]:
    """The ``works`` values up to ``primary_field_id`` (schema order)."""
    ids = w.get("ids") or _EMPTY
    pmid = ids.get("pmid")
    if pmid is not None:
        pmid = str(pmid).rpartition("/")[2]
        if not pmid.isdigit():
            pmid = "".join(c for c in pmid if c.isdigit()) or None
    doi = w.get("doi") or ids.get("doi")
    if doi:
        if doi.startswith(_DOI):
            doi = doi[16:].strip().lower() or None
        else:
            doi = norm_doi(doi)
    doc_type = w.get("type")
    pt = w.get("primary_topic") or _EMPTY
    sub = pt.get("subfield") or _EMPTY
    field = pt.get("field") or _EMPTY
    src = (w.get("primary_location") or _EMPTY).get("source") or _EMPTY
    journal = src.get("display_name")
    if journal is not None and type(journal) is not str:
        _wrong("source display_name", journal)
    return [
        wid,
        "openalex",
        wid,
        doi or None,
        pmid,
        w.get("title") or w.get("display_name"),
        year,
        w.get("publication_date"),
        TYPE_ALIASES.get(doc_type, doc_type) if doc_type else None,
        journal,
        w.get("language"),
        cites,
        "openalex",
        _day(w.get("updated_date")),
        pt["id"].rpartition("/")[2] if pt.get("id") else None,
        sub["id"].rpartition("/")[2] if sub.get("id") else None,
        field["id"].rpartition("/")[2] if field.get("id") else None,
    ]


def _authorships(auths: Any, wid: str, rows: dict[str, list[Row]], ctx: Context) -> int:
    """Authorships and their countries, institutions, affiliation strings.

    One loop with the institution and affiliation loops inlined: this is
    where most rows of a work come from.  Affiliation strings are parsed for
    a country only when the authorship has no other country source.
    """
    au: list[Row] = []
    countries: list[Row] = []
    insts: list[Row] = []
    affs: list[Row] = []
    new_inst: list[Row] = []
    seen, aff_cache, parse_aff, fold = (
        ctx.institutions,
        ctx.aff,
        ctx.country,
        FOLD_TO_CN,
    )
    for pos, a in enumerate(auths, 1):
        get = a.get
        author = get("author") or _EMPTY
        aid = author.get("id")
        name = author.get("display_name") or get("raw_author_name")
        if type(name) not in _TXT:
            _wrong("author name", name)
        corr = get("is_corresponding")
        au.append(
            (
                wid,
                pos,
                aid.rpartition("/")[2] if aid else None,
                name,
                corr if type(corr) is bool else None,
            )
        )
        inst_cc: list[str] = []
        for inst in get("institutions") or ():
            iid, ror = inst.get("id"), inst.get("ror")
            cc, iname, itype = (
                inst.get("country_code"),
                inst.get("display_name"),
                inst.get("type"),
            )
            if (
                type(cc) not in _TXT
                or type(iname) not in _TXT
                or type(itype) not in _TXT
            ):
                _first_wrong(
                    "institution", country_code=cc, display_name=iname, type=itype
                )
            ror = ror.rpartition("/")[2] if ror else None
            iid = iid.rpartition("/")[2] if iid else ("ror:" + ror if ror else None)
            if cc:
                cc = fold.get(cc, cc)
                inst_cc.append(cc)
            if iid is None:
                continue
            insts.append((wid, pos, iid, ror, iname, cc, itype))
            if iid not in seen:
                seen.add(iid)
                new_inst.append((iid, ror, iname, cc, itype))
        listed = get("countries")
        need = parse_aff is not None and not listed and not inst_cc
        raws = get("raw_affiliation_strings")
        if raws is None:  # old snapshots: one string
            raws = get("raw_affiliation_string")
        parsed: list[str | None] = []
        for text in [raws] if type(raws) is str else raws or ():
            if not text:
                continue
            if type(text) is not str:
                _wrong("raw affiliation", text)
            code = None
            if need:
                code = aff_cache.get(text, _MISS)
                if code is _MISS:
                    code = ctx.aff_country(text)
                parsed.append(code)
            affs.append((wid, pos, text, code))
        if listed:
            codes: Any = [listed] if type(listed) is str else listed
            prov = "openalex_countries"
        elif inst_cc:
            codes, prov = inst_cc, "institution"
        else:
            codes, prov = parsed, "affiliation_text"
        if len(codes) == 1:
            code = codes[0]
            if code:
                if type(code) is not str:
                    _wrong("country", code)
                countries.append((wid, pos, fold.get(code, code), prov))
        elif codes:
            _add_countries(countries, codes, wid, pos, prov)
    rows["authorships"] = au
    rows["authorship_countries"] = countries
    rows["authorship_institutions"] = insts
    rows["affiliations"] = affs
    rows["institutions"] = new_inst
    return len(au) + len(countries) + len(insts) + len(affs)


def _add_countries(
    out: list[Row], codes: list[Any], wid: str, pos: int, prov: str
) -> None:
    """One row per distinct (folded) country code of an authorship."""
    done: list[str] = []
    for code in codes:
        if code:
            if type(code) is not str:
                _wrong("country", code)
            code = FOLD_TO_CN.get(code, code)
            if code not in done:
                done.append(code)
                out.append((wid, pos, code, prov))


def _subjects(w: dict[str, Any], wid: str) -> list[Row]:
    """MeSH descriptors, OpenAlex topics and the primary subfield/field."""
    mesh = w.get("mesh")
    out: list[Row] = _mesh(mesh, wid) if mesh else []
    pt = w.get("primary_topic") or _EMPTY
    primary = pt.get("id")
    primary = primary.rpartition("/")[2] if primary else None
    for t in w.get("topics") or ([pt] if primary else ()):
        code = t.get("id")
        if not code:
            continue
        code = code.rpartition("/")[2]
        label, score = t.get("display_name"), t.get("score")
        if label is not None and type(label) is not str:
            _wrong("topic display_name", label)
        out.append(
            (
                wid,
                "openalex_topic",
                code,
                label,
                code == primary,
                None,
                float(score) if type(score) in (int, float) else None,
            )
        )
    if primary:
        for scheme, key in (
            ("openalex_subfield", "subfield"),
            ("openalex_field", "field"),
        ):
            part = pt.get(key) or _EMPTY
            code = part.get("id")
            if code:
                label = part.get("display_name")
                if label is not None and type(label) is not str:
                    _wrong(f"{key} display_name", label)
                out.append(
                    (wid, scheme, code.rpartition("/")[2], label, True, None, None)
                )
    return out


def _mesh(items: list[Any], wid: str) -> list[Row]:
    """One row per MeSH descriptor (qualifier rows merged, major if any is)."""
    found: dict[str, list[Any]] = {}
    for m in items:
        ui, label = m.get("descriptor_ui"), m.get("descriptor_name")
        if not ui:
            continue
        for what, v in (("descriptor_ui", ui), ("descriptor_name", label)):
            if v is not None and type(v) is not str:
                _wrong(what, v)
        major = m.get("is_major_topic") is True
        if ui in found:
            found[ui][1] = found[ui][1] or major
        else:
            found[ui] = [label, major]
    return [
        (wid, "mesh", ui, label, None, major, None)
        for ui, (label, major) in found.items()
    ]


def _counts(items: Any, wid: str) -> list[Row]:
    """Citations received per year."""
    out: list[Row] = []
    for c in items:
        year, n = c.get("year"), c.get("cited_by_count")
        if type(year) is not int or not -_I32 < year < _I32:
            raise TypeError(f"year {clip(repr(year), 30)} is not an integer")
        if n is not None and (type(n) is not int or not 0 <= n < _I64):
            raise TypeError(f"cited_by_count {clip(repr(n), 30)} is not a count")
        out.append((wid, year, n))
    return out


def _grants(w: dict[str, Any], wid: str) -> list[Row]:
    """Legacy ``grants`` and newer ``awards``/``funders``: one row per award."""
    found: dict[tuple[str | None, str | None], Row] = {}
    triples = [
        (g.get("funder"), g.get("funder_display_name"), g.get("award_id"))
        for g in w.get("grants") or ()
    ]
    triples += [
        (a.get("funder_id"), a.get("funder_display_name"), a.get("funder_award_id"))
        for a in w.get("awards") or ()
        if type(a) is dict
    ]
    for funder, name, award in triples:
        _add_grant(found, wid, funder, name, award)
    funded = {fid for fid, _ in found}
    for f in w.get("funders") or ():
        fid = f.get("id") if type(f) is dict else None
        if fid and fid.rpartition("/")[2] not in funded:
            _add_grant(found, wid, fid, f.get("display_name"), None)
    return list(found.values())


def _add_grant(
    found: dict[tuple[str | None, str | None], Row],
    wid: str,
    funder: Any,
    name: Any,
    award: Any,
) -> None:
    for what, v in (("funder", funder), ("funder name", name), ("award id", award)):
        if v is not None and type(v) is not str:
            _wrong(what, v)
    fid = funder.rpartition("/")[2] if funder else None
    award = award.strip() if award else None
    norm = norm_award_id(award)
    if (fid or award) and (fid, norm) not in found:
        found[(fid, norm)] = (wid, fid, name, award or None, norm)
