"""compare-sources on two sources of the same real records (WoS and PubMed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from oncometrics.cli import main
from oncometrics.compare import compare_sources
from oncometrics.config import load_config
from oncometrics.store import Store

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def two_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cmp")
    # copies, so that a test may delete them (the store keeps the paths)
    files = {name: tmp / name for name in ("b1.txt", "b2.txt", "medline.txt")}
    shutil.copy(DATA / "wos" / "savedrecs_batch1.txt", files["b1.txt"])
    shutil.copy(DATA / "wos" / "savedrecs_batch2.txt", files["b2.txt"])
    shutil.copy(
        DATA / "medline" / "gut_microbiome_same_as_wos.txt", files["medline.txt"]
    )
    st = Store(tmp / "store")
    st.ingest("wos", [files["b1.txt"], files["b2.txt"]], log=lambda m: None)
    (f,) = st.ingest("medline", [files["medline.txt"]], log=lambda m: None).files
    # 26 PubMed records: 21 are papers the WoS batches already hold
    assert (f.read, f.duplicates) == (26, 21)
    return tmp


def test_counts_per_source(two_sources: Path) -> None:
    df = compare_sources(two_sources / "store", config=load_config(domain="all"))
    rows = {r["country"]: r for r in df.to_dict("records")}
    # reference: WoS, the source with the most domain works (25 vs 24)
    assert list(df.columns) == [
        "country",
        "P_full_wos",
        "P_full_pubmed",
        "diff_pubmed",
        "ratio_pubmed",
    ]
    assert rows["(basis)"]["P_full_wos"] == "reread"
    # WoS batches: 25 distinct records, all articles; the 26 PubMed records
    # hold 24 articles/reviews: PMID 37299414 is "Congress", and PMID 30375992
    # is a "Dataset" in PubMed but "Article; Data Paper" in WoS
    assert rows["(domain works)"]["P_full_wos"] == 25
    assert rows["(domain works)"]["P_full_pubmed"] == 24
    # 20 of the PubMed works are among the WoS ones (4 PubMed articles are
    # records 26-30 of the WoS export, not in these batches)
    assert rows["(also in reference)"]["P_full_pubmed"] == 20
    # same addresses, same parser: the shared papers give the same countries
    assert (rows["US"]["P_full_pubmed"], rows["US"]["P_full_wos"]) == (7, 7)
    assert rows["US"]["ratio_pubmed"] == 1.0
    # Saudi Arabia: one WoS-only paper (King Abdulaziz Univ, record 1)
    assert (rows["SA"]["P_full_wos"], rows["SA"]["diff_pubmed"]) == (1, -1)
    assert rows["SA"]["ratio_pubmed"] == 0.0


def test_falls_back_to_store_when_files_are_gone(
    two_sources: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(two_sources / "store", store)
    moved = two_sources / "medline.txt"
    backup = tmp_path / "medline.txt"
    shutil.move(moved, backup)
    try:
        df = compare_sources(store, config=load_config(domain="all"))
    finally:
        shutil.move(backup, moved)
    rows = {r["country"]: r for r in df.to_dict("records")}
    assert rows["(basis)"]["P_full_pubmed"] == "store"
    # only the 5 records the store kept from PubMed remain visible, 4 of
    # them articles (PMID 37299414 is typed "Congress" only)
    assert rows["(domain works)"]["P_full_pubmed"] == 4


def test_cli_json(two_sources: Path, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        main(
            [
                "compare-sources",
                "--store",
                str(two_sources / "store"),
                "--json",
                "--period",
                "2022-2023",
            ]
        )
    except SystemExit as exc:  # typer may exit 0 explicitly
        assert exc.code in (0, None)
    rows = {r["country"]: r for r in json.loads(capsys.readouterr().out)}
    # default cancer domain: one 2022-2023 paper (PMID 36378136), selected
    # in PubMed by its C04 MeSH heading (Breast Neoplasms) and in WoS, which
    # has no MeSH, by its WoS category Oncology (the `wos_category` signal)
    assert rows["(domain works)"]["P_full_pubmed"] == 1
    assert rows["(domain works)"]["P_full_wos"] == 1
    # the same paper in both (reference on a tie: alphabetical, PubMed)
    assert rows["(also in reference)"]["P_full_wos"] == 1
