"""Aspects learned from the company's own labels (price and value, speed and waiting, ...), per mention.

The model is the touchpoint model's kind (:mod:`carlzon.detect.learn`): word and character TF-IDF
plus one column per aspect for what the built-in aspect words say (:func:`~carlzon.detect.aspects.aspect_of`),
one class-balanced logistic regression per aspect, one temperature calibrating the probabilities.
Labels are aspect ids or names, or the company's tags with a mapping (:func:`~carlzon.detect.labels.map_aspect_labels`);
``none`` marks texts about no aspect. Saved in the same plain-JSON model file as the other models.

In detection each mention of a moment gets the learned aspect where the model is sure enough
(``min_confidence``), else the aspect words' answer; the moment's aspect is that of its strongest
mention with one, and its evidence names the model and its confidence.

Example:
    >>> texts = ["waited an hour", "so slow at the desk", "far too expensive", "what a rip off",
    ...          "the staff were rude", "very friendly crew"] * 6
    >>> labels = ["speed_waiting"] * 2 + ["price_value"] * 2 + ["staff_attitude"] * 2
    >>> m = train_aspects(texts, labels * 6, cv=3, Cs=(4.0,))
    >>> learn_aspects(m, ["took ages to be served", "pricey"])[0]
    ['speed_waiting', 'price_value']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from carlzon.detect.aspects import aspect_of
from carlzon.detect.labels import NO_ASPECT
from carlzon.detect.learn import TouchpointModel, fit_linear, learn_touchpoints
from carlzon.schema import Evidence

__all__ = ["FORMAT", "AspectModel", "apply_learned_aspects", "learn_aspects", "train_aspects"]

FORMAT = "carlzon.aspect_model/1"
_NAMES = {"price_value": "price and value", "speed_waiting": "speed and waiting"}


def _word_block(texts: Sequence[str | None], classes: Sequence[str]) -> np.ndarray:
    """One column per class: 1 where the built-in aspect words pick that aspect."""
    F = np.zeros((len(texts), len(classes)))
    col = {c: j for j, c in enumerate(classes)}
    for i, a in enumerate(aspect_of(list(texts))):
        j = col.get(a) if a is not None else None
        if j is not None:
            F[i, j] = 1.0
    return F


class AspectModel(TouchpointModel):
    """A fitted aspect model; build with :func:`train_aspects` or :meth:`from_dict`. Its phrase columns are
    the built-in aspect words' answer (no journey needed)."""

    FORMAT = FORMAT
    WHAT = "aspect"

    def __repr__(self) -> str:
        return (
            f"AspectModel(classes={len(self.classes)}, n_train={self.info.get('n_train')}, "
            f"cv_macro_f1={self.info.get('cv_macro_f1')})"
        )

    def matcher_for(self, journey: Any = None) -> Any:
        return None

    def phrases(self, texts: Sequence[str | None], matcher: Any = None) -> np.ndarray:
        return _word_block(texts, self.classes)


def train_aspects(
    texts: Sequence[str | None],
    aspects: Sequence[Any],
    *,
    cv: int = 5,
    Cs: Sequence[float] = (1.0, 4.0, 16.0),
    seed: int = 0,
) -> AspectModel:
    """Fit an :class:`AspectModel` on texts and their aspect ids (or ``none``); C by stratified ``cv``-fold
    macro-F1 (``info['cv_macro_f1']``), the temperature on the same out-of-fold values."""
    fit = fit_linear(texts, aspects, phrases=_word_block, cv=cv, Cs=Cs, seed=seed, what="aspect")
    fit["info"]["method"] = (
        "one-vs-rest LR on word 1-2 and char_wb 3-5 TF-IDF plus the built-in aspect words; temperature-calibrated"
    )
    return AspectModel(**fit, journey=None)


def learn_aspects(
    model: AspectModel, texts: Sequence[str | None], *, min_confidence: float = 0.35
) -> tuple[list[str | None], np.ndarray]:
    """(aspect or None, calibrated confidence) for each text (a mention): None below ``min_confidence``,
    where the model answers ``none``, and for texts it has nothing to go on (confidence 0)."""
    lab, conf = learn_touchpoints(model, texts, min_confidence=min_confidence)
    return [None if a in ("unknown", NO_ASPECT) else str(a) for a in lab.tolist()], conf


def apply_learned_aspects(
    moments: pd.DataFrame,
    evidence: list[list[Evidence]],
    texts: Sequence[str | None],
    model: AspectModel,
    *,
    min_confidence: float = 0.35,
) -> None:
    """Set each moment's ``aspect`` (in place) from its mentions (``spans``, strongest first, into
    ``texts[row]``): the learned aspect where the model is sure, else the aspect words'; the first
    mention with one decides, and a learned decision adds its evidence."""
    if not len(moments):
        return
    owner: list[tuple[int, int, int]] = []  # (moment, start, end) of each mention
    parts: list[str | None] = []
    for g, (r, sp) in enumerate(zip(moments["row"].tolist(), moments["spans"].tolist())):
        t = texts[int(r)]
        if not isinstance(t, str):
            continue
        for s, e in sp or ():
            owner.append((g, int(s), int(e)))
            parts.append(t[int(s) : int(e)])
    if not parts:
        return
    lab, conf = learn_touchpoints(model, parts, min_confidence=0.0)
    words = aspect_of(parts)
    n, corr = int(model.info.get("n_train") or 0), int(model.info.get("n_corrections") or 0)
    decided: dict[int, tuple[str | None, float | None, list[int]]] = {}
    for k, (g, s, e) in enumerate(owner):
        if g in decided and decided[g][0] is not None:
            continue
        sure = conf[k] > 0 and conf[k] >= min_confidence
        a = (None if lab[k] in ("unknown", NO_ASPECT) else str(lab[k])) if sure else words[k]
        if a is not None:
            decided[g] = (a, float(conf[k]) if sure else None, [s, e])
        else:
            decided.setdefault(g, (None, None, [s, e]))
    aspects = moments["aspect"].astype(object).tolist()
    for g, (a, c, span) in decided.items():
        aspects[g] = a
        if a is not None and c is not None:
            extra = f", {corr} of them corrections" if corr else ""
            evidence[g].append(
                Evidence(
                    rule="aspect",
                    text=f"learned: speaks of {_NAMES.get(a, a.replace('_', ' '))} (confidence {round(c, 2)}; "
                    f"model trained on n={n} labelled texts{extra})",
                    value=a,
                    weight=round(c, 2),
                    span=span,
                )
            )
    moments["aspect"] = pd.array(aspects, dtype="string")
