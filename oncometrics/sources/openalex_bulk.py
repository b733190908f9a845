"""Bulk ingest of clean OpenAlex snapshot parts on DuckDB.

:func:`stage` reads one JSON Lines file (plain or gzip) with DuckDB's
``read_json`` — every scalar leaf typed exactly
(:mod:`oncometrics.sources.openalex_read`) — checks every work
(:func:`oncometrics.sources.openalex_flat.clean`), flattens the works with
the one Ibis definition (:func:`~oncometrics.sources.openalex_flat.flatten`)
and writes the staged Parquet files the Python stager writes (one folder per
table, the ``_rec`` column), so the commit is the same.

The fallback rule: the whole file goes to the Python parser (``stage``
returns None) when anything is not plain — a file that is not JSON Lines
of objects starting at its first byte, a blank line, a carriage return, a
damaged gzip stream, a line DuckDB cannot read with the schema (invalid
JSON, an object where a list is expected, longer than
``max_record_bytes``…), or one work that fails a type or range check.  The
Python parser then rejects what is bad with its reasons, so rejects,
quarantine and read = stored + duplicates + rejected are those of the
Python path.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from oncometrics.schema import TABLES
from oncometrics.setting import check_value, parse_env
from oncometrics.sources.base import RATIO_FLOOR, input_limits
from oncometrics.sources.openalex_flat import (
    AFF_SCHEMA,
    OUTPUTS,
    RAW_SCHEMA,
    affiliations_to_parse,
    clean,
    flatten,
    parse_affiliations,
    works_table,
)
from oncometrics.sources.openalex_read import read_columns, typed_sql

#: DuckDB memory per staging process (``memory_limit`` overrides it).
MEMORY_LIMIT = "1GB"
#: The longest JSON line the bulk path reads (bytes).
MAX_LINE = 8 << 20
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


def count_lines(con: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    """Lines of a plain JSON Lines file, or None when it is not plain.

    Read as lines by DuckDB (decompressed once, nothing kept).  Not plain:
    empty; a line that is blank, does not start with ``{``, holds a
    carriage return or is longer than ``max_record_bytes``; near the
    decompression-bomb ratio; or what DuckDB's JSON reader accepts and
    orjson does not: ``NaN``/``Infinity`` and trailing commas (looked for
    anywhere, strings included: a false alarm only costs time).  A damaged
    gzip stream raises ``duckdb.Error``.
    """
    limits = input_limits()
    bad = (
        "line IS NULL OR NOT starts_with(line, '{') OR contains(line, chr(13)) "
        "OR contains(line, 'NaN') OR contains(line, 'Infinity') "
        r"OR regexp_matches(line, ',\s*[}\]]')"
    )
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {bad}), "
        "coalesce(sum(strlen(line)), 0), coalesce(max(strlen(line)), 0) "
        "FROM read_csv(?, columns={'line': 'VARCHAR'}, delim=chr(1), quote='', "
        "escape='', header=false, auto_detect=false, new_line='\\n', "
        f"max_line_size={_longest() + 1}, buffer_size={4 * _longest()}, "
        "compression=?)",
        [str(path), _compression(path)],
    ).fetchone()
    if row is None:
        return None
    n, n_bad, size, longest = row
    budget = limits.ratio * max(path.stat().st_size, RATIO_FLOOR) / 2
    if not n or n_bad or longest > limits.record_bytes or size + n > budget:
        return None
    return int(n)


def _longest() -> int:
    """The longest line taken (longer: the file goes to the Python parser).

    At most :data:`MAX_LINE` (DuckDB sizes its read buffers on it).
    """
    return min(input_limits().record_bytes, MAX_LINE)


def _compression(path: Path) -> str:
    with open(path, "rb") as fh:
        return "gzip" if fh.read(2) == b"\x1f\x8b" else "uncompressed"


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
        lines = count_lines(con, path)
        if not lines or not _load(con, path, lines, file_name or str(path)):
            return None
        _write_all(con, staging, parse_country)
    except duckdb.Error:
        shutil.rmtree(staging, ignore_errors=True)
        return None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    return lines


def _load(con: duckdb.DuckDBPyConnection, path: Path, lines: int, name: str) -> bool:
    """Read `path` into ``raw`` (typed, numbered); False when not all clean."""
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in read_columns().items()) + "}"
    compression = _compression(path)
    size = _longest()
    con.execute(
        f"CREATE TEMP TABLE j AS SELECT * FROM read_json(?, columns={cols}, "
        f"format='newline_delimited', compression='{compression}', "
        f"maximum_object_size={size}, hive_partitioning=false, "
        "filename=false, union_by_name=false, auto_detect=false)",
        [str(path)],
    )
    src = "(SELECT *, rowid + 1 AS _no FROM j)"
    con.execute(
        f"CREATE TEMP TABLE raw AS SELECT t.*, ?::VARCHAR AS ingest_file, "
        f"t._no::BIGINT AS record_no FROM ({typed_sql(src, extra='_no')}) t",
        [name],
    )
    con.execute("DROP TABLE j")
    row = con.execute(_queries(False)["check"]).fetchone()
    return row is not None and row[0] == lines and row[1] == lines


def _write_all(
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    parse_country: Callable[[str], str | None] | None,
) -> None:
    """Flatten ``raw`` and COPY each non-empty table to `staging`."""
    sql = _queries(parse_country is not None)
    if parse_country is not None:
        texts = [t for (t,) in con.execute(sql["to_parse"]).fetchall()]
        pairs = pa.table(
            parse_affiliations(texts, parse_country), schema=AFF_SCHEMA.to_pyarrow()
        )
        con.register("aff_pairs", pairs)
        con.execute("CREATE TEMP TABLE aff AS SELECT * FROM aff_pairs")
        con.unregister("aff_pairs")
    for name in [*_CHILDREN, "works"]:
        con.execute(f"CREATE TEMP TABLE t_{name} AS {sql[name]}")
    for name in OUTPUTS:
        _copy(con, name, staging)


_CHILDREN = [t for t in OUTPUTS if t != "works"]
_SQL: dict[bool, dict[str, str]] = {}


def _queries(parse: bool) -> dict[str, str]:
    """The DuckDB SQL of every step, compiled once per process.

    The Ibis expressions are built on unbound tables named as the temporary
    tables the steps create (``raw``, ``aff``, ``t_<table>``).
    """
    if parse in _SQL:
        return _SQL[parse]
    import ibis

    def to_sql(expr: Any) -> str:
        return str(ibis.to_sql(expr, dialect="duckdb"))

    raw = ibis.table(RAW_SCHEMA | {"_typed": "boolean"}, name="raw")
    aff = ibis.table(AFF_SCHEMA, name="aff") if parse else None
    tables = flatten(raw, aff)
    sql = {
        "check": to_sql(
            raw.aggregate(n=raw.count(), good=(raw._typed & clean(raw)).sum())
        ),
        "to_parse": to_sql(affiliations_to_parse(raw)),
    }
    done = {}
    for name in _CHILDREN:
        sql[name] = to_sql(tables[name])
        done[name] = ibis.table(tables[name].schema(), name=f"t_{name}")
    sql["works"] = to_sql(works_table(raw, done))
    _SQL[parse] = sql
    return sql


def _copy(con: duckdb.DuckDBPyConnection, name: str, staging: Path) -> None:
    n = con.execute(f"SELECT count(*) FROM t_{name}").fetchone()
    if not n or not n[0]:
        return
    out = staging / name
    out.mkdir(parents=True, exist_ok=True)
    cols = ", ".join(f'"{c}"' for c in [*TABLES[name].names, "_rec"])
    dest = str(out / "b000000.parquet").replace("'", "''")
    con.execute(
        f"COPY (SELECT {cols} FROM t_{name}) TO '{dest}' "
        f"(FORMAT PARQUET, COMPRESSION {_COMPRESSION})"
    )
