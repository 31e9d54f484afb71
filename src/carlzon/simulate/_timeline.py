"""Customer timelines: visits until churn, moments of misery, recovery, and the churn model.

The model (followed exactly for every customer that is not planted):

* a customer is active from ``max(start, signup)``; visits arrive as a Poisson
  process with the customer's own rate ``r`` (gamma distributed across customers);
* each visit has a moment of misery with probability ``P_MISERY`` (else magic with
  ``P_MAGIC``); a misery is *reported* when the customer answers the survey or
  complains, and a reported misery is *recovered* with probability ``P_RECOVER``;
* churn is a proportional-hazards process whose covariate is the state of the
  customer's last visit: hazard ``h0`` after no misery, ``h0 * HR_RECOVERED`` after a
  recovered misery, ``h0 * HR_UNRECOVERED`` after an unrecovered one (a time-varying
  covariate that changes at each visit);
* timelines are censored at the start of ``today`` (the last simulated day); on
  ``today`` only planted customers visit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

H0 = 1 / 400
"""Baseline churn hazard per day (after a visit without misery)."""
HR_UNRECOVERED = 3.0
HR_RECOVERED = 0.8
P_RECOVER = 0.55
P_SURVEY = 0.45
P_COMPLAIN = 0.6
MEAN_RATE = 1 / 30
RETURN_DAYS = 90
STATES = ("none", "recovered", "unrecovered")


def timelines(
    rng: np.random.Generator,
    entry_days: np.ndarray,
    end_day: float,
    misery_draw,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Simulate visits for all customers at once.

    ``entry_days``: each customer's first active day (float, days since start).
    ``misery_draw(n)`` returns (misery_tp, magic_tp) arrays for n visits.
    Returns (visits frame, churn day per customer (nan if censored), rate per customer).
    """
    n = len(entry_days)
    rate = rng.gamma(2.0, MEAN_RATE / 2.0, size=n)
    t = entry_days.astype(float).copy()
    state = np.zeros(n, dtype=np.int8)
    alive = t < end_day
    churn = np.full(n, np.nan)
    hr = np.array([1.0, HR_RECOVERED, HR_UNRECOVERED])
    rows: list[tuple[np.ndarray, ...]] = []
    while alive.any():
        idx = np.flatnonzero(alive)
        h = H0 * hr[state[idx]]
        next_visit = t[idx] + rng.exponential(1.0 / rate[idx])
        next_churn = t[idx] + rng.exponential(1.0 / h)
        churned = (next_churn < next_visit) & (next_churn < end_day)
        churn[idx[churned]] = next_churn[churned]
        visited = ~churned & (next_visit < end_day)
        alive[idx[~visited]] = False
        vi = idx[visited]
        if len(vi) == 0:
            break
        vt = next_visit[visited]
        mis, mag = misery_draw(len(vi))
        survey = rng.random(len(vi)) < P_SURVEY
        complain = (mis >= 0) & (rng.random(len(vi)) < P_COMPLAIN)
        recovered = (mis >= 0) & (survey | complain) & (rng.random(len(vi)) < P_RECOVER)
        new_state = np.where(mis < 0, 0, np.where(recovered, 1, 2)).astype(np.int8)
        rows.append((vi, vt, state[vi].copy(), mis, mag, survey, complain, recovered, new_state))
        t[vi] = vt
        state[vi] = new_state
    if rows:
        cols = [np.concatenate(c) for c in zip(*rows)]
    else:
        cols = (
            [np.array([], dtype=int), np.array([]), np.array([], dtype=np.int8)]
            + [np.array([], dtype=int)] * 2
            + [np.array([], dtype=bool)] * 3
            + [np.array([], dtype=np.int8)]
        )
    visits = (
        pd.DataFrame(
            {
                "customer": cols[0],
                "day": cols[1],
                "state_before": cols[2],
                "misery_tp": cols[3],
                "magic_tp": cols[4],
                "survey": cols[5],
                "complaint": cols[6],
                "recovered": cols[7],
                "state": cols[8],
            }
        )
        .sort_values(["customer", "day"], kind="stable")
        .reset_index(drop=True)
    )
    return visits, churn, rate


def return_probability(rate: np.ndarray, state: np.ndarray, days: float = RETURN_DAYS) -> np.ndarray:
    """P(next visit within ``days`` and before churn) after a visit in ``state`` (0/1/2)."""
    h = H0 * np.array([1.0, HR_RECOVERED, HR_UNRECOVERED])[state]
    tot = rate + h
    return rate / tot * (1 - np.exp(-tot * days))


def recovery_truth(visits: pd.DataFrame, rate: np.ndarray, end_day: float) -> dict:
    """The planted recovery effect over visits with a full ``RETURN_DAYS`` follow-up."""
    v = visits[(visits["day"] <= end_day - RETURN_DAYS) & ~visits["planted"]]
    p = return_probability(rate[v["customer"].to_numpy()], v["state"].to_numpy())
    out: dict = {"return_within_days": RETURN_DAYS, "p_return": {}, "n_visits": {}}
    for k, name in enumerate(STATES):
        sel = v["state"].to_numpy() == k
        out["p_return"][name] = round(float(p[sel].mean()), 6) if sel.any() else None
        out["n_visits"][name] = int(sel.sum())
    n_mis = int((visits["misery_tp"] >= 0).sum())
    out.update(
        {
            "definition": (
                f"among visits at least {RETURN_DAYS} days before today: the expected share followed by "
                f"another visit of the same customer within {RETURN_DAYS} days, by the visit's state "
                "(none: no misery; recovered / unrecovered misery); planted customers excluded"
            ),
            "recovery_rate": round(float(visits["recovered"].sum() / n_mis), 6) if n_mis else None,
            "p_recover_if_reported": P_RECOVER,
        }
    )
    return out


def churn_intervals(visits: pd.DataFrame, entry: np.ndarray, churn: np.ndarray, end_day: float) -> pd.DataFrame:
    """Long format for a Cox model with time-varying covariates (days since start):
    one row per customer interval between visits, with the state of the last visit."""
    ent = pd.DataFrame({"customer": np.arange(len(entry)), "day": entry, "state": 0})
    v = visits[["customer", "day", "state"]]
    seq = pd.concat([ent, v], ignore_index=True).sort_values(["customer", "day"], kind="stable")
    nxt = seq.groupby("customer")["day"].shift(-1)
    last = nxt.isna()
    stop_last = np.where(np.isnan(churn[seq["customer"].to_numpy()]), end_day, churn[seq["customer"].to_numpy()])
    stop = np.where(last, stop_last, nxt)
    event = last & ~np.isnan(churn[seq["customer"].to_numpy()])
    out = pd.DataFrame(
        {
            "customer": seq["customer"].to_numpy(),
            "start": seq["day"].to_numpy(),
            "stop": stop,
            "recovered": (seq["state"].to_numpy() == 1).astype(int),
            "unrecovered": (seq["state"].to_numpy() == 2).astype(int),
            "churned": event.to_numpy().astype(int),
        }
    )
    return out[out["stop"] > out["start"]].reset_index(drop=True)
