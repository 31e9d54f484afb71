"""What ingest reads out of single values: the customer's words (joined, cleaned), each text's
language, and the reasons a value makes its row be quarantined.

Example:
    >>> _bad_date("9999-12-31", "date", None)[:19]
    'date out of range: '
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carlzon.jsoncols import pylist
from carlzon.mapping import Plan
from carlzon.readers import TOO_LONG

__all__: list[str] = []


def _clean_text(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    t = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(t, ""), pa.scalar(None, pa.string()), t)


def _texts(t: pa.Table, plan: Plan) -> tuple[pa.ChunkedArray | None, list[str | None]]:
    """The customer's words: the text column, or several joined with their names ('Title: ...\nReview: ...'
    when a row has more than one), cleaned of markup, script and mojibake (:mod:`carlzon.junk`)."""
    from carlzon.junk import clean_texts

    cols = plan.text_columns or ([plan.fields["text"]] if plan.fields["text"] else [])
    if not cols:
        return None, []
    parts = [_clean_text(t.column(c)) for c in cols]
    if len(parts) == 1:
        joined = parts[0]
    else:
        present = np.vstack([pc.is_valid(p).to_numpy(zero_copy_only=False) for p in parts])
        named = [pc.binary_join_element_wise(pa.scalar(f"{c}: "), p, "") for c, p in zip(cols, parts)]
        with_names = pc.binary_join_element_wise(*named, "\n", null_handling="skip")
        plain = pc.coalesce(*parts)
        several = pa.array(present.sum(axis=0) > 1)
        joined = pc.if_else(several, with_names, plain)
        joined = pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)
    values = pylist(joined)
    cleaned, notes = clean_texts(values)
    if any(notes):
        return pa.chunked_array([pa.array(cleaned, pa.string())]), notes
    return joined if isinstance(joined, pa.ChunkedArray) else pa.chunked_array([joined]), notes


def _languages(text: Any, given: Any, n: int) -> list[str | None]:
    """Each kept row's language: the export's own language column where it says one, else detected."""
    from carlzon.language import detect_languages, language_code

    own = [language_code(v) for v in pylist(given)] if isinstance(given, (pa.Array, pa.ChunkedArray)) else [None] * n
    if text is None:
        return own
    texts = pylist(text)
    need = [i for i, (o, tx) in enumerate(zip(own, texts)) if o is None and tx]
    found = detect_languages([texts[i] for i in need])
    for i, lang in zip(need, found):
        own[i] = lang
    return [o if tx else None for o, tx in zip(own, texts)]


def _bad_date(value: Any, col: str, dayfirst: bool | None) -> str:
    """Why a date was refused: out of the range carlzon keeps, or not a date (with the order it was read in)."""
    m = re.search(r"\b(\d{4})\b", str(value))
    if m and not 1678 <= int(m.group(1)) <= 2261:
        return (
            f"date out of range: {value!r} in column {col!r} (dates are kept from 1678 to 2261; "
            f"{m.group(1)} often stands for 'no date': leave it blank in the export)"
        )
    order = "" if dayfirst is None else f" (read {'day' if dayfirst else 'month'}-first, as most of the file is)"
    return f"unparseable date {value!r} in column {col!r}{order}"


def _too_long(col: str, value: Any) -> str:
    size = str(value).replace(TOO_LONG, "")
    return (
        f"row too long: {size} bytes, over the field-size limit (raise it with --max-field-mb, or fix the "
        "export: an unclosed quote makes the rest of a file one value)"
    )


def _nul(col: str, value: Any) -> str:
    return (
        f"NUL byte in column {col!r} (a binary or damaged value; no store keeps NUL in text: remove it from the export)"
    )


def _bad_byte(col: str, value: Any) -> str:
    return f"undecodable bytes in column {col!r} (not valid text in the file's encoding)"
