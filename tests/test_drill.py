"""Drill-down (oncometrics.drill): the works behind an actor's row, on the
hand-worked fixture (tests/data/indicators/EXPECTED.md §2–3), through the
library, the CLI and the web API."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from oncometrics.config import load_config
from oncometrics.drill import Drill, DrillError, drill
from oncometrics.pipeline import compute
from tests.cli_runner import cli
from tests.indicators_fixtures import (
    FIXTURE,
    fixture_store,
    read_canonical,
    write_store,
)

# EXPECTED.md §2 (weights) and §3 (c, NCS = c / 6.6, top-10 % shares), by hand
FR = {  # work: (weight, citations, ncs, top10_share)
    "W01": (0.5, 20, 20 / 6.6, 0.5),
    "W03": (1.0, 10, 10 / 6.6, 0.0),
    "W05": (0.25, 5, 5 / 6.6, 0.0),
    "W08": (0.5, 1, 1 / 6.6, 0.0),
    "W10": (0.75, 0, 0.0, 0.0),
    "W13": (1.0, 4, 1.0, 0.1),
}


def built_store(root: Path, uncited: tuple[str, ...] = ()) -> Path:
    """The fixture store (works in `uncited` without citation data), computed."""
    tables = {p.stem: read_canonical(p, p.stem) for p in sorted(FIXTURE.glob("*.csv"))}
    if uncited:
        w = tables["works"].to_pandas()
        w["cited_by_count"] = w["cited_by_count"].astype("Int64")
        w.loc[w.work_id.isin(uncited), "cited_by_count"] = pd.NA
        tables["works"] = tables["works"].from_pandas(
            w, schema=tables["works"].schema, preserve_index=False
        )
        cc = tables["citation_counts"].to_pandas()
        tables["citation_counts"] = tables["citation_counts"].from_pandas(
            cc[~cc.work_id.isin(uncited)],
            schema=tables["citation_counts"].schema,
            preserve_index=False,
        )
    store = (
        write_store(tables, root / "store")
        if uncited
        else fixture_store(root / "store")
    )
    cfg = load_config(period="2020-2021")
    compute(store, store / "indicators", config=cfg, log=lambda m: None)
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_store(tmp_path_factory.mktemp("drill"))


def test_france_works_are_the_hand_worked_ones(store: Path) -> None:
    t = drill(store, store / "indicators", "country", "fr").to_pandas()
    got = {
        r.work_id: (r.weight, r.citations, r.ncs, r.top10_share) for r in t.itertuples()
    }
    assert got.keys() == FR.keys()
    for work, want in FR.items():
        assert got[work] == pytest.approx(want, abs=1e-9), work
    assert t.title[t.work_id == "W13"].item() == "Neoplasm case series"
    assert t.weight.is_monotonic_decreasing  # heaviest first
    assert t.note.isna().all()  # every work has citation data


def test_weights_add_up_to_p_frac_for_every_actor(store: Path) -> None:
    ind = store / "indicators"
    with Drill(store, ind) as d:
        for level, table, col in (
            ("country", "publications_by_country", "country"),
            ("institution", "publications_by_institution", "institution_id"),
        ):
            rows = pq.read_table(ind / f"{table}.parquet").to_pylist()
            assert rows
            for row in rows:
                if row[col] is None or row[col] == "unassigned":
                    continue
                t = d.works(level, row[col])
                assert t.num_rows == row["p_full"], row[col]
                total = sum(t["weight"].to_pylist())
                assert total == pytest.approx(row["p_frac"], abs=1e-9), row[col]


def test_unknown_actor_level_and_snapshot_are_one_line_errors(
    store: Path, tmp_path: Path
) -> None:
    with pytest.raises(DrillError, match="XX: not in"):
        drill(store, store / "indicators", "country", "XX")
    with pytest.raises(DrillError, match="unknown drill-down level"):
        drill(store, store / "indicators", "planet", "FR")
    # the recorded store snapshot is the one read: an unknown one fails
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    doc = json.loads((copy / "indicators" / "domain.json").read_text())
    doc["store_snapshot"] = 999
    (copy / "indicators" / "domain.json").write_text(json.dumps(doc))
    with pytest.raises(Exception, match="999"):
        drill(copy, copy / "indicators", "country", "FR")


def test_work_without_citation_data_is_na(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = built_store(tmp_path, uncited=("W13",))
    t = drill(store, store / "indicators", "country", "FR")
    row = next(r for r in t.to_pylist() if r["work_id"] == "W13")
    assert row["citations"] is None and row["ncs"] is None
    assert row["top10_share"] is None and row["note"].startswith("n/a")
    assert row["weight"] == 1.0  # still counted in p_frac
    code, out, err = cli(["drill", "country", "FR", "--store", str(store)], capsys)
    assert code == 0, err
    lines = list(csv.DictReader(io.StringIO(out)))
    w13 = next(r for r in lines if r["work_id"] == "W13")
    assert w13["citations"] == w13["ncs"] == w13["top10_share"] == "n/a"


def test_cli_writes_csv_and_refuses_unknown_actor(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "fr.csv"
    args = ["drill", "country", "FR", "--store", str(store), "--out", str(dest)]
    code, _, err = cli(args, capsys)
    assert code == 0, err
    rows = list(csv.DictReader(dest.open(encoding="utf-8")))
    assert {r["work_id"] for r in rows} == set(FR)
    assert sum(float(r["weight"]) for r in rows) == pytest.approx(4.0)
    code, _, err = cli(["drill", "country", "ZZ", "--store", str(store)], capsys)
    assert code == 1 and len(err.strip().splitlines()) == 1


def test_api_is_paginated_and_bounded(store: Path) -> None:
    from fastapi.testclient import TestClient

    from oncometrics.web.app import create_app

    client = TestClient(create_app(store))
    r = client.get("/api/v1/drill/country/fr?limit=2&offset=1")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 6 and body["limit"] == 2 and len(body["rows"]) == 2
    assert body["figure_column"] == "p_frac" and body["figure"] == pytest.approx(4.0)
    assert body["weight_sum"] == pytest.approx(body["figure"])
    assert [w["work_id"] for w in body["rows"]] == ["W13", "W10"]
    assert client.get("/api/v1/drill/country/FR?limit=100000").status_code == 400
    assert client.get("/api/v1/drill/country/ZZ").status_code == 404
    assert client.get("/api/v1/drill/planet/FR").status_code == 404
    csv_text = client.get("/api/v1/drill/country/FR/csv").text
    assert csv_text.count("\n") == 7  # header + 6 works
    page = client.get("/drill/country/FR").text
    assert page.count("<tr>") == 7 and "W01" in page
    listing = client.get("/table/publications_by_country").text
    assert 'href="/drill/country/FR"' in listing


@pytest.fixture(scope="module")
def full_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Publications, trials (tests/data/trials/fixture) and the real patent
    samples in one store, computed for every domain."""
    from oncometrics.store import Store
    from tests.test_trials_indicators import fixture_tables

    root = tmp_path_factory.mktemp("drill_full")
    tables = {p.stem: read_canonical(p, p.stem) for p in sorted(FIXTURE.glob("*.csv"))}
    store = write_store({**tables, **fixture_tables()}, root / "store")
    data = Path(__file__).parent / "data" / "patents"
    samples = sorted(p for p in data.iterdir() if p.suffix in (".zip", ".xml", ".csv"))
    assert not Store(store).ingest("patents", samples, log=lambda m: None).errors
    cfg = load_config(domain="all")
    compute(store, store / "indicators", config=cfg, log=lambda m: None)
    return store


@pytest.mark.parametrize(
    ("level", "table", "column", "figure"),
    [("inventions", "inventions_by_country", "country", "i_frac"),
     ("applicant", "inventions_by_applicant", "applicant", "i_frac"),
     ("trials", "trials_by_country", "country", "trials")],
)  # fmt: skip
def test_families_and_trials_add_up_to_their_row(
    full_store: Path, level: str, table: str, column: str, figure: str
) -> None:
    ind = full_store / "indicators"
    rows = [
        r
        for r in pq.read_table(ind / f"{table}.parquet").to_pylist()
        if r[column] not in (None, "unassigned")
    ]
    assert len(rows) >= 2
    with Drill(full_store, ind) as d:
        for row in rows:
            t = d.works(level, row[column])
            assert t.num_rows > 0
            total = sum(t["weight"].to_pylist())
            assert total == pytest.approx(row[figure], abs=1e-9), row[column]


def test_trials_of_a_country_have_a_site_there(full_store: Path) -> None:
    sites = pd.read_csv(
        Path(__file__).parent / "data" / "trials" / "fixture" / "trial_sites.csv"
    )
    fr_sites = set(sites.nct_id[sites.country == "FR"])
    t = drill(full_store, full_store / "indicators", "trials", "fr").to_pandas()
    assert set(t.nct_id) <= fr_sites and len(t) >= 3
    assert (t.weight == 1.0).all()


def test_report_links_drilldown_files_and_draws_network_and_map(
    store: Path, tmp_path: Path
) -> None:
    import re

    from oncometrics.report import write_report

    cfg = load_config(actor="FR", period="2020-2021")
    msgs: list[str] = []
    html = write_report(
        store, tmp_path / "r", config=cfg, indicators=store / "indicators",
        log=msgs.append,
    ).read_text(encoding="utf-8")  # fmt: skip
    links = re.findall(r'<a href="(drill/[^"]+\.csv)">', html)
    assert "drill/country_FR.csv" in links
    assert len(links) == 5 + 2  # five countries; I_FR1, I_FR2 (fixture CSV)
    for link in links:
        assert (tmp_path / "r" / link).is_file(), link
    rows = list(csv.DictReader((tmp_path / "r" / "drill/country_FR.csv").open()))
    assert {r["work_id"] for r in rows} == set(FR)
    assert sum(float(r["weight"]) for r in rows) == pytest.approx(4.0)
    # the network and map are drawn from the tables: one node per country
    net = html.split('data-chart="pub_network"')[1].split("</figure>")[0]
    assert len(re.findall(r'class="net-node"', net)) == 5
    assert len(re.findall(r'class="net-edge"', net)) >= 4
    world = html.split('data-chart="pub_map"')[1].split("</figure>")[0]
    assert len(re.findall(r'class="map-country"', world)) == 5


def test_same_works_on_every_engine(store: Path, con: object) -> None:
    """The drill-down is an Ibis query through the Engine: Spark lists the
    same works with the same weights (the `spark` marker runs it there)."""
    from oncometrics.engine import Engine

    t = drill(store, store / "indicators", "country", "FR", engine=Engine(con))
    got = dict(zip(t["work_id"].to_pylist(), t["weight"].to_pylist(), strict=True))
    assert got == pytest.approx({w: v[0] for w, v in FR.items()}, abs=1e-12)


def test_report_without_drilldown_files(store: Path, tmp_path: Path) -> None:
    from oncometrics.report import write_report

    msgs: list[str] = []
    out = tmp_path / "r"
    (out / "drill").mkdir(parents=True)
    (out / "drill" / "country_XX.csv").write_text("stale\n")  # an earlier report's
    cfg = load_config(actor="FR", period="2020-2021", drill_top=0)
    html = write_report(
        store, out, config=cfg, indicators=store / "indicators", log=msgs.append
    ).read_text(encoding="utf-8")
    assert 'href="drill/' not in html and not list((out / "drill").glob("*.csv"))
    assert "report: no drill-down files (drill_top = 0)" in msgs
