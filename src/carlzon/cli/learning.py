"""What `carlzon eval` and `carlzon train` need for learning touchpoints: the touchpoint evaluation and
people's corrections as labels (a seeded fifth held back to measure the model on)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from carlzon.errors import DetectError

__all__ = [
    "corrections_split",
    "evaluate_aspects",
    "evaluate_touchpoints",
    "held_back",
    "remember_training",
    "train_aspect_column",
]


def evaluate_touchpoints(
    path: Path,
    text: str,
    touchpoint_label: str,
    journey: str | None,
    model: Path | None = None,
    touchpoint_map: Path | None = None,
) -> dict:
    """Touchpoints of a labelled file against its labels (what `carlzon eval --touchpoint-label` prints).

    ``n`` rows with a label; ``coverage`` the share given a touchpoint (not unknown); accuracy and macro-F1
    over all of them (an unknown is a miss), per touchpoint precision / recall / f1 / n.
    """
    import numpy as np
    import pandas as pd

    from carlzon.detect import Detector
    from carlzon.detect.learn import map_touchpoint_labels, read_tag_map
    from carlzon.journey import load_journey

    if journey is None:
        raise DetectError(
            "--touchpoint-label needs the journey whose touchpoints the labels name",
            fix="pass --journey NAME (a template such as retail_bank, or a YAML path)",
        )
    from carlzon.cli.detection import _read_labelled

    df = _read_labelled(path)
    for col, opt in ((text, "--text"), (touchpoint_label, "--touchpoint-label")):
        if col not in df.columns:
            raise DetectError(
                f"column {col!r} is not in {path.name}",
                fix=f"pass {opt} with one of: {', '.join(map(str, df.columns))}",
            )
    jr = load_journey(journey)
    truth = map_touchpoint_labels(
        df[touchpoint_label].tolist(), jr, read_tag_map(touchpoint_map) if touchpoint_map else None
    )
    keep = [i for i, t in enumerate(truth) if t is not None]
    if not keep:
        raise DetectError(f"column {touchpoint_label!r} has no labels", fix="label some rows, or pick another column")
    texts = [t if isinstance(t, str) else None for t in df[text].tolist()]
    sub = pd.DataFrame({"id": [str(i) for i in keep], "text": [texts[i] for i in keep]})
    det = Detector(jr, model=model)
    det.detect(sub.head(1))  # warm up outside the timing
    t0 = time.perf_counter()
    m = det.detect(sub)
    elapsed = max(time.perf_counter() - t0, 1e-9)
    # one touchpoint per text: the surest of its moments (an interaction may speak of several)
    m = m.sort_values("touchpoint_confidence", ascending=False, kind="stable").drop_duplicates("interaction_id")
    pred = m.set_index("interaction_id").loc[sub["id"], "touchpoint"].astype(str).to_numpy()
    y = np.asarray([truth[i] for i in keep], dtype=str)
    return {
        "file": path.name,
        "n": len(y),
        "skipped_unlabelled": len(df) - len(y),
        **label_figures(y, pred, "touchpoint", none="unknown"),
        "texts_per_s": round(len(y) / elapsed, 1),
        "model": str(model) if model else None,
        "learned_touchpoints": det.touchpoint_model is not None,
        "journey": jr.name,
    }


def corrections_split(url: str) -> Any:
    """People's corrections in a store with their texts, a seeded fifth marked ``held_back`` (kept out of training)."""
    import numpy as np

    from carlzon.store import open_store
    from carlzon.store.corrections import labelled_texts

    with open_store(url) as st:
        corr = labelled_texts(st)
    corr = corr[corr["text"].notna()].reset_index(drop=True)
    held = np.zeros(len(corr), dtype=bool)
    if len(corr) >= 5:
        held[np.random.default_rng(0).permutation(len(corr))[: len(corr) // 5]] = True
    return corr.assign(held_back=held)


def remember_training(url: str, out: Path, models: dict[str, Any]) -> None:
    """Note in the store what the model saved to ``out`` learned from its corrections (per kind: how many,
    and the accuracy on the held-back part), for the dashboard's learn page."""
    from datetime import UTC, datetime

    from carlzon.store import open_store
    from carlzon.store.corrections import remember_learning

    record: dict[str, Any] = {"model": out.name, "trained_at": datetime.now(UTC).isoformat(timespec="seconds")}
    for kind, m in models.items():
        if m is not None:
            record[kind] = {
                "n_train": int(m.info.get("n_train") or 0),
                "n_corrections": int(m.info.get("n_corrections") or 0),
                "corrections_held_back": m.info.get("corrections_held_back"),
            }
    with open_store(url) as st:
        remember_learning(st, record)


def held_back(corr: Any, col: str, predict: Any) -> dict[str, Any]:
    """How many corrections of ``col`` the model learned from, and its accuracy on the held-back ones."""
    have = corr[corr[col].notna()]
    test = have[have["held_back"]]
    acc = float((predict(test["text"].tolist()) == test[col].to_numpy()).mean()) if len(test) else None
    return {
        "n_corrections": int((~have["held_back"]).sum()),
        "corrections_held_back": {"n": len(test), "accuracy": round(acc, 4) if acc is not None else None},
    }


def train_aspect_column(df: Any, text: str, column: str, tag_map: Path | None, *, cv: int, source: str | None) -> Any:
    """An :class:`~carlzon.detect.learn_aspects.AspectModel` trained on ``df[text]`` and its labelled ``column``."""
    from carlzon.detect.labels import map_aspect_labels, read_tag_map
    from carlzon.detect.learn_aspects import train_aspects

    labels = map_aspect_labels(df[column].tolist(), read_tag_map(tag_map) if tag_map else None)
    m = train_aspects(df[text].tolist(), list(labels), cv=cv)
    m.info.update({"source": source, "label_column": column, "tag_map": tag_map.name if tag_map else None})
    return m


def evaluate_aspects(
    path: Path,
    text: str,
    aspect_label: str,
    journey: str | None,
    model: Path | None = None,
    aspect_map: Path | None = None,
) -> dict:
    """Aspects of a labelled file against its labels (what `carlzon eval --aspect-label` prints).

    A text's aspect is that of its strongest moment with one (``none`` without); ``coverage`` the share
    given an aspect; accuracy and macro-F1 over the labels (``none`` a class where labelled), per aspect
    precision / recall / f1 / n.
    """
    import numpy as np
    import pandas as pd

    from carlzon.cli.detection import _read_labelled
    from carlzon.detect import Detector
    from carlzon.detect.labels import NO_ASPECT, map_aspect_labels, read_tag_map

    df = _read_labelled(path)
    for col, opt in ((text, "--text"), (aspect_label, "--aspect-label")):
        if col not in df.columns:
            raise DetectError(
                f"column {col!r} is not in {path.name}",
                fix=f"pass {opt} with one of: {', '.join(map(str, df.columns))}",
            )
    truth = map_aspect_labels(df[aspect_label].tolist(), read_tag_map(aspect_map) if aspect_map else None)
    keep = [i for i, t in enumerate(truth) if t is not None]
    if not keep:
        raise DetectError(f"column {aspect_label!r} has no labels", fix="label some rows, or pick another column")
    texts = [t if isinstance(t, str) else None for t in df[text].tolist()]
    sub = pd.DataFrame({"id": [str(i) for i in keep], "text": [texts[i] for i in keep]})
    det = Detector(journey, model=model)
    det.detect(sub.head(1))  # warm up outside the timing
    t0 = time.perf_counter()
    m = det.detect(sub)
    elapsed = max(time.perf_counter() - t0, 1e-9)
    first = m[m["aspect"].notna()].drop_duplicates("interaction_id").set_index("interaction_id")["aspect"]
    pred = np.asarray([str(first.get(i, NO_ASPECT)) for i in sub["id"]], dtype=str)
    y = np.asarray([truth[i] for i in keep], dtype=str)
    return {
        "file": path.name,
        "n": len(y),
        "skipped_unlabelled": len(df) - len(y),
        **label_figures(y, pred, "aspect", none=NO_ASPECT),
        "texts_per_s": round(len(y) / elapsed, 1),
        "model": str(model) if model else None,
        "learned_aspects": det.aspect_model is not None,
        "journey": journey,
    }


def label_figures(y: Any, pred: Any, label: str, *, none: str) -> dict[str, Any]:
    """``coverage`` (share of predictions other than ``none``), ``{label}_accuracy``, ``{label}_macro_f1`` and
    ``per_{label}`` precision / recall / f1 / n over the true labels of ``y``: the figures of ``carlzon eval``."""
    import numpy as np
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    labels = sorted(set(y))
    p, r, f, s_ = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    return {
        "coverage": round(float(np.mean(np.asarray(pred) != none)), 4),
        f"{label}_accuracy": round(float(accuracy_score(y, pred)), 4),
        f"{label}_macro_f1": round(float(np.mean(f)), 4),
        f"per_{label}": {
            c: {
                "precision": round(float(p[k]), 4),
                "recall": round(float(r[k]), 4),
                "f1": round(float(f[k]), 4),
                "n": int(s_[k]),
            }
            for k, c in enumerate(labels)
        },
    }
