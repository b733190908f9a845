"""Bounded load test of the dashboard API on loopback.

    python bench/bench_web.py [--store STORE] [--requests 2000] [--concurrency 20]

Starts ``oncometrics serve`` in a subprocess on 127.0.0.1 (a free port), sends
a fixed number of requests (a mix of table pages, filtered/sorted queries and
CSV downloads) with a fixed concurrency, and prints a markdown table of
latency percentiles and errors.  Without --store it serves the test fixture
tables.  Traffic never leaves the loopback interface; the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PATHS = (
    "/api/v1/tables",
    "/api/v1/tables/publications_by_country?sort=mncs&order=desc&limit=5",
    "/api/v1/tables/publications_by_country?country=FR",
    "/api/v1/tables/publications_by_country_year?country=FR&period=2019-2020",
    "/api/v1/tables/publications_by_country/csv",
    "/api/v1/tables/publications_by_country?limit=100000",  # refused: 400
)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _run(
    base: str, n: int, concurrency: int
) -> tuple[list[float], dict[int, int], int]:
    lat: list[float] = []
    codes: dict[int, int] = {}
    errors = 0
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:

        async def one(i: int) -> None:
            nonlocal errors
            async with sem:
                t0 = time.perf_counter()
                try:
                    r = await client.get(PATHS[i % len(PATHS)])
                    codes[r.status_code] = codes.get(r.status_code, 0) + 1
                except httpx.HTTPError:
                    errors += 1
                lat.append(time.perf_counter() - t0)

        await asyncio.gather(*(one(i) for i in range(n)))
    return lat, codes, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=20)
    args = ap.parse_args()
    store = args.store
    if store is None:
        sys.path.insert(0, str(ROOT))
        from tests.web_fixtures import make_store

        store = make_store(Path(tempfile.mkdtemp(prefix="om-bench-web-")))
    port = _port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oncometrics.cli",
            "serve",
            "--store",
            str(store),
            "--port",
            str(port),
        ],
        env={**os.environ},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/api/v1/tables", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        t0 = time.perf_counter()
        lat, codes, errors = asyncio.run(_run(base, args.requests, args.concurrency))
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)
    q = statistics.quantiles(sorted(lat), n=100)
    print(
        "| requests | concurrency | errors | 5xx | status codes | req/s | p50 ms | p95 ms | p99 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    five = sum(v for k, v in codes.items() if k >= 500)
    print(
        f"| {args.requests} | {args.concurrency} | {errors} | {five} | "
        f"{dict(sorted(codes.items()))} | {args.requests / wall:.0f} | "
        f"{q[49] * 1000:.1f} | {q[94] * 1000:.1f} | {q[98] * 1000:.1f} |"
    )


if __name__ == "__main__":
    main()
