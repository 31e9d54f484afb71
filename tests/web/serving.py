"""Helpers for tests that run `carlzon serve` as a real process."""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest


def wait_healthy(base: str, proc: subprocess.Popen, *, timeout: float = 60) -> None:
    """Wait until ``base``/health answers 200; fail the test (with the server's output) when it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            out = proc.stdout or proc.stderr
            text = out.read() if out is not None and proc.poll() is not None else ""
            proc.kill()
            pytest.fail(f"carlzon serve did not start: {text[-2000:] if isinstance(text, str) else text[-2000:]!r}")
        time.sleep(0.1)
