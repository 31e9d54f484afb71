"""The journey from the data: each template's simulated data is recognised as its template; Tweets.csv as airline;
unsure data is refused with the candidates; the store remembers its journey."""

from __future__ import annotations

import pandas as pd
import pytest

from carlzon.errors import MappingError
from carlzon.ingest import ingest
from carlzon.journey import journey_templates
from carlzon.journey_fit import fit_journey
from carlzon.simulate import simulate
from carlzon.store import open_store


@pytest.mark.parametrize("name", journey_templates())
def test_simulated_data_of_each_template_is_recognised(name, tmp_path):
    sim = simulate(name, seed=11, customers=150, days=30)
    df = sim.interactions.drop(columns=["touchpoint"])  # its texts and rating columns alone must tell
    with open_store(tmp_path / "c.db") as st:
        r = ingest(df, st, detect=False)
    assert r.journey == name


def test_there_are_eight_templates():
    assert len(journey_templates()) == 8


@pytest.mark.shared_data
def test_tweets_are_recognised_as_airline(shared_data):
    tweets = pd.read_csv(shared_data / "twitter_airline_sentiment" / "Tweets.csv")
    assert fit_journey(tweets["text"].tolist()).journey.name == "airline"


def test_the_business_named_in_the_texts_is_evidence_of_its_template():
    fit = fit_journey(["Lovely hotel, would come back", "The hotel was fine", "Great hotel in the centre"] * 2)
    assert fit.best == "hotel"


def test_a_rating_column_weighs_more_in_a_larger_sample():
    texts = ["Nice and clean, friendly people"] * 400
    small = fit_journey(texts[:40], ["check_in_front_desk"]).scores["hotel"] - fit_journey(texts[:40]).scores["hotel"]
    large = fit_journey(texts, ["check_in_front_desk"]).scores["hotel"] - fit_journey(texts).scores["hotel"]
    assert large > small


def test_unsure_data_is_refused_with_the_candidates(tmp_path):
    df = pd.DataFrame({"comment": ["It was fine", "Not bad", "ok I guess", "meh", "good", "average"], "stars": [3] * 6})
    with open_store(tmp_path / "c.db") as st, pytest.raises(MappingError, match="--journey"):
        ingest(df, st)


def test_the_store_remembers_its_journey(tmp_path):
    df = pd.DataFrame(
        {
            "comment": [
                "The barista was rude",
                "Cold latte, long queue",
                "Lovely flat white",
                "Pastries were stale",
                "Great espresso",
                "Card machine broken",
            ],
            "stars": [1, 2, 5, 2, 5, 1],
        }
    )
    with open_store(tmp_path / "c.db") as st:
        ingest(df, st)
        assert st.meta("journey") == "coffee_shop"


def test_a_second_ingest_uses_the_stores_journey(tmp_path):
    df = pd.DataFrame(
        {
            "comment": [
                "The barista was rude",
                "Cold latte, long queue",
                "Lovely flat white",
                "Pastries were stale",
                "Great espresso",
                "Card machine broken",
            ],
            "stars": [1, 2, 5, 2, 5, 1],
        }
    )
    with open_store(tmp_path / "c.db") as st:
        ingest(df, st)
        r = ingest(pd.DataFrame({"comment": ["meh"], "stars": [3]}), st)
    assert (r.journey, r.journey_choice["how"]) == ("coffee_shop", "the store's")


def test_reingesting_with_another_journey_says_how_to_redo(tmp_path):
    df = pd.DataFrame({"id": ["a", "b"], "comment": ["The barista was rude", "Lovely flat white"], "stars": [1, 5]})
    with open_store(tmp_path / "c.db") as st:
        ingest(df, st, journey="restaurant")
        r = ingest(df, st, journey="coffee_shop")
    assert "carlzon detect --store" in r.hints[0]
    assert "--journey coffee_shop" in r.hints[0]


def test_the_report_title_follows_the_stores_journey(tmp_path):
    from carlzon.report import build_report

    df = pd.DataFrame({"id": ["a", "b"], "comment": ["The barista was rude", "Lovely flat white"], "stars": [1, 5]})
    with open_store(tmp_path / "c.db") as st:
        ingest(df, st, journey="coffee_shop")
        html = build_report(st, None)
    assert "<title>Moments of truth: Coffee shop" in html
