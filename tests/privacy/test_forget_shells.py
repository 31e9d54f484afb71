"""`carlzon forget` and DELETE /api/customers/{id}: the same erasure as the library, with a dry run first."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.store import open_store
from carlzon.web import create_app
from carlzon.web.auth import create_token

runner = CliRunner()


@pytest.fixture
def store_file(tmp_path):
    path = tmp_path / "s.db"
    with open_store(path) as st:
        st.add_interactions(
            pd.DataFrame(
                {"id": ["a", "b", "c"], "customer_id": ["C1", "C1", "C2"], "text": ["late again", "lost bag", "fine"]}
            )
        )
    return str(path)


def _count(path: str, cid: str) -> int:
    with open_store(path) as st:
        return int(st.query("SELECT COUNT(*) AS n FROM interactions WHERE customer_id = :c", {"c": cid})["n"].iloc[0])


def test_dry_run_lists_and_keeps(store_file):
    r = runner.invoke(app, ["forget", "C1", "--store", store_file, "--dry-run", "--json"])
    assert (r.exit_code, json.loads(r.output)["rows"], _count(store_file, "C1")) == (0, {"interactions": 2}, 2)


def test_without_yes_nothing_goes(store_file):
    r = runner.invoke(app, ["forget", "C1", "--store", store_file])
    assert (r.exit_code, "--yes" in r.output, _count(store_file, "C1")) == (1, True, 2)


def test_yes_erases_and_prints_the_table(store_file):
    r = runner.invoke(app, ["forget", "C1", "--store", store_file, "--yes"])
    assert (r.exit_code, "Erased 2 rows" in r.output, _count(store_file, "C1"), _count(store_file, "C2")) == (
        0,
        True,
        0,
        1,
    )


def test_an_unknown_customer_exits_1_with_the_fix(store_file):
    r = runner.invoke(app, ["forget", "nobody", "--store", store_file, "--yes"])
    assert (r.exit_code, "check the id" in r.output) == (1, True)


@pytest.fixture
def api(store_file):
    with open_store(store_file) as st:
        tokens = {role: create_token(st, role=role).secret for role in ("viewer", "admin")}
        with TestClient(create_app(st)) as c:
            yield c, tokens


def test_api_route_is_for_admins(api):
    c, tokens = api
    r = c.delete("/api/customers/C1", headers={"Authorization": f"Bearer {tokens['viewer']}"})
    assert r.status_code == 403


def test_api_dry_run_then_erase(api, store_file):
    c, tokens = api
    h = {"Authorization": f"Bearer {tokens['admin']}"}
    plan = c.delete("/api/customers/C1?dry_run=true", headers=h).json()
    done = c.delete("/api/customers/C1", headers=h).json()
    assert (plan["rows"], done["total"], done["dry_run"], _count(store_file, "C1")) == (
        {"interactions": 2},
        2,
        False,
        0,
    )
