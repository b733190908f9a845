"""Invention benchmark: ingest rate and the invention tables on a synthetic world.

Steps, each a fresh niced subprocess measured for wall time, CPU time and the
peak memory of its process tree (``bench/_measure.py``):

1. ``generate``: ``bench/generate_patents.py`` writes a store of
   ``--families`` families (skipped when the store exists);
2. ``ingest``: the first ``--ingest`` families are written as a canonical
   patent CSV and read back with ``oncometrics ingest patents`` (parser,
   store and deduplication throughput);
3. ``tables``: every invention table (``invention_tables``, periods
   2002-2011 and 2012-2021) materialised on each engine, one timing per
   table.

Usage::

    python bench/bench_patents.py --families 1000000 --ingest 100000 \
        [--engines duckdb,spark]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from _measure import machine, measure  # noqa: E402

CSV_SQL = """
COPY (
  WITH fam AS (SELECT DISTINCT family_id FROM read_parquet('{s}/patents/*.parquet')
               ORDER BY family_id LIMIT {n}),
       cls AS (SELECT patent_id,
                 string_agg(CASE WHEN scheme = 'cpc' THEN code END, ';') AS cpc,
                 string_agg(CASE WHEN scheme = 'ipc' THEN code END, ';') AS ipc
               FROM read_parquet('{s}/patent_classes/*.parquet') GROUP BY patent_id)
  SELECT replace(p.family_id, 'docdb:', '') AS family_id, p.patent_id,
         p.priority_year, q.role, q.sequence, q.name, q.country, c.cpc, c.ipc
  FROM read_parquet('{s}/patents/*.parquet') p
  JOIN fam USING (family_id)
  JOIN read_parquet('{s}/patent_parties/*.parquet') q USING (patent_id)
  LEFT JOIN cls c USING (patent_id)
  ORDER BY p.family_id, p.patent_id, q.role, q.sequence
) TO '{out}' (HEADER, DELIMITER ',')
"""


def child(store: str, engine: str) -> None:
    """Materialise every invention table on `engine`; print timings as JSON."""
    from oncometrics.config import load_config
    from oncometrics.domain import Domain
    from oncometrics.engine import connect, load_tables
    from oncometrics.family_settings import invention_exprs
    from oncometrics.indicators.inventions import TABLES_NEEDED

    t0 = time.perf_counter()
    con = connect(engine, spark_master="local[2]", threads=2)
    cfg = load_config(periods="2002-2011,2012-2021", engine=engine)
    tables = load_tables(con, store, TABLES_NEEDED)
    exprs = invention_exprs(tables, Domain.from_config(cfg), cfg)
    out: dict[str, dict[str, float]] = {}
    for name, expr in exprs.items():
        t = time.perf_counter()
        rows = expr.to_pyarrow().num_rows
        out[name] = {"rows": rows, "seconds": round(time.perf_counter() - t, 2)}
    out["total"] = {"rows": 0, "seconds": round(time.perf_counter() - t0, 2)}
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--families", type=int, default=1_000_000)
    ap.add_argument("--ingest", type=int, default=100_000)
    ap.add_argument("--engines", default="duckdb")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    args = ap.parse_args()
    store = args.out / f"patents-{args.families}"
    res: dict[str, object] = {"machine": machine(), "families": args.families}
    if not any((store / f).exists() for f in ("manifest.json", "catalog.ducklake")):
        run = measure([sys.executable, str(HERE / "generate_patents.py"),
                       "--families", str(args.families), "--out", str(store)])  # fmt: skip
        res["generate"] = {"seconds": run.seconds, "peak_mb": run.peak_mb,
                           **json.loads(run.stdout)}  # fmt: skip
    if args.ingest:
        res["ingest"] = ingest_run(store, args.ingest, args.out)
    for engine in args.engines.split(","):
        run = measure([sys.executable, __file__, "--child", str(store), engine])
        res[f"tables_{engine}"] = {"seconds": run.seconds, "cpu": run.cpu_seconds,
                                   "peak_mb": run.peak_mb, "load": run.load,
                                   "tables": json.loads(run.stdout.splitlines()[-1])}  # fmt: skip
    path = args.out / f"patents-bench-{args.families}.json"
    path.write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))


def ingest_run(store: Path, n: int, out: Path) -> dict[str, object]:
    """Write `n` families as canonical CSV, then time ``oncometrics ingest``."""
    import duckdb

    csv = out / f"patents-canonical-{n}.csv"
    duckdb.sql(CSV_SQL.format(s=store, n=n, out=csv))
    target = out / f"patents-ingest-{n}-store"
    shutil.rmtree(target, ignore_errors=True)
    run = measure([sys.executable, "-m", "oncometrics.cli", "ingest", "patents",
                   str(csv), "--store", str(target)])  # fmt: skip
    return {"families": n, "csv_mb": round(csv.stat().st_size / 2**20, 1),
            "seconds": run.seconds, "cpu": run.cpu_seconds, "peak_mb": run.peak_mb,
            "load": run.load, "summary": run.stdout.strip().splitlines()[-1:]}  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
