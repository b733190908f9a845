"""Parallel ingest (`jobs > 1`): the same store, counts and messages as `jobs=1`.

Workers parse and stage files; the parent commits them in input order, so
which record wins a duplicate, the manifest, the quarantine and every
message must be exactly those of the sequential run.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from oncometrics.schema import DERIVED, TABLES
from oncometrics.sources import SOURCES, SourceSpec
from oncometrics.sources.base import Record
from oncometrics.store import Store
from tests.cli_runner import cli

DATA = Path(__file__).parent / "data" / "openalex"
KEYPAPER = DATA / "keypaper_results_page1.json"
CITING = DATA / "snowball_citing_page.json"
MESH_GZ = DATA / "chunk1_mesh_works.jsonl.gz"


def parse(path: Path) -> Iterator[Record]:
    """Toy format for worker failures: one work id per line, or EXIT / BUG."""
    for no, line in enumerate(path.read_text().splitlines(), 1):
        if line == "EXIT":  # a worker killed mid-file (e.g. out of memory)
            os._exit(3)
        if line == "BUG":  # a parser bug
            raise KeyError("boom")
        rec = Record(no)
        rec.add("works", {"work_id": line, "source": "toy", "openalex_id": line})
        yield rec


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> str:
    # registered in the parent only: workers get the spec, and import this module
    spec = SourceSpec("toyp", __name__, "work", "toy, for worker failures")
    monkeypatch.setitem(SOURCES, "toyp", spec)
    return "toyp"


def _jsonl(works: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(w) + "\n" for w in works)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten files: good, malformed, duplicated within and across files, broken
    (one folder per module: the stores of two tests name the same paths)."""
    keypaper = json.loads(KEYPAPER.read_text())["results"]
    citing = json.loads(CITING.read_text())["results"]
    with gzip.open(MESH_GZ, "rt") as fh:
        mesh = [json.loads(line) for line in fh]
    d = tmp_path_factory.mktemp("parallel") / "in"
    d.mkdir()
    # a poorer copy of a key paper first: the full one, later, replaces it
    (d / "a_poor.jsonl").write_text(_jsonl([keypaper[0] | {"authorships": []}]))
    shutil.copy(MESH_GZ, d / "b_mesh.jsonl.gz")
    (d / "c_mixed.jsonl").write_text(
        _jsonl(citing[:2])
        + '{"id": "https://openalex.org/W1", "title": "cut\n[1, 2]\n'
        + _jsonl([citing[0]])  # a duplicate within the file
    )
    shutil.copy(KEYPAPER, d / "d_keypaper.json")
    # duplicates of earlier files' works: a poorer copy, an exact copy
    (d / "e_dups.jsonl").write_text(
        _jsonl([mesh[0] | {"authorships": []}, citing[1], citing[4]])
    )
    shutil.copy(MESH_GZ, d / "f_same_as_b.jsonl.gz")  # same checksum: skipped
    (d / "g_empty.jsonl").write_text("")
    whole = gzip.compress(_jsonl(citing).encode())
    (d / "h_truncated.jsonl.gz").write_bytes(whole[: len(whole) * 2 // 3])
    (d / "i_pubmed.xml").write_text('<?xml version="1.0"?>\n<PubmedArticleSet/>\n')
    (d / "j_citing.json").write_text(CITING.read_text())
    return d


def _tables(root: Path) -> dict[str, list[dict[str, Any]]]:
    st = Store(root, create=False)
    out = {}
    for t in [*TABLES, *DERIVED]:
        parts = st.parts(t)
        # data files are named by time-ordered UUIDs: commit order; compacted
        # files carry an extra _ducklake_internal_row_id: read by column name
        names = (TABLES | DERIVED)[t].names
        out[t] = [len(parts)] + (
            pa.concat_tables(
                [pq.read_table(p, columns=names) for p in parts]
            ).to_pylist()
            if parts
            else []
        )
    return out


def _manifest(root: Path) -> dict[str, Any]:
    files = Store(root, create=False).manifest()["files"]
    return {
        sha: {k: v for k, v in e.items() if k not in ("seconds", "ingested_at")}
        for sha, e in files.items()
    }


def _quarantine(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / "quarantine").iterdir())}


def _run(root: Path, paths: list[Path], jobs: int) -> tuple[list[Any], list[str]]:
    logs: list[str] = []
    summary = Store(root).ingest("openalex", paths, log=logs.append, jobs=jobs)
    files = [
        {k: v for k, v in asdict(f).items() if k != "seconds"} for f in summary.files
    ]
    return files, logs


@pytest.fixture(scope="module")
def sequential(
    inputs: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Any], list[str]]:
    """The `jobs=1` store of `inputs` (every file, in order), its per-file
    results and messages: the reference of the parallel runs (not modified;
    a test that ingests into it works on a copy)."""
    seq = tmp_path_factory.mktemp("sequential") / "seq"
    files, logs = _run(seq, sorted(inputs.iterdir()), jobs=1)
    return seq, files, logs


def test_parallel_store_is_the_sequential_store(
    tmp_path: Path, inputs: Path, sequential: tuple[Path, list[Any], list[str]]
) -> None:
    par, seq = tmp_path / "par", tmp_path / "seq"
    reference, files1, logs1 = sequential
    shutil.copytree(reference, seq)
    files2, logs2 = _run(par, [inputs], jobs=2)
    assert files2 == files1
    assert logs2 == logs1
    assert _tables(par) == _tables(seq)
    assert _manifest(par) == _manifest(seq)
    assert _quarantine(par) == _quarantine(seq)
    assert not (par / "_staging").exists() or not any((par / "_staging").iterdir())
    # the inputs exercise what they are meant to
    by_name = {Path(f["path"]).name: f for f in files1}
    assert by_name["d_keypaper.json"]["replaced"] == 1
    assert by_name["e_dups.jsonl"]["duplicates"] == 2  # citing[4] is new
    assert by_name["c_mixed.jsonl"]["duplicates"] == 1
    assert by_name["c_mixed.jsonl"]["rejected"] == 2
    assert by_name["f_same_as_b.jsonl.gz"]["skipped"]
    assert by_name["g_empty.jsonl"]["error"]
    assert by_name["i_pubmed.xml"]["error"]
    assert by_name["h_truncated.jsonl.gz"]["rejected"] == 1
    for f in files1:
        assert f["read"] == f["stored"] + f["duplicates"] + f["rejected"]
    # a rerun skips every file already in, in both modes
    again1, _ = _run(seq, [inputs], jobs=1)
    again2, _ = _run(par, [inputs], jobs=3)
    assert again2 == again1
    assert sum(f["skipped"] for f in again1) == 8
    assert _tables(par) == _tables(seq)


def test_parallel_resumes_after_a_crash(
    tmp_path: Path, inputs: Path, sequential: tuple[Path, list[Any], list[str]]
) -> None:
    files = sorted(inputs.iterdir())
    seq, par = sequential[0], tmp_path / "par"
    _run(par, files[:4], jobs=2)
    # a crash after staging and in mid-commit: orphan data files and staging
    works = Store(par, create=False).table_dir("works")
    orphan = works / "ducklake-orphan.parquet"
    shutil.copy(next(works.glob("*.parquet")), orphan)
    (par / "_staging" / "000001-0123456789abcdef").mkdir(parents=True)
    _run(par, files, jobs=2)
    assert not orphan.exists()
    assert _tables(par) == _tables(seq)
    assert _manifest(par) == _manifest(seq)


def test_cli_jobs_same_output(
    tmp_path: Path, inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = []
    for jobs in ("1", "2"):
        store = tmp_path / f"st{jobs}"
        args = ["ingest", "openalex", str(inputs), "--store", str(store)]
        runs.append(cli([*args, "--jobs", jobs], capsys))
    assert runs[0] == runs[1]
    code, out, err = runs[0]
    assert code == 1  # two files could not be read
    assert "from 10 file(s); 1 file(s) already in the store; 2 file(s) not read" in out
    assert f"{inputs / 'c_mixed.jsonl'}: record 3: invalid JSON" in err
    assert _tables(tmp_path / "st1") == _tables(tmp_path / "st2")


def test_worker_killed_is_one_line(
    tmp_path: Path, toy: str, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("W1\nW2\n")
    (d / "b.txt").write_text("W3\nEXIT\n")
    (d / "c.txt").write_text("W4\n")
    store = tmp_path / "st"
    code, out, err = cli(
        ["ingest", toy, str(d), "--store", str(store), "--jobs", "2"], capsys
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[-1].startswith(f"error: {d / 'b.txt'}: the worker process")
    assert "stopped unexpectedly" in lines[-1]
    # files before the failing one are in the store, in order; none after it
    entries = Store(store, create=False).manifest()["files"].values()
    assert [Path(e["path"]).name for e in entries] == ["a.txt"]
    # and a rerun without the bad file completes
    (d / "b.txt").write_text("W3\n")
    code, out, _ = cli(["ingest", toy, str(d), "--store", str(store)], capsys)
    assert code == 0
    assert "read 2 = stored 2 + duplicates 0 + rejected 0 from 3 file(s); 1 file" in out


def test_parser_bug_in_a_worker_is_reported_as_sequentially(
    tmp_path: Path, toy: str, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("W1\n")
    (d / "b.txt").write_text("W2\nBUG\n")
    results = []
    for jobs in ("1", "2"):
        store = tmp_path / f"st{jobs}"
        results.append(
            cli(["ingest", toy, str(d), "--store", str(store), "--jobs", jobs], capsys)
        )
    # the same but for the name of the traceback file each run writes
    same = [
        (c, o, re.sub(r"oncometrics-crash-\w+\.log", "LOG", e)) for c, o, e in results
    ]
    assert same[0] == same[1]
    code, _, err = results[0]
    assert code == 3
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("error: unexpected KeyError: 'boom' (please report this")
    )
