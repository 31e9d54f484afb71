"""Erasure of one customer (GDPR article 17): every row that holds them, in every table, on both backends.

Tables are read from the database (:mod:`carlzon.store.catalog`), never listed
by hand, so a table another concern adds later is covered when it holds a
customer the way the store's own tables do. A row belongs to the customer when

- a column named ``customer_id`` (or ``*_customer_id``) holds the customer's id;
- a column named ``interaction_id`` (or ``*_interaction_id``), or the ``id`` of
  ``interactions``, names one of the customer's interactions;
- a foreign key points at a row that belongs to the customer (a case's events);
- it is a quarantined raw row (:data:`TEXT_TABLES`) one of whose fields is the
  customer's id, e-mail, phone or full name, as found in their interactions and cases.

Tables that hold no customer at all are named in :data:`NO_CUSTOMER_DATA`,
caches derived from everyone's data in :data:`DERIVED_TABLES` (emptied); the
tests fail for a table that is neither covered nor named in one of them. Rows go
children first, in one transaction; the rollups are rebuilt; an entry in
``forget_log`` records when and how many rows per table went, without the id.
On SQLite the deleted content is overwritten (``secure_delete``) and the
write-ahead log emptied; on PostgreSQL the tables are vacuumed.

Example:
    >>> import pandas as pd
    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as s:
    ...     _ = s.add_interactions(pd.DataFrame({"id": ["a", "b"], "customer_id": ["c1", "c2"], "text": ["x", "y"]}))
    ...     forget(s, "c1", dry_run=True).rows["interactions"], forget(s, "c1").total, s.counts()["interactions"]
    (1, 1, 1)
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, UTC
from typing import Any
from collections.abc import Iterable

from carlzon.errors import NotFoundError, StoreError
from carlzon.store.catalog import Table, tables

__all__ = ["DERIVED_TABLES", "NO_CUSTOMER_DATA", "TEXT_TABLES", "ForgetResult", "coverage", "forget", "forget_log"]

NO_CUSTOMER_DATA: dict[str, str] = {
    "schema_migrations": "the versions of the schema",
    "store_meta": "notes the store keeps about itself (its journey)",
    "api_tokens": "hashed access tokens of staff",
    "web_sessions": "dashboard sessions of staff (hashed)",
    "layouts": "names of survey items and measures, shared by every row",
    "ingest_runs": "counts per ingest run (no row content)",
    "moment_rollups": "sums per day, touchpoint and channel: rebuilt after an erasure",
    "interaction_rollups": "sums per day and channel (each interaction once): kept by triggers on moments",
    "carlzon_changes": "a change counter for caches",
    "forget_log": "the erasure log itself (times and counts, no customer)",
    "surveys": "survey definitions: questions and personas, no answers",
    "survey_form_tokens": "one-time nonces of survey forms (survey id and time only)",
    "place_hierarchy": "the chain's places with their name, area and region (no customer)",
    "notifications": "messages to staff about cases and alerts: case ids, touchpoints and counts, no customer text",
}
"""Tables that hold no personal data of any customer, each with why. A table added by a migration
must hold its customer in a column :func:`forget` finds, or be named here."""

TEXT_TABLES: dict[str, tuple[str, str]] = {"quarantine": ("id", "raw")}
"""Tables whose rows carry no customer column but raw text: table -> (key column, text column)."""

DERIVED_TABLES: dict[str, str] = {
    "derived_views": "cached results of the dashboard's views, recomputed when asked for",
}
"""Caches of figures and views derived from everyone's data: emptied by an erasure (they are recomputed
on demand), since a cached view may quote the customer."""

_CUSTOMER = re.compile(r"^(?:.*_)?customer_id$")
_INTERACTION = re.compile(r"^(?:.*_)?interaction_id$")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_NAME_KEYS = (
    "name",
    "customer_name",
    "full_name",
    "email",
    "e_mail",
    "customer_email",
    "phone",
    "mobile",
    "telephone",
    "phone_number",
)


@dataclass
class ForgetResult:
    """What an erasure removed (or, with ``dry_run``, would remove): rows per table."""

    rows: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    audit_id: int | None = None
    identifiers: int = 0
    """How many identifiers (id, e-mails, phones, names) the quarantine was searched for."""

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "total": self.total,
            "rows": dict(self.rows),
            "audit_id": self.audit_id,
            "identifiers": self.identifiers,
        }


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Plan:
    """The WHERE clause that selects the customer's rows in each table (None: the table holds none)."""

    def __init__(self, catalog: list[Table]) -> None:
        self.tables = {t.name: t for t in catalog}
        self._memo: dict[str, str | None] = {}

    def references(self, t: Table) -> list[str]:
        """Tables whose rows decide which rows of ``t`` are the customer's."""
        refs = ["interactions"] if any(_INTERACTION.match(c) for c in t.columns) and t.name != "interactions" else []
        return refs + [ref for _, ref, _ in t.foreign_keys if ref != t.name and self.where(ref) is not None]

    def where(self, name: str, _seen: frozenset[str] = frozenset()) -> str | None:
        if name in self._memo:
            return self._memo[name]
        t = self.tables.get(name)
        if t is None or name in _seen or name in NO_CUSTOMER_DATA or name in TEXT_TABLES or name in DERIVED_TABLES:
            return None
        parts = []
        for col in t.columns:
            q = _quoted(col)
            if _CUSTOMER.match(col):
                parts.append(f"{q} = :customer_id" if t.is_text(col) else f"CAST({q} AS TEXT) = :customer_id")
            elif _INTERACTION.match(col) and name != "interactions":
                parts.append(f"{q} IN (SELECT id FROM interactions WHERE customer_id = :customer_id)")
        for col, ref, ref_col in t.foreign_keys:
            sub = None if ref == name else self.where(ref, _seen | {name})
            if sub is not None:
                parts.append(f"{_quoted(col)} IN (SELECT {_quoted(ref_col)} FROM {_quoted(ref)} WHERE {sub})")
        self._memo[name] = " OR ".join(f"({p})" for p in parts) if parts else None
        return self._memo[name]

    def order(self) -> list[str]:
        """Tables with customer rows, each before every table its WHERE clause reads."""
        out: list[str] = []

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in out or name in path:
                return
            for other, t in self.tables.items():
                if other != name and self.where(other) is not None and name in self.references(t):
                    visit(other, path + (name,))
            out.append(name)

        for name in sorted(self.tables):
            if self.where(name) is not None:
                visit(name, ())
        return out


def coverage(store: Any) -> dict[str, str]:
    """How :func:`forget` reaches each table: 'rows' (a customer, interaction or foreign-key column),
    'text' (raw text searched), 'none: <why>' (holds no customer), or 'NOT COVERED'."""
    plan = _Plan(tables(store))
    out = {}
    for name in sorted(plan.tables):
        if name in TEXT_TABLES:
            out[name] = "text"
        elif name in DERIVED_TABLES:
            out[name] = f"emptied: {DERIVED_TABLES[name]}"
        elif plan.where(name) is not None:
            out[name] = "rows"
        elif name in NO_CUSTOMER_DATA:
            out[name] = f"none: {NO_CUSTOMER_DATA[name]}"
        else:
            out[name] = "NOT COVERED"
    return out


def _identifiers(store: Any, customer_id: str) -> set[str]:
    """The customer's id and the e-mails, phones and names their interactions and cases carry."""
    found = {customer_id}
    inter = store.query("SELECT text, attributes FROM interactions WHERE customer_id = :c", {"c": customer_id})
    for text, raw in zip(inter["text"], inter["attributes"]):
        found.update(_EMAIL.findall(text or ""))
        try:
            attrs = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            attrs = {}
        if isinstance(attrs, dict):
            for k, v in attrs.items():
                if str(k).lower() in _NAME_KEYS and isinstance(v, (str, int)) and str(v).strip():
                    found.add(str(v).strip())
            first, last = attrs.get("first_name"), attrs.get("last_name") or attrs.get("surname")
            if first and last:
                found.add(f"{first} {last}")
    names = store.query(
        "SELECT DISTINCT customer_name FROM recovery_cases WHERE customer_id = :c AND customer_name IS NOT NULL",
        {"c": customer_id},
    )
    found.update(str(n) for n in names["customer_name"] if n)
    return {f for f in found if len(f) >= 3}


def _fields(raw: str) -> list[str]:
    """The values of a quarantined row: a JSON object's values, else the row as CSV fields."""
    text = raw.strip()
    if text[:1] in "{[":
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            return [str(v) for v in obj.values() if v is not None]
        if isinstance(obj, list):
            return [str(v) for v in obj if v is not None]
    try:
        return next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        return text.split(",")


def _carries(raw: str, identifiers: Iterable[str]) -> bool:
    fields = [f.strip().casefold() for f in _fields(raw)]
    for ident in identifiers:
        key = ident.casefold()
        if key in fields:
            return True
        if ("@" in key or " " in key) and any(key in f for f in fields):
            return True  # an e-mail or a full name inside a comment
    return False


def _quarantined(store: Any, identifiers: set[str]) -> dict[str, list[Any]]:
    """Keys of the rows of each TEXT_TABLES table that carry one of the identifiers."""
    out: dict[str, list[Any]] = {}
    present = {t.name for t in tables(store)}
    for name, (key, col) in TEXT_TABLES.items():
        if name not in present:
            continue
        hits: list[Any] = []
        for ident in sorted(identifiers):
            pattern = "%" + ident.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = store.query(
                f"SELECT {_quoted(key)} AS k, {_quoted(col)} AS v FROM {_quoted(name)} "
                f"WHERE LOWER({_quoted(col)}) LIKE LOWER(:p) ESCAPE '\\'",
                {"p": pattern},
            )
            hits.extend(k for k, v in zip(rows["k"], rows["v"]) if isinstance(v, str) and _carries(v, identifiers))
        out[name] = sorted(set(hits))
    return out


def forget(
    store: Any, customer_id: str, *, dry_run: bool = False, actor: str | None = None, vacuum: bool = True
) -> ForgetResult:
    """Remove every row of ``customer_id`` from the store (see the module); with ``dry_run`` count them only.

    NotFoundError when nothing in the store holds the customer. ``actor`` (who asked) goes into the
    audit entry; ``vacuum`` scrubs the deleted content from the files as well.
    """
    customer_id = str(customer_id).strip()
    if not customer_id:
        raise StoreError("no customer given", where="forget", fix="pass the customer's id, e.g. carlzon forget C0042")
    if getattr(store, "read_only", False) and not dry_run:
        raise StoreError("the store is open read-only", where="forget", fix="open it writable to erase a customer")
    plan = _Plan(tables(store))
    order = plan.order()
    params = {"customer_id": customer_id}
    identifiers = _identifiers(store, customer_id)
    result = ForgetResult(dry_run=dry_run, identifiers=len(identifiers))
    with store.transaction():
        for name in order:
            n = int(
                store.query(f"SELECT COUNT(*) AS n FROM {_quoted(name)} WHERE {plan.where(name)}", params)["n"].iloc[0]
            )
            if n:
                result.rows[name] = n
        quarantined = _quarantined(store, identifiers)
        for name, keys in quarantined.items():
            if keys:
                result.rows[name] = len(keys)
        if not result.rows:
            raise NotFoundError(
                f"no rows of customer {customer_id!r} in the store",
                where="forget",
                fix="check the id (carlzon customers, or the customer_id column of your export)",
            )
        if dry_run:
            return result
        if store.backend == "sqlite":
            store.execute("PRAGMA secure_delete = ON")
        try:
            for name in order:
                if name in result.rows:
                    store.execute(f"DELETE FROM {_quoted(name)} WHERE {plan.where(name)}", params)
            for name, keys in quarantined.items():
                key = TEXT_TABLES[name][0]
                for k in keys:
                    store.execute(f"DELETE FROM {_quoted(name)} WHERE {_quoted(key)} = :k", {"k": k})
            present = {t for t in plan.tables}
            for name in DERIVED_TABLES:
                if name in present:
                    store.execute(f"DELETE FROM {_quoted(name)}")
            result.audit_id = _audit(store, result, actor)
        finally:
            if store.backend == "sqlite":
                store.execute("PRAGMA secure_delete = OFF")
    from carlzon.store.rollups import rebuild_rollups

    rebuild_rollups(store)
    if vacuum:
        _scrub(store, list(result.rows))
    return result


def _audit(store: Any, result: ForgetResult, actor: str | None) -> int:
    now = datetime.now(UTC)
    store.execute(
        "INSERT INTO forget_log (forgotten_at, actor, rows, total) VALUES (:at, :actor, :rows, :total)",
        {"at": now, "actor": actor, "rows": json.dumps(result.rows, sort_keys=True), "total": result.total},
    )
    return int(store.query("SELECT MAX(id) AS id FROM forget_log")["id"].iloc[0])


def _scrub(store: Any, names: list[str]) -> None:
    """Deleted content out of the files: SQLite's log emptied; PostgreSQL's tables vacuumed."""
    if store.backend == "sqlite":
        if store.url != ":memory:":
            store.query("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    for name in names:
        store.execute(f"VACUUM {_quoted(name)}")


def forget_log(store: Any) -> list[dict[str, Any]]:
    """The erasures done so far (no customer ids): id, forgotten_at, actor, rows per table, total."""
    df = store.query("SELECT id, forgotten_at, actor, rows, total FROM forget_log ORDER BY id")
    out = df.to_dict("records")
    for r in out:
        r["rows"] = json.loads(r["rows"]) if r["rows"] else {}
    return out
