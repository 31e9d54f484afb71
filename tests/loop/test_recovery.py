"""Recovery cases end to end through the library: misery -> case with the right priority -> suggested
reply -> agent note -> follow-up rating -> closed as recovered -> measures updated."""

from datetime import datetime, timedelta, UTC

import pytest

from carlzon.errors import CarlzonError, NotFoundError
from carlzon.loop.coaching import coach
from carlzon.loop.measures import recovery_measures
from carlzon.loop.policy import CasePolicy
from carlzon.loop.recovery import RecoveryDesk, journey_for_store, priority
from carlzon.loop.replies import check_reply

from tests.loop.loopdata import BAG_EVIDENCE, T0, add, interaction, moment, seed_misery


def test_priority_formula_and_components():
    p = priority(intensity=0.8, stakes="high", value=0.75, prior_miseries=0)
    assert p == {"intensity": 28.0, "stakes": 25.0, "customer_value": 15.0, "repeated_misery": 0.0, "total": 68.0}
    assert priority(intensity=1, stakes="high", value=1, prior_miseries=5)["total"] == 100.0
    assert priority(intensity=0.0, stakes="low", value=0, prior_miseries=0)["total"] == 0.0


def test_end_to_end_library(store, clock):
    seed_misery(store)
    desk = RecoveryDesk(store, "airline", clock=clock)
    assert desk.open_cases() == [1]  # Bob's mild seat gripe (priority 10.5) stays below 30
    assert desk.open_cases() == []  # idempotent: one case per moment
    case = desk.get(1)
    assert case["priority"] == 68.0
    assert case["priority_components"]["customer_value"] == 15.0  # gold tier
    assert case["customer_name"] == "Anna Berg"
    assert case["status"] == "open"
    assert [s["step"] for s in case["steps"]] == ["acknowledge", "apologize", "resolve", "compensate", "follow_up"]
    assert case["steps"][0]["due"] == "2026-03-02T12:00:00+00:00"  # acknowledge within 2 h of opening

    reply = case["suggested_reply"]
    assert reply.startswith("Hi Anna,")
    assert '"You lost my bag in Oslo and nobody helps"' in reply
    assert "baggage claim" in reply
    assert "sorry" in reply.lower()
    assert "trace your bag" in reply
    assert "by Tuesday 3 March, 10:00 UTC" in reply
    assert "a travel voucher and a personal call from the duty manager" in reply  # the high-stakes gesture
    assert check_reply(reply, desk.journey) == []  # no filler, no over-promise
    assert coach(reply).score >= 80

    desk.assign(1, "lena", team="baggage")
    clock.now["t"] = clock.now["t"] + timedelta(hours=3)
    desk.note(1, "Called Anna: bag found in Frankfurt, courier booked", author="lena", reply=True, step="resolve")
    case = desk.get(1)
    assert case["status"] == "in_progress"
    assert case["owner"] == "lena"
    assert case["first_response_at"] == datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
    assert {s["step"]: s["done"] for s in case["steps"]}["resolve"]

    m = recovery_measures(desk)["overall"]
    assert m["first_response"] == {"n": 1, "median_hours": 3.0, "p90_hours": 3.0}  # opened 10:00 -> reply 13:00
    assert m["recovery_rate"]["n"] == 0

    add(store, [interaction("i3", "anna", T0 + timedelta(days=3), nps=9, channel="survey")])
    closed = desk.check_followups()
    assert closed == [{"case_id": 1, "outcome": "recovered", "reason": "follow-up rating 9/10 on 2026-03-05"}]
    case = desk.get(1)
    assert case["status"] == "closed"
    assert case["followup_interaction_id"] == "i3"
    assert [e["kind"] for e in case["events"]] == ["opened", "assigned", "reply", "closed"]

    m = recovery_measures(desk)
    assert m["overall"]["recovery_rate"]["n"] == 1
    assert m["overall"]["recovery_rate"]["recovered"] == 1
    assert m["overall"]["recovery_rate"]["low"] < 1.0  # an honest interval on n=1
    assert m["overall"]["resolution"]["n"] == 1
    by_team = m["by"]["team"].set_index("team")
    assert by_team.loc["baggage", "recovered"] == 1
    assert by_team.loc["baggage", "n_closed"] == 1
    assert m["by"]["touchpoint"].set_index("touchpoint").loc["baggage_claim", "cases"] == 1


def test_repeat_misery_and_low_follow_up(store, clock):
    seed_misery(store)
    later = T0 + timedelta(days=10)
    add(
        store,
        [interaction("i4", "anna", later, text="Again! my bag is missing", nps=0)],
        [
            moment(
                "i4",
                "anna",
                later,
                valence="misery",
                score=-0.9,
                intensity=0.8,
                stakes="high",
                touchpoint="baggage_claim",
                evidence=BAG_EVIDENCE,
            )
        ],
    )
    desk = RecoveryDesk(store, "airline", clock=clock)
    assert desk.open_cases() == [1, 2]
    second = desk.get(2)
    assert second["priority_components"]["repeated_misery"] == 10.0
    assert second["priority"] == 78.0
    closed = {c["case_id"]: c for c in desk.check_followups()}
    assert closed[1]["outcome"] == "not_recovered"
    assert "0/10" in closed[1]["reason"]
    assert 2 not in closed  # no later interaction yet


def test_min_priority_is_configurable(store, clock):
    seed_misery(store)
    every_stakes = CasePolicy(stakes=("low", "medium", "high"))
    assert RecoveryDesk(store, "airline", clock=clock, min_priority=5, policy=every_stakes).open_cases() == [1, 2]


def test_min_priority_alone_does_not_open_a_mild_gripe(store, clock):
    seed_misery(store)
    desk = RecoveryDesk(store, "airline", clock=clock, min_priority=5)
    assert desk.open_cases() == [1]  # Bob: low stakes, mild, no value, first misery: summarised
    assert desk.summary().set_index("touchpoint").loc["seat", "reason"] == "not_selected"


def test_errors_name_the_fix(store, clock):
    seed_misery(store)
    desk = RecoveryDesk(store, "airline", clock=clock)
    desk.open_cases()
    with pytest.raises(NotFoundError, match="carlzon cases list"):
        desk.get(99)
    with pytest.raises(CarlzonError, match="use one of recovered, not_recovered"):
        desk.close(1, "fixed", "done")
    with pytest.raises(CarlzonError, match="playbook has no step"):
        desk.note(1, "x", author="a", step="dance")
    desk.close(1, "recovered", "she thanked us on the phone", actor="lena")
    with pytest.raises(CarlzonError, match="already closed"):
        desk.close(1, "recovered", "again")


def test_journey_for_store(store, clock):
    assert journey_for_store(store).name == "airline"
    seed_misery(store)
    assert journey_for_store(store).name == "airline"


def test_cases_from_ingested_export(store, clock):
    """The real path: an export goes through ingest and the Detector; the case's priority is the formula
    applied to the detected intensity and stakes."""
    import pandas as pd

    from carlzon.ingest import ingest

    export = pd.DataFrame(
        {
            "response_id": ["a1", "a2", "a3"],
            "customer_id": ["anna", "bob", "anna"],
            "created_at": ["2026-03-02 09:00", "2026-03-02 10:00", "2026-03-06 09:00"],
            "comment": ["You lost my bag and nobody at the desk helped", "Lovely crew, smooth flight", None],
            "nps": [1, 10, 9],
            "customer_name": ["Anna Berg", "Bob Lee", "Anna Berg"],
        }
    )
    ingest(export, store, journey="airline")
    desk = RecoveryDesk(store, "airline", clock=clock)
    assert desk.open_cases() == [1]
    case = desk.get(1)
    m = store.moments(valence="misery").iloc[0]
    expected = priority(
        intensity=m["intensity"],
        stakes=m["stakes"],
        value=case["priority_components"]["customer_value"] / 20,
        prior_miseries=0,
    )
    assert case["priority"] == expected["total"]
    assert case["interaction_id"] == "a1"
    assert case["customer_name"] == "Anna Berg"
    assert "lost my bag and nobody" in case["suggested_reply"]
    assert desk.check_followups() == [
        {"case_id": 1, "outcome": "recovered", "reason": "follow-up rating 9/10 on 2026-03-06"}
    ]


def test_closed_case_refuses_writes_until_reopened(store, clock):
    from carlzon.errors import ClosedCaseError

    seed_misery(store)
    desk = RecoveryDesk(store, "airline", clock=clock)
    desk.open_cases()
    desk.close(1, "recovered", "bag delivered", actor="lena")
    for write in (
        lambda: desk.note(1, "late reply", author="lena", reply=True),
        lambda: desk.assign(1, "omar"),
        lambda: desk.note(1, "x", author="lena"),
    ):
        with pytest.raises(ClosedCaseError, match="reopen"):
            write()
    assert desk.get(1)["first_response_at"] is None  # no first response after closing
    assert all(s["state"] != "due" for s in desk.get(1)["steps"])  # a closed case lists no step as due
    case = desk.reopen(1, "she wrote again: the bag is damaged", actor="lena")
    assert case["status"] == "in_progress"
    assert case["events"][-1]["kind"] == "reopened"


def test_passive_customer_opens_no_case(store, clock):
    add(
        store,
        [interaction("p1", "pat", T0, text="no complaints, no praise", nps=8, csat=4)],
        [
            moment(
                "p1",
                "pat",
                T0,
                valence="misery",
                score=-0.25,
                intensity=0.9,
                stakes="high",
                touchpoint="complaint_handling",
                evidence=[
                    {"rule": "rating", "text": "NPS 8/10 (passive)", "value": 8.0, "weight": 0.08},
                    {
                        "rule": "negation",
                        "text": "'no praise' = negated positive word",
                        "phrase": "no praise",
                        "weight": -0.45,
                    },
                ],
            )
        ],
    )
    desk = RecoveryDesk(store, "airline", clock=clock)
    assert desk.open_cases() == []
    assert desk.summary().iloc[0]["reason"] == "no_complaint"


def test_one_case_per_interaction_lists_its_miseries(store, clock):
    seed_misery(store)
    desk = RecoveryDesk(store, "airline", clock=clock)
    from carlzon.loop.opening import group_miseries
    import pandas as pd

    m = store.moments(valence="misery")
    two = pd.concat(
        [m[m["interaction_id"] == "i1"], m[m["interaction_id"] == "i1"].assign(touchpoint="check_in", stakes="medium")]
    )
    groups = group_miseries(two, desk.journey.thresholds)
    assert len(groups) == 1
    assert [x["touchpoint"] for x in groups[0]["miseries"]] == ["baggage_claim", "check_in"]


def test_daily_capacity_keeps_the_highest_priority(store, clock):
    seed_misery(store)
    every = CasePolicy(stakes=("low", "medium", "high"), min_priority=5, daily_capacity=1)
    desk = RecoveryDesk(store, "airline", clock=clock, policy=every)
    assert desk.open_cases() == [1]
    assert desk.get(1)["customer_name"] == "Anna Berg"
    assert desk.summary().set_index("reason").loc["over_capacity", "n"] == 1


def test_queue_filters(store, clock):
    seed_misery(store)
    desk = RecoveryDesk(store, "airline", clock=clock)
    desk.open_cases()
    assert list(desk.list(q="oslo")["id"]) == [1]
    assert list(desk.list(q="anna berg")["id"]) == [1]
    assert list(desk.list(touchpoint="seat")["id"]) == []
    assert list(desk.list(owner="none")["id"]) == [1]
    clock.now["t"] = clock.now["t"] + timedelta(hours=5)
    assert list(desk.list(due="overdue")["id"]) == [1]  # acknowledge was due within 2 h
    done = desk.bulk_assign([1, 99], "lena")
    assert done["assigned"] == [1]
    assert 99 in done["skipped"]
