"""Ratings first: NPS, CSAT, CES and stars as the customer's own verdict.

Each rating present on a row is mapped to a score in [-1, 1] against the
journey's thresholds (``value <= misery`` is misery, ``value >= magic`` is
magic, anything between is neutral):

- at or below the misery threshold: from -0.5 (at the threshold) down to -1
  (the bottom of the scale);
- at or above the magic threshold: from +0.5 (at the threshold) up to +1
  (the top of the scale);
- between the two: linear from -0.25 to +0.25.

Several ratings on one row combine as follows: any decisive rating (misery or
magic) beats neutral ones; a misery and a magic rating on the same row are
settled by the sign of the mean score (a tie is neutral). The combined score is
the mean of the present ratings' scores.

Everything is vectorised over the batch with NumPy.

Example:
    >>> import pandas as pd
    >>> r = rate(pd.DataFrame({"nps": [3, 10, None], "stars": [None, None, 3]}))
    >>> list(r.valence)
    ['misery', 'magic', 'neutral']
    >>> r.evidence(0)[0].text
    'NPS 3/10 (detractor)'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carlzon.journey import _DEFAULT_THRESHOLDS
from carlzon.schema import RATING_SCALES, Evidence

__all__ = [
    "RatingResult",
    "describe_ratings",
    "rate",
    "rating_meaning",
    "rating_score",
    "rating_valence",
    "scale_thresholds",
]

_LABEL = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "stars": "rating"}


def scale_thresholds(scale: str, thresholds: dict[str, dict[str, float]] | None = None) -> dict[str, float]:
    """The misery / magic cut-offs of one scale: a journey's ``thresholds`` over the defaults.

    This is the one definition of what a rating means; detection (ingest), ``carlzon train``,
    ``carlzon eval`` and the report read it here.

    >>> scale_thresholds("stars"), scale_thresholds("stars", {"stars": {"magic": 4}})
    ({'misery': 2, 'magic': 5}, {'misery': 2, 'magic': 4})
    """
    return {**_DEFAULT_THRESHOLDS[scale], **((thresholds or {}).get(scale) or {})}


def rating_valence(
    values: np.ndarray | list, scale: str, thresholds: dict[str, dict[str, float]] | None = None
) -> np.ndarray:
    """magic / misery / neutral for ratings of one scale (None where missing), with :func:`scale_thresholds`.

    >>> rating_valence([1, 4, 5, None], "stars").tolist(), rating_valence([4], "stars", {"stars": {"magic": 4}}).tolist()
    (['misery', 'neutral', 'magic', None], ['magic'])
    """
    th = scale_thresholds(scale, thresholds)
    v = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").to_numpy(dtype="float64")
    out = np.full(len(v), None, dtype=object)
    out[~np.isnan(v)] = "neutral"
    out[v <= th["misery"]] = "misery"
    out[v >= th["magic"]] = "magic"
    return out


def rating_meaning(thresholds: dict[str, dict[str, float]] | None = None) -> dict[str, dict[str, str]]:
    """The values of each scale that read as misery, neutral and magic (``{"stars": {"misery": "1-2", ...}}``).

    >>> rating_meaning({"stars": {"magic": 4}})["stars"]
    {'misery': '1-2', 'neutral': '3', 'magic': '4-5'}
    """

    def span(a: float, b: float) -> str:
        a, b = int(np.ceil(a)), int(np.floor(b))
        return "none" if a > b else str(a) if a == b else f"{a}-{b}"

    out = {}
    for scale, (lo, hi) in RATING_SCALES.items():
        th = scale_thresholds(scale, thresholds)
        mis, mag = float(th["misery"]), float(th["magic"])
        out[scale] = {
            "misery": span(lo, mis),
            "neutral": span(np.floor(mis) + 1, np.ceil(mag) - 1),
            "magic": span(mag, hi),
        }
    return out


def describe_ratings(thresholds: dict[str, dict[str, float]] | None = None) -> str:
    """One sentence saying what each rating means (for the report's "how we computed this").

    >>> describe_ratings().split("; ")[0]
    'NPS 0-6 is misery (detractors), 7-8 neutral (passives), 9-10 magic (promoters)'
    """
    m = rating_meaning(thresholds)
    parts = []
    for scale, word in (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES (7 = very easy)"), ("stars", "stars")):
        r = m[scale]
        if scale == "nps":
            parts.append(
                f"{word} {r['misery']} is misery (detractors), {r['neutral']} neutral (passives), "
                f"{r['magic']} magic (promoters)"
            )
        else:
            parts.append(f"{word} {r['misery']} misery, {r['neutral']} neutral, {r['magic']} magic")
    return (
        "; ".join(parts)
        + ". The CSAT score is the share of 4-5 (the usual top-two box), NPS the share of promoters minus "
        "detractors"
    )


def rating_score(values: np.ndarray, scale: str, thresholds: dict[str, float]) -> np.ndarray:
    """Scores in [-1, 1] for the ratings ``values`` of one ``scale`` (NaN stays NaN).

    >>> rating_score(np.array([0., 6., 7., 9., 10.]), "nps", {"misery": 6, "magic": 9}).round(2).tolist()
    [-1.0, -0.5, -0.08, 0.5, 1.0]
    """
    lo, hi = RATING_SCALES[scale]
    mis, mag = float(thresholds["misery"]), float(thresholds["magic"])
    v = np.asarray(values, dtype="float64")
    out = np.full(v.shape, np.nan)
    low = v <= mis
    high = v >= mag
    mid = ~low & ~high & ~np.isnan(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        span_lo = max(mis - lo, 1e-9)
        span_hi = max(hi - mag, 1e-9)
        out[low] = -0.5 - 0.5 * np.clip((mis - v[low]) / span_lo, 0, 1)
        out[high] = 0.5 + 0.5 * np.clip((v[high] - mag) / span_hi, 0, 1) if hi > mag else 1.0
        out[mid] = -0.25 + 0.5 * (v[mid] - mis) / (mag - mis)
    return out


@dataclass
class RatingResult:
    """Per-row outcome of :func:`rate` (arrays aligned with the input rows)."""

    has_rating: np.ndarray  # bool
    score: np.ndarray  # float, NaN where no rating
    valence: np.ndarray  # object: magic / misery / neutral ('neutral' where no rating)
    decisive: np.ndarray  # bool: valence came from a rating beyond a threshold
    values: dict[str, np.ndarray]  # scale -> raw values
    per_scale: dict[str, np.ndarray]  # scale -> score
    thresholds: dict[str, dict[str, float]]

    def evidence(self, i: int) -> list[Evidence]:
        """The rating evidence of row ``i``, e.g. 'rating 1/5'."""
        out = []
        for scale, vals in self.values.items():
            v = vals[i]
            if np.isnan(v):
                continue
            s = self.per_scale[scale][i]
            hi = RATING_SCALES[scale][1]
            shown = int(v) if float(v).is_integer() else round(float(v), 1)
            text = f"{_LABEL[scale]} {shown}/{int(hi)}"
            th = self.thresholds[scale]
            if scale == "nps":
                text += " (detractor)" if v <= th["misery"] else " (promoter)" if v >= th["magic"] else " (passive)"
            elif v <= th["misery"]:
                text += " (low)"
            elif v >= th["magic"]:
                text += " (high)"
            out.append(Evidence(rule="rating", text=text, phrase=scale, value=float(v), weight=round(float(s), 3)))
        return out


def _column(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def rate(df: pd.DataFrame, thresholds: dict[str, dict[str, float]] | None = None) -> RatingResult:
    """Valence and score from the standard rating columns of ``df`` (nps, csat, ces, stars).

    ``thresholds`` are a journey's (``journey.thresholds``); defaults otherwise.
    Values outside a scale's range are ignored here (ingest quarantines them).
    """
    th = {k: scale_thresholds(k, thresholds) for k in RATING_SCALES}
    n = len(df)
    values: dict[str, np.ndarray] = {}
    per_scale: dict[str, np.ndarray] = {}
    n_mis = np.zeros(n, dtype=int)
    n_mag = np.zeros(n, dtype=int)
    total = np.zeros(n)
    count = np.zeros(n)
    for scale, (lo, hi) in RATING_SCALES.items():
        v = _column(df, scale)
        v = np.where((v >= lo) & (v <= hi), v, np.nan)
        if np.isnan(v).all():
            continue
        s = rating_score(v, scale, th[scale])
        values[scale], per_scale[scale] = v, s
        present = ~np.isnan(s)
        n_mis += present & (v <= th[scale]["misery"])
        n_mag += present & (v >= th[scale]["magic"])
        total += np.where(present, s, 0.0)
        count += present
    has = count > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(has, total / np.maximum(count, 1), np.nan)
    valence = np.full(n, "neutral", dtype=object)
    only_mis = (n_mis > 0) & (n_mag == 0)
    only_mag = (n_mag > 0) & (n_mis == 0)
    both = (n_mis > 0) & (n_mag > 0)
    valence[only_mis | (both & (score < 0))] = "misery"
    valence[only_mag | (both & (score > 0))] = "magic"
    decisive = valence != "neutral"
    return RatingResult(has, score, valence, decisive, values, per_scale, th)


@dataclass
class ItemRatings:
    """Ratings of single touchpoints (a survey's items, a review's aspect ratings), one entry per
    (row, touchpoint) (arrays aligned): several items of one touchpoint are averaged."""

    row: np.ndarray
    touchpoint: np.ndarray  # object
    score: np.ndarray
    valence: np.ndarray  # object
    decisive: np.ndarray  # bool
    evidence: list[list[Evidence]]


def _item_scale(values: np.ndarray) -> tuple[float, float]:
    """The scale a batch's values of one item are on, when none is declared: 1-5, 1-7, 0/1-10 or 0-100
    (a 0 on a 1-5 or 1-7 scale means 'not rated')."""
    v = values[~np.isnan(values)]
    top = float(v.max()) if len(v) else 5.0
    for hi in (5.0, 7.0):
        if top <= hi:
            return 1.0, hi
    if top <= 10:
        return (0.0 if (v == 0).any() else 1.0), 10.0
    return 0.0, 100.0


def rate_items(
    df: pd.DataFrame,
    journey,
    thresholds: dict[str, dict[str, float]] | None = None,
    scales: dict[str, tuple[float, float]] | None = None,
) -> ItemRatings:
    """Moments' ratings from the ``ratings`` column (dicts or JSON objects, ``{"Seat comfort": 4}``).

    Each item is matched to a touchpoint by :meth:`carlzon.journey.Journey.match_item`; items that match
    none are left out. An item's scale is ``scales[item]`` (or ``scales["*"]``) when declared, else read
    from the batch (:func:`_item_scale`); the value is read linearly onto 1-5 and judged with the
    journey's ``stars`` thresholds (misery at 2 or below, magic at 5). Values outside the scale, and a
    0 on a 1-x scale, mean 'not rated' and are left out.

    >>> j = __import__("carlzon.journey", fromlist=["load_journey"]).load_journey("airline")
    >>> r = rate_items(pd.DataFrame({"ratings": [{"Seat comfort": 1, "Food and drink": 5}]}), j)
    >>> list(zip(r.touchpoint, r.valence))
    [('food', 'magic'), ('seat', 'misery')]
    """
    from carlzon.schema import json_object

    empty = ItemRatings(
        np.zeros(0, np.int64), np.zeros(0, object), np.zeros(0), np.zeros(0, object), np.zeros(0, bool), []
    )
    if journey is None or "ratings" not in df.columns or not len(df):
        return empty
    th = scale_thresholds("stars", thresholds)
    parsed = [json_object(v) for v in df["ratings"].tolist()]
    keys = sorted({k for d in parsed for k in d})
    if not keys:
        return empty
    tp_of = {k: getattr(journey.match_item(str(k)), "id", None) for k in keys}
    keys = [k for k in keys if tp_of[k] is not None]
    if not keys:
        return empty
    scales = dict(scales or {})
    rows, tps, vals, items = [], [], [], []
    for k in keys:
        v = pd.to_numeric(pd.Series([d.get(k) for d in parsed], dtype=object), errors="coerce").to_numpy(
            dtype="float64"
        )
        lo, hi = scales.get(k) or scales.get("*") or _item_scale(v)
        ok = ~np.isnan(v) & (v >= lo) & (v <= hi)
        idx = np.flatnonzero(ok)
        rows.append(idx)
        tps.append(np.full(len(idx), tp_of[k], dtype=object))
        vals.append(1.0 + (v[idx] - lo) * 4.0 / max(hi - lo, 1e-9))
        items.append([(k, v[i], lo, hi) for i in idx])
    row = np.concatenate(rows)
    tp = np.concatenate(tps)
    stars = np.concatenate(vals)
    flat_items = [x for part in items for x in part]
    score = rating_score(stars, "stars", th)
    frame = pd.DataFrame({"row": row, "tp": tp, "score": score, "n": np.arange(len(row))})
    g = frame.groupby(["row", "tp"], sort=True)
    agg = g["score"].mean()
    members = g["n"].apply(list)
    out_row = agg.index.get_level_values(0).to_numpy(dtype=np.int64)
    out_tp = agg.index.get_level_values(1).to_numpy(dtype=object)
    out_score = agg.to_numpy(dtype="float64")
    valence = np.where(
        out_score <= -0.5 + 1e-9, "misery", np.where(out_score >= 0.5 - 1e-9, "magic", "neutral")
    ).astype(object)
    evidence = []
    for ns in members.tolist():
        ev = []
        for n_ in ns:
            k, v, lo, hi = flat_items[n_]
            s = float(score[n_])
            shown = int(v) if float(v).is_integer() else round(float(v), 1)
            word = " (low)" if s <= -0.5 else " (high)" if s >= 0.5 else ""
            ev.append(
                Evidence(
                    rule="rating",
                    text=f"{k} {shown}/{int(hi) if float(hi).is_integer() else hi}{word}",
                    phrase=str(k),
                    value=float(v),
                    weight=round(s, 3),
                )
            )
        evidence.append(ev)
    return ItemRatings(out_row, out_tp, out_score, valence, valence != "neutral", evidence)
