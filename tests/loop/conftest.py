"""Fixtures for the loop tests: a fixed clock and an open store."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest


@pytest.fixture
def clock():
    now = {"t": datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)}

    def tick():
        return now["t"]

    tick.now = now  # tests move time by setting clock.now["t"]
    return tick


@pytest.fixture
def store(store_path):
    from carlzon.store import open_store

    s = open_store(store_path)
    yield s
    s.close()
