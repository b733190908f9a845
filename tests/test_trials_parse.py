"""Trials parser on real records; values checked by hand against the JSON."""

from __future__ import annotations

import gzip
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from oncometrics.sources.base import Record, Reject, SourceError
from oncometrics.sources.trials import (
    norm_mesh_ui,
    norm_phase,
    norm_sponsor,
    parse,
    trial_country,
)

DATA = Path(__file__).parent / "data" / "trials"
CTRDATA = DATA / "ctrdata_demo_ctgov2_pediatric_oncology_5.json"
NCI = DATA / "nci_cts_search_melanoma.json.gz"


def _records(path: Path) -> dict[str, Record]:
    out = {}
    for item in parse(path):
        assert isinstance(item, Record), item
        out[item.rows["trials"][0]["nct_id"]] = item
    return out


def test_ctrdata_array_five_trials() -> None:
    recs = _records(CTRDATA)
    assert list(recs) == [
        "NCT00567567",
        "NCT03275402",
        "NCT00716976",
        "NCT01305200",
        "NCT01987596",
    ]
    assert [r.record_no for r in recs.values()] == [1, 2, 3, 4, 5]


def test_nct00567567_hand_checked() -> None:
    rec = _records(CTRDATA)["NCT00567567"]
    t = rec.rows["trials"][0]
    assert t["phases"] == "PHASE3" and t["phase"] == "PHASE3"
    assert t["overall_status"] == "COMPLETED"
    assert t["study_type"] == "INTERVENTIONAL"
    assert (t["start_date"], t["start_year"]) == ("2007-11-05", 2007)
    assert t["completion_date"] == "2022-03-31"
    assert t["enrollment"] == 665
    assert (t["lead_sponsor"], t["lead_sponsor_class"]) == (
        "Children's Oncology Group",
        "NETWORK",
    )
    assert t["source"] == "ctgov" and t["ingest_file"] == str(CTRDATA)
    # 190 locations: US 169, CA 13, AU 5, NZ 1, Puerto Rico 1, Switzerland 1.
    sites = rec.rows["trial_sites"]
    assert len(sites) == 190
    assert Counter(s["country"] for s in sites) == {
        "US": 169,
        "CA": 13,
        "AU": 5,
        "NZ": 1,
        "PR": 1,
        "CH": 1,
    }
    assert sites[0]["facility"] == "Children's Hospital of Alabama"
    assert sites[0]["city"] == "Birmingham"
    assert sites[0]["country_name"] == "United States"
    assert sites[0]["facility_norm"] == "children s hospital of alabama"
    sponsors = {
        (s["role"], s["name_norm"], s["sponsor_class"])
        for s in rec.rows["trial_sponsors"]
    }
    assert sponsors == {
        ("lead", "children s oncology group", "NETWORK"),
        ("collaborator", "national cancer institute", "NIH"),
    }
    conds = rec.rows["trial_conditions"]
    kinds = Counter(c["kind"] for c in conds)
    assert kinds == {"condition": 6, "mesh": 1, "ancestor": 9}
    assert {c["mesh_id"] for c in conds if c["kind"] == "mesh"} == {"D009447"}
    assert "D009369" in {c["mesh_id"] for c in conds if c["kind"] == "ancestor"}
    assert "Stage 4S Neuroblastoma" in {c["condition"] for c in conds}


def test_combined_phase_and_countries() -> None:
    t = _records(CTRDATA)["NCT03275402"]
    assert t.rows["trials"][0]["phases"] == "PHASE2|PHASE3"
    assert t.rows["trials"][0]["phase"] == "PHASE2/PHASE3"
    assert Counter(s["country"] for s in t.rows["trial_sites"]) == {
        "US": 5,
        "DK": 1,
        "JP": 1,
        "ES": 1,
    }


def test_single_study_files_and_partial_record() -> None:
    rec = _records(DATA / "NCT02552212.json")["NCT02552212"]
    assert Counter(s["country"] for s in rec.rows["trial_sites"]) == {
        "US": 36,
        "RU": 18,
        "PL": 14,
        "CZ": 12,
        "BG": 8,
        "AU": 7,
        "HU": 4,
        "TW": 4,
        "CA": 2,
    }
    # MeSH ids come in the long form D000013166 and are stored short.
    assert "D013166" in {c["mesh_id"] for c in rec.rows["trial_conditions"]}
    assert rec.rows["trial_sponsors"][0]["name_norm"] == "ucb biosciences"
    part = _records(DATA / "NCT03453554.json")["NCT03453554"]
    assert part.rows["trials"][0]["phase"] is None
    assert set(part.rows) == {"trials"}


def test_nci_cts_page() -> None:
    rec = _records(NCI)["NCT05929768"]
    t = rec.rows["trials"][0]
    assert (t["source"], t["phase"], t["start_year"]) == ("nci_cts", "PHASE3", 2023)
    assert t["lead_sponsor"] == "SWOG"
    assert Counter(s["country"] for s in rec.rows["trial_sites"]) == {
        "US": 1029,
        "MX": 1,
    }
    assert "Triple-Negative Breast Cancer" in {
        c["condition"] for c in rec.rows["trial_conditions"]
    }


def _study(nct: str) -> dict[str, object]:
    data = json.loads((DATA / f"{nct}.json").read_text())
    assert isinstance(data, dict)
    return data


def test_api_page_zip_and_jsonl(tmp_path: Path) -> None:
    studies = [_study("NCT06171568"), _study("NCT00973089")]
    page = tmp_path / "page.json.gz"
    page.write_bytes(
        gzip.compress(json.dumps({"studies": studies, "nextPageToken": "abc"}).encode())
    )
    assert list(_records(page)) == ["NCT06171568", "NCT00973089"]
    bulk = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(bulk, "w") as zf:
        for s in studies:
            zf.writestr(
                f"{s['protocolSection']['identificationModule']['nctId']}.json",
                json.dumps(s),
            )
        zf.writestr("README.txt", "not a study")
    assert list(_records(bulk)) == ["NCT00973089", "NCT06171568"]
    lines = tmp_path / "studies.jsonl"
    lines.write_text("\n".join(json.dumps(s) for s in studies) + "\n")
    assert list(_records(lines)) == ["NCT06171568", "NCT00973089"]


def test_bad_records_rejected_not_fatal(tmp_path: Path) -> None:
    good = _study("NCT06171568")
    f = tmp_path / "page.json"
    f.write_text(
        json.dumps(
            {
                "studies": [
                    good,
                    {"protocolSection": {"identificationModule": {"nctId": "12345"}}},
                    "junk",
                ]
            }
        )
    )
    items = list(parse(f))
    assert isinstance(items[0], Record)
    assert isinstance(items[1], Reject) and items[1].record_no == 2
    assert "invalid NCT id" in items[1].reason
    assert isinstance(items[2], Reject) and "not a study" in items[2].reason


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"<xml/>", "invalid JSON"),
        (b'{"works": []}', "not ClinicalTrials.gov"),
    ],
)
def test_wrong_format_is_source_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    f = tmp_path / "x.json"
    f.write_bytes(content)
    with pytest.raises(SourceError, match=message) as exc:
        list(parse(f))
    assert str(f) in str(exc.value)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("United States", "US"),
        ("Korea, Republic of", "KR"),
        ("Russian Federation", "RU"),
        ("Taiwan", "TW"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Iran, Islamic Republic of", "IR"),
        ("Macedonia, The Former Yugoslav Republic of", "MK"),
        ("North Macedonia", "MK"),
        ("Former Serbia and Montenegro", "CS"),
        ("Yugoslavia", "YU"),
        ("Netherlands Antilles", "AN"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Libyan Arab Jamahiriya", "LY"),
        ("Congo, The Democratic Republic of the", "CD"),
        ("Moldova, Republic of", "MD"),
        ("Côte D'Ivoire", "CI"),
        ("Kosovo", "XK"),
        ("Swaziland", "SZ"),
        ("Palestinian Territory, occupied", "PS"),
        ("Virgin Islands (U.S.)", "VI"),
        ("Reunion", "RE"),
        ("Macau", "MO"),
        ("Hong Kong", "HK"),
        ("Puerto Rico", "PR"),
        ("Viet Nam", "VN"),
        ("Lao People's Democratic Republic", "LA"),
        ("Syrian Arab Republic", "SY"),
        ("  united   states ", "US"),
        ("", None),
        ("Atlantis", None),
    ],
)
def test_location_country_names(name: str, code: str | None) -> None:
    assert trial_country(name) == code


def test_normalisers() -> None:
    assert norm_phase(["PHASE2", "PHASE1"]) == "PHASE1/PHASE2"
    assert norm_phase(["EARLY_PHASE1"]) == "EARLY_PHASE1"
    assert norm_phase(["NA"]) == "NA" and norm_phase([]) is None
    assert norm_mesh_ui("D000003550") == "D003550"
    assert norm_mesh_ui("D000099067") == "D099067"
    assert norm_mesh_ui("C562841") == "C562841"
    assert norm_sponsor("Assistance Publique - Hôpitaux de Paris") == (
        "assistance publique hopitaux de paris"
    )
    assert norm_sponsor("Regeneron Pharmaceuticals, Inc.") == (
        "regeneron pharmaceuticals"
    )


def test_malformed_nested_field_rejected(tmp_path: Path) -> None:
    study = _study("NCT06171568")
    study["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": "many"}
    f = tmp_path / "one.json"
    f.write_text(json.dumps(study))
    (item,) = list(parse(f))
    assert isinstance(item, Reject) and item.record_no == 1
    assert item.reason == "NCT06171568: enrollment: the text 'many' is not a count"


def test_truncated_pretty_printed_study_is_one_error(tmp_path: Path) -> None:
    text = (DATA / "NCT06171568.json").read_text()
    f = tmp_path / "cut.json"
    f.write_text(text[: len(text) // 2])
    with pytest.raises(SourceError, match="invalid JSON"):
        list(parse(f))
