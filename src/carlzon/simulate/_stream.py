"""The public stream (anonymous social posts and reviews) and the planted emerging problem.

Daily counts per touchpoint and location are Poisson with constant rates, so
the baseline misery count of every touchpoint is stable; from the emerging
problem's start day, one touchpoint at one location gets extra misery whose
comments name one specific theme.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carlzon.journey import Journey, Touchpoint
from carlzon.simulate import _text
from carlzon.simulate._text import pick

THEMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "check_in": ("broken bag drop machines", (
        "the bag drop machines are broken again, huge queue at check-in",
        "all the self bag drop machines were out of order",
        "bag drop machines broken, staff just shrugged",
    )),
    "security": ("only one security lane open", (
        "only one security lane open again, the queue went round the terminal",
        "one lane open at security on a Monday morning, ridiculous",
    )),
    "baggage_claim": ("bags arriving damaged", (
        "my suitcase came off the carousel with a broken handle and a torn side",
        "second bag this month arriving damaged, wheels ripped off",
    )),
    "boarding": ("jet bridge out of order", (
        "the jet bridge was out of order so we waited on the bus for ages before boarding",
        "jet bridge broken again, boarding by stairs in the rain",
    )),
    "queue": ("slow service at the counter", (
        "slow service at the counter, one person making all the drinks",
        "the counter is so slow lately, 20 minutes for a coffee",
    )),
    "payment": ("broken card machine", (
        "the card machine is broken again, cash only",
        "card machine broken for days now, couldn't pay",
    )),
}


def theme_for(tp: Touchpoint) -> tuple[str, tuple[str, ...]]:
    if tp.id in THEMES:
        return THEMES[tp.id]
    word = _text.touchpoint_word(tp)
    label = f"{word} out of order"
    return label, (f"the {word} was out of order again today", f"{word} out of order for the third day in a row",
                   f"nobody fixes the {word}, out of order again")


def emerging_touchpoint(journey: Journey, weights: np.ndarray, rng: np.random.Generator) -> Touchpoint:
    """One of the three most-talked-about touchpoints with a physical place (seeded)."""
    tps = journey.touchpoints
    order = np.argsort(-weights, kind="stable")
    physical = [i for i in order if tps[i].phase in ("first", "second")] or list(order)
    known = [i for i in physical[:6] if tps[i].id in THEMES]
    pool = known[:3] if len(known) >= 2 else physical[:3]
    return tps[int(rng.choice(pool))]


def public_stream(journey: Journey, rng: np.random.Generator, *, start: pd.Timestamp, days: int, per_day: float,
                  weights: np.ndarray, locations: tuple[str, ...], loc_shares: np.ndarray,
                  emerging: dict) -> pd.DataFrame:
    """Anonymous social posts and reviews: Poisson per day, touchpoint and location."""
    tps = journey.touchpoints
    shares = {"misery": 0.3, "magic": 0.2, "neutral": 0.5}
    e_tp, e_loc, e_start, extra = emerging["tp_index"], emerging["loc_index"], emerging["start_day"], emerging["extra"]
    lam = per_day * np.outer(weights, loc_shares)  # (tp, loc) expected posts per day
    records = []
    for valence, share in shares.items():
        counts = rng.poisson(lam[None, :, :] * share, size=(days, *lam.shape))
        d, t, l = np.nonzero(counts)
        rep = counts[d, t, l]
        records.append(pd.DataFrame({"day": np.repeat(d, rep), "tp": np.repeat(t, rep), "loc": np.repeat(l, rep),
                                     "valence": valence, "themed": False}))
    extra_counts = rng.poisson(extra, size=max(days - e_start, 0))
    ed = np.repeat(np.arange(e_start, days), extra_counts)
    records.append(pd.DataFrame({"day": ed, "tp": e_tp, "loc": e_loc, "valence": "misery", "themed": True}))
    df = pd.concat(records, ignore_index=True)
    n = len(df)
    seconds = rng.uniform(6 * 3600, 23 * 3600, size=n)
    df["created_at"] = start + pd.to_timedelta(df["day"], unit="D") + pd.to_timedelta(seconds, unit="s")
    df["channel"] = np.where(rng.random(n) < 0.7, "social", "review")
    theme_label, theme_texts = emerging["theme"], emerging["texts"]
    texts, stars = [], []
    for tp_i, val, themed, ch in zip(df["tp"].to_numpy(), df["valence"].to_numpy(), df["themed"].to_numpy(), df["channel"].to_numpy()):
        tp = tps[tp_i]
        if themed:
            core = pick(rng, theme_texts)
            texts.append(_text.sentence(core, False, rng))
            stars.append(float(rng.integers(1, 3)) if ch == "review" else np.nan)
            continue
        if val == "neutral":
            core = _text.neutral(tp, rng)
            texts.append(_text.sentence(core, None, rng))
            stars.append(float(rng.integers(3, 5)) if ch == "review" else np.nan)
        else:
            pos = val == "magic"
            texts.append(_text.sentence(_text.fill(_text.phrase(tp, pos, rng), rng), pos, rng))
            stars.append((5.0 if pos else float(rng.integers(1, 3))) if ch == "review" else np.nan)
    df["comment"] = texts
    df["stars"] = stars
    df["touchpoint"] = [tps[i].id if rng.random() < 0.3 else "" for i in df["tp"].to_numpy()]
    df["location"] = np.asarray(locations)[df["loc"].to_numpy()]
    return df.sort_values("created_at", kind="stable").reset_index(drop=True)
