"""carlzon.detect.learn_aspects: aspects learned from labels (ids, names or mapped tags), per mention, saved as JSON."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from carlzon.detect import Detector
from carlzon.detect.labels import map_aspect_labels
from carlzon.detect.bundle import load_bundle, save_models
from carlzon.detect.learn_aspects import AspectModel, learn_aspects, train_aspects
from carlzon.errors import ModelError

TAGGED = {
    "speed_waiting": [
        "we waited forever at the desk",
        "took ages to get served",
        "the queue never moved",
        "an hour before anyone came",
        "nobody picked up for forty minutes",
        "the bags came out after an eternity",
    ],
    "price_value": [
        "far too expensive for what it is",
        "what a rip off",
        "they want a fortune for parking",
        "charged twice the fee",
        "not worth the money",
        "extra charges everywhere",
    ],
    "staff_attitude": [
        "the agent was rude to my mother",
        "the receptionist was lovely and kind",
        "unfriendly person at the counter",
        "the crew could not have been nicer",
        "the manager was dismissive",
        "a grumpy man at the gate",
    ],
    "none": [
        "I booked a room for two nights",
        "we arrived on monday",
        "the flight was to rome",
        "my sister came too",
        "we stayed three nights in june",
        "this was my second visit",
    ],
}


def _data(repeat: int = 2) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for _ in range(repeat):
        for a, msgs in TAGGED.items():
            texts += msgs
            labels += [a] * len(msgs)
    return texts, labels


@pytest.fixture(scope="module")
def model():
    return train_aspects(*_data(), cv=3, Cs=(4.0,))


def test_learned_aspect_of_a_new_text(model):
    assert learn_aspects(model, ["the counter staff were so grumpy"])[0] == ["staff_attitude"]


def test_learned_none_leaves_a_text_without_aspect(model):
    assert learn_aspects(model, ["we arrived on a monday in june"])[0] == [None]


def test_confidence_is_a_probability(model):
    _, conf = learn_aspects(model, ["took ages to get served", "rude agent"])
    assert ((conf > 0) & (conf <= 1)).all()


def test_below_the_threshold_there_is_no_aspect(model):
    assert learn_aspects(model, ["took ages to get served"], min_confidence=1.01)[0] == [None]


def test_model_info_keeps_counts_and_cross_validated_figures(model):
    assert model.info["class_counts"] == {"none": 12, "price_value": 12, "speed_waiting": 12, "staff_attitude": 12}


def test_aspect_model_saved_in_the_model_file_is_plain_json(model, tmp_path):
    path = save_models(tmp_path / "m.json", aspect=model)
    assert json.loads(path.read_text())["aspect"]["format"] == "carlzon.aspect_model/1"


def test_aspect_model_loads_back_from_the_bundle(model, tmp_path):
    path = save_models(tmp_path / "m.json", aspect=model)
    assert isinstance(load_bundle(path)["aspect"], AspectModel)


def test_loaded_aspect_model_predicts_the_same(model, tmp_path):
    texts = ["took ages to get served", "not worth it", "a rude agent"]
    loaded = load_bundle(save_models(tmp_path / "m.json", aspect=model))["aspect"]
    assert learn_aspects(loaded, texts)[0] == learn_aspects(model, texts)[0]


def test_damaged_aspect_model_is_a_clear_error(model, tmp_path):
    d = {"format": "carlzon.models/1", "text": None, "touchpoint": None, "aspect": {**model.to_dict(), "coef": [[1]]}}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d))
    with pytest.raises(ModelError, match="train it again"):
        load_bundle(path)


def _moments(model, text):
    det = Detector("hotel", aspect_model=model)
    return det.detect(pd.DataFrame({"id": ["a"], "text": [text]}))


def test_detector_gives_each_moment_the_learned_aspect_of_its_mention(model):
    # "grumpy" is none of the built-in aspect words: the learned model reads it as staff attitude
    m = _moments(model, "The breakfast was great. A grumpy man at the reception.")
    assert m.set_index("touchpoint")["aspect"].to_dict().get("check_in") == "staff_attitude"


def test_detector_evidence_names_the_learned_aspect_and_its_confidence(model):
    m = _moments(model, "A grumpy man at the reception.")
    ev = json.loads(m["evidence"].iloc[0])
    assert any(e["rule"] == "aspect" and e["text"].startswith("learned: speaks of staff attitude") for e in ev)


def test_detector_without_an_aspect_model_keeps_the_aspect_words():
    m = Detector("hotel").detect(pd.DataFrame({"id": ["a"], "text": ["A grumpy man at the reception."]}))
    assert m["aspect"].isna().all()


def test_detector_loads_an_aspect_model_from_the_file(model, tmp_path):
    path = save_models(tmp_path / "m.json", aspect=model)
    assert isinstance(Detector("hotel", model=path).aspect_model, AspectModel)


def test_aspect_labels_by_name_and_mapped_tag():
    got = map_aspect_labels(["Speed and waiting", "Cost", "", "other"], {"cost": "price_value"}).tolist()
    assert got == ["speed_waiting", "price_value", None, "none"]


def test_unmapped_aspect_labels_are_named_with_the_fix():
    with pytest.raises(ModelError, match=r"--aspect-map"):
        map_aspect_labels(["Speed and waiting", "Vibes"])


def test_mapping_to_an_unknown_aspect_is_an_error():
    with pytest.raises(ModelError, match="not an aspect"):
        map_aspect_labels(["Vibes"], {"vibes": "atmosphere"})
