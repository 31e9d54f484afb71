"""Server-rendered dashboard pages: overview, moments feed, alerts, themes, paths, customers, a customer's timeline,
login, API docs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carlzon.errors import AuthError
from carlzon.privacy.display import showing_personal_data
from carlzon.web.deps import filters, may_see_personal, place_free, place_scoped, require
from carlzon.web.auth import Principal
from carlzon.web.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_HOURS,
    close_session,
    csrf_for_login,
    is_secure,
    open_session,
)
from carlzon.web.views import (
    Filters,
    alerts,
    customers,
    feed,
    options,
    overview,
    paths,
    themes,
    timeline,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("csrf_token", getattr(request.state, "csrf", ""))
    ctx.setdefault("place", (request.query_params.get("location") or "").strip())  # kept in the nav links
    principal = getattr(request.state, "principal", None)
    with showing_personal_data(may_see_personal(principal)):
        html = request.app.state.templates.get_template(name).render(principal=principal, **ctx)
    return HTMLResponse(html)


def _safe_next(nxt: str | None) -> str:
    if not nxt or not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
        return "/"
    return nxt


def _login_page(request: Request, nxt: str, error: str | None, status: int = 200) -> HTMLResponse:
    """The login form with a fresh nonce cookie and the CSRF token that goes with it."""
    import secrets

    nonce = secrets.token_urlsafe(24)
    resp = _render(
        request, "login.html.j2", next=_safe_next(nxt), error=error, active="", csrf_token=csrf_for_login(nonce)
    )
    resp.status_code = status
    resp.set_cookie(
        LOGIN_COOKIE, nonce, httponly=True, samesite="strict", secure=is_secure(request), max_age=3600, path="/login"
    )
    return resp


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _login_page(request, next, None)


@router.post("/login")
def login(request: Request, token: str = Form(""), next: str = Form("/")) -> Response:
    try:
        sid = open_session(request.app.state.store, token.strip())
    except AuthError as exc:
        return _login_page(request, next, exc.message, status=401)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        sid,
        httponly=True,
        samesite="strict",
        secure=is_secure(request),
        max_age=SESSION_HOURS * 3600,
        path="/",
    )
    resp.delete_cookie(LOGIN_COOKIE, path="/login")
    return resp


@router.post("/logout")
def logout(request: Request) -> Response:
    close_session(request.app.state.store, request.cookies.get(SESSION_COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/", response_class=HTMLResponse)
def overview_page(
    request: Request, f: Filters = Depends(filters), _: Principal = Depends(require("viewer"))
) -> HTMLResponse:
    ctx = overview(request.app.state, f)
    return _render(request, "overview.html.j2", f=f, opts=_opts(request), ctx=ctx, active="overview")


def _opts(request: Request) -> dict[str, Any]:
    """The filter form's choices, its places those the caller may see."""
    from carlzon.web.deps import principal_places

    return options(request.app.state, principal_places(request))


def _feed_page(request: Request, f: Filters, data: dict[str, Any], active: str, **extra: Any) -> HTMLResponse:
    """A page of moments (``moments.html.j2``) with the filter form and a link back to this very page."""
    return _render(
        request,
        "moments.html.j2",
        f=f,
        opts=_opts(request),
        data=data,
        active=active,
        request_path=_safe_next(request.url.path + ("?" + request.url.query if request.url.query else "")),
        **extra,
    )


@router.get("/moments", response_class=HTMLResponse)
def moments_page(
    request: Request,
    f: Filters = Depends(filters),
    page: int = Query(1, ge=1, le=1_000_000_000),
    _: Principal = Depends(require("viewer")),
) -> HTMLResponse:
    return _feed_page(request, f, feed(request.app.state, f, page=page, per_page=25), "moments")


@router.get("/learn", response_class=HTMLResponse)
def learn_page(
    request: Request,
    f: Filters = Depends(filters),
    page: int = Query(1, ge=1, le=1_000_000_000),
    _: Principal = Depends(require("viewer")),
) -> HTMLResponse:
    """Help carlzon learn: the moments whose label would teach the model most (least sure first)."""
    from carlzon.web.learn import learn_feed

    return _feed_page(request, f, learn_feed(request.app.state, f, page=page, per_page=25), "learn", learn=True)


@router.post("/moments/correct")
def correct_form(
    request: Request,
    interaction_id: str = Form(...),
    detected_touchpoint: str = Form(...),
    touchpoint: str = Form(""),
    valence: str = Form(""),
    next: str = Form("/moments"),
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> Response:
    """An agent's or analyst's correction of a moment's touchpoint or valence (kept; counts at once)."""
    from carlzon.web.api import check_interaction_place
    from carlzon.web.learn import correct_moment

    check_interaction_place(request.app.state.store, interaction_id, places)
    correct_moment(
        request.app.state,
        interaction_id,
        detected_touchpoint=detected_touchpoint,
        touchpoint=touchpoint or None,
        valence=valence or None,
        who=who,
    )
    return RedirectResponse(_safe_next(next), status_code=303)


def _filtered_page(request: Request, f: Filters, view: Any, name: str) -> HTMLResponse:
    """A page of one view over the filtered moments: ``<name>.html.j2`` with the filter form and ``data``."""
    return _render(request, f"{name}.html.j2", f=f, opts=_opts(request), data=view(request.app.state, f), active=name)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request, f: Filters = Depends(filters), _: Principal = Depends(require("viewer"))
) -> HTMLResponse:
    return _filtered_page(request, f, alerts, "alerts")


@router.get("/themes", response_class=HTMLResponse)
def themes_page(
    request: Request, f: Filters = Depends(filters), _: Principal = Depends(require("viewer"))
) -> HTMLResponse:
    return _filtered_page(request, f, themes, "themes")


@router.get("/paths", response_class=HTMLResponse)
def paths_page(
    request: Request, f: Filters = Depends(filters), _: Principal = Depends(require("viewer"))
) -> HTMLResponse:
    return _filtered_page(request, f, paths, "paths")


@router.get("/customers", response_class=HTMLResponse)
def customers_page(
    request: Request,
    q: str = "",
    _: Principal = Depends(require("viewer")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> HTMLResponse:
    rows = customers(request.app.state, q, places=places).to_dict("records")
    return _render(request, "customers.html.j2", q=q, rows=rows, active="customers")


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    customer_id: str,
    request: Request,
    _: Principal = Depends(require("viewer")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> HTMLResponse:
    data = timeline(request.app.state, customer_id, places)
    return _render(request, "customer.html.j2", data=data, active="customers")


@router.get("/docs", response_class=HTMLResponse)
def docs_page(
    request: Request, _: Principal = Depends(require("viewer")), __: None = Depends(place_free)
) -> HTMLResponse:
    spec = request.app.openapi()
    routes = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                (p["name"], p.get("in", ""), p.get("required", False), p.get("description", ""))
                for p in op.get("parameters", [])
            ]
            body = None
            ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            if ref:
                body = ref.rsplit("/", 1)[-1]
            routes.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": params,
                    "body": body,
                }
            )
    return _render(
        request,
        "docs.html.j2",
        routes=routes,
        info=spec.get("info", {}),
        schemas=spec.get("components", {}).get("schemas", {}),
        active="docs",
    )
