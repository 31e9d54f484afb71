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

Intervals: the single machine's own bootstrap, draw for draw. A second pass groups the
rows into distinct rows with their counts (one ``groupBy``) and each partition adds, for
every resample, the exact sums of its distinct rows under the weights of
:func:`carlzon.analysis._weights.poisson_weights`: a Poisson(count) draw keyed by the row's
values, the resample and the seed, so it does not depend on which partition holds the row.
The driver adds the partitions' integer sums and finishes them with the single machine's
code, so the intervals are the same numbers too, whatever the partitioning.

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

__all__ = ["key_drivers"]

_NUMERIC = ("byte", "short", "int", "bigint", "long", "float", "double", "decimal", "integer")


def _matrix(rb: pa.RecordBatch, columns: list[str]) -> np.ndarray:
    """The columns of an Arrow batch as one float64 matrix (null = NaN)."""
    return np.column_stack([np.asarray(rb.column(c).to_numpy(zero_copy_only=False), dtype=np.float64) for c in columns])


def _partition_sums(columns: list[str]) -> Any:
    """Per partition of the cleaned rows: the point estimate's exact sums, the rows, those with a missing rating,
    and each column's largest absolute value."""
    q = len(columns)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from carlzon.analysis._weights import abs_max, exact_sums

        point = np.zeros((4, q, q), dtype=np.int64).astype(object)
        n_rows = n_missing = 0
        top = np.zeros(q)
        for rb in batches:
            if rb.num_rows == 0:
                continue
            X = _matrix(rb, columns)
            n_rows += len(X)
            n_missing += int(np.isnan(X[:, :-1]).any(axis=1).sum())
            point = point + exact_sums(X)
            top = np.maximum(top, abs_max(X))
        yield pa.RecordBatch.from_pydict(
            {
                "n_rows": [n_rows],
                "n_missing": [n_missing],
                "point": [[str(int(v)) for v in point.ravel()]],
                "top": [top.tolist()],
            },
            schema=pa.schema(
                [
                    ("n_rows", pa.int64()),
                    ("n_missing", pa.int64()),
                    ("point", pa.list_(pa.string())),
                    ("top", pa.list_(pa.float64())),
                ]
            ),
        )

    return run


def _boot_sums(columns: list[str], n_boot: int, seed: int) -> Any:
    """Per partition of (distinct row, count): the exact sums of every resample, added up: int64 in ``boot``,
    or, when they outgrow it, decimal strings in ``boot_big``."""
    q = len(columns)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from carlzon.analysis._weights import add_sums, resample_sums

        acc = np.zeros((n_boot, 4, q, q), dtype=np.int64)
        for rb in batches:
            if rb.num_rows:
                m = np.asarray(rb.column("_m").to_numpy(zero_copy_only=False), dtype=np.int64)
                acc = add_sums(acc, resample_sums(_matrix(rb, columns), m, n_boot, seed))
        big = acc.dtype == object
        yield pa.RecordBatch.from_pydict(
            {
                "boot": [None if big else acc.ravel().tolist()],
                "boot_big": [[str(v) for v in acc.ravel()] if big else None],
            },
            schema=_BOOT_SCHEMA,
        )

    return run


_BOOT_SCHEMA = pa.schema([("boot", pa.list_(pa.int64())), ("boot_big", pa.list_(pa.string()))])


def key_drivers(
    df: DataFrame,
    outcome: str,
    drivers: list[str] | None = None,
    *,
    method: str = "relative-weights",
    n_boot: int = 200,
    na_values: Any = None,
    confidence: float = 0.95,
    seed: int = 0,
    max_exact: int = 15,
    n_permutations: int = 1000,
) -> Any:
    """A fitted :class:`carlzon.analysis.KeyDrivers` (``summary``, ``to_dict()``) from a Spark DataFrame.

    One row per response; ``drivers`` default to every numeric column but the outcome. The
    outcome must be continuous (a rating or score); yes/no and ordinal outcomes need the
    single-machine path (their models are fitted on rows).
    """
    from carlzon.analysis import _weights as W
    from carlzon.analysis.drivers import KeyDrivers, _cols, _sampled_shapley, boot_importance
    from carlzon.analysis.sums import UNITS
    from carlzon.analysis.ipa import quadrants

    if not isinstance(df, DataFrame):
        raise AnalysisError(
            f"expected a Spark DataFrame, got {type(df).__name__}",
            fix="read the survey with carlzon.spark.read_table(spark, path_or_table)",
        )
    kd = KeyDrivers(
        method,
        n_boot=n_boot,
        na_values=na_values,
        confidence=confidence,
        seed=seed,  # type: ignore[arg-type]
        max_exact=max_exact,
        n_permutations=n_permutations,
    )
    types = dict(df.dtypes)
    if outcome not in types:
        raise AnalysisError(
            f"outcome column {outcome!r} is not in the data", fix=f"columns are: {', '.join(df.columns[:20])}"
        )
    if drivers is None:
        drivers = [c for c, t in df.dtypes if c != outcome and t.split("(")[0] in _NUMERIC]
    drivers = list(drivers)
    missing = [d for d in drivers if d not in types]
    if missing:
        raise AnalysisError(
            f"driver columns {missing} are not in the data", fix=f"columns are: {', '.join(df.columns[:20])}"
        )
    if outcome in drivers:
        raise AnalysisError(f"{outcome!r} is both the outcome and a driver", fix="leave it out of the drivers")
    if len(drivers) < 2:
        raise AnalysisError("key-driver analysis needs at least 2 drivers", fix="pass two or more driver columns")
    bad = [c for c in drivers + [outcome] if types[c].split("(")[0] not in _NUMERIC]
    if bad:
        raise AnalysisError(
            f"columns that are not numbers: {bad}",
            fix="drivers and the outcome must be ratings (numbers); cast them in Spark first",
        )
    levels = df.select(outcome).where(df[outcome].isNotNull()).distinct().limit(3).count()
    if levels <= 2:
        raise AnalysisError(
            f"outcome {outcome!r} has {levels} values: a yes/no outcome",
            fix="use the single-machine `carlzon drivers` for yes/no and ordinal outcomes, "
            "or a rating outcome such as overall",
        )
    na = (
        []
        if na_values is None
        else [float(v) for v in (na_values if isinstance(na_values, (list, tuple, set)) else [na_values])]
    )
    columns = drivers + [outcome]
    q, p = len(columns), len(drivers)
    from pyspark.sql import functions as F

    # once, for both passes: not-applicable ratings made missing, rows without an outcome left out
    sel = df.select(*[df[c].cast("double").alias(c) for c in columns])
    clean = sel.select(
        *[
            (F.when(F.col(c).isin(na), None).otherwise(F.col(c)) if na and c != outcome else F.col(c)).alias(c)
            for c in columns
        ]
    ).where(F.col(outcome).isNotNull() & ~F.isnan(outcome))
    parts = clean.mapInArrow(
        _partition_sums(columns), "n_rows bigint, n_missing bigint, point array<string>, top array<double>"
    ).collect()
    n = sum(int(r["n_rows"]) for r in parts)
    point = np.zeros((4, q, q), dtype=np.int64).astype(object)
    for r in parts:
        point = point + np.array([int(v) for v in r["point"]], dtype=object).reshape(4, q, q)
    boot = np.zeros((n_boot, 4, q, q), dtype=np.int64)
    if n_boot:  # the second pass: distinct rows and their counts
        if parts:
            W.check_exact_range(np.max([r["top"] for r in parts], axis=0), columns)
        grouped = clean.groupBy(*columns).agg(F.count(F.lit(1)).alias("_m"))
        for r in grouped.mapInArrow(
            _boot_sums(columns, n_boot, seed), "boot array<bigint>, boot_big array<string>"
        ).collect():
            part = (
                np.asarray(r["boot"], dtype=np.int64)
                if r["boot"] is not None
                else np.array([int(v) for v in r["boot_big"]], dtype=object)
            )
            boot = W.add_sums(boot, part.reshape(n_boot, 4, q, q))
    total_rows = df.count()

    kd.n_rows_read_ = total_rows
    kd.n_outcome_missing_ = total_rows - n
    kd.outcome_type_, kd.outcome_, kd.drivers_, kd.n_ = "continuous", outcome, drivers, n
    nobs = np.array([int(point[0, j, j]) for j in range(p)], dtype=np.int64)
    kd.n_observed_ = pd.Series(nobs, index=drivers)
    kd.n_missing_handled_ = sum(int(r["n_missing"]) for r in parts)
    kd.performance_ = pd.Series(
        [int(point[1, j, j]) / (int(nobs[j]) * UNITS) if nobs[j] else np.nan for j in range(p)], index=drivers
    )
    R, sd = W.corr_from_exact(point)
    flat = [d for j, d in enumerate(drivers) if nobs[j] < 2 or not sd[j] > 0]
    if flat:
        raise AnalysisError(
            f"drivers without variation (or with fewer than 2 ratings): {flat}", fix="leave these drivers out"
        )
    if n < max(2 * p, p + 10):
        raise NotEnoughDataError(
            f"{n} rows for {p} drivers is too few", fix=f"use at least {max(2 * p, p + 10)} rows, or fewer drivers"
        )
    kd._missing_how(
        "pairwise-complete correlations: a missing or not-applicable rating leaves its row "
        "out of only the correlations that rating is in; no row dropped"
    )
    kd.notes_ = ["computed on Spark"]
    kd.exact_ = p <= max_exact
    rng = np.random.default_rng(seed)
    perms = None if kd.exact_ else [rng.permutation(p) for _ in range(n_permutations)]
    if method == "shapley" and not kd.exact_:
        kd.notes_.append(
            f"Shapley values estimated from {n_permutations} sampled orders of entry "
            f"({p} drivers > {max_exact}: exact needs 2^{p} models)"
        )

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
        b = boot_importance(boot, importance)
        shares = b / b.sum(axis=1, keepdims=True)
        lo, hi = np.nanpercentile(shares, [100 * alpha, 100 * (1 - alpha)], axis=0)
    else:
        lo = hi = np.full(p, np.nan)
    kd.n_boot_used_ = n_boot
    kd.ci_low_ = pd.Series(lo, index=drivers, name="ci_low")
    kd.ci_high_ = pd.Series(hi, index=drivers, name="ci_high")
    kd.quadrant_, _, _ = quadrants(kd.importance_, kd.performance_)
    return kd
