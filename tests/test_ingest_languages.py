"""Languages: each text's language is stored; a text carlzon cannot read uses its rating only, said in the
evidence, counted; no text in another language comes out as a neutral English moment."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from carlzon.ingest import ingest
from carlzon.store import open_store

TEXTS = [
    ("en", "The room was dirty and the staff were rude", 1),
    ("fr", "La chambre était sale et le personnel désagréable", 1),
    ("de", "Das Frühstück war ausgezeichnet, sehr freundliches Personal", 5),
    ("es", "La habitación estaba limpia y el desayuno riquísimo", None),
    ("sv", "Personalen var otrevlig och rummet var smutsigt", None),
    ("nl", "Het ontbijt was heerlijk en de kamer schoon", 5),
    ("it", "La camera era sporca e il personale scortese", 2),
    ("ja", "部屋が汚くてスタッフの態度が悪かった。", 1),
]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    db = tmp_path_factory.mktemp("lang") / "c.db"
    df = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(len(TEXTS))],
            "review": [t for _, t, _ in TEXTS],
            "stars": [s for _, _, s in TEXTS],
        }
    )
    with open_store(db) as st:
        r = ingest(df, st, journey="hotel")
        yield r, st.interactions(), st.moments()


@pytest.mark.parametrize("i, lang", [(i, lang) for i, (lang, _, _) in enumerate(TEXTS)])
def test_each_texts_language_is_stored(ingested, i, lang):
    assert ingested[1].set_index("id").loc[f"r{i}", "language"] == lang


def test_texts_not_read_are_counted(ingested):
    assert ingested[0].not_read == 7


def test_a_rated_text_not_read_uses_its_rating(ingested):
    m = ingested[2].set_index("interaction_id").loc["r1"]
    assert (m["valence"], "text not read (fr)" in m["reasons"]) == ("misery", True)


def test_an_unrated_text_not_read_makes_no_neutral_english_moment(ingested):
    assert not {"r3", "r4"} & set(ingested[2]["interaction_id"])


def test_no_moment_of_another_language_rests_on_its_text(ingested):
    m = ingested[2][ingested[2]["interaction_id"] != "r0"]
    rules = {e["rule"] for ev in m["evidence"] for e in json.loads(ev)}
    assert "lexicon" not in rules


def test_the_report_counts_texts_not_read(ingested, tmp_path):
    from carlzon.report.builder import language_counts

    with open_store(tmp_path / "x.db") as st:
        df = pd.DataFrame({"id": ["a", "b"], "review": ["Great room", "Chambre sale"], "stars": [5, 1]})
        ingest(df, st, journey="hotel")
        assert language_counts(st)["not_read"] == 1
