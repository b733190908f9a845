"""Drill-down (oncometrics.drill): the works behind an actor's row, on the
hand-worked fixture (tests/data/indicators/EXPECTED.md §2–3), through the
library, the CLI and the web API."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from oncometrics.config import load_config
from oncometrics.drill import Drill, DrillError, drill, resolve
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
    "W13": (1.0, 4, None, None),  # alone in its reference set: not rated
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
        if want[2] is None:  # NaN in pandas
            assert got[work][:2] == want[:2], work
            assert all(pd.isna(v) for v in got[work][2:]), work
        else:
            assert got[work] == pytest.approx(want, abs=1e-9), work
    assert t.title[t.work_id == "W13"].item() == "Neoplasm case series"
    assert t.weight.is_monotonic_decreasing  # heaviest first
    notes = dict(zip(t.work_id, t.note, strict=True))
    assert notes.pop("W13").startswith("n/a: too few works")  # has citations
    assert all(pd.isna(v) for v in notes.values())  # the others are rated


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
    with pytest.raises(DrillError, match="no resolved country have no drill"):
        drill(store, store / "indicators", "country", "unassigned")
    # the recorded store snapshot is the one read: an unknown one fails
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    doc = json.loads((copy / "indicators" / "domain.json").read_text())
    doc["store_snapshot"] = 999
    (copy / "indicators" / "domain.json").write_text(json.dumps(doc))
    with pytest.raises(Exception, match="999"):
        drill(copy, copy / "indicators", "country", "FR")


def test_work_without_citation_data_is_na(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = store  # the fixture store, W13 with its citations
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
    from fastapi.testclient import TestClient

    from oncometrics.web.app import create_app

    client = TestClient(create_app(store))
    for lang, why in (
        ("en", "n/a: no citation data for this work"),
        ("fr", "n.d. : pas de données de citation pour cette publication"),
    ):
        page = client.get(f"/drill/country/FR?lang={lang}").text
        # W13's four citation figures (citations, ncs, top10_share, top1_share)
        assert page.count(f'<abbr title="{why}">n/a</abbr>') == 4, lang
    # with its citations back, W13 is alone in its reference set: not rated
    page = TestClient(create_app(plain)).get("/drill/country/FR").text
    assert page.count('<abbr title="n/a: too few works in this') == 3


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
def full_ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Publications, trials (tests/data/trials/fixture) and the real patent
    samples in one store, not computed (copied by the two fixtures below)."""
    from oncometrics.store import Store
    from tests.test_trials_indicators import fixture_tables

    root = tmp_path_factory.mktemp("drill_ingested")
    tables = {p.stem: read_canonical(p, p.stem) for p in sorted(FIXTURE.glob("*.csv"))}
    store = write_store({**tables, **fixture_tables()}, root / "store")
    data = Path(__file__).parent / "data" / "patents"
    samples = sorted(p for p in data.iterdir() if p.suffix in (".zip", ".xml", ".csv"))
    assert not Store(store).ingest("patents", samples, log=lambda m: None).errors
    return store


@pytest.fixture(scope="module")
def full_store(full_ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """That store computed for every domain."""
    return _full_store(full_ingested, tmp_path_factory.mktemp("drill_full"))


@pytest.fixture(scope="module")
def shift_store(full_ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same, computed for 1998-2021 with a technology shift (priority
    years 1998-2011 then 2012-2021: three periods in technology_mix)."""
    return _full_store(
        full_ingested, tmp_path_factory.mktemp("drill_shift"),
        period="1998-2021", periods="1998-2011,2012-2021",
    )  # fmt: skip


@pytest.fixture(scope="module")
def full_drill(full_store: Path) -> Iterator[Drill]:
    """One Drill of full_store for the module: each level is prepared once."""
    with Drill(full_store, full_store / "indicators") as d:
        yield d


@pytest.fixture(scope="module")
def shift_drill(shift_store: Path) -> Iterator[Drill]:
    """One Drill of shift_store for the module: each level (technology
    period) is prepared once."""
    with Drill(shift_store, shift_store / "indicators") as d:
        yield d


def _full_store(ingested: Path, root: Path, **settings: str) -> Path:
    store = root / "store"
    shutil.copytree(ingested, store)
    cfg = load_config(domain="all", **settings)
    compute(store, store / "indicators", config=cfg, log=lambda m: None)
    return store


@pytest.mark.parametrize(
    ("level", "table", "column", "figure"),
    [("inventions", "inventions_by_country", "country", "i_frac"),
     ("applicant", "inventions_by_applicant", "applicant", "i_frac"),
     ("trials", "trials_by_country", "country", "trials")],
)  # fmt: skip
def test_families_and_trials_add_up_to_their_row(
    full_store: Path,
    full_drill: Drill,
    level: str,
    table: str,
    column: str,
    figure: str,
) -> None:
    ind = full_store / "indicators"
    rows = [
        r
        for r in pq.read_table(ind / f"{table}.parquet").to_pylist()
        if r[column] not in (None, "unassigned")
    ]
    assert len(rows) >= 2
    for row in rows:
        t = full_drill.works(level, row[column])
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


def _report(
    store: Path, out: Path, log: Callable[[str], Any] = lambda m: None, **settings: Any
) -> str:
    """The HTML of the report of `store` with `settings`, written to `out`."""
    from oncometrics.report import write_report

    return write_report(
        store, out, config=load_config(**settings),
        indicators=store / "indicators", log=log,
    ).read_text(encoding="utf-8")  # fmt: skip


def _links(html: str) -> list[str]:
    """The drill-down files a report links, in page order."""
    return re.findall(r'<a href="(drill/[^"]+\.csv)">', html)


def test_report_links_drilldown_files_and_draws_network_and_map(
    store: Path, tmp_path: Path
) -> None:
    msgs: list[str] = []
    html = _report(store, tmp_path / "r", msgs.append, actor="FR", period="2020-2021")
    links = _links(html)
    assert "drill/country_FR.csv" in links
    # five countries; I_FR1, I_FR2 (fixture CSV); FR in 2020 and in 2021;
    # FR's four partners (EXPECTED.md §6)
    assert len(links) == 5 + 2 + 2 + 4
    assert {"drill/country_FR_2020.csv", "drill/country_FR_2021.csv"} <= set(links)
    rows = list(csv.DictReader((tmp_path / "r" / "drill/partners_FR_BR.csv").open()))
    assert {r["work_id"] for r in rows} == {"W08", "W10"}
    for link in links:
        assert (tmp_path / "r" / link).is_file(), link
    rows = list(csv.DictReader((tmp_path / "r" / "drill/country_FR.csv").open()))
    assert {r["work_id"] for r in rows} == set(FR)
    assert sum(float(r["weight"]) for r in rows) == pytest.approx(4.0)
    rows = list(csv.DictReader((tmp_path / "r" / "drill/country_FR_2020.csv").open()))
    assert sum(float(r["weight"]) for r in rows) == pytest.approx(3.0)
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


# ---------------------------------------------------- years, sponsors, sites
# EXPECTED.md §2 by year: W01 W03 W05 W08 W10 are of 2020, W13 of 2021
FR_2020 = {w: v for w, v in FR.items() if w != "W13"}


def test_a_year_keeps_that_rows_works_hand_worked(store: Path) -> None:
    t = drill(store, store / "indicators", "country", "FR", year="2020")
    got = dict(zip(t["work_id"].to_pylist(), t["weight"].to_pylist(), strict=True))
    assert got == pytest.approx({w: v[0] for w, v in FR_2020.items()}, abs=1e-12)
    assert sum(got.values()) == pytest.approx(3.0)  # 0.5 + 1 + 0.25 + 0.5 + 0.75
    t = drill(store, store / "indicators", "country", "FR", year="2021")
    assert t["work_id"].to_pylist() == ["W13"]
    # the whole period is the country's row again
    t = drill(store, store / "indicators", "country", "FR", year="2020-2021")
    assert set(t["work_id"].to_pylist()) == set(FR)


def test_year_weights_add_up_to_every_year_row(store: Path) -> None:
    ind = store / "indicators"
    rows = pq.read_table(ind / "publications_by_country_year.parquet").to_pylist()
    rows = [r for r in rows if r["country"] not in (None, "unassigned")]
    assert len(rows) >= 5
    with Drill(store, ind) as d:
        for row in rows:
            key = (row["country"], row["publication_year"])
            t = d.works("country", row["country"], year=str(row["publication_year"]))
            assert t.num_rows == row["p_full"], key
            assert set(t["publication_year"].to_pylist()) == {key[1]}
            total = sum(t["weight"].to_pylist())
            assert total == pytest.approx(row["p_frac"], abs=1e-9), key


def test_bad_years_and_qualifiers_are_one_line_errors(store: Path) -> None:
    ind = store / "indicators"
    for year, msg in (("2021-2020", "reversed"), ("20x0", "YYYY"),
                      ("1990", "no row for this actor in 1990")):  # fmt: skip
        with pytest.raises(DrillError, match=msg):
            drill(store, ind, "country", "FR", year=year)
    with pytest.raises(DrillError, match="no by-year table"):
        drill(store, ind, "institution", "I1", year="2020")
    with pytest.raises(
        DrillError, match=r"--country only qualifies level\(s\) facility"
    ):
        drill(store, ind, "country", "FR", country="FR")


@pytest.mark.parametrize(
    ("level", "table", "keys", "figure", "year"),
    [("sponsor", "trials_by_sponsor", ("sponsor",), "trials", None),
     ("phase", "trials_by_phase", ("phase",), "trials", None),
     ("facility", "trials_by_facility", ("facility", "country"), "trials", None),
     ("country", "publications_by_country_year", ("country", "publication_year"),
      "p_frac", "publication_year"),
     ("inventions", "inventions_by_country_year", ("country", "year"), "i_frac",
      "year"),
     ("trials", "trials_by_country_year", ("country", "start_year"), "trials",
      "start_year"),
     ("partners", "country_partners", ("country", "partner"), "co_publications",
      None),
     ("inv_partners", "coinvention_partners", ("country", "partner"),
      "co_inventions", None),
     ("trial_partners", "trial_partners", ("country", "partner"), "shared_trials",
      None)],
)  # fmt: skip
def test_every_row_of_the_other_tables_adds_up(
    full_store: Path,
    full_drill: Drill,
    level: str,
    table: str,
    keys: tuple[str, ...],
    figure: str,
    year: str | None,
) -> None:
    """Each row of the sponsor, facility, by-year and partner tables: the
    weights of its drill-down add up to the row's figure."""
    ind = full_store / "indicators"
    rows = [
        r
        for r in pq.read_table(ind / f"{table}.parquet").to_pylist()
        if r[keys[0]] not in (None, "unassigned")
    ]
    assert len(rows) >= 2  # coinvention_partners: CN-US both ways
    asked = []
    for row in rows:
        within: dict[str, str | None] = {}
        if year:
            within["year"] = str(row[year])
        elif keys[-1] == "partner":  # a pair of countries
            within["partner"] = row["partner"]
        elif len(keys) == 2:  # a facility: its country (None: unresolved)
            within["country"] = row["country"]
        asked.append(resolve(ind, level, row[keys[0]], **within))
    tables = full_drill.rows_many(asked)  # = works() one by one: test below
    assert len(tables) == len(rows)
    for row, t in zip(rows, tables, strict=True):
        what = tuple(row[k] for k in keys)
        assert t.num_rows > 0, what
        total = sum(t["weight"].to_pylist())
        assert total == pytest.approx(row[figure], abs=1e-9), what


def test_rows_many_is_rows_one_by_one(
    full_store: Path, full_drill: Drill, shift_store: Path, shift_drill: Drill
) -> None:
    """Drill.rows_many (one query for a level's actors, cut per actor) gives
    each row the very table rows() gives it (rows, order, types): two or
    three actors of each level it batches, with years (an actor's year row
    after its row: rows() reuses its records), facilities in one country and
    in another, technology fields of two periods (the shift store); a pair
    passes to rows()."""
    ind = full_store / "indicators"

    def first(table: str, column: str) -> list[str]:
        """The first two actors of `table`."""
        got = pq.read_table(ind / f"{table}.parquet")[column].to_pylist()
        return list(dict.fromkeys(got))[:2]

    asks: list[tuple[str, str, dict[str, Any]]] = [
        ("country", "FR", {}), ("country", "FR", {"year": "2020"}),
        ("country", "US", {}),
        *[("institution", a, {})
          for a in first("publications_by_institution", "institution_id")],
        ("inventions", "US", {}), ("inventions", "US", {"year": "2004-2011"}),
        ("inventions", "GB", {}), ("inventions", "GB", {"year": "2017"}),
        *[("applicant", a, {}) for a in first("inventions_by_applicant", "applicant")],
        ("trials", "FR", {}), ("trials", "FR", {"year": "2020"}),
        ("trials", "US", {}), ("trials", "US", {"year": "2021"}),
        ("sponsor", "institut gustave roussy", {}), ("sponsor", "acme pharma", {}),
        ("facility", "gustave roussy", {"country": "FR"}),
        ("facility", "centre leon berard", {"country": "FR"}),
        ("facility", "charite", {"country": "DE"}),
        ("phase", "PHASE1", {}), ("phase", "PHASE1-PHASE2", {}),
        ("partners", "FR", {"partner": "US"}),
    ]  # fmt: skip
    mix = pq.read_table(shift_store / "indicators/technology_mix.parquet").to_pylist()
    techs: list[tuple[str, str, dict[str, Any]]] = [
        ("technology", r["country"], {"field": r["field_nr"], "period": r["period"]})
        for r in mix
        if r["field_nr"] == 13 or (r["field_nr"] == 29 and r["period"] == "2012-2021")
    ]
    assert len(techs) >= 4 and len({q["period"] for _, _, q in techs}) >= 2
    for d, store, these in ((full_drill, full_store, asks),
                            (shift_drill, shift_store, techs)):  # fmt: skip
        rows = [resolve(store / "indicators", lv, a, **q) for lv, a, q in these]
        many = d.rows_many(rows)
        one = [d.rows(r) for r in rows]
        assert len(many) == len(rows)
        for (level, a, q), got, want in zip(these, many, one, strict=True):
            assert want.num_rows > 0, (level, a, q)
            assert got.equals(want), (level, a, q)


def test_sponsor_and_facility_trials_hand_worked(full_store: Path) -> None:
    """tests/data/trials/fixture/EXPECTED.md, with domain "all" (T7 counted)."""
    ind = full_store / "indicators"
    with Drill(full_store, ind) as d:
        gr = d.works("sponsor", "institut gustave roussy")
        assert gr["nct_id"].to_pylist() == [f"NCT0000000{i}" for i in (2, 3, 4, 5)]
        # T3: sites in US, DE and FR; T5: no located site
        ids, n = gr["nct_id"].to_pylist(), gr["site_countries"].to_pylist()
        sites = dict(zip(ids, n, strict=True))
        assert sites["NCT00000003"] == 3 and sites["NCT00000005"] == 0
        acme = d.works("sponsor", "acme pharma")["nct_id"].to_pylist()
        assert acme == ["NCT00000001", "NCT00000003"]  # "acme" (T7) is another
        # Gustave Roussy (three spellings) in FR: T1 T2 T3 T7
        fac = d.works("facility", "gustave roussy")["nct_id"].to_pylist()
        assert fac == ["NCT00000001", "NCT00000002", "NCT00000003", "NCT00000007"]
        # FR trials started in 2020: T1 T2 T7
        fr = d.works("trials", "FR", year="2020")["nct_id"].to_pylist()
        assert fr == ["NCT00000001", "NCT00000002", "NCT00000007"]
        with pytest.raises(DrillError, match="no row for this actor"):
            d.works("facility", "gustave roussy", country="DE")


def test_a_facility_in_two_countries_needs_its_country(
    full_store: Path, tmp_path: Path
) -> None:
    """Two rows of trials_by_facility for one facility: the country decides."""
    ind = tmp_path / "ind"
    shutil.copytree(full_store / "indicators", ind)
    path = ind / "trials_by_facility.parquet"
    t = pq.read_table(path).to_pandas()
    row = t[(t.facility == "charite") & (t.country == "DE")].iloc[0].copy()
    row["country"], row["trials"] = "AT", 0  # the same name in another country
    pq.write_table(
        pq.read_table(path).from_pandas(
            pd.concat([t, row.to_frame().T]).astype(t.dtypes.to_dict()),
            schema=pq.read_schema(path),
            preserve_index=False,
        ),
        path,
    )
    with pytest.raises(DrillError, match="2 rows of trials_by_facility"):
        drill(full_store, ind, "facility", "charite")
    got = drill(full_store, ind, "facility", "charite", country="de")
    assert got["nct_id"].to_pylist() == ["NCT00000003", "NCT00000006"]


def test_cli_year_and_api_year_sponsor_facility(
    store: Path, full_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastapi.testclient import TestClient

    from oncometrics.web.app import create_app

    args = ["drill", "country", "FR", "--year", "2020", "--store", str(store)]
    code, out, err = cli(args, capsys)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["work_id"] for r in rows} == set(FR_2020)
    code, _, err = cli([*args[:4], "2020-2019", *args[5:]], capsys)
    assert code == 1 and "reversed" in err and len(err.strip().splitlines()) == 1

    client = TestClient(create_app(store))
    body = client.get("/api/v1/drill/country/fr?year=2020&limit=2").json()
    assert body["table"] == "publications_by_country_year"
    assert body["total"] == 5 and len(body["rows"]) == 2 and body["year"] == "2020"
    assert body["figure"] == pytest.approx(3.0) == body["weight_sum"]
    assert client.get("/api/v1/drill/country/FR?year=20").status_code == 400
    assert client.get("/api/v1/drill/country/FR?year=1990").status_code == 404
    csv_text = client.get("/api/v1/drill/country/FR/csv?year=2021").text
    assert csv_text.count("\n") == 2 and "W13" in csv_text
    listing = client.get("/table/publications_by_country_year").text
    assert 'href="/drill/country/FR?year=2020"' in listing
    page = client.get("/drill/country/FR?year=2020&lang=fr").text
    assert "(année 2020)" in page and page.count("<tr>") == 6
    assert "/api/v1/drill/country/FR/csv?year=2020" in page

    client = TestClient(create_app(full_store))
    r = client.get("/api/v1/drill/sponsor/institut gustave roussy?limit=3&offset=2")
    body = r.json()
    assert body["total"] == 4 and len(body["rows"]) == 2, body
    assert body["figure"] == 4 and body["weight_sum"] == 4
    assert client.get("/api/v1/drill/sponsor/acme?limit=501").status_code == 400
    body = client.get("/api/v1/drill/facility/charite?country=DE").json()
    assert body["country"] == "DE" and body["figure"] == 2 == body["total"]
    listing = client.get("/table/trials_by_facility").text
    assert 'href="/drill/facility/gustave%20roussy?country=FR"' in listing
    listing = client.get("/table/trials_by_sponsor").text
    assert 'href="/drill/sponsor/acme%20pharma"' in listing


def test_report_writes_sponsor_facility_and_year_files(
    full_store: Path, tmp_path: Path
) -> None:
    """Each file the report links adds up to its row: sponsors, facilities
    (with their country) and the report country's trials by start year."""
    links = set(_links(_report(full_store, tmp_path / "r", actor="FR", domain="all")))
    want = {
        "drill/sponsor_institut_gustave_roussy.csv": 4,  # T2 T3 T4 T5
        "drill/facility_gustave_roussy_FR.csv": 4,  # T1 T2 T3 T7
        "drill/facility_site_k.csv": 1,  # T5, its country unresolved
        "drill/trials_FR_2020.csv": 3,  # T1 T2 T7
        "drill/trials_FR_2021.csv": 1,  # T3
    }
    assert set(want) <= links
    for link, n in want.items():
        rows = list(csv.DictReader((tmp_path / "r" / link).open(encoding="utf-8")))
        assert sum(float(r["weight"]) for r in rows) == n == len(rows), link


# EXPECTED.md §6: FR's co-publications with each partner
FR_PAIRS = {"US": {"W01", "W05"}, "BR": {"W08", "W10"}, "DE": {"W05"},
            "CN": {"W05"}}  # fmt: skip


def test_pair_items_hand_worked(store: Path, full_store: Path) -> None:
    with Drill(store, store / "indicators") as d:
        for partner, works in FR_PAIRS.items():
            t = d.works("partners", "fr", partner=partner.lower())
            assert set(t["work_id"].to_pylist()) == works, partner
            assert set(t["weight"].to_pylist()) == {1.0}
        with pytest.raises(DrillError, match="name the partner"):
            d.works("partners", "FR")
        with pytest.raises(
            DrillError, match=r"--partner only qualifies level\(s\) par"
        ):
            d.works("country", "FR", partner="US")
    # trials/fixture EXPECTED.md: FR and US share T1 and T3, and T7 (Gustave
    # Roussy and Boston) with domain "all"
    t = drill(full_store, full_store / "indicators", "trial_partners", "FR",
              partner="US")  # fmt: skip
    assert t["nct_id"].to_pylist() == [f"NCT0000000{i}" for i in (1, 3, 7)]


def test_api_and_links_of_a_pair(store: Path) -> None:
    from fastapi.testclient import TestClient

    from oncometrics.web.app import create_app

    client = TestClient(create_app(store))
    body = client.get("/api/v1/drill/partners/FR?partner=us&limit=1").json()
    assert body["total"] == 2 and len(body["rows"]) == 1 and body["partner"] == "US"
    assert body["figure_column"] == "co_publications" and body["figure"] == 2
    assert body["weight_sum"] == 2
    assert client.get("/api/v1/drill/partners/FR?partner=U S").status_code == 400
    listing = client.get("/table/country_partners").text
    assert 'href="/drill/partners/FR?partner=US"' in listing
    page = client.get("/drill/partners/FR?partner=BR&lang=fr").text
    assert "(avec BR)" in page and "W08" in page and "W10" in page


@pytest.mark.parametrize("which", ["full_store", "shift_store"])
def test_every_technology_mix_row_adds_up(
    which: str, request: pytest.FixtureRequest
) -> None:
    """Each (country, field, period) row of technology_mix: the families'
    weights times their share of the field add up to the row's i_frac."""
    store = request.getfixturevalue(which)
    ind = store / "indicators"
    rows = pq.read_table(ind / "technology_mix.parquet").to_pylist()
    assert len(rows) >= 2 and all(r["country"] for r in rows)
    # the patent samples' families spread over fields (shares 1/2, 1/3)
    assert any(r["i_frac"] % 1 for r in rows)
    if which == "shift_store":
        assert {r["period"] for r in rows} == {"1998-2021", "1998-2011", "2012-2021"}
    asked = [
        resolve(ind, "technology", r["country"], field=r["field_nr"],
                period=r["period"])
        for r in rows
    ]  # fmt: skip
    d = request.getfixturevalue(which.replace("_store", "_drill"))
    tables = d.rows_many(asked)  # = works() one by one (test_rows_many_...)
    assert len(tables) == len(rows)
    for row, t in zip(rows, tables, strict=True):
        what = (row["country"], row["field_nr"], row["period"])
        assert t.num_rows > 0, what
        assert all(0 < w <= 1 for w in t["weight"].to_pylist()), what
        total = sum(t["weight"].to_pylist())
        assert total == pytest.approx(row["i_frac"], abs=1e-9), what


def test_technology_shift_shares_and_links(
    shift_store: Path, shift_drill: Drill, capsys: pytest.CaptureFixture[str]
) -> None:
    """A period's share of a technology_shift row is its field's drill-down
    over the country's families of that period (every field); the API, CLI
    and the dashboard's technology cells name the field and the period."""
    from fastapi.testclient import TestClient

    from oncometrics.web.app import create_app

    ind = shift_store / "indicators"
    shift = pq.read_table(ind / "technology_shift.parquet").to_pylist()
    mix = pq.read_table(ind / "technology_mix.parquet").to_pylist()
    assert len(shift) >= 2
    # (share, the row's drill-down, those of every field of its country and period)
    checks: list[tuple[float, tuple[Any, ...], list[tuple[Any, ...]]]] = []
    for row in shift:
        for k in ("1", "2"):
            share, period = row[f"share_{k}"], row[f"period_{k}"]
            if not share:  # absent (null) or no family in the field (0)
                continue
            fields = [r["field_nr"] for r in mix
                      if r["country"] == row["country"] and r["period"] == period]  # fmt: skip
            checks.append((
                share, (row["country"], row["field_nr"], period),
                [(row["country"], f, period) for f in fields],
            ))  # fmt: skip
    keys = list(dict.fromkeys(k for c in checks for k in (c[1], *c[2])))
    asked = [resolve(ind, "technology", c, field=f, period=p) for c, f, p in keys]
    tables = shift_drill.rows_many(asked)  # each drill-down listed once
    weight = {
        k: sum(t["weight"].to_pylist()) for k, t in zip(keys, tables, strict=True)
    }
    assert checks
    for share, key, every in checks:
        assert weight[key] / sum(weight[k] for k in every) == pytest.approx(share)
    client = TestClient(create_app(shift_store))
    body = client.get("/api/v1/drill/technology/us?field=13&limit=1").json()
    assert body["period"] == "1998-2021" and body["field"] == "13"
    assert body["weight_sum"] == pytest.approx(body["figure"])
    assert client.get("/api/v1/drill/technology/US").status_code == 404  # no field
    assert (
        client.get("/api/v1/drill/technology/US?field=13&period=x").status_code == 400
    )
    listing = client.get("/table/technology_mix").text
    assert 'href="/drill/technology/US?field=13&amp;period=1998-2021"' in listing
    listing = client.get("/table/technology_shift").text
    assert "/drill/technology/US?field=13&amp;period=2012-2021" in listing
    page = client.get("/drill/technology/US?field=13&period=2012-2021&lang=fr").text
    assert "domaine OMPI 13" in page and "période 2012-2021" in page
    code, out, _ = cli(
        ["drill", "technology", "US", "--store", str(shift_store), "--field", "13",
         "--period", "2012-2021"], capsys,
    )  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {"family_id", "weight"} <= set(rows[0])


def test_trials_of_a_phase(full_store: Path) -> None:
    """trials/fixture: T2 is EARLY_PHASE1, T3 PHASE1/PHASE2 (domain "all");
    a combined phase is named with '-' in a URL."""
    from fastapi.testclient import TestClient

    from oncometrics.web.app import create_app

    client = TestClient(create_app(full_store))
    body = client.get("/api/v1/drill/phase/phase1-phase2").json()
    assert body["figure"] == body["total"] == 1 == body["weight_sum"], body
    assert {r["phase"] for r in body["rows"]} == {"PHASE1/PHASE2"}
    listing = client.get("/table/trials_by_phase").text
    assert 'href="/drill/phase/PHASE1-PHASE2"' in listing
    t = drill(full_store, full_store / "indicators", "phase", "EARLY_PHASE1")
    assert set(t["phase"].to_pylist()) == {"EARLY_PHASE1"} and t.num_rows == 1


def test_report_writes_technology_and_phase_files(
    full_store: Path, tmp_path: Path
) -> None:
    """The report country's fields of technology_mix and the phases get
    their file, each adding up to its row."""
    links = set(_links(_report(full_store, tmp_path / "r", actor="US", domain="all")))
    ind = full_store / "indicators"
    mix = [r for r in pq.read_table(ind / "technology_mix.parquet").to_pylist()
           if r["country"] == "US"]  # fmt: skip
    phases = pq.read_table(ind / "trials_by_phase.parquet").to_pylist()
    want = {
        f"drill/technology_US_{r['field_nr']}_{r['period']}.csv": r["i_frac"]
        for r in mix
    } | {
        "drill/phase_" + re.sub(r"[^A-Za-z0-9-]", "_", r["phase"]) + ".csv": r["trials"]
        for r in phases
    }
    assert len(mix) >= 2 and set(want) <= links
    for link, figure in want.items():
        rows = list(csv.DictReader((tmp_path / "r" / link).open(encoding="utf-8")))
        assert sum(float(r["weight"]) for r in rows) == pytest.approx(figure), link
