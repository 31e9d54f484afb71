"""LimeSurvey: the survey structure it imports, and its response export read back to the same questions."""

import csv
import io
from pathlib import Path

import pytest

from carlzon.store import open_store
from carlzon.survey import build_survey
from carlzon.survey.answers import answers_table, store_answers
from carlzon.survey.limesurvey import COLUMNS, import_limesurvey, limesurvey_responses, read_limesurvey, to_limesurvey
from carlzon.survey.simulate import simulate_survey

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "limesurvey"
S = build_survey("retail_clothing", persona="first_time")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t"))


def test_structure_has_the_documented_columns():
    assert to_limesurvey(S).lstrip("\ufeff").splitlines()[0].split("\t") == list(COLUMNS)


def test_structure_is_utf8_with_a_bom_as_limesurvey_writes_it():
    assert to_limesurvey(S).startswith("\ufeff")


def test_importance_array_comes_before_performance():
    names = [r["name"] for r in _rows(to_limesurvey(S)) if r["class"] == "Q"]
    assert names == ["IMP", "PERF", "NPS", "COMMENT"]


def test_one_subquestion_per_touchpoint_in_each_array():
    rows = _rows(to_limesurvey(S))
    sq = [r["name"] for r in rows if r["class"] == "SQ"]
    assert sq == [q.code for q in S.questions if q.kind == "importance"] * 2


def test_arrays_are_shown_in_random_order():
    rows = _rows(to_limesurvey(S))
    assert {r["random_order"] for r in rows if r["class"] == "Q" and r["type/scale"] == "F"} == {"1"}


def test_performance_offers_did_not_use():
    rows = _rows(to_limesurvey(S))
    perf = rows.index(next(r for r in rows if r["name"] == "PERF"))
    answers = [r["name"] for r in rows[perf:] if r["class"] == "A"][:6]
    assert answers == ["1", "2", "3", "4", "5", "0"]


def test_no_cell_holds_a_tab_or_a_new_line():
    assert all(len(line.split("\t")) == len(COLUMNS) for line in to_limesurvey(S).lstrip("\ufeff").splitlines())


def test_persona_question_is_a_list_with_short_codes():
    rows = _rows(to_limesurvey(build_survey("hotel", touchpoints=["check_in", "breakfast"])))
    at = rows.index(next(r for r in rows if r["name"] == "PERSONA"))
    assert [r["name"] for r in rows[at + 1 : at + 3]] == ["P1", "P2"]


@pytest.fixture(scope="module")
def fixture_records():
    return read_limesurvey(S, FIXTURES / "retail-clothing-first-time_responses.csv")


def test_fixture_incomplete_response_is_refused(fixture_records):
    _, bad = fixture_records
    assert [b["reason"] for b in bad] == ["incomplete response (no submitdate): not stored"]


def test_fixture_answers_map_back_to_the_questions(fixture_records):
    records, _ = fixture_records
    a = records[0]["answers"]
    assert (a["imp_greeting"], a["perf_greeting"], a["perf_stock"], a["perf_thank_you"], a["nps"]) == (
        5,
        1,
        None,
        None,
        3,
    )


def test_fixture_text_is_read(fixture_records):
    records, _ = fixture_records
    assert records[1]["answers"]["comment"] == "Lovely staff, found my size straight away"


def test_labels_and_older_headings_are_read():
    records, _ = read_limesurvey(S, FIXTURES / "retail-clothing-first-time_labels.csv")
    a = records[0]["answers"]
    assert (a["imp_signage"], a["imp_rack_layout"], a["perf_stock"], a["perf_greeting"]) == (5, 3, None, 1)


def test_import_accounts_for_every_row(tmp_path):
    with open_store(":memory:") as st:
        r = import_limesurvey(st, S, FIXTURES / "retail-clothing-first-time_responses.csv")
    assert (r.read, r.stored, r.quarantined) == (4, 3, 1)


def test_export_then_reimport_gives_the_same_answers_question_by_question():
    sim = simulate_survey("retail_clothing", seed=5, invited=300)
    with open_store(":memory:") as a, open_store(":memory:") as b:
        store_answers(a, sim.survey, sim.records)
        original = answers_table(a, sim.survey).sort_values("response_id").reset_index(drop=True)
        export = limesurvey_responses(sim.survey, sim.records)
        buf = io.StringIO()
        export.to_csv(buf, index=False, quoting=csv.QUOTE_ALL)
        buf.seek(0)
        import_limesurvey(b, sim.survey, buf)
        again = answers_table(b, sim.survey)
        again["response_id"] = again["response_id"].str.rsplit("-", n=1).str[-1]  # ls-<survey>-<LimeSurvey id>
    cols = [
        c
        for c in original.columns
        if c in {"nps", "persona"} or c in sim.survey.touchpoints or c.startswith("importance:")
    ]
    order = {r["response_id"]: str(i) for i, r in enumerate(sim.records, 1)}
    original["response_id"] = original["response_id"].map(order)
    left = original.set_index("response_id")[cols].sort_index()
    right = again.set_index("response_id")[cols].sort_index()
    assert left.equals(right)
