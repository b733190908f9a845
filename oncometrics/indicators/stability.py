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
    out = np.empty((ys.shape[0], 2))
    qs = np.empty((ys.shape[0], resamples))
    step = max(1, 2_000_000 // max(n, 1))
    for start in range(0, resamples, step):
        stop = min(resamples, start + step)
        idx = rng.integers(0, n, size=(stop - start, n))
        ww = w[idx]
        den = ww.sum(axis=1)
        for k in range(ys.shape[0]):
            qs[k, start:stop] = (ww * ys[k][idx]).sum(axis=1) / den
    out[:, 0] = np.percentile(qs, 2.5, axis=1)
    out[:, 1] = np.percentile(qs, 97.5, axis=1)
    return out


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
    actor_works: pd.DataFrame,
    *,
    keys: Sequence[str] = ("actor",),
    resamples: int = 1000,
    seed: int = 20141,
    exact_max: int = 20000,
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

    Returns
    -------
    pd.DataFrame
        `keys` + ``mncs_lo, mncs_hi, pp_top10_lo, pp_top10_hi``.
    """
    keys = list(keys)
    df = actor_works.sort_values([*keys, "work_id"], kind="stable")
    rows = []
    for key, g in df.groupby(keys, sort=True, dropna=False):
        key_t = key if isinstance(key, tuple) else (key,)
        w = g["weight"].to_numpy(dtype="float64")
        ys = np.vstack(
            [g["ncs"].to_numpy("float64"), g["top10_share"].to_numpy("float64")]
        )
        if resamples <= 0:
            iv = np.full((2, 2), np.nan)
        elif len(w) > exact_max:
            iv = _normal(w, ys)
        else:
            rng = np.random.default_rng(_group_seed(seed, key_t))
            iv = _exact(w, ys, rng, resamples)
        rows.append((*key_t, iv[0, 0], iv[0, 1], iv[1, 0], iv[1, 1]))
    return pd.DataFrame(rows, columns=[*keys, *INTERVAL_COLUMNS])
