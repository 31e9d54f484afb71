"""The loop through the dashboard, in a real browser (Playwright driving Debian's chromium):
misery -> case opened -> suggested reply -> agent note -> follow-up rating -> closed recovered -> measures updated;
then the magic page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from carlzon.web.auth import create_token
from tests.loop.loopdata import T0, add, interaction, seed_misery

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _need_browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is absent (install Debian's chromium to run the browser tests)")
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed in CI")
        pytest.skip("the playwright Python package is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(store):
    _need_browser()
    import uvicorn

    from tests.loop.test_loop_api import loop_app

    seed_misery(store)
    add(store, [interaction("b1", "maja", T0, attributes={"name": "Maja Lind", "birthday": "1990-03-02"})])
    token = create_token(store, role="agent", name="lena").secret
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(loop_app(store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "the dashboard did not start"
    yield f"http://127.0.0.1:{port}", token
    srv.should_exit = True
    thread.join(timeout=10)


def test_case_queue_end_to_end_in_the_browser(server, store):
    from playwright.sync_api import sync_playwright

    base, token = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{base}/login?next=/cases")
        page.fill("input[name=token]", token)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/cases")

        page.click("#open-cases")
        page.wait_for_url(f"{base}/cases?notice=*")
        row = page.locator("#queue tbody tr").first
        assert "#1" in row.inner_text()
        assert "68" in row.inner_text()
        assert "Anna Berg" in row.inner_text()
        assert page.locator("#m-cases").inner_text() == "1"

        page.click("#queue a[href='/cases/1']")
        reply = page.locator("#suggested-reply").inner_text()
        assert reply.startswith("Hi Anna,")
        assert "lost my bag in Oslo" in reply
        assert "travel voucher" in reply

        page.fill("input[name=owner]", "lena")
        page.fill("input[name=team]", "baggage")
        page.click("#assign")
        page.fill("#note-text", "Called Anna: bag found in Frankfurt, courier booked")
        page.check("#note-reply")
        page.click("#add-note")
        history = page.locator("#history").inner_text()
        assert "Called Anna: bag found in Frankfurt" in history
        assert "reply" in history
        assert "in_progress" in page.locator("#case-status").inner_text()

        add(store, [interaction("i3", "anna", T0 + timedelta(days=3), nps=9)])  # the follow-up rating arrives
        page.goto(f"{base}/cases")
        page.click("#check-followups")
        page.wait_for_url(f"{base}/cases?notice=*")
        assert "closed · recovered" in page.locator("#queue tbody tr").first.inner_text()
        assert page.locator("#m-rate").inner_text() == "100%"
        assert "n=1 closed" in page.locator("#m-rate-meta").inner_text()
        page.screenshot(path=str(SHOTS / "loop_cases_queue.png"), full_page=True)

        page.goto(f"{base}/cases/1")
        assert "follow-up rating 9/10 on 2026-03-05" in page.locator("#outcome-reason").inner_text()
        page.screenshot(path=str(SHOTS / "loop_case.png"), full_page=True)

        page.goto(f"{base}/magic?date=2026-03-02")
        rows = page.locator("#magic tbody tr")
        assert rows.count() == 1
        assert "birthday today (1990-03-02)" in rows.first.inner_text()
        page.screenshot(path=str(SHOTS / "loop_magic.png"), full_page=True)
        browser.close()
