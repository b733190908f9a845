"""Unit matching alone: strings per CPU second over a store's affiliations.

Runs what ``oncometrics portfolio`` runs per distinct affiliation string,
``Matcher.match_parts`` and ``Matcher.names_organisation``, over every
distinct affiliation string of a store (read straight from its Parquet
files, so that stores of older code versions can be read too), best of
``--passes`` passes, CPU time of this process.  Uses only the matcher's
public API, so the same script times an older copy of the code
(``PYTHONPATH=OLD_COPY python bench/match_speed.py …``).

Usage::

    python bench/match_speed.py STORE --units oncometrics/data/portfolio/units.csv
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from oncometrics.portfolio.matching import Matcher
from oncometrics.portfolio.registry import load_units


def distinct_strings(store: Path) -> list[str]:
    """Distinct non-null affiliation strings of `store`, sorted."""
    files = sorted(str(p) for p in store.glob("**/affiliations/**/*.parquet"))
    if not files:
        raise SystemExit(f"{store}: no affiliations Parquet files")
    rows = duckdb.sql(
        "SELECT DISTINCT affiliation FROM read_parquet($files) "
        "WHERE affiliation IS NOT NULL ORDER BY 1",
        params={"files": files},
    ).fetchall()
    return [r[0] for r in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--units", type=Path, required=True)
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    strings = distinct_strings(args.store)
    units = load_units(args.units)
    best = float("inf")
    for _ in range(args.passes):
        matcher = Matcher(units)  # nothing remembered from the last pass
        t0 = time.process_time()
        for s in strings:
            matcher.match_parts(s)
            matcher.names_organisation(s)
        best = min(best, time.process_time() - t0)
    print(
        f"{len(strings):,} strings: best of {args.passes} {best:.2f} CPU s, "
        f"{len(strings) / best:,.0f} strings per CPU-second"
    )


if __name__ == "__main__":
    main()
