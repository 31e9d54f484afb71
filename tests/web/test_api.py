"""The REST API: moments feed, touchpoints, metrics, drivers, customers, docs; all figures with n."""

import re

from tests.web.conftest import bearer, login


def test_moments_paginate_and_filter(client, tokens, web_store):
    h = bearer(tokens["viewer"])
    r = client.get("/api/moments", params={"per_page": 100, "page": 2}, headers=h).json()
    assert r["total"] == 3000
    assert r["pages"] == 30
    assert len(r["items"]) == 100
    first = client.get("/api/moments", params={"per_page": 100}, headers=h).json()["items"]
    assert not {m["interaction_id"] for m in first} & {m["interaction_id"] for m in r["items"]}
    assert first[0]["timestamp"] >= first[-1]["timestamp"]  # newest first
    mis = client.get("/api/moments", params={"valence": "misery", "per_page": 5}, headers=h).json()
    n_mis = int(web_store.query("SELECT COUNT(*) AS n FROM moments WHERE valence = 'misery'")["n"][0])
    assert mis["total"] == n_mis
    assert all(m["valence"] == "misery" for m in mis["items"])
    assert isinstance(mis["items"][0]["evidence"], list)
    assert mis["items"][0]["evidence"][0]["text"]
    seg = client.get("/api/moments", params={"segment": "Class=Business", "per_page": 1000}, headers=h).json()
    assert 0 < seg["total"] < 3000
    bad = client.get("/api/moments", params={"since": "yesterday-ish"}, headers=h)
    assert bad.status_code == 400
    assert "YYYY-MM-DD" in bad.json()["fix"]


def test_period_filter_is_inclusive_of_until_day(client, tokens, web_store):
    h = bearer(tokens["viewer"])
    r = client.get(
        "/api/moments", params={"since": "2026-02-01", "until": "2026-02-28", "per_page": 1}, headers=h
    ).json()
    n = int(
        web_store.query(
            "SELECT COUNT(*) AS n FROM moments WHERE timestamp >= :a AND timestamp < :b",
            {
                "a": __import__("datetime").datetime(2026, 2, 1, tzinfo=__import__("datetime").timezone.utc),
                "b": __import__("datetime").datetime(2026, 3, 1, tzinfo=__import__("datetime").timezone.utc),
            },
        )["n"][0]
    )
    assert r["total"] == n > 0


def test_touchpoints_metrics_drivers_carry_n_and_intervals(client, tokens):
    h = bearer(tokens["viewer"])
    tps = client.get("/api/touchpoints", headers=h).json()
    assert tps["n"] == 3000
    assert sum(t["n"] for t in tps["touchpoints"]) == 3000
    gate = next(t for t in tps["touchpoints"] if t["touchpoint"] == "gate")
    assert gate["misery_rate_low"] <= gate["misery_rate"] <= gate["misery_rate_high"]
    m = client.get("/api/metrics", headers=h).json()
    assert m["n"] == 3000
    assert all(k["n"] > 0 and k["low"] <= k["value"] <= k["high"] for k in m["metrics"])
    d = client.get("/api/drivers", params={"channel": "survey"}, headers=h).json()
    assert 0 < d["n"] < 3000
    assert d["method"]
    assert d["actions"]
    assert {x["quadrant"] for x in d["drivers"]} <= {"concentrate", "keep", "overkill", "low", ""}
    empty = client.get("/api/metrics", params={"channel": "carrier-pigeon"}, headers=h).json()
    assert empty == {"n": 0, "metrics": [], "period": None}


def test_customer_timeline_and_404(client, tokens):
    h = bearer(tokens["viewer"])
    some = client.get("/api/moments", params={"per_page": 1}, headers=h).json()["items"][0]["customer_id"]
    t = client.get(f"/api/customers/{some}", headers=h).json()
    assert t["n"] == len(t["items"]) >= 1
    assert all(i["customer_id"] == some for i in t["items"])
    r = client.get("/api/customers/nobody-here", headers=h)
    assert r.status_code == 404
    assert "no moments for customer" in r.json()["error"]


def test_docs_are_local(client, tokens):
    assert client.get("/openapi.json").status_code == 401
    spec = client.get("/openapi.json", headers=bearer(tokens["viewer"])).json()
    for path in ("/api/interactions", "/api/moments", "/api/touchpoints", "/api/metrics", "/api/drivers"):
        assert path in spec["paths"]
    login(client, tokens["viewer"])
    html = client.get("/docs").text
    client.cookies.clear()
    assert "/api/interactions" in html
    assert "InteractionBatch" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)


def test_pages_escape_customer_text(client, tokens):
    login(client, tokens["viewer"])
    try:
        for path in ("/", "/moments?valence=misery", "/customers"):
            r = client.get(path)
            assert r.status_code == 200, path
            assert "<script>alert" not in r.text
            assert "onerror=alert(2)>" not in r.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/").text  # the worst moment is quoted
        assert "No moment matches these filters" in client.get("/?channel=carrier-pigeon").text
        assert client.get("/customers/nobody-here").status_code == 404
    finally:
        client.cookies.clear()


def test_rollups_agree_with_the_moments(client, tokens, web_store):
    """GET /api/rollups reads the rollups, not the moments, and gives the same counts and rates."""
    h = bearer(tokens["viewer"])
    r = client.get("/api/rollups", params={"by": "touchpoint"}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["by"] == "touchpoint"
    assert body["n"] == 3000
    from carlzon.analysis import Metrics

    direct = Metrics(by="touchpoint").fit(web_store.moments(with_text=False)).to_dict()
    want = {g["group"]: g["metrics"]["misery_rate"] for g in direct["groups"]}
    got = {g["group"]: g["metrics"]["misery_rate"] for g in body["groups"]}
    assert set(got) == set(want)
    for k in want:
        assert got[k]["n"] == want[k]["n"]
        assert abs(got[k]["value"] - want[k]["value"]) < 1e-9
    assert client.get("/api/rollups", params={"by": "segment:x"}, headers=h).status_code == 400
    assert client.get("/api/rollups").status_code == 401
