"""The FastAPI app behind `carlzon serve`: dashboard pages and the REST API under /api.

How a browser authenticates: ``/login`` asks for a token (made with
``carlzon token create``) and sets it as an HttpOnly, SameSite=Strict cookie;
API clients send ``Authorization: Bearer <token>``. Every page and every
``/api`` route needs a token; ``/health`` and ``/login`` do not. The OpenAPI
schema is at ``/openapi.json`` and a local, script-free reference at ``/docs``
(nothing is loaded from any other host).

Example:
    >>> from fastapi.testclient import TestClient      # doctest: +SKIP
    >>> from carlzon.web import create_app             # doctest: +SKIP
    >>> client = TestClient(create_app("carlzon.db"))  # doctest: +SKIP
    >>> client.get("/health").json()["status"]         # doctest: +SKIP
    'ok'
"""

from __future__ import annotations

import math
import threading
from contextlib import asynccontextmanager
from datetime import date, datetime
from importlib import resources
from typing import Any, AsyncIterator, Callable

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from carlzon import __version__
from carlzon.errors import AuthError, CarlzonError, NotFoundError
from carlzon.journey import Journey, load_journey
from carlzon.report.builder import jinja_env
from carlzon.web.auth import Principal, has_role, verify_token

__all__ = ["COOKIE", "clean", "create_app", "require"]

COOKIE = "carlzon_token"


def clean(obj: Any) -> Any:
    """JSON-ready: NaN as null, timestamps and dates as ISO strings, numpy scalars as Python numbers."""
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, (datetime, pd.Timestamp, date)):
        return None if pd.isna(obj) else obj.isoformat()
    if hasattr(obj, "item"):
        return clean(obj.item())
    return obj


def _token_from(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(COOKIE)


def require(role: str) -> Callable[[Request], Principal]:
    """A FastAPI dependency: the caller's principal, at least ``role`` (401 without a valid token, 403 below the role)."""

    def dep(request: Request) -> Principal:
        principal = verify_token(request.app.state.store, _token_from(request))
        if not has_role(principal.role, role):
            raise AuthError(
                f"a {principal.role} token may not do this; it needs the {role} role",
                status=403, fix=f"use a token made with: carlzon token create --role {role}",
            )
        request.state.principal = principal
        return principal

    dep.__name__ = f"require_{role}"
    return dep


def _is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api") or path in ("/openapi.json", "/health"))


CUSTOMERS_UP_TO = 1_000_000
"""The dashboard counts distinct customers only in a store of at most this many moments (the count reads them)."""


def create_app(store: Any, *, journey: Journey | str | None = None, cache_size: int = 16,
               customers_up_to: int | None = CUSTOMERS_UP_TO) -> FastAPI:
    """The dashboard and API over ``store`` (an open Store, a path or a postgresql:// URL).

    ``journey`` names the journey to report against (default: the built-in one that fits the data).
    ``customers_up_to``: in a store of more moments the overview and ``/api/metrics`` leave out the
    number of distinct customers and say so (None: always count).
    """
    from carlzon.store import open_store

    own = not hasattr(store, "moments")
    st = open_store(str(store), create=False) if own else store

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if own:
            st.close()

    app = FastAPI(
        title="carlzon",
        version=__version__,
        description="Moments of truth: interactions in, moments of magic and misery out. "
        "Authenticate with `Authorization: Bearer <token>` (carlzon token create --role viewer|agent|admin).",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = st
    app.state.journey = load_journey(journey) if isinstance(journey, str) else journey
    app.state.write_lock = threading.Lock()
    app.state.cache = {}
    app.state.cache_size = cache_size
    app.state.customers_up_to = customers_up_to
    web_dir = str(resources.files("carlzon.web") / "templates")
    app.state.templates = jinja_env([web_dir])
    app.mount("/static", StaticFiles(directory=str(resources.files("carlzon.web") / "static")), name="static")

    @app.exception_handler(AuthError)
    async def _auth(request: Request, exc: AuthError) -> Response:
        if _is_page(request) and exc.status == 401:
            nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={_quote(nxt)}", status_code=303)
        if _is_page(request):
            return _error_page(request, exc.status, "Not allowed", str(exc))
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"error": exc.message, "fix": exc.fix}, status_code=exc.status, headers=headers)

    @app.exception_handler(CarlzonError)
    async def _carlzon(request: Request, exc: CarlzonError) -> Response:
        status = 404 if isinstance(exc, NotFoundError) else 400
        if _is_page(request):
            return _error_page(request, status, "Something needs fixing", str(exc))
        return JSONResponse({"error": exc.message, "where": exc.where, "fix": exc.fix}, status_code=status)

    @app.get("/health", tags=["health"], summary="Liveness and store counts (no token needed)")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "store": st.backend, "counts": st.counts()}

    from carlzon.loop import api as loop_api
    from carlzon.loop import pages as loop_pages
    from carlzon.survey import web as survey_web
    from carlzon.web import api, pages

    for router in (api.router, pages.router, loop_api.router, loop_pages.router, survey_web.router):
        app.include_router(router)
    return app


def _quote(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    from fastapi.responses import HTMLResponse

    html = request.app.state.templates.get_template("error.html.j2").render(
        title=title, message=message, status=status, principal=getattr(request.state, "principal", None), active="")
    return HTMLResponse(html, status_code=status)
