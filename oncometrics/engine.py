"""Engines: connect an Ibis backend and expose the store's tables on it.

DuckDB is the embedded default; Apache Spark (``pip install
oncometrics[spark]``, Java 17) runs the very same Ibis expressions.  This
module is the only place that knows which engine is in use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa

from oncometrics.schema import DERIVED, TABLES

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

    from oncometrics.config import Config

ENGINES = ("duckdb", "spark")


class EngineError(Exception):
    """The engine could not be started (message says why and what to do)."""


def connect(
    engine: str = "duckdb",
    *,
    spark_master: str | None = None,
    spark_session: Any = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | Path | None = None,
    spark_driver_memory: str | None = None,
) -> BaseBackend:
    """An Ibis backend for `engine` ("duckdb" or "spark").

    For Spark, pass an existing ``SparkSession`` as `spark_session` (e.g. on a
    cluster) or a master URL; the default is ``local[*]``.

    Parameters
    ----------
    threads
        DuckDB threads (default: DuckDB's, all cores).
    memory_limit
        DuckDB memory limit such as ``"3GB"`` (default: DuckDB's, 80 % of
        RAM).  Operators that need more spill to `temp_directory`.
    temp_directory
        Where DuckDB spills (default: DuckDB's, ``.tmp`` in the working
        directory); created if missing.
    spark_driver_memory
        ``spark.driver.memory`` of a new local session, e.g. ``"6g"``
        (default ``2g``); ignored when `spark_session` is given.
    """
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        if threads:
            con.raw_sql(f"SET threads = {int(threads)}")
        if memory_limit:
            _duckdb_set(con, "memory_limit", str(memory_limit))
        if temp_directory:
            Path(temp_directory).mkdir(parents=True, exist_ok=True)
            _duckdb_set(con, "temp_directory", str(temp_directory))
        return con
    if engine == "spark":
        session = spark_session or spark(
            spark_master, driver_memory=spark_driver_memory
        )
        return ibis.pyspark.connect(session)
    raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")


def connect_config(config: Config, *, spark_session: Any = None) -> BaseBackend:
    """The backend `config` asks for (engine, threads, memory, Spark settings).

    An existing `spark_session` implies the Spark engine.
    """
    return connect(
        "spark" if spark_session is not None else config.engine,
        spark_master=config.spark_master,
        spark_session=spark_session,
        threads=config.threads,
        memory_limit=config.memory_limit,
        temp_directory=config.temp_directory,
        spark_driver_memory=config.spark_driver_memory,
    )


def _duckdb_set(con: BaseBackend, name: str, value: str) -> None:
    """``SET name = 'value'`` on DuckDB; a bad value is a one-line EngineError."""
    import duckdb

    try:
        con.raw_sql(f"SET {name} = '{value.replace(chr(39), chr(39) * 2)}'")
    except duckdb.Error as exc:
        con.disconnect()
        msg = str(exc).splitlines()[0]
        raise EngineError(f"bad {name} {value!r} for DuckDB: {msg}") from exc


def spark(master: str | None = None, *, driver_memory: str | None = None) -> Any:
    """A SparkSession (local mode by default) tuned for small test jobs.

    `driver_memory` is ``spark.driver.memory`` (default ``2g``); it only
    takes effect when no Spark JVM runs yet in this process.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EngineError(
            "the Spark engine needs pyspark: pip install 'oncometrics[spark]'"
        ) from exc
    builder = (
        SparkSession.builder.appName("oncometrics")
        .master(master or "local[*]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", driver_memory or "2g")
        .config("spark.sql.ansi.enabled", "false")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def empty_table(con: BaseBackend, name: str, schema: pa.Schema) -> ir.Table:
    """An empty table of `schema` on `con` (for a table the store lacks)."""
    return con.create_table(
        name, schema=ibis.schema(schema), temp=_is_duckdb(con), overwrite=True
    )


def _is_duckdb(con: BaseBackend) -> bool:
    return con.name == "duckdb"


#: Canonical and derived tables (oncometrics.derived) by name.
_SCHEMAS = {**TABLES, **DERIVED}


def load_tables(
    con: BaseBackend, store: Path | str, tables: list[str] | None = None
) -> dict[str, ir.Table]:
    """The store's canonical tables as Ibis tables on `con`.

    Read from the data files of one snapshot (the one pinned with
    :func:`oncometrics.lake.pin`, else the latest): :func:`oncometrics.store.table_files`.
    A table with no data files is an empty table of its canonical schema, so
    indicators need no special case for a store without patents or trials.
    """
    from oncometrics.store import table_files

    out: dict[str, ir.Table] = {}
    for name in tables or list(TABLES):
        parts = table_files(store, name)  # the pinned (or latest) snapshot's files
        if parts:
            if _is_duckdb(con):
                # compacted files carry DuckLake's row id: match by name
                t = con.read_parquet(
                    parts, table_name=f"store_{name}", union_by_name=True
                )
            else:  # Spark: the same files, listed (a cluster reads them too)
                con._session.read.parquet(*parts).createOrReplaceTempView(
                    f"store_{name}"
                )
                t = con.table(f"store_{name}")
            # Normalise to the canonical schema (column order and types).
            schema = ibis.schema(_SCHEMAS[name])
            out[name] = t.select(
                *[
                    t[c].cast(schema[c])
                    if c in t.columns
                    else ibis.null(schema[c]).name(c)
                    for c in schema.names
                ]
            )
        else:
            out[name] = empty_table(con, f"store_{name}", _SCHEMAS[name])
    return out


def to_arrow(expr: ir.Table) -> pa.Table:
    """Materialise `expr` as an Arrow table (the one place results are pulled)."""
    return expr.to_pyarrow()
