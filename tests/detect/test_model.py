import json

import numpy as np
import pytest

from carlzon.detect import Detector, TextModel, train_model
from carlzon.detect.model import FORMAT, labels_from_ratings, normalize_labels
from carlzon.errors import ModelError

GOOD = [
    "the crew were lovely",
    "quick refund, thank you",
    "upgraded for free, amazing",
    "great service today",
    "fantastic staff at the desk",
    "smooth check in and friendly people",
]
BAD = [
    "lost my bag again",
    "rude agent hung up",
    "cancelled with no notice",
    "waited two hours on hold",
    "double charged and no refund",
    "dirty seat and broken screen",
]
MEH = [
    "what time does the flight leave",
    "is there wifi on board",
    "flight 22 to boston",
    "changing my seat",
    "where do I drop my bag",
    "booking reference attached",
]


@pytest.fixture(scope="module")
def data():
    texts = (GOOD + BAD + MEH) * 4
    labels = (["magic"] * 6 + ["misery"] * 6 + ["neutral"] * 6) * 4
    return texts, labels


@pytest.fixture(scope="module")
def model(data):
    return train_model(*data, cv=3, Cs=(1.0, 4.0))


def test_trains_and_predicts(model):
    assert model.classes == ["magic", "misery", "neutral"]
    assert model.info["n_train"] == 72
    assert model.info["cv_folds"] == 3
    assert set(model.info["cv_by_C"]) == {"1.0", "4.0"}
    assert 0 <= model.info["cv_macro_f1"] <= 1
    pred = model.predict(["the crew were lovely", "rude agent hung up", "is there wifi on board"])
    assert pred.tolist() == ["magic", "misery", "neutral"]
    p = model.predict_proba(["lovely"])
    assert p.shape == (1, 3)
    assert abs(p.sum() - 1) < 1e-9


def test_save_load_round_trip_is_plain_json(model, tmp_path):
    path = model.save(tmp_path / "m.json")
    raw = path.read_bytes()
    assert b"pickle" not in raw and not raw.startswith(b"\x80")  # no pickle protocol header
    d = json.loads(raw)
    assert d["format"] == FORMAT
    assert d["classes"] == model.classes
    assert {"vocabulary", "idf", "params"} <= set(d["word"])
    assert len(d["coef"]) == 3
    assert d["info"]["n_train"] == 72
    assert "cv_macro_f1" in d["info"]
    assert d["lexicon_version"]
    back = TextModel.load(path)
    texts = ["rude agent", "lovely crew", "flight 22"]
    assert np.allclose(back.predict_proba(texts), model.predict_proba(texts), atol=1e-4)


def test_load_errors_name_the_fix(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        TextModel.load(tmp_path / "nope.json")
    (tmp_path / "x.json").write_text('{"format": "other"}')
    with pytest.raises(ModelError, match="not a carlzon text model"):
        TextModel.load(tmp_path / "x.json")
    (tmp_path / "y.json").write_text("not json")
    with pytest.raises(ModelError, match="carlzon train"):
        TextModel.load(tmp_path / "y.json")


def test_detector_combines_model_and_lexicon(model, tmp_path):
    path = model.save(tmp_path / "m.json")
    det = Detector("airline", model=path)
    s = det.score_texts(["is there wifi on board", "rude agent hung up"])
    assert s.valence.tolist() == ["neutral", "misery"]
    import pandas as pd

    m = det.detect(pd.DataFrame({"text": ["rude agent hung up"]}))
    assert "text model: misery" in m.reasons[0]


def test_labels():
    assert normalize_labels(["negative", "POSITIVE", "neutral", 5, "2"]).tolist() == [
        "misery",
        "magic",
        "neutral",
        "magic",
        "misery",
    ]
    with pytest.raises(ModelError, match="cannot read label 'great'"):
        normalize_labels(["great"])
    assert labels_from_ratings([1, 3, 5], "stars").tolist() == ["misery", "neutral", "magic"]
    assert labels_from_ratings([3], "stars", {"stars": {"misery": 3, "magic": 5}}).tolist() == ["misery"]
    with pytest.raises(ModelError, match="outside the nps scale"):
        labels_from_ratings([11], "nps")


def test_training_errors():
    with pytest.raises(ModelError, match="only one class"):
        train_model(["a", "b", "c"], ["magic"] * 3, cv=2)
    with pytest.raises(ModelError, match="too few examples"):
        train_model(["a", "b", "c", "d"], ["magic", "magic", "misery", "neutral"], cv=2)
    with pytest.raises(ModelError, match="no row has both"):
        train_model([None, ""], ["magic", "misery"])


def test_importing_detect_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys, carlzon.detect, carlzon.detect.model, carlzon.detect.embed; "
        "from carlzon.detect import Detector; Detector('airline').score_texts(['ok']); "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_file_holds_the_stack_and_training_tfidf_matches_the_saved_vectorizers(model, data, tmp_path):
    from scipy import sparse

    from carlzon.detect.model import _CHAR, _WORD, _clean, _count_block, _idf, _tfidf

    d = json.loads(model.save(tmp_path / "m.json").read_text())
    assert d["meta"]["features"][:3] == ["base_magic", "base_misery", "base_neutral"]
    assert len(d["meta"]["coef"]) == 3
    assert len(d["meta"]["coef"][0]) == 3 + 8
    assert len(d["coef"][0]) == len(d["word"]["vocabulary"]) + len(d["char"]["vocabulary"])
    assert d["word"]["params"]["ngram_range"] == [1, 3]
    assert d["char"]["params"]["ngram_range"] == [2, 5]
    texts = _clean(data[0])
    blocks = [_count_block(spec, texts)[0] for spec in (_WORD, _CHAR)]
    ours = sparse.hstack([_tfidf(B, _idf(B)) for B in blocks]).toarray()
    assert np.allclose(ours, model.features(data[0]).toarray(), atol=1e-9)


def test_nb_ratios_favour_the_class_a_feature_belongs_to():
    from scipy import sparse

    from carlzon.detect.model import nb_ratios

    X = sparse.csr_matrix(np.array([[3, 0, 1], [1, 0, 1], [0, 2, 1], [0, 1, 1]]))
    r = nb_ratios(X, np.array(["magic", "magic", "misery", "misery"]), ["magic", "misery"])
    assert r[0, 0] > 0 > r[0, 1]
    assert r[1, 1] > 0 > r[1, 0]
    assert abs(r[0, 2]) < 1e-12  # in every text of both classes: no evidence


def test_reads_format_1_files_as_one_linear_layer(model):
    d = model.to_dict()
    n_text = len(d["coef"][0])
    rng = np.random.default_rng(0)
    coef = rng.normal(size=(3, n_text + 8))
    old = {
        **{k: v for k, v in d.items() if k != "meta"},
        "format": "carlzon.text_model/1",
        "coef": coef.tolist(),
        "intercept": [0.1, -0.2, 0.0],
    }
    back = TextModel.from_dict(old)
    texts = ["rude agent hung up", "lovely crew"]
    lex = back.meta_inputs(texts)[:, 3:]
    z = np.asarray(back.features(texts) @ coef[:, :n_text].T) + lex @ coef[:, n_text:].T + [0.1, -0.2, 0.0]
    assert np.allclose(back.decision_function(texts), z)
    with pytest.raises(ModelError, match="damaged"):
        TextModel.from_dict({**d, "meta": {"coef": [[1.0]], "intercept": [0.0, 0.0, 0.0]}})


def test_info_reports_the_stacked_cross_validation(model):
    info = model.info
    assert 0 <= info["cv_macro_f1"] <= 1
    assert 0 <= info["cv_macro_f1_offsets"] <= 1
    assert set(info["class_offsets"]) == set(model.classes)
    assert "NB-LR" in info["method"]
