"""Named numbers (survey item ratings, measures) are stored packed under a layout and read back as objects."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

from carlzon.errors import StoreError
from carlzon.ingest import ingest
from carlzon.jsoncols import NumberMap, unpack_numbers

pytestmark = pytest.mark.filterwarnings("ignore:Discarding nonzero nanoseconds")


def _survey(n: int = 5, *, items: tuple[str, ...] = ("Seat comfort", "Food and drink"), start: int = 0) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "response_id": [f"r{start + i}" for i in range(n)],
            "comment": [f"comment {i}, with a comma" for i in range(n)],
        }
    )
    for k, item in enumerate(items):
        df[item] = [(i + k) % 5 + 1 if i % 3 else None for i in range(n)]
    df["departure_delay_minutes"] = [10 * i for i in range(n)]
    df["gate"] = [f"B{i}" for i in range(n)]
    return df


def test_ingest_stores_ratings_and_measures_packed_and_reads_them_back(store):
    ingest(_survey(), store, journey="airline", detect=False)
    raw = store.query("SELECT id, ratings, measures, attributes, layout FROM interactions ORDER BY id")
    assert raw["ratings"].tolist()[:2] == ["[null,null]", "[2,3]"]  # values only, in the layout's order
    assert raw["measures"].tolist()[1] == "[10]"
    assert raw["attributes"].tolist()[1] == '{"gate":"B1"}'  # attributes stay objects
    assert raw["layout"].nunique() == 1
    layout = store.query("SELECT ratings, measures FROM layouts")
    assert json.loads(layout["ratings"].iloc[0]) == ["Seat comfort", "Food and drink"]
    assert json.loads(layout["measures"].iloc[0]) == ["departure_delay_minutes"]

    got = store.interactions().set_index("id")
    assert "layout" not in got.columns
    assert got.loc["r1", "ratings"] == '{"Seat comfort":2,"Food and drink":3}'
    assert got.loc["r0", "ratings"] == '{"Seat comfort":null,"Food and drink":null}'
    assert json.loads(got.loc["r4", "measures"]) == {"departure_delay_minutes": 40}


def test_moments_carry_the_unpacked_ratings(store):
    ingest(_survey(), store, journey="airline", detect=True)
    m = store.moments()
    r2 = m[m["interaction_id"] == "r2"]  # a moment per rated touchpoint, each with its interaction's ratings
    assert {json.dumps(json.loads(v), sort_keys=True) for v in r2["ratings"]} == {
        json.dumps({"Food and drink": 4, "Seat comfort": 3}, sort_keys=True)
    }
    assert "layout" not in m.columns


def test_same_names_share_one_layout_and_new_names_get_another(store):
    ingest(_survey(3), store, journey="airline", detect=False)
    ingest(_survey(3, start=10), store, journey="airline", detect=False)
    assert len(store.query("SELECT id FROM layouts")) == 1
    ingest(_survey(3, items=("Cleanliness",), start=20), store, journey="airline", detect=False)
    assert len(store.query("SELECT id FROM layouts")) == 2
    got = store.interactions().set_index("id")
    assert json.loads(got.loc["r21", "ratings"]) == {"Cleanliness": 2}
    assert json.loads(got.loc["r11", "ratings"]) == {"Seat comfort": 2, "Food and drink": 3}


def test_rows_added_as_objects_are_kept_as_given(store):
    store.add_interactions(pd.DataFrame({"id": ["a"], "ratings": [{"Seat comfort": 4, "note": "x"}]}))
    raw = store.query("SELECT ratings, layout FROM interactions")
    assert raw["layout"].isna().all()
    assert json.loads(store.interactions()["ratings"].iloc[0]) == {"Seat comfort": 4, "note": "x"}


def test_a_rolled_back_layout_is_not_reused(store):
    m = NumberMap(("Seat comfort",), (pa.array(["4"]),))
    with pytest.raises(RuntimeError), store.transaction():
        store.add_interaction_columns({"id": ["x"], "ratings": m})
        raise RuntimeError("abort")
    assert store.counts()["interactions"] == 0
    assert len(store.query("SELECT id FROM layouts")) == 0
    store.add_interaction_columns({"id": ["y"], "ratings": m})  # must add the layout again, not cite a lost id
    assert json.loads(store.interactions()["ratings"].iloc[0]) == {"Seat comfort": 4}


def test_a_damaged_packed_row_is_an_error_that_says_so(store):
    ingest(_survey(3), store, journey="airline", detect=False)
    store.execute("UPDATE interactions SET ratings = '[1]' WHERE id = 'r1'")
    with pytest.raises(StoreError, match="does not hold 2 numbers in column ratings"):
        store.interactions()


def test_unpack_numbers_keeps_nulls_and_escapes_names():
    assert unpack_numbers(["[1,null]", None], ['say "hi"', "ü"]) == ['{"say \\"hi\\"":1,"ü":null}', None]
    with pytest.raises(ValueError):
        unpack_numbers(["[1]"], ["a", "b"])
