"""Bootstrap stability intervals: reproducible, order-free, approximation sound."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncometrics.indicators.stability import INTERVAL_COLUMNS, stability_intervals


def _frame(n: int, actor: str = "FR", seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "actor": actor,
        "work_id": [f"W{i:06d}" for i in range(n)],
        "weight": rng.choice([0.25, 0.5, 1.0], n),
        "ncs": rng.exponential(size=n),
        "top1_share": (rng.random(n) < 0.01).astype(float),
        "top10_share": (rng.random(n) < 0.1).astype(float),
    })  # fmt: skip


def test_reproducible_and_independent_of_row_order_and_other_actors() -> None:
    fr = _frame(300)
    a = stability_intervals(fr, seed=7)
    shuffled = pd.concat([_frame(50, "US", 1), fr]).sample(frac=1, random_state=3)
    b = stability_intervals(shuffled, seed=7).set_index("actor").loc[["FR"]]
    b = b[list(INTERVAL_COLUMNS)]
    np.testing.assert_array_equal(a[list(INTERVAL_COLUMNS)].to_numpy(), b.to_numpy())
    c = stability_intervals(fr, seed=8)
    assert not np.array_equal(a[list(INTERVAL_COLUMNS)], c[list(INTERVAL_COLUMNS)])


def test_interval_brackets_the_point_estimate() -> None:
    fr = _frame(400)
    iv = stability_intervals(fr).iloc[0]
    mncs = (fr.weight * fr.ncs).sum() / fr.weight.sum()
    assert iv.mncs_lo < mncs < iv.mncs_hi
    assert iv.mncs_hi - iv.mncs_lo < 0.5


def test_normal_approximation_matches_bootstrap_for_large_n() -> None:
    fr = _frame(6000)
    exact = stability_intervals(fr, exact_max=10_000, resamples=1000).iloc[0]
    approx = stability_intervals(fr, exact_max=1000).iloc[0]
    width = exact.mncs_hi - exact.mncs_lo
    for col in INTERVAL_COLUMNS:
        assert approx[col] == pytest.approx(exact[col], abs=0.1 * width), col


def test_zero_resamples_gives_null_intervals() -> None:
    iv = stability_intervals(_frame(10), resamples=0)
    assert iv[list(INTERVAL_COLUMNS)].isna().all().all()
