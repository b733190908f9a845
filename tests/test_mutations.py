"""Tests that kill mutations found by hand (issue 13): each pins a fact no
other test pinned, derived independently of the code (closed forms)."""

from __future__ import annotations

from math import comb, sqrt
from statistics import NormalDist
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest

from oncometrics.indicators.output import growth_rate
from oncometrics.indicators.stability import stability_intervals

N = 40  # works of the actor: 20 in the top 10 %, 20 not


def _works() -> pd.DataFrame:
    y = np.tile([0.0, 1.0], N // 2)
    return pd.DataFrame(
        {
            "actor": "FR",
            "work_id": [f"W{i:02d}" for i in range(N)],
            "weight": 1.0,
            "ncs": y,
            "top1_share": y,
            "top10_share": y,
        }
    )


def _binomial_quantile(q: float) -> float:
    """The q-quantile of Bin(N, 1/2) / N: a resampled share of 20 of N works."""
    cdf = 0.0
    for k in range(N + 1):
        cdf += comb(N, k) / 2**N
        if cdf >= q:
            return k / N
    raise AssertionError


def test_bootstrap_interval_is_95_percent() -> None:
    """Percentile bootstrap of a 0/1 mean = quantiles of Bin(40, 1/2) / 40.

    At 95 % that is [0.35, 0.65]; a 90 % interval would be [0.375, 0.625].
    """
    iv = stability_intervals(_works(), resamples=20_000, seed=7, exact_max=10_000)
    row = iv.iloc[0]
    lo, hi = _binomial_quantile(0.025), _binomial_quantile(0.975)
    assert (lo, hi) == (0.35, 0.65)
    assert (row.pp_top10_lo, row.pp_top10_hi) == pytest.approx((lo, hi), abs=1e-12)
    assert (row.pp_top1_lo, row.pp_top1_hi) == pytest.approx((lo, hi), abs=1e-12)
    assert (row.mncs_lo, row.mncs_hi) == pytest.approx((lo, hi), abs=1e-12)


def test_normal_interval_is_95_percent() -> None:
    """Above exact_max: mean ± z(0.975) · sd / √n, sd of 0/1 halves = 1/2."""
    iv = stability_intervals(_works(), resamples=100, exact_max=1)
    half = NormalDist().inv_cdf(0.975) * 0.5 / sqrt(N)
    row = iv.iloc[0]
    for lo, hi in (
        (row.pp_top10_lo, row.pp_top10_hi),
        (row.pp_top1_lo, row.pp_top1_hi),
    ):
        assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-12)


def test_growth_is_null_across_a_gap_year(con: Any) -> None:
    """2018 → 2020 is not a year-on-year growth; 2020 → 2021 is."""
    t = ibis.memtable(
        {
            "actor": ["FR", "FR", "FR", "DE"],
            "publication_year": [2018, 2020, 2021, 2021],
            "p_frac": [10.0, 20.0, 30.0, 5.0],
        }
    )
    got = con.to_pyarrow(growth_rate(t)).to_pylist()
    growth = {(r["actor"], r["publication_year"]): r["growth_p_frac"] for r in got}
    assert growth[("FR", 2018)] is None and growth[("DE", 2021)] is None
    assert growth[("FR", 2020)] is None  # previous row is 2018: a gap
    assert growth[("FR", 2021)] == pytest.approx(0.5)
