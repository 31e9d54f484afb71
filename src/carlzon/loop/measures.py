"""Recovery measures: how fast we answer, how fast we resolve, how often we win the customer back.

- time to first response: from the case's opening (when the team could act) to the
  first reply sent to the customer (``RecoveryDesk.note(..., reply=True)``); notes,
  assignments and automatic closings are no response;
- time to resolution: from the case's opening to its closing, for cases that had a
  real response (a case closed only because the customer came back is not counted);
- recovery rate: recovered / closed cases, with a 95% Wilson interval.

Each figure carries its n, overall and by touchpoint, team (the owner's
team) and channel. :func:`recovery_paradox` adds the recovery-paradox figure
from ``carlzon.analysis.impact.LoyaltyImpact`` when that analysis is installed.

Example:
    >>> m = recovery_measures(desk)                  # doctest: +SKIP
    >>> m["overall"]["recovery_rate"]                # doctest: +SKIP
    {'n': 12, 'recovered': 9, 'rate': 0.75, 'low': 0.47, 'high': 0.91}
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from carlzon.analysis.intervals import mean_interval, wilson_interval

__all__ = ["BY", "paradox_from_cases", "recovery_measures", "recovery_paradox", "visits_from_store"]

BY = ("touchpoint", "team", "channel")


def _hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    a = pd.to_datetime(later, utc=True)
    b = pd.to_datetime(earlier, utc=True)
    return (a - b).dt.total_seconds() / 3600.0


def _durations(h: pd.Series) -> dict[str, Any]:
    h = h.dropna()
    if h.empty:
        return {"n": 0, "median_hours": None, "p90_hours": None}
    return {
        "n": int(len(h)),
        "median_hours": round(float(np.median(h)), 2),
        "p90_hours": round(float(np.percentile(h, 90)), 2),
    }


_LEAN = (
    "SELECT id, status, outcome, outcome_reason, touchpoint, team, channel, opened_at, first_response_at, "
    "closed_at, moment_at, customer_id, followup_interaction_id FROM recovery_cases"
)


def _cases(desk: Any) -> pd.DataFrame:
    """The columns the measures need, without the cases' text and evidence."""
    df = desk.store.query(_LEAN)
    for c in ("opened_at", "first_response_at", "closed_at", "moment_at"):
        df[c] = pd.to_datetime(df[c], utc=True, errors="coerce")
    return df


def _rate(closed: pd.DataFrame) -> dict[str, Any]:
    n = int(len(closed))
    k = int((closed["outcome"] == "recovered").sum()) if n else 0
    est, lo, hi = wilson_interval(k, n)
    clean = [None if isinstance(v, float) and math.isnan(v) else round(float(v), 3) for v in (est, lo, hi)]
    return {"n": n, "recovered": k, "rate": clean[0], "low": clean[1], "high": clean[2]}


def _figures(cases: pd.DataFrame) -> dict[str, Any]:
    closed = cases[cases["status"] == "closed"]
    return {
        "cases": int(len(cases)),
        "open": int((cases["status"] != "closed").sum()),
        "first_response": _durations(_hours(cases["first_response_at"], cases["opened_at"]).clip(lower=0)),
        # resolution counts only cases a person answered: a case closed by the customer's return alone
        # (no reply sent) is an outcome, not a response time
        "resolution": _durations(
            _hours(closed["closed_at"], closed["opened_at"]).where(closed["first_response_at"].notna()).clip(lower=0)
        ),
        "recovery_rate": _rate(closed),
    }


def recovery_measures(desk: Any, *, by: tuple[str, ...] = BY) -> dict[str, Any]:
    """The recovery measures of a :class:`~carlzon.loop.recovery.RecoveryDesk`'s cases.

    Returns ``{"overall": figures, "by": {dimension: DataFrame}}``; each
    DataFrame has one row per group with cases, open, n_closed, recovered,
    recovery_rate, rate_low, rate_high, first_response_n, first_response_median_hours,
    resolution_n, resolution_median_hours.
    """
    cases = _cases(desk)
    out: dict[str, Any] = {"overall": _figures(cases) if len(cases) else _figures(cases.iloc[0:0]), "by": {}}
    for dim in by:
        rows = []
        if len(cases):
            groups = cases.assign(**{dim: cases[dim].fillna("(none)")}).groupby(dim, sort=True)
            for key, g in groups:
                f = _figures(g)
                rows.append(
                    {
                        dim: key,
                        "cases": f["cases"],
                        "open": f["open"],
                        "n_closed": f["recovery_rate"]["n"],
                        "recovered": f["recovery_rate"]["recovered"],
                        "recovery_rate": f["recovery_rate"]["rate"],
                        "rate_low": f["recovery_rate"]["low"],
                        "rate_high": f["recovery_rate"]["high"],
                        "first_response_n": f["first_response"]["n"],
                        "first_response_median_hours": f["first_response"]["median_hours"],
                        "resolution_n": f["resolution"]["n"],
                        "resolution_median_hours": f["resolution"]["median_hours"],
                    }
                )
        out["by"][dim] = pd.DataFrame(rows)
    return out


def paradox_from_cases(desk: Any) -> pd.DataFrame:
    """The recovery paradox as the cases see it: the mean later NPS (0-10) of customers whose
    case was recovered, not recovered, and of customers who never had a case, each with n and
    a 95% t interval. Recovered above 'no case' is the paradox.

    Later NPS: the follow-up interaction's NPS for closed cases; for customers without a
    case, the mean of their NPS answers.
    """
    store = desk.store
    cases = _cases(desk)
    groups: dict[str, list[float]] = {"recovered": [], "not_recovered": [], "no_case": []}
    closed = cases[(cases["status"] == "closed") & cases["followup_interaction_id"].notna()] if len(cases) else cases
    if len(closed):
        follow = store.interactions(ids=[str(i) for i in closed["followup_interaction_id"]])
        nps = dict(zip(follow["id"], follow["nps"]))
        for fid, outcome in zip(closed["followup_interaction_id"], closed["outcome"]):
            v = nps.get(str(fid))
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                groups[str(outcome)].append(float(v))
    have_case = set(cases["customer_id"].dropna().astype(str)) if len(cases) else set()
    rated = store.query(
        "SELECT customer_id, AVG(nps) AS nps FROM interactions WHERE nps IS NOT NULL "
        "AND customer_id IS NOT NULL GROUP BY customer_id"
    )
    groups["no_case"] = [float(v) for c, v in zip(rated["customer_id"], rated["nps"]) if str(c) not in have_case]
    rows = []
    for name, values in groups.items():
        est, lo, hi = mean_interval(values)
        rows.append({"group": name, "n": len(values), "mean_nps": est, "low": lo, "high": hi})
    return pd.DataFrame(rows)


def visits_from_store(store: Any) -> pd.DataFrame:
    """Customers' moments as visits for :class:`carlzon.analysis.LoyaltyImpact`, with ``recovered``
    taken from the recovery cases' outcomes.

    A misery whose case closed 'recovered' is recovered; one whose case closed otherwise, or that
    opened no case, is unrecovered. Left out, and counted in ``.attrs``: misery whose case is still
    open (its outcome is not known yet), and cases closed only because the customer came back
    (that would count the outcome, returning, as its own cause). The follow-up interactions that
    closed cases are not visits (they are the recovery's outcome, not a return).
    """
    m = store.moments(with_text=False)
    m = m[m["customer_id"].notna()].copy()
    cases = store.query(
        "SELECT interaction_id, status, outcome, outcome_reason, followup_interaction_id FROM recovery_cases"
    )
    if not len(cases):
        return m
    # the follow-up that closed a case is its outcome, not a return: it is no visit here
    followups = m["interaction_id"].isin(set(cases["followup_interaction_id"].dropna()))
    m = m[~followups].copy()
    cases = cases.set_index("interaction_id")
    outcome = m["interaction_id"].map(cases["outcome"])
    misery = m["valence"] == "misery"
    is_open = m["interaction_id"].map(cases["status"]).notna() & outcome.isna() & misery
    by_return = m["interaction_id"].map(cases["outcome_reason"]).fillna("").str.startswith("came back") & misery
    drop = is_open | by_return
    out = m[~drop].copy()
    out["recovered"] = (outcome[~drop] == "recovered").to_numpy()
    out.attrs.update(
        open_cases=int(is_open.sum()), closed_by_return=int(by_return.sum()), followups=int(followups.sum())
    )
    return out


def recovery_paradox(store: Any, **options: Any) -> dict[str, Any]:
    """The recovery-paradox figure of :class:`carlzon.analysis.LoyaltyImpact` on the store's moments
    and recovery cases: return after recovered misery vs unrecovered misery vs none, with intervals,
    n and a statement in words (``available`` False with ``why`` when there are no customer visits)."""
    from carlzon.analysis.impact import LoyaltyImpact
    from carlzon.errors import AnalysisError

    visits = visits_from_store(store)
    if not len(visits):
        return {"available": False, "why": "no moments with a customer id in the store"}
    try:
        out = LoyaltyImpact(**options).fit(visits).to_dict()
    except AnalysisError as exc:
        return {"available": False, "why": str(exc)}
    return {
        "available": True,
        "return": out["return"],
        "paradox": out["paradox"],
        "statement": out["statement"],
        "left_out": dict(visits.attrs),
    }
