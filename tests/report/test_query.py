"""Store queries for the report: scope filters in SQL, exact segments, rating counts, strongest moments."""

import json

import pandas as pd
import pytest

from carlzon.report.query import Scope, load_frame, n_customers, rating_counts, segment_patterns, strongest
from carlzon.store import open_store


@pytest.fixture
def store():
    with open_store(":memory:") as st:
        attrs = [{"Class": "Eco"}, {"Class": "Eco Plus"}, {"Class": "Business", "Age": 13}, {"Age": 1}]
        st.add_interactions(
            pd.DataFrame(
                {
                    "id": ["a", "b", "c", "d"],
                    "customer_id": ["x", "x", "y", None],
                    "timestamp": pd.to_datetime(
                        ["2026-01-01 10:00", "2026-01-02 23:59", "2026-01-03 00:00", "2026-02-01 00:00"], utc=True
                    ),
                    "text": ["bad", "good", "", "meh"],
                    "nps": [2, 10, 10, None],
                    "attributes": [json.dumps(a, separators=(",", ":")) for a in attrs],
                }
            )
        )
        st.add_moments(
            pd.DataFrame(
                {
                    "interaction_id": ["a", "b", "c", "d"],
                    "customer_id": ["x", "x", "y", None],
                    "timestamp": pd.to_datetime(
                        ["2026-01-01 10:00", "2026-01-02 23:59", "2026-01-03 00:00", "2026-02-01 00:00"], utc=True
                    ),
                    "touchpoint": ["gate", "seat", "seat", "unknown"],
                    "valence": ["misery", "magic", "magic", "neutral"],
                    "score": [-0.9, 0.8, 0.95, 0.0],
                    "intensity": [0.9, 0.8, 0.9, 0.1],
                    "evidence": ["[]"] * 4,
                }
            )
        )
        yield st


def test_segment_is_exact(store):
    assert len(load_frame(store, Scope(segment=("Class", "Eco")))) == 1
    assert len(load_frame(store, Scope(segment=("Class", "Eco Plus")))) == 1
    assert len(load_frame(store, Scope(segment=("Age", "1")))) == 1  # not Age 13
    assert segment_patterns("a_b", "50%")[0] == '%"a\\_b":"50\\%"%'


def test_frame_has_days_and_period_filter(store):
    df = load_frame(store, Scope(since=pd.Timestamp("2026-01-02"), until=pd.Timestamp("2026-01-03")))
    assert list(df["touchpoint"]) == ["seat"]
    assert str(df["day"].iloc[0]) == "2026-01-02 00:00:00+00:00"


def test_rating_counts_and_customers(store):
    r = rating_counts(store)
    assert r["nps"].to_dict() == {2.0: 1, 10.0: 2}
    assert r["stars"].empty
    assert rating_counts(store, Scope(channel="none"))["nps"].empty
    assert n_customers(store) == 2


def test_strongest_needs_text_and_orders(store):
    assert list(strongest(store, Scope(), "magic")["interaction_id"]) == ["b"]  # c has no text
    assert strongest(store, Scope(), "misery")["text"].tolist() == ["bad"]


def test_strongest_leaves_out_a_moment_from_a_rating_alone(store):
    extra = pd.DataFrame(
        {
            "interaction_id": ["b"],
            "customer_id": ["x"],
            "timestamp": pd.to_datetime(["2026-01-02 23:59"], utc=True),
            "touchpoint": ["gate"],
            "valence": ["misery"],
            "score": [-1.0],
            "intensity": [1.0],
            "evidence": ["[]"],
            "basis": ["rating"],
        }
    )
    store.add_moments(extra)
    assert strongest(store, Scope(), "misery")["text"].tolist() == ["bad"]
