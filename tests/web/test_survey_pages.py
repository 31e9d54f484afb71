"""Survey pages in-process: one-time links take one answer, cross-site posts are refused, open links, opt-out,
the surveys page and the walk form."""

import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from carlzon.store import open_store
from carlzon.survey import build_survey
from carlzon.survey.invitations import invite
from carlzon.survey.tables import save_survey
from carlzon.web import create_app
from carlzon.web.auth import create_token

SAME = {"origin": "http://testserver"}


@pytest.fixture()
def env():
    st = open_store(":memory:")
    s = build_survey("retail_clothing", persona="first_time", open_link=True)
    save_survey(st, s)
    links = invite(st, s.id, pd.DataFrame({"customer_id": ["c1", "c2", "c3"]}), batch="b1").links["link"].tolist()
    with TestClient(create_app(st, journey="retail_clothing")) as c:
        yield st, s, links, c
    st.close()


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def _answer(c, url, **extra):
    tok = _token(c.get(url).text)
    return c.post(
        url, data={"form_token": tok, "nps": "4", "perf_greeting": "1", "imp_greeting": "5", **extra}, headers=SAME
    )


def test_form_needs_no_account(env):
    _, _, links, c = env
    assert c.get(links[0]).status_code == 200


def test_form_sends_strict_headers(env):
    _, _, links, c = env
    h = c.get(links[0]).headers
    assert (h["referrer-policy"], h["cache-control"], "default-src 'none'" in h["content-security-policy"]) == (
        "same-origin",
        "no-store",
        True,
    )


def test_answer_is_stored_once(env):
    st, s, links, c = env
    first = _answer(c, links[0])
    second = c.post(links[0], data={"form_token": _token(c.get(links[1]).text), "nps": "9"}, headers=SAME)
    assert (first.status_code, second.status_code, len(st.interactions(customer_id="c1"))) == (200, 403, 1)


def test_second_answer_with_the_same_link_is_refused(env):
    _, _, links, c = env
    tok = _token(c.get(links[0]).text)
    c.post(links[0], data={"form_token": tok, "nps": "4"}, headers=SAME)
    again = c.post(links[0], data={"form_token": tok, "nps": "9"}, headers=SAME)
    assert (again.status_code, "Already answered" in again.text) == (410, True)


def test_used_link_shows_already_answered(env):
    _, _, links, c = env
    _answer(c, links[0])
    assert c.get(links[0]).status_code == 410


def test_cross_site_post_is_refused(env):
    st, _, links, c = env
    tok = _token(c.get(links[0]).text)
    r = c.post(links[0], data={"form_token": tok, "nps": "4"}, headers={"origin": "http://evil.example"})
    assert (r.status_code, len(st.interactions())) == (403, 0)


def test_null_origin_is_refused(env):
    _, _, links, c = env
    r = c.post(links[0], data={"form_token": _token(c.get(links[0]).text), "nps": "4"}, headers={"origin": "null"})
    assert r.status_code == 403


def test_cross_site_fetch_metadata_is_refused(env):
    _, _, links, c = env
    r = c.post(
        links[0],
        data={"form_token": _token(c.get(links[0]).text), "nps": "4"},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert r.status_code == 403


def test_post_without_the_form_token_is_refused(env):
    _, _, links, c = env
    assert c.post(links[0], data={"nps": "4"}, headers=SAME).status_code == 403


def test_forged_link_is_not_found(env):
    _, s, links, c = env
    assert c.get(links[0][:-4] + "abcd").status_code == 404


def test_invalid_answer_shows_the_form_with_the_error(env):
    _, _, links, c = env
    r = c.post(links[0], data={"form_token": _token(c.get(links[0]).text), "nps": "", "imp_stock": "9"}, headers=SAME)
    assert (r.status_code, 'href="#q-nps"' in r.text, 'href="#q-imp_stock"' in r.text) == (400, True, True)


def test_answer_lands_on_the_touchpoints_with_its_order(env):
    import json

    st, s, links, c = env
    _answer(c, links[0])
    row = st.interactions(customer_id="c1").iloc[0]
    attrs = json.loads(row["attributes"])
    assert (json.loads(row["ratings"])["greeting"], attrs["block_order"], len(json.loads(attrs["question_order"]))) == (
        1,
        "importance_first",
        len(s.questions),
    )


def test_customer_text_is_escaped(env):
    st, _, links, c = env
    _answer(c, links[0], comment='Fast & friendly <3 "really" a<b')
    assert st.interactions(customer_id="c1")["text"].iloc[0] == 'Fast & friendly <3 "really" a<b'


def test_script_in_an_answer_is_stripped_and_said(env):
    st, _, links, c = env
    _answer(c, links[0], comment="<script>alert(1)</script> rude staff")
    assert st.interactions(customer_id="c1")["text"].iloc[0] == "rude staff"


def test_opt_out(env):
    st, _, links, c = env
    tok = _token(c.get(links[2]).text)
    c.post(links[2] + "/optout", data={"form_token": tok}, headers=SAME)
    assert st.query("SELECT customer_id FROM survey_optouts")["customer_id"].tolist() == ["c3"]


def test_open_link_form_gives_one_answer(env):
    st, s, _, c = env
    tok = _token(c.get(f"/s/{s.id}").text)
    first = c.post(f"/s/{s.id}", data={"form_token": tok, "nps": "10"}, headers=SAME)
    again = c.post(f"/s/{s.id}", data={"form_token": tok, "nps": "10"}, headers=SAME)
    assert (first.status_code, again.status_code, len(st.interactions())) == (200, 410, 1)


def test_forged_open_form_token_is_refused(env):
    _, s, _, c = env
    tok = _token(c.get(f"/s/{s.id}").text)
    bad = tok[:-2] + ("00" if not tok.endswith("00") else "11")
    assert c.post(f"/s/{s.id}", data={"form_token": bad, "nps": "10"}, headers=SAME).status_code == 403


def test_invitation_only_survey_has_no_open_link(env):
    st, _, _, c = env
    save_survey(st, build_survey("hotel", persona="business"))
    assert c.get("/s/hotel-business").status_code == 404


def test_surveys_page_shows_the_response_rate(env):
    st, s, links, c = env
    _answer(c, links[0])
    token = create_token(st, role="viewer").secret
    r = c.get("/surveys", headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, "33%" in r.text) == (200, True)


def test_walk_form_needs_an_agent(env):
    st, _, _, c = env
    token = create_token(st, role="viewer").secret
    assert c.get("/walks/new", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_walk_form_stores_observations(env):
    st, _, _, c = env
    token = create_token(st, role="agent").secret
    auth = {"Authorization": f"Bearer {token}"}
    tok = _token(c.get("/walks/new?journey=retail_clothing", headers=auth).text)
    r = c.post(
        "/walks",
        data={
            "form_token": tok,
            "journey": "retail_clothing",
            "location": "Old Town",
            "observed_at": "2026-05-04T10:00",
            "result:greeting": "met",
            "value:greeting": "45",
            "result:smiles": "met",
        },
        headers={**auth, **SAME},
        follow_redirects=False,
    )
    m = st.moments(channel="observation").set_index("touchpoint")["valence"].to_dict()
    assert (r.status_code, m) == (303, {"greeting": "misery", "smiles": "neutral"})


def test_walk_from_another_site_is_refused(env):
    st, _, _, c = env
    token = create_token(st, role="agent").secret
    auth = {"Authorization": f"Bearer {token}"}
    tok = _token(c.get("/walks/new", headers=auth).text)
    r = c.post(
        "/walks", data={"form_token": tok, "result:greeting": "met"}, headers={**auth, "origin": "http://evil.example"}
    )
    assert r.status_code == 403


def test_walk_form_follows_the_apps_own_journey():
    import yaml

    from carlzon.journey import journey_from_dict, load_journey

    d = load_journey("retail_clothing").to_dict()
    d["name"] = "our_store"
    j = journey_from_dict(yaml.safe_load(yaml.safe_dump(d)))
    with open_store(":memory:") as st, TestClient(create_app(st, journey=j)) as c:
        auth = {"Authorization": f"Bearer {create_token(st, role='agent').secret}"}
        tok = _token(c.get("/walks/new", headers=auth).text)
        r = c.post(
            "/walks",
            data={
                "form_token": tok,
                "journey": "our_store",
                "observed_at": "2026-05-04T10:00",
                "result:cashier": "missed",
            },
            headers={**auth, **SAME},
            follow_redirects=False,
        )
        assert (r.status_code, st.moments()["touchpoint"].tolist()) == (303, ["cashier"])
