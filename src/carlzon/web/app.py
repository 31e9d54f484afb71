"""The FastAPI app behind `carlzon serve`: dashboard pages and the REST API under /api.

How a browser authenticates: ``/login`` asks for a token (made with
``carlzon token create``) and opens a session: an HttpOnly, SameSite=Strict
cookie (Secure over HTTPS) with a random session id that expires after 8 hours,
never the token itself. API clients send ``Authorization: Bearer <token>``.
Every page and every ``/api`` route needs a token or a session, ``/docs`` and
``/openapi.json`` too; ``/health`` and ``/login`` do not. Every state-changing
request is checked for its origin and CSRF token, and every response carries
security headers (:mod:`carlzon.web.security`). Errors show SQL and connection
details to admins only.

Example:
    >>> from fastapi.testclient import TestClient      # doctest: +SKIP
    >>> from carlzon.web import create_app             # doctest: +SKIP
    >>> client = TestClient(create_app("carlzon.db"))  # doctest: +SKIP
    >>> client.get("/health").json()["status"]         # doctest: +SKIP
    'ok'
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from carlzon import __version__
from carlzon.errors import AuthError, CarlzonError, ClosedCaseError, NotFoundError, StoreError, StoreUnavailableError
from carlzon.journey import Journey, load_journey
from carlzon.report.builder import jinja_env
from carlzon.web.auth import Principal, has_role

# the routers' helpers live in carlzon.web.deps (no import of this app); kept importable from here
from carlzon.web.deps import PERSONAL_DATA_ROLE, clean, may_see_personal, place_free, require
from carlzon.web.security import csrf_guard, security_headers

__all__ = ["PERSONAL_DATA_ROLE", "api_routes", "clean", "create_app", "may_see_personal", "require"]


def is_admin(request: Request) -> bool:
    """True when the caller of this request was authenticated as an admin."""
    principal = getattr(request.state, "principal", None)
    return bool(principal and has_role(principal.role, "admin"))


def public_error(request: Request, exc: CarlzonError) -> tuple[str, str | None, str | None]:
    """(message, where, fix) of an error as the caller may see it: a store's SQL, driver messages and
    connection details only for admins."""
    if isinstance(exc, StoreError) and not is_admin(request):
        if isinstance(exc, StoreUnavailableError):
            return "the store is not reachable", None, "try again in a moment; an admin sees the details"
        return "the store could not answer this request", None, "check the request; an admin sees the details"
    return exc.message, exc.where, exc.fix


def _is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api") or path in ("/openapi.json", "/health"))


CUSTOMERS_UP_TO = 1_000_000
"""The dashboard counts distinct customers only in a store of at most this many moments (the count reads them)."""


def create_app(
    store: Any,
    *,
    journey: Journey | str | None = None,
    cache_size: int = 16,
    customers_up_to: int | None = CUSTOMERS_UP_TO,
    allowed_origins: tuple[str, ...] = (),
    secure_cookies: bool = False,
    warm_every: float | None = None,
) -> FastAPI:
    """The dashboard and API over ``store`` (an open Store, a path or a postgresql:// URL).

    ``journey`` names the journey to report against (default: the built-in one that fits the data).
    ``customers_up_to``: in a store of more moments the overview and ``/api/metrics`` leave out the
    number of distinct customers and say so (None: always count). ``allowed_origins``: origins besides
    the server's own (``https://cx.example.com`` behind a proxy that rewrites the Host) whose pages may
    send state changes; ``secure_cookies``: always mark the session cookie Secure. ``warm_every``: seconds
    between checks for new data by a background thread that keeps the heavy views (themes, alerts,
    overview, magic) computed ahead of the first request (see :mod:`carlzon.web.warm`; None: no thread).
    """
    from carlzon.store import open_store

    own = not hasattr(store, "moments")
    st = open_store(str(store), create=False) if own else store

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warmer = None
        if warm_every is not None:
            from carlzon.web.warm import Warmer

            warmer = app.state.warmer = Warmer(app.state, every=warm_every).start()
        yield
        if warmer is not None:
            warmer.stop()
        if own:
            st.close()

    app = FastAPI(
        title="carlzon",
        version=__version__,
        description="Moments of truth: interactions in, moments of magic and misery out. "
        "Authenticate with `Authorization: Bearer <token>` (carlzon token create --role viewer|agent|admin).",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(csrf_guard)],
    )
    app.add_middleware(security_headers)
    app.state.allowed_origins = tuple(allowed_origins)
    app.state.secure_cookies = secure_cookies
    app.state.store = st
    app.state.journey = load_journey(journey) if isinstance(journey, str) else journey
    app.state.write_lock = threading.Lock()
    app.state.cache = {}
    app.state.cache_locks = {}
    app.state.cache_size = cache_size
    app.state.customers_up_to = customers_up_to
    web_dir = str(resources.files("carlzon.web") / "templates")
    app.state.templates = jinja_env([web_dir])
    from carlzon.web.spans import highlighted

    app.state.templates.filters["highlighted"] = highlighted  # a moment's text with its spans marked
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
        status = (
            404
            if isinstance(exc, NotFoundError)
            else 409
            if isinstance(exc, ClosedCaseError)
            else 503
            if isinstance(exc, StoreUnavailableError)
            else 400
        )
        message, where, fix = public_error(request, exc)
        if _is_page(request):
            text = f"{where}: {message}" if where else message
            return _error_page(request, status, "Something needs fixing", text + (f" (fix: {fix})" if fix else ""))
        return JSONResponse({"error": message, "where": where, "fix": fix}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        # a bad query or path parameter (?page=99999999999999999999) is the caller's mistake: 400; a body 422
        status = 400 if errors and all(str(e.get("loc", ("",))[0]) in ("query", "path") for e in errors) else 422
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors]
        if _is_page(request) and status == 400:
            text = "; ".join(f"{'.'.join(map(str, d['loc'][1:]))}: {d['msg']}" for d in detail)
            return _error_page(request, 400, "Something needs fixing", text)
        return JSONResponse(
            {"error": "invalid request", "detail": detail, "fix": "see the parameters of this route at /docs"},
            status_code=status,
        )

    @app.get(
        "/health",
        tags=["health"],
        summary="Liveness and store counts (no token needed); 503 when the store is not reachable",
    )
    def health() -> Response:
        try:
            counts = st.counts()
        except StoreError:
            return JSONResponse({"status": "unavailable", "version": __version__, "store": st.backend}, status_code=503)
        return JSONResponse({"status": "ok", "version": __version__, "store": st.backend, "counts": counts})

    report_css = (resources.files("carlzon.report") / "templates" / "_style.css").read_text(encoding="utf-8")

    @app.get("/assets/report.css", include_in_schema=False)
    def assets_css() -> Response:
        """The report's stylesheet, shared by the dashboard (a file: the pages allow no inline style)."""
        return Response(report_css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(_: Principal = Depends(require("viewer")), __: None = Depends(place_free)) -> Response:
        return JSONResponse(app.openapi())

    from carlzon.loop import api as loop_api
    from carlzon.loop import pages as loop_pages
    from carlzon.survey import web as survey_web
    from carlzon.web import api, pages

    for router in (api.router, pages.router, loop_api.router, loop_pages.router, survey_web.router):
        app.include_router(router)
    return app


def api_routes(app: FastAPI) -> list[tuple[str, set[str], Any]]:
    """Every route of the app as (path with its router's prefix, methods, route), included routers too.

    >>> sorted(m for p, methods, _ in api_routes(create_app(":memory:")) if p == "/login" for m in methods)
    ['GET', 'POST']
    """
    from fastapi.routing import APIRoute

    try:
        from fastapi.routing import iter_route_contexts  # FastAPI keeps included routers apart since 0.16x
    except ImportError:  # pragma: no cover - older FastAPI copies them into app.routes
        return [(r.path, set(r.methods), r) for r in app.routes if isinstance(r, APIRoute)]
    return [
        (c.path, set(c.methods or ()), c.route)
        for c in iter_route_contexts(app.routes)
        if isinstance(c.route, APIRoute)
    ]


def _quote(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    from fastapi.responses import HTMLResponse

    from carlzon.privacy.display import personal

    principal = getattr(request.state, "principal", None)
    html = request.app.state.templates.get_template("error.html.j2").render(
        title=title,
        message=message if may_see_personal(principal) else personal(message),
        status=status,
        principal=principal,
        active="",
        csrf_token=getattr(request.state, "csrf", ""),
    )
    return HTMLResponse(html, status_code=status)
