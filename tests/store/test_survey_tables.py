"""Surveys, invitations, answers and walks on both backends (SQLite and a real PostgreSQL)."""

import pandas as pd

from carlzon.survey import build_survey
from carlzon.survey.answers import answers_table, store_answers
from carlzon.survey.invitations import invite, mark_answered, response_rates
from carlzon.survey.tables import get_survey, save_survey
from carlzon.walk import store_walk

S = build_survey("hotel", persona="business", block_order="split")


def test_survey_round_trips_through_the_store(store):
    save_survey(store, S)
    assert get_survey(store, S.id) == S


def test_invite_answer_and_response_rate(store):
    save_survey(store, S)
    links = invite(store, S.id, pd.DataFrame({"customer_id": ["a", "b"]}), batch="may").links
    inv = links["link"].iloc[0].rsplit("/", 1)[1].split(".")[0]
    store_answers(
        store,
        S,
        [
            {
                "response_id": "r1",
                "customer_id": "a",
                "invitation": inv,
                "batch": "may",
                "answers": {"nps": 8, "imp_check_in": 4, "perf_check_in": 5},
            }
        ],
    )
    mark_answered(store, {inv: "r1"})
    row = response_rates(store, S.id).iloc[0]
    assert (int(row["invited"]), int(row["answered"]), answers_table(store, S)["importance:check_in"].tolist()) == (
        2,
        1,
        [4.0],
    )


def test_suppression_reads_the_invitation_times(store):
    save_survey(store, S)
    invite(store, S.id, pd.DataFrame({"customer_id": ["a"]}), batch="may")
    assert invite(store, S.id, pd.DataFrame({"customer_id": ["a"]}), batch="june").suppressed == 1


def test_walk_moments(store):
    r = store_walk(
        store,
        "retail_clothing",
        pd.DataFrame(
            {
                "step": ["greeting", "smiles"],
                "result": ["met", "missed"],
                "value": ["50", ""],
                "observed_at": "2026-05-04 10:00",
            }
        ),
    )
    m = store.moments(channel="observation").set_index("touchpoint")["valence"].to_dict()
    assert (r.stored, m) == (2, {"greeting": "misery", "smiles": "misery"})
