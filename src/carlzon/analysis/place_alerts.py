"""Alerts per place and touchpoint that a manager can trust.

Every day, for each (place, touchpoint), the moments of misery of the last ``window`` days are tested
against the cell's own baseline (the ``baseline`` days before the window, pulled towards the chain's
rate at that touchpoint by ``prior`` moments): a one-sided binomial test. A day alarms when the test
passes at ``alpha`` *and* the window holds at least ``min_misery`` moments of misery *and* the rate is
at least ``min_ratio`` times the baseline: the **minimum evidence rule**, stated in every alert.
Alarmed days of one cell make **one alert per ongoing problem**: it opens on the first alarmed day,
updates (last day, peak, counts) while the problem goes on, and closes after ``quiet`` days without an
alarm. A **severity** (high, medium, low) follows the evidence and the size of the rise. With a
hierarchy, alerts at the same touchpoint in at least ``rollup_min`` places of one region (spanning
several of its areas) or of one area that overlap in time become **one alert of that region or area**,
listing its places.

Example:
    >>> import pandas as pd
    >>> days = pd.date_range("2026-01-01", periods=60, tz="UTC")
    >>> rows = [{"day": d, "location": "s1", "touchpoint": "till", "n": 10, "misery": 1 if i < 55 else 8}
    ...         for i, d in enumerate(days)]
    >>> a = PlaceAlerts().fit(pd.DataFrame(rows))
    >>> a.alerts_[["location", "touchpoint", "first_day"]].astype(str).values.tolist()
    [['s1', 'till', '2026-02-25 00:00:00+00:00']]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PlaceAlerts", "daily_cells"]


def daily_cells(moments: pd.DataFrame) -> pd.DataFrame:
    """Moments (timestamp, location, touchpoint, valence) as daily counts: day, location, touchpoint, n, misery."""
    m = moments[moments["location"].notna() & moments["timestamp"].notna()]
    day = pd.to_datetime(m["timestamp"], utc=True).dt.floor("D")
    g = pd.DataFrame(
        {
            "day": day,
            "location": m["location"].astype(str),
            "touchpoint": m["touchpoint"].fillna("unknown"),
            "misery": (m["valence"] == "misery").astype(int),
        }
    )
    return g.groupby(["day", "location", "touchpoint"])["misery"].agg(n="size", misery="sum").reset_index()


class PlaceAlerts:
    """Fit on daily cells (:func:`daily_cells`); ``alerts_``: one row per alert (see the module's docstring)."""

    def __init__(
        self,
        *,
        window: int = 2,
        baseline: int = 56,
        alpha: float = 1e-3,
        min_misery: int = 4,
        min_ratio: float = 2.0,
        prior: float = 20.0,
        quiet: int = 14,
        hierarchy: Any = None,
        rollup_min: int = 3,
    ) -> None:
        self.window, self.baseline, self.alpha, self.min_misery = window, baseline, alpha, min_misery
        self.min_ratio, self.prior, self.quiet, self.hierarchy, self.rollup_min = (
            min_ratio,
            prior,
            quiet,
            hierarchy,
            rollup_min,
        )

    def __repr__(self) -> str:
        return f"PlaceAlerts(window={self.window}, min_misery={self.min_misery}, alerts={len(getattr(self, 'alerts_', ()))})"

    @property
    def rule(self) -> str:
        return (
            f"at least {self.min_misery} moments of misery in {self.window} days, at least {self.min_ratio:g} times "
            f"the place's own rate at that touchpoint over the {self.baseline} days before, and a one-sided "
            f"binomial p below {self.alpha:g}"
        )

    def _daily(self, cells: pd.DataFrame) -> pd.DataFrame:
        from scipy.stats import binom

        c = cells.copy()
        c["day"] = pd.to_datetime(c["day"], utc=True).dt.floor("D")
        days = pd.date_range(c["day"].min(), c["day"].max(), freq="D")
        keys = c[["location", "touchpoint"]].drop_duplicates()
        idx = pd.MultiIndex.from_frame(
            keys.merge(pd.DataFrame({"day": days}), how="cross")[["location", "touchpoint", "day"]]
        )
        grid = (
            c.groupby(["location", "touchpoint", "day"])[["n", "misery"]].sum().reindex(idx, fill_value=0).sort_index()
        )
        by = grid.groupby(level=["location", "touchpoint"], sort=False)
        w, b = self.window, self.baseline
        wn = by["n"].transform(lambda s: s.rolling(w, min_periods=1).sum())
        wk = by["misery"].transform(lambda s: s.rolling(w, min_periods=1).sum())
        bn = by["n"].transform(lambda s: s.shift(w).rolling(b, min_periods=1).sum()).fillna(0)
        bk = by["misery"].transform(lambda s: s.shift(w).rolling(b, min_periods=1).sum()).fillna(0)
        chain = c.groupby("touchpoint")["misery"].sum() / c.groupby("touchpoint")["n"].sum()
        tp = grid.index.get_level_values("touchpoint")
        p_chain = pd.Series(tp).map(chain).to_numpy()
        p0 = np.clip((bk.to_numpy() + self.prior * p_chain) / (bn.to_numpy() + self.prior), 1e-4, 0.999)
        k, n = wk.to_numpy(), wn.to_numpy()
        p = binom.sf(k - 1, n, p0)
        rate = np.divide(k, n, out=np.zeros_like(p, dtype=float), where=n > 0)
        alarm = (k >= self.min_misery) & (p < self.alpha) & (rate >= self.min_ratio * p0)
        out = grid.reset_index()
        out["window_n"], out["window_misery"], out["baseline_n"], out["baseline_rate"] = n, k, bn.to_numpy(), p0
        out["p"], out["rate"], out["alarm"] = p, rate, alarm
        return out

    def fit(self, cells: pd.DataFrame) -> PlaceAlerts:
        cols = [
            "alert_id",
            "level",
            "location",
            "places",
            "touchpoint",
            "first_day",
            "last_day",
            "status",
            "severity",
            "days_alarmed",
            "window_misery",
            "window_n",
            "rate",
            "baseline_rate",
            "p",
            "rule",
        ]
        if cells.empty:
            self.alerts_ = pd.DataFrame(columns=cols)
            return self
        d = self._daily(cells)
        last = d["day"].max()
        rows = []
        for (loc, tp), g in d[d["alarm"]].groupby(["location", "touchpoint"], sort=True):
            dd = g["day"].to_numpy()
            gaps = np.diff(dd).astype("timedelta64[D]").astype(int) if len(dd) > 1 else np.array([], int)
            starts = np.r_[0, np.flatnonzero(gaps > self.quiet) + 1]
            ends = np.r_[starts[1:], len(dd)]
            for s, e in zip(starts, ends):
                ep = g.iloc[s:e]
                peak = ep.loc[ep["p"].idxmin()]
                first, latest = pd.Timestamp(ep["day"].iloc[0]), pd.Timestamp(ep["day"].iloc[-1])
                rows.append(
                    {
                        "level": "location",
                        "location": loc,
                        "places": [loc],
                        "touchpoint": tp,
                        "first_day": first,
                        "last_day": latest,
                        "status": "ongoing" if (last - latest).days <= self.quiet else "closed",
                        "severity": self._severity(peak),
                        "days_alarmed": len(ep),
                        "window_misery": int(peak["window_misery"]),
                        "window_n": int(peak["window_n"]),
                        "rate": float(peak["rate"]),
                        "baseline_rate": float(peak["baseline_rate"]),
                        "p": float(peak["p"]),
                        "rule": self.rule,
                    }
                )
        a = pd.DataFrame(rows, columns=[c for c in cols if c != "alert_id"])
        if self.hierarchy is not None and len(a):
            a = self._rollup(a)
        a.insert(
            0, "alert_id", [f"{r.level}:{r.location}:{r.touchpoint}:{r.first_day:%Y-%m-%d}" for r in a.itertuples()]
        )
        self.alerts_ = a.sort_values(["first_day", "location", "touchpoint"], kind="mergesort").reset_index(drop=True)
        return self

    def _severity(self, peak: pd.Series) -> str:
        ratio = peak["rate"] / max(peak["baseline_rate"], 1e-9)
        if peak["p"] < self.alpha / 100 and ratio >= 3 and peak["window_misery"] >= 2 * self.min_misery:
            return "high"
        if peak["p"] < self.alpha / 10 or ratio >= 3:
            return "medium"
        return "low"

    def _rollup(self, a: pd.DataFrame) -> pd.DataFrame:
        """Place alerts at one touchpoint in ``rollup_min`` places of one region (else area) that overlap: one alert."""
        h = self.hierarchy
        keep = np.ones(len(a), bool)
        extra = []
        for level in ("region", "area"):
            a["_parent"] = [h.parent(loc, level) for loc in a["location"]]
            for (parent, _tp), g in a[keep & a["_parent"].notna()].groupby(["_parent", "touchpoint"]):
                g = g.sort_values("first_day")
                end, cluster = None, []
                clusters = []
                for i, r in g.iterrows():
                    if end is not None and r["first_day"] <= end:
                        cluster.append(i)
                        end = max(end, r["last_day"])
                    else:
                        if cluster:
                            clusters.append(cluster)
                        cluster, end = [i], r["last_day"]
                clusters.append(cluster)
                for cl in clusters:
                    if len(set(a.loc[cl, "location"])) < self.rollup_min:
                        continue
                    if level == "region" and len({h.parent(x, "area") for x in a.loc[cl, "location"]}) == 1:
                        continue  # all in one area: that area's alert, the narrowest that holds them
                    sub = a.loc[cl]
                    keep[a.index.get_indexer(cl)] = False
                    worst = sub.loc[sub["p"].idxmin()]
                    order = {"high": 2, "medium": 1, "low": 0}
                    extra.append(
                        {
                            **worst.to_dict(),
                            "level": level,
                            "location": parent,
                            "places": sorted(set(sub["location"])),
                            "first_day": sub["first_day"].min(),
                            "last_day": sub["last_day"].max(),
                            "status": "ongoing" if (sub["status"] == "ongoing").any() else "closed",
                            "severity": max(sub["severity"], key=order.get),
                            "days_alarmed": int(sub["days_alarmed"].sum()),
                            "window_misery": int(sub["window_misery"].sum()),
                            "window_n": int(sub["window_n"].sum()),
                        }
                    )
        out = pd.concat([a[keep], pd.DataFrame(extra)], ignore_index=True) if extra else a[keep]
        return out.drop(columns="_parent")

    def to_dict(self) -> dict[str, Any]:
        recs = self.alerts_.assign(
            first_day=self.alerts_["first_day"].astype(str), last_day=self.alerts_["last_day"].astype(str)
        ).to_dict(orient="records")
        return {"alerts": recs, "rule": self.rule, "n": len(recs)}
