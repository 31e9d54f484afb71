"""Tables written for people to open (CSV, Excel, Parquet): formulas neutralised, personal data masked.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``): customers' words can carry
one. Such a text cell is written with a leading apostrophe, which the spreadsheet shows as text
(OWASP's advice for CSV injection); numbers stay numbers. Customers' e-mails, phones, names and the
like in text columns are masked unless ``include_personal_data`` (internal use).

Example:
    >>> import pandas as pd
    >>> neutralise(pd.DataFrame({"t": ["=HYPERLINK(\\"x\\")", "fine", "-1 star"], "n": [-1, 2, 3]}))["t"].tolist()
    ['\\'=HYPERLINK("x")', 'fine', "'-1 star"]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from collections.abc import Iterable

import pandas as pd

from carlzon.errors import CarlzonError

__all__ = ["FORMULA_STARTS", "neutralise", "safe_cell", "write_table"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text value that a spreadsheet will not run as a formula (anything else as it is)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell made safe (:func:`safe_cell`); column names too."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
            out[c] = out[c].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def _masked(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    from carlzon.privacy.display import mask_evidence
    from carlzon.privacy.recognise import redact

    out = df.copy()
    for c in columns:
        if c in out.columns:
            fn = mask_evidence if c == "evidence" else redact
            out[c] = out[c].map(lambda v, fn=fn: fn(v) if isinstance(v, (str, list)) else v)
    return out


def write_table(
    df: pd.DataFrame, out: str | Path, *, personal_columns: Iterable[str] = (), include_personal_data: bool = False
) -> Path:
    """Write ``df`` as .csv, .xlsx or .parquet: text cells neutralised (CSV and Excel), personal data in
    ``personal_columns`` masked unless ``include_personal_data``. Returns the path."""
    path = Path(out)
    suffix = path.suffix.lower()
    if not include_personal_data:
        df = _masked(df, personal_columns)
    try:
        if suffix == ".csv":
            neutralise(df).to_csv(path, index=False)
        elif suffix == ".xlsx":
            sheet = neutralise(df)
            for c in sheet.columns:  # Excel has no time zones: UTC, written as such
                if isinstance(sheet[c].dtype, pd.DatetimeTZDtype):
                    sheet[c] = sheet[c].dt.tz_convert("UTC").dt.tz_localize(None)
            sheet.to_excel(path, index=False, engine="openpyxl")
        elif suffix in (".parquet", ".pq"):
            df.to_parquet(path, index=False)  # typed columns: nothing runs when it is read
        else:
            raise CarlzonError(
                f"cannot write {path.name}: unknown extension {path.suffix!r}",
                fix="name the output .csv, .xlsx or .parquet",
            )
    except OSError as exc:
        raise CarlzonError(
            f"cannot write {path} ({exc.strerror})", fix="check the folder exists and is writable"
        ) from None
    return path
