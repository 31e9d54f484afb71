import numpy as np

from carlzon.detect.touchpoints import TouchpointMatcher
from carlzon.journey import load_journey

AIRLINE = load_journey("airline")


def m(**kw):
    return TouchpointMatcher(AIRLINE, **kw)


def test_explicit_column_wins_over_text():
    r = m().assign(["the flight attendant was rude"], explicit=["check_in"])
    assert r.touchpoint[0] == "check_in" and r.confidence[0] == 1.0 and r.method[0] == "column"


def test_explicit_by_name_and_unknown_id_kept_and_flagged():
    r = m().assign(["x", "y"], explicit=["Check-in", "bar_service"])
    assert r.touchpoint.tolist() == ["check_in", "bar_service"]
    assert r.flagged.tolist() == [False, True]
    assert "not in the journey" in r.evidence(1)[0].text


def test_phrases_whole_words_and_longer_phrase_preferred():
    r = m().assign(["my suitcase never came", "she is a gatekeeper", "the security line took ages"])
    assert r.touchpoint[0] == "baggage_claim"
    assert r.touchpoint[1] != "gate"  # no match inside a word
    assert r.touchpoint[2] == "security"
    two = m().assign(["the security line"])
    one = m().assign(["security"])
    assert two.confidence[0] > one.confidence[0]


def test_unknown_when_unsure():
    r = m().assign(["hello there", "ok"])
    assert r.touchpoint.tolist() == ["unknown", "unknown"]
    strict = m(min_confidence=0.9).assign(["the seat was fine"])
    assert strict.touchpoint[0] == "unknown"
    assert "unclear" in strict.evidence(0)[0].text


def test_measure_assigns_when_text_does_not():
    r = m().assign(["it was awful"], measure_touchpoint=["delays_cancellations"])
    assert r.touchpoint[0] == "delays_cancellations" and r.method[0] == "measure"


def test_similarity_catches_what_phrases_miss():
    r = m().assign(["the cabin crew's hospitality"])  # 'crew' is a phrase: phrase step
    assert r.touchpoint[0] == "cabin_crew"
    tps, conf = m().similarity(["comparing flight prices and fares"])
    assert tps[0] == "search" and 0 < conf[0] <= 1


def test_no_journey_keeps_column_only():
    r = TouchpointMatcher(None).assign(["lost my bag", "x"], explicit=[None, "till"])
    assert r.touchpoint.tolist() == ["unknown", "till"]
    assert np.all((r.confidence >= 0) & (r.confidence <= 1))


def test_higher_stakes_touchpoint_wins_when_several_are_named():
    r = m().assign(["at the gate they told us the flight is delayed", "the gate was crowded"])
    assert r.touchpoint.tolist() == ["delays_cancellations", "gate"]
    assert r.matched(0) == ["delayed"]


def test_learned_step_labels_unmatched_texts_from_the_batch_phrase_matches():
    bags = [f"my suitcase {i} never came off the carousel" for i in range(120)]
    crew = [f"the flight attendant {i} was rude to my mother" for i in range(120)]
    # no journey phrase in these, but words shared with the sure rows above
    unsure = ["never came off, still nowhere to be found", "was rude to my mother, unbelievable"]
    texts = bags + crew + unsure
    r = m(learn_min_rows=200).assign(texts)
    assert r.method[-2:].tolist() == ["learned", "learned"]
    assert r.touchpoint[-2:].tolist() == ["baggage_claim", "cabin_crew"]
    assert 0.6 <= r.confidence[-1] <= 1.0
    assert "learned from n=240" in r.evidence(len(texts) - 1)[0].text
    # off, or too few sure rows: row-by-row answers, the unmatched texts stay unknown
    for r in (m(learn=False).assign(texts), m(learn_min_rows=10_000).assign(texts)):
        assert r.touchpoint[-2:].tolist() == ["unknown", "unknown"]
        assert "learned" not in set(r.method)


def test_learned_step_never_overrides_sure_rows():
    texts = [f"lost bag number {i}" for i in range(250)] + ["the crew were rude"]
    r = m(learn_min_rows=50).assign(texts)
    assert r.touchpoint[-1] == "cabin_crew" and r.method[-1] == "phrase"
