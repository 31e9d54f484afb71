"""The team store: PostgreSQL through psycopg 3, for URLs ``postgresql://...``.

Named ``:param`` placeholders are translated to psycopg's ``%(param)s``;
bulk writes go through ``COPY`` into a staging table. A schema other than
``public`` can be chosen in the URL: ``postgresql://host/db?options=-csearch_path%3Dmine``.

The connection outlives the server's restarts: before a statement, a connection
that has been idle for :data:`CHECK_AFTER_S` is checked with an empty query (as
psycopg_pool's ``check_connection`` does) and replaced when it is broken; a read
that fails because the connection broke is retried once on a new one, and so is
the start of a transaction. A write that breaks mid-way is not repeated: it
raises :class:`~carlzon.errors.StoreUnavailableError` (``carlzon serve`` answers
503) and the next request reconnects, without backing off, so a restarted server
is in use again from the first request after it accepts connections.

Example (needs a server):
    >>> from carlzon.store import open_store                     # doctest: +SKIP
    >>> open_store("postgresql://postgres@127.0.0.1/carlzon").backend  # doctest: +SKIP
    'postgresql'
"""

from __future__ import annotations

import time
from typing import Any
from collections.abc import Mapping

import pandas as pd

from carlzon.errors import MissingExtraError, StoreError, StoreUnavailableError
from carlzon.store.base import Store, is_time, plain
from carlzon.store.migrations import MIGRATIONS, Migration

__all__ = ["CHECK_AFTER_S", "CONNECT_TIMEOUT_S", "PostgresStore", "translate"]

_LOCK_KEY = 4_242_001  # pg_advisory_xact_lock key that serialises migrations
CHECK_AFTER_S = 1.0
"""A connection idle for longer than this is checked (one round trip) before its next statement."""
CONNECT_TIMEOUT_S = 5
"""How long connecting may take before the store counts as unavailable."""


def translate(sql: str) -> str:
    """``:name`` placeholders to ``%(name)s`` and ``%`` to ``%%``, outside quotes and ``::`` casts.

    >>> translate("SELECT * FROM t WHERE a = :a AND b::text LIKE 'x%:y'")
    "SELECT * FROM t WHERE a = %(a)s AND b::text LIKE 'x%%:y'"
    """
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i : j + 1].replace("%", "%%"))
            i = j + 1
        elif ch == "%":
            out.append("%%")
            i += 1
        elif ch == ":" and i + 1 < n and sql[i + 1] == ":":
            out.append("::")
            i += 2
        elif ch == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_") and (i == 0 or sql[i - 1] != ":"):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1 : j]})s")
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _message(exc: Exception) -> str:
    """The first line of a driver error (its class name when it says nothing)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class PostgresStore(Store):
    """A store in a PostgreSQL database."""

    backend = "postgresql"

    def __init__(self, url: str, *, migrations: list[Migration] | None = None, read_only: bool = False) -> None:
        super().__init__(url)
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a core dependency today
            raise MissingExtraError("postgres", "psycopg") from None
        self._psycopg = psycopg
        self._errors = psycopg.Error
        self.read_only = read_only
        self._tx: list[Any] = []
        self._used = 0.0
        self.reconnects = 0
        """How often a broken connection was replaced (for tests and `store info`)."""
        self._conn: Any = None
        self._conn = self._connect(first=True)
        if read_only:
            self._check_migrated(MIGRATIONS if migrations is None else migrations)
        else:
            self._migrate(MIGRATIONS if migrations is None else migrations)

    # ----- the connection ----------------------------------------------------
    def _connect(self, *, first: bool = False) -> Any:
        psycopg = self._psycopg
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
            conn.execute("SET TIME ZONE 'UTC'")
            if self.read_only:
                conn.execute("SET default_transaction_read_only = on")
        except psycopg.Error as exc:
            cls = StoreError if first else StoreUnavailableError
            raise cls(
                f"cannot connect: {_message(exc)}",
                where=self.url_safe,
                fix="check that the server runs and the URL (user, host, port, database) is right",
            ) from None
        self._used = time.monotonic()
        return conn

    def _reconnect(self) -> Any:
        old, self._conn = self._conn, None
        if old is not None:
            try:
                old.close()
            except self._psycopg.Error:
                pass
        self._conn = self._connect()
        self.reconnects += 1
        return self._conn

    def _live(self) -> Any:
        """The connection to run the next statement on: the transaction's, else a checked one."""
        if self._tx:
            return self._conn
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            return self._reconnect()
        if time.monotonic() - self._used > CHECK_AFTER_S:
            try:
                conn.execute("")
            except self._psycopg.Error:
                return self._reconnect()
        self._used = time.monotonic()
        return conn

    def _broken(self) -> bool:
        return self._conn is None or self._conn.closed or self._conn.broken

    def _retry_read(self, fn: Any) -> Any:
        """``fn(conn)``; once more on a new connection when the connection broke outside a transaction."""
        try:
            return fn(self._live())
        except self._psycopg.OperationalError:
            if self._tx or not self._broken():
                raise
        return fn(self._reconnect())

    # ----- migrations ----------------------------------------------------
    _time_type = "TIMESTAMPTZ"
    _noun = "database"
    _newer_fix = "upgrade carlzon, or use another database or schema"
    _migrate_fix = "check the migration SQL and the user's rights"

    def _raw(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
        cur = self._live().execute(sql, params)
        return cur.fetchall() if cur.description else []

    def _migration_statements(self, m: Migration) -> list[str]:
        return [m.postgresql]

    def _lock_migrations(self) -> None:
        self._live().execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))

    _known_ids_sql = "SELECT id FROM interactions WHERE id = ANY(:ids)"
    _in_ids = "= ANY(:ids)"

    @staticmethod
    def _id_list(ids: list[str]) -> Any:
        return ids

    # ----- hooks ---------------------------------------------------------
    def _native(self, sql: str) -> str:
        return translate(sql)

    def _begin(self) -> None:
        def start(conn: Any) -> Any:
            tx = conn.transaction()
            tx.__enter__()
            return tx

        try:
            self._tx.append(self._retry_read(start))  # nothing was done yet: safe to try on a new connection
        except self._psycopg.Error as exc:
            raise self._error(exc, "BEGIN") from None

    def _commit(self) -> None:
        try:
            self._tx.pop().__exit__(None, None, None)
        except self._psycopg.Error as exc:
            raise self._error(exc, "COMMIT") from None

    def _rollback(self) -> None:
        tx = self._tx.pop()
        err = StoreError("rolled back")
        try:
            tx.__exit__(type(err), err, None)
        except self._psycopg.Error:
            if not self._broken():
                raise  # a broken connection has nothing left to roll back

    def _param(self, v: Any) -> Any:
        v = plain(v)
        if is_time(v):
            ts = pd.Timestamp(v)
            return (ts.tz_localize("UTC") if ts.tzinfo is None else ts).to_pydatetime()
        return v

    def _error(self, exc: Exception, sql: str) -> StoreError:
        if isinstance(exc, self._psycopg.OperationalError) and self._broken():
            return StoreUnavailableError(
                f"lost the connection: {_message(exc)}",
                where=self.url_safe,
                fix="check that the server runs; carlzon reconnects on the next request",
            )
        text = _message(exc)
        if "No space left on device" in text or "could not extend file" in text or "disk full" in text.lower():
            return StoreError(
                f"cannot write the database: {text}",
                where=self.url_safe,
                fix="free disk space on the database server and run the same command again; rows "
                "already stored are kept and not stored twice",
            )
        return StoreError(
            _message(exc),
            where=f"{self.url_safe}: {sql.strip()[:120]}",
            fix="check the SQL and its :params",
        )

    def _run(self, sql: str, params: Mapping[str, Any] | None) -> int:
        try:
            with self._live().cursor() as cur:
                cur.execute(sql, params)
                return cur.rowcount
        except self._psycopg.Error as exc:
            raise self._error(exc, sql) from None

    def _run_many(self, sql: str, rows: list[Mapping[str, Any]]) -> int:
        try:
            with self._live().cursor() as cur:
                cur.executemany(sql, rows)
                return cur.rowcount
        except self._psycopg.Error as exc:
            raise self._error(exc, sql) from None

    def _fetch(self, sql: str, params: Mapping[str, Any] | None) -> tuple[list[str], list[tuple]]:
        def read(conn: Any) -> tuple[list[str], list[tuple]]:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                rows = cur.fetchall() if cur.description else []
                return [d.name for d in cur.description or ()], rows

        try:
            return self._retry_read(read)
        except self._psycopg.Error as exc:
            raise self._error(exc, sql) from None

    def _time_values(self, ts: pd.Series) -> list:
        # TIMESTAMPTZ keeps microseconds: cut to them here, as the SQLite backend does
        return [None if v is pd.NaT else v.to_pydatetime() for v in ts.dt.floor("us").tolist()]

    def _copy_stage(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        conn = self._live()
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS _stage_{table} (LIKE {table} INCLUDING DEFAULTS)")
        conn.execute(f"TRUNCATE _stage_{table}")
        with conn.cursor() as cur:
            with cur.copy(f"COPY _stage_{table} ({', '.join(columns)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)

    def _insert_interactions(self, data: dict[str, list]) -> int:
        columns = list(data)
        rows = list(zip(*data.values()))
        cols = ", ".join(columns)
        try:
            self._copy_stage("interactions", columns, rows)
            with self._live().cursor() as cur:
                cur.execute(
                    f"INSERT INTO interactions ({cols}) SELECT {cols} FROM _stage_interactions "
                    "ORDER BY seq ON CONFLICT (id) DO NOTHING"
                )
                return cur.rowcount
        except self._psycopg.Error as exc:
            raise self._error(exc, "INSERT INTO interactions") from None

    def _upsert_moments(self, columns: list[str], rows: list[tuple]) -> int:
        cols = ", ".join(columns)
        try:
            self._copy_stage("moments", columns, rows)
            conn = self._live()
            conn.execute(
                "DELETE FROM moments m USING (SELECT DISTINCT interaction_id FROM _stage_moments) s "
                "WHERE m.interaction_id = s.interaction_id"
            )
            conn.execute(f"INSERT INTO moments ({cols}) SELECT {cols} FROM _stage_moments")
        except self._psycopg.Error as exc:
            raise self._error(exc, "INSERT INTO moments") from None
        return len(rows)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
