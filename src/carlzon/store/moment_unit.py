"""One moment per (interaction, touchpoint): the moments table's key and columns since migration 10.

An interaction is a story of several moments (the room, the front desk, the bill), so the
moments table is keyed by ``(interaction_id, touchpoint)`` (``'unknown'`` where the text
names no touchpoint) and keeps, beside today's columns:

* ``aspect``: what was judged across touchpoints (price_value, speed_waiting, ...), or NULL;
* ``spans``: a JSON list of ``[start, end]`` character offsets of the mentions in the text;
* ``basis``: ``text``, ``rating`` or ``text+rating``;
* ``overall_valence`` / ``overall_score``: the interaction's own valence (its rating where it
  has one, else the whole text), the same on each of its rows, for interaction-level figures
  (NPS-style rates, ``carlzon eval``, recovery priority);
* ``lead``: 1 on exactly one row of each interaction (its most intense moment, the first of
  equals), so that interaction-level sums count each interaction once (:func:`lead_flags`).

Migration 10 rebuilds the table (SQLite cannot change a primary key in place) keeping every
row: a stored moment becomes the one moment of its interaction at its touchpoint (``'unknown'``
where it had none), its valence and score become the overall ones. Where moments were there
to migrate it leaves the store note ``moments_pending`` so that
:func:`carlzon.detect.redetect.upgrade_moments` re-derives them per touchpoint (and says so).

Example:
    >>> import pandas as pd
    >>> lead_flags(pd.DataFrame({"interaction_id": ["a", "a", "b"], "intensity": [0.2, 0.9, None]})).tolist()
    [False, True, True]
"""

from __future__ import annotations

import pandas as pd

__all__ = ["PENDING_NOTE", "POSTGRESQL_10", "SQLITE_10", "UNIT_COLUMNS", "interaction_rows", "lead_flags"]

UNIT_COLUMNS: dict[str, str] = {
    "aspect": "string",
    "spans": "json",
    "basis": "string",
    "overall_valence": "string",
    "overall_score": "float64",
}
"""Columns a moment has since migration 10 (beside schema.MOMENT_COLUMNS; ``lead`` is the store's own)."""

PENDING_NOTE = "moments_pending"
"""The store note left by migration 10 when it kept moments derived one per interaction."""


def lead_flags(df: pd.DataFrame) -> pd.Series:
    """True on one row per interaction_id: its most intense moment, the first touchpoint by name of equals
    (independent of row order, so the store and a frame read back from it agree)."""
    if not len(df):
        return pd.Series([], dtype=bool, index=df.index)
    inten = (
        pd.to_numeric(df["intensity"], errors="coerce").fillna(-1.0)
        if "intensity" in df.columns
        else pd.Series(0.0, index=df.index)
    )
    tp = (
        df["touchpoint"].astype(object).where(df["touchpoint"].notna(), "unknown").astype(str)
        if "touchpoint" in df.columns
        else pd.Series("", index=df.index)
    )
    order = pd.DataFrame(
        {
            "id": df["interaction_id"].astype(str).to_numpy(),
            "k": -inten.to_numpy(),
            "tp": tp.to_numpy(),
            "pos": range(len(df)),
        }
    ).sort_values(["id", "k", "tp", "pos"], kind="stable")
    first = ~order["id"].duplicated()
    out = pd.Series(False, index=range(len(df)))
    out.iloc[order["pos"][first].to_numpy()] = True
    out.index = df.index
    return out


def interaction_rows(moments: pd.DataFrame) -> pd.DataFrame:
    """One row per interaction (its lead moment) with ``valence`` and ``score`` its overall ones: the unit of
    interaction-level figures (NPS-style rates). A frame without interaction_id is returned as it is.

    >>> m = pd.DataFrame({"interaction_id": ["a", "a"], "touchpoint": ["room", "desk"], "valence": ["magic", "misery"],
    ...                   "overall_valence": ["neutral", "neutral"], "intensity": [0.3, 0.6]})
    >>> interaction_rows(m)[["touchpoint", "valence"]].values.tolist()
    [['desk', 'neutral']]
    """
    if "interaction_id" not in moments.columns or not len(moments):
        return moments
    out = moments[lead_flags(moments).to_numpy()].copy()
    for own, overall in (("valence", "overall_valence"), ("score", "overall_score")):
        if overall in out.columns:
            out[own] = out[overall].where(out[overall].notna(), out[own]) if own in out.columns else out[overall]
    return out


_COLS = (
    "interaction_id, customer_id, timestamp, channel, touchpoint, touchpoint_confidence, valence, score, "
    "intensity, stakes, moment_of_truth, reasons, evidence"
)

SQLITE_10 = f"""
DROP VIEW IF EXISTS moment_rollups;
CREATE TABLE moments_v10 (
    interaction_id TEXT NOT NULL,
    customer_id TEXT,
    timestamp TEXT,
    channel TEXT,
    touchpoint TEXT NOT NULL,
    touchpoint_confidence REAL,
    valence TEXT,
    score REAL,
    intensity REAL,
    stakes TEXT,
    moment_of_truth INTEGER,
    reasons TEXT,
    evidence TEXT,
    aspect TEXT,
    spans TEXT NOT NULL DEFAULT '[]',
    basis TEXT,
    overall_valence TEXT,
    overall_score REAL,
    lead INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (interaction_id, touchpoint)
);
INSERT INTO moments_v10 ({_COLS}, spans, overall_valence, overall_score, lead)
SELECT interaction_id, customer_id, timestamp, channel, COALESCE(touchpoint, 'unknown'), touchpoint_confidence,
       valence, score, intensity, stakes, moment_of_truth, reasons, evidence, '[]', valence, score, 1
FROM moments;
INSERT OR REPLACE INTO store_meta (key, value, updated_at)
SELECT '{PENDING_NOTE}', 'migration 10: ' || COUNT(*) || ' moments derived one per interaction',
       strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00'
FROM moments HAVING COUNT(*) > 0;
DROP TABLE moments;
ALTER TABLE moments_v10 RENAME TO moments;
CREATE INDEX moments_timestamp ON moments (timestamp);
CREATE INDEX moments_customer ON moments (customer_id);
CREATE INDEX moments_touchpoint ON moments (touchpoint);
"""

POSTGRESQL_10 = f"""
ALTER TABLE moments ADD COLUMN aspect TEXT, ADD COLUMN spans TEXT NOT NULL DEFAULT '[]', ADD COLUMN basis TEXT,
    ADD COLUMN overall_valence TEXT, ADD COLUMN overall_score DOUBLE PRECISION,
    ADD COLUMN lead BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE moments SET touchpoint = COALESCE(touchpoint, 'unknown'), overall_valence = valence, overall_score = score;
ALTER TABLE moments DROP CONSTRAINT moments_pkey;
ALTER TABLE moments ALTER COLUMN touchpoint SET NOT NULL;
ALTER TABLE moments ADD PRIMARY KEY (interaction_id, touchpoint);
INSERT INTO store_meta (key, value, updated_at)
SELECT '{PENDING_NOTE}', 'migration 10: ' || COUNT(*) || ' moments derived one per interaction', now()
FROM moments HAVING COUNT(*) > 0
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at;
"""
