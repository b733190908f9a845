"""Compute benchmark: the country table on DuckDB, Spark and plain pandas.

For each size, a store is needed, the first found of
``bench/out/world-<label>-store`` (built by ``oncometrics ingest``),
``-sqlstore`` (``bench/build_store.py``) and ``-genstore``
(``bench/generate_store.py``), or the one named by ``--store SIZE=PATH``;
with ``--build`` a missing store is generated (``generate_store.py``).  Each run is a fresh niced subprocess,
measured for wall time, CPU time and peak memory of its process tree (the
Spark JVM included):

* ``country table``: the pipeline's country-table code path, bootstrap
  intervals off (the same work as the pandas baseline), on DuckDB (2
  threads) and Spark ``local[2]``;
* ``pandas baseline``: ``bench/baseline_pandas.py``;
* ``oncometrics compute``: the full CLI command (five tables, bootstrap
  intervals with 1,000 resamples), on each engine (``--full``).

The DuckDB and Spark tables are compared with the pandas one (largest
absolute difference over the shared numeric columns).  Prints a markdown
table.

Usage::

    python bench/bench_compute.py --sizes 1e6,1e7 [--engines duckdb,spark] [--full]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import Run, machine, measure  # noqa: E402

CHECK = (
    "p_full",
    "p_frac",
    "share_frac",
    "mncs",
    "pp_top1",
    "pp_top10",
    "ai",
    "intl_collab_rate",
)


def label(n: int) -> str:
    """1000000 -> '1m', 10000000 -> '10m', 20000 -> '20k'."""
    return f"{n // 10**6}m" if n % 10**6 == 0 else f"{n // 1000}k"


def store_for(n: int, root: Path, build: bool) -> Path:
    """The store of the world of `n` works (ingested, SQL-built or generated)."""
    world = root / f"world-{label(n)}"
    for suffix in ("-store", "-sqlstore", "-genstore"):
        s = world.with_name(world.name + suffix)
        if (s / "manifest.json").exists() or (s / "catalog.ducklake").exists():
            return s
    if not build:
        raise SystemExit(f"no store for {n:,} works under {root} (use --build)")
    s = world.with_name(world.name + "-genstore")
    cmd = [sys.executable, str(HERE / "generate_store.py"), "--works", str(n)]
    subprocess.run([*cmd, "--out", str(s)], check=True)
    return s


def country_run(store: Path, engine: str, out: Path, max_mb: float) -> Run:
    return measure(
        [sys.executable, str(HERE / "_country_table.py"), str(store), engine, str(out)],
        max_mb=max_mb,
    )


def full_run(store: Path, engine: str, out: Path, max_mb: float) -> Run:
    return measure(
        [
            sys.executable,
            "-m",
            "oncometrics.cli",
            "compute",
            "--store",
            str(store),
            "--out",
            str(out),
            "--engine",
            engine,
            "--spark-master",
            "local[2]",
        ],
        env={"ONCOMETRICS_THREADS": "2"},
        max_mb=max_mb,
    )


def max_diff(a: Path, b: Path) -> float | None:
    """Largest absolute difference between two country tables (None: n/a)."""
    if not (a.exists() and b.exists()):
        return None
    x = pd.read_csv(a, keep_default_na=False, na_values=[""]).set_index("country")
    y = pd.read_csv(b, keep_default_na=False, na_values=[""]).set_index("country")
    if sorted(x.index) != sorted(y.index):
        return float("inf")
    cols = [c for c in CHECK if c in x.columns and c in y.columns]
    return float((x[cols] - y.loc[x.index, cols]).abs().max().max())


def _phases(run: Run) -> dict[str, float]:
    for line in reversed(run.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)  # type: ignore[no-any-return]
    return {}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Country-table compute benchmark.")
    ap.add_argument("--sizes", default="1e6", help="comma-separated, e.g. 1e6,1e7")
    ap.add_argument("--root", type=Path, default=HERE / "out")
    ap.add_argument(
        "--store",
        action="append",
        default=[],
        help="SIZE=PATH: the store to use for SIZE works",
    )
    ap.add_argument("--engines", default="duckdb,spark,pandas")
    ap.add_argument(
        "--full",
        action="store_true",
        help="also time the full `oncometrics compute` per engine",
    )
    ap.add_argument("--build", action="store_true", help="generate missing worlds")
    ap.add_argument(
        "--max-mb",
        type=float,
        default=16000,
        help="kill a run whose process tree exceeds this RSS",
    )
    a = ap.parse_args(argv)
    print(f"machine: {machine()}", file=sys.stderr)
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-compute-"))
    for n in (int(float(s)) for s in a.sizes.split(",")):
        named = {int(float(k)): Path(v) for k, v in (x.split("=", 1) for x in a.store)}
        store = named.get(n) or store_for(n, a.root, a.build)
        print(f"{n:,} works: {store}", file=sys.stderr)
        csv = {}
        for eng in a.engines.split(","):
            csv[eng] = tmp / f"{label(n)}-{eng}.csv"
            run = country_run(store, eng, csv[eng], a.max_mb)
            if run.returncode != 0:  # keep the whole log of a failed run
                log = csv[eng].with_suffix(".stderr")
                log.write_text(run.stderr)
                print(f"  stderr of the failed run: {log}", file=sys.stderr)
            rows.append(
                (n, store.name, f"country table, {eng}", run, _phases(run), eng)
            )
        if a.full:
            for eng in (e for e in a.engines.split(",") if e in ("duckdb", "spark")):
                run = full_run(store, eng, tmp / f"full-{label(n)}-{eng}", a.max_mb)
                rows.append(
                    (
                        n,
                        store.name,
                        f"oncometrics compute (all tables), {eng}",
                        run,
                        {},
                        eng,
                    )
                )
        for r in rows:
            if r[0] == n and r[5] in csv and "country table" in r[2]:
                d = max_diff(csv[r[5]], csv.get("pandas", Path("-")))
                r[4]["diff"] = d
    print(f"\n{machine()}\n")
    print(table(rows))


def table(rows: list) -> str:
    """The markdown results table, with speed-up against pandas."""
    pandas = {
        n: r for n, _, what, r, _, eng in rows if eng == "pandas" and r.returncode == 0
    }
    out = [
        "| works | store | run | wall s | in-process compute s | CPU s | peak RSS MB "
        "| vs pandas (wall / CPU) | max abs diff vs pandas | load |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, store, what, r, ph, _ in rows:
        ok = "" if r.returncode == 0 else f" (FAILED rc={r.returncode})"
        comp = f"{ph['compute_s']:,.1f}" if "compute_s" in ph else ""
        speed = (
            f"{pandas[n].seconds / r.seconds:,.1f}× / "
            f"{pandas[n].cpu_seconds / r.cpu_seconds:,.1f}×"
            if n in pandas and not ok
            else ""
        )
        diff = ph.get("diff")
        d = "" if diff is None else f"{diff:.1e}"
        out.append(
            f"| {n:,} | {store} | {what}{ok} | {r.seconds:,.1f} | {comp} | "
            f"{r.cpu_seconds:,.1f} | {r.peak_mb:,.0f} | {speed} | {d} | {r.load:.1f} |"
        )
    return "\n".join(out)


if __name__ == "__main__":
    main()
