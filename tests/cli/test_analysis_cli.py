"""`carlzon metrics`, `carlzon drivers` (the JSON contract) and `carlzon impact`."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()


@pytest.fixture
def survey_csv(tmp_path):
    rng = np.random.default_rng(0)
    n = 500
    df = pd.DataFrame(rng.integers(1, 6, size=(n, 3)), columns=["Seat comfort", "Food", "Wifi"])
    eta = 2 * df["Seat comfort"] + df["Food"]
    df["overall"] = eta + rng.normal(0, 1, n)
    df["satisfaction"] = np.where(eta + rng.normal(0, 1, n) > eta.mean(), "satisfied", "neutral or dissatisfied")
    df.loc[rng.random(n) < 0.1, "Wifi"] = 0
    path = tmp_path / "survey.csv"
    df.to_csv(path, index=False)
    return path


def test_drivers_json_contract(survey_csv):
    r = runner.invoke(
        app,
        [
            "drivers",
            str(survey_csv),
            "--outcome",
            "satisfaction",
            "--drivers",
            "Seat comfort,Food,Wifi",
            "--positive",
            "satisfied",
            "--na",
            "0",
            "--boot",
            "50",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["n"] == 500
    assert out["method"] == "relative-weights"
    assert out["r2_kind"] == "mcfadden"
    assert 0 < out["r2"] < 1
    assert out["n_missing_handled"] > 0
    assert out["n_rows_read"] == 500
    assert [d["driver"] for d in out["drivers"]][0] == "Seat comfort"
    for d in out["drivers"]:
        assert {"driver", "importance", "ci_low", "ci_high", "performance", "quadrant"} <= set(d)
        assert d["ci_low"] <= d["importance"] <= d["ci_high"]
    assert sum(d["importance"] for d in out["drivers"]) == pytest.approx(1)
    wifi = next(d for d in out["drivers"] if d["driver"] == "Wifi")
    assert wifi["n"] < 500
    assert wifi["performance"] >= 1


def test_drivers_shapley_and_table(survey_csv):
    r = runner.invoke(
        app,
        [
            "drivers",
            str(survey_csv),
            "--outcome",
            "overall",
            "--drivers",
            "Seat comfort,Food,Wifi",
            "--method",
            "shapley",
            "--na",
            "0",
            "--boot",
            "30",
            "--json",
        ],
    )
    out = json.loads(r.output)
    assert out["method"] == "shapley"
    assert out["r2_kind"] == "r2"
    assert out["exact"]
    r = runner.invoke(
        app, ["drivers", str(survey_csv), "--outcome", "overall", "--drivers", "Seat comfort,Food,Wifi", "--boot", "20"]
    )
    assert r.exit_code == 0
    assert "Key drivers of overall" in r.output
    assert "n = 500" in r.output
    assert "Seat comfort" in r.output


def test_drivers_bad_input_one_line_error(survey_csv):
    r = runner.invoke(app, ["drivers", str(survey_csv), "--outcome", "satisfaction", "--json"])
    assert r.exit_code == 1
    assert "--positive" in r.output
    r = runner.invoke(app, ["drivers", str(survey_csv), "--outcome", "overall", "--drivers", "Seat comfort,Fod"])
    assert r.exit_code == 1
    assert "did you mean" in r.output


def test_metrics_on_a_moments_file(tmp_path):
    df = pd.DataFrame(
        {
            "touchpoint": ["gate", "seat"] * 20,
            "valence": ["misery", "magic", "neutral", "magic"] * 10,
            "nps": [9, 10, 3, 7] * 10,
        }
    )
    path = tmp_path / "moments.csv"
    df.to_csv(path, index=False)
    r = runner.invoke(app, ["metrics", str(path), "--by", "touchpoint", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    gate = next(g for g in out["groups"] if g["group"] == "gate")
    assert gate["metrics"]["misery_rate"]["n"] == 20
    assert gate["metrics"]["misery_rate"]["note"] == "n=20: too few to judge"
    r = runner.invoke(app, ["metrics", str(path)])
    assert r.exit_code == 0
    assert "nps" in r.output
    assert "40" in r.output


@pytest.mark.slow
def test_metrics_and_impact_from_the_store(store_path, tmp_path):
    from carlzon.simulate import simulate, store_simulation
    from carlzon.store import open_store

    sim = simulate("airline", seed=0, customers=300, days=120)
    with open_store(store_path) as st:
        store_simulation(sim, st)
    r = runner.invoke(app, ["metrics", "--store", str(store_path), "--by", "stage", "--journey", "airline", "--json"])
    assert r.exit_code == 0, r.output
    assert {g["group"] for g in json.loads(r.output)["groups"]} >= {"airport", "flight"}
    from carlzon.analysis import Metrics

    with open_store(store_path) as st:  # by touchpoint: read from the rollups, the same numbers as the moments give
        want = Metrics(by="touchpoint").fit(st.moments(with_text=False)).to_dict()
    r = runner.invoke(app, ["metrics", "--store", str(store_path), "--by", "touchpoint", "--json"])
    assert r.exit_code == 0 and json.loads(r.output) == json.loads(json.dumps(want, default=float)), r.output
    visits = tmp_path / "visits.csv"
    sim.visits.to_csv(visits, index=False)
    customers = tmp_path / "customers.csv"
    sim.customers.to_csv(customers, index=False)
    r = runner.invoke(app, ["impact", str(visits), "--customers", str(customers), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert {x["state"] for x in out["return"]} == {"none", "recovered", "unrecovered"}
    assert out["churn_definition"] == "churned_at given per customer"
    assert out["statement"]
    r = runner.invoke(app, ["impact", str(visits), "--customers", str(customers)])
    assert r.exit_code == 0
    assert "Return within 90 days" in r.output
    assert "hazard ratio" in r.output


def test_drivers_from_moments_in_the_store(store_path):
    from carlzon.simulate import simulate, store_simulation
    from carlzon.store import open_store

    with open_store(store_path) as st:
        store_simulation(simulate("airline", seed=1, customers=600, days=120), st)
    r = runner.invoke(
        app, ["drivers", "--store", str(store_path), "--from-moments", "--outcome", "nps", "--boot", "30", "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert all(d["driver"].split(":")[0] in ("score", "misery") for d in out["drivers"])  # the default kinds
    assert out["n"] > 50


@pytest.mark.slow
def test_impact_from_the_store_uses_recovery_case_outcomes(tmp_path):
    """After `cases open` and `cases check`, misery with a case closed 'recovered' counts as recovered;
    open cases and cases closed only by a return visit are left out and counted."""
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--store", db, "--customers", "400", "--days", "150", "--json"]).exit_code == 0
    # the whole history is recovered one by one (the built-in policy summarises misery over 30 days old,
    # which leaves no recovered misery with a full 90-day follow-up to compare)
    policy = tmp_path / "policy.yaml"
    policy.write_text("case_policy:\n  max_age_days: 400\n  daily_capacity: 400\n")
    assert runner.invoke(app, ["cases", "open", "--store", db, "--policy", str(policy)]).exit_code == 0
    assert runner.invoke(app, ["cases", "check", "--store", db]).exit_code == 0
    res = runner.invoke(app, ["impact", "--store", db, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    by_state = {r["state"]: r["n"] for r in out["return"]}
    assert by_state["recovered"] > 0
    assert by_state["unrecovered"] > 0
    assert by_state["none"] > 0
    assert out["state_from"].startswith("misery and recovered")
    assert set(out["left_out"]) >= {"open_cases", "closed_by_return"}
    assert "caveat" in out
