"""Spark fixtures: one local[2] session for the suite, and 100,000 simulated interactions as Parquet.

Every test here skips cleanly when pyspark is absent (``pip install 'carlzon[spark]'``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'carlzon[spark]')")

N_INTERACTIONS = 100_000


@pytest.fixture(scope="session")
def spark():
    from carlzon.spark import session

    s = session(
        "local[2]",
        conf={
            "spark.sql.shuffle.partitions": "4",
            "spark.ui.enabled": "false",
            "spark.sql.execution.arrow.maxRecordsPerBatch": "20000",
        },
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture(scope="session")
def sim100k():
    """100,000 simulated airline interactions (an export that ingest maps) and the survey panel."""
    from carlzon.simulate import simulate

    sim = simulate("airline", seed=3, customers=8_300, days=180)
    inter = sim.interactions
    assert len(inter) >= N_INTERACTIONS
    return sim, inter.iloc[:N_INTERACTIONS].reset_index(drop=True)


@pytest.fixture(scope="session")
def interactions_parquet(tmp_path_factory, sim100k) -> Path:
    """The 100,000 interactions as Parquet (timestamps in microseconds: Spark reads no nanoseconds)."""
    path = tmp_path_factory.mktemp("spark") / "interactions.parquet"
    sim100k[1].to_parquet(
        path, index=False, coerce_timestamps="us", allow_truncated_timestamps=True, row_group_size=25_000
    )
    return path


@pytest.fixture(scope="session")
def survey_parquet(tmp_path_factory, sim100k) -> Path:
    path = tmp_path_factory.mktemp("spark") / "survey.parquet"
    sim100k[0].survey.to_parquet(path, index=False, coerce_timestamps="us", allow_truncated_timestamps=True)
    return path
