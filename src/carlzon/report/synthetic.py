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

__all__ = ["HOSTILE_STEP", "HOSTILE_TEXT", "fill_store", "synthetic_events", "synthetic_rows"]

HOSTILE_TEXT = '<script>alert(1)</script> and "><img src=x onerror=alert(2)> lost my bag, rude staff'
"""A comment that must show as text and run nothing."""
HOSTILE_STEP = '</text><script>alert(3)</script>"><img src=x onerror=alert(4)>'
"""A step name in an event log that must show as text inside the paths graph (an SVG) and run nothing."""

_PHRASES = {
    "misery": [
        "waited for ages and nobody helped",
        "lost my bag",
        "rude and dismissive",
        "cancelled without notice",
        "filthy and broken",
    ],
    "magic": [
        "remembered my name",
        "upgraded us for free",
        "went out of their way",
        "fast and friendly",
        "spotless and comfortable",
    ],
    "neutral": ["it was fine", "as expected", "nothing special"],
}


def synthetic_rows(
    n: int,
    *,
    journey: Journey | str = "airline",
    seed: int = 0,
    start: str = "2026-01-01",
    days: int = 180,
    customers: int | None = None,
    text_every: int = 1,
    hostile: bool = False,
    hostile_burst: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` interactions and their moments (one each); every ``text_every``-th row has a comment.

    With ``hostile=True`` the worst moment carries :data:`HOSTILE_TEXT`; ``hostile_burst`` more of the
    most recent rows become moments of misery at the gate with that comment (an emerging problem and a
    theme whose examples quote it).
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
    if hostile_burst and n:
        last = np.arange(max(n - hostile_burst, 0), n)
        tp[last], score[last], valence[last], texts[last] = "gate", -0.9, "misery", HOSTILE_TEXT
    channel = np.array(["survey", "review", "social", "ticket"])[rng.integers(0, 4, n)]
    segment = np.array(["Business", "Eco", "Eco Plus"])[rng.integers(0, 3, n)]
    attributes = np.char.add(np.char.add('{"Class": "', segment), '"}')
    interactions = pd.DataFrame(
        {
            "id": ids,
            "customer_id": cust,
            "timestamp": ts,
            "channel": channel,
            "source": "synthetic",
            "text": texts,
            "nps": nps,
            "touchpoint": tp,
            "attributes": attributes,
        }
    )
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

    moments = pd.DataFrame(
        {
            "interaction_id": ids,
            "customer_id": cust,
            "timestamp": ts,
            "channel": channel,
            "touchpoint": tp,
            "touchpoint_confidence": np.where(tp == "unknown", 0.0, 0.8),
            "valence": valence,
            "score": score,
            "intensity": np.abs(score).round(3),
            "stakes": [stakes_of.get(t, "low") for t in tp],
            "moment_of_truth": np.abs(score) >= 0.6,
            "reasons": "synthetic",
            "evidence": [evidence(v, t) for v, t in zip(valence, tp)],
        }
    )
    return interactions, moments


def synthetic_events(
    customers: int,
    *,
    journey: Journey | str = "airline",
    seed: int = 0,
    start: str = "2026-01-01",
    days: int = 180,
    hostile: bool = False,
) -> pd.DataFrame:
    """An event log as interaction rows (customer, timestamp, step as touchpoint; no text, no rating).

    Each customer makes one or two trips along the journey's touchpoints in order, dropping off after
    any step with probability 0.12; some steps use the touchpoint's name, and a few events are an
    unmapped ``app_crash`` (with ``hostile=True`` also :data:`HOSTILE_STEP`).
    """
    j = journey if isinstance(journey, Journey) else load_journey(journey)
    rng = np.random.default_rng(seed)
    tps = [t for t in j.touchpoints if t.phase not in ("ultimate",)]
    rows: list[tuple[str, pd.Timestamp, str]] = []
    t0 = pd.Timestamp(start, tz="UTC")
    for c in range(customers):
        for _ in range(int(rng.integers(1, 3))):
            t = t0 + pd.Timedelta(seconds=int(rng.integers(0, days * 86400)))
            for k, tp in enumerate(tps):
                if rng.random() < 0.35 and k > 0:
                    continue  # not every trip touches every touchpoint
                step = tp.name if k % 4 == 1 else tp.id
                if rng.random() < 0.02:
                    step = HOSTILE_STEP if hostile and rng.random() < 0.5 else "app_crash"
                rows.append((f"C{c}", t, step))
                t += pd.Timedelta(minutes=float(rng.exponential(25)))
                if rng.random() < 0.12:
                    break
    df = pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint"])
    return pd.DataFrame(
        {
            "id": np.char.add("e", np.arange(len(df)).astype(str)),
            "customer_id": df["customer_id"],
            "timestamp": df["timestamp"],
            "channel": "event",
            "source": "synthetic-events",
            "touchpoint": df["touchpoint"],
            "ratings": "{}",
            "measures": "{}",
            "attributes": "{}",
        }
    )


def fill_store(store: Any, n: int, *, batch: int = 100_000, events: int = 0, **kwargs: Any) -> int:
    """Write ``n`` synthetic interactions and moments into ``store`` in batches; returns n.

    ``events`` > 0 also writes an event log of that many customers (:func:`synthetic_events`).
    """
    inter, moments = synthetic_rows(n, **kwargs)
    for k in range(0, n, batch):
        store.add_interactions(inter.iloc[k : k + batch])
        store.add_moments(moments.iloc[k : k + batch])
    if events:
        store.add_interactions(
            synthetic_events(events, seed=kwargs.get("seed", 0), hostile=kwargs.get("hostile", False))
        )
    return n
