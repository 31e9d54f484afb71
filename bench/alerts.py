"""Emerging problems across simulator seeds: found on the first day? false alerts per touchpoint-year?

For each seed: simulate the airline journey (2,000 customers, 180 days), ingest
and detect into an in-memory store, run EmergingProblems over the whole
history (causal: each day judged only on the days before it), and compare
with the planted truth (``sim.truth['emerging']``). Bars: found within its
first simulated day in >= 95% of runs, no more than 1 false alert per
simulated year per touchpoint. Also prints the time of one fit beside an
anchor (reading the moments from the store) measured in the same run.

    python bench/alerts.py [--seeds 20]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from carlzon.analysis.alerts import EmergingProblems
from carlzon.ingest import ingest
from carlzon.simulate import simulate
from carlzon.store import open_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--customers", type=int, default=2000)
    args = ap.parse_args()
    found = found2 = false = 0
    tp_years = 0.0
    fit_s = read_s = 0.0
    print(
        f"{'seed':>4} {'touchpoint':<22} {'start':<10} {'result':<7} {'false':>5} {'first-day count/baseline':>25} theme"
    )
    for seed in range(args.seeds):
        sim = simulate("airline", seed=seed, customers=args.customers)
        e = sim.truth["emerging"]
        with open_store(":memory:") as st:
            ingest(sim.interactions, st, journey="airline")
            t0 = time.perf_counter()
            m = st.moments()
            read_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        ep = EmergingProblems().fit(m)
        fit_s += time.perf_counter() - t0
        a = ep.alerts_
        cores = [c.lower()[:12] for c in e["example_comments"]]
        themed = a["examples"].map(lambda ex, cores=cores: any(any(c in x.lower() for c in cores) for x in ex))
        at = a["location"].isna() | (a["location"] == e["location"])
        related = ((a["touchpoint"] == e["touchpoint"]) | themed) & at & (a["since"] >= e["start"])
        mine = related & (a["touchpoint"] == e["touchpoint"])
        day1 = mine & (a["since"] == e["start"])
        day2 = mine & (pd.to_datetime(a["since"]) <= pd.Timestamp(e["start"]) + pd.Timedelta(days=1))
        found += bool(day1.any())
        found2 += bool(day2.any())
        nf = int((~related).sum())
        false += nf
        tp_years += (ep.n_days_ - ep.min_history) / 365 * m["touchpoint"].nunique()
        hit = a[day1].iloc[0] if day1.any() else None
        fd = f"{hit['first_day_count']}/{hit['first_day_baseline']}" if hit is not None else "-"
        print(
            f"{seed:>4} {e['touchpoint']:<22} {e['start']:<10} {'day 1' if day1.any() else ('day 2' if day2.any() else 'MISSED'):<7} "
            f"{nf:>5} {fd:>25} {hit['theme'] if hit is not None else ''}"
        )
    n = args.seeds
    print(
        f"\nfound within its first simulated day: {found}/{n} runs ({found / n:.0%}; bar >= 95%); by day 2: {found2}/{n}"
    )
    print(
        f"false alerts: {false} over {tp_years:.1f} touchpoint-years = {false / tp_years:.2f} per touchpoint-year (bar <= 1)"
    )
    print(
        f"EmergingProblems.fit: {fit_s / n:.2f} s a run (anchor: reading the moments from the store {read_s / n:.2f} s)"
    )


if __name__ == "__main__":
    main()
