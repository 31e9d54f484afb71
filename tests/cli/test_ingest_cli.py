"""`carlzon ingest`, `carlzon quarantine` and `carlzon store info` through the CLI."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()

CSV = "id,comment,nps,date\n1,Lost my bag,1,2026-01-03\n2,Great crew,10,2026-01-04\n3,ok,11,2026-01-05\n4,late,5,someday\n"


def _file(tmp_path, text=CSV, name="survey.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_ingest_json_account(tmp_path):
    db = tmp_path / "c.db"
    result = runner.invoke(app, ["ingest", str(_file(tmp_path)), "--store", str(db), "--no-detect", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["read"], out["stored"], out["duplicates"], out["quarantined"]) == (4, 2, 0, 2)
    assert out["quarantine"] == [
        {"row": 4, "reason": "rating out of range: nps = 11 in column 'nps' (valid 0-10)"},
        {"row": 5, "reason": "unparseable date 'someday' in column 'date'"},
    ]
    assert out["quarantine_truncated"] == 0
    again = json.loads(
        runner.invoke(app, ["ingest", str(_file(tmp_path)), "--store", str(db), "--no-detect", "--json"]).output
    )
    assert (again["stored"], again["duplicates"], again["quarantined"]) == (0, 2, 2)


def test_ingest_table_and_default_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARLZON_STORE", raising=False)
    result = runner.invoke(app, ["ingest", str(_file(tmp_path)), "--no-detect"])
    assert result.exit_code == 0, result.output
    assert "stored" in result.output
    assert "quarantined" in result.output
    assert "rating out of range" in result.output
    assert (tmp_path / "carlzon.db").exists()


def test_quarantine_truncated_to_100_in_json(tmp_path):
    rows = "".join(f"{i},text,99\n" for i in range(150))
    p = _file(tmp_path, "id,comment,nps\n" + rows)
    out = json.loads(
        runner.invoke(app, ["ingest", str(p), "--store", str(tmp_path / "c.db"), "--no-detect", "--json"]).output
    )
    assert out["quarantined"] == 150
    assert len(out["quarantine"]) == 100
    assert out["quarantine_truncated"] == 50
    listed = json.loads(
        runner.invoke(app, ["quarantine", "--store", str(tmp_path / "c.db"), "--limit", "0", "--json"]).output
    )
    assert listed["n"] == 150
    assert len(listed["quarantine"]) == 150
    assert listed["quarantine"][0]["raw"] == "0,text,99"


def test_flags_map_columns(tmp_path):
    p = _file(tmp_path, "Kommentar,Bewertung,Wartezeit (min)\nzu spät,2,45\n")
    db = str(tmp_path / "c.db")
    result = runner.invoke(
        app,
        [
            "ingest",
            str(p),
            "--store",
            db,
            "--text",
            "Kommentar",
            "--stars",
            "Bewertung",
            "--measure",
            "Wartezeit (min)",
            "--no-detect",
            "--json",
        ],
    )
    out = json.loads(result.output)
    assert out["stored"] == 1
    assert out["mapping"]["text"] == "Kommentar"
    assert out["mapping"]["stars"] == "Bewertung"
    assert out["mapping"]["measures"] == {"Wartezeit (min)": "wartezeit_minutes"}


def test_map_file(tmp_path):
    p = _file(tmp_path, "Kommentar,Empfehlung\nsuper,10\n")
    m = tmp_path / "m.yaml"
    m.write_text("text: Kommentar\nnps: Empfehlung\n")
    out = json.loads(
        runner.invoke(
            app, ["ingest", str(p), "--store", str(tmp_path / "c.db"), "--map", str(m), "--no-detect", "--json"]
        ).output
    )
    assert out["stored"] == 1
    assert out["mapping"]["nps"] == "Empfehlung"


def test_errors_are_one_line(tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "missing.csv"), "--store", str(tmp_path / "c.db")])
    assert result.exit_code == 1
    assert "file not found" in result.output
    assert "Traceback" not in result.output
    p = _file(tmp_path, "a,b\n1,2\n")
    result = runner.invoke(app, ["ingest", str(p), "--store", str(tmp_path / "c.db"), "--no-detect"])
    assert result.exit_code == 1
    assert "found no text or rating column" in result.output
    assert "--text" in result.output
    result = runner.invoke(app, ["ingest", str(_file(tmp_path)), "--store", str(tmp_path / "c.db"), "--text", "nope"])
    assert result.exit_code == 1
    assert "column 'nope'" in result.output


def test_store_info(tmp_path):
    db = str(tmp_path / "c.db")
    runner.invoke(app, ["ingest", str(_file(tmp_path)), "--store", db, "--no-detect"])
    out = json.loads(runner.invoke(app, ["store", "info", "--store", db, "--json"]).output)
    assert out["backend"] == "sqlite"
    assert out["counts"]["interactions"] == 2
    assert out["counts"]["quarantine"] == 2
    assert out["migrations"][0] == {"version": 1, "name": "core tables"}
    assert out["ingest_runs"][0]["read"] == 4
    text = runner.invoke(app, ["store", "info", "--store", db]).output
    assert "interactions" in text
    assert "read 4 = stored 2 + duplicates 0 + quarantined 2" in text


GOOGLE = "author_title,review_rating,review_datetime_utc,review_text,owner_answer\n" + "".join(
    f"Guest {i},{[5, 2, 4, 1, 5][i % 5]},2026-03-{1 + i % 28:02d} 09:{i % 60:02d}:00,"
    f'"{["The barista remembered my usual flat white", "Waited ages in the queue for a lukewarm latte", "Lovely pastries and good coffee", "Rude staff at the counter, wrong milk in my order", "Best espresso and cosy seating"][i % 5]}",'
    f"{'Thank you!' if i % 3 == 0 else ''}\n"
    for i in range(200)
)


def test_google_reviews_with_no_flags_come_out_right(tmp_path):
    p = _file(tmp_path, GOOGLE, name="google.csv")
    out = json.loads(runner.invoke(app, ["ingest", str(p), "--store", str(tmp_path / "c.db"), "--json"]).output)
    assert ({k: out["mapping"].get(k) for k in ("customer_id", "stars", "timestamp", "text")}, out["journey"]) == (
        {
            "customer_id": "author_title",
            "stars": "review_rating",
            "timestamp": "review_datetime_utc",
            "text": "review_text",
        },
        "coffee_shop",
    )


def test_google_reviews_get_their_timestamps_and_touchpoints(tmp_path):
    from carlzon.store import open_store

    p = _file(tmp_path, GOOGLE, name="google.csv")
    runner.invoke(app, ["ingest", str(p), "--store", str(tmp_path / "c.db")])
    with open_store(tmp_path / "c.db") as st:
        m = st.moments()
    assert (m["timestamp"].notna().all(), (m["touchpoint"] != "unknown").mean() > 0.5) == (True, True)


def test_ingest_prints_what_each_column_was_taken_for(tmp_path):
    p = _file(tmp_path, GOOGLE, name="google.csv")
    res = runner.invoke(app, ["ingest", str(p), "--store", str(tmp_path / "c.db"), "--no-detect"])
    assert "owner_answer" in res.output
    assert "the company's" in res.output
    assert "review_rating" in res.output


def test_ingest_prints_the_journey_and_how_sure(tmp_path):
    p = _file(tmp_path, GOOGLE, name="google.csv")
    res = runner.invoke(app, ["ingest", str(p), "--store", str(tmp_path / "c.db")])
    assert "Journey: coffee_shop" in res.output
    assert "of the evidence" in res.output


def test_dry_run_stores_nothing(tmp_path):
    p = _file(tmp_path, GOOGLE, name="google.csv")
    res = runner.invoke(app, ["ingest", str(p), "--store", str(tmp_path / "c.db"), "--dry-run"])
    assert (res.exit_code, "nothing stored" in res.output, (tmp_path / "c.db").exists()) == (0, True, True)
    from carlzon.store import open_store

    with open_store(tmp_path / "c.db") as st:
        assert st.counts()["interactions"] == 0


def test_an_unused_date_column_gets_a_warning_with_the_flag(tmp_path):
    p = _file(
        tmp_path,
        "id,comment,stars,created,visited\n1,Lovely latte,5,2026-01-01,2025-12-30\n"
        "2,Cold flat white,2,2026-01-02,2025-12-31\n",
    )
    res = runner.invoke(app, ["ingest", str(p), "--store", str(tmp_path / "c.db"), "--no-detect"])
    assert "--timestamp 'visited'" in res.output


def test_a_reingest_with_another_journey_says_how_to_redo(tmp_path):
    p = _file(tmp_path, GOOGLE, name="google.csv")
    db = str(tmp_path / "c.db")
    runner.invoke(app, ["ingest", str(p), "--store", db, "--journey", "restaurant"])
    res = runner.invoke(app, ["ingest", str(p), "--store", db, "--journey", "coffee_shop"])
    assert f"carlzon detect --store {db} --journey coffee_shop" in res.output.replace("\n", "")


def test_read_commands_refuse_a_missing_store(tmp_path):
    res = runner.invoke(app, ["quarantine", "--store", str(tmp_path / "nope.db")])
    assert (res.exit_code, "carlzon ingest" in res.output) == (1, True)
