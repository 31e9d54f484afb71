"""Report figures: per-touchpoint shares with intervals, quadrants, trends, quotes, emerging problems, actions."""

import math

import pandas as pd
import pytest

from carlzon.report.data import actions, emerging_check, headline, parse_evidence, quotes, touchpoint_table, trend_table
from carlzon.report.stats import balance_interval, net_score, wilson
from carlzon.report.synthetic import HOSTILE_TEXT, synthetic_rows


@pytest.fixture(scope="module")
def moments():
    inter, m = synthetic_rows(6000, seed=3, hostile=True)
    return m.merge(inter[["id", "text", "nps"]], left_on="interaction_id", right_on="id").drop(columns="id")


def test_wilson_and_balance_intervals():
    lo, hi = wilson(30, 100)
    assert lo < 0.3 < hi
    assert round(lo, 3) == 0.219
    assert all(math.isnan(v) for v in wilson(0, 0))
    v, lo, hi = balance_interval(60, 20, 100)
    assert v == pytest.approx(0.4)
    assert lo < 0.4 < hi
    assert net_score(pd.Series([10, 9, 8, 3]), low=6, high=9)[0] == 25.0


def test_touchpoint_table_in_journey_order_with_counts(moments):
    t = touchpoint_table(moments, "airline")
    assert list(t["touchpoint"][:3]) == ["search", "online_booking", "schedule"]
    assert t["n"].sum() == len(moments)
    gate = t.set_index("touchpoint").loc["gate"]
    raw = moments[moments["touchpoint"] == "gate"]
    assert gate["n"] == len(raw)
    assert gate["misery"] == (raw["valence"] == "misery").sum()
    assert gate["misery_rate_low"] <= gate["misery_rate"] <= gate["misery_rate_high"]
    assert gate["balance_low"] <= gate["balance"] <= gate["balance_high"]
    assert set(t.loc[t["n"] > 0, "quadrant"]) - {""} <= {"concentrate", "keep", "overkill", "low"}
    assert t.set_index("touchpoint").loc["unknown", "quadrant"] == ""


def test_drivers_replace_default_importance(moments):
    d = pd.DataFrame({"touchpoint": ["gate", "seat"], "importance": [0.9, 0.1], "method": ["key-driver model"] * 2})
    t = touchpoint_table(moments, "airline", drivers=d).set_index("touchpoint")
    assert t.loc["gate", "importance"] == 0.9
    assert t.loc["gate", "importance_method"] == "key-driver model"


def test_trend_has_intervals(moments):
    rows, unit = trend_table(moments)
    assert unit == "week"
    assert len(rows) > 20
    assert sum(r["n"] for r in rows) == len(moments)
    assert all(r["misery_rate_low"] <= r["misery_rate"] <= r["misery_rate_high"] for r in rows)


def test_headline_carries_n_and_intervals(moments):
    h = {k["key"]: k for k in headline(moments)}
    assert h["misery"]["n"] == len(moments)
    assert h["misery"]["low"] < h["misery"]["value"] < h["misery"]["high"]
    assert h["nps"]["n"] == len(moments)


def test_quotes_worst_first_keep_text_raw(moments):
    worst = quotes(moments, "airline", valence="misery")
    assert worst[0].text == HOSTILE_TEXT  # escaping is the template's job, the data stay as written
    assert all(a.score <= b.score for a, b in zip(worst, worst[1:]))
    best = quotes(moments, "airline", valence="magic")
    assert best
    assert all(q.valence == "magic" for q in best)


def test_quotes_leave_out_moments_from_a_rating_alone(moments):
    rated = moments.assign(basis="rating", text="Breakfast was lovely")
    rated["valence"] = "misery"
    both = pd.concat([moments, rated], ignore_index=True)
    assert all(q.text != "Breakfast was lovely" for q in quotes(both, "airline", valence="misery"))


def test_quotes_show_the_same_words_once(moments):
    twice = pd.concat([moments, moments], ignore_index=True)
    texts = [q.text for q in quotes(twice, "airline", valence="misery")]
    assert len(texts) == len(set(texts))


def test_emerging_check_finds_the_planted_problem():
    # 22 airline touchpoints: 12,000 rows give each about 37 moments in the last 14 days
    _, moments = synthetic_rows(12000, seed=3, hostile=True)
    sec = emerging_check(moments, "airline", min_n=20)
    assert sec.ran
    assert sec.rows
    assert sec.rows[0][0] == "Search and compare flights"
    flat = moments.assign(timestamp=pd.Timestamp("2026-01-01", tz="UTC"))
    assert not emerging_check(flat, "airline").ran


def test_emerging_check_says_none_found_honestly():
    inter, m = synthetic_rows(3000, seed=5, days=60)
    m = m[m["touchpoint"] != "search"]
    sec = emerging_check(m, "airline")
    assert sec.ran
    assert not sec.rows
    assert sec.empty == "No emerging problems found."


def test_actions_name_the_concentrate_quadrant(moments):
    t = touchpoint_table(moments, "airline")
    first = t[t["quadrant"] == "concentrate"].sort_values("importance", ascending=False)
    text = actions(t)
    assert text[0].startswith("Fix ")
    assert any(n in text[0] for n in first["name"])


def test_parse_evidence_tolerates_bad_json():
    assert parse_evidence('[{"rule": "rating", "text": "rating 1/5"}]')[0]["text"] == "rating 1/5"
    assert parse_evidence("not json") == [{"rule": "reason", "text": "not json"}]
    assert parse_evidence(None) == []


def test_survey_drivers_place_touchpoints_without_moments(moments):
    only_gate = moments[moments["touchpoint"] == "gate"]
    d = pd.DataFrame(
        {
            "touchpoint": ["seat", "food", "wifi_entertainment"],
            "importance": [0.6, 0.3, 0.1],
            "performance": [2.1, 4.5, 3.0],
            "survey_n": [500, 480, 300],
            "method": "key-driver model",
            "performance_method": "mean survey rating (1 to 5)",
        }
    )
    t = touchpoint_table(only_gate, "airline", drivers=d).set_index("touchpoint")
    assert t.loc["seat", "n"] == 0
    assert t.loc["seat", "quadrant"] == "concentrate"
    assert t.loc["food", "quadrant"] == "overkill"
    assert t.loc["gate", "quadrant"] == ""
    text = actions(t.reset_index())
    assert text[0] == (
        "Fix Seat comfort first: it matters more than most, and customers rate it 2.1 against an "
        "average of 3.2 (n=500)."
    )


def test_actions_do_not_act_on_tiny_samples(moments):
    t = touchpoint_table(moments.groupby("touchpoint").head(12), "airline")
    text = actions(t)
    assert not any(a.startswith("Fix ") for a in text)
    assert any(a.startswith("Hear more about") and "fewer than 30" in a for a in text)
