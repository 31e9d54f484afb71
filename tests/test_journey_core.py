import pytest

from carlzon.errors import JourneyError
from carlzon.journey import Expectation, journey_from_dict, load_journey


def test_airline_loads():
    j = load_journey("airline")
    assert j.touchpoint("check_in").phase == "first"
    assert j.touchpoint("baggage_claim").stakes == "high"
    assert str(j.touchpoint("delays_cancellations").expectation) == "departure_delay_minutes <= 15"


def test_expectation_gap():
    e = Expectation.parse("departure_delay_minutes <= 15")
    assert not e.met(45)
    assert e.gap(45) == 30
    assert e.met(10)
    assert e.gap(10) == 0


def test_unknown_key_names_place_and_fix():
    with pytest.raises(JourneyError) as err:
        journey_from_dict(
            {"name": "x", "stages": [{"id": "a", "touchpoints": [{"id": "t", "phase": "first", "nmae": "T"}]}]},
            source="mine.yaml",
        )
    msg = str(err.value)
    assert "mine.yaml: stages[0].touchpoints[0]" in msg
    assert "'nmae'" in msg
    assert "did you mean 'name'" in msg


def test_unknown_template_suggests():
    with pytest.raises(JourneyError, match="did you mean 'airline'"):
        load_journey("airlin")
