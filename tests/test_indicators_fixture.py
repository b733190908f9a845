"""The hand-worked fixture (tests/data/indicators/EXPECTED.md), on every engine
(DuckDB; Spark under the `spark` marker) for the shared `result` tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from oncometrics.config import load_config
from oncometrics.pipeline import compute
from tests.indicators_fixtures import fixture_store

TOL = 1e-6  # EXPECTED.md shows six decimals; exact fractions use 1e-12


def _run(tmp: Path, con: Any = None, **settings: object) -> dict[str, pd.DataFrame]:
    store = fixture_store(tmp / "store")
    cfg = load_config(period="2020-2021", **settings)
    written = compute(store, tmp / "out", config=cfg, log=lambda m: None, con=con)
    tables = {k: pd.read_parquet(p) for k, p in written.items() if k != "domain"}
    tables["_domain"] = json.loads(written["domain"].read_text())
    return tables


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)]
)
def result(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, pd.DataFrame]:
    con = request.getfixturevalue("spark_con") if request.param == "spark" else None
    return _run(tmp_path_factory.mktemp("ind"), con)


@pytest.fixture(scope="module")
def country(result: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return result["publications_by_country"].set_index("country")


def test_counts_and_shares(country: pd.DataFrame) -> None:
    assert country.p_full.to_dict() == {"FR": 6, "US": 5, "CN": 4, "DE": 3, "BR": 2}
    expected = {"FR": 4.0, "US": 3.0, "CN": 2.75, "DE": 1.5, "BR": 0.75}
    assert country.p_frac.to_dict() == pytest.approx(expected, abs=1e-12)
    assert country.share_frac["FR"] == pytest.approx(4 / 12, abs=1e-12)
    assert country.share_frac.sum() == pytest.approx(1.0, abs=1e-12)
    assert country.rank_p_frac.to_dict() == {
        "FR": 1,
        "US": 2,
        "CN": 3,
        "DE": 4,
        "BR": 5,
    }
    assert list(country.index) == ["FR", "US", "CN", "DE", "BR"]  # sorted by rank


def test_mncs(country: pd.DataFrame) -> None:
    # W13 is alone in its reference set (set C): not rated, FR's coverage 3/4
    expected = {
        "FR": (21.75 / 6.6) / 3,
        "US": (29.25 / 6.6 + 0.5) / 3,
        "CN": (6.25 / 6.6 + 0.5) / 2.75,
        "DE": (6.25 / 6.6 + 1) / 1.5,
        "BR": (0.5 / 6.6) / 0.75,
    }
    assert country.mncs.to_dict() == pytest.approx(expected, abs=1e-12)
    assert country.mncs["FR"] == pytest.approx(1.098485, abs=TOL)
    assert country.rank_mncs.to_dict() == {"US": 1, "DE": 2, "FR": 3, "CN": 4, "BR": 5}
    coverage = {"FR": 0.75, "US": 1.0, "CN": 1.0, "DE": 1.0, "BR": 1.0}
    assert country.impact_coverage.to_dict() == pytest.approx(coverage, abs=1e-12)


def test_top_shares_with_ties(country: pd.DataFrame) -> None:
    pp10 = {"FR": 0.25 / 3, "US": 0.225, "CN": 0.05 / 2.75, "DE": 0.15, "BR": 0.0}
    pp1 = {"FR": 0.025 / 3, "US": 0.0225, "CN": 0.005 / 2.75, "DE": 0.015, "BR": 0.0}
    assert country.pp_top10.to_dict() == pytest.approx(pp10, abs=1e-12)
    assert country.pp_top1.to_dict() == pytest.approx(pp1, abs=1e-12)
    # Σ P(top 10 %) over actors + unassigned (0 here) = 0.1 × 12 rated works.
    assert country.p_top10.sum() == pytest.approx(1.2, abs=1e-12)
    assert country.p_top1.sum() == pytest.approx(0.12, abs=1e-12)


def test_a_work_alone_in_its_reference_set_is_rated_only_on_request(
    tmp_path: Path,
) -> None:
    """EXPECTED.md 4b: `min_reference_set = 1` rates W13 (NCS 1, top 10 % 0.1)."""
    t = _run(tmp_path, min_reference_set=1, min_p_institution=1.25)
    c = t["publications_by_country"].set_index("country")
    assert c.mncs["FR"] == pytest.approx((21.75 / 6.6 + 1) / 4, abs=1e-12)
    assert c.pp_top10["FR"] == pytest.approx(0.0875, abs=1e-12)
    assert c.pp_top1["FR"] == pytest.approx(0.00875, abs=1e-12)
    assert c.impact_coverage["FR"] == 1.0
    assert c.p_top10.sum() == pytest.approx(1.3, abs=1e-12)
    inst = t["publications_by_institution"].set_index("institution_id")
    assert inst.mncs["I_FR1"] == pytest.approx((17.5 / 6.6 + 1) / 2.25, abs=1e-12)


def test_activity_index(country: pd.DataFrame) -> None:
    ai = {"FR": 10 / 9, "US": 15 / 14, "CN": 11 / 12, "DE": 0.75, "BR": 1.25}
    rsi = {"FR": 1 / 19, "US": 1 / 29, "CN": -1 / 23, "DE": -1 / 7, "BR": 1 / 9}
    assert country.ai.to_dict() == pytest.approx(ai, abs=1e-12)
    assert country.rsi.to_dict() == pytest.approx(rsi, abs=1e-12)
    assert country.p_all.to_dict() == pytest.approx(
        {"FR": 4.5, "US": 3.5, "CN": 3.75, "DE": 2.5, "BR": 0.75}, abs=1e-12
    )


def test_intl_collab_rate(country: pd.DataFrame) -> None:
    rate = {"FR": 4 / 6, "US": 0.8, "CN": 0.5, "DE": 2 / 3, "BR": 1.0}
    assert country.intl_collab_rate.to_dict() == pytest.approx(rate, abs=1e-12)


def test_partners(result: dict[str, pd.DataFrame]) -> None:
    p = result["country_partners"].set_index(["country", "partner"])
    assert len(p) == 14  # 7 pairs, both directions
    assert p.co_publications[("FR", "US")] == 2
    assert p.co_publications[("US", "FR")] == 2
    assert p.salton[("BR", "FR")] == pytest.approx(2 / 12**0.5, abs=1e-12)
    assert p.salton[("FR", "CN")] == pytest.approx(1 / 24**0.5, abs=1e-12)
    fr = p.loc["FR"]
    assert fr.rank_co.to_dict() == {"BR": 1, "US": 1, "CN": 3, "DE": 3}
    assert fr.rank_salton.to_dict() == {"BR": 1, "US": 2, "DE": 3, "CN": 4}


def test_country_year_and_growth(result: dict[str, pd.DataFrame]) -> None:
    y = result["publications_by_country_year"].set_index(
        ["country", "publication_year"]
    )
    assert y.p_frac[("FR", 2020)] == pytest.approx(3.0, abs=1e-12)
    assert y.p_full[("FR", 2020)] == 5
    assert y.p_frac[("FR", 2021)] == pytest.approx(1.0, abs=1e-12)
    assert y.growth_p_frac[("FR", 2021)] == pytest.approx(-2 / 3, abs=1e-12)
    # FR 2021 is W13 alone, unrated (set C): no impact figure, with the reason
    assert y.impact_coverage[("FR", 2021)] == 0.0
    assert pd.isna(y.mncs[("FR", 2021)]) and pd.isna(y.pp_top10[("FR", 2021)])
    assert y.impact_note[("FR", 2021)].startswith("n/a")
    assert y.mncs[("FR", 2020)] == pytest.approx(21.75 / 6.6 / 3, abs=1e-12)
    assert pd.isna(y.growth_p_frac[("FR", 2020)])
    for _, shares in y.groupby(level="publication_year").share_frac:
        assert shares.sum() == pytest.approx(1.0, abs=1e-12)


def test_institutions_and_rank_ties(tmp_path: Path) -> None:
    t = _run(tmp_path, min_p_institution=1.25)["publications_by_institution"]
    inst = t.set_index("institution_id")
    assert inst.p_frac.to_dict() == pytest.approx(
        {"I_FR1": 2.25, "I_US1": 1.5, "I_FR2": 1.25, "I_CN1": 1.0, "I_DE1": 1.0},
        abs=1e-12,
    )
    assert inst.rank_p_frac.to_dict() == {
        "I_FR1": 1, "I_US1": 2, "I_FR2": 3, "I_CN1": 4, "I_DE1": 4,
    }  # fmt: skip
    assert inst.mncs["I_FR1"] == pytest.approx(17.5 / 6.6 / 1.25, abs=1e-12)
    assert inst.rank_mncs[["I_FR1", "I_US1", "I_FR2"]].tolist() == [1, 2, 3]
    assert inst.rank_mncs[["I_CN1", "I_DE1"]].isna().all()
    assert inst.ror["I_FR1"] == "02vjkv261"


def test_unassigned_reported(result: dict[str, pd.DataFrame]) -> None:
    u = result["publications_unassigned"].set_index(["level", "publication_year"])
    assert u.p_unassigned[("country", 2020)] == 1
    assert u.p_total[("country", 2020)] == 10
    assert u.p_unassigned[("country", 2021)] == 0
    assert u.p_unassigned[("institution", 2020)] == 5
    assert u.p_top10[("institution", 2020)] == pytest.approx(0.5, abs=1e-12)
    assert u.tncs[("country", 2020)] == pytest.approx(2 / 6.6, abs=1e-12)


def test_domain_hash_everywhere(result: dict[str, pd.DataFrame]) -> None:
    dom = result.pop("_domain")
    result["_domain"] = dom
    assert dom["name"] == "cancer" and len(dom["hash"]) == 12
    for name, table in result.items():
        if name != "_domain":
            assert set(table.domain_hash) == {dom["hash"]}, name


def test_intervals_bracket_the_estimate(country: pd.DataFrame) -> None:
    assert (country.mncs_lo <= country.mncs + 1e-12).all()
    assert (country.mncs <= country.mncs_hi + 1e-12).all()
    assert (country.pp_top10_lo <= country.pp_top10 + 1e-12).all()
    assert (country.pp_top10 <= country.pp_top10_hi + 1e-12).all()
    assert country.pp_top10_hi["BR"] == 0.0  # no top work, no resample has one


def test_any_topic_widens_domain(tmp_path: Path) -> None:
    c = _run(tmp_path, any_topic=True)["publications_by_country"].set_index("country")
    assert c.p_frac["CN"] == pytest.approx(3.75, abs=1e-12)  # + W24 (2730 secondary)


def test_citation_window(tmp_path: Path) -> None:
    from oncometrics.domain import Domain
    from oncometrics.engine import connect, load_tables
    from oncometrics.indicators.selection import domain_works, windowed_citations

    store = fixture_store(tmp_path / "store")
    con = connect("duckdb")
    t = load_tables(con, store, ["works", "work_subjects", "citation_counts"])
    cfg = load_config(period="2020-2021")
    dw = domain_works(
        t["works"], t["work_subjects"], Domain.from_config(cfg), (2020, 2021)
    )
    got = windowed_citations(dw, t["citation_counts"], 1).to_pyarrow().to_pandas()
    cited = got.set_index("work_id").cited
    assert cited[["W01", "W02", "W03", "W04"]].tolist() == [11, 0, 10, 0]
    assert len(got) == 13
    con.disconnect()


def test_user_totals_csv(tmp_path: Path) -> None:
    totals = tmp_path / "totals.csv"
    # the store's own totals plus a country absent from the domain (JP, 15):
    # world all-field total 30 instead of 15, so every AI doubles.
    totals.write_text("country,p\nFR,4.5\nUS,3.5\nCN,3.75\nDE,2.5\nBR,0.75\nJP,15\n")
    t = _run(tmp_path, totals=str(totals))
    c = t["publications_by_country"].set_index("country")
    assert c.ai["FR"] == pytest.approx(20 / 9, abs=1e-12)
    assert c.ai["DE"] == pytest.approx(1.5, abs=1e-12)
    assert t["publications_by_country_year"].ai.isna().all()  # no year column


def test_user_totals_csv_by_year(tmp_path: Path) -> None:
    totals = tmp_path / "totals.csv"
    totals.write_text(
        "country,publication_year,p\nFR,2020,3\nFR,2021,1.5\nUS,2020,3\nUS,2021,0.5\n"
        "FR,2019,100\n"  # outside the period: ignored
    )
    t = _run(tmp_path, totals=str(totals))
    c = t["publications_by_country"].set_index("country")
    # all-field: FR 4.5, US 3.5, world 8; domain FR 4 of 12
    assert c.ai["FR"] == pytest.approx((4 / 12) / (4.5 / 8), abs=1e-12)
    assert pd.isna(c.ai["DE"])  # no total for DE
    y = t["publications_by_country_year"].set_index(["country", "publication_year"])
    # 2021: FR domain 1 of 3 (FR 1, DE 1, CN .5, US .5); all-field FR 1.5 of 2
    assert y.ai[("FR", 2021)] == pytest.approx((1 / 3) / (1.5 / 2), abs=1e-12)


def test_bad_totals_csv_is_one_line_error(tmp_path: Path) -> None:
    totals = tmp_path / "totals.csv"
    totals.write_text("nation,count\nFR,1\n")
    with pytest.raises(ValueError, match="totals CSV lacks column"):
        _run(tmp_path, totals=str(totals))
