"""The ingest bars on real data (../shared/data): whole files accounted for, and a broken copy of train.csv."""

from __future__ import annotations

import json
import random

import pandas as pd

from carlzon.ingest import ingest
from carlzon.store import open_store

TRAIN = "airline_passenger_satisfaction/train.csv"
TWEETS = "twitter_airline_sentiment/Tweets.csv"


def test_train_csv_every_row_accounted(shared_data, store_path):
    with open_store(store_path) as store:
        r = ingest(shared_data / TRAIN, store, journey="airline", detect=False)
        assert (r.read, r.stored, r.duplicates, r.quarantined) == (103_904, 103_904, 0, 0)
        assert len(r.mapping["ratings"]) == 14
        assert r.mapping["measures"] == {
            "Departure Delay in Minutes": "departure_delay_minutes",
            "Arrival Delay in Minutes": "arrival_delay_minutes",
        }
        row = store.interactions(ids=["70172"]).iloc[0]
        assert json.loads(row["ratings"])["Seat comfort"] == 5
        assert json.loads(row["measures"]) == {"departure_delay_minutes": 25, "arrival_delay_minutes": 18.0}
        assert json.loads(row["attributes"])["satisfaction"] == "neutral or dissatisfied"


def test_tweets_csv_every_row_accounted(shared_data, store_path):
    with open_store(store_path) as store:
        r = ingest(shared_data / TWEETS, store, journey="airline")
        assert r.read == 14_640
        assert r.quarantined == 0
        assert r.stored + r.duplicates == 14_640
        assert r.duplicates == len(pd.read_csv(shared_data / TWEETS, dtype=str)["tweet_id"]) - r.stored
        langs = store.interactions()["language"]
        unread = int((langs.notna() & (langs != "en")).sum())  # no rating beside them: no moment yet
        assert unread < 50
        spoken = store.query("SELECT COUNT(DISTINCT interaction_id) AS n FROM moments")["n"].iloc[0]
        assert spoken == r.stored - unread  # every text read has its moments, one per touchpoint named
        assert r.moments >= spoken
        out = store.interactions(ids=["570306133677760513"]).iloc[0]
        assert out["timestamp"] == pd.Timestamp("2015-02-24 19:35:52", tz="UTC")
        assert out["text"] == "@VirginAmerica What @dhepburn said."
        multi = store.query("SELECT COUNT(*) AS n FROM interactions WHERE text LIKE :nl", {"nl": "%\n%"})["n"].iloc[0]
        assert multi > 0  # texts spanning lines survive


KINDS = ("bad date", "out-of-range rating", "missing id", "undecodable bytes", "wrong column count")
REASONS = {
    "bad date": "unparseable date",
    "out-of-range rating": "rating out of range",
    "missing id": "missing required field: id",
    "undecodable bytes": "undecodable bytes",
    "wrong column count": "wrong column count",
}


def _broken_copy(src, dst) -> dict[int, str]:
    """train.csv with a date column, and 1% of rows broken in each of five ways; returns row -> kind."""
    lines = src.read_bytes().replace(b"\r\n", b"\n").split(b"\n")
    header, data = lines[0], [line for line in lines[1:] if line]
    names = header.decode().split(",")
    seat, id_col, gender = names.index("Seat comfort"), names.index("id"), names.index("Gender")
    rng = random.Random(7)
    n = len(data)
    picked = rng.sample(range(n), 5 * (n // 100))
    kind_of = {i: KINDS[k // (n // 100)] for k, i in enumerate(picked)}
    out = [header + b",date"]
    for i, line in enumerate(data):
        fields = line.split(b",") + [f"2026-01-{1 + i % 28:02d} 08:{i % 60:02d}:00".encode()]
        kind = kind_of.get(i)
        if kind == "bad date":
            fields[-1] = rng.choice([b"not a date", b"2026-13-45", b"31/02/2026 25:61"])
        elif kind == "out-of-range rating":
            fields[seat] = rng.choice([b"6", b"7", b"9", b"-1"])
        elif kind == "missing id":
            fields[id_col] = b""
        elif kind == "undecodable bytes":
            fields[gender] = b"M\xe4le" if rng.random() < 0.5 else b"\xff\xfe"
        elif kind == "wrong column count":
            fields = fields[:-2] if rng.random() < 0.5 else fields + [b"extra"]
        out.append(b",".join(fields))
    dst.write_bytes(b"\r\n".join(out) + b"\r\n")  # CRLF like the original
    return {i + 2: kind for i, kind in kind_of.items()}  # header is row 1


def test_broken_copy_of_train_csv(shared_data, tmp_path):
    path = tmp_path / "train_broken.csv"
    broken = _broken_copy(shared_data / TRAIN, path)
    mapping = {"scales": {"*": [0, 5]}}  # the survey items are 0-5 ratings (0 = not applicable)
    with open_store(tmp_path / "carlzon.db") as store:
        r = ingest(path, store, journey="airline", mapping=mapping, detect=False)
        assert r.read == 103_904
        assert r.quarantined == len(broken) == 5 * 1_039
        assert r.stored == 103_904 - len(broken)
        assert r.duplicates == 0
        got = {q["row"]: q["reason"] for q in r.quarantine}
        assert set(got) == set(broken)
        wrong = {
            row: (broken[row], reason) for row, reason in got.items() if not reason.startswith(REASONS[broken[row]])
        }
        assert not wrong, list(wrong.items())[:5]
        q = store.quarantine()
        assert len(q) == len(broken)
        assert set(q["row"]) == set(broken)
        assert q["raw"].notna().all()

        again = ingest(path, store, journey="airline", mapping=mapping, detect=False)
        assert (again.stored, again.duplicates, again.quarantined) == (0, r.stored, len(broken))
        assert store.counts()["interactions"] == r.stored
        assert store.counts()["quarantine"] == len(broken)
