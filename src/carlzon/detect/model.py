"""A text model learned from the customer's own data, saved as plain JSON (no pickle).

Most feedback carries a rating next to its text, so ratings are free labels
(:func:`labels_from_ratings` uses the journey's thresholds); a labelled column
works too (magic / misery / neutral, positive / negative / neutral, or 1-5 stars).

The model is a small stack, all of it linear:

1. **base**: word 1-3 gram and character 2-5 gram (``char_wb``) TF-IDF with sublinear tf,
   each feature scaled per class by its naive-Bayes log-count ratio (NB-LR, Wang & Manning
   2012), one class-balanced logistic regression per class (one-vs-rest); C is chosen by
   stratified k-fold macro-F1 on the training data only;
2. **meta**: a multinomial logistic regression on the base models' out-of-fold decision
   values plus the lexicon scorer's features (score, intensity, stakes, event count);
3. **class offsets**: added to the meta intercepts, chosen on the meta model's own
   out-of-fold predictions to maximise macro-F1 (a rare class such as magic or neutral
   is not drowned by a common one).

The Detector turns the probabilities into the text score ``p(magic) - p(misery)`` and
the text valence (the most probable class).

The saved file is one JSON object a person can read: the vocabularies and idf weights,
the base coefficients (the NB ratios folded in), the meta coefficients with their
feature names, the classes, the lexicon version, the number of training texts and the
cross-validated figures.

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

__all__ = [
    "CLASSES",
    "FORMAT",
    "LEXICON_FEATURES",
    "TextModel",
    "label_word",
    "labels_from_ratings",
    "nb_ratios",
    "normalize_labels",
    "train_model",
]

CLASSES = ("magic", "misery", "neutral")
FORMAT = "carlzon.text_model/2"
_FORMAT_V1 = "carlzon.text_model/1"
_WORD = {
    "analyzer": "word",
    "ngram_range": [1, 3],
    "sublinear_tf": True,
    "lowercase": True,
    "token_pattern": r"(?u)\b\w[\w']*\b|[!?]+|[:;]-?[()dp]",
    "min_df": 2,
}
_CHAR = {"analyzer": "char_wb", "ngram_range": [2, 5], "sublinear_tf": True, "lowercase": True, "min_df": 2}
_URL = re.compile(r"https?://\S+|www\.\S+")
_LABEL_WORDS = {
    "magic": "magic",
    "positive": "magic",
    "pos": "magic",
    "promoter": "magic",
    "misery": "misery",
    "negative": "misery",
    "neg": "misery",
    "detractor": "misery",
    "neutral": "neutral",
    "neu": "neutral",
    "passive": "neutral",
    "mixed": "neutral",
}


def normalize_labels(labels: Sequence[Any], thresholds: dict[str, dict[str, float]] | None = None) -> np.ndarray:
    """Labels as magic / misery / neutral.

    Accepts magic / misery / neutral, positive / negative / neutral, and 1-5 stars read with the
    journey's star thresholds as detection reads them (``thresholds``; by default 1-2 misery, 3-4
    neutral, 5 magic). Raises ModelError naming the first bad value.

    >>> normalize_labels(["positive", "1", 3, "Misery"]).tolist()
    ['magic', 'misery', 'neutral', 'misery']
    """
    out = np.empty(len(labels), dtype=object)
    for i, v in enumerate(labels):
        out[i] = label_word(v, thresholds)
        if out[i] is None:
            raise ModelError(
                f"row {i}: cannot read label {v!r}",
                fix="use magic / misery / neutral, positive / negative / neutral, or 1-5 stars",
            )
    return out


def label_word(value: Any, thresholds: dict[str, dict[str, float]] | None = None) -> str | None:
    """magic / misery / neutral for one label (see :func:`normalize_labels`); None when it cannot be read.

    A number is a star rating, read with the same thresholds as ingest and detection (the journey's
    ``thresholds['stars']``, default misery <= 2, magic >= 5), so that 4 of 5 stars means one thing
    everywhere: passive (neutral) by default, magic for a journey with ``stars: {magic: 4}``.

    >>> label_word(" Negative "), label_word("4.0"), label_word("5"), label_word("angry")
    ('misery', 'neutral', 'magic', None)
    >>> label_word(4, {"stars": {"misery": 2, "magic": 4}})
    'magic'
    """
    from carlzon.detect.ratings import rating_valence

    key = str(value).strip().lower()
    if key in _LABEL_WORDS:
        return _LABEL_WORDS[key]
    try:
        x = float(key)
    except ValueError:
        return None
    if not (1 <= x <= 5 and x == round(x)):
        return None
    return str(rating_valence([x], "stars", thresholds)[0])


def labels_from_ratings(
    values: Sequence[Any], scale: str, thresholds: dict[str, dict[str, float]] | None = None
) -> np.ndarray:
    """Ratings as free labels: misery at or below the misery threshold, magic at or above the magic one.

    ``scale`` is nps, csat, ces or stars; ``thresholds`` a journey's (defaults otherwise).
    Missing ratings give None.

    >>> labels_from_ratings([0, 7, 10, None], "nps").tolist()
    ['misery', 'neutral', 'magic', None]
    """
    from carlzon.detect.ratings import rating_valence
    from carlzon.schema import RATING_SCALES

    if scale not in RATING_SCALES:
        raise ModelError(f"unknown rating scale {scale!r}", fix=f"use one of {', '.join(RATING_SCALES)}")
    v = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").to_numpy(dtype="float64")
    lo, hi = RATING_SCALES[scale]
    bad = ~np.isnan(v) & ((v < lo) | (v > hi))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ModelError(
            f"row {i}: rating {v[i]:g} is outside the {scale} scale {lo:g}-{hi:g}",
            fix="pick the right scale (--scale nps|csat|ces|stars) or clean the column",
        )
    return rating_valence(v, scale, thresholds)


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
    return np.column_stack(
        [
            s,
            np.abs(s),
            np.maximum(s, 0),
            np.maximum(-s, 0),
            it,
            (st == "medium").astype(float),
            (st == "high").astype(float),
            ev,
        ]
    )


LEXICON_FEATURES = ["score", "abs_score", "positive", "negative", "intensity", "stakes_medium", "stakes_high", "events"]


class TextModel:
    """A fitted text model (see the module docstring). Build with :func:`train_model` or :meth:`load`.

    ``coef`` / ``intercept``: the base models, one row per class, over the word then char
    vocabularies; ``meta_coef`` / ``meta_intercept``: the meta model, one row per class, over
    the base decision values then :data:`LEXICON_FEATURES` (its names in :attr:`meta_features`).
    """

    def __init__(
        self,
        *,
        classes: Sequence[str],
        word: dict[str, Any],
        char: dict[str, Any],
        coef: np.ndarray,
        intercept: np.ndarray,
        meta_coef: np.ndarray,
        meta_intercept: np.ndarray,
        lexicon_weight: float = 1.0,
        lexicon_version: str | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.classes = list(classes)
        k = len(self.classes)
        self.coef = np.asarray(coef, dtype="float64")
        self.intercept = np.asarray(intercept, dtype="float64")
        self.meta_coef = np.asarray(meta_coef, dtype="float64")
        self.meta_intercept = np.asarray(meta_intercept, dtype="float64")
        self.lexicon_weight = float(lexicon_weight)
        self.lexicon_version = lexicon_version
        self.info = dict(info or {})
        self.meta_features = [f"base_{c}" for c in self.classes] + LEXICON_FEATURES
        self._spec = {"word": word, "char": char}
        self._vecs = []
        for spec in (word, char):
            params = {
                k_: (tuple(v) if k_ == "ngram_range" else v) for k_, v in spec["params"].items() if k_ != "min_df"
            }
            vec = TfidfVectorizer(**params)
            vec.vocabulary_ = {t: i for i, t in enumerate(spec["vocabulary"])}
            vec.idf_ = np.asarray(spec["idf"], dtype="float64")
            self._vecs.append(vec)
        n_feat = sum(len(s["vocabulary"]) for s in (word, char))
        for name, a, shape in (
            ("coefficients", self.coef, (k, n_feat)),
            ("intercepts", self.intercept, (k,)),
            ("meta coefficients", self.meta_coef, (k, len(self.meta_features))),
            ("meta intercepts", self.meta_intercept, (k,)),
        ):
            if a.shape != shape:
                raise ModelError(
                    f"{name} have shape {a.shape}, expected {shape}",
                    fix="the model file is damaged: train it again with `carlzon train`",
                )
        self._scorer: Any = None

    def __repr__(self) -> str:
        cv = self.info.get("cv_macro_f1")
        return f"TextModel(classes={self.classes}, n_train={self.info.get('n_train')}, cv_macro_f1={cv})"

    # -- features and prediction ------------------------------------------------------------
    def _scorer_default(self) -> Any:
        if self._scorer is None:
            from carlzon.detect.text import TextScorer

            self._scorer = TextScorer()
        return self._scorer

    def features(self, texts: Sequence[str | None]) -> Any:
        """The sparse base feature matrix: word TF-IDF then char TF-IDF."""
        from scipy import sparse

        clean = _clean(texts)
        return sparse.hstack([v.transform(clean) for v in self._vecs], format="csr")

    def meta_inputs(
        self, texts: Sequence[str | None], *, scored: Any = None, rows: Sequence[int] | None = None
    ) -> np.ndarray:
        """The meta model's inputs: base decision values then the lexicon features (:attr:`meta_features`).

        ``scored`` is a TextScorer result for a batch that contains ``texts`` at positions ``rows``
        (so the Detector does not score twice); None scores ``texts`` here.
        """
        if scored is None:
            scored = self._scorer_default().score(list(texts))
            rows = None
        lex = _lexicon_features(scored, None if rows is None else np.asarray(rows), len(texts))
        base = np.asarray(self.features(texts) @ self.coef.T) + self.intercept
        return np.hstack([base, lex * self.lexicon_weight])

    def decision_function(self, texts: Sequence[str | None], **kw: Any) -> np.ndarray:
        return self.meta_inputs(texts, **kw) @ self.meta_coef.T + self.meta_intercept

    def predict_proba(self, texts: Sequence[str | None], **kw: Any) -> np.ndarray:
        """Class probabilities, columns in :attr:`classes` order."""
        return _softmax(self.decision_function(texts, **kw))

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
            "meta": {
                "features": self.meta_features,
                "intercept": arr(self.meta_intercept),
                "coef": [arr(row) for row in self.meta_coef],
            },
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as one JSON file (readable, no pickle)."""
        return _write_json(path, self.to_dict(), what="a text model")

    @classmethod
    def load(cls, path: str | Path) -> TextModel:
        """Read a model written by :meth:`save` / ``carlzon train``."""
        d = _read_json(
            path,
            missing_fix="train one with `carlzon train FILE ... -o model.json`",
            bad_fix="train one with `carlzon train`",
        )
        return cls.from_dict(d, where=str(path))

    @classmethod
    def from_dict(cls, d: Any, *, where: str = "model") -> TextModel:
        """Build from :meth:`to_dict`'s object (format 2, or format 1: one linear layer, read as an identity meta)."""
        if not isinstance(d, dict) or d.get("format") not in (FORMAT, _FORMAT_V1):
            got = d.get("format") if isinstance(d, dict) else type(d).__name__
            raise ModelError(
                f"not a carlzon text model (format {got!r}, expected {FORMAT!r})",
                where=where,
                fix="train one with `carlzon train`; embedding models load with carlzon.detect.embed",
            )
        try:
            coef, intercept = np.asarray(d["coef"], dtype="float64"), np.asarray(d["intercept"], dtype="float64")
            k = len(d["classes"])
            if d["format"] == _FORMAT_V1:  # text and lexicon columns in one softmax layer
                n_lex = len(d.get("lexicon_features", LEXICON_FEATURES))
                meta = {"coef": np.hstack([np.eye(k), coef[:, coef.shape[1] - n_lex :]]), "intercept": intercept}
                coef, intercept = coef[:, : coef.shape[1] - n_lex], np.zeros(k)
            else:
                meta = d["meta"]
            return cls(
                classes=d["classes"],
                word=d["word"],
                char=d["char"],
                coef=coef,
                intercept=intercept,
                meta_coef=np.asarray(meta["coef"]),
                meta_intercept=np.asarray(meta["intercept"]),
                lexicon_weight=d.get("lexicon_weight", 1.0),
                lexicon_version=d.get("lexicon_version"),
                info=d.get("info"),
            )
        except (KeyError, IndexError, ValueError) as exc:
            raise ModelError(
                f"model file is incomplete or damaged ({exc})", where=where, fix="train it again with `carlzon train`"
            ) from None


def _write_json(path: str | Path, d: dict[str, Any], *, what: str) -> Path:
    """Write a model's dict as one compact JSON file; ModelError unless the name ends in .json or when it cannot."""
    p = Path(path)
    if p.suffix.lower() != ".json":
        raise ModelError(f"cannot save {what} as {p.name}", fix="use a .json file name, e.g. model.json")
    try:
        p.write_text(json.dumps(d, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"cannot write {p} ({exc.strerror})", fix="check the folder exists and is writable") from None
    return p


def _read_json(path: str | Path, *, missing_fix: str, bad_fix: str) -> Any:
    """The JSON object of a saved model file; ModelError when it is missing or not JSON."""
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"model file {p} does not exist", fix=missing_fix)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{p} is not a JSON model file ({exc})", fix=bad_fix) from None


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _count_block(spec: dict[str, Any], texts: list[str]) -> tuple[Any, dict[str, Any]]:
    """Raw counts of one vectorizer spec over all texts, and its saved spec (idf added later)."""
    from sklearn.feature_extraction.text import CountVectorizer

    params = {k: (tuple(v) if k == "ngram_range" else v) for k, v in spec.items() if k != "sublinear_tf"}
    if len(texts) < 20:
        params["min_df"] = 1
    vec = CountVectorizer(**params)
    X = vec.fit_transform(texts).tocsr().astype("float64")
    return X, {"params": {**spec, "min_df": params["min_df"]}, "vocabulary": vec.get_feature_names_out().tolist()}


def _idf(X: Any) -> np.ndarray:
    """Smoothed idf as TfidfVectorizer computes it: ``ln((1 + n) / (1 + df)) + 1``."""
    df = np.bincount(X.indices, minlength=X.shape[1])
    return np.log((1 + X.shape[0]) / (1 + df)) + 1


def _tfidf(X: Any, idf: np.ndarray) -> Any:
    """Sublinear tf times idf, rows l2-normalised (TfidfVectorizer's transform on counts)."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    T = X.copy()
    T.data = 1 + np.log(T.data)
    return normalize(T @ sparse.diags(idf), norm="l2", copy=False).tocsr()


def nb_ratios(X: Any, y: np.ndarray, classes: Sequence[str], alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratios, one row per class (that class against the rest), from binarised features.

    >>> from scipy import sparse
    >>> X = sparse.csr_matrix([[1, 0], [1, 0], [0, 1]])
    >>> nb_ratios(X, np.array(["a", "a", "b"]), ["a", "b"]).round(2).tolist()
    [[0.81, -0.98], [-0.81, 0.98]]
    """
    Xb = (X > 0).astype("float64")
    out = np.empty((len(classes), X.shape[1]))
    for k, c in enumerate(classes):
        m = y == c
        p = alpha + np.asarray(Xb[m].sum(axis=0)).ravel()
        q = alpha + np.asarray(Xb[~m].sum(axis=0)).ravel()
        out[k] = np.log(p / p.sum()) - np.log(q / q.sum())
    return out


def _fit_base(X: Any, y: np.ndarray, classes: Sequence[str], C: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest NB-LR: per class, a class-balanced logistic regression on the NB-scaled features.
    Returns the coefficients with the ratios folded in (``r * w``) and the intercepts. ``seed`` fixes
    liblinear's order of coordinate updates, so that the same texts give the same model."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    R = nb_ratios(X, y, classes)
    coef, intercept = np.empty_like(R), np.empty(len(classes))
    for k, c in enumerate(classes):
        clf = LogisticRegression(
            C=C, solver="liblinear", dual=True, class_weight="balanced", max_iter=1000, random_state=seed
        )
        clf.fit(X @ sparse.diags(R[k]), (y == c).astype(int))
        coef[k], intercept[k] = clf.coef_[0] * R[k], clf.intercept_[0]
    return coef, intercept


def _fit_meta(
    F: np.ndarray, y: np.ndarray, classes: Sequence[str], C: float = 1.0, max_iter: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """A class-balanced multinomial logistic regression; coefficients and intercepts in ``classes`` order
    (a binary fit's one row split into two symmetric ones)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=max_iter).fit(F, y)
    order = [list(clf.classes_).index(c) for c in classes]
    if clf.coef_.shape[0] == 1:  # binary: one row, split into two symmetric ones
        return np.vstack([-clf.coef_[0] / 2, clf.coef_[0] / 2]), np.array(
            [-clf.intercept_[0] / 2, clf.intercept_[0] / 2]
        )
    return clf.coef_[order], clf.intercept_[order]


def _class_offsets(
    logp: np.ndarray, y: np.ndarray, classes: list[str], step: float = 0.1, span: float = 1.0
) -> np.ndarray:
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


def train_model(
    texts: Sequence[str | None],
    labels: Sequence[Any],
    *,
    scorer: Any = None,
    cv: int = 5,
    Cs: Sequence[float] = (0.5, 1.0, 2.0),
    seed: int = 0,
    lexicon_weight: float = 1.0,
    thresholds: dict[str, dict[str, float]] | None = None,
) -> TextModel:
    """Fit a :class:`TextModel` on texts and their labels (see :func:`normalize_labels`).

    Everything is chosen by stratified ``cv``-fold cross-validation on these texts only:
    the base models' C among ``Cs`` (by the macro-F1 of their out-of-fold decision values,
    kept in ``info['cv_by_C']``); the meta model is fitted on those out-of-fold values and the
    lexicon features, and its own out-of-fold macro-F1 over the same folds is
    ``info['cv_macro_f1']`` (mean and ``_sd`` over folds, before the class offsets); the class
    offsets are then chosen on the meta model's out-of-fold predictions (``info['class_offsets']``,
    ``info['cv_macro_f1_offsets']``: optimistic, chosen on the same predictions).
    Rows without text or label are dropped (their number is kept in ``info['dropped']``); star labels are
    read with ``thresholds`` (a journey's, see :func:`label_word`).
    """
    from scipy import sparse
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    if len(texts) != len(labels):
        raise ModelError(f"{len(texts)} texts but {len(labels)} labels", fix="pass one label per text")
    if not Cs:
        raise ModelError("no value of C to choose from", fix="pass Cs=(0.5, 1.0, 2.0) or similar")
    keep = [
        i
        for i, (t, y) in enumerate(zip(texts, labels))
        if isinstance(t, str) and t.strip() and y is not None and not (isinstance(y, float) and math.isnan(y))
    ]
    if not keep:
        raise ModelError("no row has both a text and a label", fix="check the --text and --rating / --label columns")
    X_text = [texts[i] for i in keep]
    y = normalize_labels([labels[i] for i in keep], thresholds)
    classes = [c for c in CLASSES if c in set(y)]
    counts = {c: int((y == c).sum()) for c in classes}
    if len(classes) < 2:
        raise ModelError(
            f"only one class in the labels ({classes[0]}: {len(y)})",
            fix="train on texts with both good and bad ratings",
        )
    if min(counts.values()) < max(2, cv):
        raise ModelError(
            f"too few examples of a class for {cv}-fold cross-validation ({counts})",
            fix=f"give at least {cv} texts of each class, or lower --cv",
        )
    if scorer is None:
        from carlzon.detect.text import TextScorer

        scorer = TextScorer()
    scored = scorer.score(X_text)
    lex = _lexicon_features(scored, None, len(X_text)) * lexicon_weight
    clean = _clean(X_text)
    names = np.asarray(classes)

    # counts once over all training texts (vocabulary by min_df, no labels used); idf per fold
    blocks = [_count_block(_WORD, clean), _count_block(_CHAR, clean)]

    def design(tr: np.ndarray, te: np.ndarray | None = None) -> tuple[Any, Any, list[np.ndarray]]:
        idfs = [_idf(B[tr]) for B, _ in blocks]
        Xtr = sparse.hstack([_tfidf(B[tr], idf) for (B, _), idf in zip(blocks, idfs)], format="csr")
        Xte = (
            None
            if te is None
            else sparse.hstack([_tfidf(B[te], idf) for (B, _), idf in zip(blocks, idfs)], format="csr")
        )
        return Xtr, Xte, idfs

    folds = list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    Cs = [float(C) for C in Cs]
    oof = {C: np.zeros((len(y), len(classes))) for C in Cs}  # out-of-fold base decision values
    base_f1: dict[float, list[float]] = {C: [] for C in Cs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        for tr, te in folds:
            Xtr, Xte, _ = design(tr, te)
            for C in Cs:
                coef, icpt = _fit_base(Xtr, y[tr], classes, C, seed)
                oof[C][te] = np.asarray(Xte @ coef.T) + icpt
                base_f1[C].append(float(f1_score(y[te], names[oof[C][te].argmax(axis=1)], average="macro")))
        best_C = max(Cs, key=lambda C: (np.mean(base_f1[C]), -C))
        F = np.hstack([oof[best_C], lex])
        meta_lp = np.zeros((len(y), len(classes)))  # the meta model's out-of-fold log-probabilities
        meta_f1 = []
        for tr, te in folds:
            mc, mi = _fit_meta(F[tr], y[tr], classes)
            meta_lp[te] = np.log(np.clip(_softmax(F[te] @ mc.T + mi), 1e-12, 1))
            meta_f1.append(float(f1_score(y[te], names[meta_lp[te].argmax(axis=1)], average="macro")))
        offsets = _class_offsets(meta_lp, y, classes)
        X, _, idfs = design(np.arange(len(y)))
        wspec, cspec = ({**spec, "idf": idf} for (_, spec), idf in zip(blocks, idfs))
        coef, intercept = _fit_base(X, y, classes, best_C, seed)
        meta_coef, meta_intercept = _fit_meta(F, y, classes)
    info = {
        "n_train": len(y),
        "dropped": len(texts) - len(y),
        "class_counts": counts,
        "C": best_C,
        "cv_folds": cv,
        "cv_macro_f1": round(float(np.mean(meta_f1)), 4),
        "cv_macro_f1_sd": round(float(np.std(meta_f1, ddof=1)) if cv > 1 else 0.0, 4),
        "cv_macro_f1_offsets": round(float(f1_score(y, names[(meta_lp + offsets).argmax(axis=1)], average="macro")), 4),
        "cv_by_C": {str(C): round(float(np.mean(v)), 4) for C, v in base_f1.items()},
        "class_offsets": {c: round(float(o), 2) for c, o in zip(classes, offsets)},
        "method": "NB-LR one-vs-rest on word 1-3 and char_wb 2-5 TF-IDF, stacked with lexicon features",
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return TextModel(
        classes=classes,
        word=wspec,
        char=cspec,
        coef=coef,
        intercept=intercept,
        meta_coef=meta_coef,
        meta_intercept=meta_intercept + offsets,
        lexicon_weight=lexicon_weight,
        lexicon_version=_lexicon_version(scorer),
        info=info,
    )
