"""Build a store's canonical tables straight from snapshot parts with DuckDB SQL.

A shortcut for the compute benchmark at sizes where ``oncometrics ingest``
(a single-threaded Python parser) takes too long for one sitting: DuckDB's
``read_json`` reads each gzipped part with an explicit schema and SQL
flattens it into the tables the indicators read (``works``,
``work_subjects``, ``authorships``, ``authorship_countries``,
``authorship_institutions``, ``citation_counts``), one Parquet part per input
file, plus a manifest.  It follows the parser's mapping for these tables
(countries: the authorship's ``countries``, else its institutions'
``country_code``) but does no deduplication, no validation and no
affiliation-text parsing, so it is a benchmark tool, not an ingest path.

Usage::

    python bench/build_store.py bench/out/world-10m bench/out/world-10m-sqlstore
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

import duckdb

from oncometrics.store import Store

SUB = "STRUCT(id VARCHAR, display_name VARCHAR)"
TOPIC = f"STRUCT(id VARCHAR, display_name VARCHAR, score DOUBLE, subfield {SUB}, field {SUB})"
INST = (
    "STRUCT(id VARCHAR, display_name VARCHAR, ror VARCHAR, country_code VARCHAR, "
    "type VARCHAR)"
)
COLUMNS = {
    "id": "VARCHAR",
    "doi": "VARCHAR",
    "title": "VARCHAR",
    "publication_year": "INTEGER",
    "publication_date": "VARCHAR",
    "ids": "STRUCT(openalex VARCHAR, doi VARCHAR, pmid VARCHAR)",
    "language": "VARCHAR",
    "type": "VARCHAR",
    "cited_by_count": "BIGINT",
    "primary_location": f"STRUCT(source {SUB})",
    "primary_topic": TOPIC,
    "topics": f"{TOPIC}[]",
    "authorships": (
        f"STRUCT(author {SUB}, institutions {INST}[], countries VARCHAR[], "
        "is_corresponding BOOLEAN, raw_author_name VARCHAR)[]"
    ),
    "mesh": "STRUCT(descriptor_ui VARCHAR, descriptor_name VARCHAR, "
    "is_major_topic BOOLEAN)[]",
    "counts_by_year": "STRUCT(year INTEGER, cited_by_count BIGINT)[]",
}


def _oid(expr: str) -> str:
    return f"regexp_extract({expr}, '[^/]+$')"


TABLE_SQL = {
    "works": f"""
        SELECT {_oid("id")} AS work_id, 'openalex' AS source, {_oid("id")} AS openalex_id,
          lower(replace(coalesce(doi, ids.doi), 'https://doi.org/', '')) AS doi,
          {_oid("ids.pmid")} AS pmid, title, publication_year, publication_date,
          type AS doc_type, primary_location.source.display_name AS source_title,
          language, cited_by_count, 'openalex' AS citation_source,
          {_oid("primary_topic.id")} AS primary_topic_id,
          {_oid("primary_topic.subfield.id")} AS primary_subfield_id,
          {_oid("primary_topic.field.id")} AS primary_field_id,
          CAST(NULL AS INTEGER) AS richness, '{{file}}' AS ingest_file,
          CAST(row_number() OVER () AS BIGINT) AS record_no
        FROM raw""",
    "authorships": f"""
        SELECT work_id, CAST(pos AS INTEGER) AS author_position,
          {_oid("a.author.id")} AS author_id,
          coalesce(a.author.display_name, a.raw_author_name) AS author_name,
          a.is_corresponding
        FROM auth""",
    "authorship_countries": """
        SELECT DISTINCT work_id, CAST(pos AS INTEGER) AS author_position,
          unnest(CASE WHEN len(a.countries) > 0 THEN a.countries
                 ELSE [i.country_code FOR i IN a.institutions
                       IF i.country_code IS NOT NULL] END) AS country,
          CASE WHEN len(a.countries) > 0 THEN 'openalex_countries'
               ELSE 'institution' END AS provenance
        FROM auth""",
    "authorship_institutions": f"""
        SELECT work_id, author_position, {_oid("i.id")} AS institution_id,
          {_oid("i.ror")} AS ror, i.display_name AS institution_name,
          i.country_code, i.type AS institution_type
        FROM (SELECT work_id, CAST(pos AS INTEGER) AS author_position,
                     unnest(a.institutions) AS i FROM auth)""",
    "work_subjects": f"""
        SELECT work_id, 'mesh' AS scheme, m.descriptor_ui AS code,
          any_value(m.descriptor_name) AS label, CAST(NULL AS BOOLEAN) AS is_primary,
          bool_or(m.is_major_topic) AS is_major, CAST(NULL AS DOUBLE) AS score
        FROM (SELECT {_oid("id")} AS work_id, unnest(mesh) AS m FROM raw)
        GROUP BY work_id, m.descriptor_ui
        UNION ALL
        SELECT work_id, 'openalex_topic', {_oid("t.id")}, t.display_name,
          {_oid("t.id")} = primary_id, NULL, t.score
        FROM (SELECT {_oid("id")} AS work_id, {_oid("primary_topic.id")} AS primary_id,
                     unnest(topics) AS t FROM raw)
        UNION ALL
        SELECT {_oid("id")}, 'openalex_subfield', {_oid("primary_topic.subfield.id")},
          primary_topic.subfield.display_name, true, NULL, NULL
        FROM raw WHERE primary_topic.subfield.id IS NOT NULL
        UNION ALL
        SELECT {_oid("id")}, 'openalex_field', {_oid("primary_topic.field.id")},
          primary_topic.field.display_name, true, NULL, NULL
        FROM raw WHERE primary_topic.field.id IS NOT NULL""",
    "citation_counts": f"""
        SELECT work_id, c.year, c.cited_by_count
        FROM (SELECT {_oid("id")} AS work_id, unnest(counts_by_year) AS c FROM raw)""",
}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def build_part(con: duckdb.DuckDBPyConnection, part: Path, store: Path) -> dict:
    """Flatten one snapshot part into one Parquet part per table."""
    sha = _sha256(part)
    tag = sha[:16]
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM read_json(
        '{part}', format='newline_delimited', columns={cols},
        maximum_object_size=104857600)""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE auth AS
        SELECT {_oid("id")} AS work_id, unnest(authorships) AS a,
               unnest(range(1, len(authorships) + 1)) AS pos FROM raw""")
    n = con.execute("SELECT count(*) FROM raw").fetchone()[0]  # type: ignore[index]
    for table, sql in TABLE_SQL.items():
        target = store / table / f"part-{tag}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"COPY ({sql.replace('{file}', str(part))}) TO '{target}' "
            "(FORMAT PARQUET, COMPRESSION ZSTD)"
        )
    return {
        "path": str(part),
        "source": "openalex",
        "sha256": sha,
        "size": part.stat().st_size,
        "read": n,
        "stored": n,
        "duplicates": 0,
        "rejected": 0,
        "replaced": 0,
        "seconds": 0.0,
        "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "note": "built by bench/build_store.py (DuckDB SQL, no dedup)",
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("world", type=Path, help="output folder of generate_world.py")
    ap.add_argument("store", type=Path, help="store folder to (re)create")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory-limit", default="3GB")
    a = ap.parse_args(argv)
    shutil.rmtree(a.store, ignore_errors=True)
    a.store.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    con.execute(f"SET memory_limit = '{a.memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET temp_directory = '{a.store / '_tmp'}'")
    files = {}
    t0 = time.perf_counter()
    parts = sorted((a.world / "data" / "works").rglob("part_*.gz"))
    for k, part in enumerate(parts, 1):
        entry = build_part(con, part, a.store)
        files[entry["sha256"]] = entry
        print(
            f"\r{k}/{len(parts)} parts, {sum(f['read'] for f in files.values()):,} "
            f"works, {time.perf_counter() - t0:.0f} s",
            end="",
            file=sys.stderr,
        )
    shutil.rmtree(a.store / "_tmp", ignore_errors=True)
    (a.store / "manifest.json").write_text(
        json.dumps({"version": 1, "files": files}, indent=1, sort_keys=True)
    )
    print(
        f"\n{a.store}: {sum(f['read'] for f in files.values()):,} works in "
        f"{time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    # the store's derived tables, as `oncometrics ingest` writes them
    Store(a.store, create=False).derive()


if __name__ == "__main__":
    main()
