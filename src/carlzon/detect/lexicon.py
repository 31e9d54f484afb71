"""Loading the lexicons behind the text scorer.

Two inputs, merged word by word (the service lexicon wins):

* ``service_lexicon.tsv`` next to this module: customer-service events written in
  this project (delays, holds, lost bags, upgrades, remembered names, ...), with
  valence, intensity, stakes and a category; plus the control words (negation,
  intensifiers, contrast, politeness). See the header of that file for its format.
* the VADER lexicon (C.J. Hutto, MIT licence), read at run time from the installed
  ``vaderSentiment`` package (``vader_lexicon.txt``); it is never copied into carlzon.

Example:
    >>> from carlzon.detect.lexicon import load_service_lexicon
    >>> entries = load_service_lexicon()
    >>> next(e for e in entries if e.phrase == "lost my bag").category
    'lost_item'
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from carlzon.errors import DetectError

__all__ = [
    "CONTROL_CATEGORIES",
    "STAKES",
    "LexiconEntry",
    "category_label",
    "event_categories",
    "load_service_lexicon",
    "load_vader_lexicon",
]

STAKES = ("low", "medium", "high")
"""Stakes levels, in order."""

CONTROL_CATEGORIES = frozenset(
    {
        "negation",
        "intensifier",
        "dampener",
        "contrast",
        "concession",
        "politeness",
        "greeting",
        "neutral",
        "irrealis",
        "scare",
    }
)
"""Categories that steer other words rather than carry valence themselves."""

_MAX_EXPANSION = 5000

_LABELS = {
    "lost_item": "lost item",
    "lost_card": "lost or blocked card",
    "refund_refused": "refund refused",
    "double_charge": "double charge",
    "billing_error": "billing error",
    "broken_promise": "broken promise",
    "wrong_item": "wrong item or mistake",
    "missing_item": "missing item",
    "unavailable": "not available or not enough",
    "quality_praise": "quality or value praised",
    "poor_quality": "poor quality",
    "not_working": "not working",
    "food_quality": "food quality",
    "missed_connection": "missed connection",
    "never_again": "never again",
    "above_and_beyond": "above and beyond",
    "quick_fix": "quick fix",
    "free_replacement": "free replacement or refund",
    "staff_praise": "staff praised",
    "on_time": "on time",
    "no_problem": "no problems",
    "life_event": "life event",
    "child": "a child involved",
    "medical": "a medical need",
    "sarcasm_cue": "praise",
    "thanks": "thanks, mild praise",
    "general": "negative word",
    "value": "price or value",
}


def category_label(category: str, valence: float = 0.0) -> str:
    """Words for a category in evidence sentences, e.g. ``lost_item`` -> ``lost item``."""
    if category == "vader":
        return "positive word" if valence > 0 else "negative word"
    if category == "general" and valence > 0:
        return "positive word"
    return _LABELS.get(category, category.replace("_", " "))


NOT_EVENTS = CONTROL_CATEGORIES | {"general", "sarcasm_cue", "emoji", "vader", "complaint", "gratitude", "thanks"}
"""Categories that are words of feeling or steering, not service events (the rest are events)."""


@lru_cache(maxsize=1)
def event_categories() -> frozenset[str]:
    """The service events of the built-in lexicon (``delay``, ``lost_item``, ``upgrade``, ...).

    >>> {"delay", "hold", "lost_item"} <= event_categories()
    True
    """
    return frozenset(e.category for e in load_service_lexicon()) - NOT_EVENTS


@dataclass(frozen=True)
class LexiconEntry:
    """One phrase of the lexicon (alternations already expanded)."""

    phrase: str
    valence: float
    intensity: float
    stakes: str
    category: str
    line: int = 0


def _expand(phrase: str, where: str) -> list[str]:
    """'a|b c' lists whole alternative phrases; a word ending in '?' is optional."""
    out: list[str] = []
    for alt in phrase.split("|"):
        words = alt.split()
        if not words:
            raise DetectError(f"empty alternative in {phrase!r}", where=where, fix="remove the stray '|'")
        slots = [[w[:-1], ""] if len(w) > 1 and w.endswith("?") else [w] for w in words]
        for combo in itertools.product(*slots):
            text = " ".join(w for w in combo if w)
            if text:
                out.append(text)
        if len(out) > _MAX_EXPANSION:
            raise DetectError(f"{phrase[:40]!r}... expands to too many phrases", where=where, fix="split it over lines")
    return out


def load_service_lexicon(path: str | Path | None = None) -> list[LexiconEntry]:
    """Read the service lexicon (the built-in one by default) into entries.

    Raises DetectError with the line number for any malformed line, unknown stakes,
    or a phrase listed twice.
    """
    if path is None:
        text = resources.files("carlzon.detect").joinpath("service_lexicon.tsv").read_text(encoding="utf-8")
        name = "service_lexicon.tsv"
    else:
        p = Path(path)
        if not p.is_file():
            raise DetectError(f"lexicon file {p} does not exist", fix="give the path of a .tsv lexicon")
        text = p.read_text(encoding="utf-8")
        name = p.name
    entries: list[LexiconEntry] = []
    seen: dict[str, int] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\n\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{name}:{lineno}"
        cols = line.split("\t")
        if len(cols) != 5:
            raise DetectError(
                f"expected 5 tab-separated columns, found {len(cols)}",
                where=where,
                fix="write: phrase<TAB>valence<TAB>intensity<TAB>stakes<TAB>category",
            )
        phrase, valence_s, intensity_s, stakes, category = (c.strip() for c in cols)
        try:
            valence, intensity = float(valence_s), float(intensity_s)
        except ValueError:
            raise DetectError(
                f"valence {valence_s!r} or intensity {intensity_s!r} is not a number",
                where=where,
                fix="use e.g. -2.5 and 0.7",
            ) from None
        if not -4.0 <= valence <= 4.0 or not 0.0 <= intensity <= 1.0:
            raise DetectError(
                "valence must lie in [-4, 4] and intensity in [0, 1]", where=where, fix="rescale the numbers"
            )
        if stakes not in STAKES:
            raise DetectError(f"unknown stakes {stakes!r}", where=where, fix="use low, medium or high")
        if not category or not category.replace("_", "").isalnum():
            raise DetectError(f"bad category {category!r}", where=where, fix="use a word such as delay or lost_item")
        for words in _expand(phrase.lower(), where):
            if words in seen:
                raise DetectError(
                    f"phrase {words!r} is already listed on line {seen[words]}",
                    where=where,
                    fix="keep one entry per phrase",
                )
            seen[words] = lineno
            entries.append(LexiconEntry(words, valence, intensity, stakes, category, lineno))
    return entries


def load_vader_lexicon() -> dict[str, float]:
    """The VADER word valences (MIT licence) from the installed vaderSentiment package."""
    try:
        root = resources.files("vaderSentiment")
    except ModuleNotFoundError:
        raise DetectError("the vaderSentiment package is not installed", fix="pip install vaderSentiment") from None
    out: dict[str, float] = {}
    for line in root.joinpath("vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) < 2:
            continue
        word = cols[0].strip().lower()
        if word and word not in out:
            try:
                out[word] = float(cols[1])
            except ValueError:
                continue
    return out
