"""Path discovery on a simulated event log of 1,000,000 events (bar: under 20 s on one core).

The log is the simulator's airline event log, repeated with renamed customers
until it holds the requested number of events. Printed beside an anchor
measured in the same run: one plain pandas sort of the same log by customer
and time (the least any path discovery has to do).

    python bench/paths.py [--events 1000000] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from carlzon.analysis.paths import JourneyPaths  # noqa: E402
from carlzon.simulate import simulate  # noqa: E402


def build_log(events: int, seed: int) -> pd.DataFrame:
    base = simulate("airline", seed=seed, customers=2000, days=180).events
    copies = int(np.ceil(events / len(base)))
    parts = [base.assign(customer_id=base["customer_id"] + f"-{k}") for k in range(copies)]
    return pd.concat(parts, ignore_index=True).head(events)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    log = build_log(args.events, args.seed)
    print(
        f"simulated log: {len(log):,} events, {log['customer_id'].nunique():,} customers "
        f"({time.perf_counter() - t0:.1f} s to build, not counted)"
    )
    t0 = time.perf_counter()
    log.sort_values(["customer_id", "timestamp"], kind="stable")
    anchor = time.perf_counter() - t0
    t0 = time.perf_counter()
    jp = JourneyPaths("airline").fit(log)
    svg = jp.svg()
    secs = time.perf_counter() - t0
    print(f"{'anchor: pandas sort by customer, time':<44} {anchor:>7.2f} s")
    print(
        f"{'JourneyPaths.fit + svg (bar: < 20 s)':<44} {secs:>7.2f} s  ({secs / anchor:.1f} x anchor, "
        f"{len(log) / secs:,.0f} events/s)"
    )
    print(
        f"cases {jp.n_cases_:,}, variants {jp.n_variants_:,}, edges {len(jp.edges_)}, "
        f"unmapped steps {jp.unmapped_['step'].tolist()}, svg {len(svg):,} chars"
    )


if __name__ == "__main__":
    main()
