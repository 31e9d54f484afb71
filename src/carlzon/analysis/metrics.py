"""Metrics with intervals: NPS, CSAT, CES, mean ratings, magic and misery rates, moments of truth.

Works on moments (``store.moments()``: MOMENT_COLUMNS plus nps, csat, ces,
stars, attributes) or on any DataFrame with some of those columns; a figure
whose column is absent is left out. Every figure carries its n, an interval
where one applies (see :mod:`carlzon.analysis.intervals`) and a note in words
when the sample is small. The figures are finished from exact sums per group
(:mod:`carlzon.analysis.sums`), as the rollups and Spark finish theirs, so all
three give the same numbers.

* NPS: 0-10 answers, promoters 9-10, detractors 0-6; adjusted-Wald interval.
* CSAT: share of 4-5 on the 1-5 scale; Wilson interval. Also its mean.
* CES: mean on the 1-7 scale; t interval. Stars: mean; t interval.
* magic rate / misery rate: by touchpoint (stage, phase), the share of the interactions speaking of it
  that had magic / misery there; overall and by any other grouping, the share of interactions whose
  overall valence is magic / misery (each interaction counted once, not once per touchpoint); Wilson.
* moments of truth: their count (the interval is the Wilson interval of their share, times n).

Grouping (``by``): ``touchpoint``, ``stage``, ``phase`` (these two need a
journey), ``channel``, ``segment:COL`` (a column, or a key of the
attributes), ``period:day`` / ``period:week`` / ``period:month``.

Example:
    >>> import pandas as pd
    >>> m = pd.DataFrame({"nps": [10, 9, 3, 8] * 10, "valence": ["magic", "magic", "misery", "neutral"] * 10})
    >>> s = Metrics().fit(m).summary
    >>> row = s.set_index("metric").loc["nps"]
    >>> float(row["value"]), int(row["n"])
    (25.0, 40)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from carlzon.analysis._io import attributes
from carlzon.analysis._base import Fitter
from carlzon.analysis._plot import axis
from carlzon.analysis.sums import metrics_from_sums, moment_sums
from carlzon.errors import AnalysisError
from carlzon.journey import Journey, load_journey

__all__ = ["METRICS", "Metrics"]

METRICS = ("nps", "csat", "csat_mean", "ces", "stars", "magic_rate", "misery_rate", "moments_of_truth")
_PERIODS = {"day": "D", "week": "W-SUN", "month": "M"}


class Metrics(Fitter):
    """Customer-experience metrics with n, intervals and small-sample notes, overall or by group."""

    _result = "summary_"

    def __init__(
        self, *, by: str | None = None, journey: str | Journey | None = None, confidence: float = 0.95
    ) -> None:
        self.by = by
        self.journey = journey
        self.confidence = confidence

    def _groups(self, df: pd.DataFrame) -> pd.Series:
        by = self.by
        if by in (None, "", "all"):
            return pd.Series("all", index=df.index)
        kind, _, arg = by.partition(":")
        if kind in _PERIODS and not arg:
            kind, arg = "period", kind
        if kind in ("touchpoint", "channel") and not arg:
            if kind not in df.columns:
                raise AnalysisError(f"no {kind!r} column to group by", fix="group by a column the data has")
            return df[kind].fillna("unknown").astype(str)
        if kind in ("stage", "phase") and not arg:
            if self.journey is None:
                raise AnalysisError(
                    f"grouping by {kind} needs a journey", fix="pass journey='airline' (--journey NAME)"
                )
            if "touchpoint" not in df.columns:
                raise AnalysisError(
                    f"no 'touchpoint' column to place in {kind}s", fix="use moments from carlzon detect"
                )
            j = load_journey(self.journey)
            look = {tp.id: (j.stage_of(tp.id).id if kind == "stage" else tp.phase) for tp in j.touchpoints}
            return df["touchpoint"].map(look).fillna("unknown")
        if kind == "segment" and arg:
            if arg in df.columns:
                return df[arg].fillna("unknown").astype(str)
            if "attributes" in df.columns:
                vals = df["attributes"].map(lambda a: attributes(a).get(arg))
                if vals.notna().any():
                    return vals.fillna("unknown").astype(str)
            raise AnalysisError(
                f"segment {arg!r} is neither a column nor an attribute",
                fix=f"use a column such as {list(df.columns)[:8]}",
            )
        if kind == "period" and arg in _PERIODS:
            if "timestamp" not in df.columns:
                raise AnalysisError("no 'timestamp' column to group by period", fix="give the rows a timestamp")
            ts = pd.to_datetime(df["timestamp"], utc=True, errors="coerce").dt.tz_localize(None)
            return ts.dt.to_period(_PERIODS[arg]).dt.start_time.dt.date.astype(str)
        raise AnalysisError(
            f"cannot group by {by!r}",
            fix="use touchpoint, stage, phase, channel, segment:COLUMN or period:day|week|month",
        )

    def fit(self, data: pd.DataFrame) -> Metrics:
        """Compute every available metric for each group; returns self."""
        if not isinstance(data, pd.DataFrame):
            raise AnalysisError("Metrics.fit needs a DataFrame", fix="pass store.moments() or a table you have read")
        kind = (self.by or "").partition(":")[0]
        if kind not in ("touchpoint", "stage", "phase"):
            # interaction-level: each interaction once, with its overall valence (a frame of several moments
            # per interaction, as store.moments() gives, counts an interaction's NPS once, not per touchpoint)
            from carlzon.store.moment_unit import interaction_rows

            data = interaction_rows(data)
        groups = self._groups(data)
        self.n_ = len(data)
        summary = metrics_from_sums(moment_sums(data, groups), confidence=self.confidence)
        if summary.empty and len(data):
            raise AnalysisError(
                "no metric can be computed from these columns",
                fix="give nps, csat, ces, stars or valence columns (or moments from the store)",
            )
        self.summary_ = summary
        return self

    @property
    def summary(self) -> pd.DataFrame:
        """One row per (group, metric): value, interval, n and the small-sample note."""
        self._check_fitted()
        return self.summary_

    def to_dict(self) -> dict[str, Any]:
        """``{"by", "n", "groups": [{"group", "metrics": {metric: {value, ci_low, ci_high, n, note}}}]}``."""
        self._check_fitted()
        out: dict[str, dict] = {}
        for r in self.summary.to_dict(orient="records"):
            out.setdefault(r["group"], {})[r["metric"]] = {
                k: (None if isinstance(r[k], float) and math.isnan(r[k]) else r[k])
                for k in ("value", "ci_low", "ci_high", "n", "note")
            }
        return {
            "by": self.by or "all",
            "n": int(self.n_),
            "groups": [{"group": g, "metrics": m} for g, m in out.items()],
        }

    def plot(self, ax: Any = None, *, metric: str = "nps") -> Any:
        """One metric by group with its intervals; returns the axis."""
        self._check_fitted()
        ax = axis(ax, (6, 4))
        s = self.summary[self.summary.metric == metric]
        err = np.vstack([s.value - s.ci_low, s.ci_high - s.value])
        ax.errorbar(s.group, s.value, yerr=np.nan_to_num(err), fmt="o")
        ax.set_ylabel(metric)
        return ax
