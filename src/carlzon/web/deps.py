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
from fastapi import Request

from carlzon.errors import AuthError
from carlzon.web.auth import Principal, has_role, verify_token
from carlzon.web.security import SESSION_COOKIE, csrf_for_session, session_principal

__all__ = ["PERSONAL_DATA_ROLE", "clean", "may_see_personal", "require"]


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
        return principal

    dep.__name__ = f"require_{role}"
    return dep


PERSONAL_DATA_ROLE = "agent"
"""The least role that sees customers' names, e-mails and phones in the dashboard and the API (viewers see them masked)."""


def may_see_personal(principal: Principal | None) -> bool:
    """True when this principal may see personal data unmasked (agents and admins)."""
    return bool(principal and has_role(principal.role, PERSONAL_DATA_ROLE))
