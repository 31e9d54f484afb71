"""Shared fixtures: the evaluation data folder, a PostgreSQL URL, a temporary store path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data next to the repository; tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of a real PostgreSQL server (CARLZON_TEST_PG_URL, set by .ci/run); skipped when unset."""
    url = os.environ.get("CARLZON_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CARLZON_TEST_PG_URL is not set in CI: .ci/run must start PostgreSQL")
        pytest.skip("CARLZON_TEST_PG_URL is not set (see .ci/run)")
    return url


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "carlzon.db"
