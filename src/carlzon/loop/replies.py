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

import html
import json
import re
from datetime import datetime, timedelta, UTC
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from carlzon.errors import CarlzonError
from carlzon.journey import Expectation, Journey

__all__ = [
    "check_reply",
    "describe_problem",
    "fix_for",
    "impossible_promises",
    "quotes_lone_word",
    "reply_templates",
    "suggest_reply",
]

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


_CLAUSE_END = re.compile(r"[.!?;\n]+|\s[-\u2013\u2014]\s|,\s(?=but\b|and then\b|so\b)")
_HANDLE = re.compile(r"(?:^|(?<=[\s.(]))[@#]\w+|https?://\S+|^\.(?=\s)")
_GLOSS = re.compile(r"=\s*([^,]+?)(?:,\s*\w+ stakes)?$")
_GENERIC_GLOSS = ("negative word", "negated praise", "negated positive word", "complaint", "positive word")
_MAX_WORDS = 16


def _clean(text: str) -> str:
    """Handles, links and entities out, double quotes made single (the reply quotes the clause)."""
    text = html.unescape(text).replace('"', "'").replace("\u201c", "'").replace("\u201d", "'")
    return re.sub(r"\s+", " ", _HANDLE.sub(" ", text)).strip(" ,:-./")


def _clause(text: str, start: int, end: int) -> str:
    """The clause of ``text`` around [start, end): from the previous clause end to the next, at most
    _MAX_WORDS words around the phrase (handles and links removed)."""
    cuts = [0] + [m.end() for m in _CLAUSE_END.finditer(text) if m.end() <= start]
    lo = max(cuts)
    nxt = [m.start() for m in _CLAUSE_END.finditer(text, end)]
    hi = nxt[0] if nxt else len(text)
    before, phrase, after = _clean(text[lo:start]).split(), text[start:end], _clean(text[end:hi]).split()
    room = max(0, _MAX_WORDS - len(phrase.split()))
    keep_before = before[-min(len(before), max(room // 2, room - len(after))) :] if room and before else []
    keep_after = after[: max(0, room - len(keep_before))]
    out = " ".join(keep_before + [phrase.strip()] + keep_after)
    return _clean(out)


def _find(text: str, e: dict[str, Any]) -> tuple[int, int] | None:
    span = e.get("span")
    if isinstance(span, (list, tuple)) and len(span) == 2:
        try:
            a, b = int(span[0]), int(span[1])
            if 0 <= a < b <= len(text):
                return a, b
        except (TypeError, ValueError):
            pass
    phrase = str(e.get("phrase") or "")
    if not phrase:
        return None
    pattern = re.escape(phrase.replace("\u2019", "'")).replace("'", "['\u2019]")
    m = re.search(rf"(?<!\w){pattern}(?!\w)", text, flags=re.IGNORECASE)
    return (m.start(), m.end()) if m else None


def _gloss(e: dict[str, Any]) -> str | None:
    """'lost item' from '"lost my bag" = lost item, high stakes'; None for a generic word."""
    m = _GLOSS.search(str(e.get("text") or ""))
    if not m or m.group(1).strip() in _GENERIC_GLOSS:
        return None
    return m.group(1).strip()


def describe_problem(case: dict[str, Any]) -> str:
    """The specific problem in words, from the case's evidence: the clauses of the customer's own text
    that hold the strongest evidence (up to two, never a lone word), the expectation gaps, else a
    short quote of their text, else the rating."""
    evidence = case.get("evidence") or []
    if isinstance(evidence, str):
        evidence = json.loads(evidence) if evidence.strip() else []
    text = case.get("text") if isinstance(case.get("text"), str) else ""
    found: list[tuple[float, int, str]] = []
    glosses: list[str] = []
    gaps, ratings = [], []
    for e in evidence:
        rule = e.get("rule")
        if rule in ("lexicon", "model", "negation") and (e.get("phrase") or e.get("span")):
            weight = float(e.get("weight") or -0.5)
            if weight > -0.2:
                continue
            where = _find(text, e) if text else None
            if where is not None and text:
                clause = _clause(text, *where)
                key = re.sub(r"\W+", " ", clause.lower()).strip()
                if len(clause.split()) >= 3 and all(
                    key not in k and k not in key for k in (re.sub(r"\W+", " ", c.lower()).strip() for _, _, c in found)
                ):
                    found.append((abs(weight), where[0], clause))
                continue
            g = _gloss(e)
            phrase = str(e.get("phrase") or "")
            if len(phrase.split()) >= 2 and phrase not in glosses:
                glosses.append(phrase)
            elif g and g not in glosses:
                glosses.append(g)
        elif rule == "expectation":
            words = _gap_words(e)
            if words:
                gaps.append(words)
        elif rule == "rating" and e.get("text"):
            ratings.append(str(e["text"]))
    parts = []
    if found:
        top = sorted(sorted(found, key=lambda x: -x[0])[:2], key=lambda x: x[1])  # strongest two, in text order
        parts.append("you told us " + " and ".join(f'"{c}"' for _, _, c in top))
    elif glosses:
        parts.append("you told us about " + " and ".join(f'"{g}"' if " " in g else g for g in glosses[:2]))
    parts += gaps[:2]
    if not found and text and text.strip():
        quote = _clean(text)
        if len(quote.split()) >= 3:  # a word or two quoted back names nothing
            quote = quote if len(quote) <= 110 else quote[:107].rsplit(" ", 1)[0] + "..."
            parts.insert(0, f'you told us "{quote}"') if not parts else None
    if not parts and ratings:
        parts.append("you gave us " + ratings[0])
    return "; ".join(parts) or "the experience you had"  # never the raw reasons: they quote lone lexicon words


def fix_for(case: dict[str, Any], journey: Journey, now: datetime) -> str:
    """The playbook's fix for the case's touchpoint, unless time has made it impossible: a fix that
    is bound to the moment ('rebook you on the next available flight') is not offered once the moment
    is older than ``late_after_hours``; the journey's ``playbook.late_fixes`` (else the template's
    ``late_fix``) is offered instead."""
    book = journey.playbook or {}
    tpl = reply_templates()
    tid = case.get("touchpoint") or "unknown"
    fixes = book.get("fixes") or {}
    fix = fixes.get(tid) or fixes.get("default") or "look into it and put it right"
    moment_at = _when(case.get("moment_at"))
    late = moment_at is None or now - moment_at > timedelta(hours=float(tpl.get("late_after_hours", 48)))
    if late and any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", fix.lower()) for p in tpl.get("time_bound", [])):
        later = book.get("late_fixes") or {}
        return later.get(tid) or later.get("default") or tpl["late_fix"]
    return fix


def impossible_promises(reply: str, case: dict[str, Any], now: datetime) -> list[str]:
    """What a reply promises that the date makes impossible: a time-bound fix for a moment long past,
    a deadline already gone."""
    tpl = reply_templates()
    low = re.sub(r'"[^"]*"', '""', reply.lower())  # the customer's own words quoted back promise nothing
    out = []
    moment_at = _when(case.get("moment_at"))
    late = moment_at is None or now - moment_at > timedelta(hours=float(tpl.get("late_after_hours", 48)))
    if late:
        out += [
            f"time-bound promise for a moment long past: {p!r}"
            for p in tpl.get("time_bound", [])
            if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", low)
        ]
    for m in re.finditer(r"by \w+day (\d{1,2}) (\w+), (\d\d:\d\d) UTC", reply):
        try:
            t = datetime.strptime(f"{m.group(1)} {m.group(2)} {now.year} {m.group(3)}", "%d %B %Y %H:%M")
        except ValueError:
            continue
        t = t.replace(tzinfo=UTC)
        if t < now - timedelta(days=180):
            t = t.replace(year=now.year + 1)
        if t < now:
            out.append(f"deadline already past: {m.group(0)!r}")
    return out


def quotes_lone_word(reply: str) -> list[str]:
    """Quoted single words in a reply ('you told us "disappointed"'): a word quoted back is no problem named."""
    return [q for q in re.findall(r'"([^"]+)"', reply) if len(q.split()) < 2]


def suggest_reply(case: dict[str, Any], journey: Journey, *, now: datetime | None = None) -> str:
    """The suggested first reply for a case (a dict as returned by ``RecoveryDesk.get``)."""
    tpl = dict(reply_templates())
    book = journey.playbook or {}
    tpl.update({k: v for k, v in (book.get("reply") or {}).items() if isinstance(v, (str, dict))})
    tid = case.get("touchpoint") or "unknown"
    tname = journey.touchpoint(tid).name.lower() if journey.has_touchpoint(tid) else "service"
    gestures = book.get("gestures") or {}
    steps = {str(s.get("step")): s for s in book.get("steps") or []}
    now = now or datetime.now(UTC)
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
        "fix": fix_for(case, journey, now),
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
