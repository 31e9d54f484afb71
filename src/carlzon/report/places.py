"""Places in the report: the ranking section, a funnel plot, and one report per place with an index.

``carlzon report --location X`` writes a store manager's report (the usual report over the moments of
that place or level, with its focus areas and best practice); ``--by location`` writes one such file
per place and an ``index.html`` that compares them (the ranking of :mod:`carlzon.analysis.locations`
and its funnel plot: each place's score against its n, with the chain's 95% and 99.8% limits).

Example:
    >>> from carlzon.report.places import funnel_svg
    >>> import pandas as pd
    >>> f = pd.DataFrame({"name": ["A & B"], "n": [10], "score": [0.1], "low95": [-0.3], "high95": [0.5],
    ...                   "low998": [-0.5], "high998": [0.7]})
    >>> "A &amp; B" in funnel_svg(f, chain=0.1)
    True
"""

from __future__ import annotations

import math
import re
from html import escape
from pathlib import Path
from typing import Any
from collections.abc import Sequence

import pandas as pd

from carlzon.report.data import Section

__all__ = ["funnel_svg", "places_section", "write_by_location", "write_place_report"]


def _pm(v: Any) -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.2f}"


def places_section(ranking: Any, only: Sequence[str] | None = None) -> Section:
    """The ranking as a report section (all places, or the rows of ``only``), with focus areas and who to learn from."""
    t, f = ranking.table_, ranking.focus_
    if only is not None:
        t = t[t["location"].isin(only)]
    rows = []
    for r in t.itertuples():
        mine = f[f["location"] == r.location]
        focus = "; ".join(
            f"{tp} ({rate:.0%} misery vs {cr:.0%} chain, n = {n}" + (f"; learn from {lf})" if lf else ")")
            for tp, rate, cr, n, lf in mine.loc[
                mine["kind"] == "focus", ["touchpoint", "rate", "chain_rate", "n", "learn_from"]
            ].itertuples(index=False)
        )
        best = ", ".join(mine.loc[mine["kind"] == "best", "touchpoint"])
        rows.append(
            [
                r.rank,
                r.name,
                f"{r.n:,}",
                f"{_pm(r.score)} ({_pm(r.low)} to {_pm(r.high)})",
                f"{_pm(r.shrunk)} ({_pm(r.shrunk_low)} to {_pm(r.shrunk_high)})",
                r.vs_chain,
                focus or "-",
                best or "-",
            ]
        )
    c = ranking.chain_
    return Section(
        title="Places compared" if only is None else "This place against the chain",
        summary=(
            f"{c['places']} places, {c['n']:,} interactions; chain score {_pm(c['score'])} "
            "(magic minus misery share, higher is better)."
        ),
        columns=[
            "rank",
            "place",
            "n",
            "score (95% interval)",
            "shrunk (95% interval)",
            "vs chain",
            "focus areas",
            "best practice",
        ],
        rows=rows,
        empty="no place in scope",
        method=ranking.to_dict()["method"],
    )


def funnel_svg(funnel: pd.DataFrame, *, chain: float, width: int = 640, height: int = 360) -> str:
    """A funnel plot (inline SVG, labels escaped): score against n on a log axis, the chain's limits."""
    f = funnel.sort_values("n")
    left, right, top, bottom = 48, 12, 24, 40
    nmin, nmax = max(1.0, float(f["n"].min())), max(2.0, float(f["n"].max()))
    lo_n, hi_n = math.log(nmin), math.log(nmax) + 1e-9
    ys = pd.concat([f["score"], f["low998"], f["high998"]]).clip(-1, 1)
    ymin, ymax = float(ys.min()) - 0.05, float(ys.max()) + 0.05

    def x(n: float) -> float:
        return left + (math.log(max(n, 1.0)) - lo_n) / (hi_n - lo_n or 1) * (width - left - right)

    def y(v: float) -> float:
        return top + (ymax - min(max(v, -1), 1)) / (ymax - ymin or 1) * (height - top - bottom)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Funnel plot: each place\'s score against its number of interactions">'
    ]
    for col, dash in (("95", "4 3"), ("998", "1 3")):
        for side in ("low", "high"):
            pts = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in zip(f["n"], f[f"{side}{col}"]))
            parts.append(f'<polyline points="{pts}" fill="none" stroke="#6b7280" stroke-dasharray="{dash}"/>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(chain):.1f}" y2="{y(chain):.1f}" stroke="#1f2933"/>')
    for r in f.to_dict("records"):
        n, score = float(r["n"]), float(r["score"])
        out = score < float(r["low998"]) or score > float(r["high998"])
        colour = "#b2182b" if score < float(r["low95"]) else "#1b7837" if score > float(r["high95"]) else "#6b7280"
        parts.append(
            f'<circle cx="{x(n):.1f}" cy="{y(score):.1f}" r="{5 if out else 3.5}" fill="{colour}">'
            f"<title>{escape(str(r['name']))}: {score:+.2f}, n = {int(n):,}</title></circle>"
        )
    parts.append(
        f'<text x="{(left + width - right) / 2}" y="{height - 6}" text-anchor="middle" font-size="12">'
        "interactions (n, log scale)</text>"
    )
    parts.append(f'<text x="{left}" y="14" font-size="12">score (magic minus misery share)</text>')
    for n in sorted({int(nmin), int(nmax)}):
        parts.append(
            f'<text x="{x(n):.1f}" y="{height - bottom + 14}" text-anchor="middle" font-size="11">{n:,}</text>'
        )
    for v in (ymin + 0.05, chain, ymax - 0.05):
        parts.append(f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">{v:+.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _slug(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return s or "place"


def write_place_report(
    store: Any,
    out: str | Path,
    locations: Sequence[str],
    *,
    ranking: Any = None,
    journey: Any = None,
    since: Any = None,
    until: Any = None,
    include_personal_data: bool = False,
) -> Path:
    """The report over the moments of ``locations`` (one place or a level), with their focus areas."""
    from carlzon.report.builder import build_report

    sections = [places_section(ranking, only=list(locations))] if ranking is not None else []
    return Path(
        build_report(
            store,
            out,
            journey=journey,
            since=since,
            until=until,
            sections=sections,
            locations=tuple(locations),
            include_personal_data=include_personal_data,
        )
    )


def write_by_location(
    store: Any,
    folder: str | Path,
    *,
    hierarchy: Any = None,
    journey: Any = None,
    since: Any = None,
    until: Any = None,
    include_personal_data: bool = False,
) -> Path:
    """One report per place in ``folder`` and an ``index.html`` comparing them; returns the index's path."""
    from carlzon.analysis.locations import rank_locations
    from carlzon.report.query import Scope

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    r = rank_locations(store, Scope(since=since, until=until), hierarchy=hierarchy)
    links, used = [], set()
    for row in r.table_.itertuples():
        slug = _slug(str(row.location))
        while slug in used:
            slug += "_"
        used.add(slug)
        write_place_report(
            store,
            folder / f"{slug}.html",
            [str(row.location)],
            ranking=r,
            journey=journey,
            since=since,
            until=until,
            include_personal_data=include_personal_data,
        )
        links.append((row, f"{slug}.html"))
    sec = places_section(r)
    head = "".join(f"<th>{escape(c)}</th>" for c in sec.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td><a href="{escape(href)}">{escape(str(v))}</a></td>' if k == 1 else f"<td>{escape(str(v))}</td>"
            for k, v in enumerate(cells)
        )
        + "</tr>"
        for cells, (_, href) in zip(sec.rows, links)
    )
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><title>Places compared</title>"
        "<style>body{font:15px/1.45 system-ui,sans-serif;margin:1rem auto;max-width:64rem;padding:0 1rem;color:#1f2933}"
        "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:.3rem;text-align:left;"
        "vertical-align:top}.wrap{overflow-x:auto}svg{max-width:100%;height:auto}</style></head><body>"
        f"<h1>Places compared</h1><p>{escape(sec.summary)} Each place's own report: its name in the table.</p>"
        f"<figure>{funnel_svg(r.funnel(), chain=r.chain_['score'])}<figcaption>Funnel plot: a place outside the dashed "
        "lines (95%) or the dotted ones (99.8%) differs from the chain by more than chance at its n.</figcaption></figure>"
        f"<div class='wrap'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        f"<p><small>{escape(sec.method)}</small></p></body></html>"
    )
    index = folder / "index.html"
    index.write_text(html, encoding="utf-8")
    return index
