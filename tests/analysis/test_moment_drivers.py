"""Drivers from moments: ranks like drivers on the ratings, misery indicators labelled the right way round."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from carlzon.analysis.drivers import KeyDrivers
from carlzon.analysis.moment_drivers import MomentDrivers
from carlzon.errors import AnalysisError

_WEIGHTS = np.array([3.0, 2.6, 2.2, 1.9, 1.6, 1.4, 1.2, 1.0, 0.8, 0.6, 0.45, 0.3, 0.2, 0.1])
_TPS = [f"tp{k:02d}" for k in range(len(_WEIGHTS))]


@pytest.fixture(scope="module")
def survey() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Responses rating 14 touchpoints 1-5, a satisfied / dissatisfied outcome, and their 14 moments each."""
    rng = np.random.default_rng(7)
    n = 3000
    latent = rng.normal(size=(n, 1))
    r = np.clip(np.rint(3 + 1.1 * (0.5 * latent + rng.normal(size=(n, len(_TPS))))), 1, 5)
    logit = ((r - 3) * _WEIGHTS).sum(axis=1) / 3 + rng.logistic(size=n)
    sat = np.where(logit > 0, "satisfied", "neutral or dissatisfied")
    ratings = pd.DataFrame(r, columns=_TPS).assign(satisfaction=sat)
    val = np.where(r <= 2, "misery", np.where(r >= 4, "magic", "neutral"))
    moments = pd.DataFrame(
        {
            "interaction_id": np.repeat([f"s{i}" for i in range(n)], len(_TPS)),
            "touchpoint": np.tile(_TPS, n),
            "valence": val.ravel(),
            "basis": "rating",
            "score": ((r - 3) / 2).ravel(),
            "satisfaction": np.repeat(sat, len(_TPS)),
        }
    )
    return ratings, moments


def test_ranks_touchpoints_like_drivers_on_the_ratings(survey):
    ratings, moments = survey
    kd = KeyDrivers(n_boot=0).fit(ratings, "satisfaction", _TPS, positive="satisfied")
    md = MomentDrivers(n_boot=0, positive="satisfied").fit(moments, "satisfaction")
    tau = kendalltau(kd.importance_.reindex(_TPS), md.touchpoint_importance_.reindex(_TPS)).statistic
    assert tau >= 0.8


def test_high_misery_rate_that_matters_is_fix_first_not_keep_it_up():
    rng = np.random.default_rng(3)
    rows = []
    for i in range(600):
        bad = {"gate": rng.random() < 0.6, "seat": rng.random() < 0.1, "meal": rng.random() < 0.1}
        y = 9 - 5 * bad["gate"] - 1 * bad["seat"] - 1 * bad["meal"] + rng.normal()
        rows += [
            {"customer_id": f"c{i}", "touchpoint": tp, "valence": "misery" if b else "neutral", "nps": y}
            for tp, b in bad.items()
        ]
    s = MomentDrivers(kinds=("misery",), n_boot=0).fit(pd.DataFrame(rows), "nps").summary.set_index("driver")
    assert (s.loc["misery:gate", "quadrant"], round(s.loc["misery:gate", "performance"], 1)) == ("fix first", 0.4)


def test_misery_magic_indicators_alone_rank_like_the_ratings_too(survey):
    ratings, moments = survey
    kd = KeyDrivers(n_boot=0).fit(ratings, "satisfaction", _TPS, positive="satisfied")
    md = MomentDrivers(kinds=("misery", "magic"), n_boot=0, positive="satisfied").fit(moments, "satisfaction")
    assert kendalltau(kd.importance_.reindex(_TPS), md.touchpoint_importance_.reindex(_TPS)).statistic >= 0.7


def test_outcome_from_the_attributes_and_unit_per_response(survey):
    _, moments = survey
    m = moments.drop(columns="satisfaction").assign(
        attributes=moments["satisfaction"].map(lambda v: f'{{"satisfaction": "{v}"}}')
    )
    md = MomentDrivers(n_boot=0, positive="satisfied").fit(m, "satisfaction")
    assert (md.per_, md.key_drivers_.n_) == ("interaction_id", 3000)


def test_cli_drivers_from_moments_prints_touchpoints(tmp_path, survey):
    from typer.testing import CliRunner

    from carlzon.cli import app

    _, moments = survey
    f = tmp_path / "moments.csv"
    moments.to_csv(f, index=False)
    out = CliRunner().invoke(
        app,
        ["drivers", str(f), "--from-moments", "--outcome", "satisfaction", "--positive", "satisfied", "--boot", "0"],
    )
    assert out.exit_code == 0
    assert "By touchpoint (its drivers together): tp00" in out.output


def _texts_naming_few_touchpoints(seed: int = 3, n: int = 400) -> pd.DataFrame:
    """Customers who each speak of two or three of eight touchpoints (as reviews and tweets do), with an nps."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        spoken = rng.choice(8, size=rng.integers(2, 4), replace=False)
        bad = {int(t): rng.random() < 0.3 for t in spoken}
        nps = 9 - 3 * sum(bad.values()) + rng.normal()
        rows += [
            {
                "customer_id": f"c{i}",
                "touchpoint": f"tp{t}",
                "valence": "misery" if b else "magic",
                "score": -0.6 if b else 0.6,
                "nps": nps,
            }
            for t, b in bad.items()
        ]
    return pd.DataFrame(rows)


def test_scores_of_touchpoints_few_speak_of_are_left_to_the_indicators():
    md = MomentDrivers(n_boot=0).fit(_texts_naming_few_touchpoints(), outcome="nps")
    assert not any(d.startswith("score:") for d in md.drivers_)


def test_sparse_scores_fit_without_an_undefined_correlation():
    md = MomentDrivers(n_boot=20).fit(_texts_naming_few_touchpoints(), outcome="nps")
    assert np.isfinite(md.key_drivers_.importance_).all()


def test_an_undefined_correlation_names_the_pair():
    rows = {"a": [1.0, 2, None, None, 3, 4], "b": [None, None, 1.0, 2, 5, 5], "y": [1.0, 2, 3, 4, 5, 6]}
    df = pd.DataFrame({k: v * 10 for k, v in rows.items()})  # where both are given, b is always 5
    with pytest.raises(AnalysisError, match="a and b"):
        KeyDrivers(n_boot=0).fit(df, "y", ["a", "b"])
