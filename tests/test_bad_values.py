"""One bad value in a real sample file, for every reader: the run completes.

Each test takes a real sample under ``tests/data``, corrupts one or two
records (a year of 20199999999, -5, 0 or 99999, a count of 10^30, a number
where text is expected, a PMID with letters) and ingests it: the bad record
is quarantined with a reason naming the field, every other record is stored,
and read = stored + duplicates + rejected.  The expected reasons are written
by hand from the value put in, not copied from the code's output.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from oncometrics.sources.checks import YEAR_MIN, year_max
from oncometrics.store import FileResult, Store

DATA = Path(__file__).parent / "data"
BIG = 10**30
WINDOW = f"{YEAR_MIN}..{year_max()}"


def _ingest(
    tmp_path: Path, source: str, *files: Path
) -> tuple[list[FileResult], list[dict[str, Any]], dict[str, int]]:
    """Ingest `files` into a new store: results, quarantine lines, table counts."""
    root = tmp_path / "store"
    st = Store(root)
    summary = st.ingest(source, list(files), log=lambda _m: None, jobs=1)
    quarantine = [
        json.loads(line)
        for q in sorted((root / "quarantine").glob("*.jsonl"))
        for line in q.read_text().splitlines()
    ]
    return summary.files, quarantine, st.counts()


def _check(
    res: FileResult, quarantine: list[dict[str, Any]], expected: dict[int, str]
) -> None:
    """Exactly the `expected` records rejected, each reason containing its text."""
    assert res.error is None, res.error
    assert res.balanced, res
    assert res.read == res.stored + res.duplicates + res.rejected
    assert res.rejected == len(expected), quarantine
    reasons = {q["record_no"]: q["reason"] for q in quarantine if q["file"] == res.path}
    assert sorted(reasons) == sorted(expected), reasons
    for no, text in expected.items():
        assert text in reasons[no], (no, reasons[no])
        assert "object has no attribute" not in reasons[no]
        assert "\n" not in reasons[no]
    assert res.stored >= 1


def _rewrite_csv(
    src: Path,
    dst: Path,
    changes: dict[int, dict[str, str]],
    *,
    skip: int = 0,
    encoding: str = "utf-8-sig",
) -> None:
    """`src` with cells of data rows changed ({row index from 1: {column: value}}).

    `skip` lines before the header (a preamble) are kept as they are.
    """
    text = src.read_text(encoding=encoding)
    lines = text.splitlines(keepends=True)
    head, body = "".join(lines[:skip]), "".join(lines[skip:])
    rows = list(csv.reader(io.StringIO(body, newline="")))
    header = rows[0]
    for i, cells in changes.items():
        for col, value in cells.items():
            rows[i][header.index(col)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    dst.write_text(head + out.getvalue(), encoding=encoding.replace("-sig", ""))


# ------------------------------------------------------------- publications
def test_openalex_jsonl(tmp_path: Path) -> None:
    page = json.loads((DATA / "openalex/snowball_citing_page.json").read_text())
    works = page["results"]
    assert len(works) >= 5
    works[1]["publication_year"] = 20199999999
    works[2]["title"] = 5
    works[3]["cited_by_count"] = BIG
    bad = tmp_path / "works.jsonl"
    bad.write_text("\n".join(json.dumps(w) for w in works) + "\n")
    (res,), q, counts = _ingest(tmp_path, "openalex", bad)
    _check(
        res,
        q,
        {
            2: f"publication_year: 20199999999 is not a year in {WINDOW}",
            3: "title is a",  # "title is an integer, not a string"
            4: "cited_by_count",
        },
    )
    assert counts["works"] == len(works) - 3


@pytest.mark.parametrize("year", [-5, 0, 99999])
def test_openalex_implausible_years(tmp_path: Path, year: int) -> None:
    page = json.loads((DATA / "openalex/keypaper_results_page1.json").read_text())
    page["results"][0]["publication_year"] = year
    bad = tmp_path / "page.json"
    bad.write_text(json.dumps(page))
    (res,), q, counts = _ingest(tmp_path, "openalex", bad)
    _check(res, q, {1: f"publication_year: {year} is not a year in {WINDOW}"})
    assert counts["works"] == len(page["results"]) - 1


def test_pubmed_xml(tmp_path: Path) -> None:
    xml = gzip.decompress((DATA / "pubmed/medline16n0902_first20.xml.gz").read_bytes())
    text = xml.decode()
    pmids = re.findall(r'<PMID Version="1">(\d+)</PMID>', text)
    assert len(pmids) >= 3
    text = text.replace(
        f'<PMID Version="1">{pmids[1]}</PMID>', '<PMID Version="1">12abc</PMID>', 1
    )
    bad = tmp_path / "pubmed.xml"
    bad.write_text(text)
    (res,), q, counts = _ingest(tmp_path, "pubmed", bad)
    _check(res, q, {2: "PMID: '12abc' is not a PubMed id"})
    assert counts["works"] == res.stored


def test_medline_text(tmp_path: Path) -> None:
    text = (DATA / "medline/gut_microbiome_first15.txt").read_text()
    records = text.split("\n\n")
    assert len(records) >= 4
    records[1] = re.sub(r"^PMID- \d+", "PMID- 12abc", records[1], count=1)
    records[2] = re.sub(r"^DP  - \d{4}", "DP  - 1700", records[2], count=1, flags=re.M)
    bad = tmp_path / "medline.txt"
    bad.write_text("\n\n".join(records))
    (res,), q, _ = _ingest(tmp_path, "medline", bad)
    _check(
        res,
        q,
        {
            2: "PMID: '12abc' is not a PubMed id",
            3: f"publication_year: 1700 is not a year in {WINDOW}",
        },
    )


def test_wos_plain(tmp_path: Path) -> None:
    text = (DATA / "wos/savedrecs_batch1.txt").read_text(encoding="utf-8-sig")
    first, second = [m.start() for m in re.finditer(r"^PY \d{4}$", text, re.M)][:2]
    text = text[:second] + "PY 20199999999" + text[second + 7 :]
    assert first < second
    bad = tmp_path / "wos.txt"
    bad.write_text(text)
    (res,), q, _ = _ingest(tmp_path, "wos", bad)
    _check(res, q, {2: "PY: 20199999999 is not a year"})


def test_wos_tab_delimited(tmp_path: Path) -> None:
    lines = (
        (DATA / "wos/savedrecs_tab.txt").read_text(encoding="utf-8-sig").splitlines()
    )
    header = lines[0].split("\t")
    cells = lines[2].split("\t")
    cells[header.index("TC")] = str(BIG)
    lines[2] = "\t".join(cells)
    bad = tmp_path / "wos_tab.txt"
    bad.write_text("\n".join(lines) + "\n")
    (res,), q, _ = _ingest(tmp_path, "wos", bad)
    _check(res, q, {2: f"TC: {str(BIG)[:39]}"})


def test_scopus(tmp_path: Path) -> None:
    bad = tmp_path / "scopus.csv"
    _rewrite_csv(
        DATA / "scopus/scopus_4_real_papers.csv",
        bad,
        {2: {"Year": "20199999999"}, 3: {"Cited by": "-5"}},
    )
    (res,), q, counts = _ingest(tmp_path, "scopus", bad)
    _check(
        res,
        q,
        {2: "Year: 20199999999 is not a year", 3: "Cited by: -5 is not a count"},
    )
    assert counts["works"] == 2


def test_dimensions(tmp_path: Path) -> None:
    bad = tmp_path / "dimensions.csv"
    _rewrite_csv(
        DATA / "dimensions/dimensions_4_real_papers.csv",
        bad,
        {1: {"PubYear": "-5"}, 4: {"Times cited": str(BIG)}},
        skip=1,
    )
    (res,), q, counts = _ingest(tmp_path, "dimensions", bad)
    _check(
        res,
        q,
        {1: "PubYear: -5 is not a year", 4: "Times cited: 1000000000000"},
    )
    assert counts["works"] == 2


def test_lens_csv(tmp_path: Path) -> None:
    bad = tmp_path / "lens.csv"
    _rewrite_csv(
        DATA / "lens/lens_4_real_papers.csv", bad, {3: {"Publication Year": "99999"}}
    )
    (res,), q, counts = _ingest(tmp_path, "lens", bad)
    _check(res, q, {3: f"Publication Year: 99999 is not a year in {WINDOW}"})
    assert counts["works"] == 3


def test_lens_json(tmp_path: Path) -> None:
    recs = json.loads((DATA / "lens/lens_4_real_papers.json").read_text())
    recs[1]["title"] = 5
    recs[2]["year_published"] = 0
    recs[3]["scholarly_citations_count"] = BIG
    bad = tmp_path / "lens.json"
    bad.write_text(json.dumps(recs))
    (res,), q, counts = _ingest(tmp_path, "lens", bad)
    _check(
        res,
        q,
        {
            2: "title: expected text, got the number 5",
            3: f"year_published: 0 is not a year in {WINDOW}",
            4: "scholarly_citations_count: 1000000000000",
        },
    )
    assert counts["works"] == 1


# ----------------------------------------------------------------- patents
def _uspto_zip(tmp_path: Path) -> Path:
    src = zipfile.ZipFile(DATA / "patents/ipgb20221025_wk43_subset.zip")
    name = "ipgb20221025.xml"
    docs = src.read(name).split(b'<?xml version="1.0"')
    # docs[0] is empty; docs[2] is the second document: dates in year 1066
    docs[2] = re.sub(rb"<date>\d{4}", b"<date>1066", docs[2])
    out = tmp_path / "uspto.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, b'<?xml version="1.0"'.join(docs))
    return out


def test_patents_uspto(tmp_path: Path) -> None:
    (res,), q, counts = _ingest(tmp_path, "patents", _uspto_zip(tmp_path))
    _check(res, q, {2: f"priority_year: 1066 is not a year in {WINDOW}"})
    assert counts["patents"] == res.stored


def test_patents_epo(tmp_path: Path) -> None:
    text = (DATA / "patents/epo_test_full_cycle_example.xml").read_text()
    cut = text.index("<exchange-document ", text.index("<exchange-document ") + 1)
    text = text[:cut] + re.sub(r"<date>\d{4}", "<date>1066", text[cut:])
    bad = tmp_path / "epo.xml"
    bad.write_text(text)
    (res,), q, _ = _ingest(tmp_path, "patents", bad)
    _check(res, q, {2: f"priority_year: 1066 is not a year in {WINDOW}"})


def test_patents_lens_csv(tmp_path: Path) -> None:
    bad = tmp_path / "lens_patents.csv"
    _rewrite_csv(
        DATA / "patents/lens_pizza_subset.csv",
        bad,
        {2: {"Cited Count": str(BIG)}},
        encoding="latin-1",
    )
    (res,), q, _ = _ingest(tmp_path, "patents", bad)
    _check(res, q, {2: "cited_by_count: 1000000000000"})


def test_patents_lens_json(tmp_path: Path) -> None:
    def rec(n: int, **extra: Any) -> dict[str, Any]:
        return {
            "lens_id": f"000-000-00{n}",
            "jurisdiction": "EP",
            "doc_number": f"100000{n}",
            "kind": "A1",
            "date_published": "2019-05-02",
            "biblio": {
                "invention_title": [{"text": f"Tumour marker {n}", "lang": "en"}],
                "classifications_cpc": {"classifications": [{"symbol": "A61P35/00"}]},
                **extra,
            },
        }

    recs = [rec(1), rec(2), rec(3), rec(4)]
    recs[1]["biblio"]["invention_title"] = [{"text": 5, "lang": "en"}]
    recs[2]["biblio"]["cited_by"] = {"patent_count": BIG}
    recs[3]["doc_number"] = 1000004
    bad = tmp_path / "lens_patents.json"
    bad.write_text(json.dumps(recs))
    (res,), q, _ = _ingest(tmp_path, "patents", bad)
    _check(
        res,
        q,
        {
            2: "biblio.invention_title.text: expected text, got the number 5",
            3: "biblio.cited_by.patent_count: 1000000000000",
            4: "doc_number: expected text, got the number 1000004",
        },
    )


def test_patents_canonical_csv(tmp_path: Path) -> None:
    bad = tmp_path / "canonical.csv"
    _rewrite_csv(
        DATA / "patents/world/patents.csv", bad, {2: {"priority_year": "99999"}}
    )
    (res,), q, _ = _ingest(tmp_path, "patents", bad)
    _check(res, q, {2: f"priority_year: 99999 is not a year in {WINDOW}"})


# ------------------------------------------------------------------ trials
def test_trials_ctgov_array(tmp_path: Path) -> None:
    studies = json.loads(
        (DATA / "trials/ctrdata_demo_ctgov2_pediatric_oncology_5.json").read_text()
    )
    studies[1]["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = BIG
    studies[2]["protocolSection"]["identificationModule"]["briefTitle"] = 5
    studies[3]["protocolSection"]["statusModule"]["startDateStruct"] = {
        "date": "0000-01"
    }
    bad = tmp_path / "studies.json"
    bad.write_text(json.dumps(studies))
    (res,), q, counts = _ingest(tmp_path, "trials", bad)
    _check(
        res,
        q,
        {
            2: "enrollment: 1000000000000",
            3: "title: expected text, got the number 5",
            4: f"start_year: 0 is not a year in {WINDOW}",
        },
    )
    assert counts["trials"] == 2


def test_trials_nci(tmp_path: Path) -> None:
    page = json.loads(
        gzip.decompress((DATA / "trials/nci_cts_search_melanoma.json.gz").read_bytes())
    )
    good = page["data"][0]
    twin = json.loads(json.dumps(good)) | {"nct_id": "NCT99999999"}
    twin["minimum_target_accrual_number"] = BIG
    page["data"] = [good, twin]
    bad = tmp_path / "nci.json"
    bad.write_text(json.dumps(page))
    (res,), q, counts = _ingest(tmp_path, "trials", bad)
    _check(res, q, {2: "minimum_target_accrual_number: 1000000000000"})
    assert counts["trials"] == 1


def test_good_records_of_later_files_are_stored(tmp_path: Path) -> None:
    bad = tmp_path / "a_bad.csv"
    _rewrite_csv(
        DATA / "scopus/scopus_4_real_papers.csv", bad, {1: {"Year": "20199999999"}}
    )
    good = tmp_path / "b_good.csv"
    _rewrite_csv(DATA / "scopus/scopus_4_real_papers.csv", good, {})
    (first, second), q, counts = _ingest(tmp_path, "scopus", bad, good)
    _check(first, q, {1: "Year: 20199999999 is not a year"})
    assert first.stored == 3
    # the later file: its record rejected in the first file is stored now
    assert second.error is None and second.balanced
    assert (second.read, second.stored, second.duplicates) == (4, 1, 3)
    assert counts["works"] == 4
