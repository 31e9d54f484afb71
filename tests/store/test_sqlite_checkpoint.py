"""The SQLite store copies its write-ahead log into the file from a background thread."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd

from carlzon.store import open_store
from carlzon.store import sqlite as sqlite_store


def _rows(start: int, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(start, start + n)],
            "text": ["x" * 500] * n,
            "attributes": [json.dumps({"k": i}) for i in range(start, start + n)],
        }
    )


def test_background_checkpoint_keeps_every_row(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_store, "CHECKPOINT_BYTES", 64 << 10)
    path = tmp_path / "s.db"
    with open_store(path) as st:
        assert st._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for k in range(5):
            assert st.add_interactions(_rows(k * 1000, 1000)) == (1000, 0)
        assert st._checkpointer is not None  # woken by the large commits
        checkpointer = st._checkpointer
    assert not checkpointer._thread.is_alive()  # stopped on close
    assert not (tmp_path / "s.db-wal").exists()  # the last connection checkpointed the rest
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*), count(DISTINCT id) FROM interactions").fetchone() == (5000, 5000)
    conn.close()
    with open_store(path) as st:
        assert st.counts()["interactions"] == 5000


def test_small_writes_start_no_thread(tmp_path):
    with open_store(tmp_path / "s.db") as st:
        st.add_interactions(_rows(0, 10))
        assert st._checkpointer is None


def test_log_over_the_limit_is_checkpointed_by_the_writer(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_store, "CHECKPOINT_BYTES", 1 << 40)  # no background thread
    monkeypatch.setattr(sqlite_store, "WAL_LIMIT_BYTES", 64 << 10)
    with open_store(tmp_path / "s.db") as st:
        for k in range(6):
            st.add_interactions(_rows(k * 1000, 1000))
        assert st._checkpointer is None
        # every commit past the limit copied the log into the file, so the log was reused from its
        # start: it stays near one transaction's size instead of holding all six
        assert (tmp_path / "s.db-wal").stat().st_size < 3 * 1000 * 600
        assert st.counts()["interactions"] == 6000
