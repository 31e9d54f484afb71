"""Conversations: threads follow reply links; first-response times per brand; the bench runs on the real samples."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

from carlzon.loop.conversations import first_responses, response_summary, thread_roots


def msgs():
    t = pd.to_datetime(
        [
            "2017-10-31 10:00",
            "2017-10-31 10:30",
            "2017-10-31 10:20",
            "2017-10-31 10:40",
            "2017-10-31 11:00",
            "2017-10-31 12:00",
        ],
        utc=True,
    )
    return pd.DataFrame(
        {
            "id": ["1", "2", "3", "4", "5", "6"],
            "author": ["c1", "AirSupport", "AirSupport", "c1", "c2", "ShopHelp"],
            "inbound": [True, False, False, True, True, False],
            "time": t,
            "in_response_to": [None, "1.0", "1", "2", None, "5"],
        }
    )


def test_first_response_is_the_earliest_reply():
    first = first_responses(msgs()).set_index("customer_message")
    assert first.loc["1", "minutes"] == 20.0  # tweet 3 at 10:20 beats tweet 2 at 10:30
    assert first.loc["5", "minutes"] == 60.0
    assert "4" not in first.index  # never answered


def test_summary_per_brand_has_n_median_p90():
    s = response_summary(first_responses(msgs())).set_index("brand")
    assert s.loc["AirSupport", "n"] == 1
    assert s.loc["AirSupport", "median_minutes"] == 20.0
    assert set(s.columns) == {"n", "median_minutes", "p90_minutes"}


def test_threads():
    assert thread_roots(msgs()).tolist() == ["1", "1", "1", "1", "5", "5"]


def test_bench_replays_the_real_samples(shared_data):
    folder = shared_data / "customer_support_twitter"
    bench = Path(__file__).resolve().parents[2] / "bench" / "support_twitter.py"
    out = subprocess.run(
        [sys.executable, str(bench), "--data", str(folder), "--files", "sample.csv"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "sample.csv: 93 tweets (49 from customers, 44 from brands" in out.stdout
    assert "AppleSupport" in out.stdout
    assert "customer turns scored as moments (n=49)" in out.stdout
