"""The sums behind the report's and the dashboard's aggregate figures, from the rollups or from the moments.

Every aggregate figure of the report and of the dashboard (the headline tiles,
the touchpoint table with its journey map and quadrants, the trend, the simple
check for emerging problems) is a function of exact sums per UTC day and
touchpoint (:mod:`carlzon.analysis.sums`), plus the rating sums of the period.
:func:`aggregates` reads them from the rollup tables when those can answer the
scope, and from the moments otherwise; both give the same numbers, n and
intervals (tests/report/test_aggregates.py holds them equal on both backends).

The rollups answer a period of whole UTC days, a channel and a touchpoint. They
cannot answer a segment (an attribute of the interaction), a valence, a customer,
or a period that starts or ends inside a day: those scopes read the moments
(:func:`rollup_blocker` says why). Figures that need single moments never come
from the rollups: the strongest moments with their text, the number of distinct
customers, themes, the emerging-problem analysis by location and phrase, paths.

Example:
    >>> import pandas as pd
    >>> m = pd.DataFrame({"touchpoint": ["gate", "gate", None], "valence": ["misery", "magic", "magic"],
    ...                   "score": [-0.8, 0.6, 0.7], "intensity": [0.9, 0.5, 0.4],
    ...                   "day": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-02"], utc=True)})
    >>> a = from_moments(m)
    >>> a.n, a.source, a.by_touchpoint()["n"].to_dict()
    (3, 'moments', {'gate': 2, 'unknown': 1})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from carlzon.analysis.sums import moment_sums, rating_sums
from carlzon.report.query import Scope

__all__ = [
    "CELL_SUMS",
    "RATING_SUMS",
    "Aggregates",
    "aggregates",
    "count_moments",
    "from_moments",
    "from_rollups",
    "rollup_blocker",
]

CELL_SUMS = ("n", "magic", "misery", "score_n", "score_u", "score_uu", "intensity_u")
"""Sums per (time, touchpoint) cell."""
RATING_SUMS = ("promoters", "passives", "detractors", "csat_n", "csat_top2", "stars_n", "stars_u", "stars_uu")
"""Rating sums over the whole scope (of each moment's interaction)."""


@dataclass
class Aggregates:
    """Exact sums per (time, touchpoint) cell and the rating sums of the scope.

    ``cells``: columns time (UTC datetimes; NaT for moments without one), touchpoint ('unknown'
    for none) and :data:`CELL_SUMS`. ``source``: 'rollups' or 'moments'.
    """

    cells: pd.DataFrame
    ratings: dict[str, int] = field(default_factory=dict)
    source: str = "moments"

    @property
    def n(self) -> int:
        return int(self.cells["n"].sum()) if len(self.cells) else 0

    def by_touchpoint(self) -> pd.DataFrame:
        """CELL_SUMS per touchpoint (index), sorted."""
        return self.cells.groupby("touchpoint", sort=True)[list(CELL_SUMS)].sum()

    def by_time(self) -> pd.DataFrame:
        """n, magic and misery per time (index; cells without a time left out), oldest first."""
        c = self.cells[self.cells["time"].notna()]
        return c.groupby("time", sort=True)[["n", "magic", "misery"]].sum()

    def period(self) -> tuple[Any, Any]:
        """(first, last) time, or (None, None) without any."""
        t = self.cells["time"].dropna()
        return (t.min(), t.max()) if len(t) else (None, None)


def _empty_cells() -> pd.DataFrame:
    cells = pd.DataFrame({c: pd.Series(dtype="int64") for c in CELL_SUMS})
    cells.insert(0, "touchpoint", pd.Series(dtype=object))
    cells.insert(0, "time", pd.Series(dtype="datetime64[ns, UTC]"))
    return cells


def from_moments(moments: pd.DataFrame, ratings: dict[str, pd.Series] | None = None) -> Aggregates:
    """Aggregates of a moments frame (touchpoint, valence, score, intensity and ``day`` or ``timestamp``).

    ``ratings`` are value counts per rating (:func:`carlzon.report.query.rating_counts`); without
    them the rating sums come from the frame's own nps / csat / stars columns.
    """
    if not len(moments):
        return Aggregates(_empty_cells(), dict.fromkeys(RATING_SUMS, 0), "moments")
    if "day" in moments:
        time = moments["day"]
    elif "timestamp" in moments:
        time = pd.to_datetime(moments["timestamp"], utc=True, errors="coerce")
    else:  # no times: every figure but the trend and the emerging check
        time = pd.Series(pd.NaT, index=moments.index, dtype="datetime64[ns, UTC]")
    tp = moments["touchpoint"].fillna("unknown").astype(str) if "touchpoint" in moments else "unknown"
    cols = [c for c in ("valence", "score", "intensity") if c in moments]
    keys = pd.DataFrame({"time": pd.Series(time, index=moments.index), "touchpoint": tp}, index=moments.index)
    sums = moment_sums(moments[cols], [keys["time"], keys["touchpoint"]], dropna=False)
    cells = sums[list(CELL_SUMS)].reset_index()
    cells.columns = ["time", "touchpoint", *CELL_SUMS]
    cells = cells[cells["n"] > 0].reset_index(drop=True)
    if ratings is None:
        present = [c for c in ("nps", "csat", "stars") if c in moments]
        total = moment_sums(moments[present]).iloc[0]
        rs = {c: int(total[c]) for c in RATING_SUMS}
    else:
        every = rating_sums({c: ratings[c] for c in ("nps", "csat", "stars") if c in ratings})
        rs = {c: every[c] for c in RATING_SUMS}
    return Aggregates(cells, rs, "moments")


def rollup_blocker(scope: Scope) -> str | None:
    """Why the rollups cannot answer ``scope`` (None when they can)."""
    if scope.segment:
        return "a segment is an attribute of the interaction, which the rollups do not keep"
    if scope.valence:
        return "the rollups keep ratings per day, touchpoint and channel, not per valence"
    if scope.customer_id:
        return "the rollups keep no customers"
    if scope.locations is not None:
        return "the rollups keep no places"
    for name in ("since", "until"):
        v = getattr(scope, name)
        if v is not None:
            ts = pd.Timestamp(v)
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
            if ts != ts.normalize():
                return f"{name} is not midnight UTC; the rollups hold whole UTC days"
    return None


def from_rollups(store: Any, scope: Scope = Scope()) -> Aggregates:
    """Aggregates read from the store's rollups (check :func:`rollup_blocker` first)."""
    from carlzon.store.rollups import rollup_frame

    df = rollup_frame(
        store,
        since=scope.since,
        until=scope.until,
        touchpoint=scope.touchpoint or None,
        channel=scope.channel or None,
        by=("day", "touchpoint"),
        columns=CELL_SUMS + RATING_SUMS,
    )
    ratings = {c: int(df[c].sum()) if len(df) else 0 for c in RATING_SUMS}
    if not len(df):
        return Aggregates(_empty_cells(), ratings, "rollups")
    time = pd.to_datetime(df["day"].replace("", None), format="%Y-%m-%d", utc=True)
    cells = pd.DataFrame({"time": time, "touchpoint": df["touchpoint"].replace("", "unknown")})
    for c in CELL_SUMS:
        cells[c] = df[c]
    cells = cells.groupby(["time", "touchpoint"], sort=True, dropna=False)[list(CELL_SUMS)].sum().reset_index()
    return Aggregates(cells[cells["n"] > 0].reset_index(drop=True), ratings, "rollups")


def count_moments(store: Any, scope: Scope = Scope()) -> int:
    """How many moments are in scope: from the rollup table when it can answer (a valence too), else COUNT(*).

    On SQLite the rollups are a view computed from the moments, so a COUNT(*) of them is the cheaper read."""
    from carlzon.report.query import where_sql
    from carlzon.store.rollups import rollup_frame

    if (
        store.backend == "postgresql"
        and rollup_blocker(Scope(**{**scope.__dict__, "valence": None})) is None
        and scope.valence in (None, "", "magic", "misery", "neutral")
    ):
        df = rollup_frame(
            store,
            since=scope.since,
            until=scope.until,
            touchpoint=scope.touchpoint or None,
            channel=scope.channel or None,
            by=(),
            columns=("n", "magic", "misery", "neutral"),
        )
        return int(df[scope.valence or "n"].sum()) if len(df) else 0
    where, params = where_sql(scope)
    frm = (
        " FROM moments m LEFT JOIN interactions i ON i.id = m.interaction_id"
        if scope.segment or scope.locations is not None
        else " FROM moments m"
    )
    return int(store.query(f"SELECT COUNT(*) AS n{frm}{where}", params or None)["n"].iloc[0])


def aggregates(store: Any, scope: Scope = Scope()) -> Aggregates:
    """The scope's aggregates: from the rollups when they can answer it, else from the moments."""
    from carlzon.report.query import load_frame, rating_counts

    if rollup_blocker(scope) is None:
        return from_rollups(store, scope)
    return from_moments(load_frame(store, scope), rating_counts(store, scope))
