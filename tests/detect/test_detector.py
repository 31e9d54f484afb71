import json

import pandas as pd
import pytest

from carlzon.detect import Detector
from carlzon.errors import DetectError
from carlzon.schema import MOMENT_COLUMNS, Interaction


@pytest.fixture
def det(scorer):
    return Detector("airline", scorer=scorer)


def one(det, **row):
    row.setdefault("id", "r")
    return det.detect(pd.DataFrame([row])).iloc[0]


def test_columns_order_and_one_row_per_input(det):
    df = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": ["wonderful", None, "rude"],
            "customer_id": ["x", "y", "z"],
            "timestamp": ["2026-01-01T10:00:00Z", None, "2026-01-02"],
            "channel": ["survey"] * 3,
        }
    )
    out = det.detect(df)
    assert list(out.columns) == list(MOMENT_COLUMNS)
    assert out.interaction_id.tolist() == ["a", "b", "c"]
    assert out.valence.tolist() == ["magic", "neutral", "misery"]
    assert str(out.timestamp.dt.tz) == "UTC"
    ev = json.loads(out.evidence[0])
    assert ev[0]["rule"] == "lexicon"
    assert ev[0]["phrase"] == "wonderful"
    assert out.reasons[2].startswith('"rude"')


def test_rating_decides_and_disagreement_is_kept(det):
    m = one(det, text="they lost my bag", stars=5)
    assert m.valence == "magic"
    assert 'rating 5/5 but the text reads as misery ("lost my bag")' in m.reasons
    rules = [e["rule"] for e in json.loads(m.evidence)]
    assert {"rating", "contrast", "lexicon"} <= set(rules)
    assert m.moment_of_truth  # high stakes text still marks a moment of truth
    assert one(det, text="wonderful", nps=2).valence == "misery"


def test_passive_rating_lets_clear_text_decide(det):
    assert one(det, text="wonderful", stars=3).valence == "magic"
    assert one(det, text="meh", stars=3).valence == "neutral"  # weak text stays neutral


def test_journey_thresholds_change_the_verdict(scorer, tmp_path):
    from carlzon.journey import load_journey

    d = load_journey("airline").to_dict()
    d["thresholds"]["stars"] = {"misery": 3, "magic": 5}
    strict = Detector(__import__("carlzon.journey", fromlist=["x"]).journey_from_dict(d), scorer=scorer)
    assert one(strict, stars=3).valence == "misery"
    assert one(Detector("airline", scorer=scorer), stars=3).valence == "neutral"


def test_expectation_without_rating_or_text(det):
    m = one(det, measures={"departure_delay_minutes": 45})
    assert m.valence == "misery"
    assert m.touchpoint == "delays_cancellations"
    assert m.moment_of_truth
    assert "45 min against <= 15 expected" in m.reasons
    mild = one(det, measures={"departure_delay_minutes": 20})
    assert mild.intensity < m.intensity
    ok = one(det, measures='{"departure_delay_minutes": 2}')
    assert ok.valence == "neutral"
    assert not ok.moment_of_truth


def test_measure_assigns_touchpoint_and_explicit_wins(det):
    assert one(det, text="rude", measures={"departure_delay_minutes": 45}).touchpoint == "delays_cancellations"
    m = one(det, text="rude staff at the gate", touchpoint="check_in", measures={"wait_minutes": 40})
    assert m.touchpoint == "check_in"
    assert m.touchpoint_confidence == 1.0
    assert "wait 40 min against <= 15 expected" in m.reasons  # judged against check-in's expectation


def test_unknown_touchpoint_when_unsure(det):
    m = one(det, text="wonderful")
    assert m.touchpoint == "unknown"
    assert m.touchpoint_confidence < 0.35


def test_high_stakes_raise_intensity_and_mark_moment_of_truth(det):
    low = one(det, text="rude")
    high = one(det, text="lost my card and rude")
    assert high.stakes == "high"
    assert high.moment_of_truth
    assert high.intensity > low.intensity
    assert not low.moment_of_truth
    # a touchpoint's high stakes count on a moment of misery there
    bag = one(det, text="rude at baggage claim")
    assert bag.touchpoint == "baggage_claim"
    assert bag.stakes == "high"
    happy_bag = one(det, text="wonderful baggage claim")
    assert happy_bag.stakes == "low"


def test_score_stays_in_the_valence_band(det):
    out = det.detect(pd.DataFrame({"text": ["wonderful", "rude", None, "meh"], "nps": [0, 10, 7, None]}))
    for v, s in zip(out.valence, out.score):
        assert -1 <= s <= 1
        assert v != "magic" or s > 0
        assert v != "misery" or s < 0
        assert v != "neutral" or abs(s) <= 0.3
    assert out.interaction_id.tolist() == ["0", "1", "2", "3"]


def test_detect_one_matches_detect(det):
    i = Interaction(id="x", text="they lost my bag", stars=1, customer_id="c1", channel="review")
    mo = det.detect_one(i)
    row = det.detect(pd.DataFrame([{"id": "x", "text": "they lost my bag", "stars": 1}])).iloc[0]
    assert mo.valence == row.valence == "misery"
    assert mo.reasons == row.reasons
    assert mo.customer_id == "c1"
    assert mo.evidence[0].rule == "rating"


def test_no_journey_default_thresholds(scorer):
    m = (
        Detector(scorer=scorer)
        .detect(pd.DataFrame({"text": ["lost my bag"], "nps": [9], "measures": ['{"x": 1}']}))
        .iloc[0]
    )
    assert m.valence == "magic"
    assert m.touchpoint == "unknown"


def test_bad_input_errors_name_the_fix(det, scorer):
    with pytest.raises(DetectError, match="DataFrame"):
        det.detect([{"text": "x"}])
    with pytest.raises(DetectError, match="Interaction"):
        det.detect_one({"id": "x"})
    with pytest.raises(DetectError, match="touchpoint_min_confidence"):
        Detector(touchpoint_min_confidence=2, scorer=scorer)
    with pytest.raises(DetectError, match="row 0.*JSON"):
        det.detect(pd.DataFrame({"measures": ["{oops"]}))


def test_empty_frame(det):
    out = det.detect(pd.DataFrame({"id": [], "text": []}))
    assert len(out) == 0
    assert list(out.columns) == list(MOMENT_COLUMNS)


def test_an_unauthorized_card_payment_reaches_the_fraud_touchpoint():
    m = Detector("retail_bank").detect(pd.DataFrame({"id": ["a"], "text": ["I found an unauthorized card payment"]}))
    assert (m.loc[0, "touchpoint"], m.loc[0, "valence"]) == ("fraud", "misery")


def test_a_bank_journey_reads_swift_as_a_payment_network():
    m = Detector("retail_bank").detect(pd.DataFrame({"id": ["a"], "text": ["Can I accept a SWIFT transfer?"]}))
    assert m.loc[0, "valence"] == "neutral"
