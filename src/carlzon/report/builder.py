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
from functools import lru_cache
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from carlzon import __version__
from carlzon.errors import NotEnoughDataError
from carlzon.journey import Journey, journey_templates, load_journey
from carlzon.report import charts
from carlzon.report.drivers import survey_drivers
from carlzon.report.insights import THEME_SAMPLE, WATCH_DAYS, paths_view, themes_view, watch_moments
from carlzon.report.query import Scope, load_frame, n_customers, rating_counts, strongest
from carlzon.report.data import (
    QUADRANTS,
    Section,
    actions,
    emerging_check,
    headline,
    journey_map_data,
    quotes,
    touchpoint_table,
    trend_table,
)

__all__ = ["build_report", "guess_journey", "jinja_env", "render_report", "report_context", "store_context"]


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
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{float(v) * 100:+.0f}"


def _fmt_date(v: Any, fmt: str = "%d %b %Y") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    ts = pd.Timestamp(v)
    return "–" if pd.isna(ts) else ts.strftime(fmt)


def jinja_env(extra_dirs: Sequence[str] = ()) -> Environment:
    """The Jinja2 environment shared by the report and the dashboard (autoescape always on)."""
    loader = ChoiceLoader([FileSystemLoader(list(extra_dirs) + [_templates_dir("carlzon.report")])])
    env = Environment(loader=loader, autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters.update(num=_fmt_num, pct=_fmt_pct, pts=_fmt_pts, date=_fmt_date)
    env.globals.update(charts=charts, version=__version__, colour=charts.balance_colour, QUADRANTS=QUADRANTS)
    return env


@lru_cache(maxsize=None)
def _template(name: str) -> Journey:
    return load_journey(name)


def guess_journey(touchpoints: pd.Series) -> Journey:
    """The built-in journey whose touchpoint ids cover most of the moments (airline on a tie)."""
    counts = touchpoints.fillna("unknown").astype(str).value_counts()
    best, best_cov = _template("airline"), -1
    for name in journey_templates():
        j = _template(name)
        cov = int(sum(c for t, c in counts.items() if j.has_touchpoint(t)))
        if cov > best_cov or (cov == best_cov and name == "airline"):
            best, best_cov = j, cov
    return best


def report_context(moments: pd.DataFrame, journey: Journey | str | None = None, *,
                   ratings: dict[str, pd.Series] | None = None, worst: pd.DataFrame | None = None,
                   best: pd.DataFrame | None = None, n_customers: int | None = None,
                   drivers: pd.DataFrame | None = None, emerging: Section | None = None,
                   sections: Sequence[Section] = (), title: str | None = None,
                   since: Any = None, until: Any = None, filters: dict[str, Any] | None = None,
                   drivers_note: str = "", themes: dict[str, Any] | None = None,
                   paths: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the report (and the dashboard overview) shows, aggregated from ``moments``.

    ``moments`` needs touchpoint, valence, score, intensity and a time (``day`` or ``timestamp``).
    ``ratings`` (value counts), ``worst`` / ``best`` (strongest moments with text) and ``n_customers``
    come from :mod:`carlzon.report.query`; without them they are read from ``moments`` itself.
    ``drivers`` (touchpoint, importance, method) from :func:`carlzon.report.drivers.survey_drivers`
    sets the importance; without it, ``drivers_note`` says why no key-driver model was used.
    ``themes`` and ``paths`` come from :func:`carlzon.report.insights.themes_view` and
    :func:`~carlzon.report.insights.paths_view` (their sections are left out when None).
    """
    if not len(moments):
        raise NotEnoughDataError(
            "there are no moments to report on", where="report",
            fix="ingest data first (carlzon ingest FILE, or carlzon demo), or widen --since/--until",
        )
    j = journey if isinstance(journey, Journey) else (load_journey(journey) if journey else guess_journey(moments["touchpoint"]))
    table = touchpoint_table(moments, j, drivers=drivers)
    if drivers is None and drivers_note:
        table["importance_method"] = f"share of emotional intensity; no key-driver model: {drivers_note}"
    trends, unit = trend_table(moments)
    worst_q = quotes(moments if worst is None else worst, j, valence="misery")
    best_q = quotes(moments if best is None else best, j, valence="magic")
    ts = moments["day"] if "day" in moments else pd.to_datetime(moments["timestamp"], utc=True, errors="coerce")
    if n_customers is None and "customer_id" in moments:
        n_customers = int(moments["customer_id"].nunique())
    with_data = table[(table["n"] > 0) | (table["survey_n"] > 0)]
    key = with_data[with_data["touchpoint"] != "unknown"].sort_values(
        ["importance", "n"], ascending=False, na_position="last")
    ipa_points = [r for r in with_data.to_dict("records") if r["touchpoint"] != "unknown"]
    x_mid, y_mid = table.attrs.get("x_mid"), table.attrs.get("y_mid")
    return {
        "title": title or f"Moments of truth: {j.title}",
        "journey": j,
        "generated": datetime.now(timezone.utc),
        "period": (ts.min(), ts.max()) if ts.notna().any() else (None, None),
        "since": since, "until": until, "filters": filters or {},
        "n_moments": len(moments),
        "n_customers": n_customers,
        "headline": headline(moments, ratings),
        "table": table.to_dict("records"),
        "key_moments": key.to_dict("records"),
        "importance_method": str(table["importance_method"].iloc[0]) if len(table) else "",
        "performance_method": str(table["performance_method"].iloc[0]) if len(table) else "",
        "has_survey": bool((table["survey_n"] > 0).any()),
        "journey_map": Markup(charts.journey_map_svg(journey_map_data(table), title=j.title)),
        "ipa": Markup(charts.ipa_svg(ipa_points, x_mid=x_mid, y_mid=y_mid,
                                     x_label="Importance (" + ("key-driver model" if drivers is not None else "share of emotional intensity") + ")",
                                     y_label="Performance (" + str(table["performance_method"].iloc[0]) + ")")),
        "trend": Markup(charts.trend_svg(trends)),
        "trend_unit": unit,
        "trends": trends,
        "worst": worst_q,
        "best": best_q,
        "emerging": emerging if emerging is not None else emerging_check(moments, j),
        "sections": list(sections),
        "themes": themes,
        "paths": paths,
        "actions": actions(table, worst_q),
        "quadrant_lists": {q: [r["name"] for r in with_data.to_dict("records") if r["quadrant"] == q] for q in QUADRANTS},
    }


def watch_section(store: Any, scope: Scope, last_day: Any, journey: Journey, *, days: int = WATCH_DAYS) -> Section:
    """Emerging problems from :func:`carlzon.analysis.alerts.alerts_section` on the last ``days`` days in scope."""
    from carlzon.analysis.alerts import alerts_section

    if last_day is None or pd.isna(last_day):
        return Section(title="Emerging problems", ran=False,
                       summary="The moments carry no dates, so emerging problems cannot be checked.")
    m = watch_moments(store, scope, last_day, days=days)
    try:
        sec = alerts_section(m)
    except NotEnoughDataError as exc:
        return Section(title="Emerging problems", ran=False, summary=str(exc))
    names = {t.id: t.name for t in journey.touchpoints}
    sec.rows = [[names.get(str(r[0]), r[0]), *r[1:]] for r in sec.rows]
    sec.method = f"{sec.method.rstrip('.')}; over the last {days} days of the period"
    return sec


def segment_match(attributes: pd.Series, key: str, value: str) -> pd.Series:
    """Rows whose attributes JSON has ``key`` equal to ``value`` (compared as text)."""
    from carlzon.schema import json_object

    def hit(raw: Any) -> bool:
        obj = json_object(raw) if isinstance(raw, str) else {}
        return key in obj and str(obj[key]) == value

    return attributes.map(hit).astype(bool)


def store_context(store: Any, scope: Scope = Scope(), *, journey: Journey | str | None = None,
                  drivers: pd.DataFrame | None = None, emerging: Section | None = None,
                  sections: Sequence[Section] = (), fit_drivers: bool = True,
                  watch_days: int = WATCH_DAYS, themes: bool = True, paths: bool = True,
                  theme_sample: int = THEME_SAMPLE) -> dict[str, Any]:
    """:func:`report_context` for the moments of a store in ``scope``, read with aggregating SQL.

    Emerging problems come from :func:`watch_section` over the last ``watch_days`` days (0: the
    simple built-in check of :func:`carlzon.report.data.emerging_check` instead). With ``themes``,
    "What customers talk about" fits themes on the ``theme_sample`` most recent moments of misery and
    as many of magic that have text (:func:`carlzon.report.insights.themes_view`). With ``paths``,
    "The journey customers really take" reads the store's event log: interactions with a customer, a
    timestamp and a step (their touchpoint) but no text and no rating (the rule of
    :mod:`carlzon.report.insights`); without event rows the section says there is no event log.
    """
    moments = load_frame(store, scope)
    if not len(moments):
        return report_context(moments, journey)  # raises NotEnoughDataError with the fix
    j = journey if isinstance(journey, Journey) else (
        load_journey(journey) if journey else guess_journey(moments["touchpoint"]))
    note = ""
    if drivers is None and fit_drivers:
        drivers, note = survey_drivers(store, j)
    if emerging is None and watch_days:
        emerging = watch_section(store, scope, moments["day"].max(), j, days=watch_days)
    return report_context(
        moments, j, ratings=rating_counts(store, scope), worst=strongest(store, scope, "misery"),
        best=strongest(store, scope, "magic"), n_customers=n_customers(store, scope), drivers=drivers,
        emerging=emerging, sections=sections, since=scope.since, until=scope.until, drivers_note=note,
        themes=themes_view(store, scope, j, sample=theme_sample) if themes else None,
        paths=paths_view(store, scope, j) if paths else None)


def render_report(context: dict[str, Any]) -> str:
    """The report HTML for a :func:`report_context`."""
    return jinja_env().get_template("report.html.j2").render(**context)


def build_report(store: Any, out: str | Path | None = "report.html", *, journey: Journey | str | None = None,
                 since: Any = None, until: Any = None, drivers: pd.DataFrame | None = None,
                 emerging: Section | None = None, sections: Sequence[Section] = ()) -> Path | str:
    """Write the report for a store (an open Store, a path or a URL) to ``out``; returns the path.

    With ``out=None`` the HTML is returned as a string instead.
    """
    from carlzon.store import open_store

    own = not hasattr(store, "moments")
    st = open_store(str(store)) if own else store
    try:
        ctx = store_context(st, Scope(since=since, until=until), journey=journey, drivers=drivers,
                            emerging=emerging, sections=sections)
    finally:
        if own:
            st.close()
    html = render_report(ctx)
    if out is None:
        return html
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
