"""Small interval helpers used by the report and the dashboard.

Every figure a user sees carries its n and, where one applies, a 95% interval.

Example:
    >>> from carlzon.report.stats import wilson
    >>> lo, hi = wilson(30, 100)
    >>> round(lo, 3), round(hi, 3)
    (0.219, 0.396)
"""

from __future__ import annotations

import math

import pandas as pd

from carlzon.analysis.intervals import nps_interval, wilson_interval

__all__ = ["Z95", "balance_interval", "net_score", "wilson"]

Z95 = 1.959963984540054


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n at ``z`` (nan, nan when n is 0): the low and high of
    :func:`carlzon.analysis.intervals.wilson_interval`, the one Wilson interval of carlzon.

    >>> [round(v, 3) for v in wilson(30, 100, z=1.0)]
    [0.256, 0.348]
    """
    _, lo, hi = wilson_interval(k, n, z=z)
    return (lo, hi)


def balance_interval(k_pos: float, k_neg: float, n: float, z: float = Z95) -> tuple[float, float, float]:
    """Difference of two shares of one sample (magic - misery, or promoters - detractors).

    Returns (value, low, high) with a normal interval on the multinomial variance
    ``(p1 + p2 - (p1 - p2)^2) / n``; nan when n is 0.
    """
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    p1, p2 = k_pos / n, k_neg / n
    d = p1 - p2
    se = math.sqrt(max(p1 + p2 - d * d, 0.0) / n)
    return (d, max(-1.0, d - z * se), min(1.0, d + z * se))


def net_score(values: pd.Series, *, low: float, high: float) -> tuple[float, float, float, int]:
    """Net score in points (e.g. NPS): % at or above ``high`` minus % at or below ``low``, with the
    adjusted-Wald interval used for NPS everywhere in carlzon.

    >>> net_score(pd.Series([10, 9, 8, 3]), low=6, high=9)[0]
    25.0
    """
    v = pd.to_numeric(values, errors="coerce").dropna()
    n = len(v)
    pro, det = int((v >= high).sum()), int((v <= low).sum())
    val, lo, hi = nps_interval(pro, n - pro - det, det)
    return (val, lo, hi, n)
