"""Arrow text columns as JSON text, vectorised: the ``ratings``, ``measures`` and ``attributes``
objects that ingest stores, built without a Python loop per row.

Example:
    >>> import pyarrow as pa
    >>> from carlzon.jsoncols import json_objects, json_value
    >>> json_objects([("gate", json_value(pa.chunked_array([["B12", None]])))], 2)
    ['{"gate":"B12"}', '{"gate":null}']
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["JSON_NUMBER", "all_json_numbers", "json_number", "json_objects", "json_string", "json_value",
           "needs_escape", "pylist"]

JSON_NUMBER = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
"""A number as JSON writes it (no leading zeros, no '+', no bare '.5')."""


def needs_escape(arr: pa.ChunkedArray | pa.Array) -> bool:
    """Whether any text holds a quote, a backslash or a control character (one pass over the bytes)."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    for c in chunks:
        if len(c) == 0 or c.null_count == len(c):
            continue
        c = c.cast(pa.string()) if c.type != pa.string() else c
        off = np.frombuffer(c.buffers()[1], np.int32)[c.offset:c.offset + len(c) + 1]
        data = np.frombuffer(c.buffers()[2], np.uint8)[off[0]:off[-1]]
        if (data < 0x20).any() or (data == 0x22).any() or (data == 0x5C).any():
            return True
    return False


def json_string(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text as JSON string literals (nulls stay null)."""
    a = arr
    if needs_escape(a):
        for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            a = pc.replace_substring(a, old, new)
        ctrl = pc.match_substring_regex(a, "[\\x00-\\x1f]")
        if pc.any(ctrl).as_py():
            fixed = [json.dumps(v, ensure_ascii=False)[1:-1] if v is not None and c else v
                     for v, c in zip(a.to_pylist(), ctrl.to_pylist())]
            a = pa.chunked_array([pa.array(fixed, pa.string())])
    return pc.binary_join_element_wise('"', a, '"', "")


def all_json_numbers(valid: pa.ChunkedArray | pa.Array) -> bool:
    """Whether every (non-null) text is a JSON number; plain digits are checked without a regex."""
    if len(valid) == 0:
        return True
    if pc.all(pc.ascii_is_decimal(valid)).as_py():  # digits only: a JSON number unless a leading zero
        lead = pc.and_(pc.starts_with(valid, "0"), pc.greater(pc.binary_length(valid), 1))
        return not pc.any(lead).as_py()
    if not re.fullmatch(JSON_NUMBER, valid[0].as_py()):
        return False
    return bool(pc.all(pc.match_substring_regex(valid, JSON_NUMBER)).as_py())


def json_number(raw: pa.ChunkedArray, values: np.ndarray) -> pa.ChunkedArray | pa.Array:
    """Numbers as JSON: the text as written when it is a JSON number, else the parsed float
    (non-finite values become null)."""
    if all_json_numbers(pc.drop_null(raw)):
        return raw
    arr = pa.array(values, pa.float64(), mask=~np.isfinite(values))
    return pc.cast(arr, pa.string())


def json_value(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """A text column as JSON: numbers when every value is a JSON number, true/false, else strings."""
    valid = pc.drop_null(arr)
    if len(valid) and all_json_numbers(valid):
        return arr
    if (len(valid) and valid[0].as_py() in ("true", "false")
            and pc.all(pc.or_(pc.equal(valid, "true"), pc.equal(valid, "false"))).as_py()):
        return arr
    return json_string(arr)


def json_objects(items: list[tuple[str, Any]], n: int) -> list[str]:
    """One JSON object per row from (key, JSON-value array) pairs; missing values are null."""
    if not items or n == 0:
        return ["{}"] * n
    parts: list[Any] = []
    for i, (key, values) in enumerate(items):
        parts.append(("{" if i == 0 else ",") + json.dumps(key, ensure_ascii=False) + ":")
        parts.append(pc.fill_null(values, "null") if values.null_count else values)
    parts.append("}")
    return pylist(pc.binary_join_element_wise(*parts, ""))


def pylist(arr: pa.ChunkedArray | pa.Array) -> list:
    """Arrow strings as a list of str/None (through NumPy: about twice as fast as ``to_pylist``)."""
    return arr.to_numpy(zero_copy_only=False).tolist()
