"""The store: staging, dedup precedence, richest record kept, recovery."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from oncometrics.sources import SOURCES, SourceSpec
from oncometrics.sources.base import Record, Reject, SourceError
from oncometrics.store import Store


def _parse(path: Path) -> Iterator[Record | Reject]:
    """Toy format: one JSON object per line or junk.

    ``{oa, doi, pmid, n_auth, countries, insts, year, type}``; ``countries``
    lists each author's countries (``[["FR", "US"], ["FR"]]``), ``insts``
    their institutions.
    """
    text = path.read_text()
    if text.startswith("FATAL"):
        raise SourceError(path, "not a toy file")
    for no, line in enumerate(text.splitlines(), 1):
        try:
            d = json.loads(line)
        except ValueError:
            yield Reject(no, "broken JSON", line)
            continue
        if d.get("boom"):
            raise SourceError(path, "stream damaged", no)
        wid = d.get("oa") or (
            f"doi:{d['doi']}" if d.get("doi") else f"pmid:{d['pmid']}"
        )
        rec = Record(no)
        rec.add(
            "works",
            {
                "work_id": wid,
                "source": d.get("src", "toy"),
                "citation_date": d.get("date"),
                "openalex_id": d.get("oa"),
                "doi": d.get("doi"),
                "pmid": d.get("pmid"),
                "richness": d.get("n_auth", 0),
                "publication_year": d.get("year"),
                "doc_type": d.get("type"),
            },
        )
        for i in range(d.get("n_auth", 0)):
            rec.add("authorships", {"work_id": wid, "author_position": i + 1})
        for i, countries in enumerate(d.get("countries", []), 1):  # per author
            for c in countries:
                row = {"work_id": wid, "author_position": i, "country": c}
                rec.add("authorship_countries", row)
        for i, insts in enumerate(d.get("insts", []), 1):  # per author
            for inst in insts:
                row = {"work_id": wid, "author_position": i, "institution_id": inst}
                rec.add("authorship_institutions", row)
        yield rec


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> str:
    mod = types.ModuleType("toy_source")
    mod.parse = _parse  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "toy_source", mod)
    monkeypatch.setitem(SOURCES, "toy", SourceSpec("toy", "toy_source", "work", "toy"))
    return "toy"


def _write(path: Path, *rows: dict | str) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows))
    return path


def _rows(store: Store, table: str) -> list[dict]:
    out: list[dict] = []
    for p in store.parts(table):
        out.extend(pq.read_table(p).to_pylist())
    return out


def test_counts_balance_and_quarantine(tmp_path: Path, toy: str) -> None:
    f = _write(
        tmp_path / "a.jsonl",
        {"oa": "W1", "n_auth": 2},
        "{broken",
        {"doi": "10.1/x", "n_auth": 1},
        {"oa": "W1", "n_auth": 1, "src": "toy2"},  # other source: richer wins
    )
    st = Store(tmp_path / "st")
    res = st.ingest(toy, [f], log=lambda m: None).files[0]
    assert (res.read, res.stored, res.duplicates, res.rejected) == (4, 2, 1, 1)
    assert res.balanced
    q = list((tmp_path / "st" / "quarantine").glob("*.jsonl"))
    assert len(q) == 1
    line = json.loads(q[0].read_text())
    assert line["record_no"] == 2 and line["reason"] == "broken JSON"
    assert sorted(r["work_id"] for r in _rows(st, "works")) == ["W1", "doi:10.1/x"]
    # the richer W1 (2 authors, record 1) was kept with its child rows only
    assert len(_rows(st, "authorships")) == 3


def test_precedence_first_key_both_carry(tmp_path: Path, toy: str) -> None:
    st = Store(tmp_path / "st")
    _write(
        tmp_path / "a.jsonl",
        {"oa": "W1", "doi": "10.1/a", "n_auth": 1},
        {"oa": "W2", "doi": "10.1/a", "n_auth": 1},  # other W id: not a dup
        {"doi": "10.1/a", "pmid": "9", "n_auth": 1},  # no W id: DOI decides
        {"pmid": "9", "n_auth": 1},
    )  # no W, no DOI: PMID matches record 3
    res = st.ingest(toy, [tmp_path / "a.jsonl"], log=lambda m: None).files[0]
    assert (res.stored, res.duplicates) == (2, 2)


def test_richer_newcomer_replaces_stored_record(tmp_path: Path, toy: str) -> None:
    st = Store(tmp_path / "st")
    st.ingest(
        toy,
        [_write(tmp_path / "a.jsonl", {"pmid": "7", "n_auth": 1})],
        log=lambda m: None,
    )
    res = st.ingest(
        toy,
        [
            _write(
                tmp_path / "b.jsonl",
                {"oa": "W7", "pmid": "7", "n_auth": 3, "src": "other"},
            )
        ],
        log=lambda m: None,
    ).files[0]
    assert (res.stored, res.duplicates, res.replaced) == (0, 1, 1)
    assert [r["work_id"] for r in _rows(st, "works")] == ["W7"]
    assert {r["work_id"] for r in _rows(st, "authorships")} == {"W7"}
    # a poorer newcomer is dropped
    res = st.ingest(
        toy,
        [_write(tmp_path / "c.jsonl", {"pmid": "7", "n_auth": 0})],
        log=lambda m: None,
    ).files[0]
    assert (res.stored, res.duplicates, res.replaced) == (0, 1, 0)
    assert len(_rows(st, "authorships")) == 3


def test_rerun_skips_and_file_errors(tmp_path: Path, toy: str) -> None:
    st = Store(tmp_path / "st")
    a = _write(tmp_path / "a.jsonl", {"oa": "W1"})
    st.ingest(toy, [a], log=lambda m: None)
    msgs: list[str] = []
    summary = st.ingest(
        toy,
        [a, _write(tmp_path / "bad.txt", "FATAL"), tmp_path / "missing.jsonl"],
        log=msgs.append,
    )
    assert summary.files[0].skipped
    assert len(summary.errors) == 2
    assert any("bad.txt: not a toy file" in m for m in msgs)
    assert any("missing.jsonl: cannot read" in m for m in msgs)
    assert "read 0 = stored 0" in summary.line()


def test_stream_damage_keeps_records_before_it(tmp_path: Path, toy: str) -> None:
    st = Store(tmp_path / "st")
    f = _write(tmp_path / "a.jsonl", {"oa": "W1"}, {"oa": "W2"}, {"boom": 1})
    res = st.ingest(toy, [f], log=lambda m: None).files[0]
    assert (res.read, res.stored, res.rejected) == (3, 2, 1)
    assert res.balanced


def test_orphan_data_files_are_removed_by_the_next_ingest(
    tmp_path: Path, toy: str
) -> None:
    # a data file no snapshot lists: what a crash in mid-commit leaves
    st = Store(tmp_path / "st")
    st.ingest(toy, [_write(tmp_path / "a.jsonl", {"oa": "W1"})], log=lambda m: None)
    orphan = st.table_dir("works") / "ducklake-orphan.parquet"
    orphan.write_bytes(st.parts("works")[0].read_bytes())
    assert len(st.parts("works")) == 1 and st.counts()["works"] == 1  # not read
    st.ingest(toy, [_write(tmp_path / "b.jsonl", {"oa": "W2"})], log=lambda m: None)
    assert not orphan.exists()
    assert st.counts()["works"] == 2


def test_empty_file_is_an_error(tmp_path: Path, toy: str) -> None:
    st = Store(tmp_path / "st")
    summary = st.ingest(toy, [_write(tmp_path / "e.jsonl")], log=lambda m: None)
    assert summary.errors and "empty input" in (summary.errors[0].error or "")


def test_latest_version_wins(tmp_path: Path, toy: str) -> None:
    """Contract 1: the most recently updated version wins, whatever its
    richness; same date and source: the last in file order."""
    st = Store(tmp_path / "st")

    def ingest(name: str, *rows: dict) -> tuple[int, int, int]:
        res = st.ingest(toy, [_write(tmp_path / name, *rows)], log=lambda m: None)
        f = res.files[0]
        return f.stored, f.duplicates, f.replaced

    # stored: W1 updated 2025-01-01 with 3 authors
    assert ingest("a.jsonl", {"oa": "W1", "date": "2025-01-01", "n_auth": 3}) == (
        1, 0, 0)  # fmt: skip
    # a poorer but newer snapshot replaces it (richness does not decide)
    assert ingest("b.jsonl", {"oa": "W1", "date": "2025-06-01", "n_auth": 1}) == (
        0, 1, 1)  # fmt: skip
    # an older, richer snapshot is dropped
    assert ingest("c.jsonl", {"oa": "W1", "date": "2024-01-01", "n_auth": 5}) == (
        0, 1, 0)  # fmt: skip
    assert len(_rows(st, "authorships")) == 1
    # within one file: the newer of two dated versions, then the last one
    ingest(
        "d.jsonl",
        {"oa": "W2", "date": "2025-03-01", "n_auth": 1},
        {"oa": "W2", "date": "2025-02-01", "n_auth": 4},
        {"oa": "W3", "n_auth": 2},
        {"oa": "W3", "n_auth": 1},
    )
    works = {r["work_id"]: r for r in _rows(st, "works")}
    assert works["W2"]["citation_date"] == "2025-03-01"
    assert works["W3"]["richness"] == 1  # same source, no date: file order last
