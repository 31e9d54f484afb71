"""Ingest: read an export, map its columns, validate, quarantine bad rows, store, detect.

Every input row is accounted for: ``read == stored + duplicates + quarantined``.
Bad rows (unparseable date, rating out of range, missing required field,
undecodable bytes, wrong column count) go to the store's quarantine with
their reason; the rest of the file is stored. Ids are the source's id column
when there is one, else a content hash of the row, so ingesting the same
file twice adds nothing.

Example:
    >>> import pandas as pd
    >>> from carlzon.ingest import ingest
    >>> from carlzon.store import open_store
    >>> df = pd.DataFrame({"comment": ["Lost my bag", "Great crew"], "nps": [2, 11]})
    >>> with open_store(":memory:") as store:
    ...     r = ingest(df, store, detect=False)
    >>> r.read, r.stored, r.quarantined, r.quarantine[0]["reason"]
    (2, 1, 1, "rating out of range: nps = 11 in column 'nps' (valid 0-10)")
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from carlzon.errors import IngestError, StoreError
from carlzon.journey import Journey, journey_from_meta, journey_meta, load_journey
from carlzon.jsoncols import NumberMap, json_number, json_objects, json_string, json_value, pylist
from carlzon.mapping import NUMERIC_FIELDS, ColumnMapping, Plan
from carlzon.readers import BAD_BYTE, DEFAULT_MAX_FIELD_BYTES, NUL, TOO_LONG, Batch, read_batches, source_name
from carlzon.schema import INTERACTION_COLUMNS, RATING_SCALES
from carlzon.ingest_account import _account, _dry_batch, _hints, _note_scales
from carlzon.ingest_rows import _bad_byte, _bad_date, _clean_text, _languages, _nul, _texts, _too_long
from carlzon.store import Store, open_store
from carlzon.times import parse_times

__all__ = ["IngestResult", "frame", "ingest", "prepare"]

KEEP_QUARANTINE = 10_000
"""Quarantined rows listed in an IngestResult (all of them are in the store)."""

_NA = {"", "na", "n/a", "nan", "null", "none", "-", "#n/a"}
_NA_SET = pa.array(sorted(_NA), pa.string())
_NUMBER_RE = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


@dataclass
class IngestResult:
    """The account of one ingest run: read = stored + duplicates + quarantined."""

    source: str
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    moments: int = 0
    quarantine: list[dict[str, Any]] = field(default_factory=list)  # {row, reason}, at most KEEP_QUARANTINE
    mapping: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    journey: str | None = None  # the journey the moments were derived with
    journey_choice: dict[str, Any] = field(default_factory=dict)  # how it was chosen: {how, scores, ...}
    text_notes: dict[str, int] = field(default_factory=dict)  # junk cleaned or flagged: note -> texts
    languages: dict[str, int] = field(default_factory=dict)  # language -> texts
    not_read: int = 0  # texts in a language the scorer does not read (their ratings are used)
    hints: list[str] = field(default_factory=list)  # what to do next (a redo with another journey, ...)
    dry_run: bool = False
    replaced: int = 0  # stored rows whose id was stored already, stored again in place (``replace=True``)

    @property
    def quarantine_truncated(self) -> int:
        """Quarantined rows not listed in ``quarantine`` (they are all in the store)."""
        return self.quarantined - len(self.quarantine)

    def to_dict(self, *, max_quarantine: int | None = None) -> dict[str, Any]:
        q = self.quarantine if max_quarantine is None else self.quarantine[:max_quarantine]
        return {
            "source": self.source,
            "read": self.read,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "moments": self.moments,
            "quarantine": q,
            "quarantine_truncated": self.quarantined - len(q),
            "mapping": self.mapping,
            "seconds": round(self.seconds, 3),
            "journey": self.journey,
            "journey_choice": self.journey_choice,
            "text_notes": self.text_notes,
            "languages": self.languages,
            "not_read": self.not_read,
            "hints": self.hints,
            "dry_run": self.dry_run,
            "replaced": self.replaced,
        }


# ----- vectorised helpers ----------------------------------------------------
def _numbers(arr: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Text as float64 (NaN for blanks) and a mask of values that are not numbers."""
    try:
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), np.zeros(len(arr), bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Arrow alone (pandas' to_numeric crashed now and then in the ingest reader thread)
        t = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
        na = pc.or_kleene(pc.is_null(t), pc.is_in(pc.utf8_lower(t), value_set=_NA_SET))
        ok = pc.fill_null(pc.match_substring_regex(t, _NUMBER_RE), False)
        good = pc.and_(ok, pc.invert(na))
        num = pc.cast(pc.if_else(good, t, pa.scalar(None, pa.string())), pa.float64())
        na_np = na.to_numpy(zero_copy_only=False)
        good_np = good.to_numpy(zero_copy_only=False)
        return num.to_numpy(zero_copy_only=False).astype("float64"), ~na_np & ~good_np


def _content_ids(table: pa.Table) -> list[str]:
    """A stable id per row: a hash of the column names and the row's raw values."""
    names = table.column_names
    head = hashlib.blake2b(("\x1e".join(names) + "\x1d").encode(), digest_size=10)
    cols = [pc.fill_null(table.column(c), "\x00") for c in names]
    joined = pc.binary_join_element_wise(*cols, "\x1f") if len(cols) > 1 else cols[0]
    out = []
    for v in joined.to_pylist():
        h = head.copy()
        h.update(v.encode("utf-8", "surrogatepass"))
        out.append("h" + h.hexdigest())
    return out


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


# ----- one batch -------------------------------------------------------------
def prepare(batch: Batch, plan: Plan, *, source: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate and map one batch: the interactions to store (as columns) and the rows to quarantine.

    Text columns come back as Arrow arrays and ``ratings`` / ``measures`` as
    :class:`~carlzon.jsoncols.NumberMap` (or ``"{}"`` rows): :func:`frame` makes a DataFrame of them.
    ``notes`` (junk cleaned or flagged) and ``languages`` of the kept rows come back too.
    """
    from carlzon.understand import label_numbers

    t = batch.table
    n = t.num_rows
    reasons: list[tuple[np.ndarray, Any]] = []  # (mask, reason or function row -> reason), in order of priority

    if batch.bad_bytes and n:
        for mark, why in ((TOO_LONG, _too_long), (NUL, _nul), (BAD_BYTE, _bad_byte)):
            cols = [
                (c, pc.fill_null(pc.match_substring(t.column(c), mark), False).to_numpy(zero_copy_only=False))
                for c in t.column_names
            ]
            mask = np.zeros(n, bool)
            for _, m in cols:
                mask |= m
            if not mask.any():
                continue
            first: dict[int, str] = {}
            for c, m in reversed(cols):
                for i in np.flatnonzero(m):
                    first[int(i)] = c
            reasons.append(
                (mask, lambda i, first=first, why=why: why(first[int(i)], t.column(first[int(i)])[int(i)].as_py()))
            )

    f = plan.fields
    if f["id"]:
        ids: Any = _clean_text(t.column(f["id"]))
        missing = pc.is_null(ids).to_numpy(zero_copy_only=False)
        reasons.append((missing, f"missing required field: id (column {f['id']!r} is empty)"))
    else:
        ids = pa.array(_content_ids(t), pa.string())

    ts = None
    if f["timestamp"]:
        ts, bad_ts = parse_times(t.column(f["timestamp"]), dayfirst=plan.dayfirst)
        raw_ts = t.column(f["timestamp"])
        reasons.append((bad_ts, lambda i: _bad_date(raw_ts[int(i)].as_py(), f["timestamp"], plan.dayfirst)))

    numbers: dict[str, np.ndarray] = {}
    any_rating = np.zeros(n, bool)

    def _rating(col: str, name: str, scale: tuple[float, float]) -> np.ndarray:
        raw = t.column(col)
        vals, notnum = _numbers(label_numbers(raw) if plan.labels.get(col) else raw)
        if col in plan.not_rated:
            vals = np.where(vals == -1, np.nan, vals)
        reasons.append((notnum, lambda i: f"rating is not a number: {raw[int(i)].as_py()!r} in column {col!r}"))
        lo, hi = scale
        with np.errstate(invalid="ignore"):
            out = ~np.isnan(vals) & ((vals < lo) | (vals > hi))
        reasons.append(
            (
                out,
                lambda i: (
                    f"rating out of range: {name} = {_fmt(vals[int(i)])} in column {col!r} "
                    f"(valid {_fmt(lo)}-{_fmt(hi)})"
                ),
            )
        )
        return vals

    for name in NUMERIC_FIELDS:
        column = f[name]
        if column:
            src = plan.scales.get(name, RATING_SCALES[name])
            vals = _rating(column, name, src)
            if name in plan.scales:  # its own scale, read linearly onto the standard one
                lo, hi = RATING_SCALES[name]
                vals = np.round(lo + (vals - src[0]) * (hi - lo) / (src[1] - src[0]), 4)
            numbers[name] = vals
            any_rating |= ~np.isnan(numbers[name])
    extra: list[tuple[str, str, np.ndarray]] = []
    for col, key, scale in plan.ratings:
        vals = _rating(col, repr(key), scale)
        any_rating |= ~np.isnan(vals)
        extra.append((key, col, vals))
    measures: list[tuple[str, str, np.ndarray]] = []
    any_measure = np.zeros(n, bool)  # a measure (a wait, an observed step) says how it went, like a rating
    for col, key in plan.measures:
        vals, notnum = _numbers(t.column(col))
        raw = t.column(col)
        reasons.append(
            (notnum, lambda i, raw=raw, col=col: f"measure is not a number: {raw[int(i)].as_py()!r} in column {col!r}")
        )
        measures.append((key, col, vals))
        any_measure |= ~np.isnan(vals)

    text, notes = _texts(t, plan)
    has_text = pc.is_valid(text).to_numpy(zero_copy_only=False) if text is not None else np.zeros(n, bool)

    # An event from a log (a visit, a step) has neither text nor rating: it is valid when it says
    # who (customer), when (timestamp) and where (touchpoint or channel).
    def _valid(name: str) -> np.ndarray:
        if f[name]:
            return pc.is_valid(_clean_text(t.column(f[name]))).to_numpy(zero_copy_only=False)
        return np.full(n, name in plan.defaults)

    is_event = _valid("customer_id") & (_valid("touchpoint") | _valid("channel"))
    is_event &= ts.notna().to_numpy() if ts is not None else False
    junk_only = (
        np.array([x is not None and "empty after cleaning" in x for x in notes], dtype=bool)
        if notes
        else np.zeros(n, bool)
    )
    empty = ~(has_text | any_rating | any_measure | is_event)
    reasons.append(
        (
            empty & junk_only,
            "missing required field: text or a rating (the text was only markup, script or punctuation)",
        )
    )
    reasons.append(
        (
            empty,
            "missing required field: text or a rating (all empty, and no measure; an event row needs "
            "customer, timestamp and touchpoint or channel instead)",
        )
    )

    bad = np.zeros(n, bool)
    for m, _ in reasons:
        bad |= m
    quarantine: list[dict[str, Any]] = []
    if bad.any():
        for i in np.flatnonzero(bad):
            reason = next(r for m, r in reasons if m[i])
            quarantine.append(
                {
                    "row": int(batch.rows[i]),
                    "reason": reason(i) if callable(reason) else reason,
                    "raw": _raw_row(t, int(i)),
                }
            )
    keep = ~bad
    kt = t.filter(pa.array(keep)) if bad.any() else t
    nk = kt.num_rows

    def _col(name: str) -> pa.ChunkedArray | list | None:
        if f[name]:
            return _clean_text(kt.column(f[name]))
        if name in plan.defaults:
            return [plan.defaults[name]] * nk
        return None

    kept_text = (pc.filter(text, pa.array(keep)) if bad.any() else text) if text is not None else None
    kept_notes = [x for x, k in zip(notes, keep) if k] if notes else []
    out: dict[str, Any] = {
        "id": pc.filter(ids, pa.array(keep)) if bad.any() else ids,
        "customer_id": _col("customer_id"),
        "timestamp": ts[keep].reset_index(drop=True) if ts is not None else None,
        "channel": _col("channel"),
        "source": [plan.defaults.get("source", source)] * nk,
        "text": kept_text,
    }
    for name in NUMERIC_FIELDS:
        out[name] = numbers[name][keep] if name in numbers else None
    out["touchpoint"] = _col("touchpoint")
    out["location"] = _col("location")
    out["language"] = _languages(kept_text, _col("language"), nk)

    def _raw(c: str) -> Any:  # a -1 that means 'not rated' is no number to keep
        col = pc.utf8_trim_whitespace(kt.column(c))
        return pc.if_else(pc.equal(col, "-1"), pa.scalar(None, pa.string()), col) if c in plan.not_rated else col

    out["ratings"] = _number_map([(k, json_number(_raw(c), v[keep])) for k, c, v in extra], nk)
    out["measures"] = _number_map([(k, json_number(kt.column(c), v[keep])) for k, c, v in measures], nk)
    attrs = [(c, json_value(kt.column(c))) for c in plan.attributes]
    if any(kept_notes):
        attrs.append(("text_note", json_string(pa.chunked_array([pa.array(kept_notes, pa.string())]))))
    out["attributes"] = json_objects(attrs, nk)
    out["notes"] = kept_notes
    return out, quarantine


def frame(columns: dict[str, Any]) -> pd.DataFrame:
    """The columns from :func:`prepare` as an interactions DataFrame (INTERACTION_COLUMNS)."""
    n = len(columns["id"])
    data = {c: (_values(columns[c]) if columns.get(c) is not None else [None] * n) for c in INTERACTION_COLUMNS}
    if columns.get("timestamp") is None:
        data["timestamp"] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]")
    return pd.DataFrame(data, columns=list(INTERACTION_COLUMNS))


def _number_map(items: list[tuple[str, Any]], n: int) -> NumberMap | list[str]:
    if not items or not n:
        return ["{}"] * n
    m = NumberMap(tuple(k for k, _ in items), tuple(v for _, v in items))
    m.packed  # noqa: B018 - packed here, in the reader thread, for the store (Arrow works without the GIL)
    return m


def _values(col: Any) -> Any:
    """A column from :func:`prepare` with Arrow text as a list of str / None, named numbers as JSON
    objects (other kinds as they are)."""
    if isinstance(col, NumberMap):
        col = col.objects()
    return pylist(col) if isinstance(col, (pa.Array, pa.ChunkedArray)) else col


def _plain_columns(st: Store, columns: dict[str, Any]) -> dict[str, Any]:
    """Columns from :func:`prepare` as plain Python values for the store's bulk path.

    Called by the writer, not the reader thread: making millions of Python objects holds the
    interpreter lock, which would stall the store's inserts if the reader did it meanwhile."""
    out: dict[str, Any] = {
        c: (v if isinstance(v, NumberMap) else _values(v)) for c, v in columns.items()
    }  # the store packs maps
    if out.get("timestamp") is not None:
        out["timestamp"] = st.time_values(out["timestamp"])
    for name in NUMERIC_FIELDS:
        v = out.get(name)
        if v is not None:
            nan = np.isnan(v)
            if nan.all():
                out[name] = None
            else:
                o = v.astype(object)
                o[nan] = None
                out[name] = o.tolist()
    return out


def _raw_row(t: pa.Table, i: int) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(
        [
            ""
            if v is None
            else str(v).replace(BAD_BYTE, "\ufffd").replace(NUL, "\u2400").replace(TOO_LONG, "row too long: ")
            for v in (t.column(c)[i].as_py() for c in t.column_names)
        ]
    )
    return buf.getvalue()


# ----- planning --------------------------------------------------------------
PLAN_SAMPLE_ROWS = 5_000
"""Rows of the first batch that auto-detection looks at (is a column numbers? on which scale?)."""


def _plan(mapping: ColumnMapping, batch: Batch, journey: Journey | None, where: str, choose: Any = None) -> Plan:
    """The plan for an input from its first batch (see :func:`carlzon.understand.understand`)."""
    from carlzon.understand import understand

    return understand(mapping, batch.table, journey, where=where, choose=choose)


def _store_journey(st: Store) -> Journey | None:
    """The journey a store's moments were derived with (its ``"journey"`` note), or None."""
    try:
        note = st.meta("journey")
    except StoreError:
        return None
    return journey_from_meta(note) if note else None


# ----- the run ---------------------------------------------------------------
def ingest(
    source_path_or_dataframe: str | Path | pd.DataFrame,
    store: Store | str | Path,
    *,
    journey: Journey | str | None = None,
    mapping: ColumnMapping | Mapping[str, Any] | str | Path | None = None,
    source: str | None = None,
    detect: bool = True,
    batch_rows: int = 50_000,
    progress: bool = False,
    encoding: str = "utf-8",
    dry_run: bool = False,
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
    replace: bool = False,
) -> IngestResult:
    """Read a file (CSV, TSV, JSON Lines, JSON, Parquet, Excel) or a DataFrame into the store.

    ``mapping`` is a :class:`~carlzon.mapping.ColumnMapping`, a dict of the YAML keys, or a
    YAML path; unmapped fields are auto-detected. With ``detect=True`` each stored batch
    goes through :class:`carlzon.detect.Detector` and its moments are stored too.

    Without ``journey``, the store's own journey is used; a store without one gets the template
    the data speak of (:func:`carlzon.journey_fit.fit_journey`), or a MappingError naming the
    candidates when that is unsure. ``dry_run=True`` reads and checks the whole input and says
    what it understood, storing nothing. A CSV or JSON Lines record over ``max_field_bytes`` is
    quarantined without being read into memory. ``replace=True`` stores a row whose id is already
    stored in place of the stored one (read with this run's mapping, its moments derived again with
    this run's journey; counted as stored and as ``replaced``), instead of counting it a duplicate.
    """
    from carlzon.journey_fit import fit_journey

    started = datetime.now(UTC)
    t0 = time.perf_counter()
    own = not isinstance(store, Store)
    st = store if isinstance(store, Store) else open_store(store)
    try:
        jr = load_journey(journey) if isinstance(journey, (str, Path)) else journey
        stored_journey = _store_journey(st)
        cmap = ColumnMapping.from_any(mapping)
        name = source or source_name(source_path_or_dataframe)
        where = name if not isinstance(source_path_or_dataframe, (str, Path)) else str(source_path_or_dataframe)
        result = IngestResult(source=name, dry_run=dry_run)
        if jr is not None:
            result.journey_choice = {"how": "given"}
        elif stored_journey is not None:
            jr = stored_journey
            result.journey_choice = {"how": "the store's"}

        def choose(texts: list[str], rating_columns: list[str]) -> Journey | None:
            fit = fit_journey(texts, rating_columns)
            result.journey_choice = fit.to_dict()
            if fit.sure or not detect:
                return fit.journey if fit.sure else None
            raise fit.refusal(where)

        _, batches = read_batches(
            source_path_or_dataframe, batch_rows=batch_rows, encoding=encoding, max_field_bytes=max_field_bytes
        )
        detector_box: list[Any] = []

        def prepared() -> Iterator[tuple[int, dict[str, Any], list[dict[str, Any]], Plan | None]]:
            plan: Plan | None = None
            for whole in batches:
                planned = plan is None and whole.table.num_rows > 0
                if planned:
                    plan = _plan(cmap, whole, jr, where, choose=None if jr is not None else choose)
                    plan.notes[:0] = whole.notes
                    if plan.header_rows:  # the extra header rows of a survey export are header, not data
                        k = plan.header_rows
                        whole = Batch(whole.table.slice(k), whole.rows[k:], whole.bad, whole.bad_bytes)
                    if detect and not dry_run:
                        from carlzon.detect import Detector

                        detector_box.append(Detector(plan.journey))
                # the first planned batch goes on in a small slice first, so that storing starts early
                for batch in _split(whole, FIRST_ROWS) if planned else [whole]:
                    if plan is not None:
                        if plan.rename:
                            batch = Batch(
                                batch.table.rename_columns([plan.rename.get(c, c) for c in batch.table.column_names]),
                                batch.rows,
                                batch.bad,
                                batch.bad_bytes,
                            )
                        extra = [c for c in batch.table.column_names if c not in set(plan.attributes) | _used(plan)]
                        plan.attributes.extend(extra)
                        cols, bad = prepare(batch, plan, source=name)
                    else:
                        cols, bad = {"id": []}, []
                    yield batch.read, cols, batch.bad + bad, plan

        # reading and checking the next batch overlaps with storing this one (bounded: one batch ahead)
        known_before = st.counts()["interactions"] if not dry_run else 0
        plan_seen: Plan | None = None
        with _progress(progress, source_path_or_dataframe) as advance:
            for read, cols, bad, plan in _ahead(prepared()):
                if plan is not None and not result.mapping:
                    result.mapping = plan.describe()
                    plan_seen = plan
                _account(cols, result)
                if dry_run:
                    _dry_batch(st, cols, bad, result)
                else:
                    _store_batch(
                        st, cols, bad, name, detector_box[0] if detector_box else None, result, replace=replace
                    )
                result.read += read
                advance(read)
        if result.read != result.stored + result.duplicates + result.quarantined:
            raise IngestError(
                f"rows do not add up: read {result.read} != stored {result.stored} + duplicates "
                f"{result.duplicates} + quarantined {result.quarantined}",
                where=where,
                fix="this is a bug in carlzon: please report it with the file's first lines",
            )
        used = plan_seen.journey if plan_seen is not None else jr
        result.journey = used.name if used is not None else None
        _hints(st, result, used, stored_journey, known_before, journey is not None)
        result.seconds = time.perf_counter() - t0
        if not dry_run:
            if detect and used is not None and (stored_journey is None or known_before == 0):
                st.set_meta("journey", journey_meta(used))
            if plan_seen is not None and plan_seen.ratings:
                _note_scales(st, plan_seen)
            st.add_ingest_run(
                source=name,
                read=result.read,
                stored=result.stored,
                duplicates=result.duplicates,
                quarantined=result.quarantined,
                moments=result.moments,
                started_at=started,
            )
        return result
    finally:
        if own:
            st.close()


FIRST_ROWS = 8192
"""The first batch is handed on in a slice this small, so that storing starts early."""


def _split(b: Batch, rows: int) -> list[Batch]:
    """A batch as two: its first ``rows`` rows (with its unreadable records) and the rest."""
    if b.table.num_rows <= 2 * rows:
        return [b]
    return [
        Batch(b.table.slice(0, rows), b.rows[:rows], b.bad, b.bad_bytes),
        Batch(b.table.slice(rows), b.rows[rows:], [], b.bad_bytes),
    ]


def _used(plan: Plan) -> set[str]:
    return (
        {c for c in plan.fields.values() if c}
        | set(plan.text_columns)
        | {c for c, _, _ in plan.ratings}
        | {c for c, _ in plan.measures}
    )


def _store_batch(
    st: Store,
    cols: dict[str, Any],
    bad: list[dict[str, Any]],
    name: str,
    detector: Any,
    result: IngestResult,
    *,
    replace: bool = False,
) -> None:
    moments = None
    n = len(cols["id"])
    stale = st.known_ids([str(i) for i in cols["id"] if i is not None]) if replace and n else set()
    if detector is not None and n:
        df = frame(cols)
        known = set() if replace else st.known_ids(df["id"].tolist())
        fresh = df[~df["id"].isin(known) & ~df["id"].duplicated() & _has_experience(df)]
        if len(fresh):
            moments = detector.detect(fresh.reset_index(drop=True))
    plain = _plain_columns(st, cols) if n else None  # before the write lock: other writers wait on it
    with st.transaction():
        if stale:
            result.replaced += st.remove_interactions(sorted(stale))
        if moments is not None:
            known = st.known_ids(moments["interaction_id"].tolist())
            moments = moments[~moments["interaction_id"].isin(known)]
        stored, dups = st.add_interaction_columns(plain) if plain else (0, 0)
        if bad:
            st.add_quarantine([{"source": name, **b} for b in bad])
        if moments is not None and len(moments):
            result.moments += st.add_moments(moments)
    result.stored += stored
    result.duplicates += dups
    result.quarantined += len(bad)
    room = KEEP_QUARANTINE - len(result.quarantine)
    if room > 0:
        result.quarantine.extend({"row": b["row"], "reason": b["reason"]} for b in bad[:room])


def _has_experience(df: pd.DataFrame) -> pd.Series:
    """Rows that say how it went (text, a rating or a measure); event rows (a visit, a step) get no moment.

    >>> _has_experience(pd.DataFrame({"text": [None, "ok"], "nps": [None, None], "ratings": ["{}", "{}"]})).tolist()
    [False, True]
    """
    from carlzon.language import read_languages

    READ_LANGUAGES = read_languages()
    out = pd.Series(False, index=df.index)
    for c in ("text", "nps", "csat", "ces", "stars"):
        if c in df:
            out |= df[c].notna() if c != "text" else df[c].fillna("").astype(str).str.strip().ne("")
    if "language" in df and "text" in df:  # a text carlzon cannot read, and nothing else, says nothing yet
        unread = df["language"].notna() & ~df["language"].isin(list(READ_LANGUAGES))
        others = pd.Series(False, index=df.index)
        for c in ("nps", "csat", "ces", "stars"):
            if c in df:
                others |= df[c].notna()
        for c in ("ratings", "measures"):
            if c in df:
                others |= df[c].notna() & ~df[c].astype(str).isin(["{}", "", "None", "null"])
        out &= ~(unread & ~others)
    for c in ("ratings", "measures"):
        if c in df:
            out |= df[c].notna() & ~df[c].astype(str).isin(["{}", "", "None", "null"])
    return out


def _ahead(items: Iterator[Any], depth: int = 1) -> Iterator[Any]:
    """Iterate ``items`` in a background thread, at most ``depth`` items ahead; errors are re-raised here."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put((done, None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            q.put((done, exc))

    thread = threading.Thread(target=work, name="carlzon-ingest-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = q.get()
            if exc is not None:
                raise exc
            if item is done:
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.1)


class _progress:
    """A Rich progress display on stderr (rows ingested), or nothing."""

    def __init__(self, enabled: bool, source: Any) -> None:
        self.enabled = enabled
        self.label = source_name(source)

    def __enter__(self):
        if not self.enabled:
            return lambda n: None
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._p = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._p.__enter__()
        task = self._p.add_task(f"ingesting {self.label}", total=None)
        return lambda n: self._p.advance(task, n)

    def __exit__(self, *exc: Any) -> None:
        if self.enabled:
            self._p.__exit__(*exc)
