"""carlzon.detect.learn: touchpoints learned from labels (ids, names or mapped tags), calibrated, saved as JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from carlzon.detect import Detector
from carlzon.detect.bundle import load_models, save_models
from carlzon.detect.learn import (
    CONTEXT_WEIGHT,
    CONTEXT_WEIGHTS,
    TouchpointModel,
    learn_touchpoints,
    map_touchpoint_labels,
    read_tag_map,
    train_touchpoints,
    uncertainty,
)
from carlzon.errors import ModelError
from carlzon.journey import load_journey

BANK = {
    "card_payments": [
        "my card got declined at the shop",
        "card refused at the till again",
        "payment declined though I have money",
        "the card does not work in shops",
        "contactless stopped working on my card",
        "card rejected online",
    ],
    "phone_support": [
        "on hold for forty minutes",
        "nobody answers the phone",
        "the chatbot is useless, I want a person",
        "cut off after waiting an hour on the line",
        "your helpline transferred me five times",
        "can I speak to an advisor",
    ],
    "mobile_app": [
        "the app crashes when I open it",
        "app will not load since the update",
        "the app is really slow today",
        "blank screen in the app on my phone",
        "app notifications stopped",
        "cannot find the settings in the app",
    ],
    "fees": [
        "why did you take a monthly fee",
        "charged twice for one purchase",
        "hidden charges again on my account",
        "what is this service charge",
        "a penalty charge without warning",
        "refund the fee you took by mistake",
    ],
}


def _data(repeat: int = 2) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for _ in range(repeat):
        for tp, msgs in BANK.items():
            texts += msgs
            labels += [tp] * len(msgs)
    return texts, labels


@pytest.fixture(scope="module")
def journey():
    return load_journey("retail_bank")


@pytest.fixture(scope="module")
def model(journey):
    texts, labels = _data()
    return train_touchpoints(texts, labels, journey=journey, cv=3, Cs=(4.0,))


def test_learned_model_names_the_touchpoint_of_a_new_text(model):
    tp, _ = learn_touchpoints(model, ["the card was declined at the till"])
    assert tp.tolist() == ["card_payments"]


def test_confidence_is_a_probability(model):
    _, conf = learn_touchpoints(model, ["the app keeps crashing", "on hold forever"])
    assert ((conf > 0) & (conf <= 1)).all()


def test_unknown_below_the_threshold(model):
    tp, _ = learn_touchpoints(model, ["the app keeps crashing"], min_confidence=1.01)
    assert tp.tolist() == ["unknown"]


def test_text_with_nothing_the_model_knows_is_unknown(model):
    tp, conf = learn_touchpoints(model, ["zzzz qqqq"])
    assert (tp.tolist(), conf.tolist()) == (["unknown"], [0.0])


def test_empty_texts_are_unknown(model):
    tp, _ = learn_touchpoints(model, [None, "  "])
    assert tp.tolist() == ["unknown", "unknown"]


def test_model_info_keeps_counts_and_cross_validated_figures(model):
    assert (model.info["n_train"], model.info["class_counts"]["fees"], 0 <= model.info["cv_macro_f1"] <= 1) == (
        48,
        12,
        True,
    )


def test_the_weight_of_a_clause_s_text_is_chosen_out_of_fold(model):
    assert model.info["context_weight"] in CONTEXT_WEIGHTS


def test_every_context_weight_has_its_cross_validated_figure(model):
    assert set(model.info["cv_by_context_weight"]) == {str(w) for w in CONTEXT_WEIGHTS}


def test_a_clause_leans_on_its_text_by_the_chosen_weight(model):
    fees = np.array([[1.0 if c == "fees" else 0.0 for c in model.classes]])
    heavy = model.__class__.from_dict({**model.to_dict(), "info": {**model.info, "context_weight": 1.0}})
    tp, _ = learn_touchpoints(heavy, ["the app keeps crashing"], context=fees)
    assert tp.tolist() == ["fees"]


def test_too_few_labels_to_choose_keep_the_default_weight(journey):
    texts, labels = _data(repeat=1)
    keep = [i for i, t in enumerate(labels) if t != "fees" or texts[i] in texts[: labels.index("fees") + 3]]
    m = train_touchpoints([texts[i] for i in keep], [labels[i] for i in keep], journey=journey, cv=3, Cs=(4.0,))
    assert (m.info["context_weight"], m.info["cv_by_context_weight"]) == (CONTEXT_WEIGHT, {})


def test_a_model_trained_without_choosing_has_no_context_weight(journey):
    texts, labels = _data()
    m = train_touchpoints(texts, labels, journey=journey, cv=3, Cs=(4.0,), choose_context=False)
    assert "context_weight" not in m.info


def test_saved_file_is_plain_json_and_loads_back(model, tmp_path):
    path = save_models(tmp_path / "m.json", touchpoint=model)
    d = json.loads(path.read_text())
    _, back = load_models(path)
    assert (d["format"], back.classes) == ("carlzon.models/1", model.classes)


def test_loaded_model_predicts_the_same(model, tmp_path):
    _, back = load_models(save_models(tmp_path / "m.json", touchpoint=model))
    texts = ["card declined", "the app crashed", "charged a fee twice"]
    assert np.allclose(back.predict_proba(texts), model.predict_proba(texts), atol=1e-3)


def test_damaged_file_is_a_clear_error(model, tmp_path):
    d = model.to_dict()
    d["coef"] = d["coef"][:1]
    with pytest.raises(ModelError, match="damaged"):
        TouchpointModel.from_dict(d)


def test_detector_uses_the_learned_touchpoint(model):
    m = Detector("retail_bank", touchpoint_model=model).detect(
        pd.DataFrame({"id": ["a"], "text": ["card declined at the till"]})
    )
    assert m.loc[0, "touchpoint"] == "card_payments"


def test_detector_evidence_names_the_learned_model(model):
    m = Detector("retail_bank", touchpoint_model=model).detect(
        pd.DataFrame({"id": ["a"], "text": ["card declined at the till"]})
    )
    assert "learned: reads as Card payments and cash" in m.loc[0, "reasons"]


def test_detector_loads_a_touchpoint_model_file(model, tmp_path):
    path = save_models(tmp_path / "m.json", touchpoint=model)
    det = Detector("retail_bank", model=path)
    assert (det.model, det.touchpoint_model.classes) == (None, model.classes)


def test_touchpoint_column_still_wins_over_the_model(model):
    df = pd.DataFrame({"id": ["a"], "text": ["card declined at the till"], "touchpoint": ["branch"]})
    assert Detector("retail_bank", touchpoint_model=model).detect(df).loc[0, "touchpoint"] == "branch"


def test_tags_map_onto_touchpoints(journey):
    out = map_touchpoint_labels(
        ["Declined payment", "card_payments", "Fees and charges", "other"],
        journey,
        {"declined payment": "card_payments"},
    )
    assert out.tolist() == ["card_payments", "card_payments", "fees", "unknown"]


def test_unmapped_tags_are_named_with_the_fix(journey):
    with pytest.raises(ModelError, match="--touchpoint-map") as exc:
        map_touchpoint_labels(["declined_card_payment"], journey)
    assert "'declined_card_payment' (row 1)" in str(exc.value)


def test_mapping_to_a_touchpoint_the_journey_lacks_is_an_error(journey):
    with pytest.raises(ModelError, match="not a touchpoint of the journey"):
        map_touchpoint_labels(["x"], journey, {"x": "gate"})


def test_tag_map_file_csv_and_yaml(tmp_path):
    (tmp_path / "m.csv").write_text("tag,touchpoint\nDeclined,card_payments\nChit-chat,\n")
    (tmp_path / "m.yaml").write_text("Declined: card_payments\n")
    assert (read_tag_map(tmp_path / "m.csv"), read_tag_map(tmp_path / "m.yaml")) == (
        {"Declined": "card_payments", "Chit-chat": "unknown"},
        {"Declined": "card_payments"},
    )


def test_one_touchpoint_cannot_be_learned(journey):
    with pytest.raises(ModelError, match="only one touchpoint"):
        train_touchpoints(["a b", "c d"], ["fees", "fees"], journey=journey)


def test_uncertainty_ranks_an_ambiguous_text_above_a_clear_one(model):
    u = uncertainty(model, ["card declined at the till", "the app charged a fee on hold"])
    assert u[1] > u[0]


def test_same_texts_give_the_same_model(journey):
    texts, labels = _data()
    a = train_touchpoints(texts, labels, journey=journey, cv=3, Cs=(4.0,))
    b = train_touchpoints(texts, labels, journey=journey, cv=3, Cs=(4.0,))
    assert np.array_equal(a.coef, b.coef)
