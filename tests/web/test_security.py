"""The dashboard under a security review: CSRF on every state-changing route (found from the app, so routes
added later are covered), sessions apart from tokens, security headers, closed docs, errors without SQL for
non-admins, integer parameters that answer 400."""

from __future__ import annotations

import re
import typing

import pytest
from fastapi import Depends
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from carlzon.errors import StoreError
from carlzon.web import create_app
from carlzon.web.app import api_routes, require
from carlzon.web.security import SESSION_COOKIE

from tests.web.conftest import ORIGIN, bearer, login

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
EVIL = {"Origin": "http://evil.example"}
SIBLING = {"Origin": "http://testserver:9999"}


@pytest.fixture(scope="module")
def app(web_store):
    app = create_app(web_store)

    def boom(_=Depends(require("viewer"))):
        raise StoreError('relation "secret_table" does not exist', where="postgresql://dbuser@db.internal/cx: SELECT 1")

    app.add_api_route("/api/test-boom", boom, methods=["GET"])
    return app


@pytest.fixture
def session(app, tokens):
    """A client logged in as an admin through the form, and the headers its pages send (Origin, CSRF token)."""
    with TestClient(app) as c:
        yield c, login(c, tokens["admin"])


def _routes(app) -> list[tuple[str, str]]:
    return sorted(
        (m, re.sub(r"\{[^}]+\}", "1", path)) for path, methods, _ in api_routes(app) for m in methods & UNSAFE
    )


def test_the_enumeration_finds_the_routes_that_change_state(app):
    found = {p for _, p in _routes(app)}
    assert {"/login", "/logout", "/api/interactions", "/api/tokens", "/cases/1/note", "/api/cases/1/close"} <= found


@pytest.mark.parametrize("origin", [EVIL, SIBLING, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}])
def test_every_state_changing_route_refuses_another_origin(session, app, origin):
    c, headers = session
    refused = [
        (m, p)
        for m, p in _routes(app)
        if c.request(m, p, headers={**headers, **origin}, data={"csrf_token": headers["X-CSRF-Token"]}).status_code
        == 403
    ]
    assert refused == _routes(app)


def test_every_state_changing_route_refuses_a_request_without_the_token(session, app):
    c, _ = session
    answers = {(m, p): c.request(m, p, headers=ORIGIN, data={"x": "1"}) for m, p in _routes(app)}
    assert {k: r.status_code for k, r in answers.items() if r.status_code != 403 or "CSRF" not in r.text} == {}


def test_every_state_changing_route_refuses_a_wrong_token(session, app):
    c, headers = session
    wrong = {**headers, "X-CSRF-Token": headers["X-CSRF-Token"][:-2] + "xx"}
    assert {(m, p) for m, p in _routes(app) if c.request(m, p, headers=wrong).status_code != 403} == set()


def test_bearer_clients_from_another_origin_are_refused(client, tokens):
    r = client.post("/api/tokens", json={"role": "viewer"}, headers={**bearer(tokens["admin"]), **EVIL})
    assert r.status_code == 403


def test_a_session_with_its_token_may_change_state(session):
    c, headers = session
    r = c.post("/api/cases/check", headers=headers)
    assert r.status_code == 200, r.text


def test_login_from_another_port_cannot_replace_the_session(session, tokens):
    c, headers = session
    before = c.cookies.get(SESSION_COOKIE)
    r = c.post("/login", data={"token": tokens["viewer"], "next": "/"}, headers=SIBLING, follow_redirects=False)
    assert (r.status_code, c.cookies.get(SESSION_COOKIE)) == (403, before)


def test_login_without_its_form_token_is_refused(app, tokens):
    with TestClient(app) as c:
        c.get("/login")
        r = c.post("/login", data={"token": tokens["viewer"], "next": "/"}, headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 403


def test_session_cookie_is_not_the_token_and_expires(app, tokens):
    with TestClient(app) as c:
        login(c, tokens["viewer"])
        sid = c.cookies.get(SESSION_COOKIE)
        cookie = c.get("/login").request.headers.get("cookie", "")
    assert (sid not in tokens.values(), tokens["viewer"] in cookie) == (True, False)


def test_session_cookie_attributes(app, tokens):
    with TestClient(app, base_url="https://testserver") as c:
        form = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        r = c.post(
            "/login",
            data={"token": tokens["viewer"], "next": "/", "csrf_token": token},
            headers={"Origin": "https://testserver"},
            follow_redirects=False,
        )
    cookie = [v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE)][0].lower()
    assert all(part in cookie for part in ("httponly", "samesite=strict", "secure", "max-age=28800"))


def test_plain_http_cookie_is_not_secure(app, tokens):
    with TestClient(app) as c:
        form = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        r = c.post(
            "/login",
            data={"token": tokens["viewer"], "next": "/", "csrf_token": token},
            headers=ORIGIN,
            follow_redirects=False,
        )
    assert "secure" not in r.headers["set-cookie"].lower()


def test_logout_ends_the_session(app, tokens):
    with TestClient(app) as c:
        headers = login(c, tokens["viewer"])
        sid = c.cookies.get(SESSION_COOKIE)
        c.post("/logout", headers=headers, follow_redirects=False)
        c.cookies.set(SESSION_COOKIE, sid)
        assert c.get("/customers", follow_redirects=False).status_code == 303


def test_revoking_the_token_ends_its_sessions(web_store, app):
    from carlzon.web.auth import create_token, revoke_token

    t = create_token(web_store, role="viewer", name="short-lived")
    with TestClient(app) as c:
        login(c, t.secret)
        revoke_token(web_store, t.token_id)
        assert c.get("/customers", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "header, value",
    [("x-frame-options", "DENY"), ("x-content-type-options", "nosniff"), ("referrer-policy", "same-origin")],
)
def test_security_headers(client, header, value):
    assert client.get("/login").headers[header] == value


def test_csp_forbids_inline_script_and_style(client):
    csp = client.get("/login").headers["content-security-policy"]
    assert ("unsafe-inline" in csp, "frame-ancestors 'none'" in csp, "script-src 'self'" in csp) == (False, True, True)


def test_pages_carry_no_inline_style_or_script(session):
    c, _ = session
    html = "".join(c.get(p).text for p in ("/", "/moments", "/alerts", "/themes", "/paths", "/cases", "/customers"))
    assert re.findall(r"<style|<[a-z][^>]*\sstyle=|<script>|<[a-z][^>]*\son[a-z]+\s*=", html) == []


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_docs_need_a_token(client, path):
    assert client.get(path, follow_redirects=False).status_code in (303, 401)


def test_store_errors_hide_sql_and_hosts_from_viewers(app, tokens):
    with TestClient(app) as client:
        body = client.get("/api/test-boom", headers=bearer(tokens["viewer"])).text
    assert [s for s in ("secret_table", "SELECT", "db.internal", "dbuser") if s in body] == []


def test_store_errors_show_details_to_admins(app, tokens):
    with TestClient(app) as client:
        assert "secret_table" in client.get("/api/test-boom", headers=bearer(tokens["admin"])).text


def _int_params(route: APIRoute) -> list[tuple[str, str]]:
    out = []
    for kind, params in (("path", route.dependant.path_params), ("query", route.dependant.query_params)):
        for p in params:
            ann = p.field_info.annotation
            if ann is int or int in typing.get_args(ann):
                out.append((kind, p.alias))
    return out


def test_every_integer_parameter_answers_400_to_a_huge_number(app, tokens):
    huge = "99999999999999999999"
    tried = {}
    with TestClient(app) as c:
        for route_path, methods, r in api_routes(app):
            if "GET" not in methods:
                continue
            for kind, name in _int_params(r):
                path = route_path.replace("{" + name + "}", huge) if kind == "path" else route_path
                path = re.sub(r"\{[^}]+\}", "1", path)
                params = {name: huge} if kind == "query" else None
                tried[(route_path, name)] = c.get(path, params=params, headers=bearer(tokens["admin"])).status_code
    assert ({k: v for k, v in tried.items() if v != 400}, len(tried) >= 4) == ({}, True)
