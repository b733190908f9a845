"""Bad OpenAlex input: rejects with reasons, file-level errors, store balance."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from oncometrics.sources.base import Record, Reject, SourceError
from oncometrics.sources.openalex import parse
from oncometrics.store import Store

DATA = Path(__file__).parent / "data" / "openalex"
KEYPAPER = DATA / "keypaper_results_page1.json"
MESH_GZ = DATA / "chunk1_mesh_works.jsonl.gz"
WORKS = json.loads(KEYPAPER.read_text())["results"]  # W2755950973, W2741809807


def _line(work: dict[str, Any]) -> str:
    return json.dumps(work)


def _bad_lines() -> list[str]:
    """Line 1 and 10 are real works; lines 2-8 are broken; line 9 is blank."""
    w = WORKS[1]
    return [
        _line(WORKS[0]),
        '{"id": "https://openalex.org/W1", "title": "cut here',
        "[1, 2]",
        _line({k: v for k, v in w.items() if k != "id"}),
        _line(w | {"publication_year": "abc"}),
        _line(w | {"authorships": "Heather Piwowar"}),
        _line(w | {"id": "https://openalex.org/I27837315"}),
        _line(w | {"counts_by_year": [{"year": "2020", "cited_by_count": 1}]}),
        "",
        _line(w),
    ]


EXPECTED_REJECTS = {
    2: "invalid JSON (unexpected end of data",
    3: "line is a list, not a JSON object",
    4: "missing 'id'",
    5: "publication_year is 'abc', not an integer",
    6: "authorships is a string, not a list",
    7: "id 'https://openalex.org/I27837315' is not an OpenAlex work id",
    8: "malformed counts_by_year (year '2020' is not an integer)",
}


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    p = tmp_path / "mixed.jsonl"
    p.write_text("\n".join(_bad_lines()) + "\n")
    return p


def _table(st: Store, name: str) -> list[dict[str, Any]]:
    parts = st.parts(name)
    return (
        pa.concat_tables([pq.read_table(p) for p in parts]).to_pylist() if parts else []
    )


def test_rejects_name_line_and_reason(bad_file: Path) -> None:
    items = list(parse(bad_file))
    good = [i.record_no for i in items if isinstance(i, Record)]
    rejects = {i.record_no: i for i in items if isinstance(i, Reject)}
    assert good == [1, 10]
    assert sorted(rejects) == sorted(EXPECTED_REJECTS)
    for no, reason in EXPECTED_REJECTS.items():
        assert rejects[no].reason.startswith(reason), (no, rejects[no].reason)
        assert "\n" not in rejects[no].reason
    assert rejects[2].raw == '{"id": "https://openalex.org/W1", "title": "cut here'


def test_store_balance_and_quarantine(bad_file: Path, tmp_path: Path) -> None:
    st = Store(tmp_path / "st")
    log: list[str] = []
    summary = st.ingest("openalex", [bad_file], log=log.append)
    (res,) = summary.files
    assert (res.read, res.stored, res.duplicates, res.rejected) == (9, 2, 0, 7)
    assert res.balanced and res.error is None
    assert summary.line().startswith("read 9 = stored 2 + duplicates 0 + rejected 7")
    assert f"{bad_file}: record 5: publication_year is 'abc', not an integer" in log
    (qfile,) = (tmp_path / "st" / "quarantine").glob("openalex-*.jsonl")
    quarantined = [json.loads(line) for line in qfile.read_text().splitlines()]
    assert [q["record_no"] for q in quarantined] == sorted(EXPECTED_REJECTS)
    assert all(q["file"] == str(bad_file) and q["reason"] for q in quarantined)
    works = _table(st, "works")
    assert sorted(w["work_id"] for w in works) == ["W2741809807", "W2755950973"]
    assert len(_table(st, "citations")) == len(WORKS[0]["referenced_works"]) + 45


def test_nested_wrong_types_are_rejected(tmp_path: Path) -> None:
    w = WORKS[1]
    a0 = w["authorships"][0]
    inst = a0["institutions"][0] | {"country_code": ["US"]}
    cases = {
        "malformed authorships (author name is an integer 5": w
        | {"authorships": [a0 | {"author": {"display_name": 5}}]},
        "malformed authorships (institution country_code is a list": w
        | {"authorships": [a0 | {"institutions": [inst]}]},
        "cited_by_count is -3, not a count": w | {"cited_by_count": -3},
        "title is an object, not a string": w | {"title": {"en": "x"}},
        "malformed referenced_works": w | {"referenced_works": [12]},
    }
    p = tmp_path / "nested.jsonl"
    p.write_text(
        _line(WORKS[0]) + "\n" + "".join(_line(c) + "\n" for c in cases.values())
    )
    items = list(parse(p))[1:]
    assert [i.record_no for i in items] == [2, 3, 4, 5, 6]
    for item, reason in zip(items, cases, strict=True):
        assert isinstance(item, Reject)
        assert item.reason.startswith(reason), item.reason


def test_truncated_gzip_rejects_once_and_stops(tmp_path: Path) -> None:
    data = MESH_GZ.read_bytes()
    cut = tmp_path / "part_000.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    items = list(parse(cut))
    *good, last = items
    assert all(isinstance(i, Record) for i in good)
    assert isinstance(last, Reject)
    assert "truncated" in last.reason
    assert last.record_no == len(good) + 1
    res = Store(tmp_path / "st").ingest("openalex", [cut], log=lambda m: None).files[0]
    assert res.error is None and res.balanced
    assert (res.read, res.rejected) == (len(good) + 1, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"  \n\n", "empty file"),
        (gzip.compress(b"", mtime=0), "empty file"),
        (b'<?xml version="1.0"?>\n<PubmedArticleSet>', "looks like XML"),
        (b"id,doi,title\nW1,10.1/x,T\n", "starts with 'id,doi,title'"),
        (b"\x00\x01\x02binary", "binary data"),
        (b"PK\x03\x04zipped", "zip archive"),
        (b'{"meta": {"count": 0}}', "not an OpenAlex result page: no 'results'"),
        (b'{"meta": {}, "results": {"a": 1}}', "'results' is an object"),
        (b'{\n  "meta": {},\n  "results": [\n', "invalid JSON document"),
        (b'{"error": "Invalid query", "message": "bad filter"}', "no 'id'"),
        (b'{"id": "https://openalex.org/I27837315"}', "OpenAlex institutions"),
        (b'{"meta": {}, "results": []}\n{"x": 1}', "unexpected content"),
    ],
)
def test_file_level_errors(tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "input.json"
    p.write_bytes(content)
    with pytest.raises(SourceError) as exc:
        list(parse(p))
    assert message in str(exc.value)
    assert str(p) in str(exc.value)
    res = Store(tmp_path / "st").ingest("openalex", [p], log=lambda m: None).files[0]
    assert res.error is not None and message in res.error
    assert res.read == 0


def test_results_not_objects_are_rejected(tmp_path: Path) -> None:
    p = tmp_path / "page.json"
    p.write_text(json.dumps({"meta": {}, "results": [WORKS[0], "oops", None]}))
    items = list(parse(p))
    assert isinstance(items[0], Record)
    assert [(i.record_no, i.reason) for i in items[1:]] == [
        (2, "result 2 is a string, not an object"),
        (3, "result 3 is null, not an object"),
    ]


def test_duplicates_from_another_file_and_rerun(tmp_path: Path) -> None:
    st = Store(tmp_path / "st")
    quiet: dict[str, Any] = {"log": lambda m: None}
    first = st.ingest("openalex", [KEYPAPER], **quiet).files[0]
    assert (first.read, first.stored, first.duplicates) == (2, 2, 0)
    jsonl = tmp_path / "same_works.jsonl.gz"
    jsonl.write_bytes(gzip.compress("".join(_line(w) + "\n" for w in WORKS).encode()))
    second = st.ingest("openalex", [jsonl], **quiet).files[0]
    assert (second.read, second.stored, second.duplicates, second.rejected) == (
        2,
        0,
        2,
        0,
    )
    again = st.ingest("openalex", [KEYPAPER], **quiet).files[0]
    assert again.skipped and again.read == 0
    assert len(_table(st, "works")) == 2
    assert len(_table(st, "authorships")) == len(WORKS[0]["authorships"]) + 9


def test_snapshot_folder_layout(tmp_path: Path) -> None:
    part = tmp_path / "works" / "updated_date=2024-01-01" / "part_000.gz"
    part.parent.mkdir(parents=True)
    part.write_bytes(MESH_GZ.read_bytes())
    summary = Store(tmp_path / "st").ingest(
        "openalex", [tmp_path / "works"], log=lambda m: None
    )
    assert [f.path for f in summary.files] == [str(part)]
    assert summary.total("stored") == 3


def test_richer_record_replaces_thin_one(tmp_path: Path) -> None:
    thin = tmp_path / "thin.jsonl"
    thin.write_text(
        "".join(
            _line({"id": w["id"], "publication_year": 2000, "authorships": []}) + "\n"
            for w in WORKS
        )
    )
    st = Store(tmp_path / "st")
    st.ingest("openalex", [thin], log=lambda m: None)
    res = st.ingest("openalex", [KEYPAPER], log=lambda m: None).files[0]
    assert (res.read, res.stored, res.duplicates, res.replaced) == (2, 0, 2, 2)
    works = {w["work_id"]: w for w in _table(st, "works")}
    assert works["W2741809807"]["publication_year"] == 2018
    assert works["W2741809807"]["ingest_file"] == str(KEYPAPER)
    assert len(_table(st, "authorships")) == len(WORKS[0]["authorships"]) + 9


def test_empty_object_first_is_a_reject_not_a_file_error(tmp_path: Path) -> None:
    p = tmp_path / "w.jsonl"
    p.write_text("{}\n" + _line(WORKS[1]) + "\n")
    first, second = parse(p)
    assert isinstance(first, Reject) and first.reason == "missing 'id'"
    assert isinstance(second, Record) and second.record_no == 2


def test_gzipped_api_page(tmp_path: Path) -> None:
    p = tmp_path / "page-00001.json.gz"
    p.write_bytes(gzip.compress(KEYPAPER.read_bytes()))
    assert [i.record_no for i in parse(p) if isinstance(i, Record)] == [1, 2]
