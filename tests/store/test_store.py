"""The store interface, run against both backends (SQLite file and PostgreSQL schema)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from carlzon.errors import StoreError
from carlzon.schema import INTERACTION_COLUMNS, MOMENT_COLUMNS
from carlzon.store import Store, open_store
from carlzon.store.migrations import MIGRATIONS


def _interactions(n: int = 3, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(start, start + n)],
            "customer_id": [f"c{i % 2}" for i in range(start, start + n)],
            "timestamp": pd.to_datetime([f"2026-01-{1 + i:02d} 10:00:00" for i in range(start, start + n)], utc=True),
            "channel": "survey",
            "source": "test.csv",
            "text": [f"text {i}" for i in range(start, start + n)],
            "nps": [float(i % 11) for i in range(start, start + n)],
            "ratings": [json.dumps({"Seat comfort": 1 + i % 5}) for i in range(start, start + n)],
            "measures": [json.dumps({"wait_minutes": 10.0 * i}) for i in range(start, start + n)],
            "attributes": [json.dumps({"class": "Eco", "k": i}) for i in range(start, start + n)],
        }
    )


def _moments(ids: list[str], valence: str = "misery") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interaction_id": ids,
            "customer_id": ["c0"] * len(ids),
            "timestamp": pd.to_datetime(["2026-01-01 10:00:00"] * len(ids), utc=True),
            "channel": "survey",
            "touchpoint": "baggage_claim",
            "touchpoint_confidence": 0.9,
            "valence": valence,
            "score": -0.8,
            "intensity": 0.7,
            "stakes": "high",
            "moment_of_truth": True,
            "reasons": "rating 1/5",
            "evidence": [json.dumps([{"rule": "rating", "text": "rating 1/5"}])] * len(ids),
        }
    )


def test_backend_and_migrations_recorded(store: Store):
    assert store.backend in ("sqlite", "postgresql")
    versions = store.query("SELECT version FROM schema_migrations ORDER BY version")["version"].tolist()
    assert versions == sorted(m.version for m in MIGRATIONS)
    assert store.counts() == {"interactions": 0, "moments": 0, "quarantine": 0, "ingest_runs": 0}


def test_reopen_runs_no_migration_twice(store_target):
    with open_store(store_target) as s:
        s.add_interactions(_interactions(2))
    with open_store(store_target) as s:
        assert len(s.query("SELECT version FROM schema_migrations")) == len(MIGRATIONS)
        assert s.counts()["interactions"] == 2


def test_add_interactions_dedupes_on_id_and_round_trips(store: Store):
    df = _interactions(3)
    assert store.add_interactions(df) == (3, 0)
    assert store.add_interactions(pd.concat([df, _interactions(1, start=3)])) == (1, 3)
    out = store.interactions()
    assert list(out.columns) == list(INTERACTION_COLUMNS)
    assert out["id"].tolist() == ["r0", "r1", "r2", "r3"]
    assert str(out["timestamp"].dt.tz) == "UTC"
    assert out["timestamp"].iloc[1] == pd.Timestamp("2026-01-02 10:00:00", tz="UTC")
    assert json.loads(out["ratings"].iloc[2]) == {"Seat comfort": 3}
    assert json.loads(out["attributes"].iloc[0]) == {"class": "Eco", "k": 0}
    assert out["nps"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert out["csat"].isna().all()


def test_duplicate_ids_inside_one_batch(store: Store):
    df = pd.DataFrame({"id": ["a", "a", "b"], "text": ["x", "x", "y"]})
    assert store.add_interactions(df) == (2, 1)


def test_interaction_filters(store: Store):
    store.add_interactions(_interactions(5))
    assert store.interactions(since="2026-01-02", until="2026-01-04")["id"].tolist() == ["r1", "r2"]
    assert store.interactions(customer_id="c1")["id"].tolist() == ["r1", "r3"]
    assert store.interactions(ids=["r4", "r0", "nope"])["id"].tolist() == ["r0", "r4"]
    assert store.interactions(ids=[]).empty
    assert store.interactions(limit=2)["id"].tolist() == ["r0", "r1"]


def test_naive_and_text_timestamps_are_utc(store: Store):
    df = pd.DataFrame(
        {"id": ["a", "b", "c"], "text": "x", "timestamp": ["2015-02-24 11:35:52 -0800", None, "2015-02-24T19:00:00"]}
    )
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, format="mixed")
    store.add_interactions(df)
    out = store.interactions()
    assert out["timestamp"].tolist()[:2] == [
        pd.Timestamp("2015-02-24 19:00:00", tz="UTC"),
        pd.Timestamp("2015-02-24 19:35:52", tz="UTC"),
    ]
    assert out["id"].tolist()[-1] == "b"
    assert pd.isna(out["timestamp"].iloc[-1])


def test_unknown_columns_are_an_error(store: Store):
    with pytest.raises(StoreError, match="attributes"):
        store.add_interactions(pd.DataFrame({"id": ["a"], "colour": ["red"]}))
    with pytest.raises(StoreError, match="id"):
        store.add_interactions(pd.DataFrame({"id": [None], "text": ["x"]}))
    assert store.counts()["interactions"] == 0


def test_moments_upsert_and_join(store: Store):
    store.add_interactions(_interactions(3))
    assert store.add_moments(_moments(["r0", "r1"])) == 2
    assert store.add_moments(_moments(["r1"], valence="magic")) == 1
    out = store.moments()
    assert list(out.columns)[: len(MOMENT_COLUMNS)] == list(MOMENT_COLUMNS)
    assert {"text", "source", "nps", "ratings", "measures", "attributes"} <= set(out.columns)
    assert out.set_index("interaction_id")["valence"].to_dict() == {"r0": "misery", "r1": "magic"}
    assert out["text"].tolist() == ["text 0", "text 1"]
    assert out["moment_of_truth"].tolist() == [True, True]
    assert json.loads(out["evidence"].iloc[0])[0]["rule"] == "rating"
    assert str(out["timestamp"].dt.tz) == "UTC"
    assert store.counts()["moments"] == 2


def test_moment_filters(store: Store):
    store.add_interactions(_interactions(3))
    store.add_moments(_moments(["r0"]))
    store.add_moments(_moments(["r1", "r2"], valence="magic").assign(touchpoint="seat", channel="review"))
    assert store.moments(valence="magic")["interaction_id"].tolist() == ["r1", "r2"]
    assert store.moments(touchpoint=["baggage_claim"])["interaction_id"].tolist() == ["r0"]
    assert store.moments(channel="review", limit=1)["interaction_id"].tolist() == ["r1"]
    assert store.moments(since="2026-01-02").empty
    assert "text" not in store.moments(with_text=False).columns
    assert store.moments(customer_id="nobody").empty


def test_quarantine_and_ingest_runs(store: Store):
    n = store.add_quarantine(
        [
            {"source": "a.csv", "row": 7, "reason": "unparseable date 'yesterday'", "raw": "1,yesterday"},
            {"source": "a.csv", "row": 9, "reason": "wrong column count", "raw": "1,2,3"},
        ]
    )
    assert n == 2
    q = store.quarantine()
    assert q["row"].tolist() == [7, 9]
    assert q["reason"].iloc[0].startswith("unparseable date")
    assert list(store.quarantine(limit=1)["row"]) == [7]
    now = pd.Timestamp.now(tz="UTC")
    store.add_ingest_run(source="a.csv", read=10, stored=7, duplicates=1, quarantined=2, started_at=now)
    runs = store.ingest_runs()
    assert runs[["read", "stored", "duplicates", "quarantined"]].iloc[0].tolist() == [10, 7, 1, 2]
    assert str(runs["started_at"].dt.tz) == "UTC"


def test_generic_sql_named_params_and_transactions(store: Store):
    store.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, made_at TIMESTAMP)")
    t = pd.Timestamp("2026-03-01 12:00:00", tz="UTC")
    assert (
        store.executemany(
            "INSERT INTO notes (id, body, made_at) VALUES (:id, :body, :made_at)",
            [{"id": 1, "body": "50% off", "made_at": t}, {"id": 2, "body": "plain", "made_at": t}],
        )
        == 2
    )
    df = store.query("SELECT body, made_at FROM notes WHERE body LIKE '%off' AND id = :id", {"id": 1})
    assert df["body"].tolist() == ["50% off"]
    assert df["made_at"].iloc[0] == t
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.execute("INSERT INTO notes (id, body) VALUES (:id, :body)", {"id": 3, "body": "x"})
            raise RuntimeError("boom")
    assert len(store.query("SELECT id FROM notes")) == 2
    with store.transaction():
        with store.transaction():
            store.execute("INSERT INTO notes (id, body) VALUES (:id, :body)", {"id": 4, "body": "y"})
    assert len(store.query("SELECT id FROM notes")) == 3
    with pytest.raises(StoreError, match="no_such_table"):
        store.query("SELECT * FROM no_such_table")


def test_closed_store_says_so(store_target):
    s = open_store(store_target)
    s.close()
    s.close()
    with pytest.raises(StoreError, match="closed"):
        s.counts()
