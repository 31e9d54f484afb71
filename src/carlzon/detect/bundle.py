"""The model file `carlzon train` writes: one plain-JSON object (no pickle) holding a valence model alone
(format ``carlzon.text_model/2``, as before) or a bundle (``carlzon.models/1``) of a valence, a touchpoint
(:mod:`carlzon.detect.learn`) and an aspect model (:mod:`carlzon.detect.learn_aspects`), any of them absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carlzon.detect.learn import FORMAT, TouchpointModel
from carlzon.detect.learn_aspects import AspectModel
from carlzon.detect.model import _write_json
from carlzon.errors import ModelError

__all__ = ["BUNDLE_FORMAT", "load_bundle", "load_models", "save_models"]

BUNDLE_FORMAT = "carlzon.models/1"


def save_models(
    path: str | Path, *, text: Any = None, touchpoint: TouchpointModel | None = None, aspect: Any = None
) -> Path:
    """One JSON file: a text (valence) model alone as today, or a bundle with a touchpoint and/or an aspect model."""
    if touchpoint is None and aspect is None:
        if text is None:
            raise ModelError("nothing to save", fix="train a valence, touchpoint or aspect model first")
        return text.save(path)
    d = {
        "format": BUNDLE_FORMAT,
        "text": text.to_dict() if text is not None else None,
        "touchpoint": touchpoint.to_dict() if touchpoint is not None else None,
        "aspect": aspect.to_dict() if aspect is not None else None,
    }
    return _write_json(path, d, what="a model")


def load_bundle(path: str | Path) -> dict[str, Any]:
    """``{"text", "touchpoint", "aspect"}`` (each a model or None) from a file written by ``carlzon train``."""
    from carlzon.detect.model import TextModel, _read_json

    d = _read_json(
        path,
        missing_fix="train one with `carlzon train FILE ... -o model.json`",
        bad_fix="train one with `carlzon train`",
    )
    out: dict[str, Any] = {"text": None, "touchpoint": None, "aspect": None}
    if isinstance(d, dict) and d.get("format") == BUNDLE_FORMAT:
        if d.get("text"):
            out["text"] = TextModel.from_dict(d["text"], where=str(path))
        if d.get("touchpoint"):
            out["touchpoint"] = TouchpointModel.from_dict(d["touchpoint"], where=str(path))
        if d.get("aspect"):
            out["aspect"] = AspectModel.from_dict(d["aspect"], where=str(path))
    elif isinstance(d, dict) and d.get("format") == FORMAT:
        out["touchpoint"] = TouchpointModel.from_dict(d, where=str(path))
    elif isinstance(d, dict) and d.get("format") == AspectModel.FORMAT:
        out["aspect"] = AspectModel.from_dict(d, where=str(path))
    else:
        out["text"] = TextModel.from_dict(d, where=str(path))
    return out


def load_models(path: str | Path) -> tuple[Any, TouchpointModel | None]:
    """(text model or None, touchpoint model or None) from a file written by ``carlzon train``
    (:func:`load_bundle` gives the aspect model too)."""
    b = load_bundle(path)
    return b["text"], b["touchpoint"]
