"""CSRF in a real browser: a page on another port of the same host (same site, so the SameSite=Strict
cookie goes along) posts forms to the dashboard of a logged-in agent. Nothing it sends may change a case
or the agent's session; the dashboard's own forms keep working."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.web.test_browser import ARGS, CHROMIUM, browser  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live(web_store):
    import uvicorn

    from carlzon.loop.recovery import RecoveryDesk
    from carlzon.web import create_app

    RecoveryDesk(web_store, "airline").open_cases()
    port = _port()
    server = uvicorn.Server(uvicorn.Config(create_app(web_store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        assert time.time() < deadline, "the test server did not start within 20 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def attacker(live, tokens):
    """Another port of the same host, serving forms that post to the dashboard."""
    pages = {
        "/note": f'<form method="post" action="{live}/cases/1/note"><input name="text" value="pwned note">'
        f'<input name="csrf_token" value="guess"><button id="go">go</button></form>',
        "/login": f'<form method="post" action="{live}/login"><input name="token" value="{tokens["viewer"]}">'
        f'<input name="next" value="/"><button id="go">go</button></form>',
        "/api": f'<form method="post" action="{live}/api/cases/open"><button id="go">go</button></form>',
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = pages.get(self.path, "").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", _port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def agent_page(browser, live, tokens):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.goto(live + "/login?next=/cases/1")
    page.fill("input[name=token]", tokens["agent"])
    page.click("button[type=submit]")
    page.wait_for_url(live + "/cases/1")
    yield page
    context.close()


def _submit(page, url: str) -> int:
    page.goto(url)
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.click("#go")
    return info.value.status


def test_a_form_on_another_port_cannot_write_a_note(agent_page, live, attacker, web_store):
    status = _submit(agent_page, attacker + "/note")
    notes = web_store.query("SELECT COUNT(*) AS n FROM recovery_events WHERE detail LIKE '%pwned%'")["n"].iloc[0]
    assert (status, int(notes)) == (403, 0)


def test_a_form_on_another_port_cannot_replace_the_session(agent_page, live, attacker):
    before = {c["name"]: c["value"] for c in agent_page.context.cookies()}
    status = _submit(agent_page, attacker + "/login")
    after = {c["name"]: c["value"] for c in agent_page.context.cookies()}
    assert (status, after.get("carlzon_session")) == (403, before.get("carlzon_session"))


def test_a_form_on_another_port_cannot_call_the_api(agent_page, attacker):
    assert _submit(agent_page, attacker + "/api") == 403


def test_the_dashboards_own_form_still_works(agent_page, live, web_store):
    agent_page.goto(live + "/cases/1")
    agent_page.fill("#note-text", "called back from the dashboard")
    with agent_page.expect_response(lambda r: r.request.method == "POST") as info:
        agent_page.click("#add-note")
    notes = web_store.query("SELECT COUNT(*) AS n FROM recovery_events WHERE detail LIKE '%from the dashboard%'")
    assert (info.value.status, int(notes["n"].iloc[0])) == (303, 1)
