"""`carlzon detect --engine spark`: a Parquet path in, a Parquet folder out, the same moments as --engine local."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()


def test_detect_engine_spark_matches_local(spark, tmp_path: Path):
    src = tmp_path / "in.parquet"
    pd.DataFrame({"ticket": ["t1", "t2", "t3", "t4"],
                  "comment": ["They lost my bag", "Crew were wonderful", None, "Seat was fine"],
                  "stars": ["1", "5", "not sure", "3"]}).to_parquet(src, index=False)
    out = tmp_path / "moments"
    res = runner.invoke(app, ["detect", str(src), "-o", str(out), "--engine", "spark", "--journey", "airline",
                              "--id", "ticket", "--json"])
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert (s["n"], s["magic"], s["misery"], s["quarantined"], s["engine"]) == (3, 1, 1, 1, "spark")
    q = pd.read_parquet(s["quarantine_file"])
    assert q.loc[0, "reason"].startswith("rating is not a number") and "not sure" in q.loc[0, "raw"]
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
    assert "1 moments written to" in res.output and "misery 1" in res.output
    res = runner.invoke(app, ["detect", str(src), "-o", str(tmp_path / "m.csv"), "--engine", "flink"])
    assert res.exit_code == 1 and "unknown engine 'flink'" in res.output


def test_drivers_to_parquet(spark, survey_parquet, tmp_path: Path):
    from carlzon.spark.cli import drivers_to_parquet

    out = tmp_path / "drivers.parquet"
    kd = drivers_to_parquet(str(survey_parquet), "overall", ["seat", "food", "cabin_crew", "wifi_entertainment"],
                            out=out, n_boot=20)
    table = pd.read_parquet(out)
    assert list(table.driver) == list(kd.summary.driver) and abs(table.importance.sum() - 1) < 1e-9
    assert (table.n > 1000).all()


def test_drivers_engine_spark_cli(spark, survey_parquet, tmp_path: Path):
    out = tmp_path / "drivers.parquet"
    args = ["drivers", str(survey_parquet), "--outcome", "overall", "--drivers", "seat,food,cabin_crew,boarding",
            "--boot", "30", "--json"]
    res = runner.invoke(app, [*args, "--engine", "spark", "-o", str(out)])
    assert res.exit_code == 0, res.output
    sp = json.loads(res.output)
    res = runner.invoke(app, [*args, "--boot", "0"])
    assert res.exit_code == 0, res.output
    lo = json.loads(res.output)
    assert set(sp) == set(lo) and sp["n"] == lo["n"] and sp["n_boot"] == 30
    assert [d["driver"] for d in sp["drivers"]] == [d["driver"] for d in lo["drivers"]]
    assert abs(sp["drivers"][0]["importance"] - lo["drivers"][0]["importance"]) < 1e-4
    assert list(pd.read_parquet(out).driver) == [d["driver"] for d in sp["drivers"]]
    res = runner.invoke(app, ["drivers", str(survey_parquet), "--outcome", "satisfied", "--positive", "1",
                              "--engine", "spark"])
    assert res.exit_code == 1 and "--engine local" in res.output
