"""The embedded store: one SQLite file in WAL mode, safe for several processes at once.

Readers never block the writer and vice versa (WAL); writers take turns
(``BEGIN IMMEDIATE`` with a 60 s busy timeout), so ``carlzon serve`` and
``carlzon ingest`` can use the same file at the same time and lose nothing.

A new store file is created readable and writable by its owner only (0600;
SQLite gives its log files the same mode). ``read_only=True`` opens a store
without writing to it, not even its log: a copy on a read-only disk can be
reported on (it is then opened as immutable, as nothing else can change it).

Example:
    >>> from carlzon.store.sqlite import SQLiteStore
    >>> SQLiteStore(":memory:").backend
    'sqlite'
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carlzon.errors import StoreError
from carlzon.store.base import Store, is_time, iso_utc, plain
from carlzon.store.migrations import MIGRATIONS, Migration

__all__ = ["SQLiteStore"]

BUSY_TIMEOUT_MS = 60_000
PAGE_SIZE = 16_384
CACHE_KIB = 32_768
"""Page cache per connection: the id index of a million interactions stays in memory."""
CHECKPOINT_BYTES = 16 << 20
"""A commit that leaves the write-ahead log larger than this wakes the background checkpoint."""
ROWS_PER_INSERT = 128
"""Rows written by one INSERT statement on the bulk path (multi-row VALUES)."""
WAL_LIMIT_BYTES = 64 << 20
"""A commit that leaves the log larger than this checkpoints before returning, so that the log
is reused from its start by the next transaction (a log that only grows slows every read)."""


def _statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (respects quotes and triggers)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip().rstrip(";").strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def _inlinable(v: object) -> bool:
    if v is None or isinstance(v, str):
        return True
    return isinstance(v, (int, float)) and math.isfinite(v)


def _literal(v: str | float) -> str:
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return repr(float(v)) if isinstance(v, float) else str(int(v))


class SQLiteStore(Store):
    """A store in one SQLite file (or ``:memory:``)."""

    backend = "sqlite"

    def __init__(self, path: str | Path, *, migrations: list[Migration] | None = None, read_only: bool = False) -> None:
        path = str(path)
        super().__init__(path)
        self.read_only = read_only and path != ":memory:"
        self._checkpointer: _Checkpointer | None = None
        self._wal = None
        if path != ":memory:":
            p = Path(path)
            if p.is_dir():
                raise StoreError("is a folder, not a store file", where=path, fix="name a file, e.g. carlzon.db")
            if not p.parent.exists():
                raise StoreError(
                    "the folder does not exist", where=str(p.parent), fix=f"create it first: mkdir -p {p.parent}"
                )
            if self.read_only:
                self._conn = self._open_read_only(p)
                self._max_params = self._conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                self._check_migrated(MIGRATIONS if migrations is None else migrations)
                return
            _create_private(p)
        try:
            self._conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # large pages suit wide interaction rows (only takes effect on a new file)
            self._conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            if path != ":memory:":
                mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StoreError(
                        f"cannot switch the store to WAL mode (got {mode})",
                        where=path,
                        fix="put the store on a local disk (WAL does not work on network shares)",
                    )
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            # Checkpoints (copying the log into the file) run in a background thread on their own
            # connection, so that a bulk write goes on while the last batch is copied.
            self._wal = f"{path}-wal" if path != ":memory:" else None
            if self._wal:
                self._conn.execute("PRAGMA wal_autocheckpoint = 0")
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"cannot open the store: {exc}",
                where=path,
                fix="check that it is a carlzon store file, or pick a new path",
            ) from None
        self._max_params = self._conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._migrate(MIGRATIONS if migrations is None else migrations)

    def _open_read_only(self, p: Path) -> sqlite3.Connection:
        """The file opened with mode=ro; as immutable when its log cannot be opened (a read-only disk)."""
        if not p.exists():
            raise StoreError(
                "no store here", where=str(p), fix="check the path, or create the store with carlzon ingest"
            )
        uri = p.resolve().as_uri()
        last: Exception | None = None
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            try:
                conn = sqlite3.connect(
                    uri + query, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
                )
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
                return conn
            except sqlite3.DatabaseError as exc:
                last = exc
        raise StoreError(
            f"cannot open the store read-only: {last}",
            where=str(p),
            fix="check that it is a carlzon store file and can be read",
        )

    # ----- migrations ----------------------------------------------------
    _errors = sqlite3.DatabaseError

    def _raw(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
        return self._conn.execute(sql, params or {}).fetchall()

    def _migration_statements(self, m: Migration) -> list[str]:
        return _statements(m.sqlite)

    # ----- hooks ---------------------------------------------------------
    def _begin(self) -> None:
        self._conn.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self._conn.execute("COMMIT")
        size = _size(self._wal) if self._wal else 0
        if size > WAL_LIMIT_BYTES:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        elif size > CHECKPOINT_BYTES:
            if self._checkpointer is None:
                self._checkpointer = _Checkpointer(self.url)
            self._checkpointer.wake()

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _param(self, v: Any) -> Any:
        v = plain(v)
        if is_time(v):
            return iso_utc(v)
        return v

    def _error(self, exc: sqlite3.Error, sql: str) -> StoreError:
        text = str(exc)
        if self.read_only and "readonly" in text.replace("-", "").replace(" ", "").lower():
            return StoreError(
                "the store is open read-only",
                where=self.url,
                fix="use a command that writes without a read-only store, or copy it somewhere writable",
            )
        if "disk is full" in text or "disk I/O error" in text:
            return StoreError(
                f"cannot write the store: {text}",
                where=self.url,
                fix="free disk space (or move the store to a disk with room: --store PATH) and run "
                "the same command again; rows already stored are kept and not stored twice",
            )
        return StoreError(text, where=f"{self.url}: {sql.strip()[:120]}", fix="check the SQL and its :params")

    def _run(self, sql: str, params: Mapping[str, Any] | None) -> int:
        try:
            return self._conn.execute(sql, params or {}).rowcount
        except sqlite3.Error as exc:
            raise self._error(exc, sql) from None

    def _run_many(self, sql: str, rows: list[Mapping[str, Any]]) -> int:
        try:
            return self._conn.executemany(sql, rows).rowcount
        except sqlite3.Error as exc:
            raise self._error(exc, sql) from None

    def _fetch(self, sql: str, params: Mapping[str, Any] | None) -> tuple[list[str], list[tuple]]:
        try:
            cur = self._conn.execute(sql, params or {})
            rows = cur.fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc, sql) from None
        return [d[0] for d in cur.description or ()], rows

    def _time_values(self, ts: pd.Series) -> list:
        arr = ts.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
        text = np.char.add(np.datetime_as_string(arr, unit="us"), "+00:00").astype(object)
        text[np.isnat(arr)] = None
        return text.tolist()

    def _insert_interactions(self, data: dict[str, list]) -> int:
        # Bind only what varies: all-null columns are left out and a column with one value for
        # the whole batch is written as a literal (binding dominates the cost of bulk inserts).
        n = len(data["id"])
        names, values, literals = [], [], []
        for c, col in data.items():
            first = col[0]
            if c != "id" and _inlinable(first) and col.count(first) == n:
                if first is not None:
                    names.append(c)
                    literals.append(_literal(first))
                continue
            names.append(c)
            values.append(col)
            literals.append("?")
        head = f"INSERT OR IGNORE INTO interactions ({', '.join(names)}) VALUES "
        one = f"({', '.join(literals)})"
        before = self._conn.total_changes
        # Many rows a statement: one step of the statement machine (and one release of the GIL)
        # for each ROWS_PER_INSERT rows instead of each row, about a third less time a row.
        k = max(1, min(ROWS_PER_INSERT, self._max_params // max(1, len(values))))
        full = n - n % k if n >= k else 0
        try:
            if full:
                grid = np.empty((n, len(values)), dtype=object)
                for j, col in enumerate(values):
                    grid[:, j] = col
                self._conn.executemany(head + ", ".join([one] * k), grid[:full].reshape(full // k, -1).tolist())
            if full < n:
                self._conn.executemany(head + one, zip(*(col[full:] for col in values)))
        except sqlite3.Error as exc:
            raise self._error(exc, head + one) from None
        return self._conn.total_changes - before

    def _upsert_moments(self, columns: list[str], rows: list[tuple]) -> int:
        import json

        ids = list(dict.fromkeys(r[0] for r in rows))
        sql = f"INSERT OR REPLACE INTO moments ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        try:
            for k in range(0, len(ids), 50_000):
                self._conn.execute(
                    "DELETE FROM moments WHERE interaction_id IN (SELECT value FROM json_each(?))",
                    (json.dumps(ids[k : k + 50_000]),),
                )
            self._conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise self._error(exc, sql) from None
        return len(rows)

    def _close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self._conn.close()  # the last connection to close checkpoints what is left


def _create_private(p: Path) -> None:
    """Create a new store file readable and writable by its owner only (0600), whatever the umask."""
    try:
        fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(
            f"cannot create the store file ({exc.strerror})", where=str(p), fix="check the folder is writable"
        ) from None
    os.close(fd)
    os.chmod(p, 0o600)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


class _Checkpointer:
    """A thread that runs passive checkpoints (they never block readers or the writer) when woken."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._wanted = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._work, name="carlzon-sqlite-checkpoint", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stopping = True
        self._wanted.set()
        self._thread.join()

    def _work(self) -> None:
        conn = sqlite3.connect(
            self._path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._stopping:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    continue  # a later commit wakes it again; the closing connection checkpoints anyway
        finally:
            conn.close()
