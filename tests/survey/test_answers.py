"""Answers become interactions: ratings on the touchpoints, stated importance and order kept, every row accounted for."""

import json

import pytest

from carlzon.store import open_store
from carlzon.survey import build_survey
from carlzon.survey.answers import answers_table, store_answers

S = build_survey("hotel", persona="business")
GOOD = {
    "response_id": "r1",
    "customer_id": "c1",
    "block_order": "importance_first",
    "question_order": ["imp_check_in", "perf_check_in"],
    "answers": {
        "nps": 2,
        "imp_check_in": 5,
        "perf_check_in": 1,
        "perf_noise": "na",
        "comment": "Check-in took 40 minutes",
    },
}
BAD = {"response_id": "r2", "answers": {"nps": 9, "imp_noise": 8}}


@pytest.fixture()
def stored():
    with open_store(":memory:") as st:
        res = store_answers(st, S, [GOOD, BAD, GOOD])
        yield st, res


def test_rows_add_up(stored):
    _, r = stored
    assert (r.read, r.stored, r.duplicates, r.quarantined) == (3, 1, 1, 1)


def test_bad_answer_is_quarantined_with_its_reason(stored):
    st, _ = stored
    assert "outside 1-5 for 'imp_noise'" in st.quarantine()["reason"].iloc[0]


def test_performance_lands_on_the_touchpoint(stored):
    st, _ = stored
    assert json.loads(st.interactions()["ratings"].iloc[0])["check_in"] == 1


def test_stated_importance_is_kept(stored):
    st, _ = stored
    assert json.loads(json.loads(st.interactions()["attributes"].iloc[0])["stated_importance"]) == {"check_in": 5}


def test_question_order_is_kept(stored):
    st, _ = stored
    assert answers_table(st, S)["question_order"].iloc[0] == ["imp_check_in", "perf_check_in"]


def test_answer_is_a_survey_interaction_with_its_text(stored):
    st, _ = stored
    row = st.interactions().iloc[0]
    assert (row["channel"], row["text"], row["nps"]) == ("survey", "Check-in took 40 minutes", 2.0)


def test_answer_gets_a_moment(stored):
    st, _ = stored
    assert st.moments()["valence"].tolist() == ["misery"]


def test_ingest_run_is_recorded(stored):
    st, _ = stored
    assert int(st.ingest_runs()["stored"].sum()) == 1


def test_answers_table_has_stated_and_derived_columns(stored):
    st, _ = stored
    t = answers_table(st, S)
    assert (t.loc[0, "importance:check_in"], t.loc[0, "check_in"], t.loc[0, "persona"]) == (5.0, 1.0, "business")


def test_a_survey_of_the_users_own_journey_file(tmp_path):
    import yaml

    from carlzon.journey import load_journey
    from carlzon.survey import Survey
    from carlzon.survey.tables import get_survey, save_survey

    d = load_journey("coffee_shop").to_dict()
    d["name"] = "corner_cafe"
    path = tmp_path / "corner_cafe.yaml"
    path.write_text(yaml.safe_dump(d), encoding="utf-8")
    s = build_survey(str(path), persona="regular")
    with open_store(":memory:") as st:
        save_survey(st, Survey.from_yaml(s.to_yaml()))
        r = store_answers(st, get_survey(st, s.id), [{"response_id": "r1", "answers": {"nps": 9, "perf_queue": 2}}])
    assert (s.journey, r.stored) == (str(path), 1)
