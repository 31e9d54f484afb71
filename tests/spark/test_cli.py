"""`carlzon detect --engine spark`: a Parquet path in, a Parquet folder out, the same moments as --engine local."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()


def test_detect_engine_spark_matches_local(spark, tmp_path: Path):
    src = tmp_path / "in.parquet"
    pd.DataFrame(
        {
            "ticket": ["t1", "t2", "t3", "t4"],
            "comment": ["They lost my bag", "Crew were wonderful", None, "Seat was fine"],
            "stars": ["1", "5", "not sure", "3"],
        }
    ).to_parquet(src, index=False)
    out = tmp_path / "moments"
    res = runner.invoke(
        app,
        ["detect", str(src), "-o", str(out), "--engine", "spark", "--journey", "airline", "--id", "ticket", "--json"],
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert (s["n"], s["magic"], s["misery"], s["quarantined"], s["engine"]) == (3, 1, 1, 1, "spark")
    q = pd.read_parquet(s["quarantine_file"])
    assert q.loc[0, "reason"].startswith("rating is not a number")
    assert "not sure" in q.loc[0, "raw"]
    sp = pd.read_parquet(out).sort_values("interaction_id").reset_index(drop=True)
    local = tmp_path / "local.parquet"
    res = runner.invoke(app, ["detect", str(src), "-o", str(local), "--journey", "airline", "--id", "ticket"])
    assert res.exit_code == 0, res.output
    lo = pd.read_parquet(local).sort_values("interaction_id").reset_index(drop=True)
    for c in ("interaction_id", "touchpoint", "valence", "score", "intensity", "stakes", "evidence"):
        assert sp[c].tolist() == lo[c].tolist(), c


def test_detect_engine_spark_plain_output_and_bad_engine(spark, tmp_path: Path):
    src = tmp_path / "in.parquet"
    pd.DataFrame({"comment": ["Flight cancelled, no help at all"]}).to_parquet(src, index=False)
    res = runner.invoke(app, ["detect", str(src), "-o", str(tmp_path / "m"), "--engine", "spark"])
    assert res.exit_code == 0, res.output
    assert "1 moments written to" in res.output
    assert "misery 1" in res.output
    res = runner.invoke(app, ["detect", str(src), "-o", str(tmp_path / "m.csv"), "--engine", "flink"])
    assert res.exit_code == 1
    assert "unknown engine 'flink'" in res.output


def test_drivers_to_parquet(spark, survey_parquet, tmp_path: Path):
    from carlzon.spark.cli import drivers_to_parquet

    out = tmp_path / "drivers.parquet"
    kd = drivers_to_parquet(
        str(survey_parquet), "overall", ["seat", "food", "cabin_crew", "wifi_entertainment"], out=out, n_boot=20
    )
    table = pd.read_parquet(out)
    assert list(table.driver) == list(kd.summary.driver)
    assert abs(table.importance.sum() - 1) < 1e-9
    assert (table.n > 1000).all()


def test_drivers_engine_spark_cli(spark, survey_parquet, tmp_path: Path):
    out = tmp_path / "drivers.parquet"
    args = [
        "drivers",
        str(survey_parquet),
        "--outcome",
        "overall",
        "--drivers",
        "seat,food,cabin_crew,boarding",
        "--boot",
        "30",
        "--json",
    ]
    res = runner.invoke(app, [*args, "--engine", "spark", "-o", str(out)])
    assert res.exit_code == 0, res.output
    sp = json.loads(res.output)
    res = runner.invoke(app, [*args, "--boot", "0"])
    assert res.exit_code == 0, res.output
    lo = json.loads(res.output)
    assert set(sp) == set(lo)
    assert sp["n"] == lo["n"]
    assert sp["n_boot"] == 30
    assert [d["driver"] for d in sp["drivers"]] == [d["driver"] for d in lo["drivers"]]
    assert abs(sp["drivers"][0]["importance"] - lo["drivers"][0]["importance"]) < 1e-4
    assert list(pd.read_parquet(out).driver) == [d["driver"] for d in sp["drivers"]]
    res = runner.invoke(
        app, ["drivers", str(survey_parquet), "--outcome", "satisfied", "--positive", "1", "--engine", "spark"]
    )
    assert res.exit_code == 1
    assert "--engine local" in res.output


@pytest.mark.slow
def test_installed_script_runs_spark_workers_on_its_own_python(tmp_path: Path):
    """`venv/bin/carlzon detect --engine spark` works without the venv on PATH: the workers run the
    interpreter that runs carlzon, not whatever `python3` PATH finds (here one that cannot start)."""
    script = Path(sys.executable).parent / "carlzon"
    if not script.exists():
        pytest.skip("the carlzon script is not installed beside this interpreter")
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ("python", "python3"):
        (fake / name).write_text("#!/bin/sh\necho 'not this python' >&2\nexit 3\n")
        (fake / name).chmod(0o755)
    src = tmp_path / "in.parquet"
    pd.DataFrame({"comment": ["They lost my bag", "Crew were wonderful"]}).to_parquet(src, index=False)
    env = {k: v for k, v in os.environ.items() if k not in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON", "VIRTUAL_ENV")}
    env["PATH"] = f"{fake}{os.pathsep}/usr/bin{os.pathsep}/bin"
    out = subprocess.run(
        [str(script), "detect", str(src), "-o", str(tmp_path / "m"), "--engine", "spark", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout)["n"] == 2
