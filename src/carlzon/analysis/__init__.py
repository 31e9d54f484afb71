"""Analysis: metrics with intervals, key drivers, importance-performance quadrants, effect on loyalty.

Fitter-style classes: configure, ``fit()`` returns self, results end in
``_``, a ``summary`` DataFrame, ``plot(ax=None)`` (needs matplotlib).

Example:
    >>> from carlzon.analysis import KeyDrivers, nps_interval
    >>> round(nps_interval(50, 30, 20)[0])
    30
"""

from carlzon.analysis.drivers import KeyDrivers
from carlzon.analysis.impact import STATES, LoyaltyImpact, newcombe_interval
from carlzon.analysis.intervals import mean_interval, nps_interval, small_sample_note, wilson_interval
from carlzon.analysis.moment_drivers import moment_drivers
from carlzon.analysis.metrics import METRICS, Metrics
from carlzon.analysis.ipa import QUADRANTS, ImportancePerformance, quadrants
from carlzon.analysis.alerts import EmergingProblems, find_alerts
from carlzon.analysis.paths import JourneyPaths, map_steps
from carlzon.analysis.themes import Themes

__all__ = [
    "QUADRANTS",
    "EmergingProblems",
    "ImportancePerformance",
    "JourneyPaths",
    "KeyDrivers",
    "LoyaltyImpact",
    "METRICS",
    "Metrics",
    "STATES",
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
