"""Web of Science exports: plain text, tab-delimited, batches, bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from oncometrics.sources import wos
from oncometrics.sources.base import Record, Reject, SourceError
from oncometrics.store import Store

DATA = Path(__file__).parent / "data" / "wos"


def _works(path: Path) -> dict[str, Record]:
    out = {}
    for item in wos.parse(path):
        assert isinstance(item, Record), item
        out[item.rows["works"][0]["work_id"]] = item
    return out


def test_record_values() -> None:
    # UT WOS:000493305300006 (Singapore Med J 2019), read by hand
    rec = _works(DATA / "savedrecs_batch1.txt")["doi:10.11622/smedj.2018152"]
    work = rec.rows["works"][0]
    assert (work["pmid"], work["publication_year"], work["doc_type"]) == (
        "30488079",
        2019,
        "article",
    )
    assert (work["cited_by_count"], work["citation_source"]) == (10, "wos")  # TC 10
    assert work["citation_date"] == "2023-09-14"  # DA: the export date
    assert work["source_title"] == "SINGAPORE MEDICAL JOURNAL"
    assert work["title"].endswith("in multi-ethnic groups in Singapore")
    authors = rec.rows["authorships"]
    assert len(authors) == 13 and authors[0]["author_name"] == "Koo, Seok Hwee"
    # RP Ang, TL (corresponding author) -> position 13 only
    assert [a["author_position"] for a in authors if a["is_corresponding"]] == [13]
    countries: dict[int, set[str]] = {}
    for c in rec.rows["authorship_countries"]:
        countries.setdefault(c["author_position"], set()).add(c["country"])
    assert countries[1] == {"SG"}  # two Singapore addresses
    assert countries[7] == {"SG", "MY"}  # Mohamed: NUS and Univ Malaya
    assert countries[5] == {"MY"}  # Lee: Univ Teknol MARA, Selangor, Malaysia
    assert rec.rows["grants"] == [
        {
            "work_id": work["work_id"],
            "funder_id": None,
            "funder_name": "Changi General Hospital, Singapore",
            "award_id": "CHF2014.03-P",
            "award_id_norm": "CHF201403P",
        }
    ]
    assert {(s["scheme"], s["label"]) for s in rec.rows["work_subjects"]} == {
        ("wos_category", "Medicine, General & Internal"),
        ("wos_research_area", "General & Internal Medicine"),
    }
    assert len(rec.rows["citations"]) > 10  # CR lines with a DOI


def test_old_export_without_doi_or_addresses() -> None:
    recs = _works(DATA / "neurobib_savedrecs_small.txt")
    assert len(recs) == 10
    rec = recs["wos:CCC:000316824000001"]  # no DOI/PMID: keyed by UT
    assert rec.rows["works"][0]["publication_year"] == 2013
    assert "authorship_countries" not in rec.rows


def test_tab_delimited_equals_plain_text() -> None:
    plain = list(wos.parse(DATA / "savedrecs_batch2.txt"))[10:15]  # records 21-25
    tab = list(wos.parse(DATA / "savedrecs_tab.txt"))[:5]
    assert len(tab) == 5

    def rows(rec: Record | Reject) -> dict:
        assert isinstance(rec, Record)
        return {
            t: [
                {k: v for k, v in r.items() if k not in ("record_no", "ingest_file")}
                for r in rs
            ]
            for t, rs in rec.rows.items()
        }

    assert [rows(r) for r in tab] == [rows(r) for r in plain]


def test_unbracketed_addresses_go_to_every_author(tmp_path: Path) -> None:
    text = (DATA / "savedrecs_batch1.txt").read_text(encoding="utf-8-sig")
    head = text.split("\nER\n", 1)[0]
    lines = [
        ln if not ln.startswith(("C1 [", "   [")) else ln[:3] + ln.split("] ", 1)[1]
        for ln in head.splitlines()
    ]
    p = tmp_path / "old.txt"
    p.write_text("\n".join(lines) + "\nER\n\nEF\n", encoding="utf-8")
    (rec,) = _works(p).values()
    positions = {c["author_position"] for c in rec.rows["authorship_countries"]}
    assert positions == set(range(1, len(rec.rows["authorships"]) + 1))
    assert {c["country"] for c in rec.rows["authorship_countries"]} == {"SA"}
    assert all(a["author_position"] is None for a in rec.rows["affiliations"])


def test_batches_into_one_store(tmp_path: Path) -> None:
    st = Store(tmp_path / "store")
    res = st.ingest(
        "wos",
        [
            DATA / "savedrecs_batch1.txt",
            DATA / "savedrecs_batch2.txt",
            DATA / "neurobib_savedrecs_small.txt",
        ],
        log=lambda m: None,
    )
    got = [(f.read, f.stored, f.duplicates, f.rejected) for f in res.files]
    assert got == [(15, 15, 0, 0), (15, 10, 5, 0), (10, 10, 0, 0)]
    assert st.counts()["works"] == 35
    # the same UT-keyed records again (a copy of the file) are duplicates
    copy = tmp_path / "again.txt"
    copy.write_bytes((DATA / "neurobib_savedrecs_small.txt").read_bytes() + b"\n")
    (f,) = st.ingest("wos", [copy], log=lambda m: None).files
    assert (f.read, f.stored, f.duplicates) == (10, 0, 10)


def test_cut_file_truncated_gzip_and_missing_ids(tmp_path: Path) -> None:
    blob = (DATA / "savedrecs_batch1.txt").read_bytes()
    cut = tmp_path / "cut.txt"
    cut.write_bytes(blob[: len(blob) // 2])
    items = list(wos.parse(cut))
    assert isinstance(items[-1], Reject) and "no ER line" in items[-1].reason
    assert all(isinstance(i, Record) for i in items[:-1]) and len(items) > 3
    gz = tmp_path / "cut.txt.gz"
    gz.write_bytes(gzip.compress(blob)[: len(gzip.compress(blob)) // 2])
    items = list(wos.parse(gz))
    assert isinstance(items[-1], Reject) and "truncated gzip" in items[-1].reason
    noid = tmp_path / "noid.txt"
    noid.write_text(
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Doe, J\n"
        "TI No identifiers\nER\n\nEF\n"
    )
    (item,) = wos.parse(noid)
    assert isinstance(item, Reject) and item.reason == "record has no UT, DOI or PMID"
    st = Store(tmp_path / "store")
    (f,) = st.ingest("wos", [cut], log=lambda m: None).files
    assert f.balanced and f.rejected == 1
    (q,) = (tmp_path / "store" / "quarantine").glob("wos-*.jsonl")
    assert "no ER line" in json.loads(q.read_text().splitlines()[0])["reason"]


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "empty file"),
        (b"\xef\xbb\xbf\n\n", "empty file"),
        (b"PMID- 1\nTI  - x\n", "not a Web of Science export"),
    ],
)
def test_file_errors(tmp_path: Path, blob: bytes, message: str) -> None:
    p = tmp_path / "f.txt"
    p.write_bytes(blob)
    with pytest.raises(SourceError, match=message):
        list(wos.parse(p))


def test_sniff() -> None:
    assert wos.sniff((DATA / "savedrecs_batch1.txt").read_bytes()[:100])
    assert wos.sniff((DATA / "savedrecs_tab.txt").read_bytes()[:100])
    assert not wos.sniff(b"PMID- 1")


def test_tab_delimited_utf16(tmp_path: Path) -> None:
    # WoS "Tab delimited (Win)" files are UTF-16 with a BOM
    p = tmp_path / "savedrecs_utf16.txt"
    p.write_bytes((DATA / "savedrecs_tab.txt").read_text("utf-8-sig").encode("utf-16"))
    assert len(_works(p)) == 10


def test_dates_and_early_access_year() -> None:
    assert wos._date(2022, "2022 DEC 13") == "2022-12-13"  # early-access PD form
    assert wos._date(2021, "MAR 15") == "2021-03-15"
    assert wos._date(2019, "OCT") is None  # no day: no date
    # no PY yet (early access): the year comes from EA
    work = wos.wos_work({"UT": ["WOS:000000000000001"], "EA": ["DEC 2022"]})
    assert (work.year, work.source_id) == (2022, "000000000000001")
