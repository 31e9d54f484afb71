"""The store fixture: every store test runs on SQLite (a temporary file) and on PostgreSQL (a fresh schema)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from carlzon.store import Store, open_store


def pg_schema_url(pg_url: str) -> tuple[str, str]:
    """A fresh schema on the test server and a URL whose search_path points at it."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in pg_url else "?"
    return f"{pg_url}{sep}options={quote(f'-csearch_path={schema}')}", schema


def drop_schema(pg_url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request, tmp_path) -> Iterator[str]:
    """A URL or path of an empty store, once per backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "carlzon.db")
        return
    pg_url = request.getfixturevalue("pg_url")
    url, schema = pg_schema_url(pg_url)
    try:
        yield url
    finally:
        drop_schema(pg_url, schema)


@pytest.fixture
def store(store_target) -> Iterator[Store]:
    s = open_store(store_target)
    try:
        yield s
    finally:
        s.close()
