"""Timings that used to be asserted in tests: affiliation parsing, report build.

    python bench/bench_parse_report.py

Prints the time per uncached affiliation address (the hand-labelled table
``tests/data/countries/addresses.csv``, 20 variants of each) and the time to
write the report of the synthetic 200-country store of
``tests/test_report_size.py``.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oncometrics.config import load_config  # noqa: E402
from oncometrics.countries import country_from_affiliation  # noqa: E402
from oncometrics.report import write_report  # noqa: E402
from tests.test_report_size import synthetic_store  # noqa: E402

ADDRESSES = ROOT / "tests" / "data" / "countries" / "addresses.csv"


def affiliation_seconds() -> float:
    """Seconds per uncached address."""
    with open(ADDRESSES, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [f"{r['address']} #{i}" for i in range(20) for r in rows]
    t0 = time.perf_counter()
    for t in texts:
        country_from_affiliation(t)
    return (time.perf_counter() - t0) / len(texts)


def report_seconds() -> float:
    """Seconds to write the 200-country report (HTML and workbook)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = synthetic_store(Path(tmp) / "store")
        t0 = time.perf_counter()
        write_report(store, Path(tmp) / "out", config=load_config(period="2014-2023"),
                     indicators=store / "indicators", log=lambda m: None)  # fmt: skip
        return time.perf_counter() - t0


if __name__ == "__main__":
    print("| measure | value |\n|---|---|")
    print(f"| affiliation parse, per address | {affiliation_seconds() * 1e6:.0f} µs |")
    print(f"| report, 200 countries | {report_seconds():.1f} s |")
