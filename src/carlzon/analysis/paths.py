"""The journey customers really take: paths, drop-off, time between steps, misery along the way.

From an event log (customer id, step, timestamp) :class:`JourneyPaths` finds

* the steps mapped to the journey's touchpoints (exact id, name, phrase in
  the step, then a fuzzy match), and the steps that match none (``unmapped_``);
* the paths customers really take: a customer's events split into cases
  where more than ``case_gap`` passes between two events; variants (the
  sequence of steps of a case) with counts and shares (``variants_``);
* drop-off after each step: of the cases that reach a step, the share that
  ends there, with a Wilson interval and n (``steps_``);
* the directly-follows graph: how often one step follows another and how long
  it takes (median, p90, n), against the expectation of the step reached when
  it is a time ('wait_minutes <= 15') (``edges_``), drawn as an SVG laid out in
  journey order (:meth:`svg`);
* where misery concentrates along the path: each moment of misery of a
  customer is placed at the step the customer was at (the last event at or
  before it, within ``case_gap``), per 100 cases that reached the step
  (``misery_``, from ``fit(events, moments=...)``).

Everything is vectorised with pandas/numpy (one sort by customer and time,
then shifts), so a million events take seconds.

Example:
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b"],
    ...                    "step": ["search", "Online booking", "check_in", "search", "pop-up"],
    ...                    "timestamp": pd.to_datetime(["2026-01-01 10:00", "2026-01-01 10:05", "2026-01-02 08:00",
    ...                                                 "2026-01-01 11:00", "2026-01-01 11:01"])})
    >>> jp = JourneyPaths("airline").fit(ev)
    >>> jp.variants_["path"].tolist()
    ['search → online_booking', 'check_in', 'search → pop-up']
    >>> jp.unmapped_["step"].tolist()
    ['pop-up']
"""

from __future__ import annotations

import difflib
import html
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carlzon.analysis._base import Fitter
from carlzon.analysis._io import records
from carlzon.analysis._plot import axis
from carlzon.analysis.intervals import wilson_interval
from carlzon.errors import AnalysisError, NotEnoughDataError
from carlzon.journey import Journey, load_journey

__all__ = ["JourneyPaths", "map_steps"]

START, END = "▶ start", "■ end"
_TIME_UNITS = {"seconds": 1.0, "secs": 1.0, "minutes": 60.0, "mins": 60.0, "hours": 3600.0, "days": 86400.0}
CUSTOMER_COLUMNS = ("customer_id", "customer", "case_id", "case", "user_id", "user", "session_id", "visitor_id")
STEP_COLUMNS = ("step", "activity", "event", "event_name", "action", "page", "touchpoint", "stage")
TIME_COLUMNS = ("timestamp", "time", "created_at", "datetime", "date", "ts", "event_time")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def map_steps(steps: list[str], journey: Journey, *, cutoff: float = 0.85) -> pd.DataFrame:
    """Map raw step names to touchpoint ids: exact id, name, phrase, fuzzy; ``how`` says which.

    A phrase counts when it covers at least half of the step's words ('bag drop', not 'app' in 'app_crash').

    >>> map_steps(["check_in", "Food and drink", "bag drop", "secuirty", "app_crash"], load_journey("airline"))[["touchpoint", "how"]].values.tolist()
    [['check_in', 'id'], ['food', 'name'], ['check_in', 'phrase'], ['security', 'fuzzy'], [None, None]]
    """
    tps = journey.touchpoints
    by_id = {_norm(tp.id): tp.id for tp in tps}
    by_name = {_norm(tp.name): tp.id for tp in tps}
    phrases = sorted(((_norm(p), tp.id) for tp in tps for p in tp.phrases if _norm(p)), key=lambda x: -len(x[0]))
    candidates = {**{k: v for k, v in by_name.items()}, **by_id}
    rows = []
    for s in steps:
        n = _norm(s)
        tid, how = None, None
        if n in by_id:
            tid, how = by_id[n], "id"
        elif n in by_name:
            tid, how = by_name[n], "name"
        else:
            padded = f" {n} "
            n_words = len(n.split())
            for p, t in phrases:
                if f" {p} " in padded and 2 * len(p.split()) > n_words:
                    tid, how = t, "phrase"
                    break
            if tid is None:
                close = difflib.get_close_matches(n, list(candidates), n=1, cutoff=cutoff)
                if close:
                    tid, how = candidates[close[0]], "fuzzy"
        rows.append({"step": s, "touchpoint": tid, "how": how})
    return pd.DataFrame(rows, columns=["step", "touchpoint", "how"])


def _pick(df: pd.DataFrame, given: str | None, options: tuple[str, ...], what: str) -> str:
    if given:
        if given not in df.columns:
            raise AnalysisError(
                f"{what} column {given!r} is not in the event log",
                fix=f"columns are: {', '.join(map(str, df.columns[:20]))}",
            )
        return given
    lower = {str(c).lower(): c for c in df.columns}
    for o in options:
        if o in lower:
            return lower[o]
    raise AnalysisError(
        f"cannot tell which column holds the {what}",
        fix=f"name it with --{what.split()[0]} COL (columns: {', '.join(map(str, df.columns[:20]))})",
    )


def _expectation_seconds(tp: Any) -> float | None:
    e = getattr(tp, "expectation", None)
    if e is None or e.op not in ("<=", "<"):
        return None
    for unit, factor in _TIME_UNITS.items():
        if e.measure.endswith("_" + unit):
            return e.bound * factor
    return None


class JourneyPaths(Fitter):
    """Paths, drop-off, times and misery along the journey from an event log; ``fit`` returns self."""

    def __init__(
        self,
        journey: Journey | str | Path | None = None,
        *,
        case_gap: str | pd.Timedelta = "12h",
        customer_col: str | None = None,
        step_col: str | None = None,
        time_col: str | None = None,
        max_variants: int = 50,
        min_edge_share: float = 0.01,
    ) -> None:
        self.journey = load_journey(journey) if journey is not None else None
        try:
            self.case_gap = pd.Timedelta(case_gap)
        except ValueError:
            raise AnalysisError(
                f"cannot read case_gap {case_gap!r}", fix="write it like '12h', '30min' or '1D'"
            ) from None
        self.customer_col, self.step_col, self.time_col = customer_col, step_col, time_col
        self.max_variants, self.min_edge_share = max_variants, min_edge_share

    _result = "edges_"
    _fit_call = "fit(events)"

    def _repr_n(self) -> int:
        return int(self.n_events_)

    def _repr_extra(self) -> str:
        return f"{self.n_cases_:,} cases"

    # ----- fitting ---------------------------------------------------------
    def fit(self, events: pd.DataFrame, *, moments: pd.DataFrame | None = None) -> JourneyPaths:
        """Read the event log (and place ``moments`` of misery along the path); returns self."""
        if not isinstance(events, pd.DataFrame) or events.empty:
            raise NotEnoughDataError("the event log is empty", fix="pass a table with customer id, step and timestamp")
        cc = _pick(events, self.customer_col, CUSTOMER_COLUMNS, "customer id")
        sc = _pick(events, self.step_col, STEP_COLUMNS, "step name")
        tc = _pick(events, self.time_col, TIME_COLUMNS, "time stamp")
        ts = pd.to_datetime(events[tc], utc=True, errors="coerce")
        bad = ts.isna() | events[cc].isna() | events[sc].isna()
        self.n_dropped_ = int(bad.sum())
        cust_codes, cust_names = pd.factorize(events[cc][~bad], sort=False)
        raw_codes, raw_names = pd.factorize(events[sc][~bad].astype(str), sort=False)
        # map raw step names once; each raw name becomes a label (its touchpoint, else itself)
        if self.journey is not None:
            mapping = map_steps(list(raw_names), self.journey)
        else:
            mapping = pd.DataFrame({"step": list(raw_names), "touchpoint": None, "how": None})
        label_of_raw = [t if t is not None else s for s, t in zip(mapping["step"], mapping["touchpoint"])]
        order = [tp.id for tp in self.journey.touchpoints] if self.journey is not None else []
        extra = sorted({l for l in label_of_raw if l not in set(order)}, key=lambda l: label_of_raw.index(l))
        labels = [l for l in order if l in set(label_of_raw)] + extra
        self.labels_ = labels
        lab_index = {l: i for i, l in enumerate(labels)}
        raw_to_lab = np.array([lab_index[l] for l in label_of_raw], dtype=np.int32)
        t_ns = _ns(ts[~bad])
        cust = cust_codes.astype(np.int64)
        step = raw_to_lab[raw_codes]
        o = np.lexsort((t_ns, cust))
        cust, step, t_ns = cust[o], step[o], t_ns[o]
        n = len(cust)
        gap_ns = self.case_gap.value
        new_case = np.ones(n, dtype=bool)
        if n > 1:
            new_case[1:] = (cust[1:] != cust[:-1]) | (t_ns[1:] - t_ns[:-1] > gap_ns)
        case = np.cumsum(new_case) - 1
        n_cases = int(case[-1]) + 1 if n else 0
        starts = np.flatnonzero(new_case)
        ends = np.append(starts[1:], n) - 1
        self.n_events_, self.n_cases_, self.n_customers_ = n, n_cases, len(cust_names)
        counts = np.bincount(raw_codes, minlength=len(raw_names))
        self.mapping_ = (
            mapping.assign(events=counts).sort_values("events", ascending=False, kind="stable").reset_index(drop=True)
        )
        self.unmapped_ = (
            self.mapping_[self.mapping_["touchpoint"].isna()][["step", "events"]].reset_index(drop=True)
            if self.journey is not None
            else pd.DataFrame(columns=["step", "events"])
        )
        self._variants(step, starts, ends, labels)
        self._steps_and_edges(step, case, t_ns, new_case, starts, ends, labels)
        self._case_span = (cust[starts], t_ns[starts], t_ns[ends])
        self._ev = (cust, step, t_ns)
        self._cust_names = cust_names
        self.misery_ = pd.DataFrame(columns=["step", "cases", "misery", "per_100_cases", "low", "high"])
        if moments is not None:
            self.place_moments(moments)
        return self

    def _variants(self, step: np.ndarray, starts: np.ndarray, ends: np.ndarray, labels: list[str]) -> None:
        # one character a step label, one string a case, then value counts
        chars = np.array([chr(0x100 + i) for i in range(len(labels))], dtype=object)
        big = "".join(chars[step].tolist())
        seqs = pd.Series([big[a : b + 1] for a, b in zip(starts.tolist(), ends.tolist())], dtype=object)
        vc = seqs.value_counts()
        top = vc.head(self.max_variants)
        decode = {chr(0x100 + i): l for i, l in enumerate(labels)}
        self.variants_ = pd.DataFrame(
            {
                "path": [" → ".join(decode[c] for c in s) for s in top.index],
                "steps": [len(s) for s in top.index],
                "cases": top.to_numpy(),
                "share": top.to_numpy() / max(self.n_cases_, 1),
            }
        )
        self.n_variants_ = int(len(vc))

    def _steps_and_edges(
        self,
        step: np.ndarray,
        case: np.ndarray,
        t_ns: np.ndarray,
        new_case: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        labels: list[str],
    ) -> None:
        k = len(labels)
        # cases reaching each step (a case counts once a step) and ending there
        key = np.unique(case.astype(np.int64) * k + step)
        reach = np.bincount(key % k, minlength=k)
        ended = np.bincount(step[ends], minlength=k)
        events = np.bincount(step, minlength=k)
        last_tp = None
        if self.journey is not None:
            last_stage = self.journey.stages[-1]
            last_tp = {tp.id for tp in last_stage.touchpoints}
        rows = []
        for i, l in enumerate(labels):
            _, lo, hi = wilson_interval(int(ended[i]), int(reach[i]))
            rows.append(
                {
                    "step": l,
                    "touchpoint": l if self.journey is not None and self.journey.has_touchpoint(l) else None,
                    "events": int(events[i]),
                    "cases": int(reach[i]),
                    "ended_here": int(ended[i]),
                    "drop_off": ended[i] / reach[i] if reach[i] else math.nan,
                    "low": lo,
                    "high": hi,
                    "final_stage": bool(last_tp and l in last_tp),
                }
            )
        self.steps_ = pd.DataFrame(rows)
        # directly-follows pairs inside a case, plus start and end
        same = ~new_case[1:]
        src = np.concatenate([np.full(len(starts), -1), step[:-1][same], step[ends]])
        dst = np.concatenate([step[starts], step[1:][same], np.full(len(ends), k)])
        dur = np.concatenate(
            [np.full(len(starts), np.nan), (t_ns[1:][same] - t_ns[:-1][same]) / 1e9, np.full(len(ends), np.nan)]
        )
        pair = (src + 1) * (k + 2) + dst
        df = pd.DataFrame({"pair": pair, "dur": dur})
        g = df.groupby("pair", sort=True)["dur"]
        stats_ = pd.DataFrame({"n": g.size(), "median_s": g.median(), "p90_s": g.quantile(0.9)})
        name = lambda i: START if i < 0 else (END if i == k else labels[i])  # noqa: E731
        s_idx = stats_.index.to_numpy() // (k + 2) - 1
        d_idx = stats_.index.to_numpy() % (k + 2)
        out = pd.DataFrame(
            {
                "source": [name(i) for i in s_idx],
                "target": [name(i) for i in d_idx],
                "n": stats_["n"].to_numpy(),
                "median_s": stats_["median_s"].to_numpy(),
                "p90_s": stats_["p90_s"].to_numpy(),
            }
        )
        src_tot = out.groupby("source")["n"].transform("sum")
        out["share_of_source"] = out["n"] / src_tot
        exp_s, exp_txt = [], []
        for source, target in zip(out["source"].astype(str), out["target"].astype(str)):
            tp = (
                self.journey.touchpoint(target)
                if (self.journey is not None and self.journey.has_touchpoint(target))
                else None
            )
            bound = _expectation_seconds(tp) if tp is not None and source != START else None
            exp_s.append(bound)
            exp_txt.append(str(tp.expectation) if tp is not None and bound is not None else None)
        out["expectation"] = exp_txt
        out["expectation_s"] = exp_s
        out = out.sort_values("n", ascending=False, kind="stable").reset_index(drop=True)
        # share of transitions within the expectation, where one applies
        with_exp = out["expectation_s"].notna()
        if with_exp.any():
            lab_index = {l: i for i, l in enumerate(labels)}
            for i in np.flatnonzero(with_exp.to_numpy()).tolist():
                edge: Any = out.iloc[i]
                pair = (lab_index[edge["source"]] + 1) * (k + 2) + lab_index[edge["target"]]
                d = df["dur"].to_numpy()[df["pair"].to_numpy() == pair]
                out.at[i, "met_share"] = float(np.mean(d <= edge["expectation_s"])) if len(d) else math.nan
        if "met_share" not in out:
            out["met_share"] = math.nan
        self.edges_ = out

    def place_moments(self, moments: pd.DataFrame) -> pd.DataFrame:
        """Misery per 100 cases at each step: each moment of misery goes to the customer's last step at or before it."""
        self._check_fitted()
        need = [c for c in ("customer_id", "timestamp", "valence") if c not in moments.columns]
        if need:
            raise AnalysisError(
                f"moments lack column(s) {need}",
                fix="pass store.moments() or a table with customer_id, timestamp and valence",
            )
        m = moments[(moments["valence"] == "misery") & moments["customer_id"].notna()]
        cust_index = pd.Index(self._cust_names)
        code = cust_index.get_indexer(m["customer_id"])
        tt = pd.to_datetime(m["timestamp"], utc=True, errors="coerce")
        ok = (code >= 0) & tt.notna().to_numpy()
        t = _ns(tt.fillna(pd.Timestamp(0, tz="UTC")))
        cust, step, t_ns = self._ev
        left = pd.DataFrame({"c": code[ok].astype(np.int64), "t": t[ok]}).sort_values("t", kind="stable")
        right = pd.DataFrame({"c": cust, "t": t_ns, "step": step}).sort_values("t", kind="stable")
        joined = pd.merge_asof(left, right, on="t", by="c", direction="backward", tolerance=self.case_gap.value)
        placed = joined["step"].dropna().astype(int).to_numpy()
        k = len(self.labels_)
        mis = np.bincount(placed, minlength=k)
        rows = []
        step_cases = self.steps_["cases"].to_numpy()
        for i, l in enumerate(self.labels_):
            cases = int(step_cases[i])
            _, lo, hi = wilson_interval(int(min(mis[i], cases)), cases)
            rows.append(
                {
                    "step": l,
                    "cases": cases,
                    "misery": int(mis[i]),
                    "per_100_cases": 100 * mis[i] / cases if cases else math.nan,
                    "low": 100 * lo,
                    "high": 100 * hi,
                }
            )
        self.misery_ = pd.DataFrame(rows)
        self.n_misery_placed_, self.n_misery_ = int(len(placed)), int(len(m))
        return self.misery_

    # ----- results ---------------------------------------------------------
    @property
    def summary(self) -> pd.DataFrame:
        """One row a step in journey order: cases reaching it, drop-off with its interval, misery per 100 cases."""
        self._check_fitted()
        s = self.steps_.copy()
        if len(self.misery_):
            s = s.merge(self.misery_[["step", "misery", "per_100_cases"]], on="step", how="left")
        return s.set_index("step")

    def to_dict(self, *, max_edges: int = 60) -> dict[str, Any]:
        """Plain data for JSON, the report and the dashboard."""
        self._check_fitted()
        return {
            "journey": self.journey.name if self.journey else None,
            "events": self.n_events_,
            "cases": self.n_cases_,
            "customers": self.n_customers_,
            "dropped_events": self.n_dropped_,
            "case_gap": str(self.case_gap),
            "variants_total": self.n_variants_,
            "variants": records(self.variants_),
            "steps": records(self.steps_),
            "edges": records(self.edges_.head(max_edges)),
            "unmapped_steps": records(self.unmapped_),
            "mapping": records(self.mapping_),
            "misery": records(self.misery_),
        }

    def svg(self, *, width: int = 1100, max_edges: int = 40, names: dict[str, str] | None = None) -> str:
        """The directly-follows graph as a self-contained SVG, steps left to right in journey order;
        ``names`` (step -> touchpoint name) labels the steps in words (ids otherwise), written downwards
        so that no two labels overlap."""
        self._check_fitted()
        labels = [START, *self.labels_, END]
        shown = {l: (names or {}).get(l, l) for l in labels}
        k = len(labels)
        step_w = max((width - 40) / max(k - 1, 1), 40)
        r = 16
        x = {l: 20 + i * step_w for i, l in enumerate(labels)}
        e = self.edges_[self.edges_["share_of_source"] >= self.min_edge_share].head(max_edges)
        nmax = float(e["n"].max()) if len(e) else 1.0
        ends = [(x[a], x[b]) for a, b in zip(e["source"], e["target"])]
        rise = [min(abs(b - a) * 0.35, 190) for a, b in ends]
        up = max([h for h, (a, b) in zip(rise, ends) if b > a], default=0.0)
        down = max([h for h, (a, b) in zip(rise, ends) if b <= a], default=0.0)
        y0 = up + 30  # as much room above the steps as the forward arcs take, below the rest
        height = int(y0 + max(down + 20, r + 24 + 6.2 * max(len(v) for v in shown.values())))
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {int(20 + (k - 1) * step_w + 130)} {height}" '
            f'role="img" aria-label="directly-follows graph: {self.n_cases_} cases">',
            # presentation attributes, not a <style> element: pages allow no inline style (CSP)
            '<g font-family="sans-serif" font-size="11" fill="#333">',
        ]
        placed: list[tuple[float, float, float, float]] = []  # boxes of the arc labels drawn so far
        texts = []
        edges: list[Any] = e.to_dict("records")
        for row, h in sorted(zip(edges, rise), key=lambda p: -p[0]["n"]):
            source, target, n_row, median_s = row["source"], row["target"], int(row["n"]), float(row["median_s"])
            a, b = x[source], x[target]
            forward = b > a
            h = h * (-1 if forward else 1)
            w = 1 + 7 * n_row / nmax
            colour = "#2c7fb8" if forward else "#d95f0e"
            mid = (a + b) / 2
            t = "" if not math.isfinite(median_s) else f" · {_fmt_duration(median_s)}"
            parts.append(
                f'<path d="M{a:.0f},{y0:.0f} Q{mid:.0f},{y0 + 2 * h:.0f} {b:.0f},{y0:.0f}" fill="none" '
                f'stroke="{colour}" stroke-opacity="0.55" stroke-width="{w:.1f}">'
                f"<title>{html.escape(source)} → {html.escape(target)}: n = {n_row}{t}</title></path>"
            )
            # a label (n, and the median time where it fits) only where it overlaps no larger arc's label
            for label in (f"{n_row}{t}", f"{n_row}"):
                half, ty = 2.7 * len(label), y0 + h + (-3 if forward else 10)
                box = (mid - half - 2, ty - 9, mid + half + 2, ty + 2)
                if 2 * half <= max(abs(b - a) - 4, 0) and not any(
                    box[0] < q[2] and q[0] < box[2] and box[1] < q[3] and q[1] < box[3] for q in placed
                ):
                    placed.append(box)
                    texts.append(
                        f'<text class="n" x="{mid:.0f}" y="{ty:.0f}" text-anchor="middle" font-size="9" '
                        f'fill="#666">{html.escape(label)}</text>'
                    )
                    break
        parts += texts
        unmapped = set(self.unmapped_["step"]) if len(self.unmapped_) else set()
        cases_at: dict[Any, Any] = dict(zip(self.steps_["step"], self.steps_["cases"]))
        for l in labels:
            fill = "#fff" if l in (START, END) else ("#fde0dd" if l in unmapped else "#e0ecf4")
            cases = "" if l in (START, END) else f" (n = {int(cases_at[l])})"
            parts.append(
                f'<circle cx="{x[l]:.0f}" cy="{y0:.0f}" r="{r}" fill="{fill}" stroke="#555"><title>{html.escape(shown[l])}{cases}</title></circle>'
            )
            parts.append(
                f'<text transform="translate({x[l] - 4:.0f},{y0 + r + 8:.0f}) rotate(90)">{html.escape(shown[l])}</text>'
            )
        parts.append("</g></svg>")
        return "\n".join(parts)

    def plot(self, ax: Any = None) -> Any:
        """Drop-off after each step with its interval (needs matplotlib); returns the axis."""
        self._check_fitted()
        ax = axis(ax, (8, 4))
        s = self.steps_
        ax.bar(s["step"], s["drop_off"], yerr=[s["drop_off"] - s["low"], s["high"] - s["drop_off"]])
        ax.set_ylabel(f"share of cases ending here (n = {self.n_cases_} cases)")
        ax.tick_params(axis="x", rotation=60)
        return ax


def _ns(ts: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch of tz-aware timestamps."""
    return ((ts - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(1, "ns")).to_numpy(dtype=np.int64)


def _fmt_duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
