"""`carlzon demo` fills a fresh store and prints a summary; `carlzon simulate` writes files."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.store import open_store

runner = CliRunner()


@pytest.mark.slow
def test_demo_fills_a_fresh_store_and_prints_the_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARLZON_STORE", raising=False)
    r = runner.invoke(app, ["demo", "--seed", "1", "--customers", "300", "--days", "60"])
    assert r.exit_code == 0, r.output
    out = r.output
    for words in (
        "carlzon demo",
        "customers",
        "interactions",
        "Moments by valence",
        "misery",
        "magic",
        "Touchpoints with the most moments of misery",
        "carlzon report",
    ):
        assert words in out, words
    with open_store(tmp_path / "carlzon.db") as st:
        counts = st.counts()
        n_customers = st.query("SELECT COUNT(DISTINCT customer_id) AS n FROM interactions")["n"].iloc[0]
        visits = st.query("SELECT COUNT(*) AS n FROM interactions WHERE channel IN ('visit', 'event')")["n"].iloc[0]
        spoken = st.query("SELECT COUNT(DISTINCT interaction_id) AS n FROM moments")["n"].iloc[0]
    # every interaction that says how it went has its moments (one per touchpoint it speaks of)
    assert counts["interactions"] > 1000
    assert spoken == counts["interactions"] - visits
    assert counts["moments"] >= spoken
    assert counts["quarantine"] == 0
    assert visits > 100
    assert f"{counts['interactions']:,}" in out
    assert f"{n_customers:,}" in out
    # again: the old demo store is replaced, not added to
    r2 = runner.invoke(app, ["demo", "--seed", "1", "--customers", "300", "--days", "60", "--json"])
    assert r2.exit_code == 0, r2.output
    s = json.loads(r2.output)
    assert s["interactions"] == counts["interactions"]
    assert s["ingest"]["quarantined"] == 0
    assert sum(s["valence"].values()) == s["moments"] == counts["moments"]
    assert s["top_misery"]
    assert all(t["misery"] <= t["n"] for t in s["top_misery"])


def test_demo_refuses_a_store_with_other_data(tmp_path):
    db = tmp_path / "mine.db"
    with open_store(db) as st:
        st.add_interactions(pd.DataFrame({"id": ["x1"], "text": ["my own data"], "source": ["crm.csv"]}))
    r = runner.invoke(app, ["demo", "--store", str(db), "--customers", "100", "--days", "40"])
    assert r.exit_code == 1
    assert "not from the demo" in r.output
    assert "--force" in r.output
    with open_store(db) as st:
        assert st.counts()["interactions"] == 1  # nothing lost
    r = runner.invoke(app, ["demo", "--store", str(db), "--customers", "100", "--days", "40", "--force", "--json"])
    assert r.exit_code == 0, r.output
    with open_store(db) as st:
        assert st.query("SELECT COUNT(*) AS n FROM interactions WHERE source = 'crm.csv'")["n"].iloc[0] == 0


def test_simulate_writes_the_files(tmp_path):
    out = tmp_path / "sim"
    r = runner.invoke(
        app,
        ["simulate", "--journey", "coffee_shop", "--seed", "2", "--customers", "120", "--days", "40", "-o", str(out)],
    )
    assert r.exit_code == 0, r.output
    for name in ("interactions.csv", "customers.csv", "events.csv", "survey.csv", "truth.json"):
        assert (out / name).exists()
        assert name in r.output
    truth = json.loads((out / "truth.json").read_text())
    assert truth["journey"] == "coffee_shop"
    assert truth["seed"] == 2
    assert len(pd.read_csv(out / "customers.csv")) == 120
    bad = runner.invoke(app, ["simulate", "--journey", "submarine", "-o", str(out)])
    assert bad.exit_code == 1
    assert "no journey template named 'submarine'" in bad.output
