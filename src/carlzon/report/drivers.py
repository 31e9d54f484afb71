"""Derived importance for the report: a key-driver model on the survey ratings in the store, when there are any.

Survey exports often rate each touchpoint (``ratings`` JSON, e.g.
``{"Seat comfort": 4}``) beside an overall outcome. The journey's
``survey_items`` say which rating belongs to which touchpoint (a rating keyed by a touchpoint's
id, as carlzon's own surveys store them, belongs to that touchpoint); the outcome is
NPS, else CSAT, else stars, else a two-valued attribute whose name mentions
satisfaction. :class:`carlzon.analysis.KeyDrivers` (relative weights) then
shares the explained outcome among the touchpoints. When the store has no such
ratings, :func:`survey_drivers` returns None together with the reason, and the
report says which importance it used instead.

Example:
    >>> from carlzon.store import open_store
    >>> from carlzon.report.drivers import survey_drivers
    >>> with open_store(":memory:") as st:
    ...     survey_drivers(st, "airline")[1]
    'no per-touchpoint survey ratings in the store'
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from carlzon.journey import Journey, load_journey

__all__ = ["survey_drivers"]

_NEGATIVE = re.compile(r"\b(not|dis\w*|un\w*|neutral|no)\b", re.I)


def _outcome(df: pd.DataFrame, attrs: pd.Series) -> tuple[pd.Series | None, str]:
    for col, label in (("nps", "NPS"), ("csat", "CSAT"), ("stars", "stars")):
        y = pd.to_numeric(df[col], errors="coerce")
        if y.notna().mean() >= 0.5:
            return y, label
    parsed = attrs.map(lambda s: json.loads(s) if isinstance(s, str) and s.startswith("{") else {})
    keys = {k for d in parsed.head(500) for k in d if re.search(r"satisf|overall|recommend", str(k), re.I)}
    for key in sorted(keys):
        vals = parsed.map(lambda d, key=key: d.get(key))
        uniq = [v for v in vals.dropna().unique()]
        if len(uniq) == 2:
            pos = [v for v in uniq if not _NEGATIVE.search(str(v))]
            if len(pos) == 1:
                return vals.map(lambda v, pos=pos: np.nan if v is None else float(v == pos[0])), f"{key} = {pos[0]}"
    return None, ""


def survey_drivers(
    store: Any, journey: Journey | str, *, limit: int = 200_000, n_boot: int = 100, min_rows: int = 100
) -> tuple[pd.DataFrame | None, str]:
    """``(drivers, note)`` or ``(None, why not)``; drivers has touchpoint, importance (share of the explained
    outcome) with importance_low/high, performance (mean rating of the touchpoint's survey items) with
    survey_n, method and performance_method."""
    j = journey if isinstance(journey, Journey) else load_journey(journey)
    # rows without any rating ('{}', or a packed '[null,null]' beside the survey's rows) are left out before
    # the limit, so a store with many of them still reaches its survey
    df = store.unpack(
        store.query(
            "SELECT ratings, layout, nps, csat, stars, attributes FROM interactions "
            "WHERE ratings IS NOT NULL "
            "AND REPLACE(REPLACE(ratings, 'null', ''), ',', '') NOT IN ('{}', '[]') "
            "LIMIT :limit",
            {"limit": limit},
        )
    )
    if len(df) < min_rows:
        return None, "no per-touchpoint survey ratings in the store"
    ratings = pd.DataFrame.from_records([json.loads(r) for r in df["ratings"]])
    # a rating column belongs to the touchpoint it names (case, spacing, punctuation and synonyms: match_item)
    item_tp = {c: tp.id for c in ratings.columns if (tp := j.match_item(str(c))) is not None}
    cols = [c for c in ratings.columns if c in item_tp]
    if len(cols) < 3:
        return None, "fewer than 3 survey ratings map to the journey's touchpoints"
    num = ratings[cols].apply(pd.to_numeric, errors="coerce")
    # rows of the same export without any rating (a complaint, a review beside the survey) say nothing here
    rated = num.notna().any(axis=1).to_numpy()
    num, df = num[rated].reset_index(drop=True), df[rated].reset_index(drop=True)
    if len(df) < min_rows:
        return None, "no per-touchpoint survey ratings in the store"
    for c in cols:  # a 0 on a 1-5 item is the survey's "not applicable"
        if num[c].min() == 0 and num[c].max() <= 5:
            num[c] = num[c].replace(0, np.nan)
    wide = pd.DataFrame(
        {tp: num[[c for c in cols if item_tp[c] == tp]].mean(axis=1) for tp in dict.fromkeys(item_tp[c] for c in cols)}
    )
    y, label = _outcome(df, df["attributes"])
    if y is None:
        return None, "no overall outcome (NPS, CSAT, stars or a satisfaction attribute) beside the ratings"
    wide["outcome"] = y.to_numpy()
    wide = wide[wide["outcome"].notna()]
    if len(wide) < min_rows:
        return None, f"only {len(wide)} survey responses with an outcome"
    from carlzon.analysis.drivers import KeyDrivers

    kd = KeyDrivers(n_boot=n_boot, seed=0).fit(wide, outcome="outcome")
    method = f"key-driver model (relative weights) on survey ratings against {label}, n={len(wide):,}"
    tps = list(kd.importance_.index)
    lo = float(np.nanmin(wide[tps].to_numpy()))
    hi = float(np.nanmax(wide[tps].to_numpy()))
    out = pd.DataFrame(
        {
            "touchpoint": tps,
            "importance": kd.importance_.to_numpy(),
            "importance_low": kd.ci_low_.to_numpy(),
            "importance_high": kd.ci_high_.to_numpy(),
            "performance": [float(wide[t].mean()) for t in tps],
            "survey_n": [int(wide[t].notna().sum()) for t in tps],
            "method": method,
            "performance_method": f"mean survey rating ({lo:g} to {hi:g})",
        }
    )
    out.attrs["scale"] = (lo, hi)
    return out, method
