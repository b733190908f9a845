"""The one flattening of OpenAlex works into the canonical tables, in Ibis.

:func:`flatten` maps a table of raw works (:data:`RAW_SCHEMA`: the fields
:mod:`oncometrics.sources.openalex_work` reads, typed, plus the file name and
the 1-based record number) to one Ibis table per canonical table
(:data:`oncometrics.schema.TABLES` columns, plus ``_file`` and ``_rec``).
The expressions are engine-neutral: the same code runs on DuckDB (the bulk
ingest of one machine, :mod:`oncometrics.sources.openalex_bulk`) and on
Spark.  The rows equal those of the Python parser (``work_record``) for
every work that passes :func:`clean` — the checks that a raw work is in the
shape handled here exactly like the Python parser handles it; a reader
sends a file with any work that fails them to the Python parser, which
rejects bad records with their reasons.

What SQL cannot do exactly — the country parsed from an affiliation string
by a Python function — is a small post-step on distinct values:
:func:`affiliations_to_parse` gives the strings that need a country;
the caller parses them (:func:`parse_affiliations`) and passes the result
back to :func:`flatten` as ``aff_countries``.

The reader must deliver typed values (a JSON number where text is expected
is not text), no null elements in lists the Python parser would fail on
(:func:`clean` checks them), and :data:`RAW_SCHEMA`'s column types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
from ibis.formats.pyarrow import PyArrowType

from oncometrics.schema import TABLES
from oncometrics.sources.checks import YEAR_MIN, year_max
from oncometrics.sources.openalex_work import COLUMNS, FOLD_TO_CN, TYPE_ALIASES

_S = "string"
_NAMED = dt.Struct({"id": _S, "display_name": _S})
#: The raw work as read, typed: only the fields the Python parser reads.
RAW_WORK: dict[str, Any] = {
    "id": _S,
    "doi": _S,
    "title": _S,
    "display_name": _S,
    "publication_year": "int64",
    "publication_date": _S,
    "ids": dt.Struct({"doi": _S, "pmid": _S}),
    "language": _S,
    "type": _S,
    "primary_location": dt.Struct({"source": dt.Struct({"display_name": _S})}),
    "authorships": dt.Array(
        dt.Struct(
            {
                "author": _NAMED,
                "institutions": dt.Array(
                    dt.Struct(
                        {
                            "id": _S,
                            "ror": _S,
                            "display_name": _S,
                            "country_code": _S,
                            "type": _S,
                        }
                    )
                ),
                "countries": dt.Array(dt.string),
                "is_corresponding": "boolean",
                "raw_author_name": _S,
                "raw_affiliation_strings": dt.Array(dt.string),
                "raw_affiliation_string": _S,
            }
        )
    ),
    "cited_by_count": "int64",
    "updated_date": _S,
    "primary_topic": dt.Struct(
        {
            "id": _S,
            "display_name": _S,
            "score": "float64",
            "subfield": _NAMED,
            "field": _NAMED,
        }
    ),
    "topics": dt.Array(dt.Struct({"id": _S, "display_name": _S, "score": "float64"})),
    "mesh": dt.Array(
        dt.Struct(
            {"descriptor_ui": _S, "descriptor_name": _S, "is_major_topic": "boolean"}
        )
    ),
    "grants": dt.Array(
        dt.Struct({"funder": _S, "funder_display_name": _S, "award_id": _S})
    ),
    "awards": dt.Array(
        dt.Struct({"funder_id": _S, "funder_display_name": _S, "funder_award_id": _S})
    ),
    "funders": dt.Array(_NAMED),
    "referenced_works": dt.Array(dt.string),
    "counts_by_year": dt.Array(dt.Struct({"year": "int64", "cited_by_count": "int64"})),
}
#: Columns the reader adds: the file as given and the 1-based record number.
META: dict[str, Any] = {"ingest_file": _S, "record_no": "int64"}
#: The schema of the table :func:`flatten` reads.
RAW_SCHEMA = ibis.schema({**RAW_WORK, **META})
#: The table of affiliation strings → parsed country given to :func:`flatten`.
AFF_SCHEMA = ibis.schema({"affiliation": _S, "country": _S})
#: The canonical tables :func:`flatten` gives (``works`` last).
OUTPUTS = (*(t for t in COLUMNS if t != "works"), "works")
#: Columns every output table carries besides its canonical columns.
KEYS = ("_file", "_rec")
_I32 = 2**31
_I64 = 2**63
_ANY = "(?s)"  # '.' matches newlines too (RE2 and Java)


# ------------------------------------------------------------- small helpers
def _full(x: ir.StringValue) -> ir.BooleanValue:
    """Non-null and non-empty (Python truthiness of a string)."""
    return x.notnull() & (x.length() > 0)


def _last(x: ir.StringValue) -> ir.StringValue:
    """``x.rpartition('/')[2]`` when `x` is non-empty, else null."""
    return ibis.ifelse(_full(x), x.re_replace(_ANY + r"^.*/", ""), ibis.null(_S))


def _fold(x: ir.StringValue) -> ir.StringValue:
    """Hong Kong and Macao folded into China (:data:`FOLD_TO_CN`)."""
    return x.substitute(FOLD_TO_CN, else_=x)


def _has(arr: ir.ArrayValue) -> ir.BooleanValue:
    """A non-empty list (Python truthiness of a list)."""
    return arr.notnull() & (arr.length() > 0)


def _unnest(t: ir.Table, col: str, pos: str) -> ir.Table:
    """`t` with list `col` unnested, `pos` the 0-based index of each element.

    (The index is carried by ``map`` with an index: Ibis compiles
    ``unnest(offset=…)`` on DuckDB to a zip of the list with a range, ten
    times slower on lists of structs.)
    """
    pair = t[col].map(lambda e, i: ibis.struct({"e": e, "i": i}))
    u = t.mutate(**{col: pair.unnest()})
    return u.mutate(**{col: u[col].e, pos: u[col].i})


def _explode(t: ir.Table, col: str) -> ir.Table:
    """`t` with list `col` unnested (in the projection, not a lateral join)."""
    return t.mutate(**{col: t[col].unnest()})


def _typed(table: str, t: ir.Table, **exprs: Any) -> ir.Table:
    """`t` projected on the schema columns of `table` (cast) plus the keys."""
    cols = {f.name: exprs[f.name] for f in TABLES[table]}
    out = {
        name: (ibis.literal(v) if not isinstance(v, ir.Value) else v)
        .cast(PyArrowType.to_ibis(TABLES[table].field(name).type))
        .name(name)
        for name, v in cols.items()
    }
    return t.select(_file=t._file, _rec=t._rec, **out)


def _renamed(table: str, t: ir.Table, spec: str) -> ir.Table:
    """:func:`_typed` of columns of `t` named by `spec`: ``column=source`` or
    ``column`` (same name in `t`), separated by blanks."""
    pairs = (item.partition("=") for item in spec.split())
    return _typed(table, t, **{col: t[src or col] for col, _, src in pairs})


# ------------------------------------------------------------------- flatten
#: The intermediate tables :func:`flatten` reads more than once, in order:
#: the works with their id, one row per authorship, per institution of an
#: authorship, per affiliation string.
STEPS = ("w", "au", "insts", "affs")


def flatten(
    raw: ir.Table,
    aff_countries: ir.Table | None = None,
    bind: Callable[[str, ir.Table], ir.Table] | None = None,
) -> dict[str, ir.Table]:
    """The canonical tables of the works in `raw` (see the module docstring).

    Parameters
    ----------
    raw
        Works with the columns of :data:`RAW_SCHEMA` (extra columns ignored),
        all passing :func:`clean`.
    aff_countries
        Affiliation string → country (:data:`AFF_SCHEMA`), the parsed
        countries of :func:`affiliations_to_parse`; None when no parser
        (then no ``affiliation_text`` countries, like the Python parser
        without one).
    bind
        Called with the name and expression of each table of :data:`STEPS`,
        in order; what it returns is used in its place (an engine may
        materialise the table once and return a table of the same schema
        reading it).  Default: the expressions themselves.
    """
    keep = bind or (lambda _name, t: t)
    w = keep("w", _base(raw))
    au = keep("au", _authorships_base(w, aff_countries is not None))
    insts = keep("insts", _institution_rows(au))
    affs = keep("affs", _affiliation_rows(au, aff_countries))
    kept = insts.filter(insts.iid.notnull())
    out: dict[str, ir.Table] = {
        "authorships": _authorships(au),
        "authorship_countries": _countries(au, insts, affs),
        "authorship_institutions": _renamed(
            "authorship_institutions",
            kept,
            "work_id=wid author_position=pos institution_id=iid ror "
            "institution_name=iname country_code=cc institution_type=itype",
        ),
        "affiliations": _renamed(
            "affiliations",
            affs,
            "work_id=wid author_position=pos affiliation=text country",
        ),
        "work_subjects": _subjects(w),
        "citations": _citations(w),
        "citation_counts": _counts(w),
        "grants": _grants(w),
        "institutions": _institutions(insts),
    }
    out["works"] = works_table(raw, out)
    return out


def works_table(raw: ir.Table, children: dict[str, ir.Table]) -> ir.Table:
    """The ``works`` rows; `children`: the other tables of :func:`flatten`.

    Richness counts the child rows, so an engine may materialise the child
    tables first and pass them here (``flatten`` passes its expressions).
    """
    return _works(_base(raw), children)


def _base(raw: ir.Table) -> ir.Table:
    return raw.mutate(_file=raw.ingest_file, _rec=raw.record_no, wid=_last(raw.id))


def _works(w: ir.Table, children: dict[str, ir.Table]) -> ir.Table:
    ids, pt = w.ids, w.primary_topic
    vals = {
        "doi": _doi(ibis.coalesce(w.doi.nullif(""), ids.doi.nullif(""))),
        "pmid": _pmid(ids.pmid),
        "title": ibis.coalesce(w.title.nullif(""), w.display_name),
        "publication_year": w.publication_year,
        "publication_date": w.publication_date,
        "doc_type": ibis.ifelse(
            _full(w["type"]), w["type"].substitute(TYPE_ALIASES, else_=w["type"]), None
        ),
        "source_title": w.primary_location.source.display_name,
        "language": w.language,
        "cited_by_count": w.cited_by_count,
        "citation_date": w.updated_date.substr(0, 10).nullif(""),
        "primary_topic_id": _last(pt.id),
        "primary_subfield_id": _last(pt.subfield.id),
        "primary_field_id": _last(pt.field.id),
    }
    facts = ibis.literal(6)  # work_id, source, openalex_id, citation_source, file, no
    for v in vals.values():
        full = _full(v) if v.type().is_string() else v.notnull()
        facts = facts + full.cast("int32")
    rich = _child_counts(children)
    j = w.mutate(_facts=facts, **{f"v_{k}": v for k, v in vals.items()})
    j = j.left_join(rich, ["_file", "_rec"]).select(*j.columns, _n=rich._n)
    return _typed(
        "works",
        j,
        work_id=j.wid,
        source="openalex",
        openalex_id=j.wid,
        **{k: j[f"v_{k}"] for k in vals},
        citation_source="openalex",
        richness=j._facts + j._n.fill_null(0),
        ingest_file=j._file,
        record_no=j._rec,
    )


#: The child tables whose rows count in a work's richness (all but the work
#: itself and the per-file institutions).
_RICH = tuple(t for t in COLUMNS if t not in ("works", "institutions"))


def _first_per(t: ir.Table, group_by: Any, order_by: Any) -> ir.Table:
    """The first row of each group of `t` in `order_by` order (``_n`` = 0)."""
    first = ibis.row_number().over(group_by=group_by, order_by=order_by)
    return t.mutate(_n=first).filter(lambda r: r._n == 0)


def _child_counts(children: dict[str, ir.Table]) -> ir.Table:
    """Child rows per work (the richness of :func:`work_record`)."""
    keys = [children[t].select("_file", "_rec") for t in _RICH]
    return (
        ibis.union(*keys, distinct=False)
        .group_by(["_file", "_rec"])
        .agg(_n=ibis._.count())
    )


def _doi(d: ir.StringValue) -> ir.StringValue:
    """DOI as ``_work_values`` normalises it (ASCII input, see :func:`clean`).

    ``norm_doi`` strips its prefixes one after the other, in order: the
    optional groups of :data:`_DOI_PREFIXES`, matched greedily, do the same.
    """
    fast = d.substr(len(_DOI)).strip().lower()
    plain = d.lower().re_replace(_DOI_PREFIXES, "")
    return ibis.ifelse(d.startswith(_DOI), fast, plain).nullif("")


_DOI = "https://doi.org/"
_DOI_PREFIXES = (
    r"^(https://doi\.org/)?(http://doi\.org/)?(http://dx\.doi\.org/)?"
    r"(https://dx\.doi\.org/)?(doi:)?"
)


def _pmid(p: ir.StringValue) -> ir.StringValue:
    tail = p.re_replace(_ANY + r"^.*/", "")
    digits = tail.re_replace("[^0-9]", "").nullif("")
    return ibis.ifelse(tail.re_search("^[0-9]+$"), tail, digits)


# -------------------------------------------------------------- authorships
def _authorships_base(w: ir.Table, parse: bool) -> ir.Table:
    """One row per authorship: position, the element, its country sources."""
    t = w.select("_file", "_rec", "wid", a=w.authorships)
    t = _unnest(t, "a", "_k")
    a = t.a
    inst_cc = a.institutions.filter(lambda i: _full(i.country_code)).length()
    listed = _has(a.countries)
    has_cc = inst_cc.fill_null(0) > 0
    need = ~listed & ~has_cc if parse else ibis.literal(False)
    return t.mutate(
        pos=(t._k + 1).cast("int32"), listed=listed, has_cc=has_cc, need=need
    )


def _authorships(au: ir.Table) -> ir.Table:
    a = au.a
    return _typed(
        "authorships",
        au,
        work_id=au.wid,
        author_position=au.pos,
        author_id=_last(a.author.id),
        author_name=ibis.coalesce(a.author.display_name.nullif(""), a.raw_author_name),
        is_corresponding=a.is_corresponding,
    )


def _institution_rows(au: ir.Table) -> ir.Table:
    """Every institution of every authorship (``iid`` null: no row)."""
    t = au.select("_file", "_rec", "wid", "pos", "listed", i=au.a.institutions)
    t = _unnest(t, "i", "_j")
    i = t.i
    ror = _last(i.ror)
    iid = ibis.coalesce(_last(i.id), ibis.ifelse(_full(ror), "ror:" + ror, None))
    cc = i.country_code
    cc = ibis.ifelse(_full(cc), _fold(cc), cc)
    return t.select(
        "_file",
        "_rec",
        "wid",
        "pos",
        "listed",
        "_j",
        iid=iid,
        ror=ror,
        iname=i.display_name,
        cc=cc,
        itype=i["type"],
    )


def _affiliation_rows(au: ir.Table, aff: ir.Table | None) -> ir.Table:
    """Non-empty affiliation strings, with the parsed country when needed."""
    a = au.a
    one = ibis.array([a.raw_affiliation_string])
    raws = ibis.ifelse(
        a.raw_affiliation_strings.isnull(), one, a.raw_affiliation_strings
    )
    t = au.select("_file", "_rec", "wid", "pos", "need", text=raws)
    t = _unnest(t, "text", "_j").filter(lambda r: _full(r.text))
    if aff is None:
        return t.mutate(country=ibis.null(_S))
    m = aff.select(_t=aff.affiliation, _c=aff.country)
    j = t.left_join(m, t.text == m._t)
    return j.select(
        "_file",
        "_rec",
        "wid",
        "pos",
        "need",
        "_j",
        "text",
        country=ibis.ifelse(j.need, j._c, ibis.null(_S)),
    )


def _countries(au: ir.Table, insts: ir.Table, affs: ir.Table) -> ir.Table:
    """Resolved countries: listed, else institutions', else parsed text."""
    listed = au.filter(au.listed).select(
        "_file", "_rec", "wid", "pos", c=au.a.countries
    )
    listed = _unnest(listed, "c", "_j").mutate(prov=ibis.literal("openalex_countries"))
    inst = insts.filter(~insts.listed & _full(insts.cc)).select(
        "_file",
        "_rec",
        "wid",
        "pos",
        "_j",
        c=insts.cc,
        prov=ibis.literal("institution"),
    )
    text = affs.filter(affs.need & _full(affs.country)).select(
        "_file",
        "_rec",
        "wid",
        "pos",
        "_j",
        c=affs.country,
        prov=ibis.literal("affiliation_text"),
    )
    cols = ["_file", "_rec", "wid", "pos", "_j", "c", "prov"]
    u = ibis.union(listed.select(*cols), inst.select(*cols), text.select(*cols))
    u = u.filter(_full(u.c)).mutate(c=_fold(u.c))
    u = _first_per(u, [u._file, u._rec, u.pos, u.c], u._j)
    return _renamed(
        "authorship_countries",
        u,
        "work_id=wid author_position=pos country=c provenance=prov",
    )


def _institutions(insts: ir.Table) -> ir.Table:
    """Each institution once per file, as first met (record, position, order)."""
    t = insts.filter(insts.iid.notnull())
    t = _first_per(t, [t._file, t.iid], [t._rec, t.pos, t._j])
    return _renamed(
        "institutions",
        t,
        "institution_id=iid ror name=iname country_code=cc type=itype",
    )


# ------------------------------------------------------------------ subjects
def _subjects(w: ir.Table) -> ir.Table:
    pt = w.primary_topic
    primary = _last(pt.id)
    w = w.mutate(_primary=primary)
    parts = [_mesh(w), _topics(w)]
    for scheme, key in (("openalex_subfield", "subfield"), ("openalex_field", "field")):
        part = w.primary_topic[key]
        t = w.filter(_full(w._primary) & _full(part.id))
        parts.append(
            t.select(
                "_file",
                "_rec",
                work_id=t.wid,
                scheme=ibis.literal(scheme),
                code=_last(part.id),
                label=part.display_name,
                is_primary=ibis.literal(True),
                is_major=ibis.null("boolean"),
                score=ibis.null("float64"),
            )
        )
    cols = ["_file", "_rec", *TABLES["work_subjects"].names]
    u = ibis.union(*[p.select(*cols) for p in parts], distinct=False)
    return _typed(
        "work_subjects", u, **{c: u[c] for c in TABLES["work_subjects"].names}
    )


def _mesh(w: ir.Table) -> ir.Table:
    """One row per descriptor: the first label, major if any row is."""
    t = _unnest(w.select("_file", "_rec", "wid", m=w.mesh), "m", "_j")
    t = t.filter(_full(t.m.descriptor_ui))
    ui = t.m.descriptor_ui
    grp = [t._file, t._rec, ui]
    major = (t.m.is_major_topic == True).fill_null(False).cast("int32")  # noqa: E712
    t = t.mutate(
        _n=ibis.row_number().over(group_by=grp, order_by=t._j),
        _major=major.max().over(group_by=grp),
    ).filter(lambda r: r._n == 0)
    return t.select(
        "_file",
        "_rec",
        work_id=t.wid,
        scheme=ibis.literal("mesh"),
        code=t.m.descriptor_ui,
        label=t.m.descriptor_name,
        is_primary=ibis.null("boolean"),
        is_major=t._major > 0,
        score=ibis.null("float64"),
    )


def _topics(w: ir.Table) -> ir.Table:
    """Topics, or the primary topic alone when there are none."""
    pt = w.primary_topic
    own = ibis.struct({"id": pt.id, "display_name": pt.display_name, "score": pt.score})
    alone = ibis.ifelse(
        _full(w._primary),
        ibis.array([own]),
        ibis.literal([], type=dt.Array(own.type())),
    )
    topics = ibis.ifelse(_has(w.topics), w.topics.cast(dt.Array(own.type())), alone)
    t = w.select("_file", "_rec", "wid", "_primary", t=topics).pipe(_explode, "t")
    t = t.filter(_full(t.t.id))
    code = _last(t.t.id)
    return t.select(
        "_file",
        "_rec",
        work_id=t.wid,
        scheme=ibis.literal("openalex_topic"),
        code=code,
        label=t.t.display_name,
        is_primary=(code == t._primary).fill_null(False),
        is_major=ibis.null("boolean"),
        score=t.t.score,
    )


# ------------------------------------------------------- citations and grants
def _citations(w: ir.Table) -> ir.Table:
    t = w.select("_file", "_rec", "wid", r=w.referenced_works).pipe(_explode, "r")
    t = t.filter(_full(t.r))
    return _typed("citations", t, work_id=t.wid, cited_work_id=_last(t.r))


def _counts(w: ir.Table) -> ir.Table:
    t = w.select("_file", "_rec", "wid", c=w.counts_by_year).pipe(_explode, "c")
    return _typed(
        "citation_counts",
        t,
        work_id=t.wid,
        year=t.c.year,
        cited_by_count=t.c.cited_by_count,
    )


def _award_rows(w: ir.Table, field: str, order: int, keys: tuple[str, ...]) -> ir.Table:
    """(funder, name, award) of each element of the list `field`, in order.

    Null elements are left out of ``awards`` only (the Python parser skips
    them there; elsewhere a file with one goes to the Python parser).
    """
    t = _unnest(w.select("_file", "_rec", "wid", x=w[field]), "x", "_j")
    if field == "awards":
        t = t.filter(t.x.notnull())
    funder, name, award = keys
    return t.select(
        "_file",
        "_rec",
        "wid",
        "_j",
        _o=ibis.literal(order),
        f=t.x[funder],
        name=t.x[name],
        award=t.x[award],
    )


def _grants(w: ir.Table) -> ir.Table:
    """Grants then awards, one row per (funder, award); funders not yet named."""
    g = _award_rows(w, "grants", 0, ("funder", "funder_display_name", "award_id"))
    a = _award_rows(
        w, "awards", 1, ("funder_id", "funder_display_name", "funder_award_id")
    )
    t = ibis.union(g, a, distinct=False)
    award = ibis.ifelse(_full(t.award), t.award.strip(), ibis.null(_S))
    t = t.mutate(fid=_last(t.f), award=award)
    t = t.mutate(norm=t.award.upper().re_replace("[^A-Z0-9]", "").nullif(""))
    t = t.filter(_full(t.fid) | _full(t.award))
    kept = _first_per(t, [t._file, t._rec, t.fid, t.norm], [t._o, t._j])
    kept = kept.select(
        "_file",
        "_rec",
        "wid",
        "fid",
        "name",
        award=kept.award.nullif(""),
        norm=kept.norm,
    )
    f = _unnest(w.select("_file", "_rec", "wid", f=w.funders), "f", "_j")
    f = f.filter(f.f.notnull()).mutate(fid=_last(f.f.id))
    f = f.filter(_full(f.fid))
    f = _first_per(f, [f._file, f._rec, f.fid], f._j)
    funded = (
        kept.filter(kept.fid.notnull())
        .select(_f2=kept._file, _r2=kept._rec, _id2=kept.fid)
        .distinct()
    )
    f = f.anti_join(
        funded, [f._file == funded._f2, f._rec == funded._r2, f.fid == funded._id2]
    )
    f = f.select(
        "_file",
        "_rec",
        "wid",
        "fid",
        name=f.f.display_name,
        award=ibis.null(_S),
        norm=ibis.null(_S),
    )
    u = ibis.union(kept, f, distinct=False)
    return _typed(
        "grants",
        u,
        work_id=u.wid,
        funder_id=u.fid,
        funder_name=u["name"],
        award_id=u.award,
        award_id_norm=u.norm,
    )


# ---------------------------------------------------------------- the checks
_ASCII = r"^[!-~]*\z"  # printable ASCII, no spaces
_ASCII_SP = r"^[ -~]*\z"  # printable ASCII and spaces


def _ok(x: ir.StringValue, pattern: str) -> ir.BooleanValue:
    return x.isnull() | x.re_search(pattern)


def _all(arr: ir.ArrayValue, test: Callable[[Any], ir.BooleanValue]) -> ir.BooleanValue:
    """Every element of `arr` passes `test` (true for a null or empty list)."""
    return arr.isnull() | (arr.filter(lambda e: ~test(e)).length() == 0)


def _no_nulls(arr: ir.ArrayValue) -> ir.BooleanValue:
    return _all(arr, lambda e: e.notnull())


def clean(raw: ir.Table) -> ir.BooleanValue:
    """True for a raw work :func:`flatten` maps exactly like ``work_record``.

    The type and range checks of ``openalex_work._check`` and of the store's
    column checks (:mod:`oncometrics.store_fit`): a W id, a plausible year,
    counts not negative, citation-count years in the year window; no null
    element where the Python parser fails on one; ASCII DOIs, PMIDs and
    award ids (normalised identically by SQL and Python); finite scores.
    A work failing them goes (with its file) to the Python parser, which
    rejects it or maps it.  Text-ness of text values is the reader's check.
    """
    lo, hi = year_range()
    year, cites = raw.publication_year, raw.cited_by_count
    au, pt_score = raw.authorships, raw.primary_topic.score
    return (
        _last(raw.id).re_search(r"^W[0-9]+\z").fill_null(False)
        & (year.isnull() | year.between(lo, hi))
        & (cites.isnull() | (cites >= 0))
        & _ok(raw.doi, _ASCII)
        & _ok(raw.ids.doi, _ASCII)
        & _ok(raw.ids.pmid, _ASCII_SP)
        & _no_nulls(au)
        & _all(au, lambda a: _no_nulls(a.institutions))
        & _no_nulls(raw.topics)
        & _no_nulls(raw.mesh)
        & _no_nulls(raw.grants)
        & _all(raw.grants, lambda g: _ok(g.award_id, _ASCII_SP))
        & _all(raw.awards, lambda a: a.isnull() | _ok(a.funder_award_id, _ASCII_SP))
        & _all(
            raw.topics,
            lambda t: t.score.isnull() | ~(t.score.isinf() | t.score.isnan()),
        )
        & _all(
            raw.counts_by_year,
            lambda c: (
                c.notnull()
                & c.year.between(lo, hi).fill_null(False)
                & (c.cited_by_count.isnull() | (c.cited_by_count >= 0))
            ),
        )
        & (pt_score.isnull() | ~(pt_score.isinf() | pt_score.isnan()))
    ).fill_null(False)


def affiliations_to_parse(raw: ir.Table, au: ir.Table | None = None) -> ir.Table:
    """Distinct non-empty affiliation strings whose country must be parsed.

    `au`: the ``au`` table of :func:`flatten` (``bind``) of `raw` with
    ``aff_countries`` given, when the engine has it.
    """
    if au is None:
        au = _authorships_base(_base(raw), True)
    affs = _affiliation_rows(au, None)
    affs = affs.filter(affs.need)
    return affs.select(affiliation=affs.text).distinct()


def parse_affiliations(
    texts: list[str], parse: Callable[[str], str | None]
) -> dict[str, list[Any]]:
    """Columns of an :data:`AFF_SCHEMA` table: each text and its country."""
    return {"affiliation": list(texts), "country": [parse(t) for t in texts]}


def year_range() -> tuple[int, int]:
    """The plausible publication years (as :func:`openalex_work._check`)."""
    return YEAR_MIN, year_max()
