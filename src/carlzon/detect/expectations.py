"""Expectations: measures (waits, delays) judged against each touchpoint's expectation.

A journey touchpoint may carry an expectation such as
``departure_delay_minutes <= 15``. A row whose ``measures`` hold
``{"departure_delay_minutes": 45}`` misses it by 30 minutes.

The curve (documented, monotone, saturating): with the gap ``g`` in the
measure's unit and the bound ``b``, the relative gap is ``r = g / max(|b|, 1)``
and the intensity is ``1 - exp(-r)``: 45 against <= 15 (r = 2) gives 0.86,
20 against <= 15 (r = 0.33) gives 0.28. Any miss makes the expectation's
verdict misery with score ``-max(0.2, intensity)``; a miss with ``r >= 1``
(at least twice the promise away) counts as *badly missed* and marks a moment
of truth. A measure well inside its expectation is reported as met and is
never magic by itself.

Which touchpoint a measure belongs to: the row's assigned touchpoint when it
has an expectation on that measure; otherwise the one touchpoint whose
expectation names the measure. A measure shared by several touchpoints (e.g.
``wait_minutes``) on a row with no touchpoint is reported but not judged.

Example:
    >>> import pandas as pd
    >>> from carlzon.journey import load_journey
    >>> ex = judge(pd.Series(['{"departure_delay_minutes": 45}']), load_journey("airline"))
    >>> ex.touchpoint[0], round(float(ex.intensity[0]), 2), bool(ex.badly_missed[0])
    ('delays_cancellations', 0.86, True)
    >>> ex.evidence(0)[0].text
    'departure delay 45 min against <= 15 expected (badly missed)'
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carlzon.journey import Expectation, Journey
from carlzon.schema import Evidence

__all__ = ["GENERAL_EXPECTATIONS", "ExpectationResult", "expectation_intensity", "judge", "parse_json_column"]

GENERAL_EXPECTATIONS: dict[str, Expectation] = {
    "checklist_met_percent": Expectation("checklist_met_percent", ">=", 100),
}
"""Expectations that hold at any touchpoint, judged at the row's own (assigned) touchpoint: an observed
checklist step (a store walk, :mod:`carlzon.walk`) is expected to be met in full (100 met, 50 partly, 0 missed)."""

_UNITS = {"minutes": "min", "seconds": "s", "hours": "h", "days": "days", "percent": "%"}


def expectation_intensity(gap: np.ndarray | float, bound: np.ndarray | float) -> np.ndarray:
    """Intensity in [0, 1) of missing an expectation by ``gap`` against ``bound``: 1 - exp(-gap / max(|bound|, 1)).

    >>> expectation_intensity(np.array([0, 5, 30, 60]), 15).round(2).tolist()
    [0.0, 0.28, 0.86, 0.98]
    """
    g = np.maximum(np.asarray(gap, dtype="float64"), 0.0)
    b = np.maximum(np.abs(np.asarray(bound, dtype="float64")), 1.0)
    return 1.0 - np.exp(-g / b)


def parse_json_column(values: Sequence[Any] | pd.Series | None, n: int) -> list[dict[str, Any]]:
    """Dicts from a column of dicts / JSON strings / None (bad JSON raises DetectError naming the row)."""
    from carlzon.errors import DetectError

    if values is None:
        return [{} for _ in range(n)]
    out: list[dict[str, Any]] = []
    for i, v in enumerate(values):
        if isinstance(v, dict):
            out.append(v)
        elif v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
            out.append({})
        elif isinstance(v, str):
            try:
                d = json.loads(v)
            except json.JSONDecodeError as exc:
                raise DetectError(
                    f"row {i}: not valid JSON ({exc.msg}): {v[:60]!r}",
                    where="measures",
                    fix='write measures as a JSON object, e.g. {"wait_minutes": 45}',
                ) from None
            if not isinstance(d, dict):
                raise DetectError(
                    f"row {i}: expected a JSON object, got {type(d).__name__}",
                    where="measures",
                    fix='write measures as a JSON object, e.g. {"wait_minutes": 45}',
                )
            out.append(d)
        else:
            raise DetectError(
                f"row {i}: expected a JSON object or dict, got {type(v).__name__}",
                where="measures",
                fix='write measures as a JSON object, e.g. {"wait_minutes": 45}',
            )
    return out


def _norm_measure(name: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def _measure_words(name: str) -> tuple[str, str]:
    parts = name.split("_")
    unit = ""
    if parts and parts[-1] in _UNITS:
        unit = _UNITS[parts[-1]]
        parts = parts[:-1]
    return " ".join(parts), unit


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


@dataclass
class ExpectationResult:
    """Per-row outcome of :func:`judge` (arrays aligned with the input rows)."""

    touchpoint: np.ndarray  # object: the touchpoint a judged measure belongs to, or None
    missed: np.ndarray  # bool: at least one expectation missed
    badly_missed: np.ndarray  # bool: relative gap >= 1
    intensity: np.ndarray  # float: the largest miss's intensity (0 when none)
    score: np.ndarray  # float: -max(0.2, intensity) when missed, NaN when nothing judged, 0 when met
    items: list[list[Evidence]] = field(default_factory=list)

    def evidence(self, i: int) -> list[Evidence]:
        return self.items[i] if self.items else []


def judge(
    measures: Sequence[Any] | pd.Series | None,
    journey: Journey | None,
    assigned: Sequence[str | None] | np.ndarray | None = None,
) -> ExpectationResult:
    """Judge each row's measures against the expectations of ``journey``'s touchpoints.

    ``assigned`` is each row's touchpoint from the explicit column or text (or None).
    """
    n = len(measures) if measures is not None else (len(assigned) if assigned is not None else 0)
    tp_out = np.full(n, None, dtype=object)
    missed = np.zeros(n, dtype=bool)
    badly = np.zeros(n, dtype=bool)
    intensity = np.zeros(n)
    score = np.full(n, np.nan)
    items: list[list[Evidence]] = [[] for _ in range(n)]
    if journey is None or measures is None or n == 0:
        return ExpectationResult(tp_out, missed, badly, intensity, score, items)
    by_measure: dict[str, list[tuple[str, Expectation]]] = {}
    for tp in journey.touchpoints:
        if tp.expectation is not None:
            by_measure.setdefault(tp.expectation.measure, []).append((tp.id, tp.expectation))
    dicts = parse_json_column(measures, n)
    if not any(dicts):
        return ExpectationResult(tp_out, missed, badly, intensity, score, items)
    table = pd.DataFrame.from_records(dicts, index=range(n))
    table.columns = [_norm_measure(c) for c in table.columns]
    table = table.T.groupby(level=0).first().T if table.columns.duplicated().any() else table
    assigned_arr = np.asarray(list(assigned) if assigned is not None else [None] * n, dtype=object)
    best_rel = np.full(n, -1.0)
    for measure in table.columns:
        general = measure in GENERAL_EXPECTATIONS and measure not in by_measure
        if measure not in by_measure and not general:
            continue
        vals = pd.to_numeric(table[measure], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        present = ~np.isnan(vals)
        if not present.any():
            continue
        cands = by_measure.get(measure, [])
        # the expectation each row is judged against: its assigned touchpoint, else the only candidate
        bound = np.full(n, np.nan)
        op = np.full(n, None, dtype=object)
        tp_for = np.full(n, None, dtype=object)
        if general:  # at whichever touchpoint the row is about
            exp = GENERAL_EXPECTATIONS[measure]
            sel = present & np.array([a is not None and journey.has_touchpoint(str(a)) for a in assigned_arr])
            bound[sel], op[sel], tp_for[sel] = exp.bound, exp.op, assigned_arr[sel]
            cands = [(str(a), exp) for a in dict.fromkeys(assigned_arr[sel])]
        for tid, exp in cands if not general else []:
            sel = present & (assigned_arr == tid)
            bound[sel], op[sel], tp_for[sel] = exp.bound, exp.op, tid
        if len(cands) == 1 and not general:
            tid, exp = cands[0]
            sel = present & (tp_for == None)  # noqa: E711 (elementwise, on an object array)
            bound[sel], op[sel], tp_for[sel] = exp.bound, exp.op, tid
        judged = present & ~np.isnan(bound)
        met = np.zeros(n, dtype=bool)
        for o in ("<=", "<", ">=", ">"):
            s = judged & (op == o)
            if s.any():
                met[s] = {"<=": np.less_equal, "<": np.less, ">=": np.greater_equal, ">": np.greater}[o](
                    vals[s], bound[s]
                )
        gap = np.where(judged & ~met, np.abs(vals - bound), 0.0)
        inten = np.where(judged & ~met, expectation_intensity(gap, np.nan_to_num(bound)), 0.0)
        rel = np.where(judged, gap / np.maximum(np.abs(np.nan_to_num(bound)), 1.0), -1.0)
        miss = judged & ~met
        missed |= miss
        badly |= miss & (rel >= 1.0)
        take = judged & (rel > best_rel)
        best_rel = np.where(take, rel, best_rel)
        tp_out[take] = tp_for[take]
        intensity = np.maximum(intensity, inten)
        words, unit = _measure_words(measure)
        for i in np.flatnonzero(present):
            v = vals[i]
            u = f" {unit}" if unit else ""
            if judged[i]:
                exp_text = f"{measure} {op[i]} {_fmt(bound[i])}"
                if miss[i]:
                    text = f"{words} {_fmt(v)}{u} against {op[i]} {_fmt(bound[i])} expected"
                    if badly[i] and rel[i] >= 1.0:
                        text += " (badly missed)"
                else:
                    text = f"{words} {_fmt(v)}{u}, within the expected {op[i]} {_fmt(bound[i])}"
                items[i].append(
                    Evidence(
                        rule="expectation",
                        text=text,
                        phrase=measure,
                        value=float(v),
                        expectation=exp_text,
                        weight=round(float(-max(0.2, inten[i])) if miss[i] else 0.0, 3),
                    )
                )
            else:
                names = ", ".join(t for t, _ in cands)
                items[i].append(
                    Evidence(
                        rule="expectation",
                        text=f"{words} {_fmt(v)}{u}: not judged, touchpoint unclear ({names})",
                        phrase=measure,
                        value=float(v),
                    )
                )
    judged_any = best_rel >= 0
    score = np.where(missed, -np.maximum(0.2, intensity), np.where(judged_any, 0.0, np.nan))
    return ExpectationResult(tp_out, missed, badly, intensity, score, items)
