"""Touchpoints learned from the company's own labels, combined with the journey's phrases.

Companies tag their messages already (help-desk categories, survey-question names, the reasons
agents pick). :func:`train_touchpoints` learns the journey's touchpoints from such labels:
touchpoint ids or names, or the company's own tags with a mapping onto touchpoints
(:func:`read_tag_map`). Corrections made in the dashboard are labels too.

The model is linear and saved as plain JSON (no pickle), like :class:`~carlzon.detect.model.TextModel`:

1. **features**: word 1-2 gram and character 3-5 gram (``char_wb``) TF-IDF with sublinear tf,
   plus one column per touchpoint for what the journey's phrases say (the touchpoint the
   :class:`~carlzon.detect.touchpoints.TouchpointMatcher` picks, weighted by its confidence), so
   the model learns how far to trust the template's phrases on this company's texts;
2. **classifier**: one class-balanced logistic regression per touchpoint (one-vs-rest); C chosen by stratified
   k-fold macro-F1 on the training texts only;
3. **calibration**: one temperature ``T`` (probabilities ``softmax(z / T)``) fitted on the
   out-of-fold decision values by log-loss, so that a confidence of 0.8 is right about 80% of
   the time (the out-of-fold expected calibration error is kept in ``info``).

:func:`learn_touchpoints` is what the Detector calls: texts in, (touchpoint, confidence) out,
``unknown`` below the threshold.

Example:
    >>> from carlzon.journey import load_journey
    >>> texts = ["my card was declined at the till", "on hold for an hour", "the app crashes"] * 12
    >>> tps = ["card_payments", "phone_support", "mobile_app"] * 12
    >>> m = train_touchpoints(texts, tps, journey=load_journey("retail_bank"), cv=3, Cs=(4.0,))
    >>> learn_touchpoints(m, ["declined card again"])[0].tolist()
    ['card_payments']
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from carlzon.detect.labels import map_touchpoint_labels, read_tag_map
from carlzon.detect.touchpoints import TouchpointResult
from carlzon.errors import ModelError
from carlzon.schema import Evidence

__all__ = [
    "CONTEXT_WEIGHT",
    "CONTEXT_WEIGHTS",
    "FORMAT",
    "LearnedResult",
    "TouchpointModel",
    "apply_learned",
    "fit_linear",
    "learn_touchpoints",
    "map_touchpoint_labels",
    "read_tag_map",
    "train_touchpoints",
    "uncertainty",
]

FORMAT = "carlzon.touchpoint_model/1"
UNKNOWN = "unknown"
_WORD = {
    "analyzer": "word",
    "ngram_range": [1, 2],
    "sublinear_tf": True,
    "lowercase": True,
    "token_pattern": r"(?u)\b\w[\w']*\b",
    "min_df": 1,
}
_CHAR = {"analyzer": "char_wb", "ngram_range": [3, 5], "sublinear_tf": True, "lowercase": True, "min_df": 2}


# ---------------------------------------------------------------------------- the model


def _phrase_block(matcher: Any, texts: Sequence[str | None], classes: Sequence[str]) -> np.ndarray:
    """One column per class: the phrase confidence where the journey's phrases pick that touchpoint."""
    F = np.zeros((len(texts), len(classes)))
    if matcher is None or getattr(matcher, "journey", None) is None or not len(texts):
        return F
    res = matcher.match(list(texts))
    col = {c: j for j, c in enumerate(classes)}
    for i, (t, c) in enumerate(zip(res.touchpoint.tolist(), res.confidence.tolist())):
        j = col.get(t)
        if j is not None:
            F[i, j] = c
    return F


class TouchpointModel:
    """A fitted touchpoint model (see the module docstring). Build with :func:`train_touchpoints` or :meth:`from_dict`."""

    FORMAT = FORMAT
    WHAT = "touchpoint"

    def __init__(
        self,
        *,
        classes: Sequence[str],
        word: dict[str, Any],
        char: dict[str, Any],
        coef: np.ndarray,
        intercept: np.ndarray,
        temperature: float = 1.0,
        journey: str | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.classes = list(classes)
        self.coef = np.asarray(coef, dtype="float64")
        self.intercept = np.asarray(intercept, dtype="float64")
        self.temperature = float(temperature)
        self.journey = journey
        self.info = dict(info or {})
        self._spec = {"word": word, "char": char}
        self._vecs = []
        for spec in (word, char):
            params = {k: (tuple(v) if k == "ngram_range" else v) for k, v in spec["params"].items() if k != "min_df"}
            vec = TfidfVectorizer(**params)
            vec.vocabulary_ = {t: i for i, t in enumerate(spec["vocabulary"])}
            vec.idf_ = np.asarray(spec["idf"], dtype="float64")
            self._vecs.append(vec)
        n_feat = sum(len(s["vocabulary"]) for s in (word, char)) + len(self.classes)
        if self.coef.shape != (len(self.classes), n_feat) or self.intercept.shape != (len(self.classes),):
            raise ModelError(
                f"touchpoint coefficients have shape {self.coef.shape}, expected {(len(self.classes), n_feat)}",
                fix="the model file is damaged: train it again with `carlzon train --touchpoint-label`",
            )
        if not self.temperature > 0:
            raise ModelError("touchpoint model temperature must be positive", fix="train it again with `carlzon train`")
        self._matcher: Any = None

    def __repr__(self) -> str:
        return (
            f"TouchpointModel(journey={self.journey!r}, classes={len(self.classes)}, n_train={self.info.get('n_train')}, "
            f"cv_macro_f1={self.info.get('cv_macro_f1')})"
        )

    def matcher_for(self, journey: Any = None) -> Any:
        """The phrase matcher of the model's journey (or of ``journey``), built once."""
        if journey is not None:
            from carlzon.detect.touchpoints import TouchpointMatcher

            return TouchpointMatcher(journey, learn=False)
        if self._matcher is None and self.journey:
            from carlzon.detect.touchpoints import TouchpointMatcher
            from carlzon.journey import load_journey

            self._matcher = TouchpointMatcher(load_journey(self.journey), learn=False)
        return self._matcher

    def phrases(self, texts: Sequence[str | None], matcher: Any = None) -> np.ndarray:
        """The phrase columns: what the journey's phrases say of each text (one column per class)."""
        return _phrase_block(matcher if matcher is not None else self.matcher_for(), texts, self.classes)

    def features(self, texts: Sequence[str | None], matcher: Any = None) -> Any:
        from scipy import sparse

        from carlzon.detect.model import _clean

        clean = _clean(texts)
        ph = self.phrases(texts, matcher)
        return sparse.hstack([*(v.transform(clean) for v in self._vecs), sparse.csr_matrix(ph)], format="csr")

    def decision_function(self, texts: Sequence[str | None], matcher: Any = None) -> np.ndarray:
        return np.asarray(self.features(texts, matcher) @ self.coef.T) + self.intercept

    def predict_proba(self, texts: Sequence[str | None], matcher: Any = None) -> np.ndarray:
        """Calibrated probabilities, columns in :attr:`classes` order."""
        from carlzon.detect.model import _softmax

        return _softmax(self.decision_function(texts, matcher) / self.temperature)

    def apply(
        self,
        res: Any,
        texts: Sequence[str | None],
        *,
        matcher: Any = None,
        min_confidence: float = 0.35,
        context: np.ndarray | None = None,
    ) -> Any:
        """:func:`apply_learned` with this model (what the clause splitter calls: it needs no import of this module)."""
        return apply_learned(res, self, texts, matcher=matcher, min_confidence=min_confidence, context=context)

    def to_dict(self) -> dict[str, Any]:
        def arr(a: np.ndarray) -> list:
            return np.round(a, 5).tolist()

        return {
            "format": self.FORMAT,
            "journey": self.journey,
            "classes": self.classes,
            "temperature": round(self.temperature, 5),
            "info": self.info,
            "features": ["word tf-idf", "char_wb tf-idf", *(f"phrase_{c}" for c in self.classes)],
            "word": {**self._spec["word"], "idf": arr(np.asarray(self._spec["word"]["idf"]))},
            "char": {**self._spec["char"], "idf": arr(np.asarray(self._spec["char"]["idf"]))},
            "intercept": arr(self.intercept),
            "coef": [arr(row) for row in self.coef],
        }

    @classmethod
    def from_dict(cls, d: Any, *, where: str = "model") -> Any:
        if not isinstance(d, dict) or d.get("format") != cls.FORMAT:
            got = d.get("format") if isinstance(d, dict) else type(d).__name__
            raise ModelError(
                f"not a carlzon {cls.WHAT} model (format {got!r}, expected {cls.FORMAT!r})",
                where=where,
                fix="train one with `carlzon train FILE --text COL --touchpoint-label COL --journey NAME -o model.json`",
            )
        try:
            return cls(
                classes=d["classes"],
                word=d["word"],
                char=d["char"],
                coef=np.asarray(d["coef"], dtype="float64"),
                intercept=np.asarray(d["intercept"], dtype="float64"),
                temperature=d.get("temperature", 1.0),
                journey=d.get("journey"),
                info=d.get("info"),
            )
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise ModelError(
                f"touchpoint model is incomplete or damaged ({exc})",
                where=where,
                fix="train it again with `carlzon train --touchpoint-label`",
            ) from None

    def top_terms(self, k: int = 8) -> dict[str, list[str]]:
        """The words weighing most for each touchpoint (to inspect what it learned)."""
        vocab = self._spec["word"]["vocabulary"]
        nw = len(vocab)
        return {c: [vocab[j] for j in np.argsort(-self.coef[i, :nw])[:k]] for i, c in enumerate(self.classes)}


class _OvR:
    """One class-balanced logistic regression per class (liblinear, dual): fast on sparse text features."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray) -> None:
        self.coef_, self.intercept_ = coef, intercept

    def decision_function(self, X: Any) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_


def _fit_lr(X: Any, y: np.ndarray, k: int, C: float, seed: int) -> _OvR:
    from sklearn.linear_model import LogisticRegression

    coef, intercept = np.zeros((k, X.shape[1])), np.zeros(k)
    for c in range(k):
        yc = (y == c).astype(int)
        if yc.all() or not yc.any():  # a class absent from this fold: never predicted
            intercept[c] = -10.0 if not yc.any() else 10.0
            continue
        clf = LogisticRegression(
            C=C, solver="liblinear", dual=True, class_weight="balanced", max_iter=1000, random_state=seed
        ).fit(X, yc)
        coef[c], intercept[c] = clf.coef_[0], clf.intercept_[0]
    return _OvR(coef, intercept)


def _temperature(z: np.ndarray, y_idx: np.ndarray) -> float:
    """The temperature in [0.5, 20] minimising the log-loss of ``softmax(z / T)`` (a grid, then a finer one);
    the floor keeps a small, separable training set from making every answer look sure."""

    def loss(t: float) -> float:
        s = z / t
        s = s - s.max(axis=1, keepdims=True)
        lp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        return float(-lp[np.arange(len(y_idx)), y_idx].mean())

    grid = np.exp(np.linspace(np.log(0.5), np.log(20), 50))  # never sharper than the fit itself halved
    best = min(grid, key=loss)
    fine = np.linspace(best * 0.85, best * 1.15, 31)
    return float(min(fine, key=loss))


def _ece(p: np.ndarray, y_idx: np.ndarray, bins: int = 10) -> float:
    conf, pred = p.max(axis=1), p.argmax(axis=1)
    edges = np.linspace(0, 1, bins + 1)
    err = 0.0
    for lo, hi in itertools.pairwise(edges):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            err += m.mean() * abs(float((pred[m] == y_idx[m]).mean()) - float(conf[m].mean()))
    return err


def _labelled(texts: Sequence[str | None], labels: Sequence[Any]) -> list[int]:
    """The rows with both a text and a label (a missing label is None or NaN)."""
    return [
        i
        for i, (t, y) in enumerate(zip(texts, labels))
        if isinstance(t, str) and t.strip() and y is not None and not (isinstance(y, float) and math.isnan(y))
    ]


def train_touchpoints(
    texts: Sequence[str | None],
    touchpoints: Sequence[Any],
    *,
    journey: Any = None,
    cv: int = 5,
    Cs: Sequence[float] = (1.0, 4.0, 16.0),
    seed: int = 0,
    choose_context: bool = True,
) -> TouchpointModel:
    """Fit a :class:`TouchpointModel` on texts and their touchpoint ids (see :func:`map_touchpoint_labels`).

    ``journey`` (a Journey) gives the phrase features; C is chosen among ``Cs`` by stratified
    ``cv``-fold macro-F1 (``info['cv_macro_f1']``), the temperature on the same out-of-fold values.
    With ``choose_context`` the weight of a clause's whole text (``info['context_weight']``, see
    :func:`learn_touchpoints`) is chosen among :data:`CONTEXT_WEIGHTS` the same way, out of fold
    (with fewer than :data:`MIN_CONTEXT_LABELS` labels of a touchpoint it is :data:`CONTEXT_WEIGHT`,
    and ``info['cv_by_context_weight']`` is empty).
    Rows without text or label are dropped (``info['dropped']``).
    """
    matcher = None
    if journey is not None:
        from carlzon.detect.touchpoints import TouchpointMatcher

        matcher = TouchpointMatcher(journey, learn=False)

    def phrases(xs: Sequence[str | None], classes: Sequence[str]) -> np.ndarray:
        return _phrase_block(matcher, xs, classes)

    fit = fit_linear(
        texts,
        touchpoints,
        phrases=phrases,
        cv=cv,
        Cs=Cs,
        seed=seed,
        what="touchpoint",
    )
    fit["info"]["method"] = (
        "one-vs-rest LR on word 1-2 and char_wb 3-5 TF-IDF plus the journey's phrase matches; temperature-calibrated"
    )
    model = TouchpointModel(**fit, journey=getattr(journey, "name", None))
    if choose_context:
        weight, by_weight = _choose_context_weight(
            texts, touchpoints, phrases, matcher, cv=cv, C=fit["info"]["C"], seed=seed
        )
        model.info["context_weight"], model.info["cv_by_context_weight"] = weight, by_weight
    return model


MIN_CONTEXT_LABELS = 4
"""Labels of each touchpoint needed to choose the context weight out of fold (fewer: :data:`CONTEXT_WEIGHT`)."""
CONTEXT_WEIGHTS = (0.0, 0.25, 0.5, 0.65, 0.8, 1.0)
"""The weights of a clause's text among which :func:`train_touchpoints` chooses (see :func:`learn_touchpoints`)."""


def _choose_context_weight(
    texts: Sequence[str | None], labels: Sequence[Any], phrases: Any, matcher: Any, *, cv: int, C: float, seed: int
) -> tuple[float, dict[str, float]]:
    """The context weight whose clauses name their text's label best, out of fold: for each held-out
    text, the surest of its clauses (probabilities mixed with the whole text's) against its label,
    macro-F1. Ties go to the smaller weight (the clause's own words)."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    from carlzon.detect.mentions import split_clauses

    keep = _labelled(texts, labels)
    X = [str(texts[i]) for i in keep]
    y = np.asarray([str(labels[i]) for i in keep], dtype=object)
    _, counts = np.unique(y.astype(str), return_counts=True)
    k = int(min(cv, counts.min()))
    if counts.min() < MIN_CONTEXT_LABELS:  # each fold's training part needs two of each for its own C and T
        return CONTEXT_WEIGHT, {}
    pred = {w: np.empty(len(y), dtype=object) for w in CONTEXT_WEIGHTS}
    for tr, te in StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        fold = fit_linear([X[i] for i in tr], y[tr], phrases=phrases, cv=min(k, 3), Cs=(C,), seed=seed)
        m = TouchpointModel(**fold)
        held = [X[i] for i in te]
        whole = m.predict_proba(held, matcher)
        row, start, end, _ = split_clauses(held)
        clauses = [held[r][a:b] for r, a, b in zip(row.tolist(), start.tolist(), end.tolist())]
        own = m.predict_proba(clauses, matcher) if clauses else np.zeros((0, len(m.classes)))
        names = np.asarray(m.classes, dtype=object)
        for w in CONTEXT_WEIGHTS:
            P = _in_context(own, whole[row], w)
            best = P.max(axis=1)
            # the surest clause of each text names it (a text without clauses: its own answer)
            order = np.lexsort((-best, row))
            first = order[np.r_[True, row[order][1:] != row[order][:-1]]] if len(order) else order
            out = names[whole.argmax(axis=1)].copy()
            out[row[first]] = names[P[first].argmax(axis=1)]
            pred[w][te] = out
    by_weight = {str(w): round(float(f1_score(y, pred[w].astype(str), average="macro")), 4) for w in CONTEXT_WEIGHTS}
    weight = max(CONTEXT_WEIGHTS, key=lambda w: (by_weight[str(w)], -w))
    return float(weight), by_weight


def fit_linear(
    texts: Sequence[str | None],
    labels: Sequence[Any],
    *,
    phrases: Any,
    cv: int = 5,
    Cs: Sequence[float] = (1.0, 4.0, 16.0),
    seed: int = 0,
    what: str = "touchpoint",
) -> dict[str, Any]:
    """The pieces of a calibrated linear text classifier (the keyword arguments of :class:`TouchpointModel`
    but ``journey``): ``phrases(texts, classes)`` gives one feature column per class (what the template's
    words say). Used for touchpoints and for aspects (:mod:`carlzon.detect.learn_aspects`)."""
    from scipy import sparse
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    from carlzon.detect.model import _clean, _count_block, _idf, _softmax, _tfidf

    if len(texts) != len(labels):
        raise ModelError(f"{len(texts)} texts but {len(labels)} {what} labels", fix="pass one label per text")
    keep = _labelled(texts, labels)
    if not keep:
        raise ModelError(
            f"no row has both a text and a {what} label", fix=f"check the --text and --{what}-label columns"
        )
    X_text = [texts[i] for i in keep]
    y = np.asarray([str(labels[i]) for i in keep], dtype=object)
    found, counts = np.unique(y.astype(str), return_counts=True)
    classes = [str(c) for c in found]
    if len(classes) < 2:
        raise ModelError(
            f"only one {what} in the labels ({classes[0]}: {len(y)})", fix=f"label texts of at least two {what}s"
        )
    folds_k = int(min(cv, counts.min()))
    if folds_k < 2:
        rare = [c for c, n in zip(classes, counts) if n < 2]
        raise ModelError(
            f"too few examples of a {what} for cross-validation: {', '.join(rare)} (1 each)",
            fix=f"label at least 2 texts of each {what}, or drop those labels",
        )
    clean = _clean(X_text)
    blocks = [_count_block(_WORD, clean), _count_block(_CHAR, clean)]
    ph = sparse.csr_matrix(phrases(X_text, classes))

    def design(tr: np.ndarray, te: np.ndarray | None = None) -> tuple[Any, Any, list[np.ndarray]]:
        idfs = [_idf(B[tr]) for B, _ in blocks]
        Xtr = sparse.hstack([*(_tfidf(B[tr], idf) for (B, _), idf in zip(blocks, idfs)), ph[tr]], format="csr")
        Xte = (
            None
            if te is None
            else sparse.hstack([*(_tfidf(B[te], idf) for (B, _), idf in zip(blocks, idfs)), ph[te]], format="csr")
        )
        return Xtr, Xte, idfs

    names = np.asarray(classes, dtype=object)
    y_idx = np.searchsorted(names.astype(str), y.astype(str))
    folds = list(StratifiedKFold(n_splits=folds_k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y_idx))
    Cs = [float(C) for C in Cs]
    oof = {C: np.zeros((len(y), len(classes))) for C in Cs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        for tr, te in folds:
            Xtr, Xte, _ = design(tr, te)
            for C in Cs:
                oof[C][te] = _fit_lr(Xtr, y_idx[tr], len(classes), C, seed).decision_function(Xte)
        f1_by_C = {C: float(f1_score(y_idx, oof[C].argmax(axis=1), average="macro")) for C in Cs}
        best_C = max(Cs, key=lambda C: (round(f1_by_C[C], 4), -C))
        T = _temperature(oof[best_C], y_idx)
        p_oof = _softmax(oof[best_C] / T)
        X, _, idfs = design(np.arange(len(y)))
        clf = _fit_lr(X, y_idx, len(classes), best_C, seed)
    wspec, cspec = ({**spec, "idf": idf} for (_, spec), idf in zip(blocks, idfs))
    info = {
        "n_train": len(y),
        "dropped": len(texts) - len(y),
        "class_counts": {c: int(n) for c, n in zip(classes, counts)},
        "C": best_C,
        "cv_folds": folds_k,
        "cv_macro_f1": round(f1_by_C[best_C], 4),
        "cv_accuracy": round(float((oof[best_C].argmax(axis=1) == y_idx).mean()), 4),
        "cv_by_C": {str(C): round(f, 4) for C, f in f1_by_C.items()},
        "calibration_ece": round(float(_ece(p_oof, y_idx)), 4),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return {
        "classes": classes,
        "word": wspec,
        "char": cspec,
        "coef": clf.coef_,
        "intercept": clf.intercept_,
        "temperature": T,
        "info": info,
    }


# ---------------------------------------------------------------------------- using it


CONTEXT_WEIGHT = 0.5
"""The weight of the whole text's probabilities in a clause's, for a model trained without choosing one."""


def _in_context(own: np.ndarray, whole: np.ndarray, weight: float) -> np.ndarray:
    """A clause's class probabilities given its text's: ``(1 - weight) * own + weight * whole``."""
    return (1.0 - weight) * own + weight * whole


def learn_touchpoints(
    model: TouchpointModel,
    texts: Sequence[str | None],
    *,
    matcher: Any = None,
    min_confidence: float = 0.35,
    context: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(touchpoint ids, calibrated confidence) for each text (a mention); ``unknown`` below ``min_confidence``,
    for empty texts and for texts with no word the model has seen and no phrase of the journey (confidence 0).
    ``matcher`` is the Detector's phrase matcher (its journey's phrases), else the model's own.

    The confidence is the model's calibrated probability of its answer (phrases are among its features).
    ``context`` (one row of class probabilities per text, :attr:`TouchpointModel.classes` order) is what
    the model says of the whole text each clause comes from: a clause's probabilities are
    ``(1 - w) * its own + w * its text's``, ``w`` the model's ``info['context_weight']`` (chosen out of
    fold when it was trained; :data:`CONTEXT_WEIGHT` for older models). The model learned from tags of
    whole texts, so a clause ("Thanks.", "2 hours!") alone may say less than the text it is part of.
    """
    n = len(texts)
    tp = np.full(n, UNKNOWN, dtype=object)
    conf = np.zeros(n)
    idx = [i for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]
    if not idx:
        return tp, conf
    from carlzon.detect.model import _softmax

    X = model.features([texts[i] for i in idx], matcher)
    P = _softmax((np.asarray(X @ model.coef.T) + model.intercept) / model.temperature)
    if context is not None:
        P = _in_context(
            P, np.asarray(context, dtype=float)[idx], float(model.info.get("context_weight", CONTEXT_WEIGHT))
        )
    k = P.argmax(axis=1)
    # a text with no word the model has seen and no phrase of the journey gives it nothing to go on
    nw, nc = len(model._spec["word"]["vocabulary"]), len(model.classes)
    seen = (np.diff(X[:, :nw].tocsr().indptr) > 0) | (np.diff(X[:, X.shape[1] - nc :].tocsr().indptr) > 0)
    best = np.where(seen, P[np.arange(len(idx)), k], 0.0)
    lab = np.asarray(model.classes, dtype=object)[k]
    ok = best >= min_confidence
    rows = np.asarray(idx)
    tp[rows[ok]] = lab[ok]
    conf[rows] = np.round(best, 4)
    return tp, conf


def apply_learned(
    res: Any,
    model: TouchpointModel,
    texts: Sequence[str | None],
    *,
    matcher: Any = None,
    min_confidence: float = 0.35,
    context: np.ndarray | None = None,
) -> Any:
    """A :class:`~carlzon.detect.touchpoints.TouchpointResult` with the learned answer for every text whose
    touchpoint did not come from a column or a measure (method ``model``; ``unknown`` below ``min_confidence``);
    ``context`` as in :func:`learn_touchpoints`."""
    from dataclasses import fields

    out = LearnedResult(**{f.name: getattr(res, f.name) for f in fields(res)})
    out.model_n = int(model.info.get("n_train") or 0)
    out.model_corrections = int(model.info.get("n_corrections") or 0)
    todo = np.array(
        [
            m not in ("column", "measure") and isinstance(t, str) and bool(t.strip())
            for m, t in zip(res.method.tolist(), texts)
        ],
        dtype=bool,
    )
    idx = np.flatnonzero(todo)
    if not len(idx):
        return out
    ctx = None if context is None else np.asarray(context, dtype=float)[idx]
    tp, conf = learn_touchpoints(model, [texts[int(i)] for i in idx], matcher=matcher, min_confidence=0.0, context=ctx)
    seen = conf > 0  # where the model saw nothing it knows, the phrase chain's answer stands
    idx, tp, conf = idx[seen], tp[seen], conf[seen]
    guess = out.guess.copy() if out.guess is not None else out.touchpoint.copy()
    guess[idx] = tp
    low = conf < min_confidence
    out.touchpoint[idx] = np.where(low, UNKNOWN, tp)
    out.confidence[idx] = conf
    out.method[idx] = np.where(low, "unsure", "model")
    out.guess = guess
    return out


@dataclass
class LearnedResult(TouchpointResult):
    """A TouchpointResult whose evidence names the learned model where it decided (method ``model``)."""

    model_n: int = 0
    model_corrections: int = 0

    def evidence(self, i: int) -> list[Evidence]:
        if self.method[i] != "model":
            return super().evidence(i)
        tp = self.touchpoint[i]
        name, c = self.names.get(tp, tp), round(float(self.confidence[i]), 2)
        corr = f", {self.model_corrections} of them corrections" if self.model_corrections else ""
        return [
            Evidence(
                rule="touchpoint",
                text=f"learned: reads as {name} (confidence {c}; "
                f"model trained on n={self.model_n} labelled texts{corr})",
                value=tp,
                weight=c,
            )
        ]


def uncertainty(model: TouchpointModel | None, texts: Sequence[str | None], *, matcher: Any = None) -> np.ndarray:
    """How much a label for each text would teach the model: 1 - (p_best - p_second) (margin sampling), in [0, 1].

    Without a model, 1 - the journey's phrase confidence. Sort descending to pick what to label next.
    """
    if model is None:
        if matcher is None:
            return np.ones(len(texts))
        res = matcher.match(list(texts))
        return 1.0 - np.asarray(res.confidence, dtype="float64")
    P = model.predict_proba(list(texts), matcher)
    top2 = np.sort(P, axis=1)[:, -2:] if P.shape[1] > 1 else np.column_stack([np.zeros(len(P)), P[:, 0]])
    return 1.0 - (top2[:, 1] - top2[:, 0])
