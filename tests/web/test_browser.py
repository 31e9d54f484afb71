"""The report and every dashboard page in a real browser (Debian's chromium through Playwright).

Each page must load with no console error, no request leaving localhost, and
hostile customer text shown as text that runs nothing. Screenshots of every
page go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from carlzon.report import build_report
from carlzon.report.synthetic import HOSTILE_STEP, HOSTILE_TEXT

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


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def live(web_store):
    """A real uvicorn server on a free loopback port, in a thread."""
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


class Watch:
    """Records console errors, page errors, dialogs and every request of one browser page."""

    def __init__(self, page, allowed: tuple[str, ...]):
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.allowed = allowed
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))

        def on_dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)

    def check(self, where: str) -> None:
        assert not self.errors, (where, self.errors)
        assert not self.dialogs, (where, "a dialog opened: script ran", self.dialogs)
        outside = [u for u in self.requests if not u.startswith(self.allowed)]
        assert not outside, (where, "requests left localhost", outside)


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_report_offline_and_escaped(browser, web_store, tmp_path):
    out = build_report(web_store, tmp_path / "report.html")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    w = Watch(page, ("file://", "data:"))
    page.goto(out.as_uri())
    page.wait_for_load_state("load")
    _shot(page, "report")
    assert page.get_by_text("<script>alert(1)</script>", exact=False).count() >= 1
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("svg.journey-map circle").count() == 22  # the airline journey's touchpoints
    assert page.locator("#key-moments tbody tr").count() >= 17
    assert page.locator("#what-customers-talk-about table.themes tbody tr").count() >= 4
    graph = page.locator("#the-journey-customers-really-take .paths-graph svg")
    assert graph.count() == 1
    assert graph.locator("circle").count() >= 10
    assert graph.locator("script").count() == 0
    assert page.locator("script").count() == 0
    assert page.get_by_text(HOSTILE_STEP, exact=False).count() >= 1  # the step name, as text in the unmapped list
    w.check("report")
    assert w.requests == [out.as_uri()]
    page.close()


def test_dashboard_pages(browser, live, web_store, tokens):
    hostile_customer = web_store.query("SELECT customer_id FROM interactions WHERE text LIKE :t", {"t": "%<script>%"})[
        "customer_id"
    ].iloc[0]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    w = Watch(page, (live + "/", "data:"))

    page.goto(live + "/moments")
    assert "/login" in page.url
    _shot(page, "login")
    page.fill("input[name=token]", tokens["agent"])
    page.click("button[type=submit]")
    page.wait_for_url(live + "/moments")

    pages = {
        "overview": "/",
        "overview-filtered": "/?channel=survey&segment=Class%3DBusiness&since=2026-02-01&until=2026-05-31",
        "moments": "/moments",
        "moments-misery-page2": "/moments?valence=misery&page=2",
        "customers": "/customers",
        "customer-timeline": f"/customers/{hostile_customer}",
        "api-docs": "/docs",
        "recovery-cases": "/cases",
        "magic": "/magic",
        "alerts": "/alerts",
        "alerts-filtered": "/alerts?touchpoint=gate&since=2026-03-01",
        "themes": "/themes",
        "themes-gate-misery": "/themes?touchpoint=gate&valence=misery",
        "paths": "/paths",
        "paths-period": "/paths?since=2026-03-01&until=2026-04-30",
    }
    for name, path in pages.items():
        resp = page.goto(live + path)
        page.wait_for_load_state("networkidle")
        assert resp is not None and resp.status == 200, (name, resp and resp.status)
        _shot(page, name)
        w.check(name)
        assert page.locator('img[src="x"]').count() == 0, name

    for path in ("/", f"/customers/{hostile_customer}", "/alerts", "/themes?touchpoint=gate&valence=misery"):
        page.goto(live + path)
        assert page.get_by_text("<script>alert(1)</script>", exact=False).count() >= 1, path
        assert page.get_by_text('"><img src=x onerror=alert(2)>', exact=False).count() >= 1, path
    # in the examples of an emerging problem and of a theme, not only elsewhere on the page
    page.goto(live + "/alerts")
    assert page.locator("table.alerts ul.examples li", has_text="<script>alert(1)</script>").count() >= 1
    page.goto(live + "/themes?touchpoint=gate&valence=misery")
    assert page.locator("table.themes ul.examples li", has_text='"><img src=x onerror=alert(2)>').count() >= 1
    page.goto(live + "/paths")
    assert page.locator(".paths-graph svg circle").count() >= 10
    assert page.locator(".paths-graph svg script, .paths-graph img").count() == 0
    assert page.get_by_text(HOSTILE_STEP, exact=False).count() >= 1
    w.check("hostile text")

    # the filter form applies a select at once (the bundled script)
    page.goto(live + "/moments")
    page.select_option("select[name=valence]", "magic")
    page.wait_for_url("**valence=magic**")
    assert page.locator("article.moment.misery").count() == 0
    assert page.locator("article.moment.magic").count() > 0
    w.check("filters")
    page.close()


def test_hostile_text_constant_is_what_the_issue_names():
    assert "<script>alert(1)</script>" in HOSTILE_TEXT
    assert '"><img src=x onerror=alert(2)>' in HOSTILE_TEXT
