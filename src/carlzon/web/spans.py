"""A moment's text with the parts it is about (its spans) marked, escaped and masked as the reader may see it.

Each moment of an interaction points at what was said of its touchpoint (``spans``: [start, end]
offsets into the interaction's text). :func:`highlighted` returns the whole text, HTML-escaped,
with those parts in ``<mark>``; personal data is masked over the whole text first (as the
``personal`` filter does), so a name across a span's edge is still masked.

Example:
    >>> from carlzon.privacy.display import showing_personal_data
    >>> with showing_personal_data(True):
    ...     str(highlighted("Room fine. Desk <b>rude</b>.", "[[11, 27]]"))
    'Room fine. <mark>Desk &lt;b&gt;rude&lt;/b&gt;</mark>.'
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup, escape

__all__ = ["highlighted"]

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: never in what is shown (removed from the text first)


def _spans(spans: Any, n: int) -> list[tuple[int, int]]:
    if isinstance(spans, str):
        try:
            spans = json.loads(spans)
        except ValueError:
            return []
    out: list[tuple[int, int]] = []
    for sp in spans if isinstance(spans, list) else []:
        try:
            a, b = int(sp[0]), int(sp[1])
        except (TypeError, ValueError, IndexError):
            continue
        if 0 <= a < b <= n:
            out.append((a, b))
    merged: list[list[int]] = []
    for a, b in sorted(out):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def highlighted(text: Any, spans: Any = None) -> Any:
    """``text`` escaped, masked for the reader, with its ``spans`` in ``<mark>`` (Markup); non-text as it is."""
    from carlzon.privacy.display import personal

    if not isinstance(text, str):
        return text
    clean = text.replace(_OPEN, "").replace(_CLOSE, "")
    parts, at = [], 0
    for a, b in _spans(spans, len(clean)) if clean == text else []:  # offsets only hold on the text as stored
        parts += [clean[at:a], _OPEN, clean[a:b], _CLOSE]
        at = b
    parts.append(clean[at:])
    shown = str(personal("".join(parts)))
    # a marker the masking swallowed must not leave a <mark> open
    if shown.count(_OPEN) != shown.count(_CLOSE):
        shown = shown.replace(_OPEN, "").replace(_CLOSE, "")
    html = str(escape(shown)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    return Markup(html)
