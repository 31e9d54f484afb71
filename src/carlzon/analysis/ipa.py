"""Importance-performance analysis (Martilla & James 1977) with derived importance.

Each driver (touchpoint) is placed by its derived importance (share of the
explained outcome, from :class:`~carlzon.analysis.KeyDrivers`) and by its
performance (mean rating where it applied). The crosshairs sit at the mean
importance (1/p for shares) and at the mean performance over the drivers
(``crosshair='median'`` uses medians). Quadrants, in plain words:

=================== =============== ====================
importance          performance     quadrant
=================== =============== ====================
at/above the line   below the line  fix first
at/above the line   at/above        keep it up
below               below           low priority
below               at/above        possible overkill
=================== =============== ====================

When the survey also asks how important each touchpoint is (stated
importance), pass those columns and both are shown side by side.

Example:
    >>> import pandas as pd
    >>> q, _, _ = quadrants(pd.Series({"a": .5, "b": .3, "c": .1, "d": .1}),
    ...                     pd.Series({"a": 3.0, "b": 4.5, "c": 3.1, "d": 4.6}))
    >>> q.to_dict()
    {'a': 'fix first', 'b': 'keep it up', 'c': 'low priority', 'd': 'possible overkill'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from carlzon.analysis._base import Fitter
from carlzon.analysis._plot import axis
from carlzon.errors import AnalysisError

__all__ = ["QUADRANTS", "ImportancePerformance", "quadrants"]

QUADRANTS = ("fix first", "keep it up", "low priority", "possible overkill")


def quadrants(
    importance: pd.Series, performance: pd.Series, *, crosshair: str = "mean"
) -> tuple[pd.Series, float, float]:
    """Quadrant of each driver, and the importance and performance crosshairs."""
    if crosshair not in ("mean", "median"):
        raise AnalysisError(f"unknown crosshair {crosshair!r}", fix="use 'mean' or 'median'")
    imp = importance.astype(float)
    perf = performance.reindex(imp.index).astype(float)
    imp_line = float(getattr(imp, crosshair)())
    perf_line = float(getattr(perf, crosshair)())
    out = {}
    for d in imp.index:
        if np.isnan(imp[d]) or np.isnan(perf[d]):
            out[d] = "unknown"
            continue
        high, good = imp[d] >= imp_line, perf[d] >= perf_line
        out[d] = ("keep it up" if good else "fix first") if high else ("possible overkill" if good else "low priority")
    return pd.Series(out, name="quadrant"), imp_line, perf_line


class ImportancePerformance(Fitter):
    """Importance-performance quadrants from a fitted :class:`KeyDrivers`.

    Example:
        >>> from carlzon.analysis import KeyDrivers, ImportancePerformance  # doctest: +SKIP
        >>> kd = KeyDrivers(n_boot=200).fit(survey, outcome="overall")    # doctest: +SKIP
        >>> ImportancePerformance().fit(kd).summary                       # doctest: +SKIP
    """

    _result = "summary_"
    _fit_call = "fit(key_drivers)"

    def __init__(self, *, crosshair: str = "mean") -> None:
        self.crosshair = crosshair

    def fit(
        self, drivers: Any, *, data: pd.DataFrame | None = None, stated: Mapping[str, str] | None = None
    ) -> ImportancePerformance:
        """Place each driver of a fitted KeyDrivers; ``stated`` maps a driver to its stated-importance column in ``data``."""
        if not hasattr(drivers, "importance_"):
            raise AnalysisError(
                "ImportancePerformance needs a fitted KeyDrivers",
                fix="call KeyDrivers(...).fit(data, outcome=...) first and pass it here",
            )
        imp = drivers.importance_
        perf = drivers.performance_
        self.quadrant_, self.importance_line_, self.performance_line_ = quadrants(imp, perf, crosshair=self.crosshair)
        table = pd.DataFrame(
            {
                "driver": imp.index,
                "importance": imp.to_numpy(),
                "ci_low": drivers.ci_low_.reindex(imp.index).to_numpy(),
                "ci_high": drivers.ci_high_.reindex(imp.index).to_numpy(),
                "performance": perf.reindex(imp.index).to_numpy(),
                "n": drivers.n_observed_.reindex(imp.index).to_numpy(),
                "quadrant": self.quadrant_.reindex(imp.index).to_numpy(),
            }
        )
        if stated:
            if data is None:
                raise AnalysisError("stated importance needs the survey data", fix="pass data=the survey DataFrame")
            missing = [c for c in stated.values() if c not in data.columns]
            if missing:
                raise AnalysisError(
                    f"stated-importance columns not found: {missing}",
                    fix=f"use columns of the data, e.g. {list(data.columns)[:6]}",
                )
            means = {d: pd.to_numeric(data[c], errors="coerce").mean() for d, c in stated.items()}
            ns = {d: int(pd.to_numeric(data[c], errors="coerce").notna().sum()) for d, c in stated.items()}
            s = pd.Series(means).reindex(imp.index)
            table["stated_importance"] = s.to_numpy()
            table["stated_share"] = (s / s.sum()).to_numpy()
            table["stated_n"] = pd.Series(ns).reindex(imp.index).to_numpy()
        self.n_ = int(getattr(drivers, "n_", len(table)))
        self.summary_ = table.sort_values("importance", ascending=False).reset_index(drop=True)
        return self

    @property
    def summary(self) -> pd.DataFrame:
        """One row per driver: importance with its interval, performance, n, quadrant (and stated importance)."""
        self._check_fitted()
        return self.summary_

    def plot(self, ax: Any = None) -> Any:
        """Scatter of importance against performance with the crosshairs; returns the axis."""
        self._check_fitted()
        ax = axis(ax, (6, 5))
        s = self.summary
        ax.scatter(s["performance"], s["importance"])
        for _, row in s.iterrows():
            ax.annotate(str(row["driver"]), (row["performance"], row["importance"]), fontsize=8)
        ax.axhline(self.importance_line_, color="grey", lw=0.8)
        ax.axvline(self.performance_line_, color="grey", lw=0.8)
        ax.set_xlabel("performance (mean rating)")
        ax.set_ylabel("derived importance (share)")
        return ax
