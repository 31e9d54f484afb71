import json

import numpy as np
import pytest

from carlzon.detect import embed
from carlzon.errors import MissingExtraError, ModelError


def test_missing_extra_names_the_pip_command(monkeypatch):
    monkeypatch.setattr(embed, "embed_available", lambda: False)
    monkeypatch.setattr(embed.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingExtraError) as err:
        embed.encode(["hello"])
    assert "pip install 'carlzon[embed]'" in str(err.value)
    with pytest.raises(MissingExtraError):
        embed.train_embed_model(["a", "b"], ["magic", "misery"])


def test_saved_embed_model_is_json_and_loads(tmp_path):
    m = embed.EmbedModel(
        classes=["magic", "misery"], coef=np.ones((2, 384)), intercept=np.zeros(2), info={"n_train": 3}
    )
    p = m.save(tmp_path / "e.json")
    d = json.loads(p.read_text())
    assert d["format"] == embed.FORMAT
    assert d["encoder"] == embed.ENCODER
    back = embed.EmbedModel.load(p)
    assert back.classes == ["magic", "misery"]
    assert back.coef.shape == (2, 384)
    (tmp_path / "t.json").write_text('{"format": "carlzon.text_model/1"}')
    with pytest.raises(ModelError, match="not an embedding model"):
        embed.EmbedModel.load(tmp_path / "t.json")


@pytest.mark.skipif(not embed.embed_available(), reason="the embed extra is not installed")
def test_embed_model_trains_when_installed():
    texts = ["lovely crew", "great staff", "lost my bag", "rude agent"] * 5
    labels = ["magic", "magic", "misery", "misery"] * 5
    m = embed.train_embed_model(texts, labels, cv=2, Cs=(1.0,))
    assert m.predict(["the crew were lovely"])[0] == "magic"
