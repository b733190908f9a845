"""End to end: real patent samples -> store -> `compute` -> invention tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from oncometrics.config import load_config
from oncometrics.pipeline import compute
from oncometrics.store import Store

DATA = Path(__file__).parent / "data" / "patents"
TABLES = ("inventions_by_country", "inventions_by_country_year",
          "coinvention_partners", "inventions_by_applicant", "technology_mix")  # fmt: skip


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("patent_pipeline")
    samples = sorted(p for p in DATA.iterdir() if p.suffix in (".zip", ".xml", ".csv"))
    s = Store(root / "store").ingest("patents", samples, log=lambda m: None)
    assert not s.errors
    compute(root / "store", root / "out", config=load_config(domain="all"),
            log=lambda m: None)  # fmt: skip
    return root / "out"


def _rows(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


def test_tables_written(out: Path) -> None:
    for name in TABLES:
        assert (out / f"{name}.parquet").exists() and (out / f"{name}.csv").exists()
    assert not (out / "technology_shift.parquet").exists()  # no periods given


def test_real_sample_counts(out: Path) -> None:
    c = {r["country"]: r for r in _rows(out, "inventions_by_country")}
    # GB: USRE049258 (8 GB inventors), US11477946, US11477947
    assert c["GB"]["i_full"] == 3 and c["GB"]["i_frac"] == pytest.approx(3.0)
    # CN: two of the three inventors of US11617522 (CN, CN, US)
    assert c["CN"]["i_frac"] == pytest.approx(2 / 3)
    # NL: EP1000000 A1/B1 from three files are one DOCDB family
    assert c["NL"]["i_full"] == 1
    # Lens rows and AU2013290010 (names without countries) are unassigned;
    # the two Lens design rights (US D533981 S1, US D585178 S1) are no
    # inventions at all (33 before designs were left out)
    assert c["unassigned"]["i_full"] == 31
    docs = {r["doc_type"]: r for r in _rows(out, "invention_documents")}
    # USPTO: designs D967598, D982278, D982279 + Lens D533981, D585178
    assert docs["design"]["documents"] == 5
    assert docs["plant"]["documents"] == 1 and docs["reissue"]["documents"] == 3
    assert docs["design"]["domain_families"] == 0
    lags = {r["source"]: r for r in _rows(out, "invention_lags")}
    # USPTO grants only, last published 2023-04-04: 36 months back -> 2020
    assert lags["uspto"]["grant_only"] and lags["uspto"]["first_truncated_year"] == 2020
    pairs = {(r["country"], r["partner"]) for r in _rows(out, "coinvention_partners")}
    assert pairs == {("CN", "US"), ("US", "CN")}
    assert {r["domain"] for r in _rows(out, "technology_mix")} == {"all"}


def test_real_sample_rta_over_all_countries(out: Path) -> None:
    """RTA with domain A61 on the real samples, worked by hand.

    Utility documents and reissues with inventor countries (designs and the
    plant patent left out), fractional: US 11477944 (1), 11477945 (1),
    11617522 (1/3, CN 2/3), 11617590 (1), US2006142694 (1), RE49259 (1) ->
    US 16/3; GB 11477946, 11477947, RE49258 -> 3; CA RE49257 -> 1; NL
    EP1000000 -> 1; CN 2/3.  World, all fields: 11.
    A61 families: 11617522 (A61B5, A61M5) and 11617590 (A61B17) and
    US2006142694 (A61) -> US 1/3 + 1 + 1 = 7/3, CN 2/3; world 3.
    RTA US = (7/3 / 3) / (16/3 / 11) = 231/144 = 1.6042;
    RTA CN = (2/3 / 3) / (2/3 / 11) = 11/3 = 3.6667.
    (Summing the world over cancer countries only, as the code once did:
    world 16/3 + 2/3 = 6, US (7/9) / (8/9) = 0.875, CN (2/9) / (1/9) = 2.)
    """
    root = out.parent
    cfg = load_config(patent_codes=("A61",), patent_generic_codes=())
    compute(root / "store", root / "a61", config=cfg, log=lambda m: None)
    c = {r["country"]: r for r in _rows(root / "a61", "inventions_by_country")}
    assert c["US"]["i_frac"] == pytest.approx(7 / 3)
    assert c["US"]["i_all_frac"] == pytest.approx(16 / 3)
    assert c["US"]["rta"] == pytest.approx(231 / 144)
    assert c["CN"]["rta"] == pytest.approx(11 / 3)
