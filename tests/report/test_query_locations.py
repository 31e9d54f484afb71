"""Scope.locations: the report's queries limited to places (the rollups cannot answer them)."""

import pandas as pd
import pytest

from carlzon.report.aggregates import aggregates, count_moments, rollup_blocker
from carlzon.report.query import Scope, load_frame, n_customers
from carlzon.store import open_store


@pytest.fixture
def store():
    with open_store(":memory:") as st:
        ts = pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"], utc=True)
        st.add_interactions(
            pd.DataFrame(
                {
                    "id": ["a", "b", "c"],
                    "customer_id": ["x", "y", "z"],
                    "timestamp": ts,
                    "text": ["bad", "good", "ok"],
                    "location": ["s1", "s2", None],
                }
            )
        )
        st.add_moments(
            pd.DataFrame(
                {
                    "interaction_id": ["a", "b", "c"],
                    "customer_id": ["x", "y", "z"],
                    "timestamp": ts,
                    "touchpoint": ["gate", "seat", "seat"],
                    "valence": ["misery", "magic", "neutral"],
                    "score": [-0.9, 0.8, 0.0],
                    "intensity": [0.9, 0.8, 0.1],
                    "evidence": ["[]"] * 3,
                }
            )
        )
        yield st


def test_one_place(store):
    assert load_frame(store, Scope(locations=("s1",)))["valence"].tolist() == ["misery"]


def test_several_places(store):
    assert n_customers(store, Scope(locations=("s1", "s2"))) == 2


def test_no_places_is_empty(store):
    assert len(load_frame(store, Scope(locations=()))) == 0


def test_count_and_aggregates_follow_the_places(store):
    assert (count_moments(store, Scope(locations=("s2",))), aggregates(store, Scope(locations=("s2",))).n) == (1, 1)


def test_rollups_cannot_answer_a_place():
    assert rollup_blocker(Scope(locations=("s1",))) == "the rollups keep no places"
