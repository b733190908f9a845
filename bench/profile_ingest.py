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

import orjson

from oncometrics.sources import openalex
from oncometrics.sources.base import open_input
from oncometrics.store import Store


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
    if a.cprofile:
        prof = cProfile.Profile()
        prof.runcall(ingest, a.part)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(20)
        print(buf.getvalue())


if __name__ == "__main__":
    main()
