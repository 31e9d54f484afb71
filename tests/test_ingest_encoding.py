"""Ingest's fast paths store exactly what the plain paths would: JSON numbers, booleans, escapes, the first slice."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pyarrow as pa
import pytest

from carlzon.store import open_store

ing = importlib.import_module("carlzon.ingest")
jc = importlib.import_module("carlzon.jsoncols")


@pytest.mark.parametrize(
    "values, expected",
    [
        (["1", "5", "10"], True),
        (["007"], False),  # a leading zero is not a JSON number
        (["0", "12"], True),
        (["-3", "2.50", "1e5"], True),
        (["+4"], False),
        ([".5"], False),
        (["5", "NaN"], False),
        (["true"], False),
        ([], True),
    ],
)
def test_all_json_numbers(values, expected):
    assert jc.all_json_numbers(pa.chunked_array([pa.array(values, pa.string())])) is expected


@pytest.mark.parametrize(
    "values, expected",
    [(["plain", "ünï"], False), (['x"y'], True), (["back\\slash"], True), (["tab\there"], True), ([None], False)],
)
def test_needs_escape(values, expected):
    assert jc.needs_escape(pa.chunked_array([pa.array(values, pa.string())])) is expected


def test_attributes_are_valid_json_with_the_values_as_written(tmp_path: Path):
    rows = ["comment,nps,misc,flag,code,amount"]
    misc = ['x""y', "back\\slash", "tab\there", "ünï", "5"]
    for i in range(40):
        rows.append(f'c{i},{i % 11},"{misc[i % 5]}",{"true" if i % 2 else "false"},{"007" if i % 3 else "12"},{-i}.5')
    p = tmp_path / "edge.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with open_store(tmp_path / "s.db") as st:
        ing.ingest(p, st, detect=False)
        attrs = [json.loads(a) for a in st.interactions()["attributes"]]
    assert [a["misc"] for a in attrs[:5]] == ['x"y', "back\\slash", "tab\there", "ünï", "5"]
    assert [a["flag"] for a in attrs[:2]] == [False, True]
    assert [a["code"] for a in attrs[:3]] == ["12", "007", "007"]  # not all JSON numbers: kept as text
    assert [a["amount"] for a in attrs[:2]] == [0.5, -1.5]


def test_first_batch_is_stored_in_two_slices_with_row_numbers_kept(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(ing, "FIRST_ROWS", 10)
    rows = ["comment,nps"] + [f"c{i},{11 if i in (3, 25) else i % 11}" for i in range(60)]
    rows.insert(8, "broken,row,extra")  # record 8 (line 9) has a field too many
    p = tmp_path / "slices.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    batches = []
    with open_store(tmp_path / "s.db") as st:
        real = st.add_interaction_columns
        monkeypatch.setattr(st, "add_interaction_columns", lambda cols: batches.append(len(cols["id"])) or real(cols))
        r = ing.ingest(p, st, detect=False)
        texts = st.interactions()["text"].tolist()
    assert (r.read, r.stored, r.quarantined) == (61, 58, 3)
    assert len(batches) == 2 and batches[0] == 9  # 10 rows less the out-of-range one
    assert sorted((q["row"], q["reason"][:20].strip()) for q in r.quarantine) == [
        (5, "rating out of range:"),
        (9, "wrong column count:"),
        (28, "rating out of range:"),
    ]
    assert texts == [f"c{i}" for i in range(60) if i not in (3, 25)]
