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
    "wilson_interval",
]

MIN_N = 30
"""Below this many responses a figure is flagged 'too few to judge'."""

SMALL_N = 100
"""Below this many responses a figure is flagged 'small sample'."""

_NAN3 = (math.nan, math.nan, math.nan)


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def nps_interval(promoters: int, passives: int, detractors: int, *, confidence: float = 0.95) -> tuple[float, float, float]:
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


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float, float]:
    """A share with its Wilson score interval."""
    if n <= 0:
        return _NAN3
    p = successes / n
    z = _z(confidence)
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


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
