"""Key drivers on Spark: sufficient statistics in one pass, importance finished on the driver.

For a continuous outcome, relative weights and Shapley values depend on the
data only through the pairwise-complete correlation matrix, and that matrix only
through, for every pair of columns (j, k), the count of rows where both are
observed and the sums of x_j, x_j**2 and x_j * x_k over those rows. Each Spark
partition adds these up over its Arrow batches with
:func:`carlzon.analysis._weights.exact_sums` (integers in units of 1/10,000:
exact, so the order and the split of the rows do not matter) and returns one
row; the driver adds the partitions and calls the single machine's
:func:`~carlzon.analysis._weights.corr_from_exact`,
:func:`~carlzon.analysis._weights.relative_weights` and Shapley code. Importances,
R2 and performance are therefore the same numbers as
:class:`carlzon.analysis.KeyDrivers` gives on the same rows, bit for bit.

Intervals: a Poisson bootstrap (each row drawn Poisson(1) times in each
resample), whose sums are computed in the same pass; seeded per partition and
batch, so a rerun on the same partitioning gives the same intervals. They are
statistically equivalent to, not the same numbers as, the multinomial bootstrap
of the single-machine path: a multinomial resample draws n row positions from the
whole, ordered data set, which no partition sees, while Poisson weights need only
the row itself (Chamandy et al. 2012, "Estimating uncertainty for massive data
streams"). Their last digits also differ from a machine's own float32 resamples.

Example (needs pyspark):
    >>> kd = key_drivers(spark.read.parquet("survey"), outcome="overall", n_boot=200)   # doctest: +SKIP
    >>> kd.summary                                                                        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from carlzon.errors import AnalysisError, NotEnoughDataError
from carlzon.spark import require_pyspark

require_pyspark()

import pyarrow as pa
from pyspark.sql import DataFrame

__all__ = ["corr_from_sums", "key_drivers", "sums_of"]

_NUMERIC = ("byte", "short", "int", "bigint", "long", "float", "double", "decimal", "integer")


def sums_of(X: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """(4, q, q) sums of rows ``X`` (NaN = missing): N, S, Q, C as :func:`corr_from_sums` reads them.

    With ``weights`` (B, m): (B, 4, q, q), one set of sums per resample.

    >>> X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0]])
    >>> sums_of(X)[0].tolist()   # rows where both j and k are observed
    [[3.0, 2.0], [2.0, 2.0]]
    """
    obs = ~np.isnan(X)
    M = obs.astype(np.float64)
    Z = np.where(obs, X, 0.0)
    q = X.shape[1]
    if weights is None:
        return np.stack([M.T @ M, Z.T @ M, (Z * Z).T @ M, Z.T @ Z])
    full = obs.all(axis=1)
    B = weights.shape[0]
    out = np.zeros((B, 4, q, q))
    if full.any():
        Zf = Z[full]
        iu, ju = np.triu_indices(q)
        block = weights[:, full] @ np.column_stack([np.ones(len(Zf)), Zf, Zf * Zf, Zf[:, iu] * Zf[:, ju]])
        n = block[:, 0]
        out[:, 0] += n[:, None, None]
        out[:, 1] += block[:, 1 : 1 + q][:, :, None]
        out[:, 2] += block[:, 1 + q : 1 + 2 * q][:, :, None]
        cross = np.zeros((B, q, q))
        cross[:, iu, ju] = block[:, 1 + 2 * q :]
        cross[:, ju, iu] = block[:, 1 + 2 * q :]
        out[:, 3] += cross
    part = ~full
    if part.any():
        Zp, Mp, Wp = Z[part], M[part], weights[:, part]
        m = len(Zp)
        feats = np.column_stack([
            (Mp[:, :, None] * Mp[:, None, :]).reshape(m, q * q),
            (Zp[:, :, None] * Mp[:, None, :]).reshape(m, q * q),
            ((Zp * Zp)[:, :, None] * Mp[:, None, :]).reshape(m, q * q),
            (Zp[:, :, None] * Zp[:, None, :]).reshape(m, q * q),
        ])
        out += (Wp @ feats).reshape(B, 4, q, q)
    return out


def corr_from_sums(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete correlations and standard deviations from :func:`sums_of` (the pairwise_corr formula).

    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> R, sd = corr_from_sums(sums_of(X))
    >>> bool(np.allclose(R, np.corrcoef(X.T)))
    True
    """
    N, S, Q, C = sums[..., 0, :, :], sums[..., 1, :, :], sums[..., 2, :, :], sums[..., 3, :, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_jk = S / N
        var_jk = Q / N - mean_jk**2
        cov = C / N - mean_jk * np.swapaxes(mean_jk, -1, -2)
        corr = cov / np.sqrt(var_jk * np.swapaxes(var_jk, -1, -2))
        diag = np.diagonal(var_jk, axis1=-2, axis2=-1)
        nd = np.diagonal(N, axis1=-2, axis2=-1)
        sd = np.sqrt(np.clip(diag, 0, None) * nd / np.maximum(nd - 1, 1))
    idx = np.arange(sums.shape[-1])
    corr[..., idx, idx] = 1.0
    return np.clip(corr, -1.0, 1.0), sd


def _partition_sums(columns: list[str], outcome: str, na: list[float], n_boot: int, seed: int) -> Any:
    q = len(columns)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        from carlzon.analysis._weights import exact_sums

        ctx = TaskContext.get()
        part = ctx.partitionId() if ctx is not None else 0
        point = np.zeros((4, q, q), dtype=np.int64).astype(object)
        boot = np.zeros((n_boot, 4, q, q))
        n_rows = n_missing = 0
        for i, rb in enumerate(batches):
            if rb.num_rows == 0:
                continue
            X = np.column_stack([np.asarray(rb.column(c).to_numpy(zero_copy_only=False), dtype=np.float64)
                                 for c in columns])
            if na:
                X[np.isin(X, na)] = np.nan
            X[:, -1] = np.asarray(rb.column(outcome).to_numpy(zero_copy_only=False), dtype=np.float64)
            X = X[~np.isnan(X[:, -1])]
            if not len(X):
                continue
            n_rows += len(X)
            n_missing += int(np.isnan(X[:, :-1]).any(axis=1).sum())
            point = point + exact_sums(X)
            if n_boot:
                rng = np.random.default_rng([seed, part, i])
                for off in range(0, len(X), 20_000):
                    chunk = X[off : off + 20_000]
                    boot += sums_of(chunk, rng.poisson(1.0, size=(n_boot, len(chunk))).astype(np.float64))
        yield pa.RecordBatch.from_pydict({
            "n_rows": [n_rows], "n_missing": [n_missing],
            "point": [[str(int(v)) for v in point.ravel()]], "boot": [boot.ravel().tolist()],
        }, schema=pa.schema([("n_rows", pa.int64()), ("n_missing", pa.int64()),
                             ("point", pa.list_(pa.string())), ("boot", pa.list_(pa.float64()))]))

    return run


def key_drivers(df: DataFrame, outcome: str, drivers: list[str] | None = None, *,
                method: str = "relative-weights", n_boot: int = 200, na_values: Any = None,
                confidence: float = 0.95, seed: int = 0, max_exact: int = 15, n_permutations: int = 1000) -> Any:
    """A fitted :class:`carlzon.analysis.KeyDrivers` (``summary``, ``to_dict()``) from a Spark DataFrame.

    One row per response; ``drivers`` default to every numeric column but the outcome. The
    outcome must be continuous (a rating or score); yes/no and ordinal outcomes need the
    single-machine path (their models are fitted on rows).
    """
    from carlzon.analysis import _weights as W
    from carlzon.analysis.drivers import KeyDrivers, _cols, _sampled_shapley
    from carlzon.analysis.sums import UNITS
    from carlzon.analysis.ipa import quadrants

    if not isinstance(df, DataFrame):
        raise AnalysisError(f"expected a Spark DataFrame, got {type(df).__name__}",
                            fix="read the survey with carlzon.spark.read_table(spark, path_or_table)")
    kd = KeyDrivers(method, n_boot=n_boot, na_values=na_values, confidence=confidence, seed=seed,  # type: ignore[arg-type]
                    max_exact=max_exact, n_permutations=n_permutations)
    types = dict(df.dtypes)
    if outcome not in types:
        raise AnalysisError(f"outcome column {outcome!r} is not in the data", fix=f"columns are: {', '.join(df.columns[:20])}")
    if drivers is None:
        drivers = [c for c, t in df.dtypes if c != outcome and t.split("(")[0] in _NUMERIC]
    drivers = list(drivers)
    missing = [d for d in drivers if d not in types]
    if missing:
        raise AnalysisError(f"driver columns {missing} are not in the data", fix=f"columns are: {', '.join(df.columns[:20])}")
    if outcome in drivers:
        raise AnalysisError(f"{outcome!r} is both the outcome and a driver", fix="leave it out of the drivers")
    if len(drivers) < 2:
        raise AnalysisError("key-driver analysis needs at least 2 drivers", fix="pass two or more driver columns")
    bad = [c for c in drivers + [outcome] if types[c].split("(")[0] not in _NUMERIC]
    if bad:
        raise AnalysisError(f"columns that are not numbers: {bad}",
                            fix="drivers and the outcome must be ratings (numbers); cast them in Spark first")
    levels = df.select(outcome).where(df[outcome].isNotNull()).distinct().limit(3).count()
    if levels <= 2:
        raise AnalysisError(f"outcome {outcome!r} has {levels} values: a yes/no outcome",
                            fix="use the single-machine `carlzon drivers` for yes/no and ordinal outcomes, "
                                "or a rating outcome such as overall")
    na = [] if na_values is None else [float(v) for v in (na_values if isinstance(na_values, (list, tuple, set)) else [na_values])]
    columns = drivers + [outcome]
    q, p = len(columns), len(drivers)
    sel = df.select(*[df[c].cast("double").alias(c) for c in columns])
    parts = sel.mapInArrow(_partition_sums(columns, outcome, na, n_boot, seed),
                           "n_rows bigint, n_missing bigint, point array<string>, boot array<double>").collect()
    n = sum(int(r["n_rows"]) for r in parts)
    point = np.zeros((4, q, q), dtype=np.int64).astype(object)
    for r in parts:
        point = point + np.array([int(v) for v in r["point"]], dtype=object).reshape(4, q, q)
    boot = sum((np.asarray(r["boot"]).reshape(n_boot, 4, q, q) for r in parts if n_boot), np.zeros((n_boot, 4, q, q)))
    total_rows = df.count()

    kd.n_rows_read_ = total_rows
    kd.n_outcome_missing_ = total_rows - n
    kd.outcome_type_, kd.outcome_, kd.drivers_, kd.n_ = "continuous", outcome, drivers, n
    nobs = np.array([int(point[0, j, j]) for j in range(p)], dtype=np.int64)
    kd.n_observed_ = pd.Series(nobs, index=drivers)
    kd.n_missing_handled_ = sum(int(r["n_missing"]) for r in parts)
    kd.performance_ = pd.Series([int(point[1, j, j]) / (int(nobs[j]) * UNITS) if nobs[j] else np.nan
                                 for j in range(p)], index=drivers)
    R, sd = W.corr_from_exact(point)
    flat = [d for j, d in enumerate(drivers) if nobs[j] < 2 or not sd[j] > 0]
    if flat:
        raise AnalysisError(f"drivers without variation (or with fewer than 2 ratings): {flat}", fix="leave these drivers out")
    if n < max(2 * p, p + 10):
        raise NotEnoughDataError(f"{n} rows for {p} drivers is too few", fix=f"use at least {max(2 * p, p + 10)} rows, or fewer drivers")
    kd._missing_how("pairwise-complete correlations: a missing or not-applicable rating leaves its row "
                    "out of only the correlations that rating is in; no row dropped")
    kd.notes_ = ["computed on Spark: intervals from a Poisson bootstrap"] if n_boot else ["computed on Spark"]
    kd.exact_ = p <= max_exact
    rng = np.random.default_rng(seed)
    perms = None if kd.exact_ else [rng.permutation(p) for _ in range(n_permutations)]
    if method == "shapley" and not kd.exact_:
        kd.notes_.append(f"Shapley values estimated from {n_permutations} sampled orders of entry "
                         f"({p} drivers > {max_exact}: exact needs 2^{p} models)")

    def importance(Rs: np.ndarray) -> np.ndarray:
        if method == "relative-weights":
            return W.relative_weights(Rs)
        if perms is None:
            return W.shapley_values(W.subset_values_from_corr(Rs))
        return _sampled_shapley(lambda mask: W.r2_from_corr(Rs, _cols(mask, p)), p, perms)

    kd.r2_, kd.r2_kind_ = float(W.r2_from_corr(R)), "r2"
    raw = importance(R)
    total = raw.sum()
    kd.importance_ = pd.Series(raw / total if total > 0 else np.full(p, np.nan), index=drivers, name="importance")
    kd.raw_importance_ = pd.Series(raw, index=drivers, name="raw_importance")
    alpha = (1 - confidence) / 2
    if n_boot:
        Rb, _ = corr_from_sums(boot)
        b = np.vstack([importance(Rb[i : i + 50]) for i in range(0, n_boot, 50)])
        shares = b / b.sum(axis=1, keepdims=True)
        lo, hi = np.nanpercentile(shares, [100 * alpha, 100 * (1 - alpha)], axis=0)
    else:
        lo = hi = np.full(p, np.nan)
    kd.n_boot_used_ = n_boot
    kd.ci_low_ = pd.Series(lo, index=drivers, name="ci_low")
    kd.ci_high_ = pd.Series(hi, index=drivers, name="ci_high")
    kd.quadrant_, _, _ = quadrants(kd.importance_, kd.performance_)
    return kd
