"""Benchmark of moment detection on real customer text, beside vaderSentiment in the same run.

Prints, for the valence of texts (nothing trained on them):
  * Tweets.csv (3 classes, all rows): accuracy and macro-F1, carlzon vs vaderSentiment 3.3.2 (+-0.05)
  * texts per second on the same texts, one core, carlzon vs vaderSentiment
  * every held-out sample bench/data/heldout_*.csv (columns text,label): macro-F1 carlzon vs vader
  * a fixed, seeded 80/20 split of Tweets.csv: `train_model` on 80%, tested on 20%, beside
    TF-IDF + logistic regression trained on the same 80% (and vader on the same 20%)
  * touchpoints: the negative reasons mapped onto the airline template (bench/tweets_touchpoints.py),
    and the held-out touchpoint samples bench/data/touchpoints_<journey>.csv (columns text,touchpoint)

Usage:
    python bench/detect.py [--tweets ../shared/data/twitter_airline_sentiment/Tweets.csv] [--heldout 'bench/data/heldout_*.csv']
    python bench/detect.py --quick        # valence and speed only
    python bench/detect.py --touchpoints  # touchpoint figures only
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TWEETS = REPO / ".." / "shared" / "data" / "twitter_airline_sentiment" / "Tweets.csv"
LABELS = ["magic", "misery", "neutral"]
LABEL_MAP = {
    "positive": "magic",
    "negative": "misery",
    "neutral": "neutral",
    "magic": "magic",
    "misery": "misery",
    "1": "misery",
    "2": "misery",
    "3": "neutral",
    "4": "magic",
    "5": "magic",
}


def one_core() -> None:
    """Pin this process to one core and Arrow to one thread, so speeds compare fairly."""
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def macro(y_true, y_pred) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return accuracy_score(y_true, y_pred), f1_score(y_true, y_pred, labels=LABELS, average="macro", zero_division=0)


def vader_valence(texts: list[str], repeat: int = 1) -> tuple[np.ndarray, float]:
    """vaderSentiment's valence with the usual +-0.05 thresholds, and its best time of `repeat` runs."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    dt = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        comp = np.array([sia.polarity_scores(t)["compound"] for t in texts])
        dt = min(dt, time.perf_counter() - t0)
    return np.where(comp >= 0.05, "magic", np.where(comp <= -0.05, "misery", "neutral")), dt


def carlzon_scorer():
    """The Detector's text scoring when it exists (what users get), else the bare TextScorer."""
    try:
        from carlzon.detect import Detector
    except ImportError:
        Detector = None
    if Detector is not None:
        det = Detector()
        return "Detector.score_texts", lambda texts: np.asarray(det.score_texts(texts)["valence"], dtype=object)
    from carlzon.detect.text import TextScorer

    scorer = TextScorer()
    return "TextScorer", lambda texts: scorer.score(texts).valence()


def timed(fn, texts, repeat: int) -> tuple[np.ndarray, float]:
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(texts)
        best = min(best, time.perf_counter() - t0)
    return out, best


def split_80_20(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A fixed split: the same rows every run (numpy default_rng(seed) permutation)."""
    perm = np.random.default_rng(seed).permutation(n)
    cut = round(n * 0.8)
    return np.sort(perm[:cut]), np.sort(perm[cut:])


def trained_rows(tw: pd.DataFrame, y: np.ndarray) -> list[tuple]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from carlzon.detect import Detector
    from carlzon.detect.model import train_model

    texts = tw["text"].astype(str).to_numpy(dtype=object)
    tr, te = split_80_20(len(texts))
    t0 = time.perf_counter()
    model = train_model(list(texts[tr]), list(y[tr]))
    fit_s = time.perf_counter() - t0
    pred = np.asarray(Detector(model=model).score_texts(list(texts[te]))["valence"], dtype=object)
    ca, cf = macro(y[te], pred)
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    lr = LogisticRegression(max_iter=2000, C=2.0).fit(vec.fit_transform(texts[tr]), y[tr])
    _, af = macro(y[te], lr.predict(vec.transform(texts[te])))
    vp, _ = vader_valence(list(texts[te]))
    _, vf = macro(y[te], vp)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        size_mb = model.save(Path(tmp) / "model.json").stat().st_size / 1e6
    info = model.info
    return [
        (
            f"trained 80% -> test 20% (n={len(te)})",
            f"acc {ca:.3f}  macro-F1 {cf:.4f}",
            f"vader {vf:.3f}; TF-IDF+LR {af:.3f}",
            f"macro-F1 >= 0.77: {'met' if cf >= 0.77 else 'NOT met'} (fit {fit_s:.0f} s)",
        ),
        (
            f"  its {info['cv_folds']}-fold CV on the 80% (n={len(tr)})",
            f"macro-F1 {info['cv_macro_f1']:.3f} (sd {info['cv_macro_f1_sd']:.3f})",
            f"with class offsets {info['cv_macro_f1_offsets']:.3f}; C={info['C']:g}",
            f"model file {size_mb:.1f} MB (< 10)",
        ),
    ]


def embed_rows(tw: pd.DataFrame, y: np.ndarray) -> list[tuple]:
    """The optional embed extra on the same 80/20 split (a line saying so when it is not installed)."""
    from carlzon.detect.embed import embed_available, train_embed_model

    if not embed_available():
        return [("embed extra, trained 80% -> test 20%", "not installed", "", "pip install 'carlzon[embed]'")]
    texts = tw["text"].astype(str).to_numpy(dtype=object)
    tr, te = split_80_20(len(texts))
    t0 = time.perf_counter()
    model = train_embed_model(list(texts[tr]), list(y[tr]))
    fit_s = time.perf_counter() - t0
    proba = model.predict_proba(list(texts[te]))
    pred = np.asarray(model.classes, dtype=object)[np.argmax(proba, axis=1)]
    ca, cf = macro(y[te], pred)
    return [
        (
            f"embed extra (MiniLM-L6 + LR), 80% -> 20% (n={len(te)})",
            f"acc {ca:.3f}  macro-F1 {cf:.3f}",
            "",
            f"report the figure (fit {fit_s:.0f} s)",
        )
    ]


def touchpoint_scores(truth: np.ndarray, pred: np.ndarray) -> tuple[float, float, float, dict[str, float]]:
    """Accuracy, macro-F1 and per-class F1 over the true touchpoints, and the share assigned (not 'unknown')."""
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(truth))
    per = f1_score(truth, pred, labels=labels, average=None, zero_division=0)
    return (
        accuracy_score(truth, pred),
        float(np.mean(per)),
        float(np.mean(pred != "unknown")),
        dict(zip(labels, per.round(2).tolist())),
    )


def touchpoint_rows(tw: pd.DataFrame) -> list[tuple]:
    from carlzon.detect import Detector

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from tweets_touchpoints import REASON_TO_TOUCHPOINT

    neg = tw[tw["negativereason"].isin(list(REASON_TO_TOUCHPOINT))].reset_index(drop=True)
    truth = neg["negativereason"].map(REASON_TO_TOUCHPOINT).to_numpy()
    df = pd.DataFrame({"id": [str(i) for i in range(len(neg))], "text": neg["text"].astype(str)})
    rows = []
    for learn in (False, True):
        moments = Detector("airline", learn_touchpoints=learn).detect(df).drop_duplicates("interaction_id")
        pred = moments["touchpoint"].astype(str).to_numpy()  # each tweet's strongest moment
        acc, f1, known, per = touchpoint_scores(truth, pred)
        learned = float(np.mean(moments["evidence"].str.contains("learned from n=", regex=False)))
        how = "learned step on (weak supervision from the batch)" if learn else "default: row by row"
        rows.append(
            (
                f"touchpoints of negative reasons (n={len(neg)}), {how}",
                f"acc {acc:.3f}  macro-F1 {f1:.3f}",
                f"assigned {known:.0%} (rest unknown; {learned:.0%} by the learned step)",
                "macro-F1 >= 0.6",
            )
        )
        if not learn:
            rows.append(("  F1 per touchpoint", "  ".join(f"{k} {v:.2f}" for k, v in per.items()), "", ""))
    rows.append(label_noise_row(df["text"].tolist(), truth))
    return rows


def label_noise_row(texts: list[str], truth: np.ndarray) -> tuple:
    """How learnable the crowd's reasons are at all: TF-IDF + logistic regression trained ON them
    (5-fold CV, a guess for every tweet). Not carlzon and not used by it; it puts the bar in context."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(max_iter=3000, C=4.0, class_weight="balanced"),
    )
    pred = cross_val_predict(pipe, texts, truth, cv=5)
    acc, f1, _, _ = touchpoint_scores(truth, pred)
    return (
        "  reference: TF-IDF+LR trained on these labels, 5-fold CV",
        f"acc {acc:.3f}  macro-F1 {f1:.3f}",
        "supervised, in-domain: a ceiling of the labels' noise",
        "(not carlzon)",
    )


def heldout_touchpoint_rows(pattern: str) -> list[tuple]:
    """bench/data/touchpoints_<journey>.csv (columns text,touchpoint): row-by-row touchpoints of that journey.

    Accuracy and macro-F1 over the rows with a touchpoint; rows labelled 'unknown' (no touchpoint named)
    count as kept when the detector leaves them unknown.
    """
    from carlzon.detect import Detector

    rows = []
    for path in sorted(glob.glob(pattern)):
        df = pd.read_csv(path)
        journey = Path(path).stem.removeprefix("touchpoints_")
        moments = Detector(journey).detect(pd.DataFrame({"id": [str(i) for i in range(len(df))], "text": df["text"]}))
        moments = moments.drop_duplicates("interaction_id")  # each text's strongest moment
        pred, truth = moments["touchpoint"].astype(str).to_numpy(), df["touchpoint"].astype(str).to_numpy()
        has = truth != "unknown"
        acc, f1, known, _ = touchpoint_scores(truth[has], pred[has])
        kept = float(np.mean(pred[~has] == "unknown")) if (~has).any() else float("nan")
        rows.append(
            (
                f"{Path(path).stem} (n={has.sum()}+{(~has).sum()} unknown)",
                f"acc {acc:.3f}  macro-F1 {f1:.3f}",
                f"assigned {known:.0%}; unknown kept {kept:.0%}",
                "report (held out)",
            )
        )
    return rows


def read_labelled(path: Path) -> tuple[list[str], np.ndarray]:
    df = pd.read_csv(path)
    labels = df["label"].astype(str).str.strip().str.lower().map(LABEL_MAP)
    keep = labels.notna() & df["text"].notna()
    return df.loc[keep, "text"].astype(str).tolist(), labels[keep].to_numpy()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tweets", type=Path, default=DEFAULT_TWEETS)
    ap.add_argument("--heldout", default=str(REPO / "bench" / "data" / "heldout_*.csv"))
    ap.add_argument("--repeat", type=int, default=3, help="best of N timings (carlzon and vader alike)")
    ap.add_argument("--quick", action="store_true", help="valence and speed only (no training, no touchpoints)")
    ap.add_argument(
        "--touchpoints", action="store_true", help="touchpoint figures only (Tweets and bench/data/touchpoints_*.csv)"
    )
    ap.add_argument("--heldout-touchpoints", default=str(REPO / "bench" / "data" / "touchpoints_*.csv"))
    args = ap.parse_args(argv)
    one_core()
    name, carlzon = carlzon_scorer()
    carlzon(["warm up"])
    rows = []
    if args.touchpoints:
        if args.tweets.is_file():
            rows += touchpoint_rows(pd.read_csv(args.tweets))
        rows += heldout_touchpoint_rows(args.heldout_touchpoints)
        return print_rows(name, rows)
    if args.tweets.is_file():
        tw = pd.read_csv(args.tweets)
        texts = tw["text"].astype(str).tolist()
        y = tw["airline_sentiment"].map(LABEL_MAP).to_numpy()
        vp, vdt = vader_valence(texts, args.repeat)
        cp, cdt = timed(carlzon, texts, args.repeat)
        va, vf = macro(y, vp)
        ca, cf = macro(y, cp)
        rows.append(
            (
                f"Tweets.csv valence (n={len(texts)})",
                f"acc {ca:.3f}  macro-F1 {cf:.3f}",
                f"acc {va:.3f}  macro-F1 {vf:.3f}",
                "macro-F1 >= 0.62",
            )
        )
        rows.append(
            (
                f"texts/s, one core (n={len(texts)})",
                f"{len(texts) / cdt:,.0f}",
                f"{len(texts) / vdt:,.0f}",
                f">= 3x vader ({len(texts) / cdt / (len(texts) / vdt):.1f}x)",
            )
        )
        if not args.quick:
            rows += trained_rows(tw, y)
            rows += embed_rows(tw, y)
            rows += touchpoint_rows(tw)
            rows += heldout_touchpoint_rows(args.heldout_touchpoints)
    else:
        print(f"(skipped Tweets.csv: {args.tweets} not found)", file=sys.stderr)
    for path in sorted(glob.glob(args.heldout)):
        texts, y = read_labelled(Path(path))
        if not texts:
            continue
        vp, _ = vader_valence(texts)
        cp = carlzon(texts)
        _, vf = macro(y, vp)
        _, cf = macro(y, cp)
        rows.append(
            (
                f"{Path(path).stem} (n={len(texts)})",
                f"macro-F1 {cf:.3f}",
                f"macro-F1 {vf:.3f}",
                "beat vader" + (" OK" if cf > vf else " MISSED"),
            )
        )
    return print_rows(name, rows)


def print_rows(name: str, rows: list[tuple]) -> int:
    head = ("what", "carlzon", "vader 3.3.2", "bar")
    width = [max(len(str(r[i])) for r in rows + [head]) for i in range(4)]
    print(f"carlzon scorer: {name}")
    for r in [head] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, width)).rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
