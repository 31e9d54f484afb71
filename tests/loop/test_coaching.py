"""Coaching: the five empathy steps are found with their words; blame, scripts and jargon are flagged."""

from carlzon.loop.coaching import EMPATHY_STEPS, coach

GOOD = (
    "Hi Anna, I'm sorry your bag did not arrive in Oslo. It was left in Frankfurt because the connection "
    "was short. We will deliver it to your address by 6 pm tomorrow and add 5,000 bonus miles."
)
BAD = (
    "We apologize for any inconvenience. Your call is important to us. As per company policy you should "
    "have checked in earlier. We will escalate your PNR and revert soon."
)


def test_good_reply_finds_every_step_with_its_words():
    r = coach(GOOD)
    assert r.score == 100
    assert set(r.steps) == set(EMPATHY_STEPS)
    assert r.steps["acknowledge"]["words"]
    assert "your bag" in r.steps["acknowledge"]["words"]
    assert "I'm sorry" in r.steps["apologize"]["words"]
    assert "because" in r.steps["explain"]["words"]
    assert any("6 pm" in w for w in r.steps["time"]["words"])
    assert any("deliver" in w for w in r.steps["fix"]["words"])
    assert r.flags == []


def test_scripted_blaming_reply_is_flagged_and_scores_low():
    r = coach(BAD)
    kinds = {f["kind"]: f["words"] for f in r.flags}
    assert "you should have" in [w.lower() for w in kinds["blame"]]
    assert "company policy" in [w.lower() for w in kinds["blame"]]
    assert "your call is important to us" in kinds["script"]
    assert "we apologize for any inconvenience" in kinds["script"]
    assert {"pnr", "escalate", "revert"} <= {w.lower() for w in kinds["jargon"]}
    assert "vague_time" in kinds
    # a script is not an apology, and 'Your call' inside a script does not acknowledge anything
    assert not r.steps["apologize"]["found"]
    assert not r.steps["acknowledge"]["found"]
    assert r.score == 0


def test_vague_time_does_not_count_as_a_time():
    r = coach("I'm sorry your flight was cancelled. We will rebook you soon.")
    assert not r.steps["time"]["found"]
    assert r.steps["fix"]["found"]
    assert r.steps["apologize"]["found"]
    assert r.steps["acknowledge"]["found"]
    assert 40 <= r.score <= 60


def test_issue_words_from_the_customer_count_as_acknowledgement():
    r = coach("So sorry about the stroller, Tom.", issue="Gate crew broke my stroller")
    assert r.steps["acknowledge"]["found"]


def test_over_promise_is_flagged():
    r = coach("Sorry! We guarantee it will be fixed immediately.")
    assert {f["kind"] for f in r.flags} == {"over_promise"}
    assert r.score < 20


def test_to_dict_is_the_contract():
    d = coach(GOOD).to_dict()
    assert isinstance(d["score"], int)
    assert 0 <= d["score"] <= 100
    assert all(isinstance(v["found"], bool) and isinstance(v["words"], list) for v in d["steps"].values())
    assert isinstance(d["flags"], list)
