"""Intervals for the figures carlzon reports, and small samples in words.

Every function returns ``(estimate, low, high)`` at the given confidence
(95% by default) and works for ``n == 0`` (all NaN).

* NPS: adjusted Wald (Rocks 2016, "Interval estimation for the 'net promoter
  score'", The American Statistician 70(4)): add 3/4 of a response to the
  promoters, 3/4 to the detractors and 3/2 to the passives (n + 3 in all),
  then a Wald interval on the difference of the two shares. Reported on the
  usual -100..100 scale; the estimate itself is the plain NPS.
* Shares (CSAT, magic rate, misery rate): Wilson score interval.
* Means (CES, mean ratings): Student t interval.

Example:
    >>> est, lo, hi = nps_interval(promoters=60, passives=20, detractors=20)
    >>> round(est), round(lo), round(hi)
    (40, 23, 54)
    >>> [round(v, 3) for v in wilson_interval(8, 10)]
    [0.8, 0.49, 0.943]
    >>> small_sample_note(12)
    'n=12: too few to judge'
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = [
    "MIN_N",
    "SMALL_N",
    "mean_interval",
    "nps_interval",
    "small_sample_note",
    "wilson_arrays",
    "wilson_interval",
]

MIN_N = 30
"""Below this many responses a figure is flagged 'too few to judge'."""

SMALL_N = 100
"""Below this many responses a figure is flagged 'small sample'."""

_NAN3 = (math.nan, math.nan, math.nan)


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def nps_interval(
    promoters: int, passives: int, detractors: int, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """NPS (-100..100) with the adjusted-Wald interval of Rocks (2016)."""
    n = promoters + passives + detractors
    if n <= 0:
        return _NAN3
    nps = 100.0 * (promoters - detractors) / n
    n_adj = n + 3.0
    p_pro = (promoters + 0.75) / n_adj
    p_det = (detractors + 0.75) / n_adj
    diff = p_pro - p_det
    var = (p_pro + p_det - diff**2) / n_adj
    half = _z(confidence) * math.sqrt(max(var, 0.0))
    return nps, 100.0 * max(-1.0, diff - half), 100.0 * min(1.0, diff + half)


def wilson_arrays(
    k, n, *, confidence: float = 0.95, z: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shares k/n with Wilson score intervals, for arrays of groups (NaN where n is 0): the one Wilson
    interval of carlzon (:func:`wilson_interval` is its scalar form). ``z`` overrides ``confidence``.

    >>> [round(float(v[0]), 3) for v in wilson_arrays([8], [10])]
    [0.8, 0.49, 0.943]
    """
    k, n = np.asarray(k, dtype=np.float64), np.asarray(n, dtype=np.float64)
    z = _z(confidence) if z is None else float(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        nn = np.where(n > 0, n, np.nan)
        denom = 1 + z**2 / nn
        centre = (p + z**2 / (2 * nn)) / denom
        half = z * np.sqrt(np.maximum(p * (1 - p), 0.0) / nn + z**2 / (4 * nn**2)) / denom
    return p, np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)


def wilson_interval(
    successes: float, n: float, *, confidence: float = 0.95, z: float | None = None
) -> tuple[float, float, float]:
    """A share with its Wilson score interval (all NaN when n is 0); ``z`` overrides ``confidence``."""
    if n <= 0:
        return _NAN3
    p, lo, hi = wilson_arrays([successes], [n], confidence=confidence, z=z)
    return float(p[0]), float(lo[0]), float(hi[0])


def mean_interval(values, *, confidence: float = 0.95) -> tuple[float, float, float]:
    """A mean with its Student t interval (NaN values ignored; NaN bounds when n < 2)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return _NAN3
    m = float(x.mean())
    if n < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    return m, m - half, m + half


def small_sample_note(n: int) -> str:
    """A few words on whether ``n`` responses are enough to read a figure ('' when they are)."""
    if n <= 0:
        return "n=0: no data"
    if n < MIN_N:
        return f"n={n}: too few to judge"
    if n < SMALL_N:
        return f"n={n}: small sample, wide interval"
    return ""
