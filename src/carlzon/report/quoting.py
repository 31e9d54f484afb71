"""Quotes as people read them: the words of the moment with a little context, never a whole review.

A moment carries ``spans``, character offsets ``[start, end]`` into the interaction's text, strongest
first. :func:`quote` shows the strongest span with about ``context`` characters either side, cut at
word boundaries; without a span it falls back to an excerpt cut at sentence ends.

Example:
    >>> text = "We flew to Rome in May. The bag never arrived and nobody called back. Crew were fine."
    >>> quote(text, [[24, 46]], context=20)
    'The bag never arrived and nobody called …'
    >>> quote(text, [], context=20)
    'We flew to Rome in May. The bag never arrived and nobody called back.…'
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["clean_evidence", "first_span", "quote", "quote_parts"]

_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)|\n")
ELLIPSIS = "\u2026"


def first_span(spans: Any, text_len: int) -> tuple[int, int] | None:
    """The strongest usable span of ``spans`` (a JSON string or a list of [start, end]), clamped to the text."""
    if spans is None or (isinstance(spans, float) and math.isnan(spans)):
        return None
    if isinstance(spans, str):
        try:
            spans = json.loads(spans) if spans.strip() else []
        except ValueError:
            return None
    try:
        items = list(spans)
    except TypeError:
        return None
    for s in items:
        try:
            a, b = int(s[0]), int(s[1])
        except (TypeError, ValueError, IndexError, KeyError):
            continue
        a, b = max(0, a), min(text_len, b)
        if b > a:
            return a, b
    return None


def _left(text: str, a: int, context: int) -> int:
    """Where the context before ``a`` starts: a sentence start within reach, else a word start."""
    lo = max(0, a - context)
    if lo == 0:
        return 0
    ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, a)]
    if ends:
        return ends[-1] + (1 if ends[-1] < len(text) and text[ends[-1]] == " " else 0)
    sp = text.find(" ", lo, a)
    return sp + 1 if sp >= 0 else lo


def _right(text: str, b: int, context: int) -> int:
    """Where the context after ``b`` ends: a sentence end within reach, else a word end."""
    hi = min(len(text), b + context)
    if hi == len(text):
        return hi
    m = _SENTENCE_END.search(text, b, hi)
    if m:
        return m.end()
    sp = text.rfind(" ", b, hi)
    return sp if sp > b else hi


def quote_parts(text: Any, spans: Any = None, context: int = 60) -> tuple[str, str, str]:
    """``(before, span, after)`` of :func:`quote`, so a page can mark the span; ellipses included
    (without a span: ``(excerpt, "", "")``)."""
    t = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    t = re.sub(r"\s+", " ", t).strip() if "\n" not in t else t.strip()
    span = first_span(spans, len(t)) if t else None
    if span is None:  # no span to mark: the excerpt is all context
        return excerpt(t, 2 * context + 40), "", ""
    a, b = span
    lo, hi = _left(t, a, context), _right(t, b, context)
    starts = lo == 0 or t[:lo].rstrip()[-1:] in (".", "!", "?", ELLIPSIS)
    before = ("" if starts else ELLIPSIS + " ") + t[lo:a]
    after = t[b:hi] + (" " + ELLIPSIS if hi < len(t) else "")
    return before, t[a:b], after


def quote(text: Any, spans: Any = None, context: int = 60) -> str:
    """The moment's span of ``text`` with about ``context`` characters either side (word and sentence
    boundaries respected, ellipses where cut); without a usable span, a sentence-bounded excerpt."""
    return "".join(quote_parts(text, spans, context))


def excerpt(text: str, limit: int = 160) -> str:
    """The first sentences of ``text`` that fit in ``limit`` characters (at least one, cut at a word)."""
    t = str(text or "").strip()
    if len(t) <= limit:
        return t
    ends = [m.end() for m in _SENTENCE_END.finditer(t, 0, limit + 1)]
    if ends and ends[-1] >= 20:
        return t[: ends[-1]].rstrip() + ELLIPSIS
    sp = t.rfind(" ", 0, limit)
    return t[: sp if sp > 20 else limit].rstrip(" ,;:") + ELLIPSIS


def clean_evidence(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evidence without repeats (one chip per distinct text) and without a rule name that the text
    already starts with ("rating" + "rating 1/5" -> "rating 1/5").

    >>> clean_evidence([{"rule": "rating", "text": "rating 1/5"}, {"rule": "lexicon", "text": "unacceptable"},
    ...                 {"rule": "lexicon", "text": "unacceptable"}])
    [{'rule': '', 'text': 'rating 1/5'}, {'rule': 'lexicon', 'text': 'unacceptable'}]
    """
    seen: set[str] = set()
    out = []
    for e in evidence or []:
        text = str(e.get("text") or "").strip()
        key = text.lower()
        if not text or key in seen:
            continue
        seen.add(key)
        rule = str(e.get("rule") or "").strip()
        first = key.split(" ", 1)[0]
        if rule.lower() in (first, key) or key.startswith(rule.lower() + " "):
            rule = ""
        out.append({**e, "rule": rule, "text": text})
    return out
