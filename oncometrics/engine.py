"""Engines: one object that runs the indicators' Ibis expressions.

DuckDB is the embedded default; Apache Spark (``pip install
oncometrics[spark]``, Java 17) runs the very same Ibis expressions.
:class:`Engine` is the only code that knows which engine is in use: it
connects, lists the store's files (the local file system for plain paths
and ``file://``, Hadoop's file system on Spark for ``s3a://``, ``hdfs://``…,
DuckDB's own ``glob`` otherwise), loads tables, caches intermediate results,
uploads Arrow tables and materialises results as Arrow.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa

from oncometrics import layout
from oncometrics.errors import EngineError, NotAStoreError
from oncometrics.schema import DERIVED, TABLES

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

    from oncometrics.config import Config

__all__ = [
    "ENGINES",
    "Engine",
    "EngineError",
    "NotAStoreError",
    "connect",
    "connect_config",
    "load_tables",
]

ENGINES = ("duckdb", "spark")
#: Canonical and derived tables (oncometrics.derived) by name.
_SCHEMAS = {**TABLES, **DERIVED}


class Engine:
    """An Ibis backend with the few operations oncometrics needs of it.

    `own`: the engine was started here and :meth:`close` stops it (a DuckDB
    connection; a Spark session is shared by the process and left running).
    """

    def __init__(self, con: BaseBackend, *, own: bool = False) -> None:
        self.con = con
        self.name = "spark" if con.name == "pyspark" else con.name
        self._own = own
        self._cached: list[ir.Table] = []
        self._uploaded: list[str] = []

    @classmethod
    def from_config(cls, config: Config, *, spark_session: Any = None) -> Engine:
        """The engine `config` asks for (an existing `spark_session`: Spark)."""
        return cls(connect_config(config, spark_session=spark_session), own=True)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the store's files ---------------------------------------------------

    def list_files(self, folder: str) -> list[layout.DataFile]:
        """The files directly in `folder` (a path or URL), ``[]`` if none."""
        if self.name == "spark" and "://" in folder:  # file://, s3a://, hdfs://…
            return _hadoop_list(self.con, folder)
        if layout.local_path(folder) is not None:
            return layout.list_local(folder)
        return _duckdb_list(self.con, folder)

    def check_store(self, store: str | Path) -> None:
        """Raise :class:`NotAStoreError` when `store` holds no store."""
        if not layout.is_store(store, self.list_files):
            raise NotAStoreError(
                f"{store}: no store here (no manifest, no data files; "
                "run `oncometrics ingest` first)"
            )

    def has_data(self, store: str | Path, table: str) -> bool:
        """Whether `table` of `store` has at least one data file."""
        return bool(layout.store_files(store, table, self.list_files))

    def load_tables(
        self, store: str | Path, names: list[str] | None = None
    ) -> dict[str, ir.Table]:
        """The store's tables `names` (default: all canonical ones) on this engine.

        A table with no data files is an empty table of its canonical schema,
        so indicators need no special case for a store without patents or
        trials.  Columns are cast to the canonical schema, in its order.
        """
        out: dict[str, ir.Table] = {}
        for name in names or list(TABLES):
            files = layout.store_files(store, name, self.list_files)
            if not files:
                # its own name: on Spark a view `store_<name>` may exist already
                out[name] = self.empty_table(f"store_{name}_empty", _SCHEMAS[name])
                continue
            t = self._read_parquet(files, f"store_{name}")
            schema = ibis.schema(_SCHEMAS[name])
            out[name] = t.select(
                *[
                    t[c].cast(schema[c])
                    if c in t.columns
                    else ibis.null(schema[c]).name(c)
                    for c in schema.names
                ]
            )
        return out

    def _read_parquet(self, files: list[str], name: str) -> ir.Table:
        if self.name != "spark":  # by name: parts written by other versions
            return self.con.read_parquet(files, table_name=name, union_by_name=True)
        session = self.con._session  # type: ignore[attr-defined]
        session.read.parquet(*files).createOrReplaceTempView(name)
        return self.con.table(name)

    # -- intermediate results -------------------------------------------------

    def empty_table(self, name: str, schema: pa.Schema) -> ir.Table:
        """An empty table of `schema` (for a table the store lacks)."""
        if self.name == "spark":
            return self._spark_view(schema.empty_table(), name)
        return self.con.create_table(
            name, schema=ibis.schema(schema), temp=True, overwrite=True
        )

    def cache(self, expr: ir.Table) -> ir.Table:
        """`expr` computed once on the engine (dropped by :meth:`release`)."""
        if self.name == "spark":  # Ibis' cache() on Spark does not register
            self.con._run_pre_execute_hooks(expr)  # type: ignore[attr-defined]
        cached = expr.cache()
        self._cached.append(cached)
        return cached

    def upload(self, table: pa.Table, name: str) -> ir.Table:
        """`table` as a table of the engine (memtables do not reach Spark SQL).

        On Spark the Arrow table becomes a temporary view directly: Ibis'
        own route goes through pandas, where a null string turns into the
        text ``"NaN"``.
        """
        self._uploaded.append(name)
        if self.name == "duckdb":
            return self.con.create_table(name, obj=table, temp=True)
        return self._spark_view(table, name)

    def _spark_view(self, table: pa.Table, name: str) -> ir.Table:
        """`table` as the Spark temporary view `name` (replacing any)."""
        session: Any = self.con._session  # type: ignore[attr-defined]
        from ibis.backends.pyspark.datatypes import PySparkSchema

        spark_schema = PySparkSchema.from_ibis(ibis.schema(table.schema))
        session.createDataFrame(table, schema=spark_schema).createOrReplaceTempView(
            name
        )
        return self.con.table(name)

    def release(self) -> None:
        """Drop the cached and uploaded tables."""
        while self._cached:
            self._cached.pop().release()
        while self._uploaded:
            name = self._uploaded.pop()
            if self.name == "spark":
                self.con._session.catalog.dropTempView(name)  # type: ignore[attr-defined]
            else:
                self.con.drop_table(name, force=True)

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        """Materialise `expr` as Arrow, with the expression's schema.

        On Spark the result goes straight through ``DataFrame.toArrow``
        (Spark 4), not through pandas as Ibis' own ``to_pyarrow`` does.
        """
        if self.name != "spark":
            return expr.to_pyarrow()
        con: Any = self.con
        con._run_pre_execute_hooks(expr)  # registers in-memory tables
        df = con._session.sql(con.compile(expr))
        return df.toArrow().cast(expr.schema().to_pyarrow())

    def close(self) -> None:
        """Release what this engine holds; disconnect DuckDB if started here."""
        self.release()
        if self._own and self.name == "duckdb":
            self.con.disconnect()


def _hadoop_list(con: BaseBackend, folder: str) -> list[layout.DataFile]:
    """`folder`'s files through Spark's Hadoop file system (any scheme it knows)."""
    session: Any = con._session  # type: ignore[attr-defined]
    jvm = session._jvm
    path = jvm.org.apache.hadoop.fs.Path(folder)
    fs = path.getFileSystem(session._jsc.hadoopConfiguration())
    if not fs.exists(path) or not fs.getFileStatus(path).isDirectory():
        return []
    out = []
    for status in fs.listStatus(path):
        if status.isFile():
            p = status.getPath()
            mtime = int(status.getModificationTime()) * 1_000_000
            out.append(layout.DataFile(p.toString(), p.getName(), mtime))
    return out


def _duckdb_list(con: BaseBackend, folder: str) -> list[layout.DataFile]:
    """`folder`'s files through DuckDB's ``glob`` (``s3://`` with httpfs…)."""
    import duckdb

    raw: Any = con.con  # type: ignore[attr-defined]
    try:
        rows = raw.execute("SELECT file FROM glob(?)", [f"{folder.rstrip('/')}/*"])
    except duckdb.Error as exc:
        msg = str(exc).splitlines()[0]
        raise EngineError(f"{folder}: DuckDB cannot list this folder ({msg})") from exc
    return [layout.DataFile(f, f.rsplit("/", 1)[-1]) for (f,) in rows.fetchall()]


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
        DuckDB threads (default: the environment's ``ONCOMETRICS_THREADS``,
        else DuckDB's, all cores).
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
        if threads is None:
            from oncometrics.config import env_setting

            threads = env_setting("threads")
        con = ibis.duckdb.connect()
        if threads:
            _duckdb_set(con, "threads", int(threads))
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


def _duckdb_set(con: BaseBackend, name: str, value: str | int) -> None:
    """``SET name = value`` on DuckDB, the value a bound parameter; a bad
    value is a one-line EngineError.  `name` is one of ours, never the user's.
    """
    import duckdb

    raw: Any = con.con  # type: ignore[attr-defined]
    try:
        raw.execute(f"SET {name} = ?", [value])
    except duckdb.Error as exc:
        con.disconnect()
        msg = str(exc).splitlines()[0]
        raise EngineError(f"bad {name} {value!r} for DuckDB: {msg}") from exc


#: Settings of the local session oncometrics starts itself, unless the
#: user's Spark configuration (spark-defaults.conf, PYSPARK_SUBMIT_ARGS…)
#: already sets them.
LOCAL_SPARK_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
}


def spark(master: str | None = None, *, driver_memory: str | None = None) -> Any:
    """A SparkSession: the running one, else a new one (``local[*]`` by default).

    A new session made here gets :data:`LOCAL_SPARK_DEFAULTS` for what the
    user's Spark configuration leaves unset; on a cluster (`master` other
    than ``local``) only the time zone and ANSI mode the indicators rely on
    are set.  `driver_memory` is ``spark.driver.memory`` (default ``2g``);
    it only takes effect when no Spark JVM runs yet in this process.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EngineError(
            "the Spark engine needs pyspark: pip install 'oncometrics[spark]'"
        ) from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    master = master or "local[*]"
    user = user_spark_conf()
    local = master.startswith("local")
    builder = SparkSession.builder.appName("oncometrics").master(master)
    for key, value in LOCAL_SPARK_DEFAULTS.items():
        needed = key in ("spark.sql.session.timeZone", "spark.sql.ansi.enabled")
        if (local or needed) and key not in user:
            builder = builder.config(key, value)
    if driver_memory or "spark.driver.memory" not in user:
        builder = builder.config("spark.driver.memory", driver_memory or "2g")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def user_spark_conf() -> dict[str, str]:
    """Spark settings the user gave: ``spark-defaults.conf`` (in
    ``$SPARK_CONF_DIR`` or ``$SPARK_HOME/conf``) and ``--conf k=v`` of
    ``$PYSPARK_SUBMIT_ARGS``."""
    import itertools
    import os
    import shlex

    conf: dict[str, str] = {}
    folder = os.environ.get("SPARK_CONF_DIR") or (
        os.path.join(os.environ["SPARK_HOME"], "conf")
        if "SPARK_HOME" in os.environ
        else None
    )
    defaults = Path(folder, "spark-defaults.conf") if folder else None
    if defaults is not None and defaults.is_file():
        for line in defaults.read_text(encoding="utf-8").splitlines():
            parts = line.split(None, 1)
            if len(parts) == 2 and not parts[0].startswith("#"):
                conf[parts[0]] = parts[1].strip()
    args = shlex.split(os.environ.get("PYSPARK_SUBMIT_ARGS", ""))
    for flag, value in itertools.pairwise(args):
        if flag == "--conf" and "=" in value:
            key, val = value.split("=", 1)
            conf[key] = val
    return conf


def load_tables(
    con: BaseBackend, store: Path | str, tables: list[str] | None = None
) -> dict[str, ir.Table]:
    """The store's tables on the backend `con` (see :meth:`Engine.load_tables`)."""
    return Engine(con).load_tables(store, tables)


def empty_table(con: BaseBackend, name: str, schema: pa.Schema) -> ir.Table:
    """An empty table of `schema` on the backend `con`."""
    return Engine(con).empty_table(name, schema)
