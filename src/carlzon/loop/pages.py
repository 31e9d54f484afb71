"""Dashboard pages for closing the loop: the recovery case queue, one case, and today's magic.

Pages extend the web app's ``base.html.j2``; viewers read, agents (and
admins) act through the forms (assign, note, close, open cases, check
follow-ups). Mounted with ``app.include_router(carlzon.loop.pages.router)``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carlzon.loop.api import desk_for
from carlzon.loop.magic import magic_opportunities
from carlzon.loop.measures import paradox_from_cases, recovery_measures
from carlzon.loop.recovery import journey_for_store
from carlzon.privacy.display import showing_personal_data
from carlzon.web.app import may_see_personal, require
from carlzon.web.auth import Principal, has_role

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def _env():
    from carlzon.report.builder import jinja_env

    return jinja_env([str(resources.files("carlzon.loop") / "templates"),
                      str(resources.files("carlzon.web") / "templates")])


def _render(request: Request, name: str, **ctx: Any) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    can_write = bool(principal and has_role(principal.role, "agent"))
    with showing_personal_data(may_see_personal(principal)):
        html = _env().get_template(name).render(principal=principal, can_write=can_write,
                                                csrf_token=getattr(request.state, "csrf", ""), **ctx)
    return HTMLResponse(html)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, status: str | None = None,
               _: Principal = Depends(require("viewer"))) -> HTMLResponse:
    desk = desk_for(request)
    df = desk.list(status=status or None, limit=200)
    m = recovery_measures(desk)
    return _render(request, "cases.html.j2", cases=df.to_dict("records"), status=status or "", measures=m,
                   paradox=paradox_from_cases(desk).to_dict("records"), active="cases")


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int, _: Principal = Depends(require("viewer"))) -> HTMLResponse:
    desk = desk_for(request)
    case = desk.get(case_id)
    steps = [str(s.get("step")) for s in desk.steps]
    from carlzon.web.views import options  # the journey's touchpoints, for correcting the case's moment

    return _render(request, "case.html.j2", case=case, playbook_steps=steps, active="cases",
                   opts=options(request.app.state))


@router.post("/cases/open")
def open_cases_form(request: Request, _: Principal = Depends(require("agent"))) -> Response:
    with request.app.state.write_lock:
        desk_for(request).open_cases()
    return RedirectResponse("/cases", status_code=303)


@router.post("/cases/check")
def check_form(request: Request, _: Principal = Depends(require("agent"))) -> Response:
    with request.app.state.write_lock:
        desk_for(request).check_followups()
    return RedirectResponse("/cases", status_code=303)


@router.post("/cases/{case_id}/assign")
def assign_form(request: Request, case_id: int, owner: str = Form(...), team: str = Form(""),
                who: Principal = Depends(require("agent"))) -> Response:
    with request.app.state.write_lock:
        desk_for(request).assign(case_id, owner.strip(), team=team.strip() or None, actor=who.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/note")
def note_form(request: Request, case_id: int, text: str = Form(""), reply: str = Form(""), step: str = Form(""),
              who: Principal = Depends(require("agent"))) -> Response:
    with request.app.state.write_lock:
        desk_for(request).note(case_id, text, author=who.name or who.token_id, reply=bool(reply), step=step or None)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/close")
def close_form(request: Request, case_id: int, outcome: str = Form(...), reason: str = Form(""),
               who: Principal = Depends(require("agent"))) -> Response:
    with request.app.state.write_lock:
        desk_for(request).close(case_id, outcome, reason, actor=who.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/magic", response_class=HTMLResponse)
def magic_page(request: Request, date: str | None = None,
               _: Principal = Depends(require("viewer"))) -> HTMLResponse:
    state = request.app.state
    journey = getattr(state, "journey", None) or journey_for_store(state.store)
    ops = magic_opportunities(state.store, journey, day=date or None)
    return _render(request, "magic.html.j2", ops=ops, date=date or "", active="magic")

