"""Alerts per place and touchpoint that a manager can trust.

Every day, for each (place, touchpoint), the moments of misery of the last day and of the last two
days (``windows``: a problem at a busy counter shows in a day, at a quieter one in two) are tested
against the cell's own baseline (the ``baseline`` days before the window, pulled towards the chain's
rate at that touchpoint by ``prior`` moments): a one-sided test on the beta-binomial predictive (the
baseline's own uncertainty counted, so a thin baseline does not alarm on noise), at ``alpha`` split
over the windows. A day alarms when a window's test passes *and* that window holds at least
``min_misery`` moments of misery *and* its rate is at least ``min_ratio`` times the baseline: the
**minimum evidence rule**, stated in every alert (never an alert on two moments).
Alarmed days of one cell make **one alert per ongoing problem**: it opens on the first alarmed day,
updates (last day, peak, counts) while the problem goes on, and closes after ``quiet`` days without an
alarm. A **severity** (high, medium, low) follows the evidence and the size of the rise. With a
hierarchy, alerts at the same touchpoint in at least ``rollup_min`` places of one region (spanning
several of its areas) or of one area that overlap in time become **one alert of that region or area**,
listing its places; a place of that region or area alarming at that touchpoint within ``quiet`` days of
the roll-up's last day joins it (the same problem going on).

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

from carlzon.analysis._base import Fitter

__all__ = ["PlaceAlerts", "daily_cells"]


def _rolling(x: np.ndarray, width: int, shift: int = 0) -> np.ndarray:
    """Per row, the sum of ``x`` over the ``width`` days ending ``shift`` days before each day."""
    cs = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)
    end = np.maximum(np.arange(x.shape[1]) + 1 - shift, 0)
    return cs[:, end] - cs[:, np.maximum(end - width, 0)]


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


class PlaceAlerts(Fitter):
    """Fit on daily cells (:func:`daily_cells`); ``alerts_``: one row per alert (see the module's docstring)."""

    def __init__(
        self,
        *,
        windows: tuple[int, ...] = (1, 2),
        window: int | None = None,
        baseline: int = 56,
        alpha: float = 5e-3,
        min_misery: int = 3,
        min_ratio: float = 2.0,
        prior: float = 20.0,
        quiet: int = 14,
        hierarchy: Any = None,
        rollup_min: int = 3,
    ) -> None:
        self.windows = (window,) if window is not None else tuple(sorted(set(windows)))
        self.baseline, self.alpha, self.min_misery = baseline, alpha, min_misery
        self.min_ratio, self.prior, self.quiet, self.hierarchy, self.rollup_min = (
            min_ratio,
            prior,
            quiet,
            hierarchy,
            rollup_min,
        )

    _result = "alerts_"
    _fit_call = "fit(cells)"

    def _repr_n(self) -> int | None:
        return int(self.__dict__.get("n_", 0))

    def _repr_extra(self) -> str:
        return f"{len(self.alerts_):,} alerts"

    @property
    def summary(self) -> pd.DataFrame:
        """One row per alert (``alerts_``)."""
        self._check_fitted()
        return self.alerts_

    @property
    def rule(self) -> str:
        days = " or ".join(str(w) for w in self.windows)
        return (
            f"at least {self.min_misery} moments of misery in {days} day{'s' if self.windows != (1,) else ''}, "
            f"at least {self.min_ratio:g} times the place's own rate at that touchpoint over the {self.baseline} "
            f"days before, and a one-sided beta-binomial p below {self.alpha:g}"
            + (f" (split over the {len(self.windows)} windows)" if len(self.windows) > 1 else "")
        )

    def _daily(self, cells: pd.DataFrame) -> pd.DataFrame:
        """The alarmed (place, touchpoint, day)s, each with the window that alarmed (the smallest p)."""
        from scipy.stats import betabinom

        c = cells.copy()
        c["day"] = pd.to_datetime(c["day"], utc=True).dt.floor("D")
        day0 = c["day"].min()
        di = (c["day"] - day0).dt.days.to_numpy()
        keys = pd.MultiIndex.from_frame(c[["location", "touchpoint"]].astype(str))
        code, uniq = pd.factorize(keys)
        n_days = int(di.max()) + 1
        N = np.zeros((len(uniq), n_days))
        K = np.zeros((len(uniq), n_days))
        np.add.at(N, (code, di), c["n"].to_numpy(dtype=float))
        np.add.at(K, (code, di), c["misery"].to_numpy(dtype=float))
        tps = np.asarray([t for _, t in uniq])
        by_tp = pd.DataFrame({"tp": tps, "k": K.sum(axis=1), "n": N.sum(axis=1)}).groupby("tp")[["k", "n"]].sum()
        p_chain = pd.Series(tps).map(by_tp["k"] / by_tp["n"]).to_numpy()[:, None]
        best: dict[tuple[int, int], tuple[float, int, float, float, float]] = {}
        level = self.alpha / len(self.windows)  # Bonferroni over the windows scanned
        for w in self.windows:
            wn, wk = _rolling(N, w), _rolling(K, w)
            bn, bk = _rolling(N, self.baseline, shift=w), _rolling(K, self.baseline, shift=w)
            a = bk + self.prior * p_chain  # the baseline rate's posterior (the chain's rate as a prior)
            b = bn - bk + self.prior * (1 - p_chain)
            p0 = a / (a + b)
            cand = (wk >= self.min_misery) & (wk >= self.min_ratio * p0 * wn)
            i, j = np.nonzero(cand)
            if not len(i):
                continue
            # beta-binomial predictive: the window's misery given the baseline, its uncertainty included
            p = betabinom.sf(wk[i, j] - 1, wn[i, j], a[i, j], b[i, j])
            for ii, jj, pp in zip(i[p < level], j[p < level], p[p < level]):
                if (ii, jj) not in best or pp < best[(ii, jj)][0]:
                    best[(ii, jj)] = (float(pp), w, wk[ii, jj], wn[ii, jj], p0[ii, jj])
        cols = ["location", "touchpoint", "day", "window", "window_n", "window_misery", "baseline_rate", "p", "rate"]
        rows = [
            (uniq[ii][0], uniq[ii][1], day0 + pd.Timedelta(days=int(jj)), w, n, k, p0, pp, k / n)
            for (ii, jj), (pp, w, k, n, p0) in best.items()
        ]
        out = pd.DataFrame(rows, columns=cols).sort_values(["location", "touchpoint", "day"]).reset_index(drop=True)
        out["alarm"] = True
        out.attrs["last_day"] = day0 + pd.Timedelta(days=n_days - 1)
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
        self.n_ = int(cells["n"].sum()) if len(cells) else 0
        if cells.empty:
            self.alerts_ = pd.DataFrame(columns=cols)
            return self
        d = self._daily(cells)
        last = d.attrs["last_day"]
        rows = []
        for (loc, tp), g in d[d["alarm"]].groupby(["location", "touchpoint"], sort=True):
            dd = g["day"].to_numpy()
            gaps = np.diff(dd).astype("timedelta64[D]").astype(int) if len(dd) > 1 else np.array([], int)
            starts = np.r_[0, np.flatnonzero(gaps > self.quiet) + 1]
            ends = np.r_[starts[1:], len(dd)]
            for s, e in zip(starts, ends):
                ep = g.iloc[s:e]
                peak: pd.Series = ep.iloc[int(np.nanargmin(ep["p"].to_numpy(dtype=float)))]
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

    def _rolls_up(self, locations: Any, level: str) -> bool:
        """Enough places for one alert of ``level``; for a region, places in several of its areas (else the area's)."""
        locs = set(locations)
        if len(locs) < self.rollup_min:
            return False
        return level != "region" or len({self.hierarchy.parent(x, "area") for x in locs}) > 1

    def _rollup(self, a: pd.DataFrame) -> pd.DataFrame:
        """Place alerts at one touchpoint in ``rollup_min`` places of one region (else area) that overlap: one alert."""
        h = self.hierarchy
        keep = np.ones(len(a), bool)
        extra = []
        for level in ("region", "area"):
            a["_parent"] = [h.parent(loc, level) for loc in a["location"]]
            for (parent, _tp), g in a[keep & a["_parent"].notna()].groupby(["_parent", "touchpoint"]):
                g = g.sort_values("first_day")
                end: Any = None
                cluster: list[Any] = []
                clusters = []
                quiet = pd.Timedelta(days=self.quiet)
                for i, r in g.iterrows():
                    # overlapping alarms are one problem; so is a place alarming within ``quiet`` days of a
                    # problem that rolls up already (its own baseline took the others' rise in)
                    if end is not None and (
                        r["first_day"] <= end
                        or (r["first_day"] <= end + quiet and self._rolls_up(a.loc[cluster, "location"], level))
                    ):
                        cluster.append(i)
                        end = max(end, r["last_day"])
                    else:
                        if cluster:
                            clusters.append(cluster)
                        cluster, end = [i], r["last_day"]
                clusters.append(cluster)
                for cl in clusters:
                    if not self._rolls_up(a.loc[cl, "location"], level):
                        continue  # too few places, or a region's places all in one area: that area's alert
                    sub = a.loc[cl]
                    keep[a.index.get_indexer(pd.Index(cl))] = False
                    worst: pd.Series = sub.iloc[int(np.nanargmin(sub["p"].to_numpy(dtype=float)))]
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
                            "severity": max(sub["severity"], key=lambda x: order.get(x, 0)),
                            "days_alarmed": int(sub["days_alarmed"].sum()),
                            "window_misery": int(sub["window_misery"].sum()),
                            "window_n": int(sub["window_n"].sum()),
                        }
                    )
        out = pd.concat([a[keep], pd.DataFrame(extra)], ignore_index=True) if extra else a[keep]
        return out.drop(columns="_parent")

    def to_dict(self) -> dict[str, Any]:
        """``alerts`` (dates as text), the ``rule`` and ``n`` (the number of alerts)."""
        self._check_fitted()
        recs = self.alerts_.assign(
            first_day=self.alerts_["first_day"].astype(str), last_day=self.alerts_["last_day"].astype(str)
        ).to_dict(orient="records")
        return {"alerts": recs, "rule": self.rule, "n": len(recs)}
