"""Dashboard pages for closing the loop: the recovery case queue, one case, and today's magic.

Pages extend the web app's ``base.html.j2``; viewers read, agents (and
admins) act through the forms (assign, note, close, open cases, check
follow-ups). Mounted with ``app.include_router(carlzon.loop.pages.router)``.
"""

from __future__ import annotations

import weakref
from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carlzon.loop.api import check_case_place, desk_for
from carlzon.loop.measures import paradox_from_cases, recovery_measures
from carlzon.privacy.display import showing_personal_data
from carlzon.web.deps import may_see_personal, place_scoped, require
from carlzon.web.auth import Principal, has_role

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def _env():
    from carlzon.report.builder import jinja_env

    return jinja_env(
        [str(resources.files("carlzon.loop") / "templates"), str(resources.files("carlzon.web") / "templates")]
    )


def _render(request: Request, name: str, **ctx: Any) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    can_write = bool(principal and has_role(principal.role, "agent"))
    with showing_personal_data(may_see_personal(principal)):
        html = (
            _env()
            .get_template(name)
            .render(
                principal=principal,
                can_write=can_write,
                csrf_token=getattr(request.state, "csrf", ""),
                place=(request.query_params.get("location") or "").strip(),
                **ctx,
            )
        )
    return HTMLResponse(html)


_FILTERS = ("status", "touchpoint", "location", "owner", "q", "due", "min_priority", "min_age_days", "sort")


def _filters(request: Request) -> dict[str, Any]:
    f = {k: (request.query_params.get(k) or "").strip() for k in _FILTERS}
    out: dict[str, Any] = {k: v for k, v in f.items() if v}
    for k in ("min_priority", "min_age_days"):
        if k in out:
            try:
                out[k] = float(out[k])
            except ValueError:
                out.pop(k)
    return out


def _back(notice: str, to: str = "/cases") -> Response:
    from urllib.parse import quote

    sep = "&" if "?" in to else "?"
    return RedirectResponse(f"{to}{sep}notice={quote(notice)}", status_code=303)


_FIGURES: weakref.WeakKeyDictionary[Any, tuple[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()


def _figures(desk: Any) -> tuple[Any, Any]:
    """The recovery measures and the later-NPS table, recomputed only when cases, their events or the
    interactions changed since (a key of three cheap aggregates): the queue page answers at once."""
    key = tuple(
        desk.store.query(
            "SELECT (SELECT MAX(id) FROM recovery_events) AS e, (SELECT COUNT(*) FROM recovery_cases) AS c, "
            "(SELECT MAX(seq) FROM interactions) AS i"
        )
        .iloc[0]
        .tolist()
    )
    hit = _FIGURES.get(desk.store)
    if hit is None or hit[0] != key:
        hit = (key, (recovery_measures(desk), paradox_from_cases(desk).to_dict("records")))
        _FIGURES[desk.store] = hit
    return hit[1]


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    _: Principal = Depends(require("viewer")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> HTMLResponse:
    from carlzon.web.deps import principal_places

    desk = desk_for(request)
    f = _filters(request)
    df = desk.list(limit=200, **{**f, "location": places})
    limited = principal_places(request) is not None  # the measures and themes are the whole chain's
    m, paradox = (None, []) if limited else _figures(desk)
    options = desk.store.query("SELECT DISTINCT touchpoint, location, owner FROM recovery_cases")
    if limited:
        options = options[options["location"].isin(principal_places(request) or ())]
    choices = {k: sorted({str(v) for v in options[k].dropna()}) for k in ("touchpoint", "location", "owner")}
    return _render(
        request,
        "cases.html.j2",
        cases=df.to_dict("records"),
        filters=f,
        measures=m,
        choices=choices,
        status=f.get("status", ""),
        now=desk._now(),
        summary=[] if limited else desk.summary().head(12).to_dict("records"),
        notice=request.query_params.get("notice", ""),
        policy=desk.policy.to_dict(),
        paradox=paradox,
        active="cases",
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: int,
    _: Principal = Depends(require("viewer")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> HTMLResponse:
    desk = desk_for(request)
    check_case_place(desk, case_id, places)
    case = desk.get(case_id)
    steps = [str(s.get("step")) for s in desk.steps]
    from carlzon.web.views import options  # the journey's touchpoints, for correcting the case's moment

    return _render(
        request,
        "case.html.j2",
        case=case,
        playbook_steps=steps,
        active="cases",
        notice=request.query_params.get("notice", ""),
        opts=options(request.app.state),
    )


@router.post("/cases/open")
def open_cases_form(
    request: Request,
    _: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> Response:
    with request.app.state.write_lock:
        new = desk_for(request).open_cases(locations=places)
    left = sum(new.summarised.values())
    return _back(
        f"Opened {len(new)} case(s); summarised {left} interaction(s) with misery as themes "
        f"({', '.join(f'{k.replace(chr(95), chr(32))} {v}' for k, v in sorted(new.summarised.items())) or 'none'})."
    )


@router.post("/cases/check")
def check_form(request: Request, _: Principal = Depends(require("agent"))) -> Response:
    with request.app.state.write_lock:
        closed = desk_for(request).check_followups()
    rec = sum(1 for c in closed if c["outcome"] == "recovered")
    ids = ", ".join(f"#{c['case_id']}" for c in closed[:10]) + (" ..." if len(closed) > 10 else "")
    return _back(
        f"Checked follow-ups: closed {len(closed)} case(s) ({rec} recovered, {len(closed) - rec} not "
        f"recovered){': ' + ids if closed else ''}."
    )


@router.post("/cases/bulk-assign")
async def bulk_assign_form(
    request: Request,
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> Response:
    form = await request.form()
    owner = str(form.get("owner") or "").strip()
    ids = [int(str(v)) for v in form.getlist("case_id") if str(v).isdigit()]
    for case_id in ids:
        check_case_place(desk_for(request), case_id, places)
    if not ids:
        return _back("Bulk assign: no case ticked; nothing was changed.")
    with request.app.state.write_lock:
        done = desk_for(request).bulk_assign(
            ids, owner, team=str(form.get("team") or "").strip() or None, actor=who.name
        )
    skipped = "; ".join(f"#{k}: {v}" for k, v in done["skipped"].items())
    return _back(
        f"Assigned {done['n_assigned']} case(s) to {owner}" + (f"; skipped {skipped}" if skipped else "") + "."
    )


@router.post("/cases/{case_id}/reopen")
def reopen_form(
    request: Request,
    case_id: int,
    reason: str = Form(""),
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> Response:
    check_case_place(desk_for(request), case_id, places)
    with request.app.state.write_lock:
        desk_for(request).reopen(case_id, reason, actor=who.name)
    return _back(f"Case #{case_id} reopened: {reason.strip()}", f"/cases/{case_id}")


@router.post("/cases/{case_id}/assign")
def assign_form(
    request: Request,
    case_id: int,
    owner: str = Form(...),
    team: str = Form(""),
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> Response:
    check_case_place(desk_for(request), case_id, places)
    with request.app.state.write_lock:
        desk_for(request).assign(case_id, owner.strip(), team=team.strip() or None, actor=who.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/note")
def note_form(
    request: Request,
    case_id: int,
    text: str = Form(""),
    reply: str = Form(""),
    step: str = Form(""),
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> Response:
    check_case_place(desk_for(request), case_id, places)
    with request.app.state.write_lock:
        desk_for(request).note(case_id, text, author=who.name or who.token_id, reply=bool(reply), step=step or None)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/close")
def close_form(
    request: Request,
    case_id: int,
    outcome: str = Form(...),
    reason: str = Form(""),
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> Response:
    check_case_place(desk_for(request), case_id, places)
    with request.app.state.write_lock:
        desk_for(request).close(case_id, outcome, reason, actor=who.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/magic", response_class=HTMLResponse)
def magic_page(
    request: Request,
    date: str | None = None,
    _: Principal = Depends(require("viewer")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> HTMLResponse:
    from carlzon.web.views import magic_today

    ops = magic_today(request.app.state, date or None, places)
    return _render(request, "magic.html.j2", ops=ops, date=date or "", active="magic")
