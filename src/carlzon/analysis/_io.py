"""Tables in and out of the analysis: reading a file the commands were pointed at (csv, tsv, parquet, jsonl,
json, xlsx), checking its columns, and rows as plain dicts for JSON."""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any

import pandas as pd

from carlzon.errors import AnalysisError
from carlzon.schema import json_object

__all__ = ["attributes", "check_columns", "read_table", "records"]


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a whole table from a file (:func:`carlzon.readers.read_table`, the reader of every command)."""
    from carlzon.readers import read_table as read

    return read(path)


def check_columns(data: pd.DataFrame, columns: list[str], *, what: str = "column") -> None:
    """AnalysisError naming close matches when a column is not in the data."""
    for c in columns:
        if c not in data.columns:
            close = difflib.get_close_matches(str(c), [str(x) for x in data.columns], n=3)
            hint = f"did you mean {close}? " if close else ""
            raise AnalysisError(
                f"{what} {c!r} is not in the data",
                fix=f"{hint}columns are: {', '.join(map(str, list(data.columns)[:20]))}",
            )


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """One plain dict a row, with NaN and infinite floats as None (JSON has neither).

    >>> records(pd.DataFrame({"a": [1.5, float("nan")], "b": ["x", "y"]}))
    [{'a': 1.5, 'b': 'x'}, {'a': None, 'b': 'y'}]
    """
    return [
        {str(k): (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
        for r in df.to_dict("records")
    ]


def attributes(a: Any) -> dict[str, Any]:
    """An interaction's attributes as a dict (see :func:`carlzon.schema.json_object`).

    >>> attributes('{"store": "CPH"}'), attributes("not json"), attributes(None)
    ({'store': 'CPH'}, {}, {})
    """
    return json_object(a)
