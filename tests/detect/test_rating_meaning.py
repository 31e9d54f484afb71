"""One definition of what a rating means: ingest (detection), train, eval, the figures and the report agree,
and a journey's own cut-offs change all of them."""

from __future__ import annotations

from importlib import resources

import pandas as pd
import pytest

from carlzon.cli.detection import _eval_label
from carlzon.detect.model import label_word, labels_from_ratings
from carlzon.detect.ratings import describe_ratings, rating_valence
from carlzon.errors import JourneyError
from carlzon.ingest import ingest
from carlzon.journey import load_journey
from carlzon.report.aggregates import aggregates
from carlzon.store import open_store

STARS = [1, 2, 3, 4, 5] * 2


@pytest.fixture(scope="module")
def four_is_magic(tmp_path_factory):
    """The hotel journey with 4 of 5 stars as magic (its own YAML)."""
    text = (resources.files("carlzon.journeys") / "hotel.yaml").read_text("utf-8")
    text = text.replace("stars: {misery: 2, magic: 5}", "stars: {misery: 2, magic: 4}")
    path = tmp_path_factory.mktemp("j") / "hotel4.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _ingested(tmp_path, journey):
    st = open_store(str(tmp_path / f"{abs(hash(journey))}.db"))
    df = pd.DataFrame({"id": [f"r{i}" for i in range(len(STARS))], "stars": STARS})
    ingest(df, st, journey=journey)
    return st


def _valences(journey):
    th = load_journey(journey).thresholds
    return {
        "rule": rating_valence(STARS, "stars", th).tolist(),
        "train": labels_from_ratings(STARS, "stars", th).tolist(),
        "train_label": [label_word(s, th) for s in STARS],
        "eval": [_eval_label(str(s), th) for s in STARS],
    }


@pytest.mark.parametrize("which", ["hotel", "four"])
def test_train_and_eval_read_stars_as_the_rule_does(which, four_is_magic):
    v = _valences("hotel" if which == "hotel" else four_is_magic)
    assert v["train"] == v["train_label"] == v["eval"] == v["rule"]


@pytest.mark.parametrize("which", ["hotel", "four"])
def test_ingest_reads_stars_as_train_does(which, four_is_magic, tmp_path):
    journey = "hotel" if which == "hotel" else four_is_magic
    st = _ingested(tmp_path, journey)
    got = st.query("SELECT interaction_id, valence FROM moments").set_index("interaction_id")["valence"]
    assert [got[f"r{i}"] for i in range(len(STARS))] == _valences(journey)["train"]


@pytest.mark.parametrize("which", ["hotel", "four"])
def test_the_figures_count_the_magic_train_counts(which, four_is_magic, tmp_path):
    journey = "hotel" if which == "hotel" else four_is_magic
    agg = aggregates(_ingested(tmp_path, journey))
    assert int(agg.by_touchpoint()["magic"].sum()) == _valences(journey)["train"].count("magic")


def test_a_journey_override_makes_four_stars_magic_everywhere(four_is_magic):
    assert set(_valences(four_is_magic)["train"][3::5]) == {"magic"}


def test_by_default_four_stars_are_neutral():
    assert set(_valences("hotel")["train"][3::5]) == {"neutral"}


def test_the_report_states_what_a_rating_means(tmp_path):
    from carlzon.report.builder import build_report

    html = build_report(_ingested(tmp_path, "hotel"), None, journey="hotel")
    assert "stars 1-2 misery, 3-4 neutral, 5 magic" in html


def test_the_report_states_the_journey_override(tmp_path, four_is_magic):
    from carlzon.report.builder import build_report

    html = build_report(_ingested(tmp_path, four_is_magic), None, journey=four_is_magic)
    assert "stars 1-2 misery, 3 neutral, 4-5 magic" in html


def test_the_sentence_follows_the_thresholds():
    assert "CSAT 1-3 misery, 4 neutral, 5 magic" in describe_ratings({"csat": {"misery": 3}})


def test_nps_keeps_its_one_definition(tmp_path):
    text = (resources.files("carlzon.journeys") / "hotel.yaml").read_text("utf-8")
    path = tmp_path / "nps.yaml"
    path.write_text(text.replace("nps: {misery: 6, magic: 9}", "nps: {misery: 5, magic: 8}"), encoding="utf-8")
    with pytest.raises(JourneyError, match="fixed by NPS itself"):
        load_journey(str(path))
