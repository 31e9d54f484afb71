"""The dashboard's defences: sessions apart from API tokens, CSRF on every state change, security headers.

- **Sessions.** Logging in with an API token opens a session: the browser's
  cookie holds a random session id (never the token), the store keeps only its
  hash, the token it came from and when it expires (8 hours). Revoking the
  token ends its sessions; logging out ends one. The cookie is HttpOnly,
  SameSite=Strict, and Secure when the request came over HTTPS (directly or
  through a proxy uvicorn trusts).
- **CSRF.** Every request that is not GET, HEAD or OPTIONS, on any route
  (added now or later: the check is an app-wide dependency), is refused with
  403 when its ``Origin`` (or, without one, ``Referer``) is not this server's
  own origin, or ``Sec-Fetch-Site`` says it came from another site; and, when
  it carries a session cookie (or logs in), when its CSRF token is missing or
  wrong (a request with a bearer token and no session has no ambient
  credentials). The token is a form field ``csrf_token`` (forms carry
  ``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">``) or the
  header ``X-CSRF-Token`` (scripts read it from ``<meta name="csrf-token">`` in
  every page): an HMAC of the session id, or before login of a nonce cookie
  under a key of this server process.
- **Headers.** A Content-Security-Policy without inline script or style,
  ``X-Frame-Options: DENY``, ``nosniff``, ``Referrer-Policy: same-origin``,
  ``Cache-Control: no-store`` on what is not a static file, and HSTS over HTTPS.

Example:
    >>> from carlzon.store import open_store
    >>> from carlzon.web.auth import create_token
    >>> with open_store(":memory:") as s:
    ...     sid = open_session(s, create_token(s, role="agent", name="desk").secret)
    ...     session_principal(s, sid).role, len(csrf_for_session(sid))
    ('agent', 43)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, UTC
from typing import Any
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request

from carlzon.errors import AuthError
from carlzon.web.auth import Principal, token_places, verify_token

__all__ = [
    "CSP",
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "SESSION_HOURS",
    "close_session",
    "csrf_for_login",
    "csrf_for_session",
    "csrf_guard",
    "is_secure",
    "open_session",
    "security_headers",
    "session_principal",
]

SESSION_COOKIE = "carlzon_session"
LOGIN_COOKIE = "carlzon_login"
SESSION_HOURS = 8
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
"""No inline script and no inline style: every page's CSS and script are files under /static."""

_SAFE = {"GET", "HEAD", "OPTIONS"}
_PROCESS_KEY = secrets.token_bytes(32)
"""Signs login-form tokens; a new one each start (a login form then needs a reload, nothing else)."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _mac(key: bytes, message: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode().rstrip("=")


# ----- sessions -----------------------------------------------------------------------
def open_session(store: Any, token: str, *, hours: float = SESSION_HOURS) -> str:
    """Verify an API token and open a session for it; returns the session id (the cookie's value)."""
    principal = verify_token(store, token)
    sid = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    store.execute("DELETE FROM web_sessions WHERE expires_at < :now", {"now": now})
    store.execute(
        "INSERT INTO web_sessions (id_hash, token_id, created_at, expires_at) VALUES (:h, :t, :now, :exp)",
        {"h": _digest(sid), "t": principal.token_id, "now": now, "exp": now + timedelta(hours=hours)},
    )
    return sid


def session_principal(store: Any, sid: str | None) -> Principal:
    """Who a session belongs to; AuthError (401) when unknown, expired, or its token was revoked."""
    fix = "log in again at /login"
    if not sid:
        raise AuthError("not logged in", status=401, fix=fix)
    rows = store.query(
        "SELECT s.token_id, s.expires_at, t.name, t.role, t.revoked_at, t.locations FROM web_sessions s "
        "JOIN api_tokens t ON t.id = s.token_id WHERE s.id_hash = :h",
        {"h": _digest(sid)},
    )
    if not len(rows):
        raise AuthError("unknown or ended session", status=401, fix=fix)
    r = rows.iloc[0]
    if r["expires_at"] is None or r["expires_at"].to_pydatetime() <= datetime.now(UTC):
        raise AuthError("the session expired", status=401, fix=fix)
    if r["revoked_at"] is not None and r["revoked_at"] == r["revoked_at"]:
        raise AuthError("the token of this session was revoked", status=401, fix="ask an admin for a new token")
    return Principal(
        token_id=str(r["token_id"]), name=str(r["name"]), role=str(r["role"]), locations=token_places(r["locations"])
    )


def close_session(store: Any, sid: str | None) -> None:
    """End a session (logging out); nothing happens for an unknown one."""
    if sid:
        store.execute("DELETE FROM web_sessions WHERE id_hash = :h", {"h": _digest(sid)})


def csrf_for_session(sid: str) -> str:
    """The CSRF token of a session: its forms and scripts send it back."""
    return _mac(sid.encode("utf-8"), b"carlzon csrf")


def csrf_for_login(nonce: str) -> str:
    """The CSRF token of a login form, for the nonce in its cookie."""
    return _mac(_PROCESS_KEY, b"carlzon login " + nonce.encode("utf-8"))


# ----- requests ---------------------------------------------------------------------
def is_secure(request: Request) -> bool:
    """True when the request came over HTTPS (uvicorn sets the scheme from a trusted proxy's headers)."""
    return request.url.scheme == "https" or bool(getattr(request.app.state, "secure_cookies", False))


def _own_origins(request: Request) -> set[str]:
    host = request.headers.get("host", "")
    own = {f"{request.url.scheme}://{host}".lower()}
    return own | {o.lower().rstrip("/") for o in getattr(request.app.state, "allowed_origins", ())}


def _origin_ok(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        ref = request.headers.get("referer")
        if origin is None and not ref:
            return True  # not from a page (browsers send Origin with every POST); the CSRF token still counts
        if not ref:
            return False
        parts = urlsplit(ref)
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin.lower().rstrip("/") in _own_origins(request)


async def _sent_token(request: Request) -> str:
    token = request.headers.get("x-csrf-token")
    if token:
        return token
    if request.headers.get("content-type", "").split(";")[0].strip() in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def csrf_guard(request: Request) -> None:
    """The app-wide dependency: 403 for a state change from another origin or without its CSRF token."""
    if request.method in _SAFE:
        return
    fix = "send the request from the dashboard's own pages (reload the page), or use an API token"
    if not _origin_ok(request):
        raise AuthError("cross-origin request refused", status=403, fix=fix)
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid and request.url.path != "/login":
        return  # no session: nothing ambient for another site to use (a bearer token, or a 401 to come)
    sent = await _sent_token(request)
    nonce = request.cookies.get(LOGIN_COOKIE)
    valid = [csrf_for_session(sid)] if sid else []
    if request.url.path == "/login" and nonce:
        valid.append(csrf_for_login(nonce))
    if not sent or not any(hmac.compare_digest(sent, v) for v in valid):
        raise AuthError("missing or wrong CSRF token", status=403, fix=fix)


def security_headers(app: Any) -> Callable[..., Awaitable[None]]:
    """ASGI middleware that adds the security headers to every HTTP response."""

    async def middleware(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")
        https = scope.get("scheme") == "https"

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                extra = [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if not static:
                    extra.append((b"cache-control", b"no-store"))
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                headers += [(k, v) for k, v in extra if k not in have]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, with_headers)

    return middleware
