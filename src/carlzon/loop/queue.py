"""Working the recovery queue: filters, search, sorts and bulk actions, as one SQL query each.

Filters (all optional, combined with AND):

==============  ==================================================================
status          open, in_progress, closed, or ``active`` (open or in progress)
owner           an owner's name, or ``none`` for unassigned cases
touchpoint      the case's touchpoint or any of the miseries it lists
location        the place of the interaction (or a list: any of these places)
q               search: the customer's words, the evidence, the customer's name, e-mail or id
min_priority    priority at or above (0-100)
due             ``overdue`` (a playbook step past due), ``today`` (due within 24 h), ``week``
min_age_days    opened at least this many days ago; ``max_age_days``: at most
==============  ==================================================================

Sorts: ``priority`` (default: open cases by priority, closed last), ``due``
(soonest first), ``oldest``, ``newest``, ``id``.

Example:
    >>> sql, params = case_query(status="active", due="overdue", q="bag", now=None)
    >>> "due_at < :now" in sql and params["q"]
    '%bag%'
"""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from typing import Any
from collections.abc import Sequence

from carlzon.errors import CarlzonError

__all__ = ["DUE", "SORTS", "STATUS_FILTERS", "case_query"]

STATUS_FILTERS = ("open", "in_progress", "closed", "active")
DUE = ("overdue", "today", "week")
SORTS = {
    "priority": "CASE WHEN status = 'closed' THEN 1 ELSE 0 END, priority DESC, id",
    "due": "CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, priority DESC, id",
    "oldest": "opened_at, id",
    "newest": "opened_at DESC, id DESC",
    "id": "id",
}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def case_query(
    *,
    status: str | None = None,
    owner: str | None = None,
    touchpoint: str | None = None,
    location: str | Sequence[str] | None = None,
    q: str | None = None,
    min_priority: float | None = None,
    due: str | None = None,
    min_age_days: float | None = None,
    max_age_days: float | None = None,
    sort: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
    now: datetime | None = None,
    columns: str = "*",
) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of the case list with these filters (see the module docstring)."""
    now = now or datetime.now(UTC)
    where: list[str] = []
    params: dict[str, Any] = {}
    if status:
        if status not in STATUS_FILTERS:
            raise CarlzonError(f"unknown status {status!r}", fix=f"use one of {', '.join(STATUS_FILTERS)}")
        if status == "active":
            where.append("status <> 'closed'")
        else:
            where.append("status = :status")
            params["status"] = status
    if owner:
        if owner.strip().lower() in ("none", "-", "unassigned"):
            where.append("owner IS NULL")
        else:
            where.append("owner = :owner")
            params["owner"] = owner.strip()
    if touchpoint:
        where.append("(touchpoint = :touchpoint OR miseries LIKE :tp_like ESCAPE '\\')")
        params["touchpoint"] = touchpoint
        params["tp_like"] = f'%"touchpoint": "{_escape_like(touchpoint)}"%'
    if isinstance(location, str) and location:
        where.append("location = :location")
        params["location"] = location
    elif location is not None and not isinstance(location, str):  # the places of a scope (none: no case)
        from carlzon.places import in_places_sql

        cond, p = in_places_sql(list(location))
        where.append(cond)
        params.update(p)
    if q and q.strip():
        cols = ("text", "reasons", "customer_name", "customer_email", "customer_id", "interaction_id")
        where.append("(" + " OR ".join(f"LOWER(COALESCE({c}, '')) LIKE :q ESCAPE '\\'" for c in cols) + ")")
        params["q"] = f"%{_escape_like(q.strip().lower())}%"
    if min_priority is not None:
        where.append("priority >= :min_priority")
        params["min_priority"] = float(min_priority)
    if due:
        if due not in DUE:
            raise CarlzonError(f"unknown due filter {due!r}", fix=f"use one of {', '.join(DUE)}")
        where.append("status <> 'closed' AND due_at IS NOT NULL AND due_at < :now")
        params["now"] = now if due == "overdue" else now + timedelta(days=1 if due == "today" else 7)
    if min_age_days is not None:
        where.append("opened_at <= :opened_before")
        params["opened_before"] = now - timedelta(days=float(min_age_days))
    if max_age_days is not None:
        where.append("opened_at >= :opened_after")
        params["opened_after"] = now - timedelta(days=float(max_age_days))
    sort = sort or "priority"
    if sort not in SORTS:
        raise CarlzonError(f"unknown sort {sort!r}", fix=f"use one of {', '.join(SORTS)}")
    sql = f"SELECT {columns} FROM recovery_cases"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {SORTS[sort]}"
    if limit:
        sql += f" LIMIT {int(limit)}"
        if offset:
            sql += f" OFFSET {int(offset)}"
    return sql, params
