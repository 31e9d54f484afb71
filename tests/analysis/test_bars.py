"""The bars of issue 4 on planted truth from carlzon.simulate, over 20 seeds.

Drivers: importance ranking (Kendall tau >= 0.9) and 95% intervals covering the
true shares in >= 90% of drivers. Loyalty: the planted return rates, the
recovery-paradox effect and the churn hazard ratio inside their 95% intervals
in >= 90% of seeds.
"""

import numpy as np
import pytest
from scipy.stats import kendalltau

from carlzon.analysis import KeyDrivers, LoyaltyImpact
from carlzon.simulate import simulate

SEEDS = range(20)


@pytest.fixture(scope="module")
def sims():
    return [simulate("airline", seed=s, customers=2000, days=365) for s in SEEDS]


@pytest.mark.slow
def test_planted_driver_shares_recovered(sims):
    covered, total, taus = 0, 0, []
    for seed, sim in zip(SEEDS, sims):
        tps = list(sim.truth["driver_shares"])
        truth = np.array([sim.truth["driver_shares"][t] for t in tps])
        kd = KeyDrivers(n_boot=200, seed=seed).fit(sim.survey, outcome="overall", drivers=tps)
        assert kd.n_missing_handled_ > 0
        assert kd.n_ == len(sim.survey)
        est = kd.importance_.reindex(tps).to_numpy()
        lo, hi = kd.ci_low_.reindex(tps).to_numpy(), kd.ci_high_.reindex(tps).to_numpy()
        covered += int(((truth >= lo) & (truth <= hi)).sum())
        total += len(tps)
        taus.append(kendalltau(est, truth).statistic)
    assert min(taus) >= 0.9, taus
    assert covered / total >= 0.9, covered / total


@pytest.mark.slow
def test_planted_recovery_paradox_and_churn_hazard_recovered(sims):
    hits = {"none": 0, "recovered": 0, "unrecovered": 0, "effect": 0, "hazard": 0}
    for sim in sims:
        visits = sim.visits[~sim.visits["planted"]]
        li = LoyaltyImpact(return_days=90).fit(visits, sim.customers)
        p = sim.truth["recovery"]["p_return"]
        for s in ("none", "recovered", "unrecovered"):
            r = li.return_.loc[s]
            hits[s] += r.ci_low <= p[s] <= r.ci_high
        effect = p["recovered"] - p["none"]
        hits["effect"] += li.paradox_["ci_low"] <= effect <= li.paradox_["ci_high"]
        h = li.hazard_ratios_.loc["unrecovered"]
        hits["hazard"] += h.ci_low <= sim.truth["churn_hazard_ratio"] <= h.ci_high
        assert li.statement_
    for k, v in hits.items():
        assert v >= 18, (k, hits)
