"""Junk that looks like feedback: markup, script fragments, mojibake, empty and near-empty texts.

Scraped and exported reviews carry debris: ``<br/>`` and ``&amp;``, a ``showReview(12345, 'full')``
call left by the page's script, ``cafÃ©`` where a UTF-8 text was read as Latin-1, a review that is
only ``.`` or ``5*``. :func:`clean_texts` cleans what can be cleaned (strips markup and script
fragments, repairs mojibake with ftfy) and flags the rest; every change and every flag is
counted, never silent. A text left with no letters is no text (the row keeps its rating).

Example:
    >>> texts, notes = clean_texts(["Great<br/>stay &amp; food showReview(123, 'full');", "cafÃ© froid", "."])
    >>> texts, notes
    (['Great stay & food', 'café froid', None], ['markup removed; script removed', 'mojibake repaired', 'empty after cleaning'])
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["NEAR_EMPTY_LETTERS", "clean_texts", "count_notes"]

NEAR_EMPTY_LETTERS = 3
"""A text with fewer letters than this ('ok', '5*', ':)') is kept but flagged as near-empty."""

_SCRIPT_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#\d{1,6}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")
_CALL = re.compile(
    r"(?:javascript:\s*)?(?:\b(?:window|document|this)\.)?\b(?:[a-z]+[A-Z][A-Za-z0-9_$]*|[a-z]+_[a-z0-9_]+|function)"
    r"\s*\([^()]{0,300}\)\s*(?:\{[^{}]{0,300}\})?\s*;?"
)
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\u00c3\u00a9|\u00c3\u00a8|\u00e2\u0080")
_LETTER = re.compile(r"[^\W\d_]", re.U)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")


def _clean_one(text: str) -> tuple[str | None, list[str]]:
    notes: list[str] = []
    t = text
    if "<" in t and ">" in t:
        stripped = _SCRIPT_BLOCK.sub(" ", t)
        stripped = _TAG.sub(" ", stripped)
        if stripped != t:
            notes.append("markup removed")
            t = stripped
    if "&" in t and _ENTITY.search(t):
        t2 = html.unescape(t)
        if t2 != t:
            if "markup removed" not in notes:
                notes.append("markup removed")
            t = t2
    if "(" in t:
        t2 = _CALL.sub(" ", t)
        if t2 != t:
            notes.append("script removed")
            t = t2
    if _MOJIBAKE.search(t):
        import ftfy

        t2 = ftfy.fix_text(t)
        if t2 != t:
            notes.append("mojibake repaired")
            t = t2
    if notes:
        t = _SPACES.sub(" ", t).strip()
    letters = len(_LETTER.findall(t))
    if "\ufffd" in t and t.count("\ufffd") * 4 >= max(letters, 1):
        return t, notes + ["unreadable (mojibake)"]
    if letters == 0:
        return None, notes + ["empty after cleaning"]
    if letters < NEAR_EMPTY_LETTERS:
        notes.append("near-empty")
    return t, notes


def clean_texts(texts: Sequence[str | None]) -> tuple[list[str | None], list[str | None]]:
    """Each text cleaned (None when nothing is left) and its note ('markup removed; near-empty'), or None."""
    out: list[str | None] = []
    notes: list[str | None] = []
    for t in texts:
        if t is None:
            out.append(None)
            notes.append(None)
            continue
        cleaned, n = _clean_one(t)
        out.append(cleaned)
        notes.append("; ".join(n) if n else None)
    return out, notes


def count_notes(notes: Sequence[str | None]) -> Counter[str]:
    """How many texts got each note (a text may have several).

    >>> dict(count_notes(["markup removed; near-empty", None, "near-empty"]))
    {'markup removed': 1, 'near-empty': 2}
    """
    c: Counter[str] = Counter()
    for n in notes:
        if n:
            c.update(n.split("; "))
    return c
