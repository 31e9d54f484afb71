"""The axis a fitter's ``plot(ax=None)`` draws on (matplotlib is imported only here, and only when needed)."""

from __future__ import annotations

from typing import Any

from carlzon.errors import MissingExtraError

__all__ = ["axis"]


def axis(ax: Any, figsize: tuple[float, float]) -> Any:
    """``ax`` itself, or the axis of a new figure of ``figsize``; MissingExtraError without matplotlib."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingExtraError("plot", "matplotlib") from None
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax
