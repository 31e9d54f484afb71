"""What tables a store holds: their columns and foreign keys, read from the database itself.

Concerns add tables in their own migrations; code that must reach every table
(erasure of a customer, :mod:`carlzon.privacy.forget`) reads them from here
rather than from a list that a new migration could leave out.

Example:
    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as s:
    ...     t = {t.name: t for t in tables(s)}
    >>> t["moments"].columns["interaction_id"], t["recovery_events"].foreign_keys
    ('TEXT', (('case_id', 'recovery_cases', 'id'),))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Table", "tables"]


@dataclass(frozen=True)
class Table:
    """One base table: column name -> declared type (upper case), primary key columns, and
    foreign keys as ``(column, referenced table, referenced column)``."""

    name: str
    columns: dict[str, str]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()

    def is_text(self, column: str) -> bool:
        """True when the column holds text (compared without a cast)."""
        return any(k in self.columns.get(column, "") for k in ("TEXT", "CHAR", "CLOB"))


def tables(store: Any) -> list[Table]:
    """The store's base tables (no views, no temporary tables), by name."""
    if store.backend == "postgresql":
        return _postgresql(store)
    return _sqlite(store)


def _sqlite(store: Any) -> list[Table]:
    names = store.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )["name"].tolist()
    out = []
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        info = store.query(f"PRAGMA table_info({quoted})")
        cols = {str(r["name"]): str(r["type"] or "").upper() for r in info.to_dict("records")}
        pk = tuple(str(r["name"]) for r in sorted(info.to_dict("records"), key=lambda r: r["pk"]) if r["pk"])
        fks = store.query(f"PRAGMA foreign_key_list({quoted})")
        keys = tuple((str(r["from"]), str(r["table"]), str(r["to"] or "rowid")) for r in fks.to_dict("records"))
        out.append(Table(name, cols, pk, keys))
    return out


def _postgresql(store: Any) -> list[Table]:
    cols = store.query(
        "SELECT c.table_name, c.column_name, UPPER(c.data_type) AS data_type FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
        "ORDER BY c.table_name, c.ordinal_position"
    )
    keys = store.query(
        "SELECT con.contype, rel.relname AS table_name, att.attname AS column_name, ref.relname AS ref_table, "
        "ratt.attname AS ref_column, k.ord "
        "FROM pg_constraint con "
        "JOIN pg_class rel ON rel.oid = con.conrelid "
        "JOIN pg_namespace ns ON ns.oid = rel.relnamespace AND ns.nspname = current_schema() "
        "CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) "
        "JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.attnum "
        "LEFT JOIN pg_class ref ON ref.oid = con.confrelid "
        "LEFT JOIN pg_attribute ratt ON ratt.attrelid = con.confrelid AND ratt.attnum = con.confkey[k.ord] "
        "WHERE con.contype IN ('p', 'f') ORDER BY rel.relname, k.ord"
    )
    by: dict[str, dict[str, str]] = {}
    for r in cols.to_dict("records"):
        by.setdefault(str(r["table_name"]), {})[str(r["column_name"])] = str(r["data_type"])
    pks: dict[str, list[str]] = {}
    fks: dict[str, list[tuple[str, str, str]]] = {}
    for r in keys.to_dict("records"):
        if r["contype"] == "p":
            pks.setdefault(str(r["table_name"]), []).append(str(r["column_name"]))
        else:
            fks.setdefault(str(r["table_name"]), []).append(
                (str(r["column_name"]), str(r["ref_table"]), str(r["ref_column"]))
            )
    return [Table(name, c, tuple(pks.get(name, ())), tuple(fks.get(name, ()))) for name, c in sorted(by.items())]
