import math

import numpy as np
import pytest

from carlzon.analysis.intervals import mean_interval, nps_interval, small_sample_note, wilson_interval


def test_nps_adjusted_wald_by_hand():
    est, lo, hi = nps_interval(60, 20, 20)
    assert est == 40.0
    n = 103
    pp, pd_ = 60.75 / n, 20.75 / n
    half = 1.959964 * math.sqrt((pp + pd_ - (pp - pd_) ** 2) / n)
    assert lo == pytest.approx(100 * (pp - pd_ - half), abs=1e-4)
    assert hi == pytest.approx(100 * (pp - pd_ + half), abs=1e-4)


def test_nps_interval_stays_in_range_and_covers():
    assert nps_interval(5, 0, 0)[2] <= 100
    assert nps_interval(0, 0, 5)[1] >= -100
    rng = np.random.default_rng(0)
    probs, truth, hits = [0.5, 0.3, 0.2], 30.0, 0
    for _ in range(400):
        k = rng.multinomial(80, probs)
        _, lo, hi = nps_interval(k[0], k[1], k[2])
        hits += lo <= truth <= hi
    assert 0.92 <= hits / 400 <= 0.98


def test_wilson_and_mean():
    p, lo, hi = wilson_interval(0, 10)
    assert p == 0
    assert lo == 0
    assert 0.25 < hi < 0.35
    m, lo, hi = mean_interval([1, 2, 3, np.nan])
    assert m == 2
    assert lo == pytest.approx(2 - 4.302653 * 1 / math.sqrt(3), abs=1e-5)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_small_sample_words():
    assert small_sample_note(12) == "n=12: too few to judge"
    assert "small sample" in small_sample_note(50)
    assert small_sample_note(500) == ""
