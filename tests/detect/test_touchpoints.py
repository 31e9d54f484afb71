import numpy as np
import pandas as pd

from carlzon.detect import Detector
from carlzon.detect.text import TextScorer
from carlzon.detect.touchpoints import TouchpointMatcher
from carlzon.journey import journey_from_dict, load_journey

AIRLINE = load_journey("airline")


def m(**kw):
    return TouchpointMatcher(AIRLINE, **kw)


def test_explicit_column_wins_over_text():
    r = m().assign(["the flight attendant was rude"], explicit=["check_in"])
    assert r.touchpoint[0] == "check_in"
    assert r.confidence[0] == 1.0
    assert r.method[0] == "column"


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
    assert r.touchpoint[0] == "delays_cancellations"
    assert r.method[0] == "measure"


def test_similarity_catches_what_phrases_miss():
    r = m().assign(["the cabin crew's hospitality"])  # 'crew' is a phrase: phrase step
    assert r.touchpoint[0] == "cabin_crew"
    tps, conf = m().similarity(["comparing flight prices and fares"])
    assert tps[0] == "search"
    assert 0 < conf[0] <= 1


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
    assert r.touchpoint[-1] == "cabin_crew"
    assert r.method[-1] == "phrase"


def test_plural_of_a_phrase_matches_and_evidence_quotes_the_text():
    r = m().assign(["the gate agents were lovely", "two suitcases never showed up", "deliveries"])
    assert r.touchpoint[:2].tolist() == ["gate", "baggage_claim"]
    assert r.matched(0) == ["gate agents"]  # the text's words, not the listed phrase
    assert '"gate agents" points to Gate' in r.evidence(0)[0].text
    sal = TouchpointMatcher(load_journey("internet_provider")).assign(["the salesmen lied to me"])
    assert sal.touchpoint[0] == "sales_signup"


def _shop_journey():
    return journey_from_dict(
        {
            "name": "shop",
            "stages": [
                {
                    "id": "s",
                    "touchpoints": [
                        {"id": "shop_floor", "phase": "first", "phrases": ["shop", "store"], "stakes": "medium"},
                        {
                            "id": "phone_line",
                            "name": "Phone line",
                            "phase": "second",
                            "phrases": ["phone"],
                            "stakes": "medium",
                            "events": ["hold", "ignored"],
                        },
                    ],
                }
            ],
        }
    )


def test_service_events_point_to_the_touchpoint_the_journey_ties_them_to():
    mt = TouchpointMatcher(_shop_journey())
    texts = [
        "I was put on hold",
        "in the store they put me on hold and nobody called back",
        "the store was lovely",
        "not on hold today",
    ]
    r = mt.assign(texts)
    assert r.touchpoint[:3].tolist() == ["phone_line", "phone_line", "shop_floor"]
    assert r.matched(0) == ["put on hold"]
    assert r.evidence(0)[0].text == '"put on hold" (hold) points to Phone line'
    assert "store" not in r.matched(1)
    assert "nobody called back" in r.matched(1)
    assert r.touchpoint[3] == "unknown"  # a negated event is no evidence
    # the same answer from the scores a Detector has already computed
    again = mt.assign(texts, scores=TextScorer().score(texts))
    assert again.touchpoint.tolist() == r.touchpoint.tolist()
    assert np.allclose(again.confidence, r.confidence)


def test_detector_uses_events_and_answers_row_by_row():
    det = Detector("airline")
    texts = [
        "they put me on hold for two hours and hung up",
        "They lost my suitcase at the carousel",
        "My flight is delayed again, stuck at the gate",
    ]
    one = [det.detect(pd.DataFrame({"id": ["a"], "text": [t]}))["touchpoint"][0] for t in texts]
    batch = det.detect(pd.DataFrame({"id": list("abc"), "text": texts}))
    strongest = batch.drop_duplicates("interaction_id")  # an interaction's moments come strongest first
    assert strongest["touchpoint"].tolist() == one == ["complaint_handling", "baggage_claim", "delays_cancellations"]
    assert "(hold)" in batch["reasons"][0]
    assert "points to Customer service" in batch["reasons"][0]


def test_events_of_airline_template_are_service_events():
    from carlzon.detect.lexicon import event_categories

    tied = {e for tp in AIRLINE.touchpoints for e in tp.events}
    assert {"delay", "cancellation", "hold", "lost_item"} <= tied <= event_categories()


def test_trie_regex_finds_what_a_longest_first_alternation_finds():
    import random
    import re

    from carlzon.detect.touchpoints import _trie

    words = [
        "bag",
        "bags",
        "bag drop",
        "lost bag",
        "lost",
        "gate",
        "gate agent",
        "gate change",
        "on hold",
        "hold",
        "check in",
        "check-in",
        "f/a",
        "wi-fi",
        "wifi",
    ]
    plain = re.compile(
        r"(?<![\w-])(?:"
        + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
        + r")(?![\w-])"
    )
    trie = re.compile(rf"(?<![\w-]){_trie(words)}(?![\w-])")
    rng = random.Random(0)
    vocab = [*words, "the", "agents", "lostbag", "gatehouse", "in", "drop", "-", ",", "holding", "check", "\n"]
    for _ in range(300):
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 12)))
        assert trie.findall(text) == plain.findall(text), text
    r = m().assign(["the gate\n  agents were lovely"])
    assert r.touchpoint[0] == "gate"
    assert r.matched(0) == ["gate agents"]
