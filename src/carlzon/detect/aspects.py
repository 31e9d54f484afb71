"""Aspects: the qualities customers judge across touchpoints (price and value, speed and waiting, ...).

A mention's aspect is the one whose words it uses most (ties: the order of :data:`ASPECTS`);
a moment's aspect is that of its strongest mention that has one. The words are general words
of service language, matched whole (the last word of a phrase also in its plural).

Example:
    >>> aspect_of(["The prices are a rip-off", "Check-in took 45 minutes", "Lovely people"])
    ['price_value', 'speed_waiting', None]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["ASPECTS", "aspect_of"]

ASPECTS: dict[str, tuple[str, ...]] = {
    "price_value": (
        "price",
        "prices",
        "priced",
        "pricey",
        "pricy",
        "overpriced",
        "expensive",
        "cheap",
        "cheaper",
        "inexpensive",
        "cost",
        "costs",
        "costly",
        "value",
        "value for money",
        "worth",
        "worth it",
        "not worth",
        "rip off",
        "rip-off",
        "ripoff",
        "fortune",
        "affordable",
        "bargain",
        "fee",
        "fees",
        "charge",
        "charges",
        "charged",
        "paid",
        "pay",
        "money",
        "budget",
        "reasonable",
        "reasonably priced",
        "bill",
        "extortionate",
        "steep",
        "deal",
    ),
    "speed_waiting": (
        "wait",
        "waited",
        "waiting",
        "slow",
        "slowly",
        "quick",
        "quickly",
        "fast",
        "prompt",
        "promptly",
        "minutes",
        "hours",
        "took ages",
        "forever",
        "queue",
        "queues",
        "line",
        "delay",
        "delayed",
        "late",
        "on time",
        "speedy",
        "took forever",
        "in no time",
        "hold",
        "on hold",
    ),
    "staff_attitude": (
        "rude",
        "friendly",
        "unfriendly",
        "polite",
        "impolite",
        "helpful",
        "unhelpful",
        "courteous",
        "attentive",
        "attitude",
        "welcoming",
        "smile",
        "smiling",
        "arrogant",
        "condescending",
        "dismissive",
        "caring",
        "kind",
        "professional",
        "unprofessional",
        "staff",
        "waiter",
        "waitress",
        "service",
        "hospitality",
        "manners",
    ),
    "cleanliness": (
        "clean",
        "cleaned",
        "cleanliness",
        "dirty",
        "filthy",
        "spotless",
        "stain",
        "stained",
        "stains",
        "dust",
        "dusty",
        "smell",
        "smelly",
        "smelled",
        "stink",
        "stinks",
        "grubby",
        "hygiene",
        "hygienic",
        "unhygienic",
        "tidy",
        "untidy",
        "messy",
        "sticky",
        "mould",
        "mold",
        "spotlessly",
        "immaculate",
    ),
    "quality": (
        "quality",
        "tasty",
        "tasteless",
        "delicious",
        "bland",
        "fresh",
        "stale",
        "cold",
        "soggy",
        "broken",
        "comfortable",
        "uncomfortable",
        "comfy",
        "worn",
        "old",
        "new",
        "modern",
        "well maintained",
        "flavour",
        "flavor",
        "cooked",
        "overcooked",
        "undercooked",
        "burnt",
        "excellent",
        "poor",
        "cheaply made",
    ),
    "accuracy": (
        "wrong",
        "mistake",
        "mistakes",
        "error",
        "errors",
        "incorrect",
        "correct",
        "missing",
        "forgot",
        "forgotten",
        "mixed up",
        "not what i ordered",
        "wrong order",
        "as described",
        "as advertised",
        "accurate",
        "inaccurate",
    ),
    "availability": (
        "out of stock",
        "sold out",
        "unavailable",
        "available",
        "availability",
        "no seats",
        "fully booked",
        "closed",
        "crowded",
        "overcrowded",
        "packed",
        "full",
        "no space",
        "no room",
        "ran out",
        "run out",
        "limited",
        "selection",
        "choice",
        "choices",
        "variety",
        "range",
    ),
    "location": (
        "location",
        "located",
        "central",
        "centrally",
        "close to",
        "near",
        "nearby",
        "walking distance",
        "walk",
        "far from",
        "convenient",
        "inconvenient",
        "neighbourhood",
        "neighborhood",
        "area",
        "view",
        "views",
        "easy to find",
        "hard to find",
    ),
}
"""Aspect -> its words, in the order that settles ties."""

_ORDER = {a: k for k, a in enumerate(ASPECTS)}
_WORD_ASPECT: dict[str, str] = {}
for _a, _words in ASPECTS.items():
    for _w in _words:
        _WORD_ASPECT.setdefault(_w, _a)
_REGEX = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_WORD_ASPECT, key=lambda w: (-len(w), w)))
    + r")(?![\w-])"
)


def aspect_of(texts: Sequence[str | None]) -> list[str | None]:
    """The aspect each text speaks of most, or None."""
    out: list[str | None] = []
    findall, get = _REGEX.findall, _WORD_ASPECT.get
    for t in texts:
        if not isinstance(t, str):
            out.append(None)
            continue
        found = findall(t.lower())
        if not found:
            out.append(None)
            continue
        counts: dict[str, int] = {}
        for w in found:
            a = get(" ".join(w.split()))
            if a is not None:
                counts[a] = counts.get(a, 0) + 1
        out.append(min(counts, key=lambda a: (-counts[a], _ORDER[a])) if counts else None)
    return out
