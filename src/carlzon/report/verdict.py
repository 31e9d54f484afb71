"""One verdict per touchpoint: what to fix first, what to protect, what is new, by one rule.

Every signal the report shows feeds it: the importance-performance quadrants (drivers), misery at
high-stakes touchpoints, emerging problems and the recovery backlog. Each touchpoint gets exactly one
label (fix first, too early to judge, keep up the good work, possible overkill, low priority), so no
two parts of the report contradict each other; a label that could surprise carries its reason.

Example:
    >>> import pandas as pd
    >>> t = pd.DataFrame({"touchpoint": ["bag", "seat"], "name": ["Baggage", "Seat"], "stakes": ["high", ""],
    ...     "n": [400, 400], "misery": [240, 80], "magic": [60, 200], "misery_rate": [0.6, 0.2],
    ...     "magic_rate": [0.15, 0.5], "importance": [0.3, 0.7], "performance": [-0.45, 0.3],
    ...     "survey_n": [0, 0], "quadrant": ["low", "keep"]})
    >>> v = verdict(t)
    >>> [f["name"] for f in v.fix], v.labels["bag"]["label"], v.labels["seat"]["label"]
    (['Baggage'], 'Fix first', 'Keep up the good work')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from carlzon.report.stats import wilson

__all__ = ["BACKLOG_MIN", "LABELS", "MIN_N", "RULE", "Verdict", "recovery_backlog", "verdict"]

MIN_N = 30
"""A quadrant says something about a touchpoint with at least this many moments (or survey ratings)."""
BACKLOG_MIN = 10
"""Open recovery cases at one touchpoint that put it on the list."""

LABELS = {
    "fix": "Fix first",
    "early": "Too early to judge",
    "keep": "Keep up the good work",
    "overkill": "Possible overkill",
    "low": "Low priority",
}

RULE = (
    "A touchpoint is on this list when at least one signal says so: an emerging problem there now; high stakes "
    "with a misery rate clearly above the journey's average (the low end of its 95% interval above it); important "
    "and below average (the \u201cConcentrate here\u201d quadrant) with at least {min_n} moments or ratings; or "
    "{backlog} or more recovery cases still open. Emerging problems come first, the rest by their moments of "
    "misery beyond the journey's average rate (counted twice at high stakes). Quadrants and stakes count from "
    "{min_n} moments or ratings on: a touchpoint that looks bad on fewer is listed to hear more about, not to fix."
)


@dataclass
class Verdict:
    """The verdict: ``fix`` (ordered), ``early``, ``protect``, ``new`` (emerging problems) and ``backlog``
    as lists of plain dicts; ``labels`` maps every touchpoint with data to ``{key, label, note}``."""

    fix: list[dict[str, Any]] = field(default_factory=list)
    early: list[dict[str, Any]] = field(default_factory=list)
    protect: list[dict[str, Any]] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    backlog: dict[str, int] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    average: float = math.nan
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _num(v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x


def recovery_backlog(store: Any) -> dict[str, int]:
    """Open recovery cases (not closed) per touchpoint in a store ({} when it keeps none)."""
    try:
        df = store.query(
            "SELECT touchpoint, COUNT(*) AS n FROM recovery_cases WHERE status <> 'closed' GROUP BY touchpoint"
        )
    except Exception:  # noqa: BLE001 - a store without the recovery tables has no backlog
        return {}
    return {str(r.touchpoint): int(r.n) for r in df.itertuples() if r.touchpoint is not None}


def _emerging_text(row: list[Any]) -> str:
    where = f" at {row[2]}" if len(row) > 2 and str(row[2]) not in ("all", "-", "", "None") else ""
    theme = f" ({row[1]})" if len(row) > 1 and str(row[1]) not in ("-", "", "None") else ""
    since = f" since {row[3]}" if len(row) > 3 else ""
    count = f": {row[4]}" if len(row) > 4 else ""
    return f"emerging problem{theme}{where}{since}{count}"


def verdict(
    table: pd.DataFrame,
    emerging: Any = None,
    backlog: dict[str, int] | None = None,
    *,
    min_n: int = MIN_N,
    backlog_min: int = BACKLOG_MIN,
) -> Verdict:
    """The verdict for a touchpoint table (:func:`carlzon.report.data.touchpoint_rows`), the emerging
    problems (a :class:`~carlzon.report.data.Section` whose ``keys`` name the touchpoints) and the open
    recovery cases per touchpoint (:func:`recovery_backlog`), by :data:`RULE`."""
    backlog = {k: int(v) for k, v in (backlog or {}).items()}
    t = table[(table["touchpoint"] != "unknown") & ((table["n"] > 0) | (table.get("survey_n", 0) > 0))]
    n_all, mis_all = int(t["n"].sum()), int(t["misery"].sum())
    avg = mis_all / n_all if n_all else math.nan
    emerging_at: dict[str, list[str]] = {}
    new: list[dict[str, Any]] = []
    if emerging is not None and getattr(emerging, "ran", False):
        keys = list(getattr(emerging, "keys", []) or [])
        names = dict(zip(t["touchpoint"], t["name"]))
        by_name = {v: k for k, v in names.items()}
        for i, row in enumerate(emerging.rows):
            tid = keys[i] if i < len(keys) else by_name.get(str(row[0]), str(row[0]))
            text = _emerging_text(row)
            emerging_at.setdefault(tid, []).append(text)
            where = f" at {row[2]}" if len(row) > 2 and str(row[2]) not in ("all", "-", "", "None") else ""
            new.append(
                {
                    "touchpoint": tid,
                    "name": names.get(tid, str(row[0])),
                    "text": text,
                    "short": f"more misery{where}" + (f" since {row[3]}" if len(row) > 3 else ""),
                    "figure": str(row[4]) if len(row) > 4 else "",
                    "example": str(row[5]) if len(row) > 5 else "",
                }
            )
    ym = table.attrs.get("y_mid")
    v = Verdict(new=new, backlog=backlog, average=avg, rule=RULE.format(min_n=min_n, backlog=backlog_min))
    for r in t.to_dict("records"):
        tid, n, survey_n = r["touchpoint"], int(r["n"]), int(r.get("survey_n") or 0)
        rate, high = _num(r.get("misery_rate")), r.get("stakes") == "high"
        lo, hi = wilson(int(r["misery"]), n) if n else (math.nan, math.nan)
        figure = f"{rate:.0%} misery, n={n:,}" if n else f"rated {_num(r['performance']):.1f}, n={survey_n:,}"
        enough = n >= min_n or survey_n >= min_n
        found = emerging_at.get(tid, [])
        reasons: list[str] = (
            found[:1] if len(found) <= 1 else [f"{len(found):,} emerging problems, the latest: {found[0]}"]
        )
        short = ["new problem"] if reasons else []
        if high and n >= min_n and lo > avg:
            short.append(f"high stakes, {rate:.0%} misery vs {avg:.0%} on average")
            reasons.append(
                f"high stakes, {rate:.0%} misery against the journey's {avg:.0%} "
                f"(95% interval {lo:.0%}\u2013{hi:.0%}, n={n:,})"
            )
        if r.get("quadrant") == "concentrate" and enough:
            short.append("important, below average")
            if survey_n:
                mid = f" against an average of {ym:.1f}" if isinstance(ym, float) else ", below average"
                reasons.append(
                    f"it matters more than most, and customers rate it {_num(r['performance']):.1f}{mid} "
                    f"(n={survey_n:,})"
                )
            else:
                reasons.append(
                    f"it matters more than most and does worse than most: {rate:.0%} misery, "
                    f"{_num(r['magic_rate']):.0%} magic (n={n:,})"
                )
        if backlog.get(tid, 0) >= backlog_min:
            reasons.append(f"{backlog[tid]:,} recovery cases still open")
            short.append(f"{backlog[tid]:,} open cases")
        excess = (int(r["misery"]) - n * avg) * (2 if high else 1) if n and avg == avg else 0.0
        item = {
            "touchpoint": tid,
            "name": r["name"],
            "reasons": reasons,
            "figure": figure,
            "n": n or survey_n,
            "emerging": tid in emerging_at,
            "excess": float(excess),
            "high_stakes": high,
        }
        if reasons:
            v.fix.append(item)
            v.labels[tid] = {"key": "fix", "label": LABELS["fix"], "note": "; ".join(short)}
            continue
        weak = (r.get("quadrant") == "concentrate") or (n and lo > avg)
        if not enough and weak:
            why = (
                f"{int(r['misery']):,} of {n:,} moments are misery (95% interval {lo:.0%}\u2013{hi:.0%})"
                if n
                else f"rated {_num(r['performance']):.1f} by {survey_n:,}"
            )
            v.early.append({**item, "reasons": [why]})
            v.labels[tid] = {
                "key": "early",
                "label": LABELS["early"],
                "note": f"{why}; fewer than {min_n}, too few to judge",
            }
            continue
        q = str(r.get("quadrant") or "")
        if not q:
            continue
        note = ""
        if high and n and rate > avg:
            note = (
                f"high stakes, {rate:.0%} misery against the journey's {avg:.0%}, but not clearly above it "
                f"(95% interval {lo:.0%}\u2013{hi:.0%}, n={n:,})"
            )
        elif not enough:
            note = f"only {max(n, survey_n):,} moments or ratings"
        v.labels[tid] = {"key": q, "label": LABELS[q], "note": note}
        if q == "keep" and enough:
            v.protect.append(
                {
                    **item,
                    "importance": _num(r.get("importance")),
                    "figure": (f"{_num(r['magic_rate']):.0%} magic, n={n:,}" if n else figure),
                }
            )
    v.fix.sort(key=lambda f: (not f["emerging"], -f["excess"]))
    v.protect.sort(key=lambda f: -(f["importance"] if f["importance"] == f["importance"] else 0))
    return v
