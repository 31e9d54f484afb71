"""Key drivers on the airline passenger survey: bootstrap speed and method agreement.

Times 1,000 bootstrap resamples of relative weights over all rows (14 service
ratings, 0 = not applicable, outcome satisfaction = 'satisfied') on one core,
beside one plain statsmodels OLS fit on the same data in the same run, and
prints the Kendall tau between relative weights and exact Shapley shares.

    python bench/drivers.py [../shared/data/airline_passenger_satisfaction/train.csv] [--boot 1000]
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_v] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from scipy.stats import kendalltau  # noqa: E402

from carlzon.analysis import KeyDrivers  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "data" / "airline_passenger_satisfaction" / "train.csv"
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
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--boot", type=int, default=1000)
    args = ap.parse_args()
    df = pd.read_csv(args.path)
    print(f"data: {Path(args.path).name}, {len(df):,} rows x {len(DRIVERS)} drivers, one core")

    X = df[DRIVERS].replace(0, np.nan)
    y = (df["satisfaction"] == "satisfied").astype(float)
    t = time.perf_counter()
    Xi = X.fillna(X.mean())
    ols = sm.OLS(y, sm.add_constant(Xi)).fit()
    t_ols = time.perf_counter() - t
    print(f"anchor  statsmodels OLS, one fit (mean-imputed):      {t_ols:7.3f} s   (R2 {ols.rsquared:.3f})")

    for outcome_kind, kwargs in (("binary, logistic relative weights", {"positive": "satisfied"}),):
        t = time.perf_counter()
        kd = KeyDrivers(n_boot=args.boot, na_values=0, seed=0).fit(df, "satisfaction", DRIVERS, **kwargs)
        t_rw = time.perf_counter() - t
        print(
            f"carlzon relative weights + {args.boot} resamples ({outcome_kind}): {t_rw:7.3f} s "
            f"({t_rw / t_ols:.0f}x one OLS fit; target < 10 s)  McFadden R2 {kd.r2_:.3f}"
        )
    t = time.perf_counter()
    KeyDrivers(n_boot=args.boot, na_values=0, seed=0, outcome_type="continuous").fit(
        df.assign(satisfied=y), "satisfied", DRIVERS
    )
    t_lin = time.perf_counter() - t
    print(f"carlzon relative weights + {args.boot} resamples (0/1 as continuous, pairwise): {t_lin:7.3f} s")

    t = time.perf_counter()
    sh = KeyDrivers("shapley", n_boot=0, na_values=0).fit(df, "satisfaction", DRIVERS, positive="satisfied")
    t_sh = time.perf_counter() - t
    tau = kendalltau(kd.importance_, sh.importance_.reindex(kd.importance_.index)).statistic
    print(f"carlzon exact Shapley (2^14 subsets), no bootstrap: {t_sh:7.3f} s")
    print(f"Kendall tau, relative weights vs exact Shapley: {tau:.3f} (bar >= 0.85)")
    top = kd.summary.head(5)[["driver", "importance", "ci_low", "ci_high", "quadrant"]]
    print(top.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
