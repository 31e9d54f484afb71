import numpy as np
import pandas as pd
import pytest

from carlzon.analysis import LoyaltyImpact, newcombe_interval
from carlzon.errors import AnalysisError


def _visits(seed=0, customers=400):
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        t = rng.uniform(0, 30)
        while t < 365:
            state = rng.choice(["none", "recovered", "unrecovered"], p=[0.8, 0.1, 0.1])
            rows.append(
                {
                    "customer_id": f"c{c}",
                    "timestamp": pd.Timestamp("2026-01-01", tz="UTC") + pd.Timedelta(days=t),
                    "state": state,
                }
            )
            if rng.random() < (0.3 if state == "unrecovered" else 0.05):
                break
            t += rng.exponential(30)
    return pd.DataFrame(rows)


def test_return_rates_hazard_and_statement():
    li = LoyaltyImpact(churn_days=120).fit(_visits())
    r = li.return_
    assert r.loc["unrecovered", "return_rate"] < r.loc["none", "return_rate"]
    assert (r["ci_low"] <= r["return_rate"]).all()
    assert (r["n"] > 0).all()
    assert li.hazard_ratios_.loc["unrecovered", "hazard_ratio"] > 2
    assert "hazard" in li.statement_
    assert "n=" in li.statement_
    assert set(li.km_) == {"none", "recovered", "unrecovered"}
    assert {"measure", "group", "value", "ci_low", "ci_high", "n"} <= set(li.summary.columns)


def test_misery_flag_without_recovery_says_so():
    v = _visits().assign(misery=lambda d: d.state != "none").drop(columns="state")
    li = LoyaltyImpact().fit(v)
    assert "unrecovered" in li.state_from_
    assert li.return_.loc["recovered", "n"] == 0
    assert "Too few" in li.statement_


def test_newcombe_and_errors():
    d, lo, hi = newcombe_interval(60, 100, 50, 100)
    assert d == pytest.approx(0.1)
    assert lo < 0 < hi
    with pytest.raises(AnalysisError, match="state"):
        LoyaltyImpact().fit(pd.DataFrame({"customer_id": ["a"] * 30, "timestamp": ["2026-01-01"] * 30}))
