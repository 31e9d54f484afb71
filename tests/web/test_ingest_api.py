"""POST /api/interactions: the same validation and quarantine accounting as `carlzon ingest`, idempotent."""

import pytest

from carlzon.store import open_store
from carlzon.web.auth import create_token

from tests.web.conftest import bearer


@pytest.fixture
def admin_client(tmp_path):
    from fastapi.testclient import TestClient

    from carlzon.web import create_app

    st = open_store(str(tmp_path / "api.db"))
    token = create_token(st, role="admin", name="feed").secret
    with TestClient(create_app(st, journey="airline")) as c:
        yield c, bearer(token), st
    st.close()


BATCH = [
    {
        "id": "a1",
        "customer_id": "c1",
        "timestamp": "2026-01-02T10:00:00Z",
        "channel": "survey",
        "text": "Lost my bag and nobody helped",
        "nps": 2,
        "measures": {"wait_minutes": 45},
        "attributes": {"Class": "Eco"},
    },
    {"id": "a2", "text": "Great crew", "nps": 11},  # rating out of range
    "not an object",  # not a JSON object
    {"id": "a3", "text": "fine", "stars": 4, "timestamp": "not a date"},  # unparseable date
    {"id": "a4", "customer_id": "c2", "timestamp": "2026-01-03", "text": "The crew remembered my name!", "stars": 5},
    {
        "id": "a1",
        "customer_id": "c1",
        "timestamp": "2026-01-02T10:00:00Z",
        "text": "Lost my bag and nobody helped",
        "nps": 2,
    },  # same id again
]


def test_post_accounts_for_every_item_and_is_idempotent(admin_client):
    c, h, st = admin_client
    r = c.post("/api/interactions", json={"interactions": BATCH}, headers=h)
    assert r.status_code == 200, r.text
    acc = r.json()
    assert acc["read"] == 6 == acc["stored"] + acc["duplicates"] + acc["quarantined"]
    assert (acc["stored"], acc["duplicates"], acc["quarantined"]) == (2, 1, 3)
    rows = {q["row"]: q["reason"] for q in acc["quarantine"]}
    assert set(rows) == {1, 2, 3}
    assert "out of range" in rows[1]
    assert rows[2] == "not a JSON object"
    assert "date" in rows[3]
    assert acc["moments"] >= 2  # a moment per touchpoint each stored interaction speaks of
    stored = st.interactions(ids=["a1"]).iloc[0]
    assert '"wait_minutes"' in stored["measures"]
    assert '"Class"' in stored["attributes"]
    assert len(st.quarantine()) == 3
    again = c.post("/api/interactions", json={"interactions": BATCH}, headers=h).json()
    assert (again["stored"], again["duplicates"], again["quarantined"]) == (0, 3, 3)
    assert st.counts()["interactions"] == 2


def test_post_rejects_bad_envelopes(admin_client):
    c, h, _ = admin_client
    assert c.post("/api/interactions", json={"interactions": []}, headers=h).status_code == 422
    assert c.post("/api/interactions", json=[{"id": "x"}], headers=h).status_code == 422
    too_many = {"interactions": [{"id": str(i)} for i in range(10_001)]}
    assert c.post("/api/interactions", json=too_many, headers=h).status_code == 422
