"""Fixtures for the loop tests: a fixed clock and an open store (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import uuid
from datetime import datetime, UTC
from urllib.parse import quote

import pytest


@pytest.fixture
def clock():
    now = {"t": datetime(2026, 3, 2, 10, 0, tzinfo=UTC)}

    def tick():
        return now["t"]

    tick.now = now  # tests move time by setting clock.now["t"]
    return tick


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, store_path):
    """An empty store on each backend (PostgreSQL in a fresh schema; skipped without CARLZON_TEST_PG_URL)."""
    from carlzon.store import open_store

    if request.param == "sqlite":
        s = open_store(store_path)
        yield s
        s.close()
        return
    import psycopg

    pg_url = request.getfixturevalue("pg_url")
    schema = f"loop_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in pg_url else "?"
    s = open_store(f"{pg_url}{sep}options={quote(f'-csearch_path={schema}')}")
    try:
        yield s
    finally:
        s.close()
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
