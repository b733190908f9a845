"""Spark ingest throughput: ``oncometrics ingest openalex … --engine spark``.

Each run is a fresh subprocess (niced) starting its own local Spark session
(``--spark-master local[N]``) on a fresh store; wall time, the CPU time of
the whole process tree (the Python driver *and* the JVM next to it) and the
peak summed RSS are measured (``bench/_measure.py``).  The works counted
are the records read, from the summary line.  Prints a markdown table and
the scaling from the first master to the last.

Usage::

    python bench/generate_world.py --works 1e6 --out bench/out/world-1m
    python bench/bench_ingest_spark.py --world bench/out/world-1m \\
        --masters 'local[1],local[2]' [--parts 2]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Run, machine, measure
from bench_ingest import fresh_ingest_command

#: Spark settings of the runs, as tests/conftest.py sets them for small
#: data (they cost nothing on large data: few, large stages).
SPARK_ARGS = "--driver-memory 2g pyspark-shell"


def spark_run(parts: list[Path], store: Path, master: str) -> tuple[int, Run]:
    """Ingest `parts` into a fresh `store` on `master`: (works read, run)."""
    cmd = fresh_ingest_command(
        parts, store, "--engine", "spark", "--spark-master", master
    )
    run = measure(cmd, env={"PYSPARK_SUBMIT_ARGS": SPARK_ARGS})
    found = re.search(r"^read ([\d,]+) = ", run.stdout, re.M)
    works = int(found.group(1).replace(",", "")) if found else 0
    return works, run


def table(rows: list[tuple[str, int, Run]]) -> str:
    """The markdown table of results."""
    lines = [
        "| master | works | wall s | CPU s (tree) | works per CPU-s | works/s "
        "| peak RSS MB | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for master, n, r in rows:
        ok = "" if r.returncode == 0 else " (FAILED)"
        lines.append(
            f"| {master}{ok} | {n:,} | {r.seconds:,.1f} | {r.cpu_seconds:,.1f} | "
            f"{n / max(r.cpu_seconds, 1e-9):,.0f} | {n / r.seconds:,.0f} | "
            f"{r.peak_mb:,.0f} | {r.load:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--world", type=Path, required=True)
    ap.add_argument("--masters", default="local[1],local[2]")
    ap.add_argument("--parts", type=int, default=0, help="first N parts only")
    ap.add_argument("--store", type=Path, default=Path("bench/out/store-spark"))
    a = ap.parse_args(argv)
    parts = sorted(
        p for p in a.world.rglob("part_*") if p.name.endswith((".gz", ".jsonl"))
    )
    parts = parts[: a.parts] if a.parts else parts
    size = sum(p.stat().st_size for p in parts)
    print(f"{machine()}\n{len(parts)} parts, {size / 1e6:,.0f} MB gzipped")
    rows = []
    for master in a.masters.split(","):
        n, run = spark_run(parts, a.store, master)
        rows.append((master, n, run))
    print(table(rows))
    if len(rows) > 1 and rows[0][2].seconds and rows[-1][2].seconds:
        first, last = rows[0][2], rows[-1][2]
        print(
            f"scaling {rows[0][0]} -> {rows[-1][0]}: wall x"
            f"{first.seconds / last.seconds:.2f}, CPU x"
            f"{last.cpu_seconds / max(first.cpu_seconds, 1e-9):.2f}"
        )
    shutil.rmtree(a.store, ignore_errors=True)


if __name__ == "__main__":
    main()
