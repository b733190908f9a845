"""End to end on a world of OpenAlex JSON: oncometrics against plain pandas.

Issue 17's target: ingest + the country table with oncometrics at least 3×
faster than a plain pandas script reading the same JSON.  Each step is a
fresh niced subprocess measured for wall time, CPU time of its process tree
(ingest workers and DuckDB threads included) and peak RSS (see
``bench/_measure.py``):

* ``oncometrics ingest openalex WORLD --store STORE``: the CLI, into a fresh
  store (``--jobs`` as given; default: the CLI's own, one worker per core);
* the country table: ``bench/_country_table.py STORE duckdb``, the pipeline's
  country-table code path with bootstrap intervals off, as in
  ``bench/bench_compute.py`` (with ``--full``: also the whole
  ``oncometrics compute``, five tables with 1,000 bootstrap resamples);
* ``bench/baseline_pandas_e2e.py WORLD``: ``json.loads`` per line, pandas
  for the rest, one process.

oncometrics' figure is the sum of its two steps (wall and CPU; peak: the
larger).  The two country tables are compared: same countries, and the
largest difference over the indicator and rank columns, relative to
max(1, |value|), must be at most 1e-9 (n/a on both sides counts as equal; n/a
on one side only as a difference of inf).  Prints a markdown table.

Usage::

    python bench/bench_end_to_end.py --world /tmp/world-1m [--jobs 2] [--full]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import Run, machine, measure  # noqa: E402

COMPARE = (
    "p_full",
    "p_frac",
    "share_frac",
    "impact_coverage",
    "mncs",
    "pp_top1",
    "pp_top10",
    "ai",
    "p_all",
    "intl_collab_rate",
    "rank_p_frac",
    "rank_mncs",
    "rank_pp_top1",
    "rank_pp_top10",
)
NICE = 5


def ingest(world: Path, store: Path, jobs: int | None, env: dict[str, str]) -> Run:
    """`oncometrics ingest openalex WORLD --store STORE` into a fresh store."""
    shutil.rmtree(store, ignore_errors=True)
    opt = [] if jobs is None else ["--jobs", str(jobs)]
    cmd = [sys.executable, "-m", "oncometrics.cli", "ingest", "openalex", str(world)]
    return measure([*cmd, "--store", str(store), *opt], env=env, nice=NICE)


def country(store: Path, out: Path, max_mb: float) -> Run:
    """The pipeline's country table (as bench_compute.py runs it)."""
    cmd = [sys.executable, str(HERE / "_country_table.py"), str(store), "duckdb"]
    return measure([*cmd, str(out)], nice=NICE, max_mb=max_mb)


def full_compute(store: Path, out: Path, max_mb: float) -> Run:
    """`oncometrics compute` (every table, bootstrap intervals)."""
    cmd = [sys.executable, "-m", "oncometrics.cli", "compute", "--store", str(store)]
    return measure([*cmd, "--out", str(out)], nice=NICE, max_mb=max_mb)


def pandas_run(world: Path, out: Path, max_mb: float) -> Run:
    """The plain pandas script on the same JSON."""
    cmd = [sys.executable, str(HERE / "baseline_pandas_e2e.py"), str(world)]
    return measure([*cmd, "--out", str(out)], nice=NICE, max_mb=max_mb)


def difference(a: Path, b: Path) -> float:
    """Largest relative difference between two country tables, relative to
    max(1, |value|) (inf: the countries differ, or one side has a figure the
    other has not)."""
    if not (a.exists() and b.exists()):
        return math.inf
    x = pd.read_csv(a, keep_default_na=False, na_values=[""]).set_index("country")
    y = pd.read_csv(b, keep_default_na=False, na_values=[""]).set_index("country")
    if sorted(x.index) != sorted(y.index):
        return math.inf
    cols = [c for c in COMPARE if c in x.columns and c in y.columns]
    xs, ys = x[cols].astype("float64"), y.loc[x.index, cols].astype("float64")
    if (xs.isna() != ys.isna()).any().any():
        return math.inf
    scale = ys.abs().clip(lower=1.0)
    return float(((xs - ys).abs() / scale).max().max())


def total(runs: list[Run]) -> Run:
    """Steps run one after the other: summed time, the largest peak."""
    peak = max(r.peak_mb for r in runs)
    return Run(
        [c for r in runs for c in r.cmd],
        sum(r.seconds for r in runs),
        sum(r.cpu_seconds for r in runs),
        peak,
        peak,
        max(abs(r.returncode) for r in runs),
        "",
        "",
        sum(r.load * r.seconds for r in runs) / max(sum(r.seconds for r in runs), 1e-9),
    )


def table(n: int, rows: list[tuple[str, Run]], pandas: Run | None) -> str:
    """The markdown table; ratios are pandas' time over each row's."""
    out = [
        "| step | wall s | CPU s | works per CPU-s | peak RSS MB | pandas / this "
        "(wall, CPU) | load |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for what, r in rows:
        ok = "" if r.returncode == 0 else f" (FAILED rc={r.returncode})"
        ratio = (
            f"{pandas.seconds / r.seconds:.2f}× / "
            f"{pandas.cpu_seconds / r.cpu_seconds:.2f}×"
            if pandas and pandas.returncode == 0 and not ok
            else ""
        )
        out.append(
            f"| {what}{ok} | {r.seconds:,.1f} | {r.cpu_seconds:,.1f} | "
            f"{n / max(r.cpu_seconds, 1e-9):,.0f} | {r.peak_mb:,.0f} | {ratio} "
            f"| {r.load:.1f} |"
        )
    return "\n".join(out)


def works_read(run: Run) -> int:
    """Works read by the ingest (its summary line), 0 if not found."""
    found = re.findall(r"^read ([\d,]+) = stored", run.stdout, re.MULTILINE)
    return int(found[-1].replace(",", "")) if found else 0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="End to end: oncometrics vs pandas.")
    ap.add_argument("--world", type=Path, required=True,
                    help="snapshot folder (generate_world.py's output)")  # fmt: skip
    ap.add_argument("--store", type=Path, default=None,
                    help="store folder to (re)create (default: a temporary one)")  # fmt: skip
    ap.add_argument("--jobs", type=int, default=None, help="`ingest --jobs`")
    ap.add_argument("--ingest-env", action="append", default=[],
                    help="KEY=VALUE for the ingest (e.g. a setting)")  # fmt: skip
    ap.add_argument("--full", action="store_true",
                    help="also time the whole `oncometrics compute`")  # fmt: skip
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument("--pandas-csv", type=Path, default=None,
                    help="the pandas table of an earlier run (not re-timed)")  # fmt: skip
    ap.add_argument("--max-mb", type=float, default=16000,
                    help="kill a run whose process tree exceeds this RSS")  # fmt: skip
    ap.add_argument("--keep-store", action="store_true")
    a = ap.parse_args(argv)
    print(f"machine: {machine()}", file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    store = a.store or tmp / "store"
    env = dict(kv.split("=", 1) for kv in a.ingest_env)
    ours = tmp / "oncometrics.csv"
    theirs = a.pandas_csv or tmp / "pandas.csv"
    steps = [(f"oncometrics ingest openalex --jobs {a.jobs or 'default'}"
              + "".join(f" ({k}={v})" for k, v in env.items()),
              ingest(a.world, store, a.jobs, env))]  # fmt: skip
    if steps[0][1].returncode != 0:  # no table from a failed ingest
        print(table(works_read(steps[0][1]), steps, None))
        raise SystemExit("the ingest failed")
    steps.append(
        ("country table (DuckDB, bootstrap off)", country(store, ours, a.max_mb))
    )
    rows = [
        *steps,
        ("**oncometrics: ingest + country table**", total([r for _, r in steps])),
    ]
    if a.full:
        run = full_compute(store, tmp / "full", a.max_mb)
        rows.append(("oncometrics compute (all tables, 1,000 resamples)", run))
        rows.append(("**oncometrics: ingest + compute**", total([steps[0][1], run])))
    pandas = None if a.skip_pandas else pandas_run(a.world, theirs, a.max_mb)
    if pandas is not None:
        rows.append(("**pandas script (baseline_pandas_e2e.py)**", pandas))
    n = works_read(steps[0][1])
    if not a.keep_store and a.store is None:
        shutil.rmtree(store, ignore_errors=True)
    print(f"\n{machine()}\n\n{n:,} works (`{a.world.name}`)\n")
    print(table(n, rows, pandas))
    if pandas is not None and pandas.returncode == 0:
        phases = json.loads(pandas.stdout.strip().splitlines()[-1])
        print(f"\npandas script, in process: reading {phases['read_s']:.1f} s, "
              f"country table {phases['table_s']:.1f} s (wall)")  # fmt: skip
    diff = difference(ours, theirs)
    print(f"\ncountry tables: largest relative difference {diff:.1e} ({tmp})")
    if not diff <= 1e-9:
        raise SystemExit("the two country tables differ")


if __name__ == "__main__":
    main()
