"""Where ingest time goes: CPU seconds per stage on one snapshot part.

Runs, in one process, successively more of the ingest path on the same file
and reports CPU time (``time.process_time``, so other load on the machine
does not count) and works per CPU-second:

1. gunzip + split lines (``open_input``);
2. + ``orjson.loads`` of every line;
3. + the OpenAlex parser (``oncometrics.sources.openalex.parse``), with the
   affiliation-text country parser switched off;
4. + the affiliation-text country parser (the parser as shipped);
5. the whole ``Store.ingest`` (parse, stage Parquet, dedup, commit).

Then it splits the store's work in two, staging (what a worker process does
with ``ingest --jobs N``: parse, buffer, staged Parquet) and commit (what the
parent does, serially: DuckDB dedup and the ``COPY`` of ten tables), and
times the ``COPY`` alone with each Parquet compression (the store uses ZSTD).

With ``--cprofile`` it also prints the top functions of stage 5.

Usage::

    python bench/profile_ingest.py bench/out/world-1m/data/works/updated_date=2025-01-14/part_000.gz
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import orjson

from oncometrics.schema import TABLES
from oncometrics.sources import get_source, openalex
from oncometrics.sources.base import open_input
from oncometrics.store import _REC, Store, _list, _stage_file


def _cpu(fn: Callable[[], int]) -> tuple[float, int]:
    t0 = time.process_time()
    n = fn()
    return time.process_time() - t0, n


def lines(path: Path) -> int:
    with open_input(path) as fh:
        return sum(1 for _ in fh)


def loads(path: Path) -> int:
    n = 0
    with open_input(path) as fh:
        for line in fh:
            orjson.loads(line)
            n += 1
    return n


def parse(path: Path, affiliations: bool) -> int:
    saved = openalex._affiliation_parser
    if not affiliations:
        openalex._affiliation_parser = lambda: None  # type: ignore[assignment]
    try:
        return sum(1 for _ in openalex.parse(path))
    finally:
        openalex._affiliation_parser = saved  # type: ignore[assignment]


def ingest(path: Path) -> int:
    root = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    try:
        res = Store(root).ingest("openalex", [path], log=lambda m: None)
        return res.total("read")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def split(path: Path) -> None:
    """CPU of staging vs commit, and of the COPY alone per compression."""
    root = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    try:
        store, spec = Store(root), get_source("openalex")
        t0 = time.process_time()
        staged = _stage_file(root, spec, path, 0, {}, lambda m: None, None)
        t1 = time.process_time()
        n = staged.res.read
        store._finish(spec, staged, lambda m: None)
        t2 = time.process_time()
        print("\n| store step | CPU s | µs per work |\n|---|---:|---:|")
        print(f"| staging (worker) | {t1 - t0:.2f} | {(t1 - t0) / n * 1e6:.1f} |")
        print(f"| commit (parent) | {t2 - t1:.2f} | {(t2 - t1) / n * 1e6:.1f} |")
        staged = _stage_file(root, spec, path, 1, {}, lambda m: None, None)
        print("\n| COPY of the staged tables | CPU s | µs per work | MB |")
        print("|---|---:|---:|---:|")
        for comp in ("ZSTD", "LZ4", "SNAPPY", "ZSTD"):
            out = root / f"copy-{comp}"
            out.mkdir(exist_ok=True)
            con = duckdb.connect()
            t0 = time.process_time()
            for table in TABLES:
                files = sorted((staged.staging / table).glob("*.parquet"))
                if files:
                    con.execute(
                        f"COPY (SELECT * EXCLUDE ({_REC}) FROM "
                        f"read_parquet({_list(files)})) TO '{out / table}.parquet' "
                        f"(FORMAT PARQUET, COMPRESSION {comp})"
                    )
            dt = time.process_time() - t0
            con.close()
            mb = sum(f.stat().st_size for f in out.iterdir()) / 1e6
            print(f"| {comp} | {dt:.2f} | {dt / n * 1e6:.1f} | {mb:.1f} |")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="CPU time per ingest stage.")
    ap.add_argument("part", type=Path)
    ap.add_argument("--cprofile", action="store_true")
    a = ap.parse_args(argv)
    stages = [
        ("gunzip + split lines", lambda: lines(a.part)),
        ("+ orjson.loads", lambda: loads(a.part)),
        ("+ parser, no affiliation-text countries", lambda: parse(a.part, False)),
        (
            "+ affiliation-text countries (parser as shipped)",
            lambda: parse(a.part, True),
        ),
        ("Store.ingest (parse + stage + dedup + commit)", lambda: ingest(a.part)),
    ]
    print("| stage | CPU s | works per CPU-s |\n|---|---:|---:|")
    for name, fn in stages:
        secs, n = _cpu(fn)
        print(f"| {name} | {secs:.2f} | {n / secs:,.0f} |", flush=True)
    split(a.part)
    if a.cprofile:
        prof = cProfile.Profile()
        prof.runcall(ingest, a.part)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(20)
        print(buf.getvalue())


if __name__ == "__main__":
    main()
