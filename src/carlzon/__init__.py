"""carlzon: the moments of truth in customer service.

Find moments of magic and misery in what customers say and do, measure
them with honest uncertainty, model which touchpoints drive loyalty, and
close the loop.

Example:
    >>> import carlzon
    >>> journey = carlzon.load_journey("airline")
    >>> len(journey.touchpoints) > 10
    True
"""

from carlzon._version import __version__
from carlzon.errors import CarlzonError
from carlzon.journey import Expectation, Journey, Stage, Touchpoint, journey_templates, load_journey
from carlzon.schema import Evidence, Interaction, Moment

__all__ = [
    "CarlzonError",
    "Evidence",
    "Expectation",
    "Interaction",
    "Journey",
    "Moment",
    "Stage",
    "Touchpoint",
    "__version__",
    "journey_templates",
    "load_journey",
]
