"""What ``carlzon detect --engine spark`` and ``carlzon drivers --engine spark`` run.

Both read a path (Parquet file or folder, Delta folder, CSV, JSON Lines) or a table
name of the Spark session, and write Parquet. Under ``spark-submit`` the session
is the submitted one; otherwise a local one with every core (``local[*]``), or
the master in ``$CARLZON_SPARK_MASTER``.

Example (needs pyspark):
    >>> detect_to_parquet("lake/interactions", "lake/moments", journey="airline")["n"]   # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from carlzon.spark import require_pyspark

__all__ = ["detect_to_parquet", "drivers_to_parquet", "lake_path", "spark_session"]


def lake_path(p: str | Path) -> str:
    """A path or URL as given: ``s3a:/bucket/x`` (a URL that went through pathlib) back to ``s3a://bucket/x``.

    >>> lake_path(Path("s3a://bucket/cx/moments")), lake_path("lake.cx_interactions")
    ('s3a://bucket/cx/moments', 'lake.cx_interactions')
    """
    text = str(p)
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]+):/(?!/)", r"\1://", text)


def spark_session() -> Any:
    """The running session (spark-submit), else local[*] or $CARLZON_SPARK_MASTER, quiet logs."""
    require_pyspark()
    from pyspark.sql import SparkSession

    from carlzon.spark._io import session

    active = SparkSession.getActiveSession()
    spark = active or session(os.environ.get("CARLZON_SPARK_MASTER", "local[*]"))
    if active is None:
        spark.sparkContext.setLogLevel("ERROR")
    return spark


def detect_to_parquet(
    source: str | Path, out: str | Path, *, journey: Any = None, model: Any = None, mapping: Any = None
) -> dict[str, Any]:
    """Moments of every row of ``source`` written to the Parquet folder ``out``; quarantined rows to
    ``out`` + ``.quarantine`` when there are any. Returns the summary `carlzon detect --json` prints."""
    from pyspark.sql import functions as F

    from carlzon.spark._detect import detect
    from carlzon.spark._io import read_table, write_parquet

    spark = spark_session()
    t0 = time.perf_counter()
    source, out = lake_path(source), lake_path(out)
    res = detect(read_table(spark, source), journey, model=model, mapping=mapping, source=Path(source).name)
    res.combined.persist()
    try:
        write_parquet(res.moments, out)
        counts = (
            res.combined.agg(
                F.count(F.when(F.col("quarantine_reason").isNull(), 1)).alias("n"),
                F.count(F.when(F.col("valence") == "magic", 1)).alias("magic"),
                F.count(F.when(F.col("valence") == "misery", 1)).alias("misery"),
                F.count(F.when(F.col("valence") == "neutral", 1)).alias("neutral"),
                F.count(F.when(F.col("moment_of_truth"), 1)).alias("moments_of_truth"),
                F.count(F.when(F.col("touchpoint") != "unknown", 1)).alias("touchpoint_known"),
                F.count(F.col("quarantine_reason")).alias("quarantined"),
            )
            .first()
            .asDict()
        )
        qpath = None
        if counts["quarantined"]:
            qpath = out.rstrip("/") + ".quarantine"
            write_parquet(res.quarantine, qpath)
    finally:
        res.combined.unpersist()
    seconds = time.perf_counter() - t0
    n = int(counts["n"])
    return {
        "file": Path(str(source)).name,
        "out": str(out),
        **{k: int(v) for k, v in counts.items()},
        "quarantine_file": qpath,
        "texts_per_s": round(n / seconds, 1) if seconds > 0 else None,
        "seconds": round(seconds, 3),
        "journey": str(journey) if journey else None,
        "model": str(model) if model else None,
        "engine": "spark",
        "master": spark.sparkContext.master,
        "mapping": res.plan,
    }


def drivers_to_parquet(
    source: str | Path,
    outcome: str,
    drivers: list[str] | None = None,
    *,
    out: str | Path | None = None,
    method: str = "relative-weights",
    n_boot: int = 200,
    na_values: Any = None,
    seed: int = 0,
) -> Any:
    """Key drivers of ``outcome`` on Spark (a fitted KeyDrivers); its summary written to ``out`` as Parquet."""
    from carlzon.spark._drivers import key_drivers
    from carlzon.spark._io import read_table

    spark = spark_session()
    kd = key_drivers(
        read_table(spark, lake_path(source)),
        outcome,
        drivers,
        method=method,
        n_boot=n_boot,
        na_values=na_values,
        seed=seed,
    )
    if out is not None:
        kd.summary.to_parquet(out, index=False)
    return kd
