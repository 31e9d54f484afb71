"""Observation checklists: the journey's touchpoints and expectations as a store walk, printable and phone-friendly.

A :class:`Checklist` has one step per touchpoint the observer can see (all of the journey's, or those
given), in journey order, each with what to look for (the touchpoint's description) and, where the
journey has one, the timing to take ("time it: greeting, in seconds; expected within 30"). It renders as
one self-contained HTML page (:func:`render_checklist`: no script, no request to any host, a print
layout with boxes to tick) and as a CSV template to fill in (:meth:`Checklist.template`).

Example:
    >>> c = build_checklist("retail_clothing")
    >>> len(c.steps), c.steps[2].touchpoint, c.steps[2].timing
    (17, 'greeting', 'greeting_seconds <= 30')
    >>> c.steps[2].timing_words
    'Time it: greeting, in seconds (expected within 30)'
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from carlzon.journey import Journey, load_journey

__all__ = ["RESULTS", "Checklist", "Step", "build_checklist", "render_checklist"]

RESULTS = ("met", "partly", "missed", "not seen")
"""What an observer can record at a step."""

IN_PERSON = {"store", "airport", "onboard", "branch", "hotel", "restaurant", "shop", "counter", "visit", "home"}
"""Channels met in person: without a ``walk`` list, a journey's walk has the touchpoints on one of them."""
_UNITS = {"seconds": "seconds", "minutes": "minutes", "hours": "hours", "days": "days"}


@dataclass(frozen=True)
class Step:
    """One step of a walk: the touchpoint, what to look for, and the timing to take (a journey expectation)."""

    number: int
    touchpoint: str
    name: str
    stage: str
    look_for: str
    timing: str | None = None  # the expectation, e.g. 'greeting_seconds <= 30'
    measure: str | None = None
    unit: str | None = None

    @property
    def timing_words(self) -> str:
        if not self.timing or not self.measure:
            return ""
        parts = self.measure.split("_")
        unit = _UNITS.get(parts[-1], "")
        what = " ".join(parts[:-1] if unit else parts)
        op, bound = self.timing.split()[1:3]
        rel = "within" if op in ("<=", "<") else "at least"
        return f"Time it: {what}, in {unit or 'its unit'} (expected {rel} {bound})"


@dataclass(frozen=True)
class Checklist:
    """The steps of a store walk for one journey."""

    journey: str
    title: str
    steps: tuple[Step, ...]

    def template(self) -> pd.DataFrame:
        """A CSV template to fill in: one row per step (walk, location, observer and observed_at once per walk)."""
        return pd.DataFrame(
            {
                "walk": "",
                "location": "",
                "observer": "",
                "observed_at": "",
                "step": [s.touchpoint for s in self.steps],
                "name": [s.name for s in self.steps],
                "result": "",
                "value": "",
                "unit": [s.unit or "" for s in self.steps],
                "expected": [s.timing or "" for s in self.steps],
                "note": "",
            }
        )


def build_checklist(journey: Journey | str | Path, *, touchpoints: list[str] | None = None) -> Checklist:
    """The walk for ``journey``: the journey's ``walk`` steps (else its touchpoints met in person, in journey
    order), or those in ``touchpoints``."""
    j = load_journey(journey)
    if touchpoints:
        tps = [j.touchpoint(t) for t in touchpoints]
    elif j.walk:
        tps = [j.touchpoint(t) for t in j.walk]
    else:
        tps = [t for t in j.touchpoints if set(t.channels) & IN_PERSON] or j.touchpoints
    stages = {st.id: st.name for st in j.stages}
    steps = []
    for i, tp in enumerate(tps, 1):
        exp = tp.expectation
        unit = exp.measure.split("_")[-1] if exp and exp.measure.split("_")[-1] in _UNITS else None
        steps.append(
            Step(
                number=i,
                touchpoint=tp.id,
                name=tp.name,
                stage=stages.get(tp.stage, tp.stage),
                look_for=tp.description or tp.name,
                timing=str(exp) if exp else None,
                measure=exp.measure if exp else None,
                unit=unit,
            )
        )
    return Checklist(journey=j.name, title=f"{j.title}: store walk", steps=tuple(steps))


def render_checklist(
    checklist: Checklist,
    *,
    action: str | None = None,
    form_token: str = "",
    values: dict[str, Any] | None = None,
    csrf_token: str = "",
) -> str:
    """The checklist as one HTML page. With ``action`` it is a form that posts a filled-in walk there
    (the dashboard's walk page, which serves the stylesheet and passes its ``csrf_token``); without, a page
    to print or to fill in on a phone and copy into the CSV, its stylesheet inline."""
    from carlzon.report.builder import jinja_env

    folder = str(resources.files("carlzon.walk") / "templates")
    env = jinja_env([folder])
    css = (resources.files("carlzon.walk") / "templates" / "checklist.css").read_text(encoding="utf-8")
    return env.get_template("checklist.html.j2").render(
        c=checklist,
        results=RESULTS,
        action=action,
        form_token=form_token,
        values=values or {},
        css=css,
        csrf_token=csrf_token,
    )
