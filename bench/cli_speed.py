"""`carlzon alerts` and `carlzon cases open` on a store of about --n customer messages, wall time of each
command beside an anchor measured in the same run (a plain SELECT of every moment with its text).

The store: the hotel journey simulated for --customers customers, its messages with text (reviews,
social posts, surveys, tickets, chats, e-mails; not visits) ingested and detected, the first --n;
--synthetic writes --n rows of carlzon.report.synthetic instead (faster, plainer texts).

Usage:
    python bench/cli_speed.py [--n 50000] [--customers 6000] [--synthetic]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--customers", type=int, default=6_000)
    ap.add_argument("--synthetic", action="store_true")
    args = ap.parse_args(argv)

    from typer.testing import CliRunner

    from carlzon.cli import app as cli
    from carlzon.report.synthetic import fill_store
    from carlzon.store import open_store

    path = str(Path(tempfile.mkdtemp(prefix="carlzon-cli-speed-")) / "reviews.db")
    t0 = time.perf_counter()
    with open_store(path) as st:
        if args.synthetic:
            fill_store(st, args.n, seed=7, customers=args.customers)
            what = "synthetic rows"
        else:
            from carlzon.ingest import ingest
            from carlzon.simulate import simulate

            sim = simulate("hotel", seed=7, customers=args.customers)
            df = sim.interactions[~sim.interactions["channel"].isin(["visit", "event"])].head(args.n)
            ingest(df, st, journey="hotel")
            what = "simulated hotel messages"
        n = int(st.query("SELECT COUNT(*) AS n FROM interactions")["n"].iloc[0])
    print(f"store of {n:,} {what} written in {time.perf_counter() - t0:.1f} s")
    with open_store(path) as st:
        t0 = time.perf_counter()
        st.query("SELECT m.*, i.text FROM moments m LEFT JOIN interactions i ON i.id = m.interaction_id")
        anchor = time.perf_counter() - t0
    print(f"{'command':<28}{'exit':>5}{'seconds':>9}{'anchor s':>10}")
    for cmd in (["alerts"], ["cases", "open"]):
        t0 = time.perf_counter()
        r = CliRunner().invoke(cli, [*cmd, "--store", path, "--json"])
        took = time.perf_counter() - t0
        if r.exit_code:
            print(r.output[-2000:], file=sys.stderr)
        print(f"{'carlzon ' + ' '.join(cmd):<28}{r.exit_code:>5}{took:>9.1f}{anchor:>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
