"""Invitations: suppression, opt-outs, one-time tokens, response rates per batch."""

from datetime import datetime, timedelta, UTC

import pandas as pd
import pytest

from carlzon.errors import SurveyError
from carlzon.store import open_store
from carlzon.survey import build_survey
from carlzon.survey.invitations import check_invitation, invite, mark_answered, opt_out, response_rates
from carlzon.survey.tables import save_survey

CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "c", "", "d"],
        "persona": ["business", "leisure", "leisure", "leisure", "", "business"],
        "unsubscribed": ["", "", "", "", "", "yes"],
    }
)


@pytest.fixture()
def st():
    with open_store(":memory:") as s:
        save_survey(s, build_survey("hotel", touchpoints=["check_in", "room_condition", "breakfast"]))
        yield s


def test_every_row_is_accounted_for(st):
    r = invite(st, "hotel-all", CUSTOMERS, batch="may")
    assert (r.read, r.invited, r.duplicates, r.no_id, r.opted_out) == (6, 3, 1, 1, 1)


def test_links_carry_one_secret_each(st):
    r = invite(st, "hotel-all", CUSTOMERS, batch="may")
    assert r.links["link"].str.match(r"^/s/hotel-all/i/[0-9a-f]{12}\.[A-Za-z0-9_-]+$").all()


def test_persona_comes_from_the_file(st):
    r = invite(st, "hotel-all", CUSTOMERS, batch="may")
    assert dict(zip(r.links["customer_id"], r.links["persona"])) == {"a": "business", "b": "leisure", "c": "leisure"}


def test_nobody_is_asked_twice_within_the_window(st):
    invite(st, "hotel-all", CUSTOMERS, batch="may")
    again = invite(st, "hotel-all", CUSTOMERS.iloc[:2], batch="june")
    assert (again.invited, again.suppressed) == (0, 2)


def test_after_the_window_they_may_be_asked_again(st):
    invite(st, "hotel-all", CUSTOMERS.iloc[:1], batch="may")
    later = datetime.now(UTC) + timedelta(days=91)
    assert invite(st, "hotel-all", CUSTOMERS.iloc[:1], batch="aug", now=later).invited == 1


def test_opt_outs_are_honoured_and_kept(st):
    opt_out(st, "a")
    invite(st, "hotel-all", CUSTOMERS, batch="may", suppress_days=0)
    r = invite(st, "hotel-all", pd.DataFrame({"customer_id": ["a", "d"]}), batch="june", suppress_days=0)
    assert (r.invited, r.opted_out) == (0, 2)


def test_the_store_keeps_no_secret(st):
    r = invite(st, "hotel-all", CUSTOMERS, batch="may")
    secret = r.links["link"].iloc[0].rsplit(".", 1)[1]
    dump = "\n".join(str(v) for v in st.query("SELECT * FROM survey_invitations").to_numpy().ravel())
    assert secret not in dump


def test_a_token_verifies(st):
    r = invite(st, "hotel-all", CUSTOMERS, batch="may")
    assert check_invitation(st, "hotel-all", r.links["link"].iloc[0].rsplit("/", 1)[1]).customer_id == "a"


def test_a_forged_token_is_refused(st):
    r = invite(st, "hotel-all", CUSTOMERS, batch="may")
    token = r.links["link"].iloc[0].rsplit("/", 1)[1][:-3] + "xyz"
    with pytest.raises(SurveyError, match="not valid"):
        check_invitation(st, "hotel-all", token)


def test_an_invitation_is_answered_once(st):
    r = invite(st, "hotel-all", CUSTOMERS, batch="may")
    inv = r.links["link"].iloc[0].rsplit("/", 1)[1].split(".")[0]
    assert (mark_answered(st, {inv: "x1"}), mark_answered(st, {inv: "x2"})) == (1, 0)


def test_response_rate_per_batch_with_an_interval(st):
    r = invite(st, "hotel-all", CUSTOMERS, batch="may")
    mark_answered(st, {r.links["link"].iloc[0].rsplit("/", 1)[1].split(".")[0]: "x"})
    row = response_rates(st, "hotel-all").iloc[0]
    assert (row["invited"], row["answered"], round(row["rate"], 3), row["low"] < row["rate"] < row["high"]) == (
        3,
        1,
        0.333,
        True,
    )


def test_unknown_survey_names_the_stored_ones(st):
    with pytest.raises(SurveyError, match="hotel-all"):
        invite(st, "nope", CUSTOMERS, batch="may")


def test_customers_without_an_id_column_are_refused(st):
    with pytest.raises(SurveyError, match="customer id column"):
        invite(st, "hotel-all", pd.DataFrame({"name": ["x"]}), batch="may")
