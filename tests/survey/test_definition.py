"""Survey definitions: built from the journey, importance before performance, per persona, short, ordered."""

import pytest

from carlzon.errors import SurveyError
from carlzon.survey import Survey, build_survey, load_survey
from carlzon.survey.definition import expectation_words


@pytest.fixture(scope="module")
def first_time():
    return build_survey("retail_clothing", persona="first_time")


def test_blocks_ask_importance_before_performance(first_time):
    assert [b.id for b in first_time.blocks] == ["importance", "performance", "outcome", "open"]


def test_persona_survey_asks_about_the_personas_touchpoints(first_time):
    from carlzon.journey import load_journey

    assert first_time.touchpoints == list(load_journey("retail_clothing").persona("first_time").touchpoints)


def test_every_touchpoint_has_an_importance_and_a_performance_question(first_time):
    kinds = {(q.kind, q.touchpoint) for q in first_time.questions}
    assert all(("importance", t) in kinds and ("performance", t) in kinds for t in first_time.touchpoints)


def test_wording_comes_from_the_name_and_the_expectation(first_time):
    assert first_time.question("perf_greeting").text == "Greeting at the door (within 30 seconds)"


def test_survey_for_everyone_asks_the_persona_first():
    s = build_survey("airline", touchpoints=["check_in", "seat", "food"])
    assert [c for c, _ in s.question("persona").choices] == ["business", "leisure"]


def test_outcome_as_chosen():
    assert build_survey("hotel", persona="business", outcome="ces").question("ces").scale == (1, 7)


def test_long_survey_carries_a_length_warning():
    assert "more than the limit of 20" in build_survey("retail_clothing").warnings[0]


def test_short_survey_has_no_warning(first_time):
    assert first_time.warnings == []


def test_order_is_random_within_blocks_and_fixed_per_respondent(first_time):
    orders = {tuple(first_time.order_for(f"r{i}")[1]) for i in range(20)}
    assert len(orders) > 10
    assert first_time.order_for("r1") == first_time.order_for("r1")


def test_importance_block_stays_before_performance_when_first(first_time):
    _, order = first_time.order_for("x")
    assert max(order.index(f"imp_{t}") for t in first_time.touchpoints) < min(
        order.index(f"perf_{t}") for t in first_time.touchpoints
    )


def test_split_ballot_gives_both_block_orders():
    s = build_survey("hotel", persona="leisure", block_order="split")
    assert {s.order_for(f"r{i}")[0] for i in range(40)} == {"importance_first", "importance_last"}


def test_importance_last_moves_it_after_the_outcome():
    s = build_survey("hotel", persona="leisure", block_order="importance_last")
    _, order = s.order_for("x")
    assert order.index("nps") < min(order.index(f"imp_{t}") for t in s.touchpoints)


def test_yaml_round_trip(first_time):
    assert Survey.from_yaml(first_time.to_yaml()) == first_time


def test_yaml_file_round_trip(first_time, tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(first_time.to_yaml(), encoding="utf-8")
    assert load_survey(p) == first_time


def test_unknown_key_names_the_fix(first_time):
    text = first_time.to_yaml().replace("block_order:", "blok_order:")
    with pytest.raises(SurveyError, match="did you mean 'block_order'"):
        Survey.from_yaml(text)


def test_unknown_persona_names_the_personas():
    from carlzon.errors import JourneyError

    with pytest.raises(JourneyError, match="first_time, regular"):
        build_survey("retail_clothing", persona="tourist")


def test_answer_outside_the_scale_is_refused(first_time):
    with pytest.raises(SurveyError, match="outside 1-5"):
        first_time.question("imp_stock").check("6")


def test_not_used_is_missing(first_time):
    assert first_time.question("perf_stock").check("na") is None


def test_outcome_is_needed(first_time):
    with pytest.raises(SurveyError, match="needs an answer"):
        first_time.question("nps").check("")


def test_expectation_words_for_a_lower_bound():
    from carlzon.journey import Expectation

    assert expectation_words(Expectation.parse("queue_minutes <= 5")) == "within 5 minutes"


def test_codes_are_letters_and_digits_for_other_tools(first_time):
    assert all(q.code.isalnum() for q in first_time.questions)
