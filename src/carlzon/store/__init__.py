"""Persistence: an embedded SQLite file by default, PostgreSQL for teams, one interface.

``open_store(path)`` opens (or creates) a SQLite file in WAL mode;
``open_store("postgresql://...")`` connects to PostgreSQL. Both run the
migrations in :mod:`carlzon.store.migrations` on open.

Example:
    >>> import pandas as pd
    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as store:
    ...     store.add_interactions(pd.DataFrame({"id": ["r1"], "text": ["Lost my bag!"], "stars": [1.0]}))
    ...     store.interactions()[["id", "stars"]].values.tolist()
    (1, 0)
    [['r1', 1.0]]
"""

from __future__ import annotations

from pathlib import Path

from carlzon.errors import StoreError
from carlzon.store.base import Store

__all__ = ["Store", "missing_store", "open_store"]


def open_store(url_or_path: str | Path, *, create: bool = True, read_only: bool = False) -> Store:
    """Open a store: a file path (or ``sqlite:///path``, or ``:memory:``) or a ``postgresql://`` URL.

    With ``create=False`` a store file that does not exist is an error naming ``carlzon ingest``
    (reading commands use this: a typo in a path never creates an empty store to report on).
    ``read_only=True`` (implies ``create=False``) writes nothing (no migration; SQLite opens the file
    read-only, PostgreSQL's transactions are read-only): what reports and read commands use, so that
    a copy on a read-only disk, or a read-only database user, can be reported on."""
    target = str(url_or_path).strip()
    if not target:
        raise StoreError("no store given", fix="pass a file path such as carlzon.db or a postgresql:// URL")
    if target.startswith(("postgresql://", "postgres://")):
        from carlzon.store.postgresql import PostgresStore

        return PostgresStore(target, read_only=read_only)
    if target.startswith("sqlite:///"):
        target = target[len("sqlite:///") :] or ":memory:"
    elif "://" in target:
        raise StoreError(
            f"unknown store URL scheme in {target.split('://')[0]!r}",
            where=target.split("@")[-1],
            fix="use a file path (carlzon.db) or postgresql://user@host/db",
        )
    if (not create or read_only) and missing_store(target):
        raise StoreError(
            "no store here",
            where=target,
            fix=f"create one with `carlzon ingest FILE --store {target}` (or `carlzon demo`), or check "
            "the path and $CARLZON_STORE",
        )
    from carlzon.store.sqlite import SQLiteStore

    return SQLiteStore(target, read_only=read_only)


def missing_store(url_or_path: str | Path) -> bool:
    """Whether an embedded store's file does not exist (PostgreSQL URLs and ``:memory:`` always exist)."""
    target = str(url_or_path).strip()
    if target.startswith(("postgresql://", "postgres://")) or target in (":memory:", "sqlite:///", ""):
        return False
    if target.startswith("sqlite:///"):
        target = target[len("sqlite:///") :]
    return "://" not in target and not Path(target).exists()
