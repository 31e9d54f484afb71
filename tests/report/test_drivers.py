"""Key drivers from survey ratings in the store, mapped to touchpoints by the journey's survey items."""

import json

import numpy as np
import pandas as pd

from carlzon.report.drivers import survey_drivers
from carlzon.store import open_store
from tests.store.conftest import store_target  # noqa: F401 - the fixture: SQLite and PostgreSQL


def _store(outcome: str):
    rng = np.random.default_rng(0)
    n = 600
    seat, food, wifi, clean = (rng.integers(1, 6, n) for _ in range(4))
    latent = 3 * seat + food + rng.normal(0, 1.5, n)
    ratings = [
        json.dumps(
            {
                "Seat comfort": int(a),
                "Food and drink": int(b),
                "Inflight wifi service": int(c),
                "Cleanliness": int(d),
                "Unmapped item": 3,
            }
        )
        for a, b, c, d in zip(seat, food, wifi, clean)
    ]
    df = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "ratings": ratings})
    if outcome == "nps":
        df["nps"] = np.clip(np.round(latent / 2), 0, 10)
    else:
        sat = np.where(latent > np.median(latent), "satisfied", "neutral or dissatisfied")
        df["attributes"] = [json.dumps({"satisfaction": s}) for s in sat]
    st = open_store(":memory:")
    st.add_interactions(df)
    return st


def test_drivers_rank_the_planted_touchpoint_first():
    for outcome, label in (("nps", "NPS"), ("satisfaction", "satisfaction = satisfied")):
        with _store(outcome) as st:
            d, note = survey_drivers(st, "airline", n_boot=20)
        assert d is not None, note
        assert label in note
        assert "n=600" in note
        top = d.sort_values("importance", ascending=False)["touchpoint"].iloc[0]
        assert top == "seat"
        assert set(d["touchpoint"]) == {"seat", "food", "wifi_entertainment", "cleanliness"}
        assert abs(d["importance"].sum() - 1) < 1e-9


def test_no_ratings_says_why():
    with open_store(":memory:") as st:
        d, note = survey_drivers(st, "airline")
    assert d is None
    assert note == "no per-touchpoint survey ratings in the store"


def test_drivers_read_ratings_that_ingest_stored_packed():
    from carlzon.ingest import ingest

    with _store("nps") as st:
        df = st.interactions()
    wide = pd.DataFrame.from_records([json.loads(r) for r in df["ratings"]])
    wide["nps"] = df["nps"].to_numpy()
    wide["response_id"] = df["id"].to_numpy()
    with open_store(":memory:") as st:
        ingest(wide, st, journey="airline", detect=False)
        assert st.query("SELECT COUNT(*) AS n FROM interactions WHERE layout IS NOT NULL")["n"].iloc[0] == 600
        d, note = survey_drivers(st, "airline", n_boot=20)
    assert d is not None, note
    assert d.sort_values("importance", ascending=False)["touchpoint"].iloc[0] == "seat"


def test_unrated_rows_of_the_survey_layout_do_not_fill_the_limit(store_target):
    from carlzon.ingest import ingest

    with _store("nps") as st:
        df = st.interactions()
    wide = pd.DataFrame.from_records([json.loads(r) for r in df["ratings"]])
    wide["nps"] = df["nps"].to_numpy()
    blank = wide.iloc[:400].astype("float64")
    blank.loc[:, [c for c in blank.columns if c != "nps"]] = np.nan  # complaints beside the survey, no item rated
    both = pd.concat([blank, wide], ignore_index=True)
    both["response_id"] = [f"r{i}" for i in range(len(both))]
    with open_store(store_target) as st:
        ingest(both, st, journey="airline", detect=False)
        assert st.query("SELECT COUNT(*) AS n FROM interactions WHERE ratings LIKE '[null,%'")["n"].iloc[0] == 400
        d, note = survey_drivers(st, "airline", n_boot=20, limit=600)
    assert d is not None, note
    assert "n=600" in note


def test_the_simulated_survey_gives_the_report_a_key_driver_model():
    from carlzon.simulate import simulate, store_simulation

    sim = simulate("airline", seed=0, customers=1500, days=90)
    surveys = sim.interactions[sim.interactions["channel"] == "survey"]
    assert surveys["Seat comfort"].notna().mean() > 0.8  # the touchpoint ratings, under the survey item names
    with open_store(":memory:") as st:
        store_simulation(sim, st, detect=False)
        d, note = survey_drivers(st, "airline", n_boot=20)
    assert d is not None, note
    assert "against NPS" in note
    assert f"n={len(surveys):,}" in note
    planted = sim.truth["driver_weights"]
    rated = set(d["touchpoint"])
    assert d.sort_values("importance").iloc[-1]["touchpoint"] == max(rated, key=planted.get)  # gate
