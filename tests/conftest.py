"""Shared fixtures: one SparkSession per test session, engine parametrisation.

Tests that take ``engine`` (or ``con``) run once on DuckDB and once on Spark;
the Spark run is marked ``spark`` (deselect with ``-m "not spark"``) and is
skipped when pyspark is not installed.

With ``--dist loadgroup`` (scripts/test.sh) every Spark test (its name says
"spark") goes to one xdist worker, the other tests by file, longest first
(tests/xdist_schedule.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C handled as usual even when the suite starts with it ignored (a
    shell starts a background job so, e.g. ``( bash scripts/test.sh & )``
    in a script): the ingests the Ctrl-C tests start inherit an ignored
    SIGINT and would never be interrupted.  A handled signal is reset to
    its default action in a program this process starts."""
    import signal
    import threading

    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    ):
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A Spark test's name says "spark": the xdist scheduler puts every such
    test on one worker (one JVM) from its name alone (tests/xdist_schedule.py)."""
    from tests.xdist_schedule import is_spark_test

    for item in items:
        if item.get_closest_marker("spark") is not None and not is_spark_test(
            item.nodeid
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: a test marked spark must have 'spark' in its "
                "name (tests/xdist_schedule.py)"
            )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup``: groups, else files, longest first (see above)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.xdist_schedule import FileAndGroupScheduling

    return FileAndGroupScheduling(config, log)


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """A small local SparkSession shared by every Spark test."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.appName("oncometrics-tests")
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.driver.memory", "2g")
        # one garbage-collector thread: the JVM's default parallel collector
        # burns CPU the other test workers need on CI's 2 cores (the Spark
        # tests alone: 382 -> 355 busy CPU-s; docs/benchmarks.md "Test suite")
        .config("spark.driver.extraJavaOptions", "-XX:+UseSerialGC")
        # tiny data: per-query overhead dominates (measured on the inventions
        # world, docs/benchmarks.md "Test suite"): no adaptive re-planning,
        # no broadcast jobs, no Java code generated and compiled per stage
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.autoBroadcastJoinThreshold", "-1")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_con(spark_session: Any) -> Any:
    """An Ibis PySpark backend on the shared session."""
    from oncometrics.engine import connect

    return connect("spark", spark_session=spark_session)


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> str:
    """The engine name, once per engine."""
    return str(request.param)


@pytest.fixture
def con(engine: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """An Ibis backend for `engine` (the shared Spark one, or a fresh DuckDB)."""
    if engine == "spark":
        yield request.getfixturevalue("spark_con")
        return
    from oncometrics.engine import connect

    backend = connect("duckdb")
    yield backend
    backend.disconnect()
