"""Synthetic interactions and moments, fast, for report benchmarks and page tests.

Not a simulation of customers (that is :mod:`carlzon.simulate`): just many
well-formed rows with a per-touchpoint bias, so that a million moments can be
written in seconds and every page has something to show.

Example:
    >>> from carlzon.report.synthetic import synthetic_rows
    >>> inter, moments = synthetic_rows(100, seed=1)
    >>> len(inter), len(moments), bool(moments["valence"].isin(["magic", "misery", "neutral"]).all())
    (100, 100, True)
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from carlzon.journey import Journey, load_journey

__all__ = ["HOSTILE_TEXT", "fill_store", "synthetic_rows"]

HOSTILE_TEXT = '<script>alert(1)</script> and "><img src=x onerror=alert(2)> lost my bag, rude staff'
"""A comment that must show as text and run nothing."""

_PHRASES = {
    "misery": ["waited for ages and nobody helped", "lost my bag", "rude and dismissive", "cancelled without notice",
               "filthy and broken"],
    "magic": ["remembered my name", "upgraded us for free", "went out of their way", "fast and friendly",
              "spotless and comfortable"],
    "neutral": ["it was fine", "as expected", "nothing special"],
}


def synthetic_rows(n: int, *, journey: Journey | str = "airline", seed: int = 0, start: str = "2026-01-01",
                   days: int = 180, customers: int | None = None, text_every: int = 1,
                   hostile: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` interactions and their moments (one each); every ``text_every``-th row has a comment.

    With ``hostile=True`` the worst moment carries :data:`HOSTILE_TEXT`.
    """
    j = journey if isinstance(journey, Journey) else load_journey(journey)
    rng = np.random.default_rng(seed)
    tps = np.array([t.id for t in j.touchpoints] + ["unknown"])
    stakes_of = {t.id: t.stakes for t in j.touchpoints}
    tp = tps[rng.integers(0, len(tps), n)]
    bias = dict(zip(tps, rng.normal(0.0, 0.35, len(tps))))
    t0 = pd.Timestamp(start, tz="UTC")
    offs = np.sort(rng.integers(0, days * 86400, n))
    ts = t0 + pd.to_timedelta(offs, unit="s")
    drift = np.where((tp == tps[0]) & (offs > (days - 20) * 86400), -0.5, 0.0)  # an emerging problem
    score = np.clip(np.vectorize(bias.get)(tp) + drift + rng.normal(0, 0.45, n), -0.99, 0.99).round(3)
    valence = np.where(score >= 0.3, "magic", np.where(score <= -0.3, "misery", "neutral"))
    nps = np.clip(np.round((score + 1) * 5 + rng.normal(0, 1, n)), 0, 10)
    ids = np.char.add("s", np.arange(n).astype(str))
    cust = np.char.add("C", rng.integers(0, customers or max(n // 4, 1), n).astype(str))
    texts = np.empty(n, dtype=object)
    has = (np.arange(n) % max(text_every, 1)) == 0
    for v, phrases in _PHRASES.items():
        sel = has & (valence == v)
        k = int(sel.sum())
        if k:
            texts[sel] = np.char.add(np.array(phrases)[rng.integers(0, len(phrases), k)], " at the airport")
    if hostile and n:  # the single worst moment, so that every report quotes it
        worst = int(np.argmin(score))
        score[worst], valence[worst], texts[worst] = -1.0, "misery", HOSTILE_TEXT
    channel = np.array(["survey", "review", "social", "ticket"])[rng.integers(0, 4, n)]
    segment = np.array(["Business", "Eco", "Eco Plus"])[rng.integers(0, 3, n)]
    attributes = np.char.add(np.char.add('{"Class": "', segment), '"}')
    interactions = pd.DataFrame({
        "id": ids, "customer_id": cust, "timestamp": ts, "channel": channel, "source": "synthetic",
        "text": texts, "nps": nps, "touchpoint": tp, "attributes": attributes,
    })
    ev_cache: dict[tuple[str, str], str] = {}

    def evidence(v: str, t: str) -> str:
        key = (v, t)
        if key not in ev_cache:
            items: list[dict[str, Any]] = [{"rule": "rating", "text": f"NPS rating points to {v}"}]
            if v != "neutral":
                items.append({"rule": "lexicon", "text": f"wording signals {v}"})
            if stakes_of.get(t) == "high":
                items.append({"rule": "stakes", "text": "high-stakes touchpoint"})
            ev_cache[key] = json.dumps(items)
        return ev_cache[key]

    moments = pd.DataFrame({
        "interaction_id": ids, "customer_id": cust, "timestamp": ts, "channel": channel, "touchpoint": tp,
        "touchpoint_confidence": np.where(tp == "unknown", 0.0, 0.8), "valence": valence, "score": score,
        "intensity": np.abs(score).round(3), "stakes": [stakes_of.get(t, "low") for t in tp],
        "moment_of_truth": np.abs(score) >= 0.6, "reasons": "synthetic",
        "evidence": [evidence(v, t) for v, t in zip(valence, tp)],
    })
    return interactions, moments


def fill_store(store: Any, n: int, *, batch: int = 100_000, **kwargs: Any) -> int:
    """Write ``n`` synthetic interactions and moments into ``store`` in batches; returns n."""
    inter, moments = synthetic_rows(n, **kwargs)
    for k in range(0, n, batch):
        store.add_interactions(inter.iloc[k:k + batch])
        store.add_moments(moments.iloc[k:k + batch])
    return n
