"""`carlzon survey`, `carlzon walk` and `carlzon drivers --stated`: real output on real files."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()


@pytest.fixture()
def db(tmp_path):
    return str(tmp_path / "carlzon.db")


def _ok(args):
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    return r


def _flat(text: str) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(text.split())


def test_build_writes_an_editable_survey(tmp_path):
    out = tmp_path / "s.yaml"
    r = _ok(["survey", "build", "--journey", "retail_clothing", "--persona", "regular", "-o", str(out)])
    assert "20 questions" in _flat(r.output) and out.read_text().startswith("# Survey retail-clothing-regular")


def test_build_warns_about_length():
    r = runner.invoke(app, ["survey", "build", "--journey", "retail_clothing"])
    assert "warning: this survey asks 41 questions" in _flat(r.output)


def test_build_unknown_persona_names_the_fix():
    r = runner.invoke(app, ["survey", "build", "--journey", "retail_clothing", "--persona", "tourist"])
    assert r.exit_code == 1
    assert "use one of first_time, regular" in _flat(r.output)


def test_add_invite_and_status(tmp_path, db):
    out = tmp_path / "s.yaml"
    _ok(["survey", "build", "--journey", "hotel", "--persona", "business", "-o", str(out)])
    _ok(["survey", "add", str(out), "--store", db])
    pd.DataFrame({"customer_id": ["a", "b", "b", ""], "opt_out": ["", "", "", ""]}).to_csv(
        tmp_path / "c.csv", index=False
    )
    r = _ok(
        [
            "survey",
            "invite",
            "hotel-business",
            "--customers",
            str(tmp_path / "c.csv"),
            "--batch",
            "may",
            "-o",
            str(tmp_path / "links.csv"),
            "--store",
            db,
            "--json",
        ]
    )
    assert json.loads(r.output)["invited"] == 2
    assert len(pd.read_csv(tmp_path / "links.csv")) == 2
    s = _ok(["survey", "status", "hotel-business", "--store", db, "--json"])
    assert json.loads(s.output)["batches"][0]["invited"] == 2


def test_export_and_import_limesurvey(tmp_path, db):
    from pathlib import Path

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "limesurvey"
    out = tmp_path / "s.yaml"
    _ok(["survey", "build", "--journey", "retail_clothing", "--persona", "first_time", "-o", str(out)])
    _ok(["survey", "add", str(out), "--store", db])
    _ok(["survey", "export", "retail-clothing-first-time", "-o", str(tmp_path / "s.txt"), "--store", db])
    assert (tmp_path / "s.txt").read_text(encoding="utf-8").lstrip("\ufeff").startswith("id\trelated_id\tclass")
    r = _ok(
        [
            "survey",
            "import",
            "retail-clothing-first-time",
            str(fixtures / "retail-clothing-first-time_responses.csv"),
            "--store",
            db,
        ]
    )
    assert "4 answers read = 3 stored + 0 duplicates + 1 quarantined" in _flat(r.output)


def test_simulate_then_drivers_stated(db):
    _ok(["survey", "simulate", "--invited", "700", "--seed", "2", "--store", db])
    r = _ok(["drivers", "--stated", "--boot", "100", "--store", db, "--json"])
    out = json.loads(r.output)["surveys"][0]
    assert {g["group"] for g in out["gaps"]} == {"all", "first_time", "regular"}


def test_drivers_without_outcome_names_the_fix():
    r = runner.invoke(app, ["drivers", "survey.csv"])
    assert r.exit_code == 1
    assert "--outcome is needed" in _flat(r.output)


def test_walk_build_and_ingest(tmp_path, db):
    _ok(
        [
            "walk",
            "build",
            "--journey",
            "retail_clothing",
            "-o",
            str(tmp_path / "w.html"),
            "--csv",
            str(tmp_path / "w.csv"),
        ]
    )
    t = pd.read_csv(tmp_path / "w.csv", dtype=str, keep_default_na=False)
    t["result"] = "met"
    t.loc[t["step"] == "fitting_rooms", "result"] = "missed"
    t["observed_at"] = "2026-05-04 10:00"
    t["location"] = "Old Town"
    t.to_csv(tmp_path / "filled.csv", index=False)
    r = _ok(["walk", "ingest", str(tmp_path / "filled.csv"), "--journey", "retail_clothing", "--store", db])
    assert "17 steps read = 17 stored" in _flat(r.output)
    assert "misery at fitting_rooms" in _flat(r.output)
