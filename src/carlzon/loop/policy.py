"""Which moments of misery open a recovery case: a policy sized to the team.

A case is work for a person, so a team opens only as many as it can recover.
The policy lives in the journey (``playbook.case_policy``) or in a YAML file of
its own (``carlzon cases open --policy policy.yaml``)::

    case_policy:
      min_priority: 30          # priority (0-100) a case needs at least
      open_when:                # ...and at least one of these
        stakes: [high]          #   the touchpoint's stakes
        min_intensity: 0.6      #   the customer's emotional energy
        min_customer_value: 0.75
        min_repeated: 1         #   earlier miseries of this customer in 90 days
      require_complaint: true   # a complaint in words or a low rating; a passive customer never opens one
      daily_capacity: 40        # cases per day of misery, highest priority first
      max_age_days: 30          # misery older than this is summarised: too late to recover one by one

Every misery the policy does not open is **summarised** with its reason (one
of :data:`SUMMARY_REASONS`), so that nothing, and no high-stakes misery above
all, disappears silently: ``RecoveryDesk.summary()`` lists them as themes by
touchpoint.

Example:
    >>> p = CasePolicy.from_mapping({"daily_capacity": 5, "open_when": {"stakes": ["high"]}})
    >>> p.daily_capacity, p.stakes
    (5, ('high',))
    >>> p.decide(priority=70, stakes="high", intensity=0.9, value=0, prior=0, complaint=True)
    'open'
    >>> p.decide(priority=40, stakes="low", intensity=0.3, value=0, prior=0, complaint=False)
    'no_complaint'
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from carlzon.errors import CarlzonError

__all__ = ["SUMMARY_REASONS", "CasePolicy", "complaint_of", "load_policy"]

SUMMARY_REASONS = {
    "no_complaint": "neither a complaint in words nor a low rating",
    "below_priority": "priority below the policy's minimum",
    "not_selected": "none of the policy's open_when rules holds (stakes, intensity, value, repeated misery)",
    "over_capacity": "the day's capacity was full with higher-priority cases",
    "too_old": "older than the policy's max_age_days when first considered",
}
"""Why a misery was summarised rather than opened as a case."""

_KEYS = {"min_priority", "open_when", "require_complaint", "daily_capacity", "max_age_days"}
_WHEN_KEYS = {"stakes", "min_intensity", "min_customer_value", "min_repeated"}
_RATING_SCALES = ("nps", "csat", "ces", "stars")


@dataclass(frozen=True)
class CasePolicy:
    """The rules that turn moments of misery into cases (see the module docstring)."""

    min_priority: float = 30.0
    stakes: tuple[str, ...] = ("high",)
    min_intensity: float = 0.6
    min_customer_value: float = 0.75
    min_repeated: int = 1
    require_complaint: bool = True
    daily_capacity: int | None = 40
    max_age_days: float | None = 30.0
    source: str = field(default="built-in", compare=False)

    @classmethod
    def from_mapping(cls, raw: Any, *, source: str = "built-in", min_priority: float | None = None) -> CasePolicy:
        """A policy from a mapping (the ``case_policy`` block), with the defaults for what it leaves out."""
        raw = dict(raw or {})
        if "case_policy" in raw and isinstance(raw["case_policy"], dict):
            raw = dict(raw["case_policy"])
        unknown = set(raw) - _KEYS
        if unknown:
            raise CarlzonError(
                f"unknown case policy keys {sorted(unknown)} in {source}", fix=f"use only {', '.join(sorted(_KEYS))}"
            )
        when = dict(raw.get("open_when") or {})
        bad = set(when) - _WHEN_KEYS
        if bad:
            raise CarlzonError(
                f"unknown open_when keys {sorted(bad)} in {source}", fix=f"use only {', '.join(sorted(_WHEN_KEYS))}"
            )
        d = cls()
        stakes = when.get("stakes", list(d.stakes))
        stakes = [stakes] if isinstance(stakes, str) else list(stakes or [])
        for s in stakes:
            if s not in ("low", "medium", "high"):
                raise CarlzonError(f"unknown stakes {s!r} in {source}: open_when.stakes", fix="use low, medium or high")

        def num(key: str, default: Any, where: dict[str, Any]) -> Any:
            value = where.get(key, default)
            if value is None:
                return None
            try:
                return float(value)
            except (TypeError, ValueError):
                raise CarlzonError(
                    f"{key} must be a number in {source}, not {value!r}", fix=f"e.g. {key}: {default}"
                ) from None

        capacity = num("daily_capacity", d.daily_capacity, raw)
        if capacity is not None and capacity < 1:
            raise CarlzonError(f"daily_capacity must be at least 1 in {source}", fix="e.g. daily_capacity: 40")
        return cls(
            min_priority=float(min_priority if min_priority is not None else num("min_priority", d.min_priority, raw)),
            stakes=tuple(stakes),
            min_intensity=num("min_intensity", d.min_intensity, when),
            min_customer_value=num("min_customer_value", d.min_customer_value, when),
            min_repeated=int(num("min_repeated", d.min_repeated, when)),
            require_complaint=bool(raw.get("require_complaint", d.require_complaint)),
            daily_capacity=None if capacity is None else int(capacity),
            max_age_days=num("max_age_days", d.max_age_days, raw),
            source=source,
        )

    def decide(
        self, *, priority: float, stakes: str, intensity: float, value: float, prior: int, complaint: bool
    ) -> str:
        """'open' or the reason the misery is summarised (capacity and age are decided by the desk)."""
        if self.require_complaint and not complaint:
            return "no_complaint"
        if priority < self.min_priority:
            return "below_priority"
        rules = (
            stakes in self.stakes,
            self.min_intensity is not None and intensity >= self.min_intensity,
            self.min_customer_value is not None and value >= self.min_customer_value,
            self.min_repeated is not None and self.min_repeated > 0 and prior >= self.min_repeated,
        )
        return "open" if any(rules) else "not_selected"

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_priority": self.min_priority,
            "open_when": {
                "stakes": list(self.stakes),
                "min_intensity": self.min_intensity,
                "min_customer_value": self.min_customer_value,
                "min_repeated": self.min_repeated,
            },
            "require_complaint": self.require_complaint,
            "daily_capacity": self.daily_capacity,
            "max_age_days": self.max_age_days,
            "source": self.source,
        }


def load_policy(journey: Any, path: str | Path | None = None, *, min_priority: float | None = None) -> CasePolicy:
    """The case policy: from ``path`` (a YAML file) when given, else the journey's
    ``playbook.case_policy`` (its older ``playbook.min_priority`` is honoured), else the defaults."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise CarlzonError(f"no case policy file {p}", fix="pass a YAML file with a case_policy block")
        try:
            raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise CarlzonError(
                f"{p} is not valid YAML: {exc}", fix="check the indentation of the policy file"
            ) from None
        return CasePolicy.from_mapping(raw, source=str(p), min_priority=min_priority)
    book = getattr(journey, "playbook", None) or {}
    raw = dict(book.get("case_policy") or {})
    if "min_priority" in book and "min_priority" not in raw:
        raw["min_priority"] = book["min_priority"]
    return CasePolicy.from_mapping(raw, source=f"journey {getattr(journey, 'name', '?')}", min_priority=min_priority)


def _is_nan(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def complaint_of(evidence: Any, ratings: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Whether a moment holds a complaint: words of misery in its evidence (a lexicon or model phrase
    with negative weight, an expectation missed) or a rating at or below the journey's misery threshold.

    Returns ``{"words": bool, "low_rating": str | None}``.
    """
    if isinstance(evidence, str):
        try:
            evidence = json.loads(evidence) if evidence.strip() else []
        except ValueError:
            evidence = []
    words = False
    for e in evidence if isinstance(evidence, list) else []:
        if not isinstance(e, dict):
            continue
        rule = str(e.get("rule") or "")
        if rule == "expectation":
            words = True
        elif rule not in ("rating", "touchpoint", "stakes", "negation", "") and (e.get("phrase") or e.get("span")):
            # a negated praise ('no praise', 'not great') is no complaint on its own
            try:
                weight = float(e.get("weight", -1.0))
            except (TypeError, ValueError):
                continue
            # a strong word of misery, or a service event ('lost my bag', 'never replied'); a mild or
            # generic word ('average', 'no complaints') is no complaint on its own
            event = e.get("value") not in (None, "general", "complaint", "sarcasm_cue")
            words = words or weight <= -0.4 or (event and weight <= -0.25)
    low = None
    for scale in _RATING_SCALES:
        v = ratings.get(scale)
        if v is None or _is_nan(v) or scale not in thresholds:
            continue
        if float(v) <= float(thresholds[scale]["misery"]):
            low = f"{scale} {float(v):g}"
            break
    return {"words": words, "low_rating": low}
