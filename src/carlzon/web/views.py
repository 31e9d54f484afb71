"""What the dashboard pages and the API compute: filters, the overview, the moments feed, a customer timeline.

One place for the numbers, so a page and its API route always agree.

Example:
    >>> from carlzon.web.views import Filters
    >>> Filters.parse(since="2026-01-01", segment="Class=Business").segment
    ('Class', 'Business')
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from carlzon.errors import CarlzonError, NotFoundError
from carlzon.journey import Journey
from carlzon.report.aggregates import aggregates, count_moments
from carlzon.report.builder import guess_journey, language_counts, store_context, store_journey
from carlzon.report.data import parse_evidence
from carlzon.report.query import Scope, where_sql
from carlzon.schema import json_object
from carlzon.store.changes import change_token
from carlzon.store.rollups import rollup_frame

__all__ = [
    "Filters",
    "alerts",
    "feed",
    "journey_for",
    "magic_today",
    "options",
    "overview",
    "paths",
    "themes",
    "timeline",
]

_VALENCES = ("magic", "misery", "neutral")


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        ts = pd.Timestamp(value)
    except ValueError:
        raise CarlzonError(
            f"cannot read {name}={value!r} as a date", where="filters", fix="write dates as YYYY-MM-DD"
        ) from None
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).to_pydatetime()


@dataclass(frozen=True)
class Filters:
    """Dashboard filters: period, channel, segment (attribute=value), touchpoint, valence, and place:
    ``location`` as asked (kept in links), ``places`` the places it stands for narrowed to the caller's
    (None: every place; see :func:`carlzon.web.deps.place_scoped`)."""

    since: str = ""
    until: str = ""
    channel: str = ""
    touchpoint: str = ""
    segment_text: str = ""
    valence: str = ""
    location: str = ""
    places: tuple[str, ...] | None = None

    @classmethod
    def parse(
        cls,
        *,
        since: str | None = None,
        until: str | None = None,
        channel: str | None = None,
        touchpoint: str | None = None,
        segment: str | None = None,
        valence: str | None = None,
        location: str | None = None,
        places: tuple[str, ...] | None = None,
    ) -> Filters:
        f = cls(
            since or "",
            until or "",
            channel or "",
            touchpoint or "",
            segment or "",
            valence or "",
            (location or "").strip(),
            None if places is None else tuple(places),
        )
        _date(f.since, "since")
        _date(f.until, "until")
        if f.segment_text and "=" not in f.segment_text:
            raise CarlzonError(
                f"cannot read segment={f.segment_text!r}",
                where="filters",
                fix="write a segment as attribute=value, e.g. Class=Business",
            )
        if f.valence and f.valence not in _VALENCES:
            raise CarlzonError(f"unknown valence {f.valence!r}", where="filters", fix="use magic, misery or neutral")
        return f

    @property
    def segment(self) -> tuple[str, str] | None:
        if not self.segment_text:
            return None
        k, v = self.segment_text.split("=", 1)
        return (k.strip(), v.strip())

    @property
    def since_dt(self) -> datetime | None:
        return _date(self.since, "since")

    @property
    def until_dt(self) -> datetime | None:
        """``until`` is inclusive of the whole day given."""
        d = _date(self.until, "until")
        return None if d is None else d + pd.Timedelta(days=1)

    def query(self, **override: Any) -> str:
        """The filters as a query string (for links that keep them)."""
        d = {("segment" if k == "segment_text" else k): v for k, v in asdict(self).items() if k != "places"}
        d.update(override)
        return urlencode({k: v for k, v in d.items() if v not in ("", None)})

    def scope(self) -> Scope:
        return Scope(
            since=self.since_dt,
            until=self.until_dt,
            channel=self.channel or None,
            touchpoint=self.touchpoint or None,
            valence=self.valence or None,
            segment=self.segment,
            locations=self.places,
        )

    def active(self) -> bool:
        """True when a filter was asked for (a token's own places are no filter)."""
        return any(v for k, v in asdict(self).items() if k != "places")


def journey_for(state: Any) -> Journey:
    """The app's journey, or the built-in one that fits the stored moments best (cached; from the rollups)."""
    if state.journey is None:
        state.journey = store_journey(state.store)
    if state.journey is None:
        if state.store.backend == "postgresql":  # the rollup table; SQLite's rollups are a view over the moments
            tps = rollup_frame(state.store, by=("touchpoint",), columns=("n",))
        else:
            tps = state.store.query(
                "SELECT COALESCE(touchpoint, '') AS touchpoint, COUNT(*) AS n FROM moments GROUP BY touchpoint"
            )
        counts = pd.Series(tps["n"].to_numpy(), index=tps["touchpoint"].replace("", "unknown")).groupby(level=0).sum()
        state.journey = guess_journey(pd.Series([], dtype=str), counts=counts)
    return state.journey


_LOCKS_GUARD = threading.Lock()


def _key_lock(state: Any, key: tuple) -> threading.Lock:
    """One lock per view and filter: a second request (or the warmer) waits for a computation under way."""
    with _LOCKS_GUARD:
        locks = getattr(state, "cache_locks", None)
        if locks is None:
            locks = state.cache_locks = {}
        if key not in locks:
            locks[key] = threading.Lock()
        return locks[key]


def _cached(state: Any, key: tuple, compute: Any) -> Any:
    """``compute()``, cached per key until the store's interactions or moments change (a cheap token, not counts).

    The token is read before computing: data arriving during the computation leave the value under
    the old token, so the next request computes again."""
    cache = state.cache
    full = key + change_token(state.store)
    if full in cache:
        return cache[full]
    with _key_lock(state, key):
        full = key + change_token(state.store)
        if full in cache:  # computed while this request waited
            return cache[full]
        value = compute()
        with _LOCKS_GUARD:  # the warmer's thread and the requests' share the cache
            for old in [k for k in cache if k[: len(key)] == key]:  # an older token's value of this view
                del cache[old]
            if len(cache) >= state.cache_size:
                del cache[next(iter(cache))]
            cache[full] = value
    return value


def overview(state: Any, f: Filters) -> dict[str, Any] | None:
    """The report's views for the filtered moments, or None when no moment matches.

    Every count, rate and mean (tiles, touchpoint table, journey map, quadrants, trend, the check
    for emerging problems) comes from the rollups when they can answer the filters, from the
    moments when not (a segment; see :mod:`carlzon.report.aggregates`): the same numbers either
    way. The strongest moments and the number of customers (in a store of up to
    ``state.customers_up_to`` moments) read the moments; emerging problems by location and phrase
    are the Alerts page's.
    """

    def compute() -> dict[str, Any] | None:
        scope = f.scope()
        agg = aggregates(state.store, scope)
        if not agg.n:
            return None
        ctx = store_context(
            state.store,
            scope,
            journey=journey_for(state),
            drivers=drivers(state),
            fit_drivers=False,
            themes=False,
            paths=False,
            watch_days=0,
            aggregates=agg,
            customers_up_to=state.customers_up_to,
            # store-wide, whatever the filter: once per change of the data (0.65 s at 10M interactions)
            languages=_cached(state, ("languages",), lambda: language_counts(state.store)),
        )
        ctx["emerging"].method += "; by location and phrase, over the last 60 days: the Alerts page"
        return ctx

    return _cached(state, ("overview", f), compute)


def themes(state: Any, f: Filters) -> dict[str, Any]:
    """What customers talk about (themes of misery and magic per touchpoint) for the filtered moments."""
    from carlzon.report.insights import themes_view

    return _cached(state, ("themes", f), lambda: themes_view(state.store, f.scope(), journey_for(state)))


def alerts(state: Any, f: Filters) -> dict[str, Any]:
    """Emerging problems over the last days of the filtered period (channel, touchpoint and segment apply)."""
    from carlzon.report.insights import alerts_view

    return _cached(state, ("alerts", f), lambda: alerts_view(state.store, f.scope(), journey_for(state)))


def magic_today(state: Any, day: str | None, places: tuple[str, ...] | None = None) -> list[Any]:
    """The magic page's opportunities of ``day`` (default: today, UTC), against the app's journey or the
    store's own, for the customers of ``places`` (None: every place); cached like every view (and until
    a case more is closed as recovered)."""
    from carlzon.loop.magic import magic_opportunities
    from carlzon.loop.recovery import journey_for_store

    journey = getattr(state, "journey", None) or journey_for_store(state.store)
    key_day = day or datetime.now(UTC).date().isoformat()
    # a case closed as recovered changes the rule last_visit_recovered_misery; cases are outside the token
    recovered = int(
        state.store.query("SELECT COUNT(*) AS n FROM recovery_cases WHERE outcome = 'recovered'")["n"].iloc[0]
    )
    return _cached(
        state,
        ("magic", key_day, recovered, places),
        lambda: magic_opportunities(state.store, journey, day=key_day, locations=places),
    )


def paths(state: Any, f: Filters) -> dict[str, Any]:
    """The journey customers really take, from the event log in the filtered period (only the period applies)."""
    from carlzon.report.insights import paths_view

    scope = Scope(since=f.since_dt, until=f.until_dt, locations=f.places)
    return _cached(
        state, ("paths", f.since, f.until, f.places), lambda: paths_view(state.store, scope, journey_for(state))
    )


def drivers(state: Any) -> pd.DataFrame | None:
    """The key-driver model on the store's survey ratings (refitted when the store changes), or None."""
    from carlzon.report.drivers import survey_drivers

    return _cached(state, ("drivers",), lambda: survey_drivers(state.store, journey_for(state))[0])


_FROM = " FROM moments m LEFT JOIN interactions i ON i.id = m.interaction_id"

_FEED_COLS = (
    "m.interaction_id, m.customer_id, m.timestamp, m.channel, m.touchpoint, m.valence, m.score, "
    "m.intensity, m.stakes, m.moment_of_truth, m.reasons, m.evidence, m.aspect, m.spans, i.text, i.nps, i.csat, i.ces, i.stars, "
    "i.source"
)


def _records(df: pd.DataFrame, journey: Journey) -> list[dict[str, Any]]:
    out = []
    for r in df.to_dict("records"):
        rec = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items() if k != "attributes"}
        tp = str(rec.get("touchpoint") or "unknown")
        rec["touchpoint_name"] = journey.touchpoint(tp).name if journey.has_touchpoint(tp) else "Not assigned"
        rec["evidence"] = parse_evidence(rec.get("evidence"))
        rec["moment_of_truth"] = None if rec.get("moment_of_truth") is None else bool(rec["moment_of_truth"])
        ts = rec.get("timestamp")
        rec["timestamp"] = None if ts is None or pd.isna(ts) else pd.Timestamp(ts).isoformat()
        out.append(rec)
    return out


def feed(state: Any, f: Filters, *, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """One page of moments, newest first, with text and evidence: ``{total, page, per_page, pages, items}``."""
    if page < 1 or not 1 <= per_page <= 1000:
        raise CarlzonError(
            "page must be 1 or more and per_page 1 to 1000", where="moments", fix="e.g. ?page=1&per_page=50"
        )
    where, params = where_sql(f.scope())
    base = f"{_FROM}{where}"
    order = " ORDER BY m.timestamp IS NULL, m.timestamp DESC, m.interaction_id"
    total = count_moments(state.store, f.scope())
    p = dict(params, limit=per_page, offset=(page - 1) * per_page)
    df = state.store.query(f"SELECT {_FEED_COLS} {base}{order} LIMIT :limit OFFSET :offset", p)
    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, math.ceil(total / per_page)),
        "items": _records(df, journey_for(state)),
    }


def timeline(state: Any, customer_id: str, places: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A customer's moments, oldest first, with text and evidence (only those at ``places``; None: every
    place); NotFoundError when none."""
    from carlzon.places import in_places_sql

    cond, params = ("", {}) if places is None else in_places_sql(places, "i.location")
    df = state.store.query(
        f"SELECT {_FEED_COLS}{_FROM} WHERE m.customer_id = :cid {'AND ' + cond if cond else ''}"
        "ORDER BY m.timestamp IS NULL, m.timestamp, m.interaction_id",
        {"cid": customer_id, **params},
    )
    if not len(df):
        raise NotFoundError(
            f"no moments for customer {customer_id!r}",
            where="customers",
            fix="check the customer id (the moments feed links to each customer)",
        )
    items = _records(df, journey_for(state))
    val = df["valence"].astype(str)
    return {
        "customer_id": customer_id,
        "n": len(df),
        "magic": int((val == "magic").sum()),
        "misery": int((val == "misery").sum()),
        "first": items[0]["timestamp"],
        "last": items[-1]["timestamp"],
        "items": items,
    }


def customers(state: Any, q: str = "", *, limit: int = 50, places: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Customers with the most moments of misery first (optionally those whose id contains ``q``), counting
    the moments at ``places`` (None: every place)."""
    from carlzon.places import in_places_sql

    params: dict[str, Any] = {"limit": limit}
    where = "WHERE m.customer_id IS NOT NULL"
    frm = "moments m"
    if q:
        where += " AND m.customer_id LIKE :q"
        params["q"] = f"%{q}%"
    if places is not None:
        cond, p = in_places_sql(places, "i.location")
        frm += " JOIN interactions i ON i.id = m.interaction_id"
        where += f" AND {cond}"
        params.update(p)
    return state.store.query(
        "SELECT m.customer_id, COUNT(*) AS n, "
        "SUM(CASE WHEN m.valence = 'magic' THEN 1 ELSE 0 END) AS magic, "
        "SUM(CASE WHEN m.valence = 'misery' THEN 1 ELSE 0 END) AS misery, MAX(m.timestamp) AS last_at "
        f"FROM {frm} {where} GROUP BY m.customer_id ORDER BY misery DESC, n DESC, m.customer_id LIMIT :limit",
        params,
    )


def options(state: Any, places: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Choices for the filter form: channels, touchpoints of the journey, segments (attribute=value), and
    places by name (regions and areas of the stored hierarchy first) among ``places`` (None: every place)."""
    from carlzon.places import place_choices

    return {
        **_cached(state, ("options",), _options(state)),
        "places": _cached(state, ("places", places), lambda: place_choices(state.store, places)),
    }


def _options(state: Any) -> Any:

    def compute() -> dict[str, Any]:
        table = (
            "moment_rollups WHERE channel <> ''"
            if state.store.backend == "postgresql"
            else "moments WHERE channel IS NOT NULL"
        )  # SQLite's rollups are a view over the moments
        ch = state.store.query(f"SELECT DISTINCT channel FROM {table} ORDER BY channel")
        j = journey_for(state)
        sample = state.store.query("SELECT attributes FROM interactions WHERE attributes IS NOT NULL LIMIT 2000")
        values: dict[str, set[str]] = {}
        for raw in sample["attributes"]:
            obj = json_object(raw) if isinstance(raw, str) else {}
            for k, v in obj.items():
                if isinstance(v, (str, int, bool)) and len(str(v)) <= 40:
                    values.setdefault(str(k), set()).add(str(v))
        segments = [f"{k}={v}" for k, vs in sorted(values.items()) if 2 <= len(vs) <= 12 for v in sorted(vs)]
        return {
            "channels": ch["channel"].astype(str).tolist(),
            "touchpoints": [(t.id, t.name) for t in j.touchpoints],
            "segments": segments,
        }

    return compute
