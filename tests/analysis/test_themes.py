"""Themes: groups by what customers say, labels, noise left out, trend, reproducibility, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carlzon.analysis.themes import Themes, clean_text, key_phrases
from carlzon.errors import AnalysisError, MissingExtraError, NotEnoughDataError

BAGS = [
    "they lost my bag and nobody knows where it is",
    "lost bag again, no call back",
    "my bag was lost on the way home",
    "still waiting for my lost bag",
    "the airline lost my bag twice",
]
STAFF = [
    "the gate agent was rude to my mother",
    "rude staff at the gate",
    "gate agent rude and unhelpful",
    "rude gate agent shouted at us",
    "staff at the gate were so rude",
]
NOISE = ["xylophone", "the weather", "purple elephants everywhere", "quantum", "random words here"]


def _frame(n_rep: int = 3, start: str = "2026-01-05") -> pd.DataFrame:
    texts = (BAGS + STAFF) * n_rep + NOISE
    ts = pd.date_range(start, periods=len(texts), freq="12h", tz="UTC")
    return pd.DataFrame({"text": texts, "valence": "misery", "touchpoint": "baggage_claim", "timestamp": ts})


def test_two_themes_with_readable_labels_and_noise_unassigned():
    th = Themes(min_size=5, max_themes=3).fit(_frame())
    labels = th.themes_["label"].tolist()
    assert any("lost bag" in l for l in labels)
    assert any("rude" in l for l in labels)
    bag = th.themes_[th.themes_["label"].str.contains("lost bag")].iloc[0]
    assert bag["n"] == 15
    assert bag["group_n"] == 35
    assert all("bag" in e for e in bag["examples"])
    # the five noise texts are in no theme
    assert th.assignments_.iloc[-5:].isna().all()
    assert th.unassigned_share_ == pytest.approx(5 / 35)


def test_groups_per_valence_and_touchpoint():
    a = _frame().assign(touchpoint="baggage_claim")
    b = _frame().assign(touchpoint="gate", valence="magic")
    th = Themes(min_size=5, max_themes=3).fit(pd.concat([a, b]))
    assert set(zip(th.themes_["valence"], th.themes_["touchpoint"])) == {("misery", "baggage_claim"), ("magic", "gate")}
    assert th.themes_["theme_id"].is_unique


def test_neutral_moments_are_left_out_by_default():
    df = _frame().assign(valence="neutral")
    with pytest.raises(NotEnoughDataError, match="valences"):
        Themes().fit(df)


def test_reproducible_with_fixed_seed():
    df = _frame()
    a = Themes(min_size=5, seed=3).fit(df)
    b = Themes(min_size=5, seed=3).fit(df)
    pd.testing.assert_series_equal(a.assignments_, b.assignments_)
    assert a.themes_["label"].tolist() == b.themes_["label"].tolist()


def test_trend_rising_with_n():
    # 2 a week for 8 weeks, then 12 a week for 4 weeks: rising
    rows = []
    start = pd.Timestamp("2026-01-05", tz="UTC")
    rng = np.random.default_rng(0)
    for w in range(12):
        k = 2 if w < 8 else 12
        for i in range(k):
            rows.append((start + pd.Timedelta(days=7 * w + i % 7), str(rng.choice(BAGS))))
        for i in range(3):
            rows.append((start + pd.Timedelta(days=7 * w + i), str(rng.choice(STAFF))))
    df = pd.DataFrame(rows, columns=["timestamp", "text"]).assign(valence="misery", touchpoint="baggage_claim")
    th = Themes(min_size=5, max_themes=2).fit(df)
    t = th.themes_.set_index(th.themes_["label"].str.contains("bag"))
    assert t.loc[True, "trend"] == "rising"
    assert t.loc[True, "trend_n"] == 4 * 12 + 4 * 2
    assert t.loc[False, "trend"] == "stable"
    assert sum(t.loc[True, "weekly"].values()) == t.loc[True, "n"]


def test_summary_columns_start_with_what_and_where():
    th = Themes(min_size=5, max_themes=3).fit(_frame())
    assert list(th.summary.columns[:3]) == ["valence", "touchpoint", "label"]


def test_to_records_keeps_the_limit():
    rec = Themes(min_size=5, max_themes=3).fit(_frame()).to_records(valence="misery", limit=1)
    assert len(rec) == 1


def test_records_carry_their_examples_as_a_list():
    rec = Themes(min_size=5, max_themes=3).fit(_frame()).to_records(valence="misery", limit=1)
    assert isinstance(rec[0]["examples"], list)


def test_repr_counts_the_themes():
    th = Themes(min_size=5, max_themes=3).fit(_frame())
    assert repr(th).endswith(f"on n = {th.n_:,}, {len(th.themes_)} themes")


def test_errors_name_the_fix():
    with pytest.raises(AnalysisError, match="text"):
        Themes().fit(pd.DataFrame({"comment": ["x"]}))
    with pytest.raises(AnalysisError, match="method"):
        Themes(method="lda")  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="not fitted"):
        Themes().summary


def test_embed_method_raises_missing_extra_when_absent():
    from carlzon.detect.embed import embed_available

    if embed_available():
        pytest.skip("the embed extra is installed here")
    with pytest.raises(MissingExtraError, match=r"carlzon\[embed\]"):
        Themes(method="embed", min_size=5).fit(_frame())


def test_helpers():
    assert clean_text("@delta Flight 123 delayed!! https://t.co/x #fail") == "flight delayed!!"
    assert key_phrases(np.array([0.5, 0.9, 0.2]), np.array(["bag", "lost bag", "claim"]), 3) == ["lost bag", "claim"]


def test_tweets_themes_beat_keyword_baseline(shared_data):
    from sklearn.metrics import adjusted_rand_score

    df = pd.read_csv(shared_data / "twitter_airline_sentiment" / "Tweets.csv")
    neg = df[(df["airline_sentiment"] == "negative") & df["negativereason"].notna()].head(3000).reset_index(drop=True)
    th = Themes(valences=("misery",), per_touchpoint=False, max_themes=10).fit(
        pd.DataFrame({"text": neg["text"], "valence": "misery"})
    )
    ari = adjusted_rand_score(neg["negativereason"], th.assignments_.fillna("none"))
    assert ari > 0.02


def test_report_section():
    from carlzon.report.sections import themes_section

    sec = themes_section(Themes(min_size=5, max_themes=3).fit(_frame()))
    assert sec.rows
    assert sec.rows[0][2] == 15
    assert "in no theme" in sec.summary


def _hotel_reviews() -> pd.DataFrame:
    """Made-up reviews of one hotel: five problems, each text also saying hotel, room or stay."""
    problems = {
        "the bathroom was dirty": "dirty bathroom",
        "rude staff at the front desk": "rude staff",
        "the shower water isn't hot": "shower water",
        "wifi wasn't working at all": "wifi",
        "noisy street outside all night": "noisy street",
    }
    frames = ["our hotel room", "a short stay in the hotel", "the room during our stay"]
    texts = [f"{f}: {p}" for p in problems for f in frames for _ in range(4)]
    return pd.DataFrame({"text": texts, "valence": "misery", "touchpoint": "room"})


def test_words_every_review_uses_name_no_theme():
    labels = Themes(min_size=5, max_themes=5).fit(_hotel_reviews()).themes_["label"]
    words = {w for label in labels for term in label.split(" · ") for w in term.split()}
    assert not words & {"hotel", "room", "stay"}


def test_themes_are_named_by_what_went_wrong():
    labels = " ".join(Themes(min_size=5, max_themes=5).fit(_hotel_reviews()).themes_["label"])
    assert all(w in labels for w in ("bathroom", "staff", "shower", "wifi", "street"))


def test_contractions_leave_no_broken_token_in_a_label():
    labels = Themes(min_size=5, max_themes=5).fit(_hotel_reviews()).themes_["label"]
    words = {w for label in labels for term in label.split(" · ") for w in term.split()}
    assert not words & {"isn", "wasn", "t"}
