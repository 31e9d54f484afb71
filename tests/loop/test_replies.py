"""The suggested first reply: names the specific problem, apologizes, says what happens next and by when,
offers the playbook's gesture; no vague filler and nothing the company cannot promise, for every template."""

from datetime import datetime, UTC

import pandas as pd
import pytest

from carlzon.detect import Detector
from carlzon.journey import journey_templates, load_journey
from carlzon.loop.coaching import coach
from carlzon.loop.replies import check_reply, describe_problem, suggest_reply

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def detected_case(journey, text, **extra):
    df = pd.DataFrame(
        [
            {
                "id": "r1",
                "customer_id": "c1",
                "timestamp": pd.Timestamp("2026-03-02 09:00", tz="UTC"),
                "channel": "survey",
                "text": text,
                **extra,
            }
        ]
    )
    m = Detector(journey).detect(df).iloc[0].to_dict()
    return dict(m, customer_name="Anna Berg", moment_at=m["timestamp"], deadlines={}, owner="Lena")


def test_reply_from_real_detector_evidence():
    case = detected_case(
        "airline",
        "They lost my bag and nobody helped. I waited 45 minutes at the carousel.",
        nps=1.0,
        measures='{"bag_wait_minutes": 45}',
    )
    reply = suggest_reply(case, load_journey("airline"), now=NOW)
    assert reply.splitlines()[0] == "Hi Anna,"
    assert '"lost my bag"' in reply  # the customer's own words
    assert "your bag wait was 45 minutes, where we aim for 20 at most" in reply  # the expectation gap
    assert "I am sorry" in reply
    assert "we will trace your bag and deliver it to your address" in reply  # the playbook's fix
    assert "by Tuesday 3 March, 12:00 UTC" in reply  # resolve within 24 h
    assert "a travel voucher and a personal call from the duty manager" in reply  # gesture for high stakes
    assert reply.splitlines()[-1] == "Lena"
    assert check_reply(reply) == []
    r = coach(reply)
    assert r.score == 100, r.steps


@pytest.mark.parametrize("name", journey_templates())
@pytest.mark.parametrize("stakes", ["low", "medium", "high"])
def test_every_template_reply_has_no_filler_and_no_over_promise(name, stakes):
    j = load_journey(name)
    tp = j.touchpoints[0]
    case = {
        "customer_name": None,
        "touchpoint": tp.id,
        "stakes": stakes,
        "moment_at": "2026-03-02T09:00:00+00:00",
        "evidence": [{"rule": "lexicon", "text": "x", "phrase": "waited forever", "weight": -0.6}],
        "deadlines": {},
    }
    reply = suggest_reply(case, j, now=NOW)
    assert reply.startswith("Hello,")
    assert check_reply(reply, j) == [], reply
    gesture = (j.playbook.get("gestures") or {}).get(stakes)
    if gesture:
        assert gesture in reply
    assert coach(reply).steps["apologize"]["found"]
    assert coach(reply).steps["time"]["found"]


def test_check_reply_catches_filler_and_over_promises():
    bad = "We value your feedback. We guarantee this will never happen again and refund you immediately."
    problems = check_reply(bad)
    assert "filler: 'we value your feedback'" in problems
    assert "over-promise: 'guarantee'" in problems
    assert "over-promise: 'immediately'" in problems
    assert "over-promise: 'never happen again'" in problems


def test_a_promise_the_playbook_makes_is_allowed():
    import copy

    j = load_journey("coffee_shop")
    data = copy.deepcopy(j.to_dict())
    data["playbook"]["gestures"]["high"] = "a full refund and a week of free coffee"
    from carlzon.journey import journey_from_dict

    mine = journey_from_dict(data)
    assert check_reply("We offer a full refund and a week of free coffee.", mine) == []
    assert check_reply("We offer a full refund.", j) == ["over-promise: 'full refund'"]


def test_problem_falls_back_to_a_short_quote_then_the_rating():
    assert (
        describe_problem({"text": "The app crashed twice while paying", "evidence": []})
        == 'you told us "The app crashed twice while paying"'
    )
    assert describe_problem({"evidence": [{"rule": "rating", "text": "rating 1/5"}]}) == "you gave us rating 1/5"


# --- replies worth sending (issue 18) ---------------------------------------------------------------
from datetime import datetime as _dt, UTC  # noqa: E402
from pathlib import Path as _Path  # noqa: E402

import pytest as _pytest  # noqa: E402

from carlzon.journey import load_journey as _load  # noqa: E402
from carlzon.loop.replies import (  # noqa: E402
    describe_problem as _describe,
    impossible_promises as _impossible,
    quotes_lone_word as _lone,
    suggest_reply as _suggest,
)

_DELAY = {
    "touchpoint": "delays_cancellations",
    "stakes": "high",
    "moment_at": "2026-01-05T08:00:00+00:00",
    "text": "Ugh. My flight to Oslo was cancelled and nobody told us why. Disappointed.",
    "evidence": [
        {
            "rule": "lexicon",
            "text": '"cancelled" = cancellation, high stakes',
            "phrase": "cancelled",
            "value": "cancellation",
            "weight": -0.5,
        },
        {"rule": "lexicon", "text": '"Disappointed" = negative word', "phrase": "Disappointed", "weight": -0.85},
    ],
    "deadlines": {},
}


def test_reply_quotes_the_clause_not_a_lone_word():
    problem = _describe(_DELAY)
    assert '"My flight to Oslo was cancelled and nobody told us why"' in problem


def test_reply_never_quotes_a_lone_word():
    reply = _suggest(_DELAY, _load("airline"), now=_dt(2026, 1, 5, 9, tzinfo=UTC))
    assert _lone(reply) == []


def test_reply_offers_the_time_bound_fix_while_it_is_possible():
    reply = _suggest(_DELAY, _load("airline"), now=_dt(2026, 1, 5, 9, tzinfo=UTC))
    assert "next available flight" in reply


def test_reply_months_later_promises_no_next_flight():
    now = _dt(2026, 6, 1, 9, tzinfo=UTC)
    reply = _suggest(_DELAY, _load("airline"), now=now)
    assert "next available flight" not in reply
    assert _impossible(reply, _DELAY, now) == []


def test_a_past_deadline_is_flagged():
    now = _dt(2026, 6, 1, 9, tzinfo=UTC)
    assert _impossible("I will confirm it by Monday 2 March, 10:00 UTC.", _DELAY, now)


_TWCS = _Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "customer_support_twitter"


@_pytest.mark.skipif(not (_TWCS / "twcs.csv").exists(), reason="customer_support_twitter data set absent")
def test_real_support_threads_no_lone_word_no_impossible_promise():
    import sys

    sys.path.insert(0, str(_Path(__file__).resolve().parents[2] / "bench"))
    import replies as bench

    cases = bench.cases(bench.threads(_TWCS))
    assert len(cases) >= 500
    journey, late = _load("online_shop"), _dt.now(UTC)
    bad = [
        c["id"]
        for c in cases
        for reply in [_suggest(c, journey, now=late)]
        if _lone(reply) or _impossible(reply, c, late)
    ]
    assert bad == []
