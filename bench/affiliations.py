"""Affiliation reading: precision/recall on the labelled real strings, and speed.

The labelled sets are ``tests/data/affiliations/countries.jsonl`` (real
affiliation strings, each labelled by hand with the countries it names) and
``tests/data/affiliations/units.jsonl`` (real strings labelled with the units
of the example registry ``oncometrics/data/portfolio/units.csv`` they name);
``tests/data/affiliations/README.md`` says where they come from and how they
were labelled.  Precision and recall are counted over (string, country) and
(string, unit) pairs.

``--speed`` also times the two hot loops of ingest and portfolio on the same
strings (caches cleared before each pass, best of five passes, CPU time): strings per second of
``countries_in_affiliation`` and of ``Matcher.match``.

Usage::

    python bench/affiliations.py            # precision / recall, misses listed
    python bench/affiliations.py --speed    # + throughput
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oncometrics import countries  # noqa: E402
from oncometrics.portfolio.matching import Matcher  # noqa: E402
from oncometrics.portfolio.registry import load_units  # noqa: E402

DATA = ROOT / "tests" / "data" / "affiliations"
UNITS = ROOT / "oncometrics" / "data" / "portfolio" / "units.csv"


def load(name: str) -> list[dict[str, object]]:
    """Rows of one labelled JSON Lines file."""
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(
    rows: Iterable[dict[str, object]], key: str, predict: Callable[[str], set[str]]
) -> tuple[int, int, int, list[str]]:
    """(true positives, false positives, false negatives, misses as lines)."""
    tp = fp = fn = 0
    misses: list[str] = []
    for r in rows:
        gold = set(r[key])  # type: ignore[call-overload]
        got = predict(str(r["text"]))
        tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
        if got != gold:
            text = " ".join(str(r["text"]).split())[:160]
            misses.append(f"{r['id']}: gold {sorted(gold)} got {sorted(got)} | {text}")
    return tp, fp, fn, misses


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.4f}" if b else "n/a (no pairs)"


def report(name: str, n: int, counts: tuple[int, int, int, list[str]]) -> None:
    tp, fp, fn, misses = counts
    print(
        f"| {name} | {n} | {tp + fn} | {tp} | {fp} | {fn} "
        f"| {_ratio(tp, tp + fp)} | {_ratio(tp, tp + fn)} |"
    )
    for line in misses:
        print(f"    {line}", file=sys.stderr)


def throughput(
    texts: list[str], fn: Callable[[str], object], clear: Callable[[], None]
) -> float:
    """Strings per CPU second of `fn` over `texts`: best of 5 passes.

    CPU time (``time.process_time``) and the best pass, because the
    machine is shared: wall time would measure the neighbours.
    """
    best = float("inf")
    for _ in range(5):
        clear()
        start = time.process_time()
        for t in texts:
            fn(t)
        best = min(best, time.process_time() - start)
    return len(texts) / best


def _clear_country_caches() -> None:
    for f in (countries._countries_in_affiliation, countries.country_code):
        f.cache_clear()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--speed", action="store_true", help="also time the loops")
    args = parser.parse_args(argv)
    crows, urows = load("countries.jsonl"), load("units.jsonl")
    matcher = Matcher(load_units(UNITS))

    def place(text: str) -> set[str]:
        return set(countries.countries_in_affiliation(text, hk_macao_to_cn=False))

    def units(text: str) -> set[str]:
        return {m.unit_code for m in matcher.match(text)}

    print("| set | strings | labelled pairs | TP | FP | FN | precision | recall |")
    print("|---|---|---|---|---|---|---|---|")
    report("countries", len(crows), score(crows, "countries", place))
    report("units", len(urows), score(urows, "units", units))
    if args.speed:
        ctexts = [str(r["text"]) for r in crows]
        utexts = [str(r["text"]) for r in urows]
        c = throughput(ctexts, place, _clear_country_caches)
        u = throughput(utexts, units, lambda: None)
        print(
            f"\ncountries_in_affiliation: {c:,.0f} strings/s (uncached, per CPU second)"
        )
        print(f"Matcher.match: {u:,.0f} strings/s (per CPU second)")


if __name__ == "__main__":
    main()
