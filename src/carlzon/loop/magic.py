"""Moments of magic: today's opportunities for frontline staff, each with its reason.

Rules live in the journey YAML under ``magic:`` (a user's own journey YAML
adds or replaces them; ``extra_rules=`` adds more). A rule has an ``id``, a
``when`` condition, the condition's options, and a ``say`` template filled
with ``{name}``, ``{visits}``, ``{visits_ordinal}``, ``{usual_order}``,
``{tier}``, ``{preference}``, ``{size}``, ``{years}``, ``{event}``::

    magic:
      - {id: birthday, when: birthday_today, say: "Wish {name} a happy birthday."}
      - {id: tenth, when: visit_count_multiple_of, every: 10, say: "{name}'s {visits_ordinal} visit."}
      - {id: vip, when: tier_in, tiers: [gold, platinum], say: "{name} is {tier}: greet by name."}

Conditions (``when``) and their options. "Visiting" means the customer has
a visit on the day, and visits are counted up to and including the day
(see :mod:`carlzon.loop.memory` for what counts as a visit):

==============================  ==========================================================
birthday_today                  the customer's birthday is the day (29 Feb counts on 28 Feb)
customer_anniversary            the day is an anniversary of ``anniversary`` / ``member_since`` ({years})
visit_count_multiple_of         visiting, and visits is a multiple of ``every`` (default 10)
visit_count_at_least            visiting, and visits >= ``n`` (default 10)
usual_order_known               visiting, and a usual order is on record or seen ``min_orders`` times (default 3)
known_preference                visiting, and a preference attribute is known ({preference})
tier_in                         visiting, and the tier is one of ``tiers``
last_visit_misery               visiting, and the previous visit was a moment of misery
last_visit_recovered_misery     visiting, and the previous visit was a misery whose case closed recovered
attribute_equals                visiting, and the day's interaction has ``attribute`` == ``value``
attribute_present               visiting, and the day's interaction has ``attribute`` set ({value})
weather_is                      attribute_equals on ``weather`` (option ``weather``)
occasion_noted                  attribute_present on ``occasion`` ({event})
life_event                      attribute_present on ``life_event`` ({event})
outage_in_area                  attribute_present on ``outage``
wishlist_restocked              attribute_present on ``wishlist_restocked``
==============================  ==========================================================

Example:
    >>> ops = magic_opportunities(store, "coffee_shop", day="2026-03-02")   # doctest: +SKIP
    >>> ops[0].reason                                                        # doctest: +SKIP
    'birthday today (1990-03-02)'
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, UTC
from typing import Any
from collections.abc import Callable

import pandas as pd

from carlzon.errors import JourneyError
from carlzon.journey import Journey, load_journey
from carlzon.loop.memory import Customer, _attrs, customer_memory, parse_day

__all__ = ["CONDITIONS", "Opportunity", "check_rules", "magic_opportunities"]


@dataclass
class Opportunity:
    """One prompt for staff: who, which rule, why (the reason in words) and what to do."""

    customer_id: str
    name: str | None
    rule: str
    reason: str
    say: str
    fields: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Context:
    customer: Customer
    day: date
    visiting: bool
    visits: int
    today: list[dict[str, Any]]  # attributes of the day's interactions
    previous: dict[str, Any] | None  # the previous visit {day, interaction_id, valence, ...}
    recovered: set[str]  # interaction ids whose case closed recovered


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _same_day_of_year(d: date | None, day: date) -> bool:
    if d is None:
        return False
    if (d.month, d.day) == (day.month, day.day):
        return True
    leap = (day.year % 4 == 0 and day.year % 100 != 0) or day.year % 400 == 0
    return (d.month, d.day) == (2, 29) and not leap and (day.month, day.day) == (2, 28)


def _birthday(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
    b = ctx.customer.birthday
    if _same_day_of_year(b, ctx.day):
        return f"birthday today ({b.isoformat()})", {}  # type: ignore[union-attr]
    return None


def _anniversary(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
    a = ctx.customer.anniversary
    if a and _same_day_of_year(a, ctx.day) and ctx.day.year > a.year:
        years = ctx.day.year - a.year
        return f"{years} years with us today (since {a.isoformat()})", {"years": years}
    return None


def _multiple(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
    every = int(rule.get("every", 10))
    if ctx.visiting and ctx.visits and ctx.visits % every == 0:
        return f"{_ordinal(ctx.visits)} visit today", {}
    return None


def _at_least(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
    n = int(rule.get("n", 10))
    if ctx.visiting and ctx.visits >= n:
        return f"a regular: {_ordinal(ctx.visits)} visit today", {}
    return None


def _usual(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
    c = ctx.customer
    stated = c.usual_order_source == "customer record"
    if ctx.visiting and c.usual_order and (stated or c.orders >= int(rule.get("min_orders", 3))):
        return f"usual order: {c.usual_order} ({c.usual_order_source})", {}
    return None


def _preference(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
    prefs = ctx.customer.preferences
    if ctx.visiting and prefs:
        key, value = next(iter(prefs.items()))
        size = next((v for k, v in prefs.items() if "size" in k), value)
        return f"known preference: {key.replace('_', ' ')} = {value}", {"preference": value, "size": size}
    return None


def _tier(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
    tiers = {str(t).lower() for t in rule.get("tiers", [])}
    if ctx.visiting and ctx.customer.tier and ctx.customer.tier.lower() in tiers:
        return f"{ctx.customer.tier} tier", {}
    return None


def _last_misery(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
    p = ctx.previous
    if ctx.visiting and p and p.get("valence") == "misery":
        where = f" at {p['touchpoint']}" if p.get("touchpoint") not in (None, "unknown") else ""
        return f"last visit ({p['day']}) was a moment of misery{where}", {}
    return None


def _last_recovered(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
    p = ctx.previous
    if ctx.visiting and p and p.get("valence") == "misery" and p.get("interaction_id") in ctx.recovered:
        where = f" at {p['touchpoint']}" if p.get("touchpoint") not in (None, "unknown") else ""
        return f"last visit ({p['day']}) was a misery{where} that was recovered: make this one great", {}
    return None


def _attr_equals(attribute: str, value: Any) -> Callable[[_Context, dict], tuple[str, dict] | None]:
    def check(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
        key = str(rule.get("attribute", attribute)).lower()
        want = str(rule.get("value", rule.get(attribute, value))).lower()
        for attrs in ctx.today if ctx.visiting else []:
            if str(attrs.get(key, "")).lower() == want:
                return f"{key.replace('_', ' ')} is {want} today", {"value": want}
        return None

    return check


def _attr_present(attribute: str | None) -> Callable[[_Context, dict], tuple[str, dict] | None]:
    def check(ctx: _Context, rule: dict) -> tuple[str, dict] | None:
        key = str(rule.get("attribute", attribute)).lower()
        for attrs in ctx.today if ctx.visiting else []:
            v = attrs.get(key)
            if v not in (None, "", False, 0, "0", "false", "no") and not (isinstance(v, float) and math.isnan(v)):
                shown = "" if v is True else f": {v}"
                return f"{key.replace('_', ' ')} noted today{shown}", {"event": v, "value": v}
        return None

    return check


CONDITIONS: dict[str, Callable[[_Context, dict], tuple[str, dict] | None]] = {
    "birthday_today": _birthday,
    "customer_anniversary": _anniversary,
    "visit_count_multiple_of": _multiple,
    "visit_count_at_least": _at_least,
    "usual_order_known": _usual,
    "known_preference": _preference,
    "tier_in": _tier,
    "last_visit_misery": _last_misery,
    "last_visit_recovered_misery": _last_recovered,
    "attribute_equals": _attr_equals("attribute", None),
    "attribute_present": _attr_present(None),
    "weather_is": _attr_equals("weather", None),
    "occasion_noted": _attr_present("occasion"),
    "life_event": _attr_present("life_event"),
    "outage_in_area": _attr_present("outage"),
    "wishlist_restocked": _attr_present("wishlist_restocked"),
}
"""Every ``when`` a magic rule may use (see the module docstring for their options)."""


def check_rules(rules: Any, *, where: str = "magic") -> list[dict[str, Any]]:
    """Validate magic rules; a JourneyError names the rule and the fix."""
    if not isinstance(rules, list):
        raise JourneyError(
            "magic rules must be a list", where=where, fix="write them as '- {id: ..., when: ..., say: ...}'"
        )
    seen = set()
    for i, rule in enumerate(rules):
        w = f"{where}[{i}]"
        if not isinstance(rule, dict):
            raise JourneyError("a magic rule must be a mapping", where=w, fix="write '{id: ..., when: ..., say: ...}'")
        for key in ("id", "when", "say"):
            if not rule.get(key):
                raise JourneyError(f"magic rule has no {key!r}", where=w, fix=f"add '{key}: ...'")
        if rule["when"] not in CONDITIONS:
            raise JourneyError(
                f"unknown magic condition {rule['when']!r}", where=w, fix=f"use one of {', '.join(sorted(CONDITIONS))}"
            )
        if rule["when"] in ("attribute_equals", "attribute_present") and not rule.get("attribute"):
            raise JourneyError(f"{rule['when']} needs 'attribute'", where=w, fix="add 'attribute: <column name>'")
        if rule["id"] in seen:
            raise JourneyError(f"duplicate magic rule id {rule['id']!r}", where=w, fix="give every rule its own id")
        seen.add(rule["id"])
    return rules


def _recovered_ids(store: Any) -> set[str]:
    df = store.query("SELECT interaction_id FROM recovery_cases WHERE outcome = 'recovered'")
    return set(df["interaction_id"].astype(str)) if len(df) else set()


_DATED = {"birthday_today", "customer_anniversary"}
"""The conditions that may match a customer who is not visiting (all others need a visit on the day)."""


def _candidates(store: Any, todays: pd.DataFrame, d: date, dated: set[str]) -> list[str]:
    """The customers a rule can match on day ``d``: every customer with an interaction that day, and, when
    a rule is ``birthday_today`` or ``customer_anniversary``, every customer with a birthday or anniversary
    on record that falls on the day (a superset: the memory then decides, as for any customer)."""
    ids = {str(c) for c in todays["customer_id"].dropna() if str(c)}
    if dated:
        from carlzon.loop.memory import _facts

        rows = store.query(
            "SELECT DISTINCT customer_id, attributes FROM interactions "
            "WHERE customer_id IS NOT NULL AND customer_id <> '' AND attributes IS NOT NULL"
        )
        facts: dict[str, Any] = {}
        for cid, raw in zip(rows["customer_id"], rows["attributes"]):
            fx = facts.get(raw)
            if fx is None:
                fx = facts[raw] = _facts(raw)
            if _same_day_of_year(fx.birthday, d) or _same_day_of_year(fx.anniversary, d):
                ids.add(str(cid))
    return sorted(ids)


def magic_opportunities(
    store: Any,
    journey: str | Journey = "airline",
    *,
    day: Any = None,
    extra_rules: list[dict[str, Any]] | None = None,
    memory: dict[str, Customer] | None = None,
    locations: tuple[str, ...] | None = None,
) -> list[Opportunity]:
    """The day's magic opportunities (default: today, UTC), one per customer and matching rule;
    ``locations``: only customers seen at these places (None: every place)."""
    journey = load_journey(journey)
    rules = check_rules(
        list(journey.magic or []) + list(extra_rules or []), where=f"{journey.source or journey.name}: magic"
    )
    d: date | None
    if day is None:
        d = datetime.now(UTC).date()
    else:
        d = parse_day(day)
        if d is None:
            raise JourneyError(f"cannot read the day {day!r}", fix="write it as YYYY-MM-DD, e.g. --date 2026-03-02")
    start = datetime(d.year, d.month, d.day, tzinfo=UTC)
    todays = store.interactions(since=start, until=start + timedelta(days=1))
    if memory is None:  # only customers a rule can match: those with an interaction today, and dated ones
        dated = {r["when"] for r in rules} & _DATED
        memory = customer_memory(store, customer_ids=_candidates(store, todays, d, dated))
    today_attrs: dict[str, list[dict[str, Any]]] = {}
    for cid, raw in zip(todays["customer_id"], todays["attributes"]):
        if cid is not None and not (isinstance(cid, float) and math.isnan(cid)):
            today_attrs.setdefault(str(cid), []).append(_attrs(raw))
    recovered = _recovered_ids(store)
    out: list[Opportunity] = []
    for cid in sorted(memory):
        c = memory[cid]
        visits = sum(1 for v in c.visit_days if v <= d)
        previous = [r for r in c.recent if pd.Timestamp(r["day"]).date() < d]
        ctx = _Context(
            customer=c,
            day=d,
            visiting=d in c.visit_days,
            visits=visits,
            today=today_attrs.get(cid, []),
            previous=previous[-1] if previous else None,
            recovered=recovered,
        )
        for rule in rules:
            hit = CONDITIONS[rule["when"]](ctx, rule)
            if hit is None:
                continue
            reason, extra = hit
            fields = {
                "name": c.first_name or f"customer {cid}",
                "visits": visits,
                "visits_ordinal": _ordinal(visits),
                "usual_order": c.usual_order or "",
                "tier": c.tier or "",
                "preference": "",
                "size": "",
                "years": "",
                "event": "",
                **extra,
            }
            say = str(rule["say"]).format_map(_Blank(fields))
            out.append(
                Opportunity(
                    customer_id=cid,
                    name=c.name,
                    rule=str(rule["id"]),
                    reason=reason,
                    say=say,
                    fields={k: v for k, v in fields.items() if v not in ("", None)},
                )
            )
    if locations is not None:
        from carlzon.places import customers_at

        mine = customers_at(store, locations)
        out = [o for o in out if o.customer_id in mine]
    return out


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
