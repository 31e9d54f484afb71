"""The store interface shared by both backends: interactions, moments, quarantine, ingest runs.

Backends (SQLite, PostgreSQL) implement a handful of private hooks; every
public method lives here so both behave the same and share one test suite.

Example:
    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as store:
    ...     store.counts()["interactions"]
    0
"""

from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from datetime import datetime, UTC
from typing import Any
from collections.abc import Iterable, Iterator, Mapping, Sequence

import pandas as pd

from carlzon.errors import StoreError
from carlzon.jsoncols import NumberMap, pylist
from carlzon.schema import INTERACTION_COLUMNS, MOMENT_COLUMNS
from carlzon.store.layouts import Layouts
from carlzon.store.moment_unit import UNIT_COLUMNS, lead_flags
from carlzon.store.values import _is_missing, _utc, is_time, iso_utc, plain, timestamps_utc  # noqa: F401 (re-exported)
from carlzon.store.migrations import Migration, check_migrations

__all__ = ["Store"]

_JSON_OBJECT_COLUMNS = ("ratings", "measures", "attributes")
_FLOAT_COLUMNS = ("nps", "csat", "ces", "stars")
_MOMENT_FLOATS = ("touchpoint_confidence", "score", "intensity", "overall_score")
_STORED = {**MOMENT_COLUMNS, **{c: t for c, t in UNIT_COLUMNS.items() if c not in MOMENT_COLUMNS}}
"""Columns of the moments table as written and read (migration 10), besides its internal ``lead``."""
_JOINED = ("text", "source", "nps", "csat", "ces", "stars", "ratings", "measures", "attributes", "location", "language")
"""Interaction columns that moments() adds to MOMENT_COLUMNS."""
_TIME_COLUMN = re.compile(r"^(timestamp|.*_at)$")


class Store:
    """Persistence for interactions, moments, quarantine and ingest runs, behind one small interface.

    Open one with :func:`carlzon.store.open_store`. Other concerns keep their own
    tables (added as migrations) and use the generic :meth:`execute`,
    :meth:`executemany`, :meth:`query` and :meth:`transaction` with named
    ``:param`` placeholders on both backends. Columns named ``timestamp`` or
    ``*_at`` come back from :meth:`query` as tz-aware UTC datetimes;
    ``datetime`` parameters are stored in UTC.
    """

    backend: str = ""
    read_only: bool = False
    """True when the store was opened for reading only (``open_store(..., read_only=True)``)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.RLock()
        self._depth = 0
        self._closed = False
        self._layouts = Layouts(self)

    # ----- backend hooks -------------------------------------------------
    def _begin(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def _native(self, sql: str) -> str:
        """SQL with the backend's own placeholders."""
        return sql

    def _param(self, v: Any) -> Any:
        raise NotImplementedError

    def _run(self, sql: str, params: Mapping[str, Any] | None) -> int:
        raise NotImplementedError

    def _run_many(self, sql: str, rows: list[Mapping[str, Any]]) -> int:
        raise NotImplementedError

    def _fetch(self, sql: str, params: Mapping[str, Any] | None) -> tuple[list[str], list[tuple]]:
        raise NotImplementedError

    def _insert_interactions(self, data: dict[str, list]) -> int:
        """Insert rows given as equal-length column lists, skipping known ids; returns rows stored."""
        raise NotImplementedError

    def _upsert_moments(self, columns: list[str], rows: list[tuple]) -> int:
        """Write moment rows, replacing every stored moment of their interactions (all rows of an
        interaction come in one call)."""
        raise NotImplementedError

    def _time_values(self, ts: pd.Series) -> list:
        """A tz-aware UTC series as values for this backend (None for NaT)."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    # migrations: what differs between backends
    _errors: type[BaseException] | tuple[type[BaseException], ...] = ()
    """The driver's exceptions, reported as "cannot migrate" while migrating."""
    _time_type = "TEXT"
    _noun = "store"
    _newer_fix = "upgrade carlzon, or use a new store file"
    _migrate_fix = "check the file is a carlzon store, or use a new one"

    def _raw(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
        """Run native SQL (one statement, or a script where the backend allows) without wrapping
        the driver's errors; returns the rows, if any."""
        raise NotImplementedError

    def _migration_statements(self, m: Migration) -> list[str]:
        """This backend's SQL of a migration, as the statements to run one by one."""
        raise NotImplementedError

    def _lock_migrations(self) -> None:
        """Keep other processes from migrating at the same time (inside the transaction)."""

    def _check_migrated(self, migrations: list[Migration]) -> None:
        """For a store opened read-only: every migration must be applied already (none can be now)."""
        try:
            applied = {r[0] for r in self._raw("SELECT version FROM schema_migrations")}
        except self._errors as exc:
            raise StoreError(f"not a carlzon store: {exc}", where=self.url_safe, fix=self._migrate_fix) from None
        missing = sorted({m.version for m in migrations} - applied)
        if missing:
            raise StoreError(
                f"the {self._noun} lacks migrations {missing} and is open read-only",
                where=self.url_safe,
                fix="open it once without read-only (e.g. carlzon store info) to bring it up to date",
            )

    def _migrate(self, migrations: list[Migration]) -> None:
        """Apply the migrations this store lacks, in ascending version order, in one transaction."""
        check_migrations(migrations)
        known = {m.version for m in migrations}
        try:
            with self.transaction():
                self._lock_migrations()
                self._raw(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    f"(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {self._time_type} NOT NULL)"
                )
                applied = {r[0] for r in self._raw("SELECT version FROM schema_migrations")}
                newer = sorted(applied - known)
                if newer:
                    raise StoreError(
                        f"the {self._noun} has migrations {newer} that this carlzon does not know",
                        where=self.url_safe,
                        fix=self._newer_fix,
                    )
                for m in sorted(migrations, key=lambda m: m.version):
                    if m.version in applied:
                        continue
                    for stmt in self._migration_statements(m):
                        self._raw(stmt)
                    self._raw(
                        self._native(
                            "INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES (:version, :name, :applied_at)"
                        ),
                        self._params({"version": m.version, "name": m.name, "applied_at": datetime.now(UTC)}),
                    )
        except self._errors as exc:
            raise StoreError(
                f"cannot migrate the {self._noun}: {exc}", where=self.url_safe, fix=self._migrate_fix
            ) from None

    # ----- lifecycle -----------------------------------------------------
    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.backend} {self.url_safe}>"

    @property
    def url_safe(self) -> str:
        """The URL without a password."""
        return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", self.url)

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed", where=self.url_safe, fix="open it again with open_store()")

    # ----- generic SQL ---------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group statements into one transaction (nested blocks join the outer one).

        >>> from carlzon.store import open_store
        >>> with open_store(":memory:") as s, s.transaction():
        ...     _ = s.execute("CREATE TABLE t (x INTEGER)")
        """
        with self._lock:
            self._check_open()
            if self._depth == 0:
                self._begin()
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._rollback()
                    self._layouts.forget()  # a layout added in the rolled-back transaction is gone
                raise
            else:
                self._depth -= 1
                if self._depth == 0:
                    self._commit()

    def _params(self, params: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if params is None:
            return None
        for k, v in params.items():
            if isinstance(v, int) and not isinstance(v, bool) and not -(2**63) <= v < 2**63:
                from carlzon.errors import CarlzonError

                raise CarlzonError(
                    f"the number {v} is too large",
                    where=f":{k}",
                    fix="use a number between -9223372036854775808 and 9223372036854775807",
                )
        return {k: self._param(v) for k, v in params.items()}

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        """Run one statement with named ``:param`` placeholders; returns the row count."""
        with self._lock:
            self._check_open()
            return self._run(self._native(sql), self._params(params))

    def executemany(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Run one statement for each row (dicts of ``:param`` values) in one transaction."""
        data: list[Mapping[str, Any]] = [self._params(r) or {} for r in rows]
        if not data:
            return 0
        with self.transaction():
            return self._run_many(self._native(sql), data)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run a SELECT and return a DataFrame (``timestamp`` / ``*_at`` columns as UTC datetimes)."""
        with self._lock:
            self._check_open()
            columns, rows = self._fetch(self._native(sql), self._params(params))
        df = pd.DataFrame.from_records(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
        for c in df.columns:
            if _TIME_COLUMN.match(str(c)):
                df[c] = (
                    timestamps_utc(df[c], where=f"column {c}")
                    if len(df)
                    else pd.Series([], dtype="datetime64[us, UTC]")
                )
        return df

    # ----- interactions --------------------------------------------------
    def add_interactions(self, df: pd.DataFrame) -> tuple[int, int]:
        """Store interactions (INTERACTION_COLUMNS; JSON columns as strings or dicts), skipping known ids.

        Returns ``(stored, duplicates)``; ``stored + duplicates == len(df)``.

        >>> import pandas as pd
        >>> from carlzon.store import open_store
        >>> with open_store(":memory:") as s:
        ...     s.add_interactions(pd.DataFrame({"id": ["a", "a", "b"], "text": ["x", "x", "y"]}))
        (2, 1)
        """
        if len(df) == 0:
            return 0, 0
        unknown = [c for c in df.columns if c not in INTERACTION_COLUMNS]
        if unknown:
            raise StoreError(
                f"unknown interaction columns {unknown}",
                where="add_interactions",
                fix="keep extra fields inside the 'attributes' JSON column",
            )
        if "id" not in df.columns or df["id"].isna().any():
            raise StoreError("every interaction needs an id", where="add_interactions", fix="set the 'id' column")
        from carlzon.privacy.cards import mask_cards

        cols = {c: self._column(df, c, "interactions") for c in INTERACTION_COLUMNS}
        for c in (
            "id",
            "customer_id",
            "channel",
            "source",
            "text",
            "touchpoint",
            "ratings",
            "measures",
            "attributes",
            "location",
        ):
            cols[c] = [mask_cards(v) for v in cols[c]]  # card numbers never stored (ingest masks them as it reads)
        return self.add_interaction_columns(cols)

    def add_interaction_columns(self, data: Mapping[str, Any]) -> tuple[int, int]:
        """The bulk path of :meth:`add_interactions` (used by ingest): equal-length columns of plain
        values, ``timestamp`` from :meth:`time_values`, JSON columns as strings; ``ratings`` and
        ``measures`` may be a :class:`~carlzon.jsoncols.NumberMap`, stored packed under a layout
        (read back as the same JSON objects). Returns (stored, duplicates)."""
        n = len(data["id"])
        maps = {c: data[c] for c in ("ratings", "measures") if isinstance(data.get(c), NumberMap)}
        cols = {
            c: (list(data[c]) if data.get(c) is not None and c not in maps else [None] * n) for c in INTERACTION_COLUMNS
        }
        for c in _JSON_OBJECT_COLUMNS:
            if data.get(c) is None:
                cols[c] = ["{}"] * n
        for c, m in maps.items():
            cols[c] = pylist(m.packed)
        if any(len(v) != n for v in cols.values()):
            raise StoreError("columns differ in length", where="add_interaction_columns", fix="pass one value per row")
        if n == 0:
            return 0, 0
        with self.transaction():
            if maps:
                keys = {c: list(m.keys) for c, m in maps.items()}
                cols["layout"] = [self._layouts.id_for(keys.get("ratings", []), keys.get("measures", []))] * n
            stored = self._insert_interactions(cols)
        return stored, n - stored

    def unpack(self, df: pd.DataFrame) -> pd.DataFrame:
        """Interaction rows read with :meth:`query` as :meth:`interactions` gives them: ``ratings`` and
        ``measures`` of packed rows (those with a ``layout``) as JSON objects; drops ``layout``.

        >>> import pandas as pd
        >>> from carlzon.store import open_store
        >>> with open_store(":memory:") as s:
        ...     _ = s.add_interactions(pd.DataFrame({"id": ["a"], "ratings": ['{"Food": 4}']}))
        ...     s.unpack(s.query("SELECT ratings, layout FROM interactions"))["ratings"].tolist()
        ['{"Food": 4}']
        """
        return self._layouts.unpack(df)

    def time_values(self, ts: pd.Series) -> list:
        """Timestamps (any form :func:`timestamps_utc` reads) as this backend stores them."""
        return self._time_values(timestamps_utc(ts, where="timestamp"))

    def _column(self, df: pd.DataFrame, c: str, table: str) -> list:
        n = len(df)
        if c not in df.columns:
            if c in _JSON_OBJECT_COLUMNS:
                return ["{}"] * n
            if c in ("evidence", "spans"):
                return ["[]"] * n
            return [None] * n
        s = df[c]
        if c == "timestamp":
            return self._time_values(timestamps_utc(s, where=f"{table}.timestamp"))
        if c in _JSON_OBJECT_COLUMNS or c in ("evidence", "spans"):
            empty = "{}" if c in _JSON_OBJECT_COLUMNS else "[]"
            return [
                v
                if isinstance(v, str)
                else (empty if _is_missing(v) else json.dumps(v, ensure_ascii=False, default=str))
                for v in s.tolist()
            ]
        if c in _FLOAT_COLUMNS or c in _MOMENT_FLOATS:
            arr = pd.to_numeric(s, errors="raise").astype("float64")
            return arr.astype(object).where(arr.notna(), None).tolist()
        if c == "moment_of_truth":
            return [None if _is_missing(v) else bool(v) for v in s.tolist()]
        return s.astype(object).where(s.notna(), None).tolist()

    def known_ids(self, ids: Sequence[str]) -> set[str]:
        """The ids among ``ids`` that are already stored."""
        ids = [str(i) for i in ids]
        if not ids:
            return set()
        return set(self.query(self._known_ids_sql, {"ids": self._id_list(ids)})["id"].tolist())

    _known_ids_sql = "SELECT id FROM interactions WHERE id IN (SELECT value FROM json_each(:ids))"
    _in_ids = "IN (SELECT value FROM json_each(:ids))"

    def remove_interactions(self, ids: Sequence[str]) -> int:
        """Delete these stored interactions and their moments, so that they can be stored again (read with
        another mapping: ``carlzon ingest FILE --replace``); returns how many interactions went.

        Cases, notes and people's corrections stay: corrections are re-applied to the new moments.

        >>> import pandas as pd
        >>> from carlzon.store import open_store
        >>> with open_store(":memory:") as s:
        ...     _ = s.add_interactions(pd.DataFrame({"id": ["a", "b"], "text": ["late", "ok"]}))
        ...     s.remove_interactions(["a", "x"]), s.counts()["interactions"]
        (1, 1)
        """
        ids = sorted({str(i) for i in ids})
        if not ids:
            return 0
        with self.transaction():
            self.execute(f"DELETE FROM moments WHERE interaction_id {self._in_ids}", {"ids": self._id_list(ids)})
            return self.execute(f"DELETE FROM interactions WHERE id {self._in_ids}", {"ids": self._id_list(ids)})

    @staticmethod
    def _id_list(ids: list[str]) -> Any:
        return json.dumps(ids)

    def interactions(
        self,
        *,
        since: Any = None,
        until: Any = None,
        customer_id: str | None = None,
        ids: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Stored interactions (INTERACTION_COLUMNS, JSON columns as strings), oldest first.

        ``since`` is inclusive, ``until`` exclusive; interactions without a timestamp come last.
        """
        where, params = self._time_filter("timestamp", since, until)
        if customer_id is not None:
            where.append("customer_id = :customer_id")
            params["customer_id"] = customer_id
        if ids is not None:
            ids = list(ids)
            if not ids:
                return self._typed(pd.DataFrame(columns=list(INTERACTION_COLUMNS)))
            names = [f"id{i}" for i in range(len(ids))]
            where.append(f"id IN ({', '.join(':' + n for n in names)})")
            params.update(dict(zip(names, ids)))
        sql = f"SELECT {', '.join(INTERACTION_COLUMNS)}, layout FROM interactions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY timestamp IS NULL, timestamp, seq"
        sql += self._limit(limit, params)
        return self._typed(self.unpack(self.query(sql, params)))

    # ----- moments -------------------------------------------------------
    def add_moments(self, df: pd.DataFrame) -> int:
        """Store moments (MOMENT_COLUMNS with aspect, spans, basis, overall_valence, overall_score;
        evidence and spans as JSON strings or lists), one per (interaction_id, touchpoint).

        The rows of an interaction replace all its earlier moments, so pass all of an interaction's
        moments in one call (as ``Detector.detect`` gives them). A missing touchpoint is ``'unknown'``;
        a missing overall valence or score is the moment's own (a frame of one moment per interaction).
        Returns the number of rows written.

        >>> import pandas as pd
        >>> from carlzon.store import open_store
        >>> with open_store(":memory:") as s:
        ...     s.add_moments(pd.DataFrame({"interaction_id": ["a", "a"], "touchpoint": ["room", "front_desk"],
        ...                                 "valence": ["magic", "misery"], "overall_valence": "neutral"}))
        ...     s.moments()[["touchpoint", "valence", "overall_valence"]].values.tolist()
        2
        [['front_desk', 'misery', 'neutral'], ['room', 'magic', 'neutral']]
        """
        if len(df) == 0:
            return 0
        unknown = [c for c in df.columns if c not in _STORED and c not in _JOINED]
        if unknown:
            raise StoreError(
                f"unknown moment columns {unknown}", where="add_moments", fix="pass the columns of MOMENT_COLUMNS"
            )
        if "interaction_id" not in df.columns or df["interaction_id"].isna().any():
            raise StoreError(
                "every moment needs an interaction_id", where="add_moments", fix="set the 'interaction_id' column"
            )
        df = df.copy()
        tp = df["touchpoint"] if "touchpoint" in df.columns else pd.Series(None, index=df.index, dtype=object)
        df["touchpoint"] = tp.astype(object).where(tp.notna() & (tp.astype(str) != ""), "unknown")
        df = df.drop_duplicates(["interaction_id", "touchpoint"], keep="last")
        for own, overall in (("valence", "overall_valence"), ("score", "overall_score")):
            if own in df.columns:
                df[overall] = df[overall].where(df[overall].notna(), df[own]) if overall in df.columns else df[own]
        columns = list(_STORED)
        cols = [self._column(df, c, "moments") for c in columns]
        lead = [bool(v) for v in lead_flags(df).tolist()]
        rows = list(zip(*cols, lead))
        with self.transaction():
            self._upsert_moments(columns + ["lead"], rows)
            from carlzon.store.corrections import reapply  # people's corrections outlive any re-detection

            reapply(self, df["interaction_id"].astype(str).tolist())
        return len(rows)

    def moments(
        self,
        *,
        since: Any = None,
        until: Any = None,
        touchpoint: str | Sequence[str] | None = None,
        channel: str | Sequence[str] | None = None,
        valence: str | Sequence[str] | None = None,
        customer_id: str | None = None,
        with_text: bool = True,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Stored moments (MOMENT_COLUMNS, aspect, spans, basis, overall_valence, overall_score; one row per
        interaction and touchpoint) with text, source, nps, csat, ces, stars, ratings,
        measures, attributes, location and language of their interaction; timestamps tz-aware UTC, oldest first."""
        where, params = self._time_filter("m.timestamp", since, until)
        for col, value in (("touchpoint", touchpoint), ("channel", channel), ("valence", valence)):
            if value is None:
                continue
            values = [value] if isinstance(value, str) else list(value)
            names = [f"{col}{i}" for i in range(len(values))]
            where.append(f"m.{col} IN ({', '.join(':' + n for n in names)})" if values else "1 = 0")
            params.update(dict(zip(names, values)))
        if customer_id is not None:
            where.append("m.customer_id = :customer_id")
            params["customer_id"] = customer_id
        joined = [c for c in _JOINED if with_text or c != "text"]
        sql = (
            f"SELECT {', '.join('m.' + c for c in _STORED)}, {', '.join('i.' + c for c in joined)}, i.layout "
            "FROM moments m LEFT JOIN interactions i ON i.id = m.interaction_id"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY m.timestamp IS NULL, m.timestamp, m.interaction_id, m.touchpoint"
        sql += self._limit(limit, params)
        df = self.unpack(self.query(sql, params))
        if len(df) == 0:
            df = pd.DataFrame(columns=list(_STORED) + joined)
        return self._typed(df)

    # ----- quarantine and ingest runs -----------------------------------
    def add_quarantine(self, items: Iterable[Mapping[str, Any]]) -> int:
        """Keep bad input rows: each a dict with source, row, reason and raw (the row as text).

        A row already quarantined with the same source, row number and reason is not added again."""
        from carlzon.privacy.cards import mask_cards

        now = datetime.now(UTC)
        rows = [
            {
                "source": it.get("source"),
                "row_no": None if _is_missing(it.get("row")) else int(it["row"]),
                "reason": mask_cards(str(it["reason"])),
                "raw": None if _is_missing(it.get("raw")) else mask_cards(str(it["raw"])),
                "created_at": now,
            }
            for it in items
        ]
        if not rows:
            return 0
        return self.executemany(
            "INSERT INTO quarantine (source, row_no, reason, raw, created_at) "
            "VALUES (:source, :row_no, :reason, :raw, :created_at) ON CONFLICT DO NOTHING",
            rows,
        )

    def quarantine(self, limit: int | None = None, *, source: str | None = None) -> pd.DataFrame:
        """Quarantined rows (id, source, row, reason, raw, created_at), oldest first."""
        params: dict[str, Any] = {}
        sql = 'SELECT id, source, row_no AS "row", reason, raw, created_at FROM quarantine'
        if source is not None:
            sql += " WHERE source = :source"
            params["source"] = source
        sql += " ORDER BY id" + self._limit(limit, params)
        df = self.query(sql, params)
        if len(df):
            df["row"] = df["row"].astype("Int64")
        return df

    def add_ingest_run(
        self,
        *,
        source: str | None,
        read: int,
        stored: int,
        duplicates: int,
        quarantined: int,
        moments: int = 0,
        started_at: datetime,
        finished_at: datetime | None = None,
    ) -> None:
        """Record the account of one ingest run."""
        self.execute(
            "INSERT INTO ingest_runs (source, read, stored, duplicates, quarantined, moments, started_at, finished_at) "
            "VALUES (:source, :read, :stored, :duplicates, :quarantined, :moments, :started_at, :finished_at)",
            dict(
                source=source,
                read=read,
                stored=stored,
                duplicates=duplicates,
                quarantined=quarantined,
                moments=moments,
                started_at=started_at,
                finished_at=finished_at or datetime.now(UTC),
            ),
        )

    def ingest_runs(self, limit: int | None = None) -> pd.DataFrame:
        """The ingest runs, newest first."""
        params: dict[str, Any] = {}
        sql = (
            "SELECT id, source, read, stored, duplicates, quarantined, moments, started_at, finished_at "
            "FROM ingest_runs ORDER BY id DESC" + self._limit(limit, params)
        )
        return self.query(sql, params)

    # ----- notes about the store itself -------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        """A note the store keeps about itself (e.g. ``"journey"``), or ``default``.

        >>> from carlzon.store import open_store
        >>> with open_store(":memory:") as s:
        ...     s.set_meta("journey", "hotel")
        ...     s.meta("journey"), s.meta("nothing", "-")
        ('hotel', '-')
        """
        df = self.query("SELECT value FROM store_meta WHERE key = :key", {"key": str(key)})
        return str(df["value"].iloc[0]) if len(df) else default

    def set_meta(self, key: str, value: str | None) -> None:
        """Keep (or, with ``None``, forget) a note about the store."""
        with self.transaction():
            self.execute("DELETE FROM store_meta WHERE key = :key", {"key": str(key)})
            if value is not None:
                self.execute(
                    "INSERT INTO store_meta (key, value, updated_at) VALUES (:key, :value, :updated_at)",
                    {"key": str(key), "value": str(value), "updated_at": datetime.now(UTC)},
                )

    def forget(self, customer_id: str, *, dry_run: bool = False, actor: str | None = None) -> Any:
        """Erase a customer from every table (interactions, moments, cases and their events, quarantined
        rows, anything else that holds them) and rebuild the rollups; ``dry_run`` only counts.

        Returns a :class:`carlzon.privacy.ForgetResult` (rows per table); see :func:`carlzon.privacy.forget`.

        >>> import pandas as pd
        >>> from carlzon.store import open_store
        >>> with open_store(":memory:") as s:
        ...     _ = s.add_interactions(pd.DataFrame({"id": ["a"], "customer_id": ["c1"], "text": ["late"]}))
        ...     s.forget("c1").rows
        {'interactions': 1}
        """
        from carlzon.privacy.forget import forget

        return forget(self, customer_id, dry_run=dry_run, actor=actor)

    def counts(self) -> dict[str, int]:
        """Rows per core table: interactions, moments, quarantine, ingest_runs."""
        tables = ("interactions", "moments", "quarantine", "ingest_runs")
        sql = " UNION ALL ".join(f"SELECT '{t}' AS name, COUNT(*) AS n FROM {t}" for t in tables)
        df = self.query(sql)
        return {str(name): int(n) for name, n in zip(df["name"], df["n"])}

    # ----- helpers -------------------------------------------------------
    def _time_filter(self, col: str, since: Any, until: Any) -> tuple[list[str], dict[str, Any]]:
        where: list[str] = []
        params: dict[str, Any] = {}
        if since is not None:
            where.append(f"{col} >= :since")
            params["since"] = _utc(since)
        if until is not None:
            where.append(f"{col} < :until")
            params["until"] = _utc(until)
        return where, params

    @staticmethod
    def _limit(limit: int | None, params: dict[str, Any]) -> str:
        if limit is None:
            return ""
        params["limit"] = int(limit)
        return " LIMIT :limit"

    @staticmethod
    def _typed(df: pd.DataFrame) -> pd.DataFrame:
        for c in df.columns:
            if c == "timestamp":
                if not isinstance(df[c].dtype, pd.DatetimeTZDtype):
                    df[c] = pd.to_datetime(df[c], utc=True)
            elif c in _FLOAT_COLUMNS or c in _MOMENT_FLOATS:
                df[c] = pd.to_numeric(df[c]).astype("float64")
            elif c == "moment_of_truth":
                df[c] = df[c].map(lambda v: None if _is_missing(v) else bool(v)).astype("boolean")
        return df
