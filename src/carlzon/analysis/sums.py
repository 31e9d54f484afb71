"""Exact sufficient statistics, and the one function that turns them into metrics with intervals.

Every figure carlzon shows by group (NPS, CSAT, CES, stars, magic and misery
rates, moments of truth, a touchpoint's mean score and share of intensity) is a
function of a few counts and sums per group. Three paths compute those sums:
pandas over moments (:class:`carlzon.analysis.Metrics`, the report), SQL over the
rollup tables (:mod:`carlzon.store.rollups`, the dashboard) and Spark
(:mod:`carlzon.spark`). They add the same rows in different orders, so the sums
are kept exact: counts are integers, and ratings, scores and intensities are
summed as integers in units of 1/10,000 (:data:`UNITS`; every rating scale and
the detector's scores carry at most four decimals, so nothing is lost for them;
a value with more decimals counts as its nearest 1/10,000). All paths then
finish with :func:`metrics_from_sums` / :func:`mean_from_sums`, so their numbers
are the same bit for bit, whatever the order of the rows.

The rounding is half away from zero, written so that numpy, SQLite and
PostgreSQL do the same IEEE operations: ``trunc(x * 10000 ± 0.5)``.

Example:
    >>> import numpy as np
    >>> units(np.array([4.0, 3.25, -0.1234, 0.00005])).tolist()
    [40000, 32500, -1234, 1]
    >>> m, lo, hi = mean_from_sums(np.array([4]), [units(np.array([1.0, 2, 3, 4])).sum()],
    ...                            [int((units(np.array([1.0, 2, 3, 4])) ** 2).sum())])
    >>> float(m[0]), round(float(lo[0]), 3)
    (2.5, 0.446)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from carlzon.analysis.intervals import wilson_arrays  # the one Wilson interval, re-exported here

__all__ = [
    "COUNTS",
    "SUMS",
    "UNITS",
    "add_rating_counts",
    "mean_from_sums",
    "metrics_from_sums",
    "moment_sums",
    "rating_sums",
    "units",
    "units_sql",
    "wilson_arrays",
]

UNITS = 10_000
"""Ratings, scores and intensities are summed as integers in units of 1/UNITS."""

COUNTS = (
    "n",
    "valence_n",
    "magic",
    "misery",
    "neutral",
    "mot_n",
    "moments_of_truth",
    "high_stakes",
    "promoters",
    "passives",
    "detractors",
    "csat_n",
    "csat_top2",
    "ces_n",
    "stars_n",
    "score_n",
)
"""Counts per group (integers)."""
SUMS = ("csat_u", "csat_uu", "ces_u", "ces_uu", "stars_u", "stars_uu", "score_u", "score_uu", "intensity_u")
"""Sums per group in units (``_u``: of the value, ``_uu``: of its square, in units squared)."""

_ORDER = ("nps", "csat", "csat_mean", "ces", "stars", "magic_rate", "misery_rate", "moments_of_truth")
_COLUMNS = ["group", "metric", "value", "ci_low", "ci_high", "n", "note"]


def units(x: Any) -> np.ndarray:
    """Values as int64 units of 1/UNITS, rounded half away from zero (NaN is not allowed: mask it first)."""
    y = np.asarray(x, dtype=np.float64) * float(UNITS)
    return np.trunc(y + np.where(y < 0, -0.5, 0.5)).astype(np.int64)


def units_sql(expr: str, backend: str) -> str:
    """The SQL twin of :func:`units` for one non-NULL expression (SQLite or PostgreSQL), an integer."""
    y = f"(({expr}) * {float(UNITS)!r})"
    rounded = f"{y} + CASE WHEN {y} < 0 THEN -0.5 ELSE 0.5 END"
    return f"CAST({rounded} AS INTEGER)" if backend == "sqlite" else f"CAST(trunc({rounded}) AS BIGINT)"


def _numeric(df: pd.DataFrame, col: str) -> np.ndarray | None:
    if col not in df.columns:
        return None
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64)


def moment_sums(
    df: pd.DataFrame, groups: pd.Series | list[pd.Series] | None = None, *, dropna: bool = True
) -> pd.DataFrame:
    """The sufficient statistics (:data:`COUNTS` and :data:`SUMS`) of each group of rows, exact.

    Reads whichever of valence, moment_of_truth, stakes, nps, csat, ces, stars, score and
    intensity ``df`` has (a missing column counts 0). ``groups`` labels each row (one group
    ``'all'`` when None; a list of Series for several keys); rows with a missing label are
    left out unless ``dropna`` is False. Index: the labels, sorted.

    >>> d = pd.DataFrame({"valence": ["magic", "misery", None], "csat": [5, 2, None]})
    >>> s = moment_sums(d).iloc[0]
    >>> int(s["n"]), int(s["valence_n"]), int(s["csat_n"]), int(s["csat_u"]), int(s["csat_uu"])
    (3, 2, 2, 70000, 2900000000)
    """
    n = len(df)
    cols: dict[str, np.ndarray] = {"n": np.ones(n, dtype=np.int64)}
    zero = np.zeros(n, dtype=np.int64)
    if "valence" in df.columns:
        v = df["valence"]
        ok = v.notna().to_numpy()
        s = v.astype(object).where(ok, None).to_numpy()
        cols.update(
            valence_n=ok.astype(np.int64),
            magic=(s == "magic").astype(np.int64),
            misery=(s == "misery").astype(np.int64),
            neutral=(s == "neutral").astype(np.int64),
        )
    if "moment_of_truth" in df.columns:
        mot = df["moment_of_truth"]
        ok = mot.notna().to_numpy()
        cols.update(
            mot_n=ok.astype(np.int64),
            moments_of_truth=(ok & mot.astype(object).where(ok, False).astype(bool).to_numpy()).astype(np.int64),
        )
    if "stakes" in df.columns:
        cols["high_stakes"] = (df["stakes"].astype(object).to_numpy() == "high").astype(np.int64)
    if (x := _numeric(df, "nps")) is not None:
        cols.update(
            promoters=(x >= 9).astype(np.int64),
            passives=((x > 6) & (x < 9)).astype(np.int64),
            detractors=(x <= 6).astype(np.int64),
        )
    for name in ("csat", "ces", "stars", "score"):
        if (x := _numeric(df, name)) is not None:
            ok = ~np.isnan(x)
            u = np.where(ok, units(np.where(ok, x, 0.0)), 0)
            cols.update({f"{name}_n": ok.astype(np.int64), f"{name}_u": u, f"{name}_uu": u * u})
            if name == "csat":
                cols["csat_top2"] = (x >= 4).astype(np.int64)
    if (x := _numeric(df, "intensity")) is not None:
        cols["intensity_u"] = units(np.nan_to_num(x, nan=0.0))
    frame = pd.DataFrame({c: cols.get(c, zero) for c in COUNTS + SUMS}, index=df.index)
    big = max((int(np.abs(cols[c]).max()) for c in SUMS if c in cols and n), default=0)
    if big and big * n >= 2**62:  # int64 sums could overflow: add Python integers instead (slow, exact)
        frame = frame.astype(object)
    if groups is None:
        groups = pd.Series("all", index=df.index)
    return frame.groupby(groups, sort=True, dropna=dropna).sum()


def rating_sums(counts: dict[str, pd.Series]) -> dict[str, int]:
    """Sufficient statistics of nps, csat, ces and stars from value counts (``{col: Series value -> count}``).

    >>> rating_sums({"stars": pd.Series([3, 1], index=[5.0, 4.0])})["stars_u"]
    190000
    """
    out = dict.fromkeys(
        (
            "promoters",
            "passives",
            "detractors",
            "csat_n",
            "csat_top2",
            "csat_u",
            "csat_uu",
            "ces_n",
            "ces_u",
            "ces_uu",
            "stars_n",
            "stars_u",
            "stars_uu",
        ),
        0,
    )
    for col, vc in counts.items():
        if vc is not None and len(vc):
            add_rating_counts(out, col, np.asarray(vc.index, dtype=np.float64), vc.to_numpy())
    return out


def add_rating_counts(out: dict[str, int], col: str, values: np.ndarray, counts: np.ndarray) -> None:
    """Add the statistics of one rating (``nps``, ``csat``, ``ces`` or ``stars``) given as distinct
    values and their counts to ``out``, in place, with Python integers (exact)."""
    c = [int(k) for k in counts]
    if col == "nps":
        out["promoters"] += sum(k for x, k in zip(values, c) if x >= 9)
        out["passives"] += sum(k for x, k in zip(values, c) if 6 < x < 9)
        out["detractors"] += sum(k for x, k in zip(values, c) if x <= 6)
        return
    u = [int(x) for x in units(values)]
    out[f"{col}_n"] += sum(c)
    out[f"{col}_u"] += sum(x * k for x, k in zip(u, c))
    out[f"{col}_uu"] += sum(x * x * k for x, k in zip(u, c))
    if col == "csat":
        out["csat_top2"] += sum(k for x, k in zip(values, c) if x >= 4)


def _z(confidence: float) -> float:
    from carlzon.analysis.intervals import _z as z

    return z(confidence)


def mean_from_sums(
    n: Any, u: Iterable[int], uu: Iterable[int], *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Means with Student t intervals from exact sums in units (arrays of groups).

    The mean and the variance are formed in exact integer arithmetic and rounded once
    (``(n * uu - u**2) / (n * (n - 1))``), so the result depends only on the sums.
    NaN bounds where n < 2; NaN throughout where n is 0.
    """
    from scipy import stats

    ns = [int(v) for v in np.asarray(n).ravel()]
    us, uus = [int(v) for v in u], [int(v) for v in uu]
    mean = np.array([s / (k * UNITS) if k else np.nan for k, s in zip(ns, us)], dtype=np.float64)
    var = np.array(
        [(k * q - s * s) / (k * (k - 1) * UNITS * UNITS) if k > 1 else np.nan for k, s, q in zip(ns, us, uus)],
        dtype=np.float64,
    )
    nf = np.asarray(ns, dtype=np.float64)
    t = stats.t.ppf(0.5 + confidence / 2, np.maximum(nf - 1, 1))
    with np.errstate(invalid="ignore"):
        half = t * np.sqrt(np.maximum(var, 0.0)) / np.sqrt(nf)
    half = np.where(nf < 2, np.nan, half)
    return mean, mean - half, mean + half


def metrics_from_sums(sums: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """The rows of ``Metrics.summary`` (group, metric, value, ci_low, ci_high, n, note) for every group at once.

    ``sums`` has one row per group (index: the label) and the columns of :data:`COUNTS` and
    :data:`SUMS` (as :func:`moment_sums`, a rollup query or Spark computes them). A metric whose
    n is 0 in a group is left out for it. NPS: adjusted Wald; shares: Wilson; means: t.
    """
    from carlzon.analysis.intervals import small_sample_note

    if not len(sums):
        return pd.DataFrame(columns=_COLUMNS)
    z = _z(confidence)
    g = sums.index.astype(str).to_numpy()
    parts = []

    def exact(c: str) -> pd.Series:
        return sums[c] if c in sums.columns else pd.Series(0, index=sums.index)

    def col(c: str) -> np.ndarray:
        return exact(c).to_numpy(dtype=np.float64)

    def add(metric: str, n: np.ndarray, value: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        keep = n > 0
        parts.append(
            pd.DataFrame(
                {
                    "group": g[keep],
                    "metric": metric,
                    "value": value[keep],
                    "ci_low": lo[keep],
                    "ci_high": hi[keep],
                    "n": n[keep].astype(np.int64),
                }
            )
        )

    P, Pa, D = col("promoters"), col("passives"), col("detractors")
    n = P + Pa + D
    with np.errstate(invalid="ignore", divide="ignore"):
        n_adj = n + 3.0
        p_pro, p_det = (P + 0.75) / n_adj, (D + 0.75) / n_adj
        diff = p_pro - p_det
        half = z * np.sqrt(np.maximum((p_pro + p_det - diff**2) / n_adj, 0.0))
        add("nps", n, 100.0 * (P - D) / n, 100.0 * np.maximum(-1.0, diff - half), 100.0 * np.minimum(1.0, diff + half))
    add("csat", col("csat_n"), *wilson_arrays(col("csat_top2"), col("csat_n"), confidence=confidence))
    for metric, name in (("csat_mean", "csat"), ("ces", "ces"), ("stars", "stars")):
        add(
            metric,
            col(f"{name}_n"),
            *mean_from_sums(exact(f"{name}_n"), exact(f"{name}_u"), exact(f"{name}_uu"), confidence=confidence),
        )
    add("magic_rate", col("valence_n"), *wilson_arrays(col("magic"), col("valence_n"), confidence=confidence))
    add("misery_rate", col("valence_n"), *wilson_arrays(col("misery"), col("valence_n"), confidence=confidence))
    k, nm = col("moments_of_truth"), col("mot_n")
    share = wilson_arrays(k, nm, confidence=confidence)
    add("moments_of_truth", nm, k, share[1] * nm, share[2] * nm)
    out = pd.concat(parts, ignore_index=True)
    out["_m"] = out["metric"].map({m: i for i, m in enumerate(_ORDER)})
    out = out.sort_values(["group", "_m"], kind="stable").drop(columns="_m").reset_index(drop=True)
    notes = {int(v): small_sample_note(int(v)) for v in out["n"].unique()}
    out["note"] = out["n"].map(notes).astype(object)
    return out[_COLUMNS]
