"""A text model learned from the customer's own data, saved as plain JSON (no pickle).

Most feedback carries a rating next to its text, so ratings are free labels
(:func:`labels_from_ratings` uses the journey's thresholds); a labelled column
works too (magic / misery / neutral, positive / negative / neutral, or 1-5 stars).

The model is stacked on the lexicon: word 1-2 gram and character 3-5 gram
TF-IDF (sublinear tf) plus the lexicon scorer's score, intensity, stakes and
event count as extra features, into a class-balanced multinomial logistic
regression whose C is chosen by stratified k-fold cross-validation on the
training data only. The Detector turns its probabilities into the text score
``p(magic) - p(misery)`` and the text valence (the most probable class).

The saved file is one JSON object a person can read: the vocabularies and idf
weights, the coefficients, the classes, the lexicon version, the number of
training texts and the cross-validated figures.

Example:
    >>> texts = ["great crew, thank you", "lost my bag", "flight at 9"] * 10
    >>> labels = ["magic", "misery", "neutral"] * 10
    >>> m = train_model(texts, labels, cv=2, Cs=(1.0,))
    >>> m.predict(["thank you crew"])[0]
    'magic'
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carlzon.errors import ModelError

__all__ = ["CLASSES", "FORMAT", "TextModel", "labels_from_ratings", "normalize_labels", "train_model"]

CLASSES = ("magic", "misery", "neutral")
FORMAT = "carlzon.text_model/1"
_WORD = {"analyzer": "word", "ngram_range": [1, 2], "sublinear_tf": True, "lowercase": True,
         "token_pattern": r"(?u)\b\w[\w']*\b|[!?]+|[:;]-?[()dp]", "min_df": 2}
_CHAR = {"analyzer": "char_wb", "ngram_range": [3, 5], "sublinear_tf": True, "lowercase": True, "min_df": 2}
_URL = re.compile(r"https?://\S+|www\.\S+")
_LABEL_WORDS = {
    "magic": "magic", "positive": "magic", "pos": "magic", "promoter": "magic",
    "misery": "misery", "negative": "misery", "neg": "misery", "detractor": "misery",
    "neutral": "neutral", "neu": "neutral", "passive": "neutral", "mixed": "neutral",
}


def normalize_labels(labels: Sequence[Any]) -> np.ndarray:
    """Labels as magic / misery / neutral.

    Accepts magic / misery / neutral, positive / negative / neutral, and 1-5 stars
    (1-2 misery, 3 neutral, 4-5 magic). Raises ModelError naming the first bad value.

    >>> normalize_labels(["positive", "1", 3, "Misery"]).tolist()
    ['magic', 'misery', 'neutral', 'misery']
    """
    out = np.empty(len(labels), dtype=object)
    for i, v in enumerate(labels):
        key = str(v).strip().lower()
        if key in _LABEL_WORDS:
            out[i] = _LABEL_WORDS[key]
            continue
        try:
            x = float(key)
        except ValueError:
            x = math.nan
        if x in (1, 2):
            out[i] = "misery"
        elif x == 3:
            out[i] = "neutral"
        elif x in (4, 5):
            out[i] = "magic"
        else:
            raise ModelError(f"row {i}: cannot read label {v!r}",
                             fix="use magic / misery / neutral, positive / negative / neutral, or 1-5 stars")
    return out


def labels_from_ratings(values: Sequence[Any], scale: str, thresholds: dict[str, dict[str, float]] | None = None) -> np.ndarray:
    """Ratings as free labels: misery at or below the misery threshold, magic at or above the magic one.

    ``scale`` is nps, csat, ces or stars; ``thresholds`` a journey's (defaults otherwise).
    Missing ratings give None.

    >>> labels_from_ratings([0, 7, 10, None], "nps").tolist()
    ['misery', 'neutral', 'magic', None]
    """
    from carlzon.journey import _DEFAULT_THRESHOLDS
    from carlzon.schema import RATING_SCALES

    if scale not in RATING_SCALES:
        raise ModelError(f"unknown rating scale {scale!r}", fix=f"use one of {', '.join(RATING_SCALES)}")
    th = {**_DEFAULT_THRESHOLDS.get(scale, {}), **((thresholds or {}).get(scale) or {})}
    v = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").to_numpy(dtype="float64")
    lo, hi = RATING_SCALES[scale]
    bad = ~np.isnan(v) & ((v < lo) | (v > hi))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ModelError(f"row {i}: rating {v[i]:g} is outside the {scale} scale {lo:g}-{hi:g}",
                         fix="pick the right scale (--scale nps|csat|ces|stars) or clean the column")
    out = np.full(len(v), None, dtype=object)
    out[~np.isnan(v)] = "neutral"
    out[v <= th["misery"]] = "misery"
    out[v >= th["magic"]] = "magic"
    return out


def _clean(texts: Sequence[Any]) -> list[str]:
    return [_URL.sub(" url ", t) if isinstance(t, str) else "" for t in texts]


def _lexicon_version(scorer: Any) -> str | None:
    v = getattr(scorer, "version", None) or getattr(scorer, "lexicon_version", None)
    if v is None:
        mod = __import__(type(scorer).__module__, fromlist=["_"])
        v = getattr(mod, "LEXICON_VERSION", None)
    if v is None and type(scorer).__module__ == "carlzon.detect.text":
        import hashlib
        from importlib import resources

        tsv = (resources.files("carlzon.detect") / "service_lexicon.tsv").read_bytes()
        v = "service_lexicon.tsv sha256:" + hashlib.sha256(tsv).hexdigest()[:12]
    return str(v) if v is not None else None


def _lexicon_features(scored: Any, rows: np.ndarray | None, n: int) -> np.ndarray:
    """score, |score|, positive part, negative part, intensity, medium / high stakes, event count."""
    idx = np.arange(n) if rows is None else np.asarray(rows)
    s = np.asarray(scored.score, dtype="float64")[idx]
    it = np.asarray(scored.intensity, dtype="float64")[idx]
    st = np.asarray(scored.stakes, dtype=object)[idx]
    ev = np.array([min(len(scored.events(int(i))), 3) / 3 for i in idx], dtype="float64")
    return np.column_stack([s, np.abs(s), np.maximum(s, 0), np.maximum(-s, 0), it,
                            (st == "medium").astype(float), (st == "high").astype(float), ev])


LEXICON_FEATURES = ["score", "abs_score", "positive", "negative", "intensity", "stakes_medium", "stakes_high", "events"]


class TextModel:
    """A fitted text model (see the module docstring). Build with :func:`train_model` or :meth:`load`."""

    def __init__(self, *, classes: Sequence[str], word: dict[str, Any], char: dict[str, Any], coef: np.ndarray,
                 intercept: np.ndarray, lexicon_weight: float = 1.0, lexicon_version: str | None = None,
                 info: dict[str, Any] | None = None) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.classes = list(classes)
        self.coef = np.asarray(coef, dtype="float64")
        self.intercept = np.asarray(intercept, dtype="float64")
        self.lexicon_weight = float(lexicon_weight)
        self.lexicon_version = lexicon_version
        self.info = dict(info or {})
        self._spec = {"word": word, "char": char}
        self._vecs = []
        for spec in (word, char):
            params = {k: (tuple(v) if k == "ngram_range" else v) for k, v in spec["params"].items() if k != "min_df"}
            vec = TfidfVectorizer(**params)
            vec.vocabulary_ = {t: i for i, t in enumerate(spec["vocabulary"])}
            vec.idf_ = np.asarray(spec["idf"], dtype="float64")
            self._vecs.append(vec)
        n_feat = sum(len(s["vocabulary"]) for s in (word, char)) + len(LEXICON_FEATURES)
        if self.coef.shape != (len(self.classes), n_feat):
            raise ModelError(f"coefficients have shape {self.coef.shape}, expected {(len(self.classes), n_feat)}",
                             fix="the model file is damaged: train it again with `carlzon train`")
        self._scorer = None

    def __repr__(self) -> str:
        cv = self.info.get("cv_macro_f1")
        return f"TextModel(classes={self.classes}, n_train={self.info.get('n_train')}, cv_macro_f1={cv})"

    # -- features and prediction ------------------------------------------------------------
    def _scorer_default(self) -> Any:
        if self._scorer is None:
            from carlzon.detect.text import TextScorer

            self._scorer = TextScorer()
        return self._scorer

    def features(self, texts: Sequence[str | None], *, scored: Any = None, rows: Sequence[int] | None = None) -> Any:
        """The sparse feature matrix: word TF-IDF, char TF-IDF, lexicon features.

        ``scored`` is a TextScorer result for a batch that contains ``texts`` at positions ``rows``
        (so the Detector does not score twice); None scores ``texts`` here.
        """
        from scipy import sparse

        clean = _clean(texts)
        if scored is None:
            scored = self._scorer_default().score(list(texts))
            rows = None
        lex = _lexicon_features(scored, None if rows is None else np.asarray(rows), len(clean))
        return sparse.hstack([v.transform(clean) for v in self._vecs]
                             + [sparse.csr_matrix(lex * self.lexicon_weight)], format="csr")

    def decision_function(self, texts: Sequence[str | None], **kw: Any) -> np.ndarray:
        return np.asarray(self.features(texts, **kw) @ self.coef.T) + self.intercept

    def predict_proba(self, texts: Sequence[str | None], **kw: Any) -> np.ndarray:
        """Class probabilities, columns in :attr:`classes` order."""
        z = self.decision_function(texts, **kw)
        if z.shape[1] == 1:  # binary
            p = 1 / (1 + np.exp(-z[:, 0]))
            return np.column_stack([1 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str | None], **kw: Any) -> np.ndarray:
        return np.asarray(self.classes, dtype=object)[self.predict_proba(texts, **kw).argmax(axis=1)]

    # -- files ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        def arr(a: np.ndarray) -> list:
            return np.round(a, 6).tolist()

        return {
            "format": FORMAT,
            "classes": self.classes,
            "lexicon_version": self.lexicon_version,
            "lexicon_features": LEXICON_FEATURES,
            "lexicon_weight": self.lexicon_weight,
            "info": self.info,
            "word": {**self._spec["word"], "idf": arr(np.asarray(self._spec["word"]["idf"]))},
            "char": {**self._spec["char"], "idf": arr(np.asarray(self._spec["char"]["idf"]))},
            "intercept": arr(self.intercept),
            "coef": [arr(row) for row in self.coef],
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as one JSON file (readable, no pickle)."""
        p = Path(path)
        if p.suffix.lower() != ".json":
            raise ModelError(f"cannot save a text model as {p.name}", fix="use a .json file name, e.g. model.json")
        try:
            p.write_text(json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        except OSError as exc:
            raise ModelError(f"cannot write {p} ({exc.strerror})", fix="check the folder exists and is writable") from None
        return p

    @classmethod
    def load(cls, path: str | Path) -> TextModel:
        """Read a model written by :meth:`save` / ``carlzon train``."""
        p = Path(path)
        if not p.is_file():
            raise ModelError(f"model file {p} does not exist", fix="train one with `carlzon train FILE ... -o model.json`")
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelError(f"{p} is not a JSON model file ({exc})", fix="train one with `carlzon train`") from None
        return cls.from_dict(d, where=str(p))

    @classmethod
    def from_dict(cls, d: Any, *, where: str = "model") -> TextModel:
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            got = d.get("format") if isinstance(d, dict) else type(d).__name__
            raise ModelError(f"not a carlzon text model (format {got!r}, expected {FORMAT!r})", where=where,
                             fix="train one with `carlzon train`; embedding models load with carlzon.detect.embed")
        try:
            return cls(classes=d["classes"], word=d["word"], char=d["char"], coef=np.asarray(d["coef"]),
                       intercept=np.asarray(d["intercept"]), lexicon_weight=d.get("lexicon_weight", 1.0),
                       lexicon_version=d.get("lexicon_version"), info=d.get("info"))
        except KeyError as exc:
            raise ModelError(f"model file lacks {exc}", where=where, fix="train it again with `carlzon train`") from None


def _fit_vectorizer(spec: dict[str, Any], texts: list[str]) -> tuple[Any, dict[str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    params = {k: (tuple(v) if k == "ngram_range" else v) for k, v in spec.items()}
    if len(texts) < 20:
        params["min_df"] = 1
    vec = TfidfVectorizer(**params).fit(texts)
    vocab = [None] * len(vec.vocabulary_)
    for t, i in vec.vocabulary_.items():
        vocab[i] = t
    return vec, {"params": {**spec, "min_df": params["min_df"]}, "vocabulary": vocab, "idf": vec.idf_.tolist()}


def _class_offsets(logp: np.ndarray, y: np.ndarray, classes: list[str], step: float = 0.1,
                   span: float = 1.0) -> np.ndarray:
    """Per-class offsets added to the log-probabilities (first class fixed at 0) that maximise the
    macro-F1 of out-of-fold predictions; zeros unless they gain at least 0.002 (not noise)."""
    from itertools import product

    from sklearn.metrics import f1_score

    names = np.asarray(classes)
    grid = np.round(np.arange(-span, span + 1e-9, step), 2)
    base = f1_score(y, names[logp.argmax(axis=1)], average="macro")
    best, best_off = base, np.zeros(len(classes))
    for rest in product(grid, repeat=len(classes) - 1):
        off = np.array([0.0, *rest])
        f = f1_score(y, names[(logp + off).argmax(axis=1)], average="macro")
        if f > best + 1e-9:
            best, best_off = f, off
    return best_off if best - base >= 0.002 else np.zeros(len(classes))


def train_model(texts: Sequence[str | None], labels: Sequence[Any], *, scorer: Any = None, cv: int = 5,
                Cs: Sequence[float] = (0.5, 1.0, 2.0, 4.0), seed: int = 0, lexicon_weight: float = 1.0) -> TextModel:
    """Fit a :class:`TextModel` on texts and their labels (see :func:`normalize_labels`).

    C is chosen among ``Cs`` by stratified ``cv``-fold macro-F1 on these texts only; the
    chosen C's fold mean and spread are kept in ``model.info`` (before the class offsets).
    Class offsets (added to the intercepts, kept in ``info['class_offsets']``) are then chosen
    on the same out-of-fold predictions to maximise macro-F1, so that a rare class such as
    magic is not drowned by a common one. Rows without text or label
    are dropped (their number is kept in ``info['dropped']``).
    """
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    if len(texts) != len(labels):
        raise ModelError(f"{len(texts)} texts but {len(labels)} labels", fix="pass one label per text")
    keep = [i for i, (t, y) in enumerate(zip(texts, labels))
            if isinstance(t, str) and t.strip() and y is not None and not (isinstance(y, float) and math.isnan(y))]
    if not keep:
        raise ModelError("no row has both a text and a label", fix="check the --text and --rating / --label columns")
    X_text = [texts[i] for i in keep]
    y = normalize_labels([labels[i] for i in keep])
    classes = [c for c in CLASSES if c in set(y)]
    counts = {c: int((y == c).sum()) for c in classes}
    if len(classes) < 2:
        raise ModelError(f"only one class in the labels ({classes[0]}: {len(y)})",
                         fix="train on texts with both good and bad ratings")
    if min(counts.values()) < max(2, cv):
        raise ModelError(f"too few examples of a class for {cv}-fold cross-validation ({counts})",
                         fix=f"give at least {cv} texts of each class, or lower --cv")
    if scorer is None:
        from carlzon.detect.text import TextScorer

        scorer = TextScorer()
    scored = scorer.score(X_text)
    lex = _lexicon_features(scored, None, len(X_text)) * lexicon_weight
    clean = _clean(X_text)

    def design(train_idx: np.ndarray, other_idx: np.ndarray | None = None):
        w, wspec = _fit_vectorizer(_WORD, [clean[i] for i in train_idx])
        c, cspec = _fit_vectorizer(_CHAR, [clean[i] for i in train_idx])

        def mat(idx: np.ndarray):
            sub = [clean[i] for i in idx]
            return sparse.hstack([w.transform(sub), c.transform(sub), sparse.csr_matrix(lex[idx])], format="csr")

        return mat(train_idx), (mat(other_idx) if other_idx is not None else None), wspec, cspec

    def fit(X, yy, C: float):
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=ConvergenceWarning)
            return LogisticRegression(C=C, class_weight="balanced", solver="saga", tol=1e-3, max_iter=300,
                                      random_state=seed).fit(X, yy)

    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    scores: dict[float, list[float]] = {float(C): [] for C in Cs}
    oof = {C: np.zeros((len(y), len(classes))) for C in scores}  # out-of-fold log-probabilities
    for tr, te in folds.split(np.zeros(len(y)), y):
        Xtr, Xte, _, _ = design(tr, te)
        for C in scores:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=UserWarning)
                clf = fit(Xtr, y[tr], C)
            lp = np.log(np.clip(clf.predict_proba(Xte), 1e-12, 1))
            oof[C][te] = lp[:, [list(clf.classes_).index(c) for c in classes]]
            scores[C].append(float(f1_score(y[te], np.asarray(classes)[oof[C][te].argmax(axis=1)], average="macro")))
    best_C = max(scores, key=lambda C: (np.mean(scores[C]), -C))
    offsets = _class_offsets(oof[best_C], y, classes)
    X, _, wspec, cspec = design(np.arange(len(y)))
    clf = fit(X, y, best_C)
    order = [list(clf.classes_).index(c) for c in classes]
    coef = clf.coef_ if clf.coef_.shape[0] > 1 else np.vstack([-clf.coef_[0] / 2, clf.coef_[0] / 2])
    intercept = clf.intercept_ if clf.intercept_.shape[0] > 1 else np.array([-clf.intercept_[0] / 2, clf.intercept_[0] / 2])
    intercept = intercept[order] + offsets
    coef = coef[order]
    info = {
        "n_train": len(y),
        "dropped": len(texts) - len(y),
        "class_counts": counts,
        "C": best_C,
        "cv_folds": cv,
        "cv_macro_f1": round(float(np.mean(scores[best_C])), 4),
        "cv_macro_f1_sd": round(float(np.std(scores[best_C], ddof=1)) if cv > 1 else 0.0, 4),
        "cv_by_C": {str(C): round(float(np.mean(v)), 4) for C, v in scores.items()},
        "class_offsets": {c: round(float(o), 2) for c, o in zip(classes, offsets)},
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return TextModel(classes=classes, word=wspec, char=cspec, coef=coef, intercept=intercept,
                     lexicon_weight=lexicon_weight, lexicon_version=_lexicon_version(scorer), info=info)
