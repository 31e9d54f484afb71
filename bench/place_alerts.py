"""Alerts per place and touchpoint on a simulated chain: false alerts, minimum evidence, time to detect, roll-up.

A chain of 50 places x 17 touchpoints x two years of daily moments (Poisson volume per cell, a
constant misery rate per touchpoint). Prints, beside their targets:

* with nothing planted: alerts per place-touchpoint-year, and alerts resting on fewer moments of
  misery than the rule states (the anchor: the same test without the minimum evidence rule);
* with one problem planted (misery at the busiest touchpoint of one place rises to 0.6): the share of
  seeds where an alert at that place and touchpoint opens within the problem's first two days, beside
  its ceiling (seeds whose first two days hold the rule's minimum of misery at all) and an oracle (those
  two days tested against the true rate);
* with the same problem in 12 places of one area: how many alerts touch those places (the target: one, of the area).

    python bench/place_alerts.py [--seeds 20]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from scipy.stats import binom

from carlzon.analysis.place_alerts import PlaceAlerts
from carlzon.hierarchy import Hierarchy
from carlzon.simulate.places import simulate_alert_cells


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--null-seeds", type=int, default=2)
    ap.add_argument(
        "--per-day", type=float, default=3.0, help="moments a day in a typical place-touchpoint cell (volume)"
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    false, below, loose, cell_years, moments = 0, 0, 0, 0, 0
    rule = PlaceAlerts()
    for seed in range(args.null_seeds):
        cells, _ = simulate_alert_cells(seed=500 + seed, planted=False, per_day=args.per_day)
        moments += int(cells["n"].sum())
        a = PlaceAlerts().fit(cells).alerts_
        false += len(a)
        below += int((a["window_misery"] < rule.min_misery).sum())
        loose += len(PlaceAlerts(min_misery=1, min_ratio=1.0).fit(cells).alerts_)
        cell_years += 50 * 17 * 2
    found, delays, enough, oracle = 0, [], 0, 0
    for seed in range(args.seeds):
        cells, truth = simulate_alert_cells(seed=seed, planted=True, per_day=args.per_day)
        # the ceiling: what the first two days of the planted cell hold, whatever the rule
        cell = cells[(cells["location"] == truth["places"][0]) & (cells["touchpoint"] == truth["touchpoint"])]
        first2 = cell[(cell["day"] >= truth["start_day"]) & (cell["day"] < truth["start_day"] + pd.Timedelta(days=2))]
        before = cell[cell["day"] < truth["start_day"]]
        k2, n2 = int(first2["misery"].sum()), int(first2["n"].sum())
        enough += k2 >= rule.min_misery
        p_true = before["misery"].sum() / max(before["n"].sum(), 1)  # a year of baseline: the true rate, near enough
        oracle += k2 >= rule.min_misery and binom.sf(k2 - 1, n2, p_true) < rule.alpha
        a = PlaceAlerts().fit(cells).alerts_
        hit = a[
            (a["location"] == truth["places"][0])
            & (a["touchpoint"] == truth["touchpoint"])
            & (a["first_day"] >= truth["start_day"])
        ]
        if len(hit):
            delay = (hit["first_day"].min() - truth["start_day"]).days
            delays.append(delay)
            found += delay <= 1
    cells, truth = simulate_alert_cells(seed=99, planted=True, planted_places=12, places=60, areas=5)
    h = Hierarchy.from_records(truth["hierarchy"])
    ra = PlaceAlerts(hierarchy=h).fit(cells).alerts_
    planted = set(truth["places"])
    on = ra[
        (ra["touchpoint"] == truth["touchpoint"])
        & (ra["last_day"] >= truth["start_day"])
        & ra["places"].map(lambda ps: bool(planted & set(ps)))
    ]
    print(
        f"null: {args.null_seeds} chains x 50 places x 17 touchpoints x 730 days ({moments:,} moments); "
        f"planted: {args.seeds} seeds; about {args.per_day:g} moments a day in a typical cell; "
        f"{time.perf_counter() - t0:.0f} s"
    )
    print(f"rule: {rule.rule}")
    cell_years, n_seeds = max(cell_years, 1), max(args.seeds, 1)
    print(f"{'bar':<62} {'carlzon':>10} {'anchor':>10} {'target':>8}")
    print(
        f"{'false alerts per place-touchpoint-year (nothing planted)':<62} {false / cell_years:>10.3f} "
        f"{loose / cell_years:>10.3f} {'<= 1':>8}   (anchor: no minimum evidence rule)"
    )
    print(f"{'alerts resting on fewer moments of misery than the rule':<62} {below:>10} {'':>10} {'0':>8}")
    print(
        f"{'planted problem found within its first two days (seeds)':<62} {found / n_seeds:>10.0%} {'':>10} "
        f"{'>= 95%':>8}   (delays in days: {sorted(delays)})"
    )
    print(
        f"{'  ceiling: seeds whose first two days hold the minimum misery':<62} {enough / n_seeds:>10.0%} {'':>10} "
        f"{'':>8}   (no rule that states its minimum can do better)"
    )
    print(
        f"{'  oracle: those two days tested against the true rate':<62} {oracle / n_seeds:>10.0%} {'':>10} "
        f"{'':>8}   (exact binomial at the same alpha, the rate of the year before)"
    )
    print(
        f"{'alerts for one problem in 12 places of one area':<62} {len(on):>10} {'':>10} {'1':>8}   "
        f"({', '.join(f'{r.level} {r.location}: {len(r.places)} places' for r in on.itertuples())})"
    )


if __name__ == "__main__":
    main()
