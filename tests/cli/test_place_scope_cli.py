"""--location on every command that reads moments (themes, alerts, cases, magic, drivers, metrics), the stored
hierarchy (`carlzon locations --save-hierarchy`) and tokens limited to places (`carlzon token create --location`)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.report.synthetic import fill_store
from carlzon.store import open_store

runner = CliRunner()


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scope")
    db = folder / "c.db"
    with open_store(str(db)) as st:
        fill_store(st, 900, seed=3, customers=120)
        rows = st.query("SELECT id, customer_id FROM interactions ORDER BY seq")
        customers = sorted({str(c) for c in rows["customer_id"].dropna()})
        store_of = {c: ("S1", "S3", "HZ")[k % 3] for k, c in enumerate(customers)}
        st.executemany(
            "UPDATE interactions SET location = :loc WHERE id = :id",
            [{"loc": store_of.get(str(c), "S1"), "id": i} for i, c in zip(rows["id"], rows["customer_id"])],
        )
    pd.DataFrame(
        {
            "location": ["S1", "S3", "HZ"],
            "name": ["Old Town", "Riverside", "Harbour"],
            "region": ["North"] * 2 + ["South"],
        }
    ).to_csv(folder / "h.csv", index=False)
    res = runner.invoke(app, ["locations", "--store", str(db), "--save-hierarchy", str(folder / "h.csv")])
    assert res.exit_code == 0, res.output
    return folder


def _db(chain) -> str:
    return str(chain / "c.db")


def _json(*args: str) -> dict:
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def _n_at(chain, *places: str) -> int:
    with open_store(_db(chain), read_only=True) as st:
        df = st.query("SELECT i.location FROM moments m JOIN interactions i ON i.id = m.interaction_id")
    return int(df["location"].isin(places).sum())


def test_save_hierarchy_stores_every_place(chain):
    with open_store(_db(chain), read_only=True) as st:
        assert len(st.query("SELECT * FROM place_hierarchy")) == 3


def test_save_hierarchy_says_how_many(chain):
    res = runner.invoke(app, ["locations", "--store", _db(chain), "--save-hierarchy", str(chain / "h.csv")])
    assert "Stored the hierarchy of 3 places" in res.output


def test_metrics_of_a_stored_region(chain):
    out = _json("metrics", "--store", _db(chain), "--location", "North")
    assert out["n"] == _n_at(chain, "S1", "S3")


def test_locations_levels_from_the_stored_hierarchy(chain):
    out = _json("locations", "--store", _db(chain), "--level", "region")
    assert sorted(r["location"] for r in out["locations"]) == ["North", "South"]


def test_drivers_of_a_place(chain):
    assert _json("drivers", "--store", _db(chain), "--location", "S1")["n"] == _n_at(chain, "S1")


def test_themes_of_the_places_add_up(chain):
    parts = sum(_json("themes", "--store", _db(chain), "--location", p)["n"] for p in ("S1", "S3", "HZ"))
    assert parts == _json("themes", "--store", _db(chain))["n"]


def test_alerts_of_a_place_are_there(chain):
    found = _json("alerts", "--store", _db(chain), "--location", "S1")["alerts"]
    assert {a["location"] for a in found} <= {"S1", None}


def test_cases_open_at_a_place_only(tmp_path, chain):
    db = tmp_path / "copy.db"
    db.write_bytes((chain / "c.db").read_bytes())
    _json("cases", "open", "--store", str(db), "--location", "HZ")
    with open_store(str(db), read_only=True) as st:
        assert set(st.query("SELECT DISTINCT location FROM recovery_cases")["location"]) == {"HZ"}


def test_cases_list_of_a_region(tmp_path, chain):
    db = tmp_path / "copy.db"
    db.write_bytes((chain / "c.db").read_bytes())
    _json("cases", "open", "--store", str(db))
    cases = _json("cases", "list", "--store", str(db), "--location", "North", "--limit", "1000")["cases"]
    assert cases
    assert {c["location"] for c in cases} <= {"S1", "S3"}


def test_magic_of_a_place_is_its_customers(chain):
    with open_store(_db(chain), read_only=True) as st:
        mine = set(st.query("SELECT DISTINCT customer_id FROM interactions WHERE location = 'S1'")["customer_id"])
        day = str(st.query("SELECT MAX(timestamp) AS t FROM interactions")["t"].iloc[0])[:10]
    ops = _json("magic", "--store", _db(chain), "--location", "S1", "--date", day)["opportunities"]
    assert {o["customer_id"] for o in ops} <= mine


def test_unknown_place_names_the_known(chain):
    res = runner.invoke(app, ["themes", "--store", _db(chain), "--location", "Mars"])
    assert res.exit_code != 0
    assert "S1" in res.output


def test_token_limited_to_a_region(tmp_path, chain):
    db = tmp_path / "copy.db"
    db.write_bytes((chain / "c.db").read_bytes())
    out = _json("token", "create", "--store", str(db), "--role", "viewer", "--location", "North")
    from carlzon.web.auth import verify_token

    with open_store(str(db), read_only=True) as st:
        assert verify_token(st, out["token"]).locations == ("North",)


def test_token_for_an_unknown_place_is_refused(chain, tmp_path):
    db = tmp_path / "copy.db"
    db.write_bytes((chain / "c.db").read_bytes())
    res = runner.invoke(app, ["token", "create", "--store", str(db), "--role", "viewer", "--location", "Mars"])
    assert res.exit_code != 0
