"""`carlzon train --touchpoint-label` and `carlzon eval --touchpoint-label`: learn touchpoints from tags, measure them."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()

ROWS = [
    ("my card got declined at the shop", "Declined"),
    ("card refused at the till again", "Declined"),
    ("payment declined though I have money", "Declined"),
    ("the card does not work in shops", "Declined"),
    ("on hold for forty minutes", "Waiting"),
    ("nobody answers the phone", "Waiting"),
    ("the chatbot is useless, I want a person", "Waiting"),
    ("cut off after an hour on the line", "Waiting"),
    ("the app crashes when I open it", "App"),
    ("app will not load since the update", "App"),
    ("the app is really slow today", "App"),
    ("blank screen in the app on my phone", "App"),
]


@pytest.fixture()
def files(tmp_path):
    data = tmp_path / "tagged.csv"
    pd.DataFrame(ROWS * 2, columns=["message", "tag"]).assign(sentiment="negative").to_csv(data, index=False)
    mapping = tmp_path / "map.csv"
    mapping.write_text("tag,touchpoint\nDeclined,card_payments\nWaiting,phone_support\nApp,mobile_app\n")
    return data, mapping


def _train(data, mapping, out, *extra):
    return runner.invoke(
        app,
        [
            "train",
            str(data),
            "--text",
            "message",
            "--touchpoint-label",
            "tag",
            "--touchpoint-map",
            str(mapping),
            "--journey",
            "retail_bank",
            "--cv",
            "2",
            "-o",
            str(out),
            "--json",
            *extra,
        ],
    )


def test_train_touchpoints_from_mapped_tags(files, tmp_path):
    res = _train(*files, tmp_path / "m.json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["touchpoints"]["touchpoints"] == {
        "card_payments": 8,
        "mobile_app": 8,
        "phone_support": 8,
    }


def test_eval_touchpoints_json_has_the_contract_keys(files, tmp_path):
    data, mapping = files
    _train(data, mapping, tmp_path / "m.json")
    res = runner.invoke(
        app,
        [
            "eval",
            str(data),
            "--text",
            "message",
            "--touchpoint-label",
            "tag",
            "--touchpoint-map",
            str(mapping),
            "--journey",
            "retail_bank",
            "--model",
            str(tmp_path / "m.json"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert {"n", "coverage", "touchpoint_accuracy", "touchpoint_macro_f1", "per_touchpoint", "texts_per_s"} <= set(out)


def test_eval_touchpoints_with_the_trained_model_gets_its_training_texts_right(files, tmp_path):
    data, mapping = files
    _train(data, mapping, tmp_path / "m.json")
    res = runner.invoke(
        app,
        [
            "eval",
            str(data),
            "--text",
            "message",
            "--touchpoint-label",
            "tag",
            "--touchpoint-map",
            str(mapping),
            "--journey",
            "retail_bank",
            "--model",
            str(tmp_path / "m.json"),
            "--json",
        ],
    )
    assert json.loads(res.output)["touchpoint_accuracy"] == 1.0


def test_eval_with_both_labels_keeps_the_valence_figures(files, tmp_path):
    data, mapping = files
    res = runner.invoke(
        app,
        [
            "eval",
            str(data),
            "--text",
            "message",
            "--touchpoint-label",
            "tag",
            "--touchpoint-map",
            str(mapping),
            "--label",
            "sentiment",
            "--journey",
            "retail_bank",
            "--json",
        ],
    )
    out = json.loads(res.output)
    assert ("macro_f1" in out, "touchpoint_macro_f1" in out, out["valence_n"]) == (True, True, 24)


def test_train_touchpoints_needs_a_journey(files, tmp_path):
    data, _ = files
    res = runner.invoke(
        app, ["train", str(data), "--text", "message", "--touchpoint-label", "tag", "-o", str(tmp_path / "m.json")]
    )
    assert res.exit_code == 1
    assert "--journey" in res.output


def test_unmapped_tags_say_how_to_map_them(files, tmp_path):
    data, _ = files
    res = runner.invoke(
        app,
        [
            "train",
            str(data),
            "--text",
            "message",
            "--touchpoint-label",
            "tag",
            "--journey",
            "retail_bank",
            "-o",
            str(tmp_path / "m.json"),
        ],
    )
    assert res.exit_code == 1
    assert "--touchpoint-map" in res.output


def test_train_valence_and_touchpoints_in_one_file(files, tmp_path):
    data, mapping = files
    pd.read_csv(data).assign(sentiment=["negative", "positive", "neutral"] * 8).to_csv(data, index=False)
    res = _train(data, mapping, tmp_path / "m.json", "--label", "sentiment")
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "m.json").read_text())["text"]["format"] == "carlzon.text_model/2"


def _store_with_corrections(tmp_path, n=10):
    from carlzon.store import open_store
    from carlzon.store.corrections import correct

    url = str(tmp_path / "carlzon.db")
    texts = [t for t, _ in ROWS]
    right = {"Declined": "card_payments", "Waiting": "phone_support", "App": "mobile_app"}
    with open_store(url) as st:
        st.add_interactions(
            pd.DataFrame({"id": [f"c{i}" for i in range(n)], "text": [texts[i % len(texts)] for i in range(n)]})
        )
        st.add_moments(
            pd.DataFrame(
                {
                    "interaction_id": [f"c{i}" for i in range(n)],
                    "touchpoint": ["unknown"] * n,
                    "valence": ["neutral"] * n,
                    "score": [0.0] * n,
                }
            )
        )
        for i in range(n):
            correct(st, f"c{i}", touchpoint=right[ROWS[i % len(ROWS)][1]], by="ann")
    return url


def test_train_learns_from_corrections_and_measures_the_held_back_part(files, tmp_path):
    data, mapping = files
    url = _store_with_corrections(tmp_path)
    res = _train(data, mapping, tmp_path / "m.json", "--store", url)
    assert res.exit_code == 0, res.output
    tp = json.loads(res.output)["touchpoints"]
    assert (tp["n_corrections"], tp["corrections_held_back"]["n"]) == (8, 2)


def test_train_from_corrections_alone(files, tmp_path):
    url = _store_with_corrections(tmp_path, n=12)
    res = runner.invoke(
        app,
        [
            "train",
            "--text",
            "text",
            "--store",
            url,
            "--journey",
            "retail_bank",
            "--cv",
            "2",
            "-o",
            str(tmp_path / "m.json"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["touchpoints"]["n"] == 10


def test_train_notes_in_the_store_what_it_learned_from_the_corrections(files, tmp_path):
    from carlzon.store import open_store
    from carlzon.store.corrections import learned_from

    data, mapping = files
    url = _store_with_corrections(tmp_path)
    _train(data, mapping, tmp_path / "m.json", "--store", url)
    with open_store(url) as st:
        tp = learned_from(st)["touchpoints"]
    assert (tp["n_corrections"], tp["corrections_held_back"]["n"]) == (8, 2)


def test_train_prints_how_many_corrections_it_learned_from(files, tmp_path):
    data, mapping = files
    url = _store_with_corrections(tmp_path)
    res = runner.invoke(
        app,
        [
            "train",
            str(data),
            "--text",
            "message",
            "--touchpoint-label",
            "tag",
            "--touchpoint-map",
            str(mapping),
            "--journey",
            "retail_bank",
            "--cv",
            "2",
            "-o",
            str(tmp_path / "m.json"),
            "--store",
            url,
        ],
    )
    assert "touchpoints: learned from 8 corrections; accuracy" in res.output
