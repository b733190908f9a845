"""A bounded load on loopback: concurrent requests, no errors, no 5xx.

Latency is measured by bench/bench_web.py (docs/benchmarks.md), never
asserted here.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.web_fixtures import server  # noqa: F401 - fixture

PATHS = (
    "/api/v1/tables/publications_by_country?sort=mncs&order=desc&limit=5",
    "/api/v1/tables/publications_by_country_year?country=FR&period=2019-2020",
    "/api/v1/tables/trials_by_country/csv",
    "/api/v1/tables/publications_by_country?limit=100000",
)


@pytest.mark.slow
def test_bounded_concurrent_load(server: str) -> None:
    async def run() -> list[int]:
        sem = asyncio.Semaphore(20)
        async with httpx.AsyncClient(base_url=server, timeout=10) as client:

            async def one(i: int) -> int:
                async with sem:
                    return (await client.get(PATHS[i % len(PATHS)])).status_code

            return list(await asyncio.gather(*(one(i) for i in range(400))))

    codes = asyncio.run(run())
    assert len(codes) == 400
    assert {c for c in codes} == {200, 400}
    assert codes.count(400) == 100
