"""OpenAlex parser on real records: values checked by hand against the JSON."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from oncometrics.sources import openalex
from oncometrics.sources.base import Record, Reject, richness
from oncometrics.sources.openalex import parse, sniff

DATA = Path(__file__).parent / "data" / "openalex"
KEYPAPER = DATA / "keypaper_results_page1.json"
SEED = DATA / "snowball_seed_page.json"
CITING = DATA / "snowball_citing_page.json"
MESH_GZ = DATA / "chunk1_mesh_works.jsonl.gz"


def records(path: Path) -> dict[str, Record]:
    out = {}
    for item in parse(path):
        assert isinstance(item, Record), item
        item = item.named()
        out[item.rows["works"][0]["work_id"]] = item
    return out


def rows(rec: Record, table: str, **match: Any) -> list[dict[str, Any]]:
    return [
        r for r in rec.rows.get(table, []) if all(r[k] == v for k, v in match.items())
    ]


def test_api_page_work_row() -> None:
    recs = records(KEYPAPER)
    assert list(recs) == ["W2755950973", "W2741809807"]
    w = recs["W2741809807"].rows["works"][0]
    assert w == w | {
        "work_id": "W2741809807",
        "source": "openalex",
        "openalex_id": "W2741809807",
        "doi": "10.7717/peerj.4375",
        "pmid": "29456894",
        "publication_year": 2018,
        "publication_date": "2018-02-13",
        "doc_type": "article",
        "source_title": "PeerJ",
        "language": "en",
        "cited_by_count": 957,
        "citation_source": "openalex",
        "citation_date": "2025-05-12",  # updated_date 2025-05-12T05:56:48
        "primary_topic_id": "T10102",
        "primary_subfield_id": "1804",
        "primary_field_id": "18",
        "ingest_file": str(KEYPAPER),
        "record_no": 2,
    }
    assert w["title"].startswith("The state of OA")
    assert recs["W2755950973"].record_no == 1


def test_richness_matches_base_helper() -> None:
    rec = records(KEYPAPER)["W2741809807"]
    w = dict(rec.rows["works"][0])
    given = w.pop("richness")
    children = sum(
        len(v) for t, v in rec.rows.items() if t not in ("works", "institutions")
    )
    assert given == richness(w, children)


def test_authorships_countries_institutions() -> None:
    rec = records(KEYPAPER)["W2741809807"]
    assert len(rec.rows["authorships"]) == 9
    third = rows(rec, "authorships", author_position=3)[0]
    assert third["author_id"] == "A5068542997"
    assert third["author_name"] == "Vincent Larivière"
    assert third["is_corresponding"] is False
    # `countries` is ["CA"] although two institutions are listed.
    assert [(r["country"], r["provenance"]) for r in rows(rec, "authorship_countries",
            author_position=3)] == [("CA", "openalex_countries")]  # fmt: skip
    inst = rows(rec, "authorship_institutions", author_position=4)
    assert [(r["institution_id"], r["ror"], r["country_code"]) for r in inst] == [
        ("I18014758", "0213rcc28", "CA"),
        ("I4387153203", "05ek4tb53", None),
    ]
    assert len(rows(rec, "affiliations", author_position=3)) == 2
    assert rows(rec, "affiliations", author_position=1)[0] == {
        "work_id": "W2741809807",
        "author_position": 1,
        "affiliation": "Impactstory, Sanford, NC, USA",
        "country": None,  # `countries` is ["US"]: the text is not parsed
    }


def test_institutions_once_per_file() -> None:
    recs = records(KEYPAPER)
    seen = [
        r["institution_id"] for rec in recs.values() for r in rec.rows["institutions"]
    ]
    assert len(seen) == len(set(seen))
    # I201448701 (FlourishOA) is on three authorships of W2741809807.
    assert seen.count("I201448701") == 1
    uw = [
        r for rec in recs.values() for r in rec.rows["institutions"]
        if r["institution_id"] == "I58610484"
    ]  # fmt: skip
    assert uw == [{"institution_id": "I58610484", "ror": "02jqc0m91",
                   "name": "Seattle University", "country_code": "US",
                   "type": "education"}]  # fmt: skip


def test_citations_counts_topics() -> None:
    rec = records(KEYPAPER)["W2741809807"]
    cited = [r["cited_work_id"] for r in rec.rows["citations"]]
    assert len(cited) == 45
    assert cited[0] == "W1560783210"
    counts = {r["year"]: r["cited_by_count"] for r in rec.rows["citation_counts"]}
    assert len(counts) == 9
    assert counts[2024] == 118
    topics = rows(rec, "work_subjects", scheme="openalex_topic")
    assert [(t["code"], t["is_primary"]) for t in topics] == [
        ("T10102", True),
        ("T13607", False),
        ("T11937", False),
    ]
    assert topics[0]["score"] == pytest.approx(0.9969)
    assert [(r["code"], r["label"]) for r in rows(rec, "work_subjects",
            scheme="openalex_subfield")] == [("1804", "Statistics, Probability and "
                                              "Uncertainty")]  # fmt: skip
    assert [r["code"] for r in rows(rec, "work_subjects", scheme="openalex_field")] == [
        "18"
    ]


def test_legacy_grants_and_funders() -> None:
    recs = records(SEED)
    grants = recs["W3046863325"].rows["grants"]
    assert [(g["funder_id"], g["award_id"], g["award_id_norm"]) for g in grants] == [
        ("F4320334764", "18K13235, 20K20132", "18K1323520K20132"),
        ("F4320334789", "JPMJCR19U1", "JPMJCR19U1"),
    ]
    assert grants[1]["funder_name"] == "Japan Science and Technology Agency"
    assert recs["W3045921891"].rows["grants"] == []
    assert recs["W3045921891"].rows["works"][0]["doc_type"] == "preprint"
    # Authorships without countries, institutions or affiliations: no actor.
    assert recs["W3045921891"].rows["authorship_countries"] == []


def test_funders_without_awards_and_text_fallback() -> None:
    recs = records(CITING)
    assert len(recs) == 5
    funders_only = recs["W4311043552"].rows["grants"]
    assert [(g["funder_id"], g["award_id"]) for g in funders_only] == [
        ("F4320331994", None),
        ("F4320335079", None),
    ]
    one = recs["W4293919086"].rows["grants"]
    assert [(g["funder_id"], g["award_id_norm"]) for g in one] == [
        ("F4320335079", "29551UN389LK04002022")
    ]
    # W4387316167: no countries, no institutions; the text says Germany.
    cs = recs["W4387316167"].rows["authorship_countries"]
    assert [(c["author_position"], c["country"], c["provenance"]) for c in cs] == [
        (i, "DE", "affiliation_text") for i in (1, 2, 3, 4)
    ]


def test_snapshot_jsonl_gz_with_mesh() -> None:
    items = list(parse(MESH_GZ))
    assert [i.record_no for i in items] == [1, 2, 3]
    recs = records(MESH_GZ)
    w = recs["W1596800530"]
    assert w.rows["works"][0]["pmid"] == "18801985"
    mesh = {r["code"]: r for r in rows(w, "work_subjects", scheme="mesh")}
    # 13 MeSH entries, 10 distinct descriptors (qualifier rows merged).
    assert len(mesh) == 10
    assert mesh["D003247"]["is_major"] is True
    assert mesh["D003247"]["label"] == "Conservation of Natural Resources"
    assert mesh["D011203"]["is_major"] is False
    assert mesh["D006801"]["label"] == "Humans"
    tz = recs["W2154416934"]
    assert rows(tz, "authorship_countries")[0]["country"] == "TZ"
    assert tz.rows["authorship_institutions"] == []


def test_same_rows_from_every_shape(tmp_path: Path) -> None:
    page = json.loads(KEYPAPER.read_text())
    compact = records(KEYPAPER)
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(page, indent=2))
    plain = tmp_path / "works.jsonl"
    plain.write_text("".join(json.dumps(w) + "\n" for w in page["results"]))
    bare = tmp_path / "list.json"
    bare.write_text(json.dumps(page["results"], indent=1))
    gz = tmp_path / "part_000.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))

    def strip(recs: dict[str, Record]) -> dict[str, Any]:
        out = {}
        for k, r in recs.items():
            t = {n: v for n, v in r.rows.items() if n != "works"}
            w = {c: v for c, v in r.rows["works"][0].items() if c != "ingest_file"}
            out[k] = (r.record_no, w, t)
        return out

    for other in (pretty, plain, bare, gz):
        assert strip(records(other)) == strip(compact), other.name


def test_single_work_object(tmp_path: Path) -> None:
    work = json.loads(KEYPAPER.read_text())["results"][1]
    p = tmp_path / "W2741809807.json"
    p.write_text(json.dumps(work, indent=2))
    (item,) = parse(p)
    assert isinstance(item, Record)
    assert item.record_no == 1
    assert item.named().rows["works"][0]["work_id"] == "W2741809807"


def _work(**extra: Any) -> dict[str, Any]:
    return {"id": "https://openalex.org/W42", "publication_year": 2021} | extra


def _one(tmp_path: Path, work: dict[str, Any]) -> Record | Reject:
    p = tmp_path / "one.jsonl"
    p.write_text(json.dumps(work) + "\n")
    (item,) = parse(p)
    return item.named() if isinstance(item, Record) else item


def test_country_fallback_chain(tmp_path: Path) -> None:
    rec = _one(tmp_path, _work(authorships=[
        {"author": {"id": "A1"}, "countries": ["FR", "FR"],
         "institutions": [{"id": "I1", "country_code": "DE"}]},
        {"author": {"id": "A2"}, "countries": [],
         "institutions": [{"id": "I1", "country_code": "DE"},
                          {"id": "I2", "country_code": "FR"},
                          {"id": "I3", "country_code": "DE"}],
         "raw_affiliation_strings": ["Institut Curie, Paris, France"]},
        {"author": {"id": "A3"}, "countries": [], "institutions": [],
         "raw_affiliation_strings": ["Institut Curie, Paris, France"]},
        {"author": {"id": "A4"}, "raw_affiliation_strings": ["Somewhere"]},
    ]))  # fmt: skip
    assert isinstance(rec, Record)
    got = [(r["author_position"], r["country"], r["provenance"])
           for r in rec.rows["authorship_countries"]]  # fmt: skip
    assert got == [
        (1, "FR", "openalex_countries"),
        (2, "DE", "institution"),
        (2, "FR", "institution"),
        (3, "FR", "affiliation_text"),
    ]
    # Parsed only for authorship 3, the one without any other country source.
    assert [r["country"] for r in rec.rows["affiliations"]] == [None, "FR", None]


def test_hong_kong_macao_folded_into_china(tmp_path: Path) -> None:
    rec = _one(tmp_path, _work(authorships=[
        {"author": {"id": "A1"}, "countries": ["HK", "CN"]},
        {"author": {"id": "A2"}, "countries": ["MO"]},
        {"author": {"id": "A3"}, "countries": [],
         "institutions": [{"id": "I1", "country_code": "HK"}]},
        {"author": {"id": "A4"},
         "raw_affiliation_strings": ["Univ Hong Kong, Pokfulam, Hong Kong"]},
    ]))  # fmt: skip
    assert isinstance(rec, Record)
    got = [(r["author_position"], r["country"], r["provenance"])
           for r in rec.rows["authorship_countries"]]  # fmt: skip
    assert got == [
        (1, "CN", "openalex_countries"),
        (2, "CN", "openalex_countries"),
        (3, "CN", "institution"),
        (4, "CN", "affiliation_text"),
    ]
    assert rec.rows["authorship_institutions"][0]["country_code"] == "CN"
    assert rec.rows["institutions"][0]["country_code"] == "CN"


def test_row_tuples_follow_the_schema() -> None:
    from oncometrics.schema import TABLES
    from oncometrics.sources.openalex_work import COLUMNS

    for table, cols in COLUMNS.items():
        assert cols == tuple(TABLES[table].names), table
    (item,) = [r for r in parse(KEYPAPER)][1:]
    assert isinstance(item, Record)
    for table, rows in item.rows.items():
        assert all(len(r) == len(COLUMNS[table]) for r in rows), table


def test_without_affiliation_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import oncometrics.countries

    monkeypatch.delattr(oncometrics.countries, "country_from_affiliation")
    rec = _one(tmp_path, _work(authorships=[
        {"raw_affiliation_strings": ["Institut Curie, Paris, France"]}]))  # fmt: skip
    assert isinstance(rec, Record)
    assert rec.rows["affiliations"][0]["country"] is None
    assert rec.rows["authorship_countries"] == []


def test_old_snapshot_fields(tmp_path: Path) -> None:
    rec = _one(tmp_path, _work(
        type="journal-article", doi="https://doi.org/10.1000/ABC",
        authorships=[{"author": {"id": "https://openalex.org/A9",
                                 "display_name": "X"},
                      "raw_affiliation_string": "Gustave Roussy, Villejuif, France",
                      "institutions": [{"id": None, "ror": "https://ror.org/0321g0743",
                                        "country_code": "FR"}]}],
    ))  # fmt: skip
    assert isinstance(rec, Record)
    w = rec.rows["works"][0]
    assert (w["doc_type"], w["doi"]) == ("article", "10.1000/abc")
    assert rec.rows["authorship_institutions"][0]["institution_id"] == "ror:0321g0743"
    assert rec.rows["affiliations"][0]["affiliation"].startswith("Gustave Roussy")
    assert rec.rows["authorship_countries"][0]["provenance"] == "institution"


def test_awards_and_funders_shape(tmp_path: Path) -> None:
    nih = "https://openalex.org/F4320332161"
    rec = _one(tmp_path, _work(
        awards=[{"id": "https://openalex.org/G1", "display_name": "Grant",
                 "funder_award_id": "R01 CA-123456", "funder_id": nih,
                 "funder_display_name": "National Institutes of Health"}],
        funders=[{"id": nih, "display_name": "National Institutes of Health"},
                 {"id": "https://openalex.org/F9", "display_name": "Other"}],
    ))  # fmt: skip
    assert isinstance(rec, Record)
    assert [(g["funder_id"], g["award_id"], g["award_id_norm"])
            for g in rec.rows["grants"]] == [
        ("F4320332161", "R01 CA-123456", "R01CA123456"),
        ("F9", None, None),
    ]  # fmt: skip


def test_sniff() -> None:
    assert sniff(KEYPAPER.read_bytes()[:4096])
    assert sniff(gzip.decompress(MESH_GZ.read_bytes())[:4096])
    assert not sniff(b'<?xml version="1.0"?><PubmedArticleSet>')
    assert not sniff(b"id,doi,title\n1,2,3\n")
    assert not sniff(b'{"protocolSection": {}}')


def test_registered() -> None:
    from oncometrics.sources import get_source

    assert get_source("openalex").parser() is openalex.parse
