"""Staged batches: values that do not fit their column reject their record only.

The readers check values where they parse them, so these rows are written
by hand: each bad one is of a kind the batch conversion must catch (Arrow
refuses it, or it is out of its column's range), and the expected reasons
are those of :func:`oncometrics.sources.checks.check_record`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from oncometrics.schema import TABLES
from oncometrics.sources.checks import year_max
from oncometrics.store import Store
from oncometrics.store_fit import batch_tables
from oncometrics.store_stage import BATCH_RECORDS


def _row(table: str, **values: Any) -> tuple[Any, ...]:
    return tuple(values.get(n) for n in TABLES[table].names)


def _work(no: int, **values: Any) -> tuple[Any, ...]:
    return _row("works", **{"work_id": f"W{no}", "title": f"t{no}", **values})


def _buffer(works: list[tuple[Any, ...]]) -> dict[str, tuple[list[Any], list[int]]]:
    authorships = [_row("authorships", work_id=w[0], author_position=1) for w in works]
    recs = list(range(1, len(works) + 1))
    return {"works": (works, recs), "authorships": (authorships, list(recs))}


def _run(works: list[tuple[Any, ...]]) -> tuple[dict[str, pa.Table], list[Any]]:
    rejected: list[Any] = []
    tables = batch_tables(_buffer(works), lambda *r: rejected.append(r))
    return tables, rejected


def test_a_batch_that_fits_is_converted_whole() -> None:
    tables, rejected = _run([_work(1, publication_year=2020), _work(2)])
    assert rejected == []
    assert tables["works"].column("work_id").to_pylist() == ["W1", "W2"]
    assert tables["authorships"].column("_rec").to_pylist() == [1, 2]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (
            {"publication_year": 20199999999},
            "publication_year: 20199999999 is not a year",
        ),
        ({"publication_year": 1700}, "publication_year: 1700 is not a year"),
        ({"publication_year": year_max() + 1}, f"publication_year: {year_max() + 1} "),
        ({"cited_by_count": -3}, "cited_by_count: -3 is out of range"),
        ({"cited_by_count": 10**30}, "cited_by_count: 1000000000000000000000000000000"),
        ({"title": 5}, "title: expected text, got the number 5"),
        ({"publication_year": True}, "publication_year: expected an integer"),
    ],
)
def test_a_bad_value_rejects_its_record_only(bad: dict[str, Any], reason: str) -> None:
    works = [_work(1, publication_year=2020), _work(2, **bad), _work(3)]
    tables, rejected = _run(works)
    assert [r[0] for r in rejected] == [2]
    assert rejected[0][1].startswith(reason)
    assert "W2" in rejected[0][2]  # the raw row, for the quarantine
    # every row of the rejected record is gone, from every table
    assert tables["works"].column("_rec").to_pylist() == [1, 3]
    assert tables["authorships"].column("_rec").to_pylist() == [1, 3]


def test_ingest_quarantines_a_value_the_reader_let_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: read = stored + rejected, the reject in the quarantine."""
    import orjson

    from oncometrics.sources import openalex

    lines = [
        {"id": f"https://openalex.org/W{i}", "title": f"t{i}", "publication_year": 2020}
        for i in range(1, 4)
    ]
    f = tmp_path / "w.jsonl"
    f.write_bytes(b"\n".join(orjson.dumps(x) for x in lines) + b"\n")
    real = openalex.work_record

    def sloppy(*args: Any, **kwargs: Any) -> Any:
        rec = real(*args, **kwargs)
        if rec.record_no == 2:  # a year the reader would have refused
            row = rec.named().rows["works"][0]
            rec.rows["works"][0] = {**row, "publication_year": 99999}
        return rec

    monkeypatch.setattr(openalex, "work_record", sloppy)
    logs: list[str] = []
    st = Store(tmp_path / "store")
    res = st.ingest("openalex", [f], log=logs.append).files[0]
    assert (res.read, res.stored, res.rejected) == (3, 2, 1)
    assert any("record 2: publication_year: 99999 is not a year" in m for m in logs)
    quarantined = list((tmp_path / "store" / "quarantine").glob("*.jsonl"))
    assert len(quarantined) == 1
    q = orjson.loads(quarantined[0].read_text().splitlines()[0])
    assert q["record_no"] == 2 and "publication_year" in q["reason"]
    assert BATCH_RECORDS > 3  # the reject came from the final flush
