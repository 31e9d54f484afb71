"""Effect on loyalty: what a moment of misery, recovered or not, does to return and churn.

Input is one row per visit (or interaction) of known customers: a
``customer_id``, a ``timestamp`` and the visit's state, either a ``state``
column (``none`` / ``recovered`` / ``unrecovered``) or a ``misery`` flag
(or a ``valence`` column, misery = ``'misery'``) with a ``recovered`` flag.

* **Return** (the service-recovery paradox): among visits at least
  ``return_days`` before the end of the data, the share followed by another
  visit of the same customer within ``return_days``, for no misery, recovered
  misery and unrecovered misery, each with its n and a Wilson interval; the
  paradox effect (recovered minus none) with a Newcombe hybrid-score interval,
  and a statement in words of what the data can and cannot tell.
* **Kaplan-Meier** curves of the time to the next visit by the visit's state.
* **Cox model** with time-varying covariates (lifelines ``CoxTimeVaryingFitter``):
  each customer's time is cut at every visit; the covariates ``recovered``
  and ``unrecovered`` are the state of the last visit. The event is churn:
  ``churned_at`` per customer when given (``customers`` frame or column),
  else "no visit within ``churn_days`` after the last one" (dated at the last
  visit + ``churn_days``, and only when that is before the end of the data).

Example:
    >>> from carlzon.simulate import simulate                               # doctest: +SKIP
    >>> sim = simulate("airline", seed=0, customers=3000, days=365)          # doctest: +SKIP
    >>> li = LoyaltyImpact().fit(sim.visits, sim.customers)                  # doctest: +SKIP
    >>> li.hazard_ratios_.loc["unrecovered", "hazard_ratio"]                 # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from carlzon.analysis._base import Fitter
from carlzon.analysis._io import check_columns
from carlzon.analysis._plot import axis
from carlzon.analysis.intervals import small_sample_note, wilson_interval
from carlzon.errors import AnalysisError, NotEnoughDataError

__all__ = ["STATES", "LoyaltyImpact", "newcombe_interval"]

STATES = ("none", "recovered", "unrecovered")


def newcombe_interval(k1: int, n1: int, k2: int, n2: int, *, confidence: float = 0.95) -> tuple[float, float, float]:
    """Difference of two shares (first minus second) with Newcombe's hybrid score interval."""
    p1, l1, u1 = wilson_interval(k1, n1, confidence=confidence)
    p2, l2, u2 = wilson_interval(k2, n2, confidence=confidence)
    if math.isnan(p1) or math.isnan(p2):
        return math.nan, math.nan, math.nan
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


class LoyaltyImpact(Fitter):
    """Return rates, Kaplan-Meier curves and a time-varying Cox model by misery and recovery (fitter style)."""

    _result = "statement_"
    _fit_call = "fit(visits)"

    def __init__(self, *, return_days: float = 90, churn_days: float = 180, confidence: float = 0.95) -> None:
        self.return_days = return_days
        self.churn_days = churn_days
        self.confidence = confidence

    def _states(self, visits: pd.DataFrame) -> pd.Series:
        if "state" in visits.columns:
            s = visits["state"].astype(str).str.lower()
            bad = sorted(set(s) - set(STATES))
            if bad:
                raise AnalysisError(f"unknown visit states {bad[:5]}", fix="use none, recovered or unrecovered")
            self.state_from_ = "state column"
            return s
        if "misery" in visits.columns:
            misery = visits["misery"].fillna(False).astype(bool)
        elif "valence" in visits.columns:
            misery = visits["valence"].astype(str).eq("misery")
        else:
            raise AnalysisError(
                "the visits say nothing about misery",
                fix="add a 'state' (none/recovered/unrecovered), 'misery' or 'valence' column",
            )
        if "recovered" in visits.columns:
            rec = visits["recovered"].fillna(False).astype(bool)
            self.state_from_ = "misery and recovered columns"
        else:
            rec = pd.Series(False, index=visits.index)
            self.state_from_ = "misery only: no 'recovered' column, so every misery counts as unrecovered"
        return pd.Series(np.where(~misery, "none", np.where(rec, "recovered", "unrecovered")), index=visits.index)

    def fit(self, visits: pd.DataFrame, customers: pd.DataFrame | None = None, *, end: Any = None) -> LoyaltyImpact:
        """Fit on one row per visit; ``customers`` may give ``churned_at`` per customer_id. Returns self."""
        check_columns(visits, ["customer_id", "timestamp"])
        v = visits.copy()
        v["timestamp"] = pd.to_datetime(v["timestamp"], utc=True, errors="coerce")
        if v["timestamp"].isna().any():
            raise AnalysisError(
                f"{int(v['timestamp'].isna().sum())} visits have no readable timestamp",
                fix="give every visit a date/time",
            )
        v = v[v["customer_id"].notna()]
        v["state"] = self._states(v)
        v = v.sort_values(["customer_id", "timestamp"], kind="stable").reset_index(drop=True)
        if len(v) < 20 or v["customer_id"].nunique() < 10:
            raise NotEnoughDataError(
                f"{len(v)} visits of {v['customer_id'].nunique()} customers are too few",
                fix="use at least 20 visits of 10 customers",
            )
        end_ts = pd.Timestamp(end, tz="UTC") if end is not None else v["timestamp"].max()
        origin = v["timestamp"].min()
        day = (v["timestamp"] - origin).dt.total_seconds().to_numpy() / 86400.0
        end_day = (end_ts - origin).total_seconds() / 86400.0
        nxt = v.groupby("customer_id")["timestamp"].shift(-1)
        gap = ((nxt - v["timestamp"]).dt.total_seconds() / 86400.0).to_numpy()
        self.n_visits_ = len(v)
        self.n_customers_ = int(v["customer_id"].nunique())
        self._return_rates(v, day, gap, end_day)
        self._kaplan_meier(v, day, gap, end_day)
        churned_at = None
        if customers is not None and "churned_at" in customers.columns:
            churned_at = customers.set_index("customer_id")["churned_at"]
        elif "churned_at" in v.columns:
            churned_at = v.groupby("customer_id")["churned_at"].last()
        self._cox(v, day, end_day, origin, churned_at)
        self.statement_ = self._statement()
        return self

    # ------------------------------------------------------------------ return
    def _return_rates(self, v: pd.DataFrame, day: np.ndarray, gap: np.ndarray, end_day: float) -> None:
        full = day <= end_day - self.return_days
        returned = full & (gap <= self.return_days)  # NaN gap (no next visit) compares False
        rows, counts = [], {}
        for s in STATES:
            sel = full & (v["state"].to_numpy() == s)
            n, k = int(sel.sum()), int(returned[sel].sum())
            rate, lo, hi = wilson_interval(k, n, confidence=self.confidence)
            counts[s] = (k, n)
            rows.append(
                {
                    "state": s,
                    "n": n,
                    "returned": k,
                    "return_rate": rate,
                    "ci_low": lo,
                    "ci_high": hi,
                    "note": small_sample_note(n),
                }
            )
        self.return_ = pd.DataFrame(rows).set_index("state")
        d, lo, hi = newcombe_interval(*counts["recovered"], *counts["none"], confidence=self.confidence)
        du, ulo, uhi = newcombe_interval(*counts["unrecovered"], *counts["none"], confidence=self.confidence)
        self.paradox_: dict[str, Any] = {
            "effect": d,
            "ci_low": lo,
            "ci_high": hi,
            "n_recovered": counts["recovered"][1],
            "n_none": counts["none"][1],
            "unrecovered_effect": du,
            "unrecovered_ci_low": ulo,
            "unrecovered_ci_high": uhi,
            "definition": f"return within {self.return_days:g} days after a recovered misery minus "
            "after no misery (visits with a full follow-up)",
        }

    def _kaplan_meier(self, v: pd.DataFrame, day: np.ndarray, gap: np.ndarray, end_day: float) -> None:
        from lifelines import KaplanMeierFitter

        duration = np.where(np.isnan(gap), end_day - day, gap)
        event = ~np.isnan(gap)
        self.km_: dict[str, Any] = {}
        for s in STATES:
            sel = (v["state"].to_numpy() == s) & (duration > 0)
            if sel.sum() >= 2:
                self.km_[s] = KaplanMeierFitter(label=s).fit(duration[sel], event[sel])

    # --------------------------------------------------------------------- cox
    def _cox(self, v: pd.DataFrame, day: np.ndarray, end_day: float, origin: pd.Timestamp, churned_at: Any) -> None:
        from lifelines import CoxTimeVaryingFitter

        df = pd.DataFrame({"customer_id": v["customer_id"].to_numpy(), "start": day, "state": v["state"].to_numpy()})
        df["stop"] = df.groupby("customer_id")["start"].shift(-1)
        last = df["stop"].isna()
        if churned_at is not None:
            ch = pd.to_datetime(df["customer_id"].map(churned_at), utc=True, errors="coerce")
            ch_day = ((ch - origin).dt.total_seconds() / 86400.0).to_numpy()
            event = last.to_numpy() & ~np.isnan(ch_day) & (ch_day <= end_day)
            stop_last = np.where(event, ch_day, end_day)
            self.churn_definition_ = "churned_at given per customer"
        else:
            leave = df["start"].to_numpy() + self.churn_days
            event = last.to_numpy() & (leave <= end_day)
            stop_last = np.where(event, leave, end_day)
            self.churn_definition_ = f"no visit within {self.churn_days:g} days after the last one"
        df["stop"] = np.where(last, stop_last, df["stop"])
        df["churned"] = event.astype(int)
        df["recovered"] = (df["state"] == "recovered").astype(int)
        df["unrecovered"] = (df["state"] == "unrecovered").astype(int)
        df = df[df["stop"] > df["start"]]
        self.n_churned_ = int(df["churned"].sum())
        cols = [c for c in ("recovered", "unrecovered") if df[c].sum() > 0]
        if self.n_churned_ < 5 or not cols:
            self.cox_ = None
            self.hazard_ratios_ = pd.DataFrame(columns=["hazard_ratio", "ci_low", "ci_high", "p", "n_intervals"])
            return
        ctv = CoxTimeVaryingFitter()
        ctv.fit(
            df[["customer_id", "start", "stop", "churned", *cols]],
            id_col="customer_id",
            event_col="churned",
            start_col="start",
            stop_col="stop",
            show_progress=False,
        )
        self.cox_ = ctv
        s = ctv.summary
        self.hazard_ratios_ = pd.DataFrame(
            {
                "hazard_ratio": s["exp(coef)"],
                "ci_low": s["exp(coef) lower 95%"],
                "ci_high": s["exp(coef) upper 95%"],
                "p": s["p"],
                "n_intervals": [int(df[c].sum()) for c in s.index],
            }
        )

    # ----------------------------------------------------------------- results
    def _statement(self) -> str:
        r = self.return_
        parts = []
        nr, nn = int(r["n"]["recovered"]), int(r["n"]["none"])
        if min(nr, nn) < 30:
            parts.append(f"Too few visits to judge the recovery paradox (recovered n={nr}, no misery n={nn}).")
        else:
            p = self.paradox_
            lo, hi = p["ci_low"], p["ci_high"]
            if lo > 0:
                parts.append(
                    f"Recovered misery is followed by more returns than no misery "
                    f"({p['effect']:+.1%}, {lo:+.1%} to {hi:+.1%}): a service-recovery paradox."
                )
            elif hi < 0:
                parts.append(
                    f"Recovered misery is followed by fewer returns than no misery "
                    f"({p['effect']:+.1%}, {lo:+.1%} to {hi:+.1%}): no recovery paradox here."
                )
            else:
                parts.append(
                    f"The data cannot tell whether recovered misery beats no misery: the difference "
                    f"({p['effect']:+.1%}, {lo:+.1%} to {hi:+.1%}; n={nr} and n={nn}) includes zero."
                )
        hr = self.hazard_ratios_
        if "unrecovered" in hr.index:
            h = hr.loc["unrecovered"]
            parts.append(
                f"After an unrecovered misery the churn hazard is {h.hazard_ratio:.2f} times that after no misery "
                f"({h.ci_low:.2f} to {h.ci_high:.2f}; {self.n_churned_} churned)."
            )
        else:
            parts.append(f"Too few churn events ({self.n_churned_}) or unrecovered misery to model churn.")
        return " ".join(parts)

    @property
    def summary(self) -> pd.DataFrame:
        """Return rates by state, then hazard ratios, in one table."""
        self._check_fitted()
        a = self.return_.reset_index().rename(columns={"state": "group", "return_rate": "value"})
        a.insert(0, "measure", f"return within {self.return_days:g} days")
        b = self.hazard_ratios_.reset_index().rename(
            columns={"index": "group", "covariate": "group", "hazard_ratio": "value", "n_intervals": "n"}
        )
        b.insert(0, "measure", "churn hazard ratio vs no misery")
        return pd.concat(
            [a, b[[c for c in b.columns if c in ("measure", "group", "value", "ci_low", "ci_high", "n", "p")]]],
            ignore_index=True,
        )

    def to_dict(self) -> dict[str, Any]:
        """The `carlzon impact --json` object."""
        self._check_fitted()

        def rec(df: pd.DataFrame) -> list[dict]:
            return [
                {k: (None if isinstance(x, float) and math.isnan(x) else x) for k, x in r.items()}
                for r in df.reset_index().to_dict(orient="records")
            ]

        return {
            "n_visits": self.n_visits_,
            "n_customers": self.n_customers_,
            "state_from": self.state_from_,
            "return_days": self.return_days,
            "return": rec(self.return_),
            "paradox": self.paradox_,
            "churn_definition": self.churn_definition_,
            "n_churned": self.n_churned_,
            "hazard_ratios": rec(self.hazard_ratios_.rename_axis("covariate")),
            "statement": self.statement_,
        }

    def _repr_n(self) -> int:
        return int(self.n_visits_)

    def _repr_extra(self) -> str:
        return f"{self.n_customers_:,} customers"

    def plot(self, ax: Any = None) -> Any:
        """Kaplan-Meier curves of time to the next visit by state; returns the axis."""
        self._check_fitted()
        ax = axis(ax, (6, 4))
        for km in self.km_.values():
            km.plot_survival_function(ax=ax)
        ax.set_xlabel("days since the visit")
        ax.set_ylabel("share not yet returned")
        return ax
