"""The store under a security review: files only its owner reads, read-only opening (a copy on a read-only
disk can be reported on), huge numbers refused with a message, a PostgreSQL connection that is replaced
when the server drops it."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from carlzon.errors import CarlzonError, StoreError
from carlzon.report import build_report
from carlzon.report.synthetic import fill_store
from carlzon.store import open_store


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_store_file_is_private(tmp_path):
    old = os.umask(0o022)
    try:
        with open_store(tmp_path / "s.db") as st:
            st.add_interactions(pd.DataFrame({"id": ["a"], "text": ["hello"]}))
            modes = {p.name: _mode(p) for p in tmp_path.iterdir()}
    finally:
        os.umask(old)
    assert modes and set(modes.values()) == {0o600}, modes


def test_an_existing_file_keeps_its_mode(tmp_path):
    p = tmp_path / "s.db"
    with open_store(p):
        pass
    os.chmod(p, 0o640)
    with open_store(p):
        pass
    assert _mode(p) == 0o640


@pytest.fixture
def read_only_copy(tmp_path):
    """A store with moments in a folder nobody may write to (as a copy on a read-only disk)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    with open_store(folder / "s.db") as st:
        fill_store(st, 400, seed=1)
    os.chmod(folder / "s.db", 0o444)
    os.chmod(folder, 0o555)
    yield folder / "s.db"
    os.chmod(folder, 0o755)


def test_a_read_only_copy_can_be_reported_on(read_only_copy, tmp_path):
    with open_store(read_only_copy, read_only=True) as st:
        html = build_report(st, None)
    assert "Moments of truth" in html


def test_a_read_only_store_refuses_writes_with_the_fix(read_only_copy):
    with open_store(read_only_copy, read_only=True) as st, pytest.raises(StoreError, match="read-only"):
        st.set_meta("journey", "hotel")


def test_immutable_open_when_the_log_cannot_be_made(tmp_path, monkeypatch):
    """Without its -shm file and with no way to create one, the store still opens (immutable)."""
    import sqlite3

    with open_store(tmp_path / "s.db") as st:
        fill_store(st, 50, seed=1)
    real = sqlite3.connect
    calls = []

    def connect(target, *a, **kw):
        calls.append(str(target))
        if "immutable=1" not in str(target) and kw.get("uri"):
            raise sqlite3.OperationalError("unable to open database file")
        return real(target, *a, **kw)

    monkeypatch.setattr(sqlite3, "connect", connect)
    with open_store(tmp_path / "s.db", read_only=True) as st:
        assert (st.counts()["moments"], [c.split("?")[-1] for c in calls]) == (50, ["mode=ro", "mode=ro&immutable=1"])


def test_read_only_opening_needs_a_migrated_store(tmp_path):
    import sqlite3

    sqlite3.connect(tmp_path / "old.db").execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
    ).connection.commit()
    with pytest.raises(StoreError, match="lacks migrations"):
        open_store(tmp_path / "old.db", read_only=True)


def test_a_huge_number_is_an_error_that_names_the_range(store):
    with pytest.raises(CarlzonError, match="too large"):
        store.query("SELECT * FROM recovery_cases WHERE id = :id", {"id": 99999999999999999999})


def test_postgresql_replaces_a_connection_the_server_dropped(store):
    if store.backend != "postgresql":
        pytest.skip("PostgreSQL only")
    import psycopg

    pid = int(store.query("SELECT pg_backend_pid() AS p")["p"].iloc[0])
    with psycopg.connect(store.url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert (store.counts()["interactions"], store.reconnects) == (0, 1)


def test_postgresql_read_only_refuses_writes(store_target):
    if not store_target.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    with open_store(store_target):
        pass
    with open_store(store_target, read_only=True) as st, pytest.raises(StoreError, match="read-only"):
        st.set_meta("journey", "hotel")
