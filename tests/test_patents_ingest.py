"""Ingesting patent files into a store: counts, duplicates, bad input."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

from oncometrics.store import Store

DATA = Path(__file__).parent / "data" / "patents"
GRANT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE us-patent-grant SYSTEM "us-patent-grant-v47-2022-02-17.dtd" [ ]>\n'
    '<us-patent-grant lang="EN"><us-bibliographic-data-grant>\n'
    "<publication-reference><document-id><country>US</country>"
    "<doc-number>{num}</doc-number><kind>B2</kind><date>20220104</date>"
    "</document-id></publication-reference>\n"
    "<application-reference><document-id><country>US</country>"
    "<doc-number>1700{num}</doc-number><date>20200301</date></document-id>"
    "</application-reference>\n"
    "<classifications-cpc><main-cpc><classification-cpc><section>A</section>"
    "<class>61</class><subclass>P</subclass><main-group>35</main-group>"
    "<subgroup>00</subgroup></classification-cpc></main-cpc></classifications-cpc>\n"
    '<us-parties><inventors><inventor sequence="001"><addressbook>'
    "<last-name>Curie</last-name><first-name>Eve</first-name><address>"
    "<city>Paris</city><country>FR</country></address></addressbook></inventor>"
    "</inventors></us-parties>\n"
    "</us-bibliographic-data-grant></us-patent-grant>\n"
)


def _ingest(tmp_path: Path, *files: Path, source: str = "patents") -> tuple:
    log: list[str] = []
    st = Store(tmp_path / "store")
    s = st.ingest(source, list(files), log=log.append)
    return st, s, log


def test_real_samples_balance(tmp_path: Path) -> None:
    samples = sorted(p for p in DATA.iterdir() if p.suffix in (".zip", ".xml", ".csv"))
    st, s, log = _ingest(tmp_path, *samples)
    assert not s.errors, log
    assert s.total("read") == s.total("stored") + s.total("duplicates") + s.total(
        "rejected"
    )
    # 14 USPTO (1 printed twice) + 1 + 6 + 1 + 1 + 2 EPO + 32 Lens documents;
    # EP1000000 A1 appears in three EPO files and B1 in two.
    assert (s.total("read"), s.total("duplicates"), s.total("rejected")) == (57, 4, 0)
    assert st.counts()["patents"] == 53


def test_bad_document_is_rejected_with_its_number(tmp_path: Path) -> None:
    broken = GRANT.format(num="11000002").replace("</us-patent-grant>", "")
    f = tmp_path / "ipg220104.xml"
    f.write_text(GRANT.format(num="11000001") + broken + GRANT.format(num="11000003"))
    _st, s, log = _ingest(tmp_path, f)
    (res,) = s.files
    assert (res.read, res.stored, res.rejected) == (3, 2, 1)
    assert any(m.startswith(f"{f}: record 2: ipg220104.xml: invalid XML") for m in log)
    q = next((tmp_path / "store" / "quarantine").glob("*.jsonl")).read_text()
    assert json.loads(q.splitlines()[0])["record_no"] == 2


def test_zipped_and_gzipped_bulk_files(tmp_path: Path) -> None:
    body = GRANT.format(num="11000001") + GRANT.format(num="11000002")
    z = tmp_path / "ipg.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("ipg220104lst.txt", "list of grants")
        zf.writestr("ipg220104.xml", body)
    g = tmp_path / "ipg.xml.gz"
    g.write_bytes(gzip.compress(body.encode()))
    st, s, _log = _ingest(tmp_path, z, g)
    assert [f.read for f in s.files] == [2, 2]
    assert s.total("duplicates") == 2 and st.counts()["patent_classes"] == 2


def test_truncated_gzip_keeps_records_before_the_damage(tmp_path: Path) -> None:
    body = "".join(GRANT.format(num=f"1100{i:04d}") for i in range(200)).encode()
    g = tmp_path / "ipg.xml.gz"
    packed = gzip.compress(body)
    g.write_bytes(packed[: len(packed) * 2 // 3])
    _st, s, log = _ingest(tmp_path, g)
    (res,) = s.files
    assert res.error is None and res.stored > 0 and res.rejected == 1
    assert res.read == res.stored + res.rejected
    assert any("damaged or truncated" in m for m in log)


def test_wrong_format_empty_and_companion_only_zip(tmp_path: Path) -> None:
    j = tmp_path / "search.json"
    j.write_text('{"query": "ti = plastic"}')
    e = tmp_path / "empty.csv"
    e.write_text("")
    z = tmp_path / "only_list.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("ipg220104lst.txt", "list of grants")
    _st, s, log = _ingest(tmp_path, j, e, z)
    assert len(s.errors) == 3
    assert "not a recognised patent format" in s.files[0].error
    assert "empty file" in s.files[1].error
    assert "no patent data found" in s.files[2].error
    assert all("\n" not in m for m in log)


def test_canonical_csv_bad_rows(tmp_path: Path) -> None:
    f = tmp_path / "extract.csv"
    f.write_text(
        "family_id,priority_year,role,name,country,cpc\n"
        "F1,2015,inventor,Ann,FR,A61P35/00\n"
        "F2,2016,owner,Bob,DE,A61P35/00\n"
        "F1,2015,inventor,Cy,US,A61P35/00\n"
        ",2016,inventor,Dee,IT,A61P35/00\n",
        encoding="utf-8",
    )
    _st, s, log = _ingest(tmp_path, f)
    (res,) = s.files
    assert (res.read, res.stored, res.rejected) == (4, 1, 3)
    assert any("record 2" in m and "role must be inventor or applicant" in m
               for m in log)  # fmt: skip
    assert any("record 3" in m and "not consecutive" in m for m in log)
    assert any("record 4" in m and "empty family_id" in m for m in log)


def test_forced_format_refuses_other_content(tmp_path: Path) -> None:
    _st, s, _log = _ingest(
        tmp_path, DATA / "lens_pizza_subset.csv", source="patents-epo"
    )
    assert "not epo patent data" in s.files[0].error


def test_declaration_glued_to_previous_document(tmp_path: Path) -> None:
    """`</us-patent-grant><?xml …` on one line still starts a new record."""
    f = tmp_path / "ipg.xml"
    glued = GRANT.format(num="11000001").rstrip("\n") + GRANT.format(num="11000002")
    f.write_text(glued)
    _st, s, _log = _ingest(tmp_path, f)
    assert (s.files[0].read, s.files[0].stored, s.files[0].rejected) == (2, 2, 0)
