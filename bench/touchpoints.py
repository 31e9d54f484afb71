"""Benchmark of touchpoint learning (carlzon.detect.learn), with its anchors measured in the same run.

Prints:
  * Tweets.csv negative reasons mapped onto the airline template (bench/tweets_touchpoints.py):
    macro-F1 with nothing trained (bar >= 0.60); trained on a fixed 80% and tested on 20% beside a
    TF-IDF + logistic regression trained on the same 80% (bar: at least the anchor);
  * a banking intent set of another industry (bench/bank_intents.py: tags mapped onto `retail_bank`):
    untrained macro-F1 (bar >= 0.55), trained on 80% of the messages (split by message, all variants
    on one side) beside TF-IDF + LR on the same split (bar: >= 0.90 of it);
  * the learning curve: macro-F1 at 50, 100, 200, 500 labels, chosen by uncertainty (margin) sampling
    beside random sampling, same test set;
  * neutral recall on written 3-star hotel-style reviews (bench/data/middling_hotel.csv), the text alone
    and with its stars (bar >= 0.4).

Usage:
    python bench/touchpoints.py [--data ../shared/data] [--quick]   # --quick: no learning curve
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))


def scores(truth, pred) -> tuple[float, float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(truth))
    return (
        float(accuracy_score(truth, pred)),
        float(f1_score(truth, pred, labels=labels, average="macro", zero_division=0)),
        float(np.mean(np.asarray(pred) != "unknown")),
    )


def split_80_20(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng(seed).permutation(n)
    cut = round(n * 0.8)
    return np.sort(perm[:cut]), np.sort(perm[cut:])


def group_split(groups: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """80% of the groups for training (all their rows), the rest for testing."""
    g = np.unique(groups)
    perm = np.random.default_rng(seed).permutation(len(g))
    train_g = set(g[perm[: round(len(g) * 0.8)]])
    m = np.array([x in train_g for x in groups])
    return np.flatnonzero(m), np.flatnonzero(~m)


def detect_touchpoints(journey: str, texts: list[str], model=None) -> np.ndarray:
    from carlzon.detect import Detector

    df = pd.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})
    m = Detector(journey, touchpoint_model=model).detect(df)
    # one touchpoint per text: the surest moment of each interaction (detection may give several)
    m = m.sort_values("touchpoint_confidence", ascending=False, kind="stable").drop_duplicates("interaction_id")
    return m.set_index("interaction_id").loc[df["id"], "touchpoint"].astype(str).to_numpy()


def reference(train_texts, train_y, test_texts) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(max_iter=3000, C=4.0, class_weight="balanced"),
    )
    return pipe.fit(train_texts, train_y).predict(test_texts)


def trained_rows(
    name: str, journey: str, texts: list[str], y: np.ndarray, tr: np.ndarray, te: np.ndarray, bar_ratio: float | None
) -> tuple[list[tuple], object]:
    from carlzon.detect.learn import train_touchpoints
    from carlzon.journey import load_journey

    t0 = time.perf_counter()
    model = train_touchpoints([texts[i] for i in tr], y[tr], journey=load_journey(journey), cv=3)
    fit_s = time.perf_counter() - t0
    test = [texts[i] for i in te]
    t0 = time.perf_counter()
    pred = detect_touchpoints(journey, test, model)
    per_s = len(te) / (time.perf_counter() - t0)
    acc, f1, cov = scores(y[te], pred)
    _, rf1, _ = scores(y[te], reference([texts[i] for i in tr], y[tr], test))
    _, uf1, _ = scores(y[te], detect_touchpoints(journey, test))  # the journey's phrases alone, same test texts
    bar = f">= {bar_ratio:.2f} x anchor = {bar_ratio * rf1:.3f}" if bar_ratio else f">= anchor {rf1:.3f}"
    ok = f1 >= (bar_ratio or 1.0) * rf1
    return [
        (
            f"{name}: trained 80% -> test 20% (n={len(tr)}/{len(te)})",
            f"acc {acc:.3f}  macro-F1 {f1:.3f}  coverage {cov:.0%}",
            f"TF-IDF+LR macro-F1 {rf1:.3f}; untrained on these {uf1:.3f}",
            f"{bar}: {'met' if ok else 'NOT met'}",
        ),
        (
            "  model",
            f"C={model.info['C']:g} T={model.temperature:.2f} ECE {model.info['calibration_ece']:.3f}",
            f"fit {fit_s:.0f} s; {per_s:,.0f} texts/s detect",
            "",
        ),
    ], model


def untrained_row(name: str, journey: str, texts: list[str], y: np.ndarray, bar: float) -> tuple:
    pred = detect_touchpoints(journey, texts)
    acc, f1, cov = scores(y, pred)
    return (
        f"{name}: untrained (n={len(y)})",
        f"acc {acc:.3f}  macro-F1 {f1:.3f}  coverage {cov:.0%}",
        "",
        f"macro-F1 >= {bar}: {'met' if f1 >= bar else 'NOT met'}",
    )


def learning_curve(
    name: str,
    journey: str,
    texts: list[str],
    y: np.ndarray,
    tr: np.ndarray,
    te: np.ndarray,
    sizes=(50, 100, 200, 500),
    seed: int = 0,
) -> list[tuple]:
    """macro-F1 on the test set after n labels from the training pool: uncertainty (margin) sampling vs random."""
    from sklearn.metrics import f1_score

    from carlzon.detect.learn import learn_touchpoints, train_touchpoints, uncertainty
    from carlzon.detect.touchpoints import TouchpointMatcher
    from carlzon.journey import load_journey

    jr = load_journey(journey)
    matcher = TouchpointMatcher(jr, learn=False)
    pool = [texts[i] for i in tr]
    test = [texts[i] for i in te]
    yp, yt = y[tr], y[te]
    labels = sorted(set(yt))
    sizes = [s for s in sizes if s <= len(pool)]

    def fit(idx):
        keep = np.asarray(idx)
        cls, cnt = np.unique(yp[keep], return_counts=True)
        keep = keep[np.isin(yp[keep], cls[cnt >= 2])]  # a touchpoint seen once cannot be cross-validated yet
        return train_touchpoints([pool[i] for i in keep], yp[keep], journey=jr, cv=2, Cs=(4.0,), seed=seed)

    def f1_of(model):
        pred, _ = learn_touchpoints(model, test, matcher=matcher, min_confidence=0.0)
        return f1_score(yt, pred, labels=labels, average="macro", zero_division=0)

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pool))
    random_f1 = {n: f1_of(fit(order[:n])) for n in sizes}
    # uncertainty: the same 25 random seeds, then batches of the least sure (margin) from the rest
    chosen = list(order[:25])
    active_f1 = {}
    steps = sorted({*range(50, max(sizes) + 1, 50), *sizes})
    for n in steps:
        model = fit(chosen)
        if len(chosen) < n:
            rest = np.setdiff1d(np.arange(len(pool)), chosen)
            u = uncertainty(model, [pool[i] for i in rest], matcher=matcher)
            chosen += list(rest[np.argsort(-u, kind="stable")[: n - len(chosen)]])
            model = fit(chosen)
        if n in sizes:
            active_f1[n] = f1_of(model)
    return [
        (
            f"{name}: learning curve, macro-F1 on the test set (n={len(te)})",
            "uncertainty " + "  ".join(f"{n}: {active_f1[n]:.3f}" for n in sizes),
            "random " + "  ".join(f"{n}: {random_f1[n]:.3f}" for n in sizes),
            "report",
        )
    ]


def middling_row(path: Path) -> tuple:
    """Neutral recall on middling (3-star) reviews: text alone, and detected with the stars."""
    from carlzon.detect import Detector

    df = pd.read_csv(path)
    det = Detector("hotel")
    text_only = float((det.score_texts(df["text"].tolist())["valence"] == "neutral").mean())
    m = det.detect(pd.DataFrame({"id": [str(i) for i in range(len(df))], "text": df["text"], "stars": df["stars"]}))
    m = m.drop_duplicates("interaction_id")
    col = "overall_valence" if "overall_valence" in m.columns else "valence"
    with_stars = float((m[col] == "neutral").mean())
    return (
        f"3-star hotel-style reviews (n={len(df)}): neutral recall",
        f"with stars {with_stars:.2f}",
        f"text alone {text_only:.2f}",
        f">= 0.4: {'met' if with_stars >= 0.4 else 'NOT met'}",
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(REPO / ".." / "shared" / "data"), help="the folder of public data sets")
    ap.add_argument("--quick", action="store_true", help="no learning curve")
    args = ap.parse_args(argv)
    from bank_intents import TAG_MAP
    from bank_intents import rows as bank_rows
    from tweets_touchpoints import REASON_TO_TOUCHPOINT

    from carlzon.detect.learn import map_touchpoint_labels
    from carlzon.journey import load_journey

    out = []
    tweets = Path(args.data) / "twitter_airline_sentiment" / "Tweets.csv"
    if tweets.is_file():
        tw = pd.read_csv(tweets)
        neg = tw[tw["negativereason"].isin(list(REASON_TO_TOUCHPOINT))].reset_index(drop=True)
        y = neg["negativereason"].map(REASON_TO_TOUCHPOINT).to_numpy().astype(object)
        texts = neg["text"].astype(str).tolist()
        out.append(untrained_row("Tweets.csv negative reasons", "airline", texts, y, 0.60))
        tr, te = split_80_20(len(y))
        rows, _ = trained_rows("Tweets.csv negative reasons", "airline", texts, y, tr, te, None)
        out += rows
        if not args.quick:
            out += learning_curve("Tweets.csv", "airline", texts, y, tr, te)
    else:
        print(f"({tweets} not found: Tweets rows skipped; pass --data)")
    bank = bank_rows()
    texts = [t for t, _, _ in bank]
    y = map_touchpoint_labels([i for _, i, _ in bank], load_journey("retail_bank"), TAG_MAP).astype(object)
    groups = np.array([g for _, _, g in bank])
    out.append(untrained_row("bank intents (bench/bank_intents.py)", "retail_bank", texts, y, 0.55))
    tr, te = group_split(groups)
    rows, _ = trained_rows("bank intents", "retail_bank", texts, y, tr, te, 0.90)
    out += rows
    if not args.quick:
        out += learning_curve("bank intents", "retail_bank", texts, y, tr, te, sizes=(50, 100, 200, len(tr)))
    out.append(middling_row(REPO / "bench" / "data" / "middling_hotel.csv"))
    head = ("what", "carlzon", "anchor (same run)", "bar")
    width = [max(len(str(r[i])) for r in out + [head]) for i in range(4)]
    for r in [head] + out:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, width)).rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
