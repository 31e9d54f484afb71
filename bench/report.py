"""Benchmark: the HTML report over 1,000,000 moments (target: under 30 s, file under 5 MB).

Synthetic moments go into a temporary embedded store; the report is timed
beside an anchor measured in the same run: reading the same columns of the
moments table with one plain SELECT.

    python bench/report.py [--moments 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from carlzon.report import build_report
from carlzon.report.synthetic import fill_store
from carlzon.store import open_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moments", type=int, default=1_000_000)
    ap.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="keep the store and report in this folder (a store with as many moments is reused)",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "bench_report.db"
        reuse = False
        if db.exists():
            with open_store(str(db)) as st:
                reuse = st.counts()["moments"] == args.moments
        if not reuse:
            for p in folder.glob("bench_report.db*"):
                p.unlink()
            t = time.perf_counter()
            with open_store(str(db)) as st:
                fill_store(st, args.moments, seed=0, text_every=3)
            print(f"store filled: {args.moments:,} interactions and moments in {time.perf_counter() - t:.1f} s")
        else:
            print(f"reusing {db} ({args.moments:,} moments)")
        with open_store(str(db)) as st:
            t = time.perf_counter()
            df = st.query(
                "SELECT m.interaction_id, m.timestamp, m.touchpoint, m.valence, m.score, m.intensity FROM moments m"
            )
            anchor = time.perf_counter() - t
            assert len(df) == args.moments
            del df
            t = time.perf_counter()
            out = build_report(st, folder / "report.html")
            seconds = time.perf_counter() - t
        mb = out.stat().st_size / 1e6
        print(f"anchor  plain SELECT of id, timestamp, touchpoint, valence, score, intensity: {anchor:6.1f} s")
        print(
            f"report  {args.moments:,} moments -> {mb:.2f} MB in {seconds:6.1f} s "
            f"({seconds / anchor:.1f}x the anchor); targets: < 30 s, < 5 MB -> "
            f"{'met' if seconds < 30 and mb < 5 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
