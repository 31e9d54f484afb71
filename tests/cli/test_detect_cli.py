import json

import pandas as pd
from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()


def _input(tmp_path):
    p = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "Response ID": ["r1", "r2", "r3", "r4"],
            "Comment": ["They lost my bag at the carousel", "Anna at the gate was wonderful", "ok", "fine"],
            "NPS": [2, 10, 7, 42],  # 42 is not an NPS: quarantined, not lost
            "Departure Delay in Minutes": [45, 0, None, None],
        }
    ).to_csv(p, index=False)
    return p


def test_detect_writes_one_moment_per_row_csv(tmp_path):
    out = tmp_path / "moments.csv"
    res = runner.invoke(app, ["detect", str(_input(tmp_path)), "--journey", "airline", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "4 moments written" in res.output  # r1 speaks of the bag and waited 45 min: two moments
    assert "magic 1 (25.0%), misery 2 (50.0%), neutral 1 (25.0%)" in res.output
    assert "1 rows quarantined" in res.output
    m = pd.read_csv(out)
    assert m.interaction_id.tolist() == ["r1", "r1", "r2", "r3"]  # a moment per touchpoint, strongest first
    assert m.groupby("interaction_id").overall_valence.first().tolist() == ["misery", "magic", "neutral"]
    r1 = m[m.interaction_id == "r1"].set_index("touchpoint")
    assert set(r1.valence) == {"misery"}
    assert "baggage_claim" in r1.index
    assert any("departure delay 45 min against <= 15 expected" in r for r in r1.reasons)
    q = pd.read_csv(tmp_path / "moments.quarantine.csv")
    assert len(q) == 1
    assert "42" in q.reason[0] + str(q.raw[0])


def test_detect_parquet_and_json_summary(tmp_path):
    out = tmp_path / "m.parquet"
    res = runner.invoke(app, ["detect", str(_input(tmp_path)), "--text", "Comment", "-o", str(out), "--json"])
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert s["n"] == 3
    assert s["magic"] + s["misery"] + s["neutral"] == 3
    assert s["quarantined"] == 1
    assert len(pd.read_parquet(out)) == 3


def test_detect_bad_output_extension(tmp_path):
    res = runner.invoke(app, ["detect", str(_input(tmp_path)), "-o", str(tmp_path / "m.txt")])
    assert res.exit_code == 1
    assert "name the output .csv, .xlsx or .parquet" in res.output


def _labelled(tmp_path):
    good = ["the crew were lovely", "quick refund, thank you", "upgraded for free, amazing", "great service today"]
    bad = ["lost my bag again", "rude agent hung up", "cancelled with no notice", "waited two hours on hold"]
    meh = ["what time does the flight leave", "is there wifi on board", "flight 22 to boston", "changing my seat"]
    p = tmp_path / "train.csv"
    pd.DataFrame(
        {
            "review": (good + bad + meh) * 3,
            "stars": ([5] * 4 + [1] * 4 + [3] * 4) * 3,
            "sentiment": (["positive"] * 4 + ["negative"] * 4 + ["neutral"] * 4) * 3,
        }
    ).to_csv(p, index=False)
    return p


def test_train_from_ratings_then_detect_with_the_model(tmp_path):
    model = tmp_path / "model.json"
    res = runner.invoke(
        app, ["train", str(_labelled(tmp_path)), "--text", "review", "--rating", "stars", "--cv", "3", "-o", str(model)]
    )
    assert res.exit_code == 0, res.output
    assert "trained on n=36 texts (magic 12, misery 12, neutral 12" in res.output
    assert "3-fold cross-validated macro-F1" in res.output
    d = json.loads(model.read_text())
    assert d["info"]["n_train"] == 36
    assert d["info"]["label_column"] == "stars"
    out = tmp_path / "m.csv"
    res = runner.invoke(
        app,
        [
            "detect",
            str(_labelled(tmp_path)),
            "--text",
            "review",
            "--stars",
            "stars",
            "--model",
            str(model),
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "text model:" in pd.read_csv(out).reasons[0]


def test_train_from_label_json(tmp_path):
    model = tmp_path / "model.json"
    res = runner.invoke(
        app,
        [
            "train",
            str(_labelled(tmp_path)),
            "--text",
            "review",
            "--label",
            "sentiment",
            "--cv",
            "2",
            "-o",
            str(model),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert s["n"] == 36
    assert s["classes"] == {"magic": 12, "misery": 12, "neutral": 12}
    assert 0 <= s["cv_macro_f1"] <= 1


def test_train_errors(tmp_path):
    f = str(_labelled(tmp_path))
    res = runner.invoke(app, ["train", f, "--text", "review", "-o", str(tmp_path / "m.json")])
    assert res.exit_code == 1
    assert "nothing to learn from" in res.output
    res = runner.invoke(app, ["train", f, "--text", "nope", "--label", "sentiment", "-o", str(tmp_path / "m.json")])
    assert res.exit_code == 1
    assert "column 'nope' is not in train.csv" in res.output
    res = runner.invoke(app, ["train", f, "--text", "review", "--label", "sentiment", "-o", str(tmp_path / "m.pkl")])
    assert res.exit_code == 1
    assert ".json" in res.output


def test_detect_file_without_a_journey_picks_the_one_its_texts_speak_of(tmp_path):
    import json as _json

    p = tmp_path / "coffee.csv"
    p.write_text("comment,stars\n" + "The barista got my latte wrong,2\nLovely flat white and pastries,5\n" * 4)
    res = runner.invoke(app, ["detect", str(p), "-o", str(tmp_path / "m.csv"), "--json"])
    assert _json.loads(res.output)["journey"] == "coffee_shop"
