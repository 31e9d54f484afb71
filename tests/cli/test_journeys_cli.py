"""`carlzon journeys` and `carlzon journeys show`."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from carlzon.cli import app, common
from carlzon.journey import journey_templates, load_journey

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Rich fixes the console width at import (80 off a terminal); widen it so lines do not wrap."""
    monkeypatch.setattr(common.console, "width", 200)


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_list_table_names_every_template_with_counts():
    result = _run("journeys")
    assert result.exit_code == 0, result.output
    assert f"Journey templates (n = {len(journey_templates())})" in result.output
    for name in journey_templates():
        j = load_journey(name)
        line = next(ln for ln in result.output.splitlines() if f" {name} " in ln)
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        assert cells[0] == name
        assert cells[1] == j.title
        assert cells[3] == str(len(j.stages))
        assert cells[4] == str(len(j.touchpoints))


def test_list_json():
    result = _run("journeys", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)["templates"]}
    assert set(rows) == set(journey_templates())
    assert rows["retail_clothing"]["touchpoints"] == len(load_journey("retail_clothing").touchpoints)
    assert rows["retail_bank"]["title"] == "Retail bank"
    assert rows["retail_bank"]["high_stakes"] >= 3


def test_show_tree():
    result = _run("journeys", "show", "retail_clothing")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Retail clothing store (retail_clothing): 5 stages, 19 touchpoints")
    assert "Finding and entering the store (arrive)" in out
    assert "Greeting at the door (greeting) · first moment · medium stakes · expects greeting_seconds <= 30" in out
    assert "Returns and exchanges (returns) · second moment · high stakes · expects refund_days <= 5" in out
    # stages come before their touchpoints, in journey order
    assert out.index("Paying (pay)") < out.index("Cashier greeting (cashier)") < out.index("(leave)")


def test_show_json_round_trips():
    result = _run("journeys", "show", "hotel", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == json.loads(json.dumps(load_journey("hotel").to_dict()))
    tps = [tp for st in data["stages"] for tp in st["touchpoints"]]
    assert {"id": "check_in", "expectation": "check_in_wait_minutes <= 10"}.items() <= next(
        tp for tp in tps if tp["id"] == "check_in"
    ).items()


def test_show_own_yaml(tmp_path):
    mine = load_journey("coffee_shop").to_dict()
    mine["name"], mine["title"] = "corner_cafe", "Corner café"
    path = tmp_path / "corner.yaml"
    path.write_text(yaml.safe_dump(mine, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = _run("journeys", "show", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Corner café (corner_cafe): 5 stages, 17 touchpoints")
    assert "Allergens and dietary needs (allergens) · second moment · high stakes" in result.output


def _error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_unknown_template_is_one_line():
    line = _error_line(_run("journeys", "show", "hotle"))
    assert "no journey template named 'hotle'" in line
    assert "did you mean 'hotel'?" in line


@pytest.mark.parametrize(
    "text,needles",
    [
        ("name: mine\nstages:\n  - id: s\n    touchpoints: [\n", ["line 5", "not valid YAML", "check indentation"]),
        (
            "name: mine\nstages:\n  - id: s\n    touchpoints:\n      - {id: t, phase: first, stakse: high}\n",
            ["stages[0].touchpoints[0]", "unknown key 'stakse'", "did you mean 'stakes'?"],
        ),
        (
            "name: mine\nstages:\n  - id: s\n    touchpoints:\n      - {id: t, phase: first}\n"
            "  - id: s2\n    touchpoints:\n      - {id: t, phase: second}\n",
            ["stages[1].touchpoints[0]", "duplicate touchpoint id 't'", "give every touchpoint its own id"],
        ),
        (
            "name: mine\nstages:\n  - id: s\n    touchpoints:\n      - {id: t, phase: first, expectation: wait within 30s}\n",
            ["stages[0].touchpoints[0].expectation", "cannot read expectation 'wait within 30s'", "wait_seconds <= 30"],
        ),
    ],
)
def test_bad_yaml_is_one_line_naming_file_place_and_fix(tmp_path, text, needles):
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    line = _error_line(_run("journeys", "show", str(path)))
    assert str(path) in line
    assert "(fix: " in line
    for needle in needles:
        assert needle in line


def test_debug_shows_the_exception():
    result = _run("--debug", "journeys", "show", "hotle")
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "JourneyError"
