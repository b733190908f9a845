"""The DuckDB fast path stages exactly what the Python parser does."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from oncometrics.schema import TABLES
from oncometrics.sources.openalex_duckdb import stage
from oncometrics.store import Store

DATA = Path(__file__).parent / "data" / "openalex"
ROOT = Path(__file__).parent.parent


def _w(i: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"https://openalex.org/W{i}", **fields}


#: Hand-made works exercising the normalisations and the country rule.
EDGE = [
    _w(
        1,
        doi="HTTPS://DOI.ORG/10.1/ABC",
        ids={"pmid": "https://pubmed.ncbi.nlm.nih.gov/123"},
        title="",
        display_name="D",
        type="journal-article",
        authorships=[
            {
                "author": {"id": "https://openalex.org/A1", "display_name": ""},
                "raw_author_name": "Raw",
                "institutions": [
                    {"ror": "https://ror.org/0abc", "country_code": "HK"},
                    {"id": "https://openalex.org/I5", "country_code": ""},
                ],
                "countries": [],
                "raw_affiliation_strings": ["Dept, Paris, France", ""],
            },
            {"countries": ["MO", "CN", "FR", "CN"], "is_corresponding": False},
            {"raw_affiliation_strings": ["Tokyo, Japan", "Boston, MA, USA", "?"]},
            {
                "raw_affiliation_strings": None,
                "raw_affiliation_string": "Madrid, Spain",
            },
        ],
        mesh=[
            {"descriptor_ui": "D1", "descriptor_name": "N1", "is_major_topic": False},
            {"descriptor_ui": "D1", "descriptor_name": "N1b", "is_major_topic": True},
            {"descriptor_ui": "", "descriptor_name": "x"},
        ],
        grants=[
            {"funder": "https://openalex.org/F1", "award_id": " ab-12 "},
            {"funder": "https://openalex.org/F1", "award_id": "AB12"},
            {"funder": None, "award_id": "  "},
        ],
        awards=[{"funder_id": "https://openalex.org/F2", "funder_award_id": None}],
        funders=[
            {"id": "https://openalex.org/F2"},
            {"id": "https://openalex.org/F3", "display_name": "F3"},
            {"id": "https://openalex.org/F3", "display_name": "F3b"},
        ],
        referenced_works=["https://openalex.org/W5", "", None],
        counts_by_year=[{"year": 2020, "cited_by_count": None}],
        primary_topic={
            "id": "https://openalex.org/T1",
            "score": 0.5,
            "subfield": {"id": "https://openalex.org/subfields/2730"},
            "field": {"id": ""},
        },
        topics=[],
    ),
    _w(2, doi="doi:10.2/X", ids={"pmid": "PMID: 77a"}, publication_year=2020),
    _w(3, doi="https://doi.org/10.1/abc", cited_by_count=5, type=""),
    _w(4, ids={"doi": "https://dx.doi.org/10.3/Y"}, type="component"),
    _w(1, title="the same work again, poorer", cited_by_count=9),
]


def _jsonl(path: Path, works: list[Any], gz: bool = True) -> Path:
    text = "".join(json.dumps(w) + "\n" for w in works).encode()
    path.write_bytes(gzip.compress(text) if gz else text)
    return path


def _real_works() -> list[Any]:
    works: list[Any] = []
    for name in ("keypaper_results_page1.json", "snowball_seed_page.json"):
        works += json.loads((DATA / name).read_text())["results"]
    with gzip.open(DATA / "chunk1_mesh_works.jsonl.gz") as fh:
        works += [json.loads(line) for line in fh]
    return works


def _world(tmp: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        gen = pytest.importorskip("generate_world")
    finally:
        sys.path.pop(0)
    out = tmp / "world"
    gen.main(["--works", "600", "--out", str(out), "--part-size", "300", "--jobs", "1"])
    return sorted(out.rglob("*.gz"))


def _ingest(root: Path, paths: list[Path], fast: bool, monkeypatch: Any) -> Store:
    monkeypatch.setenv("ONCOMETRICS_FAST_INGEST", "1" if fast else "0")
    store = Store(root)
    summary = store.ingest("openalex", paths, log=lambda _m: None)
    for f in summary.files:
        assert f.balanced and not f.error
    return store


def _rows(store: Store, table: str) -> list[Any]:
    parts = [pq.read_table(p) for p in store.parts(table)]
    if not parts:
        return []
    return sorted(pa.concat_tables(parts).to_pylist(), key=repr)


def _counts(store: Store) -> list[Any]:
    keys = ("read", "stored", "duplicates", "rejected", "replaced")
    files = store.manifest()["files"].values()
    return sorted((f["path"], *(f[k] for k in keys)) for f in files)


def _same(tmp: Path, paths: list[Path], monkeypatch: Any) -> Store:
    slow = _ingest(tmp / "slow", paths, False, monkeypatch)
    fast = _ingest(tmp / "fast", paths, True, monkeypatch)
    for table in TABLES:
        assert _rows(fast, table) == _rows(slow, table), table
    assert _counts(fast) == _counts(slow)
    return fast


@pytest.mark.parametrize("gz", [True, False])
def test_edge_cases_match_python_parser(tmp_path: Path, monkeypatch: Any, gz: bool):
    path = _jsonl(tmp_path / "edge.jsonl", EDGE, gz)
    assert stage(path, tmp_path / "st") is not None  # really the fast path
    fast = _same(tmp_path, [path], monkeypatch)
    (entry,) = fast.manifest()["files"].values()
    assert (entry["read"], entry["stored"], entry["duplicates"]) == (5, 4, 1)
    works = {r["work_id"]: r for r in _rows(fast, "works")}
    assert works["W1"]["doi"] == "10.1/abc" and works["W1"]["record_no"] == 1
    assert works["W2"]["pmid"] == "77" and works["W4"]["doc_type"] == "other"


def test_real_samples_match(tmp_path: Path, monkeypatch: Any):
    path = _jsonl(tmp_path / "real.jsonl.gz", _real_works())
    assert stage(path, tmp_path / "st") is not None
    fast = _same(tmp_path, [path], monkeypatch)
    assert _rows(fast, "work_subjects") and _rows(fast, "authorship_countries")


def test_generated_world_matches(tmp_path: Path, monkeypatch: Any):
    paths = _world(tmp_path)
    assert paths and all(stage(p, tmp_path / "st" / p.parent.name) for p in paths)
    _same(tmp_path, paths, monkeypatch)


def test_malformed_file_falls_back(tmp_path: Path, monkeypatch: Any):
    path = tmp_path / "bad.jsonl"
    good = json.dumps(_w(7, title="ok"))
    path.write_text(f"{good}\n{{broken\n\n" + json.dumps(_w(8, title=5)) + "\n")
    assert stage(path, tmp_path / "st") is None
    store = _same(tmp_path, [path], monkeypatch)
    (entry,) = store.manifest()["files"].values()
    assert (entry["read"], entry["stored"], entry["rejected"]) == (3, 1, 2)
