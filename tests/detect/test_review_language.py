"""Review language: expectations, mild complaints, advice, return intent, and the scope of a wish."""

from __future__ import annotations

import pytest

from carlzon.detect.text import TextScorer


@pytest.fixture(scope="module")
def scorer() -> TextScorer:
    return TextScorer()


def score(scorer: TextScorer, text: str) -> float:
    return float(scorer.score([text]).score[0])


@pytest.mark.parametrize(
    "text",
    [
        "The breakfast was not what we expected",
        "For a four star place we expected more",
        "The gym is not up to par",
        "The terrace leaves something to be desired",
        "This bakery has gone downhill",
        "Not enough towels in the spa",
        "The portions were on the small side",
    ],
)
def test_expectation_let_down_is_negative(scorer, text):
    assert score(scorer, text) < -0.1


@pytest.mark.parametrize(
    "text", ["Stay far away from this garage", "Look elsewhere for a plumber", "Steer clear of it"]
)
def test_advice_to_go_elsewhere_is_negative(scorer, text):
    assert score(scorer, text) < -0.2


@pytest.mark.parametrize("text", ["Would definitely go back", "We will be going back next month", "I keep coming back"])
def test_return_intent_is_positive_also_in_the_conditional(scorer, text):
    assert score(scorer, text) > 0.2


@pytest.mark.parametrize(
    "text", ["The cheesecake is to die for", "Look no further for a barber", "The fit was spot on"]
)
def test_praise_idioms_are_positive(scorer, text):
    assert score(scorer, text) > 0.2


def test_companions_are_not_praise(scorer):
    assert score(scorer, "I came with two friends and a party of six") == 0.0


def test_praise_before_the_wish_word_counts(scorer):
    assert score(scorer, "A lovely cafe if you like quiet mornings") > 0.2


def test_praise_after_the_wish_word_does_not(scorer):
    assert abs(score(scorer, "It would be lovely if the cafe opened earlier")) < 0.1


def test_advice_to_the_reader_is_not_a_wish(scorer):
    assert score(scorer, "If you want a great haircut, go to this salon") > 0.2


def test_worth_it_despite_the_price(scorer):
    assert score(scorer, "The tickets are expensive, but worth every penny") > 0.1


def test_overrated_is_negative(scorer):
    assert score(scorer, "The most overrated bistro in town") < -0.2


def test_a_long_wait_is_negative(scorer):
    assert score(scorer, "It took a long time to get the keys") < -0.2


@pytest.mark.parametrize("text", ["There is only one lift for the whole hotel", "Only a few towels left by the pool"])
def test_only_before_a_count_is_too_little(scorer, text):
    assert score(scorer, text) < -0.1


def test_only_a_few_minutes_is_a_short_wait(scorer):
    assert score(scorer, "Check-in took only 5 minutes") > 0


def test_praise_of_the_past_is_not_for_today(scorer):
    assert score(scorer, "The pastries used to be excellent") < 0


def test_paying_extra_is_a_complaint(scorer):
    assert score(scorer, "Parking is at an extra cost") < -0.1


def test_advice_to_try_is_a_recommendation(scorer):
    assert score(scorer, "Try the lemon tart") > 0.1


@pytest.mark.parametrize("text", ["It could have been handled better", "The rooms would be nicer with new carpets"])
def test_a_comparative_in_a_wish_is_a_complaint(scorer, text):
    assert score(scorer, text) < 0


def test_what_the_customer_did_not_get_is_negative(scorer):
    assert score(scorer, "We didn't get our drinks refilled") < -0.1


def test_only_a_low_price_is_praise(scorer):
    assert score(scorer, "A fine haircut for only $12") > 0


def test_a_negated_comparison_can_praise(scorer):
    assert score(scorer, "I cannot imagine a better barber") > 0.1


def test_a_firm_no_return_is_negative(scorer):
    assert score(scorer, "I definitely wouldn't go back") < -0.2


def test_certainty_is_not_praise(scorer):
    assert score(scorer, "We will certainly order the soup") == 0.0


def test_never_that_heightens_keeps_the_sign(scorer):
    assert score(scorer, "I have never felt more unwelcome in a shop") < -0.1
