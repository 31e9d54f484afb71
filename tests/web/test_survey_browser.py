"""A customer answers a survey in a real browser (Debian's chromium through Playwright) at 390 and 1280 px.

The page must show no accessibility violation of serious or critical impact (axe-core, bundled with the
axe-playwright-python package: nothing is fetched), fit the screen without sideways scrolling, work with
the keyboard, load nothing from another host, and store the answer with its touchpoints; a second answer
with the same one-time link is refused. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import socket
import threading
import time

import pandas as pd
import pytest

from tests.web.test_browser import SHOTS, Watch, browser  # noqa: F401 (browser: the shared Chromium fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def survey_setup(tmp_path_factory):
    from carlzon.store import open_store
    from carlzon.survey import build_survey
    from carlzon.survey.invitations import invite
    from carlzon.survey.tables import save_survey

    st = open_store(str(tmp_path_factory.mktemp("survey-web") / "carlzon.db"))
    survey = build_survey("retail_clothing", persona="first_time", open_link=True)
    save_survey(st, survey)
    inv = invite(st, survey.id, pd.DataFrame({"customer_id": ["c390", "c1280"]}), batch="browser")
    yield st, survey, dict(zip(inv.links["customer_id"], inv.links["link"]))
    st.close()


@pytest.fixture(scope="module")
def live(survey_setup):
    import uvicorn

    from carlzon.web import create_app

    st = survey_setup[0]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(st, journey="retail_clothing"), host="127.0.0.1", port=port, log_level="warning")
    )
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


def _serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v.get("impact") in ("serious", "critical")
    ]


def _answer(page) -> None:
    """Answer with the mouse where it is quick and with the keyboard for the outcome question."""
    page.check("input[name=imp_greeting][value='5']")
    page.check("input[name=perf_greeting][value='2']")
    page.check("input[name=imp_stock][value='4']")
    page.check("input[name=perf_stock][value=na]")
    page.check("input[name=perf_fitting_rooms][value='5']")
    page.locator("input[name=nps][value='0']").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # radios in a group: the arrows move and choose
    page.fill("textarea[name=comment]", "Nobody said hello <script>alert(1)</script>")


@pytest.mark.parametrize("width", [390, 1280])
def test_answer_a_survey(browser, live, survey_setup, width):
    st, survey, links = survey_setup
    link = links[f"c{width}"]
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page, second = ctx.new_page(), ctx.new_page()
    w = Watch(page, (live + "/", "data:"))
    page.goto(live + link)
    second.goto(live + link)  # the same link open twice: only one answer may count
    assert page.locator("h1").inner_text().startswith("Retail clothing store")
    assert _serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"survey-{width}.png"), full_page=True)
    _answer(page)
    assert page.locator("input[name=nps][value='3']").is_checked()
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Thank you"
    assert _serious(page) == []
    w.check(f"survey {width}")

    inv_id = link.rsplit("/", 1)[-1].split(".")[0]
    rows = st.interactions(ids=[f"sv-{survey.id}-{inv_id}"])
    assert len(rows) == 1
    import json

    ratings = json.loads(rows["ratings"].iloc[0])
    assert (ratings["greeting"], ratings["stock"], ratings["fitting_rooms"], rows["nps"].iloc[0]) == (2, None, 5, 3.0)
    attrs = json.loads(rows["attributes"].iloc[0])
    assert json.loads(attrs["stated_importance"]) == {"greeting": 5, "stock": 4}
    assert set(st.moments(customer_id=f"c{width}")["touchpoint"]) == {"greeting", "fitting_rooms"}  # one per rating

    second.check("input[name=nps][value='10']")
    second.click("button[type=submit]")
    second.wait_for_load_state("load")
    assert second.locator("h1").inner_text() == "Already answered"
    page.goto(live + link)
    assert page.locator("h1").inner_text() == "Already answered"
    assert len(st.interactions(customer_id=f"c{width}")) == 1
    ctx.close()


def test_errors_are_announced_and_linked(browser, live, survey_setup):
    st, survey, _ = survey_setup
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(f"{live}/s/{survey.id}")
    page.click("button[type=submit]")  # the outcome question is needed
    page.wait_for_load_state("load")
    assert page.locator(".errors[role=alert] a[href='#q-nps']").count() == 1
    assert _serious(page) == []
    page.screenshot(path=str(SHOTS / "survey-errors-390.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_walk_checklist_reads_on_a_phone_and_a_desktop(browser, tmp_path, width):
    from carlzon.walk import build_checklist, render_checklist

    path = tmp_path / "walk.html"
    path.write_text(render_checklist(build_checklist("retail_clothing")), encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    w = Watch(page, ("file://", "data:"))
    page.goto(path.as_uri())
    assert page.locator("li.step").count() == 17
    assert _serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"walk-{width}.png"), full_page=True)
    w.check(f"walk {width}")
    page.close()


def test_walk_form_on_a_phone(browser, live, survey_setup):
    from carlzon.web.auth import create_token

    st = survey_setup[0]
    token = create_token(st, role="agent", name="store manager").secret
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(live + "/login")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    page.goto(live + "/walks/new?journey=retail_clothing")
    assert _serious(page) == []
    page.fill("#w-location", "Old Town")
    page.fill("#w-observed_at", "2026-05-04T10:00")
    page.check("input[name='result:greeting'][value=met]")
    page.fill("#v-greeting", "45")
    page.check("input[name='result:fitting_rooms'][value=missed]")
    page.screenshot(path=str(SHOTS / "walk-form-390.png"), full_page=True)
    page.click("button[type=submit]")
    page.wait_for_url("**/moments?channel=observation")
    assert set(st.moments(channel="observation")["valence"]) == {"misery"}
    page.close()
