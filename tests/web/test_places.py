"""Who sees what: tokens limited to places, ?location= on the API and the pages, the stored hierarchy.

A chain of three stores: S1 and S3 in region North, "Harbourview Zeta" (HZ) alone in region South. Every
comment at HZ carries the word ``zebrafjord``; its customers shop nowhere else. A store manager of S1
must see nothing of HZ on any route of the app (a test enumerates them all)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from carlzon.hierarchy import Hierarchy
from carlzon.loop.recovery import RecoveryDesk, journey_for_store
from carlzon.places import save_hierarchy
from carlzon.report.synthetic import fill_store
from carlzon.store import open_store
from carlzon.web import create_app
from carlzon.web.app import api_routes
from carlzon.web.auth import create_token

from .conftest import bearer

MARK = "zebrafjord"
OTHER = "Harbourview Zeta"


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    st = open_store(str(tmp_path_factory.mktemp("chain") / "c.db"))
    fill_store(st, 1200, seed=7, customers=150, events=0)
    rows = st.query("SELECT id, customer_id FROM interactions ORDER BY seq")
    customers = sorted({str(c) for c in rows["customer_id"].dropna()})
    store_of = {c: ("S1", "S3", "HZ")[k % 3] for k, c in enumerate(customers)}
    st.executemany(
        "UPDATE interactions SET location = :loc WHERE id = :id",
        [{"loc": store_of.get(str(c), "S1"), "id": i} for i, c in zip(rows["id"], rows["customer_id"])],
    )
    st.execute("UPDATE interactions SET text = COALESCE(text, '') || :m WHERE location = 'HZ'", {"m": f" {MARK}"})
    save_hierarchy(
        st,
        Hierarchy.from_records(
            [
                {"location": "S1", "name": "Old Town", "region": "North"},
                {"location": "S3", "name": "Riverside", "region": "North"},
                {"location": "HZ", "name": OTHER, "region": "South"},
            ]
        ),
    )
    RecoveryDesk(st, journey_for_store(st)).open_cases()
    yield st
    st.close()


@pytest.fixture(scope="module")
def app_client(chain):
    with TestClient(create_app(chain)) as c:
        yield c


@pytest.fixture(scope="module")
def toks(chain):
    return {
        "all": create_token(chain, role="admin", name="head office").secret,
        "s1": create_token(chain, role="admin", name="manager S1", locations="S1").secret,
        "s1_viewer": create_token(chain, role="viewer", name="viewer S1", locations="S1").secret,
        "north": create_token(chain, role="viewer", name="region North", locations="North").secret,
    }


def _ids_at(chain, *places: str) -> set[str]:
    df = chain.query("SELECT id, location FROM interactions")
    return set(df.loc[df["location"].isin(places), "id"].astype(str))


def _n_moments_at(chain, *places: str) -> int:
    df = chain.query("SELECT i.location FROM moments m JOIN interactions i ON i.id = m.interaction_id")
    return int(df["location"].isin(places).sum())


def _get(client, url: str, token: str):
    return client.get(url, headers=bearer(token))


# ----- the API scoped by ?location= -------------------------------------------------
def test_metrics_of_a_region_count_its_places(app_client, chain, toks):
    assert _get(app_client, "/api/metrics?location=North", toks["all"]).json()["n"] == _n_moments_at(chain, "S1", "S3")


def test_several_places_comma_separated(app_client, chain, toks):
    assert _get(app_client, "/api/touchpoints?location=S1,HZ", toks["all"]).json()["n"] == _n_moments_at(
        chain, "S1", "HZ"
    )


def test_a_place_by_its_name(app_client, chain, toks):
    assert _get(app_client, "/api/metrics?location=Old Town", toks["all"]).json()["n"] == _n_moments_at(chain, "S1")


def test_moments_of_a_place_are_only_there(app_client, chain, toks):
    items = _get(app_client, "/api/moments?location=S3&per_page=1000", toks["all"]).json()["items"]
    assert {i["interaction_id"] for i in items} <= _ids_at(chain, "S3")


def test_an_unknown_place_is_400_naming_the_known(app_client, toks):
    r = _get(app_client, "/api/metrics?location=Mars", toks["all"])
    assert r.status_code == 400
    assert "S1" in r.json()["fix"]


def test_cases_of_a_place(app_client, toks):
    cases = _get(app_client, "/api/cases?location=HZ&limit=1000", toks["all"]).json()["cases"]
    assert cases
    assert {c["location"] for c in cases} == {"HZ"}


def test_drivers_of_a_place(app_client, chain, toks):
    assert _get(app_client, "/api/drivers?location=S1", toks["all"]).json()["n"] == _n_moments_at(chain, "S1")


def test_rollups_cannot_be_scoped_and_say_the_fix(app_client, toks):
    r = _get(app_client, "/api/rollups?location=S1", toks["all"])
    assert r.status_code == 400
    assert "/api/metrics?location=" in r.json()["fix"]


# ----- tokens limited to places ---------------------------------------------------
def test_store_manager_sees_only_their_store(app_client, chain, toks):
    assert _get(app_client, "/api/metrics", toks["s1"]).json()["n"] == _n_moments_at(chain, "S1")


def test_store_manager_moments_are_theirs(app_client, chain, toks):
    items = _get(app_client, "/api/moments?per_page=1000", toks["s1_viewer"]).json()["items"]
    assert {i["interaction_id"] for i in items} <= _ids_at(chain, "S1")


def test_store_manager_asking_for_another_store_gets_403(app_client, toks):
    assert _get(app_client, "/api/moments?location=HZ", toks["s1"]).status_code == 403


def test_store_manager_asking_for_an_unknown_place_does_not_learn_the_others(app_client, toks):
    r = _get(app_client, "/api/moments?location=Mars", toks["s1"])
    assert r.status_code == 403
    assert "HZ" not in r.text


def test_limited_token_on_an_unscoped_route_gets_403(app_client, toks):
    assert _get(app_client, "/api/recovery/measures", toks["s1"]).status_code == 403


def test_regional_manager_sees_the_region(app_client, chain, toks):
    assert _get(app_client, "/api/metrics", toks["north"]).json()["n"] == _n_moments_at(chain, "S1", "S3")


def test_regional_manager_moments_are_the_regions(app_client, chain, toks):
    items = _get(app_client, "/api/moments?per_page=1000", toks["north"]).json()["items"]
    assert {i["interaction_id"] for i in items} <= _ids_at(chain, "S1", "S3")


def test_regional_manager_may_narrow_to_one_store(app_client, chain, toks):
    assert _get(app_client, "/api/metrics?location=S3", toks["north"]).json()["n"] == _n_moments_at(chain, "S3")


def test_regional_manager_cases_are_the_regions(app_client, toks):
    cases = _get(app_client, "/api/cases?limit=1000", toks["north"]).json()["cases"]
    assert cases
    assert {c["location"] for c in cases} <= {"S1", "S3"}


def test_limited_token_made_through_the_api(app_client, toks):
    r = app_client.post("/api/tokens", json={"role": "viewer", "locations": ["S3"]}, headers=bearer(toks["all"]))
    assert _get(app_client, "/api/moments?location=S1", r.json()["token"]).status_code == 403


# ----- every route, for a store manager of another store -----------------------------
def _params(chain) -> dict[str, str]:
    hz = chain.query("SELECT id, customer_id FROM interactions WHERE location = 'HZ' LIMIT 1").iloc[0]
    case = chain.query("SELECT id FROM recovery_cases WHERE location = 'HZ' LIMIT 1")["id"].iloc[0]
    return {
        "customer_id": str(hz["customer_id"]),
        "interaction_id": str(hz["id"]),
        "case_id": str(int(case)),
        "token_id": "000000000000",
        "survey_id": "nosuch",
        "token": "nosuch",
    }


@pytest.fixture(scope="module")
def sweep(chain, toks):
    """Every route of the app, each method, called with the S1 store manager's (admin) token and path
    parameters of HZ: (method, path, status, whether the answer shows anything of HZ)."""
    params = _params(chain)
    hz = chain.query("SELECT id, customer_id FROM interactions WHERE location = 'HZ'")
    names = sorted(set(hz["id"].astype(str)) | set(hz["customer_id"].dropna().astype(str)))
    hz_ids = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])")
    # bodies valid for every write route (so it reaches its place check, not a 422)
    body_json = {
        "owner": "x",
        "text": "x",
        "reason": "x",
        "outcome": "recovered",
        "valence": "magic",
        "case_ids": [int(params["case_id"])],
        "role": "viewer",
        "interactions": [{"text": "x"}],
    }
    form = {
        "owner": "x",
        "text": "x",
        "reason": "x",
        "outcome": "recovered",
        "valence": "magic",
        "case_id": params["case_id"],
        "interaction_id": params["interaction_id"],
        "detected_touchpoint": "x",
    }
    out = []
    with TestClient(create_app(chain)) as client:  # its own app: the writes below stay out of the others' caches
        for path, methods, _route in api_routes(client.app):
            url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: params.get(m.group(1), "x"), path)
            for method in sorted(methods - {"HEAD"}):
                sent = {"json": body_json} if path.startswith("/api") else {"data": form}
                r = client.request(method, url, headers=bearer(toks["s1"]), follow_redirects=False, **sent)
                body = r.text
                shown = MARK in body or OTHER in body or bool(hz_ids.search(body))
                out.append((method, path, r.status_code, r.status_code < 400 and shown))
    return out


def test_every_route_shows_a_store_manager_nothing_of_another_store(sweep):
    assert [f"{m} {p}: {s}" for m, p, s, leak in sweep if leak] == []


def test_the_sweep_changes_nothing_of_another_store(sweep, chain):
    ev = chain.query(
        "SELECT e.id FROM recovery_events e JOIN recovery_cases c ON c.id = e.case_id "
        "WHERE c.location = 'HZ' AND e.actor = 'manager S1'"
    )
    assert len(ev) == 0


def test_the_sweep_reaches_the_scoped_routes(sweep):
    """Not vacuous: the store manager's own data answers on the place-scoped routes."""
    assert {p for m, p, s, _ in sweep if s == 200} >= {"/api/moments", "/api/metrics", "/api/cases", "/", "/moments"}


def test_every_route_is_either_place_scoped_or_refused_to_a_limited_token(chain, toks):
    """A route that neither applies the place scope nor is marked place-free answers 403 to a limited token."""
    from carlzon.web.deps import _uses, place_free, place_scoped, require

    unmarked = []
    with TestClient(create_app(chain)) as client:
        for path, methods, route in api_routes(client.app):
            names = {getattr(d.call, "__name__", "") for d in route.dependant.dependencies}
            guarded = any(n.startswith("require_") for n in names)
            if guarded and not _uses(route.dependant, (place_scoped, place_free)):
                unmarked.append((path, sorted(methods - {"HEAD"})[0]))
        refused = [
            client.request(m, p, headers=bearer(toks["s1"]), json={}, follow_redirects=False).status_code
            for p, m in unmarked
            if "{" not in p
        ]
    assert require
    assert refused
    assert set(refused) == {403}


# ----- pages ------------------------------------------------------------------------
def test_place_picker_lists_places_by_name(app_client, toks):
    html = _get(app_client, "/", toks["all"]).text
    assert 'name="location"' in html
    assert ">Old Town<" in html


def test_place_picker_lists_the_regions(app_client, toks):
    assert "Region North" in _get(app_client, "/", toks["all"]).text


def test_place_is_kept_in_the_nav_links(app_client, toks):
    assert 'href="/moments?location=S1"' in _get(app_client, "/?location=S1", toks["all"]).text


def test_store_manager_picker_lists_only_their_store(app_client, toks):
    assert OTHER not in _get(app_client, "/", toks["s1"]).text


def test_store_manager_moments_page_has_nothing_of_another_store(app_client, toks):
    assert MARK not in _get(app_client, "/moments", toks["s1"]).text


def test_store_manager_customers_page_lists_their_customers(app_client, chain, toks):
    hz_customer = _params(chain)["customer_id"]
    assert hz_customer not in _get(app_client, "/customers", toks["s1"]).text


def test_moments_page_of_a_place(app_client, toks):
    assert MARK in _get(app_client, "/moments?location=HZ", toks["all"]).text
