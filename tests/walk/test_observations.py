"""A filled-in walk of the 17 steps becomes the expected moments, misery where an expectation was missed."""

import pandas as pd
import pytest

from carlzon.store import open_store
from carlzon.walk import build_checklist, store_walk

STEPS = [s.touchpoint for s in build_checklist("retail_clothing").steps]
MISSED = {"fitting_rooms", "bag_handover"}
PARTLY = {"folding"}


@pytest.fixture(scope="module")
def walk():
    rows = []
    for t in STEPS:
        result = "missed" if t in MISSED else "partly" if t in PARTLY else "not seen" if t == "alterations" else "met"
        rows.append(
            {
                "walk": "w1",
                "location": "Old Town",
                "observer": "Mia",
                "observed_at": "2026-05-04 10:00",
                "step": t,
                "result": result,
                "value": {"greeting": "45", "checkout_queue": "3"}.get(t, ""),
                "note": "nobody at the fitting rooms" if t == "fitting_rooms" else "",
            }
        )
    with open_store(":memory:") as st:
        res = store_walk(st, "retail_clothing", pd.DataFrame(rows), source="walk.csv")
        yield res, st.moments(), st.interactions()


def test_every_step_is_accounted_for(walk):
    res, _, _ = walk
    assert (res.read, res.stored, res.not_seen, res.quarantined) == (17, 16, 1, 0)


def test_a_moment_per_observed_step(walk):
    _, m, _ = walk
    assert sorted(m["touchpoint"]) == sorted(t for t in STEPS if t != "alterations")


def test_misery_where_a_step_was_missed(walk):
    _, m, _ = walk
    assert MISSED <= set(m[m["valence"] == "misery"]["touchpoint"])


def test_misery_for_a_timing_missed(walk):
    _, m, _ = walk
    greet = m.set_index("touchpoint").loc["greeting"]
    assert (greet["valence"], "greeting 45 s against <= 30 expected" in greet["reasons"]) == ("misery", True)


def test_a_timing_met_is_no_misery(walk):
    _, m, _ = walk
    assert m.set_index("touchpoint").loc["checkout_queue", "valence"] == "neutral"


def test_partly_met_is_misery_but_no_moment_of_truth(walk):
    _, m, _ = walk
    row = m.set_index("touchpoint").loc["folding"]
    assert (row["valence"], bool(row["moment_of_truth"])) == ("misery", False)


def test_a_step_missed_in_full_is_a_moment_of_truth(walk):
    _, m, _ = walk
    assert bool(m.set_index("touchpoint").loc["bag_handover", "moment_of_truth"]) is True


def test_the_rest_is_neutral(walk):
    _, m, _ = walk
    assert set(m[m["valence"] == "neutral"]["touchpoint"]) == set(STEPS) - MISSED - PARTLY - {"greeting", "alterations"}


def test_observations_have_their_channel_and_store(walk):
    import json

    _, _, i = walk
    assert (set(i["channel"]), {json.loads(a)["location"] for a in i["attributes"]}) == ({"observation"}, {"Old Town"})


def test_the_note_is_kept(walk):
    import json

    _, _, i = walk
    notes = {json.loads(a)["note"] for a in i["attributes"]}
    assert "nobody at the fitting rooms" in notes


def test_an_unknown_step_is_quarantined():
    with open_store(":memory:") as st:
        r = store_walk(st, "retail_clothing", pd.DataFrame({"step": ["teleporter"], "result": ["met"]}))
        assert "unknown step 'teleporter'" in st.quarantine()["reason"].iloc[0]
        assert r.quarantined == 1


def test_a_result_it_cannot_read_is_quarantined():
    with open_store(":memory:") as st:
        r = store_walk(st, "retail_clothing", pd.DataFrame({"step": ["greeting"], "result": ["maybe"]}))
    assert "use met, partly, missed or not seen" in r.quarantine[0]["reason"]


def test_steps_by_name_or_number():
    with open_store(":memory:") as st:
        store_walk(
            st,
            "retail_clothing",
            pd.DataFrame(
                {"step": ["Greeting at the door", "15"], "result": ["met", "no"], "observed_at": "2026-05-04"}
            ),
        )
        assert sorted(st.moments()["touchpoint"]) == ["bag_handover", "greeting"]


def test_walking_again_adds_nothing(walk):
    rows = pd.DataFrame({"walk": "w9", "step": ["greeting"], "result": ["met"], "observed_at": "2026-05-04"})
    with open_store(":memory:") as st:
        store_walk(st, "retail_clothing", rows)
        assert store_walk(st, "retail_clothing", rows).duplicates == 1
