import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from carlzon.analysis import KeyDrivers
from carlzon.analysis import _weights as W
from carlzon.errors import AnalysisError, NotEnoughDataError
from carlzon.simulate._drivers import relative_weights as sim_rw
from carlzon.simulate._drivers import shapley_shares as sim_shapley


def _survey(n=600, seed=0, na=0.0):
    rng = np.random.default_rng(seed)
    halo = rng.normal(size=n)
    X = np.clip(np.rint(3 + 0.6 * halo[:, None] + rng.normal(size=(n, 4))), 1, 5)
    df = pd.DataFrame(X, columns=["seat", "food", "wifi", "crew"])
    eta = 1.0 * df.seat + 0.5 * df.food + 0.2 * df.wifi
    df["overall"] = eta + rng.normal(0, 1, n)
    df["satisfied"] = np.where(rng.random(n) < 1 / (1 + np.exp(-(eta - eta.mean()) * 2)), "yes", "no")
    df["grade"] = pd.cut(df["overall"], 4, labels=False)
    if na:
        for c in ("seat", "food", "wifi", "crew"):
            df.loc[rng.random(n) < na, c] = 0
    return df


def test_relative_weights_and_shapley_match_independent_code():
    rng = np.random.default_rng(3)
    A = rng.normal(size=(6, 6))
    R = np.corrcoef(rng.normal(size=(200, 6)) @ A, rowvar=False)
    assert np.allclose(W.relative_weights(R), sim_rw(R))
    assert np.allclose(W.shapley_values(W.subset_values_from_corr(R)), sim_shapley(R))
    assert W.relative_weights(R).sum() == pytest.approx(W.r2_from_corr(R))
    batch = np.stack([R, R])
    assert np.allclose(W.relative_weights(batch)[1], sim_rw(R))


def test_continuous_ranks_planted_order_with_intervals():
    kd = KeyDrivers(n_boot=200, seed=1).fit(_survey(), "overall", ["seat", "food", "wifi", "crew"])
    assert list(kd.summary.driver) == ["seat", "food", "wifi", "crew"]
    assert kd.importance_.sum() == pytest.approx(1)
    assert (kd.ci_low_ <= kd.importance_).all()
    assert (kd.importance_ <= kd.ci_high_).all()
    assert kd.r2_kind_ == "r2"
    assert 0.3 < kd.r2_ < 0.9
    assert set(kd.summary.quadrant) <= {"fix first", "keep it up", "low priority", "possible overkill"}


def test_not_applicable_ratings_do_not_drop_rows():
    df = _survey(na=0.2)
    kd = KeyDrivers(n_boot=50, na_values=0).fit(df, "overall", ["seat", "food", "wifi", "crew"])
    assert kd.n_ == len(df)
    assert kd.n_missing_handled_ > 200
    assert "pairwise" in kd.missing_how_
    assert (kd.n_observed_ < len(df)).all()
    assert kd.performance_["seat"] >= 1  # zeros are not counted as ratings
    binary = KeyDrivers(n_boot=50, na_values=0).fit(df, "satisfied", ["seat", "food", "wifi", "crew"], positive="yes")
    assert binary.n_ == len(df)
    assert "mean imputation" in binary.missing_how_


def test_binary_uses_logistic_with_mcfadden():
    df = _survey(n=2000)
    kd = KeyDrivers(n_boot=100).fit(df, "satisfied", ["seat", "food", "wifi", "crew"], positive="yes")
    assert kd.outcome_type_ == "binary"
    assert kd.r2_kind_ == "mcfadden"
    import statsmodels.api as sm

    X = sm.add_constant(df[["seat", "food", "wifi", "crew"]])
    ref = sm.Logit((df.satisfied == "yes").astype(float), X).fit(disp=False)
    assert kd.r2_ == pytest.approx(ref.prsquared, rel=1e-6)
    assert kd.importance_.idxmax() == "seat"
    assert kd.importance_.idxmin() == "crew"
    sh = KeyDrivers("shapley", n_boot=50).fit(df, "satisfied", ["seat", "food", "wifi", "crew"], positive="yes")
    assert kendalltau(sh.importance_, kd.importance_).statistic >= 0.6
    assert any("Shapley" in n for n in sh.notes_)


def test_ordinal_outcome():
    kd = KeyDrivers(outcome_type="ordinal", n_boot=50).fit(_survey(n=800), "grade", ["seat", "food", "wifi", "crew"])
    assert kd.outcome_type_ == "ordinal"
    assert kd.r2_kind_ == "mcfadden"
    assert kd.importance_.idxmax() == "seat"
    assert kd.ci_low_.notna().all()


def test_sampled_shapley_beyond_max_exact_says_so():
    df = _survey()
    exact = KeyDrivers("shapley", n_boot=0).fit(df, "overall", ["seat", "food", "wifi", "crew"])
    sampled = KeyDrivers("shapley", n_boot=20, max_exact=3, n_permutations=300).fit(
        df, "overall", ["seat", "food", "wifi", "crew"]
    )
    assert any("sampled" in n for n in sampled.notes_)
    assert not sampled.to_dict()["exact"]
    assert np.allclose(exact.importance_, sampled.importance_, atol=0.02)


def test_large_outcomes_keep_exact_sums_and_the_unit_does_not_matter():
    # an outcome of up to 4,700 over 20,000 rows: its sum of squares (in units of 1/10,000) is beyond int64
    df = _survey(n=20_000, seed=5)
    df["spend"] = np.round((df["overall"] - df["overall"].min()) * 400).clip(upper=4700)
    assert df["spend"].max() > 3000
    assert (df["spend"] * 10_000).pow(2).sum() > 2**63
    drivers = ["seat", "food", "wifi", "crew"]
    big = KeyDrivers(n_boot=100, seed=3).fit(df, "spend", drivers)
    small = KeyDrivers(n_boot=100, seed=3).fit(df.assign(spend=df["spend"] / 1000), "spend", drivers)
    # correlations do not depend on the unit; the resamples do (they are keyed by the rows' values), a little
    assert np.allclose(big.importance_, small.importance_, rtol=0, atol=1e-9)
    for name in ("ci_low_", "ci_high_"):
        assert np.allclose(getattr(big, name), getattr(small, name), rtol=0, atol=0.01), name
    assert (big.ci_low_ < big.importance_).all()
    assert (big.importance_ < big.ci_high_).all()
    assert list(big.summary.driver[:2]) == ["seat", "food"]
    with pytest.raises(AnalysisError, match=r"'spend' reaches 125,000.*rescale"):
        KeyDrivers(n_boot=10).fit(df.assign(spend=df["spend"].where(df.index > 0, 125_000)), "spend", drivers)


def test_weighted_sums_exact_for_heavy_weights_and_beyond_int64():
    from carlzon.analysis.sums import units

    rng = np.random.default_rng(0)
    D = rng.integers(0, 101, size=(400, 3)).astype(float)
    D[rng.random(D.shape) < 0.1] = np.nan
    w = rng.integers(0, 10**7, size=(2, 400)).astype(float)  # rows seen millions of times
    obs = ~np.isnan(D)
    U = np.where(obs, units(np.where(obs, D, 0.0)), 0).astype(object)
    M = obs.astype(np.int64).astype(object)
    got = W.weighted_sums(D, w)
    for b in range(2):
        wb = np.array([int(x) for x in w[b]], dtype=object)[:, None]
        ref = np.stack([(M * wb).T @ M, (U * wb).T @ M, (U * U * wb).T @ M, (U * wb).T @ U])
        assert (got[b] == ref).all()
    D = np.column_stack([np.full(300_000, 4000.0), rng.integers(0, 4000, 300_000)])
    assert (W.weighted_sums(D, np.full((1, len(D)), 3.0))[0] == W.exact_sums(D) * 3).all()  # sums beyond int64
    assert W.add_sums(np.array([2**62]), np.array([2**62])).tolist() == [2**63]


def test_bad_input_errors_name_the_fix():
    df = _survey()
    with pytest.raises(AnalysisError, match="did you mean"):
        KeyDrivers().fit(df, "overal", ["seat", "food"])
    with pytest.raises(AnalysisError, match="positive"):
        KeyDrivers().fit(df, "satisfied", ["seat", "food"])
    with pytest.raises(NotEnoughDataError):
        KeyDrivers().fit(df.head(5), "overall", ["seat", "food"])
    with pytest.raises(AnalysisError, match="not numbers"):
        KeyDrivers().fit(df.assign(seat="good"), "overall", ["seat", "food"])
    with pytest.raises(AnalysisError, match="not fitted"):
        KeyDrivers().summary


def test_plot_returns_axis():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    kd = KeyDrivers(n_boot=20).fit(_survey(), "overall", ["seat", "food", "wifi"])
    ax = kd.plot()
    assert len(ax.patches) == 3


@pytest.mark.shared_data
def test_airline_relative_weights_agree_with_exact_shapley(shared_data):
    df = pd.read_csv(shared_data / "airline_passenger_satisfaction" / "train.csv")
    drivers = [
        "Inflight wifi service",
        "Departure/Arrival time convenient",
        "Ease of Online booking",
        "Gate location",
        "Food and drink",
        "Online boarding",
        "Seat comfort",
        "Inflight entertainment",
        "On-board service",
        "Leg room service",
        "Baggage handling",
        "Checkin service",
        "Inflight service",
        "Cleanliness",
    ]
    rw = KeyDrivers(n_boot=0, na_values=0).fit(df, "satisfaction", drivers, positive="satisfied")
    sh = KeyDrivers("shapley", n_boot=0, na_values=0).fit(df, "satisfaction", drivers, positive="satisfied")
    assert rw.n_ == len(df) == 103904
    assert rw.n_missing_handled_ > 0
    assert sh.to_dict()["exact"]
    assert kendalltau(rw.importance_, sh.importance_.reindex(rw.importance_.index)).statistic >= 0.85
    assert rw.importance_.idxmax() == "Online boarding"
