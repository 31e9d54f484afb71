"""The report's SQL and the API's queries give the same figures on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from carlzon.report import build_report
from carlzon.report.query import Scope, load_frame, n_customers, rating_counts, strongest
from carlzon.report.synthetic import fill_store
from carlzon.store import open_store
from carlzon.web.auth import create_token


@pytest.fixture(params=["sqlite", "postgresql"])
def filled(request, tmp_path):
    if request.param == "sqlite":
        st = open_store(str(tmp_path / "carlzon.db"))
        fill_store(st, 1500, seed=9, hostile=True)
        yield st
        st.close()
        return
    import psycopg

    pg_url = request.getfixturevalue("pg_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in pg_url else "?"
    st = open_store(f"{pg_url}{sep}options={quote(f'-csearch_path={schema}')}")
    try:
        fill_store(st, 1500, seed=9, hostile=True)
        yield st
    finally:
        st.close()
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


EXPECTED: dict[str, tuple] = {}


def test_same_figures_on_both_backends(filled):
    scope = Scope(since="2026-02-01", until="2026-05-01", segment=("Class", "Eco"))
    frame = load_frame(filled, scope)
    figures = (
        len(frame),
        int((frame["valence"] == "misery").sum()),
        str(frame["day"].min()),
        int(rating_counts(filled, scope)["nps"].sum()),
        n_customers(filled, scope),
        tuple(strongest(filled, Scope(), "misery", k=3)["interaction_id"]),
    )
    assert 0 < figures[0] < 1500
    assert figures[3] == figures[0]
    EXPECTED.setdefault("figures", figures)
    assert figures == EXPECTED["figures"]  # the second backend must agree with the first


def test_report_and_api_run_on_both_backends(filled):
    from fastapi.testclient import TestClient

    from carlzon.web import create_app

    html = build_report(filled, None, journey="airline")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "n=1,500" in html
    token = create_token(filled, role="viewer").secret
    with TestClient(create_app(filled, journey="airline")) as c:
        h = {"Authorization": f"Bearer {token}"}
        r = c.get("/api/moments", params={"segment": "Class=Business", "since": "2026-03-01", "per_page": 5}, headers=h)
        assert r.status_code == 200
        assert 0 < r.json()["total"] < 1500
        assert c.get("/api/metrics", headers=h).json()["n"] == 1500
        assert c.get("/", headers=h).status_code == 200
