import numpy as np
import pandas as pd
import pytest

from carlzon.analysis import ImportancePerformance, KeyDrivers, quadrants
from carlzon.errors import AnalysisError


def test_quadrant_words_and_crosshairs_at_the_means():
    q, imp_line, perf_line = quadrants(
        pd.Series({"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1}), pd.Series({"a": 2.0, "b": 4.0, "c": 2.5, "d": 4.5})
    )
    assert imp_line == pytest.approx(0.25)
    assert perf_line == pytest.approx(3.25)
    assert q.to_dict() == {"a": "fix first", "b": "keep it up", "c": "low priority", "d": "possible overkill"}


def test_stated_and_derived_side_by_side():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.integers(1, 6, size=(300, 3)).astype(float), columns=["seat", "food", "wifi"])
    df["overall"] = 2 * df.seat + df.food + rng.normal(0, 1, 300)
    df["imp_seat"], df["imp_food"], df["imp_wifi"] = 3, 4, 5
    kd = KeyDrivers(n_boot=20).fit(df, "overall", ["seat", "food", "wifi"])
    ipa = ImportancePerformance().fit(kd, data=df, stated={"seat": "imp_seat", "food": "imp_food", "wifi": "imp_wifi"})
    s = ipa.summary.set_index("driver")
    assert s.index[0] == "seat"
    assert s.loc["wifi", "stated_importance"] == 5
    assert s.loc["wifi", "stated_n"] == 300
    assert s["stated_share"].sum() == pytest.approx(1)
    with pytest.raises(AnalysisError, match="fitted"):
        ImportancePerformance().fit(object())
