"""Tokens: hashed at rest, roles enforced (401 without a token, 403 for a viewer writing), revocable; CLI."""

import json

import pytest
from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.errors import AuthError, NotFoundError
from carlzon.store import open_store
from carlzon.web.auth import create_token, has_role, list_tokens, revoke_token, verify_token

from tests.web.conftest import ORIGIN, bearer, csrf_in

runner = CliRunner()


def test_tokens_are_stored_hashed(tmp_path):
    with open_store(str(tmp_path / "s.db")) as st:
        t = create_token(st, role="agent", name="desk")
        raw = st.query("SELECT * FROM api_tokens")
        secret_part = t.secret.split("_", 2)[2]
        assert secret_part not in raw.to_string()
        assert t.secret not in raw.to_string()
        assert len(raw["token_hash"].iloc[0]) == 64
        assert raw["salt"].iloc[0]
        assert verify_token(st, t.secret).role == "agent"
        with pytest.raises(AuthError, match="unknown token"):
            verify_token(st, t.secret[:-1] + ("A" if t.secret[-1] != "A" else "B"))
        with pytest.raises(AuthError, match="malformed"):
            verify_token(st, "hello")
        revoke_token(st, t.token_id)
        with pytest.raises(AuthError, match="revoked"):
            verify_token(st, t.secret)
        with pytest.raises(NotFoundError):
            revoke_token(st, "000000000000")
        assert list(list_tokens(st).columns) == ["id", "name", "role", "locations", "created_at", "revoked_at"]
        with pytest.raises(AuthError, match="unknown role"):
            create_token(st, role="root")


def test_role_order():
    assert has_role("admin", "viewer")
    assert has_role("agent", "agent")
    assert not has_role("viewer", "agent")


def test_api_status_codes_by_role(client, tokens):
    assert client.get("/health").status_code == 200
    r = client.get("/api/moments")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "token create" in r.json()["fix"]
    assert client.get("/api/moments", headers=bearer("cz_000000000000_" + "x" * 43)).status_code == 401
    assert client.get("/api/moments", headers=bearer(tokens["viewer"])).status_code == 200
    body = {"interactions": [{"id": "auth-1", "text": "fine", "nps": 8}]}
    r = client.post("/api/interactions", json=body, headers=bearer(tokens["viewer"]))
    assert r.status_code == 403
    assert "admin" in r.json()["error"]
    assert client.post("/api/interactions", json=body, headers=bearer(tokens["agent"])).status_code == 403
    assert client.post("/api/interactions", json=body).status_code == 401
    assert client.get("/api/tokens", headers=bearer(tokens["viewer"])).status_code == 403
    assert client.get("/api/tokens", headers=bearer(tokens["admin"])).status_code == 200


def test_admin_manages_tokens_over_api(client, tokens):
    r = client.post("/api/tokens", json={"role": "viewer", "name": "wall"}, headers=bearer(tokens["admin"]))
    assert r.status_code == 200
    new = r.json()
    assert client.get("/api/metrics", headers=bearer(new["token"])).status_code == 200
    listed = client.get("/api/tokens", headers=bearer(tokens["admin"])).json()["tokens"]
    assert any(t["id"] == new["id"] for t in listed)
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert client.delete(f"/api/tokens/{new['id']}", headers=bearer(tokens["admin"])).status_code == 200
    assert client.get("/api/metrics", headers=bearer(new["token"])).status_code == 401


def _login_post(client, token, nxt="/"):
    form = client.get("/login")
    return client.post(
        "/login",
        data={"token": token, "next": nxt, "csrf_token": csrf_in(form.text)},
        headers=ORIGIN,
        follow_redirects=False,
    )


def test_pages_redirect_to_login_and_cookie_is_httponly(client, tokens):
    r = client.get("/moments?valence=misery", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fmoments%3Fvalence%3Dmisery"
    bad = _login_post(client, "nope")
    assert bad.status_code == 401
    assert "malformed token" in bad.text
    r = _login_post(client, tokens["viewer"], "//evil.example/x")
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    client.cookies.clear()


def test_token_cli_create_list_revoke(tmp_path):
    store = str(tmp_path / "cli.db")
    r = runner.invoke(app, ["token", "create", "--role", "viewer", "--name", "wallboard", "--store", store, "--json"])
    assert r.exit_code == 0, r.output
    made = json.loads(r.output)
    assert made["role"] == "viewer"
    assert made["token"].startswith("cz_")
    r = runner.invoke(app, ["token", "list", "--store", store, "--json"])
    assert json.loads(r.output)["tokens"][0]["name"] == "wallboard"
    assert made["token"] not in r.output
    r = runner.invoke(app, ["token", "create", "--role", "admin", "--store", store])
    assert r.exit_code == 0
    assert r.output.startswith("cz_")
    assert "shown only now" in r.output
    assert runner.invoke(app, ["token", "revoke", made["id"], "--store", store]).exit_code == 0
    with open_store(store) as st:
        with pytest.raises(AuthError, match="revoked"):
            verify_token(st, made["token"])
    r = runner.invoke(app, ["token", "create", "--role", "boss", "--store", store])
    assert r.exit_code == 1
    assert "unknown role 'boss'" in r.output
