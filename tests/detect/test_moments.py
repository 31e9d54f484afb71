import json

import pandas as pd
import pytest

from carlzon.detect import Detector
from carlzon.schema import MOMENT_COLUMNS

HOTEL = (
    "The room was spotless and the bed very comfortable, but the front desk clerk was rude and check-in "
    "took 45 minutes. Breakfast was great."
)


def moments(journey, text, **cols):
    df = pd.DataFrame({"id": ["a"], "text": [text], **{k: [v] for k, v in cols.items()}})
    return Detector(journey).detect(df)


def by_tp(m):
    return dict(zip(m.touchpoint, m.valence))


def test_a_review_of_several_touchpoints_gives_a_moment_at_each():
    got = by_tp(moments("hotel", HOTEL))
    assert (got["room_condition"], got["check_in"], got["breakfast"]) == ("magic", "misery", "magic")


def test_two_miseries_and_a_magic():
    m = moments("hotel", "Parking cost a fortune and the wifi never worked. Staff were lovely though.")
    assert sorted(m.valence) == ["magic", "misery", "misery"]


def test_the_staff_magic_is_kept_beside_the_miseries():
    m = moments("hotel", "Parking cost a fortune and the wifi never worked. Staff were lovely though.")
    assert by_tp(m)["staff"] == "magic"


def test_a_comma_between_two_touchpoints():
    got = by_tp(moments("coffee_shop", "Coffee amazing, service terrible"))
    assert sorted(got.values()) == ["magic", "misery"]


def test_one_row_per_interaction_and_touchpoint():
    m = moments("hotel", HOTEL + " The room was tidy.")
    assert not m.duplicated(["interaction_id", "touchpoint"]).any()


def test_columns_are_the_contract():
    assert list(moments("hotel", HOTEL).columns) == list(MOMENT_COLUMNS)


def test_spans_index_the_text():
    m = moments("hotel", HOTEL)
    row = m.set_index("touchpoint").loc["check_in"]
    ((start, end),) = json.loads(row.spans)
    assert HOTEL[start:end] == "but the front desk clerk was rude and check-in took 45 minutes."


def test_text_evidence_carries_its_span():
    m = moments("hotel", HOTEL)
    ev = json.loads(m.set_index("touchpoint").loc["check_in"].evidence)
    spans = [tuple(e["span"]) for e in ev if e["rule"] == "lexicon"]
    assert spans
    assert all(HOTEL[s:e].startswith("but the front desk") for s, e in spans)


def test_overall_valence_is_the_same_on_every_row():
    m = moments("hotel", HOTEL, stars=2)
    assert set(m.overall_valence) == {"misery"}


def test_the_rating_is_the_overall_not_each_moment():
    m = moments("hotel", HOTEL, stars=2)
    assert by_tp(m)["breakfast"] == "magic"


def test_sarcasm_across_a_comma_stays_one_mention():
    m = moments("airline", "Great, another delay")
    assert (m.touchpoint.tolist(), m.valence.tolist()) == (["delays_cancellations"], ["misery"])


def test_no_touchpoint_gives_one_unknown_moment():
    m = moments("airline", "hello there, nice day")
    assert m.touchpoint.tolist() == ["unknown"]


def test_a_pronoun_sentence_speaks_of_the_previous_touchpoint():
    m = moments("hotel", "We loved the breakfast. It was filthy though, the room I mean.")
    assert len(m) >= 1
    assert "breakfast" in set(m.touchpoint)


# -- ratings per touchpoint ---------------------------------------------------------------------
SURVEY = {"Seat comfort": 1, "Food and drink": 5, "Cleanliness": 3}


def test_ratings_only_rows_give_a_moment_per_rated_touchpoint():
    m = Detector("airline").detect(pd.DataFrame({"id": ["s"], "ratings": [SURVEY]}))
    assert by_tp(m) == {"seat": "misery", "food": "magic", "cleanliness": "neutral"}


def test_rating_moments_have_no_spans_and_basis_rating():
    m = Detector("airline").detect(pd.DataFrame({"id": ["s"], "ratings": [json.dumps(SURVEY)]}))
    assert set(m.spans) == {"[]"}
    assert set(m.basis) == {"rating"}


def test_the_rating_is_the_evidence():
    m = Detector("airline").detect(pd.DataFrame({"id": ["s"], "ratings": [SURVEY]}))
    assert m.set_index("touchpoint").loc["seat"].reasons == "Seat comfort 1/5 (low)"


def test_a_declared_scale_is_used():
    det = Detector("airline", rating_scales={"*": (0, 10)})
    m = det.detect(pd.DataFrame({"id": ["s"], "ratings": [{"Seat comfort": 5}]}))
    assert m.valence.tolist() == ["neutral"]


def test_zero_on_a_one_to_five_scale_is_not_rated():
    m = Detector("airline").detect(
        pd.DataFrame({"id": ["s", "t"], "ratings": [{"Seat comfort": 0}, {"Seat comfort": 4}]})
    )
    assert m.interaction_id.tolist() == ["s", "t"]
    assert m.touchpoint.tolist() == ["unknown", "seat"]


def test_text_and_rating_of_one_touchpoint_combine():
    m = Detector("airline").detect(
        pd.DataFrame({"id": ["s"], "text": ["The seat was awful, the crew lovely"], "ratings": [{"Seat comfort": 5}]})
    )
    seat = m.set_index("touchpoint").loc["seat"]
    assert (seat.basis, seat.valence) == ("text+rating", "magic")


def test_disagreement_is_kept_in_the_evidence():
    m = Detector("airline").detect(
        pd.DataFrame({"id": ["s"], "text": ["The seat was awful, the crew lovely"], "ratings": [{"Seat comfort": 5}]})
    )
    assert "Seat comfort 5/5 but the text reads as misery" in m.set_index("touchpoint").loc["seat"].reasons


@pytest.mark.parametrize("text", ["", None])
def test_empty_text_with_rating(text):
    m = Detector("airline").detect(pd.DataFrame({"id": ["s"], "text": [text], "stars": [1]}))
    assert (m.valence.tolist(), m.basis.tolist(), m.spans.tolist()) == (["misery"], ["rating"], ["[]"])


def test_a_batch_keeps_input_order():
    df = pd.DataFrame({"id": ["x", "y", "z"], "text": [HOTEL, "hello", "Coffee amazing, service terrible"]})
    m = Detector("hotel").detect(df)
    assert m.interaction_id.drop_duplicates().tolist() == ["x", "y", "z"]


def test_a_one_touchpoint_text_has_evidence_spans_too():
    text = "They lost my bag"
    ev = json.loads(moments("airline", text).evidence[0])
    s, e = next(x["span"] for x in ev if x["rule"] != "touchpoint")
    assert text[s:e] == "lost my bag"
