"""REST routes for closing the loop: recovery cases, recovery measures, magic, coaching, role-play.

Roles: a viewer reads (cases, measures, magic, role-play cards, coaching);
an agent (or admin) also writes: opens cases, assigns, adds notes, closes,
checks follow-ups. Notes are signed with the token's name.

Mounted by the web app with ``app.include_router(carlzon.loop.api.router)``.

Example (with a running `carlzon serve`):
    curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/cases?status=open
    curl -X POST -H "Authorization: Bearer $AGENT" -d '{"text": "Called her back", "reply": true}' \\
         http://127.0.0.1:8000/api/cases/3/notes
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from carlzon.loop.coaching import coach
from carlzon.loop.magic import magic_opportunities
from carlzon.loop.measures import paradox_from_cases, recovery_measures, recovery_paradox
from carlzon.loop.recovery import RecoveryDesk, journey_for_store
from carlzon.loop.roleplay import roleplay_cards
from carlzon.web.deps import clean, may_see_personal, place_free, place_scoped, require
from carlzon.web.auth import Principal

__all__ = ["check_case_place", "desk_for", "router"]

router = APIRouter(prefix="/api", tags=["loop"])


_CASE_TEXT = ("customer_name", "customer_id", "text", "reasons", "outcome_reason", "suggested_reply")


def _shown(records: list[dict[str, Any]], who: Principal, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Records as this caller may see them: personal data masked for viewers (see PERSONAL_DATA_ROLE)."""
    from carlzon.privacy.display import mask_records, showing_personal_data

    with showing_personal_data(may_see_personal(who)):
        return mask_records(records, fields)


def desk_for(request: Request) -> RecoveryDesk:
    """The recovery desk of the app's store, on the app's journey (else the store's)."""
    state = request.app.state
    journey = getattr(state, "journey", None) or journey_for_store(state.store)
    return RecoveryDesk(state.store, journey)


def check_case_place(desk: RecoveryDesk, case_id: int, places: tuple[str, ...] | None) -> None:
    """NotFoundError unless the case is at one of ``places`` (None: every place)."""
    if places is None:
        return
    from carlzon.errors import NotFoundError

    row = desk.store.query("SELECT location FROM recovery_cases WHERE id = :id", {"id": int(case_id)})
    if not len(row) or row["location"].iloc[0] not in places:
        raise NotFoundError(f"no case #{case_id} at this token's places", fix="list your cases with /api/cases")


def _write_lock(request: Request):
    return request.app.state.write_lock


class OpenCases(BaseModel):
    """Options for opening cases."""

    min_priority: float | None = Field(None, ge=0, le=100, description="open cases at or above this priority")


class Assign(BaseModel):
    owner: str = Field(..., min_length=1, description="the agent who owns the case")
    team: str | None = Field(None, description="the owner's team")


class Note(BaseModel):
    text: str = Field(..., min_length=1, description="what was done or said")
    reply: bool = Field(False, description="true when it was sent to the customer (the first sets first response)")
    step: str | None = Field(None, description="a playbook step this note completes, e.g. resolve")


class Close(BaseModel):
    outcome: str = Field(..., description="recovered or not_recovered")
    reason: str = Field(..., min_length=1, description="why: what the customer said or did")


class CoachRequest(BaseModel):
    text: str = Field(..., min_length=1, description="the agent's reply")
    issue: str | None = Field(None, description="the customer's message (optional)")


@router.get("/cases", summary="The recovery case queue: filters, search and sorts (see carlzon.loop.queue)")
def list_cases(
    request: Request,
    status: str | None = None,
    owner: str | None = None,
    touchpoint: str | None = None,
    q: str | None = Query(None, description="search the text, evidence, customer name, e-mail or id"),
    due: str | None = Query(None, description="overdue, today or week"),
    min_priority: float | None = Query(None, ge=0, le=100),
    min_age_days: float | None = Query(None, ge=0),
    sort: str = Query("priority", description="priority, due, oldest, newest or id"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    who: Principal = Depends(require("viewer")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    df = desk_for(request).list(
        status=status,
        owner=owner,
        touchpoint=touchpoint,
        limit=limit,
        location=places,
        q=q,
        due=due,
        min_priority=min_priority,
        min_age_days=min_age_days,
        sort=sort,
        offset=offset,
    )
    cols = [c for c in df.columns if c not in ("evidence", "priority_components", "deadlines", "miseries")]
    records = [{str(k): v for k, v in r.items()} for r in df[cols].to_dict("records")]
    return clean({"n": int(len(df)), "cases": _shown(records, who, _CASE_TEXT)})


@router.post("/cases/open", summary="Open a case for every moment of misery at or above the priority")
def open_cases(
    request: Request,
    body: OpenCases | None = None,
    _: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    state = request.app.state
    journey = getattr(state, "journey", None) or journey_for_store(state.store)
    desk = RecoveryDesk(state.store, journey, min_priority=body.min_priority if body else None)
    with _write_lock(request):
        new = desk.open_cases(locations=places)
    return {**new.to_dict(), "min_priority": desk.min_priority, "policy": desk.policy.to_dict()}


class BulkAssign(BaseModel):
    case_ids: list[int] = Field(..., min_length=1, description="the cases to assign")
    owner: str = Field(..., min_length=1, description="the agent who owns them")
    team: str | None = Field(None, description="the owner's team")


class Reopen(BaseModel):
    reason: str = Field(..., min_length=1, description="why the case is worked again")


@router.post("/cases/bulk-assign", summary="Assign many cases to one owner; says which were skipped and why")
def bulk_assign(
    request: Request,
    body: BulkAssign,
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    desk = desk_for(request)
    for case_id in body.case_ids:
        check_case_place(desk, case_id, places)
    with _write_lock(request):
        return clean(desk.bulk_assign(body.case_ids, body.owner, team=body.team, actor=who.name))


@router.get("/cases/themes", summary="The misery the case policy summarised rather than opened, by touchpoint")
def case_themes(request: Request, _: Principal = Depends(require("viewer"))) -> dict[str, Any]:
    desk = desk_for(request)
    df = desk.summary()
    return clean({"policy": desk.policy.to_dict(), "themes": df.to_dict("records")})


@router.post("/cases/check", summary="Close the cases whose customer came back since, saying why")
def check_followups(request: Request, _: Principal = Depends(require("agent"))) -> dict[str, Any]:
    with _write_lock(request):
        closed = desk_for(request).check_followups()
    rec = sum(1 for c in closed if c["outcome"] == "recovered")
    return {"n_closed": len(closed), "recovered": rec, "not_recovered": len(closed) - rec, "closed": closed}


@router.get("/cases/{case_id}", summary="One case: priority components, playbook steps, history, suggested reply")
def get_case(
    request: Request,
    case_id: int,
    who: Principal = Depends(require("viewer")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    desk = desk_for(request)
    check_case_place(desk, case_id, places)
    case = desk.get(case_id)
    case = _shown([case], who, _CASE_TEXT)[0]
    case["events"] = _shown(
        [{**e, "detail": json.dumps(e["detail"], ensure_ascii=False, default=str)} for e in case.get("events", [])],
        who,
        ("detail",),
    )
    return clean(case)


@router.post("/cases/{case_id}/assign", summary="Give a case an owner (and team)")
def assign_case(
    request: Request,
    case_id: int,
    body: Assign,
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    check_case_place(desk_for(request), case_id, places)
    with _write_lock(request):
        return clean(desk_for(request).assign(case_id, body.owner, team=body.team, actor=who.name))


@router.post("/cases/{case_id}/notes", summary="Add a note (signed with the token's name)")
def add_note(
    request: Request,
    case_id: int,
    body: Note,
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    check_case_place(desk_for(request), case_id, places)
    with _write_lock(request):
        return clean(
            desk_for(request).note(
                case_id, body.text, author=who.name or who.token_id, reply=body.reply, step=body.step
            )
        )


@router.post("/cases/{case_id}/reopen", summary="Reopen a closed case, explicitly and saying why")
def reopen_case(
    request: Request,
    case_id: int,
    body: Reopen,
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    check_case_place(desk_for(request), case_id, places)
    with _write_lock(request):
        return clean(desk_for(request).reopen(case_id, body.reason, actor=who.name))


@router.post("/cases/{case_id}/close", summary="Close a case as recovered or not_recovered, saying why")
def close_case(
    request: Request,
    case_id: int,
    body: Close,
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    check_case_place(desk_for(request), case_id, places)
    with _write_lock(request):
        return clean(desk_for(request).close(case_id, body.outcome, body.reason, actor=who.name))


@router.get("/recovery/measures", summary="Time to first response and resolution, recovery rate (n, 95% CI)")
def measures(request: Request, _: Principal = Depends(require("viewer"))) -> dict[str, Any]:
    desk = desk_for(request)
    m = recovery_measures(desk)
    return clean(
        {
            "overall": m["overall"],
            "by": {k: v.to_dict("records") for k, v in m["by"].items()},
            "later_nps_by_outcome": paradox_from_cases(desk).to_dict("records"),
            "recovery_paradox": recovery_paradox(request.app.state.store),
        }
    )


@router.get("/magic", summary="The day's moments of magic for staff, each with its reason")
def magic(
    request: Request,
    date: str | None = Query(None, description="YYYY-MM-DD (default today)"),
    who: Principal = Depends(require("viewer")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    state = request.app.state
    journey = getattr(state, "journey", None) or journey_for_store(state.store)
    ops = magic_opportunities(state.store, journey, day=date, locations=places)
    shown = _shown([o.to_dict() for o in ops], who, ("name", "say", "reason", "customer_id"))
    return clean({"date": date, "n": len(ops), "opportunities": shown})


@router.post("/coach", summary="Check a reply for the empathy steps; flag blame, scripts and jargon")
def coach_reply(
    body: CoachRequest, _: Principal = Depends(require("viewer")), __: None = Depends(place_free)
) -> dict[str, Any]:
    return coach(body.text, issue=body.issue).to_dict()


@router.get("/roleplay", summary="Role-play cards from real moments of misery, personal data removed")
def roleplay(
    request: Request, n: int = Query(3, ge=1, le=50), _: Principal = Depends(require("viewer"))
) -> dict[str, Any]:
    state = request.app.state
    journey = getattr(state, "journey", None) or journey_for_store(state.store)
    cards = roleplay_cards(state.store, journey, n=n)
    return {"n": len(cards), "cards": [c.to_dict() for c in cards]}
