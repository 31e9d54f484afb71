"""Fixtures for the privacy tests: fresh stores on each backend, and a small simulated airline."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def new_store(request, tmp_path_factory) -> Iterator[Callable[[], str]]:
    """A factory of URLs (or paths) of empty stores on one backend; PostgreSQL schemas are dropped afterwards."""
    if request.param == "sqlite":
        tmp_path = tmp_path_factory.mktemp("stores")
        names = iter(range(1000))
        yield lambda: str(tmp_path / f"store{next(names)}.db")
        return
    import psycopg
    from urllib.parse import quote

    pg_url = request.getfixturevalue("pg_url")
    schemas: list[str] = []

    def make() -> str:
        schema = f"p_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        schemas.append(schema)
        sep = "&" if "?" in pg_url else "?"
        return f"{pg_url}{sep}options={quote(f'-csearch_path={schema}')}"

    yield make
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for schema in schemas:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="session")
def airline():
    """Six weeks of a simulated airline with 40 customers (names, e-mails, surveys, tickets, an event log)."""
    from carlzon.simulate import simulate

    return simulate("airline", seed=3, customers=40, days=42).interactions
