"""Bulk ingest of clean OpenAlex snapshot parts on DuckDB.

:func:`stage` reads one JSON Lines file (plain or gzip) with pyarrow's JSON
reader and an explicit schema, strictly
(:mod:`oncometrics.sources.openalex_read`), by chunks of about 25,000 works;
each chunk goes to DuckDB, which checks every work
(:func:`oncometrics.sources.openalex_flat.clean`), flattens the works with
the one Ibis definition (:func:`~oncometrics.sources.openalex_flat.flatten`)
and writes the staged Parquet files the Python stager writes (one folder per
table, one file per chunk, the ``_rec`` column), so the commit is the same.

The fallback rule: the whole file goes to the Python parser (``stage``
returns None) when anything is not plain — a file that is not JSON Lines
of objects starting at its first byte, a blank line, a carriage return, a
damaged gzip stream, a line pyarrow cannot read with the schema (invalid
JSON, a number where text is expected, an object where a list is, longer
than ``max_record_bytes``…), or one work that fails a type or range check.
The Python parser then rejects what is bad with its reasons, so rejects,
quarantine and read = stored + duplicates + rejected are those of the
Python path.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from oncometrics.schema import TABLES
from oncometrics.setting import check_value, parse_env
from oncometrics.sources.openalex_flat import (
    AFF_SCHEMA,
    OUTPUTS,
    RAW_SCHEMA,
    STEPS,
    affiliations_to_parse,
    clean,
    flatten,
    parse_affiliations,
    works_table,
)
from oncometrics.sources.openalex_read import NotPlain, chunks

#: DuckDB memory per staging process (``memory_limit`` overrides it).
MEMORY_LIMIT = "500MB"
_COMPRESSION = "lz4"


def enabled() -> bool:
    """Whether the bulk path is on (setting ``bulk_ingest``, read from
    ``ONCOMETRICS_BULK_INGEST`` and checked like every setting)."""
    from oncometrics.config import SETTINGS

    setting = next(s for s in SETTINGS if s.name == "bulk_ingest")
    var = "ONCOMETRICS_BULK_INGEST"
    raw = os.environ.get(var)
    if raw is None:
        return bool(setting.default)
    return bool(check_value(setting, parse_env(setting, raw, var), var))


def stage(
    path: Path,
    staging: Path,
    *,
    threads: int = 1,
    memory_limit: str | None = None,
    parse_country: Callable[[str], str | None] | None = None,
    file_name: str | None = None,
) -> int | None:
    """Stage the canonical tables of a clean OpenAlex JSON Lines file.

    Returns the number of records read (every one staged), or None: the
    file is not clean, stage it with the Python parser (nothing is left in
    `staging`).  `file_name` is the ``ingest_file`` value (default: `path`).
    """
    spill = staging.with_name(staging.name + ".spill")  # DuckDB beyond memory_limit
    con = duckdb.connect(
        config={
            "threads": threads,
            "memory_limit": memory_limit or MEMORY_LIMIT,
            "preserve_insertion_order": True,
            "temp_directory": str(spill),
        }
    )
    try:
        return _stage_chunks(con, path, staging, file_name or str(path), parse_country)
    except (NotPlain, duckdb.Error):
        shutil.rmtree(staging, ignore_errors=True)
        return None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _stage_chunks(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    staging: Path,
    name: str,
    parse_country: Callable[[str], str | None] | None,
) -> int:
    """Stage `path` chunk by chunk (one staged Parquet file per table and
    chunk); the works read.  Raises :class:`NotPlain` when not all clean."""
    con.execute("CREATE TEMP TABLE inst_seen (institution_id VARCHAR)")
    parsed: dict[str, str | None] = {}  # affiliation countries, over the chunks
    n = 0
    sql = _queries(parse_country is not None)
    for batch, chunk in enumerate(chunks(path)):
        if not _load_chunk(con, chunk, name, sql["check"]):
            raise NotPlain("a work fails the type or range checks")
        _write_all(con, staging, parse_country, batch, parsed)
        n += chunk.num_rows
    return n


def _load_chunk(
    con: duckdb.DuckDBPyConnection, chunk: pa.Table, name: str, check: str
) -> bool:
    """`chunk` (typed works, numbered) as view ``raw`` (DuckDB scans the
    Arrow table); False: not all clean (`check`: the SQL counting works and
    clean works)."""
    files = pa.array(itertools.repeat(name, chunk.num_rows), pa.string())
    con.register("raw", chunk.append_column("ingest_file", files))
    row = con.execute(check).fetchone()
    return row is not None and row[0] == chunk.num_rows == row[1]


def _write_all(
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    parse_country: Callable[[str], str | None] | None,
    batch: int,
    parsed: dict[str, str | None],
) -> None:
    """Flatten ``raw`` and COPY each non-empty table to `staging`.

    An institution is staged once per file, as first met: the rows of this
    chunk less those of the chunks before (``inst_seen``).
    """
    sql = _queries(parse_country is not None)
    for step in STEPS:  # the affiliation countries are parsed after "au"
        if f"s_{step}" in sql:
            con.execute(f"CREATE OR REPLACE TEMP TABLE s_{step} AS {sql['s_' + step]}")
        if step == "au" and parse_country is not None:
            _parse_affiliations(con, sql["to_parse"], parse_country, parsed)
    for name in [*_CHILDREN, "works"]:
        con.execute(f"CREATE OR REPLACE TEMP TABLE t_{name} AS {sql[name]}")
    con.execute(
        "DELETE FROM t_institutions "
        "WHERE institution_id IN (SELECT institution_id FROM inst_seen)"
    )
    con.execute("INSERT INTO inst_seen SELECT institution_id FROM t_institutions")
    for name in OUTPUTS:
        _copy(con, name, staging, batch)


def _parse_affiliations(
    con: duckdb.DuckDBPyConnection,
    to_parse: str,
    parse_country: Callable[[str], str | None],
    parsed: dict[str, str | None],
) -> None:
    """Table ``aff``: the strings of `to_parse` and their parsed country
    (`parsed`: the strings parsed in the chunks before)."""
    texts = [t for (t,) in con.execute(to_parse).fetchall()]
    new = [t for t in texts if t not in parsed]
    parsed.update(
        zip(new, parse_affiliations(new, parse_country)["country"], strict=True)
    )
    pairs = pa.table(
        {"affiliation": texts, "country": [parsed[t] for t in texts]},
        schema=AFF_SCHEMA.to_pyarrow(),
    )
    con.register("aff_pairs", pairs)
    con.execute("CREATE OR REPLACE TEMP TABLE aff AS SELECT * FROM aff_pairs")
    con.unregister("aff_pairs")


_CHILDREN = [t for t in OUTPUTS if t != "works"]
#: The intermediate tables of the flattening made once per chunk (each is
#: read by several canonical tables), in the order of :data:`STEPS`.
MATERIALISED = ("au", "insts", "affs")
_SQL: dict[bool, dict[str, str]] = {}


def _queries(parse: bool) -> dict[str, str]:
    """The DuckDB SQL of every step, compiled once per process.

    The Ibis expressions are built on unbound tables named as the temporary
    tables the steps create (``raw``, ``aff``, ``s_<step>`` for the
    intermediate tables of :data:`MATERIALISED`, ``t_<table>``).
    """
    if parse in _SQL:
        return _SQL[parse]
    import ibis

    def to_sql(expr: Any) -> str:
        return str(ibis.to_sql(expr, dialect="duckdb"))

    raw = ibis.table(RAW_SCHEMA, name="raw")
    aff = ibis.table(AFF_SCHEMA, name="aff") if parse else None
    sql = {"check": to_sql(raw.aggregate(n=raw.count(), good=clean(raw).sum()))}
    steps: dict[str, Any] = {}

    def bind(name: str, expr: Any) -> Any:
        if name not in MATERIALISED:
            return expr
        sql[f"s_{name}"] = to_sql(expr)
        steps[name] = ibis.table(expr.schema(), name=f"s_{name}")
        return steps[name]

    tables = flatten(raw, aff, bind=bind)
    sql["to_parse"] = to_sql(affiliations_to_parse(raw, steps.get("au")))
    done = {}
    for name in _CHILDREN:
        sql[name] = to_sql(tables[name])
        done[name] = ibis.table(tables[name].schema(), name=f"t_{name}")
    sql["works"] = to_sql(works_table(raw, done))
    _SQL[parse] = sql
    return sql


def _copy(con: duckdb.DuckDBPyConnection, name: str, staging: Path, batch: int) -> None:
    n = con.execute(f"SELECT count(*) FROM t_{name}").fetchone()
    if not n or not n[0]:
        return
    out = staging / name
    out.mkdir(parents=True, exist_ok=True)
    cols = ", ".join(f'"{c}"' for c in [*TABLES[name].names, "_rec"])
    dest = str(out / f"b{batch:06d}.parquet").replace("'", "''")
    con.execute(
        f"COPY (SELECT {cols} FROM t_{name}) TO '{dest}' "
        f"(FORMAT PARQUET, COMPRESSION {_COMPRESSION})"
    )
