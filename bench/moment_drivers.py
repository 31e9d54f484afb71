"""Drivers from moments on the airline passenger survey, beside `carlzon drivers` on its 14 ratings.

Anchor (same run, same rows): KeyDrivers (relative weights) on the 14 service
ratings (0 = not applicable) against satisfaction = 'satisfied', as `carlzon
drivers train.csv --outcome satisfaction --positive satisfied` computes it.

carlzon: the file ingested into an in-memory store with the airline journey
(ratings and text through the detector, as `carlzon ingest` does), then
`carlzon drivers --from-moments` (MomentDrivers on the stored moments). Prints
moments per response, the Kendall tau between the two rankings of the
touchpoints (a rating column maps to the touchpoint the journey gives it;
touchpoints without moments rank last), and the quadrant of the touchpoint with
the highest misery rate (it must not be "keep it up").

    python bench/moment_drivers.py [--data ../shared/data] [--rows 20000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import kendalltau

REPO = Path(__file__).resolve().parents[1]
DRIVERS = ["Inflight wifi service", "Departure/Arrival time convenient", "Ease of Online booking", "Gate location",
           "Food and drink", "Online boarding", "Seat comfort", "Inflight entertainment", "On-board service",
           "Leg room service", "Baggage handling", "Checkin service", "Inflight service", "Cleanliness"]


def main() -> None:
    from carlzon.analysis import KeyDrivers, MomentDrivers
    from carlzon.ingest import ingest
    from carlzon.journey import load_journey
    from carlzon.store import open_store

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--rows", type=int, default=20_000, help="rows of train.csv (0: all)")
    args = ap.parse_args()
    path = Path(args.data) / "airline_passenger_satisfaction" / "train.csv"
    df = pd.read_csv(path)
    if args.rows:
        df = df.head(args.rows)
    print(f"data: {path.name}, {len(df):,} responses x {len(DRIVERS)} ratings")
    kd = KeyDrivers(n_boot=0, na_values=0, seed=0).fit(df, "satisfaction", DRIVERS, positive="satisfied")
    journey = load_journey("airline")
    item_tp = {c: (tp.id if (tp := journey.match_item(c)) is not None else None) for c in DRIVERS}
    print("rating -> touchpoint:", ", ".join(f"{c} -> {t}" for c, t in item_tp.items()))
    anchor = kd.importance_.groupby(pd.Series(item_tp).reindex(kd.importance_.index).fillna("unmapped")).sum()

    t = time.perf_counter()
    with open_store(":memory:") as st:
        ingest(df.drop(columns=[df.columns[0]]), st, journey="airline", source=path.name)
        moments = st.moments(with_text=False)
    secs = time.perf_counter() - t
    per = moments.groupby("interaction_id").size()
    print(f"carlzon: {len(moments):,} moments of {per.size:,} responses ({per.mean():.2f} per response; "
          f"{(per >= 14).mean():.0%} with 14 or more), ingest + detect {secs:.1f} s")
    md = MomentDrivers(n_boot=0, positive="satisfied", per="interaction_id").fit(moments, "satisfaction")
    tps = sorted(set(anchor.index) - {"unmapped"})
    ours = md.touchpoint_importance_.reindex(tps).fillna(-1.0)
    tau = kendalltau(anchor.reindex(tps), ours).statistic
    print(f"anchor  carlzon drivers on the ratings: top {', '.join(anchor.sort_values(ascending=False).index[:5])}")
    print(f"carlzon drivers --from-moments:          top {', '.join(md.touchpoint_importance_.index[:5])}")
    print(f"Kendall tau over {len(tps)} touchpoints: {0.0 if np.isnan(tau) else tau:.3f} (bar >= 0.8)")
    rate = moments.assign(m=moments["valence"].eq("misery")).groupby("touchpoint")["m"].mean()
    rate = rate.drop(index="unknown", errors="ignore")
    worst = rate.idxmax()
    q = md.summary.set_index("driver")["quadrant"].get(f"misery:{worst}", "not a driver")
    print(f"highest misery rate: {worst} ({rate[worst]:.1%}); its misery indicator is labelled {q!r} "
          f"(must not be 'keep it up')")


if __name__ == "__main__":
    main()
