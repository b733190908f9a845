"""The engine seam: a store addressed by URL computes the same tables as by
its path, on DuckDB (here) and on Spark (tests/test_indicators_parity.py:
Spark reads the ``file://`` URL, DuckDB the path); a path that holds no
store is one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from oncometrics import layout
from oncometrics.config import load_config
from oncometrics.engine import Engine, NotAStoreError, connect, user_spark_conf
from oncometrics.errors import OncometricsError
from oncometrics.pipeline import compute
from tests.indicators_fixtures import fixture_store


def _tables(written: dict[str, Path]) -> dict[str, Any]:
    return {k: pq.read_table(p) for k, p in written.items() if k != "domain"}


def _same_tables(store: Path, out: Path, con: Any) -> None:
    cfg = load_config(period="2020-2021", bootstrap=50)
    quiet = lambda m: None  # noqa: E731
    by_path = _tables(compute(store, out / "path", config=cfg, con=con, log=quiet))
    url = store.resolve().as_uri()
    assert url.startswith("file://")
    by_url = _tables(compute(url, out / "url", config=cfg, con=con, log=quiet))
    assert set(by_url) == set(by_path) and len(by_path) == 6
    for name, table in by_path.items():
        assert table.num_rows > 0, name
        assert by_url[name].equals(table), name


def test_file_url_store_gives_the_same_tables_on_duckdb(tmp_path: Path) -> None:
    store = fixture_store(tmp_path / "store")
    con = connect("duckdb")
    try:
        _same_tables(store, tmp_path, con)
    finally:
        con.disconnect()


@pytest.mark.spark
def test_spark_lists_a_url_with_hadoop(tmp_path: Path, spark_con: Any) -> None:
    store = fixture_store(tmp_path / "store")
    engine = Engine(spark_con)
    url = store.resolve().as_uri()
    # a local DuckLake store answers from its catalog, whatever its address
    by_url = layout.store_files(url, "works", engine.list_files)
    local = layout.store_files(store, "works")
    assert local and [Path(f).name for f in by_url] == [Path(f).name for f in local]
    # a folder URL is listed by Hadoop's file system, like the local disk
    folder = Path(local[0]).parent.resolve()
    hadoop = engine.list_files(folder.as_uri())
    on_disk = layout.list_local(str(folder))
    assert sorted(Path(f.url).name for f in hadoop) == sorted(
        Path(f.url).name for f in on_disk
    )
    assert hadoop and all(f.url.startswith("file:") for f in hadoop)
    assert engine.list_files(url + "/no_such_table") == []


def test_duckdb_glob_lists_like_the_file_system(tmp_path: Path) -> None:
    from oncometrics.engine import _duckdb_list

    store = fixture_store(tmp_path / "store")
    con = connect("duckdb")
    try:
        got = sorted(f.name for f in _duckdb_list(con, str(store / "works")))
    finally:
        con.disconnect()
    assert got == sorted(f.name for f in layout.list_local(str(store / "works")))


@pytest.mark.parametrize("as_url", [False, True])
def test_a_folder_without_a_store_is_a_one_line_error(
    tmp_path: Path, as_url: bool
) -> None:
    empty = tmp_path / "not-a-store"
    (empty / "works").mkdir(parents=True)  # a table folder, but no parts
    where = empty.as_uri() if as_url else str(empty)
    with pytest.raises(NotAStoreError) as err:
        compute(where, tmp_path / "out", config=load_config(), log=lambda m: None)
    msg = str(err.value)
    assert msg.startswith(f"{where}: no store here") and "\n" not in msg
    assert isinstance(err.value, OncometricsError)
    assert not (tmp_path / "out").exists()  # nothing written


def test_cli_compute_of_a_url_without_a_store_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from oncometrics import cli

    empty = tmp_path / "empty"
    empty.mkdir()
    for store in (str(empty), empty.as_uri()):
        with pytest.raises(SystemExit) as exit_:
            cli.main(["compute", "--store", store, "--out", str(tmp_path / "out")])
        assert exit_.value.code == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and "no store here" in err and "\n" not in err


def test_spark_settings_of_the_user_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "spark-defaults.conf").write_text(
        "# comment\nspark.sql.shuffle.partitions   200\nspark.driver.memory 8g\n"
    )
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    monkeypatch.setenv(
        "PYSPARK_SUBMIT_ARGS", "--conf spark.sql.ansi.enabled=true pyspark-shell"
    )
    conf = user_spark_conf()
    assert conf["spark.sql.shuffle.partitions"] == "200"
    assert conf["spark.driver.memory"] == "8g"
    assert conf["spark.sql.ansi.enabled"] == "true"


def test_a_store_path_with_an_apostrophe_computes(tmp_path: Path) -> None:
    store = fixture_store(tmp_path / "d'Alembert's store")
    spill = tmp_path / "l'été"
    cfg = load_config(bootstrap=0, threads=2, temp_directory=str(spill))
    out = compute(store, tmp_path / "out", config=cfg, log=lambda m: None)
    assert pq.read_table(out["publications_by_country"]).num_rows > 0
    assert spill.is_dir()


@pytest.mark.parametrize("threads", ["3", "1"])
def test_threads_from_the_environment_reach_every_duckdb(
    monkeypatch: pytest.MonkeyPatch, threads: str
) -> None:
    """``ONCOMETRICS_THREADS`` sets the threads of compute's DuckDB and of the
    store's own (ingest), which runs without a Config (scripts/test.sh sets
    1: one thread per test worker)."""
    from oncometrics import lake
    from oncometrics.engine import connect

    monkeypatch.setenv("ONCOMETRICS_THREADS", threads)
    monkeypatch.setattr(lake, "_DB", None)  # a new instance, this test's only
    db = lake._instance()
    try:
        got = db.execute("SELECT current_setting('threads')").fetchone()
    finally:
        db.close()  # the worker's own instance comes back with monkeypatch
    assert got == (int(threads),)
    con: Any = connect("duckdb")
    try:
        raw = con.con.execute("SELECT current_setting('threads')").fetchone()
        assert raw == (int(threads),)
    finally:
        con.disconnect()
    # an explicit value wins over the environment
    con = connect("duckdb", threads=2)
    try:
        assert con.con.execute("SELECT current_setting('threads')").fetchone() == (2,)
    finally:
        con.disconnect()


def test_bad_threads_in_the_environment_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from oncometrics import lake
    from oncometrics.errors import SettingError

    monkeypatch.setenv("ONCOMETRICS_THREADS", "0")
    monkeypatch.setattr(lake, "_DB", None)
    with pytest.raises(SettingError, match="ONCOMETRICS_THREADS") as err:
        lake._instance()
    assert "\n" not in str(err.value)
