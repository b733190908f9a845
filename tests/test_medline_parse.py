"""MEDLINE text parser: hand-checked values from real records."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from oncometrics.sources import medline
from oncometrics.sources.base import Record, Reject, SourceError

DATA = Path(__file__).parent / "data" / "medline"


def _records(path: Path) -> dict[str, Record]:
    out = {}
    for item in medline.parse(path):
        assert isinstance(item, Record), item
        out[item.rows["works"][0]["pmid"]] = item
    return out


def test_breast_cancer_set() -> None:
    recs = _records(DATA / "peche12_pubmed-breastcanc-set.txt")
    assert len(recs) == 10
    rec = recs["27723074"]  # first record, read by hand
    work = rec.rows["works"][0]
    assert work["doi"] == "10.5603/gp.2016.0062"  # AID ... [doi], lower-cased
    assert work["title"] == "Breast cancer in young women."
    assert work["publication_year"] == 2016
    assert work["doc_type"] == "review"  # PT Journal Article + PT Review
    assert work["source_title"] == "Ginekologia polska"  # JT
    assert work["language"] == "eng"
    assert [a["author_name"] for a in rec.rows["authorships"]] == [
        "Radecka, Barbara",
        "Litwiniuk, Maria",
    ]
    # only Radecka has an AD line ("Regional Cancer Centre in Opole, Poland.")
    assert rec.rows["authorship_countries"] == [
        {
            "work_id": work["work_id"],
            "author_position": 1,
            "country": "PL",
            "provenance": "affiliation_text",
        }
    ]
    mesh = {s["label"]: s for s in rec.rows["work_subjects"]}
    # "*Breast Neoplasms/diagnosis/..." -> C04 descriptor D001943, major
    assert (mesh["Breast Neoplasms"]["code"], mesh["Breast Neoplasms"]["is_major"]) == (
        "D001943",
        True,
    )
    # not in the C04 table: label kept, code null
    assert mesh["Female"]["code"] is None and mesh["Female"]["is_major"] is False


def test_continuations_grants_orcid_and_dates() -> None:
    recs = _records(DATA / "gut_microbiome_first15.txt")
    assert len(recs) == 15
    rec = recs["31281534"]  # first record (Theranostics 2019)
    work = rec.rows["works"][0]
    assert work["title"].startswith(
        "Integrated microbiome and metabolome analysis reveals a novel interplay"
    )
    assert work["publication_date"] == "2019-05-31"  # DEP 20190531, DP 2019
    affs = [a for a in rec.rows["affiliations"] if a["author_position"] == 1]
    assert len(affs) == 3 and affs[0]["country"] == "CN"
    assert "  " not in affs[0]["affiliation"]  # continuation lines joined
    assert {
        (c["author_position"], c["country"]) for c in rec.rows["authorship_countries"]
    } >= {(1, "CN"), (2, "US")}
    grants = [g for r in recs.values() for g in r.rows.get("grants", [])]
    assert {"award_id": "R01 CA180949", "funder_name": "NCI NIH HHS"}.items() <= (
        next(g for g in grants if g["award_id"] == "R01 CA180949").items()
    )
    orcids = [
        a["author_id"]
        for r in recs.values()
        for a in r.rows["authorships"]
        if a["author_id"]
    ]
    assert "orcid:0000-0003-3949-0089" in orcids


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("R01 CA180949/CA/NCI NIH HHS/United States", ("R01 CA180949", "NCI NIH HHS")),
        (
            "MR/K01353X/1/MRC_/Medical Research Council/United Kingdom",
            ("MR/K01353X/1", "Medical Research Council"),
        ),
        ("Wellcome Trust/United Kingdom", (None, "Wellcome Trust")),
    ],
)
def test_grant_field(value: str, expected: tuple[str | None, str | None]) -> None:
    assert medline._grant(value) == expected


def test_transcribed_record_matches_the_xml_one() -> None:
    (rec,) = _records(DATA / "pmid28786991_transcribed.txt").values()
    work = rec.rows["works"][0]
    assert work["work_id"] == "doi:10.1371/journal.pone.0180707"
    assert work["doc_type"] == "review"
    assert work["publication_date"] == "2017-08-07"
    assert rec.rows["authorships"][0]["author_id"] == "orcid:0000-0002-5721-6764"
    assert (5, "US") in {
        (c["author_position"], c["country"]) for c in rec.rows["authorship_countries"]
    }  # Atlanta, Georgia, USA
    mesh = {s["label"]: s["is_major"] for s in rec.rows["work_subjects"]}
    assert mesh == {
        "Emigrants and Immigrants": True,
        "Humans": False,
        "Tuberculosis": True,
        "United States": False,
    }


def test_early_ad_goes_to_first_author(tmp_path: Path) -> None:
    p = tmp_path / "old.txt"
    p.write_text(
        "PMID- 1\nTI  - Old style.\nAD  - Dept Med, Univ Lyon, Lyon, France.\n"
        "AU  - Dupont J\nAU  - Martin P\nDP  - 1995 Mar\n"
    )
    (rec,) = _records(p).values()
    assert [a["author_name"] for a in rec.rows["authorships"]] == [
        "Dupont J",
        "Martin P",
    ]
    assert rec.rows["authorship_countries"] == [
        {
            "work_id": "pmid:1",
            "author_position": 1,
            "country": "FR",
            "provenance": "affiliation_text",
        }
    ]
    assert rec.rows["works"][0]["publication_year"] == 1995


def test_bad_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(SourceError, match="empty file"):
        list(medline.parse(empty))
    other = tmp_path / "other.txt"
    other.write_text("PT J\nAU Smith, J\nER\n")
    with pytest.raises(SourceError, match="not a MEDLINE text file"):
        list(medline.parse(other))
    broken = tmp_path / "broken.txt"
    broken.write_text(
        "PMID- 1\nTI  - Fine.\n\nTI  - No id here.\n\nPMID- 3\ngarbage line\n"
    )
    items = list(medline.parse(broken))
    assert [type(i) for i in items] == [Record, Reject, Reject]
    assert items[1].reason == "record has no PMID"
    assert "line 7 is not a MEDLINE field" in items[2].reason


def test_truncated_gzip(tmp_path: Path) -> None:
    blob = gzip.compress((DATA / "gut_microbiome_first15.txt").read_bytes())
    p = tmp_path / "cut.txt.gz"
    p.write_bytes(blob[: len(blob) // 2])
    items = list(medline.parse(p))
    assert all(isinstance(i, Record) for i in items[:-1])
    assert isinstance(items[-1], Reject) and "truncated gzip" in items[-1].reason
    assert items[-1].record_no == len(items)


def test_sniff() -> None:
    assert medline.sniff(b"\xef\xbb\xbfPMID- 123\r\nOWN - NLM")
    assert not medline.sniff(b"<PubmedArticleSet>")


@pytest.mark.parametrize(("env", "expected"), [(None, "CN"), ("false", "HK")])
def test_hong_kong_convention_at_ingest(
    monkeypatch: pytest.MonkeyPatch, env: str | None, expected: str
) -> None:
    # PMID 34233671: Jiang, Yiqi -- "City University of Hong Kong, Hong Kong, China."
    if env is None:
        monkeypatch.delenv("ONCOMETRICS_HK_MACAO_TO_CN", raising=False)
    else:
        monkeypatch.setenv("ONCOMETRICS_HK_MACAO_TO_CN", env)
    rec = _records(DATA / "gut_microbiome_same_as_wos.txt")["34233671"]
    pos = next(
        a["author_position"]
        for a in rec.rows["authorships"]
        if a["author_name"] == "Jiang, Yiqi"
    )
    assert [
        c["country"]
        for c in rec.rows["authorship_countries"]
        if c["author_position"] == pos
    ] == [expected]
