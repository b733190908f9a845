"""The dashboard reads one snapshot: pages and API agree, reload together, and
answer (never 5xx) while compute replaces the tables; drift fails loudly."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import duckdb
import httpx
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from oncometrics.config import load_config
from oncometrics.outputs import OUTPUTS
from oncometrics.pipeline import compute
from oncometrics.web.app import create_app
from oncometrics.web.data import IndicatorData
from oncometrics.web.pages import CHARTS
from tests.indicators_fixtures import fixture_store
from tests.web_fixtures import make_store, server_on


def test_every_chart_is_drawn(tmp_path: Path) -> None:
    """Each chart's table is published and the overview draws every chart."""
    assert {table for _, _, table in CHARTS} <= set(OUTPUTS)
    html = TestClient(create_app(make_store(tmp_path))).get("/?actor=FR").text
    for title, _, _ in CHARTS:
        assert f"{title}</" in html, title
    assert html.count("<svg") >= len(CHARTS)


def test_a_renamed_column_fails_the_dashboard(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    path = store / "indicators" / "publications_by_country.parquet"
    t = pq.read_table(path)
    pq.write_table(t.rename_columns(["cntry", *t.column_names[1:]]), path)
    with pytest.raises(ValueError, match=r"publications_by_country.*country"):
        create_app(store)


def test_pages_and_api_reload_together(tmp_path: Path) -> None:
    store = make_store(tmp_path / "a")
    client = TestClient(create_app(store))
    assert client.get("/api/v1/tables/trials_by_phase").json()["total"] == 3
    assert '<p class="meta">3 rows' in client.get("/table/trials_by_phase").text
    new = make_store(tmp_path / "b")
    t = pq.read_table(new / "indicators" / "trials_by_phase.parquet").slice(0, 1)
    pq.write_table(t, new / "indicators" / "trials_by_phase.parquet")
    old = store / "indicators"
    old.rename(tmp_path / "old")
    (new / "indicators").rename(old)  # as compute publishes
    shutil.rmtree(tmp_path / "old")
    assert client.get("/api/v1/tables/trials_by_phase").json()["total"] == 1
    assert '<p class="meta">1 rows' in client.get("/table/trials_by_phase").text


def _periods(store: Path) -> set[str]:
    """The periods of one loaded snapshot: its tables' and its domain.json's."""
    try:
        snap = IndicatorData(store)
    except (OSError, duckdb.Error):  # the folder was replaced while reading it
        return set()
    found = {str(snap.domain.get("settings", {}).get("period") or "all")}
    for name, df in snap.frames().items():
        if "period" in df and name.startswith("publications"):
            found |= set(df["period"].astype(str))
    return found


@pytest.mark.slow
def test_serve_during_compute(tmp_path: Path) -> None:
    """Requests while compute rewrites the tables: never 5xx, one period each."""
    store = fixture_store(tmp_path / "store")
    out = store / "indicators"
    quiet = {"log": lambda m: None}
    compute(store, out, config=load_config(domain="all", bootstrap=0), **quiet)
    done = threading.Event()

    def recompute() -> None:
        try:
            for period in ("2019-2020", "2018-2021", "2020-2020"):
                cfg = load_config(domain="all", bootstrap=0, period=period)
                compute(store, out, config=cfg, **quiet)
        finally:
            done.set()

    with server_on(create_app(store)) as url:
        worker = threading.Thread(target=recompute)
        worker.start()
        codes, periods, mixed = [], set(), []
        with httpx.Client(base_url=url, timeout=30) as client:
            while not done.is_set() or not periods:
                for path in ("/api/v1/tables/publications_by_country", "/",
                             "/country/FR", "/table/country_partners"):  # fmt: skip
                    r = client.get(path)
                    codes.append(r.status_code)
                    if path.startswith("/api"):
                        rows = r.json()["rows"]
                        periods.add(frozenset(row["period"] for row in rows))
                mixed.append(_periods(store))
            last = client.get("/api/v1/tables/publications_by_country").json()
        worker.join()
    assert codes and all(c == 200 for c in codes), sorted(set(codes))
    assert all(len(p) <= 1 for p in periods)  # never two runs in one table
    assert all(len(p) <= 1 for p in mixed), mixed  # nor in one folder
    assert {row["period"] for row in last["rows"]} == {"2020-2020"}
