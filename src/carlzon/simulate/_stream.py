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
    "airline:check_in": (
        "broken bag drop machines",
        (
            "the bag drop machines are broken again, huge queue at check-in",
            "all the self bag drop machines were out of order",
            "bag drop machines broken, staff just shrugged",
        ),
    ),
    "airline:security": (
        "only one security lane open",
        (
            "only one security lane open again, the queue went round the terminal",
            "one lane open at security on a Monday morning, ridiculous",
        ),
    ),
    "airline:baggage_claim": (
        "bags arriving damaged",
        (
            "my suitcase came off the carousel with a broken handle and a torn side",
            "second bag this month arriving damaged, wheels ripped off",
        ),
    ),
    "airline:boarding": (
        "jet bridge out of order",
        (
            "the jet bridge was out of order so we waited on the bus for ages before boarding",
            "jet bridge broken again, boarding by stairs in the rain",
        ),
    ),
    "airline:delays_cancellations": (
        "rebooking app down",
        (
            "flight cancelled and the rebooking app is down, nobody at the desk",
            "the rebooking app keeps failing after the cancellation",
        ),
    ),
    "coffee_shop:queue": (
        "slow service at the counter",
        (
            "slow service at the counter, one person making all the drinks",
            "the counter is so slow lately, 20 minutes for a coffee",
        ),
    ),
    "coffee_shop:payment": (
        "broken card machine",
        ("the card machine is broken again, cash only", "card machine broken for days now, couldn't pay"),
    ),
    "coffee_shop:mobile_order": (
        "mobile orders not ready",
        ("my mobile order was not ready, waited 15 minutes at pickup", "mobile orders never ready on time anymore"),
    ),
    "hotel:check_in": (
        "rooms not ready at check-in",
        ("our room was not ready at check-in, waited two hours in the lobby", "rooms not ready again at 4 pm check-in"),
    ),
    "hotel:noise": (
        "construction noise next door",
        ("drilling from the construction next door from 7 am", "construction noise all day, could not sleep"),
    ),
    "hotel:housekeeping": (
        "rooms not cleaned",
        ("room was not cleaned for two days, no fresh towels", "housekeeping skipped our room again"),
    ),
    "restaurant:food_timing": (
        "kitchen running late",
        (
            "waited over an hour for our mains, the kitchen is way behind",
            "kitchen running late again, starters took 50 minutes",
        ),
    ),
    "restaurant:food_quality": (
        "undercooked chicken",
        ("the chicken was undercooked, pink in the middle", "sent back undercooked chicken twice"),
    ),
    "retail_bank:mobile_app": (
        "app login failing",
        ("the app login keeps failing since the update", "can't log in to the app for days, error every time"),
    ),
    "retail_bank:card_payments": (
        "cards declined at checkout",
        ("my card was declined at checkout again with money in the account", "card payments declined all week"),
    ),
    "internet_provider:outage": (
        "evening outages",
        ("internet drops every evening around 8", "another evening outage, third this week"),
    ),
    "internet_provider:technical_support": (
        "technician no-show",
        ("the technician didn't show up, took a day off for nothing", "technician no-show again, nobody called"),
    ),
    "online_shop:delivery": (
        "late deliveries from the new courier",
        ("parcel late again, the new courier is hopeless", "delivery three days late with the new courier"),
    ),
    "online_shop:parcel_condition": (
        "crushed parcels",
        ("the parcel arrived crushed and the box was torn", "another crushed parcel, item damaged"),
    ),
    "retail_clothing:fitting_rooms": (
        "fitting rooms closed",
        ("fitting rooms closed again, couldn't try anything on", "half the fitting rooms closed and a huge queue"),
    ),
    "retail_clothing:checkout_queue": (
        "only one till open",
        ("only one till open and a queue to the back of the shop", "one till open on a Saturday, left without buying"),
    ),
}
"""Emerging-problem themes per journey and touchpoint: a label and comments that name it."""


def theme_for(journey: Journey, tp: Touchpoint) -> tuple[str, tuple[str, ...]]:
    key = f"{journey.name}:{tp.id}"
    if key in THEMES:
        return THEMES[key]
    name = tp.name.lower()
    return f"{name} closed without notice", (
        f"the {name} was closed without notice again",
        f"{name} closed without notice for the third day",
        f"nobody told us the {name} would be closed",
    )


def emerging_touchpoint(journey: Journey, weights: np.ndarray, rng: np.random.Generator) -> Touchpoint:
    """A touchpoint with a known theme (seeded); else one of the three most talked about in person."""
    tps = journey.touchpoints
    known = [i for i, tp in enumerate(tps) if f"{journey.name}:{tp.id}" in THEMES]
    if not known:
        order = np.argsort(-weights, kind="stable")
        known = [i for i in order if tps[i].phase in ("first", "second")][:3] or list(order[:3])
    return tps[int(known[int(rng.integers(len(known)))])]


def public_stream(
    journey: Journey,
    rng: np.random.Generator,
    *,
    start: pd.Timestamp,
    days: int,
    per_day: float,
    weights: np.ndarray,
    locations: tuple[str, ...],
    loc_shares: np.ndarray,
    emerging: dict,
) -> pd.DataFrame:
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
        records.append(
            pd.DataFrame(
                {
                    "day": np.repeat(d, rep),
                    "tp": np.repeat(t, rep),
                    "loc": np.repeat(l, rep),
                    "valence": valence,
                    "themed": False,
                }
            )
        )
    extra_counts = rng.poisson(extra, size=max(days - e_start, 0))
    ed = np.repeat(np.arange(e_start, days), extra_counts)
    records.append(pd.DataFrame({"day": ed, "tp": e_tp, "loc": e_loc, "valence": "misery", "themed": True}))
    df = pd.concat(records, ignore_index=True)
    n = len(df)
    seconds = rng.uniform(6 * 3600, 23 * 3600, size=n)
    df["created_at"] = start + pd.to_timedelta(df["day"], unit="D") + pd.to_timedelta(seconds, unit="s")
    df["channel"] = np.where(rng.random(n) < 0.7, "social", "review")
    theme_texts = emerging["texts"]
    texts, stars = [], []
    for tp_i, val, themed, ch in zip(
        df["tp"].to_numpy(), df["valence"].to_numpy(), df["themed"].to_numpy(), df["channel"].to_numpy()
    ):
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
