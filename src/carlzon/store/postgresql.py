"""The team store: PostgreSQL through psycopg 3, for URLs ``postgresql://...``.

Named ``:param`` placeholders are translated to psycopg's ``%(param)s``;
bulk writes go through ``COPY`` into a staging table. A schema other than
``public`` can be chosen in the URL: ``postgresql://host/db?options=-csearch_path%3Dmine``.

Example (needs a server):
    >>> from carlzon.store import open_store                     # doctest: +SKIP
    >>> open_store("postgresql://postgres@127.0.0.1/carlzon").backend  # doctest: +SKIP
    'postgresql'
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from carlzon.errors import MissingExtraError, StoreError
from carlzon.store.base import Store, is_time, plain
from carlzon.store.migrations import MIGRATIONS, Migration

__all__ = ["PostgresStore", "translate"]

_LOCK_KEY = 4_242_001  # pg_advisory_xact_lock key that serialises migrations


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

    def __init__(self, url: str, *, migrations: list[Migration] | None = None) -> None:
        super().__init__(url)
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a core dependency today
            raise MissingExtraError("postgres", "psycopg") from None
        self._psycopg = psycopg
        self._errors = psycopg.Error
        try:
            self._conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot connect: {_message(exc)}",
                where=self.url_safe,
                fix="check that the server runs and the URL (user, host, port, database) is right",
            ) from None
        self._conn.execute("SET TIME ZONE 'UTC'")
        self._tx: list[Any] = []
        self._migrate(MIGRATIONS if migrations is None else migrations)

    # ----- migrations ----------------------------------------------------
    _time_type = "TIMESTAMPTZ"
    _noun = "database"
    _newer_fix = "upgrade carlzon, or use another database or schema"
    _migrate_fix = "check the migration SQL and the user's rights"

    def _raw(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
        cur = self._conn.execute(sql, params)
        return cur.fetchall() if cur.description else []

    def _migration_statements(self, m: Migration) -> list[str]:
        return [m.postgresql]

    def _lock_migrations(self) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))

    _known_ids_sql = "SELECT id FROM interactions WHERE id = ANY(:ids)"

    @staticmethod
    def _id_list(ids: list[str]) -> Any:
        return ids

    # ----- hooks ---------------------------------------------------------
    def _native(self, sql: str) -> str:
        return translate(sql)

    def _begin(self) -> None:
        tx = self._conn.transaction()
        tx.__enter__()
        self._tx.append(tx)

    def _commit(self) -> None:
        self._tx.pop().__exit__(None, None, None)

    def _rollback(self) -> None:
        tx = self._tx.pop()
        err = StoreError("rolled back")
        tx.__exit__(type(err), err, None)

    def _param(self, v: Any) -> Any:
        v = plain(v)
        if is_time(v):
            ts = pd.Timestamp(v)
            return (ts.tz_localize("UTC") if ts.tzinfo is None else ts).to_pydatetime()
        return v

    def _error(self, exc: Exception, sql: str) -> StoreError:
        text = _message(exc)
        if "No space left on device" in text or "could not extend file" in text or "disk full" in text.lower():
            return StoreError(f"cannot write the database: {text}", where=self.url_safe,
                              fix="free disk space on the database server and run the same command again; rows "
                                  "already stored are kept and not stored twice")
        return StoreError(
            _message(exc),
            where=f"{self.url_safe}: {sql.strip()[:120]}",
            fix="check the SQL and its :params",
        )

    def _run(self, sql: str, params: Mapping[str, Any] | None) -> int:
        try:
            with self._conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.rowcount
        except self._psycopg.Error as exc:
            raise self._error(exc, sql) from None

    def _run_many(self, sql: str, rows: list[Mapping[str, Any]]) -> int:
        try:
            with self._conn.cursor() as cur:
                cur.executemany(sql, rows)
                return cur.rowcount
        except self._psycopg.Error as exc:
            raise self._error(exc, sql) from None

    def _fetch(self, sql: str, params: Mapping[str, Any] | None) -> tuple[list[str], list[tuple]]:
        try:
            with self._conn.cursor() as cur:
                cur.execute(sql, params)
                rows = cur.fetchall() if cur.description else []
                return [d.name for d in cur.description or ()], rows
        except self._psycopg.Error as exc:
            raise self._error(exc, sql) from None

    def _time_values(self, ts: pd.Series) -> list:
        # TIMESTAMPTZ keeps microseconds: cut to them here, as the SQLite backend does
        return [None if v is pd.NaT else v.to_pydatetime() for v in ts.dt.floor("us").tolist()]

    def _copy_stage(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        self._conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS _stage_{table} (LIKE {table} INCLUDING DEFAULTS)")
        self._conn.execute(f"TRUNCATE _stage_{table}")
        with self._conn.cursor() as cur:
            with cur.copy(f"COPY _stage_{table} ({', '.join(columns)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)

    def _insert_interactions(self, data: dict[str, list]) -> int:
        columns = list(data)
        rows = list(zip(*data.values()))
        cols = ", ".join(columns)
        try:
            self._copy_stage("interactions", columns, rows)
            with self._conn.cursor() as cur:
                cur.execute(
                    f"INSERT INTO interactions ({cols}) SELECT {cols} FROM _stage_interactions "
                    "ORDER BY seq ON CONFLICT (id) DO NOTHING"
                )
                return cur.rowcount
        except self._psycopg.Error as exc:
            raise self._error(exc, "INSERT INTO interactions") from None

    def _upsert_moments(self, columns: list[str], rows: list[tuple]) -> int:
        cols = ", ".join(columns)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "interaction_id")
        try:
            self._copy_stage("moments", columns, rows)
            self._conn.execute(
                f"INSERT INTO moments ({cols}) SELECT {cols} FROM _stage_moments "
                f"ON CONFLICT (interaction_id) DO UPDATE SET {updates}"
            )
        except self._psycopg.Error as exc:
            raise self._error(exc, "INSERT INTO moments") from None
        return len(rows)

    def _close(self) -> None:
        self._conn.close()
