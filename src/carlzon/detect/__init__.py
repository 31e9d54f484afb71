"""Moment detection: interactions in, moments of magic / misery out, with the evidence.

Example:
    >>> import pandas as pd
    >>> from carlzon.detect import Detector
    >>> det = Detector("airline")
    >>> det.detect(pd.DataFrame({"id": ["1"], "text": ["Flight delayed 3 hours, missed my connection"]})).loc[0, "valence"]
    'misery'

``TextScorer`` (the lexicon), ``TextModel`` and ``train_model`` (a model learned from your own
data) load on first use, so importing this package stays light (and never imports torch).
"""

from __future__ import annotations

from typing import Any

from carlzon.detect.detector import Detector

__all__ = ["Detector", "TextModel", "TextScorer", "train_model"]

_LAZY = {
    "TextScorer": "carlzon.detect.text",
    "TextModel": "carlzon.detect.model",
    "train_model": "carlzon.detect.model",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'carlzon.detect' has no attribute {name!r}")
