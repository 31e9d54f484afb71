"""The shared base of the analysis classes (lifelines style).

Each analysis is configured in ``__init__``, learns in ``fit(...)`` (which returns ``self``) and keeps
its results in attributes ending in ``_``. Every one offers ``summary`` (a DataFrame), ``to_dict()``
(plain data for JSON), ``plot(ax=None)`` (returns the matplotlib axis) and a repr that says whether it
is fitted and on how many rows. Reading a result before ``fit`` raises :class:`~carlzon.errors.NotFittedError`
with the call that fixes it, whichever class and whichever result.

Example:
    >>> from carlzon.analysis import Metrics
    >>> m = Metrics(by="touchpoint")
    >>> m
    Metrics(by='touchpoint'): not fitted
    >>> m.summary
    Traceback (most recent call last):
    ...
    carlzon.errors.NotFittedError: this Metrics is not fitted yet (fix: call Metrics(...).fit(data) first)
"""

from __future__ import annotations

import inspect
import math
from typing import Any, ClassVar

import pandas as pd

from carlzon.errors import NotFittedError

__all__ = ["Fitter", "plain"]


def plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` (its index as columns) as dicts, NaN as None: JSON-ready."""
    return [
        {str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.reset_index().to_dict(orient="records")
    ]


class Fitter:
    """Base of the analysis classes: the fitted check, ``summary``, ``to_dict``, ``plot`` and repr.

    A subclass names the result that ``fit`` sets (``_result``), how ``fit`` is called (``_fit_call``),
    and defines ``summary``; it may override ``to_dict``, ``plot``, ``_repr_n`` and ``_repr_extra``.
    """

    _result: ClassVar[str] = "summary_"
    """The attribute whose presence means "fitted"."""
    _fit_call: ClassVar[str] = "fit(data)"
    """How ``fit`` is called, for the fix of :class:`NotFittedError`."""

    # ------------------------------------------------------------------ state
    @property
    def fitted(self) -> bool:
        """Whether ``fit`` has run on this object."""
        return self._result in self.__dict__

    def _check_fitted(self) -> None:
        if not self.fitted:
            name = type(self).__name__
            raise NotFittedError(f"this {name} is not fitted yet", fix=f"call {name}(...).{self._fit_call} first")

    def __getattr__(self, name: str) -> Any:
        # called only when normal lookup fails: a result (``x_``) read before fit gets the one error, and
        # so does a property (``summary``) whose NotFittedError (an AttributeError) brought us here
        if not name.startswith("__"):
            prop = inspect.getattr_static(type(self), name, None)
            if isinstance(prop, property) and prop.fget is not None:
                self._check_fitted()
                return prop.fget(self)  # fitted: the property's own error again, with its traceback
            if name.endswith("_"):
                self._check_fitted()
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # ---------------------------------------------------------------- results
    @property
    def summary(self) -> pd.DataFrame:
        """The results as one table."""
        self._check_fitted()
        summary: pd.DataFrame = self.__dict__["summary_"]
        return summary

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: ``n`` and the rows of ``summary``."""
        self._check_fitted()
        return {"n": self._repr_n(), "summary": plain(self.summary)}

    def plot(self, ax: Any = None) -> Any:
        """A bar chart of the summary's first numeric column; returns the axis (needs matplotlib)."""
        from carlzon.analysis._plot import axis

        self._check_fitted()
        s = self.summary
        num = [c for c in s.columns if pd.api.types.is_numeric_dtype(s[c])]
        ax = axis(ax, (6, 0.35 * len(s) + 1))
        if num:
            ax.barh([str(i) for i in s.index], s[num[0]].to_numpy(dtype=float))
            ax.set_xlabel(str(num[0]))
        return ax

    # ------------------------------------------------------------------- repr
    def _repr_n(self) -> int | None:
        """The number of rows the fit used (``n_`` by default)."""
        n = self.__dict__.get("n_")
        return None if n is None else int(n)

    def _repr_extra(self) -> str:
        """More about a fitted object for the repr (e.g. ``3 alerts``); empty by default."""
        return ""

    def _params(self) -> str:
        out = []
        for p in list(inspect.signature(type(self).__init__).parameters.values())[1:]:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name not in self.__dict__:
                continue
            v = self.__dict__[p.name]
            if p.default is p.empty or not _same(v, p.default):
                out.append(f"{p.name}={_short(v)}")
        return ", ".join(out)

    def __repr__(self) -> str:
        head = f"{type(self).__name__}({self._params()})"
        if not self.fitted:
            return f"{head}: not fitted"
        n = self._repr_n()
        extra = self._repr_extra()
        bits = ([f"n = {n:,}"] if n is not None else []) + ([extra] if extra else [])
        return f"{head}: fitted" + (f" on {', '.join(bits)}" if bits else "")


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _short(v: Any) -> str:
    name = getattr(v, "name", None)
    if name is not None and type(v).__name__ == "Journey":
        return repr(name)
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."
