"""The loop through the CLI: cases open/list/show/assign/note/check/measures, magic, coach (the contract), roleplay."""

import json
from datetime import timedelta

from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.store import open_store

from tests.loop.loopdata import T0, add, interaction, seed_misery

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result


def test_cases_end_to_end_through_the_cli(store_path):
    with open_store(store_path) as s:
        seed_misery(s)
    st = ["--store", store_path]
    r = run("cases", "open", *st)
    assert r.exit_code == 0, r.output
    assert "opened 1 case(s) at priority >= 30, 40/day (1 case(s) in all, journey airline" in r.output
    assert "summarised 1 of 2 interaction(s) with misery" in r.output  # Bob's mild gripe: a theme, not a case
    assert "opened 0 case(s)" in run("cases", "open", *st).output  # idempotent

    r = run("cases", "list", *st, "--json")
    data = json.loads(r.output)
    assert data["n"] == 1
    assert data["cases"][0]["priority"] == 68.0
    assert data["cases"][0]["status"] == "open"

    r = run("cases", "show", "1", *st)
    assert r.exit_code == 0, r.output
    assert "priority 68/100 = intensity 28, stakes 25, customer value 15, repeated misery 0" in r.output
    assert "Hi Anna," in r.output
    assert "lost my bag in Oslo" in r.output
    assert "acknowledge" in r.output
    assert "follow_up" in r.output

    assert "case 1 assigned to lena (baggage)" in run("cases", "assign", "1", "lena", "--team", "baggage", *st).output
    r = run("cases", "note", "1", "Called Anna: bag found", "--author", "lena", "--reply", *st)
    assert "note added to case 1 (sent to the customer)" in r.output

    r = run("cases", "measures", *st, "--json")
    m = json.loads(r.output)
    assert m["overall"]["first_response"]["n"] == 1
    assert m["overall"]["recovery_rate"]["n"] == 0

    with open_store(store_path) as s:
        add(s, [interaction("i3", "anna", T0 + timedelta(days=3), nps=9)])
    r = run("cases", "check", *st)
    assert "closed 1 on a follow-up (1 recovered, 0 not recovered)" in r.output
    assert "case 1: recovered (follow-up rating 9/10 on 2026-03-05)" in r.output

    r = run("cases", "show", "1", *st, "--json")
    case = json.loads(r.output)
    assert case["status"] == "closed"
    assert case["outcome"] == "recovered"
    assert [e["kind"] for e in case["events"]] == ["opened", "assigned", "reply", "closed"]

    r = run("cases", "measures", *st)
    assert r.exit_code == 0, r.output
    assert "recovery rate: 100% (95% CI 21%-100%, n=1)" in r.output
    assert "baggage" in r.output
    assert "recovered      9.0 (n=1)" in r.output  # Anna's follow-up NPS; Bob has no case: NPS 6
    assert "no_case        6.0 (n=1)" in r.output


def test_case_errors_are_one_line_with_a_fix(store_path):
    with open_store(store_path) as s:
        seed_misery(s)
    r = run("cases", "show", "7", "--store", store_path)
    assert r.exit_code == 1
    assert "no recovery case 7 (fix: list the cases with 'carlzon cases list')" in r.output
    run("cases", "open", "--store", store_path)
    r = run("cases", "close", "1", "--outcome", "maybe", "--reason", "x", "--store", store_path)
    assert r.exit_code == 1
    assert "use one of recovered, not_recovered" in r.output


def test_coach_json_contract():
    r = run(
        "coach",
        "I'm sorry your bag did not arrive. It was left in Frankfurt because the connection was "
        "short. We will deliver it by 6 pm tomorrow and add 5,000 bonus miles.",
        "--json",
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["score"] == 100
    assert set(d["steps"]) == {"acknowledge", "apologize", "explain", "time", "fix"}
    assert all(v["found"] is True and v["words"] for v in d["steps"].values())
    assert d["flags"] == []


def test_coach_flags_in_words():
    r = run("coach", "We apologize for any inconvenience, as per company policy you should have arrived earlier.")
    assert r.exit_code == 0
    assert "! blame" in r.output
    assert "'you should have'" in r.output
    assert "! script" in r.output
    assert "! jargon" in r.output
    assert "[ ] apologize" in r.output


def test_roleplay_cards_remove_personal_data(store_path):
    with open_store(store_path) as s:
        seed_misery(s)
        add(s, [interaction("i9", "anna", T0, text="My name is Anna Berg, call +46 70 123 45 67, you lost my bag")])
        from tests.loop.loopdata import moment

        add(
            s,
            moments=[
                moment(
                    "i9",
                    "anna",
                    T0,
                    valence="misery",
                    score=-1,
                    intensity=0.99,
                    stakes="high",
                    touchpoint="baggage_claim",
                )
            ],
        )
    r = run("roleplay", "-n", "2", "--store", store_path, "--json")
    d = json.loads(r.output)
    assert d["n"] == 2
    first = d["cards"][0]["customer_says"]
    assert first == "My name is [NAME] [NAME], call [PHONE], you lost my bag"
    assert "Anna" not in json.dumps(d)


def test_magic_lists_birthday_with_reason(store_path):
    with open_store(store_path) as s:
        add(
            s,
            [
                interaction("b1", "c1", T0, attributes={"name": "Maja Lind", "birthday": "1990-03-02"}),
                interaction("b2", "c2", T0, attributes={"name": "Per Ek", "birthday": "1990-07-01"}),
            ],
        )
    r = run("magic", "--date", "2026-03-02", "--store", store_path, "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert [(o["customer_id"], o["rule"], o["reason"]) for o in d["opportunities"]] == [
        ("c1", "birthday", "birthday today (1990-03-02)")
    ]
    assert d["opportunities"][0]["say"] == "Wish Maja a happy birthday at the gate."
    r = run("magic", "--date", "2026-03-02", "--store", store_path)
    assert "Maja Lind" in r.output
    assert "birthday today" in r.output
    r = run("magic", "--date", "March", "--store", store_path)
    assert r.exit_code == 1
    assert "YYYY-MM-DD" in r.output


def test_coach_reads_stdin_and_refuses_empty():
    r = runner.invoke(app, ["coach", "-", "--json"], input="I'm sorry your refund is late. We will send it by Friday.")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["steps"]["time"]["found"]
    assert d["steps"]["apologize"]["found"]
    r = runner.invoke(app, ["coach", "-"], input="   ")
    assert r.exit_code == 1
    assert "the reply is empty" in r.output


def test_cases_list_table_and_roleplay_reply_score(store_path, monkeypatch):
    from carlzon.cli import common

    monkeypatch.setattr(common.console, "width", 200)
    with open_store(store_path) as s:
        seed_misery(s)
    assert "no cases (open them with: carlzon cases open)" in run("cases", "list", "--store", store_path).output
    run("cases", "open", "--store", store_path)
    r = run("cases", "list", "--store", store_path)
    assert "recovery cases (n=1)" in r.output
    assert "Anna Berg" in r.output
    assert "68" in r.output
    r = run(
        "roleplay",
        "-n",
        "1",
        "--store",
        store_path,
        "--reply",
        "I'm sorry we lost your bag in Oslo; it was left behind because the transfer was short. "
        "We will deliver it by 6 pm tomorrow and send a travel voucher.",
    )
    assert r.exit_code == 0, r.output
    assert 'customer: "You lost my bag in Oslo and nobody helps"' in r.output
    assert "your reply to card 1 scores 100/100" in r.output
