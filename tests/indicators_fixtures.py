"""Load the hand-worked indicator fixture (CSV) into a Parquet store."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from oncometrics.schema import TABLES
from oncometrics.store import Store

FIXTURE = Path(__file__).parent / "data" / "indicators"


def read_canonical(path: Path, name: str) -> pa.Table:
    """A CSV of table `name` cast to its canonical schema (absent columns null)."""
    schema = TABLES[name]
    raw = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={f.name: f.type for f in schema},
            strings_can_be_null=True,
        ),
    )
    cols = [
        raw[f.name] if f.name in raw.column_names else pa.nulls(raw.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(cols, schema=schema)


def write_store(tables: dict[str, pa.Table], store: Path) -> Path:
    """Write `tables` as ``STORE/<name>/part-0.parquet`` plus an empty manifest.

    The derived tables are added as ingest adds them; ``compute`` then runs
    its default path (tests/test_compute_paths.py compares it with the
    path of a store without them).
    """
    store.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        (store / name).mkdir(exist_ok=True)
        pq.write_table(table, store / name / "part-0.parquet")
    (store / "manifest.json").write_text(json.dumps({"files": {}}))
    Store(store, create=False).derive()  # as `oncometrics ingest` does
    return store


def fixture_store(store: Path) -> Path:
    """The hand-worked fixture as a store at `store`."""
    tables = {p.stem: read_canonical(p, p.stem) for p in sorted(FIXTURE.glob("*.csv"))}
    return write_store(tables, store)
