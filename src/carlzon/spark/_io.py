"""Spark sessions, reading a path or a table (Parquet, Delta, CSV, JSON Lines), writing Parquet.

Example (needs pyspark):
    >>> spark = session("local[2]")                                   # doctest: +SKIP
    >>> df = read_table(spark, "lake/interactions")                  # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from carlzon.errors import IngestError
from carlzon.spark import require_pyspark

require_pyspark()

from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession

__all__ = ["read_table", "session", "write_parquet"]

_DEFAULT_CONF = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
}


def session(
    master: str | None = None, *, app_name: str = "carlzon", conf: dict[str, str] | None = None
) -> SparkSession:
    """The active Spark session, or a new one (``master`` such as ``local[2]``; None: spark-submit's).

    Sets the session time zone to UTC (carlzon's timestamps are UTC) and turns Arrow on. The Python
    workers run the interpreter that runs carlzon (``sys.executable``: a virtual environment's
    python whether or not it is activated) unless ``PYSPARK_PYTHON`` or ``conf`` names another.
    """
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    if not os.environ.get("PYSPARK_PYTHON") and "spark.pyspark.python" not in (conf or {}):
        # PySpark starts its workers with $PYSPARK_PYTHON, else whatever `python3` PATH finds
        # (the system one, without carlzon, when a venv's script runs unactivated).
        os.environ["PYSPARK_PYTHON"] = sys.executable
    for k, v in {**_DEFAULT_CONF, **(conf or {})}.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark


def _is_delta(p: Path) -> bool:
    return p.is_dir() and (p / "_delta_log").is_dir()


def read_table(spark: SparkSession, source: str | Path) -> DataFrame:
    """A Spark DataFrame from a path (Parquet file or folder, Delta folder, .csv, .jsonl) or a table name.

    Delta needs the ``delta-spark`` package on the session; without it the error says so.
    """
    text = str(source)
    scheme = "://" in text
    p = Path(text)
    if scheme or p.exists():
        try:
            if not scheme and _is_delta(p):
                return spark.read.format("delta").load(text)
            suffix = p.suffix.lower()
            if suffix in (".csv", ".tsv"):
                return spark.read.csv(
                    text, header=True, sep="\t" if suffix == ".tsv" else ",", multiLine=True, escape='"'
                )
            if suffix in (".jsonl", ".ndjson", ".json"):
                return spark.read.json(text)
            return spark.read.parquet(text)
        except (PySparkException, Py4JJavaError) as exc:
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if not scheme and _is_delta(p):
                raise IngestError(
                    f"cannot read the Delta table: {msg[:300]}",
                    where=text,
                    fix="start Spark with delta-spark (pip install delta-spark; "
                    "spark-submit --packages io.delta:delta-spark_2.13:<version>), "
                    "or export the table as Parquet",
                ) from None
            raise IngestError(
                f"cannot read {p.name or text}: {msg[:300]}",
                where=text,
                fix="give a Parquet file or folder, a Delta folder, a .csv or a .jsonl file",
            ) from None
    looks_like_path = "/" in text or "\\" in text or bool(p.suffix) and p.suffix.lower() in _SUFFIXES
    if not looks_like_path and _table_exists(spark, text):
        return spark.table(text)
    raise IngestError(
        f"{text!r} is neither a path nor a table of this Spark session",
        fix="check the path, or give a table name the session's catalog knows (db.table)",
    )


_SUFFIXES = {".parquet", ".pq", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".delta"}


def _table_exists(spark: SparkSession, name: str) -> bool:
    try:
        return bool(spark.catalog.tableExists(name))
    except PySparkException:  # not a valid table name
        return False


def write_parquet(df: DataFrame, path: str | Path, *, mode: str = "overwrite") -> str:
    """Write ``df`` as a Parquet folder at ``path`` (replaced by default); returns the path."""
    df.write.mode(mode).parquet(str(path))
    return str(path)


def spark_schema_of(columns: dict[str, str]) -> str:
    """A DDL schema string from ``{name: spark type}`` (names quoted)."""
    return ", ".join(f"`{k}` {v}" for k, v in columns.items())


def _first_rows(df: DataFrame, n: int) -> Any:
    """The first ``n`` rows as a pandas DataFrame through Arrow (to resolve the column mapping)."""
    return df.limit(n).toPandas()
