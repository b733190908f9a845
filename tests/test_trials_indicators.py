"""Trial indicators on the hand-worked fixture (tests/data/trials/fixture)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from oncometrics.config import load_config
from oncometrics.domain import Domain
from oncometrics.engine import connect, load_tables
from oncometrics.family_settings import trial_domain, trial_settings
from oncometrics.indicators.trials import TrialSettings, oncology_trials, trial_tables
from oncometrics.schema import TABLES

FIXTURE = Path(__file__).parent / "data" / "trials" / "fixture"
NAMES = ("trials", "trial_conditions", "trial_sponsors", "trial_sites")


def fixture_tables() -> dict[str, pa.Table]:
    """The fixture CSVs as Arrow tables of the canonical schemas."""
    out = {}
    for name in NAMES:
        schema = TABLES[name]
        raw = pacsv.read_csv(
            FIXTURE / f"{name}.csv",
            convert_options=pacsv.ConvertOptions(
                column_types={f.name: f.type for f in schema},
                strings_can_be_null=True,
            ),
        )
        cols = [
            raw[f.name] if f.name in raw.column_names else pa.nulls(len(raw), f.type)
            for f in schema
        ]
        out[name] = pa.table(cols, schema=schema)
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture written as a store folder (one Parquet part per table)."""
    root = tmp_path_factory.mktemp("trials_fixture")
    for name, table in fixture_tables().items():
        (root / name).mkdir()
        pq.write_table(table, root / name / "part-fixture.parquet")
    return root


def _compute(
    con: Any, store: Path, names: tuple[str, ...] = (), **overrides: Any
) -> dict[str, list[dict[str, Any]]]:
    tables = load_tables(con, store, tables=list(NAMES))
    cfg = load_config(**overrides)
    dom = Domain.from_config(cfg)
    out = trial_tables(
        tables, trial_domain(dom), trial_settings(cfg), meta={"domain_hash": dom.hash}
    )
    return {
        k: v.to_pyarrow().to_pylist() for k, v in out.items() if not names or k in names
    }


@pytest.fixture(scope="module")
def res(store: Path) -> dict[str, list[dict[str, Any]]]:
    return _compute(connect("duckdb"), store)


def _by(rows: list[dict[str, Any]], *keys: str) -> dict[Any, dict[str, Any]]:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def test_summary(res: dict[str, list[dict[str, Any]]]) -> None:
    (s,) = res["trials_summary"]
    assert (
        s["trials"],
        s["early_phase_trials"],
        s["located_trials"],
        s["unassigned_trials"],
        s["countries"],
    ) == (7, 3, 6, 1, 4)
    assert s["domain_hash"] == Domain.from_config(load_config()).hash


def test_by_country(res: dict[str, list[dict[str, Any]]]) -> None:
    c = _by(res["trials_by_country"], "country")
    assert set(c) == {"FR", "US", "DE", "GB"}
    # share = trials / 6 located trials; early share = early / 3 located
    # early-phase trials (T1 T2 T3), not / the sums of participations (10, 6)
    expect = {  # trials, early, share, rank, industry_share, multinational_rate
        "FR": (3, 3, 0.5, 1, 2 / 3, 2 / 3, 1.0, 1),
        "US": (3, 2, 0.5, 1, 2 / 3, 1.0, 2 / 3, 2),
        "DE": (3, 1, 0.5, 1, 1 / 3, 2 / 3, 1 / 3, 3),
        "GB": (1, 0, 1 / 6, 4, 0.0, 0.0, 0.0, None),
    }
    for k, (n, e, sh, rk, ind, mn, esh, erk) in expect.items():
        r = c[k]
        assert (r["trials"], r["early_phase_trials"], r["rank"]) == (n, e, rk)
        assert r["share"] == pytest.approx(sh)
        assert r["industry_share"] == pytest.approx(ind)
        assert r["multinational_rate"] == pytest.approx(mn)
        assert r["early_phase_share"] == pytest.approx(esh)
        assert r["early_phase_rank"] == erk
    # shares add up to the mean number of site countries per trial: 10 / 6
    assert sum(r["share"] for r in c.values()) == pytest.approx(10 / 6)


def test_by_country_year(res: dict[str, list[dict[str, Any]]]) -> None:
    c = _by(res["trials_by_country_year"], "start_year", "country")
    got = {
        k: (r["trials"], round(r["share"], 6), r["rank"], r["early_phase_trials"])
        for k, r in c.items()
    }
    assert got == {
        (2020, "FR"): (2, 1.0, 1, 2),  # 2020: 2 located trials (T1, T2)
        (2020, "US"): (1, 0.5, 2, 1),
        (2021, "US"): (2, 1.0, 1, 1),  # 2021: T3, T4
        (2021, "DE"): (2, 1.0, 1, 1),
        (2021, "FR"): (1, 0.5, 3, 1),
        (2022, "DE"): (1, 1.0, 1, 0),
    }


def test_by_phase(res: dict[str, list[dict[str, Any]]]) -> None:
    p = _by(res["trials_by_phase"], "phase")
    assert {k: r["trials"] for k, r in p.items()} == {
        "EARLY_PHASE1": 1,
        "PHASE1": 1,
        "PHASE1/PHASE2": 1,
        "PHASE2": 2,
        "PHASE3": 1,
        "NOT_GIVEN": 1,
    }
    assert {k for k, r in p.items() if r["early_phase"]} == {
        "EARLY_PHASE1",
        "PHASE1",
        "PHASE1/PHASE2",
    }
    assert p["PHASE2"]["share"] == pytest.approx(2 / 7)


def test_partners(res: dict[str, list[dict[str, Any]]]) -> None:
    p = _by(res["trial_partners"], "country", "partner")
    got = {
        k: (
            r["shared_trials"],
            round(r["salton"], 9),
            r["rank_shared"],
            r["rank_salton"],
        )
        for k, r in p.items()
    }
    two, one = round(2 / 3, 9), round(1 / 3, 9)
    assert got == {
        ("FR", "US"): (2, two, 1, 1),
        ("FR", "DE"): (1, one, 2, 2),
        ("US", "FR"): (2, two, 1, 1),
        ("US", "DE"): (2, two, 1, 1),
        ("DE", "US"): (2, two, 1, 1),
        ("DE", "FR"): (1, one, 2, 2),
    }


def test_sponsors(res: dict[str, list[dict[str, Any]]]) -> None:
    s = _by(res["trials_by_sponsor"], "sponsor")
    cols = (
        "name",
        "sponsor_class",
        "trials",
        "lead_trials",
        "collaborator_trials",
        "early_phase_trials",
        "site_countries",
        "rank",
    )
    got = {k: tuple(r[c] for c in cols) for k, r in s.items()}
    assert got == {
        "institut gustave roussy": (
            "Institut Gustave Roussy",
            "OTHER",
            4,
            2,
            2,
            2,
            3,
            1,
        ),
        "acme pharma": ("ACME Pharma", "INDUSTRY", 2, 2, 0, 2, 3, 2),
        "national cancer institute": (
            "National Cancer Institute (NCI)",
            "NIH",
            1,
            1,
            0,
            0,
            2,
            3,
        ),
        "charite universitatsmedizin berlin": (
            "Charité - Universitätsmedizin Berlin",
            "OTHER",
            1,
            1,
            0,
            0,
            1,
            3,
        ),
        "hospital x": ("Hospital X", "OTHER", 1, 1, 0, 0, 1, 3),
    }


def test_by_facility(res: dict[str, list[dict[str, Any]]]) -> None:
    f = _by(res["trials_by_facility"], "facility", "country")
    cols = ("trials", "early_phase_trials", "rank", "country_rank", "early_phase_rank")
    got = {k: tuple(r[c] for c in cols) for k, r in f.items()}
    assert got == {
        ("gustave roussy", "FR"): (3, 3, 1, 1, 1),
        ("charite", "DE"): (2, 1, 2, 1, 2),
        ("centre leon berard", "FR"): (1, 1, 3, 2, 2),
        ("site c", "US"): (1, 1, 3, 1, 2),
        ("site e", "US"): (1, 1, 3, 1, 2),
        ("klinikum munchen", "DE"): (1, 0, 3, 2, None),
        ("site h", "US"): (1, 0, 3, 1, None),
        ("site i", "US"): (1, 0, 3, 1, None),
        ("site o", "GB"): (1, 0, 3, 1, None),
        ("site k", None): (1, 0, 3, None, None),
    }
    gr = f[("gustave roussy", "FR")]
    assert (gr["name"], gr["city"]) == ("GUSTAVE ROUSSY", "Villejuif")


def test_period_and_all_domain(store: Path) -> None:
    con = connect("duckdb")
    r = _compute(con, store, period="2020-2021")
    assert r["trials_summary"][0]["trials"] == 4
    assert {x["country"]: x["trials"] for x in r["trials_by_country"]} == {
        "FR": 3,
        "US": 3,
        "DE": 2,
    }
    r = _compute(con, store, domain="all")
    assert r["trials_summary"][0]["trials"] == 8
    c = {x["country"]: x["trials"] for x in r["trials_by_country"]}
    assert (c["FR"], c["US"]) == (4, 4)


def test_long_and_short_mesh_ids_match() -> None:
    # D000099067 is listed in long form in the bundled C04 table; the parser
    # stores the short form D099067.
    cond = ibis.memtable(
        pa.table(
            {
                "nct_id": ["NCT1", "NCT2"],
                "condition": pa.array([None, None], pa.string()),
                "mesh_id": ["D099067", "D000001"],
                "mesh_term": pa.array([None, None], pa.string()),
                "kind": ["mesh", "mesh"],
            }
        )
    )
    trials = ibis.memtable(
        pa.table(
            {
                "nct_id": ["NCT1", "NCT2"],
                "start_year": [2020, 2020],
                "phase": ["PHASE1", "PHASE1"],
                "lead_sponsor_class": ["OTHER", "OTHER"],
            }
        )
    )
    dom = Domain.from_config(load_config(trial_keywords=()))
    assert "D000099067" in dom.mesh_descriptors
    every = TrialSettings(study_types=(), excluded_statuses=())
    got = oncology_trials(trials, cond, trial_domain(dom), every).nct_id.to_list()
    assert got == ["NCT1"]


@pytest.mark.spark
# ibis' PySpark to_pyarrow goes through pandas, which warns about an option
# ibis reads (upstream, harmless).
@pytest.mark.filterwarnings("ignore:The 'future.infer_string' option:Warning")
def test_spark_parity(
    res: dict[str, list[dict[str, Any]]], store: Path, spark_con: Any
) -> None:
    # The tables with windows, self-joins and left joins (the others reuse them).
    names = (
        "trials_by_country",
        "trials_by_country_year",
        "trial_partners",
        "trials_by_sponsor",
        "trials_by_facility",
    )
    spark = _compute(spark_con, store, names)

    def norm(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        out = []
        for r in rows:
            out.append(
                tuple(
                    (k, round(v, 9) if isinstance(v, float) else v)
                    for k, v in sorted(r.items())
                )
            )
        return sorted(out, key=repr)

    assert set(spark) == set(names)
    for name in names:
        assert norm(spark[name]) == norm(res[name]), name
