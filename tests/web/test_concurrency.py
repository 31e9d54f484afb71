"""Issue 2: `carlzon serve` running while `carlzon ingest` runs in another process on the same embedded
store, with API posts meanwhile: nothing is lost, every row is accounted for."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pandas as pd
import pytest

from carlzon.store import open_store
from carlzon.web.auth import create_token
from tests.web.serving import wait_healthy

pytestmark = pytest.mark.slow

N_FILE = 6000
N_API_BATCHES, API_BATCH = 12, 100


def _cli() -> list[str]:
    exe = shutil.which("carlzon")
    return [exe] if exe else [sys.executable, "-c", "from carlzon.cli import main; main()"]


def _ingest_cmd(csv, db) -> list[str]:
    """`carlzon ingest FILE --store DB --json` in its own process."""
    return _cli() + ["ingest", str(csv), "--store", str(db), "--json"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_and_ingest_at_once_lose_nothing(tmp_path):
    db = tmp_path / "carlzon.db"
    with open_store(str(db)) as st:
        token = create_token(st, role="admin", name="concurrency").secret
    csv = tmp_path / "export.csv"
    pd.DataFrame(
        {
            "id": [f"f{i}" for i in range(N_FILE)],
            "customer_id": [f"c{i % 500}" for i in range(N_FILE)],
            "created_at": pd.date_range("2026-01-01", periods=N_FILE, freq="17min").strftime("%Y-%m-%d %H:%M:%S"),
            "comment": ["The gate agent was rude" if i % 3 else "Lovely crew, thank you" for i in range(N_FILE)],
            "nps": [i % 11 for i in range(N_FILE)],
        }
    ).to_csv(csv, index=False)

    port = _free_port()
    serve = subprocess.Popen(
        _cli() + ["serve", "--store", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, serve)

        ingest = subprocess.Popen(_ingest_cmd(csv, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def post(k: int) -> dict:
            items = [
                {
                    "id": f"api{k}-{j}",
                    "customer_id": f"a{j}",
                    "timestamp": "2026-03-01T12:00:00Z",
                    "text": "Bag lost again",
                    "nps": 1,
                }
                for j in range(API_BATCH)
            ]
            r = httpx.post(
                base + "/api/interactions",
                json={"interactions": items},
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
            assert r.status_code == 200, r.text
            return r.json()

        with ThreadPoolExecutor(4) as pool:
            accounts = list(pool.map(post, range(N_API_BATCHES)))
            reads = [
                httpx.get(base + "/api/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=120)
                for _ in range(3)
            ]
        out, err = ingest.communicate(timeout=300)
        assert ingest.returncode == 0, err
        acc = json.loads(out)
        assert acc["read"] == N_FILE == acc["stored"] + acc["duplicates"] + acc["quarantined"]
        assert acc["stored"] == N_FILE
        assert all(a["stored"] == API_BATCH and a["read"] == API_BATCH for a in accounts)
        assert all(r.status_code == 200 for r in reads)
        counts = httpx.get(base + "/health", timeout=10).json()["counts"]
        assert counts["interactions"] == N_FILE + N_API_BATCHES * API_BATCH
        assert counts["moments"] == counts["interactions"]
    finally:
        serve.terminate()
        serve.wait(20)
    with open_store(str(db)) as st:
        ids = st.query("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM interactions")
        assert int(ids["n"][0]) == int(ids["d"][0]) == N_FILE + N_API_BATCHES * API_BATCH
