"""Customer Support on Twitter replayed as conversations: first-response times per brand, customer turns as moments.

Threads the tweets through in_response_to_tweet_id / response_tweet_id, and prints:
  * per brand: answered customer tweets (n), median and p90 minutes to the brand's first response;
  * threads (conversations) and their turns;
  * the customer turns scored as moments by carlzon's Detector (counts by valence), beside
    vaderSentiment 3.3.2 (+-0.05) on the same texts in the same run (the anchor), with texts per second.

Usage:
    python bench/support_twitter.py [--data ../shared/data/customer_support_twitter] [--files twcs.csv sample.csv] [--top 15]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "data" / "customer_support_twitter"


def load(path: Path) -> tuple[pd.DataFrame, int]:
    """The tweets of one file as messages (id, author, inbound, time, in_response_to, text); malformed rows dropped."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, on_bad_lines="skip")
    ok = raw["inbound"].isin(["True", "False"])
    raw = raw[ok]
    msgs = pd.DataFrame(
        {
            "id": raw["tweet_id"].str.strip(),
            "author": raw["author_id"],
            "inbound": raw["inbound"] == "True",
            "time": pd.to_datetime(raw["created_at"], format="%a %b %d %H:%M:%S %z %Y", utc=True, errors="coerce"),
            "in_response_to": raw["in_response_to_tweet_id"].replace("", None),
            "text": raw["text"],
        }
    )
    bad = int((~ok).sum()) + int(msgs["time"].isna().sum())
    return msgs[msgs["time"].notna()].reset_index(drop=True), bad


def recovery(msgs: pd.DataFrame, moments: pd.DataFrame, first: pd.DataFrame) -> None:
    """Misery turns the brand answered, and what the same customer said next in the thread (the follow-up)."""
    from carlzon.analysis.intervals import wilson_interval

    valence = dict(zip(moments["interaction_id"], moments["valence"]))
    cust = msgs[msgs["inbound"]].sort_values("time", kind="stable")
    answered = first.set_index("customer_message")
    outcomes = []
    for r in cust.itertuples():
        if valence.get(r.id) != "misery" or r.id not in answered.index:
            continue
        after = answered.loc[r.id, "answered"]
        nxt = cust[(cust["thread"] == r.thread) & (cust["author"] == r.author) & (cust["time"] > after)]
        if len(nxt):
            outcomes.append(valence.get(nxt.iloc[0]["id"]) != "misery")
    misery = sum(1 for v in valence.values() if v == "misery")
    n_answered = sum(1 for k, v in valence.items() if v == "misery" and k in answered.index)
    est, lo, hi = wilson_interval(int(sum(outcomes)), len(outcomes))
    shown = f"{est:.0%} (95% CI {lo:.0%}-{hi:.0%})" if outcomes else "n/a"
    print(
        f"recovery replay: misery turns {misery}, answered by the brand {n_answered}, with a later customer turn "
        f"in the thread {len(outcomes)}; that turn no longer misery: {shown}, n={len(outcomes)}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the CSV files")
    ap.add_argument("--files", nargs="+", default=["twcs.csv", "sample.csv"], help="files in --data to replay")
    ap.add_argument("--top", type=int, default=15, help="brands to print (most answered first)")
    args = ap.parse_args(argv)

    from carlzon.detect import Detector
    from carlzon.loop.conversations import first_responses, response_summary, thread_roots

    for name in args.files:
        path = args.data / name
        if not path.exists():
            print(f"{path} is absent: pass --data with the customer_support_twitter folder", file=sys.stderr)
            return 2
        msgs, bad = load(path)
        print(
            f"\n== {name}: {len(msgs)} tweets ({int(msgs['inbound'].sum())} from customers, "
            f"{int((~msgs['inbound']).sum())} from brands; {bad} malformed rows skipped)"
        )
        msgs["thread"] = thread_roots(msgs)
        turns = msgs.groupby("thread").size()
        print(
            f"conversations: {len(turns)} threads; turns per thread median {turns.median():g}, max {turns.max()}; "
            f"threads with 3+ turns: {(turns >= 3).sum()}"
        )

        first = first_responses(msgs)
        summary = response_summary(first)
        q = first["minutes"]
        print(
            f"first response, all brands: n={len(q)}, median {q.median():.1f} min, p90 {q.quantile(0.9):.1f} min "
            f"(customer tweets never answered in this file: {int(msgs['inbound'].sum()) - len(q)})"
        )
        print(f"{'brand':<18}{'n':>5}{'median min':>12}{'p90 min':>10}")
        for r in summary.head(args.top).itertuples():
            print(f"{r.brand:<18}{r.n:>5}{r.median_minutes:>12.1f}{r.p90_minutes:>10.1f}")

        cust = msgs[msgs["inbound"]]
        texts = cust["text"].tolist()
        interactions = pd.DataFrame(
            {
                "id": cust["id"],
                "customer_id": cust["author"],
                "timestamp": cust["time"],
                "channel": "social",
                "text": cust["text"],
            }
        )
        det = Detector(None)
        det.detect(interactions.head(5))  # warm up (lexicon load) outside the timing
        t0 = time.perf_counter()
        moments = det.detect(interactions)
        dt = time.perf_counter() - t0
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        sia = SentimentIntensityAnalyzer()
        t1 = time.perf_counter()
        comp = np.array([sia.polarity_scores(t)["compound"] for t in texts])
        dv = time.perf_counter() - t1
        vader = pd.Series(np.where(comp >= 0.05, "magic", np.where(comp <= -0.05, "misery", "neutral")))
        counts = moments["valence"].value_counts()
        vcounts = vader.value_counts()
        print(f"customer turns scored as moments (n={len(texts)}):")
        print(f"{'valence':<10}{'carlzon':>9}{'vader':>8}")
        for v in ("misery", "neutral", "magic"):
            print(f"{v:<10}{int(counts.get(v, 0)):>9}{int(vcounts.get(v, 0)):>8}")
        print(
            f"agreement with vader: {np.mean(moments['valence'].to_numpy() == vader.to_numpy()):.3f}; "
            f"speed: carlzon {len(texts) / dt:,.0f} texts/s, vader {len(texts) / dv:,.0f} texts/s"
        )
        recovery(msgs, moments, first)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
