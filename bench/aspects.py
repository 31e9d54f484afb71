"""Moments per touchpoint on real data, each figure beside its anchor measured in the same run.

  * lounge: skytrax_lounge_reviews/lounge.csv with the journey bench/journeys/lounge.yaml (a user's
    own, nothing trained on the ratings): per rated aspect, the Spearman partial correlation, given
    the overall rating, between carlzon's score at the matching touchpoint (0 when none) and the
    aspect's rating, and coverage (the share of reviews rating the aspect 1-2 while overall is 3-5
    that get a moment of misery there); anchor: vaderSentiment's mean compound over the sentences
    that match a keyword list for the aspect (0 when none).
  * semeval: semeval2014_restaurants_train (train split), `restaurant` journey: category detection
    micro-F1 over (sentence, category) and 3-way polarity accuracy per gold category; anchor:
    vaderSentiment on the whole sentence, and the figures of SOURCE.md.
  * survey: airline_passenger_satisfaction/train.csv, the 14 rated items as moments.
  * tweets: interaction-level valence (overall) on Tweets.csv beside vaderSentiment, the negative
    reasons' touchpoint figure, and speed (texts per second, one core) of splitting and scoring
    texts, and of the whole ``Detector.detect()``, beside vaderSentiment on tweets and on
    review-length texts (the lounge reviews, with bench/journeys/lounge.yaml).

Usage:
    python bench/aspects.py [--data ../shared/data] [--only lounge,semeval,survey,tweets] [--survey-rows 20000]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
LOUNGE_JOURNEY = REPO / "bench" / "journeys" / "lounge.yaml"

LOUNGE_ASPECTS = {  # rating column -> (touchpoint of bench/journeys/lounge.yaml, the anchor's keywords)
    "comfort_rating": (
        "comfort",
        [
            "seat",
            "seats",
            "seating",
            "chair",
            "chairs",
            "comfort",
            "comfortable",
            "sofa",
            "space",
            "crowded",
            "quiet",
            "noisy",
            "relax",
        ],
    ),
    "cleanliness_rating": ("cleanliness", ["clean", "dirty", "tidy", "cleanliness", "filthy", "messy"]),
    "bar_beverages_rating": (
        "bar",
        [
            "bar",
            "drink",
            "drinks",
            "beverage",
            "beverages",
            "wine",
            "beer",
            "alcohol",
            "champagne",
            "coffee",
            "tea",
            "juice",
        ],
    ),
    "catering_rating": (
        "food",
        [
            "food",
            "snack",
            "snacks",
            "catering",
            "buffet",
            "meal",
            "sandwich",
            "sandwiches",
            "breakfast",
            "salad",
            "fruit",
        ],
    ),
    "washrooms_rating": (
        "washrooms",
        [
            "washroom",
            "washrooms",
            "toilet",
            "toilets",
            "shower",
            "showers",
            "restroom",
            "restrooms",
            "bathroom",
            "bathrooms",
        ],
    ),
    "wifi_connectivity_rating": (
        "wifi",
        ["wifi", "wi-fi", "internet", "connection", "power", "socket", "sockets", "computer", "computers"],
    ),
    "staff_service_rating": ("staff", ["staff", "service", "attendant", "friendly", "rude", "helpful", "welcome"]),
}

SEMEVAL_CATEGORIES = ["food", "service", "price", "ambience", "anecdotes/miscellaneous"]
RESTAURANT_TO_CATEGORY = {  # touchpoint of the restaurant template -> SemEval category (others: anecdotes)
    "food_quality": "food",
    "drinks": "food",
    "ordering": "food",
    "allergens": "food",
    "food_safety": "food",
    "service": "service",
    "welcome": "service",
    "seating": "service",
    "food_timing": "service",
    "reservation": "service",
    "takeaway_delivery": "service",
    "complaint_handling": "service",
    "bill": "price",
    "price_value": "price",
    "ambience": "ambience",
    "restrooms": "ambience",
}
POLARITY = {"magic": "positive", "misery": "negative", "neutral": "neutral"}


def one_core() -> None:
    """Pin this process to one core and Arrow to one thread, so speeds compare fairly."""
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


def partial_spearman(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    """Spearman partial correlation of x and y given z (Pearson partial correlation of the ranks)."""
    from scipy.stats import rankdata

    rx, ry, rz = rankdata(x), rankdata(y), rankdata(z)
    c = np.corrcoef([rx, ry, rz])
    rxy, rxz, ryz = c[0, 1], c[0, 2], c[1, 2]
    den = np.sqrt((1 - rxz**2) * (1 - ryz**2))
    return float((rxy - rxz * ryz) / den) if den > 0 else float("nan")


_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def vader_aspect_scores(texts: list[str], keywords: list[str]) -> np.ndarray:
    """The anchor: vaderSentiment's mean compound over the sentences with a keyword (0 when none)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    kw = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keywords) + r")\b", re.I)
    out = np.zeros(len(texts))
    for i, t in enumerate(texts):
        sents = [s for s in _SENTENCE.findall(t) if kw.search(s)]
        if sents:
            out[i] = float(np.mean([sia.polarity_scores(s)["compound"] for s in sents]))
    return out


def at_touchpoint(moments: pd.DataFrame, ids: list[str], tp: str) -> tuple[np.ndarray, np.ndarray]:
    """Each interaction's score and misery flag at one touchpoint (0 / False when none)."""
    m = moments[moments["touchpoint"] == tp].drop_duplicates("interaction_id").set_index("interaction_id")
    score = m["score"].reindex(ids).fillna(0.0).to_numpy(dtype=float)
    misery = (m["valence"] == "misery").reindex(ids, fill_value=False).to_numpy(dtype=bool)
    return score, misery


def lounge(data: Path) -> list[tuple]:
    from carlzon.detect import Detector

    df = pd.read_csv(data / "skytrax_lounge_reviews" / "lounge.csv")
    overall = pd.to_numeric(df["overall_rating"], errors="coerce")
    df = df[overall.between(1, 5)].reset_index(drop=True)
    overall = pd.to_numeric(df["overall_rating"]).to_numpy(dtype=float)
    texts = df["content"].fillna("").astype(str).tolist()
    ids = [str(i) for i in range(len(df))]
    moments = Detector(LOUNGE_JOURNEY).detect(pd.DataFrame({"id": ids, "text": texts}))
    rows, pcs, pvs, cov_c, cov_v = [], [], [], [], []
    for col, (tp, kws) in LOUNGE_ASPECTS.items():
        r = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        ok = (r >= 1) & (r <= 5)
        c_score, c_mis = at_touchpoint(moments, ids, tp)
        v_score = vader_aspect_scores(texts, kws)
        pc = partial_spearman(c_score[ok], r[ok], overall[ok])
        pv = partial_spearman(v_score[ok], r[ok], overall[ok])
        low = ok & (r <= 2) & (overall >= 3)
        cc, cv = float(c_mis[low].mean()), float((v_score[low] < 0).mean())
        pcs.append(pc), pvs.append(pv), cov_c.append(cc), cov_v.append(cv)
        rows.append(
            (
                f"  {col} -> {tp} (n={ok.sum()}, low {low.sum()})",
                f"partial {pc:+.3f}  coverage {cc:.0%}",
                f"partial {pv:+.3f}  coverage {cv:.0%}",
                "",
            )
        )
    mc, mv, kc, kv = np.mean(pcs), np.mean(pvs), np.mean(cov_c), np.mean(cov_v)
    per = moments.groupby("interaction_id").size()
    head = [
        (
            f"lounge.csv (n={len(df)}), mean over 7 aspects",
            f"partial {mc:+.3f}  coverage {kc:.0%}",
            f"partial {mv:+.3f}  coverage {kv:.0%} (README: +0.226, 35%)",
            f"partial >= 1.25x ({mc / mv:.2f}x), coverage >= 1.5x ({kc / kv:.2f}x)",
        ),
        (
            f"  moments per review (touchpoint known {np.mean(moments.touchpoint != 'unknown'):.0%})",
            f"mean {per.mean():.2f}, median {per.median():.0f}",
            "",
            "",
        ),
    ]
    return head + rows


def semeval(data: Path) -> list[tuple]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from carlzon.detect import Detector

    root = ET.parse(data / "semeval2014_restaurants_train" / "Restaurants_Train_v2.xml").getroot()
    texts, gold = [], []
    for s in root.iter("sentence"):
        texts.append(s.findtext("text") or "")
        cats = s.find("aspectCategories")
        gold.append({c.get("category"): c.get("polarity") for c in (cats if cats is not None else [])})
    ids = [str(i) for i in range(len(texts))]
    m = Detector("restaurant").detect(pd.DataFrame({"id": ids, "text": texts}))
    m["category"] = m["touchpoint"].map(RESTAURANT_TO_CATEGORY).fillna("anecdotes/miscellaneous")
    pred: dict[str, dict[str, str]] = {i: {} for i in ids}
    for i, c, v in zip(m["interaction_id"], m["category"], m["valence"]):
        pred[i].setdefault(c, POLARITY[v])  # moments come strongest first
    overall = dict(zip(m["interaction_id"], m["overall_valence"].map(POLARITY)))
    tp = fp = fn = 0
    hit = tot = 0
    sia = SentimentIntensityAnalyzer()
    v_hit = 0
    for i, g in zip(ids, gold):
        p = set(pred[i])
        tp, fp, fn = tp + len(p & set(g)), fp + len(p - set(g)), fn + len(set(g) - p)
        comp = sia.polarity_scores(texts[int(i)])["compound"]
        v_pol = "positive" if comp >= 0.05 else "negative" if comp <= -0.05 else "neutral"
        for c, pol in g.items():
            if pol == "conflict":
                continue
            tot += 1
            hit += pred[i].get(c, overall[i]) == pol
            v_hit += v_pol == pol
    f1 = 2 * tp / max(2 * tp + fp + fn, 1)
    mapping = ", ".join(f"{k}->{v}" for k, v in RESTAURANT_TO_CATEGORY.items())
    return [
        (
            f"semeval restaurants train: detection micro-F1 (n={len(texts)})",
            f"{f1:.3f}",
            "carlzon 0.1.0: 0.632",
            ">= 0.75",
        ),
        (
            f"  polarity accuracy per gold category (n={tot})",
            f"{hit / tot:.3f}",
            f"vader per sentence {v_hit / tot:.3f} (SOURCE.md 0.655)",
            ">= 0.76",
        ),
        ("  mapping", mapping + "; else anecdotes/miscellaneous", "", ""),
    ]


SURVEY_ITEMS = [
    "Inflight wifi service",
    "Departure/Arrival time convenient",
    "Ease of Online booking",
    "Gate location",
    "Food and drink",
    "Online boarding",
    "Seat comfort",
    "Inflight entertainment",
    "On-board service",
    "Leg room service",
    "Baggage handling",
    "Checkin service",
    "Inflight service",
    "Cleanliness",
]


def survey(data: Path, n_rows: int) -> list[tuple]:
    from carlzon.detect import Detector
    from carlzon.journey import load_journey

    df = pd.read_csv(data / "airline_passenger_satisfaction" / "train.csv", nrows=n_rows)
    j = load_journey("airline")
    mapping = {it: getattr(j.match_item(it), "id", None) for it in SURVEY_ITEMS}
    ratings = df[SURVEY_ITEMS].to_dict("records")
    t0 = time.perf_counter()
    m = Detector(j).detect(pd.DataFrame({"id": df["id"].astype(str), "ratings": ratings}))
    dt = time.perf_counter() - t0
    rated = (df[SURVEY_ITEMS] >= 1).sum(axis=1).to_numpy()
    per = m[m["basis"] == "rating"].groupby("interaction_id").size().reindex(df["id"].astype(str)).fillna(0).to_numpy()
    distinct = len(set(mapping.values()) - {None})
    full = rated == 14
    return [
        (f"survey train.csv (n={len(df)}): distinct touchpoints of the 14 items", f"{distinct}", "14 items", "14"),
        (
            "  responses rating all 14: share with 14 moments",
            f"{np.mean(per[full] == 14):.1%} (n={full.sum()})",
            f"all rows: moments = items rated 1-5 in {np.mean(per == rated):.1%}",
            "100%",
        ),
        (
            "  items -> touchpoints",
            "; ".join(f"{k} -> {v}" for k, v in mapping.items()),
            f"{len(df) / dt:,.0f} rows/s",
            "",
        ),
    ]


def tweets(data: Path) -> list[tuple]:
    from sklearn.metrics import f1_score
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from carlzon.detect import Detector
    from carlzon.detect.mentions import find_mentions

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from tweets_touchpoints import REASON_TO_TOUCHPOINT

    tw = pd.read_csv(data / "twitter_airline_sentiment" / "Tweets.csv")
    texts = tw["text"].astype(str).tolist()
    ids = [str(i) for i in range(len(tw))]
    truth = tw["airline_sentiment"].map({"positive": "magic", "negative": "misery", "neutral": "neutral"}).to_numpy()
    det = Detector("airline")
    det.detect(pd.DataFrame({"id": ["w"], "text": ["warm up"]}))
    t0 = time.perf_counter()
    m = det.detect(pd.DataFrame({"id": ids, "text": texts}))
    t_detect = time.perf_counter() - t0
    overall = m.drop_duplicates("interaction_id")["overall_valence"].to_numpy()
    sia = SentimentIntensityAnalyzer()

    def vader(ts: list[str]) -> tuple[np.ndarray, float]:
        t = time.perf_counter()
        c = np.array([sia.polarity_scores(x)["compound"] for x in ts])
        return c, time.perf_counter() - t

    vc, t_vader = vader(texts)
    vval = np.where(vc >= 0.05, "magic", np.where(vc <= -0.05, "misery", "neutral"))
    f1c = f1_score(truth, overall, average="macro")
    f1v = f1_score(truth, vval, average="macro")

    def split_score(ts: list[str]) -> float:
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            find_mentions(ts, det.matcher, det.scorer)
            best = min(best, time.perf_counter() - t)
        return best

    t_split = split_score(texts)
    reviews = pd.read_csv(data / "skytrax_lounge_reviews" / "lounge.csv")["content"].fillna("").astype(str).tolist()
    t_split_r = split_score(reviews)
    _, t_vader_r = vader(reviews)
    det_r = Detector(LOUNGE_JOURNEY)
    det_r.detect(pd.DataFrame({"id": ["w"], "text": ["warm up"]}))
    t0 = time.perf_counter()
    det_r.detect(pd.DataFrame({"id": [str(i) for i in range(len(reviews))], "text": reviews}))
    t_detect_r = time.perf_counter() - t0
    neg = tw["negativereason"].isin(list(REASON_TO_TOUCHPOINT)).to_numpy()
    prim = m.drop_duplicates("interaction_id")["touchpoint"].to_numpy()  # each tweet's strongest moment
    # the strongest moment that reads as the tweet does (its misery, for a negative tweet), else the strongest
    agree = m[m["valence"] == m["overall_valence"]].drop_duplicates("interaction_id").set_index("interaction_id")
    same = agree["touchpoint"].reindex(ids).fillna(pd.Series(prim, index=ids)).to_numpy()
    tp_truth = tw["negativereason"].map(REASON_TO_TOUCHPOINT).to_numpy()
    labels = sorted(set(REASON_TO_TOUCHPOINT.values()))
    tp_f1 = f1_score(tp_truth[neg], prim[neg], average="macro", labels=labels)
    tp_f1s = f1_score(tp_truth[neg], same[neg], average="macro", labels=labels)
    n = len(texts)
    return [
        (
            f"Tweets.csv interaction valence (n={n})",
            f"macro-F1 {f1c:.3f}",
            f"vader {f1v:.3f}",
            ">= 0.64 and ahead of vader",
        ),
        (
            f"  touchpoint of negative reasons (n={neg.sum()}), strongest moment",
            f"macro-F1 {tp_f1:.3f}",
            "today 0.512",
            "printed",
        ),
        ("  ... strongest moment that reads as the tweet does", f"macro-F1 {tp_f1s:.3f}", "today 0.512", "printed"),
        (
            "  split + score, tweets, texts/s one core",
            f"{n / t_split:,.0f}",
            f"vader {n / t_vader:,.0f}",
            f">= 3x ({t_vader / t_split:.1f}x)",
        ),
        (
            f"  split + score, lounge reviews (n={len(reviews)}), texts/s",
            f"{len(reviews) / t_split_r:,.0f}",
            f"vader {len(reviews) / t_vader_r:,.0f}",
            f">= 3x ({t_vader_r / t_split_r:.1f}x)",
        ),
        (
            "  whole detect() on tweets (evidence, JSON), texts/s",
            f"{n / t_detect:,.0f}",
            f"vader {n / t_vader:,.0f}",
            f">= 3x ({t_vader / t_detect:.2f}x)",
        ),
        (
            f"  whole detect() on lounge reviews (n={len(reviews)}), texts/s",
            f"{len(reviews) / t_detect_r:,.0f}",
            f"vader {len(reviews) / t_vader_r:,.0f}",
            f">= 3x ({t_vader_r / t_detect_r:.2f}x)",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(REPO / ".." / "shared" / "data"))
    ap.add_argument("--only", default="lounge,semeval,survey,tweets")
    ap.add_argument("--survey-rows", type=int, default=20_000)
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not data.is_dir():
        print(f"no data folder at {data}: pass --data")
        return 1
    one_core()
    rows: list[tuple] = []
    for part in args.only.split(","):
        t0 = time.perf_counter()
        rows += {
            "lounge": lambda: lounge(data),
            "semeval": lambda: semeval(data),
            "survey": lambda: survey(data, args.survey_rows),
            "tweets": lambda: tweets(data),
        }[part]()
        print(f"[{part}: {time.perf_counter() - t0:.0f} s]", file=sys.stderr)
    w = max(len(r[0]) for r in rows)
    print(f"{'what':<{w}}  {'carlzon':<34} {'anchor (same run)':<44} bar")
    for r in rows:
        print(f"{r[0]:<{w}}  {r[1]:<34} {r[2]:<44} {r[3]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
