"""Trials at scale: ingest a synthetic world and compute the trial tables.

Each step is a fresh niced subprocess whose wall time, CPU time and peak
memory are measured (``bench/_measure.py``):

1. ``oncometrics ingest trials WORLD --store STORE`` (parse the zipped API v2
   studies, stage, deduplicate across shards, write Parquet);
2. the six trial indicator tables on DuckDB (``trial_tables`` +
   ``to_pyarrow``), with the time of each table, with the two shared
   intermediate tables cached (as ``oncometrics compute`` does) and without;
3. with ``--spark``, the same on Spark (local mode).

Usage::

    python bench/generate_trials.py --studies 500000 --out bench/out/trials-500k
    python bench/bench_trials.py --world bench/out/trials-500k
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Run, machine, measure

COMPUTE = """
import sys, time
from oncometrics.config import load_config
from oncometrics.domain import Domain
from oncometrics.engine import connect, load_tables
from oncometrics.family_settings import trial_exprs
from oncometrics.indicators.trials import TABLES_NEEDED
engine, store = sys.argv[1], sys.argv[2]
con = connect(engine)
cfg = load_config()
t0 = time.perf_counter()
tables = load_tables(con, store, TABLES_NEEDED)
cache = (lambda t: t.cache()) if len(sys.argv) > 3 and sys.argv[3] == "cache" else None
exprs = trial_exprs(tables, Domain.from_config(cfg), cfg, cache=cache)
for name, expr in exprs.items():
    t = time.perf_counter()
    n = expr.to_pyarrow().num_rows
    print(f"{name}|{n}|{time.perf_counter() - t:.1f}", flush=True)
print(f"total|-|{time.perf_counter() - t0:.1f}")
"""


def _row(label: str, r: Run) -> str:
    return (f"| {label} | {r.seconds:,.1f} | {r.cpu_seconds:,.1f} | {r.peak_mb:,.0f} |"
            f" {'ok' if r.returncode == 0 else f'exit {r.returncode}'} |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--world", type=Path, default=Path("bench/out/trials-500k"))
    ap.add_argument("--store", type=Path, default=None)
    ap.add_argument("--spark", action="store_true", help="Also time Spark.")
    ap.add_argument(
        "--keep-store", action="store_true", help="Reuse an ingested store."
    )
    a = ap.parse_args()
    store = a.store or a.world.with_name(a.world.name + "-store")
    py = sys.executable
    lines = [f"Machine: {machine()}", "",
             "| step | wall s | CPU s | peak MB | status |", "|---|---|---|---|---|"]  # fmt: skip
    if not (
        a.keep_store
        and any((store / f).exists() for f in ("manifest.json", "catalog.ducklake"))
    ):
        shutil.rmtree(store, ignore_errors=True)
        r = measure([py, "-m", "oncometrics.cli", "ingest", "trials", str(a.world),
                     "--store", str(store)])  # fmt: skip
        print(
            r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-500:]
        )
        lines.append(_row("ingest (CLI, all shards)", r))
    tables: list[str] = []
    runs = [("duckdb", "cache"), ("duckdb", "no-cache")]
    if a.spark:
        runs.append(("spark", "cache"))
    for engine, mode in runs:
        r = measure([py, "-c", COMPUTE, engine, str(store), mode])
        label = f"{engine}, {'intermediates cached' if mode == 'cache' else 'no cache'}"
        lines.append(_row(f"compute trial tables ({label})", r))
        for ln in r.stdout.splitlines():
            if ln.count("|") == 2:
                name, n, secs = ln.split("|")
                tables.append(f"| {label} | {name} | {n} | {secs} |")
    lines += ["", "| engine | table | rows | s |", "|---|---|---|---|", *tables]
    text = "\n".join(lines)
    print(text)
    (store.parent / f"{a.world.name}-bench.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
