"""Spark (local[2]) against the single-machine path on the same 100,000 interactions: identical results."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from carlzon.schema import MOMENT_COLUMNS


@pytest.fixture(scope="module")
def single_moments(interactions_parquet):
    """Moments and ratings the way `carlzon detect` computes them on one machine."""
    from carlzon.cli.detection import _interaction_batches
    from carlzon.detect import Detector
    from carlzon.journey import load_journey
    from carlzon.mapping import ColumnMapping

    jr = load_journey("airline")
    det = Detector(jr)
    parts = []
    for df, bad, _ in _interaction_batches(interactions_parquet, jr, ColumnMapping()):
        assert not bad
        m = det.detect(df)
        rated = df.drop_duplicates("id").set_index("id")  # several moments per interaction: by its id
        for c in ("nps", "csat", "ces", "stars"):
            m[c] = pd.to_numeric(m["interaction_id"].map(rated[c]), errors="coerce")
        parts.append(m)
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def spark_result(spark, interactions_parquet):
    from carlzon.spark import detect, read_table

    res = detect(read_table(spark, interactions_parquet), journey="airline")
    res.combined.persist()  # detect once for every test in this module
    yield res
    res.combined.unpersist()


@pytest.fixture(scope="module")
def spark_moments(spark_result, tmp_path_factory):
    from carlzon.spark import write_parquet

    out = tmp_path_factory.mktemp("out") / "moments"
    write_parquet(spark_result.moments, out)
    return pd.read_parquet(out)


def _canon(df: pd.DataFrame) -> pd.DataFrame:
    out = df[list(MOMENT_COLUMNS) + ["nps", "csat", "ces", "stars"]].copy()
    ts = pd.to_datetime(out["timestamp"])
    out["timestamp"] = ts.dt.tz_localize("UTC") if ts.dt.tz is None else ts.dt.tz_convert("UTC")
    for c in (
        "interaction_id",
        "customer_id",
        "channel",
        "touchpoint",
        "valence",
        "stakes",
        "reasons",
        "evidence",
        "aspect",
        "spans",
        "basis",
        "overall_valence",
    ):
        if c in out.columns:
            out[c] = (
                out[c]
                .map(
                    lambda v, c=c: (
                        json.dumps([list(map(int, x)) for x in v])
                        if c == "spans" and not isinstance(v, str) and v is not None and hasattr(v, "__len__")
                        else (None if not isinstance(v, str) and pd.isna(v) else v)
                    )
                )
                .astype(object)
            )
            out[c] = out[c].where(out[c].notna(), None)
    out["moment_of_truth"] = out["moment_of_truth"].astype(bool)
    return out.sort_values(["interaction_id", "touchpoint"]).reset_index(drop=True)


def test_moments_identical_on_100k(single_moments, spark_moments, spark_result):
    a, b = _canon(single_moments), _canon(spark_moments)
    assert len(a) == len(b) >= 100_000 and a["interaction_id"].nunique() == 100_000  # one row per moment
    assert spark_result.quarantine.count() == 0
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # the detector really ran (not a pass-through): all three valences and evidence
    assert set(b["valence"]) == {"magic", "misery", "neutral"}
    assert json.loads(b.loc[b.valence == "misery", "evidence"].iloc[0])


@pytest.mark.parametrize("by", [None, "touchpoint", "channel", "period:week", "stage"])
def test_metrics_identical(single_moments, spark_result, by):
    from carlzon.analysis.metrics import Metrics
    from carlzon.spark import metrics

    one = Metrics(by=by, journey="airline").fit(single_moments)
    sp = metrics(spark_result.moments, by=by, journey="airline")
    assert sp.n_ == one.n_ >= 100_000  # moments by touchpoint (stage), interactions otherwise
    a, b = one.summary, sp.summary
    assert {"nps", "csat_mean", "stars", "magic_rate", "moments_of_truth"} <= set(a.metric)
    # every figure, n, interval and note the same, bit for bit: exact sums finished by the same code
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert sp.to_dict() == one.to_dict()


def test_key_drivers_match(spark, survey_parquet, sim100k):
    from carlzon.analysis.drivers import KeyDrivers
    from carlzon.spark import key_drivers, read_table

    survey = sim100k[0].survey
    tps = [
        c
        for c in survey.columns
        if c not in ("response_id", "customer_id", "timestamp", "overall", "satisfied", "nps", "csat")
    ]
    one = KeyDrivers(n_boot=50, seed=1).fit(survey, "overall", tps)
    sp = key_drivers(read_table(spark, survey_parquet), "overall", tps, n_boot=50, seed=1)
    assert sp.n_ == one.n_
    assert sp.n_missing_handled_ == one.n_missing_handled_ > 0
    # exact sums on both paths, and the same resamples (Poisson weights keyed by the rows): every
    # figure of the summary, intervals included, the same numbers bit for bit
    for name in ("n_observed_", "performance_", "importance_", "raw_importance_", "ci_low_", "ci_high_", "quadrant_"):
        pd.testing.assert_series_equal(getattr(sp, name), getattr(one, name), check_exact=True, check_names=False)
    assert sp.r2_ == one.r2_
    assert sp.n_rows_read_ == one.n_rows_read_
    pd.testing.assert_frame_equal(sp.summary, one.summary, check_exact=True)
    s = sp.summary
    assert (s.ci_low <= s.importance).all()
    assert (s.importance <= s.ci_high).all()
    assert sp.to_dict()["n_boot"] == 50
    # however Spark splits the rows
    shuffled = read_table(spark, survey_parquet).repartition(7)
    again = key_drivers(shuffled, "overall", tps, n_boot=50, seed=1)
    pd.testing.assert_frame_equal(again.summary, s, check_exact=True)
    # and the seed matters
    other = KeyDrivers(n_boot=50, seed=2).fit(survey, "overall", tps)
    assert not other.ci_low_.equals(one.ci_low_)
    shap = key_drivers(read_table(spark, survey_parquet), "overall", tps[:6], method="shapley", n_boot=0)
    one_shap = KeyDrivers("shapley", n_boot=0).fit(survey, "overall", tps[:6])
    pd.testing.assert_series_equal(shap.importance_, one_shap.importance_, check_exact=True)


def test_key_drivers_of_a_large_outcome_match_beyond_int64(spark, tmp_path: Path):
    # sums of squares beyond int64 (an outcome up to 4,700 over 20,000 rows, in units of 1/10,000):
    # Python integers on both paths, the same figures bit for bit; beyond 4,745 a clear error
    import numpy as np

    from carlzon.analysis.drivers import KeyDrivers
    from carlzon.errors import AnalysisError
    from carlzon.spark import key_drivers, read_table

    rng = np.random.default_rng(4)
    X = rng.integers(1, 6, size=(20_000, 3)).astype(float)
    df = pd.DataFrame(X, columns=["seat", "food", "crew"])
    df["spend"] = np.clip(np.round(900 * df.seat + 300 * df.food + rng.normal(0, 300, len(df))), 0, 4700)
    df.to_parquet(tmp_path / "spend.parquet")
    one = KeyDrivers(n_boot=30, seed=2).fit(df, "spend", ["seat", "food", "crew"])
    sp = key_drivers(
        read_table(spark, tmp_path / "spend.parquet").repartition(3),
        "spend",
        ["seat", "food", "crew"],
        n_boot=30,
        seed=2,
    )
    pd.testing.assert_frame_equal(sp.summary, one.summary, check_exact=True)
    assert (sp.summary.ci_low < sp.summary.importance).all()
    df.loc[0, "spend"] = 125_000
    df.to_parquet(tmp_path / "big.parquet")
    with pytest.raises(AnalysisError, match=r"'spend' reaches 125,000"):
        key_drivers(read_table(spark, tmp_path / "big.parquet"), "spend", ["seat", "food", "crew"], n_boot=10)


def test_key_drivers_refuses_a_yes_no_outcome(spark, survey_parquet):
    from carlzon.errors import AnalysisError
    from carlzon.spark import key_drivers, read_table

    with pytest.raises(AnalysisError, match="yes/no outcome"):
        key_drivers(read_table(spark, survey_parquet), "satisfied", ["seat", "food"])


def test_quarantine_keeps_bad_rows(spark, tmp_path: Path):
    from carlzon.spark import detect

    df = spark.createDataFrame(
        pd.DataFrame(
            {"id": ["a", "b", "c"], "comment": ["Lost my bag", "Great crew", "ok"], "nps": ["2", "eleven", "10"]}
        )
    )
    res = detect(df, journey="airline")
    m = res.moments.toPandas()
    q = res.quarantine.toPandas()
    assert sorted(m.interaction_id) == ["a", "c"]
    assert len(q) == 1
    assert "not a number" in q.loc[0, "reason"]
    assert "eleven" in q.loc[0, "raw"]


def test_read_table_errors(spark, tmp_path: Path):
    from carlzon.errors import IngestError
    from carlzon.spark import read_table

    with pytest.raises(IngestError, match="neither a path nor a table"):
        read_table(spark, str(tmp_path / "nope.parquet"))
    delta = tmp_path / "lake"
    (delta / "_delta_log").mkdir(parents=True)
    with pytest.raises(IngestError, match="delta-spark"):
        read_table(spark, delta)
