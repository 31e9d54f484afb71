"""Every dashboard page and the desk's actions, p50/p95 through the in-process ASGI client, beside a plain
SELECT of the rows each page shows (the anchor, in the same run).

The store: --store (a file is copied first; a postgresql:// URL is used in place), default a fresh demo
store. The first request of each page is timed apart ("cold"), then --reps more. As ``carlzon serve``, the
app runs its background warmer (the heavy views computed ahead of the first request): the bench waits for
its first round and prints how long it took; --no-warm measures without it.

Usage:
    python bench/pages.py [--store carlzon.db | postgresql://...] [--reps 10]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk import timed  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="a store to copy (file) or use (postgresql:// URL); default: a fresh demo store")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--date", default=None, help="the day for /magic (default: the store's last day)")
    ap.add_argument(
        "--no-warm",
        action="store_true",
        help="no background warmer (carlzon serve runs one): cold = computed on request",
    )
    args = ap.parse_args(argv)

    from fastapi.testclient import TestClient

    from carlzon.store import open_store
    from carlzon.web.app import create_app
    from carlzon.web.auth import create_token

    tmp = Path(tempfile.mkdtemp(prefix="carlzon-pages-"))
    if args.store and args.store.startswith("postgresql"):
        url = args.store
    else:
        url = str(tmp / "pages.db")
        if args.store:
            shutil.copy(args.store, url)
        else:
            from typer.testing import CliRunner

            from carlzon.cli import app as cli

            r = CliRunner().invoke(cli, ["demo", "--store", url])
            if r.exit_code:
                print(r.output, file=sys.stderr)
                return 1
    store = open_store(url)
    last = str(store.query("SELECT MAX(timestamp) AS t FROM moments")["t"].iloc[0])[:10]
    day = args.date or last
    app = create_app(store, warm_every=None if args.no_warm else 5.0)
    token = create_token(store, role="agent", name="bench").secret
    h = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as c:
        r = c.post("/api/cases/open", headers=h)
        print(f"cases open through the API: {r.status_code} {r.json().get('n_opened')} opened")
        if not args.no_warm:  # the cases just opened are a write: the warmer's next round computes again
            t0 = time.perf_counter()
            app.state.warmer.wait_current()
            warm_s = time.perf_counter() - t0
            a50, _ = timed(lambda: store.query("SELECT * FROM moments"), 1)
            print(f"views warmed in the background in {warm_s:.1f} s (anchor: SELECT * FROM moments {a50:.0f} ms)")
        case_id = (c.get("/api/cases?limit=1", headers=h).json().get("cases") or [{"id": 1}])[0]["id"]
        cust = store.query("SELECT customer_id FROM interactions WHERE customer_id IS NOT NULL LIMIT 1")["customer_id"]
        cust = str(cust.iloc[0]) if len(cust) else "none"
        pages = [
            ("/", "SELECT COUNT(*) FROM moments"),
            ("/moments", "SELECT * FROM moments ORDER BY timestamp DESC LIMIT 50"),
            ("/themes", "SELECT * FROM moments WHERE valence = 'misery' ORDER BY timestamp DESC LIMIT 200"),
            ("/alerts", "SELECT * FROM moments WHERE valence = 'misery' ORDER BY timestamp DESC LIMIT 200"),
            ("/paths", "SELECT * FROM moments LIMIT 200"),
            ("/customers", "SELECT * FROM interactions WHERE customer_id IS NOT NULL LIMIT 50"),
            (f"/customers/{cust}", f"SELECT * FROM interactions WHERE customer_id = '{cust}'"),
            (f"/magic?date={day}", "SELECT * FROM interactions ORDER BY timestamp DESC LIMIT 50"),
            ("/cases", "SELECT * FROM recovery_cases LIMIT 200"),
            (
                "/cases?touchpoint=baggage_claim&due=today&owner=none",
                "SELECT * FROM recovery_cases WHERE touchpoint = 'baggage_claim' LIMIT 200",
            ),
            ("/cases?q=bag", "SELECT * FROM recovery_cases WHERE text LIKE '%bag%' LIMIT 200"),
            (f"/cases/{case_id}", f"SELECT * FROM recovery_cases WHERE id = {case_id}"),
        ]
        print(f"{'page':<52}{'status':>7}{'cold ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'anchor p50':>12}{'anchor p95':>12}")
        for path, sql in pages:
            t0 = time.perf_counter()
            r = c.get(path, headers=h)
            cold = (time.perf_counter() - t0) * 1000
            p50, p95 = timed(lambda path=path: c.get(path, headers=h), args.reps)
            a50, a95 = timed(lambda sql=sql: store.query(sql), args.reps)
            print(f"{path:<52}{r.status_code:>7}{cold:>9.0f}{p50:>9.0f}{p95:>9.0f}{a50:>12.1f}{a95:>12.1f}")
        actions = [
            ("POST /api/cases/open (incremental)", lambda: c.post("/api/cases/open", headers=h)),
            ("POST /api/cases/check", lambda: c.post("/api/cases/check", headers=h)),
            (
                f"POST /api/cases/{case_id}/assign",
                lambda: c.post(f"/api/cases/{case_id}/assign", headers=h, json={"owner": "lena"}),
            ),
            ("POST /api/coach", lambda: c.post("/api/coach", headers=h, json={"text": "I am sorry about your bag"})),
        ]
        a50, a95 = timed(lambda: store.query(f"SELECT id FROM recovery_cases WHERE id = {case_id}"), args.reps)
        for name, fn in actions:
            t0 = time.perf_counter()
            r = fn()
            cold = (time.perf_counter() - t0) * 1000
            p50, p95 = timed(fn, max(3, args.reps // 3))
            print(f"{name:<52}{r.status_code:>7}{cold:>9.0f}{p50:>9.0f}{p95:>9.0f}{a50:>12.1f}{a95:>12.1f}")
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
