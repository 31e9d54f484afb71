"""Coaching: check an agent's reply for the empathy steps, flag what hurts.

The five empathy steps (20 points each):

- **acknowledge**: names the customer's specific issue (a bag, a delay, a
  charge...), not just 'your issue';
- **apologize**: says sorry in the first person;
- **explain**: says what happened or what will happen, in plain words;
- **time**: gives a concrete, realistic time ('by 6 pm tomorrow', 'within 48 hours');
  'soon' or 'as soon as possible' does not count;
- **fix**: offers a concrete fix or goodwill gesture (rebook, refund, trace, voucher).

Flags cost points: blame-shifting (-15: 'you should have', 'company policy'),
scripts (-10: 'we apologize for any inconvenience', 'your call is important
to us'), jargon (-5 each, at most -15: 'PNR', 'escalate', 'as per'),
vague times (-5) and over-promises (-10: 'guarantee', 'immediately').

Example:
    >>> r = coach("Hi Anna, I'm sorry your bag did not arrive in Oslo. It was left in Frankfurt "
    ...           "because the connection was short. We will deliver it to your address by 6 pm "
    ...           "tomorrow and add 5,000 bonus miles.")
    >>> r.score, [s for s, v in r.steps.items() if not v["found"]]
    (100, [])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["EMPATHY_STEPS", "CoachResult", "coach"]

EMPATHY_STEPS = ("acknowledge", "apologize", "explain", "time", "fix")

_TIPS = {
    "acknowledge": "name the customer's specific problem in your own words (e.g. 'your bag did not arrive in Oslo')",
    "apologize": "say sorry in the first person ('I am sorry that ...'), once, without 'any inconvenience'",
    "explain": "say what happened or what happens next in plain words ('because ...', 'what happened is ...')",
    "time": "give a concrete, realistic time ('by 6 pm tomorrow', 'within 48 hours'), not 'soon'",
    "fix": "offer a concrete fix or gesture ('we will rebook you', 'a travel voucher')",
}

# Specific problems customers name; a reply that repeats one acknowledges the issue.
_ISSUE_WORDS = r"""bag|bags|baggage|luggage|suitcase|flight|flights|delay|delayed|cancel\w*|connection|seat|seats|
gate|boarding|check-?in|refund|charge\w*|charged|bill|billing|invoice|payment|order|orders|delivery|parcel|package|
item|items|room|reservation|booking|ticket|tickets|meal|food|drink|coffee|wifi|wi-fi|internet|signal|app|account|
password|login|card|phone|screen|battery|update|train|bus|driver|ride|table|wait|waited|queue|line|hold|call|
email|reply|message|appointment|crew|staff|agent|upgrade|miles|points|voucher|stroller|car seat|pet|wheelchair"""
_ISSUE = re.compile(rf"\b(?:your|the|that|this)\s+(?:\w+\s+){{0,2}}?({_ISSUE_WORDS.replace(chr(10), '')})\b", re.I)
_QUOTED = re.compile(r"""(?:you told us|you said|you wrote|you mentioned)\s*[:,]?\s*["“']([^"”']{3,80})["”']""", re.I)
_ACK = re.compile(
    r"\b(i can see|i see|i understand|i hear|i know|i realise|i realize|you(?:'ve| have) been|"
    r"you were|you had|you waited|that must|sounds like|i've read|i have read|thanks for telling)\b",
    re.I,
)
_SORRY = re.compile(
    r"\b(i(?:'m| am)(?: so| really| very| truly)? sorry|we(?:'re| are)(?: so| really| very| truly)? sorry|"
    r"sorry (?:that|about|for|to hear)|i apologi[sz]e|my apologies|our apologies|we apologi[sz]e|"
    r"that(?:'s| is) on us|we got (?:this|it) wrong|my fault|our fault|apologies)\b",
    re.I,
)
_EXPLAIN = re.compile(
    r"\b(because|the reason|what happened|this happened|that happened|was caused|caused by|"
    r"due to|so that|which means|that means|here is what|here's what|what happens next|"
    r"we have (?:found|checked|traced|located)|we(?:'ve| have) (?:found|checked|traced|located)|"
    r"it turns out|was left|was sent|was not loaded|missed)\b",
    re.I,
)
_DAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|tonight|noon|midday|midnight"
_TIME = re.compile(
    rf"\b((?:by|before|on|until|no later than)\s+(?:the\s+)?(?:end of (?:the )?(?:day|week)|{_DAYS}|\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|\d{{1,2}}:\d{{2}}|\d{{4}}-\d{{2}}-\d{{2}})"
    r"|within\s+(?:the\s+next\s+)?(?:\d+|one|two|three|four|five|six|seven|24|48|72)\s+(?:working\s+|business\s+)?"
    r"(?:minutes?|hours?|days?|weeks?)"
    r"|in\s+(?:the\s+next\s+)?(?:\d+|one|two|three|four|five|six|seven)\s+(?:working\s+|business\s+)?(?:minutes?|hours?|days?)"
    rf"|(?:this|tomorrow)\s+(?:morning|afternoon|evening)|(?:at|around)\s+\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)"
    r"|(?:today|tomorrow|tonight))\b",
    re.I,
)
_VAGUE_TIME = re.compile(
    r"\b(as soon as possible|asap|soon|shortly|in due course|at the earliest convenience|"
    r"at some point|in a timely manner|when possible)\b",
    re.I,
)
_FIX = re.compile(
    r"\b((?:i|we)(?:'ll| will| have| can|'ve| am going to| are going to)\s+(?:\w+\s+){0,2}?"
    r"(?:rebook\w*|refund\w*|send\w*|deliver\w*|trace\w*|credit\w*|replace\w*|arrange\w*|call\w*|"
    r"upgrad\w*|reimburs\w*|fix\w*|repair\w*|reset\w*|restor\w*|cancel\w*|waiv\w*|reserv\w*|book\w*|"
    r"put it right|sort\w*|resend\w*|ship\w*|courier|collect\w*|reroute\w*|return\w*|add\w*|offer\w*)"
    r"|voucher|refund|credit|bonus miles|miles|compensation|complimentary|on us|free of charge|"
    r"goodwill|discount|reimbursement|replacement)\b",
    re.I,
)
_BLAME = re.compile(
    r"\b(you should have|you should've|you shouldn't have|you didn't|you did not|you failed to|"
    r"you forgot|you must have|you were supposed to|you need(?:ed)? to read|company policy|our policy|"
    r"per (?:our )?policy|as stated in|terms and conditions|not our fault|nothing we can do|"
    r"out of our (?:control|hands)|beyond our control|it's not our|it is not our|your fault|"
    r"you agreed to)\b",
    re.I,
)
_JARGON = re.compile(
    r"\b(pnr|sla|escalat\w+|as per|per the|pursuant|liaise|revert|kindly|leverage|touch base|"
    r"action(?:ed|ing)|irrops|involuntary (?:rerouting|downgrade)|no-show|fare rules?|force majeure|"
    r"extraordinary circumstances|operational reasons|ticket (?:number|id)|case reference|"
    r"reference number|the system|processed|aforementioned|hereby|inconvenience caused)\b",
    re.I,
)


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list[str]]:
    data = yaml.safe_load((resources.files("carlzon.loop") / "replies.yaml").read_text(encoding="utf-8"))
    return {"filler": list(data["filler"]), "over_promise": list(data["over_promise"])}


@dataclass
class CoachResult:
    """The check of one reply: ``score`` 0-100, ``steps`` {step: {found, words, tip}}, ``flags``."""

    text: str
    score: int
    steps: dict[str, dict[str, Any]]
    flags: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "steps": self.steps,
            "flags": self.flags,
            "text": self.text,
            "max_score": 100,
            "n_steps_found": sum(v["found"] for v in self.steps.values()),
        }


def _hits(pattern: re.Pattern, text: str) -> list[str]:
    out: list[str] = []
    for m in pattern.finditer(text):
        w = m.group(0).strip()
        if w.lower() not in (o.lower() for o in out):
            out.append(w)
    return out


def _phrase_hits(phrases: list[str], text: str) -> list[str]:
    low = text.lower()
    return [p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", low)]


def coach(text: str, *, issue: str | None = None) -> CoachResult:
    """Check an agent's reply for the five empathy steps and flag blame, scripts, jargon.

    ``issue`` is the customer's own message (optional): when given, a reply
    also acknowledges the issue by repeating one of its specific words.
    """
    text = str(text or "")
    steps: dict[str, dict[str, Any]] = {}
    scripts = _phrase_hits(_phrases()["filler"], text)
    unscripted = text
    for phrase in scripts:
        unscripted = re.sub(re.escape(phrase), " ", unscripted, flags=re.I)
    issue_words = _hits(_ISSUE, unscripted) + _hits(_QUOTED, unscripted)
    if issue:
        own = {w.lower() for w in re.findall(r"[a-z]{4,}", issue.lower())} - _STOP
        issue_words += [w for w in re.findall(r"[A-Za-z]{4,}", text) if w.lower() in own and w not in issue_words][:3]
    ack = _hits(_ACK, text)
    steps["acknowledge"] = {"found": bool(issue_words), "words": (ack + issue_words)[:6]}
    sorry = [w for w in _hits(_SORRY, text) if not any(w.lower() in s for s in scripts)]
    steps["apologize"] = {"found": bool(sorry), "words": sorry}
    explain = _hits(_EXPLAIN, text)
    steps["explain"] = {"found": bool(explain), "words": explain}
    times = _hits(_TIME, text)
    steps["time"] = {"found": bool(times), "words": times}
    fixes = _hits(_FIX, text)
    steps["fix"] = {"found": bool(fixes), "words": fixes}
    for name, step in steps.items():
        step["tip"] = "" if step["found"] else _TIPS[name]

    flags: list[dict[str, Any]] = []
    penalty = 0
    blame = _hits(_BLAME, text)
    if blame:
        flags.append(
            {
                "kind": "blame",
                "words": blame,
                "points": -15,
                "tip": "take ownership: say what we will do, not what the customer should have done",
            }
        )
        penalty += 15
    if scripts:
        flags.append(
            {
                "kind": "script",
                "words": scripts,
                "points": -10,
                "tip": "replace the script with a sentence about this customer's problem",
            }
        )
        penalty += 10
    jargon = _hits(_JARGON, text)
    if jargon:
        pts = min(15, 5 * len(jargon))
        flags.append(
            {
                "kind": "jargon",
                "words": jargon,
                "points": -pts,
                "tip": "use the customer's words: 'your booking', not 'your PNR'; 'pass it to', not 'escalate'",
            }
        )
        penalty += pts
    vague = _hits(_VAGUE_TIME, text)
    if vague:
        flags.append(
            {"kind": "vague_time", "words": vague, "points": -5, "tip": "say by when: 'by 6 pm tomorrow', not 'soon'"}
        )
        penalty += 5
    over = _phrase_hits(_phrases()["over_promise"], text)
    if over:
        flags.append(
            {
                "kind": "over_promise",
                "words": over,
                "points": -10,
                "tip": "promise only what you control; say what you will do and by when",
            }
        )
        penalty += 10
    found = sum(20 for s in steps.values() if s["found"])
    score = max(0, min(100, found - penalty))
    return CoachResult(text=text, score=score, steps=steps, flags=flags)


_STOP = frozenset(
    """that this with have from they them your yours what when were been will would could should
there their about just very really still after before because into over than then only also even again
flight""".split()
) - {"flight"}
