"""Exact sums: the same units in numpy, SQLite and PostgreSQL; figures that do not depend on the order of rows."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from carlzon.analysis import Metrics
from carlzon.analysis import _weights as W
from carlzon.analysis.intervals import mean_interval, nps_interval, wilson_interval
from carlzon.analysis.sums import UNITS, mean_from_sums, metrics_from_sums, moment_sums, units, units_sql

EDGES = [
    0.0,
    1.0,
    -1.0,
    0.00005,
    -0.00005,
    0.000049999,
    2.5e-5,
    -2.5e-5,
    0.12345,
    -0.12345,
    4.99995,
    6.5,
    0.1 + 0.2,
    1 / 3,
    -2 / 3,
    123456.78905,
    1e-9,
    -1e-9,
]


def _values() -> list[float]:
    rng = np.random.default_rng(0)
    return (
        EDGES
        + rng.uniform(-1, 1, 300).tolist()
        + np.round(rng.uniform(-1, 1, 300), 4).tolist()
        + (rng.integers(0, 11, 50) / 2).tolist()
    )


def test_units_round_half_away_from_zero():
    assert units([0.5 / UNITS, -0.5 / UNITS, 1.49 / UNITS, 4.0, -0.1234]).tolist() == [1, -1, 1, 40000, -1234]


def test_sqlite_units_are_numpy_units():
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (i INTEGER, x REAL)")
    xs = _values()
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(xs)))
    got = [r[0] for r in con.execute(f"SELECT {units_sql('x', 'sqlite')} FROM t ORDER BY i")]
    assert got == units(np.array(xs)).tolist()


@pytest.mark.postgres
def test_postgresql_units_are_numpy_units(pg_url):
    import psycopg

    xs = _values()
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            f"SELECT {units_sql('x', 'postgresql')} FROM unnest(%s::float8[]) WITH ORDINALITY AS t(x, i) ORDER BY i",
            (xs,),
        ).fetchall()
    assert [r[0] for r in rows] == units(np.array(xs)).tolist()


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "touchpoint": rng.choice(["gate", "seat", "food"], n),
            "valence": rng.choice(["magic", "misery", "neutral", None], n),
            "moment_of_truth": rng.random(n) < 0.2,
            "nps": np.where(rng.random(n) < 0.5, rng.integers(0, 11, n), np.nan),
            "csat": np.where(rng.random(n) < 0.5, rng.integers(1, 6, n), np.nan),
            "ces": np.where(rng.random(n) < 0.3, rng.integers(1, 8, n) + 0.5 * (rng.random(n) < 0.3), np.nan),
            "stars": np.where(rng.random(n) < 0.4, rng.integers(1, 6, n), np.nan),
            "score": np.round(rng.uniform(-1, 1, n), 4),
        }
    )


def test_metrics_do_not_depend_on_the_order_of_rows():
    df = _frame(5000, 1)
    a = Metrics(by="touchpoint").fit(df).summary
    for seed in range(3):
        shuffled = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, Metrics(by="touchpoint").fit(shuffled).summary, check_exact=True)
    # sums of parts are the sums of the whole: what Spark and the rollups add up
    parts = moment_sums(df.iloc[:1234]) + moment_sums(df.iloc[1234:])
    pd.testing.assert_frame_equal(metrics_from_sums(parts), Metrics().fit(df).summary, check_exact=True)


def test_figures_agree_with_the_plain_formulas():
    df = _frame(3000, 2)
    s = Metrics().fit(df).summary.set_index("metric")
    x = df["ces"].dropna().to_numpy()
    np.testing.assert_allclose(
        s.loc["ces", ["value", "ci_low", "ci_high"]].to_numpy(float), mean_interval(x), rtol=1e-13
    )
    nps = df["nps"].dropna()
    np.testing.assert_allclose(
        s.loc["nps", ["value", "ci_low", "ci_high"]].to_numpy(float),
        nps_interval(int((nps >= 9).sum()), int(((nps > 6) & (nps < 9)).sum()), int((nps <= 6).sum())),
        rtol=1e-13,
    )
    v = df["valence"].dropna()
    np.testing.assert_allclose(
        s.loc["magic_rate", ["value", "ci_low", "ci_high"]].to_numpy(float),
        wilson_interval(int((v == "magic").sum()), len(v)),
        rtol=1e-13,
    )
    m, lo, hi = mean_from_sums([1], [40000], [1_600_000_000])
    assert m[0] == 4.0
    assert np.isnan(lo[0])
    assert np.isnan(hi[0])


def test_exact_pair_sums_add_up_and_give_the_correlations():
    rng = np.random.default_rng(3)
    X = rng.integers(1, 6, size=(4000, 5)).astype(float)
    X[rng.random(X.shape) < 0.1] = np.nan
    whole = W.exact_sums(X)
    parts = W.exact_sums(X[:1500]) + W.exact_sums(X[1500:])
    assert (whole == parts).all()
    R, sd = W.corr_from_exact(whole)
    ref = pd.DataFrame(X).corr().to_numpy()  # pairwise-complete Pearson
    np.testing.assert_allclose(R, ref, rtol=1e-12)
    np.testing.assert_allclose(sd, np.nanstd(X, axis=0, ddof=1), rtol=1e-12)
    assert (
        W.exact_means(X) == np.array([int(units(c[~np.isnan(c)]).sum()) / (np.sum(~np.isnan(c)) * UNITS) for c in X.T])
    ).all()
    # squares beyond float64's exact integers take the Python-integer path; values with more than four
    # decimals count as their nearest 1/10,000, which moves a correlation by ~1e-10 here
    big = np.column_stack([X[:, :2], rng.uniform(0, 1e5, len(X))])
    np.testing.assert_allclose(W.corr_from_exact(W.exact_sums(big))[0], pd.DataFrame(big).corr().to_numpy(), atol=1e-9)
