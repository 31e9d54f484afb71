"""PostgreSQL at team scale: COPY-based bulk writes, rollups under concurrent writers, migrations 400-401."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from carlzon.store import open_store
from carlzon.store.rollups import check_rollups, rollup_frame, rollup_metrics

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store_url(pg_url):
    from tests.store.conftest import drop_schema, pg_schema_url

    url, schema = pg_schema_url(pg_url)
    yield url
    drop_schema(pg_url, schema)


def _frames(n: int, offset: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"r{i}" for i in range(offset, offset + n)]
    ts = pd.Timestamp("2026-03-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 20 * 86_400, n), unit="s")
    inter = pd.DataFrame(
        {
            "id": ids,
            "timestamp": ts,
            "channel": rng.choice(["survey", "chat"], n),
            "nps": np.where(rng.random(n) < 0.5, rng.integers(0, 11, n), np.nan).astype(float),
        }
    )
    mom = pd.DataFrame(
        {
            "interaction_id": ids,
            "timestamp": ts,
            "channel": inter.channel,
            "touchpoint": rng.choice(["seat", "food", "gate"], n),
            "valence": rng.choice(["magic", "misery", "neutral"], n),
            "score": rng.uniform(-1, 1, n),
            "moment_of_truth": rng.random(n) < 0.1,
        }
    )
    return inter, mom


def test_bulk_writes_go_through_copy(pg_store_url, monkeypatch):
    from carlzon.store.postgresql import PostgresStore

    calls: list[tuple[str, int]] = []
    real = PostgresStore._copy_stage

    def spy(self, table, columns, rows):
        calls.append((table, len(rows)))
        return real(self, table, columns, rows)

    monkeypatch.setattr(PostgresStore, "_copy_stage", spy)
    inter, mom = _frames(20_000, 0, 1)
    with open_store(pg_store_url) as st:
        assert st.add_interactions(inter) == (20_000, 0)
        assert st.add_interactions(inter.head(10)) == (0, 10)  # de-duplicated after COPY, on the id
        assert st.add_moments(mom) == 20_000
        assert calls == [("interactions", 20_000), ("interactions", 10), ("moments", 20_000)]
        c = check_rollups(st)
        assert c["rollup_n"] == c["moments"] == 20_000
        assert c["rollup_magic"] == c["magic"]


def test_rollups_stay_exact_with_concurrent_writers(pg_store_url):
    from carlzon.analysis.metrics import Metrics

    with open_store(pg_store_url) as st:  # migrate once before the writers start
        st.counts()
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            with open_store(pg_store_url) as st:
                for b in range(5):
                    inter, mom = _frames(2_000, 100_000 * k + 2_000 * b, 10 * k + b)
                    st.add_interactions(inter)
                    st.add_moments(mom)
                    # re-score part of what this writer stored: the upsert replaces, rollups follow
                    st.add_moments(mom.head(300).assign(valence="misery"))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with open_store(pg_store_url) as st:
        c = check_rollups(st)
        assert c["moments"] == c["rollup_n"] == 30_000
        assert c["magic"] == c["rollup_magic"]
        assert c["misery"] == c["rollup_misery"]
        direct = Metrics(by="touchpoint").fit(st.moments(with_text=False)).summary
        fast = rollup_metrics(st, by="touchpoint").summary
        pd.testing.assert_frame_equal(direct, fast, check_exact=True)


def test_rollups_are_small_and_indexed(pg_store_url):
    inter, mom = _frames(20_000, 0, 2)
    with open_store(pg_store_url) as st:
        st.add_interactions(inter)
        st.add_moments(mom)
        days = rollup_frame(st, by=("day",))
        assert len(days) <= 21
        assert days["n"].sum() == 20_000
        assert len(rollup_frame(st)) <= 21 * 3 * 2  # days x touchpoints x channels, however many moments
        with st.transaction():  # the filter by touchpoint and period can use its index
            st.execute("SET LOCAL enable_seqscan = off")
            plan = "\n".join(
                st.query(
                    "EXPLAIN SELECT SUM(n) FROM moment_rollups WHERE touchpoint = 'seat' AND day >= '2026-03-05'"
                ).iloc[:, 0]
            )
        assert "moment_rollups_touchpoint" in plan
        versions = set(st.query("SELECT version FROM schema_migrations")["version"].astype(int))
        assert {1, 2, 3, 400, 401, 402, 403} <= versions
        assert st.query("SELECT obj_description('moment_rollups'::regclass) AS d")["d"].iloc[0].startswith("carlzon")
