"""What the routers need from the app, in a module that does not import it: the auth
dependency :func:`require`, who may see personal data, and :func:`clean` for JSON.

The routers under ``carlzon.web``, ``carlzon.loop`` and ``carlzon.survey`` import these from
here, and :func:`carlzon.web.app.create_app` includes the routers, so nothing imports the app
back (``carlzon.web.app.require`` stays importable as the same function).

Example:
    >>> clean({"n": float("nan"), "when": pd.Timestamp("2024-05-01")})
    {'n': None, 'when': '2024-05-01T00:00:00'}
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any
from collections.abc import Callable

import pandas as pd
from fastapi import Depends, Query, Request

from carlzon.errors import AuthError
from carlzon.web.auth import Principal, has_role, verify_token
from carlzon.web.security import SESSION_COOKIE, csrf_for_session, session_principal

__all__ = [
    "PERSONAL_DATA_ROLE",
    "clean",
    "filters",
    "may_see_personal",
    "place_free",
    "place_scoped",
    "principal_places",
    "require",
]


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


def _principal(request: Request) -> Principal:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return verify_token(request.app.state.store, auth[7:].strip())
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return verify_token(request.app.state.store, None)  # 401 that says how to get a token
    principal = session_principal(request.app.state.store, sid)
    request.state.csrf = csrf_for_session(sid)  # type: ignore[arg-type]
    return principal


def require(role: str) -> Callable[[Request], Principal]:
    """A FastAPI dependency: the caller's principal, at least ``role`` (401 without a valid token or
    session, 403 below the role)."""

    def dep(request: Request) -> Principal:
        principal = _principal(request)
        if not has_role(principal.role, role):
            raise AuthError(
                f"a {principal.role} token may not do this; it needs the {role} role",
                status=403,
                fix=f"use a token made with: carlzon token create --role {role}",
            )
        request.state.principal = principal
        if principal.locations and not _marked(request):
            raise AuthError(
                "a token limited to places may not use this route: it is not scoped to places",
                status=403,
                fix="use the place-scoped routes (moments, metrics, touchpoints, drivers, cases, magic, ...) or a "
                "token made without --location",
            )
        return principal

    dep.__name__ = f"require_{role}"
    return dep


PERSONAL_DATA_ROLE = "agent"
"""The least role that sees customers' names, e-mails and phones in the dashboard and the API (viewers see them masked)."""


def may_see_personal(principal: Principal | None) -> bool:
    """True when this principal may see personal data unmasked (agents and admins)."""
    return bool(principal and has_role(principal.role, PERSONAL_DATA_ROLE))


# ----- places: who sees what ------------------------------------------------------------
def principal_places(request: Request, principal: Principal | None = None) -> tuple[str, ...] | None:
    """The places the caller may see (None: every place), from its token's places and the stored hierarchy."""
    from carlzon.places import allowed_places

    principal = principal or getattr(request.state, "principal", None) or _principal(request)
    if not principal.locations:
        return None
    return allowed_places(request.app.state.store, principal.locations)


def place_scoped(
    request: Request,
    location: str | None = Query(
        None,
        description="only this place, or the places of an area or region of the stored hierarchy "
        "(several comma separated)",
    ),
) -> tuple[str, ...] | None:
    """A FastAPI dependency that marks a route as scoped to places: the places of ``?location=``
    narrowed to the caller's (None: every place). A token limited to places gets its own places
    when it asks for none, and 403 when it asks for another."""
    from carlzon.places import allowed_places, narrow_places, place_scope, split_places

    store = request.app.state.store
    allowed = principal_places(request)
    if not split_places(location):
        return allowed
    # a limited caller's names are not checked against the store (the error would name other places)
    asked = place_scope(store, location) if allowed is None else allowed_places(store, location)
    return narrow_places(asked, allowed)


def filters(
    request: Request,
    places: tuple[str, ...] | None = Depends(place_scoped),
    since: str | None = Query(None, description="first day, YYYY-MM-DD"),
    until: str | None = Query(None, description="last day (inclusive), YYYY-MM-DD"),
    channel: str | None = None,
    touchpoint: str | None = None,
    segment: str | None = Query(None, description="attribute=value, e.g. Class=Business"),
    valence: str | None = Query(None, description="magic, misery or neutral"),
) -> Any:
    """A FastAPI dependency: the :class:`carlzon.web.views.Filters` of the query string, scoped to the
    caller's places (the one parser of the API's and the pages' filters)."""
    from carlzon.web.views import Filters

    return Filters.parse(
        since=since,
        until=until,
        channel=channel,
        touchpoint=touchpoint,
        segment=segment,
        valence=valence,
        location=request.query_params.get("location"),
        places=places,
    )


def place_free() -> None:
    """A FastAPI dependency that marks a route as showing no place's data (a token limited to places
    may use it: the API docs, coaching a reply)."""


def _uses(dependant: Any, calls: tuple[Any, ...], depth: int = 0) -> bool:
    if depth > 8:
        return False
    return any(d.call in calls or _uses(d, calls, depth + 1) for d in getattr(dependant, "dependencies", ()))


def _marked(request: Request) -> bool:
    """True when the matched route depends on :func:`place_scoped` or :func:`place_free`."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    return dependant is not None and _uses(dependant, (place_scoped, place_free))
