"""Rollups (migration 400) on SQLite and PostgreSQL: kept current by any write, equal to Metrics on the moments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carlzon.store import Store, open_store
from carlzon.store.migrations import MIGRATIONS
from carlzon.store.rollups import check_rollups, rebuild_rollups, rollup_frame, rollup_metrics


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    from carlzon.simulate import simulate

    return simulate("airline", seed=5, customers=300, days=40).interactions


def _ingested(store: Store, export: pd.DataFrame) -> Store:
    from carlzon.ingest import ingest

    res = ingest(export, store, journey="airline", source="sim.csv", batch_rows=700)
    assert res.moments > 1000
    return store


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """The same figures, n, intervals and notes, bit for bit (exact sums on both paths)."""
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


@pytest.mark.parametrize("by", [None, "touchpoint", "channel", "period:day"])
def test_rollups_equal_metrics_on_moments(store: Store, export, by):
    from carlzon.analysis.metrics import Metrics

    _ingested(store, export)
    direct = Metrics(by=by).fit(store.moments(with_text=False))
    fast = rollup_metrics(store, by=by)
    # by touchpoint: moments (one per interaction there); otherwise interactions, each once (migration 410)
    unit = (
        store.counts()["moments"]
        if by == "touchpoint"
        else int(store.query("SELECT COUNT(DISTINCT interaction_id) AS n FROM moments")["n"].iloc[0])
    )
    assert fast.n_ == direct.n_ == unit
    _same(direct.summary, fast.summary)
    assert {"nps", "csat", "stars", "magic_rate", "moments_of_truth"} <= set(fast.summary.metric)


def test_rollups_follow_replace_update_and_delete(store: Store, export):
    _ingested(store, export)
    m = store.moments(with_text=False).head(200)
    flipped = m.assign(valence=np.where(m.valence == "magic", "misery", "magic"))
    store.add_moments(
        flipped[
            [
                c
                for c in m.columns
                if c
                in (
                    "interaction_id",
                    "customer_id",
                    "timestamp",
                    "channel",
                    "touchpoint",
                    "valence",
                    "score",
                    "intensity",
                    "stakes",
                    "moment_of_truth",
                )
            ]
        ]
    )
    c = check_rollups(store)
    assert c["moments"] == c["rollup_n"]
    assert c["magic"] == c["rollup_magic"]
    assert c["misery"] == c["rollup_misery"]
    store.execute("UPDATE moments SET valence = 'neutral' WHERE interaction_id = :i", {"i": m.interaction_id.iloc[0]})
    store.execute("DELETE FROM moments WHERE interaction_id = :i", {"i": m.interaction_id.iloc[1]})
    c = check_rollups(store)
    assert c["moments"] == c["rollup_n"] == len(store.moments(with_text=False))
    assert c["magic"] == c["rollup_magic"]
    assert c["misery"] == c["rollup_misery"]


def test_period_filters_are_whole_utc_days(store: Store, export):
    from carlzon.analysis.metrics import Metrics

    _ingested(store, export)
    since, until = pd.Timestamp("2026-01-10", tz="UTC"), pd.Timestamp("2026-01-20", tz="UTC")
    direct = Metrics(by="touchpoint").fit(store.moments(since=since, until=until, with_text=False))
    _same(direct.summary, rollup_metrics(store, by="touchpoint", since=since, until=until).summary)
    one = rollup_frame(store, by=("day",), since=since, until=until, channel="survey")
    assert one["day"].min() >= "2026-01-10"
    assert one["day"].max() < "2026-01-20"
    assert len(rollup_frame(store, by=())) == 1


@pytest.mark.parametrize("first_new", [400, 403])
def test_migration_backfills_an_existing_store(store_target, export, first_new):
    """A store without rollups, or with the float sums of migrations 400-402, gets exact rollups on opening."""
    older = [m for m in MIGRATIONS if not first_new <= m.version < 500]
    if store_target.startswith("postgresql"):
        from carlzon.store.postgresql import PostgresStore as Backend
    else:
        from carlzon.store.sqlite import SQLiteStore as Backend
    with Backend(store_target, migrations=older) as s:
        _ingested(s, export)
        n = s.counts()["moments"]
    with open_store(store_target) as s:
        assert {400, 401, 402, 403} <= set(s.query("SELECT version FROM schema_migrations")["version"].astype(int))
        from carlzon.analysis.metrics import Metrics

        _same(
            Metrics(by="touchpoint").fit(s.moments(with_text=False)).summary, rollup_metrics(s, by="touchpoint").summary
        )
        c = check_rollups(s)
        assert c["rollup_n"] == c["moments"] == n
        assert c["rollup_magic"] == c["magic"]
        before = rollup_frame(s)
        assert rebuild_rollups(s) == len(before)
        pd.testing.assert_frame_equal(rollup_frame(s), before)


def test_rollup_indexes_and_triggers_exist(store: Store):
    if store.backend == "sqlite":
        kinds = dict(
            store.query(
                "SELECT name, type FROM sqlite_master WHERE tbl_name IN ('moments', 'moment_rollups')"
            ).itertuples(index=False)
        )
        assert kinds["moment_rollups"] == "view" and "moments_rollup_insert" not in kinds  # nothing on the ingest path
        assert {"moments_timestamp", "moments_touchpoint"} <= set(kinds)
        return
    names = set(
        store.query(
            "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'moment_rollups' "
            "AND schemaname = current_schema()"
        )["name"]
    )
    names |= set(
        store.query(
            "SELECT t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        )["name"]
    )
    assert {
        "moment_rollups_touchpoint",
        "moment_rollups_channel",
        "moments_rollup_insert",
        "moments_rollup_update",
        "moments_rollup_delete",
    } <= names


def test_rollup_metrics_refuses_unknown_grouping(store: Store):
    from carlzon.errors import AnalysisError

    with pytest.raises(AnalysisError, match="touchpoint, channel or period:day"):
        rollup_metrics(store, by="segment:tier")
    assert rollup_metrics(store).summary.empty
