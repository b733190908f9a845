"""Patent parsers on real samples (values read by hand from the files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from oncometrics.sources import patents, patents_lens
from oncometrics.sources.base import Record, SourceError
from oncometrics.sources.patent_model import (
    PatentDoc,
    norm_class,
    norm_country,
    norm_name,
    priority_key,
    split_cc_suffix,
)

DATA = Path(__file__).parent / "data" / "patents"


def _records(path: Path) -> dict[str, Record]:
    out = {}
    for item in patents.parse(path):
        assert isinstance(item, Record), getattr(item, "reason", item)
        out.setdefault(item.rows["patents"][0]["patent_id"], item)
    return out


def _rows(rec: Record, table: str, *cols: str) -> list[tuple[Any, ...]]:
    return [tuple(r[c] for c in cols) for r in rec.rows.get(table, [])]


def test_uspto_grant_us11617522() -> None:
    recs = _records(DATA / "ipgb20221025_wk43_subset.zip")
    assert len(recs) == 10  # 11 documents, USD0967598 printed twice
    r = recs["US11617522B2"]
    p = r.rows["patents"][0]
    assert (p["application_number"], p["filing_date"], p["publication_date"]) == (
        "US16533534",
        "2019-08-06",
        "2023-04-04",
    )
    assert p["priority_date"] is None and p["priority_year"] == 2019
    assert p["family_id"] == "app:US20190806-16533534"
    assert p["title"] == "Sensor inserter with disposal lockout state"
    assert sorted(_rows(r, "patent_classes", "scheme", "code")) == [
        ("cpc", "A61B5/14532"), ("cpc", "A61B5/14546"), ("cpc", "A61B5/153"),
        ("cpc", "A61M5/14566"), ("cpc", "A61M5/172"),
        ("ipc", "A61B5/145"), ("ipc", "A61B5/153"), ("ipc", "A61M5/145"),
        ("ipc", "A61M5/172"),
    ]  # fmt: skip
    assert _rows(r, "patent_parties", "role", "sequence", "country") == [
        ("applicant", 1, "US"), ("inventor", 1, "CN"), ("inventor", 2, "CN"),
        ("inventor", 3, "US")]  # fmt: skip
    assert r.rows["patent_parties"][0]["name_norm"] == "MEDTRONIC MINIMED"


def test_uspto_priorities_reissue() -> None:
    r = _records(DATA / "ipgb20221025_wk43_subset.zip")["USRE049258E1"]
    p = r.rows["patents"][0]
    assert (p["priority_date"], p["priority_year"]) == ("2002-04-18", 2002)
    assert p["family_id"] == "prio:GB20020418-208877"
    # the Paris priorities, the continuation parent and the reissued original
    # (domestic priorities, as DOCDB lists them); the earliest dates it
    assert _rows(r, "patent_priorities", "priority_number", "priority_date") == [
        ("GB20020418-208877", "2002-04-18"),
        ("GB20021220-229951", "2002-12-20"),
        ("US20160927-15277516", "2016-09-27"),
        ("US20030417-10249551", "2003-04-17"),
    ]
    countries = {c for (c,) in _rows(r, "patent_parties", "country")}
    assert countries == {"GB"}


def test_uspto_reissue_takes_its_originals_date_and_family() -> None:
    """RE49259 (reissue filed 2020-11-30) reissues US 10,006,401 (application
    13/725,988 of 2012-12-21), itself a continuation of 13/340,544 filed
    2011-12-29: the invention is of 2011, in the family of that first
    application; RE49257 reissues 15/577,437 (2016), which claims the
    provisional 62/167,931 of 2015-05-29.
    """
    recs = _records(DATA / "ipgb20221025_wk43_subset.zip")
    p = recs["USRE049259E1"].rows["patents"][0]
    assert (p["filing_date"], p["priority_year"]) == ("2020-11-30", 2011)
    assert p["family_id"] == "prio:US20111229-13340544"
    p = recs["USRE049257E1"].rows["patents"][0]
    assert (p["priority_year"], p["family_id"]) == (2015, "prio:US20150529-62167931")


def test_uspto_reissue_of_an_original_without_priority() -> None:
    """A reissue whose original claims nothing earlier joins the original's
    ``app:`` family (the original, parsed alone, gets ``app:<its key>``)."""
    orig = PatentDoc(source="uspto", jurisdiction="US", doc_number="10000001",
                     kind="B2", application_number="US15000001",
                     filing_date="20160530")  # fmt: skip
    re_ = PatentDoc(source="uspto", jurisdiction="US", doc_number="RE050000",
                    kind="E1", application_number="US17000002",
                    filing_date="20201112",
                    original=("US", "15000001", "20160530"))  # fmt: skip
    a, b = orig.record(1).rows["patents"][0], re_.record(2).rows["patents"][0]
    assert a["family_id"] == b["family_id"] == "app:US20160530-15000001"
    assert b["priority_year"] == 2016


def test_real_sample_document_types(tmp_path: Path) -> None:
    """7 of the 13 distinct USPTO sample documents are not utility patents:
    designs D967598, D982278, D982279, plant PP34694, reissues RE49257-9."""
    import ibis
    import pyarrow as pa

    from oncometrics.indicators.families import document_type

    rows = []
    for z in sorted(DATA.glob("ipgb*.zip")):
        rows += [r.rows["patents"][0] for r in _records(z).values()]
    t = ibis.memtable(pa.Table.from_pylist(rows).select(
        ["patent_id", "kind", "jurisdiction"]))  # fmt: skip
    got = t.select("patent_id", d=document_type(t)).distinct().to_pyarrow()
    types = dict(zip(got["patent_id"].to_pylist(), got["d"].to_pylist(), strict=True))
    assert len(types) == 13
    assert sorted(k for k, v in types.items() if v == "design") == [
        "USD0967598S1", "USD0982278S1", "USD0982279S1"]  # fmt: skip
    assert [k for k, v in types.items() if v == "plant"] == ["USPP034694P2"]
    assert sorted(k for k, v in types.items() if v == "reissue") == [
        "USRE049257E1", "USRE049258E1", "USRE049259E1"]  # fmt: skip


def test_epo_biblio_ep1000000() -> None:
    r = _records(DATA / "epo_expected_ep1000000_biblio_result.xml")["EP1000000A1"]
    p = r.rows["patents"][0]
    assert p["family_id"] == "docdb:19768124"
    assert (p["priority_date"], p["filing_date"], p["publication_date"]) == (
        "1998-11-12",
        "1999-11-08",
        "2000-05-17",
    )
    assert _rows(r, "patent_parties", "role", "name", "country") == [
        ("applicant", "BOER BEHEER NIJMEGEN BV DE", "NL"),
        ("inventor", "KOSMAN WILHELMUS JACOBUS MARIA", "NL")]  # fmt: skip
    assert ("ipc", "B28B1/29") in _rows(r, "patent_classes", "scheme", "code")
    assert ("cpc", "B28B7/0064") in _rows(r, "patent_classes", "scheme", "code")


def test_epo_epodoc_names_and_family_members() -> None:
    r = _records(DATA / "epo_test_biblio_example.xml")["US2006142694A1"]
    inv = _rows(r, "patent_parties", "role", "name", "country")
    assert ("inventor", "BEDNAREK MICHAEL C", "US") in inv
    assert r.rows["patents"][0]["family_id"] == "docdb:35840242"
    fam = _records(DATA / "epo_fixtures_family_input.xml")
    assert len(fam) == 6
    assert {r.rows["patents"][0]["family_id"] for r in fam.values()} == {
        "docdb:19768124"
    }


def test_lens_csv_legacy_export() -> None:
    recs = _records(DATA / "lens_pizza_subset.csv")
    assert len(recs) == 32
    r = recs["US20130101709A1"]
    p = r.rows["patents"][0]
    assert (p["publication_date"], p["filing_date"], p["priority_date"]) == (
        "2013-04-25",
        "2012-10-22",
        "2011-10-24",
    )
    assert p["family_id"] == "prio:US20111024-61550506"
    assert _rows(r, "patent_classes", "scheme", "code") == [
        ("cpc", "A23L1/0067"), ("cpc", "G01G19/00"), ("ipc", "A23L1/00"),
        ("ipc", "G01N5/00")]  # fmt: skip
    assert _rows(r, "patent_parties", "role", "name_norm") == [
        ("applicant", "PIZZA HUT"),
        ("inventor", "RADER JEFF"),
    ]
    old = [x for x in recs.values() if x.rows["patents"][0]["filing_date"] < "2000"]
    assert old and all(x.rows["patents"][0]["filing_date"] >= "1900" for x in old)


LENS_JSON = [{
    "lens_id": "000-111-222-333-444", "jurisdiction": "EP", "doc_number": "3000001",
    "kind": "A1", "date_published": "2016-05-04",
    "biblio": {
        "application_reference": {"jurisdiction": "EP", "doc_number": "15190001",
                                  "date": "2015-10-15"},
        "priority_claims": {"claims": [{"jurisdiction": "FR", "doc_number": "1459999",
                                        "date": "2014-10-17"}]},
        "invention_title": [{"text": "Anticancer compound", "lang": "en"}],
        "parties": {
            "applicants": [{"residence": "FR", "extracted_name": {"value": "INSERM"}}],
            "inventors": [{"residence": "FR", "extracted_name": {"value": "DUPONT A"}},
                          {"residence": "CH", "extracted_name": {"value": "MULLER B"}}],
        },
        "classifications_cpc": {"classifications": [{"symbol": "A61P35/00"}]},
        "classifications_ipcr": {"classifications": [{"symbol": "A61K31/00"}]},
    },
}]  # fmt: skip


def test_lens_json_layout(tmp_path: Path) -> None:
    """A record in the documented Lens API layout (synthetic: no real sample)."""
    f = tmp_path / "lens.json"
    f.write_bytes(orjson.dumps({"data": LENS_JSON, "total": 1}))
    (r,) = _records(f).values()
    p = r.rows["patents"][0]
    assert (p["patent_id"], p["priority_date"], p["family_id"]) == (
        "EP3000001A1",
        "2014-10-17",
        "prio:FR20141017-1459999",
    )
    assert _rows(r, "patent_parties", "role", "country") == [
        ("applicant", "FR"),
        ("inventor", "FR"),
        ("inventor", "CH"),
    ]
    jl = tmp_path / "lens.jsonl"
    jl.write_bytes(orjson.dumps(LENS_JSON[0]) + b"\n" + orjson.dumps(LENS_JSON[0]))
    assert len(list(patents.parse(jl))) == 2
    assert patents_lens.sniff_json(f.read_bytes()[:4096])


def test_canonical_csv(tmp_path: Path) -> None:
    f = tmp_path / "patstat.csv"
    f.write_text(
        "family_id,priority_year,role,sequence,name,country,cpc,ipc\n"
        "4711,2015,inventor,2,Bob,DE,A61P 35/00;A61K 31/00,A61K  31/00\n"
        "4711,2015,inventor,1,Ann,FR,,\n"
        "4711,2015,applicant,1,Institut Curie,FR,,\n"
        "X9,2019-03-01,inventor,1,Cy,US,G01N33/574,\n",
        encoding="utf-8",
    )
    items = list(patents.parse(f))
    assert [i.record_no for i in items] == [1, 2]
    a, b = items
    assert isinstance(a, Record) and isinstance(b, Record)
    pa_ = a.rows["patents"][0]
    assert (pa_["patent_id"], pa_["family_id"], pa_["priority_year"]) == (
        "4711",
        "docdb:4711",
        2015,
    )
    assert pa_["priority_date"] is None
    assert _rows(a, "patent_parties", "role", "sequence", "country") == [
        ("applicant", 1, "FR"),
        ("inventor", 1, "FR"),
        ("inventor", 2, "DE"),
    ]
    assert sorted(_rows(a, "patent_classes", "scheme", "code")) == [
        ("cpc", "A61K31/00"),
        ("cpc", "A61P35/00"),
        ("ipc", "A61K31/00"),
    ]
    assert b.rows["patents"][0]["family_id"] == "X9"
    assert b.rows["patents"][0]["priority_year"] == 2019


@pytest.mark.parametrize(
    ("raw", "code"),
    [("A61P 35/00", "A61P35/00"), ("A61P35/00", "A61P35/00"),
     ("B28B   1/    29            A I", "B28B1/29"), ("a61k 0031/337", "A61K31/337"),
     ("C12Q", "C12Q"), ("G01N33", "G01N33"), ("not a code", None), ("", None)],
)  # fmt: skip
def test_norm_class(raw: str, code: str | None) -> None:
    assert norm_class(raw) == code


def test_small_normalisers() -> None:
    assert split_cc_suffix("DUBOIS THOMAS C [US], et al") == ("DUBOIS THOMAS C", "US")
    assert norm_name("Université Paris-Cité SAS") == "UNIVERSITE PARIS CITE"
    assert norm_name("ROCHE [CH]") == "ROCHE"
    assert norm_country("uk") == "GB" and norm_country("EP") is None
    assert norm_country("unknown") is None
    same = priority_key("US", "US201213547826", "20120712")
    assert (
        same == priority_key("US", "13/547,826", "2012-07-12") == "US20120712-13547826"
    )


def test_wrong_format_and_empty(tmp_path: Path) -> None:
    f = tmp_path / "search.json"
    f.write_text('{"query": "ti = plastic", "results": []}')
    with pytest.raises(SourceError, match="not a recognised patent format"):
        list(patents.parse(f))
    e = tmp_path / "empty.xml"
    e.write_bytes(b"")
    with pytest.raises(SourceError, match="empty file"):
        list(patents.parse(e))


def test_lens_csv_current_layout(tmp_path: Path) -> None:
    """The current Lens export header (synthetic row, real column names)."""
    f = tmp_path / "lens-export.csv"
    f.write_text(
        "Lens ID,Jurisdiction,Kind,Display Key,Publication Date,Publication Year,"
        "Application Number,Application Date,Priority Numbers,Earliest Priority Date,"
        "Title,Applicants,Inventors,Cited by Patent Count,CPC Classifications,"
        "IPCR Classifications\n"
        "001-234-567-890-12X,WO,A1,WO 2016/059999 A1,2016-04-21,2016,"
        "IB 2015000001 W,2015-10-16,FR 1459999 A 2014-10-17;;FR 1460000 A 2014-11-02,"
        "2014-10-17,Anti-tumour antibody,INSERM;;INSTITUT CURIE,DUPONT ANNE,7,"
        "C07K16/30;;A61P35/00,A61K39/395\n",
        encoding="utf-8",
    )
    (r,) = _records(f).values()
    p = r.rows["patents"][0]
    assert (p["patent_id"], p["publication_date"], p["priority_date"]) == (
        "WO2016059999A1",
        "2016-04-21",
        "2014-10-17",
    )
    assert p["family_id"] == "prio:FR20141017-1459999"
    assert p["cited_by_count"] == 7
    assert ("cpc", "A61P35/00") in _rows(r, "patent_classes", "scheme", "code")
