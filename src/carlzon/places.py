"""Which places a request or a command covers: ``--location`` / ``?location=`` against the store's places,
its stored hierarchy and the places a caller may see.

:func:`place_scope` is the one function the CLI, the API and the dashboard call: a place, or an area or
region of the hierarchy (the one given, else the one stored with ``carlzon locations --save-hierarchy``),
several comma separated, become the tuple of places a :class:`carlzon.report.query.Scope` filters on
(None: every place). :func:`allowed_places` is what a token limited to places may see.

Example:
    >>> from carlzon.hierarchy import Hierarchy
    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as st:
    ...     _ = save_hierarchy(st, Hierarchy.from_records([{"location": "s1", "region": "North"},
    ...                                                    {"location": "s2", "region": "North"}]))
    ...     place_scope(st, "North"), place_scope(st, None)
    (('s1', 's2'), None)
"""

from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import pandas as pd

from carlzon.errors import AuthError, StoreError
from carlzon.hierarchy import Hierarchy, resolve_locations

__all__ = [
    "allowed_places",
    "customers_at",
    "in_places_sql",
    "known_places",
    "narrow_places",
    "place_choices",
    "place_scope",
    "save_hierarchy",
    "split_places",
    "stored_hierarchy",
]


def split_places(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """The names of a comma-separated value (or a list), stripped, empty ones dropped."""
    if not value:
        return ()
    parts = value.split(",") if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def known_places(store: Any) -> list[str]:
    """The places the store's interactions carry, sorted."""
    df = store.query("SELECT DISTINCT location FROM interactions WHERE location IS NOT NULL")
    return sorted(df["location"].astype(str).tolist())


def in_places_sql(places: Sequence[str], column: str = "location", prefix: str = "pl") -> tuple[str, dict[str, Any]]:
    """``column IN (...)`` with its parameters (``1 = 0`` for no place)."""
    names = [f"{prefix}{k}" for k in range(len(places))]
    if not names:
        return "1 = 0", {}
    return f"{column} IN ({', '.join(':' + n for n in names)})", dict(zip(names, places))


def customers_at(store: Any, places: Sequence[str]) -> set[str]:
    """The customers with an interaction at one of ``places``."""
    cond, params = in_places_sql(places)
    df = store.query(f"SELECT DISTINCT customer_id FROM interactions WHERE customer_id IS NOT NULL AND {cond}", params)
    return {str(c) for c in df["customer_id"]}


def stored_hierarchy(store: Any) -> Hierarchy | None:
    """The hierarchy saved in the store (``carlzon locations --save-hierarchy``), or None."""
    try:
        df = store.query("SELECT location, name, area, region FROM place_hierarchy ORDER BY location")
    except StoreError:  # a store opened read-only before the migration: no stored hierarchy
        return None
    return Hierarchy(df) if len(df) else None


def save_hierarchy(store: Any, hierarchy: Hierarchy) -> int:
    """Store ``hierarchy`` in place of the one stored before; returns the number of places."""
    rows = [
        {k: (None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)) for k, v in r.items()}
        for r in hierarchy.to_records()
    ]
    with store.transaction():
        store.execute("DELETE FROM place_hierarchy")
        if rows:
            store.executemany(
                "INSERT INTO place_hierarchy (location, name, area, region) VALUES (:location, :name, :area, :region)",
                rows,
            )
    return len(rows)


def place_scope(
    store: Any, location: str | Sequence[str] | None, hierarchy: Hierarchy | None = None
) -> tuple[str, ...] | None:
    """The places ``location`` stands for (None: every place): a place of the store, an area or region
    of ``hierarchy`` (default: the stored one), or a place's display name; several comma separated.
    Raises :class:`carlzon.errors.AnalysisError` naming the known places when one is unknown."""
    if not split_places(location):
        return None
    h = hierarchy if hierarchy is not None else stored_hierarchy(store)
    return resolve_locations(split_places(location), h, known_places(store))


def allowed_places(
    store: Any, limit: str | Sequence[str] | None, hierarchy: Hierarchy | None = None
) -> tuple[str, ...] | None:
    """The places a caller limited to ``limit`` (places, areas or regions, as a token keeps them) may see;
    None when not limited. A name the store does not know yet stays a place of its own."""
    names = split_places(limit)
    if not names:
        return None
    h = hierarchy if hierarchy is not None else stored_hierarchy(store)
    return resolve_locations(names, h, None)


def narrow_places(asked: tuple[str, ...] | None, allowed: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The places of a request by a caller who may see ``allowed``: what was asked (all allowed when
    nothing was); :class:`carlzon.errors.AuthError` (403) when it asks for a place outside them."""
    if allowed is None:
        return asked
    if asked is None:
        return allowed
    outside = [p for p in asked if p not in allowed]
    if outside:
        raise AuthError(
            f"this token may not see {outside[0]!r}",
            status=403,
            fix=f"ask for one of its places ({', '.join(allowed[:8])}{', ...' if len(allowed) > 8 else ''}) "
            "or ask an admin for a token of that place",
        )
    return asked


def place_choices(store: Any, allowed: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(value, label) for a place picker: regions and areas of the stored hierarchy, then the places by
    name; only what ``allowed`` covers (a level only when all its places are allowed)."""
    h = stored_hierarchy(store)
    places = sorted(set(known_places(store)) | (set(h.table["location"]) if h is not None else set()))
    ok = set(allowed) if allowed is not None else None
    out: list[tuple[str, str]] = []
    if h is not None:
        for level in ("region", "area"):
            for name, members in h.groups(level).items():
                if ok is None or set(members) <= ok:
                    out.append((name, f"{level.capitalize()} {name} ({len(members)} places)"))
    named = [(p, h.name(p) if h is not None else p) for p in places if ok is None or p in ok]
    out += sorted(named, key=lambda pl: (pl[1].lower(), pl[0]))
    return out
