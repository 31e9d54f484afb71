"""The store's survey tables (migrations 500-599): surveys, invitations, opt-outs and used form tokens.

Invitations keep only a salted hash of their link's secret (like API tokens), so a copy of the store
does not let anyone answer in a customer's name. Answers themselves are interactions
(:mod:`carlzon.survey.answers`), not rows here.

Example:
    >>> from carlzon.store import open_store
    >>> from carlzon.survey import build_survey
    >>> with open_store(":memory:") as st:
    ...     save_survey(st, build_survey("hotel", persona="business"))
    ...     [s.id for s in list_surveys(st)]
    ['hotel-business']
"""

from __future__ import annotations

from datetime import datetime, UTC
from typing import Any

from carlzon.errors import SurveyError
from carlzon.survey.definition import Survey

__all__ = ["SQLITE_500", "POSTGRESQL_500", "get_survey", "list_surveys", "save_survey", "secret"]

_TABLES = """
CREATE TABLE surveys (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    journey TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE TABLE survey_invitations (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL REFERENCES surveys (id),
    batch TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    persona TEXT,
    salt TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at {ts} NOT NULL,
    answered_at {ts},
    interaction_id TEXT
);
CREATE INDEX survey_invitations_customer ON survey_invitations (customer_id, created_at);
CREATE INDEX survey_invitations_batch ON survey_invitations (survey_id, batch);
CREATE TABLE survey_optouts (
    customer_id TEXT PRIMARY KEY,
    created_at {ts} NOT NULL,
    source TEXT
);
CREATE TABLE survey_form_tokens (
    nonce TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL,
    used_at {ts} NOT NULL
);
"""
SQLITE_500 = _TABLES.format(ts="TEXT")
POSTGRESQL_500 = _TABLES.format(ts="TIMESTAMPTZ")


def _now() -> datetime:
    return datetime.now(UTC)


def save_survey(store: Any, survey: Survey) -> None:
    """Store (or replace) a survey definition; its journey must hold every touchpoint it asks about."""
    survey.check_journey()
    now = _now()
    with store.transaction():
        known = store.query("SELECT created_at FROM surveys WHERE id = :id", {"id": survey.id})
        if len(known):
            store.execute(
                "UPDATE surveys SET title = :title, journey = :journey, definition = :d, updated_at = :now "
                "WHERE id = :id",
                {"id": survey.id, "title": survey.title, "journey": survey.journey, "d": survey.to_yaml(), "now": now},
            )
        else:
            store.execute(
                "INSERT INTO surveys (id, title, journey, definition, created_at, updated_at) "
                "VALUES (:id, :title, :journey, :d, :now, :now)",
                {"id": survey.id, "title": survey.title, "journey": survey.journey, "d": survey.to_yaml(), "now": now},
            )


def get_survey(store: Any, survey_id: str) -> Survey:
    """The stored survey ``survey_id``; SurveyError (404) naming the stored ones otherwise."""
    df = store.query("SELECT definition FROM surveys WHERE id = :id", {"id": str(survey_id)})
    if not len(df):
        ids = store.query("SELECT id FROM surveys ORDER BY id")["id"].tolist()
        raise SurveyError(
            f"no survey {survey_id!r} in the store",
            status=404,
            fix=f"use one of {', '.join(ids)}" if ids else "add one: carlzon survey add SURVEY.yaml",
        )
    return Survey.from_yaml(str(df["definition"].iloc[0]), where=f"survey {survey_id}")


def list_surveys(store: Any) -> list[Survey]:
    """Every stored survey, by id."""
    df = store.query("SELECT id, definition FROM surveys ORDER BY id")
    return [Survey.from_yaml(str(d), where=f"survey {i}") for i, d in zip(df["id"], df["definition"])]


def secret(store: Any) -> bytes:
    """The store's key for signing survey form tokens (made once, kept in store_meta)."""
    import secrets as _secrets

    value = store.meta("survey_secret")
    if value is None:
        with store.transaction():
            value = store.meta("survey_secret")
            if value is None:
                value = _secrets.token_hex(32)
                store.set_meta("survey_secret", value)
    return bytes.fromhex(value)
