"""Works per CPU-second of the DuckDB fast path (one DuckDB thread).

Usage: ``python bench/bench_fast_ingest.py WORLD_FOLDER``.  Prints DuckDB's
raw ``read_json`` (same explicit columns) against
:func:`oncometrics.sources.openalex_duckdb.stage`, and the whole
``Store.ingest`` with the fast path off and on.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from oncometrics.sources.openalex_duckdb import COLUMNS, stage
from oncometrics.store import Store


def main() -> None:
    world = Path(sys.argv[1])
    paths = sorted(world.rglob("*.gz"))
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    clock = time.process_time
    con = duckdb.connect()
    con.execute("SET threads=1")
    t, n = clock(), 0
    for p in paths:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE x AS SELECT * FROM read_json("
            f"'{p}', format='newline_delimited', columns={cols})"
        )
        n += con.execute("SELECT count(*) FROM x").fetchone()[0]  # type: ignore[index]
    raw = clock() - t
    t = clock()
    for p in paths:
        d = Path(tempfile.mkdtemp())
        assert stage(p, d, threads=1) is not None, p
        shutil.rmtree(d)
    fast = clock() - t
    print(f"works {n:,}")
    print(f"read_json into a table: {raw:.2f} CPU-s, {n / raw:,.0f} works/CPU-s")
    print(f"stage(): {fast:.2f} CPU-s, {n / fast:,.0f} works/CPU-s")
    for flag in ("0", "1"):
        os.environ["ONCOMETRICS_FAST_INGEST"] = flag
        root = Path(tempfile.mkdtemp())
        t = clock()
        line = Store(root).ingest("openalex", paths, log=lambda _m: None).line()
        took = clock() - t
        shutil.rmtree(root)
        print(f"ingest fast={flag}: {took:.2f} CPU-s, {n / took:,.0f}/CPU-s; {line}")


if __name__ == "__main__":
    main()
