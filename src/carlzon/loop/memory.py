"""The customer memory: what staff should know about each customer.

Built from the interactions' attributes and history in the store: name,
preferences, usual order (the most frequent order attribute), birthday and
anniversary, tier, visits and the recent visits with their valence.

Visits: when the store holds interactions on channel ``visit`` (an event
log: one row per visit), each such row is a visit; otherwise each distinct
day with an interaction is one. A visit's valence is the strongest moment
of that customer that day (misery over magic over neutral).

Attribute names are matched case-insensitively:

- name: ``name``, ``customer_name``, ``full_name``, ``first_name`` (+ ``last_name``)
- birthday: ``birthday``, ``birth_date``, ``date_of_birth``, ``dob``
- anniversary: ``anniversary``, ``member_since``, ``customer_since``, ``join_date``
- tier: ``tier``, ``loyalty_tier``, ``status_tier``, ``membership``, ``loyalty_status``
- order: ``usual_order`` (taken as stated), else the most frequent of ``order``, ``item``, ``product``, ``drink``, ``meal``, ``menu_item``
- preferences: any attribute whose name contains ``pref`` (``seat_preference``: window)

Example:
    >>> from carlzon.store import open_store                      # doctest: +SKIP
    >>> memory = customer_memory(open_store("carlzon.db"))         # doctest: +SKIP
    >>> memory["c17"].first_name, memory["c17"].usual_order        # doctest: +SKIP
    ('Anna', 'flat white')
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import pandas as pd

__all__ = ["Customer", "customer_memory", "customer_value", "parse_day"]

_NAME_KEYS = ("name", "customer_name", "full_name", "first_name")
_LAST_KEYS = ("last_name", "surname", "family_name")
_BIRTHDAY_KEYS = ("birthday", "birth_date", "date_of_birth", "dob", "birthdate")
_ANNIVERSARY_KEYS = ("anniversary", "member_since", "customer_since", "join_date", "joined")
_TIER_KEYS = ("tier", "loyalty_tier", "status_tier", "membership", "loyalty_status", "membership_tier")
_ORDER_KEYS = ("usual_order", "order", "item", "product", "drink", "meal", "menu_item", "order_item")

VISIT_CHANNEL = "visit"
"""Interactions on this channel are visits (an event log); when a store has any, visits are counted from them."""

_RANK: dict[str | None, int] = {"misery": 3, "magic": 2, "neutral": 1}

TIER_VALUE = {
    "basic": 0.0,
    "none": 0.0,
    "blue": 0.0,
    "member": 0.1,
    "bronze": 0.25,
    "silver": 0.5,
    "gold": 0.75,
    "platinum": 1.0,
    "diamond": 1.0,
    "elite": 1.0,
    "vip": 1.0,
}
"""Customer value of each known tier name (0-1); unknown tier names count as 0.5."""


@dataclass
class Customer:
    """What the memory holds about one customer."""

    customer_id: str
    name: str | None = None
    first_name: str | None = None
    birthday: date | None = None
    anniversary: date | None = None
    tier: str | None = None
    usual_order: str | None = None
    usual_order_source: str | None = None  # 'customer record', or 'most frequent order, 4 of 6'
    orders: int = 0  # how often the usual order was seen (0 when it comes from the customer record)
    preferences: dict[str, Any] = field(default_factory=dict)
    visits: int = 0
    visit_days: list[date] = field(default_factory=list)
    recent: list[dict[str, Any]] = field(default_factory=list)  # every visit, oldest first: {day, touchpoint, valence}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["visit_days"] = [x.isoformat() for x in self.visit_days[-10:]]
        d["recent"] = self.recent[-5:]
        for k in ("birthday", "anniversary"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


def parse_day(value: Any) -> date | None:
    """A date from '1985-03-02', '02/03/1985', a Timestamp or a date; None when unreadable."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    if isinstance(value, date):
        return value if not hasattr(value, "date") else value.date()
    return _day_of_text(str(value))


@lru_cache(maxsize=65536)
def _day_of_text(text: str) -> date | None:
    """parse_day of a string, cached: the same birthdays recur on every visit of a customer."""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        pass
    ts = pd.to_datetime(text, errors="coerce", utc=True)
    return None if pd.isna(ts) else ts.date()


def _attrs(raw: Any) -> dict[str, Any]:
    """An attributes JSON object (or dict) with lower-case keys; {} when missing or unreadable."""
    if isinstance(raw, dict):
        value = raw
    elif raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw == "":
        return {}
    else:
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            return {}
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def _first(attrs: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for k in keys:
        v = attrs.get(k)
        if v is not None and v != "" and not (isinstance(v, float) and math.isnan(v)):
            return v
    return None


def customer_value(c: Customer | None) -> float:
    """Customer value in [0, 1]: the tier's value when a tier is known, else
    ``log(1 + visits) / log(1 + 20)`` capped at 1 (20 visits or more = 1)."""
    if c is None:
        return 0.0
    if c.tier:
        return TIER_VALUE.get(str(c.tier).strip().lower(), 0.5)
    return min(1.0, math.log1p(c.visits) / math.log1p(20))


@dataclass(frozen=True)
class _Facts:
    """What one attributes object says about its customer (the same object recurs on many rows)."""

    name: str | None
    birthday: date | None
    anniversary: date | None
    tier: str | None
    stated_order: str | None
    order: str | None
    preferences: tuple[tuple[str, Any], ...]


def _facts(raw: Any) -> _Facts:
    attrs = _attrs(raw)
    name = _first(attrs, _NAME_KEYS)
    full = None
    if name:
        last = _first(attrs, _LAST_KEYS)
        full = f"{name} {last}" if last and str(last) not in str(name) else str(name)
    tier = _first(attrs, _TIER_KEYS)
    stated = _first(attrs, ("usual_order",))
    order = None if stated else _first(attrs, _ORDER_KEYS[1:])
    prefs = tuple(
        (k, v)
        for k, v in attrs.items()
        if "pref" in k and v not in (None, "") and not (isinstance(v, float) and math.isnan(v))
    )
    return _Facts(
        name=full,
        birthday=parse_day(_first(attrs, _BIRTHDAY_KEYS)),
        anniversary=parse_day(_first(attrs, _ANNIVERSARY_KEYS)),
        tier=str(tier) if tier else None,
        stated_order=str(stated) if stated else None,
        order=str(order) if order else None,
        preferences=prefs,
    )


def _rows(store: Any, customer_ids: list[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The interactions (id, customer_id, timestamp, channel, attributes) and moments (interaction_id,
    touchpoint, valence) the memory reads: only these columns, in the store's order."""
    where, params = "customer_id IS NOT NULL AND customer_id <> ''", {}
    if customer_ids is not None:
        names = [f"c{i}" for i in range(len(customer_ids))]
        where += f" AND customer_id IN ({', '.join(':' + n for n in names)})" if names else " AND 1 = 0"
        params = dict(zip(names, customer_ids))
    inter = store.query(
        f"SELECT id, customer_id, timestamp, channel, attributes FROM interactions WHERE {where} "
        "ORDER BY timestamp IS NULL, timestamp, seq",
        params,
    )
    moments = store.query(
        f"SELECT interaction_id, touchpoint, valence FROM moments WHERE {where if customer_ids is not None else '1 = 1'} "
        "ORDER BY timestamp IS NULL, timestamp, interaction_id, touchpoint",
        params,
    )
    return inter, moments


def customer_memory(store: Any, *, customer_ids: list[str] | None = None) -> dict[str, Customer]:
    """Build the memory of every customer (or of ``customer_ids``) from the store.

    Reads five columns of the interactions and three of the moments (not the texts), and reads each
    distinct attributes object once: a customer's record recurs on each of their interactions.
    """
    ids = None if customer_ids is None else sorted({str(c) for c in customer_ids})
    if ids is not None and len(ids) > 500:  # many customers: one read of all, kept to the wanted ones
        inter, moments = _rows(store, None)
        wanted = set(ids)
        inter = inter[inter["customer_id"].astype(str).isin(wanted)]
    else:
        inter, moments = _rows(store, ids)
    if inter.empty:
        return {}
    valence = dict(zip(moments["interaction_id"], moments["valence"])) if not moments.empty else {}
    touchpoint = dict(zip(moments["interaction_id"], moments["touchpoint"])) if not moments.empty else {}
    visit_rows = len(store.query("SELECT id FROM interactions WHERE channel = :c LIMIT 1", {"c": VISIT_CHANNEL})) > 0
    inter = inter.sort_values("timestamp", kind="stable")
    facts = {raw: _facts(raw) for raw in inter["attributes"].drop_duplicates() if isinstance(raw, str)}
    ts_all = inter["timestamp"]
    days_all = ts_all.dt.date.where(ts_all.notna(), None) if len(ts_all) else ts_all
    inter = inter.assign(_day=days_all)
    out: dict[str, Customer] = {}
    for cid, rows in inter.groupby("customer_id", sort=False):
        c = Customer(customer_id=str(cid))
        orders: Counter[str] = Counter()
        days: dict[date, dict[str, Any]] = {}
        for iid, day, channel, raw in zip(rows["id"], rows["_day"], rows["channel"], rows["attributes"]):
            fx = facts[raw] if isinstance(raw, str) else _facts(raw)
            if fx.name:
                c.name = fx.name
            if fx.birthday:
                c.birthday = fx.birthday
            if fx.anniversary:
                c.anniversary = fx.anniversary
            if fx.tier:
                c.tier = fx.tier
            if fx.stated_order:
                c.usual_order, c.usual_order_source = fx.stated_order, "customer record"
            elif fx.order:
                orders[fx.order] += 1
            for k, v in fx.preferences:
                c.preferences[k] = v
            if day is None:
                continue
            if visit_rows:
                if channel == VISIT_CHANNEL:
                    c.visit_days.append(day)
            elif not c.visit_days or c.visit_days[-1] != day:
                c.visit_days.append(day)
            v = valence.get(iid)
            info = days.setdefault(
                day, {"day": day.isoformat(), "interaction_id": None, "touchpoint": None, "valence": None}
            )
            if _RANK.get(v, 0) > _RANK.get(info["valence"], 0):
                info.update(interaction_id=iid, touchpoint=touchpoint.get(iid), valence=v)
        if c.name:
            c.first_name = c.name.split()[0]
        if orders and c.usual_order_source != "customer record":
            c.usual_order, c.orders = orders.most_common(1)[0]
            c.usual_order_source = f"most frequent order, {c.orders} of {sum(orders.values())}"
        c.visits = len(c.visit_days)
        c.recent = [
            days.get(d) or {"day": d.isoformat(), "interaction_id": None, "touchpoint": None, "valence": None}
            for d in sorted(set(c.visit_days))
        ]
        out[c.customer_id] = c
    return out
