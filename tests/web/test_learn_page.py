"""The learn page: how many corrections the model learned from, and its accuracy on the held-back part."""

from __future__ import annotations

import pytest

from carlzon.report.synthetic import fill_store
from carlzon.store import open_store
from carlzon.store.corrections import remember_learning
from carlzon.web.auth import create_token
from tests.web.conftest import bearer

RECORD = {
    "model": "model.json",
    "trained_at": "2026-01-02T03:04:05+00:00",
    "touchpoints": {"n_train": 500, "n_corrections": 8, "corrections_held_back": {"n": 2, "accuracy": 0.5}},
    "valence": {"n_train": 400, "n_corrections": 0, "corrections_held_back": {"n": 0, "accuracy": None}},
}


@pytest.fixture()
def app_store(tmp_path):
    st = open_store(str(tmp_path / "carlzon.db"))
    fill_store(st, 120, seed=3)
    yield st
    st.close()


def _learn_page(st):
    from fastapi.testclient import TestClient

    from carlzon.web import create_app

    token = create_token(st, role="viewer", name="viewer").secret
    with TestClient(create_app(st)) as c:
        return c.get("/learn", headers=bearer(token)).text


def test_learn_page_says_when_no_model_has_learned_from_the_corrections(app_store):
    assert "No model has learned from these corrections yet" in _learn_page(app_store)


def test_learn_page_shows_how_many_corrections_the_model_learned_from(app_store):
    remember_learning(app_store, RECORD)
    assert "learned touchpoints from 8 corrections" in " ".join(_learn_page(app_store).split())


def test_learn_page_shows_the_accuracy_on_the_held_back_corrections(app_store):
    remember_learning(app_store, RECORD)
    assert "accuracy 50% on the 2 held back" in " ".join(_learn_page(app_store).split())


def test_learn_page_names_the_model_file(app_store):
    remember_learning(app_store, RECORD)
    assert "<code>model.json</code>" in _learn_page(app_store)
