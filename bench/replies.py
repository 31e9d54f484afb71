"""Suggested first replies on real support threads (Customer Support on Twitter), beside the brands' replies.

For every customer tweet a brand answered, carlzon detects its moment, builds the case a support lead
would see and writes the suggested first reply, twice: as if answered an hour after the tweet ("live")
and as if answered today ("late", months after: time-bound fixes must not be promised). Prints:
  * threads used (n), and per mode the replies that quote a lone word back or promise what the date
    makes impossible (both must be 0);
  * the coaching score (carlzon.loop.coaching) of carlzon's replies beside the brands' own replies on
    the same threads (the anchor, in the same run);
  * --sample N threads drawn at random (--seed): the customer's words, the problem carlzon names, the
    brand's reply, for a person to judge whether the actual problem is named.

Usage:
    python bench/replies.py [--data ../shared/data/customer_support_twitter] [--sample 30] [--seed 18]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta, UTC
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "data" / "customer_support_twitter"
sys.path.insert(0, str(REPO / "bench"))


def threads(data: Path) -> pd.DataFrame:
    """Customer tweets a brand answered: id, author, time, text, brand, brand_reply."""
    from support_twitter import load

    from carlzon.loop.conversations import first_responses

    msgs, _ = load(data / "twcs.csv")
    first = first_responses(msgs)
    by_id = msgs.assign(_id=msgs["id"].astype(str).str.replace(r"\.0$", "", regex=True)).set_index("_id")
    replies = msgs[~msgs["inbound"]].copy()
    replies["_to"] = replies["in_response_to"].astype(str).str.replace(r"\.0$", "", regex=True)
    first_reply = replies.sort_values("time", kind="stable").drop_duplicates("_to").set_index("_to")["text"]
    out = first.merge(by_id[["author", "time", "text"]], left_on="customer_message", right_index=True)
    out["brand_reply"] = out["customer_message"].map(first_reply)
    return out[out["brand_reply"].notna()].reset_index(drop=True)


def cases(rows: pd.DataFrame) -> list[dict]:
    """One case per customer tweet, as RecoveryDesk would hold it (the strongest moment's evidence)."""
    from carlzon.detect import Detector

    inter = pd.DataFrame(
        {
            "id": rows["customer_message"],
            "customer_id": rows["author"],
            "timestamp": rows["time"],
            "channel": "social",
            "text": rows["text"],
        }
    )
    moments = Detector(None).detect(inter)
    best = moments.sort_values("score").drop_duplicates("interaction_id").set_index("interaction_id")
    out = []
    for r in rows.itertuples():
        m = best.loc[r.customer_message] if r.customer_message in best.index else None
        out.append(
            {
                "id": r.customer_message,
                "customer_name": None,
                "text": r.text,
                "moment_at": r.time,
                "touchpoint": m["touchpoint"] if m is not None else "unknown",
                "stakes": m["stakes"] if m is not None else "low",
                "evidence": m["evidence"] if m is not None else "[]",
                "reasons": m["reasons"] if m is not None else "",
                "valence": m["valence"] if m is not None else "",
                "deadlines": {},
                "brand": r.brand,
                "brand_reply": r.brand_reply,
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the customer_support_twitter folder")
    ap.add_argument("--sample", type=int, default=30, help="threads to print for a person to judge")
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args(argv)
    if not (args.data / "twcs.csv").exists():
        print(f"{args.data / 'twcs.csv'} is absent: pass --data", file=sys.stderr)
        return 2
    from carlzon.journey import load_journey
    from carlzon.loop.coaching import coach
    from carlzon.loop.replies import describe_problem, impossible_promises, quotes_lone_word, suggest_reply

    journey = load_journey("online_shop")
    rows = threads(args.data)
    t0 = time.perf_counter()
    all_cases = cases(rows)
    t_detect = time.perf_counter() - t0
    print(f"threads: {len(all_cases)} customer tweets answered by a brand (detected in {t_detect:.1f} s)")
    today = datetime.now(UTC)
    t1 = time.perf_counter()
    for mode in ("live", "late"):
        lone = impossible = 0
        examples = []
        for c in all_cases:
            now = pd.Timestamp(c["moment_at"]).to_pydatetime() + timedelta(hours=1) if mode == "live" else today
            reply = suggest_reply(c, journey, now=now)
            c[f"reply_{mode}"] = reply
            bad = quotes_lone_word(reply) + impossible_promises(reply, c, now)
            lone += bool(quotes_lone_word(reply))
            impossible += bool(impossible_promises(reply, c, now))
            if bad and len(examples) < 3:
                examples.append(f"{c['id']}: {bad}")
        print(
            f"{mode:<5} replies: {len(all_cases)}; quoting a lone word back: {lone}; "
            f"promising what the date makes impossible: {impossible}" + "".join(f"\n  {e}" for e in examples)
        )
    dt = time.perf_counter() - t1
    print(f"replies written: {2 * len(all_cases)} in {dt:.2f} s")
    ours = np.array([coach(c["reply_live"], issue=c["text"]).score for c in all_cases])
    theirs = np.array([coach(str(c["brand_reply"]), issue=c["text"]).score for c in all_cases])
    print(
        f"coaching score (0-100), same threads: carlzon median {np.median(ours):.0f} (mean {ours.mean():.1f}); "
        f"brands' replies (anchor) median {np.median(theirs):.0f} (mean {theirs.mean():.1f}), n={len(ours)}"
    )
    misery = [c for c in all_cases if c["valence"] == "misery"]
    print(
        f"threads whose customer tweet is a moment of misery (a case would open): {len(misery)}; "
        f"the sample below is drawn from them (seed {args.seed})"
    )
    rnd = random.Random(args.seed)
    for i, c in enumerate(rnd.sample(misery, min(args.sample, len(misery))), 1):
        print(f"\n--- {i}. tweet {c['id']} to {c['brand']} ({c['valence'] or 'no moment'}, {c['touchpoint']})")
        print(f"customer: {' '.join(str(c['text']).split())}")
        print(f"carlzon names: {describe_problem(c)}")
        print(f"brand replied: {' '.join(str(c['brand_reply']).split())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
