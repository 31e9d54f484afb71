"""Arrow text columns as JSON text, vectorised: the ``ratings``, ``measures`` and ``attributes``
objects that ingest stores, built without a Python loop per row.

Example:
    >>> import pyarrow as pa
    >>> from carlzon.jsoncols import json_objects, json_value, pylist
    >>> pylist(json_objects([("gate", json_value(pa.chunked_array([["B12", None]])))], 2))
    ['{"gate":"B12"}', '{"gate":null}']
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "JSON_NUMBER",
    "NumberMap",
    "all_json_numbers",
    "json_number",
    "json_objects",
    "json_string",
    "json_value",
    "needs_escape",
    "pylist",
    "unpack_numbers",
]

JSON_NUMBER = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
"""A number as JSON writes it (no leading zeros, no '+', no bare '.5')."""


def needs_escape(arr: pa.ChunkedArray | pa.Array) -> bool:
    """Whether any text holds a quote, a backslash or a control character (one pass over the bytes)."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    for c in chunks:
        if len(c) == 0 or c.null_count == len(c):
            continue
        c = c.cast(pa.string()) if c.type != pa.string() else c
        off = np.frombuffer(c.buffers()[1], np.int32)[c.offset : c.offset + len(c) + 1]
        data = np.frombuffer(c.buffers()[2], np.uint8)[off[0] : off[-1]]
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
            fixed = [
                json.dumps(v, ensure_ascii=False)[1:-1] if v is not None and c else v
                for v, c in zip(a.to_pylist(), ctrl.to_pylist())
            ]
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
    if (
        len(valid)
        and valid[0].as_py() in ("true", "false")
        and pc.all(pc.or_(pc.equal(valid, "true"), pc.equal(valid, "false"))).as_py()
    ):
        return arr
    return json_string(arr)


def json_objects(items: list[tuple[str, Any]], n: int) -> pa.ChunkedArray | list[str]:
    """One JSON object per row from (key, JSON-value array) pairs; missing values are null.

    An Arrow array of text (``["{}"] * n`` when there are no items): turn it into Python strings
    with :func:`pylist` only where they are needed."""
    if not items or n == 0:
        return ["{}"] * n
    parts: list[Any] = []
    for i, (key, values) in enumerate(items):
        parts.append(("{" if i == 0 else ",") + json.dumps(key, ensure_ascii=False) + ":")
        parts.append(pc.fill_null(values, "null") if values.null_count else values)
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def pylist(arr: pa.ChunkedArray | pa.Array) -> list:
    """Arrow strings as a list of str/None (through NumPy: about twice as fast as ``to_pylist``)."""
    return arr.to_numpy(zero_copy_only=False).tolist()


@dataclass(frozen=True)
class NumberMap:
    """Rows of named numbers, such as a survey's item ratings or an event's measures: the
    names once (``keys``) and one array of JSON numbers (text, null when missing) per name.

    The store keeps them packed: the names once per *layout*, and each row as a JSON array
    of its numbers in key order (``[3,4,null]``), a fraction of the bytes of an object per row.

    >>> m = NumberMap(("Seat comfort", "Food"), (pa.array(["4", None]), pa.array(["5", "2"])))
    >>> pylist(m.objects()), pylist(m.packed)
    (['{"Seat comfort":4,"Food":5}', '{"Seat comfort":null,"Food":2}'], ['[4,5]', '[null,2]'])
    >>> unpack_numbers(["[4,5]", None], m.keys)
    ['{"Seat comfort":4,"Food":5}', None]
    """

    keys: tuple[str, ...]
    values: tuple[Any, ...]  # Arrow text arrays, one per key, all of one length

    def __post_init__(self) -> None:
        if not self.keys or len(self.keys) != len(self.values):
            raise ValueError("a NumberMap needs at least one key and one array of values per key")

    def __len__(self) -> int:
        return len(self.values[0])

    def objects(self) -> pa.ChunkedArray:
        """Each row as a JSON object text (``{"key": number, ...}``)."""
        return json_objects(list(zip(self.keys, self.values)), len(self))  # type: ignore[return-value]

    @cached_property
    def packed(self) -> pa.ChunkedArray:
        """Each row as a JSON array text of its numbers in key order (``[4,null]``), made once."""
        parts: list[Any] = []
        for i, values in enumerate(self.values):
            parts.append("[" if i == 0 else ",")
            parts.append(pc.fill_null(values, "null") if values.null_count else values)
        parts.append("]")
        return pc.binary_join_element_wise(*parts, "")


def unpack_numbers(packed: Sequence[str | None] | pa.Array, keys: Sequence[str]) -> list[str | None]:
    """Packed rows (JSON arrays of numbers, see :class:`NumberMap`) back to JSON object texts.

    Raises ValueError when a row does not hold one number per key."""
    arr = packed if isinstance(packed, (pa.Array, pa.ChunkedArray)) else pa.array(packed, pa.string())
    if not keys:
        return pylist(pc.if_else(pc.is_null(arr), pa.scalar(None, pa.string()), pa.scalar("{}")))
    # numbers and null hold no commas or brackets, so splitting the text is safe
    parts = pc.split_pattern(pc.utf8_slice_codeunits(arr, 1, -1), ",")
    lengths = pc.list_value_length(parts)
    if pc.any(pc.not_equal(lengths, len(keys))).as_py():
        raise ValueError(f"a packed row does not hold {len(keys)} numbers")
    pieces: list[Any] = []
    for i, key in enumerate(keys):
        pieces.append(("{" if i == 0 else ",") + json.dumps(key, ensure_ascii=False) + ":")
        pieces.append(pc.list_element(parts, i))
    pieces.append("}")
    return pylist(pc.binary_join_element_wise(*pieces, ""))
