"""PlaceAlerts: the minimum evidence rule, one alert per ongoing problem, severity, hierarchy roll-up."""

from __future__ import annotations

import pandas as pd

from carlzon.analysis.place_alerts import PlaceAlerts, daily_cells
from carlzon.hierarchy import Hierarchy

DAYS = pd.date_range("2026-01-01", periods=90, tz="UTC")


def _cells(places=("s1",), bad_from=70, bad_misery=8, bad_until=90, n=10):
    return pd.DataFrame(
        [
            {
                "day": d,
                "location": p,
                "touchpoint": "till",
                "n": n,
                "misery": bad_misery if bad_from <= i < bad_until else 1,
            }
            for p in places
            for i, d in enumerate(DAYS)
        ]
    )


def test_a_rise_is_one_alert_while_it_lasts():
    assert len(PlaceAlerts().fit(_cells()).alerts_) == 1


def test_the_alert_updates_to_its_last_day():
    a = PlaceAlerts().fit(_cells()).alerts_.iloc[0]
    assert (a["first_day"], a["last_day"], a["status"]) == (DAYS[70], DAYS[89], "ongoing")


def test_a_problem_that_ended_is_closed():
    assert PlaceAlerts().fit(_cells(bad_from=30, bad_until=40)).alerts_.iloc[0]["status"] == "closed"


def test_no_alert_below_the_minimum_evidence():
    # two moments of misery out of two in a day: striking, but under the rule's three
    cells = _cells(bad_from=80, bad_misery=0, n=10)
    cells.loc[cells["day"] == DAYS[85], ["n", "misery"]] = [2, 2]
    assert PlaceAlerts().fit(cells).alerts_.empty


def test_the_rule_is_stated_in_the_alert():
    a = PlaceAlerts(min_misery=5).fit(_cells()).alerts_.iloc[0]
    assert "at least 5 moments of misery in 1 or 2 days" in a["rule"]


def test_every_alert_rests_on_the_minimum():
    assert (PlaceAlerts().fit(_cells(bad_misery=5)).alerts_["window_misery"] >= 3).all()


def test_steady_misery_raises_nothing():
    assert PlaceAlerts().fit(_cells(bad_misery=1)).alerts_.empty


def test_severity_of_a_big_rise_is_high():
    assert PlaceAlerts().fit(_cells(bad_misery=9)).alerts_.iloc[0]["severity"] == "high"


def test_rollup_makes_one_area_alert():
    places = [f"s{k}" for k in range(4)]
    h = Hierarchy.from_records([{"location": p, "area": "Centre", "region": "North"} for p in places])
    a = PlaceAlerts(hierarchy=h).fit(_cells(places=places)).alerts_
    assert (len(a), a.iloc[0]["level"], a.iloc[0]["location"], len(a.iloc[0]["places"])) == (1, "area", "Centre", 4)


def test_rollup_across_areas_is_a_region_alert():
    places = [f"s{k}" for k in range(4)]
    h = Hierarchy.from_records([{"location": p, "area": f"A{k % 2}", "region": "North"} for k, p in enumerate(places)])
    a = PlaceAlerts(hierarchy=h, rollup_min=3).fit(_cells(places=places)).alerts_
    assert (len(a), a.iloc[0]["level"]) == (1, "region")


def _three_then_one(first_bad_from: int) -> pd.DataFrame:
    """Alerts when three places of one area go bad from ``first_bad_from`` for 5 days, a fourth from day 72."""
    places = [f"s{k}" for k in range(4)]
    h = Hierarchy.from_records([{"location": p, "area": "Centre", "region": "North"} for p in places])
    cells = _cells(places=places[:3], bad_from=first_bad_from, bad_until=first_bad_from + 5)
    cells = pd.concat([cells, _cells(places=places[3:], bad_from=72, bad_until=74)], ignore_index=True)
    return PlaceAlerts(hierarchy=h).fit(cells).alerts_


def test_a_place_alarming_soon_after_a_rollup_joins_it():
    assert _three_then_one(60)["places"].map(len).tolist() == [4]


def test_a_place_alarming_long_after_a_rollup_is_its_own_alert():
    assert sorted(_three_then_one(30)["places"].map(len).tolist()) == [1, 3]


def test_two_places_stay_two_alerts():
    h = Hierarchy.from_records([{"location": p, "area": "Centre"} for p in ("s1", "s2")])
    assert len(PlaceAlerts(hierarchy=h).fit(_cells(places=("s1", "s2"))).alerts_) == 2


def test_daily_cells_counts_misery_per_place_and_touchpoint():
    m = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2026-01-01 09:00", "2026-01-01 18:00", "2026-01-02 08:00"], utc=True),
            "location": ["s1", "s1", None],
            "touchpoint": ["till", "till", "till"],
            "valence": ["misery", "magic", "misery"],
        }
    )
    assert daily_cells(m)[["n", "misery"]].values.tolist() == [[2, 1]]


def test_to_dict_is_json_ready():
    import json

    assert json.loads(json.dumps(PlaceAlerts().fit(_cells()).to_dict(), default=str))["n"] == 1


def test_no_cells_no_alerts():
    assert PlaceAlerts().fit(pd.DataFrame(columns=["day", "location", "touchpoint", "n", "misery"])).alerts_.empty


def test_a_busy_counter_alarms_on_its_first_bad_day():
    # 20 moments a day at 10% misery, then 12 of 20 on one day: the one-day window sees it that day
    cells = _cells(bad_from=80, bad_misery=12, n=20)
    cells.loc[cells["day"] < DAYS[80], "misery"] = 2
    assert PlaceAlerts().fit(cells).alerts_.iloc[0]["first_day"] == DAYS[80]


def test_a_single_window_can_be_asked_for():
    assert PlaceAlerts(window=2).windows == (2,)


def _delay(seed):
    from carlzon.simulate.places import simulate_alert_cells

    cells, truth = simulate_alert_cells(seed=seed, places=6, touchpoints=3, days=200, per_day=8.0, planted=True)
    a = PlaceAlerts().fit(cells).alerts_
    hit = a[
        (a["location"] == truth["places"][0])
        & (a["touchpoint"] == truth["touchpoint"])
        & (a["first_day"] >= truth["start_day"])
    ]
    return (hit["first_day"].min() - truth["start_day"]).days if len(hit) else 99


def test_a_planted_problem_is_found_in_its_first_two_days():
    assert sum(_delay(seed) <= 1 for seed in range(10)) >= 8


def test_a_quiet_chain_raises_few_alerts():
    from carlzon.simulate.places import simulate_alert_cells

    cells, _ = simulate_alert_cells(seed=3, places=10, touchpoints=5, days=365, planted=False)
    assert len(PlaceAlerts().fit(cells).alerts_) <= 10 * 5 / 2  # half the bar of one per place-touchpoint-year
