"""detect() on a batch gives each row what it gives that row alone: the evidence built on demand, the
text scores' cached lists and the batch-wide passes change how fast, never what."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from carlzon.detect import Detector
from carlzon.simulate import simulate


@pytest.fixture(scope="module")
def batch() -> tuple[Detector, pd.DataFrame]:
    it = simulate("hotel", seed=2, customers=200, days=40).interactions
    it = it[it["comment"].notna()].head(40).reset_index(drop=True)
    df = pd.DataFrame(
        {
            "id": it["response_id"].astype(str),
            "text": it["comment"],
            "stars": it["stars"],
            "nps": it["nps"],
            "touchpoint": it["touchpoint"],
        }
    )
    # a few hand-written rows: several touchpoints, a contrast with the rating, no text, a foreign language
    extra = pd.DataFrame(
        {
            "id": ["x1", "x2", "x3", "x4"],
            "text": [
                "The room was spotless, but check-in took 45 minutes and the clerk was rude. Breakfast was great.",
                "Lovely stay, the staff were wonderful",
                None,
                "It was fine. They lost my bag!",
            ],
            "stars": [None, 1.0, 4.0, None],
            "nps": [None, None, None, 3.0],
            "touchpoint": [None, None, None, None],
        }
    )
    return Detector("hotel"), pd.concat([df, extra], ignore_index=True)


def test_a_batch_gives_each_row_its_own_moments(batch):
    det, df = batch
    whole = det.detect(df)
    alone = pd.concat([det.detect(df.iloc[[i]]) for i in range(len(df))], ignore_index=True)
    pd.testing.assert_frame_equal(whole, alone)


def test_detect_leaves_garbage_collection_on(batch):
    det, df = batch
    det.detect(df.head(3))
    assert gc.isenabled()


def test_detect_leaves_garbage_collection_off_when_it_was(batch):
    det, df = batch
    gc.disable()
    try:
        det.detect(df.head(3))
        off = not gc.isenabled()
    finally:
        gc.enable()
    assert off
