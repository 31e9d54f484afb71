"""StatedVsDerived on data with a known truth: gaps named, uncertainty respected, weights, order effect."""

import numpy as np
import pandas as pd
import pytest

from carlzon.analysis import KeyDrivers, StatedVsDerived
from carlzon.errors import AnalysisError, NotEnoughDataError

TPS = ["price", "wait", "staff", "room"]


def _data(n=400, seed=0, gap=True, persona=None):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({t: rng.integers(1, 6, n).astype(float) for t in TPS})
    beta = (
        {"price": 0.05, "wait": 1.6, "staff": 0.4, "room": 0.3}
        if gap
        else {"price": 1.6, "wait": 0.05, "staff": 0.4, "room": 0.3}
    )
    df["nps"] = np.clip(np.rint(6 + sum(b * (df[t] - 3) for t, b in beta.items()) + rng.normal(0, 1, n)), 0, 10)
    means = {"price": 4.6, "wait": 2.6, "staff": 3.4, "room": 3.6}
    for t, m in means.items():
        df[f"importance:{t}"] = np.clip(np.rint(rng.normal(m, 0.7, n)), 1, 5)
    if persona:
        df["persona"] = persona
    return df


@pytest.fixture(scope="module")
def fitted():
    return StatedVsDerived(n_boot=200).fit(_data(), "nps", TPS, names={"price": "Price", "wait": "The wait"})


def test_gap_is_named(fitted):
    g = fitted.gaps_[0]
    assert (g["stated_top"], g["derived_top"], g["confirmed"]) == ("price", "wait", True)


def test_gap_sentence_says_it_in_words(fitted):
    assert fitted.gaps_[0]["sentence"].startswith(
        "Customers say price matters most; their likelihood to recommend (NPS) moves with the wait."
    )


def test_derived_importance_is_key_drivers(fitted):
    kd = KeyDrivers(n_boot=0).fit(_data(), "nps", TPS)
    got = fitted.summary.set_index("touchpoint")["derived"]
    assert np.allclose(got.reindex(TPS).to_numpy(), kd.importance_.reindex(TPS).to_numpy())


def test_stated_importance_is_the_mean_answer(fitted):
    d = _data()
    assert fitted.summary.set_index("touchpoint").loc["price", "stated"] == pytest.approx(d["importance:price"].mean())


def test_intervals_hold_their_estimates(fitted):
    s = fitted.summary
    assert (
        (s.stated_low <= s.stated)
        & (s.stated <= s.stated_high)
        & (s.derived_low <= s.derived)
        & (s.derived <= s.derived_high)
    ).all()


def test_labels(fitted):
    assert fitted.summary.set_index("touchpoint")["label"].to_dict()["price"] == "overstated"


def test_hidden_driver_label(fitted):
    assert fitted.summary.set_index("touchpoint")["label"].to_dict()["wait"] == "hidden driver"


def test_aligned_when_they_agree():
    df = _data(gap=False)
    assert StatedVsDerived(n_boot=100).fit(df, "nps", TPS).gaps_[0]["kind"] == "aligned"


def test_small_noisy_data_stays_uncertain():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({t: rng.integers(1, 6, 40).astype(float) for t in TPS})
    df["nps"] = rng.integers(0, 11, 40).astype(float)
    for t in TPS:
        df[f"importance:{t}"] = rng.integers(3, 6, 40).astype(float)
    g = StatedVsDerived(n_boot=100).fit(df, "nps", TPS).gaps_[0]
    assert g["confirmed"] is False


def test_per_persona_groups():
    df = pd.concat([_data(300, 1, True, "business"), _data(300, 2, False, "leisure")], ignore_index=True)
    sd = StatedVsDerived(n_boot=100).fit(df, "nps", TPS)
    kinds = {g["group"]: g["kind"] for g in sd.gaps_}
    assert (kinds["business"], kinds["leisure"]) == ("gap", "aligned")


def test_nonresponse_weights_follow_the_invited_mix():
    df = pd.concat([_data(300, 1, True, "business"), _data(100, 2, False, "leisure")], ignore_index=True)
    sd = StatedVsDerived(n_boot=100).fit(df, "nps", TPS, invited={"business": 1000, "leisure": 1000})
    w = sd.nonresponse_.set_index("group")["weight"]
    assert (round(w["business"], 3), round(w["leisure"], 3)) == (0.667, 2.0)


def test_weighted_everyone_row_counts_each_persona_by_its_invited_share():
    leisure = _data(100, 2, False, "leisure")
    leisure["importance:price"] = 1.0
    df = pd.concat([_data(300, 1, True, "business"), leisure], ignore_index=True)
    sd = StatedVsDerived(n_boot=100).fit(df, "nps", TPS, invited={"business": 1000, "leisure": 1000})
    got = sd.summary.query("group == 'all' and touchpoint == 'price'")["stated"].iloc[0]
    expected = (df[df.persona == "business"]["importance:price"].mean() + 1.0) / 2
    assert got == pytest.approx(expected)


def test_no_weights_without_the_invitations():
    df = pd.concat([_data(300, 1, True, "business"), _data(100, 2, False, "leisure")], ignore_index=True)
    assert StatedVsDerived(n_boot=100).fit(df, "nps", TPS).weighted_ is False


def test_order_effect_is_measured():
    df = _data(600, 4)
    df["block_order"] = np.where(np.arange(600) % 2 == 0, "importance_first", "importance_last")
    last = df["block_order"] == "importance_last"
    for t in TPS:
        df.loc[last, f"importance:{t}"] = (df.loc[last, f"importance:{t}"] - 0.5).clip(1, 5)
    oe = StatedVsDerived(n_boot=100).fit(df, "nps", TPS).order_effect_
    assert oe["low"] < oe["difference"] < oe["high"] < 0


def test_order_effect_needs_both_orders(fitted):
    assert fitted.order_effect_["measured"] is False


def test_to_dict_is_json_ready(fitted):
    import json

    assert json.loads(json.dumps(fitted.to_dict()))["gaps"][0]["derived_top"] == "wait"


def test_repr_says_what_was_found(fitted):
    assert repr(fitted) == ("StatedVsDerived(n_boot=200): fitted on n = 400, outcome 'nps', 1 group, 1 gap named")


def test_too_few_answers_name_the_fix():
    with pytest.raises(NotEnoughDataError, match="at least 30 answers"):
        StatedVsDerived(n_boot=100).fit(_data(20), "nps", TPS)


def test_missing_importance_column_is_named():
    with pytest.raises(AnalysisError, match="importance:room"):
        StatedVsDerived(n_boot=100).fit(_data().drop(columns=["importance:room"]), "nps", TPS)


def test_unfitted_summary_says_how():
    with pytest.raises(AnalysisError, match=r"call StatedVsDerived\(\.\.\.\)\.fit\("):
        StatedVsDerived().summary  # noqa: B018


def test_plot_returns_the_axis(fitted):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    ax = fitted.plot()
    assert len(ax.texts) == len(TPS)
