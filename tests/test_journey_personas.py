"""Personas and the store walk in journey files."""

import pytest

from carlzon.errors import JourneyError
from carlzon.journey import journey_from_dict, journey_templates, load_journey


@pytest.mark.parametrize("name", journey_templates())
def test_every_template_has_two_personas(name):
    assert len(load_journey(name).personas) == 2


def test_persona_touchpoints_are_the_journeys():
    j = load_journey("airline")
    assert all(j.has_touchpoint(t) for p in j.personas for t in p.touchpoints)


def test_personas_round_trip():
    j = load_journey("hotel")
    assert journey_from_dict(j.to_dict()).personas == j.personas


def test_walk_round_trips():
    j = load_journey("retail_clothing")
    assert journey_from_dict(j.to_dict()).walk == j.walk


def test_unknown_persona_touchpoint_names_the_close_one():
    d = load_journey("hotel").to_dict()
    d["personas"][0]["touchpoints"] = ["chek_in"]
    with pytest.raises(JourneyError, match="did you mean 'check_in'"):
        journey_from_dict(d)


def test_duplicate_persona_is_refused():
    d = load_journey("hotel").to_dict()
    d["personas"].append(dict(d["personas"][0]))
    with pytest.raises(JourneyError, match="duplicate persona"):
        journey_from_dict(d)


def test_unknown_walk_step_is_refused():
    d = load_journey("retail_clothing").to_dict()
    d["walk"] = ["greting"]
    with pytest.raises(JourneyError, match="did you mean 'greeting'"):
        journey_from_dict(d)


def test_no_persona_says_how_to_add_them():
    d = load_journey("hotel").to_dict()
    d.pop("personas")
    with pytest.raises(JourneyError, match="add a 'personas:' list"):
        journey_from_dict(d).persona("business")
