"""The text scorer: each linguistic rule, batches, odd input, evidence, the lexicon file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from carlzon.detect.lexicon import load_service_lexicon, load_vader_lexicon
from carlzon.detect.text import TextScorer, TextScores, tokenize
from carlzon.errors import DetectError
from carlzon.schema import Evidence


@pytest.fixture(scope="module")
def scorer() -> TextScorer:
    return TextScorer()


def one(scorer: TextScorer, text: str | None) -> tuple[float, TextScores]:
    res = scorer.score([text])
    return float(res.score[0]), res


def rules(res: TextScores, i: int = 0) -> set[str]:
    return {e.rule for e in res.evidence(i)}


# ------------------------------------------------------------------ valence and the service lexicon
@pytest.mark.parametrize(
    "text",
    [
        "They lost my bag",
        "Flight cancelled again",
        "On hold for 45 minutes",
        "I was charged twice",
        "The agent was rude and hung up",
        "Still waiting for my refund",
        "Transferred three times, nobody helped",
    ],
)
def test_service_misery_is_negative(scorer, text):
    s, res = one(scorer, text)
    assert s < -0.2, (text, s, res.evidence(0))
    assert res.events(0), text


@pytest.mark.parametrize(
    "text",
    [
        "They upgraded me to business",
        "She remembered my name and my usual order",
        "The staff went above and beyond",
        "Fixed it in minutes",
        "They sent a free replacement",
        "Kudos to Maria at the front desk",
    ],
)
def test_service_magic_is_positive(scorer, text):
    s, res = one(scorer, text)
    assert s > 0.2, (text, s, res.evidence(0))


def test_scores_are_bounded(scorer):
    res = scorer.score(["AMAZING!!! " * 50, "WORST EVER!!! lost my bag :( 😡 " * 50, "ok"])
    assert np.all(res.score >= -1)
    assert np.all(res.score <= 1)
    assert np.all(res.intensity >= 0)
    assert np.all(res.intensity <= 1)
    assert res.score[0] > 0.9
    assert res.score[1] < -0.9


# ------------------------------------------------------------------ negation
def test_negation_flips_praise(scorer):
    pos, _ = one(scorer, "The staff were friendly")
    neg, res = one(scorer, "The staff were not friendly")
    assert pos > 0.2
    assert neg < -0.1
    assert "negation" in rules(res)
    assert any('"not friendly"' in e.text for e in res.evidence(0))


def test_not_helpful_is_negative(scorer):
    s, _ = one(scorer, "The agent was not helpful")
    assert s < -0.2


@pytest.mark.parametrize("text", ["No problems at all", "no problems", "No issues, everything went fine"])
def test_no_problems_is_positive(scorer, text):
    s, res = one(scorer, text)
    assert s > 0.2, res.evidence(0)


def test_vader_faults_are_not_copied():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    assert sia.polarity_scores("no issues")["compound"] < 0  # the known faults...
    assert sia.polarity_scores("kindly check my booking")["compound"] > 0
    assert sia.polarity_scores("please help")["compound"] > 0
    res = TextScorer().score(["no issues", "kindly check my booking", "please help"])
    assert res.score[0] > 0 and res.score[1] == 0 and res.score[2] == 0  # ...are not ours


@pytest.mark.parametrize(
    "text",
    ["Where is the security check?", "My loyalty rewards balance", "Seat comfort and entertainment on the flight"],
)
def test_touchpoint_names_are_not_praise(scorer, text):
    # VADER scores "security", "loyalty", "rewards", "comfort", "entertainment" as positive words;
    # in service language they name a touchpoint or a programme
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    assert SentimentIntensityAnalyzer().polarity_scores(text)["compound"] > 0.05
    assert scorer.score([text]).score[0] == 0


def test_never_again_is_negative(scorer):
    s, res = one(scorer, "Never again.")
    assert s < -0.4
    assert res.events(0) == ["never_again"]


def test_negation_stops_at_clause_end(scorer):
    s, _ = one(scorer, "I did not wait long. The crew were lovely")
    assert s > 0.2


def test_negated_complaint_is_mild_relief(scorer):
    s, res = one(scorer, "The driver was not rude")
    assert 0 < s < 0.4
    assert res.stakes[0] == "low"


# ------------------------------------------------------------------ intensifiers, capitals, exclamation
def test_intensifier_raises_score(scorer):
    base, _ = one(scorer, "the service was good")
    very, _ = one(scorer, "the service was very good")
    extremely, _ = one(scorer, "the service was extremely good")
    assert very > base
    assert extremely > base


def test_dampener_lowers_score(scorer):
    base, _ = one(scorer, "the room was dirty")
    bit, _ = one(scorer, "the room was slightly dirty")
    assert base < bit < 0


def test_capitals_raise_score_and_intensity(scorer):
    res = scorer.score(["the food was terrible", "the food was TERRIBLE"])
    assert res.score[1] < res.score[0] < 0
    assert res.intensity[1] > res.intensity[0]
    assert any("in capitals" in e.text for e in res.evidence(1))


def test_all_caps_text_is_not_boosted(scorer):
    res = scorer.score(["THE FOOD WAS TERRIBLE", "the food was terrible"])
    assert res.score[0] == pytest.approx(res.score[1])


def test_exclamation_marks_raise_score(scorer):
    res = scorer.score(["great service", "great service!!!"])
    assert res.score[1] > res.score[0] > 0
    assert res.intensity[1] > res.intensity[0]


# ------------------------------------------------------------------ contrast and concession
def test_but_clause_weighs_more(scorer):
    s1, res = one(scorer, "The food was good but the service was terrible")
    s2, _ = one(scorer, "The service was terrible but the food was good")
    assert s1 < 0 < s2
    assert "contrast" in rules(res)


def test_although_clause_weighs_less(scorer):
    s, res = one(scorer, "Although the flight was late, the crew were wonderful")
    assert s > 0.2
    assert "contrast" in rules(res)


# ------------------------------------------------------------------ emoji and emoticons
@pytest.mark.parametrize(
    "text,sign",
    [
        ("flight ok 😍", 1),
        ("flight ok 😡", -1),
        ("flight ok :)", 1),
        ("flight ok :(", -1),
        ("flight ok <3", 1),
        ("great:-)", 1),
    ],
)
def test_emoji_and_emoticons(scorer, text, sign):
    s, res = one(scorer, text)
    assert np.sign(s) == sign, (text, s)
    assert "emoji" in rules(res) or "lexicon" in rules(res)


def test_emoticon_evidence_shows_the_emoticon(scorer):
    _, res = one(scorer, "lost my bag :(")
    assert any(e.rule == "emoji" and e.phrase == ":(" for e in res.evidence(0))


def test_skin_tone_and_variation_selectors(scorer):
    s, _ = one(scorer, "thumbs up 👍🏽 and ❤️")
    assert s > 0.3


# ------------------------------------------------------------------ sarcasm
@pytest.mark.parametrize(
    "text",
    ["Thanks for nothing", "Great, another delay", "I just love waiting on hold", "Awesome, they lost my bag again"],
)
def test_sarcasm_is_negative(scorer, text):
    s, res = one(scorer, text)
    assert s < -0.2, (text, s, res.evidence(0))
    assert "sarcasm" in rules(res)


@pytest.mark.parametrize("text", ["thanks so much for help", "Thank you so much for sorting my seat"])
def test_thanks_so_much_for_is_thanks_not_sarcasm(scorer, text):
    s, res = one(scorer, text)
    assert s > 0.3, (text, s, res.evidence(0))
    assert "sarcasm" not in rules(res)
    assert "sarcasm" not in res.events(0)
    assert "sarcasm" in one(scorer, "so much for customer service")[1].events(0)


def test_going_to_a_place_is_not_loyalty(scorer):
    s, res = one(scorer, "need our plane to wait to go to Elmira")
    assert "loyal" not in res.events(0) and s <= 0, res.evidence(0)
    s, res = one(scorer, "you are my go-to airline")
    assert "loyal" in res.events(0)
    assert s > 0


@pytest.mark.parametrize("word", ["uncourteous", "uncaring", "unsympathetic", "unempathetic"])
def test_un_antonym_of_a_positive_word_is_negative(scorer, word):
    s, res = one(scorer, f"the agent was {word}")
    assert s < -0.2, (word, s)
    assert any(word in e.text and "negative" in e.text for e in res.evidence(0))
    assert one(scorer, word[2:])[0] > 0  # the positive word itself


def test_unlike_is_not_an_antonym(scorer):
    s, res = one(scorer, "unlike the others")
    assert s == 0
    assert not res.evidence(0)


@pytest.mark.parametrize(
    "text",
    [
        'How is this considered "on time" if it lands an hour late?',
        "their \u201cfriendly\u201d staff at the desk",
        'what a "great" experience',
    ],
)
def test_praise_in_scare_quotes_is_sarcasm(scorer, text):
    s, res = one(scorer, text)
    assert s < 0, (text, s, res.evidence(0))
    assert any("scare quotes" in e.text and e.rule == "sarcasm" for e in res.evidence(0))


def test_longer_quotes_and_names_are_not_scare_quotes(scorer):
    s, res = one(scorer, 'the agent said "we will sort it out today" and she did, great')
    assert s > 0
    assert not any("scare" in e.text for e in res.evidence(0))
    assert one(scorer, 'Great crew, "Susan" was lovely')[0] > 0


def test_the_best_they_could_do_is_resignation(scorer):
    s, res = one(scorer, "the best the agent could do is put me on a flight tomorrow afternoon")
    assert s < 0, res.evidence(0)
    assert one(scorer, "the best crew I have flown with")[0] > 0


def test_last_time_is_never_again_only_as_a_farewell(scorer):
    for text in ["this may be the last time I fly your airline", "Think this will be our last time on sw"]:
        s, res = one(scorer, text)
        assert "never_again" in res.events(0) and s < 0, text
    s, res = one(scorer, "last time I stayed here the room was lovely")
    assert "never_again" not in res.events(0)
    assert s > 0


def test_a_fee_is_a_price_not_a_billing_error(scorer):
    _, res = one(scorer, "I had to pay bag fees")
    assert "billing_error" not in res.events(0)
    assert res.stakes[0] == "low"
    assert any("price" in e.text for e in res.evidence(0))
    _, res = one(scorer, "they charged me hidden fees")
    assert "billing_error" in res.events(0)


def test_event_hits_give_category_and_words(scorer):
    res = scorer.score(["fine", "They never called back and I was left on hold", "not delayed at all"])
    rows, cats, hits = res.event_hits()
    got = [(int(r), str(c), res.hit_words(h)) for r, c, h in zip(rows, cats, hits)]
    assert (1, "ignored", "never called back") in got
    assert (1, "hold", "left on hold") in got
    assert not any(r in (0, 2) for r, _, _ in got)  # nothing in 'fine'; a negated event is left out


def test_praise_after_complaint_is_not_sarcasm(scorer):
    s, res = one(scorer, "The flight was delayed but the crew were great")
    assert s > 0
    assert "sarcasm" not in rules(res)


# ------------------------------------------------------------------ politeness is not praise
@pytest.mark.parametrize(
    "text",
    [
        "Kindly check my booking",
        "Please help",
        "Please advise, thanks in advance",
        "Can you tell me where gate 5 is? Thanks",
        "Hi, I'd like to change my seat please",
    ],
)
def test_politeness_is_not_magic(scorer, text):
    s, res = one(scorer, text)
    assert abs(s) < 0.05, (text, s, res.evidence(0))
    assert res.valence()[0] == "neutral"


def test_politeness_evidence(scorer):
    _, res = one(scorer, "Kindly check my booking")
    ev = res.evidence(0)
    assert ev
    assert ev[0].rule == "politeness"
    assert ev[0].phrase == "Kindly"


def test_thanks_for_real_help_is_magic(scorer):
    s, _ = one(scorer, "Thank you so much, you saved my trip")
    assert s > 0.3


def test_wish_is_not_praise(scorer):
    s, _ = one(scorer, "It would be nice if the staff were friendly")
    assert abs(s) < 0.1


# ------------------------------------------------------------------ stakes
@pytest.mark.parametrize(
    "text,event",
    [
        ("They lost my bag", "lost_item"),
        ("I lost my card abroad", "lost_card"),
        ("Our flight was cancelled", "cancellation"),
        ("The parcel arrived damaged", "damaged"),
        ("There is a billing error on my statement", "billing_error"),
        ("The crew ignored a safety issue", "safety"),
        ("My daughter was left alone at the gate", "child"),
        ("I needed my insulin and nobody listened", "medical"),
        ("We are going to the police due to the sexual assult on board", "safety"),
    ],
)
def test_high_stakes(scorer, text, event):
    res = scorer.score([text, "The seat was a bit small"])
    assert res.stakes[0] == "high", (text, res.evidence(0))
    assert event in res.events(0)
    assert res.intensity[0] >= 0.4
    assert res.intensity[0] > res.intensity[1]
    assert any("high stakes" in e.text for e in res.evidence(0))


def test_negated_event_has_no_stakes(scorer):
    res = scorer.score(["They didn't lose my bag this time"])
    assert res.stakes[0] == "low"
    assert res.events(0) == []


def test_low_stakes_by_default(scorer):
    res = scorer.score(["Nice coffee", "", None])
    assert list(res.stakes) == ["low", "low", "low"]


# ------------------------------------------------------------------ evidence
def test_evidence_items(scorer):
    res = scorer.score(["They lost my bag and the agent was rude"])
    ev = res.evidence(0)
    assert all(isinstance(e, Evidence) for e in ev)
    first = ev[0]
    assert first.rule == "lexicon"
    assert first.phrase == "lost my bag"
    assert first.text == '"lost my bag" = lost item, high stakes'
    assert first.weight < 0
    assert {e.phrase for e in ev} >= {"lost my bag", "rude"}
    assert res.events(0) == ["lost_item", "rude"]


def test_evidence_keeps_original_spelling(scorer):
    res = scorer.score(["The Crew Were AMAZING"])
    assert res.evidence(0)[0].phrase == "AMAZING"


def test_evidence_out_of_range(scorer):
    res = scorer.score(["ok"])
    with pytest.raises(IndexError):
        res.evidence(3)


# ------------------------------------------------------------------ batches and odd input
TEXTS = [
    "They lost my bag :(",
    None,
    "",
    "   ",
    "No problems at all!",
    "Great, another delay",
    "Kindly check my booking",
    "The food was good but the service was TERRIBLE",
    "Café très agréable, personnel très gentil 😍",
    "日本語のテキスト",
    "not helpful",
    "Thanks for nothing",
    "Although late, the crew were lovely",
    "x" * 5000,
    "🙂",
    "!!!",
    "@someone",
]


def test_batch_equals_one_by_one(scorer):
    batch = scorer.score(TEXTS)
    for i, t in enumerate(TEXTS):
        single = scorer.score([t])
        assert batch.score[i] == pytest.approx(single.score[0]), t
        assert batch.intensity[i] == pytest.approx(single.intensity[0]), t
        assert batch.stakes[i] == single.stakes[0]
        assert [e.to_dict() for e in batch.evidence(i)] == [e.to_dict() for e in single.evidence(0)]
        assert batch.events(i) == single.events(0)


def test_input_types_agree(scorer):
    texts = ["lost my bag", None, "great crew"]
    a = scorer.score(texts).score
    b = scorer.score(pd.Series(texts)).score
    c = scorer.score(pa.array(texts)).score
    d = scorer.score(pa.chunked_array([pa.array(texts[:1]), pa.array(texts[1:])])).score
    e = scorer.score(pd.Series(["lost my bag", np.nan, "great crew"])).score
    f = scorer.score(pa.array(texts, type=pa.large_string())).score
    for other in (b, c, d, e, f):
        np.testing.assert_allclose(a, other)


def test_empty_and_none(scorer):
    res = scorer.score([None, "", "   ", "..."])
    assert np.all(res.score == 0)
    assert np.all(res.intensity == 0)
    assert all(res.evidence(i) == [] for i in range(4))
    assert scorer.score([]).score.shape == (0,)


def test_non_ascii(scorer):
    res = scorer.score(["Très bien ❤", "ÉNORME problème", "Überall Verspätung 😡", "शुक्रिया"])
    assert res.score[0] > 0
    assert res.score[2] < 0
    assert np.isfinite(res.score).all()


def test_very_long_text(scorer):
    long = ("The crew were lovely and the seat was comfortable. " * 2000) + " They lost my bag."
    res = scorer.score([long])
    assert res.score[0] > 0.9
    assert "lost_item" in res.events(0)
    assert len(res.evidence(0)) <= 8


def test_bad_input_raises(scorer):
    with pytest.raises(DetectError, match="list of texts"):
        scorer.score("just one string")
    with pytest.raises(DetectError, match="strings"):
        scorer.score(pa.array([1, 2]))


def test_valence_and_frame(scorer):
    res = scorer.score(["lost my bag", "lovely crew", "what time is boarding"])
    assert list(res.valence()) == ["misery", "magic", "neutral"]
    frame = res.to_frame()
    assert list(frame.columns) == ["score", "intensity", "valence", "stakes"]
    assert len(frame) == 3
    assert list(res.n_events) == [1, 1, 0]


def test_tokenize():
    assert tokenize(["Lost my BAG!! :( #NeverAgain https://x.co/a @airline"]) == [
        ["lost", "my", "bag", ",", "emo_frown", "never", "again"]
    ]


def test_version_is_stable(scorer):
    assert scorer.version == TextScorer().version
    assert scorer.version.startswith("service-")


# ------------------------------------------------------------------ the lexicon file
def test_service_lexicon_loads_and_covers_the_events():
    entries = load_service_lexicon()
    cats = {e.category for e in entries}
    for c in [
        "delay",
        "cancellation",
        "hold",
        "transfer",
        "lost_item",
        "damaged",
        "rude",
        "ignored",
        "refund_refused",
        "double_charge",
        "broken_promise",
        "upgrade",
        "remembered",
        "above_and_beyond",
        "quick_fix",
        "free_replacement",
        "staff_praise",
        "safety",
        "medical",
        "child",
        "billing_error",
        "lost_card",
    ]:
        assert c in cats, c


def test_vader_lexicon_is_read_from_the_package():
    vader = load_vader_lexicon()
    assert len(vader) > 7000
    assert vader["good"] > 0


@pytest.mark.parametrize(
    "line,match",
    [
        ("only two\tcols", "5 tab-separated"),
        ("late\tx\t0.5\tlow\tdelay", "not a number"),
        ("late\t-9\t0.5\tlow\tdelay", r"\[-4, 4\]"),
        ("late\t-1\t0.5\tsevere\tdelay", "unknown stakes"),
        ("late\t-1\t0.5\tlow\tdelay\nlate|tardy\t-1\t0.5\tlow\tdelay", "already listed on line 1"),
    ],
)
def test_lexicon_errors_name_the_line(tmp_path, line, match):
    path = tmp_path / "lex.tsv"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(DetectError, match=match) as err:
        load_service_lexicon(path)
    assert "lex.tsv:" in str(err.value)
    assert "fix:" in str(err.value)


def test_own_lexicon_file(tmp_path):
    path = tmp_path / "lex.tsv"
    path.write_text(
        "# mine\nslow|slow wifi|wifi is slow\t-2.5\t0.6\tmedium\twifi\nnot\t0\t0\tlow\tnegation\n", encoding="utf-8"
    )
    sc = TextScorer(lexicon=path, vader=False)
    res = sc.score(["the wifi is slow", "the wifi is not slow", "great"])
    assert res.score[0] < 0 < res.score[1]
    assert res.score[2] == 0  # no VADER words
    assert res.events(0) == ["wifi"]
    assert res.stakes[0] == "medium"
    assert sc.version != TextScorer().version


@pytest.mark.parametrize("text", ["We waited for 45 minutes", "on hold for two hours", "down for three days"])
def test_numbers_in_phrases(scorer, text):
    s, res = one(scorer, text)
    assert s < -0.2, res.evidence(0)


def test_number_words_do_not_break_phrases(scorer):
    s, _ = one(scorer, "Many thanks")
    assert s > 0.2


# -- questions, middling words and an industry's own words (issue: teach it) --------------------------------------


def _valence(texts, industry=None):
    from carlzon.detect.text import TextScorer

    return [str(v) for v in TextScorer(industry=industry).score(texts).valence()]


def test_a_question_about_a_fee_is_neutral():
    assert _valence(["Is there a fee for sending money abroad?"]) == ["neutral"]


def test_a_question_with_a_praise_word_is_neutral():
    assert _valence(["Can I accept a payment in euros?"]) == ["neutral"]


def test_a_question_that_carries_a_complaint_stays_misery():
    assert _valence(["Why was my card declined again?"]) == ["misery"]


def test_where_are_cards_delivered_is_neutral():
    assert _valence(["Where are cards delivered?"]) == ["neutral"]


def test_fine_is_not_magic():
    assert _valence(["The room was fine."]) == ["neutral"]


def test_as_expected_is_not_magic():
    assert _valence(["Everything was as expected."]) == ["neutral"]


def test_swift_at_a_bank_is_a_payment_network_not_quick():
    assert _valence(["I sent it by SWIFT"], industry="financial services") == ["neutral"]


def test_swift_elsewhere_is_still_quick():
    assert _valence(["Swift service at the desk"]) == ["magic"]


def test_freezing_a_card_at_a_bank_is_a_request():
    assert _valence(["I want to freeze my card"], industry="financial services") == ["neutral"]


def test_block_at_a_bank_is_a_request():
    assert _valence(["block the card please"], industry="financial services") == ["neutral"]


def test_a_block_away_is_a_distance():
    assert _valence(["The hotel is a block away from the beach"]) == ["neutral"]


def test_a_guests_own_late_arrival_is_not_a_hotel_delay():
    assert _valence(["I arrived late at night"], industry="hospitality") == ["neutral"]


def test_arrived_late_elsewhere_is_a_delay():
    assert _valence(["The flight arrived late"]) == ["misery"]


def test_unauthorized_payment_is_fraud():
    from carlzon.detect.text import TextScorer

    assert TextScorer().score(["I found an unauthorized card payment"]).events(0) == ["fraud"]
