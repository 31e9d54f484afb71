"""One function per analysis: emerging problems from a store and a scope, the same in the CLI, report and dashboard."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.analysis.emerging import emerging_problems, mention_text, mention_texts
from carlzon.journey import load_journey
from carlzon.report.query import Scope
from carlzon.store import open_store

AIRLINE = load_journey("airline")


@pytest.fixture(scope="module")
def sim_store(tmp_path_factory):
    from carlzon.simulate import simulate, store_simulation

    path = str(tmp_path_factory.mktemp("emerging") / "sim.db")
    sim = simulate("airline", seed=0, customers=1500, days=150)
    with open_store(path) as st:
        store_simulation(sim, st)
    return path, sim.truth["emerging"]


def _key(alerts):
    return [(a["touchpoint"], a["theme"], a["location"], a["since"], a["count"], a["baseline"]) for a in alerts]


def test_finds_the_planted_problem(sim_store):
    path, planted = sim_store
    with open_store(path, read_only=True) as st:
        found = emerging_problems(st, journey=AIRLINE)["alerts"]
    assert (planted["touchpoint"], planted["location"], planted["start"]) in [
        (a["touchpoint"], a["location"], a["since"]) for a in found
    ]


def test_cli_report_and_dashboard_agree(sim_store):
    from carlzon.cli import app
    from carlzon.report.builder import watch_section
    from carlzon.report.insights import alerts_view

    path, _ = sim_store
    out = CliRunner().invoke(app, ["alerts", "--store", path, "--json"])
    cli = json.loads(out.output)["alerts"]
    with open_store(path, read_only=True) as st:
        view = alerts_view(st, Scope(), AIRLINE)["alerts"]  # what the dashboard's Alerts page shows
        sec = watch_section(st, Scope(), pd.Timestamp.now(tz="UTC"), AIRLINE)  # the report's section
    names = {t.id: t.name for t in AIRLINE.touchpoints}
    assert _key(cli) == _key(view)
    assert len(cli) > 0
    assert [r[0] for r in sec.rows] == [names.get(a["touchpoint"], a["touchpoint"]) for a in cli]


def test_scope_is_applied(sim_store):
    path, planted = sim_store
    with open_store(path, read_only=True) as st:
        found = emerging_problems(st, Scope(touchpoint="seat"))["alerts"]
    assert {a["touchpoint"] for a in found} <= {"seat"}


def test_empty_store_says_why(tmp_path):
    with open_store(str(tmp_path / "e.db")) as st:
        res = emerging_problems(st)
    assert (res["ran"], res["note"]) == (False, "No dated moments match, so emerging problems cannot be checked.")


def test_mention_text_reads_the_spans_in_text_order():
    text = "Parking cost a fortune and the wifi never worked. Staff were lovely though."
    assert mention_text(text, [[27, 49], [0, 22]]) == "Parking cost a fortune … the wifi never worked."


def test_mention_text_without_spans_is_the_text():
    assert mention_text("Lost my bag", "[]") == "Lost my bag"


def test_mention_texts_of_a_frame():
    m = pd.DataFrame({"text": ["ab cd", None], "spans": ["[[3, 5]]", "[]"]})
    assert mention_texts(m).tolist() == ["cd", None]


def test_progress_is_told_each_step_and_the_end(sim_store):
    steps = []
    with open_store(sim_store[0], read_only=True) as st:
        emerging_problems(st, progress=lambda what, done, total: steps.append((done, total)))
    assert steps == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
