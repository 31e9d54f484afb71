"""Server-rendered dashboard pages: overview, moments feed, alerts, themes, paths, customers, a customer's timeline,
login, API docs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carlzon.errors import AuthError
from carlzon.web.app import COOKIE, require
from carlzon.web.auth import Principal, verify_token
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
    html = request.app.state.templates.get_template(name).render(
        principal=getattr(request.state, "principal", None), **ctx)
    return HTMLResponse(html)


def _filters(since: str | None = None, until: str | None = None, channel: str | None = None,
             touchpoint: str | None = None, segment: str | None = None, valence: str | None = None) -> Filters:
    return Filters.parse(since=since, until=until, channel=channel, touchpoint=touchpoint, segment=segment,
                         valence=valence)


def _safe_next(nxt: str | None) -> str:
    if not nxt or not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
        return "/"
    return nxt


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _render(request, "login.html.j2", next=_safe_next(next), error=None, active="")


@router.post("/login")
def login(request: Request, token: str = Form(""), next: str = Form("/")) -> Response:
    try:
        verify_token(request.app.state.store, token.strip())
    except AuthError as exc:
        resp = _render(request, "login.html.j2", next=_safe_next(next), error=exc.message, active="")
        resp.status_code = 401
        return resp
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict", max_age=8 * 3600, path="/")
    return resp


@router.post("/logout")
def logout() -> Response:
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, f: Filters = Depends(_filters),
                  _: Principal = Depends(require("viewer"))) -> HTMLResponse:
    ctx = overview(request.app.state, f)
    return _render(request, "overview.html.j2", f=f, opts=options(request.app.state), ctx=ctx, active="overview")


@router.get("/moments", response_class=HTMLResponse)
def moments_page(request: Request, f: Filters = Depends(_filters), page: int = Query(1, ge=1),
                 _: Principal = Depends(require("viewer"))) -> HTMLResponse:
    data = feed(request.app.state, f, page=page, per_page=25)
    return _render(request, "moments.html.j2", f=f, opts=options(request.app.state), data=data, active="moments")


def _filtered_page(request: Request, f: Filters, view: Any, name: str) -> HTMLResponse:
    """A page of one view over the filtered moments: ``<name>.html.j2`` with the filter form and ``data``."""
    return _render(request, f"{name}.html.j2", f=f, opts=options(request.app.state), data=view(request.app.state, f),
                   active=name)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, f: Filters = Depends(_filters),
                _: Principal = Depends(require("viewer"))) -> HTMLResponse:
    return _filtered_page(request, f, alerts, "alerts")


@router.get("/themes", response_class=HTMLResponse)
def themes_page(request: Request, f: Filters = Depends(_filters),
                _: Principal = Depends(require("viewer"))) -> HTMLResponse:
    return _filtered_page(request, f, themes, "themes")


@router.get("/paths", response_class=HTMLResponse)
def paths_page(request: Request, f: Filters = Depends(_filters),
               _: Principal = Depends(require("viewer"))) -> HTMLResponse:
    return _filtered_page(request, f, paths, "paths")


@router.get("/customers", response_class=HTMLResponse)
def customers_page(request: Request, q: str = "", _: Principal = Depends(require("viewer"))) -> HTMLResponse:
    rows = customers(request.app.state, q).to_dict("records")
    return _render(request, "customers.html.j2", q=q, rows=rows, active="customers")


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(customer_id: str, request: Request, _: Principal = Depends(require("viewer"))) -> HTMLResponse:
    return _render(request, "customer.html.j2", data=timeline(request.app.state, customer_id), active="customers")


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    routes = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [(p["name"], p.get("in", ""), p.get("required", False), p.get("description", ""))
                      for p in op.get("parameters", [])]
            body = None
            ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            if ref:
                body = ref.rsplit("/", 1)[-1]
            routes.append({"path": path, "method": method.upper(), "summary": op.get("summary", ""),
                           "description": op.get("description", ""), "params": params, "body": body})
    return _render(request, "docs.html.j2", routes=routes, info=spec.get("info", {}),
                   schemas=spec.get("components", {}).get("schemas", {}), active="docs")
