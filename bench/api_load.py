"""Benchmark: 10,000 interactions posted in batches by 8 concurrent clients to a real `carlzon serve`.

Starts `carlzon serve` (uvicorn) on 127.0.0.1 in a subprocess over a fresh
embedded store, posts through POST /api/interactions, then checks the store:
none lost, none duplicated. Prints p50 / p95 latency per batch beside an
anchor measured in the same run: the same batch size posted by one client
alone, before the load.

    python bench/api_load.py [--n 10000] [--batch 125] [--clients 8]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

from carlzon.store import open_store
from carlzon.web.auth import create_token

_TEXTS = [
    "The gate agent was rude and we waited 40 minutes",
    "Lovely crew, they remembered my name",
    "Bag lost, nobody answers the phone",
    "Check-in was quick and easy",
    "Seat was broken, food cold",
]


def _items(prefix: str, n: int, start: int = 0) -> list[dict]:
    return [
        {
            "id": f"{prefix}{i}",
            "customer_id": f"c{i % 997}",
            "timestamp": f"2026-02-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            "channel": "survey",
            "text": _TEXTS[i % len(_TEXTS)],
            "nps": i % 11,
            "measures": {"wait_minutes": i % 50},
        }
        for i in range(start, start + n)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=125)
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    exe = shutil.which("carlzon")
    cli = [exe] if exe else [sys.executable, "-c", "from carlzon.cli import main; main()"]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "carlzon.db"
        with open_store(str(db)) as st:
            token = create_token(st, role="admin", name="bench").secret
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token}"}
        server = subprocess.Popen(
            cli + ["serve", "--store", str(db), "--port", str(port), "--journey", "airline"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.time() + 60
            while True:
                try:
                    if httpx.get(base + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.time() > deadline or server.poll() is not None:
                    sys.exit("carlzon serve did not start")
                time.sleep(0.2)

            with httpx.Client(base_url=base, headers=headers, timeout=300) as c:
                anchor = []
                for k in range(3):  # warm-up and anchor: one client alone
                    t = time.perf_counter()
                    r = c.post("/api/interactions", json={"interactions": _items(f"warm{k}-", args.batch)})
                    r.raise_for_status()
                    anchor.append(time.perf_counter() - t)
                warm_n = 3 * args.batch

            batches = [_items("load", min(args.batch, args.n - s), s) for s in range(0, args.n, args.batch)]

            def client(job: list[list[dict]]) -> list[tuple[float, dict]]:
                out = []
                with httpx.Client(base_url=base, headers=headers, timeout=300) as c:
                    for b in job:
                        t = time.perf_counter()
                        r = c.post("/api/interactions", json={"interactions": b})
                        r.raise_for_status()
                        out.append((time.perf_counter() - t, r.json()))
                return out

            jobs = [batches[i :: args.clients] for i in range(args.clients)]
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                results = [x for part in pool.map(client, jobs) for x in part]
            wall = time.perf_counter() - t0

            lat = np.array([r[0] for r in results]) * 1000
            stored = sum(r[1]["stored"] for r in results)
            dup = sum(r[1]["duplicates"] for r in results)
            quar = sum(r[1]["quarantined"] for r in results)
            with httpx.Client(base_url=base, headers=headers, timeout=300) as c:
                again = c.post("/api/interactions", json={"interactions": batches[0]}).json()
                counts = c.get("/health").json()["counts"]
        finally:
            server.terminate()
            server.wait(20)
        with open_store(str(db)) as st:
            q = st.query("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM interactions WHERE id LIKE 'load%'")
        n_rows, n_distinct = int(q["n"][0]), int(q["d"][0])

    print(f"anchor  1 client, batch of {args.batch}: {np.median(anchor) * 1000:8.0f} ms median of 3")
    print(
        f"load    {args.n:,} interactions, {len(batches)} batches of {args.batch}, {args.clients} clients: "
        f"{wall:.1f} s wall, {args.n / wall:,.0f} interactions/s"
    )
    print(
        f"latency per batch: p50 {np.percentile(lat, 50):,.0f} ms, p95 {np.percentile(lat, 95):,.0f} ms, "
        f"max {lat.max():,.0f} ms"
    )
    print(
        f"account: stored {stored:,}, duplicates {dup}, quarantined {quar}; "
        f"store holds {n_rows:,} rows with {n_distinct:,} distinct ids; health count {counts['interactions']:,} "
        f"(incl. {warm_n} warm-up)"
    )
    print(f"re-post of one batch: stored {again['stored']}, duplicates {again['duplicates']}")
    ok = (
        stored == args.n
        and n_rows == n_distinct == args.n
        and again["stored"] == 0
        and counts["interactions"] == args.n + warm_n
    )
    print("none lost, none duplicated" if ok else "MISMATCH: rows lost or duplicated")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
