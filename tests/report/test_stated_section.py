"""The report puts stated beside derived importance and names the planted gaps."""

import pytest

from carlzon.report import build_report
from carlzon.store import open_store
from carlzon.survey.simulate import simulate_survey


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    sim = simulate_survey("retail_clothing", seed=7, invited=1500)
    path = tmp_path_factory.mktemp("stated") / "carlzon.db"
    with open_store(str(path)) as st:
        sim.store(st)
        html = build_report(st, None, journey="retail_clothing")
    return sim, html


def test_section_is_in_the_report(report):
    _, html = report
    assert 'id="stated-vs-derived"' in html


def test_planted_gaps_are_named(report):
    from carlzon.journey import load_journey

    sim, html = report
    j = load_journey("retail_clothing")
    for pid, plan in sim.truth["plan"].items():
        a = j.touchpoint(plan["stated_top"]).name
        b = j.touchpoint(plan["derived_top"]).name
        who = j.persona(pid).name + "s"
        assert f"{who} say {a[0].lower() + a[1:]} matters most" in html
        assert f"moves with {b[0].lower() + b[1:]}" in html


def test_nonresponse_is_shown(report):
    _, html = report
    assert "Who answered against who was invited" in html


def test_order_effect_is_shown(report):
    _, html = report
    assert "Order effect: Asked after the experience questions" in html


def test_report_without_surveys_has_no_section(tmp_path):
    from carlzon.report.synthetic import fill_store

    with open_store(str(tmp_path / "x.db")) as st:
        fill_store(st, 300, seed=1)
        assert 'id="stated-vs-derived"' not in build_report(st, None)
