"""Ingest throughput: ``oncometrics ingest openalex`` vs DuckDB's own JSON reader.

Every run is a fresh subprocess (niced) whose wall time, CPU time and peak
memory are measured (see ``bench/_measure.py``).  Prints a markdown table.

* ``oncometrics ingest``: the CLI, through ``Store.ingest`` (parse, stage,
  deduplicate, write Parquet), once per ``--jobs`` value: with ``--jobs 1``
  one process parses (single-threaded Python); with ``--jobs N`` N worker
  processes parse and stage files while the CLI process commits them in
  order.  DuckDB threads are used only for the per-file dedup/commit step.
  CPU time includes the workers; peak RSS is that of the whole process tree.
* DuckDB ``read_ndjson_objects`` + ``count(*)``: decompression and line
  splitting only (a floor for any reader).
* DuckDB ``read_json`` + aggregates over nested fields: full JSON parsing.
* DuckDB ``read_json`` → Parquet (``COPY``): parse and write, the closest
  analogue of an ingest (no dedup, no flattening into canonical tables).

Usage::

    python bench/generate_world.py --works 1e6 --out bench/out/world-1m
    python bench/bench_ingest.py --world bench/out/world-1m --works 1e6 --jobs 1,2
    python bench/bench_ingest.py --world bench/out/world-1m --works 1e6 --jobs 2 \
        --bulk 0,1 --threads 1      # issue 17: the bulk path against the parser
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Run, machine, measure

DUCK = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads = {threads}")
con.execute("SET preserve_insertion_order = false")
print(con.execute(sys.argv[1]).fetchall())
"""

QUERIES = {
    "DuckDB read_ndjson_objects count(*)": "SELECT count(*) FROM read_ndjson_objects({glob})",
    "DuckDB read_json + aggregates": "SELECT count(*), sum(cited_by_count), sum(len(authorships)), "
    "count(DISTINCT primary_topic.subfield.id) "
    "FROM read_json({glob}, format='newline_delimited', "
    "maximum_object_size=104857600)",
    "DuckDB read_json -> Parquet": "COPY (SELECT * FROM read_json({glob}, format='newline_delimited', "
    "maximum_object_size=104857600)) TO '{tmp}' (FORMAT PARQUET)",
}


def ingest_run(
    parts: list[Path], store: Path, jobs: int | None = None, bulk: bool = False
) -> Run:
    """Time the CLI ingest of the snapshot `parts` into a fresh store.

    `bulk`: with the setting ``bulk_ingest`` on (DuckDB + the Ibis
    flattening, :mod:`oncometrics.sources.openalex_bulk`), else off.
    """
    opt = [] if jobs is None else ["--jobs", str(jobs)]
    cmd = fresh_ingest_command(parts, store, *opt)
    return measure(cmd, env={"ONCOMETRICS_BULK_INGEST": "1" if bulk else "0"})


def fresh_ingest_command(parts: list[Path], store: Path, *options: str) -> list[str]:
    """The CLI ingest of the snapshot `parts` into `store` (removed first)."""
    shutil.rmtree(store, ignore_errors=True)
    cli = [sys.executable, "-m", "oncometrics.cli", "ingest", "openalex"]
    return [*cli, *map(str, parts), "--store", str(store), *options]


def duck_runs(
    parts: list[Path], threads: list[int], tmp: Path
) -> list[tuple[str, int, Run]]:
    """Time each DuckDB query at each thread count."""
    glob = "[" + ", ".join(f"'{p}'" for p in parts) + "]"
    out = []
    for name, sql in QUERIES.items():
        for t in threads:
            target = tmp / "duck.parquet"
            target.unlink(missing_ok=True)
            run = measure(
                [
                    sys.executable,
                    "-c",
                    DUCK.format(threads=t),
                    sql.format(glob=glob, tmp=target),
                ]
            )
            out.append((name, t, run))
            target.unlink(missing_ok=True)
    return out


def table(n: int, rows: list[tuple[str, int, Run]]) -> str:
    """The markdown table of results."""
    head = (
        "| reader | threads / jobs | wall s | CPU s | works/s | works per CPU-s "
        "| peak RSS MB | load |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for name, t, r in rows:
        ok = "" if r.returncode == 0 else " (FAILED)"
        lines.append(
            f"| {name}{ok} | {t} | {r.seconds:,.1f} | {r.cpu_seconds:,.1f} | "
            f"{n / r.seconds:,.0f} | {n / max(r.cpu_seconds, 1e-9):,.0f} | "
            f"{r.peak_mb:,.0f} | {r.load:.1f} |"
        )
    return "\n".join(lines)


def count_works(parts: list[Path]) -> int:
    """Lines in the gzipped parts (one work per line)."""
    n = 0
    for p in parts:
        with gzip.open(p, "rb") as fh:
            n += sum(1 for _ in fh)
    return n


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Ingest throughput benchmark.")
    ap.add_argument("--world", type=Path, required=True,
                    help="output folder of generate_world.py")  # fmt: skip
    ap.add_argument("--works", type=float, default=None,
                    help="works in the parts read (default: count them)")  # fmt: skip
    ap.add_argument("--parts", type=int, default=None,
                    help="read only the first N part files")  # fmt: skip
    ap.add_argument("--store", type=Path, default=None,
                    help="store folder to (re)create (default WORLD-store)")  # fmt: skip
    ap.add_argument("--threads", default="1,2", help="DuckDB thread counts")
    ap.add_argument("--jobs", default="1",
                    help="comma-separated `ingest --jobs` values; 'default' "
                    "runs without the option")  # fmt: skip
    ap.add_argument("--keep-store", action="store_true",
                    help="keep the (last) store instead of deleting it")  # fmt: skip
    ap.add_argument("--bulk", default="0",
                    help="comma-separated bulk_ingest values to run: 0 (Python "
                    "parser), 1 (DuckDB bulk path), e.g. 0,1")  # fmt: skip
    ap.add_argument("--skip-ours", action="store_true")
    ap.add_argument("--skip-duckdb", action="store_true")
    a = ap.parse_args(argv)
    parts = sorted((a.world / "data" / "works").rglob("part_*.gz"))[: a.parts]
    n = int(a.works) if a.works else count_works(parts)
    store = a.store or a.world.with_name(a.world.name + "-store")
    gz = sum(p.stat().st_size for p in parts)
    print(f"machine: {machine()}", file=sys.stderr)
    rows: list[tuple[str, int, Run]] = []
    if not a.skip_ours:
        for bulk in (b == "1" for b in a.bulk.split(",")):
            for j in a.jobs.split(","):
                jobs = None if j == "default" else int(j)
                run = ingest_run(parts, store, jobs, bulk)
                label = "default" if jobs is None else str(jobs)
                n_jobs = jobs or min(len(parts), os.cpu_count() or 1)
                mode = " (bulk_ingest on)" if bulk else ""
                rows.append(
                    (f"oncometrics ingest openalex --jobs {label}{mode}", n_jobs, run)
                )
                tail = run.stdout.strip().splitlines()
                print(tail[-1] if tail else "", file=sys.stderr)
        if not a.keep_store:
            shutil.rmtree(store, ignore_errors=True)
    if not a.skip_duckdb:
        threads = [int(t) for t in a.threads.split(",")]
        rows.extend(duck_runs(parts, threads, store.parent))
    print(f"\n{n:,} works in {len(parts)} part(s), {gz / 1e9:.2f} GB gzipped JSON "
          f"Lines\n")  # fmt: skip
    print(table(n, rows))


if __name__ == "__main__":
    main()
