"""The recovery desk in a real browser (Playwright with Debian's chromium): one case worked end to end with
the queue's filters (one of each kind), bulk assign, "Use this reply", "Check my reply", close, refused
writes and an explicit reopen."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from carlzon.web.auth import create_token
from tests.loop.loopdata import BAG_EVIDENCE, T0, add, interaction, moment
from tests.loop.test_loop_browser import ARGS, CHROMIUM, SHOTS, _free_port, _need_browser

pytestmark = pytest.mark.browser


def _seed(store):
    add(
        store,
        [
            interaction(
                "i1",
                "anna",
                T0,
                text="You lost my bag in Oslo and nobody helps",
                nps=1,
                location="OSL",
                attributes={"name": "Anna Berg", "tier": "gold", "email": "anna@example.org"},
            ),
            interaction(
                "i2",
                "carl",
                T0 + timedelta(hours=1),
                text="Flight cancelled, stuck in Bergen overnight",
                nps=0,
                location="BGO",
                attributes={"name": "Carl Holm"},
            ),
        ],
        [
            moment(
                "i1",
                "anna",
                T0,
                valence="misery",
                score=-0.9,
                intensity=0.8,
                stakes="high",
                touchpoint="baggage_claim",
                evidence=BAG_EVIDENCE,
            ),
            moment(
                "i2",
                "carl",
                T0 + timedelta(hours=1),
                valence="misery",
                score=-0.9,
                intensity=0.9,
                stakes="high",
                touchpoint="delays_cancellations",
                evidence=[
                    {
                        "rule": "lexicon",
                        "text": "'cancelled' = cancellation, high stakes",
                        "phrase": "cancelled",
                        "value": "cancellation",
                        "weight": -0.5,
                    }
                ],
            ),
        ],
    )


@pytest.fixture
def desk_server(store):
    _need_browser()
    import uvicorn

    from tests.loop.test_loop_api import loop_app

    _seed(store)
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


def _sign_in(page, base: str, token: str) -> None:
    """Sign in with ``token`` and land on the case queue."""
    page.goto(f"{base}/login?next=/cases")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases")


def _ids(page):
    return sorted(a.inner_text() for a in page.locator("#queue tbody a").all())


def test_work_one_case_with_filters_and_new_buttons(desk_server):
    from playwright.sync_api import sync_playwright

    base, token = desk_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        _sign_in(page, base, token)
        page.click("#open-cases")
        page.wait_for_url("**/cases?notice=*")
        assert "Opened 2 case(s)" in page.locator("#notice").inner_text()
        assert _ids(page) == ["#1", "#2"]

        page.select_option("#f-touchpoint", "baggage_claim")  # selects submit on change
        page.wait_for_url("**touchpoint=baggage_claim**")
        assert _ids(page) == ["#1"]
        page.goto(f"{base}/cases")
        page.select_option("#f-location", "BGO")
        page.wait_for_url("**location=BGO**")
        assert _ids(page) == ["#2"]
        page.goto(f"{base}/cases")
        page.select_option("#f-status", "open")
        page.wait_for_url("**status=open**")
        assert _ids(page) == ["#1", "#2"]
        page.goto(f"{base}/cases")
        page.select_option("#f-owner", "none")
        page.wait_for_url("**owner=none**")
        assert _ids(page) == ["#1", "#2"]
        page.goto(f"{base}/cases")
        page.select_option("#f-due", "today")  # acknowledging is due within 2 h of opening
        page.wait_for_url("**due=today**")
        assert _ids(page) == ["#1", "#2"]
        assert page.locator("#queue td.due").first.inner_text() != "–"
        page.goto(f"{base}/cases")
        page.fill("#f-priority", "99")
        page.click("#apply-filters")
        page.wait_for_url("**min_priority=99**")
        assert _ids(page) == []
        page.goto(f"{base}/cases")
        page.fill("#f-age", "1")
        page.click("#apply-filters")
        page.wait_for_url("**min_age_days=1**")
        assert _ids(page) == []  # opened just now
        page.goto(f"{base}/cases")
        page.keyboard.press("/")  # keyboard: "/" goes to the search box
        page.keyboard.type("anna@example.org")
        page.keyboard.press("Enter")
        page.wait_for_url("**q=anna**")
        assert _ids(page) == ["#1"]

        page.goto(f"{base}/cases")
        page.check("#tick-all")
        page.fill("#bulk-owner", "lena")
        page.click("#bulk-assign")
        page.wait_for_url("**notice=*")
        assert "Assigned 2 case(s) to lena" in page.locator("#notice").inner_text()
        page.screenshot(path=str(SHOTS / "desk_queue.png"), full_page=True)

        page.goto(f"{base}/cases/1")
        page.click("#use-reply")
        note = page.locator("#note-text").input_value()
        assert note.startswith("Hi Anna,")
        assert "lost my bag in Oslo" in note
        assert page.locator("#note-reply").is_checked()
        page.click("#check-reply")
        page.wait_for_selector("#coach-score")
        assert "/100" in page.locator("#coach-score").inner_text()
        page.click("#add-note")
        page.wait_for_url(f"{base}/cases/1")
        assert "reply" in page.locator("#history").inner_text()
        page.fill("input[name=reason]", "bag delivered, she thanked us")
        page.click("text=Close")
        page.wait_for_url(f"{base}/cases/1")
        assert "closed" in page.locator("#case-status").inner_text()
        assert page.locator("#add-note").count() == 0
        assert page.locator("#use-reply").count() == 0
        page.fill("#reopen-reason", "she wrote again: the bag is damaged")
        page.click("#reopen")
        page.wait_for_url("**notice=*")
        assert "in_progress" in page.locator("#case-status").inner_text()
        assert "reopened" in page.locator("#history").inner_text()
        page.screenshot(path=str(SHOTS / "desk_case.png"), full_page=True)
        browser.close()


@pytest.mark.parametrize("width", (1280, 390))
def test_a_case_page_and_the_queue_fit_the_screen(desk_server, width):
    from playwright.sync_api import sync_playwright

    from tests.web.layout import measure, problem, shot

    base, token = desk_server
    problems = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        _sign_in(page, base, token)
        page.click("#open-cases")
        page.wait_for_url("**/cases?notice=*")
        href = page.locator("#queue tbody a").first.get_attribute("href")
        for name, path in (("queue", "/cases"), ("case", href)):
            page.goto(base + path)
            page.wait_for_load_state("load")
            shot(page, f"desk-{name}-{width}")
            if wrong := problem(measure(page)):
                problems[name] = wrong
        browser.close()
    assert problems == {}
