"""Fixtures for the web tests: a store with synthetic moments (hostile comments: the worst moment and a burst
at the gate), an event log (with a hostile step name) and tokens per role."""

from __future__ import annotations

import re

import pytest

from carlzon.report.synthetic import fill_store
from carlzon.store import open_store
from carlzon.web.auth import create_token


@pytest.fixture(scope="module")
def web_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("web") / "carlzon.db"
    st = open_store(str(path))
    fill_store(st, 3000, seed=4, hostile=True, customers=400, hostile_burst=8, events=300)
    yield st
    st.close()


@pytest.fixture(scope="module")
def tokens(web_store):
    return {
        role: create_token(web_store, role=role, name=f"test {role}").secret for role in ("viewer", "agent", "admin")
    }


@pytest.fixture(scope="module")
def client(web_store):
    from fastapi.testclient import TestClient

    from carlzon.web import create_app

    with TestClient(create_app(web_store)) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ORIGIN = {"Origin": "http://testserver"}
"""The TestClient's own origin: a browser sends it with every POST from the dashboard's pages."""


def csrf_in(html: str) -> str:
    """The CSRF token of a page's forms."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(client, token: str) -> dict[str, str]:
    """Log in through the form as a browser does; returns the headers a page's script would send with a
    state change (Origin and X-CSRF-Token)."""
    form = client.get("/login")
    r = client.post(
        "/login",
        data={"token": token, "next": "/", "csrf_token": csrf_in(form.text)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return {**ORIGIN, "X-CSRF-Token": csrf_in(client.get("/customers").text)}
