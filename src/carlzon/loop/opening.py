"""Opening recovery cases by the case policy: one case per interaction, listing its miseries.

An interaction may hold several moments of misery (one per touchpoint it
speaks of: a late flight *and* a lost bag). They are one customer's one story,
so they open ONE case: its touchpoint is the strongest misery's, and
``miseries`` lists every one (touchpoint, stakes, intensity, reasons). Every
interaction the policy looks at is recorded in ``recovery_considered`` with
its decision (``open`` or the reason it was summarised), so that a later run
only looks at new misery, and nothing is dropped without a trace.

Used by :meth:`carlzon.loop.recovery.RecoveryDesk.open_cases`.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any
from collections.abc import Callable

import pandas as pd

from carlzon.loop.memory import customer_memory, customer_value
from carlzon.loop.policy import CasePolicy, complaint_of

__all__ = ["OpenResult", "group_miseries", "open_by_policy"]

_STAKES_ORDER = {"low": 0, "medium": 1, "high": 2}
_REPEAT_DAYS = 90


class OpenResult(list):
    """The new case ids (a list, as before), with ``.summarised`` counts by reason and ``.considered``."""

    def __init__(self, ids: list[int], summarised: dict[str, int], considered: int, high_stakes: dict[str, int]):
        super().__init__(ids)
        self.summarised = summarised
        self.considered = considered
        self.high_stakes = high_stakes  # high-stakes interactions: opened / summarised by reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "opened": list(self),
            "n_opened": len(self),
            "considered": self.considered,
            "summarised": self.summarised,
            "high_stakes": self.high_stakes,
        }


def _nan(v: Any) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _evidence(v: Any) -> list[dict[str, Any]]:
    if isinstance(v, list):
        return v
    if isinstance(v, str) and v.strip():
        try:
            out = json.loads(v)
            return out if isinstance(out, list) else []
        except ValueError:
            return []
    return []


def group_miseries(misery: pd.DataFrame, thresholds: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """One record per interaction from its moments of misery: the strongest misery first in ``miseries``."""
    out: list[dict[str, Any]] = []
    if misery.empty:
        return out
    by_interaction: dict[str, list[dict[str, Any]]] = {}
    for rec in misery.to_dict("records"):
        r = {str(k): v for k, v in rec.items()}
        by_interaction.setdefault(str(r["interaction_id"]), []).append(r)
    for iid, rows in by_interaction.items():
        rows.sort(
            key=lambda r: (
                -_STAKES_ORDER.get(str(r.get("stakes") or "low"), 0),
                -float(0 if _nan(r.get("intensity")) else r.get("intensity") or 0),
            )
        )
        top = rows[0]
        evidence: list[dict[str, Any]] = []
        miseries, complaint_words, low = [], False, None
        ratings = {k: top.get(k) for k in ("nps", "csat", "ces", "stars")}
        for r in rows:
            ev = _evidence(r.get("evidence"))
            evidence += [e for e in ev if e not in evidence]
            c = complaint_of(ev, ratings, thresholds)
            complaint_words = complaint_words or c["words"]
            low = low or c["low_rating"]
            miseries.append(
                {
                    "touchpoint": r.get("touchpoint") or "unknown",
                    "stakes": r.get("stakes") or "low",
                    "intensity": round(float(0 if _nan(r.get("intensity")) else r["intensity"]), 3),
                    "score": round(float(0 if _nan(r.get("score")) else r["score"]), 3),
                    "reasons": r.get("reasons") or "",
                    **({"aspect": r["aspect"]} if not _nan(r.get("aspect")) else {}),
                }
            )
        attrs = top.get("attributes")
        if isinstance(attrs, str):
            try:
                attrs = json.loads(attrs)
            except ValueError:
                attrs = {}
        out.append(
            {
                **top,
                "interaction_id": str(iid),
                "evidence": evidence,
                "miseries": miseries,
                "reasons": "; ".join(dict.fromkeys(m["reasons"] for m in miseries if m["reasons"])),
                "intensity": max(m["intensity"] for m in miseries),
                "complaint": complaint_words or bool(low),
                "low_rating": low,
                "attributes": attrs if isinstance(attrs, dict) else {},
            }
        )
    return out


def _email(attrs: dict[str, Any]) -> str | None:
    for k in ("email", "e_mail", "customer_email", "mail"):
        v = attrs.get(k)
        if isinstance(v, str) and "@" in v:
            return v.strip()
    return None


def open_by_policy(
    desk: Any,
    policy: CasePolicy,
    *,
    since: Any = None,
    until: Any = None,
    progress: Callable[[str, int, int], None] | None = None,
    locations: tuple[str, ...] | None = None,
) -> OpenResult:
    """Consider every interaction with misery not considered before (at ``locations``; None: every
    place); open cases by the policy."""
    store = desk.store
    tick = progress or (lambda what, done, total: None)
    tick("reading misery", 0, 1)
    misery = store.moments(valence="misery", since=since, until=until)
    if locations is not None and len(misery):
        misery = misery[misery["location"].astype("string").isin(locations).fillna(False).to_numpy()]
    seen = set(store.query("SELECT interaction_id FROM recovery_considered")["interaction_id"])
    seen |= set(store.query("SELECT interaction_id FROM recovery_cases")["interaction_id"])
    fresh = misery[~misery["interaction_id"].astype(str).isin(seen)] if len(misery) else misery
    if fresh.empty:
        tick("done", 1, 1)
        return OpenResult([], {}, 0, {})
    groups = group_miseries(fresh, desk.journey.thresholds)
    groups.sort(key=lambda g: (_nan(g.get("timestamp")), str(g.get("timestamp")), g["interaction_id"]))
    tick("grouped miseries by interaction", 0, len(groups))
    latest = pd.to_datetime(store.query("SELECT MAX(timestamp) AS t FROM moments")["t"].iloc[0], utc=True)
    reference = min(desk._now(), latest.to_pydatetime()) if not _nan(latest) else desk._now()
    oldest = reference - timedelta(days=policy.max_age_days) if policy.max_age_days is not None else None

    def could_open(g: dict[str, Any]) -> bool:  # only these need the customer's memory (value, name)
        if policy.require_complaint and not g["complaint"]:
            return False
        return oldest is None or _nan(g.get("timestamp")) or pd.Timestamp(g["timestamp"]) >= oldest

    customers = sorted(
        {str(g["customer_id"]) for g in groups if not _nan(g.get("customer_id")) and g["customer_id"] and could_open(g)}
    )
    memory = customer_memory(store, customer_ids=customers) if customers else {}
    everything = store.query(
        "SELECT DISTINCT m.customer_id, m.interaction_id, m.timestamp FROM moments m "
        "WHERE m.valence = 'misery' AND m.customer_id IS NOT NULL"
    )
    history: dict[str, list[datetime]] = {}
    for cid, ts in zip(everything["customer_id"], pd.to_datetime(everything["timestamp"], utc=True, errors="coerce")):
        if not _nan(ts):
            history.setdefault(str(cid), []).append(ts.to_pydatetime())
    decided: list[tuple[dict[str, Any], str, dict[str, float], Any]] = []
    for i, g in enumerate(groups):
        cid = None if _nan(g.get("customer_id")) or not g.get("customer_id") else str(g["customer_id"])
        customer = memory.get(cid) if cid else None
        at = pd.Timestamp(g["timestamp"]).to_pydatetime() if not _nan(g.get("timestamp")) else None
        prior = 0
        if cid and at is not None:
            lo = at - timedelta(days=_REPEAT_DAYS)
            prior = len({t for t in history.get(cid, []) if lo <= t < at})
        value = customer_value(customer)
        parts = desk.priority_of(g, value=value, prior=prior)
        decision = policy.decide(
            priority=parts["total"],
            stakes=str(g.get("stakes") or "low"),
            intensity=float(g["intensity"]),
            value=value,
            prior=prior,
            complaint=g["complaint"],
        )
        if decision == "open" and oldest is not None and at is not None and at < oldest:
            decision = "too_old"
        decided.append((g, decision, parts, customer))
        if i % 500 == 0:
            tick("scored", i, len(groups))

    # the day's capacity, counting the cases already open for that day, highest priority first
    taken: dict[str, int] = {}
    if policy.daily_capacity is not None:
        days = store.query("SELECT moment_at FROM recovery_cases")["moment_at"]
        for d in pd.to_datetime(days, utc=True, errors="coerce").dropna():
            taken[d.date().isoformat()] = taken.get(d.date().isoformat(), 0) + 1
    order = sorted(
        range(len(decided)),
        key=lambda k: (decided[k][1] != "open", -decided[k][2]["total"], str(decided[k][0].get("timestamp"))),
    )
    final: dict[int, str] = {}
    for k in order:  # capacity goes to the highest priorities of each day
        g, decision = decided[k][0], decided[k][1]
        day = None if _nan(g.get("timestamp")) else pd.Timestamp(g["timestamp"]).date().isoformat()
        if decision == "open" and policy.daily_capacity is not None and day is not None:
            if taken.get(day, 0) >= policy.daily_capacity:
                decision = "over_capacity"
            else:
                taken[day] = taken.get(day, 0) + 1
        final[k] = decision
    now = desk._now()
    new_ids: list[int] = []
    summarised: dict[str, int] = {}
    high: dict[str, int] = {}
    considered_rows = []
    with store.transaction():
        for n, k in enumerate(range(len(decided))):  # cases numbered in the order the miseries happened
            g, _, parts, customer = decided[k]
            decision = final[k]
            day = None if _nan(g.get("timestamp")) else pd.Timestamp(g["timestamp"]).date().isoformat()
            case_id = None
            if decision == "open":
                g["customer_email"] = _email(g["attributes"])
                case_id = desk._insert(g, customer, parts, now)
                new_ids.append(case_id)
            else:
                summarised[decision] = summarised.get(decision, 0) + 1
            if str(g.get("stakes")) == "high":
                high[decision] = high.get(decision, 0) + 1
            considered_rows.append(
                {
                    "iid": g["interaction_id"],
                    "at": now,
                    "decision": decision,
                    "tp": g.get("touchpoint") or "unknown",
                    "stakes": g.get("stakes") or "low",
                    "priority": parts["total"],
                    "day": day,
                    "case_id": case_id,
                }
            )
            if n % 200 == 0:
                tick("opening cases", n, len(order))
        store.executemany(
            "INSERT INTO recovery_considered (interaction_id, considered_at, decision, touchpoint, stakes, priority, "
            "moment_day, case_id) VALUES (:iid, :at, :decision, :tp, :stakes, :priority, :day, :case_id)",
            considered_rows,
        )
    tick("done", len(order), len(order))
    return OpenResult(sorted(new_ids), summarised, len(order), high)
