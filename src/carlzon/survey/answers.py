"""Answers in and out: survey answers become interactions, accounted for like any ingest.

One answer is one interaction of channel ``survey``: its performance ratings in ``ratings`` keyed by
touchpoint id (``{"greeting": 2, "stock": 5}``, so they land on the right touchpoints), the outcome in
``nps`` / ``csat`` / ``ces``, the open answer as ``text``, and in ``attributes`` the survey, persona,
invitation batch, the block order and the question order the respondent saw (``question_order``, a
JSON list) and the stated importances (``stated_importance``, a JSON object by touchpoint id). They go
through :func:`carlzon.ingest.ingest`: detection, quarantine, the ingest run's account. Answers that
break the survey's own rules (an importance of 7 on a 1-5 scale, an unknown persona) are quarantined
here with their reason; :class:`AnswerResult` adds both up: ``read == stored + duplicates + quarantined``.

:func:`answers_table` reads them back as one row per answer: ``persona``, ``block_order``, the outcome,
one column per touchpoint (performance) and ``importance:<touchpoint>`` (stated importance).

Example:
    >>> from carlzon.store import open_store
    >>> from carlzon.survey import build_survey
    >>> s = build_survey("hotel", persona="business")
    >>> rec = {"response_id": "r1", "answers": {"nps": 9, "imp_check_in": 5, "perf_check_in": 2}}
    >>> with open_store(":memory:") as st:
    ...     r = store_answers(st, s, [rec])
    ...     t = answers_table(st, s)
    >>> r.stored, t[["check_in", "importance:check_in", "nps"]].iloc[0].tolist()
    (1, [2.0, 5.0, 9.0])
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, UTC
from typing import Any
from collections.abc import Iterable

import pandas as pd

from carlzon.errors import SurveyError
from carlzon.survey.definition import Survey

__all__ = ["AnswerResult", "answers_frame", "answers_table", "store_answers"]

CHANNEL = "survey"


@dataclass
class AnswerResult:
    """The account of storing answers: read = stored + duplicates + quarantined (refused by the survey's
    rules, or by ingest)."""

    source: str
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    moments: int = 0
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in ("source", "read", "stored", "duplicates", "quarantined", "moments", "quarantine")
        }


def _frame_row(survey: Survey, rec: dict[str, Any]) -> dict[str, Any]:
    answers = survey.validate(dict(rec.get("answers") or {}))
    persona = rec.get("persona") or answers.get("persona") or survey.persona
    if persona is not None:
        j = survey.check_journey()
        if j.personas and persona not in {p.id for p in j.personas}:
            raise SurveyError(f"unknown persona {persona!r}", fix=f"use one of {', '.join(p.id for p in j.personas)}")
    row: dict[str, Any] = {
        "response_id": str(rec["response_id"]),
        "customer_id": rec.get("customer_id"),
        "submitted_at": rec.get("submitted_at") or datetime.now(UTC).isoformat(),
        "comment": None,
    }
    stated: dict[str, int] = {}
    for q in survey.questions:
        v = answers.get(q.id)
        if q.kind == "performance":
            row[q.touchpoint] = v  # type: ignore[index]
        elif q.kind == "importance" and v is not None:
            stated[q.touchpoint] = v  # type: ignore[index]
        elif q.kind in ("nps", "csat", "ces"):
            row[q.kind] = v
        elif q.kind == "open" and v:
            row["comment"] = v if row["comment"] is None else f"{row['comment']}\n{v}"
    row["survey"] = survey.id
    row["persona"] = persona
    row["batch"] = rec.get("batch")
    row["invitation"] = rec.get("invitation")
    row["block_order"] = rec.get("block_order")
    order = rec.get("question_order")
    row["question_order"] = json.dumps(list(order)) if order else None
    row["stated_importance"] = json.dumps(stated, sort_keys=True) if stated else None
    return row


def answers_frame(survey: Survey, records: Iterable[dict[str, Any]]) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The answers as an export-like table for :func:`carlzon.ingest.ingest`, and the records refused by the
    survey's rules (``{row, reason, raw}``).

    Each record: ``response_id``, ``answers`` (question id -> value), optionally ``customer_id``,
    ``submitted_at``, ``persona``, ``batch``, ``invitation``, ``block_order``, ``question_order``.
    """
    rows, bad = [], []
    for i, rec in enumerate(records):
        try:
            if not rec.get("response_id"):
                raise SurveyError("an answer needs a response_id", fix="give every answer an id")
            rows.append(_frame_row(survey, rec))
        except SurveyError as exc:
            bad.append({"row": i, "reason": f"survey {survey.id}: {exc}", "raw": json.dumps(rec, default=str)[:4000]})
    cols = [
        "response_id",
        "customer_id",
        "submitted_at",
        "comment",
        survey.outcome,
        *survey.touchpoints,
        "survey",
        "persona",
        "batch",
        "invitation",
        "block_order",
        "question_order",
        "stated_importance",
    ]
    df = pd.DataFrame(rows, columns=cols)
    for c in (survey.outcome, *survey.touchpoints):
        df[c] = pd.array([None if v is None or pd.isna(v) else str(int(v)) for v in df[c]], dtype=object)
    return df, bad


def _mapping(survey: Survey, source: str) -> dict[str, Any]:
    return {
        "id": "response_id",
        "customer_id": "customer_id",
        "timestamp": "submitted_at",
        "text": "comment",
        survey.outcome: survey.outcome,
        "ratings": list(survey.touchpoints),
        "scales": {t: [1, 5] for t in survey.touchpoints},
        "defaults": {"channel": CHANNEL, "source": source},
        "auto": False,
    }


def store_answers(
    store: Any, survey: Survey, records: Iterable[dict[str, Any]], *, source: str | None = None, detect: bool = True
) -> AnswerResult:
    """Validate answers against ``survey`` and ingest them (see the module docs); returns the account."""
    from carlzon.ingest import ingest

    records = list(records)
    name = source or f"survey {survey.id}"
    frame, bad = answers_frame(survey, records)
    res = AnswerResult(source=name, read=len(records))
    with store.transaction():
        if bad:
            store.add_quarantine([{"source": name, **b} for b in bad])
        if len(frame):
            r = ingest(frame, store, journey=survey.journey, mapping=_mapping(survey, name), source=name, detect=detect)
            res.stored, res.duplicates, res.moments = r.stored, r.duplicates, r.moments
            res.quarantined += r.quarantined
            res.quarantine.extend(r.quarantine)
    res.quarantined += len(bad)
    res.quarantine.extend({"row": b["row"], "reason": b["reason"]} for b in bad)
    res.ids = frame["response_id"].tolist()
    if res.read != res.stored + res.duplicates + res.quarantined:  # pragma: no cover - a bug, not bad input
        raise SurveyError("answers do not add up", fix="report this bug with the answers file")
    return res


def answers_table(store: Any, survey: Survey | str | None = None) -> pd.DataFrame:
    """One row per stored survey answer (of ``survey``, or of every carlzon survey): response_id, customer_id,
    timestamp, survey, persona, batch, block_order, question_order (list), the outcome columns, each touchpoint's
    performance and ``importance:<touchpoint>``."""
    sid = survey.id if isinstance(survey, Survey) else survey
    sql = (
        "SELECT id, customer_id, timestamp, nps, csat, ces, ratings, attributes, layout FROM interactions "
        "WHERE channel = :ch AND attributes LIKE :pat"
    )
    pat = f'%"survey":{json.dumps(sid)}%' if sid else '%"survey":%'
    df = store.unpack(store.query(sql, {"ch": CHANNEL, "pat": pat}))
    rows = []
    for r in df.itertuples(index=False):
        attrs = json.loads(r.attributes) if isinstance(r.attributes, str) and r.attributes else {}
        if "survey" not in attrs or (sid and attrs.get("survey") != sid):
            continue
        ratings = json.loads(r.ratings) if isinstance(r.ratings, str) and r.ratings else {}
        stated = json.loads(attrs["stated_importance"]) if attrs.get("stated_importance") else {}
        order = json.loads(attrs["question_order"]) if attrs.get("question_order") else None
        row = {
            "response_id": r.id,
            "customer_id": r.customer_id,
            "timestamp": r.timestamp,
            "survey": attrs.get("survey"),
            "persona": attrs.get("persona"),
            "batch": attrs.get("batch"),
            "block_order": attrs.get("block_order"),
            "question_order": order,
            "nps": r.nps,
            "csat": r.csat,
            "ces": r.ces,
        }
        for k, v in ratings.items():
            row[k] = None if v is None else float(v)
        for k, v in stated.items():
            row[f"importance:{k}"] = float(v)
        rows.append(row)
    out = pd.DataFrame(rows)
    if isinstance(survey, Survey):
        for t in survey.touchpoints:
            for c in (t, f"importance:{t}"):
                if c not in out:
                    out[c] = float("nan")
    if len(out):
        num = [
            c
            for c in out.columns
            if c in ("nps", "csat", "ces")
            or c.startswith("importance:")
            or (isinstance(survey, Survey) and c in survey.touchpoints)
        ]
        out[num] = out[num].apply(pd.to_numeric, errors="coerce")
    return out
