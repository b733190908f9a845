"""One file's commit: deduplicate its staged rows against the store, write.

Everything a file changes is one DuckLake transaction on the connection
:meth:`oncometrics.store.Store.connect` opens: the rows of superseded
records deleted from every table, the new rows inserted, the derived tables
(:mod:`oncometrics.derived`) brought along, the file entered in
``ingested_files``; then ``COMMIT``.  A crash before the commit leaves
nothing (data files written by the transaction are orphans, removed by the
next writer); after it, everything.  Positional delete files left by the
deletes are compacted away by a second transaction (same rows, no delete
files, so that any engine can read a snapshot from its data files alone).

Duplicates (contract section 1): two works are the same when the first key
both carry is equal, in the order OpenAlex id, DOI, PMID, work id (a
source id such as `wos:<UT>` when a work has none of the three); patents by
publication number; trials by NCT id.  The richest record is kept: a richer
newcomer replaces the stored one, whose rows are removed from every table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from oncometrics import derived
from oncometrics.lake import ALIAS, FILES_TABLE
from oncometrics.schema import DERIVED, ENTITIES, TABLES

#: Key columns used to find duplicates, in precedence order, by entity.
DEDUP_KEYS: dict[str, tuple[str, ...]] = {
    # work_id last: records with none of the ids (WoS UT / Scopus EID only)
    # are the same work when their source ids are equal
    "work": ("openalex_id", "doi", "pmid", "work_id"),
    "patent": ("patent_id",),
    "trial": ("nct_id",),
}
#: Child tables whose key column differs from the entity key name.
ENTITIES_KEY_COL: dict[str, str] = {}
_REC = "_rec"
#: The columns of ``ingested_files`` (FileResult fields plus the time).
FILES_SCHEMA = pa.schema(
    [("sha256", pa.string()), ("path", pa.string()), ("source", pa.string()),
     ("size", pa.int64()), ("read", pa.int64()), ("stored", pa.int64()),
     ("duplicates", pa.int64()), ("rejected", pa.int64()),
     ("replaced", pa.int64()), ("seconds", pa.float64()),
     ("ingested_at", pa.string())]
)  # fmt: skip


_SQL_TYPES = {
    pa.string(): "VARCHAR",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
}


def create_table(con: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema) -> None:
    """Create table `name` of `schema` in the lake unless it exists."""
    cols = ", ".join(f'"{f.name}" {_SQL_TYPES[f.type]}' for f in schema)
    con.execute(f"CREATE TABLE IF NOT EXISTS {ALIAS}.{name} ({cols})")


def create_all(con: duckdb.DuckDBPyConnection) -> None:
    """Every canonical and derived table, and ``ingested_files`` (last: the
    mark of a complete catalog, see :func:`oncometrics.store.Store`)."""
    for name, schema in {**TABLES, **DERIVED}.items():
        create_table(con, name, schema)
    create_table(con, FILES_TABLE, FILES_SCHEMA)


def commit_file(
    con: duckdb.DuckDBPyConnection, entity: str, staging: Path, entry: dict[str, Any]
) -> tuple[int, int, list[str]]:
    """Deduplicate and write one staged file in `con`'s open transaction.

    Returns (stored, duplicates, tables with deleted rows); `entry` (a row
    of ``ingested_files``) gets ``stored``, ``duplicates`` and ``replaced``.
    The caller commits.
    """
    main, key, children = ENTITIES[entity]
    keys = DEDUP_KEYS[entity]
    staged = {t: _staged(staging, t) for t in TABLES}
    if not staged[main]:
        entry.update(stored=0, duplicates=0, replaced=0)
        _enter(con, entry)
        return 0, 0, []
    src, ver = VERSION_COLS.get(entity, ("NULL", "NULL"))
    version = f"{src}::VARCHAR AS src, {ver}::VARCHAR AS ver"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE new AS SELECT {_REC}, {key} AS k, richness, "
        f"{version}, {', '.join(keys)} FROM read_parquet(?)",
        [staged[main]],
    )
    shares_a_key = " OR ".join(
        f"{k} IN (SELECT {k} FROM new WHERE {k} IS NOT NULL)" for k in keys
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE old AS SELECT {key} AS k, richness, "
        f"{version}, {', '.join(keys)} FROM {ALIAS}.{main} WHERE {shares_a_key}"
    )
    n_replaced, n_new, n_dup = _decide(con, keys)
    touched: list[str] = []
    if n_replaced:
        touched = _remove_replaced(con, entity, main, key, children)
    owned = {main, *children}
    # the links the derived weights come from are read once, into temp tables
    links = {s[0] for s in derived.SOURCES.values()} if entity == "work" else set()
    for table, files in staged.items():
        if files:
            where = (
                f"WHERE {_REC} IN (SELECT {_REC} FROM keep)" if table in owned else ""
            )
            rows = f"SELECT * EXCLUDE ({_REC}) FROM read_parquet(?) {where}"
            if table in links:
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE new_{table} AS {rows}", [files]
                )
                rows, files = f"SELECT * FROM new_{table}", []
            con.execute(
                f"INSERT INTO {ALIAS}.{table} BY NAME {rows}",
                [files] if files else None,
            )
    if entity == "work":
        _derive_new(con, staged)
    entry.update(stored=n_new, duplicates=n_dup, replaced=n_replaced)
    _enter(con, entry)
    return n_new, n_dup, touched


def _staged(staging: Path, table: str) -> list[str]:
    return [str(p) for p in sorted((staging / table).glob("*.parquet"))]


def _enter(con: duckdb.DuckDBPyConnection, entry: dict[str, Any]) -> None:
    cols = FILES_SCHEMA.names
    con.execute(
        f"INSERT INTO {ALIAS}.{FILES_TABLE} ({', '.join(cols)}) "
        f"VALUES ({', '.join('?' * len(cols))})",
        [entry.get(c) for c in cols],
    )


def _remove_replaced(
    con: duckdb.DuckDBPyConnection,
    entity: str,
    main: str,
    key: str,
    children: tuple[str, ...],
) -> list[str]:
    """Delete the rows of superseded records (keys in temp table ``replaced``).

    Their derived totals are first added with the opposite sign.
    """
    tables = [*children, main]
    if entity == "work":
        for table, sources in derived.SOURCES.items():
            if table.endswith("_totals"):
                w = f"(SELECT * FROM {ALIAS}.{sources[2]} WHERE work_id IN (SELECT k FROM replaced))"
                sql = derived.totals_sql(table, w, f"{ALIAS}.works", sign="-")
                con.execute(f"INSERT INTO {ALIAS}.{table} BY NAME {sql}")
            else:
                tables.insert(0, table)
    touched = []
    for table in tables:
        col = ENTITIES_KEY_COL.get(table, key)
        n = con.execute(
            f"DELETE FROM {ALIAS}.{table} WHERE {col} IN (SELECT k FROM replaced)"
        ).fetchone()
        if n and n[0]:
            touched.append(table)
    return touched


def _derive_new(con: duckdb.DuckDBPyConnection, staged: dict[str, list[str]]) -> None:
    """Weights and totals of the works this file stores."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE new_works AS SELECT work_id, publication_year, "
        f"doc_type FROM read_parquet(?) WHERE {_REC} IN (SELECT {_REC} FROM keep)",
        [staged["works"]],
    )
    for table, sources in derived.SOURCES.items():
        links = staged[sources[0]]
        if not links:
            continue
        if table.endswith("_weights"):  # links read by commit_file
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE new_{table} AS "
                + derived.weights_sql(table, f"new_{sources[0]}")
            )
            con.execute(
                f"INSERT INTO {ALIAS}.{table} BY NAME SELECT * FROM new_{table}"
            )
        else:
            sql = derived.totals_sql(table, f"new_{sources[2]}", "new_works")
            con.execute(f"INSERT INTO {ALIAS}.{table} BY NAME {sql}")


def compact(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Rewrite the data files of `tables` that have deleted rows (own commit)."""
    for table in tables:
        con.execute(
            "CALL ducklake_rewrite_data_files(?, ?, delete_threshold => 0)",
            [ALIAS, table],
        )


def _pair_matches(keys: tuple[str, ...], a: str, b: str) -> list[tuple[str, str]]:
    """Per key: (equi-join condition, extra filter) for `a` ~ `b` on that key.

    Two records match on key i when both carry it, it is equal, and for every
    key before i at least one of them lacks it ("the first key both carry").
    """
    out = []
    for i, k in enumerate(keys):
        extra = " AND ".join(f"({a}.{p} IS NULL OR {b}.{p} IS NULL)" for p in keys[:i])
        out.append((f"{a}.{k} = {b}.{k}", extra or "true"))
    return out


#: Columns of the main table giving a record's source and version date (the
#: latest version of a record wins, contract section 1); None: unversioned.
VERSION_COLS: dict[str, tuple[str, str]] = {"work": ("source", "citation_date")}

#: SQL: the best new record of a group beats the stored one (`_decide`):
#: a later version date; same date, other source: richer; else file order.
_BEATS_STORED = """coalesce(CASE
    WHEN ver IS DISTINCT FROM old_ver THEN old_ver IS NULL OR ver > old_ver
    WHEN src IS DISTINCT FROM old_src AND richness <> old_richness
        THEN richness > old_richness
    ELSE true END, false)"""


def _decide(
    con: duckdb.DuckDBPyConnection, keys: tuple[str, ...]
) -> tuple[int, int, int]:
    """Which staged records to keep, which stored keys they replace, counts.

    Leaves temp tables ``keep`` (``_rec`` of the records to store) and
    ``replaced`` (``k``: stored keys superseded) in `con`; returns the number
    of replaced keys, of records stored and of duplicates.
    """
    # Each new record's match in the store (if any) and its earliest earlier
    # match within the same file (if any); equi-joins only, one per key.
    old_hits = " UNION ALL ".join(
        f"SELECT n.{_REC}, {i} AS prec, any_value(o.k) AS old_k, "
        f"any_value(o.richness) AS old_richness, any_value(o.src) AS old_src, "
        f"any_value(o.ver) AS old_ver FROM new n JOIN old o ON {on} "
        f"WHERE {extra} GROUP BY n.{_REC}"
        for i, (on, extra) in enumerate(_pair_matches(keys, "n", "o"))
    )
    new_hits = " UNION ALL ".join(
        f"SELECT n.{_REC}, min(p.{_REC}) AS first_rec FROM new n JOIN new p ON {on} "
        f"WHERE p.{_REC} < n.{_REC} AND {extra} GROUP BY n.{_REC}"
        for on, extra in _pair_matches(keys, "n", "p")
    )
    con.execute(
        f"""CREATE TEMP TABLE m AS
        WITH oh AS (SELECT {_REC}, arg_min(old_k, prec) AS old_k,
                           arg_min(old_richness, prec) AS old_richness,
                           arg_min(old_src, prec) AS old_src,
                           arg_min(old_ver, prec) AS old_ver
                    FROM ({old_hits}) GROUP BY {_REC}),
             nh AS (SELECT {_REC}, min(first_rec) AS first_rec
                    FROM ({new_hits}) GROUP BY {_REC})
        SELECT n.{_REC}, n.k, n.richness, n.src, n.ver, oh.old_k, oh.old_richness,
               oh.old_src, oh.old_ver, nh.first_rec
        FROM new n LEFT JOIN oh USING ({_REC}) LEFT JOIN nh USING ({_REC})"""
    )
    # Point every record at the root of its chain of in-file matches.
    for _ in range(64):
        changed = con.execute(
            f"""UPDATE m SET first_rec = r.first_rec FROM m r
            WHERE m.first_rec = r.{_REC} AND r.first_rec IS NOT NULL"""
        ).fetchone()
        if not changed or not changed[0]:
            break
    # A group is one stored record or one first-seen record of this file
    # (with every record chained to it).  The latest version wins (version
    # date, e.g. OpenAlex updated_date); between different sources the
    # richest breaks a tie; then file order: the last one wins (contract 1).
    con.execute(
        f"""CREATE TEMP TABLE g AS
        SELECT m.{_REC}, m.k, m.richness, m.src, m.ver,
               coalesce(m.old_k, r.old_k) AS old_k,
               coalesce(m.old_richness, r.old_richness) AS old_richness,
               coalesce(m.old_src, r.old_src) AS old_src,
               coalesce(m.old_ver, r.old_ver) AS old_ver,
               coalesce('old:' || m.old_k, 'old:' || r.old_k,
                        'rec:' || coalesce(m.first_rec, m.{_REC})) AS grp
        FROM m LEFT JOIN m r ON r.{_REC} = m.first_rec"""
    )
    con.execute(
        f"""CREATE TEMP TABLE ranked AS
        SELECT *, row_number() OVER (PARTITION BY grp ORDER BY ver DESC NULLS LAST,
                   CASE WHEN n_src > 1 THEN richness END DESC NULLS LAST,
                   {_REC} DESC) AS rn
        FROM (SELECT *, count(DISTINCT src) OVER (PARTITION BY grp) AS n_src
              FROM g)"""
    )
    wins = _BEATS_STORED
    con.execute(
        f"""CREATE TEMP TABLE keep AS SELECT {_REC} FROM ranked
        WHERE rn = 1 AND (old_k IS NULL OR {wins})"""
    )
    con.execute(
        f"""CREATE TEMP TABLE replaced AS SELECT DISTINCT old_k AS k FROM ranked
        WHERE rn = 1 AND old_k IS NOT NULL AND {wins}"""
    )
    n_replaced = con.execute("SELECT count(*) FROM replaced").fetchone()
    n_groups_new = con.execute(
        "SELECT count(DISTINCT grp) FROM g WHERE old_k IS NULL"
    ).fetchone()
    total = con.execute("SELECT count(*) FROM new").fetchone()
    stored = int(n_groups_new[0]) if n_groups_new else 0
    n = int(total[0]) if total else 0
    return int(n_replaced[0]) if n_replaced else 0, stored, n - stored


def create_missing(con: Any) -> None:
    """Create the derived tables the catalog lacks (empty), in `con`'s transaction."""
    for table in derived.SOURCES:
        create_table(con, table, DERIVED[table])
