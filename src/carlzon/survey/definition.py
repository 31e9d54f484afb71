"""Survey definitions built from a journey: importance before performance, then the outcome and an open question.

A :class:`Survey` is an editable YAML file. :func:`build_survey` writes one from a journey: for each
chosen touchpoint it asks how much it matters to the customer (*importance*) before how well it went
(*performance*), then the outcome (NPS, CSAT or CES) and one open question. The wording comes from
the journey's touchpoint names and expectations ("Greeting at the door (within 30 seconds)").
Personas come from the journey file: a survey for one persona asks about that persona's touchpoints;
a survey for everyone first asks which persona the customer is.

Order effects: questions are shown in a random order within the importance and the performance
blocks, a fixed order per respondent (:meth:`Survey.order_for`), and that order is stored with the
answer. ``block_order`` is ``importance_first`` (the default), ``importance_last`` (importance after
the outcome) or ``split`` (each respondent gets one of the two at random: a split-ballot experiment
that measures the order effect). Long surveys lose respondents: beyond ``max_questions`` (20) the
survey carries a warning that says how to shorten it.

Example:
    >>> s = build_survey("retail_clothing", persona="first_time", outcome="nps")
    >>> [b.id for b in s.blocks]
    ['importance', 'performance', 'outcome', 'open']
    >>> s.question("imp_greeting").text
    'Greeting at the door (within 30 seconds)'
    >>> Survey.from_yaml(s.to_yaml()) == s
    True
    >>> build_survey("retail_clothing").warnings[0][:40]
    'this survey asks 41 questions (about 5 m'
"""

from __future__ import annotations

import difflib
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from carlzon.errors import SurveyError
from carlzon.journey import Expectation, Journey, load_journey

__all__ = [
    "BLOCK_ORDERS",
    "KINDS",
    "OUTCOMES",
    "Block",
    "Question",
    "Survey",
    "build_survey",
    "expectation_words",
    "load_survey",
]

KINDS: dict[str, tuple[int, int] | None] = {
    "importance": (1, 5),
    "performance": (1, 5),
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "persona": None,
    "open": None,
}
"""Question kinds and their answer scales (None: a choice or free text)."""

OUTCOMES = ("nps", "csat", "ces")
BLOCK_ORDERS = ("importance_first", "importance_last", "split")
MAX_QUESTIONS = 20
"""Above this many questions a survey carries a warning (completion falls with length)."""
SECONDS = {"importance": 6, "performance": 7, "nps": 8, "csat": 8, "ces": 8, "persona": 8, "open": 45}
"""Rough seconds a respondent needs per question, for the length estimate."""

LABELS: dict[str, tuple[str, ...]] = {
    "importance": (
        "Not at all important",
        "Slightly important",
        "Moderately important",
        "Very important",
        "Extremely important",
    ),
    "performance": ("Very poor", "Poor", "Fair", "Good", "Excellent"),
    "csat": ("Very dissatisfied", "Dissatisfied", "Neither", "Satisfied", "Very satisfied"),
    "ces": ("Very difficult", "Difficult", "Somewhat difficult", "Neither", "Somewhat easy", "Easy", "Very easy"),
}
"""Words for every point of a scale (NPS has words only at its ends: :data:`NPS_ENDS`)."""
NPS_ENDS = ("Not at all likely", "Extremely likely")
NOT_USED = "Did not use"
"""The performance scale's extra answer: the touchpoint did not apply to this visit (stored as missing)."""

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SURVEY_KEYS = {
    "id",
    "title",
    "journey",
    "persona",
    "outcome",
    "intro",
    "thanks",
    "block_order",
    "max_questions",
    "open_link",
    "blocks",
}
_BLOCK_KEYS = {"id", "title", "intro", "randomise", "questions"}
_QUESTION_KEYS = {"id", "kind", "text", "touchpoint", "code", "required", "choices"}


@dataclass(frozen=True)
class Question:
    """One question: its id (the answer's key), kind (:data:`KINDS`), wording, the touchpoint it is about
    (importance and performance), a short ``code`` for other survey tools, and ``choices`` (persona:
    ``(id, label)`` pairs)."""

    id: str
    kind: str
    text: str
    touchpoint: str | None = None
    code: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def scale(self) -> tuple[int, int] | None:
        return KINDS[self.kind]

    def labels(self) -> list[tuple[int, str]]:
        """``(value, words)`` for each point of the scale (NPS: words at the ends only)."""
        lo, hi = self.scale or (0, -1)
        words = LABELS.get(self.kind)
        if self.kind == "nps":
            return [(v, NPS_ENDS[0] if v == lo else NPS_ENDS[1] if v == hi else "") for v in range(lo, hi + 1)]
        return [(v, words[v - lo] if words else "") for v in range(lo, hi + 1)]

    def check(self, value: Any) -> Any:
        """The answer as stored (an int on a scale, a choice id, text; None when not given); SurveyError when invalid."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if self.required:
                raise SurveyError(f"question {self.id!r} needs an answer", fix="answer it")
            return None
        if self.kind == "open":
            return str(value).strip()
        if self.kind == "persona":
            ids = [c for c, _ in self.choices]
            if str(value) not in ids:
                raise SurveyError(f"{value!r} is not a choice of {self.id!r}", fix=f"use one of {', '.join(ids)}")
            return str(value)
        if self.kind == "performance" and str(value).strip().lower() in ("na", "n/a", "not used", NOT_USED.lower()):
            return None
        try:
            v = float(str(value).strip())
        except ValueError:
            raise SurveyError(
                f"{value!r} is not a number for {self.id!r}", fix="answer with a number on the scale"
            ) from None
        lo, hi = self.scale  # type: ignore[misc]
        if not v.is_integer() or not lo <= v <= hi:
            raise SurveyError(f"{value!r} is outside {lo}-{hi} for {self.id!r}", fix=f"answer {lo} to {hi}")
        return int(v)


@dataclass(frozen=True)
class Block:
    """A group of questions shown together; ``randomise``: in a random order per respondent."""

    id: str
    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    randomise: bool = False


@dataclass(frozen=True)
class Survey:
    """A survey definition (see the module docs); :meth:`to_yaml` / :meth:`from_yaml` round-trip it."""

    id: str
    title: str
    journey: str
    blocks: tuple[Block, ...]
    outcome: str = "nps"
    persona: str | None = None
    intro: str = ""
    thanks: str = "Thank you: your answers help us put right what matters to you."
    block_order: str = "importance_first"
    max_questions: int = MAX_QUESTIONS
    open_link: bool = False

    @property
    def questions(self) -> list[Question]:
        return [q for b in self.blocks for q in b.questions]

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise SurveyError(
            f"survey {self.id!r} has no question {qid!r}",
            fix=f"use one of {', '.join(q.id for q in self.questions[:12])}",
        )

    def block(self, bid: str) -> Block | None:
        return next((b for b in self.blocks if b.id == bid), None)

    @property
    def touchpoints(self) -> list[str]:
        """The touchpoints the survey asks about, in the order of its performance (else importance) block."""
        out: list[str] = []
        for kind in ("performance", "importance"):
            for q in self.questions:
                if q.kind == kind and q.touchpoint and q.touchpoint not in out:
                    out.append(q.touchpoint)
        return out

    @property
    def seconds(self) -> int:
        """A rough estimate of the time it takes to answer."""
        return sum(SECONDS[q.kind] for q in self.questions)

    @property
    def warnings(self) -> list[str]:
        """What makes this survey worse than it could be (length, performance without importance)."""
        out = []
        n = len(self.questions)
        if n > self.max_questions:
            out.append(
                f"this survey asks {n} questions (about {round(self.seconds / 60)} minutes), more than the "
                f"limit of {self.max_questions}: fewer people finish long surveys; ask about fewer touchpoints "
                "(--touchpoints a,b,c or --persona P) or raise max_questions in the YAML"
            )
        imp = {q.touchpoint for q in self.questions if q.kind == "importance"}
        perf = {q.touchpoint for q in self.questions if q.kind == "performance"}
        if perf - imp:
            out.append(
                f"performance is asked without importance for {sorted(perf - imp, key=str)}: stated importance "
                "cannot be put beside derived importance there"
            )
        return out

    def order_for(self, key: str) -> tuple[str, list[str]]:
        """The block order and the question ids in the order respondent ``key`` sees them (the same key
        always gives the same order).

        >>> s = build_survey("hotel", persona="business")
        >>> s.order_for("r1") == s.order_for("r1"), s.order_for("r1")[0]
        (True, 'importance_first')
        """
        rng = random.Random(f"{self.id}\x1f{key}")
        order = self.block_order
        if order == "split":
            order = rng.choice(("importance_first", "importance_last"))
        blocks = list(self.blocks)
        if order == "importance_last":
            imp = [b for b in blocks if b.id == "importance"]
            rest = [b for b in blocks if b.id != "importance"]
            at = next((i for i, b in enumerate(rest) if b.id == "open"), len(rest))
            blocks = rest[:at] + imp + rest[at:]
        ids: list[str] = []
        for b in blocks:
            qs = [q.id for q in b.questions]
            if b.randomise:
                rng.shuffle(qs)
            ids.extend(qs)
        return order, ids

    def validate(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Answers keyed by question id, checked and typed (:meth:`Question.check`); unknown keys refused."""
        unknown = sorted(set(answers) - {q.id for q in self.questions})
        if unknown:
            raise SurveyError(
                f"answers to questions the survey does not have: {unknown[:5]}",
                fix="answer the survey's own questions (carlzon survey show)",
            )
        return {q.id: q.check(answers.get(q.id)) for q in self.questions}

    # ---------------------------------------------------------------- YAML
    def to_dict(self) -> dict[str, Any]:
        def q(x: Question) -> dict[str, Any]:
            d: dict[str, Any] = {"id": x.id, "kind": x.kind, "text": x.text}
            if x.touchpoint:
                d["touchpoint"] = x.touchpoint
            if x.code:
                d["code"] = x.code
            if x.required:
                d["required"] = True
            if x.choices:
                d["choices"] = [{"id": c, "label": label} for c, label in x.choices]
            return d

        return {
            "id": self.id,
            "title": self.title,
            "journey": self.journey,
            **({"persona": self.persona} if self.persona else {}),
            "outcome": self.outcome,
            "intro": self.intro,
            "thanks": self.thanks,
            "block_order": self.block_order,
            "max_questions": self.max_questions,
            "open_link": self.open_link,
            "blocks": [
                {
                    "id": b.id,
                    "title": b.title,
                    "intro": b.intro,
                    "randomise": b.randomise,
                    "questions": [q(x) for x in b.questions],
                }
                for b in self.blocks
            ],
        }

    def to_yaml(self) -> str:
        head = (
            f"# Survey {self.id}: edit the wording, the order of blocks or the questions, then\n"
            "#   carlzon survey add THIS_FILE   (stores it and prints its links)\n"
            "# block_order: importance_first | importance_last | split (a split-ballot test of the order effect)\n"
        )
        for w in self.warnings:
            head += f"# warning: {w}\n"
        return head + yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=110)

    @classmethod
    def from_yaml(cls, text: str, *, where: str = "survey") -> Survey:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise SurveyError(
                f"not valid YAML ({getattr(exc, 'problem', exc)})",
                where=f"{where}: line {mark.line + 1}" if mark else where,
                fix="check indentation and quoting at that line",
            ) from None
        return cls.from_dict(data, where=where)

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "survey") -> Survey:
        d = _keys(data, _SURVEY_KEYS, where, ("id", "journey", "blocks"))
        sid = str(d["id"])
        if not _ID_RE.match(sid):
            raise SurveyError(
                f"survey id {sid!r} is not a plain identifier",
                where=where,
                fix="use lower-case letters, digits, '-' and '_' (it becomes part of the link)",
            )
        outcome = str(d.get("outcome") or "nps")
        if outcome not in OUTCOMES:
            raise SurveyError(f"unknown outcome {outcome!r}", where=where, fix=f"use one of {', '.join(OUTCOMES)}")
        order = str(d.get("block_order") or "importance_first")
        if order not in BLOCK_ORDERS:
            raise SurveyError(
                f"unknown block_order {order!r}", where=where, fix=f"use one of {', '.join(BLOCK_ORDERS)}"
            )
        if not isinstance(d["blocks"], list) or not d["blocks"]:
            raise SurveyError("'blocks' must be a non-empty list", where=where, fix="start from carlzon survey build")
        blocks, seen = [], set()
        for i, rb in enumerate(d["blocks"]):
            bw = f"{where}: blocks[{i}]"
            rb = _keys(rb, _BLOCK_KEYS, bw, ("id", "questions"))
            qs = []
            for k, rq in enumerate(rb["questions"] or []):
                qw = f"{bw}.questions[{k}]"
                rq = _keys(rq, _QUESTION_KEYS, qw, ("id", "kind", "text"))
                if rq["kind"] not in KINDS:
                    raise SurveyError(
                        f"unknown question kind {rq['kind']!r}", where=qw, fix=f"use one of {', '.join(KINDS)}"
                    )
                if str(rq["id"]) in seen:
                    raise SurveyError(
                        f"duplicate question id {rq['id']!r}", where=qw, fix="give every question its own id"
                    )
                seen.add(str(rq["id"]))
                if rq["kind"] in ("importance", "performance") and not rq.get("touchpoint"):
                    raise SurveyError(
                        f"a {rq['kind']} question needs a touchpoint", where=qw, fix="add 'touchpoint: ID'"
                    )
                choices = tuple((str(c["id"]), str(c.get("label") or c["id"])) for c in rq.get("choices") or [])
                if rq["kind"] == "persona" and not choices:
                    raise SurveyError(
                        "a persona question needs choices", where=qw, fix="list the personas under 'choices'"
                    )
                qs.append(
                    Question(
                        id=str(rq["id"]),
                        kind=str(rq["kind"]),
                        text=str(rq["text"]),
                        touchpoint=str(rq["touchpoint"]) if rq.get("touchpoint") else None,
                        code=str(rq.get("code") or ""),
                        required=bool(rq.get("required", False)),
                        choices=choices,
                    )
                )
            blocks.append(
                Block(
                    id=str(rb["id"]),
                    title=str(rb.get("title") or ""),
                    intro=str(rb.get("intro") or ""),
                    randomise=bool(rb.get("randomise", False)),
                    questions=tuple(qs),
                )
            )
        return cls(
            id=sid,
            title=str(d.get("title") or sid),
            journey=str(d["journey"]),
            blocks=tuple(blocks),
            outcome=outcome,
            persona=str(d["persona"]) if d.get("persona") else None,
            intro=str(d.get("intro") or ""),
            thanks=str(d.get("thanks") or Survey.thanks),
            block_order=order,
            max_questions=int(d.get("max_questions") or MAX_QUESTIONS),
            open_link=bool(d.get("open_link", False)),
        )

    def check_journey(self, journey: Journey | None = None) -> Journey:
        """The survey's journey (``journey``: a template name or a journey file's path), with every touchpoint of the
        survey in it (SurveyError naming the first that is not)."""
        if journey is None:
            from carlzon.errors import JourneyError

            try:
                journey = load_journey(self.journey)
            except JourneyError as exc:
                raise SurveyError(
                    f"survey {self.id!r} cannot load its journey {self.journey!r} ({exc.message})",
                    fix="set 'journey:' in the survey YAML to a template name or the path of the journey file",
                ) from None
        j = journey
        for q in self.questions:
            if q.touchpoint and not j.has_touchpoint(q.touchpoint):
                close = difflib.get_close_matches(q.touchpoint, [t.id for t in j.touchpoints], n=1)
                raise SurveyError(
                    f"question {q.id!r} is about {q.touchpoint!r}, not a touchpoint of {j.name}",
                    fix=f"did you mean '{close[0]}'?" if close else "use touchpoint ids of the journey",
                )
        return j


def _keys(obj: Any, allowed: set[str], where: str, required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise SurveyError(f"expected a mapping, got {type(obj).__name__}", where=where, fix="write 'key: value' lines")
    for k in obj:
        if k not in allowed:
            close = difflib.get_close_matches(str(k), sorted(allowed), n=1)
            raise SurveyError(
                f"unknown key {k!r}",
                where=where,
                fix=f"did you mean '{close[0]}'?" if close else f"use {', '.join(sorted(allowed))}",
            )
    for k in required:
        if obj.get(k) in (None, ""):
            raise SurveyError(f"missing key {k!r}", where=where, fix=f"add '{k}: ...'")
    return obj


def load_survey(path_or_text: str | Path) -> Survey:
    """A survey from a YAML file (or YAML text)."""
    p = Path(str(path_or_text))
    if "\n" not in str(path_or_text) and p.suffix in (".yaml", ".yml"):
        if not p.is_file():
            raise SurveyError(
                "survey file not found", where=str(p), fix="check the path (carlzon survey build writes one)"
            )
        return Survey.from_yaml(p.read_text(encoding="utf-8"), where=str(p))
    return Survey.from_yaml(str(path_or_text))


_UNIT_WORDS = {"seconds": "seconds", "minutes": "minutes", "hours": "hours", "days": "days", "percent": "%"}


def expectation_words(e: Expectation) -> str:
    """An expectation in a customer's words.

    >>> expectation_words(Expectation.parse("greeting_seconds <= 30"))
    'within 30 seconds'
    >>> expectation_words(Expectation.parse("speed_mbps >= 100"))
    'at least 100 speed mbps'
    """
    b = int(e.bound) if float(e.bound).is_integer() else e.bound
    parts = e.measure.split("_")
    unit = _UNIT_WORDS.get(parts[-1])
    if unit and e.op in ("<=", "<"):
        return f"within {b} {unit}"
    what = unit or " ".join(parts)
    return f"{'at most' if e.op in ('<=', '<') else 'at least'} {b} {what}"


def _code(tid: str, taken: set[str]) -> str:
    """A short letters-and-digits code for another survey tool (LimeSurvey allows no '_'; at most 20)."""
    base = re.sub(r"[^A-Za-z0-9]", "", tid)[:18] or "T"
    if not base[0].isalpha():
        base = "T" + base[:17]
    code, k = base, 1
    while code.lower() in taken:
        k += 1
        code = f"{base[:17]}{k}"
    taken.add(code.lower())
    return code


def build_survey(
    journey: Journey | str | Path,
    *,
    persona: str | None = None,
    touchpoints: list[str] | None = None,
    outcome: str = "nps",
    block_order: str = "importance_first",
    survey_id: str | None = None,
    max_questions: int = MAX_QUESTIONS,
    open_link: bool = False,
) -> Survey:
    """A survey from ``journey``: importance then performance of each chosen touchpoint, the outcome, an open question.

    Touchpoints: ``touchpoints`` if given, else the persona's, else all of the journey's (with a length
    warning on long journeys). Without ``persona`` and with personas in the journey, the survey first
    asks which persona the customer is, so the analysis can split by persona.
    """
    j = load_journey(journey)
    if outcome not in OUTCOMES:
        raise SurveyError(f"unknown outcome {outcome!r}", fix=f"use one of {', '.join(OUTCOMES)}")
    if block_order not in BLOCK_ORDERS:
        raise SurveyError(f"unknown block order {block_order!r}", fix=f"use one of {', '.join(BLOCK_ORDERS)}")
    p = j.persona(persona) if persona else None
    if touchpoints:
        tps = [j.touchpoint(t) for t in touchpoints]
    elif p is not None and p.touchpoints:
        tps = [j.touchpoint(t) for t in p.touchpoints]
    else:
        tps = list(j.touchpoints)
    taken: set[str] = set()
    codes = {t.id: _code(t.id, taken) for t in tps}

    def label(t: Any) -> str:
        return f"{t.name} ({expectation_words(t.expectation)})" if t.expectation else t.name

    who = p.name.lower() if p else "customer"
    blocks: list[Block] = []
    if p is None and j.personas:
        blocks.append(
            Block(
                "about",
                "About you",
                (
                    Question(
                        "persona",
                        "persona",
                        "Which of these describes you best?",
                        code="PERSONA",
                        choices=tuple((x.id, x.name) for x in j.personas),
                    ),
                ),
            )
        )
    blocks.append(
        Block(
            "importance",
            "What matters to you",
            tuple(Question(f"imp_{t.id}", "importance", label(t), t.id, codes[t.id]) for t in tps),
            intro=f"As a {who}, how important is each of these to you when you choose "
            f"a {j.title.lower()}? Think of what you expect, not of your last visit.",
            randomise=True,
        )
    )
    blocks.append(
        Block(
            "performance",
            "How we did",
            tuple(Question(f"perf_{t.id}", "performance", label(t), t.id, codes[t.id]) for t in tps),
            intro="Thinking of your last visit, how well did we do? Choose 'Did not use' where it did not apply.",
            randomise=True,
        )
    )
    wording = {
        "nps": "How likely are you to recommend us to a friend or colleague?",
        "csat": "Overall, how satisfied were you with your last visit?",
        "ces": "How easy was it to get what you came for?",
    }
    blocks.append(
        Block(
            "outcome", "Overall", (Question(outcome, outcome, wording[outcome], code=outcome.upper(), required=True),)
        )
    )
    blocks.append(
        Block(
            "open",
            "In your own words",
            (Question("comment", "open", "What is the one thing we should do better, or keep doing?", code="COMMENT"),),
        )
    )
    sid = survey_id or f"{j.name.replace('_', '-')}-{(p.id if p else 'all').replace('_', '-')}"
    ref = j.name if j.source.endswith("(built-in)") or j.source.startswith("<") or not j.source else j.source
    title = f"{j.title}: {p.name.lower()} survey" if p else f"{j.title} survey"
    survey = Survey(
        id=sid,
        title=title,
        journey=ref,
        blocks=tuple(blocks),
        outcome=outcome,
        persona=p.id if p else None,
        block_order=block_order,
        max_questions=max_questions,
        open_link=open_link,
        intro="A few questions about what matters to you and how we did. It takes about "
        "{minutes} minutes; you can skip any question but the one marked as needed.",
    )
    return replace(survey, intro=survey.intro.replace("{minutes}", str(max(1, round(survey.seconds / 60)))))
