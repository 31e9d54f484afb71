"""The recovery desk on a store: opening cases by the policy, every queue filter and action, p50/p95
beside a plain SELECT of the rows each one shows (the anchor, in the same run), and the queue's bars.

The store is a copy of --store (default: a fresh demo store, `carlzon demo`, in a temporary folder);
a PostgreSQL URL is used in place (its recovery tables are emptied first: use a scratch database).

Bars printed:
  * at most the policy's daily capacity of cases per day of misery;
  * every high-stakes interaction with misery is a case or summarised with its reason;
  * no case among the top 100 of the queue has neither a complaint in words nor a low rating
    (checked here from the evidence, independently of the policy's own test).

Usage:
    python bench/desk.py [--store carlzon.db | postgresql://...] [--reps 20] [--customers 2000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable


def timed(fn: Callable[[], Any], reps: int) -> tuple[float, float]:
    """p50 and p95 of ``reps`` runs, in milliseconds."""
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    out.sort()
    return statistics.median(out), out[min(len(out) - 1, int(round(0.95 * (len(out) - 1))))]


def _complaint(case: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> bool:
    """A complaint in words (an event or strong word of misery, an expectation missed) or a low rating."""
    for e in json.loads(case["evidence"] or "[]"):
        rule, w = e.get("rule"), e.get("weight")
        if rule == "expectation":
            return True
        if (
            rule == "rating"
            and e.get("phrase") in thresholds
            and e.get("value") is not None
            and float(e["value"]) <= thresholds[e["phrase"]]["misery"]
        ):
            return True
        if (
            rule == "lexicon"
            and w is not None
            and (float(w) <= -0.5 or (e.get("value") not in (None, "general", "complaint") and float(w) <= -0.25))
        ):
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="a store to copy (file) or use (postgresql:// URL); default: a fresh demo store")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--customers", type=int, default=2000, help="demo customers when no --store is given")
    args = ap.parse_args(argv)

    from carlzon.loop.recovery import RecoveryDesk, journey_for_store
    from carlzon.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="carlzon-desk-"))
    if args.store and args.store.startswith("postgresql"):
        url = args.store
    else:
        url = str(tmp / "desk.db")
        if args.store:
            shutil.copy(args.store, url)
        else:
            from typer.testing import CliRunner

            from carlzon.cli import app

            t0 = time.perf_counter()
            r = CliRunner().invoke(app, ["demo", "--store", url, "--customers", str(args.customers)])
            if r.exit_code:
                print(r.output, file=sys.stderr)
                return 1
            print(f"demo store built in {time.perf_counter() - t0:.0f} s")
    store = open_store(url)
    store.execute("DELETE FROM recovery_events")
    store.execute("DELETE FROM recovery_cases")
    store.execute("DELETE FROM recovery_considered")
    desk = RecoveryDesk(store, journey_for_store(store))
    n_moments = int(store.query("SELECT COUNT(*) AS n FROM moments")["n"].iloc[0])
    t0 = time.perf_counter()
    new = desk.open_cases()
    t_open = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = desk.open_cases()
    t_again = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.query("SELECT * FROM moments WHERE valence = 'misery'")
    t_anchor = time.perf_counter() - t0
    print(
        f"store: {n_moments} moments; cases open: {len(new)} opened, {sum(new.summarised.values())} summarised "
        f"({', '.join(f'{k} {v}' for k, v in sorted(new.summarised.items()))}) in {t_open:.1f} s; "
        f"again (incremental) {len(again)} in {t_again:.2f} s; anchor SELECT of the misery moments {t_anchor:.2f} s"
    )

    # bars
    cap = desk.policy.daily_capacity
    per_day = store.query("SELECT moment_at FROM recovery_cases")
    import pandas as pd

    days = pd.to_datetime(per_day["moment_at"], utc=True).dt.date.value_counts()
    print(
        f"bar capacity: most cases on one day of misery {int(days.max()) if len(days) else 0} "
        f"(capacity {cap}); days with cases {len(days)}"
    )
    hs = store.query(
        "SELECT COUNT(DISTINCT interaction_id) AS n FROM moments WHERE valence = 'misery' AND stakes = 'high'"
    )["n"].iloc[0]
    acc = store.query("SELECT decision, COUNT(*) AS n FROM recovery_considered WHERE stakes = 'high' GROUP BY decision")
    print(
        f"bar high stakes: {int(hs)} interactions with high-stakes misery; accounted: "
        + ", ".join(f"{d} {int(n)}" for d, n in zip(acc["decision"], acc["n"]))
        + f" = {int(acc['n'].sum())}"
    )
    top = desk.list(status="active", limit=100).to_dict("records")
    bad = [c["id"] for c in top if not _complaint(c, desk.journey.thresholds)]
    print(f"bar top 100: cases with neither a complaint nor a low rating: {len(bad)} {bad[:10]}")

    # the queue's filters and actions, beside a plain SELECT of the rows shown
    first = desk.list(limit=1).to_dict("records")[0]
    tp, owner = first["touchpoint"], "lena"
    checks: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (
            "queue (priority)",
            lambda: desk.list(limit=200),
            lambda: store.query("SELECT * FROM recovery_cases LIMIT 200"),
        ),
        (
            "filter touchpoint",
            lambda: desk.list(touchpoint=tp, limit=200),
            lambda: store.query("SELECT * FROM recovery_cases WHERE touchpoint = :t LIMIT 200", {"t": tp}),
        ),
        (
            "filter due overdue",
            lambda: desk.list(due="overdue", sort="due", limit=200),
            lambda: store.query("SELECT * FROM recovery_cases WHERE due_at IS NOT NULL LIMIT 200"),
        ),
        (
            "filter owner none",
            lambda: desk.list(owner="none", limit=200),
            lambda: store.query("SELECT * FROM recovery_cases WHERE owner IS NULL LIMIT 200"),
        ),
        (
            "search text",
            lambda: desk.list(q="bag", limit=200),
            lambda: store.query("SELECT * FROM recovery_cases WHERE text LIKE '%bag%' LIMIT 200"),
        ),
        (
            "one case",
            lambda: desk.get(first["id"]),
            lambda: store.query("SELECT * FROM recovery_cases WHERE id = :i", {"i": first["id"]}),
        ),
        (
            "summary (themes)",
            desk.summary,
            lambda: store.query("SELECT * FROM recovery_considered WHERE decision <> 'open' LIMIT 200"),
        ),
    ]
    print(f"{'what':<22}{'p50 ms':>9}{'p95 ms':>9}{'anchor p50':>12}{'anchor p95':>12}")
    for name, fn, anchor in checks:
        p50, p95 = timed(fn, args.reps)
        a50, a95 = timed(anchor, args.reps)
        print(f"{name:<22}{p50:>9.1f}{p95:>9.1f}{a50:>12.1f}{a95:>12.1f}")
    ids = [int(i) for i in desk.list(status="active", limit=20)["id"]]
    actions = [
        ("assign", lambda: desk.assign(ids[0], owner)),
        ("note (reply)", lambda: desk.note(ids[1], "Called back, bag on its way", author=owner, reply=True)),
        ("bulk assign 20", lambda: desk.bulk_assign(ids, owner)),
        ("check follow-ups", desk.check_followups),
    ]
    anchor = lambda: store.query("SELECT id FROM recovery_cases WHERE id = :i", {"i": ids[0]})  # noqa: E731
    a50, a95 = timed(anchor, args.reps)
    for name, fn in actions:
        p50, p95 = timed(fn, 3)
        print(f"{name:<22}{p50:>9.1f}{p95:>9.1f}{a50:>12.1f}{a95:>12.1f}")
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
