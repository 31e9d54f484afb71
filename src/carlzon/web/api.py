"""The REST API under /api: post interactions, read moments, touchpoints, metrics, drivers, customers, tokens;
erase a customer.

Roles: viewer reads; admin also posts interactions and manages tokens (agent
routes for recovery cases live with carlzon.loop). Every response that shows a
figure carries its n and, where one applies, a 95% interval.

Example (with a running `carlzon serve`):
    curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/metrics
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from carlzon.errors import CarlzonError
from carlzon.web.deps import filters, clean, may_see_personal, place_scoped, require
from carlzon.web.auth import ROLES, Principal, create_token, list_tokens, revoke_token
from carlzon.web.views import Filters, feed, overview, timeline

__all__ = ["MAX_BATCH", "router"]

MAX_BATCH = 10_000
"""The most interactions one POST may carry."""

router = APIRouter(prefix="/api", tags=["api"])


def _flatten(item: dict[str, Any]) -> dict[str, Any]:
    """One export-like row: nested ``ratings`` / ``measures`` / ``attributes`` objects become columns
    (so ingest detects and validates them as it does for a file); other nested values become JSON text."""
    row: dict[str, Any] = {}
    for k, v in item.items():
        if k in ("ratings", "measures", "attributes") and isinstance(v, dict):
            for kk, vv in v.items():
                row.setdefault(str(kk), json.dumps(vv, ensure_ascii=False) if isinstance(vv, (dict, list)) else vv)
        else:
            row[k] = json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
    return row


def check_interaction_place(store: Any, interaction_id: str, places: tuple[str, ...] | None) -> None:
    """NotFoundError unless the interaction is at one of ``places`` (None: every place)."""
    if places is None:
        return
    from carlzon.errors import NotFoundError

    row = store.query("SELECT location FROM interactions WHERE id = :id", {"id": interaction_id})
    if not len(row) or row["location"].iloc[0] not in places:
        raise NotFoundError(
            f"no interaction {interaction_id!r} at this token's places", fix="correct a moment of your own places"
        )


class InteractionBatch(BaseModel):
    """A batch of interactions, each an object with the fields of an export row or of an interaction
    (id, customer_id, timestamp, channel, text, nps, csat, ces, stars, touchpoint, measures, attributes, ...)."""

    interactions: list[Any] = Field(..., min_length=1, max_length=MAX_BATCH)
    source: str | None = Field(None, description="where the batch comes from (default: api:<token name>)")


class IngestAccount(BaseModel):
    read: int
    stored: int
    duplicates: int
    quarantined: int
    moments: int
    quarantine: list[dict[str, Any]]


@router.post("/interactions", response_model=IngestAccount, summary="Add a batch of interactions (admin)")
def post_interactions(
    batch: InteractionBatch, request: Request, who: Principal = Depends(require("admin"))
) -> dict[str, Any]:
    """Validated like `carlzon ingest`: every item is accounted for as stored, duplicate (same id,
    or the same content when no id is given) or quarantined with its reason (``row`` is the item's
    0-based position in the batch). Posting the same batch again stores nothing new."""
    from carlzon.ingest import ingest

    state = request.app.state
    source = batch.source or f"api:{who.name}"
    rows, bad = [], []
    for i, item in enumerate(batch.interactions):
        if isinstance(item, dict):
            rows.append(_flatten(item))
        else:
            bad.append(
                {"source": source, "row": i, "reason": "not a JSON object", "raw": json.dumps(item, ensure_ascii=False)}
            )
    with state.write_lock:
        result = None
        if rows:
            result = ingest(pd.DataFrame(rows), state.store, journey=state.journey, source=source)
        if bad:
            state.store.add_quarantine(bad)
    quarantine = [{"row": b["row"], "reason": b["reason"]} for b in bad]
    if result is not None:
        # ingest numbers the DataFrame's rows from 0, among the objects only: map back to batch positions
        positions = [i for i, item in enumerate(batch.interactions) if isinstance(item, dict)]
        for q in result.quarantine:
            r = q.get("row")
            row = positions[int(r)] if isinstance(r, int) and 0 <= r < len(positions) else r
            quarantine.append({"row": row, "reason": q.get("reason")})
    return {
        "read": len(batch.interactions),
        "stored": result.stored if result else 0,
        "duplicates": result.duplicates if result else 0,
        "quarantined": (result.quarantined if result else 0) + len(bad),
        "moments": result.moments if result else 0,
        "quarantine": sorted(quarantine, key=lambda q: q["row"] if isinstance(q["row"], int) else 0)[:1000],
    }


def _shown(records: list[dict[str, Any]], who: Principal, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Records as this caller may see them: personal data masked for viewers (see PERSONAL_DATA_ROLE)."""
    from carlzon.privacy.display import mask_records, showing_personal_data

    with showing_personal_data(may_see_personal(who)):
        return mask_records(records, fields)


@router.get(
    "/moments", summary="Moments, newest first, with text and evidence (paginated; personal data masked for viewers)"
)
def get_moments(
    request: Request,
    f: Filters = Depends(filters),
    page: int = Query(1, ge=1, le=1_000_000_000),
    per_page: int = Query(50, ge=1, le=1000),
    who: Principal = Depends(require("viewer")),
) -> dict[str, Any]:
    data = feed(request.app.state, f, page=page, per_page=per_page)
    return clean({**data, "items": _shown(data["items"], who, ("text", "customer_id"))})


class CorrectionBody(BaseModel):
    """A person's fix of one moment: its touchpoint and/or valence."""

    detected_touchpoint: str | None = Field(
        None, description="the moment's touchpoint as shown (default: its only moment)"
    )
    touchpoint: str | None = Field(None, description="the right touchpoint id (or unknown)")
    valence: str | None = Field(None, description="magic, misery or neutral")
    note: str | None = Field(None, max_length=500)


@router.post(
    "/moments/{interaction_id}/correction",
    summary="Correct a moment's touchpoint or valence (agent); kept with "
    "who and when, counted at once, never overwritten by re-detection, a label for `carlzon train --store`",
)
def post_correction(
    interaction_id: str,
    body: CorrectionBody,
    request: Request,
    who: Principal = Depends(require("agent")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    from carlzon.web.learn import correct_moment

    check_interaction_place(request.app.state.store, interaction_id, places)
    rec = correct_moment(
        request.app.state,
        interaction_id,
        detected_touchpoint=body.detected_touchpoint,
        touchpoint=body.touchpoint,
        valence=body.valence,
        who=who,
        note=body.note,
    )
    return clean({"corrected": bool(rec), **rec})


@router.get("/corrections", summary="Corrections, newest first, with who and when (n: how many)")
def get_corrections(
    request: Request,
    _: Principal = Depends(require("viewer")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    from carlzon.store.corrections import corrections

    df = corrections(request.app.state.store).iloc[::-1]
    if places is not None:
        from carlzon.places import in_places_sql

        cond, params = in_places_sql(places)
        ids = request.app.state.store.query(f"SELECT id FROM interactions WHERE {cond}", params)["id"]
        df = df[df["interaction_id"].astype(str).isin(set(ids.astype(str)))]
    return clean({"n": len(df), "items": df.to_dict("records")})


_TP_FIELDS = (
    "touchpoint",
    "name",
    "stage",
    "phase",
    "stakes",
    "n",
    "magic",
    "misery",
    "neutral",
    "magic_rate",
    "magic_rate_low",
    "magic_rate_high",
    "misery_rate",
    "misery_rate_low",
    "misery_rate_high",
    "balance",
    "balance_low",
    "balance_high",
    "score",
    "score_low",
    "score_high",
    "importance",
    "importance_method",
    "performance",
    "quadrant",
)


@router.get("/touchpoints", summary="Per touchpoint: n, magic and misery shares with 95% intervals, balance, quadrant")
def get_touchpoints(
    request: Request, f: Filters = Depends(filters), _: Principal = Depends(require("viewer"))
) -> dict[str, Any]:
    ctx = overview(request.app.state, f)
    rows = [] if ctx is None else [{k: r[k] for k in _TP_FIELDS} for r in ctx["table"]]
    return clean({"n": 0 if ctx is None else ctx["n_moments"], "touchpoints": rows})


@router.get("/metrics", summary="Headline figures (magic, misery, NPS, CSAT, stars) with n and 95% intervals")
def get_metrics(
    request: Request, f: Filters = Depends(filters), _: Principal = Depends(require("viewer"))
) -> dict[str, Any]:
    ctx = overview(request.app.state, f)
    if ctx is None:
        return {"n": 0, "metrics": [], "period": None}
    return clean(
        {
            "n": ctx["n_moments"],
            "customers": ctx["n_customers"],
            "customers_note": ctx["customers_note"],
            "figures_from": ctx["figures_from"],
            "period": {"first": ctx["period"][0], "last": ctx["period"][1]},
            "metrics": ctx["headline"],
            "trend_unit": ctx["trend_unit"],
            "trend": ctx["trends"],
        }
    )


@router.get("/rollups", summary="Metrics by touchpoint, channel or day from the rollup tables (fast at any size)")
def get_rollups(
    request: Request,
    by: str | None = Query(None, description="touchpoint, channel or period:day (none: one total)"),
    f: Filters = Depends(filters),
    _: Principal = Depends(require("viewer")),
) -> dict[str, Any]:
    """Reads the touchpoint x day x channel rollups that ingest keeps current (PostgreSQL: tables kept
    by triggers; SQLite: a view), not the moments: segment and valence filters do not apply here, nor
    places (400: ask /api/metrics or /api/touchpoints with ?location= instead)."""
    from carlzon.store.rollups import rollup_metrics

    if f.places is not None:
        raise CarlzonError(
            "the rollups keep no place, so they cannot be scoped to one",
            where="rollups",
            fix="ask /api/metrics?location=... or /api/touchpoints?location=... (a token limited to places "
            "gets its own places there)",
        )
    since = pd.Timestamp(f.since, tz="UTC") if f.since else None
    until = pd.Timestamp(f.until, tz="UTC") + pd.Timedelta(days=1) if f.until else None
    try:
        m = rollup_metrics(
            request.app.state.store,
            by=by,
            since=since,
            until=until,
            touchpoint=f.touchpoint or None,
            channel=f.channel or None,
        )
    except CarlzonError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return clean(m.to_dict())


@router.get("/drivers", summary="Touchpoints by importance with performance and quadrant, and what to do first")
def get_drivers(
    request: Request, f: Filters = Depends(filters), _: Principal = Depends(require("viewer"))
) -> dict[str, Any]:
    from carlzon.analysis.key_moments import DRIVER_FIELDS

    ctx = overview(request.app.state, f)  # its key moments: carlzon.analysis.key_moments, as carlzon drivers gives
    if ctx is None:
        return {"n": 0, "method": None, "drivers": [], "actions": []}
    drivers = [{k: r[k] for k in DRIVER_FIELDS} for r in ctx["key_moments"]]
    return clean(
        {
            "n": ctx["n_moments"],
            "method": ctx["importance_method"],
            "performance": "share of magic minus share of misery",
            "drivers": drivers,
            "actions": ctx["actions"],
        }
    )


@router.get("/customers/{customer_id}", summary="A customer's moments over time (personal data masked for viewers)")
def get_customer(
    customer_id: str,
    request: Request,
    who: Principal = Depends(require("viewer")),
    places: tuple[str, ...] | None = Depends(place_scoped),
) -> dict[str, Any]:
    data = timeline(request.app.state, customer_id, places)
    return clean({**data, "items": _shown(data["items"], who, ("text", "customer_id"))})


@router.delete(
    "/customers/{customer_id}", summary="Erase a customer everywhere (admin); ?dry_run=true lists what would go"
)
def forget_customer(
    customer_id: str,
    request: Request,
    dry_run: bool = Query(False, description="only count"),
    who: Principal = Depends(require("admin")),
) -> dict[str, Any]:
    """Interactions, moments, recovery cases and their events, quarantined rows that carry the customer and
    anything else that holds them; the rollups are rebuilt and the erasure logged without the customer."""
    from carlzon.privacy.forget import forget

    with request.app.state.write_lock:
        result = forget(request.app.state.store, customer_id, dry_run=dry_run, actor=f"api:{who.name}")
    return result.to_dict()


class TokenRequest(BaseModel):
    role: str = Field(..., description=f"one of {', '.join(ROLES)}")
    name: str = ""
    locations: list[str] | None = Field(
        None, description="limit the token to these places, areas or regions (none: every place)"
    )


@router.get("/tokens", summary="List tokens (admin; never their secrets)")
def get_tokens(request: Request, _: Principal = Depends(require("admin"))) -> dict[str, Any]:
    df = list_tokens(request.app.state.store)
    return clean({"tokens": df.to_dict("records")})


@router.post("/tokens", summary="Create a token (admin); the token is shown once")
def post_token(body: TokenRequest, request: Request, _: Principal = Depends(require("admin"))) -> dict[str, Any]:
    t = create_token(request.app.state.store, role=body.role, name=body.name, locations=body.locations)
    return clean(
        {
            "id": t.token_id,
            "name": t.name,
            "role": t.role,
            "locations": list(t.locations),
            "token": t.secret,
            "created_at": t.created_at,
        }
    )


@router.delete("/tokens/{token_id}", summary="Revoke a token (admin)")
def delete_token(token_id: str, request: Request, _: Principal = Depends(require("admin"))) -> dict[str, Any]:
    revoke_token(request.app.state.store, token_id)
    return {"revoked": token_id}
