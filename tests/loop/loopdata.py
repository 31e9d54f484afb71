"""Hand-built interactions and moments for the loop tests, so priorities are known exactly.

Imported by tests/loop and tests/cli/test_loop_cli.py (from the tests/loop folder)."""

from __future__ import annotations

import json
from datetime import datetime, UTC

import pandas as pd
from carlzon.schema import INTERACTION_COLUMNS, MOMENT_COLUMNS

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def interaction(iid, customer, ts, *, text=None, nps=None, channel="survey", attributes=None, **extra):
    row = {c: None for c in INTERACTION_COLUMNS}
    row.update(
        id=iid,
        customer_id=customer,
        timestamp=pd.Timestamp(ts),
        channel=channel,
        source="test",
        text=text,
        nps=nps,
        ratings="{}",
        measures="{}",
        attributes=json.dumps(attributes or {}),
        **extra,
    )
    return row


def moment(
    iid, customer, ts, *, valence, score, intensity, stakes="low", touchpoint="unknown", evidence=(), channel="survey"
):
    row = {c: None for c in MOMENT_COLUMNS}
    row.update(
        interaction_id=iid,
        customer_id=customer,
        timestamp=pd.Timestamp(ts),
        channel=channel,
        touchpoint=touchpoint,
        touchpoint_confidence=0.9,
        valence=valence,
        score=score,
        intensity=intensity,
        stakes=stakes,
        moment_of_truth=valence != "neutral",
        reasons="; ".join(e["text"] for e in evidence),
        evidence=json.dumps(list(evidence)),
    )
    return row


BAG_EVIDENCE = [
    {"rule": "rating", "text": "rating 1/10 (NPS)", "value": 1},
    {"rule": "lexicon", "text": "'lost my bag' = lost item, high stakes", "phrase": "lost my bag"},
]


def add(store, interactions=(), moments=()):
    if interactions:
        store.add_interactions(pd.DataFrame(list(interactions), columns=list(INTERACTION_COLUMNS)))
    if moments:
        store.add_moments(pd.DataFrame(list(moments), columns=list(MOMENT_COLUMNS)))


def seed_misery(store):
    """Anna (gold tier) lost her bag: NPS 1, intensity 0.8, high stakes; Bob's mild seat gripe stays below 30."""
    add(
        store,
        [
            interaction(
                "i1",
                "anna",
                T0,
                text="You lost my bag in Oslo and nobody helps",
                nps=1,
                attributes={"name": "Anna Berg", "tier": "gold"},
            ),
            interaction("i2", "bob", T0, text="seat was a bit narrow", nps=6, attributes={"name": "Bob Lee"}),
        ],
        [
            moment(
                "i1",
                "anna",
                T0,
                valence="misery",
                score=-0.9,
                intensity=0.8,
                stakes="high",
                touchpoint="baggage_claim",
                evidence=BAG_EVIDENCE,
            ),
            moment(
                "i2",
                "bob",
                T0,
                valence="misery",
                score=-0.3,
                intensity=0.3,
                stakes="low",
                touchpoint="seat",
                evidence=[{"rule": "rating", "text": "rating 6/10 (NPS)", "value": 6}],
            ),
        ],
    )
