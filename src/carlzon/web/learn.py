"""The dashboard's side of learning: the "help carlzon learn" feed (uncertainty sampling) and corrections.

The feed ranks the moments with a text that nobody has corrected yet by how unsure carlzon is of
their touchpoint (``1 - touchpoint_confidence``: the calibrated probability of a learned model, or the
journey phrases' confidence), least sure first: the labels that teach the next ``carlzon train --store``
most. A correction is stored with who made it (:mod:`carlzon.store.corrections`) and counts at once.
"""

from __future__ import annotations

import math
from typing import Any

from carlzon.report.query import where_sql
from carlzon.store.corrections import correct, learned_from
from carlzon.web.auth import Principal
from carlzon.web.views import _FEED_COLS, _FROM, Filters, _records, journey_for

__all__ = ["correct_moment", "learn_feed"]


def learn_feed(state: Any, f: Filters, *, page: int = 1, per_page: int = 25) -> dict[str, Any]:
    """One page of uncorrected moments with a text, least sure touchpoint first:
    ``{total, page, per_page, pages, corrections, learned, items}`` (each item with its ``uncertainty``;
    ``learned``: what the last ``carlzon train --store`` learned from the corrections, or None)."""
    where, params = where_sql(f.scope())
    cond = "m.interaction_id NOT IN (SELECT interaction_id FROM corrections) AND i.text IS NOT NULL AND i.text <> ''"
    where = f"{where} AND {cond}" if where.strip() else f" WHERE {cond}"
    store = state.store
    total = int(store.query(f"SELECT COUNT(*) AS n{_FROM}{where}", params)["n"].iloc[0])
    p = dict(params, limit=per_page, offset=(page - 1) * per_page)
    df = store.query(
        f"SELECT {_FEED_COLS}, m.touchpoint_confidence{_FROM}{where} "
        "ORDER BY COALESCE(m.touchpoint_confidence, 0), m.interaction_id LIMIT :limit OFFSET :offset",
        p,
    )
    items = _records(df, journey_for(state))
    for it in items:
        c = it.get("touchpoint_confidence")
        it["uncertainty"] = round(1.0 - float(c), 3) if c is not None else 1.0
    n_corr = int(store.query("SELECT COUNT(*) AS n FROM corrections")["n"].iloc[0])
    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, math.ceil(total / per_page)),
        "corrections": n_corr,
        "learned": learned_from(store),
        "items": items,
    }


def correct_moment(
    state: Any,
    interaction_id: str,
    *,
    detected_touchpoint: str | None,
    touchpoint: str | None,
    valence: str | None,
    who: Principal,
    note: str | None = None,
) -> dict[str, Any]:
    """Store a correction by ``who`` (its name and role) and apply it; the journey checks the touchpoint."""
    rows = state.store.query(
        "SELECT touchpoint, valence FROM moments WHERE interaction_id = :i AND touchpoint = :t",
        {"i": interaction_id, "t": detected_touchpoint},
    )
    if len(rows):  # only what changed is a correction
        if touchpoint == str(rows["touchpoint"].iloc[0]):
            touchpoint = None
        if valence == str(rows["valence"].iloc[0]):
            valence = None
    if touchpoint is None and valence is None:
        return {}
    with state.write_lock:
        return correct(
            state.store,
            interaction_id,
            detected_touchpoint=detected_touchpoint,
            touchpoint=touchpoint,
            valence=valence,
            by=who.name or who.token_id,
            role=who.role,
            note=note,
            journey=journey_for(state),
        )
