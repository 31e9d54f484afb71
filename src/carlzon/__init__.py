"""carlzon: the moments of truth in customer service.

Find moments of magic and misery in what customers say and do, measure
them with honest uncertainty, model which touchpoints drive loyalty, and
close the loop. Heavier parts are imported on first use.

Example:
    >>> import carlzon
    >>> journey = carlzon.load_journey("airline")
    >>> len(journey.touchpoints) > 10
    True
    >>> carlzon.Detector(journey).detect_one(carlzon.Interaction(id="1", text="They lost my bag")).valence
    'misery'
"""

import importlib as _importlib
from typing import Any as _Any

from carlzon._version import __version__
from carlzon.errors import CarlzonError
from carlzon.journey import Expectation, Journey, Stage, Touchpoint, journey_templates, load_journey
from carlzon.schema import Evidence, Interaction, Moment

__all__ = [
    "CarlzonError",
    "Detector",
    "EmergingProblems",
    "Evidence",
    "Expectation",
    "ImportancePerformance",
    "IngestResult",
    "Interaction",
    "Journey",
    "JourneyPaths",
    "KeyDrivers",
    "LoyaltyImpact",
    "Metrics",
    "Moment",
    "RecoveryDesk",
    "Stage",
    "StatedVsDerived",
    "Store",
    "Survey",
    "Themes",
    "Touchpoint",
    "__version__",
    "build_checklist",
    "build_report",
    "build_survey",
    "coach",
    "find_alerts",
    "ingest",
    "journey_templates",
    "load_journey",
    "magic_opportunities",
    "open_store",
    "simulate",
    "store_walk",
    "train_model",
]

_LAZY = {
    "Detector": "carlzon.detect",
    "train_model": "carlzon.detect",
    "EmergingProblems": "carlzon.analysis",
    "ImportancePerformance": "carlzon.analysis",
    "JourneyPaths": "carlzon.analysis",
    "KeyDrivers": "carlzon.analysis",
    "LoyaltyImpact": "carlzon.analysis",
    "Metrics": "carlzon.analysis",
    "Themes": "carlzon.analysis",
    "StatedVsDerived": "carlzon.analysis",
    "Survey": "carlzon.survey",
    "build_survey": "carlzon.survey",
    "build_checklist": "carlzon.walk",
    "store_walk": "carlzon.walk",
    "find_alerts": "carlzon.analysis",
    "IngestResult": "carlzon.ingest",
    "ingest": "carlzon.ingest",
    "Store": "carlzon.store",
    "open_store": "carlzon.store",
    "RecoveryDesk": "carlzon.loop",
    "coach": "carlzon.loop",
    "magic_opportunities": "carlzon.loop",
    "build_report": "carlzon.report",
    "simulate": "carlzon.simulate",
}


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'carlzon' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
