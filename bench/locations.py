"""Places compared fairly, on a simulated chain with planted place effects.

For each seed, ``simulate_places`` plants a quality per place (many small places) and a few places
worse at one touchpoint. Prints, per bar and over the seeds:

* Kendall tau of carlzon's shrunk ranking (``LocationRanking``, what ``carlzon locations`` prints)
  against the planted truth, beside the anchor: ranking by the raw shares, on the same places;
* the share of planted focus areas (place, touchpoint) found, beside an oracle: the power of an exact
  test of each plant's cell against the true chain rate at the same level, the expected share that
  any test of "worse than the chain" finds (a plant at a place of high quality keeps its magic there,
  so its misery share can sit near the chain's: too small to find at its n);
* with nothing planted (no quality spread, no planted place): the share of places flagged.

    python bench/locations.py [--seeds 20] [--places 60]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy.stats import binom, kendalltau

from carlzon.analysis.locations import LocationRanking
from carlzon.simulate.places import simulate_places


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--places", type=int, default=60)
    ap.add_argument("--journey", default="hotel")
    args = ap.parse_args()
    t0 = time.perf_counter()
    taus, taus_raw, worst_hits, worst_raw, found, planted, flagged, null_places = [], [], [], [], 0, 0, 0, 0
    seeds_all, power, weak = 0, [], []
    for seed in range(args.seeds):
        sim = simulate_places(args.journey, seed=seed, places=args.places)
        r = LocationRanking().fit(sim.moments)
        t = r.table_.set_index("location")
        truth = pd.Series(sim.truth["score"]).reindex(t.index)
        taus.append(kendalltau(t["shrunk"], truth).statistic)
        taus_raw.append(kendalltau(t["score"], truth).statistic)
        k = max(1, len(t) // 10)  # the worst tenth
        true_worst = set(truth.nsmallest(k).index)
        worst_hits.append(len(true_worst & set(t["shrunk"].nsmallest(k).index)) / k)
        worst_raw.append(len(true_worst & set(t["score"].nsmallest(k).index)) / k)
        got = {
            (a, b)
            for a, b in r.focus_.loc[r.focus_["kind"] == "focus", ["location", "touchpoint"]].itertuples(index=False)
        }
        planted += len(sim.truth["focus"])
        hits = [(a, b) in got for a, b in sim.truth["focus"]]
        found += sum(hits)
        seeds_all += all(hits)
        # the oracle: an exact binomial test of each plant's cell against the true chain rate, at the
        # Benjamini-Hochberg threshold of this run (fdr x rejections / cells tested)
        cell_n = sim.moments.groupby(["location", "touchpoint"]).size()
        level = r.fdr * max(len(got), 1) / int((cell_n >= r.min_n).sum())
        for (a, b), p1, p0 in zip(sim.truth["focus"], sim.truth["focus_rate"], sim.truth["chain_rate"]):
            n = int(cell_n.get((a, b), 0))
            k = binom.isf(level, n, p0)  # reject when misery > k
            pw = float(binom.sf(max(k, r.min_misery - 1), n, p1))
            power.append(pw)
            if pw < 0.5:
                weak.append(f"{a}/{b} n={n} {p1:.2f} vs {p0:.2f}: {pw:.0%}")
        null = simulate_places(args.journey, seed=1000 + seed, places=args.places, planted=0, spread=0.0)
        rn = LocationRanking().fit(null.moments)
        flagged += len(rn.flagged())
        null_places += len(rn.table_)
    n_moments = len(sim.moments)
    print(
        f"{args.seeds} seeds x {args.places} places (sizes {min(sim.truth['sizes'].values())}-"
        f"{max(sim.truth['sizes'].values())} interactions, {n_moments:,} moments in the last seed); "
        f"{time.perf_counter() - t0:.1f} s"
    )
    print(f"{'bar':<58} {'carlzon':>9} {'anchor: raw shares':>19} {'target':>8}")
    print(
        f"{'Kendall tau against the planted truth (mean over seeds)':<58} {np.mean(taus):>9.3f} {np.mean(taus_raw):>19.3f} {'>= 0.8':>8}"
    )
    print(f"{'  lowest seed':<58} {np.min(taus):>9.3f} {np.min(taus_raw):>19.3f}")
    print(
        f"{'worst tenth recovered (share of the truly worst places)':<58} {np.mean(worst_hits):>9.1%} {np.mean(worst_raw):>19.1%}"
    )
    print(f"{'planted focus areas found':<58} {found / planted:>9.1%} {'':>19} {'>= 90%':>8}   ({found}/{planted})")
    print(
        f"{'  oracle: exact test vs the true chain rate, plain BH level':<58} {np.mean(power):>9.1%} {'':>19} "
        f"{'':>8}   (expected share found by a plain-BH test that knew the chain rate)"
    )
    print(f"{'  seeds with every planted focus area found':<58} {seeds_all / args.seeds:>9.0%}")
    print(f"  plants under 50% power ({len(weak)}): " + "; ".join(weak))
    print(
        f"{'places flagged with nothing planted':<58} {flagged / null_places:>9.1%} {'':>19} {'<= 5%':>8}   ({flagged}/{null_places})"
    )


if __name__ == "__main__":
    main()
