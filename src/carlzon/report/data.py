"""Turn moments into the figures the report and the dashboard show.

Everything here is a plain function over a moments DataFrame (the columns of
``store.moments()``), so the same numbers feed the HTML report, the dashboard
pages and the JSON API. Aggregation happens before anything is rendered, so a
report over a million moments stays small.

Example:
    >>> import pandas as pd
    >>> from carlzon.report.data import touchpoint_table
    >>> m = pd.DataFrame({"touchpoint": ["gate", "gate", "seat"], "valence": ["misery", "magic", "magic"],
    ...                   "score": [-0.8, 0.6, 0.7], "intensity": [0.9, 0.5, 0.4]})
    >>> int(touchpoint_table(m, "airline").set_index("touchpoint").loc["gate", "n"])
    2
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from carlzon.analysis.intervals import nps_interval
from carlzon.journey import Journey, load_journey
from carlzon.report.stats import balance_interval, wilson
from carlzon.schema import NOT_FROM_TEXT

__all__ = [
    "Quote",
    "Section",
    "actions",
    "emerging_check",
    "emerging_rows",
    "headline",
    "headline_rows",
    "parse_evidence",
    "quadrants",
    "quotes",
    "touchpoint_rows",
    "touchpoint_table",
    "trend_rows",
    "trend_table",
]

QUADRANTS = {
    "concentrate": "Concentrate here",
    "keep": "Keep up the good work",
    "overkill": "Possible overkill",
    "low": "Low priority",
}


@dataclass
class Section:
    """A plug-in section (e.g. emerging problems from carlzon.watch): a title, a summary and a table.

    ``ran`` is False when the analysis behind it did not run; ``rows`` empty with ``ran`` True
    shows ``empty`` (e.g. "no emerging problems found"). Every cell is escaped when rendered.
    """

    title: str
    summary: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    empty: str = "nothing found"
    ran: bool = True
    method: str = ""
    keys: list[str] = field(default_factory=list)
    """The touchpoint id of each row, where rows name touchpoints (for the verdict of the report)."""


@dataclass
class Quote:
    """One moment in the customer's own words, with its evidence."""

    interaction_id: str
    text: str
    touchpoint: str
    touchpoint_name: str
    valence: str
    score: float
    intensity: float
    stakes: str
    channel: str
    customer_id: str
    timestamp: datetime | None
    evidence: list[dict[str, Any]]
    before: str = ""
    mark: str = ""
    after: str = ""
    """The quote shown: the moment's span (``mark``) with a little context (:func:`carlzon.report.quoting.quote`)."""


def _journey(journey: Journey | str | None) -> Journey:
    return journey if isinstance(journey, Journey) else load_journey(journey or "airline")


def parse_evidence(raw: Any) -> list[dict[str, Any]]:
    """Evidence as a list of dicts, from a JSON string or a list (bad JSON becomes one text item)."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return []
    if isinstance(raw, list):
        return [e if isinstance(e, dict) else {"text": str(e)} for e in raw]
    try:
        val = json.loads(raw)
    except (TypeError, ValueError):
        return [{"rule": "reason", "text": str(raw)}]
    if isinstance(val, dict):
        return [val]
    return [e if isinstance(e, dict) else {"text": str(e)} for e in (val or [])]


def touchpoint_table(
    moments: pd.DataFrame, journey: Journey | str | None = None, drivers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per touchpoint of the journey, in journey order, plus 'unknown' when present.

    Columns: touchpoint, name, stage, stage_name, phase, stakes, n, magic, misery, neutral,
    magic_rate(+_low/_high), misery_rate(+_low/_high), balance(+_low/_high) (magic share minus
    misery share), score(+_low/_high), importance, importance_method, performance, quadrant.
    ``drivers`` (touchpoint, importance[, performance]) from a key-driver model replaces the
    default importance: the touchpoint's share of all emotional intensity in the data.
    """
    from carlzon.report.aggregates import from_moments

    return touchpoint_rows(from_moments(moments).by_touchpoint(), journey, drivers)


def touchpoint_rows(
    sums: pd.DataFrame, journey: Journey | str | None = None, drivers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """:func:`touchpoint_table` from exact sums per touchpoint (index; columns of
    :data:`carlzon.report.aggregates.CELL_SUMS`), as the rollups or the moments give them."""
    from carlzon.analysis.sums import mean_from_sums

    j = _journey(journey)
    agg = sums
    total_int = int(agg["intensity_u"].sum()) if len(agg) else 0
    order: list[tuple[Any, Any]] = [(t, s) for s in j.stages for t in s.touchpoints]
    extra = [str(t) for t in agg.index if not j.has_touchpoint(str(t))]
    rows = []
    for t, s in order + [(x, None) for x in sorted(extra)]:
        tid: str = t.id if s is not None else t
        a: Any = agg.loc[tid] if tid in agg.index else None
        n = int(a["n"]) if a is not None else 0
        mg = int(a["magic"]) if a is not None else 0
        ms = int(a["misery"]) if a is not None else 0
        bal, blo, bhi = balance_interval(mg, ms, n)
        mlo, mhi = wilson(mg, n)
        xlo, xhi = wilson(ms, n)
        sc = [
            v[0]
            for v in mean_from_sums(
                [a["score_n"] if a is not None else 0],
                [a["score_u"] if a is not None else 0],
                [a["score_uu"] if a is not None else 0],
            )
        ]
        rows.append(
            {
                "touchpoint": tid,
                "name": t.name if s is not None else ("Not assigned to a touchpoint" if tid == "unknown" else tid),
                "stage": s.id if s is not None else "",
                "stage_name": s.name if s is not None else "Other",
                "phase": t.phase if s is not None else "",
                "stakes": t.stakes if s is not None else "",
                "n": n,
                "magic": mg,
                "misery": ms,
                "neutral": n - mg - ms,
                "magic_rate": mg / n if n else math.nan,
                "magic_rate_low": mlo,
                "magic_rate_high": mhi,
                "misery_rate": ms / n if n else math.nan,
                "misery_rate_low": xlo,
                "misery_rate_high": xhi,
                "balance": bal,
                "balance_low": blo,
                "balance_high": bhi,
                "score": float(sc[0]),
                "score_low": float(sc[1]),
                "score_high": float(sc[2]),
                "importance": (int(a["intensity_u"]) / (total_int or 1))
                if a is not None and tid != "unknown"
                else math.nan,
                "importance_method": "share of emotional intensity",
            }
        )
    out = pd.DataFrame(rows)
    out["survey_n"] = 0
    out["performance"] = out["balance"]
    out["performance_method"] = "magic share minus misery share"
    if drivers is not None and len(drivers):
        d = drivers.set_index("touchpoint")
        out["importance"] = out["touchpoint"].map(d["importance"]).astype(float)
        out["importance_method"] = str(d["method"].iloc[0]) if "method" in d else "key-driver model"
        if "performance" in d:
            out["performance"] = out["touchpoint"].map(d["performance"]).astype(float)
            out["survey_n"] = out["touchpoint"].map(d["survey_n"]).fillna(0).astype(int) if "survey_n" in d else 0
            out["performance_method"] = (
                str(d["performance_method"].iloc[0]) if "performance_method" in d else "survey rating"
            )
            out.attrs["scale"] = drivers.attrs.get("scale", (1.0, 5.0))
    return quadrants(out)


def quadrants(table: pd.DataFrame) -> pd.DataFrame:
    """Add a ``quadrant`` column: importance and performance against their means over touchpoints with data."""
    t = table.copy()
    ok = t["importance"].notna() & t["performance"].notna() & ((t["n"] > 0) | (t.get("survey_n", 0) > 0))
    t["quadrant"] = ""
    if ok.sum() >= 2:
        xm, ym = t.loc[ok, "importance"].mean(), t.loc[ok, "performance"].mean()
        hi_imp, hi_perf = t["importance"] >= xm, t["performance"] >= ym
        t.loc[ok & hi_imp & ~hi_perf, "quadrant"] = "concentrate"
        t.loc[ok & hi_imp & hi_perf, "quadrant"] = "keep"
        t.loc[ok & ~hi_imp & hi_perf, "quadrant"] = "overkill"
        t.loc[ok & ~hi_imp & ~hi_perf, "quadrant"] = "low"
        t.attrs["x_mid"], t.attrs["y_mid"] = float(xm), float(ym)
    return t


TREND_MIN_N = 30
"""A period of the trend needs this many moments to be drawn as a point of the line (fewer: hollow, not joined)."""

_FREQS = (("D", "day"), ("W", "week"), ("M", "month"), ("Q", "quarter"))


def _freq(ts: pd.Series) -> tuple[str, str]:
    span = (ts.max() - ts.min()).days if len(ts) else 0
    if span <= 45:
        return "D", "day"
    if span <= 400:
        return "W", "week"
    return "M", "month"


def _periods(by_time: pd.DataFrame, freq: str) -> pd.DataFrame:
    ts = pd.Series(by_time.index, index=by_time.index)
    key = ts.dt.tz_convert(None).dt.to_period(freq).dt.start_time
    return by_time.groupby(key.to_numpy())[["n", "magic", "misery"]].sum()


def trend_table(moments: pd.DataFrame) -> tuple[list[dict[str, Any]], str]:
    """Magic and misery shares per period (day, week or month by span), with Wilson intervals."""
    from carlzon.report.aggregates import from_moments

    return trend_rows(from_moments(moments).by_time())


def trend_rows(by_time: pd.DataFrame) -> tuple[list[dict[str, Any]], str]:
    """:func:`trend_table` from n, magic and misery per time (UTC datetimes as the index)."""
    if not len(by_time):
        return [], "period"
    ts = pd.Series(by_time.index, index=by_time.index)
    first, _ = _freq(ts)
    # the finest period at or above the span's own in which nine periods in ten have enough moments
    start = [f for f, _ in _FREQS].index(first)
    agg, unit = pd.DataFrame(), ""
    for f, u in _FREQS[start:]:
        agg, unit = _periods(by_time, f), u
        if len(agg) < 4 or (agg["n"] >= TREND_MIN_N).mean() >= 0.9:
            break
    out = []
    p: Any
    for p, a in agg.iterrows():
        n, mg, ms = int(a["n"]), int(a["magic"]), int(a["misery"])
        mlo, mhi = wilson(mg, n)
        xlo, xhi = wilson(ms, n)
        out.append(
            {
                "period": pd.Timestamp(p).to_pydatetime(),
                "n": n,
                "magic": mg,
                "misery": ms,
                "magic_rate": mg / n if n else math.nan,
                "magic_rate_low": mlo,
                "magic_rate_high": mhi,
                "misery_rate": ms / n if n else math.nan,
                "misery_rate_low": xlo,
                "misery_rate_high": xhi,
                "too_few": n < TREND_MIN_N,
                "min_n": TREND_MIN_N,
            }
        )
    return out, unit


def headline(moments: pd.DataFrame, ratings: dict[str, pd.Series] | None = None) -> list[dict[str, Any]]:
    """Headline figures with n and intervals: moments of magic and misery, NPS, CSAT, stars.

    ``ratings`` maps nps / csat / stars to value counts (from :func:`carlzon.report.query.rating_counts`);
    without it the ratings are read from the columns of ``moments``.
    """
    from carlzon.report.aggregates import from_moments

    agg = from_moments(moments, ratings)
    tp = agg.by_touchpoint()
    return headline_rows(agg.n, int(tp["magic"].sum()), int(tp["misery"].sum()), agg.ratings)


def headline_rows(n: int, magic: int, misery: int, ratings: dict[str, int]) -> list[dict[str, Any]]:
    """:func:`headline` from counts and the exact rating sums of :data:`carlzon.report.aggregates.RATING_SUMS`."""
    from carlzon.analysis.sums import mean_from_sums

    mg, ms = magic, misery
    out = []
    lo, hi = wilson(mg, n)
    out.append(
        {
            "key": "magic",
            "label": "Moments of magic",
            "value": mg / n * 100 if n else math.nan,
            "low": lo * 100,
            "high": hi * 100,
            "n": n,
            "unit": "%",
            "count": mg,
        }
    )
    lo, hi = wilson(ms, n)
    out.append(
        {
            "key": "misery",
            "label": "Moments of misery",
            "value": ms / n * 100 if n else math.nan,
            "low": lo * 100,
            "high": hi * 100,
            "n": n,
            "unit": "%",
            "count": ms,
        }
    )
    pro, pas, det = (int(ratings.get(k, 0)) for k in ("promoters", "passives", "detractors"))
    if pro + pas + det:
        v, lo, hi = nps_interval(pro, pas, det)  # adjusted-Wald, as `carlzon metrics`
        out.append(
            {
                "key": "nps",
                "label": "Net Promoter Score",
                "value": v,
                "low": lo,
                "high": hi,
                "n": pro + pas + det,
                "unit": "",
            }
        )
    k = int(ratings.get("csat_n", 0))
    if k:
        sat = int(ratings.get("csat_top2", 0))
        lo, hi = wilson(sat, k)
        out.append(
            {
                "key": "csat",
                "label": "Satisfied (CSAT 4-5)",
                "value": sat / k * 100,
                "low": lo * 100,
                "high": hi * 100,
                "n": k,
                "unit": "%",
            }
        )
    k = int(ratings.get("stars_n", 0))
    if k:
        m, lo, hi = (float(v[0]) for v in mean_from_sums([k], [ratings["stars_u"]], [ratings["stars_uu"]]))
        out.append({"key": "stars", "label": "Average stars", "value": m, "low": lo, "high": hi, "n": k, "unit": "/5"})
    return out


def quotes(
    moments: pd.DataFrame, journey: Journey | str | None = None, *, valence: str = "misery", k: int = 6
) -> list[Quote]:
    """The ``k`` strongest moments of one valence read from their text, strongest first (a moment from
    a rating alone is left out: the comment beside it may speak of something else)."""
    j = _journey(journey)
    m = moments[(moments["valence"].astype(str) == valence)]
    if "text" not in m:
        return []
    m = m[m["text"].fillna("").astype(str).str.strip() != ""]
    if "basis" in m:
        m = m[~m["basis"].isin(NOT_FROM_TEXT)]
    if not len(m):
        return []
    score = pd.to_numeric(m["score"], errors="coerce").fillna(0.0)
    inten = pd.to_numeric(m["intensity"], errors="coerce").fillna(0.0) if "intensity" in m else 0.0
    rank = (score if valence == "misery" else -score) - 0.001 * inten
    # the same words twice (a copied review, a template reply) make one quote
    m = m.assign(_r=rank.to_numpy()).sort_values("_r", kind="stable").drop_duplicates("text").head(k)
    from carlzon.report.quoting import clean_evidence, quote_parts

    out = []
    for _, r in m.iterrows():
        ev = parse_evidence(r.get("evidence"))
        spans = r.get("spans")
        if not isinstance(spans, (str, list)) or not spans:
            spans = [e["span"] for e in ev if isinstance(e.get("span"), (list, tuple))]
        before, mark, after = quote_parts(r["text"], spans, 60)
        tid = str(r.get("touchpoint") or "unknown")
        name = j.touchpoint(tid).name if j.has_touchpoint(tid) else "Not assigned to a touchpoint"
        stamp: Any = r.get("timestamp")
        ts = pd.to_datetime(stamp, utc=True, errors="coerce")
        out.append(
            Quote(
                interaction_id=str(r.get("interaction_id", "")),
                text=str(r["text"]),
                touchpoint=tid,
                touchpoint_name=name,
                valence=valence,
                score=float(r.get("score") or 0.0),
                intensity=float(r.get("intensity") or 0.0),
                stakes=str(r.get("stakes") or ""),
                channel=str(r.get("channel") or ""),
                customer_id=str(r.get("customer_id") or ""),
                timestamp=None if pd.isna(ts) else ts.to_pydatetime(),
                evidence=clean_evidence(ev),
                before=before,
                mark=mark,
                after=after,
            )
        )
    return out


def emerging_check(
    moments: pd.DataFrame, journey: Journey | str | None = None, *, recent_days: int = 14, min_n: int = 30
) -> Section:
    """A simple check for emerging problems: a touchpoint whose misery share in the last
    ``recent_days`` is clearly above its share before (two-proportion z-test, Bonferroni over touchpoints).

    Used when no alert analysis (carlzon.watch) is plugged in; the section says which method ran.
    """
    from carlzon.report.aggregates import from_moments

    return emerging_rows(from_moments(moments).cells, journey, recent_days=recent_days, min_n=min_n)


def emerging_rows(
    cells: pd.DataFrame, journey: Journey | str | None = None, *, recent_days: int = 14, min_n: int = 30
) -> Section:
    """:func:`emerging_check` from n and misery per (time, touchpoint) cell, as the rollups or the moments give them."""
    j = _journey(journey)
    method = (
        f"misery share in the last {recent_days} days against the period before, per touchpoint; "
        "two-proportion test (continuity-corrected, at least 5 recent moments of misery) at 5% with a Bonferroni correction"
    )
    ts = cells["time"]
    sec = Section(
        title="Emerging problems",
        empty="No emerging problems found.",
        method=method,
        columns=["Touchpoint", "Misery before", "Misery recently", "Change", "n before", "n recently"],
    )
    if ts.notna().sum() == 0:
        sec.ran, sec.summary = False, "No timestamps, so emerging problems cannot be checked."
        return sec
    cut = ts.max() - pd.Timedelta(days=recent_days)
    df = pd.DataFrame(
        {"tp": cells["touchpoint"], "recent": (ts > cut).to_numpy(), "size": cells["n"], "sum": cells["misery"]}
    )
    g = df.groupby(["tp", "recent"])[["size", "sum"]].sum().unstack(fill_value=0)
    if ("size", False) not in g or ("size", True) not in g:
        sec.ran, sec.summary = False, "All data fall in one period, so emerging problems cannot be checked."
        return sec
    tests = []
    t: Any
    for t, r in g.iterrows():
        n0, k0, n1, k1 = int(r[("size", False)]), int(r[("sum", False)]), int(r[("size", True)]), int(r[("sum", True)])
        if n0 < min_n or n1 < min_n:
            continue
        p = (k0 + k1) / (n0 + n1)
        se = math.sqrt(p * (1 - p) * (1 / n0 + 1 / n1)) or 1e-12
        cc = 0.5 * (1 / n0 + 1 / n1)  # continuity correction: small counts do not raise alarms
        z = (k1 / n1 - k0 / n0 - cc) / se if k1 >= 5 else 0.0
        tests.append((t, n0, k0, n1, k1, z, 0.5 * math.erfc(z / math.sqrt(2))))
    alpha = 0.05 / max(len(tests), 1)
    for t, n0, k0, n1, k1, _z, pval in sorted(tests, key=lambda x: x[6]):
        if pval < alpha:
            name = j.touchpoint(t).name if j.has_touchpoint(t) else t
            sec.rows.append(
                [
                    name,
                    f"{k0 / n0:.0%}",
                    f"{k1 / n1:.0%}",
                    f"{(k1 / n1 - k0 / n0) * 100:+.0f} points",
                    f"{n0:,}",
                    f"{n1:,}",
                ]
            )
    k = len(sec.rows)
    sec.summary = (
        f"{k} touchpoint{'s' if k != 1 else ''} with clearly more misery recently."
        if sec.rows
        else f"Checked {len(tests)} touchpoint{'s' if len(tests) != 1 else ''} with at least {min_n} "
        "moments in both periods."
    )
    return sec


def actions(
    table: pd.DataFrame,
    worst: list[Quote] | None = None,
    *,
    emerging: Section | None = None,
    backlog: dict[str, int] | None = None,
    k: int = 5,
    min_n: int = 30,
) -> list[str]:
    """ "What to do first", in plain words: the verdict of :func:`carlzon.report.verdict.verdict` (every
    signal: quadrants, high-stakes misery, emerging problems, recovery backlog; touchpoints with fewer
    than ``min_n`` moments or ratings are named as too early to judge, not as fixes). ``worst`` is kept
    for callers of the old signature; the verdict does not need it."""
    from carlzon.report.verdict import verdict

    v = verdict(table, emerging, backlog, min_n=min_n)
    out = [f"Fix {f['name']} first: {'; '.join(f['reasons'])}." for f in v.fix[:k]]
    if len(v.fix) > k:
        out.append("Then: " + ", ".join(f["name"] for f in v.fix[k:]) + ".")
    if v.early:
        out.append(
            f"Hear more about {', '.join(e['name'] for e in v.early)}: they look weak, but with fewer than "
            f"{min_n} moments each it is too early to judge."
        )
    if v.protect:
        names = [p["name"] for p in v.protect[:2]]
        verb = "matters and already does well" if len(names) == 1 else "matter and already do well"
        out.append(f"Protect what works: {' and '.join(names)} {verb}; keep doing what you do there.")
    over = [t for t, lab in v.labels.items() if lab["key"] == "overkill"]
    if over:
        tp_names = dict(zip(table["touchpoint"], table["name"]))
        listed = [tp_names[t] for t in over[:2]]
        verb = "it moves" if len(listed) == 1 else "they move"
        out.append(f"Do not spend more on {' and '.join(listed)}: customers are happy there but {verb} them less.")
    total = sum(v.backlog.values())
    if total:
        tp_names = dict(zip(table["touchpoint"], table["name"]))
        top = max(v.backlog, key=lambda t: v.backlog[t])
        out.append(
            f"Clear the recovery backlog: {total:,} cases still open, most at {tp_names.get(top, top)} "
            f"({v.backlog[top]:,})."
        )
    if not out:
        out.append("Not enough moments per touchpoint to rank what to do first; collect more feedback.")
    return out


def journey_map_data(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Stages with their touchpoints, for :func:`carlzon.report.charts.journey_map_svg`."""
    t = table[table["stage"] != ""]
    imp = t["importance"].fillna(0.0)
    top = float(imp.max()) or 1.0
    stages: list[dict[str, Any]] = []
    for _stage, g in t.groupby("stage", sort=False):
        stages.append(
            {
                "name": g["stage_name"].iloc[0],
                "touchpoints": [
                    {
                        "id": r["touchpoint"],
                        "name": r["name"],
                        "balance": _map_balance(r, table.attrs.get("scale")),
                        "n": int(r["n"]) or int(r.get("survey_n", 0)),
                        "rated": bool(not r["n"] and r.get("survey_n", 0)),
                        "importance": (0.0 if np.isnan(r["importance"]) else r["importance"] / top),
                    }
                    for _, r in g.iterrows()
                ],
            }
        )
    return stages


def _map_balance(r: Any, scale: tuple[float, float] | None) -> float:
    """The balance of moments; for a touchpoint known only from survey ratings, its mean rating on [-1, 1]."""
    if r["n"] or not r.get("survey_n", 0) or scale is None or scale[1] <= scale[0]:
        return r["balance"]
    lo, hi = scale
    return float((r["performance"] - (lo + hi) / 2) / ((hi - lo) / 2))
