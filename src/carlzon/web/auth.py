"""API tokens: create, list, revoke, verify; roles viewer < agent < admin.

A token looks like ``cz_<id>_<secret>``. It is shown once, when created; the
store keeps only the id, a random salt and ``sha256(salt + secret)``, so a
copy of the store does not give access. Roles: a viewer reads; an agent also
writes recovery cases and notes; an admin may do everything (posting
interactions, managing tokens).

Example:
    >>> from carlzon.store import open_store
    >>> from carlzon.web.auth import create_token, verify_token
    >>> with open_store(":memory:") as store:
    ...     token = create_token(store, role="viewer", name="wallboard")
    ...     verify_token(store, token.secret).role
    'viewer'
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any
from collections.abc import Sequence

import pandas as pd

from carlzon.errors import AuthError, NotFoundError

__all__ = [
    "ROLES",
    "Principal",
    "Token",
    "create_token",
    "has_role",
    "list_tokens",
    "revoke_token",
    "token_places",
    "verify_token",
]

ROLES = ("viewer", "agent", "admin")
"""Roles in increasing power: each may do everything the ones before it may."""

_TOKEN_RE = re.compile(r"^cz_([0-9a-f]{12})_([A-Za-z0-9_-]{20,})$")


@dataclass(frozen=True)
class Principal:
    """Who a verified token belongs to."""

    token_id: str
    name: str
    role: str
    locations: tuple[str, ...] = ()
    """The places (or areas, regions) this token is limited to; empty: every place."""


@dataclass(frozen=True)
class Token:
    """A newly created token: ``secret`` is the full token string, shown once."""

    token_id: str
    name: str
    role: str
    secret: str
    created_at: datetime
    locations: tuple[str, ...] = ()


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256((salt + secret).encode("utf-8")).hexdigest()


def has_role(role: str, needed: str) -> bool:
    """True when ``role`` is at least ``needed`` (viewer < agent < admin)."""
    return ROLES.index(role) >= ROLES.index(needed)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}", status=400, fix=f"use one of: {', '.join(ROLES)}")


def create_token(store: Any, *, role: str, name: str = "", locations: str | Sequence[str] | None = None) -> Token:
    """Create a token with ``role``; the returned ``secret`` is never stored and cannot be shown again.
    ``locations``: places, areas or regions (of the stored hierarchy) the token is limited to, e.g. a store
    manager's store (None: every place)."""
    from carlzon.places import split_places

    _check_role(role)
    places = split_places(locations)
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    now = datetime.now(UTC)
    store.execute(
        "INSERT INTO api_tokens (id, name, role, salt, token_hash, created_at, locations) "
        "VALUES (:id, :name, :role, :salt, :token_hash, :created_at, :locations)",
        {
            "id": token_id,
            "name": name or f"{role} token",
            "role": role,
            "salt": salt,
            "token_hash": _hash(salt, secret),
            "created_at": now,
            "locations": ",".join(places) or None,
        },
    )
    return Token(token_id, name or f"{role} token", role, f"cz_{token_id}_{secret}", now, places)


def token_places(value: Any) -> tuple[str, ...]:
    """A token's stored ``locations`` column as names (empty: not limited)."""
    from carlzon.places import split_places

    return split_places(value) if isinstance(value, str) else ()


def verify_token(store: Any, token: str | None) -> Principal:
    """The principal behind a full token string; AuthError (401) when missing, malformed, unknown or revoked."""
    fix = "send 'Authorization: Bearer <token>'; create one with: carlzon token create --role viewer"
    if not token:
        raise AuthError("no token given", status=401, fix=fix)
    m = _TOKEN_RE.match(token.strip())
    if not m:
        raise AuthError("malformed token", status=401, fix=fix)
    token_id, secret = m.groups()
    rows = store.query(
        "SELECT id, name, role, salt, token_hash, revoked_at, locations FROM api_tokens WHERE id = :id",
        {"id": token_id},
    )
    if not len(rows):
        raise AuthError("unknown token", status=401, fix=fix)
    r = rows.iloc[0]
    if not hmac.compare_digest(_hash(str(r["salt"]), secret), str(r["token_hash"])):
        raise AuthError("unknown token", status=401, fix=fix)
    if r["revoked_at"] is not None and not pd.isna(r["revoked_at"]):
        raise AuthError("this token was revoked", status=401, fix="ask an admin for a new token")
    return Principal(
        token_id=token_id, name=str(r["name"]), role=str(r["role"]), locations=token_places(r["locations"])
    )


def list_tokens(store: Any) -> pd.DataFrame:
    """All tokens (id, name, role, locations, created_at, revoked_at), never their secrets or hashes."""
    return store.query(
        "SELECT id, name, role, locations, created_at, revoked_at FROM api_tokens ORDER BY created_at, id"
    )


def revoke_token(store: Any, token_id: str) -> None:
    """Revoke a token by its id (the 12 characters after ``cz_``); NotFoundError when unknown."""
    token_id = token_id.strip()
    m = _TOKEN_RE.match(token_id)
    if m:
        token_id = m.group(1)
    n = store.execute(
        "UPDATE api_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL",
        {"now": datetime.now(UTC), "id": token_id},
    )
    if n == 0:
        known = store.query("SELECT id FROM api_tokens WHERE id = :id", {"id": token_id})
        if not len(known):
            raise NotFoundError(f"no token with id {token_id!r}", fix="list the ids with: carlzon token list")
