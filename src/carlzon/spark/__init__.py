"""Run carlzon where the data lives: the same detector, metrics and key drivers on Apache Spark.

An optional extra (``pip install 'carlzon[spark]'``): importing carlzon, or this
package, never imports pyspark; the first function that needs it raises
:class:`~carlzon.errors.MissingExtraError` when it is absent.

* :func:`detect` applies :class:`carlzon.detect.Detector` as a pure function over
  Arrow batches (``mapInArrow``). Columns are mapped exactly as ``carlzon ingest``
  maps them (the plan is resolved once on the driver); the journey, the lexicon's
  version and any trained model travel to the executors once, inside a small JSON
  config captured by the function (no pickle files on disk). Moments are
  row-for-row those of the single-machine path.
* :func:`metrics` computes the counts and value histograms of NPS, CSAT, CES,
  stars, valence and moments of truth per group in Spark, and finishes them on
  the driver into the exact sums of :mod:`carlzon.analysis.sums` and the figures
  with their intervals by the single-machine code: the same numbers bit for bit.
* :func:`key_drivers` computes the pairwise-complete sufficient statistics of the
  drivers and the outcome (counts, sums, sums of squares and cross-products, exact
  integers) in Spark, and finishes the correlation matrix, relative weights or
  Shapley values on the driver with :mod:`carlzon.analysis._weights`: the same
  importances as one machine, bit for bit. Intervals come from a Poisson
  bootstrap computed in Spark (reproducible for one partitioning; not the single
  machine's resamples).

Example (needs pyspark and Java 17):
    >>> from carlzon.spark import session, read_table, detect, metrics   # doctest: +SKIP
    >>> spark = session("local[2]")                                       # doctest: +SKIP
    >>> result = detect(read_table(spark, "interactions.parquet"), journey="airline")  # doctest: +SKIP
    >>> metrics(result.moments, by="touchpoint").summary                  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from carlzon.errors import MissingExtraError

__all__ = [
    "DetectResult",
    "detect",
    "key_drivers",
    "metrics",
    "read_table",
    "require_pyspark",
    "session",
    "write_parquet",
]

_LAZY = {
    "DetectResult": "carlzon.spark._detect",
    "detect": "carlzon.spark._detect",
    "metrics": "carlzon.spark._metrics",
    "key_drivers": "carlzon.spark._drivers",
    "read_table": "carlzon.spark._io",
    "session": "carlzon.spark._io",
    "write_parquet": "carlzon.spark._io",
}


def require_pyspark() -> Any:
    """The pyspark module, or MissingExtraError('spark', 'pyspark') naming the pip command."""
    try:
        import pyspark
    except ImportError:
        raise MissingExtraError("spark", "pyspark") from None
    return pyspark


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'carlzon.spark' has no attribute {name!r}")
