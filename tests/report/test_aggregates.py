"""Dashboard and report figures from the rollups equal the same figures from the moments, bit for bit, on both
backends and under the filters the pages offer (period, channel, touchpoint); what the rollups cannot answer
(a segment, a valence, a period inside a day) reads the moments."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from carlzon.report import aggregates as A
from carlzon.report.builder import store_context
from carlzon.report.query import Scope, load_frame, rating_counts
from carlzon.store import open_store
from carlzon.web.app import clean
from carlzon.web.auth import create_token
from tests.store.conftest import store_target  # noqa: F401 - the fixture: SQLite and PostgreSQL

DAY = pd.Timestamp("2026-01-12", tz="UTC")
SCOPES = {
    "all": Scope(),
    "period": Scope(since=DAY, until=DAY + pd.Timedelta(days=10)),
    "since": Scope(since=DAY + pd.Timedelta(days=20)),
    "channel": Scope(channel="survey"),
    "touchpoint": Scope(touchpoint="check_in"),
    "everything": Scope(since=DAY, until=DAY + pd.Timedelta(days=20), channel="review", touchpoint="seat"),
    "nothing": Scope(channel="carrier-pigeon"),
}


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    from carlzon.simulate import simulate

    return simulate("airline", seed=5, customers=300, days=40).interactions


@pytest.fixture
def filled(store_target, export):
    from carlzon.ingest import ingest

    with open_store(store_target) as st:
        assert ingest(export, st, journey="airline", source="sim.csv", batch_rows=900).moments > 1000
        yield st


def _moments_path(store, scope: Scope) -> A.Aggregates:
    return A.from_moments(load_frame(store, scope), rating_counts(store, scope))


def _same(a, b) -> None:
    """Equal as JSON (NaN as null; floats written with every digit): the same numbers bit for bit."""
    assert json.dumps(clean(a), sort_keys=True, default=str) == json.dumps(clean(b), sort_keys=True, default=str)


_FIGURES = (
    "n_moments",
    "period",
    "headline",
    "table",
    "key_moments",
    "trends",
    "trend_unit",
    "quadrant_lists",
    "actions",
    "importance_method",
    "has_survey",
)


@pytest.mark.parametrize("name", list(SCOPES))
def test_rollups_give_the_moments_figures(filled, name):
    scope = SCOPES[name]
    assert A.rollup_blocker(scope) is None
    fast, slow = A.from_rollups(filled, scope), _moments_path(filled, scope)
    assert fast.source == "rollups"
    assert slow.source == "moments"
    pd.testing.assert_frame_equal(fast.cells, slow.cells, check_exact=True, check_dtype=False)
    assert fast.ratings == slow.ratings
    assert A.count_moments(filled, scope) == fast.n == len(load_frame(filled, scope))
    for v in ("magic", "misery", "neutral"):
        assert A.count_moments(filled, Scope(**{**scope.__dict__, "valence": v})) == len(
            load_frame(filled, Scope(**{**scope.__dict__, "valence": v}))
        )
    if not fast.n:
        return
    a = store_context(filled, scope, journey="airline", fit_drivers=False, themes=False, paths=False, watch_days=0)
    b = store_context(
        filled, scope, journey="airline", fit_drivers=False, themes=False, paths=False, watch_days=0, aggregates=slow
    )
    assert a["figures_from"] == "rollups"
    assert b["figures_from"] == "moments"
    _same({k: a[k] for k in _FIGURES}, {k: b[k] for k in _FIGURES})
    _same(a["emerging"].__dict__, b["emerging"].__dict__)
    assert {h["key"] for h in a["headline"]} >= {"magic", "misery"}
    assert all(h["n"] > 0 for h in a["headline"])
    if name == "all":
        assert {h["key"] for h in a["headline"]} >= {"nps", "csat", "stars"}


def test_what_the_rollups_cannot_answer_reads_the_moments(filled):
    cut = Scope(since=DAY + pd.Timedelta(hours=6))
    for scope in (Scope(segment=("Class", "Business")), Scope(valence="misery"), Scope(customer_id="c1"), cut):
        assert A.rollup_blocker(scope)
        assert A.aggregates(filled, scope).source == "moments"
    ctx = store_context(filled, cut, journey="airline", fit_drivers=False, themes=False, paths=False, watch_days=0)
    assert ctx["figures_from"] == "moments"
    assert ctx["n_moments"] == len(load_frame(filled, cut))


@pytest.fixture
def clients(filled, monkeypatch):
    """An app reading the rollups and one forced onto the moments (the rollups 'cannot answer' anything)."""
    from fastapi.testclient import TestClient

    from carlzon.web import create_app

    token = create_token(filled, role="viewer").secret
    fast = TestClient(create_app(filled, journey="airline"))
    slow_app = create_app(filled, journey="airline")
    yield fast, TestClient(slow_app), {"Authorization": f"Bearer {token}"}, monkeypatch


FILTERS = [
    {},
    {"since": "2026-01-12", "until": "2026-01-25"},
    {"channel": "survey"},
    {"touchpoint": "gate"},
    {"since": "2026-01-20", "channel": "review", "touchpoint": "seat"},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none")
def test_api_figures_from_rollups_equal_those_from_moments(clients, params):
    fast, slow, h, monkeypatch = clients
    got = {
        p: fast.get(p, params=params, headers=h).json() for p in ("/api/metrics", "/api/touchpoints", "/api/drivers")
    }
    got["/api/moments"] = fast.get("/api/moments", params={**params, "per_page": 5}, headers=h).json()
    assert got["/api/metrics"]["figures_from"] == "rollups"
    monkeypatch.setattr(A, "rollup_blocker", lambda scope: "forced onto the moments by the test")
    want = {
        p: slow.get(p, params=params, headers=h).json() for p in ("/api/metrics", "/api/touchpoints", "/api/drivers")
    }
    want["/api/moments"] = slow.get("/api/moments", params={**params, "per_page": 5}, headers=h).json()
    assert want["/api/metrics"]["figures_from"] == "moments"
    got["/api/metrics"].pop("figures_from"), want["/api/metrics"].pop("figures_from")
    assert got == want
    assert got["/api/metrics"]["n"] > 0
    assert got["/api/touchpoints"]["touchpoints"]


def test_overview_page_reads_no_moment_frame(clients):
    """The overview's aggregate figures never load the moments when the rollups can answer the filters."""
    fast, _, h, monkeypatch = clients

    def refuse(*args, **kwargs):
        raise AssertionError("the aggregate figures read the moments")

    monkeypatch.setattr("carlzon.report.query.load_frame", refuse)
    monkeypatch.setattr("carlzon.report.query.rating_counts", refuse)
    for params in FILTERS:
        r = fast.get("/", params=params, headers=h)
        assert r.status_code == 200 and "Moments of magic" in r.text, params
    with pytest.raises(AssertionError, match="read the moments"):  # a segment is not in the rollups
        fast.get("/api/metrics", params={"segment": "Class=Business"}, headers=h)


def test_customers_are_counted_only_in_a_store_small_enough(filled):
    from fastapi.testclient import TestClient

    from carlzon.web import create_app

    h = {"Authorization": f"Bearer {create_token(filled, role='viewer').secret}"}
    counted = TestClient(create_app(filled, journey="airline")).get("/api/metrics", headers=h).json()
    assert counted["customers"] > 0
    assert counted["customers_note"] == ""
    small = TestClient(create_app(filled, journey="airline", customers_up_to=100))
    m = small.get("/api/metrics", headers=h).json()
    assert m["customers"] is None
    assert "more than 100 moments" in m["customers_note"]
    assert "customers are not counted in a store of more than 100 moments" in small.get("/", headers=h).text
