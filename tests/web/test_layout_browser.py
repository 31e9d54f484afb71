"""Every dashboard page at 1280 and 390 px in a real browser: no sideways scroll and no two text boxes on top
of each other (tables turn into cards on a phone). Full-page screenshots go to test-artifacts/screenshots."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.web.layout import ARGS, CHROMIUM, WIDTHS, measure, problem, shot

pytestmark = pytest.mark.browser

PAGES = {
    "overview": "/",
    "overview-filtered": "/?channel=survey&since=2026-02-01&until=2026-05-31",
    "moments": "/moments",
    "learn": "/learn",
    "customers": "/customers",
    "customer": None,  # a customer's timeline, filled in from the store
    "cases": "/cases",
    "magic": "/magic",
    "alerts": "/alerts",
    "themes": "/themes",
    "paths": "/paths",
    "surveys": "/surveys",
    "walks": "/walks/new",
    "api-docs": "/docs",
    "login": "/login",
}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def live(web_store):
    import uvicorn

    from carlzon.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(web_store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline:
            pytest.fail("the test server did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def signed_in(browser, live, tokens):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(live + "/login")
    page.fill("input[name=token]", tokens["admin"])
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    page.close()
    yield ctx
    ctx.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_dashboard_page_fits_the_screen(signed_in, live, web_store, width):
    customer = web_store.query("SELECT customer_id FROM interactions WHERE customer_id IS NOT NULL LIMIT 1")
    pages = {**PAGES, "customer": f"/customers/{customer['customer_id'].iloc[0]}"}
    page = signed_in.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for name, path in pages.items():
        resp = page.goto(live + path)
        page.wait_for_load_state("load")
        assert resp is not None and resp.status == 200, (name, resp and resp.status)
        shot(page, f"dashboard-{name}-{width}")
        if wrong := problem(measure(page)):
            problems[name] = wrong
    page.close()
    assert problems == {}
