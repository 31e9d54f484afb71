"""Emerging problems from a store and a scope: the one function the CLI, the report and the dashboard call.

``carlzon alerts``, the report's "Emerging problems" section, the dashboard's Alerts page and
``GET /api/alerts``-style views all answer with :func:`emerging_problems`, so they show the same
alerts, counts and baselines for the same store and scope. It reads the moments of the last
``days`` days of the scope (the last dated moment's day counts back) with the
:data:`~carlzon.report.insights.WATCH_BASELINE` days before them as baseline, and fits
:class:`~carlzon.analysis.alerts.EmergingProblems`.

Since moments are one per (interaction, touchpoint), a touchpoint's daily misery counts the
interactions that had misery there, and a phrase is looked for in what was said *there*: the
text of the moment's spans (its mentions), not the whole review (:func:`mention_text`); a
moment without spans (from a rating, or a store not yet re-derived) reads its interaction's text.

Example:
    >>> mention_text("The room was lovely. The desk clerk was rude.", "[[21, 45]]")
    'The desk clerk was rude.'
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd

from carlzon.errors import NotEnoughDataError

__all__ = ["emerging_problems", "mention_text", "mention_texts"]


def mention_text(text: Any, spans: Any) -> Any:
    """The parts of ``text`` that ``spans`` (a JSON list of [start, end], or a list) point at, joined by ' … ';
    the text itself when there are no spans."""
    if not isinstance(text, str):
        return text
    if isinstance(spans, str):
        try:
            spans = json.loads(spans)
        except ValueError:
            spans = None
    parts = []
    for sp in spans or []:
        try:
            a, b = int(sp[0]), int(sp[1])
        except (TypeError, ValueError, IndexError):
            continue
        if 0 <= a < b <= len(text):
            parts.append((a, text[a:b].strip()))
    return " … ".join(p for _, p in sorted(parts)) if parts else text


def mention_texts(moments: pd.DataFrame) -> pd.Series:
    """:func:`mention_text` of every row of a moments frame with ``text`` (and ``spans`` when it has them)."""
    if "text" not in moments.columns:
        return pd.Series([None] * len(moments), index=moments.index, dtype=object)
    if "spans" not in moments.columns:
        return moments["text"]
    return pd.Series(
        [mention_text(t, s) for t, s in zip(moments["text"].tolist(), moments["spans"].tolist())],
        index=moments.index,
        dtype=object,
    )


def emerging_problems(
    store: Any,
    scope: Any = None,
    *,
    journey: Any = None,
    days: int | None = None,
    fdr: float = 0.002,
    active_since: Any = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Emerging problems in ``scope`` (a :class:`carlzon.report.query.Scope`; None: everything) as plain data.

    Returns ``{ran, alerts, n, days, since, until, note, method}``; ``alerts`` are the records of
    :meth:`EmergingProblems.to_records` (``carlzon alerts --json``), active on or after ``since``
    (the first watched day, or ``active_since`` when given), each with ``touchpoint_name`` when a
    journey is given. ``progress(what, done, total)`` is called as each of its four steps begins and at the end.
    """
    tick = progress or (lambda what, done, total: None)
    from carlzon.analysis.alerts import EmergingProblems
    from carlzon.report.insights import WATCH_DAYS, _last_day, _names, watch_window
    from carlzon.report.query import Scope

    scope = Scope() if scope is None else scope
    days = WATCH_DAYS if days is None else int(days)
    tick("reading the moments", 0, 4)
    last = _last_day(store, scope)
    if last is None:
        return {
            "ran": False,
            "alerts": [],
            "n": 0,
            "days": 0,
            "since": None,
            "until": None,
            "note": "No dated moments match, so emerging problems cannot be checked.",
            "method": "",
        }
    m, since, note = watch_window(store, scope, last, days=days)
    if active_since is not None:
        since = pd.Timestamp(active_since)
    tick("finding what was said", 1, 4)
    m = m.assign(text=mention_texts(m))
    ep = EmergingProblems(fdr=fdr)
    try:
        tick("testing daily counts", 2, 4)
        fitted = ep.fit(m)
        tick("writing the alerts", 3, 4)
        found = fitted.to_records(since=since)
    except NotEnoughDataError as exc:
        return {
            "ran": False,
            "alerts": [],
            "n": len(m),
            "days": days,
            "since": since,
            "until": last,
            "note": str(exc),
            "method": "",
        }
    tick("done", 4, 4)
    names = _names(journey) if journey is not None else {}
    for a in found:
        a["touchpoint_name"] = names.get(str(a["touchpoint"]), str(a["touchpoint"]))
        a["examples"] = [str(e) for e in a.get("examples") or []]
    return {
        "ran": True,
        "alerts": found,
        "n": ep.n_,
        "days": ep.n_days_,
        "note": "",
        "since": since,
        "until": last,
        "method": (
            f"daily counts of misery per touchpoint, location and phrase (in what was said there) against "
            f"their own {ep.window}-day baseline (negative-binomial upper tail), Benjamini-Hochberg at "
            f"{ep.fdr}; {note}"
        ),
    }
