"""Danish texts are scored with the Danish lexicon when the lexicons extra is installed."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from carlzon.detect import Detector

pytest.importorskip("afinn")


def _moments() -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": ["Rigtig god service", "Ikke god", "The room was dirty"],
            "language": ["da", "da", "en"],
        }
    )
    return Detector("hotel").detect(df)


def test_a_danish_text_is_read_with_the_danish_lexicon():
    assert _moments()["valence"].tolist()[:2] == ["magic", "misery"]


def test_the_english_text_beside_it_is_read_as_before():
    assert _moments().loc[2, "touchpoint"] == "room_condition"


def test_the_rows_keep_their_order():
    assert _moments()["interaction_id"].tolist() == ["a", "b", "c"]


def test_the_evidence_quotes_the_danish_word():
    assert any(e.get("phrase") == "god" for e in json.loads(_moments().loc[0, "evidence"]))
