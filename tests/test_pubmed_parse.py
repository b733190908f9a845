"""PubMed XML parser: hand-checked values from real NLM records."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncometrics.sources import pubmed
from oncometrics.sources.base import Record, Reject

DATA = Path(__file__).parent / "data" / "pubmed"


def _records(name: str) -> dict[str, Record]:
    out = {}
    for item in pubmed.parse(DATA / name):
        assert isinstance(item, Record), item
        out[item.rows["works"][0]["pmid"]] = item
    return out


def test_counts_per_file() -> None:
    assert len(_records("pubmr_serine_phosphorylation_cancer_93.xml.gz")) == 93
    assert len(_records("sk8erjs69_srproject_cancer_106.xml.gz")) == 106
    assert len(_records("alexandria3k_pubmed1.xml.gz")) == 5
    # MedlineCitationSet: 20 citations; the DeleteCitation is not a record
    assert len(_records("medline16n0902_first20.xml.gz")) == 20


def test_current_format_record() -> None:
    # PMID 28786991, read by hand in test_current_medline.xml.gz (record 4)
    rec = _records("test_current_medline.xml.gz")["28786991"]
    work = rec.rows["works"][0]
    assert work["work_id"] == "doi:10.1371/journal.pone.0180707"
    assert work["doi"] == "10.1371/journal.pone.0180707"
    assert work["publication_year"] == 2017
    assert work["publication_date"] == "2017-08-07"  # ArticleDate (PubDate: 2017)
    assert work["doc_type"] == "review"  # Journal Article + Review + Systematic Review
    assert work["source_title"] == "PloS one"
    assert work["language"] == "eng"
    assert work["cited_by_count"] is None
    assert work["source"] == "pubmed"
    assert rec.rows["grants"] == [
        {
            "work_id": work["work_id"],
            "funder_id": None,
            "funder_name": "NCHHSTP CDC HHS",
            "award_id": "U38 PS004649",
            "award_id_norm": "U38PS004649",
        }
    ]
    mesh = {s["code"]: s for s in rec.rows["work_subjects"]}
    assert mesh["D054242"]["label"] == "Emigrants and Immigrants"
    assert mesh["D054242"]["is_major"] is True  # MajorTopicYN on the descriptor
    assert mesh["D014376"]["is_major"] is True  # only a qualifier is major
    assert mesh["D006801"]["is_major"] is False
    authors = rec.rows["authorships"]
    assert [a["author_name"] for a in authors][:2] == [
        "Malekinejad, Mohsen",
        "Parriott, Andrea",
    ]
    assert authors[0]["author_id"] == "orcid:0000-0002-5721-6764"
    # author 1 has three AffiliationInfo elements, all kept
    assert sum(a["author_position"] == 1 for a in rec.rows["affiliations"]) == 3
    # Marks (position 5): "... Atlanta, Georgia, United States of America."
    countries = {
        (c["author_position"], c["country"]) for c in rec.rows["authorship_countries"]
    }
    assert (5, "US") in countries
    assert all(
        c["provenance"] == "affiliation_text" for c in rec.rows["authorship_countries"]
    )
    assert len(rec.rows["citations"]) > 0  # ReferenceList ids


def test_medline_citation_set_record() -> None:
    # PMID 17942999, first MedlineCitation of medline16n0902
    rec = _records("medline16n0902_first20.xml.gz")["17942999"]
    work = rec.rows["works"][0]
    assert work["work_id"] == "pmid:17942999"  # no DOI in the record
    assert work["publication_year"] == 2007
    assert work["doc_type"] == "article"
    assert [g["award_id"] for g in rec.rows["grants"]] == [
        "R01 DC008549",
        "R01 DC008549-01A1",
    ]
    assert rec.rows["grants"][0]["funder_name"] == "NIDCD NIH HHS"
    # only the first author carries an affiliation (Purdue, IN, USA): only
    # that author gets a country
    assert rec.rows["authorship_countries"] == [
        {
            "work_id": "pmid:17942999",
            "author_position": 1,
            "country": "US",
            "provenance": "affiliation_text",
        }
    ]
    assert len(rec.rows["authorships"]) == 3
    assert rec.rows["work_subjects"][0]["code"] == "D000161"  # Acoustic Stimulation


def test_cancer_record_values() -> None:
    # PMID 30209241 (EMBO J 2018), record 6 of the pubMR set
    rec = _records("pubmr_serine_phosphorylation_cancer_93.xml.gz")["30209241"]
    work = rec.rows["works"][0]
    assert work["doi"] == "10.15252/embj.201899735"
    assert work["publication_year"] == 2018
    assert "P30 CA010815" in {g["award_id"] for g in rec.rows["grants"]}
    assert ("D008545", True) in {
        (s["code"], s["is_major"]) for s in rec.rows["work_subjects"]
    }  # Melanoma, major
    # "... La Jolla, CA, USA gpathria@sbpdiscovery.org ..." -> US
    assert rec.rows["affiliations"][0]["country"] == "US"


def test_shared_affiliation_string_split_by_initials() -> None:
    # NEJM style: one string lists every address, each closed by the
    # initials of its authors: "... Hamilton, ON (P.M.O.), and ...
    # Vancouver (J.M.F.) - both in Canada; ... Cape Town, South Africa
    # (E.D.B.); ... Imperial College, London (P.J.B.); ... Guangzhou, China
    # (N.Z.); AstraZeneca ..., Gothenburg, Sweden (C.K., C.J., S.I.);
    # AstraZeneca ..., Barcelona (R.L.); and Woolcock Institute ..., Sydney
    # (H.K.R.)."
    rec = _records("pubmed-29768149.xml")["29768149"]
    assert rec.rows["works"][0]["doi"] == "10.1056/nejmoa1715274"
    assert rec.rows["works"][0]["publication_date"] == "2018-05-17"
    got: dict[str, set[str]] = {}
    names = {a["author_position"]: a["author_name"] for a in rec.rows["authorships"]}
    for c in rec.rows["authorship_countries"]:
        got.setdefault(names[c["author_position"]], set()).add(c["country"])
    assert got == {
        "O'Byrne, Paul M": {"CA"},
        "FitzGerald, J Mark": {"CA"},
        "Bateman, Eric D": {"ZA"},
        "Barnes, Peter J": {"GB"},
        "Zhong, Nanshan": {"CN"},
        "Keen, Christina": {"SE"},
        "Jorup, Carin": {"SE"},
        "Lamarca, Rosa": {"ES"},
        "Ivanov, Stefan": {"SE"},
        "Reddel, Helen K": {"AU"},
    }
    assert rec.rows["affiliations"][2]["country"] == "ZA"  # Bateman's row


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["Journal Article"], "article"),
        (["Journal Article", "Review"], "review"),
        (["Systematic Review", "Journal Article"], "review"),
        (["Letter"], "letter"),
        (["Editorial"], "editorial"),
        (["Comment", "Letter"], "letter"),
        (["Comment", "Journal Article"], "comment"),
        (["Published Erratum"], "erratum"),
        (["Case Reports", "Journal Article"], "article"),
        (["Clinical Trial, Phase III", "Multicenter Study"], "article"),
        (["Biography"], "other"),
        ([], None),
    ],
)
def test_doc_type(types: list[str], expected: str | None) -> None:
    assert pubmed.doc_type(types) == expected


def test_sniff() -> None:
    assert pubmed.sniff(b'<?xml version="1.0"?>\n<PubmedArticleSet>')
    assert pubmed.sniff(b"<MedlineCitationSet>")
    assert not pubmed.sniff(b"PMID- 123")


def test_record_without_pmid_is_rejected(tmp_path: Path) -> None:
    xml = (
        b'<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
        b"<Article><ArticleTitle>No id</ArticleTitle></Article></MedlineCitation>"
        b"</PubmedArticle></PubmedArticleSet>"
    )
    p = tmp_path / "nopmid.xml"
    p.write_bytes(xml)
    items = list(pubmed.parse(p))
    assert len(items) == 1 and isinstance(items[0], Reject)
    assert items[0].reason == "record has no PMID"
    assert "No id" in (items[0].raw or "")


def test_book_article_and_delete_citation(tmp_path: Path) -> None:
    # hand-written after the PubMed DTD (no real Bookshelf record offline):
    # one PubmedBookArticle, one DeleteCitation (skipped, not counted)
    xml = """<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedBookArticle><BookDocument><PMID Version="1">20301295</PMID>
<Book><BookTitle book="gene">GeneReviews</BookTitle><PubDate><Year>1993</Year>
</PubDate></Book><ArticleTitle book="gene" part="brca1">BRCA1- and BRCA2-Associated
Hereditary Breast and Ovarian Cancer</ArticleTitle><Language>eng</Language>
<AuthorList Type="authors"><Author><LastName>Petrucelli</LastName>
<ForeName>Nancie</ForeName><AffiliationInfo><Affiliation>Karmanos Cancer Institute,
Detroit, Michigan</Affiliation></AffiliationInfo></Author></AuthorList>
</BookDocument><PubmedBookData><ArticleIdList><ArticleId IdType="pubmed">20301295
</ArticleId></ArticleIdList></PubmedBookData></PubmedBookArticle>
<DeleteCitation><PMID Version="1">1</PMID></DeleteCitation>
</PubmedArticleSet>"""
    p = tmp_path / "book.xml"
    p.write_text(xml)
    (rec,) = list(pubmed.parse(p))
    assert isinstance(rec, Record)
    work = rec.rows["works"][0]
    assert (work["work_id"], work["doc_type"], work["publication_year"]) == (
        "pmid:20301295",
        "book-chapter",
        1993,
    )
    assert work["source_title"] == "GeneReviews"
    assert work["title"].startswith("BRCA1- and BRCA2-Associated Hereditary")
    assert rec.rows["authorship_countries"][0]["country"] == "US"
