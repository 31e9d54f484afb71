"""Values as the store writes and reads them: missing values, UTC timestamps, plain Python scalars.

Example:
    >>> iso_utc(datetime(2026, 3, 2, 10, 0))
    '2026-03-02T10:00:00.000000+00:00'
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from carlzon.errors import StoreError

__all__ = ["is_time", "iso_utc", "plain", "timestamps_utc"]


def _is_missing(v: Any) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _utc(v: Any) -> datetime:
    ts = pd.Timestamp(v)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.tz_convert("UTC").to_pydatetime()


def iso_utc(v: datetime) -> str:
    """The canonical text form of a timestamp in SQLite: ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``."""
    return _utc(v).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def timestamps_utc(values: Any, *, where: str) -> pd.Series:
    """Any timestamp column (tz-aware, naive = UTC, ISO strings) as tz-aware UTC datetimes."""
    s = pd.Series(values)
    try:
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            return s.dt.tz_convert("UTC")
        if pd.api.types.is_datetime64_dtype(s.dtype):
            return s.dt.tz_localize("UTC")
        return pd.to_datetime(s, utc=True, format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise StoreError(
            f"cannot read timestamps: {exc}",
            where=where,
            fix="pass tz-aware datetimes or ISO 8601 strings (ingest() does this for you)",
        ) from None


def plain(v: Any) -> Any:
    """numpy / pandas scalars as plain Python values; NaN and NaT as None."""
    if _is_missing(v):
        return None
    if isinstance(v, np.generic):
        v = v.item()
        return None if isinstance(v, float) and math.isnan(v) else v
    return v


def is_time(v: Any) -> bool:
    return isinstance(v, (datetime, pd.Timestamp)) or (isinstance(v, date) and not isinstance(v, datetime))
