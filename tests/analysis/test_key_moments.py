"""One function per analysis: key drivers from a store, the same in `carlzon drivers`, the report and /api/drivers."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from carlzon.analysis.key_moments import DRIVER_FIELDS, key_drivers
from carlzon.store import open_store


@pytest.fixture(scope="module")
def sim_store(tmp_path_factory):
    from carlzon.simulate import simulate, store_simulation

    path = str(tmp_path_factory.mktemp("drivers") / "sim.db")
    sim = simulate("airline", seed=2, customers=500, days=60)
    with open_store(path) as st:
        store_simulation(sim, st)
    return path


def _figures(drivers):
    def num(v):
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 9)

    return [(d["touchpoint"], int(d["n"]), num(d["importance"]), num(d["performance"]), d["quadrant"]) for d in drivers]


def test_cli_report_and_api_agree(sim_store):
    from fastapi.testclient import TestClient

    from carlzon.cli import app
    from carlzon.report.builder import store_context
    from carlzon.web import create_app
    from carlzon.web.auth import create_token

    out = CliRunner().invoke(app, ["drivers", "--store", sim_store, "--json"])
    cli = json.loads(out.output)["drivers"]
    with open_store(sim_store) as st:
        report = store_context(st, themes=False, paths=False, watch_days=0)["key_moments"]
        token = create_token(st, role="viewer", name="t").secret
        with TestClient(create_app(st)) as c:
            api = c.get("/api/drivers", headers={"Authorization": f"Bearer {token}"}).json()["drivers"]
    assert _figures(cli) == _figures(report) == _figures(api)
    assert len(cli) > 3


def test_every_driver_has_the_fields(sim_store):
    with open_store(sim_store, read_only=True) as st:
        kd = key_drivers(st)
    assert all(set(d) == set(DRIVER_FIELDS) for d in kd["drivers"])
    assert kd["method"]


def test_cli_table_names_touchpoints(sim_store):
    from carlzon.cli import app

    out = CliRunner().invoke(app, ["drivers", "--store", sim_store])
    assert out.exit_code == 0
    assert "Key drivers (n = " in out.output


def test_empty_store(tmp_path):
    with open_store(str(tmp_path / "e.db")) as st:
        assert key_drivers(st)["drivers"] == []
