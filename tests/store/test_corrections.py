"""Corrections: applied at once, kept with who and when, never overwritten by re-detection, labels for training."""

from __future__ import annotations

import pandas as pd
import pytest

from carlzon.errors import CarlzonError
from carlzon.journey import load_journey
from carlzon.store.corrections import correct, corrections, labelled_texts, reapply


def _moment(tp="unknown", valence="neutral", score=0.0, iid="a"):
    return pd.DataFrame(
        {
            "interaction_id": [iid],
            "touchpoint": [tp],
            "valence": [valence],
            "score": [score],
            "reasons": ["touchpoint unclear"],
        }
    )


@pytest.fixture
def filled(store):
    store.add_interactions(pd.DataFrame({"id": ["a", "b"], "text": ["my card was declined", "app crashed"]}))
    store.add_moments(_moment())
    store.add_moments(_moment("mobile_app", "misery", -0.6, iid="b"))
    return store


def _row(store, iid="a"):
    m = store.moments()
    return m[m["interaction_id"] == iid].iloc[0]


def test_a_correction_counts_at_once(filled):
    correct(filled, "a", touchpoint="card_payments", by="ann")
    assert _row(filled)["touchpoint"] == "card_payments"


def test_a_valence_correction_moves_the_score_into_its_band(filled):
    correct(filled, "a", valence="misery", by="ann")
    r = _row(filled)
    assert (r["valence"], float(r["score"]) <= -0.05) == ("misery", True)


def test_re_detection_does_not_overwrite_a_correction(filled):
    correct(filled, "a", touchpoint="card_payments", valence="misery", by="ann")
    filled.add_moments(_moment())  # detected again as before
    r = _row(filled)
    assert (r["touchpoint"], r["valence"]) == ("card_payments", "misery")


def test_who_and_when_are_kept(filled):
    correct(filled, "a", touchpoint="card_payments", by="ann", role="agent")
    c = corrections(filled).iloc[0]
    assert (c["corrected_by"], c["role"], c["detected_touchpoint"], pd.notna(c["created_at"])) == (
        "ann",
        "agent",
        "unknown",
        True,
    )


def test_a_later_correction_wins_and_the_first_stays_as_history(filled):
    correct(filled, "a", touchpoint="card_payments", by="ann")
    correct(filled, "a", detected_touchpoint="card_payments", touchpoint="fees", by="bob")
    assert (_row(filled)["touchpoint"], len(corrections(filled)), len(corrections(filled, latest=True))) == (
        "fees",
        2,
        1,
    )


def test_the_reasons_say_who_corrected(filled):
    correct(filled, "a", touchpoint="card_payments", by="ann")
    assert _row(filled)["reasons"].startswith("corrected by ann: touchpoint card_payments")


def test_other_moments_are_untouched(filled):
    correct(filled, "a", touchpoint="card_payments", by="ann")
    assert _row(filled, "b")["touchpoint"] == "mobile_app"


def test_corrections_are_labels_with_their_text(filled):
    correct(filled, "a", touchpoint="card_payments", valence="misery", by="ann")
    lab = labelled_texts(filled)
    assert lab[["text", "touchpoint", "valence"]].values.tolist() == [
        ["my card was declined", "card_payments", "misery"]
    ]


def test_a_touchpoint_the_journey_lacks_is_refused(filled):
    with pytest.raises(CarlzonError, match="not a touchpoint"):
        correct(filled, "a", touchpoint="gate", by="ann", journey=load_journey("retail_bank"))


def test_a_correction_needs_who(filled):
    with pytest.raises(CarlzonError, match="who"):
        correct(filled, "a", touchpoint="fees", by=" ")


def test_a_correction_of_an_unknown_interaction_is_refused(filled):
    with pytest.raises(CarlzonError, match="no moment"):
        correct(filled, "zz", touchpoint="fees", by="ann")


def test_reapply_without_corrections_changes_nothing(filled):
    assert reapply(filled) == 0
