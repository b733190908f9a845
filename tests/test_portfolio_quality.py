"""Matching quality on hand-labelled real affiliation strings.

``tests/data/portfolio/affiliation_labels.csv`` holds 226 distinct raw
affiliation strings taken from the real samples (PubMed XML, MEDLINE text,
Web of Science C1, OpenAlex raw_affiliation_strings), each labelled *by
reading it* with the units of the example registry it names (``|``-joined,
empty = none).  Precision and recall are counted over (string, unit) pairs.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from oncometrics.portfolio.matching import Matcher
from oncometrics.portfolio.registry import load_units

ROOT = Path(__file__).parent
LABELS = ROOT / "data" / "portfolio" / "affiliation_labels.csv"
UNITS = ROOT.parent / "oncometrics" / "data" / "portfolio" / "units.csv"


def _labels() -> list[tuple[str, set[str]]]:
    with LABELS.open(encoding="utf-8", newline="") as fh:
        return [
            (r["affiliation"], {u for u in r["units"].split("|") if u})
            for r in csv.DictReader(fh)
        ]


def _score(matcher: Matcher) -> tuple[float, float, int, int, int]:
    tp = fp = fn = 0
    for text, gold in _labels():
        got = {m.unit_code for m in matcher.match(text)}
        tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, tp / (tp + fn), tp, fp, fn


def test_label_set_is_large_and_real() -> None:
    labels = _labels()
    assert len(labels) >= 200
    assert len({t for t, _ in labels}) == len(labels)
    assert sum(1 for _, g in labels if g) >= 40
    known = {u.code for u in load_units(UNITS)}
    assert set().union(*(g for _, g in labels)) <= known


def test_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    units = load_units(UNITS)
    full = _score(Matcher(units))
    codes_only = _score(
        Matcher(tuple(replace(u, patterns=(), name=u.code) for u in units))
    )
    no_patterns = _score(Matcher(tuple(replace(u, patterns=()) for u in units)))
    with capsys.disabled():
        for label, (p, r, tp, fp, fn) in (
            ("example registry", full),
            ("codes only", codes_only),
            ("codes + names (no patterns)", no_patterns),
        ):
            print(
                f"\nportfolio matching, {label}: precision {p:.3f} recall {r:.3f} "
                f"(tp {tp}, fp {fp}, fn {fn})"
            )
    assert full[0] >= 0.95
    assert full[1] >= 0.9
    # the lab codes alone never produce a false positive on the real strings
    assert codes_only[3] == 0
