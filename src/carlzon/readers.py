"""Readers: CSV / TSV, JSON Lines, Parquet, Excel and DataFrames as batches of text columns.

Every reader yields :class:`Batch` objects: an Arrow table whose columns are
all strings (nulls for blanks), the row number of each record, and the
records that could not be read at all (wrong column count, broken JSON),
each with its reason. Undecodable bytes are replaced by :data:`BAD_BYTE` so
that the row can be quarantined and the rest of the file read on.

Row numbers are what a person sees: a CSV/TSV record's number counting the
header as 1 (its line number when no value spans lines), a JSON Lines line
number, an Excel sheet row; a DataFrame's or Parquet file's 0-based position.

Example:
    >>> import pandas as pd
    >>> from carlzon.readers import read_batches
    >>> columns, batches = read_batches(pd.DataFrame({"text": ["ok", None]}))
    >>> b = next(batches)
    >>> columns, b.table.column("text").to_pylist(), b.rows.tolist()
    (['text'], ['ok', None], [0, 1])
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from carlzon.errors import IngestError

__all__ = ["BAD_BYTE", "Batch", "read_batches", "source_name"]

BAD_BYTE = "\U0010fffe"
"""Stands in for an undecodable byte (a Unicode noncharacter, never found in real text)."""

_ERRORS = "carlzon-bad-byte"


def _bad_byte(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return BAD_BYTE * (exc.end - exc.start), exc.end


codecs.register_error(_ERRORS, _bad_byte)

_SUFFIXES = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel", ".xlsm": "excel",
}


@dataclass
class Batch:
    """A slice of the input: text columns, row numbers, and the records that could not be read."""

    table: pa.Table
    rows: np.ndarray
    bad: list[dict[str, Any]] = field(default_factory=list)  # {row, reason, raw}
    bad_bytes: bool = False  # True when BAD_BYTE may occur in this batch

    @property
    def read(self) -> int:
        return self.table.num_rows + len(self.bad)


class _Transcoder(io.RawIOBase):
    """A binary stream re-encoded as UTF-8, undecodable bytes replaced by BAD_BYTE."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self._raw = raw
        self._dec = codecs.getincrementaldecoder(encoding)(errors=_ERRORS)
        self._buf = b""
        self._eof = False
        self.bad = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf and not self._eof:
            chunk = self._raw.read(1 << 20)
            self._eof = not chunk
            text = self._dec.decode(chunk, final=self._eof)
            if BAD_BYTE in text:
                self.bad += text.count(BAD_BYTE)
            self._buf = text.encode("utf-8")
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def source_name(source: Any) -> str:
    """The name stored with each interaction: a file's name, or 'dataframe'."""
    return Path(source).name if isinstance(source, (str, Path)) else "dataframe"


def _kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    kind = _SUFFIXES.get(suffixes[-1] if suffixes else "")
    if kind is None:
        raise IngestError(
            f"cannot tell the format from the name {path.name!r}",
            where=str(path),
            fix="use .csv, .tsv, .jsonl, .json, .parquet or .xlsx (optionally .gz for text formats)",
        )
    return kind


def _open(path: Path) -> BinaryIO:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def read_batches(
    source: str | Path | pd.DataFrame,
    *,
    batch_rows: int = 50_000,
    encoding: str = "utf-8",
    delimiter: str | None = None,
) -> tuple[list[str], Iterator[Batch]]:
    """The column names and an iterator of batches for a file path or a DataFrame."""
    if batch_rows < 1:
        raise IngestError(f"batch_rows must be positive, not {batch_rows}", fix="pass batch_rows=50_000")
    if isinstance(source, pd.DataFrame):
        return _frame_batches(source, batch_rows, start=0)
    path = Path(source)
    if not path.is_file():
        raise IngestError("file not found", where=str(path), fix="check the path")
    kind = _kind(path)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise IngestError(f"unknown encoding {encoding!r}", fix="use e.g. utf-8, cp1252 or latin-1") from None
    if kind in ("csv", "tsv"):
        return _csv_batches(path, batch_rows, encoding, delimiter or ("\t" if kind == "tsv" else None))
    if kind == "jsonl":
        return _jsonl_batches(path, batch_rows, encoding)
    if kind == "json":
        return _json_batches(path, batch_rows, encoding)
    if kind == "parquet":
        return _parquet_batches(path, batch_rows)
    return _excel_batches(path, batch_rows)


# ----- CSV / TSV -------------------------------------------------------------
def _header(path: Path, encoding: str, delimiter: str | None) -> tuple[list[str], str]:
    with _open(path) as raw:
        head = _Transcoder(raw, encoding).read(1 << 16).decode("utf-8", errors="replace")
    if head.startswith("\ufeff"):
        head = head[1:]
    first = head.split("\n", 1)[0]
    if not first.strip():
        raise IngestError("the file is empty or starts with a blank line", where=str(path), fix="put the header on line 1")
    if delimiter is None:
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        delimiter = max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","
    names = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
    return names, delimiter


def unique_names(names: list[str]) -> list[str]:
    """Header names made unique and non-empty ('' -> 'column_1', a second 'x' -> 'x_2')."""
    out: list[str] = []
    seen: set[str] = set()
    for i, n in enumerate(names, start=1):
        n = str(n).strip() or f"column_{i}"
        base, k = n, 2
        while n in seen:
            n, k = f"{base}_{k}", k + 1
        seen.add(n)
        out.append(n)
    return out


def _csv_batches(path: Path, batch_rows: int, encoding: str, delimiter: str | None) -> tuple[list[str], Iterator[Batch]]:
    header, delimiter = _header(path, encoding, delimiter)
    names = unique_names(header)

    def batches() -> Iterator[Batch]:
        done = 1  # the last valid record handed out (the header is row 1); rows come in order
        done_bad: set[int] = set()  # invalid records handed out (they may go out before valid ones)
        for block in BLOCKS:
            try:
                for b in _csv_pass(path, names, delimiter, encoding, batch_rows, block):
                    skip = int(np.searchsorted(b.rows, done, side="right"))
                    bad = [x for x in b.bad if x["row"] not in done_bad]
                    if skip == len(b.rows) and not bad:
                        continue
                    part = b if skip == 0 and len(bad) == len(b.bad) else Batch(
                        b.table.slice(skip), b.rows[skip:], bad, b.bad_bytes)
                    yield part
                    done = int(part.rows[-1]) if len(part.rows) else done
                    done_bad.update(x["row"] for x in bad)
                return
            except _RecordTooLong:
                continue  # read again with larger blocks, past what was handed out
        raise IngestError(f"a record is longer than {BLOCKS[-1] >> 20} MB", where=str(path),
                          fix="check the quoting: an unclosed quote makes the rest of the file one value")

    return names, batches()


BLOCKS = (1 << 20, 8 << 20, 64 << 20, 256 << 20)
"""Block sizes in which CSV is parsed, one block a batch: 1 MB (measured fastest for ingest: the
first batch reaches the store early and reading overlaps storing); a record longer than a block
makes the file be read again with the next size, past the records already handed out."""


class _RecordTooLong(Exception):
    """A CSV record does not fit in one block."""


def _csv_pass(path: Path, names: list[str], delimiter: str, encoding: str, batch_rows: int,
              block: int) -> Iterator[Batch]:
    """One pass over a CSV file in blocks of ``block`` bytes (raises _RecordTooLong)."""
    import pyarrow.csv as pacsv

    bad: list[dict[str, Any]] = []

    def on_invalid(row: Any) -> str:
        raw = row.text.replace(BAD_BYTE, "\ufffd")
        bad.append({
            "row": int(row.number),
            "reason": f"wrong column count: expected {row.expected_columns} fields, found {row.actual_columns}",
            "raw": raw,
        })
        return "skip"

    def fail(exc: pa.ArrowInvalid, fix: str) -> Exception:
        if "straddl" in str(exc) or "block size" in str(exc):
            return _RecordTooLong()
        return IngestError(f"cannot read as CSV: {exc}", where=str(path), fix=fix)

    enc = "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding
    stream = _Transcoder(_open(path), enc)
    try:
        try:
            reader = pacsv.open_csv(
                io.BufferedReader(stream, buffer_size=1 << 20),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, block_size=block),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                                 invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                    null_values=[""], quoted_strings_can_be_null=True,
                ),
            )
        except pa.ArrowInvalid as exc:
            raise fail(exc, "check the delimiter and quoting") from None
        count = 0  # records handed out so far (valid + invalid)
        taken: list[int] = []  # row numbers of invalid records, ascending
        while True:
            try:
                rb = reader.read_next_batch()
            except StopIteration:
                rb = None
            except pa.ArrowInvalid as exc:
                raise fail(exc, "check the delimiter and quoting, or pass encoding=") from None
            new_bad, bad[:] = list(bad), []
            taken.extend(b["row"] for b in new_bad)
            if rb is None:
                if new_bad:
                    yield Batch(pa.table({n: pa.array([], pa.string()) for n in names}), np.array([], np.int64),
                                new_bad, stream.bad > 0)
                return
            # one block, one batch (at most batch_rows): small batches keep reading, checking and storing
            # going side by side, and the first one starts storing early
            for off in range(0, rb.num_rows, batch_rows):
                part = rb.slice(off, batch_rows)
                rows = _number_rows(count, part.num_rows, taken)
                count = int(rows[-1]) - 1 if len(rows) else count
                # invalid records seen so far go with the first slice (row numbers tell where)
                yield Batch(pa.Table.from_batches([part]), rows, new_bad if off == 0 else [], stream.bad > 0)
    finally:
        stream.close()


def _number_rows(count: int, n: int, taken: list[int]) -> np.ndarray:
    """Row numbers of the next ``n`` valid records after ``count`` records (header = row 1),
    skipping the numbers ``taken`` by invalid records."""
    base = np.arange(count + 2, count + 2 + n, dtype=np.int64)
    if not taken:
        return base
    inv = np.asarray(taken, dtype=np.int64)
    inv = inv[inv >= count + 2]
    adj = inv - np.arange(len(inv))
    return base + np.searchsorted(adj, base, side="right")


# ----- other formats ---------------------------------------------------------
def _text(v: Any) -> str | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool) or isinstance(v, np.bool_):
        return "true" if v else "false"
    if isinstance(v, (datetime, date, pd.Timestamp)):
        return v.isoformat()
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, default=str)
    if isinstance(v, (float, np.floating)) and float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, bytes):
        return v.decode("utf-8", errors=_ERRORS)
    return str(v)


def frame_to_table(df: pd.DataFrame) -> tuple[pa.Table, bool]:
    """A DataFrame as an Arrow table of text columns (and whether undecodable bytes occur)."""
    names = unique_names([str(c) for c in df.columns])
    cols = {}
    bad_bytes = False
    for name, c in zip(names, df.columns):
        s = df[c] if not isinstance(df[c], pd.DataFrame) else df[c].iloc[:, 0]
        if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
            values = s.astype(object).where(s.notna(), None).tolist()
        else:
            values = [_text(v) for v in s.tolist()]
        if any(isinstance(v, str) and BAD_BYTE in v for v in values):
            bad_bytes = True
        cols[name] = pa.array(values, type=pa.string())
    return pa.table(cols), bad_bytes


def _frame_batches(df: pd.DataFrame, batch_rows: int, *, start: int, row_offset: int = 0) -> tuple[list[str], Iterator[Batch]]:
    names = unique_names([str(c) for c in df.columns])

    def batches() -> Iterator[Batch]:
        for off in range(0, len(df), batch_rows):
            part = df.iloc[off : off + batch_rows]
            table, bb = frame_to_table(part)
            yield Batch(table, np.arange(off + start, off + start + len(part), dtype=np.int64), [], bb)

    return names, batches()


def _parquet_batches(path: Path, batch_rows: int) -> tuple[list[str], Iterator[Batch]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise IngestError(f"cannot read as Parquet: {exc}", where=str(path), fix="check the file is Parquet") from None
    names = unique_names(pf.schema_arrow.names)

    def batches() -> Iterator[Batch]:
        start = 0
        for rb in pf.iter_batches(batch_size=batch_rows):
            df = rb.to_pandas()
            table, bb = frame_to_table(df)
            yield Batch(table, np.arange(start, start + len(df), dtype=np.int64), [], bb)
            start += len(df)

    return names, batches()


def _excel_batches(path: Path, batch_rows: int) -> tuple[list[str], Iterator[Batch]]:
    try:
        df = pd.read_excel(path, dtype=object, engine="openpyxl")
    except (ValueError, OSError, KeyError) as exc:
        raise IngestError(f"cannot read as Excel: {exc}", where=str(path), fix="save it as .xlsx, or export CSV") from None
    # sheet row = position + 2 (the header is row 1)
    return _frame_batches(df, batch_rows, start=2)


def _jsonl_batches(path: Path, batch_rows: int, encoding: str) -> tuple[list[str], Iterator[Batch]]:
    # the first readable object gives the columns in order; later keys are added as they appear
    names: list[str] = []
    with _open(path) as raw:
        for line in io.TextIOWrapper(raw, encoding=encoding, errors=_ERRORS):
            if line.strip():
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    names = [str(k) for k in obj]
                    break

    def batches() -> Iterator[Batch]:
        records: list[dict[str, Any]] = []
        rows: list[int] = []
        bad: list[dict[str, Any]] = []
        with _open(path) as raw:
            for no, line in enumerate(io.TextIOWrapper(raw, encoding=encoding, errors=_ERRORS, newline="\n"), start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    bad.append({"row": no, "reason": f"not valid JSON: {exc.msg}", "raw": line.rstrip("\n")})
                    continue
                if not isinstance(obj, dict):
                    bad.append({"row": no, "reason": "not a JSON object", "raw": line.rstrip("\n")})
                    continue
                records.append(obj)
                rows.append(no)
                if len(records) >= batch_rows:
                    yield _records_batch(records, rows, bad, names)
                    records, rows, bad = [], [], []
        if records or bad:
            yield _records_batch(records, rows, bad, names)

    return names, batches()


def _records_batch(records: list[dict[str, Any]], rows: list[int], bad: list[dict[str, Any]], names: list[str]) -> Batch:
    for r in records:
        for k in r:
            if k not in names:
                names.append(str(k))
    df = pd.DataFrame.from_records(records, columns=names) if records else pd.DataFrame(columns=names)
    table, bb = frame_to_table(df)
    return Batch(table, np.asarray(rows, dtype=np.int64), bad, bb)


def _json_batches(path: Path, batch_rows: int, encoding: str) -> tuple[list[str], Iterator[Batch]]:
    with _open(path) as raw:
        text = raw.read().decode(encoding, errors=_ERRORS)
    if text.lstrip().startswith("{"):
        return _jsonl_batches(path, batch_rows, encoding)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise IngestError(f"not valid JSON: {exc}", where=str(path), fix="export a JSON array of objects or JSON Lines") from None
    if not isinstance(data, list):
        raise IngestError("expected a JSON array of objects", where=str(path), fix="export JSON Lines (.jsonl) instead")
    names: list[str] = []

    def batches() -> Iterator[Batch]:
        for off in range(0, len(data), batch_rows):
            chunk = data[off : off + batch_rows]
            good = [(i, r) for i, r in enumerate(chunk, start=off) if isinstance(r, dict)]
            bad = [{"row": i, "reason": "not a JSON object", "raw": json.dumps(r)[:1000]}
                   for i, r in enumerate(chunk, start=off) if not isinstance(r, dict)]
            yield _records_batch([r for _, r in good], [i for i, _ in good], bad, names)

    return names, batches()
