"""Themes of negative airline tweets against the human negative reasons (adjusted Rand index).

Prints the ARI of carlzon's Themes beside a plain keyword baseline (each tweet
goes to the most frequent content word it contains, among as many words as
there are reasons) on the same tweets, with n and the time taken.

    python bench/themes.py [PATH_TO_Tweets.csv]

Default path: ../shared/data/twitter_airline_sentiment/Tweets.csv (relative to the repo root).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import pandas as pd
from sklearn.metrics import adjusted_rand_score

from carlzon.analysis.themes import EXTRA_STOP_WORDS, Themes, clean_text

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "twitter_airline_sentiment" / "Tweets.csv"


def keyword_baseline(texts: list[str], k: int) -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop = ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS
    tokens = [[w for w in clean_text(t).split() if w.isalpha() and w not in stop] for t in texts]
    freq = Counter(w for ws in tokens for w in set(ws))
    top = [w for w, _ in freq.most_common(k)]
    rank = {w: i for i, w in enumerate(top)}
    out = []
    for ws in tokens:
        hits = sorted({w for w in ws if w in rank}, key=rank.get)
        out.append(hits[0] if hits else "none")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--method", default="tfidf")
    args = ap.parse_args()
    df = pd.read_csv(args.path)
    neg = df[(df["airline_sentiment"] == "negative") & df["negativereason"].notna()].reset_index(drop=True)
    truth = neg["negativereason"].tolist()
    k = neg["negativereason"].nunique()
    moments = pd.DataFrame(
        {
            "text": neg["text"],
            "valence": "misery",
            "touchpoint": "all",
            "timestamp": pd.to_datetime(neg["tweet_created"], utc=True),
        }
    )
    print(f"negative tweets with a human reason: n = {len(neg)}, reasons = {k}")
    t0 = time.perf_counter()
    base = keyword_baseline(neg["text"].tolist(), k)
    t_base = time.perf_counter() - t0
    print(f"{'method':<34} {'ARI (all)':>10} {'ARI (assigned)':>15} {'assigned':>9} {'groups':>7} {'seconds':>8}")
    assigned = [b != "none" for b in base]
    ari_a = adjusted_rand_score([t for t, a in zip(truth, assigned) if a], [b for b, a in zip(base, assigned) if a])
    print(
        f"{'keyword baseline (top words)':<34} {adjusted_rand_score(truth, base):>10.3f} {ari_a:>15.3f} "
        f"{sum(assigned) / len(base):>9.1%} {len(set(base)):>7} {t_base:>8.2f}"
    )
    for max_themes in (10, 20):
        t0 = time.perf_counter()
        th = Themes(method=args.method, valences=("misery",), per_touchpoint=False, max_themes=max_themes, seed=0).fit(
            moments
        )
        secs = time.perf_counter() - t0
        pred = th.assignments_.fillna("none").tolist()
        mask = th.assignments_.notna().to_numpy()
        ari_a = adjusted_rand_score([t for t, m in zip(truth, mask) if m], [p for p, m in zip(pred, mask) if m])
        print(
            f"{'Themes ' + args.method + f' (max_themes={max_themes})':<34} {adjusted_rand_score(truth, pred):>10.3f} "
            f"{ari_a:>15.3f} {1 - th.unassigned_share_:>9.1%} {len(th.themes_):>7} {secs:>8.2f}"
        )
        if max_themes == 10:
            for r in th.themes_.head(10).itertuples():
                top = Counter(t for t, p in zip(truth, pred) if p == r.theme_id).most_common(1)[0]
                print(f"    {r.label:<40} n={r.n:<5} most often: {top[0]} ({top[1] / r.n:.0%})")


if __name__ == "__main__":
    main()
