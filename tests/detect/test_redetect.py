"""Re-derive stored moments with another journey, without ingesting again."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.detect.redetect import redetect
from carlzon.errors import DetectError
from carlzon.ingest import ingest
from carlzon.store import open_store

runner = CliRunner()
DF = pd.DataFrame(
    {"id": ["a", "b", "c"], "comment": ["The barista was rude", "Lovely flat white", "Long queue"], "stars": [1, 5, 2]}
)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.db"
    with open_store(path) as st:
        ingest(DF, st, journey="airline")
    return path


def test_redetect_moves_moments_to_the_new_journeys_touchpoints(db):
    with open_store(db) as st:
        redetect(st, journey="coffee_shop")
        assert st.moments().set_index("interaction_id").loc["a", "touchpoint"] == "barista"


def test_redetect_sets_the_stores_journey(db):
    with open_store(db) as st:
        redetect(st, journey="coffee_shop")
        assert st.meta("journey") == "coffee_shop"


def test_redetect_counts_what_it_did(db):
    with open_store(db) as st:
        r = redetect(st, journey="coffee_shop", batch_rows=2)
    assert (r.interactions, r.moments, r.previous_journey) == (3, 3, "airline")


def test_redetect_without_a_journey_needs_one(tmp_path):
    with open_store(tmp_path / "e.db") as st, pytest.raises(DetectError, match="--journey"):
        redetect(st)


def test_detect_store_cli(db):
    res = runner.invoke(app, ["detect", "--store", str(db), "--journey", "coffee_shop", "--json"])
    assert (res.exit_code, json.loads(res.output)["journey"]) == (0, "coffee_shop")
