"""A vectorised fast path for clean OpenAlex snapshot parts (JSON Lines).

:func:`stage` reads one snapshot part with DuckDB ``read_json`` and an
explicit schema, checks that every work is in the plain shape the SQL below
handles exactly like :mod:`oncometrics.sources.openalex_work` (W ids, ASCII
DOIs/PMIDs/award ids, integers in range, one object per non-blank line…),
and writes each canonical table as staged Parquet with the ``_rec`` column
the store expects.  Anything else (a DuckDB error, a failed check, a file
that is not JSON Lines) returns None: the caller then runs the Python
parser, which rejects bad records with a reason.  Only the clean case goes
fast.

Known limits, why it is off by default (``ONCOMETRICS_FAST_INGEST=1`` turns
it on): DuckDB turns a JSON number or object found where text is expected
into text instead of failing, where the Python parser rejects the record;
and it is not faster yet (about the CPU of the Python parser on the bench
world, 4 times DuckDB's raw ``read_json``; see docs/benchmarks.md).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from oncometrics.schema import TABLES

_TXT = "VARCHAR"
_NAMED = "STRUCT(id VARCHAR, display_name VARCHAR)"
COLUMNS: dict[str, str] = {
    "id": _TXT,
    "doi": _TXT,
    "title": _TXT,
    "display_name": _TXT,
    "publication_year": "BIGINT",
    "publication_date": _TXT,
    "ids": "STRUCT(doi VARCHAR, pmid VARCHAR)",
    "language": _TXT,
    "type": _TXT,
    "primary_location": "STRUCT(source STRUCT(display_name VARCHAR))",
    "authorships": "STRUCT(author STRUCT(id VARCHAR, display_name VARCHAR), "
    "institutions STRUCT(id VARCHAR, ror VARCHAR, display_name VARCHAR, "
    "country_code VARCHAR, type VARCHAR)[], countries VARCHAR[], "
    "is_corresponding BOOLEAN, raw_author_name VARCHAR, "
    "raw_affiliation_strings VARCHAR[], raw_affiliation_string VARCHAR)[]",
    "cited_by_count": "BIGINT",
    "updated_date": _TXT,
    "primary_topic": f"STRUCT(id VARCHAR, display_name VARCHAR, score DOUBLE, "
    f"subfield {_NAMED}, field {_NAMED})",
    "topics": "STRUCT(id VARCHAR, display_name VARCHAR, score DOUBLE)[]",
    "mesh": "STRUCT(descriptor_ui VARCHAR, descriptor_name VARCHAR, "
    "is_major_topic BOOLEAN)[]",
    "grants": "STRUCT(funder VARCHAR, funder_display_name VARCHAR, award_id VARCHAR)[]",
    "awards": "STRUCT(funder_id VARCHAR, funder_display_name VARCHAR, "
    "funder_award_id VARCHAR)[]",
    "funders": f"{_NAMED}[]",
    "referenced_works": "VARCHAR[]",
    "counts_by_year": "STRUCT(year BIGINT, cited_by_count BIGINT)[]",
}
_I32 = 2**31 - 1


@dataclass
class StageResult:
    """What :func:`stage` wrote: records read (non-blank lines)."""

    read: int


def _last(expr: str) -> str:
    """SQL: the part of `expr` after its last '/' (NULL when empty or NULL)."""
    return f"CASE WHEN coalesce({expr}, '') <> '' THEN regexp_replace({expr}, '^.*/', '') END"


def _fold(expr: str) -> str:
    return f"CASE WHEN {expr} IN ('HK', 'MO') THEN 'CN' ELSE {expr} END"


def _ascii_ok(expr: str) -> str:
    """SQL: `expr` is NULL or printable ASCII without whitespace."""
    return f"({expr} IS NULL OR regexp_full_match({expr}, '[!-~]*'))"


def _award_ok(expr: str) -> str:
    """SQL: `expr` is NULL or printable ASCII (spaces allowed)."""
    return f"({expr} IS NULL OR regexp_full_match({expr}, '[ -~]*'))"


def _no_nulls(expr: str) -> str:
    """SQL: list `expr` is NULL or has no NULL element (Python would fail)."""
    return f"coalesce(list_bool_and([x IS NOT NULL FOR x IN {expr}]), true)"


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _count_lines(path: Path) -> int | None:
    """Non-blank lines of `path`, or None when some line is blank."""
    opener = gzip.open if _is_gzip(path) else open
    n, prev, blank = 0, b"\n", False
    with opener(path, "rb") as fh:  # type: ignore[operator]
        while block := fh.read(1 << 22):
            n += block.count(b"\n")
            blank = blank or b"\n\n" in block or (prev == b"\n" and block[:1] == b"\n")
            prev = block[-1:]
    if blank:
        return None
    return n + (prev not in (b"\n", b""))


def stage(
    path: Path, staging: Path, *, threads: int | None = None
) -> StageResult | None:
    """Stage the canonical tables of a clean snapshot part; None to fall back.

    Parameters
    ----------
    path
        A JSON Lines file (plain or gzip), one OpenAlex work per line.
    staging
        Folder receiving ``<table>/b000000.parquet`` (with ``_rec``).
    threads
        DuckDB threads (default: DuckDB's own).
    """
    path = Path(path)
    try:
        lines = _count_lines(path)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    if not lines:
        return None
    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"SET threads={int(threads)}")
        con.execute("SET preserve_insertion_order=true")
        if not _load(con, path, lines):
            return None
        _affiliation_map(con)
        for table in _SQL:
            _write(con, table, _SQL[table], staging)
        con.execute(
            "CREATE TEMP TABLE children AS SELECT _rec, count(*) AS n FROM ("
            + " UNION ALL ".join(f"SELECT _rec FROM t_{t}" for t in _RICH)
            + ") GROUP BY _rec"
        )
        _write(con, "works", _works_sql(path), staging)
    except duckdb.Error:
        return None
    finally:
        con.close()
    return StageResult(read=lines)


def _load(con: duckdb.DuckDBPyConnection, path: Path, lines: int) -> bool:
    """Read `path` into table ``w`` and check it is in the handled shape."""
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    src = str(path).replace("'", "''")
    con.execute(
        f"""CREATE TEMP TABLE raw AS SELECT * FROM read_json('{src}',
        format='newline_delimited', columns={cols}, maximum_object_size=1000000000, hive_partitioning=false,
        compression='{"gzip" if _is_gzip(path) else "uncompressed"}')"""
    )
    con.execute(
        """CREATE TEMP TABLE w AS SELECT (rowid + 1)::BIGINT AS rec,
        regexp_replace(id, '^.*/', '') AS wid, * FROM raw"""
    )
    con.execute("DROP TABLE raw")
    row = con.execute(_CHECK).fetchone()
    return row is not None and row[0] == lines and row[1] == lines


_CHECK = f"""
SELECT count(*), count(*) FILTER (WHERE
    id IS NOT NULL AND regexp_full_match(wid, 'W[0-9]+')
    AND (publication_year IS NULL OR publication_year BETWEEN -{_I32} AND {_I32})
    AND (cited_by_count IS NULL OR cited_by_count >= 0)
    AND {_ascii_ok("doi")} AND {_ascii_ok("ids.doi")} AND {_award_ok("ids.pmid")}
    AND coalesce(list_bool_and([c.year IS NOT NULL
        AND c.year BETWEEN -{_I32} AND {_I32}
        AND (c.cited_by_count IS NULL OR c.cited_by_count >= 0)
        FOR c IN counts_by_year]), true)
    AND coalesce(list_bool_and([{_award_ok("g.award_id")}
        FOR g IN grants]), true)
    AND coalesce(list_bool_and([{_award_ok("a.funder_award_id")}
        FOR a IN awards]), true)
    AND {_no_nulls("authorships")} AND {_no_nulls("mesh")} AND {_no_nulls("topics")}
    AND {_no_nulls("counts_by_year")} AND {_no_nulls("grants")}
    AND {_no_nulls("flatten([coalesce(a.institutions, []) FOR a IN authorships])")})
FROM w"""


def _affiliation_map(con: duckdb.DuckDBPyConnection) -> None:
    """Countries of the affiliation strings of authorships that need one."""
    from oncometrics.sources.openalex import _affiliation_parser

    parse = _affiliation_parser()
    con.execute(
        f"""CREATE TEMP TABLE au AS
        SELECT u.rec, u.wid, u.pos::INTEGER AS pos, u.a AS a,
               CASE WHEN u.a.raw_affiliation_strings IS NOT NULL
                    THEN u.a.raw_affiliation_strings
                    ELSE [u.a.raw_affiliation_string] END AS raws,
               [{_fold("i.country_code")} FOR i IN coalesce(u.a.institutions, [])
                IF coalesce(i.country_code, '') <> ''] AS inst_cc
        FROM (SELECT rec, wid, unnest(authorships) AS a,
                     generate_subscripts(authorships, 1) AS pos FROM w) AS u"""
    )
    need = "len(coalesce(a.countries, [])) = 0 AND len(inst_cc) = 0"
    con.execute("ALTER TABLE au ADD COLUMN need BOOLEAN DEFAULT false")
    if parse is not None:
        con.execute(f"UPDATE au SET need = ({need})")
    texts = con.execute(
        "SELECT DISTINCT t FROM au, unnest(raws) AS x(t) "
        "WHERE need AND coalesce(t, '') <> ''"
    ).fetchall()
    pairs = [(t, parse(t)) for (t,) in texts] if parse is not None else []
    con.register(
        "aff_pairs",
        pa.table(
            {"t": [t for t, _ in pairs], "code": [c for _, c in pairs]},
            schema=pa.schema([("t", pa.string()), ("code", pa.string())]),
        ),
    )
    con.execute("CREATE TEMP TABLE aff_map AS SELECT * FROM aff_pairs")


_AFFS = """
SELECT au.rec AS _rec, au.wid AS work_id, au.pos AS author_position,
       au.t AS affiliation, CASE WHEN au.need THEN m.code END AS country, au.i
FROM (SELECT rec, wid, pos, need, unnest(raws) AS t,
             generate_subscripts(raws, 1) AS i FROM au) AS au
LEFT JOIN aff_map m ON m.t = au.t
WHERE coalesce(au.t, '') <> ''"""

_INSTS = f"""
SELECT au.rec AS _rec, au.wid AS work_id, au.pos AS author_position,
       coalesce({_last("i.id")}, 'ror:' || {_last("i.ror")}) AS institution_id,
       {_last("i.ror")} AS ror, i.display_name AS institution_name,
       {_fold("i.country_code")} AS country_code, i.type AS institution_type, k
FROM (SELECT rec, wid, pos, unnest(a.institutions) AS i,
             generate_subscripts(a.institutions, 1) AS k FROM au) AS au"""

_COUNTRY_CODES = f"""
SELECT rec, wid, pos, 'openalex_countries' AS prov, c, k
FROM (SELECT rec, wid, pos, unnest(a.countries) AS c,
             generate_subscripts(a.countries, 1) AS k FROM au) AS au
UNION ALL
SELECT rec, wid, pos, 'institution', c, k
FROM (SELECT rec, wid, pos, unnest(inst_cc) AS c,
             generate_subscripts(inst_cc, 1) AS k FROM au
      WHERE len(coalesce(a.countries, [])) = 0) AS au
UNION ALL
SELECT _rec, work_id, author_position, 'affiliation_text', country, i
FROM ({_AFFS}) WHERE country IS NOT NULL"""

_PRIMARY = f"coalesce({_last('primary_topic.id')}, '') <> ''"
_SUBJ = f"""
SELECT rec AS _rec, wid AS work_id, 'mesh' AS scheme, ui AS code,
       list(label ORDER BY k)[1] AS label, NULL::BOOLEAN AS is_primary,
       bool_or(coalesce(major, false)) AS is_major, NULL::DOUBLE AS score
FROM (SELECT rec, wid, m.descriptor_ui AS ui, m.descriptor_name AS label,
             m.is_major_topic AS major, k
      FROM (SELECT rec, wid, unnest(mesh) AS m, generate_subscripts(mesh, 1) AS k
            FROM w))
WHERE coalesce(ui, '') <> '' GROUP BY rec, wid, ui
UNION ALL
SELECT rec, wid, 'openalex_topic', {_last("t.id")}, t.display_name,
       coalesce({_last("t.id")} = {_last("primary_topic.id")}, false), NULL, t.score
FROM (SELECT rec, wid, primary_topic, unnest(CASE WHEN len(coalesce(topics, [])) > 0 THEN topics
                    WHEN {_PRIMARY}
                    THEN [{{'id': primary_topic.id,
                            'display_name': primary_topic.display_name,
                            'score': primary_topic.score}}]
                    ELSE [] END) AS t FROM w)
WHERE coalesce(t.id, '') <> ''
UNION ALL
SELECT rec, wid, 'openalex_subfield', {_last("primary_topic.subfield.id")},
       primary_topic.subfield.display_name, true, NULL, NULL
FROM w WHERE {_PRIMARY}
      AND coalesce(primary_topic.subfield.id, '') <> ''
UNION ALL
SELECT rec, wid, 'openalex_field', {_last("primary_topic.field.id")},
       primary_topic.field.display_name, true, NULL, NULL
FROM w WHERE {_PRIMARY}
      AND coalesce(primary_topic.field.id, '') <> ''"""

_TRIPLES = f"""
SELECT * FROM (
SELECT rec, wid, {_last("f")} AS fid, name, nullif(trim(award), '') AS award,
       nullif(regexp_replace(upper(award), '[^A-Z0-9]', '', 'g'), '') AS norm,
       o, k
FROM (SELECT rec, wid, g.funder AS f, g.funder_display_name AS name,
             g.award_id AS award, 0 AS o, k
      FROM (SELECT rec, wid, unnest(grants) AS g, generate_subscripts(grants, 1) AS k
            FROM w)
      UNION ALL
      SELECT rec, wid, a.funder_id, a.funder_display_name, a.funder_award_id, 1, k
      FROM (SELECT rec, wid, unnest(awards) AS a, generate_subscripts(awards, 1) AS k
            FROM w))
    ) WHERE coalesce(fid, '') <> '' OR award IS NOT NULL"""

_GRANTS = f"""
WITH t AS ({_TRIPLES}),
kept AS (SELECT * FROM t QUALIFY row_number() OVER (
             PARTITION BY rec, fid, norm ORDER BY o, k) = 1),
fu AS (SELECT rec, wid, {_last("f.id")} AS fid, f.display_name AS name, k
       FROM (SELECT rec, wid, unnest(funders) AS f,
                    generate_subscripts(funders, 1) AS k FROM w)
       WHERE coalesce({_last("f.id")}, '') <> ''
       QUALIFY row_number() OVER (PARTITION BY rec, {_last("f.id")} ORDER BY k) = 1)
SELECT rec AS _rec, wid AS work_id, fid AS funder_id, name AS funder_name,
       award AS award_id, norm AS award_id_norm FROM kept
UNION ALL
SELECT rec, wid, fid, name, NULL, NULL FROM fu
WHERE NOT EXISTS (SELECT 1 FROM kept WHERE kept.rec = fu.rec
                  AND kept.fid = fu.fid)"""

_D = "coalesce(nullif(doi, ''), nullif(ids.doi, ''))"
_DOI_NORM = f"""CASE WHEN starts_with({_D}, 'https://doi.org/')
THEN nullif(lower({_D}[17:]), '')
ELSE nullif(regexp_replace(lower({_D}), '^(https://doi\\.org/)?(http://doi\\.org/)?\
(http://dx\\.doi\\.org/)?(https://dx\\.doi\\.org/)?(doi:)?', ''), '') END"""

_SQL: dict[str, str] = {
    "authorships": f"""
        SELECT rec AS _rec, wid AS work_id, pos AS author_position,
               {_last("a.author.id")} AS author_id,
               coalesce(nullif(a.author.display_name, ''), a.raw_author_name)
                   AS author_name,
               a.is_corresponding AS is_corresponding
        FROM au""",
    "authorship_countries": f"""
        SELECT rec AS _rec, wid AS work_id, pos AS author_position,
               {_fold("c")} AS country, prov AS provenance
        FROM ({_COUNTRY_CODES}) WHERE coalesce(c, '') <> ''
        QUALIFY row_number() OVER (PARTITION BY rec, pos, {_fold("c")}
                                   ORDER BY k) = 1""",
    "authorship_institutions": f"SELECT * EXCLUDE (k) FROM ({_INSTS}) "
    "WHERE institution_id IS NOT NULL",
    "affiliations": f"SELECT * EXCLUDE (i) FROM ({_AFFS})",
    "work_subjects": _SUBJ,
    "citations": f"""
        SELECT rec AS _rec, wid AS work_id, {_last("r")} AS cited_work_id
        FROM (SELECT rec, wid, unnest(referenced_works) AS r FROM w) WHERE coalesce(r, '') <> ''""",
    "citation_counts": """
        SELECT rec AS _rec, wid AS work_id, c.year AS year,
               c.cited_by_count AS cited_by_count
        FROM (SELECT rec, wid, unnest(counts_by_year) AS c FROM w)""",
    "grants": _GRANTS,
    "institutions": f"""
        SELECT _rec, institution_id, ror, institution_name AS name, country_code,
               institution_type AS type
        FROM ({_INSTS}) WHERE institution_id IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY institution_id
                                   ORDER BY _rec, author_position, k) = 1""",
}


def _works_sql(path: Path) -> str:
    """The works rows; richness counts the child rows staged before."""
    src = str(path).replace("'", "''")
    return f"""
    WITH v AS (
      SELECT rec, wid,
        {_DOI_NORM} AS doi,
        CASE WHEN ids.pmid IS NULL THEN NULL
             WHEN regexp_full_match(regexp_replace(ids.pmid, '^.*/', ''), '[0-9]+')
             THEN regexp_replace(ids.pmid, '^.*/', '')
             ELSE nullif(regexp_replace(regexp_replace(ids.pmid, '^.*/', ''),
                                        '[^0-9]', '', 'g'), '') END AS pmid,
        coalesce(nullif(title, ''), display_name) AS title,
        publication_year::INTEGER AS publication_year, publication_date,
        CASE WHEN coalesce(type, '') = '' THEN NULL
             ELSE {_ALIASES} END AS doc_type,
        primary_location.source.display_name AS source_title, language,
        cited_by_count, nullif(left(updated_date, 10), '') AS citation_date,
        {_last("primary_topic.id")} AS primary_topic_id,
        {_last("primary_topic.subfield.id")} AS primary_subfield_id,
        {_last("primary_topic.field.id")} AS primary_field_id
      FROM w)
    SELECT rec AS _rec, wid AS work_id, 'openalex' AS source, wid AS openalex_id,
      doi, pmid, title, publication_year, publication_date, doc_type, source_title,
      language, cited_by_count, 'openalex' AS citation_source,
      citation_date, primary_topic_id, primary_subfield_id,
      primary_field_id,
      (6 + {" + ".join(f"(coalesce({c}, '') <> '')::INTEGER" for c in _TEXTS)}
       + (publication_year IS NOT NULL)::INTEGER
       + (cited_by_count IS NOT NULL)::INTEGER
       + coalesce(n.n, 0))::INTEGER AS richness,
      '{src}' AS ingest_file, rec::BIGINT AS record_no
    FROM v LEFT JOIN children n ON n._rec = v.rec"""


_TEXTS = (
    "doi",
    "pmid",
    "citation_date",
    "title",
    "publication_date",
    "doc_type",
    "source_title",
    "language",
    "primary_topic_id",
    "primary_subfield_id",
    "primary_field_id",
)


def _aliases() -> str:
    from oncometrics.sources.openalex_work import TYPE_ALIASES

    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in TYPE_ALIASES.items())
    return f"CASE type {whens} ELSE type END"


_ALIASES = _aliases()


_RICH = (
    "authorships",
    "authorship_countries",
    "authorship_institutions",
    "affiliations",
    "work_subjects",
    "citations",
    "citation_counts",
    "grants",
)
_DUCK = {"string": "VARCHAR", "int32": "INTEGER", "int64": "BIGINT"}
_DUCK |= {"bool": "BOOLEAN", "double": "DOUBLE"}


def _write(con: duckdb.DuckDBPyConnection, table: str, sql: str, staging: Path) -> None:
    """Materialise one table as ``t_<table>`` and COPY it to staging."""
    sel = ", ".join(
        f"CAST({f.name} AS {_DUCK[str(f.type)]}) AS {f.name}" for f in TABLES[table]
    )
    con.execute(
        f"CREATE TEMP TABLE t_{table} AS SELECT {sel}, _rec::BIGINT AS _rec "
        f"FROM ({sql})"
    )
    if not con.execute(f"SELECT count(*) FROM t_{table}").fetchone()[0]:  # type: ignore[index]
        return
    out = staging / table
    out.mkdir(parents=True, exist_ok=True)
    dest = str(out / "b000000.parquet").replace("'", "''")
    con.execute(f"COPY t_{table} TO '{dest}' (FORMAT PARQUET, COMPRESSION LZ4)")
