"""carlzon locations: table, --json contract, --level with --hierarchy, --location, clear errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.simulate.places import simulate_places
from carlzon.store import open_store

runner = CliRunner()


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    folder = tmp_path_factory.mktemp("places")
    sim = simulate_places(seed=1, places=12, planted=2)
    m = sim.moments.drop_duplicates("interaction_id")
    with open_store(str(folder / "s.db")) as st:
        st.add_interactions(
            pd.DataFrame(
                {
                    "id": m["interaction_id"],
                    "customer_id": m["customer_id"],
                    "timestamp": m["timestamp"],
                    "channel": "review",
                    "text": "x",
                    "location": m["location"],
                }
            )
        )
        st.add_moments(m.drop(columns=["location"]))
    pd.DataFrame(sim.truth["hierarchy"]).to_csv(folder / "h.csv", index=False)
    return folder


def _json(*args: str) -> dict:
    res = runner.invoke(app, ["locations", *args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_json_lists_every_place(chain):
    assert len(_json("--store", str(chain / "s.db"))["locations"]) == 12


def test_json_record_fields(chain):
    rec = _json("--store", str(chain / "s.db"))["locations"][0]
    assert {"location", "n", "score", "low", "high", "shrunk", "shrunk_low", "shrunk_high"} <= set(rec)


def test_json_best_first(chain):
    s = [r["shrunk"] for r in _json("--store", str(chain / "s.db"))["locations"]]
    assert s == sorted(s, reverse=True)


def test_region_level(chain):
    out = _json("--store", str(chain / "s.db"), "--hierarchy", str(chain / "h.csv"), "--level", "region")
    assert sorted(r["location"] for r in out["locations"]) == ["R0", "R1", "R2"]


def test_location_is_a_region(chain):
    out = _json("--store", str(chain / "s.db"), "--hierarchy", str(chain / "h.csv"), "--location", "R1")
    assert {r["region"] for r in out["locations"]} == {"R1"}


def test_table_names_the_places(chain):
    res = runner.invoke(app, ["locations", "--store", str(chain / "s.db"), "--hierarchy", str(chain / "h.csv")])
    assert "Place" in res.output
    assert "P004" not in res.output


def test_unknown_place_is_a_clear_error(chain):
    res = runner.invoke(app, ["locations", "--store", str(chain / "s.db"), "--location", "Mars"])
    assert (res.exit_code, "no place or level named 'Mars'" in res.output) == (1, True)


def test_unknown_level_is_a_clear_error(chain):
    res = runner.invoke(app, ["locations", "--store", str(chain / "s.db"), "--level", "galaxy"])
    assert "use --level location, area or region" in res.output


def test_alerts_json_states_the_rule(chain):
    res = runner.invoke(app, ["locations", "--store", str(chain / "s.db"), "--alerts", "--json"])
    assert "moments of misery in 1 or 2 days" in json.loads(res.output)["rule"]


def test_alerts_table(chain):
    res = runner.invoke(app, ["locations", "--store", str(chain / "s.db"), "--alerts"])
    assert (res.exit_code, "An alert needs at least 3" in res.output) == (0, True)


def test_metrics_location_counts_only_that_place(chain):
    res = runner.invoke(app, ["metrics", "--store", str(chain / "s.db"), "--location", "P004", "--json"])
    with open_store(str(chain / "s.db"), read_only=True) as st:
        n = int(st.query("SELECT COUNT(*) AS n FROM interactions WHERE location = 'P004'")["n"].iloc[0])
    assert json.loads(res.output)["n"] == n


def test_metrics_region_via_hierarchy(chain):
    res = runner.invoke(
        app,
        ["metrics", "--store", str(chain / "s.db"), "--location", "R0", "--hierarchy", str(chain / "h.csv"), "--json"],
    )
    full = runner.invoke(app, ["metrics", "--store", str(chain / "s.db"), "--json"])
    assert 0 < json.loads(res.output)["n"] < json.loads(full.output)["n"]
