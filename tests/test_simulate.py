"""The simulator: seeded, shaped like real exports, and carrying the truths it plants."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from carlzon.errors import CarlzonError
from carlzon.journey import load_journey
from carlzon.simulate import simulate
from carlzon.simulate._drivers import relative_weights, shapley_shares


@pytest.fixture(scope="module")
def sim():
    return simulate("airline", seed=3, customers=1500, days=150)


@pytest.mark.slow
def test_same_seed_same_data_and_different_seed_differs():
    a = simulate("airline", seed=5, customers=150, days=60)
    b = simulate("airline", seed=5, customers=150, days=60)
    c = simulate("airline", seed=6, customers=150, days=60)
    pd.testing.assert_frame_equal(a.interactions, b.interactions)
    pd.testing.assert_frame_equal(a.survey, b.survey)
    pd.testing.assert_frame_equal(a.events, b.events)
    assert a.truth == b.truth
    assert not a.interactions["comment"].equals(c.interactions["comment"])
    assert a.truth["driver_weights"] != c.truth["driver_weights"]


def test_shapes_and_columns(sim):
    j = load_journey("airline")
    tps = [tp.id for tp in j.touchpoints]
    inter = sim.interactions
    for col in (
        "response_id",
        "customer_id",
        "created_at",
        "channel",
        "comment",
        "nps",
        "csat",
        "stars",
        "touchpoint",
        "departure_delay_minutes",
        "wait_minutes",
        "customer_name",
        "email",
        "birthday",
        "tier",
        "usual_order",
        "location",
    ):
        assert col in inter.columns, col
    assert inter["response_id"].is_unique
    assert inter["created_at"].is_monotonic_increasing
    assert {"survey", "review", "ticket", "social", "visit"} <= set(inter["channel"])
    assert inter["nps"].dropna().between(0, 10).all()
    assert inter["csat"].dropna().between(1, 5).all()
    assert inter["stars"].dropna().between(1, 5).all()
    assert inter["touchpoint"].isna().any()
    assert set(inter["touchpoint"].dropna()) <= set(tps)
    # waits and delays as measures, over the bound when the comment is a misery about it
    delays = inter["departure_delay_minutes"].dropna()
    assert len(delays) > 20
    assert (delays > 15).any()
    assert (delays <= 15).any()
    s = sim.survey
    assert list(s.columns[:3]) == ["response_id", "customer_id", "timestamp"]
    assert set(tps) <= set(s.columns)
    assert {"overall", "satisfied", "nps"} <= set(s.columns)
    r = s[tps].to_numpy()
    assert np.isnan(r).any()
    assert set(np.unique(r[~np.isnan(r)])) <= {1, 2, 3, 4, 5}
    assert s["overall"].between(1, 10).all()
    assert set(s["satisfied"].unique()) <= {0, 1}
    assert set(s["response_id"]) <= set(inter["response_id"])
    assert list(sim.events.columns) == ["customer_id", "step", "timestamp"]
    c = sim.customers
    assert c["customer_id"].is_unique
    assert c["name"].nunique() > len(c) * 0.5
    assert {"email", "phone", "birthday", "tier", "signup_date", "usual_order", "customer_value", "churned_at"} <= set(
        c.columns
    )


def test_comments_match_ratings_mostly(sim):
    s = sim.interactions[sim.interactions["channel"] == "survey"].dropna(subset=["comment"])
    low = s[s["nps"] <= 4]["comment"].str.lower()
    high = s[s["nps"] >= 9]["comment"].str.lower()
    neg_words = "terrible|rude|lost|broken|late|delayed|never|disappoint|cold|dirty|nightmare|chaos|hung up|not happy|ugh|stranded"
    assert low.str.contains(neg_words).mean() > 0.6
    assert high.str.contains(neg_words).mean() < 0.25


def test_driver_shares_sum_to_one_and_follow_weights(sim):
    t = sim.truth
    w, sh = t["driver_weights"], t["driver_shares"]
    assert abs(sum(sh.values()) - 1) < 1e-5
    assert abs(sum(t["driver_shares_shapley"].values()) - 1) < 1e-5
    assert min(w.values()) == 0.0
    assert max(w.values()) > 2 * np.median(list(w.values()))
    from scipy.stats import spearmanr

    keys = list(w)
    assert spearmanr([w[k] for k in keys], [sh[k] for k in keys])[0] > 0.8
    zero = min(w, key=w.get)
    assert sh[zero] == min(sh.values())
    assert sh[zero] < 0.02
    assert max(sh.values()) > 10 * sh[zero]


def test_relative_weights_and_shapley_on_a_known_case():
    # independent predictors: both decompositions equal the squared correlations
    corr = np.eye(4)
    corr[:3, 3] = corr[3, :3] = [0.5, 0.3, 0.1]
    assert np.allclose(relative_weights(corr), [0.25, 0.09, 0.01])
    assert np.allclose(shapley_shares(corr), [0.25, 0.09, 0.01])


def _interval_regression(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Coefficients, their standard errors and the noise sd of ``y = clip(rint(x @ beta + e), 1, 10)``,
    e ~ N(0, sd): each rating k says the latent lies in [k - 0.5, k + 0.5), 1 and 10 open-ended
    (OLS on the clipped ratings is biased wherever the scale's ends are reached)."""
    from scipy.optimize import minimize
    from scipy.stats import norm

    lo = np.where(y <= 1, -np.inf, y - 0.5)
    hi = np.where(y >= 10, np.inf, y + 0.5)

    def nll(theta: np.ndarray) -> float:
        mu, sd = x @ theta[:-1], np.exp(theta[-1])
        p = norm.cdf((hi - mu) / sd) - norm.cdf((lo - mu) / sd)
        return float(-np.log(np.clip(p, 1e-300, None)).sum())

    start, *_ = np.linalg.lstsq(x, y, rcond=None)
    fit = minimize(nll, np.append(start, 0.0), method="BFGS")
    se = np.sqrt(np.diag(fit.hess_inv))
    return fit.x[:-1], se[:-1], float(np.exp(fit.x[-1]))


@pytest.mark.slow
def test_survey_regression_recovers_driver_weights():
    big = simulate("airline", seed=11, customers=12000, days=120)
    s, t = big.survey, big.truth
    tps = list(t["driver_weights"])
    # not-applicable ratings are missing completely at random: complete cases are unbiased
    cc = s.dropna(subset=tps)
    assert len(cc) > 1500
    x = np.column_stack([np.ones(len(cc)), cc[tps].to_numpy(float)])
    y = cc["overall"].to_numpy(float)
    beta, se, sd = _interval_regression(x, y)
    err = np.abs(beta[1:] - np.array([t["driver_weights"][k] for k in tps]))
    assert (err < 4 * se[1:]).all(), dict(zip(tps, (err / se[1:]).round(2)))
    assert abs(sd - t["driver_noise_sd"]) < 0.15


@pytest.mark.slow
def test_sample_relative_weights_track_the_population_shares():
    big = simulate("airline", seed=11, customers=12000, days=120)
    s, t = big.survey, big.truth
    tps = list(t["driver_weights"])
    corr = s[tps + ["overall"]].corr().to_numpy()
    rw = relative_weights(corr)
    rw /= rw.sum()
    truth = np.array([t["driver_shares"][k] for k in tps])
    assert np.abs(rw - truth).max() < 0.03


def test_emerging_problem_rises_after_start(sim):
    e = sim.truth["emerging"]
    assert e["rate_after"] >= 3 * e["rate_before"] * 0.99
    inter = sim.interactions
    here = inter[(inter["location"] == e["location"])]
    themed = (
        here["comment"].fillna("").str.lower().str.contains("|".join(w.lower()[:25] for w in e["example_comments"]))
    )
    day = here["created_at"].dt.floor("D")
    start = pd.Timestamp(e["start"], tz="UTC")
    before = themed[day < start].sum() / (start - inter["created_at"].min()).days
    after_days = (inter["created_at"].max().floor("D") - start).days + 1
    after = themed[day >= start].sum() / after_days
    assert before < 0.2
    assert after > 4


def test_recovery_paradox_and_churn_model(sim):
    r = sim.truth["recovery"]["p_return"]
    assert r["recovered"] > r["none"] > r["unrecovered"] + 0.05
    assert sim.truth["churn_hazard_ratio"] > 1
    iv = sim.churn_intervals()
    assert {"customer_id", "start", "stop", "recovered", "unrecovered", "churned"} <= set(iv.columns)
    assert (iv["stop"] > iv["start"]).all()
    assert iv.groupby("customer_id")["churned"].sum().max() == 1
    # a crude rate ratio from exposure (exact model: hazard depends only on the last visit's state)
    expo = iv["stop"] - iv["start"]
    rate_u = iv.loc[iv.unrecovered == 1, "churned"].sum() / expo[iv.unrecovered == 1].sum()
    rate_n = (
        iv.loc[(iv.unrecovered == 0) & (iv.recovered == 0), "churned"].sum()
        / expo[(iv.unrecovered == 0) & (iv.recovered == 0)].sum()
    )
    assert 1.8 < rate_u / rate_n < 5


def test_only_planted_customers_have_birthdays_or_visits_today(sim):
    t = sim.truth
    today = pd.Timestamp(t["today"])
    c = sim.customers
    bd = pd.to_datetime(c["birthday"])
    on_today = set(c.loc[(bd.dt.month == today.month) & (bd.dt.day == today.day), "customer_id"])
    assert on_today == {b["customer_id"] for b in t["birthdays"]}
    assert len(on_today) == 3
    inter = sim.interactions
    today_rows = inter[(inter["created_at"].dt.date == today.date()) & inter["customer_id"].notna()]
    planted = on_today | {r["customer_id"] for r in t["regulars"]}
    assert set(today_rows["customer_id"]) == planted
    visits = inter[inter["channel"] == "visit"]
    for r in t["regulars"]:
        v = visits[visits["customer_id"] == r["customer_id"]]
        assert len(v) == r["visit_number"] == 10
        assert v["created_at"].max().date() == today.date()
        assert (v["usual_order"] == r["usual_order"]).all()
    for b in t["birthdays"]:
        v = visits[visits["customer_id"] == b["customer_id"]]
        assert len(v) % 10 != 0
        assert v["created_at"].max().date() == today.date()
        assert (pd.to_datetime(v["birthday"]).dt.strftime("%m-%d") == today.strftime("%m-%d")).all()


def test_event_log_has_unmapped_steps_and_drop_off(sim):
    ev = sim.events
    assert set(sim.truth["unmapped_steps"]) <= set(ev["step"])
    counts = ev["step"].value_counts()
    names = sim.truth["step_names"]
    assert counts[names["search"]] > counts[names["boarding"]]  # browsing sessions drop off early


@pytest.mark.slow
def test_other_journeys_work():
    for name in ("coffee_shop", "retail_bank"):
        s = simulate(name, seed=0, customers=200, days=60)
        j = load_journey(name)
        assert {tp.id for tp in j.touchpoints} <= set(s.survey.columns)
        assert len(s.interactions) > 500
        assert s.truth["emerging"]["touchpoint"] in {tp.id for tp in j.touchpoints}


def test_write_and_bad_input(tmp_path, sim):
    paths = sim.write(tmp_path / "out")
    assert {p.name for p in paths.values()} >= {
        "interactions.csv",
        "customers.csv",
        "events.csv",
        "survey.csv",
        "truth.json",
    }
    assert json.loads(paths["truth"].read_text())["today"] == sim.truth["today"]
    assert len(pd.read_csv(paths["interactions"])) == len(sim.interactions)
    with pytest.raises(CarlzonError, match="fix"):
        simulate("airline", customers=5)
    with pytest.raises(CarlzonError, match="YYYY-MM-DD"):
        simulate("airline", start="yesterday-ish", customers=50)
    with pytest.raises(CarlzonError):
        simulate("no_such_journey")
