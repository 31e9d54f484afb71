"""`carlzon eval`: metrics on a small labelled file, every accepted file type and label style, clear errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()

ROWS = [
    ("They lost my bag and nobody called back", "negative", 1),
    ("Flight cancelled, no refund, never again", "negative", 1),
    ("On hold for two hours, then they hung up", "negative", 2),
    ("The crew upgraded us and remembered my name!", "positive", 5),
    ("Fantastic service, fixed it in minutes", "positive", 5),
    ("Lovely staff, thank you so much", "positive", 5),
    ("What time does boarding start?", "neutral", 3),
    ("Kindly send me the invoice", "neutral", 3),
    ("Great, another delay", "negative", 1),  # sarcasm
    ("No problems at all", "positive", 5),
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["comment", "sentiment", "stars"])


def _eval(*args: str) -> dict:
    result = runner.invoke(app, ["eval", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_eval_json_on_csv(tmp_path):
    path = tmp_path / "labelled.csv"
    _frame().to_csv(path, index=False)
    out = _eval(str(path), "--text", "comment", "--label", "sentiment")
    assert out["n"] == 10
    assert set(out) >= {"n", "accuracy", "macro_f1", "per_class", "texts_per_s"}
    assert set(out["per_class"]) == {"magic", "misery", "neutral"}
    for m in out["per_class"].values():
        assert set(m) >= {"precision", "recall", "f1"}
    assert out["per_class"]["misery"]["n"] == 4
    assert out["per_class"]["magic"]["n"] == 4
    assert out["accuracy"] == 1.0
    assert out["macro_f1"] == 1.0
    assert out["accuracy_ci95"][0] < 1.0 <= out["accuracy_ci95"][1]
    assert out["texts_per_s"] > 0


def test_eval_wrong_predictions_are_counted(tmp_path):
    df = _frame()
    df.loc[0, "sentiment"] = "positive"  # a wrong label: the scorer says misery
    path = tmp_path / "labelled.csv"
    df.to_csv(path, index=False)
    out = _eval(str(path), "--text", "comment", "--label", "sentiment")
    assert out["accuracy"] == 0.9
    assert out["per_class"]["magic"]["recall"] == 0.8
    assert out["per_class"]["misery"]["precision"] == 0.75


@pytest.mark.parametrize("ext", ["csv", "tsv", "jsonl", "parquet"])
def test_eval_reads_every_file_type_with_star_labels(tmp_path, ext):
    df = _frame()
    path = tmp_path / f"labelled.{ext}"
    if ext == "csv":
        df.to_csv(path, index=False)
    elif ext == "tsv":
        df.to_csv(path, index=False, sep="\t")
    elif ext == "jsonl":
        df.to_json(path, orient="records", lines=True)
    else:
        df.to_parquet(path)
    out = _eval(str(path), "--text", "comment", "--label", "stars")
    assert out["n"] == 10
    assert out["macro_f1"] == 1.0


def test_eval_magic_misery_labels_and_blank_rows(tmp_path):
    df = _frame()
    df["moment"] = df["sentiment"].map({"positive": "Magic", "negative": "MISERY", "neutral": "neutral"})
    df.loc[len(df)] = ["unlabelled text", None, None, None]
    path = tmp_path / "labelled.csv"
    df.to_csv(path, index=False)
    out = _eval(str(path), "--text", "comment", "--label", "moment")
    assert out["n"] == 10
    assert out["skipped_unlabelled"] == 1


def test_eval_table_output(tmp_path):
    path = tmp_path / "labelled.csv"
    _frame().to_csv(path, index=False)
    result = runner.invoke(app, ["eval", str(path), "--text", "comment", "--label", "sentiment"])
    assert result.exit_code == 0, result.output
    assert "macro-F1 1.000" in result.output
    assert "n=10" in result.output
    assert "misery" in result.output
    assert "texts/s" in result.output


def test_eval_unknown_column(tmp_path):
    path = tmp_path / "labelled.csv"
    _frame().to_csv(path, index=False)
    result = runner.invoke(app, ["eval", str(path), "--text", "text", "--label", "sentiment"])
    assert result.exit_code == 1
    assert "column 'text' is not in labelled.csv" in result.output
    assert "comment, sentiment, stars" in result.output


def test_eval_unknown_labels(tmp_path):
    df = _frame()
    df.loc[2, "sentiment"] = "angry"
    path = tmp_path / "labelled.csv"
    df.to_csv(path, index=False)
    result = runner.invoke(app, ["eval", str(path), "--text", "comment", "--label", "sentiment"])
    assert result.exit_code == 1
    assert "'angry' (row 3)" in result.output
    assert "magic/misery/neutral" in result.output


def test_eval_bad_file(tmp_path):
    result = runner.invoke(app, ["eval", str(tmp_path / "missing.csv"), "--text", "a", "--label", "b"])
    assert result.exit_code == 1
    assert "does not exist" in result.output
    odd = tmp_path / "labels.xml"
    odd.write_text("<x/>")
    result = runner.invoke(app, ["eval", str(odd), "--text", "a", "--label", "b"])
    assert result.exit_code == 1
    assert "use .csv, .tsv, .jsonl, .json, .parquet or .xlsx" in result.output


@pytest.mark.shared_data
def test_eval_on_tweets_beats_vader(shared_data):
    path = shared_data / "twitter_airline_sentiment" / "Tweets.csv"
    out = _eval(str(path), "--text", "text", "--label", "airline_sentiment")
    assert out["n"] == 14640
    assert out["macro_f1"] > 0.457  # vaderSentiment 3.3.2 on the same file


def test_four_stars_mean_what_they_mean_in_detection(tmp_path):
    path = tmp_path / "four.csv"
    pd.DataFrame({"comment": ["Nice stay", "Fine"], "stars": [4, 4]}).to_csv(path, index=False)
    assert _eval(str(path), "--text", "comment", "--label", "stars")["per_class"]["neutral"]["n"] == 2


def test_four_stars_are_magic_for_a_journey_that_says_so(tmp_path):
    path = tmp_path / "four.csv"
    pd.DataFrame({"comment": ["Nice stay", "Fine"], "stars": [4, 4]}).to_csv(path, index=False)
    import yaml

    from carlzon.journey import load_journey

    j = load_journey("hotel").to_dict()
    j["thresholds"]["stars"] = {"misery": 2, "magic": 4}
    (tmp_path / "j.yaml").write_text(yaml.safe_dump(j))
    out = _eval(str(path), "--text", "comment", "--label", "stars", "--journey", str(tmp_path / "j.yaml"))
    assert out["per_class"]["magic"]["n"] == 2
