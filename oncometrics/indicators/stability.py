"""Stability intervals: 95 % bootstrap intervals of MNCS and PP(top 10 %).

This is the one indicator that is not an Ibis expression: resampling cannot
be written engine-neutrally at scale.  The runner materialises one row per
(actor, work) with the work's weight, NCS and top-10 % share, and this module
resamples each actor's works with replacement (Leiden Ranking convention,
Waltman et al. 2012), in numpy.

Each group's generator is seeded from ``(seed, crc32(group key))`` and its
works are sorted by ``work_id``, so the intervals do not depend on the engine,
the row order or the other actors.  Above ``exact_max`` works an actor's
interval uses the normal approximation of the ratio estimator (delta method),
which the bootstrap converges to for large n; see ``docs/methodology.md``.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Columns added by :func:`stability_intervals`.
INTERVAL_COLUMNS = ("mncs_lo", "mncs_hi", "pp_top10_lo", "pp_top10_hi")
_Z975 = 1.959963984540054


def _group_seed(seed: int, key: tuple[object, ...]) -> list[int]:
    return [int(seed), zlib.crc32(repr(tuple(str(k) for k in key)).encode())]


def _exact(
    w: np.ndarray, ys: np.ndarray, rng: np.random.Generator, resamples: int
) -> np.ndarray:
    """Percentile intervals of Σw·y/Σw over resamples; ys is (k, n)."""
    n = len(w)
    if n == 1:  # every resample is the one work: the interval is its value
        return np.column_stack([ys[:, 0], ys[:, 0]])
    products = [w, *(w * y for y in ys)]  # 1-D gathers are the fastest
    stats = np.empty((resamples, ys.shape[0]))
    step = max(1, 4_000_000 // max(n, 1))
    for start in range(0, resamples, step):
        stop = min(resamples, start + step)
        idx = rng.integers(0, n, size=(stop - start, n), dtype=np.int32)
        den, *nums = (x[idx].sum(axis=1) for x in products)
        for k, num in enumerate(nums):
            stats[start:stop, k] = num / den
    lo = np.percentile(stats, 2.5, axis=0)
    hi = np.percentile(stats, 97.5, axis=0)
    return np.column_stack([lo, hi])


def _normal(w: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Delta-method 95 % interval of the weighted mean Σw·y/Σw."""
    n = len(w)
    out = np.empty((ys.shape[0], 2))
    wbar = w.mean()
    for k in range(ys.shape[0]):
        r = (w * ys[k]).sum() / w.sum()
        se = np.sqrt(np.var(w * (ys[k] - r)) / n) / wbar
        out[k] = (r - _Z975 * se, r + _Z975 * se)
    return out


def stability_intervals(
    actor_works: pa.Table | pd.DataFrame,
    *,
    keys: Sequence[str] = ("actor",),
    resamples: int = 1000,
    seed: int = 20141,
    exact_max: int = 5000,
    presorted: bool = False,
) -> pd.DataFrame:
    """95 % intervals of MNCS and PP(top 10 %) per group of `keys`.

    Parameters
    ----------
    actor_works
        One row per (group, work): `keys`, ``work_id``, ``weight``, ``ncs``,
        ``top10_share``.
    keys
        Group columns (e.g. ``("actor",)`` or ``("actor", "publication_year")``).
    resamples
        Bootstrap resamples (0 disables: the interval columns are null).
    seed
        Base seed.
    exact_max
        Groups with more works use the normal approximation.
    presorted
        True when the rows are already sorted by `keys` then ``work_id`` (the
        runner lets the engine sort); otherwise they are sorted here.

    Returns
    -------
    pd.DataFrame
        `keys` + ``mncs_lo, mncs_hi, pp_top10_lo, pp_top10_hi``, one row per
        group.
    """
    keys = list(keys)
    t = actor_works if isinstance(actor_works, pa.Table) else pa.table(actor_works)
    if not presorted:
        t = t.sort_by([(k, "ascending") for k in [*keys, "work_id"]])
    starts = _group_starts(t, keys)
    ends = np.append(starts[1:], t.num_rows).astype(np.int64)[: len(starts)]
    w_all = t["weight"].to_numpy().astype("float64")
    y_all = np.vstack(
        [t[c].to_numpy().astype("float64") for c in ("ncs", "top10_share")]
    )
    key_tab = t.select(keys).take(pa.array(starts, pa.int64()))
    out = np.full((len(starts), 4), np.nan)
    if resamples > 0:
        key_rows = zip(*(key_tab[k].to_pylist() for k in keys), strict=True)
        for i, (a, b, key) in enumerate(zip(starts, ends, key_rows, strict=True)):
            w, ys = w_all[a:b], y_all[:, a:b]
            if b - a > exact_max:
                out[i] = _normal(w, ys).ravel()
            else:
                rng = np.random.default_rng(_group_seed(seed, tuple(key)))
                out[i] = _exact(w, ys, rng, resamples).ravel()
    res = key_tab.to_pandas()
    for j, col in enumerate(INTERVAL_COLUMNS):
        res[col] = out[:, j]
    return res


def _group_starts(t: pa.Table, keys: list[str]) -> np.ndarray:
    """Row numbers where a new group of `keys` starts (rows sorted by keys)."""
    if t.num_rows == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.zeros(t.num_rows - 1, dtype=bool)
    for k in keys:
        col = t[k].combine_chunks()
        neq = pc.fill_null(pc.not_equal(col[1:], col[:-1]), True)
        change |= neq.to_numpy(zero_copy_only=False)
    return np.flatnonzero(np.r_[True, change]).astype(np.int64)
