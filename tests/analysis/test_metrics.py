import pandas as pd
import pytest

from carlzon.analysis import Metrics
from carlzon.errors import AnalysisError


def _moments():
    n = 120
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-01-05", periods=n, freq="6h", tz="UTC"),
            "touchpoint": ["check_in", "gate", "baggage_claim"] * (n // 3),
            "channel": ["survey", "review"] * (n // 2),
            "valence": ["misery", "magic", "neutral", "magic"] * (n // 4),
            "moment_of_truth": [True, False, False, False] * (n // 4),
            "nps": [10, 9, 3, 7] * (n // 4),
            "csat": [5, 4, 1, 3] * (n // 4),
            "attributes": ['{"tier": "gold"}', '{"tier": "blue"}'] * (n // 2),
        }
    )


def test_overall_figures_with_n_and_intervals():
    s = Metrics().fit(_moments()).summary.set_index("metric")
    assert s.loc["nps", "value"] == 25.0
    assert s.loc["nps", "n"] == 120
    assert s.loc["nps", "ci_low"] < 25 < s.loc["nps", "ci_high"]
    assert s.loc["csat", "value"] == 0.5
    assert s.loc["misery_rate", "value"] == 0.25
    assert s.loc["magic_rate", "value"] == 0.5
    assert s.loc["moments_of_truth", "value"] == 30


@pytest.mark.parametrize(
    "by,groups",
    [
        ("touchpoint", {"check_in", "gate", "baggage_claim"}),
        ("stage", {"airport", "arrival"}),
        ("phase", {"first", "second"}),
        ("channel", {"survey", "review"}),
        ("segment:tier", {"gold", "blue"}),
    ],
)
def test_grouping(by, groups):
    s = Metrics(by=by, journey="airline").fit(_moments()).summary
    assert set(s.group) <= groups | {"unknown"}
    assert len(set(s.group)) >= 2


def test_period_and_small_sample_flags():
    s = Metrics(by="period:week").fit(_moments()).summary
    assert s.group.iloc[0] == "2026-01-05"  # weeks start on Monday
    assert s.note.str.contains("too few to judge").any()


def test_errors_name_the_fix():
    with pytest.raises(AnalysisError, match="journey"):
        Metrics(by="stage").fit(_moments())
    with pytest.raises(AnalysisError, match="segment:COLUMN"):
        Metrics(by="colour").fit(_moments())
    with pytest.raises(AnalysisError, match="no metric"):
        Metrics().fit(pd.DataFrame({"x": [1, 2]}))
