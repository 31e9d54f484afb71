"""The contract every analysis class keeps: fit returns self, summary, to_dict, plot, repr, one error before fit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from carlzon.analysis import (
    EmergingProblems,
    ImportancePerformance,
    JourneyPaths,
    KeyDrivers,
    LoyaltyImpact,
    Metrics,
    MomentDrivers,
    StatedVsDerived,
    Themes,
)
from carlzon.analysis._base import Fitter
from carlzon.analysis.locations import LocationRanking
from carlzon.analysis.place_alerts import PlaceAlerts
from carlzon.simulate.places import simulate_alert_cells, simulate_places
from carlzon.errors import AnalysisError, NotFittedError
from tests.analysis.test_alerts import _planted
from tests.analysis.test_drivers import _survey
from tests.analysis.test_impact import _visits
from tests.analysis.test_metrics import _moments
from tests.analysis.test_paths import _log
from tests.analysis.test_stated import TPS as STATED_TPS
from tests.analysis.test_stated import _data as _stated_data
from tests.analysis.test_themes import _frame as _theme_frame

DRIVERS = ["seat", "food", "wifi", "crew"]


def _moment_rows() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(300):
        bad = {tp: rng.random() < p for tp, p in (("gate", 0.5), ("seat", 0.2), ("meal", 0.1))}
        y = 9 - 4 * bad["gate"] - 2 * bad["seat"] - bad["meal"] + rng.normal()
        rows += [
            {"interaction_id": f"r{i}", "touchpoint": tp, "valence": "misery" if b else "magic", "nps": y}
            for tp, b in bad.items()
        ]
    return pd.DataFrame(rows)


# (name, a new unfitted object, how to fit it)
CASES: list[tuple[str, Callable[[], Any], Callable[[Any], Any]]] = [
    ("KeyDrivers", lambda: KeyDrivers(n_boot=20), lambda a: a.fit(_survey(), "overall", DRIVERS)),
    (
        "ImportancePerformance",
        ImportancePerformance,
        lambda a: a.fit(KeyDrivers(n_boot=0).fit(_survey(), "overall", DRIVERS)),
    ),
    ("Metrics", lambda: Metrics(by="touchpoint"), lambda a: a.fit(_moments())),
    ("MomentDrivers", lambda: MomentDrivers(kinds=("misery",), n_boot=0), lambda a: a.fit(_moment_rows(), "nps")),
    ("LoyaltyImpact", LoyaltyImpact, lambda a: a.fit(_visits())),
    ("EmergingProblems", EmergingProblems, lambda a: a.fit(_planted(0))),
    ("JourneyPaths", lambda: JourneyPaths("airline"), lambda a: a.fit(_log())),
    ("StatedVsDerived", lambda: StatedVsDerived(n_boot=50), lambda a: a.fit(_stated_data(), "nps", STATED_TPS)),
    ("Themes", lambda: Themes(min_size=5, max_themes=3), lambda a: a.fit(_theme_frame())),
    ("LocationRanking", LocationRanking, lambda a: a.fit(simulate_places(seed=0, places=12, planted=2).moments)),
    ("PlaceAlerts", PlaceAlerts, lambda a: a.fit(simulate_alert_cells(seed=0, places=6, touchpoints=4, days=200)[0])),
]
IDS = [c[0] for c in CASES]
_FITTED: dict[str, Any] = {}


def _fitted(name: str) -> Any:
    if name not in _FITTED:
        _, make, fit = next(c for c in CASES if c[0] == name)
        _FITTED[name] = fit(make())
    return _FITTED[name]


@pytest.mark.parametrize("name", IDS)
def test_is_a_fitter(name):
    assert isinstance(_fitted(name), Fitter)


@pytest.mark.parametrize(("name", "make", "fit"), CASES, ids=IDS)
def test_fit_returns_self(name, make, fit):
    a = make()
    assert fit(a) is a


@pytest.mark.parametrize("name", IDS)
def test_summary_is_a_dataframe(name):
    assert isinstance(_fitted(name).summary, pd.DataFrame)


@pytest.mark.parametrize("name", IDS)
def test_summary_has_rows(name):
    assert len(_fitted(name).summary) > 0


@pytest.mark.parametrize("name", IDS)
def test_to_dict_is_json(name):
    d = _fitted(name).to_dict()
    assert isinstance(json.loads(json.dumps(d, default=str)), dict)


@pytest.mark.parametrize("name", IDS)
def test_fitted_repr_says_fitted_on_n(name):
    assert ": fitted on n = " in repr(_fitted(name))


@pytest.mark.parametrize(("name", "make", "fit"), CASES, ids=IDS)
def test_unfitted_repr_says_not_fitted(name, make, fit):
    assert repr(make()).endswith(": not fitted")


@pytest.mark.parametrize(("name", "make", "fit"), CASES, ids=IDS)
def test_repr_starts_with_the_class(name, make, fit):
    assert repr(make()).startswith(f"{name}(")


@pytest.mark.parametrize(("name", "make", "fit"), CASES, ids=IDS)
@pytest.mark.parametrize("read", ["summary", "to_dict", "plot"])
def test_reading_before_fit_raises_not_fitted(name, make, fit, read):
    a = make()
    with pytest.raises(NotFittedError, match=rf"this {name} is not fitted yet \(fix: call {name}\(\.\.\.\)\.fit\("):
        v = getattr(a, read)
        if callable(v):
            v()


@pytest.mark.parametrize(("name", "make", "fit"), CASES, ids=IDS)
def test_a_result_attribute_before_fit_raises_not_fitted(name, make, fit):
    with pytest.raises(NotFittedError):
        getattr(make(), type(make())._result)


def test_not_fitted_is_an_analysis_error():
    assert issubclass(NotFittedError, AnalysisError)


def test_hasattr_on_an_unfitted_result_is_false():
    assert not hasattr(KeyDrivers(), "importance_")


def test_a_missing_attribute_of_a_fitted_object_is_a_plain_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonsense_'"):
        _fitted("Metrics").nonsense_


def test_repr_shows_parameters_that_differ_from_the_default():
    assert repr(KeyDrivers(method="shapley", n_boot=5)) == "KeyDrivers(method='shapley', n_boot=5): not fitted"


@pytest.mark.parametrize("name", IDS)
def test_plot_returns_the_axis(name):
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    try:
        assert _fitted(name).plot(ax=ax) is ax
    finally:
        plt.close("all")
