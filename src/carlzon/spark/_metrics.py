"""Metrics on Spark: value counts per group in one Spark job, intervals finished on the driver.

Every figure of :class:`carlzon.analysis.Metrics` is a function of value counts:
NPS of promoters / passives / detractors, CSAT of the share of 4-5, magic and
misery rates and moments of truth of their counts, and the means (CSAT mean,
CES, stars) of the ratings' histogram (ratings take few distinct values). Spark
computes ``(group, metric, value) -> count``; the driver turns them into the
exact sums of :mod:`carlzon.analysis.sums` and finishes them with the same
:func:`~carlzon.analysis.sums.metrics_from_sums` as the single-machine path, so
every figure, n and interval is the same bit for bit.

Example (needs pyspark):
    >>> m = metrics(result.moments, by="touchpoint")      # doctest: +SKIP
    >>> m.summary.head()                                   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carlzon.errors import AnalysisError
from carlzon.spark import require_pyspark

require_pyspark()

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

__all__ = ["metric_counts", "metrics"]

_RATINGS = ("nps", "csat", "ces", "stars")
_PERIOD_UNIT = {"day": "day", "week": "week", "month": "month"}


def _group_column(df: DataFrame, by: str | None, journey: Any) -> Column:
    """The Spark twin of Metrics._groups (same labels)."""
    cols = set(df.columns)
    if by in (None, "", "all"):
        return F.lit("all")
    kind, _, arg = by.partition(":")
    if kind in _PERIOD_UNIT and not arg:
        kind, arg = "period", kind
    if kind in ("touchpoint", "channel") and not arg:
        if kind not in cols:
            raise AnalysisError(f"no {kind!r} column to group by", fix="group by a column the data has")
        return F.coalesce(F.col(kind).cast("string"), F.lit("unknown"))
    if kind in ("stage", "phase") and not arg:
        if journey is None:
            raise AnalysisError(f"grouping by {kind} needs a journey", fix="pass journey='airline' (--journey NAME)")
        if "touchpoint" not in cols:
            raise AnalysisError(f"no 'touchpoint' column to place in {kind}s", fix="use moments from carlzon detect")
        from carlzon.journey import load_journey

        j = load_journey(journey)
        look = {tp.id: (j.stage_of(tp.id).id if kind == "stage" else tp.phase) for tp in j.touchpoints}
        pairs = [F.lit(x) for kv in look.items() for x in kv]
        return F.coalesce(F.create_map(*pairs)[F.col("touchpoint")], F.lit("unknown"))
    if kind == "segment" and arg:
        if arg in cols:
            return F.coalesce(F.col(arg).cast("string"), F.lit("unknown"))
        if "attributes" in cols:
            return F.coalesce(F.get_json_object(F.col("attributes"), f"$.{arg}"), F.lit("unknown"))
        raise AnalysisError(
            f"segment {arg!r} is neither a column nor an attribute", fix=f"use a column such as {sorted(cols)[:8]}"
        )
    if kind == "period" and arg in _PERIOD_UNIT:
        if "timestamp" not in cols:
            raise AnalysisError("no 'timestamp' column to group by period", fix="give the rows a timestamp")
        start = F.date_trunc(_PERIOD_UNIT[arg], F.col("timestamp").cast("timestamp"))
        return F.coalesce(F.date_format(start, "yyyy-MM-dd"), F.lit("NaT"))
    raise AnalysisError(
        f"cannot group by {by!r}", fix="use touchpoint, stage, phase, channel, segment:COLUMN or period:day|week|month"
    )


def interaction_rows(df: DataFrame, by: str | None) -> DataFrame:
    """As :func:`carlzon.store.moment_unit.interaction_rows`: unless grouped by touchpoint, stage or phase, one row
    per interaction (its most intense moment, the first touchpoint by name of equals) with its overall valence."""
    from pyspark.sql import Window

    kind = (by or "").partition(":")[0]
    if kind in ("touchpoint", "stage", "phase") or "interaction_id" not in df.columns:
        return df
    inten = F.coalesce(F.col("intensity").cast("double"), F.lit(-1.0)) if "intensity" in df.columns else F.lit(0.0)
    inten = F.when(F.isnan(inten), F.lit(-1.0)).otherwise(inten)
    tp = F.coalesce(F.col("touchpoint").cast("string"), F.lit("unknown")) if "touchpoint" in df.columns else F.lit("")
    w = Window.partitionBy("interaction_id").orderBy(inten.desc(), tp.asc())
    out = df.withColumn("_lead", F.row_number().over(w)).where(F.col("_lead") == 1).drop("_lead")
    for own, overall in (("valence", "overall_valence"), ("score", "overall_score")):
        if overall in out.columns:
            out = out.withColumn(own, F.coalesce(F.col(overall), F.col(own)) if own in out.columns else F.col(overall))
    return out


def metric_counts(df: DataFrame, *, by: str | None = None, journey: Any = None) -> pd.DataFrame:
    """``group, metric, value, count`` for every rating value, valence and moment-of-truth flag (one Spark job).

    ``metric`` is nps / csat / ces / stars (value = the rating), valence (1 magic, -1 misery,
    0 any other), moment_of_truth (1 / 0) or _rows (every row, value 0).
    """
    if not isinstance(df, DataFrame):
        raise AnalysisError(
            f"expected a Spark DataFrame, got {type(df).__name__}",
            fix="pass carlzon.spark.detect(...).moments or a table read with read_table()",
        )
    df = interaction_rows(df, by)
    cols = set(df.columns)
    items = [F.struct(F.lit("_rows").alias("metric"), F.lit(0.0).alias("value"))]
    for c in _RATINGS:
        if c in cols:
            items.append(F.struct(F.lit(c).alias("metric"), F.col(c).cast("double").alias("value")))
    if "valence" in cols:
        v = F.col("valence").cast("string")
        code = F.when(v.isNull(), None).when(v == "magic", 1.0).when(v == "misery", -1.0).otherwise(0.0)
        items.append(F.struct(F.lit("valence").alias("metric"), code.alias("value")))
    if "moment_of_truth" in cols:
        items.append(
            F.struct(
                F.lit("moment_of_truth").alias("metric"),
                F.col("moment_of_truth").cast("boolean").cast("double").alias("value"),
            )
        )
    long = df.select(_group_column(df, by, journey).alias("group"), F.explode(F.array(*items)).alias("x"))
    long = long.select("group", "x.metric", "x.value").where(F.col("value").isNotNull() & ~F.isnan("value"))
    out = long.groupBy("group", "metric", "value").count().toPandas()
    out["count"] = out["count"].astype("int64")
    return out


def _sums(counts: pd.DataFrame) -> pd.DataFrame:
    """The exact sufficient statistics of every group (:mod:`carlzon.analysis.sums`) from its value counts."""
    from carlzon.analysis.sums import COUNTS, SUMS, add_rating_counts

    rows: dict[str, dict[str, int]] = {}
    for (group, metric), h in counts.groupby(["group", "metric"], sort=True):
        r = rows.setdefault(str(group), dict.fromkeys(COUNTS + SUMS, 0))
        v = h["value"].to_numpy(dtype=np.float64)
        c = [int(k) for k in h["count"].to_numpy()]
        if metric == "_rows":
            r["n"] += sum(c)
        elif metric in ("nps", "csat", "ces", "stars"):
            add_rating_counts(r, metric, v, c)
        elif metric == "valence":
            r["valence_n"] += sum(c)
            r["magic"] += sum(k for x, k in zip(v, c) if x == 1)
            r["misery"] += sum(k for x, k in zip(v, c) if x == -1)
            r["neutral"] += sum(k for x, k in zip(v, c) if x == 0)
        elif metric == "moment_of_truth":
            r["mot_n"] += sum(c)
            r["moments_of_truth"] += sum(k for x, k in zip(v, c) if x == 1)
    df = pd.DataFrame.from_dict(rows, orient="index", columns=list(COUNTS + SUMS))
    return df.astype(object) if len(df) and df.abs().max().max() >= 2**62 else df.astype("int64")


def metrics(df: DataFrame, *, by: str | None = None, journey: Any = None, confidence: float = 0.95) -> Any:
    """A fitted :class:`carlzon.analysis.Metrics` (``summary``, ``to_dict()``, ``plot()``) computed on Spark.

    ``df`` holds moments (``detect(...).moments``) or any table with some of nps, csat, ces,
    stars, valence and moment_of_truth.
    """
    from carlzon.analysis.metrics import Metrics

    from carlzon.analysis.sums import metrics_from_sums

    counts = metric_counts(df, by=by, journey=journey)
    m = Metrics(by=by, journey=journey, confidence=confidence)
    m.n_ = int(counts.loc[counts.metric == "_rows", "count"].sum())
    m.summary_ = metrics_from_sums(_sums(counts), confidence=confidence)
    if m.summary.empty and m.n_:
        raise AnalysisError(
            "no metric can be computed from these columns",
            fix="give nps, csat, ces, stars or valence columns (or moments from carlzon.spark.detect)",
        )
    return m
