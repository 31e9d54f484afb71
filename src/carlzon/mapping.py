"""Column mapping: which column of an export becomes which interaction field.

Three ways, combined: explicit flags or a dict, a YAML mapping file, and
auto-detection of common export headers (``comment``, ``nps``, ``rating``,
``created_at``, ``customer_id``, ...). With a journey, columns named like a
touchpoint's survey items become ``ratings`` and columns named like an
expectation's measure (``Departure Delay in Minutes`` ->
``departure_delay_minutes``) become ``measures``. Every other column is kept
in ``attributes``.

A mapping file (YAML)::

    text: Comment
    id: Response ID
    customer_id: Email
    timestamp: Submitted At
    nps: How likely are you to recommend us?
    measures: [Wait (min)]
    ratings: [Seat comfort]
    scales: {Seat comfort: [1, 5], "*": [0, 5]}   # "*": every other rating column
    defaults: {channel: survey}
    auto: true          # also auto-detect the fields not named here

Example:
    >>> from carlzon.mapping import ColumnMapping, normalise
    >>> normalise("Departure Delay in Minutes", measure=True)
    'departure_delay_minutes'
    >>> plan = ColumnMapping().resolve(["Comment", "NPS", "date", "Age"])
    >>> plan.fields["text"], plan.fields["nps"], plan.fields["timestamp"], plan.attributes
    ('Comment', 'NPS', 'date', ['Age'])
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Mapping

import yaml

from carlzon.errors import MappingError
from carlzon.journey import Journey

__all__ = ["EXTRA_RATING_SCALE", "FIELDS", "ColumnMapping", "Plan", "normalise"]

FIELDS = (
    "id",
    "customer_id",
    "timestamp",
    "channel",
    "touchpoint",
    "text",
    "nps",
    "csat",
    "ces",
    "stars",
    "location",
    "language",
)
"""Interaction fields a single column can fill."""

EXTRA_RATING_SCALE: tuple[float, float] = (0, 10)
"""Valid range of other rating columns (survey items) unless the mapping's ``scales`` says otherwise
(per column, or ``"*"`` for all of them): wide enough for 0-5, 1-5, 1-7 and 0-10 items."""

_CANDIDATES: dict[str, tuple[str, ...]] = {
    "id": ("id", "response_id", "ticket_id", "review_id", "tweet_id", "interaction_id", "record_id"),
    "customer_id": ("customer_id", "user_id", "client_id", "email", "customer_email", "customer"),
    "timestamp": (
        "created_at",
        "date",
        "timestamp",
        "time",
        "submitted_at",
        "tweet_created",
        "datetime",
        "created",
        "review_date",
        "response_date",
    ),
    "channel": ("channel",),
    "touchpoint": ("touchpoint",),
    "text": (
        "comment",
        "comments",
        "text",
        "review",
        "review_text",
        "feedback",
        "message",
        "body",
        "verbatim",
        "review_body",
        "content",
    ),
    "nps": ("nps", "likelihood_to_recommend", "nps_score", "recommend"),
    "csat": ("csat", "satisfaction", "csat_score", "customer_satisfaction"),
    "ces": ("ces", "effort", "ces_score", "customer_effort"),
    "stars": ("rating", "stars", "score", "star_rating", "review_rating", "overall_rating"),
    "location": ("location", "store", "branch", "hotel", "site"),
    "language": ("language", "lang"),
}
"""Normalised header names recognised for each field, in order of preference."""

NUMERIC_FIELDS = ("nps", "csat", "ces", "stars")
_UNITS = {
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "sec": "seconds",
    "secs": "seconds",
    "second": "seconds",
    "seconds": "seconds",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "day": "days",
    "days": "days",
    "ms": "ms",
}
_FILLER = {"in", "of", "the", "a", "an"}
_KEYS = {"auto", "defaults", "measures", "ratings", "scales", "customer", "dayfirst", *FIELDS}


def normalise(header: str, *, measure: bool = False) -> str:
    """A header as lower_snake_case; with ``measure=True`` filler words go and units are spelt out.

    >>> normalise("Ease of Online booking")
    'ease_of_online_booking'
    >>> normalise("Wait (mins)", measure=True)
    'wait_minutes'
    """
    words = re.findall(r"[a-z0-9]+", str(header).lower())
    if measure:
        words = [
            _UNITS.get(w, w) if i == len(words) - 1 or w in ("mins", "secs", "hrs") else w
            for i, w in enumerate(words)
            if w not in _FILLER
        ]
    return "_".join(words)


def _is_measure_name(name: str) -> bool:
    return bool(re.search(r"_(minutes|seconds|hours|days|ms)$", name))


@dataclass
class Plan:
    """The resolved mapping for one input: field -> column, plus ratings, measures and attributes.

    What :mod:`carlzon.understand` adds: ``text_columns`` (several, joined with their names),
    ``scales`` (a standard rating's own scale when it is not the standard one: read linearly onto
    it), ``labels`` (rating columns written as labels), ``touchpoints`` / ``aspects`` of item ratings,
    ``roles`` (what an attribute column is: the customer's e-mail, a staff member, the company's reply),
    ``header_rows`` and ``rename`` (extra header rows of survey exports and the names they give),
    ``dayfirst``, ``journey`` (the one the plan was made with), ``notes`` and ``warnings``.
    """

    fields: dict[str, str | None]
    ratings: list[tuple[str, str, tuple[float, float]]] = field(default_factory=list)  # (column, key, scale)
    measures: list[tuple[str, str]] = field(default_factory=list)  # (column, key)
    attributes: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    auto: set[str] = field(default_factory=set)  # fields that were auto-detected
    columns: list[str] = field(default_factory=list)  # every column of the input, in order
    text_columns: list[str] = field(default_factory=list)
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)
    labels: dict[str, bool] = field(default_factory=dict)
    touchpoints: dict[str, str] = field(default_factory=dict)
    aspects: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    header_rows: int = 0
    rename: dict[str, str] = field(default_factory=dict)
    dayfirst: bool | None = None
    not_rated: list[str] = field(default_factory=list)  # rating columns where -1 means 'not rated'
    item_scales: dict[str, tuple[float, float]] = field(default_factory=dict)  # an item rating's own scale
    journey: Any = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def columns_in_order(self) -> list[str]:
        """Every column of the input (renamed by extra header rows), in the file's order."""
        seen = list(self.columns)
        for c in [
            *(v for v in self.fields.values() if v),
            *self.text_columns,
            *(c for c, _, _ in self.ratings),
            *(c for c, _ in self.measures),
            *self.attributes,
        ]:
            if c not in seen:
                seen.append(c)
        return seen

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly summary: which column went where, with scales, touchpoints, notes and warnings."""
        from carlzon.understand import describe_columns

        out: dict[str, Any] = {
            **{k: v for k, v in self.fields.items() if v},
            "ratings": [c for c, _, _ in self.ratings],
            "measures": {c: k for c, k in self.measures},
            "attributes": list(self.attributes),
            "columns": describe_columns(self),
        }
        if len(self.text_columns) > 1:
            out["text_columns"] = list(self.text_columns)
        if self.header_rows:
            out["header_rows"] = self.header_rows + 1
        if self.journey is not None:
            out["journey"] = self.journey.name
        out["notes"] = list(self.notes)
        out["warnings"] = list(self.warnings)
        return out


@dataclass
class ColumnMapping:
    """What the user said about the columns (all optional); :meth:`resolve` fills in the rest.

    ``fields`` maps an interaction field (see :data:`FIELDS`) to a column name.
    """

    fields: dict[str, str] = field(default_factory=dict)
    measures: list[str] = field(default_factory=list)
    ratings: list[str] = field(default_factory=list)
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    auto: bool = True
    dayfirst: bool | None = None

    @classmethod
    def from_any(cls, mapping: ColumnMapping | Mapping[str, Any] | str | Path | None) -> ColumnMapping:
        """A ColumnMapping from itself, a dict (the YAML keys), or a YAML file path."""
        if mapping is None:
            return cls()
        if isinstance(mapping, ColumnMapping):
            return mapping
        if isinstance(mapping, (str, Path)):
            return cls.from_yaml(mapping)
        return cls.from_dict(dict(mapping), where="mapping")

    @classmethod
    def from_yaml(cls, path: str | Path) -> ColumnMapping:
        p = Path(path)
        if not p.is_file():
            raise MappingError("mapping file not found", where=str(path), fix="check the path given to --map")
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise MappingError(f"not valid YAML: {exc}", where=str(path), fix="write 'field: column' lines") from None
        if not isinstance(data, dict):
            raise MappingError("expected 'field: column' pairs", where=str(path), fix="see carlzon ingest --help")
        return cls.from_dict(data, where=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "mapping") -> ColumnMapping:
        for key in data:
            if key not in _KEYS:
                close = difflib.get_close_matches(str(key), sorted(_KEYS), n=1)
                raise MappingError(
                    f"unknown key {key!r}",
                    where=where,
                    fix=f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(sorted(_KEYS))}",
                )
        fields = {k: str(v) for k, v in data.items() if k in FIELDS and v is not None}
        if data.get("customer") is not None:
            fields["customer_id"] = str(data["customer"])

        def _list(key: str) -> list[str]:
            v = data.get(key) or []
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list):
                raise MappingError(f"{key!r} must be a list of column names", where=where, fix=f"{key}: [col1, col2]")
            return [str(x) for x in v]

        scales: dict[str, tuple[float, float]] = {}
        for col, rng in (data.get("scales") or {}).items():
            if not (isinstance(rng, (list, tuple)) and len(rng) == 2 and all(isinstance(x, (int, float)) for x in rng)):
                raise MappingError(
                    f"scale of {col!r} must be [low, high]", where=where, fix=f"scales: {{{col}: [1, 5]}}"
                )
            scales[str(col)] = (float(rng[0]), float(rng[1]))
        defaults = {str(k): str(v) for k, v in (data.get("defaults") or {}).items()}
        bad = set(defaults) - {"channel", "touchpoint", "source"}
        if bad:
            raise MappingError(
                f"defaults can set channel, touchpoint or source, not {sorted(bad)}",
                where=where,
                fix="defaults: {channel: survey}",
            )
        dayfirst = data.get("dayfirst")
        return cls(
            fields=fields,
            measures=_list("measures"),
            ratings=_list("ratings"),
            scales=scales,
            defaults=defaults,
            auto=bool(data.get("auto", True)),
            dayfirst=None if dayfirst is None else bool(dayfirst),
        )

    def merged(self, other: ColumnMapping) -> ColumnMapping:
        """This mapping with ``other``'s explicit choices on top (flags over a file)."""
        return ColumnMapping(
            fields={**self.fields, **other.fields},
            measures=[*self.measures, *[m for m in other.measures if m not in self.measures]],
            ratings=[*self.ratings, *[r for r in other.ratings if r not in self.ratings]],
            scales={**self.scales, **other.scales},
            defaults={**self.defaults, **other.defaults},
            auto=self.auto and other.auto,
            dayfirst=other.dayfirst if other.dayfirst is not None else self.dayfirst,
        )

    def resolve(
        self, columns: list[str], journey: Journey | None = None, *, where: str = "input", auto: bool | None = None
    ) -> Plan:
        """Decide the role of every column (explicit names first, then auto-detection from the headers alone).

        With ``auto=False`` only what was said is resolved (:func:`carlzon.understand.understand` does the
        rest from the headers and the values)."""
        known = set(columns)
        by_norm: dict[str, str] = {}
        for c in columns:
            by_norm.setdefault(normalise(c), c)

        def _column(name: str, role: str) -> str:
            if name in known:
                return name
            hit = by_norm.get(normalise(name))
            if hit is not None:
                return hit
            close = difflib.get_close_matches(name, columns, n=1)
            raise MappingError(
                f"column {name!r} (for {role}) is not in the input",
                where=where,
                fix=f"did you mean {close[0]!r}?" if close else f"pick one of: {', '.join(columns[:30])}",
            )

        used: set[str] = set()
        fields: dict[str, str | None] = {f: None for f in FIELDS}
        for f, col in self.fields.items():
            if f not in FIELDS:
                raise MappingError(f"unknown field {f!r}", where=where, fix=f"use one of {', '.join(FIELDS)}")
            c = _column(col, f)
            if c in used:
                raise MappingError(f"column {c!r} is mapped twice", where=where, fix="map each column to one field")
            fields[f] = c
            used.add(c)
        default_scale = self.scales.get("*", EXTRA_RATING_SCALE)
        ratings = [(c, c, self.scales.get(c, default_scale)) for c in (_column(r, "ratings") for r in self.ratings)]
        used.update(c for c, _, _ in ratings)
        measures = [(c, normalise(c, measure=True)) for c in (_column(m, "measures") for m in self.measures)]
        used.update(c for c, _ in measures)
        for c in self.scales:
            if c != "*":
                _column(c, "scales")

        found: set[str] = set()
        if self.auto if auto is None else auto:
            for f in FIELDS:
                if fields[f] is not None:
                    continue
                for cand in _CANDIDATES[f]:
                    c = by_norm.get(cand)
                    if c is not None and c not in used:
                        fields[f] = c
                        used.add(c)
                        found.add(f)
                        break
            items: dict[str, str] = {}
            expected_measures: set[str] = set()
            if journey is not None:
                for tp in journey.touchpoints:
                    for item in tp.survey_items:
                        items[normalise(item)] = item
                    if tp.expectation is not None:
                        expected_measures.add(tp.expectation.measure)
            for c in columns:
                if c in used:
                    continue
                n = normalise(c)
                if n in items:
                    ratings.append((c, c, self.scales.get(c, default_scale)))
                    used.add(c)
                    continue
                m = normalise(c, measure=True)
                if m in expected_measures or _is_measure_name(m):
                    measures.append((c, m))
                    used.add(c)
        attributes = [c for c in columns if c not in used]
        return Plan(
            fields=fields,
            ratings=ratings,
            measures=measures,
            attributes=attributes,
            defaults=dict(self.defaults),
            auto=found,
            columns=list(columns),
        )
