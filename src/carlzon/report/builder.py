"""Build the one-file HTML report from a store (or from a moments DataFrame).

The report is self-contained: CSS inline, charts as inline SVG rendered here,
no script and no request to any host, so it opens offline and can be mailed.
Customer text is escaped by Jinja2's autoescape; nothing from a customer is
ever marked safe.

Example:
    >>> from carlzon.report import build_report                 # doctest: +SKIP
    >>> build_report("carlzon.db", "report.html")                # doctest: +SKIP
    PosixPath('report.html')
"""

from __future__ import annotations

import math
from functools import cache
from datetime import datetime, UTC
from importlib import resources
from pathlib import Path
from typing import Any
from collections.abc import Sequence

import pandas as pd
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from carlzon import __version__
from carlzon.errors import NotEnoughDataError
from carlzon.journey import Journey, journey_templates, load_journey
from carlzon.report import charts
from carlzon.report.drivers import survey_drivers
from carlzon.report.insights import THEME_SAMPLE, WATCH_DAYS, paths_view, themes_view
from carlzon.report.verdict import recovery_backlog, verdict
from carlzon.report.query import Scope, n_customers, segment_match, strongest  # noqa: F401 (segment_match: its old home)
from carlzon.report.aggregates import Aggregates, count_moments, from_moments
from carlzon.report.aggregates import aggregates as read_aggregates
from carlzon.report.data import (
    QUADRANTS,
    Section,
    actions,
    emerging_rows,
    headline_rows,
    journey_map_data,
    quotes,
    trend_rows,
)

__all__ = [
    "build_report",
    "guess_journey",
    "jinja_env",
    "language_counts",
    "render_report",
    "report_context",
    "store_context",
    "store_journey",
]


def _templates_dir(pkg: str) -> str:
    return str(resources.files(pkg) / "templates")


def _fmt_num(v: Any, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{float(v):,.{digits}f}"


def _fmt_pct(v: Any, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{float(v) * 100:.{digits}f}%"


def _fmt_pts(v: Any) -> str:
    """Points with a sign, and 0 without one (never "-0" or "+0")."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    x = round(float(v) * 100)
    return f"{x:+d}" if x else "0"


def _fmt_excerpt(v: Any, limit: int = 160) -> Any:
    from carlzon.report.quoting import excerpt

    return excerpt(v, limit) if isinstance(v, str) else v


def _fmt_expected(v: Any) -> str:
    from carlzon.report.sections import expected

    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else expected(v)


def _fmt_date(v: Any, fmt: str = "%d %b %Y") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    ts = pd.Timestamp(v)
    return "–" if pd.isna(ts) else ts.strftime(fmt)


def jinja_env(extra_dirs: Sequence[str] = ()) -> Environment:
    """The Jinja2 environment shared by the report and the dashboard (autoescape always on)."""
    loader = ChoiceLoader([FileSystemLoader(list(extra_dirs) + [_templates_dir("carlzon.report")])])
    env = Environment(loader=loader, autoescape=select_autoescape(default=True, default_for_string=True))
    from carlzon.privacy.display import personal

    env.filters.update(
        num=_fmt_num,
        pct=_fmt_pct,
        pts=_fmt_pts,
        date=_fmt_date,
        personal=personal,
        excerpt=_fmt_excerpt,
        expected=_fmt_expected,
    )
    env.globals.update(charts=charts, version=__version__, colour=charts.balance_colour, QUADRANTS=QUADRANTS)
    return env


@cache
def _template(name: str) -> Journey:
    return load_journey(name)


def guess_journey(touchpoints: pd.Series, counts: pd.Series | None = None) -> Journey:
    """The built-in journey whose touchpoint ids cover most of the moments (airline on a tie).

    ``counts`` (touchpoint -> number of moments) may stand in for the touchpoints themselves."""
    if counts is None:
        counts = touchpoints.fillna("unknown").astype(str).value_counts()
    best, best_cov = _template("airline"), -1
    for name in journey_templates():
        j = _template(name)
        cov = int(sum(int(c) for t, c in counts.items() if j.has_touchpoint(str(t))))
        if cov > best_cov or (cov == best_cov and name == "airline"):
            best, best_cov = j, cov
    return best


def language_counts(store: Any) -> dict[str, Any]:
    """Texts per language in the store and those carlzon does not read (their ratings alone are used):
    ``{"by_language": {lang: n}, "not_read": n, "not_read_languages": [lang, ...], "n_texts": n}``."""
    from carlzon.language import read_languages

    READ_LANGUAGES = read_languages()
    df = store.query(
        "SELECT language, COUNT(*) AS n FROM interactions WHERE text IS NOT NULL AND language IS NOT NULL "
        "GROUP BY language ORDER BY n DESC"
    )
    by = {str(r.language): int(r.n) for r in df.itertuples()}
    unread = {k: v for k, v in by.items() if k not in READ_LANGUAGES}
    return {
        "by_language": by,
        "not_read": int(sum(unread.values())),
        "not_read_languages": list(unread),
        "n_texts": int(sum(by.values())),
    }


def store_journey(store: Any) -> Journey | None:
    """The journey a store's moments were derived with (its ``"journey"`` note, written by ingest and
    redetect), or None for a store without one."""
    from carlzon.journey import journey_from_meta

    meta = getattr(store, "meta", None)
    note = meta("journey") if callable(meta) else None
    return journey_from_meta(note) if note else None


def report_context(
    moments: pd.DataFrame | None,
    journey: Journey | str | None = None,
    *,
    ratings: dict[str, pd.Series] | None = None,
    worst: pd.DataFrame | None = None,
    best: pd.DataFrame | None = None,
    n_customers: int | None = None,
    drivers: pd.DataFrame | None = None,
    emerging: Section | None = None,
    sections: Sequence[Section] = (),
    title: str | None = None,
    since: Any = None,
    until: Any = None,
    filters: dict[str, Any] | None = None,
    drivers_note: str = "",
    themes: dict[str, Any] | None = None,
    paths: dict[str, Any] | None = None,
    aggregates: Aggregates | None = None,
    backlog: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Everything the report (and the dashboard overview) shows, aggregated from ``moments``.

    ``moments`` needs touchpoint, valence, score, intensity and a time (``day`` or ``timestamp``).
    ``ratings`` (value counts), ``worst`` / ``best`` (strongest moments with text) and ``n_customers``
    come from :mod:`carlzon.report.query`; without them they are read from ``moments`` itself.
    ``aggregates`` (:mod:`carlzon.report.aggregates`, e.g. from the rollups) replaces ``moments`` and
    ``ratings`` for every aggregate figure; ``moments`` may then be None when worst, best, n_customers
    and emerging are given.
    ``drivers`` (touchpoint, importance, method) from :func:`carlzon.report.drivers.survey_drivers`
    sets the importance; without it, ``drivers_note`` says why no key-driver model was used.
    ``themes`` and ``paths`` come from :func:`carlzon.report.insights.themes_view` and
    :func:`~carlzon.report.insights.paths_view` (their sections are left out when None).
    ``backlog`` (open recovery cases per touchpoint, :func:`carlzon.report.verdict.recovery_backlog`)
    feeds the verdict with the quadrants, high-stakes misery and emerging problems.
    """
    frame = moments if moments is not None else pd.DataFrame()
    agg = aggregates if aggregates is not None else from_moments(frame, ratings)
    if not agg.n:
        raise NotEnoughDataError(
            "there are no moments to report on",
            where="report",
            fix="ingest data first (carlzon ingest FILE, or carlzon demo), or widen --since/--until",
        )
    by_tp = agg.by_touchpoint()
    j = (
        journey
        if isinstance(journey, Journey)
        else (load_journey(journey) if journey else guess_journey(pd.Series([], dtype=str), counts=by_tp["n"]))
    )
    from carlzon.analysis.key_moments import key_moment_table
    from carlzon.detect.ratings import describe_ratings

    table, key = key_moment_table(by_tp, j, drivers, drivers_note)  # what carlzon drivers and /api/drivers show
    trends, unit = trend_rows(agg.by_time())
    worst_q = quotes(frame if worst is None else worst, j, valence="misery")
    best_q = quotes(frame if best is None else best, j, valence="magic")
    if n_customers is None and moments is not None and "customer_id" in moments:
        n_customers = int(moments["customer_id"].nunique())
    with_data = table[(table["n"] > 0) | (table["survey_n"] > 0)]
    ipa_points = [
        {str(k): v for k, v in r.items()} for r in with_data.to_dict("records") if r["touchpoint"] != "unknown"
    ]
    x_mid, y_mid = table.attrs.get("x_mid"), table.attrs.get("y_mid")
    emerging_sec = emerging if emerging is not None else emerging_rows(agg.cells, j)
    v = verdict(table, emerging_sec, backlog)
    key = key.assign(
        verdict=[v.labels.get(t, {}).get("label", "") for t in key["touchpoint"]],
        verdict_key=[v.labels.get(t, {}).get("key", "") for t in key["touchpoint"]],
        verdict_note=[v.labels.get(t, {}).get("note", "") for t in key["touchpoint"]],
    )
    return {
        "title": title or f"Moments of truth: {j.title}",
        "journey": j,
        "generated": datetime.now(UTC),
        "period": agg.period(),
        "since": since,
        "until": until,
        "filters": filters or {},
        "n_moments": agg.n,
        "n_customers": n_customers,
        "headline": headline_rows(agg.n, int(by_tp["magic"].sum()), int(by_tp["misery"].sum()), agg.ratings),
        "figures_from": agg.source,
        "table": table.to_dict("records"),
        "key_moments": key.to_dict("records"),
        "importance_method": str(table["importance_method"].iloc[0]) if len(table) else "",
        "ratings_meaning": describe_ratings(j.thresholds),
        "performance_method": str(table["performance_method"].iloc[0]) if len(table) else "",
        "has_survey": bool((table["survey_n"] > 0).any()),
        "journey_map": Markup(charts.journey_map_svg(journey_map_data(table), title=j.title)),
        "ipa": Markup(
            charts.ipa_svg(
                ipa_points,
                x_mid=x_mid,
                y_mid=y_mid,
                x_label="Importance ("
                + ("key-driver model" if drivers is not None else "share of emotional intensity")
                + ")",
                y_label="Performance (" + str(table["performance_method"].iloc[0]) + ")",
            )
        ),
        "trend": Markup(charts.trend_svg(trends)),
        "trend_unit": unit,
        "trends": trends,
        "worst": worst_q,
        "best": best_q,
        "emerging": emerging_sec,
        "sections": list(sections),
        "themes": themes,
        "paths": paths,
        "actions": actions(table, worst_q, emerging=emerging_sec, backlog=backlog),
        "verdict": v,
        "quadrant_lists": {
            q: [
                {"name": r["name"], **v.labels.get(r["touchpoint"], {})}
                for r in with_data.to_dict("records")
                if r["quadrant"] == q and r["touchpoint"] != "unknown"
            ]
            for q in QUADRANTS
        },
    }


def watch_section(store: Any, scope: Scope, last_day: Any, journey: Journey, *, days: int = WATCH_DAYS) -> Section:
    """Emerging problems from :func:`carlzon.analysis.emerging.emerging_problems` (as `carlzon alerts` and the
    dashboard give them) on the last ``days`` days in scope."""
    from carlzon.analysis.emerging import emerging_problems
    from carlzon.report.sections import expected

    if last_day is None or pd.isna(last_day):
        return Section(
            title="Emerging problems",
            ran=False,
            summary="The moments carry no dates, so emerging problems cannot be checked.",
        )
    res = emerging_problems(store, scope, journey=journey, days=days)
    if not res["ran"]:
        return Section(title="Emerging problems", ran=False, summary=res["note"])
    found = res["alerts"]
    sec = Section(
        title="Emerging problems",
        empty="No emerging problems found.",
        method=res["method"],
        columns=["Touchpoint", "Theme", "Location", "Since", "Moments of misery (n) vs expected", "Example"],
    )
    n = len(found)
    sec.summary = f"{n} emerging problem{'' if n == 1 else 's'} in {res['n']:,} moments over {res['days']} days."
    sec.rows = [
        [
            a["touchpoint_name"],
            a["theme"] or "-",
            a["location"] or "all",
            a["since"],
            f"{a['count']:,} vs {expected(a['baseline'])} expected over {a['days']} day{'' if a['days'] == 1 else 's'}",
            (a["examples"] or [""])[0],
        ]
        for a in found
    ]
    return sec


def store_context(
    store: Any,
    scope: Scope = Scope(),
    *,
    journey: Journey | str | None = None,
    drivers: pd.DataFrame | None = None,
    emerging: Section | None = None,
    sections: Sequence[Section] = (),
    fit_drivers: bool = True,
    watch_days: int = WATCH_DAYS,
    themes: bool = True,
    paths: bool = True,
    theme_sample: int = THEME_SAMPLE,
    aggregates: Aggregates | None = None,
    customers_up_to: int | None = None,
    languages: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """:func:`report_context` for the moments of a store in ``scope``, read with aggregating SQL.

    The aggregate figures come from the rollups when they can answer ``scope`` (a period of whole
    UTC days, a channel, a touchpoint) and from the moments otherwise (a segment, a valence, a
    period inside a day): :mod:`carlzon.report.aggregates` (or ``aggregates`` read already); the
    same numbers either way. The strongest moments, the number of customers, emerging problems,
    themes and paths read moments. A distinct count of customers reads every moment in scope (about
    a second at ten million moments on PostgreSQL, however narrow the scope): with ``customers_up_to``
    it is left out, and ``customers_note`` says so, when the store holds more moments than that.
    ``languages`` is :func:`language_counts` read already (it is store-wide, whatever the scope).

    Emerging problems come from :func:`watch_section` over the last ``watch_days`` days (0: the
    simple built-in check of :func:`carlzon.report.data.emerging_check` instead). With ``themes``,
    "What customers talk about" fits themes on the ``theme_sample`` most recent moments of misery and
    as many of magic that have text (:func:`carlzon.report.insights.themes_view`). With ``paths``,
    "The journey customers really take" reads the store's event log: interactions with a customer, a
    timestamp and a step (their touchpoint) but no text and no rating (the rule of
    :mod:`carlzon.report.insights`); without event rows the section says there is no event log.
    """
    agg = aggregates if aggregates is not None else read_aggregates(store, scope)
    if not agg.n:
        return report_context(None, journey, aggregates=agg)  # raises NotEnoughDataError with the fix
    j = (
        journey
        if isinstance(journey, Journey)
        else (
            load_journey(journey)
            if journey
            else store_journey(store) or guess_journey(pd.Series([], dtype=str), counts=agg.by_touchpoint()["n"])
        )
    )
    note = ""
    if drivers is None and fit_drivers:
        drivers, note = survey_drivers(store, j)
    if emerging is None and watch_days:
        emerging = watch_section(store, scope, agg.period()[1], j, days=watch_days)
    count = customers_up_to is None or (agg.n <= customers_up_to and count_moments(store) <= customers_up_to)
    ctx = report_context(
        None,
        j,
        aggregates=agg,
        worst=strongest(store, scope, "misery"),
        best=strongest(store, scope, "magic"),
        n_customers=n_customers(store, scope) if count else None,
        drivers=drivers,
        emerging=emerging,
        sections=sections,
        since=scope.since,
        until=scope.until,
        drivers_note=note,
        themes=themes_view(store, scope, j, sample=theme_sample) if themes else None,
        paths=paths_view(store, scope, j) if paths else None,
        backlog=recovery_backlog(store),
    )
    ctx["languages"] = language_counts(store) if languages is None else languages
    ctx["customers_note"] = (
        ""
        if count
        else (
            f"customers are not counted in a store of more than {customers_up_to:,} moments: "
            "a distinct count reads every moment"
        )
    )
    return ctx


def render_report(context: dict[str, Any], *, include_personal_data: bool = False) -> str:
    """The report HTML for a :func:`report_context`: customers' e-mails, phones, names and the like
    masked (:mod:`carlzon.privacy.display`) unless ``include_personal_data`` (for internal use)."""
    from carlzon.privacy.display import showing_personal_data

    with showing_personal_data(include_personal_data):
        return jinja_env().get_template("report.html.j2").render(**context)


def build_report(
    store: Any,
    out: str | Path | None = "report.html",
    *,
    journey: Journey | str | None = None,
    since: Any = None,
    until: Any = None,
    drivers: pd.DataFrame | None = None,
    emerging: Section | None = None,
    sections: Sequence[Section] = (),
    include_personal_data: bool = False,
    locations: Sequence[str] | None = None,
) -> Path | str:
    """Write the report for a store (an open Store, a path or a URL) to ``out``; returns the path.

    With ``out=None`` the HTML is returned as a string instead. Personal data in customers' words
    (e-mails, phones, names, addresses, ...) is masked unless ``include_personal_data``. ``locations``
    limits the report to those places (see :mod:`carlzon.report.places`).
    """
    from carlzon.store import open_store

    own = not hasattr(store, "moments")
    st = (
        open_store(str(store), read_only=True) if own else store
    )  # a report writes nothing; a missing store is an error
    try:
        scope = Scope(since=since, until=until, locations=tuple(locations) if locations is not None else None)
        ctx = store_context(st, scope, journey=journey, drivers=drivers, emerging=emerging, sections=sections)
        from carlzon.survey.report import stated_views

        ctx["stated"] = stated_views(st)  # stated against derived importance, per survey of the store
    finally:
        if own:
            st.close()
    html = render_report(ctx, include_personal_data=include_personal_data)
    if out is None:
        return html
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
