"""Report sections (:class:`~carlzon.report.data.Section` tables) built from fitted analyses.

The analyses in :mod:`carlzon.analysis` know nothing of the report; this module turns their results
into the plain tables the report shows, so the import runs one way only (report -> analysis).

Example:
    >>> from carlzon.report.sections import plural
    >>> plural(1, "emerging problem"), plural(2_500, "moment")
    ('1 emerging problem', '2,500 moments')
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from carlzon.report.data import Section

__all__ = ["alerts_section", "paths_section", "plural", "themes_section"]


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` with thousands separators and the word in the right number ("1 problem", "3 problems")."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def alerts_section(moments: pd.DataFrame, *, since: Any = None, **options: Any) -> Section:
    """The report's "Emerging problems" section from :class:`carlzon.analysis.alerts.EmergingProblems`
    fitted on ``moments`` (alerts still active on or after ``since``). Expected counts are whole numbers
    when they are large and one decimal when small; the touchpoint ids stay in ``Section.keys``."""
    from carlzon.analysis.alerts import EmergingProblems

    ep = EmergingProblems(**options)
    found = ep.fit(moments).to_records(since=since)
    sec = Section(
        title="Emerging problems",
        empty="No emerging problems found.",
        method=(
            f"daily counts of misery per touchpoint, location and phrase against their own "
            f"{ep.window}-day baseline (negative-binomial upper tail); Benjamini-Hochberg "
            f"false-discovery control at {ep.fdr}"
        ),
        columns=["Touchpoint", "Theme", "Location", "Since", "Moments of misery (n) vs expected", "Example"],
    )
    sec.summary = (
        f"{plural(len(found), 'emerging problem')} in {ep.n_:,} moments over {ep.n_days_} days: "
        "a touchpoint, place or phrase with more misery than its own recent baseline."
    )
    sec.rows = [
        [
            a["touchpoint"],
            a["theme"] or "-",
            a["location"] or "all",
            a["since"],
            f"{a['count']:,} vs {expected(a['baseline'])} expected over {plural(int(a['days']), 'day')}",
            (a["examples"] or [""])[0],
        ]
        for a in found
    ]
    sec.keys = [str(a["touchpoint"]) for a in found]
    return sec


def expected(v: Any) -> str:
    """An expected count as people read it: "41" (not 41.25), "2.5" below 10, "under 0.1".

    >>> expected(41.25), expected(2.46), expected(0.01)
    ('41', '2.5', 'under 0.1')
    """
    x = float(v)
    if x < 0.1:
        return "under 0.1"
    return f"{x:,.0f}" if x >= 10 else f"{x:.1f}"


def themes_section(themes: Any, *, valence: str = "misery", top: int = 10) -> Section:
    """A section with the largest themes of one valence of a fitted :class:`carlzon.analysis.themes.Themes`."""
    themes._check_fitted()
    t = themes.themes_[themes.themes_["valence"] == valence].nlargest(top, "n")
    return Section(
        title=f"What customers talk about: {'moments of misery' if valence == 'misery' else 'moments of magic'}",
        summary=(
            f"The {plural(len(t), 'largest theme')}; {themes.unassigned_share_:.0%} of "
            f"{themes.n_:,} moments are in no theme."
        ),
        columns=["Touchpoint", "Theme", "Moments (n)", "Share of touchpoint", "Trend", "Example"],
        rows=[
            [
                r.touchpoint,
                r.label,
                r.n,
                f"{r.share:.0%} of {r.group_n:,}",
                f"{r.trend} (n = {r.trend_n:,})",
                (r.examples or [""])[0],
            ]
            for r in t.itertuples()
        ],
        empty="No themes found.",
        method=f"TF-IDF + k-means per touchpoint ({themes.method}), seed {themes.seed}",
    )


def paths_section(paths: Any) -> Section:
    """A section of a fitted :class:`carlzon.analysis.paths.JourneyPaths`: steps in journey order (pair
    it with its ``svg()``)."""
    paths._check_fitted()
    mis = paths.misery_.set_index("step") if len(paths.misery_) else None
    rows = []
    for r in paths.steps_.itertuples():
        m = f"{mis.at[r.step, 'per_100_cases']:.1f} (n = {mis.at[r.step, 'misery']:,})" if mis is not None else "-"
        rows.append([r.step, r.cases, f"{r.drop_off:.0%} [{r.low:.0%}, {r.high:.0%}]", m])
    unmapped = ", ".join(paths.unmapped_["step"]) or "none"
    return Section(
        title="The journey customers really take",
        summary=(
            f"{paths.n_events_:,} events, {paths.n_cases_:,} cases of {paths.n_customers_:,} customers, "
            f"{plural(paths.n_variants_, 'different path')}. Steps that match no touchpoint: {unmapped}."
        ),
        columns=["Step", "Cases reaching it", "Ended here [95% CI]", "Misery per 100 cases"],
        rows=rows,
        empty="No events.",
        method=f"cases split after {paths.case_gap} without events",
    )
