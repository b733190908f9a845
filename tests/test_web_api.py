"""The JSON API: filters, sorting, paging, CSV, and refusals (4xx, never 5xx)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oncometrics.web.app import create_app
from tests.web_fixtures import HASH, make_store


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    store = make_store(tmp_path_factory.mktemp("web"))
    return TestClient(create_app(store))


def test_tables_listed_with_counts(client: TestClient) -> None:
    r = client.get("/api/v1/tables")
    assert r.status_code == 200
    info = {t["name"]: t["rows"] for t in r.json()}
    assert info == {
        "publications_by_country": 10,
        "publications_by_country_year": 4,
        "publications_by_institution": 2,
        "trials_by_country": 2,
        "trials_by_phase": 3,
        "units": 2,
    }


def test_filter_sort_page(client: TestClient) -> None:
    r = client.get(
        "/api/v1/tables/publications_by_country",
        params={"sort": "mncs", "order": "desc", "limit": 3, "offset": 1},
    )
    body = r.json()
    assert r.status_code == 200 and body["total"] == 10
    assert [row["country"] for row in body["rows"]] == ["GB", "NL", "DE"]
    r = client.get(
        "/api/v1/tables/publications_by_country_year",
        params={"country": "FR", "period": "2020-2020"},
    )
    assert [row["p_frac"] for row in r.json()["rows"]] == [50.0]
    r = client.get("/api/v1/tables/trials_by_country", params={"domain": HASH})
    assert r.json()["total"] == 2
    # NaN/None become JSON null
    assert r.json()["rows"][1]["industry_share"] is None


def test_csv_download(client: TestClient) -> None:
    r = client.get(
        "/api/v1/tables/publications_by_country/csv", params={"country": "FR"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert lines[0].startswith("country,p_full,p_frac") and lines[1].startswith(
        "FR,117,90.0"
    )


@pytest.mark.parametrize(
    ("params", "status", "needle"),
    [
        ({"colour": "red"}, 400, "unknown parameter"),
        ({"limit": 100000}, 400, "limit"),
        ({"limit": 0}, 400, "limit"),
        ({"period": "2020-2010"}, 400, "bad period"),
        ({"period": "twenty"}, 400, "period"),
        ({"sort": "nope"}, 400, "unknown sort column"),
        ({"sort": "country; DROP TABLE x"}, 400, "sort"),
        ({"country": "FR' OR '1'='1"}, 400, "country"),
        ({"institution": "x"}, 400, "cannot be filtered by 'institution'"),
    ],
)
def test_bad_requests_are_4xx(
    client: TestClient, params: dict, status: int, needle: str
) -> None:
    r = client.get("/api/v1/tables/publications_by_country", params=params)
    assert r.status_code == status, r.text
    assert needle in r.json()["detail"]


def test_unknown_table_and_period_on_undated_table(client: TestClient) -> None:
    assert client.get("/api/v1/tables/nope").status_code == 404
    assert client.get('/api/v1/tables/x"y').status_code == 404
    r = client.get("/api/v1/tables/trials_by_country", params={"period": "2020"})
    assert r.status_code == 400 and "no year column" in r.json()["detail"]


def test_store_is_read_only(tmp_path: Path) -> None:
    from oncometrics.web.data import IndicatorData

    data = IndicatorData(make_store(tmp_path))
    with pytest.raises(Exception, match=r"(?i)permission|disabled|external"):
        data._run(f"COPY publications_by_country TO '{tmp_path / 'x.csv'}'", [])
    assert not (tmp_path / "x.csv").exists()


def test_query_time_limit(tmp_path: Path) -> None:
    from oncometrics.web.data import IndicatorData, QueryError

    data = IndicatorData(make_store(tmp_path), timeout=0.2)
    with pytest.raises(QueryError, match="time limit"):
        data._run("SELECT count(*) FROM range(100000000000) a", [])


def test_pages_render(client: TestClient) -> None:
    for url in (
        "/",
        "/country/FR",
        "/table/trials_by_country?country=US",
        "/compare?actors=FR,DE",
        "/docs",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
    assert "FR" in client.get("/country/FR").text
    assert client.get("/country/FRA").status_code == 400
    assert "Inserm" in client.get("/institution/I1294671590").text
    assert "4.5" in client.get("/unit/U1016").text
    r = client.get("/api/v1/tables/units", params={"unit": "U1138"})
    assert [row["p_full"] for row in r.json()["rows"]] == [3]
    assert client.get("/table/nope").status_code == 404
