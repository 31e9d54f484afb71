"""Ingest: formats, mapping, validation and quarantine, stable ids, the account of every row."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from carlzon.errors import IngestError, MappingError
from carlzon.ingest import ingest
from carlzon.mapping import ColumnMapping, normalise
from carlzon.store import open_store

CSV = (
    "response_id,comment,nps,submitted_at,email,Seat comfort,Departure Delay in Minutes,plan\n"
    "r1,Lost my bag,2,2026-01-03 10:00:00,a@x.com,1,45,gold\n"
    'r2,"Great crew, thank you",10,2026-01-04 11:00:00,b@x.com,5,0,silver\n'
    "r3,,9,2026-01-05 12:00:00,c@x.com,4,5,gold\n"
)


@pytest.fixture
def store(store_path):
    with open_store(store_path) as s:
        yield s


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def _accounted(r) -> None:
    assert r.read == r.stored + r.duplicates + r.quarantined


def test_csv_auto_mapping_with_journey(tmp_path, store):
    r = ingest(_write(tmp_path, "survey.csv", CSV), store, journey="airline", detect=False)
    assert (r.read, r.stored, r.duplicates, r.quarantined) == (3, 3, 0, 0)
    assert r.mapping["id"] == "response_id"
    assert r.mapping["text"] == "comment"
    assert r.mapping["customer_id"] == "email"
    out = store.interactions()
    assert out["id"].tolist() == ["r1", "r2", "r3"]
    assert out["text"].tolist() == ["Lost my bag", "Great crew, thank you", None]
    assert out["nps"].tolist() == [2.0, 10.0, 9.0]
    assert out["timestamp"].iloc[0] == pd.Timestamp("2026-01-03 10:00:00", tz="UTC")
    assert json.loads(out["ratings"].iloc[0]) == {"Seat comfort": 1}
    assert json.loads(out["measures"].iloc[0]) == {"departure_delay_minutes": 45}
    assert json.loads(out["attributes"].iloc[1]) == {"plan": "silver"}
    assert out["source"].unique().tolist() == ["survey.csv"]


def test_reingest_adds_nothing(tmp_path, store):
    p = _write(tmp_path, "survey.csv", CSV)
    ingest(p, store, detect=False)
    r = ingest(p, store, detect=False)
    assert (r.stored, r.duplicates) == (0, 3)
    assert store.counts()["interactions"] == 3


def test_content_hash_ids_are_stable(tmp_path, store):
    text = "comment,stars\nslow queue,2\nslow queue,2\nfriendly staff,5\n"
    p = _write(tmp_path, "reviews.csv", text)
    r = ingest(p, store, detect=False)
    assert (r.stored, r.duplicates) == (2, 1)  # the repeated row is the same interaction
    ids = store.interactions()["id"].tolist()
    assert all(i.startswith("h") and len(i) == 21 for i in ids)
    r2 = ingest(_write(tmp_path, "copy.csv", text), store, detect=False)
    assert r2.stored == 0
    assert r2.duplicates == 3


@pytest.mark.parametrize(
    "line, reason",
    [
        ("r4,bad date,5,yesterday-ish,d@x.com,3,0,gold", "unparseable date 'yesterday-ish'"),
        ("r4,too high,11,2026-01-06,d@x.com,3,0,gold", "rating out of range: nps = 11"),
        ("r4,item high,5,2026-01-06,d@x.com,12,0,gold", "rating out of range: 'Seat comfort' = 12"),
        ("r4,not a number,abc,2026-01-06,d@x.com,3,0,gold", "rating is not a number: 'abc'"),
        (",no id,5,2026-01-06,d@x.com,3,0,gold", "missing required field: id"),
        ("r4,short,5,2026-01-06", "wrong column count: expected 8 fields, found 4"),
        ("r4,long,5,2026-01-06,d@x.com,3,0,gold,extra", "wrong column count: expected 8 fields, found 9"),
        ("r4,late,5,2026-01-06,d@x.com,3,abc,gold", "measure is not a number: 'abc'"),
    ],
)
def test_bad_rows_are_quarantined_with_their_reason(tmp_path, store, line, reason):
    p = _write(tmp_path, "survey.csv", CSV + line + "\nr5,fine,7,2026-01-07,e@x.com,3,0,gold\n")
    r = ingest(p, store, journey="airline", detect=False)
    _accounted(r)
    assert (r.read, r.stored, r.quarantined) == (5, 4, 1)
    assert r.quarantine[0]["row"] == 5
    assert r.quarantine[0]["reason"].startswith(reason), r.quarantine
    q = store.quarantine()
    assert q["row"].tolist() == [5]
    assert q["source"].tolist() == ["survey.csv"]
    assert q["raw"].iloc[0]
    assert store.interactions()["id"].tolist()[-1] == "r5"


def test_missing_text_and_rating(tmp_path, store):
    p = _write(tmp_path, "t.csv", "comment,nps\nhello,\n,\n  ,3\n")
    r = ingest(p, store, detect=False)
    assert r.stored == 2
    assert [q["row"] for q in r.quarantine] == [3]
    assert r.quarantine[0]["reason"].startswith("missing required field: text or a rating (all empty")


def test_undecodable_bytes_quarantine_only_that_row(tmp_path, store):
    data = CSV.encode() + b"r4,caf\xe9 au lait,8,2026-01-06,d@x.com,3,0,gold\nr5,fine,7,2026-01-07,e@x.com,3,0,gold\n"
    r = ingest(_write(tmp_path, "s.csv", data), store, detect=False)
    assert (r.stored, r.quarantined) == (4, 1)
    assert r.quarantine[0]["row"] == 5
    assert r.quarantine[0]["reason"].startswith("undecodable bytes in column 'comment'")
    assert "caf\ufffd" in store.quarantine()["raw"].iloc[0]


def test_encoding_option_reads_latin1(tmp_path, store):
    p = _write(tmp_path, "s.csv", "comment,nps\ncaf\xe9 ok,8\n".encode("latin-1"))
    r = ingest(p, store, detect=False, encoding="latin-1")
    assert r.stored == 1
    assert store.interactions()["text"].tolist() == ["café ok"]


def test_multiline_values_and_row_numbers(tmp_path, store):
    text = 'id,text,stars\n1,"two\nlines",4\n2,x,9\n3,ok,5\n'
    r = ingest(_write(tmp_path, "m.csv", text), store, detect=False)
    assert r.stored == 2 and r.quarantine[0]["row"] == 3  # records count, header = 1
    assert store.interactions()["text"].tolist()[0] == "two\nlines"


def test_odd_timestamps_become_utc(tmp_path, store):
    text = "tweet_id,text,tweet_created\n1,a,2015-02-24 11:35:52 -0800\n2,b,2015-02-24T19:00:00Z\n3,c,2015-02-25\n"
    r = ingest(_write(tmp_path, "t.csv", text), store, detect=False)
    assert r.stored == 3
    ts = store.interactions().set_index("id")["timestamp"]
    assert ts["1"] == pd.Timestamp("2015-02-24 19:35:52", tz="UTC")
    assert ts["2"] == pd.Timestamp("2015-02-24 19:00:00", tz="UTC")
    assert ts["3"] == pd.Timestamp("2015-02-25", tz="UTC")


def test_epoch_seconds(tmp_path, store):
    r = ingest(_write(tmp_path, "t.csv", "text,date\na,1424804152\nb,1424804153\n"), store, detect=False)
    assert r.stored == 2
    assert store.interactions()["timestamp"].iloc[0] == pd.Timestamp("2015-02-24 18:55:52", tz="UTC")


def test_tsv_jsonl_json_parquet_excel_and_dataframe(tmp_path, store):
    df = pd.DataFrame({"id": ["a", "b"], "review": ["late again", "lovely"], "stars": [1, 5], "city": ["Oslo", "Rome"]})
    df.to_csv(tmp_path / "x.tsv", sep="\t", index=False)
    df.to_json(tmp_path / "x.jsonl", orient="records", lines=True)
    df.to_json(tmp_path / "x.json", orient="records")
    df.to_parquet(tmp_path / "x.parquet")
    df.to_excel(tmp_path / "x.xlsx", index=False)
    for name in ("x.tsv", "x.jsonl", "x.json", "x.parquet", "x.xlsx"):
        with open_store(tmp_path / f"{name}.db") as s:
            r = ingest(tmp_path / name, s, detect=False)
            assert (r.read, r.stored) == (2, 2), name
            out = s.interactions()
            assert out["text"].tolist() == ["late again", "lovely"], name
            assert out["stars"].tolist() == [1.0, 5.0], name
            assert json.loads(out["attributes"].iloc[0]) == {"city": "Oslo"}, name
    r = ingest(df, store, detect=False)
    assert r.stored == 2
    assert r.source == "dataframe"


def test_jsonl_broken_line_is_quarantined(tmp_path, store):
    text = '{"id": 1, "text": "fine"}\n{"id": 2, "text": \n{"id": 3, "text": "also fine"}\n'
    r = ingest(_write(tmp_path, "x.jsonl", text), store, detect=False)
    assert (r.read, r.stored, r.quarantined) == (3, 2, 1)
    assert r.quarantine[0]["row"] == 2
    assert r.quarantine[0]["reason"].startswith("not valid JSON")


def test_excel_rows_are_sheet_rows(tmp_path, store):
    pd.DataFrame({"comment": ["ok", "bad"], "nps": [5, 12]}).to_excel(tmp_path / "x.xlsx", index=False)
    r = ingest(tmp_path / "x.xlsx", store, detect=False)
    assert r.quarantine == [{"row": 3, "reason": "rating out of range: nps = 12 in column 'nps' (valid 0-10)"}]


def test_mapping_flags_yaml_and_errors(tmp_path, store):
    p = _write(tmp_path, "x.csv", "Kommentar,Empfehlung,Wann\nzu spät,3,2026-01-01\n")
    yaml_map = _write(
        tmp_path, "m.yaml", "text: Kommentar\nnps: Empfehlung\ntimestamp: Wann\ndefaults: {channel: survey}\n"
    )
    r = ingest(p, store, mapping=yaml_map, detect=False)
    out = store.interactions()
    assert r.stored == 1
    assert out["nps"].tolist() == [3.0]
    assert out["channel"].tolist() == ["survey"]
    with pytest.raises(MappingError, match="did you mean 'Kommentar'"):
        ingest(p, store, mapping={"text": "Komentar"}, detect=False)
    with pytest.raises(MappingError, match="unknown key 'txt'"):
        ColumnMapping.from_dict({"txt": "a"})
    with pytest.raises(MappingError, match="no text or rating"):
        ingest(_write(tmp_path, "y.csv", "a,b\n1,2\n"), store, detect=False)


def test_auto_detected_score_on_a_ten_point_scale_is_read_onto_stars(tmp_path, store):
    p = _write(tmp_path, "x.csv", "comment,score\na,8\nb,9\nc,10\n")
    ingest(p, store, detect=False)
    assert store.interactions()["stars"].tolist() == [4.2, 4.6, 5.0]


def test_a_score_read_onto_stars_says_how_to_read_it_as_nps(tmp_path, store):
    p = _write(tmp_path, "x.csv", "comment,score\na,8\nb,9\nc,10\n")
    r = ingest(p, store, detect=False)
    assert any("--nps 'score'" in w for w in r.mapping["warnings"])


def test_a_score_mapped_as_nps_is_nps(tmp_path, store):
    p = _write(tmp_path, "x.csv", "comment,score\na,8\nb,9\nc,10\n")
    ingest(p, store, mapping={"nps": "score"}, detect=False)
    assert store.interactions()["nps"].tolist() == [8.0, 9.0, 10.0]


def test_non_numeric_satisfaction_stays_an_attribute(tmp_path, store):
    p = _write(tmp_path, "x.csv", "comment,satisfaction\na,satisfied\nb,neutral or dissatisfied\n")
    r = ingest(p, store, detect=False)
    assert r.stored == 2
    assert "satisfaction" in r.mapping["attributes"]


def test_normalise_headers():
    assert normalise("Departure Delay in Minutes", measure=True) == "departure_delay_minutes"
    assert normalise("Hold time (secs)", measure=True) == "hold_time_seconds"
    assert normalise("Seat comfort") == "seat_comfort"


def test_unreadable_inputs(tmp_path, store):
    with pytest.raises(IngestError, match="file not found"):
        ingest(tmp_path / "nope.csv", store, detect=False)
    with pytest.raises(IngestError, match="format"):
        ingest(_write(tmp_path, "x.doc", "x"), store, detect=False)


def test_batches_and_run_record(tmp_path, store):
    rows = "".join(f"{i},text {i},{i % 11}\n" for i in range(250))
    p = _write(tmp_path, "x.csv", "id,comment,nps\n" + rows + "250,bad,99\n")
    r = ingest(p, store, batch_rows=40, detect=False)
    assert (r.read, r.stored, r.quarantined) == (251, 250, 1)
    assert r.quarantine[0]["row"] == 252
    run = store.ingest_runs().iloc[0]
    assert (run["read"], run["stored"], run["quarantined"]) == (251, 250, 1)


def test_detect_stores_moments_for_new_interactions(tmp_path, store):
    pytest.importorskip("carlzon.detect.detector")
    r = ingest(_write(tmp_path, "survey.csv", CSV), store, journey="airline")
    m = store.moments()
    assert r.moments == len(m)
    assert set(m["interaction_id"]) == {"r1", "r2", "r3"}
    assert "misery" in set(m[m["interaction_id"] == "r1"]["valence"])
    r2 = ingest(_write(tmp_path, "survey.csv", CSV), store, journey="airline")
    assert (r2.moments, store.counts()["moments"]) == (0, len(m))


def test_event_rows_without_text_or_rating_are_kept(tmp_path):
    """An event from a log (a visit) is an interaction: who, when, where; no text or rating needed."""
    import pandas as pd

    from carlzon.ingest import ingest
    from carlzon.store import open_store

    df = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", None, "c4"],
            "created_at": ["2026-01-02 10:00", "2026-01-02 11:00", "2026-01-02 12:00", "not a date"],
            "channel": ["visit", "visit", "visit", "visit"],
            "touchpoint": ["check_in", None, "gate", "gate"],
        }
    )
    with open_store(tmp_path / "c.db") as store:
        res = ingest(df, store, detect=False)
    assert (res.read, res.stored, res.quarantined) == (4, 2, 2)
    reasons = sorted(q["reason"] for q in res.quarantine)
    assert reasons[0].startswith("missing required field")
    assert "unparseable date" in reasons[1]


def test_event_rows_get_no_moment(tmp_path):
    import pandas as pd

    from carlzon.ingest import ingest
    from carlzon.store import open_store

    df = pd.DataFrame(
        {
            "customer_id": ["c1", "c1", "c2"],
            "created_at": ["2026-01-02 10:00", "2026-01-02 10:05", "2026-01-02 11:00"],
            "touchpoint": ["check_in", "gate", None],
            "comment": [None, None, "The gate agent was rude"],
        }
    )
    with open_store(tmp_path / "e.db") as store:
        res = ingest(df, store, journey="airline")
        assert (res.read, res.stored, res.moments) == (3, 3, 1)
        assert store.moments()["text"].tolist() == ["The gate agent was rude"]


@pytest.mark.parametrize("zone", ["", "Z", " -0800", "+01:00"])
def test_iso_timestamps_are_read_strictly(tmp_path, store, zone):
    rows = [
        "2026-02-27 10:00:00",
        "2026-02-28T23:59:59.250",
        "2026-02-30 10:00:00",
        "2026-13-01 10:00:00",
        "2024-02-29 00:00:00",
    ]
    text = "id,text,created_at\n" + "".join(f"{i},t{i},{v}{zone}\n" for i, v in enumerate(rows))
    r = ingest(_write(tmp_path, "iso.csv", text), store, detect=False)
    assert r.stored == 3
    assert r.quarantined == 2
    assert [q["reason"] for q in r.quarantine] == [
        f"unparseable date '2026-02-30 10:00:00{zone}' in column 'created_at'",
        f"unparseable date '2026-13-01 10:00:00{zone}' in column 'created_at'",
    ]
    shift = {"": 0, "Z": 0, " -0800": 8, "+01:00": -1}[zone]
    ts = store.interactions().set_index("id")["timestamp"]
    assert ts["1"] == pd.Timestamp("2026-02-28 23:59:59.250", tz="UTC") + pd.Timedelta(hours=shift)
    assert ts["4"] == pd.Timestamp("2024-02-29", tz="UTC") + pd.Timedelta(hours=shift)
    # all valid: read by the fast ISO parser, the same instants
    good = [v for v in rows if "-30 " not in v and "-13-" not in v]
    text = "id,text,created_at\n" + "".join(f"g{i},t{i},{v}{zone}\n" for i, v in enumerate(good))
    assert ingest(_write(tmp_path, "good.csv", text), store, detect=False).stored == 3
    ts = store.interactions().set_index("id")["timestamp"]
    assert ts["g1"] == pd.Timestamp("2026-02-28 23:59:59.250", tz="UTC") + pd.Timedelta(hours=shift)
    assert ts["g2"] == pd.Timestamp("2024-02-29", tz="UTC") + pd.Timedelta(hours=shift)


def test_a_record_longer_than_a_block_is_read_once_with_everything_around_it(tmp_path, store):
    # about 1.6 MB of short rows (more than the first 1 MB block), a 3 MB value, then more rows;
    # rows 3 and 30,000 have a column too many, and so has the second-to-last row
    lines = ["id,text,stars"]
    for i in range(2, 36_000):
        lines.append(f"{i},review number {i} with some words,4" + (",x" if i in (3, 30_000) else ""))
    lines.append('36000,"' + "a very long complaint, line after line\n" * 80_000 + '",1')
    lines += [f"{i},after {i},5" + (",x" if i == 36_010 else "") for i in range(36_001, 36_012)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = ingest(path, store, detect=False, batch_rows=5_000)
    assert (r.read, r.stored, r.quarantined, r.duplicates) == (36_010, 36_007, 3, 0)
    assert sorted(q["row"] for q in r.quarantine) == [3, 30_000, 36_010]
    got = store.interactions()
    assert got["id"].is_unique
    assert len(got) == 36_007
    assert got.set_index("id").loc["36000", "text"].count("\n") == 79_999  # trailing newline trimmed
