"""Versioned schema migrations: one ordered list, SQL for SQLite and for PostgreSQL.

Each concern adds its tables by appending a :class:`Migration` in its own
version range (a small, focused edit at the end of ``MIGRATIONS``):

==========  =========================================
1-99        core store (interactions, moments, quarantine, ingest runs); 10-19: moments per touchpoint
100-199     web / tokens
200-299     recovery cases / magic opportunities (loop)
300-399     alerts / themes (watch)
400-499     rollups (team scale)
500-599     surveys (invitations, opt-outs)
==========  =========================================

A migration runs once per store, in ascending version order, inside a transaction;
applied versions are recorded in ``schema_migrations``. Never edit a
migration that has shipped: add a new one. Timestamps are ``TEXT`` in SQLite
(written by the store as ``YYYY-MM-DD HH:MM:SS.ffffff+00:00``) and
``TIMESTAMPTZ`` in PostgreSQL; JSON is ``TEXT`` in both.

Example:
    >>> from carlzon.store.migrations import MIGRATIONS
    >>> MIGRATIONS[0].version, MIGRATIONS[0].name
    (1, 'core tables')
"""

from __future__ import annotations

from dataclasses import dataclass

from carlzon.store.rollups import (
    POSTGRESQL_400,
    POSTGRESQL_401,
    POSTGRESQL_402,
    POSTGRESQL_403,
    SQLITE_400,
    SQLITE_401,
    SQLITE_402,
    SQLITE_403,
    SQLITE_410,
    POSTGRESQL_410,
)
from carlzon.store.moment_unit import POSTGRESQL_10, SQLITE_10
from carlzon.store.changes import POSTGRESQL_404, SQLITE_404
from carlzon.store.corrections import POSTGRESQL_40, SQLITE_40
from carlzon.survey.tables import POSTGRESQL_500, SQLITE_500

__all__ = ["MIGRATIONS", "Migration", "check_migrations"]


@dataclass(frozen=True)
class Migration:
    """One schema change: a version, a name, and the SQL for each backend (';'-separated statements)."""

    version: int
    name: str
    sqlite: str
    postgresql: str


MIGRATIONS: list[Migration] = [
    Migration(
        1,
        "core tables",
        sqlite="""
CREATE TABLE interactions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    customer_id TEXT,
    timestamp TEXT,
    channel TEXT,
    source TEXT,
    text TEXT,
    nps REAL,
    csat REAL,
    ces REAL,
    stars REAL,
    touchpoint TEXT,
    ratings TEXT,
    measures TEXT,
    attributes TEXT
);
CREATE INDEX interactions_timestamp ON interactions (timestamp);
CREATE INDEX interactions_customer ON interactions (customer_id);
CREATE INDEX interactions_touchpoint ON interactions (touchpoint);
CREATE TABLE moments (
    interaction_id TEXT PRIMARY KEY,
    customer_id TEXT,
    timestamp TEXT,
    channel TEXT,
    touchpoint TEXT,
    touchpoint_confidence REAL,
    valence TEXT,
    score REAL,
    intensity REAL,
    stakes TEXT,
    moment_of_truth INTEGER,
    reasons TEXT,
    evidence TEXT
);
CREATE INDEX moments_timestamp ON moments (timestamp);
CREATE INDEX moments_customer ON moments (customer_id);
CREATE INDEX moments_touchpoint ON moments (touchpoint);
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    source TEXT,
    row_no INTEGER,
    reason TEXT NOT NULL,
    raw TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE ingest_runs (
    id INTEGER PRIMARY KEY,
    source TEXT,
    read INTEGER NOT NULL,
    stored INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    quarantined INTEGER NOT NULL,
    moments INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
""",
        postgresql="""
CREATE TABLE interactions (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    customer_id TEXT,
    timestamp TIMESTAMPTZ,
    channel TEXT,
    source TEXT,
    text TEXT,
    nps DOUBLE PRECISION,
    csat DOUBLE PRECISION,
    ces DOUBLE PRECISION,
    stars DOUBLE PRECISION,
    touchpoint TEXT,
    ratings TEXT,
    measures TEXT,
    attributes TEXT
);
CREATE INDEX interactions_timestamp ON interactions (timestamp);
CREATE INDEX interactions_customer ON interactions (customer_id);
CREATE INDEX interactions_touchpoint ON interactions (touchpoint);
CREATE TABLE moments (
    interaction_id TEXT PRIMARY KEY,
    customer_id TEXT,
    timestamp TIMESTAMPTZ,
    channel TEXT,
    touchpoint TEXT,
    touchpoint_confidence DOUBLE PRECISION,
    valence TEXT,
    score DOUBLE PRECISION,
    intensity DOUBLE PRECISION,
    stakes TEXT,
    moment_of_truth BOOLEAN,
    reasons TEXT,
    evidence TEXT
);
CREATE INDEX moments_timestamp ON moments (timestamp);
CREATE INDEX moments_customer ON moments (customer_id);
CREATE INDEX moments_touchpoint ON moments (touchpoint);
CREATE TABLE quarantine (
    id BIGSERIAL PRIMARY KEY,
    source TEXT,
    row_no BIGINT,
    reason TEXT NOT NULL,
    raw TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE ingest_runs (
    id BIGSERIAL PRIMARY KEY,
    source TEXT,
    read BIGINT NOT NULL,
    stored BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    moments BIGINT NOT NULL DEFAULT 0,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
""",
    ),
    Migration(
        2,
        "quarantine keeps one entry per source row and reason",
        sqlite="CREATE UNIQUE INDEX quarantine_once ON quarantine (source, row_no, reason);",
        postgresql="CREATE UNIQUE INDEX quarantine_once ON quarantine (source, row_no, reason);",
    ),
    Migration(
        3,
        "partial indexes on interactions (rows without a timestamp, customer or touchpoint cost nothing)",
        sqlite="""
DROP INDEX interactions_timestamp;
DROP INDEX interactions_customer;
DROP INDEX interactions_touchpoint;
CREATE INDEX interactions_timestamp ON interactions (timestamp) WHERE timestamp IS NOT NULL;
CREATE INDEX interactions_customer ON interactions (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX interactions_touchpoint ON interactions (touchpoint) WHERE touchpoint IS NOT NULL;
""",
        postgresql="""
DROP INDEX interactions_timestamp;
DROP INDEX interactions_customer;
DROP INDEX interactions_touchpoint;
CREATE INDEX interactions_timestamp ON interactions (timestamp) WHERE timestamp IS NOT NULL;
CREATE INDEX interactions_customer ON interactions (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX interactions_touchpoint ON interactions (touchpoint) WHERE touchpoint IS NOT NULL;
""",
    ),
    Migration(
        5,
        "interactions get a location (store, hotel, branch, route) and a language; the store keeps notes "
        "about itself (its journey, how its moments were derived) in store_meta",
        sqlite="""
ALTER TABLE interactions ADD COLUMN location TEXT;
ALTER TABLE interactions ADD COLUMN language TEXT;
CREATE INDEX interactions_location ON interactions (location) WHERE location IS NOT NULL;
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);
""",
        postgresql="""
ALTER TABLE interactions ADD COLUMN location TEXT;
ALTER TABLE interactions ADD COLUMN language TEXT;
CREATE INDEX interactions_location ON interactions (location) WHERE location IS NOT NULL;
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
""",
    ),
    # Add new migrations below, at the end, in your version range (see the module docstring).
    Migration(
        30,
        "forget_log: one entry per erasure of a customer (when, who asked, rows per table; never the customer)",
        sqlite="""
CREATE TABLE forget_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    forgotten_at TEXT NOT NULL,
    actor TEXT,
    rows TEXT NOT NULL,
    total INTEGER NOT NULL
);
""",
        postgresql="""
CREATE TABLE forget_log (
    id BIGSERIAL PRIMARY KEY,
    forgotten_at TIMESTAMPTZ NOT NULL,
    actor TEXT,
    rows TEXT NOT NULL,
    total BIGINT NOT NULL
);
""",
    ),
    Migration(
        200,
        "recovery cases and their events (loop)",
        sqlite="""
CREATE TABLE recovery_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    interaction_id TEXT NOT NULL UNIQUE,
    customer_id TEXT,
    customer_name TEXT,
    journey TEXT,
    touchpoint TEXT,
    channel TEXT,
    stakes TEXT,
    intensity REAL,
    score REAL,
    priority REAL NOT NULL,
    priority_components TEXT,
    reasons TEXT,
    evidence TEXT,
    text TEXT,
    moment_at TEXT,
    opened_at TEXT NOT NULL,
    status TEXT NOT NULL,
    owner TEXT,
    team TEXT,
    deadlines TEXT,
    first_response_at TEXT,
    closed_at TEXT,
    outcome TEXT,
    outcome_reason TEXT,
    followup_interaction_id TEXT
);
CREATE INDEX recovery_cases_status ON recovery_cases (status);
CREATE INDEX recovery_cases_customer ON recovery_cases (customer_id);
CREATE TABLE recovery_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES recovery_cases (id),
    created_at TEXT NOT NULL,
    actor TEXT,
    kind TEXT NOT NULL,
    step TEXT,
    detail TEXT
);
CREATE INDEX recovery_events_case ON recovery_events (case_id);
""",
        postgresql="""
CREATE TABLE recovery_cases (
    id BIGSERIAL PRIMARY KEY,
    interaction_id TEXT NOT NULL UNIQUE,
    customer_id TEXT,
    customer_name TEXT,
    journey TEXT,
    touchpoint TEXT,
    channel TEXT,
    stakes TEXT,
    intensity DOUBLE PRECISION,
    score DOUBLE PRECISION,
    priority DOUBLE PRECISION NOT NULL,
    priority_components TEXT,
    reasons TEXT,
    evidence TEXT,
    text TEXT,
    moment_at TIMESTAMPTZ,
    opened_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL,
    owner TEXT,
    team TEXT,
    deadlines TEXT,
    first_response_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    outcome TEXT,
    outcome_reason TEXT,
    followup_interaction_id TEXT
);
CREATE INDEX recovery_cases_status ON recovery_cases (status);
CREATE INDEX recovery_cases_customer ON recovery_cases (customer_id);
CREATE TABLE recovery_events (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES recovery_cases (id),
    created_at TIMESTAMPTZ NOT NULL,
    actor TEXT,
    kind TEXT NOT NULL,
    step TEXT,
    detail TEXT
);
CREATE INDEX recovery_events_case ON recovery_events (case_id);
""",
    ),
    Migration(
        100,
        "api tokens (web)",
        sqlite="""
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    salt TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
""",
        postgresql="""
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    salt TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
""",
    ),
    Migration(
        110,
        "web_sessions: dashboard logins apart from API tokens (hash of the session id, its token, expiry)",
        sqlite="""
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    token_id TEXT NOT NULL REFERENCES api_tokens (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
""",
        postgresql="""
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    token_id TEXT NOT NULL REFERENCES api_tokens (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
""",
    ),
    Migration(
        4,
        "layouts: named numbers (survey item ratings, measures) stored packed, their names once per layout",
        sqlite="""
CREATE TABLE layouts (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,
    ratings TEXT NOT NULL,
    measures TEXT NOT NULL
);
ALTER TABLE interactions ADD COLUMN layout INTEGER REFERENCES layouts (id);
""",
        postgresql="""
CREATE TABLE layouts (
    id BIGSERIAL PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,
    ratings TEXT NOT NULL,
    measures TEXT NOT NULL
);
ALTER TABLE interactions ADD COLUMN layout BIGINT REFERENCES layouts (id);
""",
    ),
    Migration(
        400,
        "moment rollups per day, touchpoint and channel, kept current by triggers on moments (team scale)",
        sqlite=SQLITE_400,
        postgresql=POSTGRESQL_400,
    ),
    Migration(
        401,
        "sqlite: moment rollups as a view computed when read (no per-row triggers on ingest)",
        sqlite=SQLITE_401,
        postgresql=POSTGRESQL_401,
    ),
    Migration(
        402,
        "postgresql: rollup upkeep takes an advisory lock and touches rows in key order (no deadlocks between writers)",
        sqlite=SQLITE_402,
        postgresql=POSTGRESQL_402,
    ),
    Migration(
        403,
        "rollups: exact integer sums of ratings, scores and intensities (units of 1/10,000), score count and squares",
        sqlite=SQLITE_403,
        postgresql=POSTGRESQL_403,
    ),
    Migration(
        404,
        "postgresql: a change counter kept by statement triggers on interactions and moments (dashboard caches)",
        sqlite=SQLITE_404,
        postgresql=POSTGRESQL_404,
    ),
    Migration(
        405,
        "postgresql: index moments for the dashboard's lists: by valence and score (the strongest moments) and "
        "newest first (the moments feed), so that neither sorts every moment",
        sqlite="SELECT 1;  -- SQLite scans: it is not where tens of millions of moments live, and ingest stays lean",
        postgresql="CREATE INDEX moments_valence_score ON moments (valence, score);\n"
        "CREATE INDEX moments_recent ON moments ((timestamp IS NULL), timestamp DESC, interaction_id);",
    ),
    Migration(
        10,
        "moments per (interaction, touchpoint): aspect, spans, basis, the interaction's overall valence and score, "
        "one lead row per interaction; every stored moment kept (see carlzon.store.moment_unit)",
        sqlite=SQLITE_10,
        postgresql=POSTGRESQL_10,
    ),
    Migration(
        410,
        "rollups on the new unit: moment rollups per touchpoint, interaction_rollups per day and channel "
        "(each interaction once, its overall valence)",
        sqlite=SQLITE_410,
        postgresql=POSTGRESQL_410,
    ),
    Migration(
        40,
        "corrections: a person's fix of a moment's touchpoint or valence, with who and when (kept, re-applied after detection)",
        sqlite=SQLITE_40,
        postgresql=POSTGRESQL_40,
    ),
    Migration(
        500,
        "surveys: definitions, invitations (a salted hash of each one-time link), opt-outs, used form tokens",
        sqlite=SQLITE_500,
        postgresql=POSTGRESQL_500,
    ),
    Migration(
        210,
        "recovery cases: one per interaction listing its miseries, due column, place, e-mail, reopen; "
        "the miseries the case policy considered (opened or summarised, with the reason)",
        sqlite="""
ALTER TABLE recovery_cases ADD COLUMN miseries TEXT;
ALTER TABLE recovery_cases ADD COLUMN due_at TEXT;
ALTER TABLE recovery_cases ADD COLUMN location TEXT;
ALTER TABLE recovery_cases ADD COLUMN customer_email TEXT;
ALTER TABLE recovery_cases ADD COLUMN reopened_at TEXT;
CREATE INDEX recovery_cases_due ON recovery_cases (status, due_at);
CREATE INDEX recovery_cases_priority ON recovery_cases (status, priority);
CREATE TABLE recovery_considered (
    interaction_id TEXT PRIMARY KEY,
    considered_at TEXT NOT NULL,
    decision TEXT NOT NULL,
    touchpoint TEXT,
    stakes TEXT,
    priority REAL,
    moment_day TEXT,
    case_id INTEGER
);
CREATE INDEX recovery_considered_decision ON recovery_considered (decision, touchpoint);
""",
        postgresql="""
ALTER TABLE recovery_cases ADD COLUMN miseries TEXT;
ALTER TABLE recovery_cases ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE recovery_cases ADD COLUMN location TEXT;
ALTER TABLE recovery_cases ADD COLUMN customer_email TEXT;
ALTER TABLE recovery_cases ADD COLUMN reopened_at TIMESTAMPTZ;
CREATE INDEX recovery_cases_due ON recovery_cases (status, due_at);
CREATE INDEX recovery_cases_priority ON recovery_cases (status, priority);
CREATE TABLE recovery_considered (
    interaction_id TEXT PRIMARY KEY,
    considered_at TIMESTAMPTZ NOT NULL,
    decision TEXT NOT NULL,
    touchpoint TEXT,
    stakes TEXT,
    priority DOUBLE PRECISION,
    moment_day TEXT,
    case_id BIGINT
);
CREATE INDEX recovery_considered_decision ON recovery_considered (decision, touchpoint);
""",
    ),
    Migration(
        211,
        "notifications: one message per ongoing problem (a key), updated in place, with what was sent where",
        sqlite="""
CREATE TABLE notifications (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    updates INTEGER NOT NULL,
    sent TEXT,
    pending INTEGER NOT NULL
);
""",
        postgresql="""
CREATE TABLE notifications (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    first_at TIMESTAMPTZ NOT NULL,
    last_at TIMESTAMPTZ NOT NULL,
    updates INTEGER NOT NULL,
    sent TEXT,
    pending INTEGER NOT NULL
);
""",
    ),
    Migration(
        60,
        "place_hierarchy: the stored hierarchy of places (region > area > place), one row per place",
        sqlite="""
CREATE TABLE place_hierarchy (
    location TEXT PRIMARY KEY,
    name TEXT,
    area TEXT,
    region TEXT
);
""",
        postgresql="""
CREATE TABLE place_hierarchy (
    location TEXT PRIMARY KEY,
    name TEXT,
    area TEXT,
    region TEXT
);
""",
    ),
    Migration(
        120,
        "api_tokens.locations: a token limited to places (comma separated places, areas or regions)",
        sqlite="ALTER TABLE api_tokens ADD COLUMN locations TEXT;",
        postgresql="ALTER TABLE api_tokens ADD COLUMN locations TEXT;",
    ),
]


def check_migrations(migrations: list[Migration]) -> None:
    """Raise ValueError unless every migration has a unique positive version and SQL for both backends.

    The list need not be sorted (concerns append in parallel); the store applies
    the missing versions in ascending order.
    """
    seen: dict[int, str] = {}
    for m in migrations:
        if m.version <= 0 or m.version in seen:
            raise ValueError(
                f"migration {m.version} ({m.name!r}) clashes with {seen.get(m.version)!r} or is not positive: "
                "give each migration its own version in your range"
            )
        if not m.sqlite.strip() or not m.postgresql.strip():
            raise ValueError(f"migration {m.version} ({m.name!r}) needs SQL for both sqlite and postgresql")
        seen[m.version] = m.name
