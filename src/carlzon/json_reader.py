"""JSON Lines and JSON arrays as batches of text columns, without tracebacks on awkward files.

A line longer than the field-size limit is read past in chunks and quarantined; JSON nested deeper
than :data:`MAX_JSON_DEPTH` is refused row by row (Python's reader would overflow its stack); the
elements of a JSON array are read one by one, so one bad element is one quarantined row.

Example:
    >>> list(_json_elements('[{"a": 1}, ' + "[" * 300 + "]" * 300 + ', 2]'))[1][2][:30]
    'not valid JSON: nested 300 lev'
"""

from __future__ import annotations

import codecs
import io
import json
import re
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import numpy as np
import pandas as pd

from carlzon.errors import IngestError
from carlzon.readers import _ERRORS, DEFAULT_MAX_FIELD_BYTES, NUL, Batch, _open, _Transcoder, frame_to_table

__all__ = ["MAX_JSON_DEPTH", "json_batches", "jsonl_batches"]

MAX_JSON_DEPTH = 200
"""JSON nested deeper than this is refused row by row."""


def _loads(text: str) -> Any:
    """json.loads, with JSON nested deeper than MAX_JSON_DEPTH refused as ValueError (not RecursionError)."""
    depth = _depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested {depth} levels deep (more than {MAX_JSON_DEPTH})")
    return json.loads(text)


def _depth(text: str) -> int:
    """The deepest nesting of [ and { in a JSON text, outside strings (quick: only texts with many brackets)."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return 0
    depth = best = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


def _lines(path: Path, encoding: str, limit: int) -> Iterator[tuple[int, str | None, int]]:
    """(line number, text, bytes) of each line; a line longer than ``limit`` bytes comes back as None
    (read past in chunks, never held whole)."""
    codec = codecs.lookup(encoding)
    if codec.name.startswith("utf-16") or codec.name.startswith("utf-32"):
        with _open(path) as raw:  # wide encodings: transcode to UTF-8 first, then split lines
            text_stream = io.BufferedReader(_Transcoder(raw, encoding), buffer_size=1 << 20)
            yield from _split_lines(text_stream, "utf-8", limit)
        return
    with _open(path) as raw:
        yield from _split_lines(raw, encoding, limit)


def _split_lines(raw: Any, encoding: str, limit: int) -> Iterator[tuple[int, str | None, int]]:
    no = 0
    while True:
        line = raw.readline(limit + 1)
        if not line:
            return
        no += 1
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while True:
                more = raw.readline(1 << 20)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield no, None, size
            continue
        text = line.decode(encoding, errors=_ERRORS)
        if no == 1 and text.startswith("\ufeff"):
            text = text[1:]
        yield no, text.replace("\x00", NUL), len(line)


def jsonl_batches(
    path: Path, batch_rows: int, encoding: str, max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES
) -> tuple[list[str], Iterator[Batch]]:
    # the first readable object gives the columns in order; later keys are added as they appear
    names: list[str] = []
    for _, line, _ in _lines(path, encoding, max_field_bytes):
        if line is not None and line.strip():
            try:
                obj = _loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                names = [str(k) for k in obj]
                break

    def batches() -> Iterator[Batch]:
        records: list[dict[str, Any]] = []
        rows: list[int] = []
        bad: list[dict[str, Any]] = []
        for no, line, size in _lines(path, encoding, max_field_bytes):
            if line is None:
                bad.append(
                    {
                        "row": no,
                        "reason": f"row too long: {size} bytes, over the field-size limit (raise it "
                        "with --max-field-mb, or split the record)",
                        "raw": f"(a line of {size} bytes)",
                    }
                )
                continue
            if not line.strip():
                continue
            try:
                obj = _loads(line)
            except ValueError as exc:
                msg = getattr(exc, "msg", str(exc))
                bad.append({"row": no, "reason": f"not valid JSON: {msg}", "raw": line.rstrip("\n")[:10_000]})
                continue
            if not isinstance(obj, dict):
                bad.append({"row": no, "reason": "not a JSON object", "raw": line.rstrip("\n")[:10_000]})
                continue
            records.append(obj)
            rows.append(no)
            if len(records) >= batch_rows:
                yield _records_batch(records, rows, bad, names)
                records, rows, bad = [], [], []
        if records or bad:
            yield _records_batch(records, rows, bad, names)

    return names, batches()


def _records_batch(
    records: list[dict[str, Any]], rows: list[int], bad: list[dict[str, Any]], names: list[str]
) -> Batch:
    for r in records:
        for k in r:
            if k not in names:
                names.append(str(k))
    df = pd.DataFrame.from_records(records, columns=names) if records else pd.DataFrame(columns=names)
    table, bb = frame_to_table(df)
    return Batch(table, np.asarray(rows, dtype=np.int64), bad, bb)


def _json_elements(text: str) -> Iterator[tuple[int, Any, str | None]]:
    """The elements of a JSON array one by one: (index, value, None) or (index, None, why it was refused)."""
    dec = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")
    pos = ws.match(text, 0).end()
    if text[pos : pos + 1] != "[":
        raise ValueError("expected a JSON array")
    pos = ws.match(text, pos + 1).end()
    i = 0
    if text[pos : pos + 1] == "]":
        return
    while True:
        end = _value_end(text, pos)
        chunk = text[pos:end]
        try:
            yield i, _loads(chunk), None
        except ValueError as exc:
            yield i, None, f"not valid JSON: {getattr(exc, 'msg', str(exc))}"
        _ = dec
        pos = ws.match(text, end).end()
        i += 1
        if text[pos : pos + 1] == ",":
            pos = ws.match(text, pos + 1).end()
            continue
        if text[pos : pos + 1] == "]":
            return
        raise ValueError(f"expected ',' or ']' at character {pos}")


def _value_end(text: str, pos: int) -> int:
    """Where the JSON value starting at ``pos`` ends (brackets and strings followed, no recursion)."""
    depth = 0
    in_str = esc = False
    i = pos
    n = len(text)
    while i < n:
        ch = text[i]
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
                if depth == 0:
                    return i + 1
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            if depth == 0:
                return i
            depth -= 1
            if depth == 0:
                return i + 1
        elif ch == "," and depth == 0:
            return i
        i += 1
    return n


def json_batches(
    path: Path, batch_rows: int, encoding: str, max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES
) -> tuple[list[str], Iterator[Batch]]:
    with _open(path) as raw:
        text = raw.read().decode(encoding, errors=_ERRORS)
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.lstrip().startswith("{"):
        return jsonl_batches(path, batch_rows, encoding, max_field_bytes)
    if not text.lstrip().startswith("["):
        raise IngestError("expected a JSON array of objects", where=str(path), fix="export JSON Lines (.jsonl) instead")
    text = text.replace("\x00", NUL)
    names: list[str] = []

    def batches() -> Iterator[Batch]:
        good: list[dict[str, Any]] = []
        rows: list[int] = []
        bad: list[dict[str, Any]] = []
        try:
            for i, value, why in _json_elements(text):
                if why is not None:
                    bad.append({"row": i, "reason": why, "raw": "(a JSON value too deeply nested to show)"})
                elif not isinstance(value, dict):
                    bad.append({"row": i, "reason": "not a JSON object", "raw": json.dumps(value)[:1000]})
                else:
                    good.append(value)
                    rows.append(i)
                if len(good) >= batch_rows:
                    yield _records_batch(good, rows, bad, names)
                    good, rows, bad = [], [], []
        except ValueError as exc:
            raise IngestError(
                f"not valid JSON: {exc}", where=str(path), fix="export a JSON array of objects or JSON Lines"
            ) from None
        if good or bad:
            yield _records_batch(good, rows, bad, names)

    return names, batches()
