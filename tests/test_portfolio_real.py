"""The portfolio on real records: MEDLINE text ingested, example registry.

``tests/data/portfolio/medline_sample.txt`` holds 8 real PubMed records
(MEDLINE format) copied from the raw sample
``medline-text/gut_microbiome_pubmed_medline_140.txt`` (see README.md here):
6 of them name units of the example registry.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from oncometrics.config import load_config
from oncometrics.portfolio import run_portfolio
from oncometrics.schema import TABLES
from oncometrics.store import Store, table_files

DATA = Path(__file__).parent / "data" / "portfolio"
EXAMPLE = Path(__file__).parents[1] / "oncometrics" / "data" / "portfolio"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("real")
    store = Store(root / "store")
    store.ingest("medline", [DATA / "medline_sample.txt"], log=lambda m: None)
    cfg = load_config(None, domain="all", bootstrap=50)
    written = run_portfolio(root / "store", EXAMPLE / "units.csv", root / "out",
                            grants=EXAMPLE / "grants.csv",
                            curation=EXAMPLE / "curation.csv", config=cfg,
                            log=lambda m: None)  # fmt: skip
    out = {name: pq.read_table(p).to_pandas() for name, p in written.items()}
    names = TABLES["works"].names  # by name: data files may carry more columns
    out["works"] = pa.concat_tables(
        [pq.read_table(f, columns=names) for f in table_files(root / "store", "works")]
    ).to_pandas()
    return out


def test_units_found_in_real_records(run) -> None:
    units = run["units"].set_index("unit_code")
    found = set(units.index[units.p_full > 0]) - {"(organisation)"}
    assert found == {"CERMAV", "UMR7257", "U1245", "NutriOmics", "ISYEB", "UR454",
                     "UMR408", "UMR1319"}  # fmt: skip
    assert units.loc["(organisation)", "p_full"] == 6


def test_hand_worked_weights_of_pmid_29795267(run) -> None:
    # 8 authors, all with addresses: 5 at CERMAV (1/8 each); Vincentelli lists
    # two AFMB strings (1/8 to AFMB); Henrissat lists AFMB twice and King
    # Abdulaziz University (1/16 to AFMB); Skjåk-Bræk is at NTNU only.
    works = run["works"]
    wid = works[works.pmid == "29795267"].work_id.item()
    uw = run["unit_works"]
    w = uw[uw.work_id == wid].set_index("unit_code").weight
    assert w.to_dict() == pytest.approx({"CERMAV": 5 / 8, "UMR7257": 1 / 8 + 1 / 16})


def test_methods_and_nothing_left_to_curate(run) -> None:
    m = run["affiliation_matches"]
    assert set(m.method) <= {"code", "pattern"}
    assert (m[m.unit_code == "NutriOmics"].method == "pattern").all()
    assert run["unmatched_affiliations"].empty
