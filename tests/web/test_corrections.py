"""Corrections from the dashboard: the feed's form, the API, the "help carlzon learn" view, roles."""

from __future__ import annotations

import pytest

from tests.web.conftest import ORIGIN, bearer, csrf_in, login


def _first(client, token):
    return client.get("/api/moments?per_page=1", headers=bearer(token)).json()["items"][0]


def _other(tp):
    return "check_in" if tp != "check_in" else "gate"


def test_an_agent_corrects_a_touchpoint_through_the_api(client, tokens):
    m = _first(client, tokens["agent"])
    new = _other(m["touchpoint"])
    r = client.post(
        f"/api/moments/{m['interaction_id']}/correction",
        headers=bearer(tokens["agent"]),
        json={"detected_touchpoint": m["touchpoint"], "touchpoint": new},
    )
    assert (r.status_code, r.json()["corrected"]) == (200, True)


def test_the_correction_counts_at_once_in_the_feed(client, tokens):
    m = _first(client, tokens["agent"])
    new = _other(m["touchpoint"])
    client.post(
        f"/api/moments/{m['interaction_id']}/correction",
        headers=bearer(tokens["agent"]),
        json={"detected_touchpoint": m["touchpoint"], "touchpoint": new},
    )
    assert _first(client, tokens["agent"])["touchpoint"] == new


def test_corrections_list_who_made_them(client, tokens):
    m = _first(client, tokens["agent"])
    client.post(
        f"/api/moments/{m['interaction_id']}/correction",
        headers=bearer(tokens["agent"]),
        json={"detected_touchpoint": m["touchpoint"], "valence": "neutral" if m["valence"] != "neutral" else "magic"},
    )
    items = client.get("/api/corrections", headers=bearer(tokens["viewer"])).json()["items"]
    assert items[0]["corrected_by"] == "test agent"


def test_a_viewer_may_not_correct(client, tokens):
    m = _first(client, tokens["viewer"])
    r = client.post(
        f"/api/moments/{m['interaction_id']}/correction",
        headers=bearer(tokens["viewer"]),
        json={"touchpoint": "gate", "detected_touchpoint": m["touchpoint"]},
    )
    assert r.status_code == 403


def test_an_unknown_touchpoint_is_refused_with_the_fix(client, tokens):
    m = _first(client, tokens["agent"])
    r = client.post(
        f"/api/moments/{m['interaction_id']}/correction",
        headers=bearer(tokens["agent"]),
        json={"touchpoint": "no_such_place", "detected_touchpoint": m["touchpoint"]},
    )
    assert r.status_code >= 400
    assert "not a touchpoint" in r.text


def test_the_feed_shows_agents_the_correction_form(client, tokens):
    login(client, tokens["agent"])
    assert 'action="/moments/correct"' in client.get("/moments").text


def test_the_feed_hides_the_form_from_viewers(client, tokens):
    login(client, tokens["viewer"])
    assert 'action="/moments/correct"' not in client.get("/moments").text


def test_the_feed_form_stores_a_correction(client, tokens):
    login(client, tokens["agent"])
    page = client.get("/moments").text
    m = _first(client, tokens["agent"])
    new = _other(m["touchpoint"])
    r = client.post(
        "/moments/correct",
        data={
            "interaction_id": m["interaction_id"],
            "detected_touchpoint": m["touchpoint"],
            "touchpoint": new,
            "valence": m["valence"],
            "next": "/moments",
            "csrf_token": csrf_in(page),
        },
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert (r.status_code, _first(client, tokens["agent"])["touchpoint"]) == (303, new)


def test_help_carlzon_learn_lists_the_least_sure_first(client, tokens):
    login(client, tokens["viewer"])
    html = client.get("/learn").text
    assert "Help carlzon learn" in html
    assert "least sure first" in html


@pytest.mark.parametrize("path", ["/learn", "/moments"])
def test_pages_answer(client, tokens, path):
    login(client, tokens["agent"])
    assert client.get(path).status_code == 200


def test_the_case_page_offers_agents_the_correction_form(client, tokens):
    h = login(client, tokens["agent"])
    client.post("/api/cases/open", headers=h)
    items = client.get("/api/cases").json()["cases"]
    assert 'action="/moments/correct"' in client.get(f"/cases/{items[0]['id']}").text
