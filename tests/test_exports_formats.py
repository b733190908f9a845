"""Scopus, Lens and Dimensions exports (samples laid out from real records)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncometrics.sources import dimensions, lens, scopus
from oncometrics.sources.base import Record, Reject, SourceError
from oncometrics.sources.bib_record import Subject
from oncometrics.store import Store

DATA = Path(__file__).parent / "data"
SCOPUS = DATA / "scopus" / "scopus_4_real_papers.csv"
LENS_CSV = DATA / "lens" / "lens_4_real_papers.csv"
LENS_JSON = DATA / "lens" / "lens_4_real_papers.json"
DIMENSIONS = DATA / "dimensions" / "dimensions_4_real_papers.csv"
FOOD = "doi:10.1016/j.foodchem.2023.135478"  # PMID 36696721
SMJ = "doi:10.11622/smedj.2018152"  # PMID 30488079


def _works(items: object) -> dict[str, Record]:
    out = {}
    for item in items:  # type: ignore[attr-defined]
        assert isinstance(item, Record), item
        out[item.rows["works"][0]["work_id"]] = item
    return out


def _countries(rec: Record) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for c in rec.rows.get("authorship_countries", []):
        out.setdefault(c["author_position"], set()).add(c["country"])
    return out


def test_scopus_values() -> None:
    recs = _works(scopus.parse(SCOPUS))
    assert len(recs) == 4
    rec = recs[FOOD]
    work = rec.rows["works"][0]
    assert (work["pmid"], work["publication_year"], work["source_title"]) == (
        "36696721",
        2023,
        "Food chemistry",
    )
    assert (work["cited_by_count"], work["citation_source"]) == (4, "scopus")
    # Kharazmi: "Faculty of Medicine, University of California, Riverside, USA."
    # Jafari: Gorgan (Iran); Vigo/Ourense (Spain); Baoding (China), one entry
    # continued over three ";"-separated parts
    assert _countries(rec) == {1: {"IR"}, 2: {"IR"}, 3: {"US"}, 4: {"IR", "ES", "CN"}}
    assert [a["is_corresponding"] for a in rec.rows["authorships"]] == [
        True,
        False,
        False,
        False,
    ]  # Correspondence Address "Sadeghi A."
    assert rec.rows["authorships"][3]["author_name"] == "Jafari S.M."


def test_scopus_row_details() -> None:
    row = {
        "Title": "T",
        "EID": "2-s2.0-1",
        "Authors": "Koo, S.H., Deng, J.",
        "Authors with affiliations": "Koo, S.H., Changi Gen Hosp, Singapore; "
        "Deng, J., Univ Malaya, Kuala Lumpur, Malaysia",
        "Funding Details": "National Cancer Institute, NCI: R01CA123; Wellcome Trust",
        "Index Keywords": "Humans; Breast Neoplasms; breast cancer",
        "Cited by": "",
        "Correspondence Address": "",
    }
    work = scopus.scopus_work(row)
    assert [a.name for a in work.authors] == ["Koo, S.H.", "Deng, J."]  # old style
    assert [a.affiliations for a in work.authors] == [
        ["Changi Gen Hosp, Singapore"],
        ["Univ Malaya, Kuala Lumpur, Malaysia"],
    ]
    assert work.grants == [
        ("National Cancer Institute, NCI", "R01CA123"),
        ("Wellcome Trust", None),
    ]
    assert work.subjects == [Subject("mesh", "D001943", "Breast Neoplasms")]  # C04 only
    assert work.cited_by_count == 0  # empty "Cited by": no citation yet
    assert work.source_id == "2-s2.0-1"


def test_scopus_bad_input(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("Title,Year\nx,2020\n")
    with pytest.raises(SourceError, match="not a Scopus CSV export: no column EID"):
        list(scopus.parse(wrong))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SourceError, match="empty file"):
        list(scopus.parse(empty))
    rows = tmp_path / "rows.csv"
    rows.write_text('Title,EID,DOI\n"ok",2-s2.0-9,\n"no ids",,\n"short"\n"cut","2-s2')
    items = list(scopus.parse(rows))
    assert [type(i) for i in items] == [Record, Reject, Reject, Reject]
    assert items[1].reason == "row has no EID, DOI or PubMed ID"
    assert "1 cells where the header has 3 columns" in items[2].reason
    assert items[3].record_no == 4


def test_lens_csv_has_no_countries_json_has() -> None:
    csv_recs = _works(lens.parse(LENS_CSV))
    json_recs = _works(lens.parse(LENS_JSON))
    assert set(csv_recs) == set(json_recs) and len(csv_recs) == 4
    w = csv_recs[FOOD].rows["works"][0]
    assert (w["doc_type"], w["cited_by_count"], w["citation_source"]) == (
        "article",
        4,
        "lens",
    )
    assert "authorship_countries" not in csv_recs[FOOD].rows
    assert csv_recs[FOOD].rows["authorships"][0]["author_name"] == "Alireza Sadeghi"
    assert _countries(json_recs[FOOD]) == {
        1: {"IR"},
        2: {"IR"},
        3: {"US"},
        4: {"IR", "ES", "CN"},
    }
    assert json_recs[FOOD].rows["authorships"][0]["author_name"] == "Sadeghi, Alireza"


def test_lens_json_lines_and_country_codes(tmp_path: Path) -> None:
    records = json.loads(LENS_JSON.read_text())
    records[0]["authors"][0]["affiliations"] = [
        {"name": "Inserm U1234", "country_code": "FR"}
    ]
    p = tmp_path / "lens.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in records) + "\n{broken\n")
    items = list(lens.parse(p))
    assert [type(i) for i in items] == [Record] * 4 + [Reject]
    assert _countries(items[0])[1] == {"FR"}  # country_code, text has no country
    assert items[4].reason.startswith("JSON syntax error")


def test_dimensions_values() -> None:
    recs = _works(dimensions.parse(DIMENSIONS))  # preamble line skipped
    assert len(recs) == 4
    rec = recs[FOOD]
    assert _countries(rec) == {1: {"IR"}, 2: {"IR"}, 3: {"US"}, 4: {"IR", "ES", "CN"}}
    work = rec.rows["works"][0]
    assert (work["cited_by_count"], work["citation_source"]) == (4, "dimensions")
    # no raw affiliations: the flat "Singapore; Malaysia" goes to every author
    smj = _countries(recs[SMJ])
    assert len(smj) == 13 and all(v == {"SG", "MY"} for v in smj.values())


def test_dimensions_raw_affiliations() -> None:
    text = (
        "Doe, Jane (Natl Cancer Inst (NCI), Bethesda, MD, USA; Inserm, Paris, "
        "France); Roe, Rob (Univ Tokyo, Tokyo, Japan); Poe, Al ()"
    )
    assert dimensions.raw_affiliations(text) == [
        (
            "Doe, Jane",
            ["Natl Cancer Inst (NCI), Bethesda, MD, USA", "Inserm, Paris, France"],
        ),
        ("Roe, Rob", ["Univ Tokyo, Tokyo, Japan"]),
        ("Poe, Al", []),
    ]


def test_sniffers() -> None:
    assert scopus.sniff(SCOPUS.read_bytes()[:3000])
    assert lens.sniff(LENS_CSV.read_bytes()[:200]) and lens.sniff(
        LENS_JSON.read_bytes()[:3000]
    )
    assert dimensions.sniff(DIMENSIONS.read_bytes()[:300])
    assert not scopus.sniff(DIMENSIONS.read_bytes()[:300])


def test_same_papers_from_four_exports_are_one_work_each(tmp_path: Path) -> None:
    st = Store(tmp_path / "store")
    got = []
    for source, path in [
        ("wos", DATA / "wos" / "savedrecs_batch2.txt"),
        ("scopus", SCOPUS),
        ("lens", LENS_JSON),
        ("dimensions", DIMENSIONS),
    ]:
        (f,) = st.ingest(source, [path], log=lambda m: None).files
        assert f.balanced
        got.append((f.read, f.stored, f.duplicates))
    # 3 of the 4 papers are in batch2 (by DOI); the fourth (PMID 30488079) is
    # only in batch1, so Scopus adds it and Lens/Dimensions find it
    assert got == [(15, 15, 0), (4, 1, 3), (4, 0, 4), (4, 0, 4)]
    # 3 of the 4 papers are in batch2; the fourth (30488079) is in batch1 only
    assert st.counts()["works"] == 16
