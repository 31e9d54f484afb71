"""`carlzon train --aspect-label` and `carlzon eval --aspect-label`: learn aspects from tags, measure them."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()

ROWS = [
    ("we waited forever at the desk", "Slow"),
    ("took ages to get served", "Slow"),
    ("the queue never moved", "Slow"),
    ("an hour before anyone came", "Slow"),
    ("far too expensive for what it is", "Money"),
    ("what a rip off", "Money"),
    ("they want a fortune for parking", "Money"),
    ("not worth the money", "Money"),
    ("the agent was rude to my mother", "People"),
    ("a grumpy man at the gate", "People"),
    ("unfriendly person at the counter", "People"),
    ("the manager was dismissive", "People"),
]


@pytest.fixture()
def files(tmp_path):
    data = tmp_path / "tagged.csv"
    pd.DataFrame(ROWS * 2, columns=["message", "tag"]).assign(sentiment="negative").to_csv(data, index=False)
    mapping = tmp_path / "map.csv"
    mapping.write_text("tag,aspect\nSlow,speed_waiting\nMoney,price_value\nPeople,staff_attitude\n")
    return data, mapping


def _train(data, mapping, out, *extra):
    args = ["train", str(data), "--text", "message", "--aspect-label", "tag", "--aspect-map", str(mapping)]
    return runner.invoke(app, [*args, "--cv", "2", "-o", str(out), *extra])


def _eval(data, mapping, *extra):
    args = ["eval", str(data), "--text", "message", "--aspect-label", "tag", "--aspect-map", str(mapping)]
    return runner.invoke(app, [*args, "--journey", "airline", "--json", *extra])


def test_train_aspects_from_mapped_tags(files, tmp_path):
    res = _train(*files, tmp_path / "m.json", "--json")
    assert json.loads(res.output)["aspects"]["aspects"] == {"price_value": 8, "speed_waiting": 8, "staff_attitude": 8}


def test_train_aspects_prints_the_cross_validated_figures(files, tmp_path):
    res = _train(*files, tmp_path / "m.json")
    assert "aspects learned from n=24 texts (3 aspects" in res.output


def test_train_aspects_writes_them_in_the_model_file(files, tmp_path):
    _train(*files, tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["aspect"]["format"] == "carlzon.aspect_model/1"


def test_eval_aspects_json_has_the_figures(files):
    res = _eval(*files)
    assert {"n", "coverage", "aspect_accuracy", "aspect_macro_f1", "per_aspect", "texts_per_s"} <= set(
        json.loads(res.output)
    )


def test_eval_aspects_with_the_trained_model_gets_its_training_texts_right(files, tmp_path):
    _train(*files, tmp_path / "m.json")
    res = _eval(*files, "--model", str(tmp_path / "m.json"))
    assert json.loads(res.output)["aspect_macro_f1"] == 1.0


def test_eval_aspects_with_the_trained_model_beats_the_aspect_words(files, tmp_path):
    _train(*files, tmp_path / "m.json")
    before = json.loads(_eval(*files).output)["aspect_macro_f1"]
    after = json.loads(_eval(*files, "--model", str(tmp_path / "m.json")).output)["aspect_macro_f1"]
    assert after > before


def test_eval_aspects_beside_valence_nests_them(files):
    res = _eval(*files, "--label", "sentiment")
    assert json.loads(res.output)["aspects"]["n"] == 24


def test_unmapped_aspect_tags_say_how_to_map_them(files, tmp_path):
    data, _ = files
    res = runner.invoke(
        app, ["train", str(data), "--text", "message", "--aspect-label", "tag", "-o", str(tmp_path / "m.json")]
    )
    assert "--aspect-map" in res.output


def test_aspect_map_needs_the_aspect_label(files, tmp_path):
    data, mapping = files
    res = runner.invoke(
        app,
        ["train", str(data), "--text", "message", "--label", "sentiment", "--aspect-map", str(mapping), "-o", "m.json"],
    )
    assert "--aspect-label" in res.output
