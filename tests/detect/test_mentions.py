from carlzon.detect.aspects import aspect_of
from carlzon.detect.mentions import find_mentions, split_clauses
from carlzon.detect.touchpoints import TouchpointMatcher
from carlzon.journey import load_journey

TEXT = "Dr. Smith checked us in; the room was dirty but the view was great. Will return!"


def pieces(text):
    _, start, end, _ = split_clauses([text])
    return [text[s:e] for s, e in zip(start, end)]


def test_sentences_keep_abbreviations():
    assert pieces(TEXT)[0] == "Dr. Smith checked us in"


def test_clauses_split_at_contrast_and_keep_the_word():
    assert "but the view was great." in pieces(TEXT)


def test_spans_skip_empty_and_missing_texts():
    row, _, _, _ = split_clauses([None, "", "  ", "ok"])
    assert row.tolist() == [3]


def test_non_ascii_spans_are_characters():
    text = "Café was lovely 😀, the wifi awful"
    assert pieces(text) == ["Café was lovely 😀", "the wifi awful"]


def test_mentions_of_a_batch_come_in_text_order():
    m = find_mentions(["Coffee amazing, service terrible", "hello"], TouchpointMatcher(load_journey("coffee_shop")))
    assert m.row.tolist() == [0, 0, 1]


def test_a_touchpoint_without_words_joins_what_is_said_of_it():
    m = find_mentions(["The breakfast and the staff were awful"], TouchpointMatcher(load_journey("hotel")))
    assert sorted(m.touchpoints[0]) == ["breakfast", "staff"]
    assert len(m) == 1


def test_aspects():
    assert aspect_of(["way overpriced", "we waited an hour", "so rude", "spotless", None]) == [
        "price_value",
        "speed_waiting",
        "staff_attitude",
        "cleanliness",
        None,
    ]


def test_a_touchpoint_the_place_does_not_have_is_missed():
    m = find_mentions(["The spa does not have a sauna"], TouchpointMatcher(load_journey("hotel")))
    assert bool(m.absent[0])
    assert m.score[0] < 0


def test_a_short_verdict_speaks_of_the_previous_sentence():
    m = find_mentions(["Breakfast was cold toast. Very disappointing."], TouchpointMatcher(load_journey("hotel")))
    assert [t for t in m.touchpoints] == [("breakfast",), ("breakfast",)]
    assert m.score[1] < 0


def test_a_verdict_after_a_plain_mention_carries_over():
    text = "The breakfast was a tray of toast and jam. Poor for a hotel of this class."
    m = find_mentions([text], TouchpointMatcher(load_journey("hotel")))
    assert m.touchpoints[-1] == ("breakfast",)
    assert bool(m.inherited[-1])


def test_a_new_sentence_with_its_own_opinion_does_not_carry_over():
    text = "The breakfast was awful. The town itself is a delight to walk around in the evening."
    m = find_mentions([text], TouchpointMatcher(load_journey("hotel")))
    assert m.touchpoints[-1] == ()
