"""The suggested first reply to a recovery case, from templates (replies.yaml).

The reply names the specific problem (from the moment's evidence), apologizes,
says what happens next and by when (the playbook's fix and the resolve
deadline), offers the playbook's gesture for the case's stakes, and says when
we will follow up. It never contains vague filler ('we value your feedback')
nor a promise the company cannot keep ('guarantee', 'never happen again'),
unless the journey's own playbook commits to it: :func:`check_reply` says so.

A journey may override any part with ``playbook.reply.<part>`` (greeting,
acknowledge, apologize, next, gesture, follow_up, sign_off).

Example:
    >>> from carlzon.journey import load_journey
    >>> case = {"customer_name": "Anna Berg", "touchpoint": "baggage_claim", "stakes": "high",
    ...         "evidence": [{"rule": "lexicon", "text": "'lost my bag' = lost item", "phrase": "lost my bag"}],
    ...         "moment_at": "2026-03-02T10:00:00+00:00", "opened_at": "2026-03-02T11:00:00+00:00",
    ...         "deadlines": {"resolve": "2026-03-03T11:00:00+00:00", "follow_up": "2026-03-09T11:00:00+00:00"}}
    >>> print(suggest_reply(case, load_journey("airline"), now=None).splitlines()[0])
    Hi Anna,
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from carlzon.errors import CarlzonError
from carlzon.journey import Expectation, Journey

__all__ = ["check_reply", "describe_problem", "reply_templates", "suggest_reply"]

_PARTS = ("acknowledge", "apologize", "next", "gesture", "follow_up")


@lru_cache(maxsize=1)
def reply_templates() -> dict[str, Any]:
    """The built-in templates and never-say lists (carlzon/loop/replies.yaml)."""
    return yaml.safe_load((resources.files("carlzon.loop") / "replies.yaml").read_text(encoding="utf-8"))


def _when(ts: Any) -> datetime | None:
    if ts is None or ts == "" or (isinstance(ts, float) and ts != ts):
        return None
    t = pd.Timestamp(ts)
    if pd.isna(t):
        return None
    return (t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")).to_pydatetime()


def _day(t: datetime) -> str:
    return f"{t.day} {t:%B}"


def _by(t: datetime) -> str:
    return f"by {t:%A} {t.day} {t:%B}, {t:%H:%M} UTC"


def _gap_words(e: dict[str, Any]) -> str | None:
    """'your bag wait was 45 minutes, where we aim for 20 at most' from an expectation evidence."""
    try:
        exp = Expectation.parse(str(e.get("expectation")))
        value = float(e["value"])
    except (CarlzonError, KeyError, TypeError, ValueError):
        return str(e["text"]) if e.get("text") else None
    words = exp.measure.split("_")
    unit = words.pop() if words and words[-1] in ("minutes", "seconds", "hours", "days") else ""
    what = " ".join(words) or exp.measure
    num = lambda x: f"{int(x)}" if float(x).is_integer() else f"{x:g}"  # noqa: E731
    bound = "at most" if exp.op in ("<=", "<") else "at least"
    return f"your {what} was {num(value)} {unit}, where we aim for {num(exp.bound)} {bound}".replace("  ", " ")


def describe_problem(case: dict[str, Any]) -> str:
    """The specific problem in words, from the case's evidence: the customer's strongest phrases
    (up to two), the expectation gaps, else a short quote of their text, else the rating."""
    evidence = case.get("evidence") or []
    if isinstance(evidence, str):
        evidence = json.loads(evidence) if evidence.strip() else []
    phrases: list[tuple[float, str]] = []
    gaps, ratings = [], []
    for e in evidence:
        rule = e.get("rule")
        if rule in ("lexicon", "model") and e.get("phrase"):
            weight = abs(float(e.get("weight") or 0.5))
            if weight >= 0.4 and all(p != e["phrase"] for _, p in phrases):
                phrases.append((weight, str(e["phrase"])))
        elif rule == "expectation":
            words = _gap_words(e)
            if words:
                gaps.append(words)
        elif rule == "rating" and e.get("text"):
            ratings.append(str(e["text"]))
    parts = []
    if phrases:
        top = [p for _, p in sorted(phrases, key=lambda x: -x[0])[:2]]
        parts.append("you told us " + " and ".join(f'"{p}"' for p in top))
    parts += gaps[:2]
    if not parts:
        text = case.get("text")
        if isinstance(text, str) and text.strip():
            quote = re.sub(r"\s+", " ", text.strip())
            quote = quote if len(quote) <= 90 else quote[:87].rsplit(" ", 1)[0] + "..."
            parts.append(f'you told us "{quote}"')
    if not parts and ratings:
        parts.append("you gave us " + ratings[0])
    return "; ".join(parts) or (case.get("reasons") or "the experience you had")


def suggest_reply(case: dict[str, Any], journey: Journey, *, now: datetime | None = None) -> str:
    """The suggested first reply for a case (a dict as returned by ``RecoveryDesk.get``)."""
    tpl = dict(reply_templates())
    book = journey.playbook or {}
    tpl.update({k: v for k, v in (book.get("reply") or {}).items() if isinstance(v, (str, dict))})
    tid = case.get("touchpoint") or "unknown"
    tname = journey.touchpoint(tid).name.lower() if journey.has_touchpoint(tid) else "service"
    fixes = book.get("fixes") or {}
    gestures = book.get("gestures") or {}
    steps = {str(s.get("step")): s for s in book.get("steps") or []}
    now = now or datetime.now(timezone.utc)
    deadlines = case.get("deadlines") or {}
    if isinstance(deadlines, str):
        deadlines = json.loads(deadlines)

    def due(step: str, default_hours: float) -> datetime:
        planned = _when(deadlines.get(step))
        if planned and planned > now:
            return planned
        return now + timedelta(hours=float(steps.get(step, {}).get("within_hours", default_hours)))

    moment_at = _when(case.get("moment_at"))
    name = (case.get("customer_name") or "").split()
    fields = {
        "name": name[0] if name else "",
        "problem": describe_problem(case),
        "touchpoint": tname,
        "when": f"on {_day(moment_at)}" if moment_at else "",
        "fix": fixes.get(tid) or fixes.get("default") or "look into it and put it right",
        "deadline": _by(due("resolve", 24)),
        "gesture": gestures.get(case.get("stakes") or "low") or gestures.get("low") or "",
        "follow_up": "by " + _day(due("follow_up", 168)),
        "agent": case.get("owner") or "",
    }
    greeting = tpl["greeting"]["named"] if fields["name"] else tpl["greeting"]["unnamed"]
    lines = [greeting.format(**fields)]
    body = []
    for part in _PARTS:
        if part == "gesture" and not fields["gesture"]:
            continue
        body.append(re.sub(r"\s+([.:,])", r"\1", tpl[part].format(**fields)).replace("  ", " "))
    lines.append(" ".join(body))
    if fields["agent"]:
        lines.append(tpl["sign_off"].format(**fields))
    return "\n".join(lines)


def check_reply(text: str, journey: Journey | None = None) -> list[str]:
    """What is wrong with a reply: vague filler, or a promise the company cannot keep.

    A phrase the journey's own playbook uses (its fixes and gestures) is the
    company's commitment and is allowed.
    """
    low = text.lower()
    allowed = ""
    if journey is not None:
        book = journey.playbook or {}
        allowed = " ".join(str(v) for key in ("fixes", "gestures") for v in (book.get(key) or {}).values()).lower()
    problems = []
    for phrase in reply_templates()["filler"]:
        if phrase in low:
            problems.append(f"filler: {phrase!r}")
    for phrase in reply_templates()["over_promise"]:
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", low) and phrase not in allowed:
            problems.append(f"over-promise: {phrase!r}")
    return problems
