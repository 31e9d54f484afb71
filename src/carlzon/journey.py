"""Journeys: ordered stages of touchpoints, loaded from YAML and validated.

A journey is the map every other part of carlzon works against: detection
assigns moments to its touchpoints, expectations judge measures, analysis
reports by stage and phase.

Example:
    >>> from carlzon.journey import load_journey
    >>> j = load_journey("airline")
    >>> j.touchpoint("check_in").phase
    'first'
    >>> [s.id for s in j.stages][:2]
    ['booking', 'airport']
"""

from __future__ import annotations

import copy
import difflib
import operator
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from collections.abc import Callable

import yaml

from carlzon.errors import JourneyError

__all__ = [
    "PHASES",
    "STAKES",
    "Expectation",
    "Journey",
    "Persona",
    "Stage",
    "Touchpoint",
    "journey_from_meta",
    "journey_meta",
    "journey_templates",
    "load_journey",
]

PHASES = ("zero", "first", "second", "ultimate")
"""The four moments of truth: research, first contact, being served, sharing."""

STAKES = ("low", "medium", "high")

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
}
_EXPECTATION_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")

_DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    # value <= misery -> misery; value >= magic -> magic
    "nps": {"misery": 6, "magic": 9},
    "csat": {"misery": 2, "magic": 5},
    "ces": {"misery": 3, "magic": 7},  # 1-7, 7 = very easy
    "stars": {"misery": 2, "magic": 5},
}

_JOURNEY_KEYS = {
    "name",
    "title",
    "description",
    "industry",
    "thresholds",
    "playbook",
    "magic",
    "stages",
    "personas",
    "walk",
}
_PERSONA_KEYS = {"id", "name", "description", "touchpoints"}
_STAGE_KEYS = {"id", "name", "description", "touchpoints"}
_TOUCHPOINT_KEYS = {
    "id",
    "name",
    "description",
    "phase",
    "channels",
    "phrases",
    "events",
    "expectation",
    "stakes",
    "survey_items",
}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Expectation:
    """A measure and a bound, e.g. ``wait_seconds <= 30``.

    >>> e = Expectation.parse("departure_delay_minutes <= 15")
    >>> e.met(45), e.gap(45)
    (False, 30.0)
    """

    measure: str
    op: str
    bound: float

    @classmethod
    def parse(cls, text: str, *, where: str = "expectation") -> Expectation:
        m = _EXPECTATION_RE.match(str(text))
        if not m:
            raise JourneyError(
                f"cannot read expectation {text!r}",
                where=where,
                fix="write it as 'measure <= number', e.g. 'wait_seconds <= 30' (operators: <=, <, >=, >)",
            )
        return cls(m.group(1), m.group(2), float(m.group(3)))

    def met(self, value: float) -> bool:
        """True when ``value`` satisfies the expectation."""
        return _OPS[self.op](float(value), self.bound)

    def gap(self, value: float) -> float:
        """How far ``value`` misses the bound (0 when met), in the measure's unit."""
        if self.met(value):
            return 0.0
        return abs(float(value) - self.bound)

    def __str__(self) -> str:
        b = int(self.bound) if float(self.bound).is_integer() else self.bound
        return f"{self.measure} {self.op} {b}"


@dataclass(frozen=True)
class Touchpoint:
    """One place the customer meets the company.

    ``phrases`` are words customers use for it ("lost bag", "carousel"; the last word also matches
    its plural), ``events`` the service events of the text lexicon that point to it (``delay``,
    ``hold``, ``lost_item``: :func:`carlzon.detect.lexicon.event_categories`); both are evidence for
    :mod:`carlzon.detect.touchpoints`.
    """

    id: str
    name: str
    stage: str
    phase: str
    description: str = ""
    channels: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    events: tuple[str, ...] = ()  # service events of the text lexicon that point here (delay, lost_item, ...)
    expectation: Expectation | None = None
    stakes: str = "low"
    survey_items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    """An ordered group of touchpoints (e.g. 'At the airport')."""

    id: str
    name: str
    touchpoints: tuple[Touchpoint, ...]
    description: str = ""


@dataclass(frozen=True)
class Persona:
    """A kind of customer who judges the journey by its own touchpoints (business / leisure traveller,
    first-time / regular shopper); surveys built for a persona ask about ``touchpoints`` (all when empty).

    >>> load_journey("retail_clothing").persona("first_time").name
    'First-time shopper'
    """

    id: str
    name: str
    description: str = ""
    touchpoints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Journey:
    """A customer journey: ordered stages of touchpoints, plus rating thresholds,
    a recovery playbook and magic rules (free-form mappings used by carlzon.loop)."""

    name: str
    title: str
    stages: tuple[Stage, ...]
    description: str = ""
    industry: str = ""
    thresholds: dict[str, dict[str, float]] = field(default_factory=lambda: dict(_DEFAULT_THRESHOLDS))
    playbook: dict[str, Any] = field(default_factory=dict)
    magic: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""
    personas: tuple[Persona, ...] = ()
    walk: tuple[str, ...] = ()
    """The touchpoints a store walk observes, in walking order (:mod:`carlzon.walk`; empty: those met in person)."""

    def persona(self, pid: str) -> Persona:
        """The persona with id ``pid``; a JourneyError naming the journey's personas otherwise."""
        for p in self.personas:
            if p.id == pid:
                return p
        ids = [p.id for p in self.personas]
        if not ids:
            raise JourneyError(
                f"journey '{self.name}' has no personas",
                fix="add a 'personas:' list to the journey YAML (id, name, touchpoints), or leave out --persona",
            )
        close = difflib.get_close_matches(pid, ids, n=1)
        raise JourneyError(
            f"journey '{self.name}' has no persona {pid!r}",
            fix=(f"did you mean '{close[0]}'? " if close else "") + f"use one of {', '.join(ids)}",
        )

    @property
    def touchpoints(self) -> list[Touchpoint]:
        """All touchpoints in journey order."""
        return [tp for st in self.stages for tp in st.touchpoints]

    def touchpoint(self, tid: str) -> Touchpoint:
        """The touchpoint with id ``tid``; a JourneyError naming the close ids otherwise."""
        for tp in self.touchpoints:
            if tp.id == tid:
                return tp
        ids = [tp.id for tp in self.touchpoints]
        close = difflib.get_close_matches(tid, ids, n=3)
        raise JourneyError(
            f"journey '{self.name}' has no touchpoint {tid!r}",
            fix=f"use one of {close or ids[:8]}",
        )

    def has_touchpoint(self, tid: str) -> bool:
        return any(tp.id == tid for tp in self.touchpoints)

    def match_item(self, name: str) -> Touchpoint | None:
        """The touchpoint a rating column or survey item names, or None.

        Compared case-, spacing- and punctuation-insensitively with each touchpoint's survey
        items, id and name, then with the synonyms of :mod:`carlzon.synonyms`, then with its
        phrases (all words of the item covered by one touchpoint's phrases). Rating words
        ("How would you rate the ...", "score") are ignored; in "Please rate - Check-in" the
        part after the last dash or colon is tried first.

        >>> j = load_journey("hotel")
        >>> [getattr(j.match_item(n), "id", None) for n in ("Cleanliness", "rooms", "check_in_front_desk", "colour")]
        ['room_condition', 'room_condition', 'check_in', None]
        """
        from carlzon.synonyms import ITEM_SYNONYMS

        by_id = {tp.id: tp for tp in self.touchpoints}
        exact: dict[str, Touchpoint] = {}
        for tp in self.touchpoints:  # survey items first: they are the journey's own words
            for item in tp.survey_items:
                exact.setdefault(_item_key(item), tp)
        for tp in self.touchpoints:
            exact.setdefault(_item_key(tp.id), tp)
            exact.setdefault(_item_key(tp.name), tp)
        for form in _item_forms(name):
            if form in exact:
                return exact[form]
            for tid in ITEM_SYNONYMS.get(form, ()):
                if tid in by_id:
                    return by_id[tid]
        for form in _item_forms(name):
            found = self._phrase_item(form)
            if found is not None:
                return found
        return None

    def _phrase_item(self, form: str) -> Touchpoint | None:
        """The one touchpoint whose phrases (singular or plural) cover every word of ``form``."""
        words = form.split("_")
        if not words or not form:
            return None
        best: list[tuple[int, Touchpoint]] = []
        for tp in self.touchpoints:
            covered = [False] * len(words)
            for phrase in tp.phrases:
                pw = _item_key(phrase).split("_")
                for k in range(len(words) - len(pw) + 1):
                    window = words[k : k + len(pw)]
                    if window == pw or (window[:-1] == pw[:-1] and window[-1] in (pw[-1] + "s", pw[-1] + "es")):
                        covered[k : k + len(pw)] = [True] * len(pw)
            if all(covered):
                best.append((len(tp.phrases), tp))
        return best[0][1] if len(best) == 1 else None

    def stage_of(self, tid: str) -> Stage:
        for st in self.stages:
            if any(tp.id == tid for tp in st.touchpoints):
                return st
        raise JourneyError(f"journey '{self.name}' has no touchpoint {tid!r}")

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (a deep copy) that :func:`load_journey` reads back unchanged."""
        return copy.deepcopy(
            {
                "name": self.name,
                "title": self.title,
                "description": self.description,
                "industry": self.industry,
                "thresholds": self.thresholds,
                "playbook": self.playbook,
                "magic": self.magic,
                "stages": [
                    {
                        "id": st.id,
                        "name": st.name,
                        "description": st.description,
                        "touchpoints": [
                            {
                                "id": tp.id,
                                "name": tp.name,
                                "description": tp.description,
                                "phase": tp.phase,
                                "channels": list(tp.channels),
                                "phrases": list(tp.phrases),
                                **({"events": list(tp.events)} if tp.events else {}),
                                **({"expectation": str(tp.expectation)} if tp.expectation else {}),
                                "stakes": tp.stakes,
                                **({"survey_items": list(tp.survey_items)} if tp.survey_items else {}),
                            }
                            for tp in st.touchpoints
                        ],
                    }
                    for st in self.stages
                ],
                **({"walk": list(self.walk)} if self.walk else {}),
                **(
                    {
                        "personas": [
                            {
                                "id": p.id,
                                "name": p.name,
                                "description": p.description,
                                "touchpoints": list(p.touchpoints),
                            }
                            for p in self.personas
                        ]
                    }
                    if self.personas
                    else {}
                ),
            }
        )


def _item_key(text: str) -> str:
    """Lower-case words joined by '_' (punctuation and spacing ignored): 'Check-in' -> 'check_in'."""
    return "_".join(re.findall(r"[^\W_]+", str(text).lower()))


def _item_forms(name: str) -> list[str]:
    """The ways an item's name is tried: its last part after a dash or colon, the whole, without rating words."""
    from carlzon.synonyms import ITEM_STOP_WORDS

    text = str(name)
    parts = [p for p in re.split(r"\s[-\u2013:|]\s|:\s|\s-|\?\s", text) if p.strip()]
    forms: list[str] = []
    for raw in ([parts[-1]] if len(parts) > 1 else []) + [text]:
        key = _item_key(raw)
        kept = "_".join(w for w in key.split("_") if w not in ITEM_STOP_WORDS)
        for f in (key, kept):
            if f and f not in forms:
                forms.append(f)
    return forms


def journey_meta(journey: Journey) -> str:
    """What a store keeps as its ``"journey"`` note: a template's name, else the journey as YAML."""
    if journey.source.endswith("(built-in)"):
        return journey.name
    return yaml.safe_dump(journey.to_dict(), sort_keys=False, allow_unicode=True)


def journey_from_meta(value: str) -> Journey:
    """The journey of a store's ``"journey"`` note (a template's name or a journey's YAML text).

    >>> journey_from_meta(journey_meta(load_journey("hotel"))).name
    'hotel'
    """
    text = str(value).strip()
    if "\n" not in text and text in journey_templates():
        return load_journey(text)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise JourneyError(
            f"the store's journey note is not valid YAML ({exc})",
            where="store_meta journey",
            fix="set it again: carlzon detect --store STORE --journey NAME_OR_YAML",
        ) from None
    return journey_from_dict(data, source="the store's journey")


def journey_templates() -> list[str]:
    """Names of the built-in journey templates, sorted."""
    folder = resources.files("carlzon") / "journeys"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_journey(name_or_path: str | Path | Journey) -> Journey:
    """Load a built-in template by name, or a user's YAML file by path.

    Raises JourneyError naming the file, the place in it and the fix.
    """
    if isinstance(name_or_path, Journey):
        return name_or_path
    text_id = str(name_or_path)
    path = Path(text_id)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.exists():
            raise JourneyError(f"journey file {text_id} does not exist", fix="check the path")
        source = str(path)
        try:
            raw_text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise JourneyError(
                f"cannot read journey file ({exc.__class__.__name__}: {exc})",
                where=source,
                fix="give the path of a UTF-8 YAML file",
            ) from None
    else:
        names = journey_templates()
        if text_id not in names:
            close = difflib.get_close_matches(text_id, names, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise JourneyError(
                f"no journey template named {text_id!r}",
                fix=f"{hint}use one of {', '.join(names)}, or the path of your own YAML file",
            )
        source = f"{text_id}.yaml (built-in)"
        raw_text = (resources.files("carlzon") / "journeys" / f"{text_id}.yaml").read_text(encoding="utf-8")
    try:
        data = yaml.load(raw_text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except _DuplicateKey as exc:
        raise JourneyError(
            f"key {exc.key!r} appears twice in the same mapping",
            where=f"{source}: line {exc.line}",
            fix="keep one of them (YAML would silently drop the first)",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}: line {mark.line + 1}" if mark else source
        raise JourneyError(
            f"not valid YAML ({getattr(exc, 'problem', exc)})",
            where=where,
            fix="check indentation and quoting at that line",
        ) from None
    return journey_from_dict(data, source=source)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(key, line)
        self.key, self.line = key, line


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that refuses a key repeated in one mapping instead of keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # '<<' keys may be overridden on purpose
                continue
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _check_keys(obj: Any, allowed: set[str], where: str, required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise JourneyError(
            f"expected a mapping, got {type(obj).__name__}", where=where, fix="write 'key: value' lines here"
        )
    for key in obj:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            fix = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(sorted(allowed))}"
            raise JourneyError(f"unknown key {key!r}", where=where, fix=fix)
    for key in required:
        if key not in obj or obj[key] in (None, ""):
            raise JourneyError(f"missing required key {key!r}", where=where, fix=f"add '{key}: ...'")
    return obj


def _events(value: Any, where: str) -> tuple[str, ...]:
    """A touchpoint's ``events``: categories of the service lexicon (``delay``, ``lost_item``, ...)."""
    events = _str_list(value, where)
    if events:
        from carlzon.detect.lexicon import event_categories

        known = event_categories()
        bad = [e for e in events if e not in known]
        if bad:
            raise JourneyError(
                f"unknown event {bad[0]!r}",
                where=where,
                fix=f"use categories of the service lexicon: {', '.join(sorted(known))}",
            )
    return events


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise JourneyError("expected a list of words", where=where, fix="write it as [a, b, c]")
    return tuple(str(v) for v in value)


def _check_id(value: Any, where: str) -> str:
    sid = str(value)
    if not _ID_RE.match(sid):
        raise JourneyError(
            f"id {sid!r} is not a plain identifier",
            where=where,
            fix="use lower-case letters, digits and underscores, starting with a letter",
        )
    return sid


def _thresholds(raw: Any, where: str) -> dict[str, dict[str, float]]:
    out = {k: dict(v) for k, v in _DEFAULT_THRESHOLDS.items()}
    if raw is None:
        return out
    raw = _check_keys(raw, set(_DEFAULT_THRESHOLDS), where, ())
    for scale, spec in raw.items():
        spec = _check_keys(spec, {"misery", "magic"}, f"{where}.{scale}", ())
        for k, v in spec.items():
            if not isinstance(v, (int, float)):
                raise JourneyError(
                    f"threshold {k} must be a number", where=f"{where}.{scale}.{k}", fix="e.g. 'misery: 6'"
                )
            out[scale][k] = float(v)
        if out[scale]["misery"] >= out[scale]["magic"]:
            raise JourneyError(
                "misery threshold must be below the magic threshold",
                where=f"{where}.{scale}",
                fix="e.g. misery: 6, magic: 9 for NPS",
            )
    if out["nps"] != _DEFAULT_THRESHOLDS["nps"]:  # NPS has one definition, in moments and in the NPS figure alike
        raise JourneyError(
            "NPS thresholds are fixed by NPS itself: detractors 0-6, promoters 9-10",
            where=f"{where}.nps",
            fix="leave nps out of thresholds (or write nps: {misery: 6, magic: 9}); "
            "the stars, csat and ces cut-offs may be changed",
        )
    return out


def journey_from_dict(data: Any, *, source: str = "<dict>") -> Journey:
    """Build and validate a Journey from parsed YAML (see :func:`load_journey`)."""
    if data is None:
        raise JourneyError(
            "the journey is empty",
            where=source,
            fix="start from a built-in template (see `carlzon journeys show airline`)",
        )
    data = _check_keys(data, _JOURNEY_KEYS, source, ("name", "stages"))
    if not isinstance(data["stages"], list) or not data["stages"]:
        raise JourneyError(
            "'stages' must be a non-empty list",
            where=f"{source}: stages",
            fix="add at least one stage with touchpoints",
        )
    seen_tp: dict[str, str] = {}
    seen_stage: set[str] = set()
    stages: list[Stage] = []
    for i, raw_stage in enumerate(data["stages"]):
        swhere = f"{source}: stages[{i}]"
        raw_stage = _check_keys(raw_stage, _STAGE_KEYS, swhere, ("id", "touchpoints"))
        sid = _check_id(raw_stage["id"], f"{swhere}.id")
        if sid in seen_stage:
            raise JourneyError(f"duplicate stage id {sid!r}", where=swhere, fix="give every stage its own id")
        seen_stage.add(sid)
        tps = raw_stage["touchpoints"]
        if not isinstance(tps, list) or not tps:
            raise JourneyError(
                "'touchpoints' must be a non-empty list",
                where=f"{swhere}.touchpoints",
                fix="add at least one touchpoint",
            )
        touchpoints = []
        for j, raw_tp in enumerate(tps):
            twhere = f"{swhere}.touchpoints[{j}]"
            raw_tp = _check_keys(raw_tp, _TOUCHPOINT_KEYS, twhere, ("id", "phase"))
            tid = _check_id(raw_tp["id"], f"{twhere}.id")
            if tid in seen_tp:
                raise JourneyError(
                    f"duplicate touchpoint id {tid!r} (also in {seen_tp[tid]})",
                    where=twhere,
                    fix="give every touchpoint its own id",
                )
            seen_tp[tid] = swhere
            phase = str(raw_tp["phase"])
            if phase not in PHASES:
                raise JourneyError(
                    f"unknown phase {phase!r}", where=f"{twhere}.phase", fix=f"use one of {', '.join(PHASES)}"
                )
            stakes = str(raw_tp.get("stakes", "low"))
            if stakes not in STAKES:
                raise JourneyError(
                    f"unknown stakes {stakes!r}", where=f"{twhere}.stakes", fix=f"use one of {', '.join(STAKES)}"
                )
            exp = raw_tp.get("expectation")
            expectation = Expectation.parse(exp, where=f"{twhere}.expectation") if exp is not None else None
            touchpoints.append(
                Touchpoint(
                    id=tid,
                    name=str(raw_tp.get("name") or tid.replace("_", " ").capitalize()),
                    stage=sid,
                    phase=phase,
                    description=str(raw_tp.get("description") or ""),
                    channels=_str_list(raw_tp.get("channels"), f"{twhere}.channels"),
                    phrases=tuple(p.lower() for p in _str_list(raw_tp.get("phrases"), f"{twhere}.phrases")),
                    events=_events(raw_tp.get("events"), f"{twhere}.events"),
                    expectation=expectation,
                    stakes=stakes,
                    survey_items=_str_list(raw_tp.get("survey_items"), f"{twhere}.survey_items"),
                )
            )
        stages.append(
            Stage(
                id=sid,
                name=str(raw_stage.get("name") or sid),
                touchpoints=tuple(touchpoints),
                description=str(raw_stage.get("description") or ""),
            )
        )
    playbook = data.get("playbook") or {}
    if not isinstance(playbook, dict):
        raise JourneyError(
            "'playbook' must be a mapping", where=f"{source}: playbook", fix="see the airline template for its shape"
        )
    magic = data.get("magic") or []
    if not isinstance(magic, list):
        raise JourneyError(
            "'magic' must be a list of rules",
            where=f"{source}: magic",
            fix="see the coffee_shop template for its shape",
        )
    personas = _personas(data.get("personas"), f"{source}: personas", set(seen_tp))
    walk = _str_list(data.get("walk"), f"{source}: walk")
    for t in walk:
        if t not in seen_tp:
            close = difflib.get_close_matches(t, sorted(seen_tp), n=1)
            raise JourneyError(
                f"walk names unknown touchpoint {t!r}",
                where=f"{source}: walk",
                fix=f"did you mean '{close[0]}'?" if close else "use touchpoint ids of this journey",
            )
    return Journey(
        name=_check_id(data["name"], f"{source}: name"),
        title=str(data.get("title") or data["name"]),
        description=str(data.get("description") or ""),
        industry=str(data.get("industry") or ""),
        stages=tuple(stages),
        thresholds=_thresholds(data.get("thresholds"), f"{source}: thresholds"),
        playbook=playbook,
        magic=magic,
        source=source,
        personas=personas,
        walk=walk,
    )


def _personas(raw: Any, where: str, touchpoints: set[str]) -> tuple[Persona, ...]:
    """The journey's ``personas``: id, name, description and the touchpoint ids they judge by."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise JourneyError(
            "'personas' must be a list",
            where=where,
            fix="write '- {id: business, name: Business traveller, touchpoints: [...]}' items",
        )
    out: list[Persona] = []
    for i, item in enumerate(raw):
        pwhere = f"{where}[{i}]"
        item = _check_keys(item, _PERSONA_KEYS, pwhere, ("id",))
        pid = _check_id(item["id"], f"{pwhere}.id")
        if any(p.id == pid for p in out):
            raise JourneyError(f"duplicate persona id {pid!r}", where=pwhere, fix="give every persona its own id")
        tps = _str_list(item.get("touchpoints"), f"{pwhere}.touchpoints")
        unknown = [t for t in tps if t not in touchpoints]
        if unknown:
            close = difflib.get_close_matches(unknown[0], sorted(touchpoints), n=1)
            raise JourneyError(
                f"persona {pid!r} names unknown touchpoint {unknown[0]!r}",
                where=f"{pwhere}.touchpoints",
                fix=f"did you mean '{close[0]}'?" if close else "use touchpoint ids of this journey",
            )
        out.append(
            Persona(
                id=pid,
                name=str(item.get("name") or pid.replace("_", " ").capitalize()),
                description=str(item.get("description") or ""),
                touchpoints=tps,
            )
        )
    return tuple(out)
