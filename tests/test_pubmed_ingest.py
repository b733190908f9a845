"""PubMed XML and MEDLINE text through the store: counts, damage, quarantine."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb

from oncometrics.store import FileResult, Store, table_files

DATA = Path(__file__).parent / "data"
CANCER = DATA / "pubmed" / "pubmr_serine_phosphorylation_cancer_93.xml.gz"


def _ingest(
    tmp_path: Path, source: str, path: Path, store: str = "store"
) -> FileResult:
    summary = Store(tmp_path / store).ingest(source, [path], log=lambda m: None)
    (res,) = summary.files
    assert res.balanced, res
    return res


def _quarantine(tmp_path: Path) -> list[dict]:
    lines = []
    for q in sorted((tmp_path / "store" / "quarantine").glob("*.jsonl")):
        lines += [json.loads(x) for x in q.read_text().splitlines()]
    return lines


def test_real_files_ingest(tmp_path: Path) -> None:
    res = _ingest(tmp_path, "pubmed", CANCER)
    assert (res.read, res.stored, res.duplicates, res.rejected) == (93, 93, 0, 0)
    res = _ingest(tmp_path, "pubmed", DATA / "pubmed" / "medline16n0902_first20.xml.gz")
    assert (res.read, res.stored, res.rejected) == (20, 20, 0)
    counts = Store(tmp_path / "store").counts()
    assert counts["works"] == 113
    assert counts["affiliations"] > 900


def test_truncated_gzip(tmp_path: Path) -> None:
    blob = CANCER.read_bytes()
    bad = tmp_path / "cut.xml.gz"
    bad.write_bytes(blob[: len(blob) // 2])
    res = _ingest(tmp_path, "pubmed", bad)
    assert res.rejected == 1 and res.stored > 10 and res.read == res.stored + 1
    (q,) = _quarantine(tmp_path)
    assert q["record_no"] == res.stored + 1
    assert "truncated gzip" in q["reason"]


def test_xml_cut_in_half(tmp_path: Path) -> None:
    text = gzip.decompress(CANCER.read_bytes())
    bad = tmp_path / "half.xml"
    bad.write_bytes(text[: len(text) // 2])
    res = _ingest(tmp_path, "pubmed", bad)
    assert res.rejected == 1 and res.read == res.stored + 1 and res.stored > 10
    (q,) = _quarantine(tmp_path)
    assert q["record_no"] == res.stored + 1
    assert q["reason"].startswith("XML syntax error:")
    assert "line" in q["reason"]


def test_not_xml_and_wrong_root_and_empty(tmp_path: Path) -> None:
    cases = {
        "notxml.xml": b"this is not XML at all\n",
        "root.xml": b'<?xml version="1.0"?><PatentSet><x/></PatentSet>',
        "empty.xml": b"",
        "empty.xml.gz": gzip.compress(b""),
    }
    messages = {}
    for name, blob in cases.items():
        p = tmp_path / name
        p.write_bytes(blob)
        res = _ingest(tmp_path, "pubmed", p)
        assert (res.read, res.stored) == (0, 0) and res.error
        assert "\n" not in res.error and name in res.error
        messages[name] = res.error
    assert "not XML" in messages["notxml.xml"]
    assert "root element <PatentSet>" in messages["root.xml"]
    assert messages["empty.xml"].endswith("empty file")
    assert messages["empty.xml.gz"].endswith("empty file")


def test_record_without_pmid(tmp_path: Path) -> None:
    text = gzip.decompress(
        (DATA / "pubmed" / "test_current_medline.xml.gz").read_bytes()
    )
    bad = tmp_path / "nopmid.xml"
    bad.write_bytes(text.replace(b'<PMID Version="1">2930949</PMID>', b"", 1))
    res = _ingest(tmp_path, "pubmed", bad)
    assert (res.read, res.stored, res.rejected) == (4, 3, 1)
    (q,) = _quarantine(tmp_path)
    assert (q["record_no"], q["reason"]) == (2, "record has no PMID")


def test_same_pmid_from_xml_and_medline_text_is_a_duplicate(tmp_path: Path) -> None:
    _ingest(tmp_path, "pubmed", DATA / "pubmed" / "test_current_medline.xml.gz")
    res = _ingest(
        tmp_path, "medline", DATA / "medline" / "pmid28786991_transcribed.txt"
    )
    # One work: the transcription is a duplicate of the stored record.  Both
    # are source "pubmed" with no version date, so richness does not break
    # the tie (it does only between different sources) and the later one in
    # file order replaces the stored copy (docs/methodology.md, Selection).
    assert (res.read, res.stored, res.duplicates, res.replaced) == (1, 0, 1, 1)
    con = duckdb.connect()
    works = con.execute(
        "SELECT count(*), count(DISTINCT pmid), "
        "count(*) FILTER (WHERE pmid = '28786991' AND ingest_file = ?) "
        "FROM read_parquet(?)",
        [str(res.path), table_files(tmp_path / "store", "works")],
    ).fetchone()
    assert works == (4, 4, 1)


def test_medline_text_ingest_and_reingest(tmp_path: Path) -> None:
    path = DATA / "medline" / "gut_microbiome_first15.txt"
    res = _ingest(tmp_path, "medline", path)
    assert (res.read, res.stored, res.rejected) == (15, 15, 0)
    again = Store(tmp_path / "store").ingest("medline", [path], log=lambda m: None)
    assert again.files[0].skipped
