"""A real PostgreSQL server restarted under a running `carlzon serve`: /health says 503 while it is down,
and requests succeed again within 5 s of it accepting connections, without restarting serve.

The test starts a PostgreSQL server of its own (the shared test server must not restart under
other tests) with Debian's binaries, and `carlzon serve` as a subprocess on a free loopback port.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.web.serving import wait_healthy

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

RECOVER_S = 5.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A throw-away PostgreSQL cluster on loopback (run as the postgres user when we are root)."""

    def __init__(self, root: Path) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            if os.environ.get("CI"):
                pytest.fail("Debian's postgresql is missing in CI")
            pytest.skip("PostgreSQL binaries are absent (apt-get install postgresql)")
        self.bin = bins[-1]
        self.data = root / "pgdata"
        self.data.mkdir()
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(root, "postgres")
            shutil.chown(self.data, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [f"{self.bin}/{tool}", *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)

    def start(self) -> None:
        opts = f"-k {self.data} -c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.data / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture
def pg():
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="carlzon-pg-"))  # not under pytest's folder: the postgres user reaches it
    server = Server(root)
    server.start()
    yield server
    try:
        server.stop()
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def serve(pg):
    from carlzon.ingest import ingest
    from carlzon.report.synthetic import synthetic_rows
    from carlzon.store import open_store
    from carlzon.web.auth import create_token

    with open_store(pg.url) as st:
        inter, _ = synthetic_rows(200, seed=2)
        ingest(inter[["id", "customer_id", "timestamp", "channel", "text", "nps"]], st, journey="airline")
        token = create_token(st, role="viewer", name="probe").secret
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from carlzon.cli import main; main()", "serve", "--store", pg.url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # never fills a pipe
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    yield base, {"Authorization": f"Bearer {token}"}, proc
    proc.terminate()
    proc.wait(10)


def _status(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        return httpx.get(url, headers=headers, timeout=10).status_code
    except httpx.HTTPError:
        return -1


def test_health_is_503_while_down_and_requests_recover_within_5_s(pg, serve):
    base, auth, proc = serve
    assert _status(base + "/api/metrics", auth) == 200
    pg.stop()
    down = (_status(base + "/health"), _status(base + "/api/metrics", auth))
    pg.start()
    back = time.monotonic()
    recovered = None
    while time.monotonic() - back < 30:
        if _status(base + "/health") == 200 and _status(base + "/api/metrics", auth) == 200:
            recovered = time.monotonic() - back
            break
        time.sleep(0.05)
    print(f"down: {down}; requests succeeded again {recovered} s after the server came back")
    assert (down, recovered is not None and recovered <= RECOVER_S, proc.poll()) == ((503, 503), True, None), recovered


def test_a_restart_while_idle_costs_no_failed_request(pg, serve):
    base, auth, proc = serve
    pg.stop()
    pg.start()
    assert [_status(base + "/api/moments?per_page=5", auth) for _ in range(3)] == [200, 200, 200]
