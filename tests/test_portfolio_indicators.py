"""Unit and project indicators on the hand-worked store of portfolio_fixtures."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from oncometrics.config import load_config
from oncometrics.portfolio import run_portfolio
from tests.portfolio_fixtures import ORPHAN, build_store, write_registry


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("portfolio")
    store = build_store(root / "store")
    units, grants = write_registry(root / "registry")
    cfg = load_config(None, domain="all", bootstrap=100)
    written = run_portfolio(
        store,
        units,
        root / "out",
        grants=grants,
        curation=None,
        config=cfg,
        log=lambda m: None,
    )
    return {name: pq.read_table(p).to_pandas() for name, p in written.items()}


def _unit(result: dict, code: str) -> dict:
    units = result["units"]
    return units[units.unit_code == code].iloc[0].to_dict()


def test_paper_shared_by_two_units_and_by_unit_and_foreign_institution(result) -> None:
    w = result["unit_works"].set_index(["unit_code", "work_id"]).weight.to_dict()
    assert w == {
        ("U1052", "W1"): 0.5,  # two units, one author each
        ("UMR5203", "W1"): 0.5,
        ("U1052", "W2"): 0.5,  # unit author + foreign (Harvard) author
        ("U1052", "W3"): 0.25,  # author lists unit + Dana-Farber; 2 resolved authors
        ("UMR5203", "W5"): 0.5,  # one string naming two units
        ("UMS3426", "W5"): 0.5,
    }


def test_unit_counts_and_impact(result) -> None:
    crcl = _unit(result, "U1052")
    assert crcl["p_full"] == 3
    assert crcl["p_frac"] == pytest.approx(1.25)
    # NCS 2.5, 0, 1.25 (e = 4) weighted 0.5, 0.5, 0.25
    assert crcl["mncs"] == pytest.approx((0.5 * 2.5 + 0.25 * 1.25) / 1.25)
    # W1 holds half of the top-10 % (x·n = 0.5 of 5 works)
    assert crcl["pp_top10"] == pytest.approx(0.5 * 0.5 / 1.25)
    assert crcl["intl_collab_rate"] == pytest.approx(2 / 3)
    assert crcl["top_partner_countries"] == "US (2); FR (1)"
    assert crcl["partner_units"] == "UMR5203 (1)"
    assert crcl["team_count"] == 12
    assert crcl["mncs_lo"] <= crcl["mncs"] <= crcl["mncs_hi"]


def test_organisation_row_and_shares(result) -> None:
    org = _unit(result, "(organisation)")
    assert org["p_full"] == 4
    assert org["p_frac"] == pytest.approx(2.75)  # W1 1 + W2 .5 + W3 .25 + W5 1
    assert org["top_partner_countries"] == "US (2)"  # W2 Harvard, W3 MIT
    assert org["mncs"] == pytest.approx((2.5 + 0.25 * 1.25) / 2.75)
    units = result["units"]
    shares = units[units.unit_code != "(organisation)"].share_of_org
    assert shares.sum() == pytest.approx(1.0)
    assert _unit(result, "UMS3426")["share_of_org"] == pytest.approx(0.5 / 2.75)


def test_unit_year(result) -> None:
    uy = result["unit_year"].set_index("unit_code")
    assert uy.loc["UMR5203", "publication_year"] == 2020
    assert uy.loc["UMR5203", "p_frac"] == pytest.approx(1.0)


def test_projects_and_calls(result) -> None:
    pr = result["projects"].set_index("project_id")
    assert pr.loc["P1", "p_full"] == 2  # award id written two ways (W1, W2)
    assert pr.loc["P1", "mncs"] == pytest.approx((2.5 + 0) / 2)
    assert pr.loc["P2", "p_full"] == 1  # "INCa 12345" == "INCA_12345"
    assert pr.loc["P3", "p_full"] == 0
    calls = result["calls"].set_index("call")
    assert calls.loc["PL-BIO 2017", "n_projects"] == 2
    assert calls.loc["PL-BIO 2017", "p_full"] == 3
    assert calls.loc["PL-BIO 2017", "mncs"] == pytest.approx(2.5 / 3)


def test_unmatched_and_matches(result) -> None:
    un = result["unmatched_affiliations"]
    assert un.affiliation.tolist() == [ORPHAN]  # W6 is a letter: not counted
    assert un.n_authorships.tolist() == [1]
    m = result["affiliation_matches"]
    assert set(m.method) == {"code"}
    assert len(m) == 4
