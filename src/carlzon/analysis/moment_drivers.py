"""Moments as drivers: misery or magic at each touchpoint as 0/1 drivers of an outcome.

One row per customer (or per any grouping column, e.g. a visit or response
id): for each touchpoint, whether that unit had a moment of misery (and/or
magic) there, beside the unit's outcome (the mean of an outcome column over
its rows, e.g. nps, or an attribute such as a survey's "satisfaction"). Feed
the result to :class:`KeyDrivers`, or use :class:`MomentDrivers`, which does
and labels the indicators the right way round: the *performance* of
``misery:X`` is the share of the units speaking of X that had no misery there
(so a touchpoint with a high misery rate performs badly and, when it matters,
is "fix first"), of ``magic:X`` the share of them with magic there; ``touchpoint_importance_`` adds the
shares of a touchpoint's indicators.

Example:
    >>> import pandas as pd
    >>> m = pd.DataFrame({"customer_id": ["a", "a", "b"], "touchpoint": ["gate", "seat", "gate"],
    ...                   "valence": ["misery", "magic", "neutral"], "nps": [3, None, 9]})
    >>> wide, drivers = moment_drivers(m, outcome="nps", min_count=1)
    >>> drivers, wide["misery:gate"].tolist(), wide["nps"].tolist()
    (['misery:gate', 'magic:seat'], [1, 0], [3.0, 9.0])
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from carlzon.analysis._base import Fitter
from carlzon.analysis._io import check_columns
from carlzon.errors import AnalysisError

__all__ = ["MomentDrivers", "moment_drivers"]


def moment_drivers(
    moments: pd.DataFrame,
    *,
    outcome: str,
    per: str = "customer_id",
    kinds: tuple[str, ...] = ("misery", "magic"),
    min_count: int = 5,
    min_score_share: float = 0.5,
) -> tuple[pd.DataFrame, list[str]]:
    """A wide frame (one row per ``per``) of 'kind:touchpoint' columns and the outcome, and the driver names.

    ``misery`` / ``magic``: 0/1, whether the unit had such a moment there; ``score``: the mean score of
    the unit's moments there (empty where it did not speak of it).

    Touchpoint columns seen fewer than ``min_count`` times are left out (too rare to estimate). A ``score``
    column needs the touchpoint spoken of (or rated) by at least ``min_score_share`` of the units: the
    correlations of mostly empty columns rest on a handful of shared rows (or none); the 0/1 indicators,
    defined for every unit, carry the sparser touchpoints.
    """
    moments = _with_outcome(moments, outcome)
    check_columns(moments, [per, "touchpoint", "valence", outcome])
    bad = set(kinds) - {"misery", "magic", "score"}
    if bad:
        raise AnalysisError(f"unknown kinds {sorted(bad)}", fix="use 'misery', 'magic' and/or 'score'")
    m = moments[moments[per].notna()]
    num = pd.to_numeric(m[outcome], errors="coerce")
    if num.isna().all() and m[outcome].notna().any():  # a label (satisfied / dissatisfied): first value per unit
        y = m[outcome].groupby(m[per]).first()
    else:
        y = num.groupby(m[per]).mean()
    wide = pd.DataFrame(index=y.index)
    drivers = []
    for kind in kinds:
        if (
            kind == "score"
        ):  # the moment's score at each touchpoint (mean over the unit's moments; empty: not spoken of)
            sel = m[m["touchpoint"].notna() & (m["touchpoint"] != "unknown")]
            means = pd.to_numeric(sel["score"], errors="coerce").groupby([sel["touchpoint"], sel[per]]).mean()
            for tp, col in means.unstack(0).items():
                col = col.reindex(wide.index)
                given = col.notna()
                if given.sum() >= min_count and given.mean() >= min_score_share and col.nunique() > 1:
                    wide[f"score:{tp}"] = col
                    drivers.append(f"score:{tp}")
            continue
        sel = m[(m["valence"] == kind) & m["touchpoint"].notna() & (m["touchpoint"] != "unknown")]
        counts = sel.groupby(["touchpoint", per]).size().unstack(0, fill_value=0)
        for tp in counts.columns:
            flag = (counts[tp] > 0).reindex(wide.index, fill_value=False).astype(int)
            if flag.sum() >= min_count:
                wide[f"{kind}:{tp}"] = flag
                drivers.append(f"{kind}:{tp}")
    wide[outcome] = y
    if len(drivers) < 2:
        raise AnalysisError(
            f"fewer than 2 touchpoints with at least {min_count} moments of {' or '.join(kinds)}",
            fix="use more data, or a lower min_count",
        )
    return wide.reset_index(), drivers


def _with_outcome(moments: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The moments with ``outcome`` as a column: as it is, else taken from the attributes JSON."""
    if outcome in moments.columns or "attributes" not in moments.columns:
        return moments
    from carlzon.analysis._io import attributes

    vals = moments["attributes"].map(lambda a: attributes(a).get(outcome))
    if vals.isna().all():
        return moments
    return moments.assign(**{outcome: vals})


def _touchpoint_rates(moments: pd.DataFrame, per: str) -> dict[str, pd.Series]:
    """Per touchpoint, the share of the units speaking of it that had misery (magic) there."""
    m = moments[moments[per].notna() & moments["touchpoint"].notna()]
    g = m.assign(misery=m["valence"].eq("misery"), magic=m["valence"].eq("magic")).groupby(["touchpoint", per])
    unit = g[["misery", "magic"]].any()
    return {k: unit[k].groupby(level=0).mean() for k in ("misery", "magic")}


def _unit(moments: pd.DataFrame) -> str:
    """customer_id when most moments carry one, else interaction_id (one survey response, one unit)."""
    if "customer_id" in moments.columns and moments["customer_id"].notna().mean() >= 0.5:
        return "customer_id"
    return "interaction_id"


class MomentDrivers(Fitter):
    """Key drivers from moments: at each touchpoint, the moment's score (``score:X``, the mean over the unit's
    moments there) and whether it was a moment of misery (``misery:X``) or magic (``magic:X``), against an
    outcome (fitter style). By default score and misery: on a survey whose ratings become moments the
    scores rank touchpoints as the ratings do, and misery says what a bad moment adds beyond its score.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> rows = []
    >>> for i in range(300):
    ...     bad = {tp: rng.random() < p for tp, p in (("gate", .5), ("seat", .2), ("meal", .1))}
    ...     y = 9 - 4 * bad["gate"] - 2 * bad["seat"] - 1 * bad["meal"] + rng.normal()
    ...     rows += [{"interaction_id": f"r{i}", "touchpoint": tp, "valence": "misery" if b else "magic", "nps": y}
    ...              for tp, b in bad.items()]
    >>> md = MomentDrivers(kinds=("misery", "magic"), n_boot=0).fit(pd.DataFrame(rows), outcome="nps")
    >>> list(md.touchpoint_importance_.index), md.summary.set_index("driver").loc["misery:gate", "quadrant"]
    (['gate', 'seat', 'meal'], 'fix first')
    """

    _result = "key_drivers_"
    _fit_call = "fit(moments, outcome)"

    def __init__(
        self,
        *,
        kinds: tuple[str, ...] = ("score", "misery"),
        per: str | None = None,
        min_count: int = 5,
        method: str = "relative-weights",
        outcome_type: str = "auto",
        n_boot: int = 1000,
        seed: int = 0,
        positive: object = None,
    ) -> None:
        self.kinds, self.per, self.min_count = kinds, per, min_count
        self.method, self.outcome_type, self.n_boot, self.seed, self.positive = (
            method,
            outcome_type,
            n_boot,
            seed,
            positive,
        )

    def fit(self, moments: pd.DataFrame, outcome: str) -> MomentDrivers:
        """Fit on moments (``store.moments()``: one row per interaction and touchpoint); returns self."""
        from carlzon.analysis.drivers import KeyDrivers
        from carlzon.analysis.ipa import quadrants

        per = self.per or _unit(moments)
        self.per_ = per
        self.wide_, self.drivers_ = moment_drivers(
            moments, outcome=outcome, per=per, kinds=self.kinds, min_count=self.min_count
        )
        kd = KeyDrivers(self.method, outcome_type=self.outcome_type, n_boot=self.n_boot, seed=self.seed)  # type: ignore[arg-type]
        kd.fit(self.wide_, outcome, self.drivers_, positive=self.positive)
        # an indicator's mean is its share of all units: performance is the touchpoint's own rate among the
        # units that speak of it (a misery indicator: the share without misery there)
        rate = _touchpoint_rates(moments, per)
        perf = kd.performance_.copy()
        for d in perf.index:
            kind, _, tp = d.partition(":")
            r = rate[kind].get(tp, float("nan")) if kind in rate else perf[d]
            if kind in ("misery", "magic"):
                perf[d] = 1.0 - r if kind == "misery" else r
        kd.performance_ = perf
        kd.quadrant_, _, _ = quadrants(kd.importance_, perf)
        kd.notes_.append(
            "performance of misery:X: the share of those speaking of X without misery there; of "
            "magic:X: the share with magic there"
        )
        self.key_drivers_ = kd
        tp = pd.Series([d.split(":", 1)[1] for d in kd.importance_.index], index=kd.importance_.index)
        self.touchpoint_importance_ = kd.importance_.groupby(tp.to_numpy()).sum().sort_values(ascending=False)
        return self

    @property
    def summary(self) -> pd.DataFrame:
        """One row per indicator (driver, importance, interval, performance, n, quadrant), most important first."""
        self._check_fitted()
        return self.key_drivers_.summary

    def to_dict(self) -> dict:
        """The `carlzon drivers --from-moments --json` object (KeyDrivers' keys, the unit and touchpoint totals)."""
        self._check_fitted()
        out = self.key_drivers_.to_dict()
        out["per"] = self.per_
        out["touchpoints"] = [{"touchpoint": t, "importance": float(v)} for t, v in self.touchpoint_importance_.items()]
        return out

    def plot(self, ax: Any = None) -> Any:
        """The indicators' importance with their intervals (as :meth:`KeyDrivers.plot`); returns the axis."""
        self._check_fitted()
        return self.key_drivers_.plot(ax)

    def _repr_n(self) -> int:
        return int(self.key_drivers_.n_)

    def _repr_extra(self) -> str:
        return f"{len(self.touchpoint_importance_)} touchpoints, one row per {self.per_}"
