"""Real exporters' layouts (tests/data/exports: their documented headers, rows written for these tests)
ingest with no flags: every role the export has is found, the journey is told from the texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carlzon.ingest import ingest
from carlzon.store import open_store

EXPORTS = Path(__file__).parent / "data" / "exports"

ROLES = {
    "google_reviews_outscraper.csv": {
        "id": "review_id",
        "customer_id": "author_id",
        "timestamp": "review_timestamp",
        "text": "review_text",
        "stars": "review_rating",
        "location": "place_id",
    },
    "trustpilot.csv": {
        "id": "Review ID",
        "customer_id": "Review Consumer User ID",
        "timestamp": "Review Created (UTC)",
        "text": "Review Title",
        "stars": "Review Stars",
        "location": "Location Name",
        "language": "Review Language",
    },
    "hotel_aspects.csv": {
        "id": "review_id",
        "customer_id": "author",
        "timestamp": "date",
        "text": "review",
        "stars": "overall",
        "location": "hotel_id",
    },
    "yelp_reviews.jsonl": {
        "id": "review_id",
        "customer_id": "user_id",
        "timestamp": "date",
        "text": "text",
        "stars": "stars",
        "location": "business_id",
    },
    "app_store_connect.csv": {
        "id": "id",
        "customer_id": "reviewerNickname",
        "timestamp": "createdDate",
        "text": "title",
        "stars": "rating",
    },
    "google_play_reviews.csv": {
        "timestamp": "Review Submit Date and Time",
        "text": "Review Title",
        "stars": "Star Rating",
        "language": "Reviewer Language",
    },
    "zendesk_tickets.csv": {
        "id": "Id",
        "customer_id": "Requester id",
        "timestamp": "Created at",
        "channel": "Via",
        "text": "Subject",
        "csat": "Satisfaction Score",
    },
    "freshdesk_tickets.csv": {
        "id": "Ticket ID",
        "customer_id": "Contact ID",
        "timestamp": "Created time",
        "channel": "Source",
        "text": "Subject",
    },
    "intercom_conversations.csv": {
        "id": "Conversation ID",
        "customer_id": "User ID",
        "timestamp": "Conversation started at",
        "channel": "Channel",
        "text": "Conversation rating remark",
        "csat": "Conversation rating",
    },
    "qualtrics_survey.csv": {
        "id": "ResponseId",
        "customer_id": "RecipientEmail",
        "timestamp": "RecordedDate",
        "text": "What could we do better?",
        "language": "UserLanguage",
        "nps": "How likely are you to recommend our hotel to a friend or colleague?",
    },
    "surveymonkey_survey.csv": {
        "id": "Respondent ID",
        "customer_id": "Email Address",
        "timestamp": "End Date",
        "text": "Any other comments?",
        "nps": "How likely is it that you would recommend us to a friend or colleague?",
    },
    "typeform_responses.csv": {
        "id": "#",
        "timestamp": "Submit Date (UTC)",
        "text": "What could we do better?",
        "nps": "How likely are you to recommend us to a friend?",
    },
    "google_forms_responses.csv": {
        "customer_id": "Email Address",
        "timestamp": "Timestamp",
        "text": "Tell us more about your visit",
        "location": "Which branch did you visit?",
        "csat": "How satisfied were you with your visit?",
    },
    "medallia_survey.csv": {
        "id": "Survey ID",
        "timestamp": "Response Date",
        "text": "Comments",
        "nps": "Likelihood to Recommend",
        "csat": "Overall Satisfaction",
        "location": "Unit Name",
        "language": "Language",
    },
    "social_listening.csv": {
        "customer_id": "Author",
        "timestamp": "Date",
        "channel": "Page Type",
        "text": "Title",
        "language": "Language",
    },
}

JOURNEYS = {
    "google_reviews_outscraper.csv": "coffee_shop",
    "trustpilot.csv": "online_shop",
    "hotel_aspects.csv": "hotel",
    "yelp_reviews.jsonl": "restaurant",
    "app_store_connect.csv": "retail_bank",
    "google_play_reviews.csv": "internet_provider",
    "zendesk_tickets.csv": "online_shop",
    "freshdesk_tickets.csv": "internet_provider",
    "intercom_conversations.csv": "online_shop",
    "qualtrics_survey.csv": "hotel",
    "surveymonkey_survey.csv": "coffee_shop",
    "typeform_responses.csv": "online_shop",
    "google_forms_responses.csv": "retail_bank",
    "medallia_survey.csv": "retail_clothing",
    "social_listening.csv": "airline",
}

ITEM_RATINGS = {
    "hotel_aspects.csv": {
        "rooms": "room_condition",
        "location": "location",
        "cleanliness": "room_condition",
        "check_in_front_desk": "check_in",
        "service": "staff",
    },
    "qualtrics_survey.csv": {
        "Please rate your stay - Check-in": "check_in",
        "Please rate your stay - Cleanliness": "room_condition",
        "Please rate your stay - Breakfast": "breakfast",
    },
    "surveymonkey_survey.csv": {
        "How satisfied were you with the following? - Barista": "barista",
        "How satisfied were you with the following? - Taste of the drink": "drink_quality",
    },
    "typeform_responses.csv": {"How would you rate your delivery?": "delivery"},
}

_cache: dict[str, object] = {}


def _ingested(name: str, tmp_path_factory: pytest.TempPathFactory):
    if name not in _cache:
        db = tmp_path_factory.mktemp("exports") / "c.db"
        with open_store(db) as st:
            r = ingest(EXPORTS / name, st)
            _cache[name] = (r, st.interactions())
    return _cache[name]


def test_there_are_at_least_twelve_exporters():
    assert len({p.name for p in EXPORTS.iterdir()} & set(ROLES)) >= 12


@pytest.mark.parametrize("name, role, column", [(n, r, c) for n, roles in ROLES.items() for r, c in roles.items()])
def test_each_role_is_found_with_no_flags(name, role, column, tmp_path_factory):
    r, _ = _ingested(name, tmp_path_factory)
    assert r.mapping.get(role) == column


@pytest.mark.parametrize("name", sorted(JOURNEYS))
def test_the_journey_is_told_from_the_texts(name, tmp_path_factory):
    r, _ = _ingested(name, tmp_path_factory)
    assert r.journey == JOURNEYS[name]


@pytest.mark.parametrize("name", sorted(ROLES))
def test_every_row_is_accounted_for(name, tmp_path_factory):
    r, _ = _ingested(name, tmp_path_factory)
    assert (r.read, r.read) == (r.stored + r.duplicates + r.quarantined, r.stored)


@pytest.mark.parametrize(
    "name, column, touchpoint", [(n, c, t) for n, items in ITEM_RATINGS.items() for c, t in items.items()]
)
def test_item_ratings_are_matched_to_touchpoints(name, column, touchpoint, tmp_path_factory):
    r, _ = _ingested(name, tmp_path_factory)
    row = next(c for c in r.mapping["columns"] if c["column"] == column)
    assert (row["role"], row.get("touchpoint")) == ("rating", touchpoint)


def test_a_location_rating_of_one_to_five_is_a_rating_not_the_place(tmp_path_factory):
    _, rows = _ingested("hotel_aspects.csv", tmp_path_factory)
    assert (rows["location"].iloc[0], json.loads(rows["ratings"].iloc[0])["location"]) == ("H101", 4)


def test_the_value_rating_is_read_as_an_aspect(tmp_path_factory):
    r, _ = _ingested("hotel_aspects.csv", tmp_path_factory)
    row = next(c for c in r.mapping["columns"] if c["column"] == "value")
    assert (row["role"], row.get("aspect")) == ("rating", "price_value")


def test_the_owners_reply_is_never_the_customers_words(tmp_path_factory):
    _, rows = _ingested("google_reviews_outscraper.csv", tmp_path_factory)
    assert not rows["text"].str.contains("Thanks Anna").any()


def test_google_play_utf16_is_read_without_an_encoding_flag(tmp_path_factory):
    r, _ = _ingested("google_play_reviews.csv", tmp_path_factory)
    assert "UTF-16" in r.mapping["notes"][0]


def test_day_first_dates_are_decided_from_the_data(tmp_path_factory):
    _, rows = _ingested("google_forms_responses.csv", tmp_path_factory)
    assert str(rows.sort_values("timestamp")["timestamp"].iloc[3].date()) == "2026-04-01"


def test_month_first_dates_are_said(tmp_path_factory):
    r, _ = _ingested("surveymonkey_survey.csv", tmp_path_factory)
    assert any("month-first" in n for n in r.mapping["notes"])


def test_survey_header_rows_are_header_not_rows(tmp_path_factory):
    r, _ = _ingested("qualtrics_survey.csv", tmp_path_factory)
    assert (r.read, r.mapping["header_rows"]) == (6, 3)


def test_lines_before_the_header_are_skipped_and_said(tmp_path_factory):
    r, _ = _ingested("social_listening.csv", tmp_path_factory)
    assert r.mapping["notes"] == ["skipped 6 lines before the header (line 7)"]


def test_title_and_review_are_joined_with_their_names(tmp_path_factory):
    _, rows = _ingested("trustpilot.csv", tmp_path_factory)
    assert rows["text"].iloc[0] == (
        "Review Title: Fast delivery\nReview Content: The parcel arrived next day and the checkout was easy."
    )


def test_good_and_bad_satisfaction_are_read_as_csat(tmp_path_factory):
    _, rows = _ingested("zendesk_tickets.csv", tmp_path_factory)
    assert rows["csat"].tolist()[:3] == [1.0, 5.0, 1.0]


def test_a_text_in_another_language_is_marked(tmp_path_factory):
    _, rows = _ingested("trustpilot.csv", tmp_path_factory)
    assert rows.set_index("id").loc["tp5", "language"] == "fr"


def test_minus_one_is_not_rated_in_aspect_ratings(tmp_path):
    p = tmp_path / "ta.csv"
    p.write_text(
        "hotel_id,review_id,author,date,review,overall,value,rooms,location,cleanliness,check_in_front_desk,"
        'service\nH1,r1,ann,"Dec 17, 2008",Great room and friendly staff,5,4,-1,5,5,-1,5\n'
        'H1,r2,bob,"Jan 3, 2009",Dirty bathroom and a rude front desk,2,-1,2,4,1,1,2\n',
        encoding="utf-8",
    )
    with open_store(tmp_path / "c.db") as st:
        r = ingest(p, st, journey="hotel")
        rows = st.interactions()
    assert (r.quarantined, json.loads(rows["ratings"].iloc[0])["rooms"], rows["stars"].tolist()) == (
        0,
        None,
        [5.0, 2.0],
    )


def test_replace_reads_stored_rows_again_with_another_mapping(tmp_path):
    import pandas as pd

    from carlzon.ingest import ingest
    from carlzon.store import open_store

    f = tmp_path / "reviews.csv"
    pd.DataFrame(
        {"review_id": ["r1", "r2"], "comment": ["The room was filthy", "Lovely breakfast"], "note": ["x", "y"]}
    ).to_csv(f, index=False)
    db = tmp_path / "s.db"
    ingest(f, db, journey="hotel", mapping={"id": "review_id", "text": "note"})
    again = ingest(f, db, journey="hotel", mapping={"id": "review_id", "text": "comment"}, replace=True)
    with open_store(db) as st:
        texts = sorted(st.interactions()["text"].tolist())
        valences = set(st.moments()["valence"])
    assert (again.stored, again.replaced, again.duplicates, texts, valences >= {"magic", "misery"}) == (
        2,
        2,
        0,
        ["Lovely breakfast", "The room was filthy"],
        True,
    )


def test_a_second_ingest_says_how_to_redo_with_another_mapping(tmp_path):
    import pandas as pd

    from carlzon.ingest import ingest

    f = tmp_path / "reviews.csv"
    pd.DataFrame({"review_id": ["r1"], "comment": ["The room was filthy"]}).to_csv(f, index=False)
    db = tmp_path / "s.db"
    ingest(f, db, journey="hotel")
    again = ingest(f, db, journey="hotel")
    assert any("--replace" in h for h in again.hints)
