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
from typing import Any, Callable, Sequence

import pandas as pd
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from carlzon import __version__
from carlzon.errors import NotEnoughDataError
from carlzon.journey import Journey, journey_templates, load_journey
from carlzon.report import charts
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

__all__ = [
    "build_report", "guess_journey", "jinja_env", "load_moments", "render_report", "report_context", "segment_mask",
]

_QUOTE_CANDIDATES = 300


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


_MOMENT_FIELDS = ("m.interaction_id, m.customer_id, m.timestamp, m.channel, m.touchpoint, m.valence, m.score, "
                  "m.intensity, m.stakes, i.nps, i.csat, i.stars")


def load_moments(store: Any, *, since: Any = None, until: Any = None, channel: str | None = None,
                 touchpoint: str | None = None, customer_id: str | None = None,
                 segment: tuple[str, str] | None = None) -> pd.DataFrame:
    """The moment columns the report needs (no text, no evidence: those are fetched for the quotes only).

    ``segment`` is an ``(attribute, value)`` pair matched against the interaction's attributes.
    """
    where, params = [], {}
    if since is not None:
        where.append("m.timestamp >= :since")
        params["since"] = pd.Timestamp(since, tz="UTC") if pd.Timestamp(since).tzinfo is None else pd.Timestamp(since)
    if until is not None:
        where.append("m.timestamp < :until")
        params["until"] = pd.Timestamp(until, tz="UTC") if pd.Timestamp(until).tzinfo is None else pd.Timestamp(until)
    for col, value in (("channel", channel), ("touchpoint", touchpoint), ("customer_id", customer_id)):
        if value:
            where.append(f"m.{col} = :{col}")
            params[col] = value
    fields = _MOMENT_FIELDS + (", i.attributes" if segment else "")
    sql = f"SELECT {fields} FROM moments m LEFT JOIN interactions i ON i.id = m.interaction_id"
    if where:
        sql += " WHERE " + " AND ".join(where)
    params = {k: (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v) for k, v in params.items()}
    df = store.query(sql, params or None)
    for c in ("score", "intensity", "nps", "csat", "stars"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    if segment:
        df = df[segment_mask(df["attributes"], *segment)].drop(columns="attributes")
    return df.reset_index(drop=True)


def segment_mask(attributes: pd.Series, key: str, value: str) -> pd.Series:
    """Rows whose attributes JSON has ``key`` equal to ``value`` (compared as text)."""
    import json

    def hit(raw: Any) -> bool:
        if not isinstance(raw, str) or key not in raw:
            return False
        try:
            obj = json.loads(raw)
        except ValueError:
            return False
        return isinstance(obj, dict) and key in obj and str(obj[key]) == value

    return attributes.map(hit).astype(bool)


def _text_fetcher(store: Any) -> Callable[[list[str]], pd.DataFrame]:
    def fetch(ids: list[str]) -> pd.DataFrame:
        out = []
        for k in range(0, len(ids), 500):
            chunk = ids[k:k + 500]
            names = {f"id{i}": v for i, v in enumerate(chunk)}
            out.append(store.query(
                "SELECT m.interaction_id, i.text, m.evidence FROM moments m JOIN interactions i ON i.id = m.interaction_id "
                f"WHERE m.interaction_id IN ({', '.join(':' + n for n in names)})", names))
        return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["interaction_id", "text", "evidence"])

    return fetch


def _with_text(moments: pd.DataFrame, fetch: Callable[[list[str]], pd.DataFrame] | None) -> pd.DataFrame:
    """Candidates for quotes (strongest misery and magic) with their text."""
    if "text" in moments.columns or fetch is None:
        return moments
    score = pd.to_numeric(moments["score"], errors="coerce")
    val = moments["valence"].astype(str)
    worst = score[val == "misery"].nsmallest(_QUOTE_CANDIDATES).index
    best = score[val == "magic"].nlargest(_QUOTE_CANDIDATES).index
    cand = moments.loc[worst.union(best)]
    if not len(cand):
        return cand.assign(text=pd.Series(dtype=str))
    texts = fetch(cand["interaction_id"].astype(str).tolist())
    return cand.merge(texts, on="interaction_id", how="left")


def report_context(moments: pd.DataFrame, journey: Journey | str | None = None, *,
                   fetch_text: Callable[[list[str]], pd.DataFrame] | None = None,
                   drivers: pd.DataFrame | None = None, emerging: Section | None = None,
                   sections: Sequence[Section] = (), title: str | None = None,
                   since: Any = None, until: Any = None, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the report (and the dashboard overview) shows, aggregated from ``moments``."""
    if not len(moments):
        raise NotEnoughDataError(
            "there are no moments to report on", where="report",
            fix="ingest data first (carlzon ingest FILE, or carlzon demo), or widen --since/--until",
        )
    j = journey if isinstance(journey, Journey) else (load_journey(journey) if journey else guess_journey(moments["touchpoint"]))
    table = touchpoint_table(moments, j, drivers=drivers)
    trends, unit = trend_table(moments)
    qsrc = _with_text(moments, fetch_text)
    worst = quotes(qsrc, j, valence="misery")
    best = quotes(qsrc, j, valence="magic")
    ts = pd.to_datetime(moments["timestamp"], utc=True, errors="coerce")
    with_data = table[table["n"] > 0]
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
        "n_customers": int(moments["customer_id"].nunique()) if "customer_id" in moments else None,
        "headline": headline(moments),
        "table": table.to_dict("records"),
        "key_moments": key.to_dict("records"),
        "importance_method": str(table["importance_method"].iloc[0]) if len(table) else "",
        "journey_map": Markup(charts.journey_map_svg(journey_map_data(table), title=j.title)),
        "ipa": Markup(charts.ipa_svg(ipa_points, x_mid=x_mid, y_mid=y_mid,
                                     x_label=f"Importance ({table['importance_method'].iloc[0]})",
                                     y_label="Performance (magic share minus misery share)")),
        "trend": Markup(charts.trend_svg(trends)),
        "trend_unit": unit,
        "trends": trends,
        "worst": worst,
        "best": best,
        "emerging": emerging if emerging is not None else emerging_check(moments, j),
        "sections": list(sections),
        "actions": actions(table, worst),
        "quadrant_lists": {q: [r["name"] for r in with_data.to_dict("records") if r["quadrant"] == q] for q in QUADRANTS},
    }


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
        moments = load_moments(st, since=since, until=until)
        ctx = report_context(moments, journey, fetch_text=_text_fetcher(st), drivers=drivers, emerging=emerging,
                             sections=sections, since=since, until=until)
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
