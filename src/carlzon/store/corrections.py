"""Corrections: a person's fix of a moment's touchpoint or valence, kept, never overwritten, and a label.

A correction is keyed by (interaction, touchpoint as detected) and stored with who made it and when
(table ``corrections``, migration 40). It is applied to the stored moment at once (so every figure
read from the store counts it), and again after any re-detection (:meth:`Store.add_moments` calls
:func:`reapply`), so detection never overwrites it. The latest correction of a key wins; earlier
ones stay in the table as history. :func:`labelled_texts` gives them back as labels for the next
``carlzon train --store``.

Example:
    >>> import pandas as pd
    >>> from carlzon.store import open_store
    >>> st = open_store(":memory:")
    >>> _ = st.add_interactions(pd.DataFrame({"id": ["a"], "text": ["my card was declined"]}))
    >>> _ = st.add_moments(pd.DataFrame({"interaction_id": ["a"], "touchpoint": ["unknown"], "valence": ["neutral"],
    ...                                  "score": [0.0]}))
    >>> _ = correct(st, "a", touchpoint="card_payments", valence="misery", by="ann")
    >>> st.moments()[["touchpoint", "valence"]].values.tolist()
    [['card_payments', 'misery']]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from carlzon.errors import CarlzonError, NotFoundError

__all__ = [
    "LEARNED_KEY",
    "POSTGRESQL_40",
    "SQLITE_40",
    "VALENCES",
    "correct",
    "corrections",
    "labelled_texts",
    "learned_from",
    "reapply",
    "remember_learning",
]

LEARNED_KEY = "learned_from_corrections"
"""The store_meta key under which `carlzon train --store` notes what the model learned from its corrections."""

VALENCES = ("magic", "misery", "neutral")

SQLITE_40 = """
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    interaction_id TEXT NOT NULL,
    detected_touchpoint TEXT NOT NULL,
    touchpoint TEXT,
    valence TEXT,
    detected_valence TEXT,
    corrected_by TEXT NOT NULL,
    role TEXT,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX corrections_key ON corrections (interaction_id, detected_touchpoint);
"""
POSTGRESQL_40 = """
CREATE TABLE corrections (
    id BIGSERIAL PRIMARY KEY,
    interaction_id TEXT NOT NULL,
    detected_touchpoint TEXT NOT NULL,
    touchpoint TEXT,
    valence TEXT,
    detected_valence TEXT,
    corrected_by TEXT NOT NULL,
    role TEXT,
    note TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX corrections_key ON corrections (interaction_id, detected_touchpoint);
"""

_BAND = {"magic": (0.05, 1.0), "misery": (-1.0, -0.05), "neutral": (-0.3, 0.3)}


def _moment_rows(store: Any, interaction_id: str) -> pd.DataFrame:
    return store.query(
        "SELECT interaction_id, touchpoint, valence, score, reasons FROM moments WHERE interaction_id = :i",
        {"i": interaction_id},
    )


def correct(
    store: Any,
    interaction_id: str,
    *,
    touchpoint: str | None = None,
    valence: str | None = None,
    by: str,
    detected_touchpoint: str | None = None,
    role: str | None = None,
    note: str | None = None,
    journey: Any = None,
) -> dict[str, Any]:
    """Record a correction of the moment of ``interaction_id`` at ``detected_touchpoint`` (default: its only
    moment) and apply it at once. Returns the stored correction as a dict.

    ``touchpoint`` / ``valence``: the right values (None keeps the detected one); ``journey`` (optional)
    checks that the touchpoint is one of its own.
    """
    if touchpoint is None and valence is None:
        raise CarlzonError("a correction needs a touchpoint or a valence", fix="pass touchpoint=... and/or valence=...")
    if valence is not None and valence not in VALENCES:
        raise CarlzonError(f"unknown valence {valence!r}", fix=f"use one of {', '.join(VALENCES)}")
    if not str(by or "").strip():
        raise CarlzonError("a correction needs the name of who made it", fix="pass by='name'")
    if (
        touchpoint is not None
        and journey is not None
        and touchpoint != "unknown"
        and touchpoint not in {tp.id for tp in journey.touchpoints}
    ):
        raise CarlzonError(
            f"{touchpoint!r} is not a touchpoint of the {journey.name} journey",
            fix=f"use one of {', '.join(tp.id for tp in journey.touchpoints)} (or unknown)",
        )
    rows = _moment_rows(store, interaction_id)
    if not len(rows):
        raise NotFoundError(
            f"no moment for interaction {interaction_id!r}", fix="check the interaction id (the moments feed shows it)"
        )
    if detected_touchpoint is None:
        if len(rows) > 1:
            raise CarlzonError(
                f"interaction {interaction_id!r} has {len(rows)} moments",
                fix=f"say which one: detected_touchpoint= one of {', '.join(rows['touchpoint'].astype(str))}",
            )
        detected_touchpoint = str(rows["touchpoint"].iloc[0])
    elif detected_touchpoint not in set(rows["touchpoint"].astype(str)):
        # the moment may already carry an earlier correction: find the key it was detected under
        prior = store.query(
            "SELECT detected_touchpoint FROM corrections WHERE interaction_id = :i AND touchpoint = :t "
            "ORDER BY id DESC",
            {"i": interaction_id, "t": detected_touchpoint},
        )
        if not len(prior):
            raise NotFoundError(
                f"interaction {interaction_id!r} has no moment at {detected_touchpoint!r}",
                fix=f"use one of {', '.join(rows['touchpoint'].astype(str))}",
            )
        detected_touchpoint = str(prior["detected_touchpoint"].iloc[0])
    # a moment corrected before keeps its first detected touchpoint as its key
    first = store.query(
        "SELECT detected_touchpoint FROM corrections WHERE interaction_id = :i AND touchpoint = :t ORDER BY id DESC",
        {"i": interaction_id, "t": detected_touchpoint},
    )
    if len(first):
        detected_touchpoint = str(first["detected_touchpoint"].iloc[0])
    current = rows[rows["touchpoint"].astype(str).isin([detected_touchpoint])]
    now = datetime.now(UTC)
    rec = {
        "interaction_id": str(interaction_id),
        "detected_touchpoint": detected_touchpoint,
        "touchpoint": touchpoint,
        "valence": valence,
        "detected_valence": str(current["valence"].iloc[0]) if len(current) else None,
        "corrected_by": str(by).strip(),
        "role": role,
        "note": note,
        "created_at": now,
    }
    with store.transaction():
        store.execute(
            "INSERT INTO corrections (interaction_id, detected_touchpoint, touchpoint, valence, detected_valence, "
            "corrected_by, role, note, created_at) VALUES (:interaction_id, :detected_touchpoint, :touchpoint, "
            ":valence, :detected_valence, :corrected_by, :role, :note, :created_at)",
            rec,
        )
        reapply(store, [str(interaction_id)])
    return rec


def corrections(store: Any, *, interaction_id: str | None = None, latest: bool = False) -> pd.DataFrame:
    """The stored corrections, oldest first (``latest``: only the newest of each key)."""
    sql = "SELECT * FROM corrections"
    params: dict[str, Any] = {}
    if interaction_id is not None:
        sql += " WHERE interaction_id = :i"
        params["i"] = interaction_id
    df = store.query(sql + " ORDER BY id", params)
    if latest and len(df):
        df = df.drop_duplicates(["interaction_id", "detected_touchpoint"], keep="last").reset_index(drop=True)
    return df


def reapply(store: Any, interaction_ids: Sequence[str] | None = None) -> int:
    """Apply the latest correction of each key to the stored moments (of ``interaction_ids``, or all).

    A moment matches a correction when its touchpoint is the one detected (after a re-detection) or
    one a correction of that key set (already applied). Returns the number of moments changed.
    """
    ids = None if interaction_ids is None else {str(i) for i in interaction_ids}
    if ids is not None and not ids:
        return 0
    # corrections are made by people (few next to the moments): read them all, match the batch here, so that
    # a batch of any size costs one small query (and none of its ids go into SQL)
    corr = store.query("SELECT * FROM corrections ORDER BY id")
    if ids is not None and len(corr):
        corr = corr[corr["interaction_id"].astype(str).isin(ids)]
    if not len(corr):
        return 0
    # the touchpoints a key's moment may carry now: the detected one, or any an earlier correction of it set
    seen = corr.groupby(["interaction_id", "detected_touchpoint"])["touchpoint"].agg(
        lambda s: set(s.dropna().astype(str))
    )
    corr = corr.drop_duplicates(["interaction_id", "detected_touchpoint"], keep="last")
    changed = 0
    for c in corr.itertuples(index=False):
        rows = _moment_rows(store, c.interaction_id)
        hit = rows[
            rows["touchpoint"]
            .astype(str)
            .isin({c.detected_touchpoint, *seen[(c.interaction_id, c.detected_touchpoint)]})
        ]
        if not len(hit):
            continue
        r = hit.iloc[0]
        new_tp = c.touchpoint or str(r["touchpoint"])
        new_val = c.valence or str(r["valence"])
        lo, hi = _BAND.get(new_val, (-1.0, 1.0))
        score = min(max(float(r["score"]) if pd.notna(r["score"]) else 0.0, lo), hi)
        what = " and ".join(
            x
            for x in (
                (f"touchpoint {c.touchpoint}" if c.touchpoint else ""),
                (f"valence {c.valence}" if c.valence else ""),
            )
            if x
        )
        mark = f"corrected by {c.corrected_by}: {what}"
        reasons = str(r["reasons"] or "")
        reasons = mark + (
            "; " + reasons.split("; ", 1)[1]
            if reasons.startswith("corrected by ") and "; " in reasons
            else ""
            if reasons.startswith("corrected by ")
            else ("; " + reasons if reasons else "")
        )
        if (new_tp, new_val, round(score, 4), reasons) == (
            str(r["touchpoint"]),
            str(r["valence"]),
            round(float(r["score"]) if pd.notna(r["score"]) else 0.0, 4),
            str(r["reasons"] or ""),
        ):
            continue
        if new_tp != str(r["touchpoint"]):  # another moment of this interaction may already be at that touchpoint
            store.execute(
                "DELETE FROM moments WHERE interaction_id = :i AND touchpoint = :t AND touchpoint <> :old",
                {"i": c.interaction_id, "t": new_tp, "old": str(r["touchpoint"])},
            )
        changed += store.execute(
            "UPDATE moments SET touchpoint = :tp, valence = :val, score = :score, reasons = :reasons "
            "WHERE interaction_id = :i AND touchpoint = :old",
            {
                "tp": new_tp,
                "val": new_val,
                "score": round(score, 4),
                "reasons": reasons,
                "i": c.interaction_id,
                "old": str(r["touchpoint"]),
            },
        )
    return changed


def labelled_texts(store: Any) -> pd.DataFrame:
    """The latest correction of each key with its interaction's text: columns interaction_id, text,
    touchpoint (None where only the valence was corrected), valence, corrected_by, created_at."""
    corr = corrections(store, latest=True)
    if not len(corr):
        return pd.DataFrame(columns=["interaction_id", "text", "touchpoint", "valence", "corrected_by", "created_at"])
    ids = corr["interaction_id"].astype(str).unique().tolist()
    texts = (
        store.interactions(ids=ids)[["id", "text"]]
        if hasattr(store, "interactions")
        else pd.DataFrame(columns=["id", "text"])
    )
    out = corr.merge(texts, left_on="interaction_id", right_on="id", how="left")
    return out[["interaction_id", "text", "touchpoint", "valence", "corrected_by", "created_at"]]


def remember_learning(store: Any, record: dict[str, Any]) -> None:
    """Note in the store what the last model trained on its corrections learned (``carlzon train --store``):
    ``record`` holds the model file, when, and per kind (valence, touchpoints, aspects) ``n_corrections`` and
    ``corrections_held_back`` ({n, accuracy}); the dashboard's learn page shows it."""
    import json

    store.set_meta(LEARNED_KEY, json.dumps(record, sort_keys=True))


def learned_from(store: Any) -> dict[str, Any] | None:
    """What :func:`remember_learning` noted, or None (no model trained on this store's corrections yet).

    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as st:
    ...     before = learned_from(st)
    ...     remember_learning(st, {"model": "m.json", "touchpoints": {"n_corrections": 8}})
    ...     before, learned_from(st)["touchpoints"]["n_corrections"]
    (None, 8)
    """
    import json

    raw = store.meta(LEARNED_KEY)
    if not raw:
        return None
    try:
        d = json.loads(raw)
    except ValueError:
        return None
    return d if isinstance(d, dict) else None
