"""Drivers from moments on the airline passenger survey, beside `carlzon drivers` on its 14 ratings.

Anchor (same run, same rows): KeyDrivers (relative weights) on the service
ratings (0 = not applicable) against satisfaction = 'satisfied', as `carlzon
drivers` computes it on a survey table: one driver per touchpoint (the mean of
the items the journey gives it, as the report's survey drivers do, since the
detector merges two items of one touchpoint into one moment); the 14 items'
own shares summed per touchpoint are printed beside it.

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
DRIVERS = [
    "Inflight wifi service",
    "Departure/Arrival time convenient",
    "Ease of Online booking",
    "Gate location",
    "Food and drink",
    "Online boarding",
    "Seat comfort",
    "Inflight entertainment",
    "On-board service",
    "Leg room service",
    "Baggage handling",
    "Checkin service",
    "Inflight service",
    "Cleanliness",
]


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
    summed = kd.importance_.groupby(pd.Series(item_tp).reindex(kd.importance_.index).fillna("unmapped")).sum()
    # the report's survey drivers: one driver per touchpoint, the mean of its items (as moments merge them)
    per_tp = pd.DataFrame(
        {
            tp: df[[c for c in DRIVERS if item_tp[c] == tp]].replace(0, np.nan).mean(axis=1)
            for tp in dict.fromkeys(t for t in item_tp.values() if t)
        }
    )
    kd_tp = KeyDrivers(n_boot=0, seed=0).fit(
        per_tp.assign(satisfaction=df["satisfaction"]), "satisfaction", list(per_tp.columns), positive="satisfied"
    )
    anchor = kd_tp.importance_

    t = time.perf_counter()
    with open_store(":memory:") as st:
        ingest(df.drop(columns=[df.columns[0]]), st, journey="airline", source=path.name)
        moments = st.moments(with_text=False)
    secs = time.perf_counter() - t
    per = moments.groupby("interaction_id").size()
    print(
        f"carlzon: {len(moments):,} moments of {per.size:,} responses ({per.mean():.2f} per response; the 14 ratings are of "
        f"{len(set(item_tp.values()))} touchpoints rated), ingest + detect {secs:.1f} s"
    )
    variants = {}
    for kinds in (("misery", "magic"), ("score",), ("score", "misery"), ("score", "misery", "magic")):
        v = MomentDrivers(kinds=kinds, n_boot=0, positive="satisfied", per="interaction_id").fit(
            moments, "satisfaction"
        )
        variants[kinds] = v
    md = variants[("score", "misery")]  # the default of carlzon drivers --from-moments
    tps = sorted(set(anchor.index) - {"unmapped"})
    t_sum = kendalltau(summed.reindex(tps), anchor.reindex(tps)).statistic
    print(
        f"anchor  drivers on the 14 items, shares summed per touchpoint, vs on the touchpoints' mean ratings: "
        f"tau {t_sum:.3f} (how much the grouping alone moves the ranking)"
    )
    print(f"anchor  carlzon drivers on the ratings: top {', '.join(anchor.sort_values(ascending=False).index[:5])}")
    print(f"carlzon drivers --from-moments:          top {', '.join(md.touchpoint_importance_.index[:5])}")
    for kinds, v in variants.items():
        t = kendalltau(anchor.reindex(tps), v.touchpoint_importance_.reindex(tps).fillna(-1.0)).statistic
        default = " (the default)" if kinds == ("score", "misery") else ""
        print(
            f"Kendall tau over {len(tps)} touchpoints, --kinds {','.join(kinds)}{default}: "
            f"{0.0 if np.isnan(t) else t:.3f} (bar >= 0.8)"
        )
    rate = moments.assign(m=moments["valence"].eq("misery")).groupby("touchpoint")["m"].mean()
    rate = rate.drop(index="unknown", errors="ignore")
    worst = rate.idxmax()
    q = md.summary.set_index("driver")["quadrant"].get(f"misery:{worst}", "not a driver")
    print(
        f"highest misery rate: {worst} ({rate[worst]:.1%}); its misery indicator is labelled {q!r} "
        f"(must not be 'keep it up')"
    )


if __name__ == "__main__":
    main()
