"""Analysis: metrics with intervals, key drivers, importance-performance quadrants, effect on loyalty.

Fitter-style classes (one base, :class:`carlzon.analysis._base.Fitter`): configure, ``fit()`` returns
self, results end in ``_``, a ``summary`` DataFrame, ``to_dict()`` for JSON, ``plot(ax=None)`` (needs
matplotlib), a repr that says fitted or not and on how many rows, and ``NotFittedError`` (with its fix)
for any result read before ``fit``.

Example:
    >>> from carlzon.analysis import KeyDrivers, nps_interval
    >>> round(nps_interval(50, 30, 20)[0])
    30
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers and editors; at run time each name loads on first use
    from carlzon.analysis.alerts import EmergingProblems, find_alerts
    from carlzon.analysis.drivers import KeyDrivers
    from carlzon.analysis.impact import STATES, LoyaltyImpact, newcombe_interval
    from carlzon.analysis.intervals import mean_interval, nps_interval, small_sample_note, wilson_interval
    from carlzon.analysis.ipa import QUADRANTS, ImportancePerformance, quadrants
    from carlzon.analysis.metrics import METRICS, Metrics
    from carlzon.analysis.moment_drivers import MomentDrivers, moment_drivers
    from carlzon.analysis.paths import JourneyPaths, map_steps
    from carlzon.analysis.stated import StatedVsDerived
    from carlzon.analysis.themes import Themes

_WHERE = {
    "KeyDrivers": "drivers",
    "STATES": "impact",
    "LoyaltyImpact": "impact",
    "newcombe_interval": "impact",
    "mean_interval": "intervals",
    "nps_interval": "intervals",
    "small_sample_note": "intervals",
    "wilson_interval": "intervals",
    "moment_drivers": "moment_drivers",
    "MomentDrivers": "moment_drivers",
    "METRICS": "metrics",
    "Metrics": "metrics",
    "QUADRANTS": "ipa",
    "ImportancePerformance": "ipa",
    "quadrants": "ipa",
    "EmergingProblems": "alerts",
    "find_alerts": "alerts",
    "JourneyPaths": "paths",
    "map_steps": "paths",
    "Themes": "themes",
    "StatedVsDerived": "stated",
}
"""Where each public name lives: imported on first use, so that ``carlzon.analysis.sums`` (which the
store needs) does not load scipy and scikit-learn for every command."""


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(f"carlzon.analysis.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'carlzon.analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "QUADRANTS",
    "EmergingProblems",
    "ImportancePerformance",
    "JourneyPaths",
    "KeyDrivers",
    "LoyaltyImpact",
    "METRICS",
    "Metrics",
    "MomentDrivers",
    "STATES",
    "StatedVsDerived",
    "Themes",
    "find_alerts",
    "map_steps",
    "mean_interval",
    "moment_drivers",
    "newcombe_interval",
    "nps_interval",
    "quadrants",
    "small_sample_note",
    "wilson_interval",
]
