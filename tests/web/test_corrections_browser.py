"""Correcting a moment in a real browser: the "help carlzon learn" page, the form, the feed after it (1280 and 390 px)."""

from __future__ import annotations

import pytest

from tests.web.test_browser import SHOTS, browser, live  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_an_agent_corrects_a_moment_from_the_learn_page(browser, live, tokens):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live + "/learn")
    page.fill("input[name=token]", tokens["agent"])
    page.click("button[type=submit]")
    page.wait_for_url(live + "/learn")
    first = page.locator("article.moment").first
    first.locator("summary").click()
    iid = first.locator("input[name=interaction_id]").get_attribute("value")
    first.locator("select[name=touchpoint]").select_option("check_in")
    first.locator("select[name=valence]").select_option("misery")
    page.screenshot(path=str(SHOTS / "learn-correct-1280.png"), full_page=False)
    first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "learn-after-390.png"), full_page=False)
    api = page.request.get(live + "/api/corrections").json()
    assert (api["items"][0]["interaction_id"], api["items"][0]["touchpoint"]) == (iid, "check_in")
