"""Built-in journey templates and journey validation."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from carlzon.errors import JourneyError
from carlzon.journey import PHASES, journey_from_dict, journey_templates, load_journey

EXPECTED = {
    "airline",
    "coffee_shop",
    "hotel",
    "internet_provider",
    "online_shop",
    "restaurant",
    "retail_bank",
    "retail_clothing",
}
TEMPLATES = sorted(EXPECTED)


def test_all_templates_are_listed():
    assert EXPECTED <= set(journey_templates())


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_complete(name):
    j = load_journey(name)
    assert j.name == name
    assert j.title
    assert j.description
    assert j.industry
    assert len(j.stages) >= 4
    assert len(j.touchpoints) >= 12
    assert {tp.phase for tp in j.touchpoints} == set(PHASES)
    assert any(tp.stakes == "high" for tp in j.touchpoints)
    assert sum(tp.expectation is not None for tp in j.touchpoints) >= 2
    for tp in j.touchpoints:
        assert tp.name and tp.description, tp.id
        assert tp.channels, tp.id
        assert len(tp.phrases) >= 5, tp.id
        assert all(p == p.lower() and p.strip() == p and p for p in tp.phrases), tp.id
        assert len(set(tp.phrases)) == len(tp.phrases), f"{tp.id} repeats a phrase"


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_phrases_mostly_unique(name):
    j = load_journey(name)
    counts = Counter(p for tp in j.touchpoints for p in tp.phrases)
    shared = [p for p, k in counts.items() if k > 1]
    assert len(shared) <= 0.05 * len(counts), shared


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_playbook_and_magic(name):
    j = load_journey(name)
    steps = [s["step"] for s in j.playbook["steps"]]
    assert steps == ["acknowledge", "apologize", "resolve", "compensate", "follow_up"]
    hours = [s["within_hours"] for s in j.playbook["steps"]]
    assert hours == sorted(hours)
    assert all(h > 0 for h in hours)
    assert set(j.playbook["gestures"]) == {"low", "medium", "high"}
    assert "default" in j.playbook["fixes"]
    for tid in j.playbook["fixes"]:
        assert tid == "default" or j.has_touchpoint(tid), f"fix for unknown touchpoint {tid}"
    assert j.magic
    assert all({"id", "when", "say"} <= set(rule) for rule in j.magic)
    assert any(rule["id"] == "birthday" for rule in j.magic)


@pytest.mark.parametrize("name", TEMPLATES)
def test_round_trip_through_to_dict(name, tmp_path):
    j = load_journey(name)
    again = journey_from_dict(j.to_dict(), source="copy")
    assert again.to_dict() == j.to_dict()
    assert again.touchpoints == j.touchpoints
    # and through a YAML file of the user's own
    path = tmp_path / f"my_{name}.yaml"
    path.write_text(yaml.safe_dump(j.to_dict(), sort_keys=False), encoding="utf-8")
    assert load_journey(path).to_dict() == j.to_dict()
    assert load_journey(str(path)).source == str(path)


def test_retail_clothing_covers_the_listed_steps():
    j = load_journey("retail_clothing")
    ids = [tp.id for tp in j.touchpoints]
    for tid in (
        "signage",
        "entrance",
        "greeting",
        "rack_layout",
        "aisle_width",
        "stock",
        "product_knowledge",
        "staffing",
        "fitting_rooms",
        "size_colour_help",
        "alterations",
        "checkout_queue",
        "cashier",
        "folding",
        "bag_handover",
        "thank_you",
        "smiles",
    ):
        assert tid in ids
    greeting = j.touchpoint("greeting").expectation
    assert str(greeting) == "greeting_seconds <= 30"
    assert greeting.met(25)
    assert not greeting.met(45)


def test_coffee_shop_magic_has_usual_order_and_birthday():
    rules = {r["id"]: r for r in load_journey("coffee_shop").magic}
    assert {"usual_order", "birthday"} <= set(rules)
    assert "{usual_order}" in rules["usual_order"]["say"]


def test_high_stakes_where_a_practitioner_expects_them():
    assert load_journey("retail_bank").touchpoint("lost_stolen_card").stakes == "high"
    assert load_journey("retail_bank").touchpoint("fraud").stakes == "high"
    isp = load_journey("internet_provider")
    assert isp.touchpoint("outage").stakes == "high"
    assert isp.touchpoint("technical_support").stakes == "high"
    shop = load_journey("online_shop")
    for tid in ("search", "product_page", "basket_checkout", "payment", "delivery", "returns", "refunds"):
        assert shop.has_touchpoint(tid)
    assert shop.touchpoint("refunds").stakes == "high"


def test_airline_ids_others_rely_on_are_kept():
    ids = {tp.id for tp in load_journey("airline").touchpoints}
    assert {
        "search",
        "online_booking",
        "loyalty_programme",
        "check_in",
        "security",
        "gate",
        "boarding",
        "seat",
        "cabin_crew",
        "food",
        "wifi_entertainment",
        "cleanliness",
        "arrival",
        "baggage_claim",
        "delays_cancellations",
        "complaint_handling",
        "sharing",
    } <= ids


# ---- validation ---------------------------------------------------------------------------------------------


def _journey(**tp_extra):
    return {"name": "mine", "stages": [{"id": "s", "touchpoints": [{"id": "t", "phase": "first", **tp_extra}]}]}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_yaml_names_file_and_line(tmp_path):
    path = _write(tmp_path, "name: mine\nstages:\n  - id: s\n    touchpoints: [\n")
    with pytest.raises(JourneyError) as err:
        load_journey(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "line " in msg
    assert "not valid YAML" in msg
    assert "fix:" in msg


def test_repeated_yaml_key_is_an_error_not_a_silent_overwrite(tmp_path):
    path = _write(
        tmp_path,
        "name: mine\nstages:\n  - id: s\n    touchpoints:\n"
        "      - id: t\n        phase: first\n        phase: second\n",
    )
    with pytest.raises(JourneyError, match=r"line 7: key 'phase' appears twice") as err:
        load_journey(path)
    assert str(path) in str(err.value)


def test_yaml_merge_keys_still_work(tmp_path):
    path = _write(
        tmp_path,
        "name: mine\nstages:\n  - id: s\n    touchpoints:\n"
        "      - &base {id: t, phase: first, stakes: low}\n"
        "      - {<<: *base, id: u, stakes: high}\n",
    )
    j = load_journey(path)
    assert j.touchpoint("u").stakes == "high"
    assert j.touchpoint("u").phase == "first"


def test_empty_file(tmp_path):
    with pytest.raises(JourneyError, match="the journey is empty"):
        load_journey(_write(tmp_path, "# nothing yet\n"))


def test_unreadable_file(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(JourneyError, match="cannot read journey file"):
        load_journey(path)


def test_missing_file():
    with pytest.raises(JourneyError, match="does not exist"):
        load_journey("no/such/journey.yaml")


def test_unknown_template_lists_the_templates():
    with pytest.raises(JourneyError) as err:
        load_journey("hotl")
    assert "did you mean 'hotel'" in str(err.value)
    assert "retail_bank" in str(err.value)


def test_unknown_key_at_journey_level():
    with pytest.raises(JourneyError, match=r"mine.yaml: unknown key 'stage' \(fix: did you mean 'stages'\?\)"):
        journey_from_dict({"name": "mine", "stages": [], "stage": []}, source="mine.yaml")


def test_duplicate_touchpoint_id_across_stages():
    data = {
        "name": "mine",
        "stages": [
            {"id": "a", "touchpoints": [{"id": "t", "phase": "first"}]},
            {"id": "b", "touchpoints": [{"id": "t", "phase": "second"}]},
        ],
    }
    with pytest.raises(JourneyError) as err:
        journey_from_dict(data, source="mine.yaml")
    msg = str(err.value)
    assert "mine.yaml: stages[1].touchpoints[0]" in msg
    assert "duplicate touchpoint id 't'" in msg
    assert "fix: give every touchpoint its own id" in msg


def test_duplicate_stage_id():
    data = {
        "name": "mine",
        "stages": [
            {"id": "a", "touchpoints": [{"id": "t", "phase": "first"}]},
            {"id": "a", "touchpoints": [{"id": "u", "phase": "first"}]},
        ],
    }
    with pytest.raises(JourneyError, match=r"stages\[1\]: duplicate stage id 'a'"):
        journey_from_dict(data, source="mine.yaml")


@pytest.mark.parametrize("bad", ["wait_seconds = 30", "wait seconds <= 30", "wait_seconds <= thirty", "<= 30", "30"])
def test_bad_expectation(bad):
    with pytest.raises(JourneyError) as err:
        journey_from_dict(_journey(expectation=bad), source="mine.yaml")
    msg = str(err.value)
    assert "mine.yaml: stages[0].touchpoints[0].expectation" in msg
    assert "cannot read expectation" in msg
    assert "'wait_seconds <= 30'" in msg


def test_good_expectations():
    j = journey_from_dict(_journey(expectation="speed_ratio >= 0.8"))
    e = j.touchpoint("t").expectation
    assert e.measure == "speed_ratio"
    assert e.op == ">="
    assert e.bound == 0.8
    assert e.met(0.9)
    assert not e.met(0.5)
    assert e.gap(0.5) == pytest.approx(0.3)


@pytest.mark.parametrize(
    "field,value,needle",
    [
        ("phase", "third", "unknown phase 'third'"),
        ("stakes", "huge", "unknown stakes 'huge'"),
        ("id", "Check In", "is not a plain identifier"),
        ("phrases", {"a": 1}, "expected a list of words"),
        ("events", ["dealy"], "unknown event 'dealy'"),
    ],
)
def test_bad_touchpoint_fields(field, value, needle):
    with pytest.raises(JourneyError, match=needle):
        journey_from_dict(_journey(**{field: value}), source="mine.yaml")


def test_thresholds_must_be_ordered():
    data = _journey()
    data["thresholds"] = {"nps": {"misery": 9, "magic": 6}}
    with pytest.raises(JourneyError, match=r"thresholds.nps: misery threshold must be below"):
        journey_from_dict(data, source="mine.yaml")


def test_phrases_are_lower_cased():
    j = journey_from_dict(_journey(phrases=["Lost Bag", "ON HOLD"]))
    assert j.touchpoint("t").phrases == ("lost bag", "on hold")


def test_events_are_read_and_kept():
    j = journey_from_dict(_journey(phrases=["x"], events=["delay", "lost_item"]))
    assert j.touchpoint("t").events == ("delay", "lost_item")
    assert j.to_dict()["stages"][0]["touchpoints"][0]["events"] == ["delay", "lost_item"]
    assert "events" not in journey_from_dict(_journey()).to_dict()["stages"][0]["touchpoints"][0]
