"""Themes, emerging problems and the journey customers really take, read from a store for the report and dashboard.

The analyses live in :mod:`carlzon.analysis` (:class:`~carlzon.analysis.themes.Themes`,
:class:`~carlzon.analysis.alerts.EmergingProblems`, :class:`~carlzon.analysis.paths.JourneyPaths`);
this module decides which rows they read and turns their results into plain
data for the templates (customer text stays plain text: the templates escape it).

The event log rule: an interaction is an *event* (one step of a customer's
journey) when it has a customer, a timestamp and a step (its ``touchpoint``
column: a touchpoint id, or a raw step name that is mapped to one), and no
text and no rating at all (nps, csat, ces, stars empty, no other ratings).
Event logs come in with ``carlzon ingest events.csv --touchpoint step`` (or
any channel, e.g. ``visit``). A visit row without a step says nothing about
the path, so it is not an event.

Example:
    >>> from carlzon.report.insights import EVENT_WHERE
    >>> "i.text IS NULL" in EVENT_WHERE
    True
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import pandas as pd
from markupsafe import Markup

from carlzon.errors import NotEnoughDataError
from carlzon.journey import Journey
from carlzon.report.query import Scope, segment_match, where_sql

__all__ = [
    "EVENT_WHERE",
    "THEME_SAMPLE",
    "WATCH_BASELINE",
    "WATCH_DAYS",
    "alerts_view",
    "event_log",
    "paths_view",
    "themes_view",
    "watch_moments",
    "watch_window",
]

THEME_SAMPLE = 10_000
"""At most this many of the most recent moments of misery, and as many of magic, with text, feed the themes."""
WATCH_DAYS = 60
"""Days, counted back from the last moment, whose emerging problems are shown."""
WATCH_BASELINE = 120
"""Days before those that are read as well, as the emerging-problem analysis's baselines: a touchpoint's
28 days, and for a phrase up to these 120 (``carlzon alerts`` gives a phrase a year). On a store of at
most 180 days the report and the dashboard therefore show what ``carlzon alerts --since`` shows."""
EVENT_WHERE = (
    "i.customer_id IS NOT NULL AND i.timestamp IS NOT NULL AND i.touchpoint IS NOT NULL "
    "AND i.touchpoint <> '' AND (i.text IS NULL OR i.text = '') AND i.nps IS NULL AND i.csat IS NULL "
    "AND i.ces IS NULL AND i.stars IS NULL AND (i.ratings IS NULL OR i.ratings = '' OR i.ratings = '{}')"
)
"""SQL condition (interactions ``i``) for an event row of the event log."""


def _period(scope: Scope, col: str) -> tuple[list[str], dict[str, Any]]:
    where_m, params = where_sql(Scope(since=scope.since, until=scope.until))
    conds = [c.replace("m.timestamp", col) for c in where_m.replace(" WHERE ", "").split(" AND ") if c]
    return conds, params


def _names(journey: Journey) -> dict[str, str]:
    return {t.id: t.name for t in journey.touchpoints}


def _clean(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


# ----- themes ------------------------------------------------------------------
def _recent_texts(store: Any, scope: Scope, valence: str, limit: int) -> tuple[pd.DataFrame, bool]:
    where, params = where_sql(Scope(**{**scope.__dict__, "valence": valence}))
    sql = (
        "SELECT m.interaction_id, m.timestamp, m.touchpoint, m.valence, m.spans, i.text FROM moments m "
        f"JOIN interactions i ON i.id = m.interaction_id{where} AND i.text IS NOT NULL AND i.text <> '' "
        "ORDER BY m.timestamp DESC, m.interaction_id LIMIT :limit"
    )
    df = store.query(sql, {**params, "limit": limit})
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, errors="coerce")
    from carlzon.analysis.emerging import mention_texts

    df["text"] = mention_texts(df)  # what was said at the touchpoint (its mentions), not the whole review
    cut = len(df) == limit
    if cut and df["timestamp"].notna().any():
        # the oldest week is cut by the limit: keep whole weeks (Monday to Sunday) so trends compare like with like
        first = df["timestamp"].min().tz_convert(None).to_period("W-SUN").start_time.tz_localize("UTC")
        df = df[df["timestamp"] >= first + pd.Timedelta(days=7)]
    return df, cut


def _trend_words(r: dict[str, Any], weeks: int) -> str:
    weekly = list((r.get("weekly") or {}).values())
    if len(weekly) < 2:
        return f"too few weeks to tell (n = {r.get('trend_n', 0)})"
    half = min(weeks, len(weekly) // 2)
    recent, before = sum(weekly[-half:]), sum(weekly[-2 * half : -half])
    ratio = r.get("trend_ratio")
    times = f", ×{ratio:.1f}" if isinstance(ratio, float) and math.isfinite(ratio) else ""
    return f"{r['trend']}: {recent} in the last {half} week(s) vs {before} in the {half} before{times} (n = {recent + before})"


def themes_view(
    store: Any,
    scope: Scope,
    journey: Journey,
    *,
    sample: int = THEME_SAMPLE,
    top: int = 16,
    per_touchpoint: int = 2,
    seed: int = 0,
) -> dict[str, Any]:
    """What customers talk about: the largest themes of misery and of magic per touchpoint, as plain data.

    Reads the ``sample`` most recent moments of each valence that have text (whole weeks only) and fits
    :class:`~carlzon.analysis.themes.Themes` with a fixed seed; shows the ``top`` largest themes of each
    valence, at most ``per_touchpoint`` of one touchpoint. Returns ``{ran, note, n, window, sampled,
    unassigned_share, valences: {misery: [...], magic: [...]}, method}``.
    """
    from carlzon.analysis.themes import Themes

    valences = [v for v in ("misery", "magic") if not scope.valence or scope.valence == v]
    read = [_recent_texts(store, scope, v, sample) for v in valences]
    frames = [f for f, _ in read]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["timestamp", "valence", "text"])
    base = {
        "ran": False,
        "n": len(df),
        "sample": sample,
        "valences": {v: [] for v in valences},
        "sampled": any(cut for _, cut in read),
        "window": (df["timestamp"].min(), df["timestamp"].max()) if len(df) else (None, None),
    }
    if not len(df):
        return {**base, "note": "No moments of misery or magic with a comment in this period, so there are no themes."}
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    th = Themes(min_size=5, max_themes=8, seed=seed, trend_weeks=4)
    try:
        # many small k-means fits: one thread each is several times faster than an OpenMP team per fit
        # short comments repeat: k-means then finds fewer distinct clusters than asked, which is fine
        with threadpool_limits(1), warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=ConvergenceWarning)
            th.fit(df)
    except NotEnoughDataError as exc:
        return {**base, "note": str(exc)}
    names = _names(journey)
    out: dict[str, list[dict[str, Any]]] = {}
    for v in valences:
        recs: list[dict[str, Any]] = []
        per_tp: dict[str, int] = {}
        for r in sorted(th.to_records(valence=v), key=lambda r: -r["n"]):
            if len(recs) < top and per_tp.get(r["touchpoint"], 0) < per_touchpoint:
                recs.append(r)
                per_tp[r["touchpoint"]] = per_tp.get(r["touchpoint"], 0) + 1
        out[v] = [
            {
                "touchpoint": r["touchpoint"],
                "touchpoint_name": names.get(r["touchpoint"], "Not assigned"),
                "label": r["label"],
                "n": r["n"],
                "group_n": r["group_n"],
                "share": _clean(r["share"]),
                "trend": r["trend"],
                "trend_text": _trend_words(r, th.trend_weeks),
                "examples": [str(e) for e in r["examples"]],
            }
            for r in recs
        ]
    counts = {v: int((df["valence"] == v).sum()) for v in valences}
    return {
        **base,
        "ran": True,
        "valences": out,
        "counts": counts,
        "unassigned_share": th.unassigned_share_,
        "note": "",
        "method": (
            f"TF-IDF words and two-word phrases, k-means per touchpoint (seed {seed}); a comment "
            f"joins a theme only when close to its centre; trend: the last 4 weeks against the "
            f"4 before (exact binomial test at 5%)"
        ),
    }


# ----- emerging problems ---------------------------------------------------------
def watch_moments(store: Any, scope: Scope, last_day: Any, *, days: int = WATCH_DAYS) -> pd.DataFrame:
    """The moments of the last ``days`` days before ``last_day`` in scope, with what the emerging-problem
    analysis reads: timestamp, touchpoint, valence, text and ``location`` (the interaction's place, else a
    place named in its attributes).

    Only these columns come back, and only attributes that mention a location key are parsed as JSON, so
    that a million moments stay quick.
    """
    from carlzon.analysis.alerts import LOCATION_KEYS, locations_from_attributes

    since = pd.Timestamp(last_day) - pd.Timedelta(days=days - 1)
    if scope.since is not None and pd.Timestamp(scope.since) > since:
        since = pd.Timestamp(scope.since)
    where, params = where_sql(Scope(**{**scope.__dict__, "since": since, "valence": None}))
    m = store.query(
        "SELECT m.interaction_id, m.customer_id, m.timestamp, m.channel, m.touchpoint, m.valence, "
        "m.spans, i.text, i.attributes, i.location AS place FROM moments m "
        "LEFT JOIN interactions i ON i.id = m.interaction_id"
        f"{where} ORDER BY m.timestamp",
        params or None,
    )
    m["timestamp"] = pd.to_datetime(m["timestamp"], utc=True, errors="coerce")
    if scope.segment and len(m):
        m = m[segment_match(m["attributes"], *scope.segment)].reset_index(drop=True)
    m["location"] = m["place"].astype("string").fillna(locations_from_attributes(m["attributes"], LOCATION_KEYS))
    return m.drop(columns=["attributes", "place"])


def watch_window(
    store: Any, scope: Scope, last_day: Any, *, days: int = WATCH_DAYS
) -> tuple[pd.DataFrame, pd.Timestamp, str]:
    """What the emerging-problem analysis of the report and the dashboard reads: the moments of the last
    ``days`` days with the :data:`WATCH_BASELINE` days before them, the first watched day (alerts active
    from it on are shown), and the sentence that says so for the method note."""
    since = pd.Timestamp(last_day) - pd.Timedelta(days=days - 1)
    note = f"problems active in the last {days} days of the period, with the {WATCH_BASELINE} days before them read as baseline"
    return watch_moments(store, scope, last_day, days=days + WATCH_BASELINE), since, note


def _last_day(store: Any, scope: Scope) -> Any:
    where, params = where_sql(Scope(**{**scope.__dict__, "valence": None}))
    frm = (
        " FROM moments m LEFT JOIN interactions i ON i.id = m.interaction_id"
        if scope.segment or scope.locations is not None
        else " FROM moments m"
    )
    df = store.query(f"SELECT MAX(m.timestamp) AS t{frm}{where}", params or None)
    t = pd.to_datetime(df["t"], utc=True, errors="coerce").iloc[0] if len(df) else None
    return None if t is None or pd.isna(t) else t.normalize()


def alerts_view(store: Any, scope: Scope, journey: Journey, *, days: int = WATCH_DAYS) -> dict[str, Any]:
    """Emerging problems (what, where, since, how many against the baseline, examples) as plain data:
    :func:`carlzon.analysis.emerging.emerging_problems`, as ``carlzon alerts`` and the report give them."""
    from carlzon.analysis.emerging import emerging_problems

    return emerging_problems(store, scope, journey=journey, days=days)


# ----- the journey customers really take -------------------------------------------
def event_log(store: Any, scope: Scope = Scope()) -> pd.DataFrame:
    """The event rows in the period of ``scope`` (see the module's rule): customer_id, step, timestamp."""
    conds, params = _period(scope, "i.timestamp")
    if scope.locations is not None:
        from carlzon.places import in_places_sql

        cond, p = in_places_sql(scope.locations, "i.location")
        conds, params = [*conds, cond], {**params, **p}
    where = " AND ".join([EVENT_WHERE, *conds])
    df = store.query(
        f"SELECT i.customer_id, i.touchpoint AS step, i.timestamp FROM interactions i WHERE {where}", params or None
    )
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, errors="coerce")
    return df


def paths_view(store: Any, scope: Scope, journey: Journey, *, case_gap: str = "12h") -> dict[str, Any]:
    """Paths, drop-off after each step with its interval, misery along the way and the graph SVG, as plain data.

    ``ran`` is False (with a ``note`` saying how to add one) when the store holds no event log in the period.
    """
    from carlzon.analysis.paths import END, START, JourneyPaths

    events = event_log(store, scope)
    if not len(events):
        return {
            "ran": False,
            "n_events": 0,
            "note": (
                "The store holds no event log for this period, so the paths customers take cannot be shown. An event is "
                "a row with a customer, a time and a step but no comment or rating; load one with "
                "carlzon ingest events.csv --touchpoint step."
            ),
        }
    conds, params = _period(scope, "m.timestamp")
    frm = "moments m"
    if scope.locations is not None:
        from carlzon.places import in_places_sql

        cond, p = in_places_sql(scope.locations, "i.location")
        conds, params, frm = [*conds, cond], {**params, **p}, frm + " JOIN interactions i ON i.id = m.interaction_id"
    mis = store.query(
        f"SELECT m.customer_id, m.timestamp, m.valence FROM {frm} WHERE m.valence = 'misery' "
        "AND m.customer_id IS NOT NULL" + "".join(f" AND {c}" for c in conds),
        params or None,
    )
    jp = JourneyPaths(journey, case_gap=case_gap).fit(events, moments=mis)
    names = _names(journey)
    misery = jp.misery_.set_index("step") if len(jp.misery_) else None
    steps = []
    for r in jp.steps_.to_dict("records"):
        row = {k: _clean(v) for k, v in r.items()}
        row["name"] = names.get(r["step"], r["step"])
        row["mapped"] = r["touchpoint"] is not None
        if misery is not None:
            m = misery.loc[r["step"]]
            row["misery"] = int(m["misery"])
            row["misery_per_100"] = _clean(float(m["per_100_cases"]))
            row["misery_low"] = _clean(float(m["low"]))
            row["misery_high"] = _clean(float(m["high"]))
        steps.append(row)
    variants = [
        {
            "path": " → ".join(names.get(s, s) for s in v["path"].split(" → ")),
            "cases": int(v["cases"]),
            "share": float(v["share"]),
            "steps": int(v["steps"]),
        }
        for v in jp.variants_.head(8).to_dict("records")
    ]
    return {
        "ran": True,
        "note": "",
        "n_events": jp.n_events_,
        "n_cases": jp.n_cases_,
        "n_customers": jp.n_customers_,
        "n_variants": jp.n_variants_,
        "dropped": jp.n_dropped_,
        "case_gap": case_gap,
        "svg": Markup(jp.svg(names=names)),
        "steps": steps,
        "variants": variants,
        "start": START,
        "end": END,
        "unmapped": [{"step": str(s), "events": int(e)} for s, e in zip(jp.unmapped_["step"], jp.unmapped_["events"])],
        "misery_placed": getattr(jp, "n_misery_placed_", 0),
        "misery_total": getattr(jp, "n_misery_", 0),
        "window": (events["timestamp"].min(), events["timestamp"].max()),
    }
