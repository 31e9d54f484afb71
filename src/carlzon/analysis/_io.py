"""Tables in and out of the analysis: reading a file the commands were pointed at (csv, tsv, parquet, jsonl,
json, xlsx), checking its columns, and rows as plain dicts for JSON."""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any

import pandas as pd

from carlzon.errors import AnalysisError, IngestError
from carlzon.schema import json_object

__all__ = ["attributes", "check_columns", "read_table", "records"]


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a whole table from a file; IngestError naming the fix when it cannot be read."""
    p = Path(path)
    if not p.exists():
        raise IngestError(f"file {p} does not exist", fix="check the path")
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            return pd.read_csv(p)
        if suffix == ".tsv":
            return pd.read_csv(p, sep="\t")
        if suffix == ".parquet":
            return pd.read_parquet(p)
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(p, lines=True)
        if suffix == ".json":
            return pd.read_json(p)
        if suffix in (".xlsx", ".xls"):
            return pd.read_excel(p)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise IngestError(f"cannot read {p.name}: {exc}", fix="check that the file is a valid table in its format") from None
    raise IngestError(f"unknown file type {suffix!r} for {p.name}",
                      fix="use .csv, .tsv, .parquet, .jsonl, .json or .xlsx")


def check_columns(data: pd.DataFrame, columns: list[str], *, what: str = "column") -> None:
    """AnalysisError naming close matches when a column is not in the data."""
    for c in columns:
        if c not in data.columns:
            close = difflib.get_close_matches(str(c), [str(x) for x in data.columns], n=3)
            hint = f"did you mean {close}? " if close else ""
            raise AnalysisError(f"{what} {c!r} is not in the data",
                                fix=f"{hint}columns are: {', '.join(map(str, list(data.columns)[:20]))}")


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """One plain dict a row, with NaN and infinite floats as None (JSON has neither).

    >>> records(pd.DataFrame({"a": [1.5, float("nan")], "b": ["x", "y"]}))
    [{'a': 1.5, 'b': 'x'}, {'a': None, 'b': 'y'}]
    """
    return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
            for r in df.to_dict("records")]


def attributes(a: Any) -> dict[str, Any]:
    """An interaction's attributes as a dict (see :func:`carlzon.schema.json_object`).

    >>> attributes('{"store": "CPH"}'), attributes("not json"), attributes(None)
    ({'store': 'CPH'}, {}, {})
    """
    return json_object(a)
