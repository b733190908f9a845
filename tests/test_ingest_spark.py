"""The Spark ingest writes the store the Python ingest writes (issue 17).

A small generated world in the snapshot layout, with bad records mixed in
(a line that is not JSON, a year given as text, a title given as a number,
a year out of range, blank lines) and the same work in three partitions
with different update dates, is ingested by the Python parser and by Spark
(local mode): same tables row by row, same counts per file, same
quarantine reasons, same indicator tables.  A second Spark run reads
nothing new.
"""

from __future__ import annotations

import contextlib
import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from oncometrics import lake
from oncometrics.config import load_config
from oncometrics.schema import DERIVED, TABLES
from oncometrics.store import Store
from tests.bench_scripts import load

pytestmark = pytest.mark.spark

#: The reasons the Python parser gives the bad records (hand-written).
EXPECTED_REASONS = {
    "invalid JSON",
    "publication_year is '2019', not an integer",
    "title is an integer, not a string",
    "publication_year: 1500 is not a year",
}


def _lines(part: Path) -> list[str]:
    return gzip.decompress(part.read_bytes()).decode().splitlines()


def _write(part: Path, lines: list[str]) -> None:
    part.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))


def _version(line: str, updated: str, title: str) -> str:
    work = json.loads(line)
    work["updated_date"], work["title"] = updated, title
    return json.dumps(work)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three parts of 40 works; the first with bad records, a work in all three."""
    root = tmp_path_factory.mktemp("world")
    parts = sorted(load("generate_world").generate(120, root, part_size=40, jobs=1))
    first, second, third = (_lines(p) for p in parts)
    work = json.loads(first[2])
    bad_year = dict(json.loads(first[3]), publication_year=1500)
    first[1:1] = [
        "",
        '{"id": "https://openalex.org/W9", "title": ',
        json.dumps(dict(work, id="https://openalex.org/W8", publication_year="2019")),
        json.dumps(dict(work, id="https://openalex.org/W7", title=5)),
        "   ",
        json.dumps(dict(bad_year, id="https://openalex.org/W6")),
    ]
    # the later version of first[2+6] is in the second part, an older one in the third
    second.append(_version(first[8], "2026-01-02T00:00:00", "Later version"))
    # two works on one line (Spark alone would read the first): rejected
    second.insert(5, second.pop(5) + second.pop(5))
    third.append(_version(first[8], "2020-01-01T00:00:00", "Older version"))
    for part, lines in zip(parts, (first, second, third), strict=True):
        _write(part, lines)
    return root


@pytest.fixture(scope="module")
def stores(
    world: Path, spark_session: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Store, Store, list[Any], list[Any]]:
    from oncometrics.ingest_spark import ingest_spark

    _need_driver_memory(spark_session)
    base = tmp_path_factory.mktemp("stores")
    py, sp = Store(base / "python"), Store(base / "spark")
    a = py.ingest("openalex", [world], log=lambda m: None).files
    b = ingest_spark(sp, [str(world)], spark_session, log=lambda m: None).files
    return py, sp, a, b


def _need_driver_memory(session: Any) -> None:
    """Skip on a driver heap under 2 GB: Spark's SQL parser (ANTLR) keeps a
    cache of about 1 GB after parsing the compiled checks of
    ``openalex_flat.clean`` (docs/scaling.md), which would starve the shared
    session of the other Spark tests."""
    memory = session.sparkContext.getConf().get("spark.driver.memory", "1g")
    gib = float(memory[:-1]) / (1024 if memory[-1] in "mM" else 1)
    if gib < 2:
        pytest.skip(f"the Spark ingest needs a 2 GB driver heap (this one: {memory})")


def _rows(store: Store, table: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(lake.connect(store.root, read_only=True)) as con:
        rows = con.execute(f"SELECT * FROM {lake.ALIAS}.{table}").fetchall()
    # derived weights: sums of the same terms in another row order
    rounded = [tuple(round(v, 9) if type(v) is float else v for v in r) for r in rows]
    return sorted(rounded, key=repr)


def _quarantine(store: Store) -> list[tuple[str, int, str, str]]:
    out = []
    for f in sorted((store.root / "quarantine").glob("*.jsonl")):
        for line in f.read_text().splitlines():
            q = json.loads(line)
            out.append((q["file"], q["record_no"], q["reason"], q["raw"]))
    return sorted(out)


def test_spark_ingest_equals_python(stores: tuple[Any, ...], tmp_path: Path) -> None:
    py, sp, a, b = stores
    counts = ("path", "sha256", "read", "stored", "duplicates", "rejected", "replaced")
    assert [[getattr(f, c) for c in counts] for f in b] == [
        [getattr(f, c) for c in counts] for f in a
    ]
    assert sum(f.rejected for f in b) == 5
    assert (
        sum(f.duplicates for f in b) == 2
    )  # the later version replaces, the older is dropped
    assert all(f.balanced and not f.error for f in b)
    for table in [*TABLES, *DERIVED]:
        assert _rows(sp, table) == _rows(py, table), table
    works = _rows(sp, "works")
    assert [w[5] for w in works if w[5] == "Later version"] == ["Later version"]
    assert not [w for w in works if w[5] == "Older version"]
    quarantine = _quarantine(sp)
    assert quarantine == _quarantine(py)
    reasons = {q[2].partition(" (")[0].split(" in ")[0] for q in quarantine}
    assert reasons == EXPECTED_REASONS
    entries = [
        {k: v for k, v in e.items() if k not in ("seconds", "ingested_at")}
        for e in (py.manifest()["files"], sp.manifest()["files"])
        for e in e.values()
    ]
    assert entries[: len(a)] == entries[len(a) :]
    _same_indicators(py, sp, tmp_path)


def _same_indicators(py: Store, sp: Store, tmp_path: Path) -> None:
    from oncometrics.pipeline import compute

    cfg = load_config(bootstrap=0)
    quiet = {"config": cfg, "log": lambda m: None}
    one = compute(py.root, tmp_path / "py", **quiet)  # type: ignore[arg-type]
    two = compute(sp.root, tmp_path / "sp", **quiet)  # type: ignore[arg-type]
    assert sorted(one) == sorted(two)
    for name, path in one.items():
        if path.suffix == ".parquet":
            x, y = (_rounded(pq.read_table(p).to_pylist()) for p in (path, two[name]))
            assert x == y, name


def _rounded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Floats to 9 significant digits (sums of the same weights in another order)."""
    out = [
        {k: float(f"{v:.9g}") if type(v) is float else v for k, v in r.items()}
        for r in rows
    ]
    return sorted(out, key=repr)


def test_spark_ingest_resumes(
    stores: tuple[Any, ...], world: Path, spark_session: Any
) -> None:
    from oncometrics.ingest_spark import ingest_spark

    _, sp, _, first = stores
    before = sp.counts()
    again = ingest_spark(sp, [str(world)], spark_session, log=lambda m: None).files
    assert [f.skipped for f in again] == [True] * len(first)
    assert sum(f.read for f in again) == 0
    assert sp.counts() == before
