import numpy as np
import pandas as pd

from carlzon.detect.ratings import rate, rating_score


def test_nps_thresholds_default():
    r = rate(pd.DataFrame({"nps": [0, 6, 7, 8, 9, 10]}))
    assert r.valence.tolist() == ["misery", "misery", "neutral", "neutral", "magic", "magic"]
    assert np.all(np.diff(r.score) > 0)  # monotone in the rating
    assert r.score[0] == -1.0
    assert r.score[-1] == 1.0


def test_journey_thresholds_are_honoured():
    strict = {"stars": {"misery": 3, "magic": 5}}
    assert rate(pd.DataFrame({"stars": [3]})).valence[0] == "neutral"
    assert rate(pd.DataFrame({"stars": [3]}), strict).valence[0] == "misery"


def test_csat_ces_stars_and_missing():
    r = rate(
        pd.DataFrame({"csat": [1, None, None, None], "ces": [None, 7, None, None], "stars": [None, None, 4, None]})
    )
    assert r.valence.tolist() == ["misery", "magic", "neutral", "neutral"]
    assert r.has_rating.tolist() == [True, True, True, False]
    assert np.isnan(r.score[3])


def test_decisive_beats_neutral_and_conflict_goes_by_mean():
    r = rate(pd.DataFrame({"nps": [7, 0, 6], "stars": [1, 5, 5]}))
    assert r.valence[0] == "misery"  # passive NPS, 1 star
    assert r.valence[1] == "neutral"  # NPS 0 (-1.0) against 5 stars (+1.0): a tie is neutral
    assert r.valence[2] == "magic"  # NPS 6 (-0.5) against 5 stars (+1.0): the mean is positive


def test_out_of_scale_values_are_ignored_and_evidence_reads():
    r = rate(pd.DataFrame({"stars": [9, 1]}))
    assert not r.has_rating[0]
    assert r.evidence(1)[0].text == "rating 1/5 (low)"
    assert r.evidence(1)[0].to_dict()["rule"] == "rating"


def test_rating_score_between_thresholds_is_small():
    s = rating_score(np.array([3.0]), "stars", {"misery": 2, "magic": 5})
    assert -0.25 < s[0] < 0.25
