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
from typing import Any, BinaryIO
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from carlzon.errors import IngestError

__all__ = [
    "BAD_BYTE",
    "DEFAULT_MAX_FIELD_BYTES",
    "NUL",
    "TOO_LONG",
    "Batch",
    "read_batches",
    "read_table",
    "source_name",
]

BAD_BYTE = "\U0010fffe"
"""Stands in for an undecodable byte (a Unicode noncharacter, never found in real text)."""
NUL = "\U0010fffd"
"""Stands in for a NUL byte (no store keeps NUL in text; the row is quarantined)."""
TOO_LONG = "\U0010fffc"
"""Starts the value that stands in for a record longer than the field-size limit (followed by its size)."""
DEFAULT_MAX_FIELD_BYTES = 4 << 20
"""A CSV or JSON Lines record longer than this (4 MB) is quarantined without being read into memory."""
MAX_HEADER_BYTES = 64 << 20
"""The header line may be this long (a survey of thousands of questions)."""

_ERRORS = "carlzon-bad-byte"


def _bad_byte(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return BAD_BYTE * (exc.end - exc.start), exc.end


codecs.register_error(_ERRORS, _bad_byte)

_SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
}


@dataclass
class Batch:
    """A slice of the input: text columns, row numbers, and the records that could not be read."""

    table: pa.Table
    rows: np.ndarray
    bad: list[dict[str, Any]] = field(default_factory=list)  # {row, reason, raw}
    bad_bytes: bool = False  # True when BAD_BYTE, NUL or TOO_LONG may occur in this batch
    notes: list[str] = field(default_factory=list)  # what the reader did (an encoding found, lines skipped)

    @property
    def read(self) -> int:
        return self.table.num_rows + len(self.bad)


class _Transcoder(io.RawIOBase):
    """A binary stream re-encoded as UTF-8, undecodable bytes replaced by BAD_BYTE and NUL bytes by NUL.

    With ``guard`` (a :class:`_RecordGuard`), CSV records longer than its limit are replaced by a
    one-value record (TOO_LONG and the size) before the parser sees them."""

    def __init__(self, raw: BinaryIO, encoding: str, guard: _RecordGuard | None = None) -> None:
        self._raw = raw
        self._dec = codecs.getincrementaldecoder(encoding)(errors=_ERRORS)
        self._buf = b""
        self._eof = False
        self._guard = guard
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
            if "\x00" in text:
                self.bad += text.count("\x00")
                text = text.replace("\x00", NUL)
            data = text.encode("utf-8")
            if self._guard is not None:
                data = self._guard.feed(data, final=self._eof)
                self.bad += self._guard.replaced
            self._buf = data
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


class _RecordGuard:
    r"""Replaces CSV records longer than ``limit`` bytes by ``TOO_LONG<size>`` and empty fields, streaming.

    Record ends are newlines outside quotes (quote parity, vectorised per chunk). The record in
    progress is held back (at most ``limit`` bytes) until its end is seen; past the limit its bytes
    are dropped and only its size is kept. The header (the first record) is never replaced.

    >>> g = _RecordGuard(10, ",", 2)
    >>> g.feed(b'h1,h2\n1,"short"\n2,"' + b"x" * 20 + b'"\n3,ok\n', final=True).decode().replace(TOO_LONG, "#")
    'h1,h2\n1,"short"\n#25,\n3,ok\n'
    """

    def __init__(self, limit: int, delimiter: str, columns: int) -> None:
        self.limit = limit
        self.filler = delimiter.encode() * max(columns - 1, 0)
        self.in_quote = False
        self.kept = bytearray()  # the record in progress, while it fits
        self.dropping = False
        self.drop_size = 0
        self.header = True
        self.replaced = 0

    def _placeholder(self, size: int) -> bytes:
        self.replaced += 1
        return (TOO_LONG + str(size)).encode("utf-8") + self.filler + b"\n"

    def feed(self, data: bytes, *, final: bool) -> bytes:
        arr = np.frombuffer(data, np.uint8)
        quotes = np.flatnonzero(arr == 0x22)
        newlines = np.flatnonzero(arr == 0x0A)
        parity = (np.searchsorted(quotes, newlines) + int(self.in_quote)) % 2
        ends = newlines[parity == 0]
        self.in_quote = bool((len(quotes) + int(self.in_quote)) % 2)
        out = bytearray()
        pos = 0
        if len(ends):
            lengths = np.diff(np.concatenate(([-1], ends)))
            carried = self.drop_size if self.dropping else len(self.kept)
            lengths[0] += carried
            fast = not self.dropping and not self.header and int(lengths.max()) <= self.limit
            if fast:
                out += self.kept
                out += data[: int(ends[-1]) + 1]
                self.kept = bytearray()
            else:
                for e, size in zip(ends.tolist(), lengths.tolist()):
                    if self.header:
                        out += self.kept + data[pos : e + 1]
                        self.header = False
                    elif self.dropping or size > self.limit:
                        out += self._placeholder(int(size))
                    else:
                        out += self.kept + data[pos : e + 1]
                    self.kept, self.dropping, self.drop_size = bytearray(), False, 0
                    pos = e + 1
            pos = int(ends[-1]) + 1
        tail = data[pos:]
        if self.dropping:
            self.drop_size += len(tail)
        else:
            self.kept += tail
            cap = MAX_HEADER_BYTES if self.header else self.limit
            if len(self.kept) > cap:
                self.dropping, self.drop_size, self.kept = True, len(self.kept), bytearray()
        if final:
            if self.dropping:
                out += self._placeholder(self.drop_size)
            else:
                out += self.kept
            self.kept, self.dropping, self.drop_size = bytearray(), False, 0
        return bytes(out)


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


def read_table(path: str | Path, *, as_text: bool = False) -> pd.DataFrame:
    """A whole small table from a file, for the commands that read one at once (``eval``, ``drivers``,
    ``impact``, ``watch`` ...): CSV, TSV, JSON Lines, JSON, Parquet or Excel, text formats optionally
    gzipped (``.csv.gz``). ``as_text`` keeps every value as read (strings, blanks as missing).
    IngestError naming the fix when the file is missing or cannot be read.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv.gz")
    >>> pd.DataFrame({"a": [1], "b": ["x"]}).to_csv(p, index=False)
    >>> read_table(p).to_dict("records")
    [{'a': 1, 'b': 'x'}]
    """
    p = Path(path)
    if not p.is_file():
        raise IngestError(f"file {p} does not exist", where=str(p), fix="check the path")
    kind = _kind(p)
    text = {"dtype": str, "keep_default_na": False, "na_values": [""]} if as_text else {}
    try:
        if kind in ("csv", "tsv"):
            with _open(p) as raw:
                return pd.read_csv(raw, sep="\t" if kind == "tsv" else ",", encoding="utf-8-sig", **text)
        if kind in ("jsonl", "json"):
            with _open(p) as raw:
                return pd.read_json(raw, lines=kind == "jsonl", **({"dtype": False} if as_text else {}))
        if kind == "parquet":
            return pd.read_parquet(p)
        return pd.read_excel(p, **({"dtype": str} if as_text else {}))
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise IngestError(
            f"cannot read {p.name}: {exc}", where=str(p), fix="check that the file is a valid table in its format"
        ) from None


def sniff_encoding(path: Path, encoding: str) -> tuple[str, str]:
    """The encoding to read ``path`` with, and a note when it is not the one asked for: a UTF-16 or UTF-32
    byte-order mark (or UTF-16 without one: a NUL byte beside every ASCII character) wins over the default."""
    with _open(path) as raw:
        head = raw.read(4096)
    asked = encoding.replace("_", "-").lower()
    if asked not in ("utf-8", "utf8", "utf-8-sig"):
        return encoding, ""
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return enc, f"read as {enc.upper()} (the file starts with its byte-order mark)"
    if len(head) >= 64:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le", "read as UTF-16 (little-endian, no byte-order mark: every other byte is NUL)"
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be", "read as UTF-16 (big-endian, no byte-order mark: every other byte is NUL)"
    return encoding, ""


def read_batches(
    source: str | Path | pd.DataFrame,
    *,
    batch_rows: int = 50_000,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
) -> tuple[list[str], Iterator[Batch]]:
    """The column names and an iterator of batches for a file path or a DataFrame.

    A CSV or JSON Lines record longer than ``max_field_bytes`` comes back as a row to quarantine
    (its bytes are never held in memory); the first batch's ``notes`` say what the reader found
    (a UTF-16 file, lines before the header). Card numbers are masked in every cell and in every
    unreadable record's raw text (:mod:`carlzon.privacy.cards`): nothing read from here holds one
    in clear."""
    if max_field_bytes < 1:
        raise IngestError(f"the field-size limit must be positive, not {max_field_bytes}", fix="use e.g. 4 MB")
    names, batches = _read_batches(
        source, batch_rows=batch_rows, encoding=encoding, delimiter=delimiter, max_field_bytes=max_field_bytes
    )
    return names, _masked(batches)


def _masked(batches: Iterator[Batch]) -> Iterator[Batch]:
    from carlzon.privacy.cards import mask_cards, mask_table

    for b in batches:
        bad = [{**r, "raw": mask_cards(r.get("raw")), "reason": mask_cards(r.get("reason"))} for r in b.bad]
        yield Batch(mask_table(b.table), b.rows, bad, b.bad_bytes, b.notes)


def _read_batches(
    source: str | Path | pd.DataFrame,
    *,
    batch_rows: int,
    encoding: str,
    delimiter: str | None,
    max_field_bytes: int,
) -> tuple[list[str], Iterator[Batch]]:
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
    note = ""
    if kind in ("csv", "tsv", "jsonl", "json"):
        encoding, note = sniff_encoding(path, encoding)
    if kind in ("csv", "tsv"):
        names, it = _csv_batches(
            path, batch_rows, encoding, delimiter or ("\t" if kind == "tsv" else None), max_field_bytes
        )
    elif kind == "jsonl":
        from carlzon.json_reader import jsonl_batches

        names, it = jsonl_batches(path, batch_rows, encoding, max_field_bytes)
    elif kind == "json":
        from carlzon.json_reader import json_batches

        names, it = json_batches(path, batch_rows, encoding, max_field_bytes)
    else:
        names, it = None, None
    if it is not None:
        return names, _with_note(it, note)
    if kind == "parquet":
        return _parquet_batches(path, batch_rows)
    return _excel_batches(path, batch_rows)


def _with_note(batches: Iterator[Batch], note: str) -> Iterator[Batch]:
    first = True
    for b in batches:
        if first and note:
            b.notes.insert(0, note)
        first = False
        yield b


# ----- CSV / TSV -------------------------------------------------------------
def _head_text(path: Path, encoding: str) -> str:
    """The start of the file as text: its first megabyte, or up to the end of a longer header line."""
    with _open(path) as raw:
        stream = _Transcoder(raw, encoding)
        data = stream.read(1 << 20)
        while data and b"\n" not in data and len(data) < MAX_HEADER_BYTES:
            more = stream.read(1 << 20)
            if not more:
                break
            data += more
    head = data.decode("utf-8", errors="replace")
    return head[1:] if head.startswith("\ufeff") else head


def _header(path: Path, encoding: str, delimiter: str | None) -> tuple[list[str], str, int]:
    """The header's names, the delimiter, and how many lines before the header were skipped (a social
    listening export's title, date range and filters)."""
    head = _head_text(path, encoding)
    first = head.split("\n", 1)[0]
    if not head.strip():
        raise IngestError("the file is empty", where=str(path), fix="export the data again")
    if delimiter is None:
        sample = "\n".join(head.split("\n", 60)[:60])
        counts = {d: sample.count(d) for d in (",", ";", "\t", "|")}
        delimiter = max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","
    lines = head.split("\n")
    complete = lines[:-1] if len(lines) > 1 else lines
    skip = 0
    if len(complete) > 6:
        records = list(csv.reader(io.StringIO("\n".join(complete[:60]), newline=""), delimiter=delimiter))
        widths = [len(r) if any(v.strip() for v in r) else 0 for r in records]
        common = max(set(w for w in widths if w) or {0}, key=lambda w: (widths.count(w), w))
        if common > 1 and widths and widths[0] < common and widths.count(common) >= 3:
            first_full = widths.index(common)
            if all('"' not in ln for ln in complete[:first_full]):  # lines before it are plain: one line a record
                skip = first_full
    if not first.strip() and not skip:
        raise IngestError("the file starts with a blank line", where=str(path), fix="put the header on line 1")
    rest = "\n".join(lines[skip:]) if skip else head
    names = next(csv.reader(io.StringIO(rest, newline=""), delimiter=delimiter))
    return names, delimiter, skip


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


def _csv_batches(
    path: Path, batch_rows: int, encoding: str, delimiter: str | None, max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES
) -> tuple[list[str], Iterator[Batch]]:
    header, delimiter, preamble = _header(path, encoding, delimiter)
    names = unique_names(header)

    def batches() -> Iterator[Batch]:
        done = (
            1 + preamble
        )  # the last valid record handed out (the header is row 1 + lines skipped); rows come in order
        done_bad: set[int] = set()  # invalid records handed out (they may go out before valid ones)
        first = True
        blocks = [b for b in BLOCKS if b < 2 * max_field_bytes] or [BLOCKS[0]]
        if blocks[-1] < 2 * max_field_bytes and blocks[-1] != BLOCKS[-1]:
            blocks.append(BLOCKS[len(blocks)])
        for block in blocks:
            try:
                for b in _csv_pass(path, names, delimiter, encoding, batch_rows, block, preamble, max_field_bytes):
                    if first:
                        first = False
                        if preamble:
                            b.notes.append(
                                f"skipped {preamble} line{'s' if preamble > 1 else ''} before the header "
                                f"(line {preamble + 1})"
                            )
                    skip = int(np.searchsorted(b.rows, done, side="right"))
                    bad = [x for x in b.bad if x["row"] not in done_bad]
                    if skip == len(b.rows) and not bad:
                        continue
                    part = (
                        b
                        if skip == 0 and len(bad) == len(b.bad)
                        else Batch(b.table.slice(skip), b.rows[skip:], bad, b.bad_bytes)
                    )
                    yield part
                    done = int(part.rows[-1]) if len(part.rows) else done
                    done_bad.update(x["row"] for x in bad)
                return
            except _RecordTooLong:
                continue  # read again with larger blocks, past what was handed out
        raise IngestError(
            f"a record is longer than {blocks[-1] >> 20} MB",
            where=str(path),
            fix="check the quoting: an unclosed quote makes the rest of the file one value",
        )

    return names, batches()


BLOCKS = (1 << 20, 8 << 20, 64 << 20, 256 << 20)
"""Block sizes in which CSV is parsed, one block a batch: 1 MB (measured fastest for ingest: the
first batch reaches the store early and reading overlaps storing); a record longer than a block
makes the file be read again with the next size, past the records already handed out."""


class _RecordTooLong(Exception):
    """A CSV record does not fit in one block."""


def _csv_pass(
    path: Path,
    names: list[str],
    delimiter: str,
    encoding: str,
    batch_rows: int,
    block: int,
    skip: int = 0,
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
) -> Iterator[Batch]:
    """One pass over a CSV file in blocks of ``block`` bytes (raises _RecordTooLong)."""
    import pyarrow.csv as pacsv

    bad: list[dict[str, Any]] = []

    def on_invalid(row: Any) -> str:
        raw = row.text.replace(BAD_BYTE, "\ufffd")
        bad.append(
            {
                "row": int(row.number),
                "reason": f"wrong column count: expected {row.expected_columns} fields, found {row.actual_columns}",
                "raw": raw,
            }
        )
        return "skip"

    def fail(exc: pa.ArrowInvalid, fix: str) -> Exception:
        if "straddl" in str(exc) or "block size" in str(exc):
            return _RecordTooLong()
        return IngestError(f"cannot read as CSV: {exc}", where=str(path), fix=fix)

    enc = "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding
    stream = _Transcoder(_open(path), enc, _RecordGuard(max_field_bytes, delimiter, len(names)))
    try:
        try:
            reader = pacsv.open_csv(
                io.BufferedReader(stream, buffer_size=1 << 20),
                read_options=pacsv.ReadOptions(
                    column_names=names, skip_rows=1 + skip, use_threads=False, block_size=block
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=True,
                    null_values=[""],
                    quoted_strings_can_be_null=True,
                ),
            )
        except pa.ArrowInvalid as exc:
            raise fail(exc, "check the delimiter and quoting") from None
        count = skip  # records handed out so far (valid + invalid), after the lines before the header
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
                    yield Batch(
                        pa.table({n: pa.array([], pa.string()) for n in names}),
                        np.array([], np.int64),
                        new_bad,
                        stream.bad > 0,
                    )
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
        if any(isinstance(v, str) and (BAD_BYTE in v or NUL in v or "\x00" in v) for v in values):
            bad_bytes = True
            values = [v.replace("\x00", NUL) if isinstance(v, str) else v for v in values]
        cols[name] = pa.array(values, type=pa.string())
    return pa.table(cols), bad_bytes


def _frame_batches(
    df: pd.DataFrame, batch_rows: int, *, start: int, row_offset: int = 0
) -> tuple[list[str], Iterator[Batch]]:
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
    import zipfile

    try:
        df = pd.read_excel(path, dtype=object, engine="openpyxl")
    except zipfile.BadZipFile as exc:
        raise IngestError(
            f"not a readable .xlsx file (its zip container is damaged: {exc})",
            where=str(path),
            fix="open it in Excel or LibreOffice and save it again as .xlsx, or export CSV",
        ) from None
    except (ValueError, OSError, KeyError, TypeError, IndexError) as exc:
        raise IngestError(
            f"cannot read as Excel: {exc}", where=str(path), fix="save it as .xlsx, or export CSV"
        ) from None
    # sheet row = position + 2 (the header is row 1)
    return _frame_batches(df, batch_rows, start=2)
