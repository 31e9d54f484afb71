"""Filled-in walks become interactions of channel ``observation``, one per observed step, through ingest.

Each observed step is one interaction at its touchpoint (column ``touchpoint``), with measures the
detector judges against expectations:

* the step's timing under the journey's measure (``greeting_seconds: 45`` against ``<= 30``: "greeting
  45 s against <= 30 expected"), and
* ``checklist_met_percent``: 100 for met, 50 for partly, 0 for missed, judged against ``>= 100`` at the
  step's own touchpoint (:data:`carlzon.detect.expectations.GENERAL_EXPECTATIONS`).

So a missed step (or a timing missed) is a moment of misery at that touchpoint, a met one a neutral
moment; they join the moments, metrics and alerts like any other (the store is the walk's ``location``).
Steps marked "not seen" (or left empty) are counted, not stored. The observer's note is kept in the
attributes, not as text: the verdict is the observer's, not read from words.

Input: a table (CSV or DataFrame) with one row per step: ``step`` (touchpoint id, name or number),
``result``, ``value`` (the timing, in the expectation's unit), ``note``, and per walk ``walk``,
``location`` (or ``store``), ``observer``, ``observed_at`` (or ``date``).

Example:
    >>> import pandas as pd
    >>> from carlzon.store import open_store
    >>> rows = pd.DataFrame({"step": ["greeting", "fitting_rooms"], "result": ["met", "missed"],
    ...                      "value": ["45", ""], "location": "Old Town", "observed_at": "2026-05-04 10:00"})
    >>> with open_store(":memory:") as st:
    ...     r = store_walk(st, "retail_clothing", rows)
    ...     m = st.moments()
    >>> r.stored, m.set_index("touchpoint")["valence"].to_dict()
    (2, {'fitting_rooms': 'misery', 'greeting': 'misery'})
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from carlzon.errors import IngestError
from carlzon.journey import Journey, load_journey
from carlzon.survey.answers import AnswerResult
from carlzon.walk.checklist import build_checklist

__all__ = ["CHANNEL", "MEASURE", "WalkResult", "store_walk", "walk_frame"]

CHANNEL = "observation"
MEASURE = "checklist_met_percent"
"""The measure of a step's checklist verdict (100 met, 50 partly, 0 missed); expected >= 100."""

_RESULT = {
    "met": 100,
    "yes": 100,
    "y": 100,
    "pass": 100,
    "passed": 100,
    "ok": 100,
    "true": 100,
    "1": 100,
    "✓": 100,
    "✔": 100,
    "x": 100,
    "partly": 50,
    "partial": 50,
    "partially": 50,
    "half": 50,
    "missed": 0,
    "no": 0,
    "n": 0,
    "fail": 0,
    "failed": 0,
    "false": 0,
    "0": 0,
    "✗": 0,
    "✘": 0,
}
_NOT_SEEN = {"", "not seen", "not_seen", "na", "n/a", "-", "none", "nan", "skip", "skipped"}
_ALIASES = {
    "location": ("location", "store", "site", "branch"),
    "observed_at": ("observed_at", "date", "timestamp", "time"),
    "walk": ("walk", "walk_id"),
    "observer": ("observer", "by", "auditor"),
    "step": ("step", "touchpoint"),
    "result": ("result", "verdict", "met"),
    "value": ("value", "time", "timing", "measure"),
    "note": ("note", "notes", "comment"),
}


@dataclass
class WalkResult(AnswerResult):
    """The account of one walk ingest: read = stored + duplicates + quarantined + not_seen."""

    not_seen: int = 0
    walks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "not_seen": self.not_seen, "walks": self.walks}


def _norm(s: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(s).lower()).strip()


def _columns(df: pd.DataFrame) -> dict[str, str | None]:
    norm = {re.sub(r"[^a-z0-9]+", "_", str(c).lower()).strip("_"): c for c in df.columns}
    return {k: next((norm[a] for a in names if a in norm), None) for k, names in _ALIASES.items()}


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip()


def walk_frame(journey: Journey | str, filled: pd.DataFrame) -> tuple[pd.DataFrame, list[dict[str, Any]], int]:
    """The observed steps as an export-like table for ingest, the rows refused (``{row, reason, raw}``) and
    the number of steps not seen."""
    j = load_journey(journey)
    steps = build_checklist(j).steps
    by_key: dict[str, Any] = {}
    for s in steps:
        by_key[s.touchpoint] = s
        by_key[_norm(s.name)] = s
        by_key[str(s.number)] = s
    cols = _columns(filled)
    if cols["step"] is None:
        raise IngestError("the walk has no step column", fix="name the column 'step' (touchpoint id or name)")
    rows, bad, not_seen = [], [], 0
    measures = sorted({s.measure for s in steps if s.measure})
    for i, r in enumerate(filled.to_dict("records")):

        def get(k: str, r: dict = r) -> str:
            return _text(r.get(cols[k])) if cols[k] else ""

        raw = json.dumps({str(k): _text(v) for k, v in r.items()}, ensure_ascii=False)
        key = get("step")
        step = by_key.get(key) or by_key.get(_norm(key))
        if step is None:
            bad.append({"row": i, "reason": f"unknown step {key!r} (not a touchpoint of {j.name})", "raw": raw})
            continue
        res, value = get("result").lower(), get("value")
        if res in _NOT_SEEN and not value:
            not_seen += 1
            continue
        if res not in _NOT_SEEN and res not in _RESULT:
            bad.append(
                {
                    "row": i,
                    "reason": f"cannot read result {get('result')!r} at {step.touchpoint}: use met, "
                    "partly, missed or not seen",
                    "raw": raw,
                }
            )
            continue
        if value and step.measure is None:
            bad.append(
                {"row": i, "reason": f"a timing was given at {step.touchpoint}, which has none to take", "raw": raw}
            )
            continue
        when, loc, observer = get("observed_at"), get("location"), get("observer")
        walk = (
            get("walk") or "w" + hashlib.blake2b(f"{loc}\x1f{when}\x1f{observer}".encode(), digest_size=5).hexdigest()
        )
        row = {
            "id": f"walk-{walk}-{step.touchpoint}",
            "observed_at": when or None,
            "touchpoint": step.touchpoint,
            MEASURE: None if res in _NOT_SEEN else str(_RESULT[res]),
            "location": loc or None,
            "observer": observer or None,
            "walk": walk,
            "step": step.number,
            "result": None if res in _NOT_SEEN else res,
            "note": get("note") or None,
        }
        for m in measures:
            row[m] = value if m == step.measure and value else None
        rows.append(row)
    frame = pd.DataFrame(
        rows,
        columns=[
            "id",
            "observed_at",
            "touchpoint",
            MEASURE,
            *measures,
            "location",
            "observer",
            "walk",
            "step",
            "result",
            "note",
        ],
    )
    return frame, bad, not_seen


def store_walk(
    store: Any, journey: Journey | str, filled: pd.DataFrame | str | Path, *, source: str | None = None
) -> WalkResult:
    """Store a filled-in walk (table or CSV path) as observations, detected into moments; returns the account."""
    from carlzon.ingest import ingest

    j = load_journey(journey)
    name = source or (Path(filled).name if isinstance(filled, (str, Path)) else "walk")
    df = filled if isinstance(filled, pd.DataFrame) else pd.read_csv(filled, dtype=str, keep_default_na=False)
    frame, bad, not_seen = walk_frame(j, df)
    res = WalkResult(source=name, read=len(df), not_seen=not_seen)
    if len(frame):
        present = [
            c
            for c in frame.columns
            if c not in ("id", "observed_at", "touchpoint", "location", "observer", "walk", "step", "result", "note")
            and frame[c].notna().any()
        ]
        mapping = {
            "id": "id",
            "timestamp": "observed_at",
            "touchpoint": "touchpoint",
            "measures": present,
            "defaults": {"channel": CHANNEL, "source": name},
            "auto": False,
        }
        frame = frame.drop(
            columns=[
                c
                for c in frame.columns
                if c not in present and frame[c].isna().all() and c not in ("id", "observed_at", "touchpoint")
            ]
        )
    with store.transaction():
        if bad:
            store.add_quarantine([{"source": name, **b} for b in bad])
        if len(frame):
            r = ingest(frame, store, journey=j, mapping=mapping, source=name)
            res.stored, res.duplicates, res.quarantined, res.moments = r.stored, r.duplicates, r.quarantined, r.moments
            res.quarantine.extend(r.quarantine)
    res.quarantined += len(bad)
    res.quarantine.extend({"row": b["row"], "reason": b["reason"]} for b in bad)
    res.walks = sorted(set(frame["walk"])) if len(frame) and "walk" in frame else []
    if res.read != res.stored + res.duplicates + res.quarantined + res.not_seen:  # pragma: no cover - a bug
        raise IngestError("walk rows do not add up", fix="report this bug with the walk file")
    return res
