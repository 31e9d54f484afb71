"""Which journey an export speaks of: the built-in template whose touchpoints its texts (and rating
columns) name most, with how sure that is.

Each template's touchpoint phrases (and ids written as words), and the template's own name and title
("hotel", "coffee shop": what customers call the business), are searched in a sample of the texts,
as the detector's phrase matcher does. A phrase counts by how specific it is: a phrase that several
templates share ("staff", "price", "check in") counts ``1 / templates sharing it``, so that the words
only one industry uses (boarding pass, barista, fitting room, router) decide. A rating column that
names one of the template's touchpoints (:meth:`~carlzon.journey.Journey.match_item`) counts like
:data:`COLUMN_SHARE` of the sample's texts (at least :data:`COLUMN_WEIGHT`): an export with a
``check_in_front_desk`` rating says what it is however many texts it has. The best template is
chosen when it has evidence in at least :data:`MIN_TEXTS` texts (or a rating column) and at least :data:`MIN_RATIO` times the score of
the second; otherwise :meth:`JourneyFit.refusal` names the top candidates and the flag.

Example:
    >>> fit = fit_journey(["The barista got my latte wrong", "Long queue for coffee, flat white was cold"] * 5)
    >>> fit.journey.name, fit.sure
    ('coffee_shop', True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache, cache
from typing import Any

from carlzon.errors import MappingError
from carlzon.journey import Journey, journey_templates, load_journey

__all__ = ["COLUMN_SHARE", "COLUMN_WEIGHT", "MIN_RATIO", "MIN_TEXTS", "JourneyFit", "fit_journey"]

MIN_TEXTS = 5
"""Texts (or a rating column) that must speak of the best template before it is chosen."""
MIN_RATIO = 1.5
"""The best template's score must be at least this many times the second's."""
COLUMN_WEIGHT = 5.0
"""A rating column naming a template's touchpoint weighs like at least this many texts."""
COLUMN_SHARE = 0.05
"""... and like this share of the sample's texts, when that is more."""
SAMPLE_TEXTS = 2000


@dataclass
class JourneyFit:
    """The outcome of :func:`fit_journey`: the scores of every template, the best, and whether it is sure."""

    scores: dict[str, float]
    texts: int
    evidence: dict[str, int] = field(default_factory=dict)  # template -> texts that name one of its touchpoints
    columns: dict[str, list[str]] = field(default_factory=dict)  # template -> rating columns it names

    @property
    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.scores.items(), key=lambda kv: (-kv[1], kv[0]))

    @property
    def best(self) -> str | None:
        r = self.ranked
        return r[0][0] if r and r[0][1] > 0 else None

    @property
    def journey(self) -> Journey | None:
        return _template(self.best) if self.best else None

    @property
    def share(self) -> float:
        """The best template's part of all templates' scores (how sure, 0-1)."""
        total = sum(self.scores.values())
        return self.scores[self.best] / total if self.best and total else 0.0

    @property
    def ratio(self) -> float:
        r = self.ranked
        if not r or r[0][1] <= 0:
            return 0.0
        return r[0][1] / r[1][1] if len(r) > 1 and r[1][1] > 0 else float("inf")

    @property
    def sure(self) -> bool:
        b = self.best
        if b is None:
            return False
        enough = self.evidence.get(b, 0) >= MIN_TEXTS or bool(self.columns.get(b))
        return enough and self.ratio >= MIN_RATIO

    def summary(self) -> str:
        """'hotel (62% of the evidence, 140 of 200 texts name its touchpoints; next: restaurant 21%)'."""
        if self.best is None:
            return f"no template: none of {self.texts:,} texts names a touchpoint of a built-in journey"
        total = sum(self.scores.values())
        r = self.ranked
        parts = [
            f"{self.best} ({self.share:.0%} of the evidence, {self.evidence.get(self.best, 0):,} of "
            f"{self.texts:,} texts name its touchpoints"
        ]
        if self.columns.get(self.best):
            parts.append(f", {len(self.columns[self.best])} rating columns")
        if len(r) > 1 and r[1][1] > 0:
            parts.append(f"; next: {r[1][0]} {r[1][1] / total:.0%}")
        return "".join(parts) + ")"

    def refusal(self, where: str) -> MappingError:
        """The error that says the journey cannot be told, with the top candidates and the flag."""
        total = sum(self.scores.values()) or 1.0
        top = [f"{n} {s / total:.0%}" for n, s in self.ranked[:3] if s > 0]
        if not top:
            msg = f"cannot tell the journey: none of {self.texts:,} texts names a touchpoint of a built-in template"
        else:
            msg = f"cannot tell the journey for sure ({', '.join(top)} of the evidence in {self.texts:,} texts)"
        return MappingError(
            msg,
            where=where,
            fix=f"pass --journey {self.best or 'NAME'} (or another of {', '.join(journey_templates())}, "
            "or your own YAML file)",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "how": "chosen from the data" if self.sure else "unsure",
            "best": self.best,
            "share": round(self.share, 3),
            "sure": self.sure,
            "texts": self.texts,
            "scores": {k: round(v, 2) for k, v in self.ranked},
            "summary": self.summary(),
        }


@cache
def _template(name: str) -> Journey:
    return load_journey(name)


@lru_cache(maxsize=1)
def _phrase_table() -> tuple[dict[str, dict[str, float]], re.Pattern[str]]:
    """phrase -> {template: weight} over all templates, and one regex finding any phrase."""
    owners: dict[str, set[str]] = {}
    for name in journey_templates():
        j = _template(name)
        own = {name.replace("_", " "), j.title}
        for tp in j.touchpoints:
            own.update((*tp.phrases, tp.id.replace("_", " ")))
        for p in own:
            p = p.lower().strip()
            if len(p) >= 3:
                owners.setdefault(p, set()).add(name)
    table = {p: {n: 1.0 / len(ns) for n in ns} for p, ns in owners.items()}
    alts = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(p) for p in alts) + r")(?:e?s)?(?![\w])")
    return table, pattern


def fit_journey(texts: Sequence[str | None], rating_columns: Sequence[str] = ()) -> JourneyFit:
    """Score every built-in template on ``texts`` (a sample is enough) and the names of rating columns."""
    table, pattern = _phrase_table()
    names = journey_templates()
    scores = {n: 0.0 for n in names}
    evidence = {n: 0 for n in names}
    sample = [t for t in texts if isinstance(t, str) and t.strip()][:SAMPLE_TEXTS]
    for t in sample:
        found = {m.group(1) for m in pattern.finditer(t.lower())}
        per: dict[str, float] = {}
        for p in found:
            for n, w in table[p].items():
                per[n] = per.get(n, 0.0) + w
        for n, w in per.items():
            scores[n] += min(w, 3.0)  # one text is evidence once, however wordy
            evidence[n] += 1
    columns: dict[str, list[str]] = {}
    weight = max(COLUMN_WEIGHT, COLUMN_SHARE * len(sample))
    for c in rating_columns:
        hits = [n for n in names if _template(n).match_item(c) is not None]
        for n in hits:
            columns.setdefault(n, []).append(c)
            scores[n] += weight / len(hits)
    return JourneyFit(scores=scores, texts=len(sample), evidence=evidence, columns=columns)
