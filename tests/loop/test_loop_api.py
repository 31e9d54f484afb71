"""The loop through the REST API (TestClient): roles, the end-to-end case, measures, magic, coach, roleplay."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from carlzon.loop import api as loop_api
from carlzon.loop import pages as loop_pages
from carlzon.web.app import create_app
from carlzon.web.auth import create_token
from tests.loop.loopdata import T0, add, interaction, seed_misery
from tests.web.conftest import login


def loop_app(store):
    """The web app with the loop's routers (the web app may mount them itself; include them once)."""
    app = create_app(store, journey="airline")
    paths = {getattr(r, "path", None) for r in app.routes}
    if "/api/cases" not in paths:
        app.include_router(loop_api.router)
        app.include_router(loop_pages.router)
    return app


@pytest.fixture
def client(store):
    seed_misery(store)
    with TestClient(loop_app(store)) as c:
        c.tokens = {role: create_token(store, role=role, name=f"{role}-1").secret for role in ("viewer", "agent")}
        yield c


def h(client, role):
    return {"Authorization": f"Bearer {client.tokens[role]}"}


def test_viewers_read_agents_write(client):
    assert client.get("/api/cases").status_code == 401
    r = client.post("/api/cases/open", headers=h(client, "viewer"))
    assert r.status_code == 403
    assert "agent" in r.json()["error"]
    r = client.post("/api/cases/open", headers=h(client, "agent"))
    assert r.status_code == 200
    assert r.json()["opened"] == [1]
    assert client.get("/api/cases", headers=h(client, "viewer")).json()["n"] == 1
    r = client.post("/api/cases/1/notes", json={"text": "hi"}, headers=h(client, "viewer"))
    assert r.status_code == 403


def test_end_to_end_through_the_api(client, store):
    agent, viewer = h(client, "agent"), h(client, "viewer")
    assert client.post("/api/cases/open", headers=agent).json()["n_opened"] == 1
    masked = client.get("/api/cases/1", headers=viewer).json()  # viewers see personal data masked
    assert masked["suggested_reply"].startswith("Hi [NAME],")
    assert "Anna" not in str(masked)
    case = client.get("/api/cases/1", headers=agent).json()
    assert case["priority"] == 68.0
    assert case["priority_components"]["stakes"] == 25.0
    assert case["suggested_reply"].startswith("Hi Anna,")
    assert "lost my bag in Oslo" in case["suggested_reply"]

    r = client.post("/api/cases/1/assign", json={"owner": "lena", "team": "baggage"}, headers=agent)
    assert r.status_code == 200
    assert r.json()["status"] == "in_progress"
    r = client.post("/api/cases/1/notes", json={"text": "Called Anna back", "reply": True}, headers=agent)
    assert r.status_code == 200
    assert r.json()["events"][-1]["actor"] == "agent-1"  # signed with the token's name
    assert r.json()["first_response_at"] is not None

    add(store, [interaction("i3", "anna", T0 + timedelta(days=3), nps=9)])
    r = client.post("/api/cases/check", headers=agent).json()
    assert r["closed"] == [{"case_id": 1, "outcome": "recovered", "reason": "follow-up rating 9/10 on 2026-03-05"}]

    m = client.get("/api/recovery/measures", headers=viewer).json()
    assert m["overall"]["recovery_rate"]["n"] == 1
    assert m["overall"]["recovery_rate"]["rate"] == 1.0
    assert m["overall"]["first_response"]["n"] == 1
    assert {r["team"]: r["recovered"] for r in m["by"]["team"]} == {"baggage": 1}
    assert "recovery_paradox" in m


def test_errors_are_json_with_a_fix(client):
    r = client.get("/api/cases/42", headers=h(client, "viewer"))
    assert r.status_code == 404
    assert "carlzon cases list" in r.json()["fix"]
    client.post("/api/cases/open", headers=h(client, "agent"))
    r = client.post("/api/cases/1/close", json={"outcome": "maybe", "reason": "x"}, headers=h(client, "agent"))
    assert r.status_code == 400
    assert "recovered, not_recovered" in r.json()["fix"]


def test_coach_magic_roleplay(client, store):
    r = client.post("/api/coach", json={"text": "We apologize for any inconvenience."}, headers=h(client, "viewer"))
    d = r.json()
    assert r.status_code == 200
    assert 0 <= d["score"] <= 100
    assert d["flags"][0]["kind"] == "script"
    assert set(d["steps"]) == {"acknowledge", "apologize", "explain", "time", "fix"}
    add(store, [interaction("b1", "c9", T0, attributes={"name": "Maja Lind", "birthday": "1988-03-02"})])
    d = client.get("/api/magic?date=2026-03-02", headers=h(client, "viewer")).json()
    assert [(o["customer_id"], o["rule"]) for o in d["opportunities"]] == [("c9", "birthday")]
    d = client.get("/api/roleplay?n=1", headers=h(client, "viewer")).json()
    assert d["n"] == 1
    assert "Anna" not in d["cards"][0]["customer_says"]


def test_pages_render_queue_case_and_magic(client, store):
    client.post("/api/cases/open", headers=h(client, "agent"))
    headers = login(client, client.tokens["agent"])
    r = client.get("/cases")
    assert r.status_code == 200
    assert "#1" in r.text
    assert "Anna Berg" in r.text
    assert "Recovery measures" in r.text
    r = client.get("/cases/1")
    assert "Hi Anna," in r.text
    assert "Priority 68/100" in r.text
    r = client.post(
        "/cases/1/note",
        data={"text": "Called back", "reply": "1", "csrf_token": headers["X-CSRF-Token"]},
        headers={"Origin": headers["Origin"]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Called back" in client.get("/cases/1").text
    r = client.get("/magic?date=2026-03-02")
    assert r.status_code == 200
    assert "Moments of magic on 2026-03-02 (n=0)" in r.text


def test_queue_filters_bulk_assign_and_closed_is_closed(client, store):
    client.post("/api/cases/open", headers=h(client, "agent"))
    r = client.get("/api/cases", params={"q": "oslo", "due": "overdue", "sort": "due"}, headers=h(client, "viewer"))
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["cases"]] in ([1], [])
    r = client.post("/api/cases/bulk-assign", json={"case_ids": [1, 42], "owner": "lena"}, headers=h(client, "agent"))
    assert r.json()["assigned"] == [1]
    assert "42" in r.json()["skipped"]
    client.post(
        "/api/cases/1/close", json={"outcome": "recovered", "reason": "bag delivered"}, headers=h(client, "agent")
    )
    r = client.post("/api/cases/1/notes", json={"text": "late", "reply": True}, headers=h(client, "agent"))
    assert r.status_code == 409
    assert "reopen" in r.json()["fix"]
    r = client.post("/api/cases/1/reopen", json={"reason": "she wrote again"}, headers=h(client, "agent"))
    assert r.json()["status"] == "in_progress"


def test_queue_page_filters_and_bulk_notice(client, store):
    client.post("/api/cases/open", headers=h(client, "agent"))
    headers = login(client, client.tokens["agent"])
    r = client.get("/cases", params={"touchpoint": "baggage_claim", "owner": "none", "q": "anna"})
    assert r.status_code == 200
    assert 'href="/cases/1"' in r.text
    assert 'id="f-location"' in r.text
    assert 'href="/cases/1"' not in client.get("/cases", params={"touchpoint": "seat"}).text
    r = client.post(
        "/cases/bulk-assign",
        data={"case_id": ["1"], "owner": "lena", "csrf_token": headers["X-CSRF-Token"]},
        headers={"Origin": headers["Origin"]},
    )
    assert r.status_code == 200
    assert "Assigned 1 case(s) to lena" in r.text
    r = client.post("/cases/check", data={"csrf_token": headers["X-CSRF-Token"]}, headers={"Origin": headers["Origin"]})
    assert "Checked follow-ups: closed 0 case(s)" in r.text
    assert 'id="use-reply"' in client.get("/cases/1").text
