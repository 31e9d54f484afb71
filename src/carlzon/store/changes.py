"""A cheap token that changes whenever the store's interactions or moments change, for caches.

The dashboard caches what it computed per filter and drops it when the data
change. Counting rows (four ``COUNT(*)``) to notice a change costs about half a
second at ten million moments on PostgreSQL, and misses a re-scoring that
replaces moments without adding any. Instead:

* PostgreSQL (migration 404): a statement-level trigger on ``interactions`` and
  ``moments`` adds 1, once per transaction, to one of 16 counter rows
  (``carlzon_changes``, the row of the writing connection, so that concurrent
  writers rarely wait for each other; it is taken before the rollup lock, so they
  cannot deadlock). The token is their sum, which a reader sees change only when
  the writer commits.
* SQLite: ``PRAGMA data_version`` (changes when another connection commits) and
  ``total_changes()`` (rows changed by this connection), both free.

The token may change more often than the data (any write on SQLite), never less.

Example:
    >>> from carlzon.store import open_store
    >>> import pandas as pd
    >>> with open_store(":memory:") as s:
    ...     before = change_token(s)
    ...     _ = s.add_interactions(pd.DataFrame({"id": ["a"]}))
    ...     change_token(s) != before
    True
"""

from __future__ import annotations

from typing import Any

__all__ = ["POSTGRESQL_404", "SHARDS", "SQLITE_404", "change_token"]

SHARDS = 16
"""Counter rows on PostgreSQL; each connection writes the row of its backend pid modulo SHARDS."""

POSTGRESQL_404 = f"""
CREATE TABLE carlzon_changes (shard INTEGER PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0);
INSERT INTO carlzon_changes (shard) SELECT generate_series(0, {SHARDS - 1});
CREATE FUNCTION carlzon_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- once per transaction: a second UPDATE of the same row in one transaction only grows its version chain
    IF COALESCE(current_setting('carlzon.counted', true), '') <> '1' THEN
        UPDATE carlzon_changes SET n = n + 1 WHERE shard = pg_backend_pid() % {SHARDS};
        PERFORM set_config('carlzon.counted', '1', true);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER interactions_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON interactions
    FOR EACH STATEMENT EXECUTE FUNCTION carlzon_count_change();
CREATE TRIGGER moments_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON moments
    FOR EACH STATEMENT EXECUTE FUNCTION carlzon_count_change();
"""
SQLITE_404 = "SELECT 1;  -- SQLite's change token is PRAGMA data_version and total_changes(): nothing to store"


def change_token(store: Any) -> tuple[Any, ...]:
    """A value that differs after any committed change to interactions or moments (see the module)."""
    if store.backend == "postgresql":
        return ("postgresql", int(store.query("SELECT COALESCE(SUM(n), 0) AS n FROM carlzon_changes")["n"].iloc[0]))
    version = int(store.query("PRAGMA data_version").iloc[0, 0])
    return ("sqlite", version, int(store.query("SELECT total_changes() AS n")["n"].iloc[0]))
