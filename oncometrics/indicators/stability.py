"""Stability intervals: 95 % bootstrap intervals of MNCS, PP(top x %), ranks.

This is the one indicator that is not an Ibis expression: resampling cannot
be written engine-neutrally at scale.  The runner materialises one row per
(actor, work) with the work's weight, NCS and top shares, and this module
resamples each actor's works with replacement (Leiden Ranking convention,
Waltman et al. 2012), in numpy.  The same resamples give the rank
intervals: in resample b every ranked actor's value is re-ranked among the
ranked actors' values of resample b (contract section 3, rank stability).

Each group's generator is seeded from ``(seed, crc32(group key))`` and its
works are sorted by ``work_id``, so the intervals do not depend on the engine,
the row order or the other actors.  Above ``exact_max`` works an actor's
interval uses the normal approximation of the ratio estimator (delta method),
which the bootstrap converges to for large n; see ``docs/methodology.md``.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Indicators with a bootstrap interval (columns of the actor-work table).
INDICATORS = (("mncs", "ncs"), ("pp_top1", "top1_share"), ("pp_top10", "top10_share"))
#: Columns added by :func:`stability_intervals`.
INTERVAL_COLUMNS = tuple(f"{i}_{e}" for i, _ in INDICATORS for e in ("lo", "hi"))
#: Rank-interval columns added by :func:`stability_intervals`.
RANK_COLUMNS = tuple(f"rank_{i}_{e}" for i, _ in INDICATORS for e in ("lo", "hi"))
_Z975 = 1.959963984540054
#: Digits kept when ranking (as oncometrics.indicators.output.RANK_DIGITS).
_RANK_DIGITS = 9


def _group_seed(seed: int, key: tuple[object, ...]) -> list[int]:
    return [int(seed), zlib.crc32(repr(tuple(str(k) for k in key)).encode())]


def _exact(
    w: np.ndarray, ys: np.ndarray, rng: np.random.Generator, resamples: int
) -> np.ndarray:
    """Σw·y/Σw of each resample, shape (resamples, k); ys is (k, n)."""
    n = len(w)
    if n == 1:  # every resample is the one work
        return np.tile(ys[:, 0], (resamples, 1))
    products = [w, *(w * y for y in ys)]  # 1-D gathers are the fastest
    stats = np.empty((resamples, ys.shape[0]))
    step = max(1, 4_000_000 // max(n, 1))
    for start in range(0, resamples, step):
        stop = min(resamples, start + step)
        idx = rng.integers(0, n, size=(stop - start, n), dtype=np.int32)
        den, *nums = (x[idx].sum(axis=1) for x in products)
        for k, num in enumerate(nums):
            stats[start:stop, k] = num / den
    return stats


def _normal(w: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means Σw·y/Σw and their delta-method standard errors."""
    n = len(w)
    r = (w * ys).sum(axis=1) / w.sum()
    se = np.sqrt(np.var(w * (ys - r[:, None]), axis=1) / n) / w.mean()
    return r, se


def _draws(
    w: np.ndarray,
    ys: np.ndarray,
    rng: np.random.Generator,
    resamples: int,
    exact_max: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The group's interval (k, 2) and its resampled values (resamples, k)."""
    if len(w) > exact_max:  # normal approximation, and normal draws for ranks
        r, se = _normal(w, ys)
        iv = np.column_stack([r - _Z975 * se, r + _Z975 * se])
        z = rng.standard_normal((resamples, 1))
        return iv, r + z * se
    stats = _exact(w, ys, rng, resamples)
    lo = np.percentile(stats, 2.5, axis=0)
    hi = np.percentile(stats, 97.5, axis=0)
    return np.column_stack([lo, hi]), stats


def stability_intervals(
    actor_works: pa.Table | pd.DataFrame,
    *,
    keys: Sequence[str] = ("actor",),
    resamples: int = 1000,
    seed: int = 20141,
    exact_max: int = 5000,
    presorted: bool = False,
    ranked: Collection[tuple[object, ...]] | None = None,
) -> pd.DataFrame:
    """95 % intervals of MNCS, PP(top 1 %), PP(top 10 %) and of their ranks.

    Parameters
    ----------
    actor_works
        One row per (group, work): `keys`, ``work_id``, ``weight``, ``ncs``,
        ``top1_share``, ``top10_share``.  Works without citation data (null
        ``ncs``) are left out.
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
    ranked
        Key tuples of the groups ranked on the ratio indicators (above the
        size threshold).  In each resample, every such group's value is
        re-ranked among the ranked groups with the same keys but the first
        (competition ranks); the 2.5th and 97.5th percentiles of its ranks
        are its rank interval.  None: no rank intervals.

    Returns
    -------
    pd.DataFrame
        `keys` + :data:`INTERVAL_COLUMNS` (+ :data:`RANK_COLUMNS` when
        `ranked` is given), one row per group.
    """
    keys = list(keys)
    t = actor_works if isinstance(actor_works, pa.Table) else pa.table(actor_works)
    t = t.filter(pc.is_valid(t["ncs"]))
    if not presorted:
        t = t.sort_by([(k, "ascending") for k in [*keys, "work_id"]])
    starts = _group_starts(t, keys)
    ends = np.append(starts[1:], t.num_rows).astype(np.int64)[: len(starts)]
    w_all = t["weight"].to_numpy().astype("float64")
    y_all = np.vstack([t[c].to_numpy().astype("float64") for _, c in INDICATORS])
    key_tab = t.select(keys).take(pa.array(starts, pa.int64()))
    out = np.full((len(starts), len(INTERVAL_COLUMNS)), np.nan)
    kept: dict[int, np.ndarray] = {}
    if resamples > 0:
        wanted = None if ranked is None else {tuple(map(str, k)) for k in ranked}
        key_rows = zip(*(key_tab[k].to_pylist() for k in keys), strict=True)
        for i, (a, b, key) in enumerate(zip(starts, ends, key_rows, strict=True)):
            rng = np.random.default_rng(_group_seed(seed, tuple(key)))
            iv, stats = _draws(w_all[a:b], y_all[:, a:b], rng, resamples, exact_max)
            out[i] = iv.ravel()
            if wanted is not None and tuple(map(str, key)) in wanted:
                kept[i] = stats
    res = key_tab.to_pandas()
    for j, col in enumerate(INTERVAL_COLUMNS):
        res[col] = out[:, j]
    if ranked is None:
        return res
    ranks = _rank_intervals(kept, res, keys[1:], len(starts))
    for j, col in enumerate(RANK_COLUMNS):
        res[col] = pd.array(ranks[:, j], dtype="Int64")
    return res


def _rank_intervals(
    kept: dict[int, np.ndarray], res: pd.DataFrame, within: list[str], n: int
) -> np.ndarray:
    """(n, 2k) rank intervals of the groups in `kept` (others: missing)."""
    out = np.full((n, len(RANK_COLUMNS)), -1, dtype=np.int64)
    if not kept:
        return np.where(out < 0, np.nan, out)
    rows = np.array(sorted(kept))
    sets = (
        res.iloc[rows].groupby(within, sort=False).indices
        if within
        else {(): np.arange(len(rows))}
    )
    for members in sets.values():
        idx = rows[members]
        stats = np.round(np.stack([kept[i] for i in idx]), _RANK_DIGITS)
        for k in range(stats.shape[2]):
            r = _competition_ranks(stats[:, :, k])
            lo = np.quantile(r, 0.025, axis=1, method="inverted_cdf")
            hi = np.quantile(r, 0.975, axis=1, method="inverted_cdf")
            out[idx, 2 * k], out[idx, 2 * k + 1] = lo, hi
    return np.where(out < 0, np.nan, out)


def _competition_ranks(values: np.ndarray) -> np.ndarray:
    """Descending competition ranks of each column of `values` (actors, draws)."""
    asc = np.sort(values, axis=0)
    n = values.shape[0]
    ranks = np.empty(values.shape, dtype=np.int64)
    for b in range(values.shape[1]):
        ranks[:, b] = n - np.searchsorted(asc[:, b], values[:, b], side="right") + 1
    return ranks


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
