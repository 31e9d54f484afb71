"""The change token the dashboard caches on (migration 404) and the index for the strongest moments (405)."""

from __future__ import annotations

import pandas as pd
import pytest

from carlzon.report.query import Scope, strongest
from carlzon.store import Store, open_store
from carlzon.store.changes import change_token


def _rows(ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    ts = pd.Timestamp("2026-03-01", tz="UTC")
    inter = pd.DataFrame({"id": ids, "timestamp": ts, "text": "lost my bag", "nps": 3.0})
    mom = pd.DataFrame(
        {"interaction_id": ids, "timestamp": ts, "touchpoint": "baggage_claim", "valence": "misery", "score": -0.5}
    )
    return inter, mom


def test_token_changes_with_every_write_and_only_then(store: Store):
    inter, mom = _rows(["a", "b"])
    t0 = change_token(store)
    assert change_token(store) == t0  # reading changes nothing
    store.add_interactions(inter)
    t1 = change_token(store)
    store.add_moments(mom)
    t2 = change_token(store)
    store.add_moments(mom.assign(valence="magic", score=0.5))  # a re-scoring: the same counts, new figures
    t3 = change_token(store)
    store.execute("DELETE FROM moments WHERE interaction_id = 'a'")
    t4 = change_token(store)
    assert len({t0, t1, t2, t3, t4}) == 5
    store.query("SELECT COUNT(*) AS n FROM moments")
    assert change_token(store) == t4


def test_a_rollup_rebuild_counts_as_a_change(store: Store):
    """A bulk load with the triggers off is announced by the rollup rebuild that follows it."""
    from carlzon.store.rollups import rebuild_rollups

    before = change_token(store)
    rebuild_rollups(store)
    assert (change_token(store) != before) == (store.backend == "postgresql")  # SQLite: a view, nothing to tell


def test_another_connection_sees_the_change(store_target):
    with open_store(store_target) as reader, open_store(store_target) as writer:
        before = change_token(reader)
        writer.add_interactions(_rows(["x"])[0])
        assert change_token(reader) != before


@pytest.mark.postgres
def test_postgresql_index_serves_the_strongest_moments(store: Store):
    if store.backend != "postgresql":
        pytest.skip("the index is PostgreSQL's (migration 405)")
    ids = [f"m{i}" for i in range(3000)]
    inter, mom = _rows(ids)
    store.add_interactions(inter)
    store.add_moments(mom.assign(score=[-(i % 97) / 100 for i in range(3000)]))
    store.execute("ANALYZE moments")
    with store.transaction():
        store.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            store.query(
                "EXPLAIN SELECT m.interaction_id FROM moments m JOIN interactions i ON i.id = m.interaction_id "
                "WHERE m.valence = 'misery' ORDER BY m.score ASC, m.intensity DESC, m.interaction_id LIMIT 30"
            ).iloc[:, 0]
        )
    assert "moments_valence_score" in plan
    with store.transaction():  # the moments feed, newest first, walks an index instead of sorting every moment
        store.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            store.query(
                "EXPLAIN SELECT m.interaction_id FROM moments m WHERE m.touchpoint = 'baggage_claim' "
                "ORDER BY m.timestamp IS NULL, m.timestamp DESC, m.interaction_id LIMIT 50"
            ).iloc[:, 0]
        )
    assert "moments_recent" in plan
    assert "Sort" not in plan.split("\n")[1]
    top = strongest(store, Scope(), "misery", k=3)
    assert top["score"].tolist() == [-0.96, -0.96, -0.96]
    n = int(store.query("SELECT COUNT(*) AS n FROM carlzon_changes")["n"].iloc[0])
    assert n == 16


@pytest.mark.postgres
def test_postgresql_counts_a_transaction_once(store: Store):
    if store.backend != "postgresql":
        pytest.skip("the counter is PostgreSQL's (migration 404)")
    before = change_token(store)[1]
    with store.transaction():  # many row-at-a-time statements, one transaction: one count
        for i in range(50):
            store.execute(
                "INSERT INTO interactions (id, ratings, measures, attributes) VALUES (:i, '{}', '{}', '{}')",
                {"i": f"r{i}"},
            )
    assert change_token(store)[1] == before + 1
    store.execute("DELETE FROM interactions WHERE id = 'r1'")
    assert change_token(store)[1] == before + 2
