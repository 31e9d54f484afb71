"""The plain data carlzon passes between steps: interactions, moments, evidence.

Bulk paths use DataFrames / Arrow tables with the columns below; the
dataclasses are the one-record view of the same thing (API, tests, docs).

Example:
    >>> from carlzon.schema import Interaction
    >>> Interaction(id="r1", text="Lost my bag!", stars=1).ratings()
    {'stars': 1.0}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "INTERACTION_COLUMNS",
    "MOMENT_COLUMNS",
    "NOT_FROM_TEXT",
    "RATING_SCALES",
    "Evidence",
    "Interaction",
    "Moment",
    "Valence",
    "json_object",
]

Valence = Literal["magic", "misery", "neutral"]

RATING_SCALES: dict[str, tuple[float, float]] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "stars": (1, 5),
}
"""Valid range of each standard rating; values outside are quarantined at ingest."""

INTERACTION_COLUMNS: dict[str, str] = {
    "id": "string",  # stable: given by the source, else a content hash
    "customer_id": "string",
    "timestamp": "timestamp[us, UTC]",
    "channel": "string",  # survey, review, ticket, chat, social, event, ...
    "source": "string",  # file name or API client
    "text": "string",
    "nps": "float64",
    "csat": "float64",
    "ces": "float64",
    "stars": "float64",
    "touchpoint": "string",  # when the source names one
    "ratings": "json",  # other rating columns, e.g. {"Seat comfort": 4}
    "measures": "json",  # numbers such as {"wait_minutes": 45}
    "attributes": "json",  # every other column, kept
    "location": "string",  # where it happened: store, hotel, branch, airport, route
    "language": "string",  # ISO 639-1 code of the text, when known
}
"""Columns of the interactions table, in order, with their logical types."""

NOT_FROM_TEXT = ("rating", "measure")
"""Moment bases read from no text (a rating, a measure): such a moment's text may speak of something else."""

MOMENT_COLUMNS: dict[str, str] = {
    "interaction_id": "string",
    "customer_id": "string",
    "timestamp": "timestamp[us, UTC]",
    "channel": "string",
    "touchpoint": "string",  # 'unknown' when unsure
    "touchpoint_confidence": "float64",
    "valence": "string",  # magic / misery / neutral
    "score": "float64",  # [-1, 1]
    "intensity": "float64",  # [0, 1]
    "stakes": "string",  # low / medium / high
    "moment_of_truth": "bool",
    "reasons": "string",  # short sentences joined by '; '
    "evidence": "json",  # list of Evidence dicts
    "aspect": "string",  # price_value, speed_waiting, staff_attitude, cleanliness, quality, ... or null
    "spans": "json",  # [[start, end], ...] character offsets into the text, strongest first; [] for ratings
    "basis": "string",  # text / rating / text+rating / measure
    "overall_valence": "string",  # the interaction's own: its rating where it has one, else the whole text
    "overall_score": "float64",
}
"""Columns of the moments table, in order, with their logical types: one row per (interaction, touchpoint)."""


@dataclass
class Interaction:
    """One raw record: a survey response, review, ticket, chat, social post or event."""

    id: str
    customer_id: str | None = None
    timestamp: datetime | None = None
    channel: str | None = None
    source: str | None = None
    text: str | None = None
    nps: float | None = None
    csat: float | None = None
    ces: float | None = None
    stars: float | None = None
    touchpoint: str | None = None
    extra_ratings: dict[str, float] = field(default_factory=dict)
    measures: dict[str, float] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    location: str | None = None
    language: str | None = None

    def ratings(self) -> dict[str, float]:
        """The standard ratings that are present."""
        return {k: float(v) for k in RATING_SCALES if (v := getattr(self, k)) is not None}


@dataclass
class Evidence:
    """One reason behind a moment: the rule that fired and what it saw.

    ``rule`` is one of: rating, expectation, lexicon, stakes, model, touchpoint, aspect, contrast, negation, sarcasm.
    """

    rule: str
    text: str  # the sentence a person reads, e.g. 'rating 1/5'
    phrase: str | None = None
    value: float | str | None = None
    expectation: str | None = None
    weight: float | None = None
    span: list[int] | None = None  # [start, end] in the interaction's text

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Moment:
    """What carlzon derives for one (interaction, touchpoint)."""

    interaction_id: str
    valence: Valence
    score: float
    intensity: float
    touchpoint: str = "unknown"
    touchpoint_confidence: float = 0.0
    stakes: str = "low"
    moment_of_truth: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    customer_id: str | None = None
    timestamp: datetime | None = None
    channel: str | None = None
    aspect: str | None = None
    spans: list[list[int]] = field(default_factory=list)
    basis: str = "text"
    overall_valence: str = "neutral"
    overall_score: float = 0.0

    @property
    def reasons(self) -> str:
        return "; ".join(e.text for e in self.evidence)


def json_object(value: Any) -> dict[str, Any]:
    """A ratings / measures / attributes value as a dict: a dict as is, a JSON object parsed, else {}.

    >>> json_object('{"store": "CPH"}'), json_object("not json"), json_object(None)
    ({'store': 'CPH'}, {}, {})
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}
