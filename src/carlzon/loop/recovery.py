"""Recovery cases: every moment of misery worth it gets an owner, a playbook and an outcome.

A case opens for each moment of misery whose priority reaches
``min_priority`` (default 30; a journey may set ``playbook.min_priority``).
Opening is idempotent: one case per moment.

Priority (0-100) is the sum of four components, all shown with the case:

=================  ======  ==============================================
component          points  from
=================  ======  ==============================================
intensity          0-35    35 x the moment's intensity (0-1)
stakes             0-25    low 0, medium 12.5, high 25
customer value     0-20    20 x value (tier, else visits; see memory.customer_value)
repeated misery    0-20    10 per earlier misery of this customer in the 90 days before (max 2)
=================  ======  ==============================================

Each case follows the journey's playbook steps (acknowledge, apologize,
resolve, compensate, follow up), each with a deadline ``within_hours`` after
the case opened. Everything that happens to a case is an append-only row in
``recovery_events`` (opened, assigned, note, reply, step, closed), so its
status history can always be read back.

A later interaction from the same customer (a rating, a reply, a return
visit) closes the case in :meth:`RecoveryDesk.check_followups`: recovered
unless that interaction is itself a misery, with the reason in words
('follow-up rating 9/10 on 2026-03-02').

Example:
    >>> desk = RecoveryDesk(open_store("carlzon.db"), "airline")   # doctest: +SKIP
    >>> desk.open_cases()                                           # doctest: +SKIP
    [1, 2]
    >>> desk.note(1, "Called her, bag found in Frankfurt", author="lena", reply=True)  # doctest: +SKIP
"""

from __future__ import annotations

import builtins
import json
import math
from dataclasses import replace
from datetime import datetime, timedelta, UTC
from typing import Any
from collections.abc import Callable

import pandas as pd

from carlzon.errors import CarlzonError, ClosedCaseError, NotFoundError
from carlzon.journey import Journey, journey_templates, load_journey
from carlzon.loop.memory import Customer
from carlzon.loop.policy import SUMMARY_REASONS, CasePolicy, load_policy
from carlzon.loop.replies import _when as _ts
from carlzon.loop.replies import suggest_reply

__all__ = ["DEFAULT_MIN_PRIORITY", "OUTCOMES", "STATUSES", "RecoveryDesk", "journey_for_store", "priority"]

DEFAULT_MIN_PRIORITY = 30.0
STATUSES = ("open", "in_progress", "closed")
OUTCOMES = ("recovered", "not_recovered")
_STAKES_POINTS = {"low": 0.0, "medium": 12.5, "high": 25.0}
_REPEAT_DAYS = 90
_RATING_TEXT = {"nps": "/10", "csat": "/5", "ces": "/7", "stars": "/5"}
_CASE_COLUMNS = (
    "id",
    "interaction_id",
    "customer_id",
    "customer_name",
    "journey",
    "touchpoint",
    "channel",
    "stakes",
    "intensity",
    "score",
    "priority",
    "priority_components",
    "reasons",
    "evidence",
    "text",
    "moment_at",
    "opened_at",
    "status",
    "owner",
    "team",
    "deadlines",
    "first_response_at",
    "closed_at",
    "outcome",
    "outcome_reason",
    "followup_interaction_id",
)


def _missing(v: Any) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) or v == ""


def _iso(ts: Any) -> str | None:
    t = _ts(ts)
    return None if t is None else t.replace(microsecond=0).isoformat()


def journey_for_store(store: Any) -> Journey:
    """The journey of the store's existing cases, else the built-in journey whose touchpoint ids cover
    most stored moments (airline when nothing is stored yet or on a tie)."""
    cases = store.query("SELECT journey, COUNT(*) AS n FROM recovery_cases GROUP BY journey ORDER BY n DESC")
    names = journey_templates()
    for name in cases["journey"] if len(cases) else []:
        if name in names:
            return load_journey(name)
    tps = store.query("SELECT touchpoint, COUNT(*) AS n FROM moments GROUP BY touchpoint")
    counts = dict(zip(tps["touchpoint"], tps["n"])) if len(tps) else {}
    best, best_cover = None, -1
    for name in names:
        j = load_journey(name)
        cover = sum(int(n) for t, n in counts.items() if t and j.has_touchpoint(str(t)))
        if cover > best_cover or (cover == best_cover and name == "airline"):
            best, best_cover = j, cover
    return best or load_journey("airline")


def priority(*, intensity: float | None, stakes: str, value: float, prior_miseries: int) -> dict[str, float]:
    """The priority of a moment of misery and its components (see the module docstring).

    >>> priority(intensity=0.8, stakes="high", value=0.5, prior_miseries=1)
    {'intensity': 28.0, 'stakes': 25.0, 'customer_value': 10.0, 'repeated_misery': 10.0, 'total': 73.0}
    """
    intensity = 0.0 if intensity is None or math.isnan(float(intensity)) else float(intensity)
    parts = {
        "intensity": round(35.0 * min(1.0, max(0.0, intensity)), 1),
        "stakes": _STAKES_POINTS.get(str(stakes), 0.0),
        "customer_value": round(20.0 * min(1.0, max(0.0, float(value))), 1),
        "repeated_misery": 10.0 * min(2, max(0, int(prior_miseries))),
    }
    parts["total"] = round(min(100.0, sum(parts.values())), 1)
    return parts


class RecoveryDesk:
    """The recovery cases of one store, following one journey's playbook.

    ``clock`` returns the current time (UTC); tests pass a fixed one.
    """

    def __init__(
        self,
        store: Any,
        journey: str | Journey = "airline",
        *,
        min_priority: float | None = None,
        policy: CasePolicy | str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.journey = load_journey(journey)
        book = self.journey.playbook or {}
        if isinstance(policy, CasePolicy):
            self.policy = policy if min_priority is None else replace(policy, min_priority=float(min_priority))
        else:
            self.policy = load_policy(self.journey, policy, min_priority=min_priority)
        self.min_priority = self.policy.min_priority
        self.clock = clock or (lambda: datetime.now(UTC))
        self.steps: list[dict[str, Any]] = list(book.get("steps") or [])

    # ------------------------------------------------------------------ opening
    def _now(self) -> datetime:
        return _ts(self.clock()).replace(microsecond=0)  # type: ignore[union-attr]

    def open_cases(
        self,
        *,
        since: Any = None,
        until: Any = None,
        progress: Callable[[str, int, int], None] | None = None,
        locations: tuple[str, ...] | None = None,
    ) -> Any:
        """Open cases by the case policy (:mod:`carlzon.loop.policy`): one case per interaction with
        misery, listing its miseries; return the new case ids (an :class:`~carlzon.loop.opening.OpenResult`
        that also counts what was summarised, and why).

        Idempotent: an interaction considered before (opened or summarised) is not looked at again.
        ``progress(what, done, total)`` is called as it goes (the CLI draws a bar). ``locations``: only
        the misery at these places (None: every place; see :func:`carlzon.places.place_scope`).
        """
        from carlzon.loop.opening import open_by_policy

        return open_by_policy(self, self.policy, since=since, until=until, progress=progress, locations=locations)

    def priority_of(self, group: dict[str, Any], *, value: float, prior: int) -> dict[str, float]:
        """The priority of one interaction's misery (its strongest stakes and intensity)."""
        return priority(
            intensity=group.get("intensity"), stakes=group.get("stakes") or "low", value=value, prior_miseries=prior
        )

    def notify_new(self, notifier: Any, *, min_priority: float = 70.0) -> dict[str, Any]:
        """Tell people about open cases at or above ``min_priority`` not told before (a ``notified``
        event marks each); returns what the notifier did and the case ids."""
        df = self.store.query(
            "SELECT id, touchpoint, location, stakes, priority FROM recovery_cases WHERE status <> 'closed' "
            "AND priority >= :p AND id NOT IN (SELECT case_id FROM recovery_events WHERE kind = 'notified') "
            "ORDER BY priority DESC, id",
            {"p": float(min_priority)},
        )
        if not len(df):
            return {"cases": [], "sent": [], "updated": [], "held": []}
        rows = df.to_dict("records")
        done = notifier.cases(rows)
        with self.store.transaction():
            for r in rows:
                self._event(
                    int(r["id"]), "notified", actor="carlzon", detail={"problem": "cases:" + str(r["touchpoint"])}
                )
        return {"cases": [int(r["id"]) for r in rows], **done}

    def summary(self) -> pd.DataFrame:
        """The misery the policy did not open as cases, as themes: one row per touchpoint and reason
        with n, high-stakes n and the days it spans."""
        df = self.store.query(
            "SELECT touchpoint, decision AS reason, COUNT(*) AS n, "
            "SUM(CASE WHEN stakes = 'high' THEN 1 ELSE 0 END) AS high_stakes, MIN(moment_day) AS first_day, "
            "MAX(moment_day) AS last_day FROM recovery_considered WHERE decision <> 'open' "
            "GROUP BY touchpoint, decision ORDER BY COUNT(*) DESC, touchpoint"
        )
        if len(df):
            df["n"] = df["n"].astype(int)
            df["high_stakes"] = df["high_stakes"].astype(int)
            df["why"] = df["reason"].map(SUMMARY_REASONS)
        return df

    def _count(self) -> int:
        return int(self.store.query("SELECT COUNT(*) AS n FROM recovery_cases")["n"].iloc[0])

    def _deadlines(self, start: datetime) -> dict[str, str]:
        return {
            str(s["step"]): _iso(start + timedelta(hours=float(s.get("within_hours", 24))))  # type: ignore[misc]
            for s in self.steps
            if "step" in s
        }

    def _insert(self, row: dict[str, Any], customer: Customer | None, parts: dict[str, float], now: datetime) -> int:
        evidence = row.get("evidence")
        if not isinstance(evidence, str):
            evidence = json.dumps(evidence if isinstance(evidence, list) else [], ensure_ascii=False)
        text = row.get("text")
        params = {
            "interaction_id": str(row["interaction_id"]),
            "customer_id": customer.customer_id if customer else (row.get("customer_id") or None),
            "customer_name": customer.name if customer else None,
            "journey": self.journey.name,
            "touchpoint": row.get("touchpoint") or "unknown",
            "channel": row.get("channel") or None,
            "stakes": row.get("stakes") or "low",
            "intensity": float(row.get("intensity") or 0.0),
            "score": float(row.get("score") or 0.0),
            "priority": parts["total"],
            "priority_components": json.dumps(parts),
            "reasons": row.get("reasons") or "",
            "evidence": evidence,
            "text": text if isinstance(text, str) else None,
            "moment_at": _ts(row.get("timestamp")),
            "opened_at": now,
            "status": "open",
            "deadlines": json.dumps(self._deadlines(now)),
            "miseries": json.dumps(
                row.get("miseries")
                or [
                    {
                        "touchpoint": row.get("touchpoint") or "unknown",
                        "stakes": row.get("stakes") or "low",
                        "intensity": float(row.get("intensity") or 0.0),
                        "reasons": row.get("reasons") or "",
                    }
                ],
                ensure_ascii=False,
            ),
            "due_at": _ts(min(self._deadlines(now).values())) if self.steps else None,
            "location": None if _missing(row.get("location")) else str(row.get("location")),
            "customer_email": row.get("customer_email") or None,
        }
        cols = ", ".join(params)
        with self.store.transaction():
            self.store.execute(
                f"INSERT INTO recovery_cases ({cols}) VALUES ({', '.join(':' + k for k in params)})", params
            )
            case_id = int(
                self.store.query(
                    "SELECT id FROM recovery_cases WHERE interaction_id = :iid", {"iid": params["interaction_id"]}
                )["id"].iloc[0]
            )
            self._event(
                case_id, "opened", actor="carlzon", detail={"priority": parts, "reasons": params["reasons"]}, at=now
            )
        return case_id

    def _event(
        self,
        case_id: int,
        kind: str,
        *,
        actor: str | None,
        step: str | None = None,
        detail: Any = None,
        at: datetime | None = None,
    ) -> None:
        self.store.execute(
            "INSERT INTO recovery_events (case_id, created_at, actor, kind, step, detail) "
            "VALUES (:case_id, :at, :actor, :kind, :step, :detail)",
            {
                "case_id": int(case_id),
                "at": at or self._now(),
                "actor": actor,
                "kind": kind,
                "step": step,
                "detail": json.dumps(detail, ensure_ascii=False) if not isinstance(detail, str) else detail,
            },
        )

    # ------------------------------------------------------------------ reading
    def list(
        self,
        *,
        status: str | None = None,
        owner: str | None = None,
        touchpoint: str | None = None,
        limit: int | None = None,
        **filters: Any,
    ) -> pd.DataFrame:
        """Cases, highest priority first among the open ones; closed ones last.

        More filters and sorts (``location``, ``q``, ``min_priority``, ``due``, ``min_age_days``, ``sort``,
        ``offset``): see :func:`carlzon.loop.queue.case_query`.
        """
        from carlzon.loop.queue import case_query

        sql, params = case_query(
            status=status, owner=owner, touchpoint=touchpoint, limit=limit, now=self._now(), **filters
        )
        df = self.store.query(sql, params or None)
        if df.empty:
            return pd.DataFrame(columns=list(_CASE_COLUMNS))
        df["id"] = df["id"].astype(int)
        return df

    def get(self, case_id: int) -> dict[str, Any]:
        """One case with its priority components, playbook steps and deadlines, events and suggested reply."""
        df = self.store.query("SELECT * FROM recovery_cases WHERE id = :id", {"id": int(case_id)})
        if df.empty:
            raise NotFoundError(f"no recovery case {case_id}", fix="list the cases with 'carlzon cases list'")
        case: dict[str, Any] = {
            str(k): (
                None
                if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v))
                else v.to_pydatetime()
                if isinstance(v, pd.Timestamp)
                else v
            )
            for k, v in df.iloc[0].to_dict().items()
        }
        case["id"] = int(case["id"])
        for key in ("priority_components", "deadlines", "evidence", "miseries"):
            case[key] = (
                json.loads(case[key]) if case.get(key) else ({} if key in ("priority_components", "deadlines") else [])
            )
        events = self.events(case["id"])
        case["events"] = events.to_dict("records")
        done = {e["step"] for e in case["events"] if e["kind"] in ("step", "reply", "note") and e.get("step")}
        if case.get("first_response_at"):
            done |= {"acknowledge", "apologize"}
        now = _iso(self._now())
        closed = case["status"] == "closed"
        case["steps"] = [
            {
                "step": step,
                "due": None if closed and step not in done else due,
                "done": step in done,
                "overdue": step not in done and not closed and due < now,
                "state": "done"
                if step in done
                else "not done (closed)"
                if closed
                else "overdue"
                if due < now
                else "due",
            }
            for step, due in case["deadlines"].items()
        ]
        tid = case.get("touchpoint") or "unknown"
        case["touchpoint_name"] = self.journey.touchpoint(tid).name if self.journey.has_touchpoint(tid) else tid
        case["suggested_reply"] = suggest_reply(case, self.journey, now=_ts(now))
        return case

    def events(self, case_id: int) -> pd.DataFrame:
        """The append-only status history of a case, oldest first."""
        df = self.store.query(
            "SELECT id, case_id, created_at, actor, kind, step, detail FROM recovery_events "
            "WHERE case_id = :id ORDER BY id",
            {"id": int(case_id)},
        )
        if not df.empty:
            df["detail"] = [json.loads(d) if isinstance(d, str) and d[:1] in '{["' else d for d in df["detail"]]
        return df

    # ------------------------------------------------------------------ acting
    def _require_open(self, case_id: int, *, writing: str | None = None) -> dict[str, Any]:
        """The case's status row; a closed case refuses ``writing`` (closed is closed: reopen it first)."""
        df = self.store.query(
            "SELECT id, status, first_response_at, deadlines FROM recovery_cases WHERE id = :id", {"id": int(case_id)}
        )
        if df.empty:
            raise NotFoundError(f"no recovery case {case_id}", fix="list the cases with 'carlzon cases list'")
        row = df.iloc[0].to_dict()
        if writing and row["status"] == "closed":
            raise ClosedCaseError(
                f"case {case_id} is closed: it takes no {writing}",
                fix=f"reopen it first, saying why ('carlzon cases reopen {case_id} --reason ...')",
            )
        return row

    def _due_at(self, case_id: int, deadlines: Any) -> Any:
        """The deadline of the first playbook step not done yet (None when every step is done)."""
        deadlines = json.loads(deadlines) if isinstance(deadlines, str) and deadlines else (deadlines or {})
        ev = self.store.query(
            "SELECT kind, step FROM recovery_events WHERE case_id = :id AND kind IN ('step', 'reply', 'note')",
            {"id": int(case_id)},
        )
        done = {s for s in ev["step"] if isinstance(s, str)}
        if (ev["kind"] == "reply").any():
            done |= {"acknowledge", "apologize"}
        left = [d for step, d in deadlines.items() if step not in done]
        return _ts(min(left)) if left else None

    def reopen(self, case_id: int, reason: str, *, actor: str | None = None) -> dict[str, Any]:
        """Reopen a closed case, explicitly and saying why; its earlier outcome stays in the history."""
        case = self._require_open(case_id)
        if case["status"] != "closed":
            raise CarlzonError(f"case {case_id} is not closed", fix="only a closed case can be reopened")
        if not reason or not str(reason).strip():
            raise CarlzonError(
                "a reason is needed to reopen a case", fix="say why, e.g. 'she wrote again: still no bag'"
            )
        now = self._now()
        with self.store.transaction():
            self.store.execute(
                "UPDATE recovery_cases SET status = 'in_progress', outcome = NULL, outcome_reason = NULL, "
                "closed_at = NULL, reopened_at = :at, due_at = :due WHERE id = :id",
                {"at": now, "due": self._due_at(case_id, case["deadlines"]), "id": int(case_id)},
            )
            self._event(case_id, "reopened", actor=actor or "carlzon", detail={"reason": str(reason).strip()}, at=now)
        return self.get(case_id)

    def bulk_assign(
        self, case_ids: builtins.list[int], owner: str, *, team: str | None = None, actor: str | None = None
    ) -> dict[str, Any]:
        """Assign many cases at once; returns what was done: ``assigned`` ids, ``skipped`` {id: why}."""
        assigned, skipped = [], {}
        if not owner or not str(owner).strip():
            raise CarlzonError("an owner is needed", fix="type the agent's name before assigning")
        for cid in dict.fromkeys(int(c) for c in case_ids):
            try:
                self._assign(cid, owner, team=team, actor=actor)
                assigned.append(cid)
            except (ClosedCaseError, NotFoundError) as exc:
                skipped[cid] = exc.message if hasattr(exc, "message") else str(exc)
        return {"owner": owner, "assigned": assigned, "n_assigned": len(assigned), "skipped": skipped}

    def assign(self, case_id: int, owner: str, *, team: str | None = None, actor: str | None = None) -> dict[str, Any]:
        """Give the case an owner (and the owner's team); it moves to in_progress."""
        self._assign(case_id, owner, team=team, actor=actor)
        return self.get(case_id)

    def _assign(self, case_id: int, owner: str, *, team: str | None = None, actor: str | None = None) -> None:
        case = self._require_open(case_id, writing="assignment")
        if not owner or not str(owner).strip():
            raise CarlzonError("an owner is needed", fix="pass the agent's name, e.g. --owner lena")
        status = "in_progress" if case["status"] == "open" else case["status"]
        with self.store.transaction():
            self.store.execute(
                "UPDATE recovery_cases SET owner = :owner, team = :team, status = :status WHERE id = :id",
                {"owner": owner, "team": team, "status": status, "id": int(case_id)},
            )
            self._event(case_id, "assigned", actor=actor or owner, detail={"owner": owner, "team": team})

    def note(
        self, case_id: int, text: str, *, author: str, reply: bool = False, step: str | None = None
    ) -> dict[str, Any]:
        """Add a note. ``reply=True`` means it was sent to the customer (the first one sets the
        time to first response); ``step`` marks a playbook step done."""
        case = self._require_open(case_id, writing="reply" if reply else "note")
        if not text or not str(text).strip():
            raise CarlzonError("the note is empty", fix="write what was done or said")
        from carlzon.privacy.cards import mask_cards

        text = mask_cards(str(text))  # a card number read out on the phone is never kept
        steps = [str(s["step"]) for s in self.steps if "step" in s]
        if step and step not in steps:
            raise CarlzonError(f"the playbook has no step {step!r}", fix=f"use one of {', '.join(steps)}")
        now = self._now()
        with self.store.transaction():
            self._event(case_id, "reply" if reply else "note", actor=author, step=step, detail={"text": text}, at=now)
            sets = {"status": "in_progress" if case["status"] == "open" else case["status"]}
            if reply and (case.get("first_response_at") is None or pd.isna(case.get("first_response_at"))):
                sets["first_response_at"] = now
            sets["due_at"] = self._due_at(case_id, case["deadlines"])
            assignments = ", ".join(f"{k} = :{k}" for k in sets)
            self.store.execute(f"UPDATE recovery_cases SET {assignments} WHERE id = :id", {**sets, "id": int(case_id)})
        return self.get(case_id)

    def close(
        self,
        case_id: int,
        outcome: str,
        reason: str,
        *,
        actor: str | None = None,
        followup_interaction_id: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Close a case as recovered / not_recovered, saying why."""
        self._close(case_id, outcome, reason, actor=actor, followup_interaction_id=followup_interaction_id, at=at)
        return self.get(case_id)

    def _close(
        self,
        case_id: int,
        outcome: str,
        reason: str,
        *,
        actor: str | None = None,
        followup_interaction_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        case = self._require_open(case_id)
        if outcome not in OUTCOMES:
            raise CarlzonError(f"unknown outcome {outcome!r}", fix=f"use one of {', '.join(OUTCOMES)}")
        if case["status"] == "closed":
            raise CarlzonError(f"case {case_id} is already closed", fix="read it with 'carlzon cases show'")
        if not reason or not str(reason).strip():
            raise CarlzonError("a reason is needed to close a case", fix="say why, e.g. 'called back, bag delivered'")
        at = at or self._now()
        with self.store.transaction():
            self.store.execute(
                "UPDATE recovery_cases SET status = 'closed', outcome = :outcome, outcome_reason = :reason, "
                "closed_at = :at, followup_interaction_id = :fid, due_at = NULL WHERE id = :id",
                {"outcome": outcome, "reason": reason, "at": at, "fid": followup_interaction_id, "id": int(case_id)},
            )
            self._event(
                case_id,
                "closed",
                actor=actor or "carlzon",
                detail={"outcome": outcome, "reason": reason, "followup_interaction_id": followup_interaction_id},
            )

    def check_followups(self) -> builtins.list[dict[str, Any]]:
        """Close every open case whose customer has come back since; return what was closed and why."""
        cases = self.store.query(
            "SELECT id, interaction_id, customer_id, moment_at FROM recovery_cases "
            "WHERE status <> 'closed' AND customer_id IS NOT NULL AND moment_at IS NOT NULL "
            "ORDER BY id"
        )
        if cases.empty:
            return []
        first = min(t for t in map(_ts, cases["moment_at"]) if t is not None)  # moment_at IS NOT NULL
        # only the interactions of customers with an open case, and their worst valence, in one query
        later = self.store.query(
            "SELECT i.id, i.customer_id, i.timestamp, i.channel, i.text, i.nps, i.csat, i.ces, i.stars, "
            "MIN(CASE m.valence WHEN 'misery' THEN 0 WHEN 'neutral' THEN 1 WHEN 'magic' THEN 2 END) AS worst "
            "FROM interactions i LEFT JOIN moments m ON m.interaction_id = i.id "
            "WHERE i.timestamp >= :first AND i.customer_id IN "
            "(SELECT customer_id FROM recovery_cases WHERE status <> 'closed' AND customer_id IS NOT NULL) "
            "GROUP BY i.id, i.customer_id, i.timestamp, i.channel, i.text, i.nps, i.csat, i.ces, i.stars",
            {"first": first},
        )
        later["timestamp"] = pd.to_datetime(later["timestamp"], utc=True, errors="coerce")
        later = later[later["timestamp"].notna()]
        names = {0: "misery", 1: "neutral", 2: "magic"}
        valence = {i: names.get(int(w)) for i, w in zip(later["id"], later["worst"]) if w is not None and w == w}
        by_customer = {cid: rows for cid, rows in later.groupby("customer_id", sort=False)}
        closed = []
        with self.store.transaction():
            for case in cases.to_dict("records"):
                rows = by_customer.get(str(case["customer_id"]))
                if rows is None:
                    continue
                moment_at = _ts(case["moment_at"])
                if moment_at is None:
                    continue
                after = pd.Timestamp(moment_at)
                rows = rows[(rows["id"] != case["interaction_id"]) & (rows["timestamp"] > after)]
                if rows.empty:
                    continue
                follow = rows.sort_values("timestamp", kind="stable").iloc[0].to_dict()
                outcome, reason = self._judge(follow, valence.get(follow["id"]))
                self._close(
                    int(case["id"]), outcome, reason, actor="carlzon", followup_interaction_id=str(follow["id"])
                )
                closed.append({"case_id": int(case["id"]), "outcome": outcome, "reason": reason})
        return closed

    def _judge(self, follow: dict[str, Any], valence: str | None) -> tuple[str, str]:
        day = _ts(follow["timestamp"]).date().isoformat()  # type: ignore[union-attr]
        th = self.journey.thresholds
        for scale in ("nps", "csat", "stars", "ces"):
            value = follow.get(scale)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            v = float(value)
            shown = f"{int(v) if v.is_integer() else v}{_RATING_TEXT[scale]}"
            word = "" if scale in ("nps", "stars") else f" {scale.upper()}"
            if v <= th[scale]["misery"]:
                return "not_recovered", f"follow-up{word} rating {shown} on {day} is still a misery"
            return "recovered", f"follow-up{word} rating {shown} on {day}"
        channel = follow.get("channel") or "interaction"
        text = follow.get("text")
        if isinstance(text, str) and text.strip():
            quote = text.strip()[:60]
            if valence == "misery":
                return "not_recovered", f'follow-up {channel} on {day} is still a misery: "{quote}"'
            return "recovered", f'follow-up {channel} on {day} reads {valence or "neutral"}: "{quote}"'
        if valence == "misery":
            return "not_recovered", f"return visit on {day} was a misery"
        return "recovered", f"came back: {channel} on {day}"
