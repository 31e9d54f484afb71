"""The warmer computes the heavy views before the first request; new data change the pages."""

from __future__ import annotations

import pandas as pd
import pytest

from carlzon.report.synthetic import fill_store
from carlzon.store import open_store
from carlzon.store.changes import change_token
from carlzon.web.auth import create_token


@pytest.fixture()
def store(tmp_path):
    st = open_store(str(tmp_path / "carlzon.db"))
    fill_store(st, 600, seed=3, customers=80, events=50)
    yield st
    st.close()


def _more_misery(store, n: int = 40) -> None:
    ts = pd.Timestamp("2026-06-30 12:00", tz="UTC")
    ids = [f"late{i}" for i in range(n)]
    store.add_interactions(
        pd.DataFrame(
            {"id": ids, "customer_id": "zz1", "timestamp": ts, "channel": "review", "text": "the bag never came"}
        )
    )
    store.add_moments(
        pd.DataFrame(
            {
                "interaction_id": ids,
                "customer_id": "zz1",
                "timestamp": ts,
                "channel": "review",
                "touchpoint": "baggage_claim",
                "valence": "misery",
                "score": -0.9,
            }
        )
    )


def _client(store, warm_every):
    from fastapi.testclient import TestClient

    from carlzon.web import create_app

    app = create_app(store, warm_every=warm_every)
    return app, TestClient(app)


def test_the_warmer_computes_the_heavy_views_before_the_first_request(store):
    app, client = _client(store, 0.05)
    with client:
        app.state.warmer.wait_current(120)
        views = {k[0] for k in app.state.cache}
    assert {"options", "overview", "themes", "alerts", "paths", "magic"} <= views


def test_the_warmer_computes_again_when_data_arrive(store):
    app, client = _client(store, 0.05)
    with client:
        app.state.warmer.wait_current(120)
        _more_misery(store)
        app.state.warmer.wait_current(120)
        token = change_token(store)
        current = [k for k in app.state.cache if k[0] == "themes" and k[-len(token) :] == token]
    assert len(current) == 1


def test_new_data_change_the_overview_page(store):
    secret = create_token(store, role="viewer", name="t").secret
    h = {"Authorization": f"Bearer {secret}"}
    _app, client = _client(store, None)
    with client:
        before = client.get("/", headers=h).text
        _more_misery(store)
        after = client.get("/", headers=h).text
    assert before != after


@pytest.fixture()
def language_calls(monkeypatch):
    """Each time the overview counts the store's texts per language."""
    import carlzon.web.views as views

    calls: list[int] = []
    real = views.language_counts
    monkeypatch.setattr(views, "language_counts", lambda st: calls.append(1) or real(st))
    return calls


def _viewer(store) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(store, role='viewer', name='t').secret}"}


def test_the_store_wide_language_counts_are_read_once_for_many_filters(store, language_calls):
    h = _viewer(store)
    _app, client = _client(store, None)
    with client:
        for channel in ("", "review", "survey"):
            client.get("/api/metrics", params={"channel": channel} if channel else {}, headers=h)
    assert len(language_calls) == 1


def test_the_language_counts_are_read_again_when_data_arrive(store, language_calls):
    h = _viewer(store)
    _app, client = _client(store, None)
    with client:
        client.get("/api/metrics", headers=h)
        _more_misery(store)
        client.get("/api/metrics", params={"channel": "review"}, headers=h)
    assert len(language_calls) == 2
