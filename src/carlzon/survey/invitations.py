"""Invitations: one-time links for a batch of customers, with a suppression rule, opt-outs and response rates.

:func:`invite` reads a customers table (CSV or a DataFrame) and makes one link per customer who may be
asked: nobody asked (by any survey) within ``suppress_days``, nobody who opted out (the store's list,
or an opt-out column of the file such as ``opt_out`` / ``unsubscribed`` / ``do_not_contact``), nobody
twice in the same file, nobody without an id. Every row is accounted for:
``read == invited + suppressed + opted_out + duplicates + no_id``. A link looks like
``/s/<survey>/i/<token>``; the store keeps only a salted hash of the token's secret, and the token is
shown once (write the links to a file for your mailer).

Example:
    >>> import pandas as pd
    >>> from carlzon.store import open_store
    >>> from carlzon.survey import build_survey
    >>> from carlzon.survey.tables import save_survey
    >>> with open_store(":memory:") as st:
    ...     save_survey(st, build_survey("hotel", persona="business"))
    ...     r = invite(st, "hotel-business", pd.DataFrame({"customer_id": ["c1", "c2", "c2"]}), batch="may")
    ...     again = invite(st, "hotel-business", pd.DataFrame({"customer_id": ["c1"]}), batch="june")
    >>> r.invited, r.duplicates, again.invited, again.suppressed
    (2, 1, 0, 1)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC
from pathlib import Path
from typing import Any

import pandas as pd

from carlzon.errors import SurveyError
from carlzon.survey.tables import get_survey

__all__ = ["InviteResult", "Invitation", "check_invitation", "invite", "mark_answered", "opt_out", "response_rates"]

SUPPRESS_DAYS = 90
"""Default: nobody is asked again within this many days of an invitation."""

_ID_COLUMNS = ("customer_id", "customer", "id", "email", "client_id", "user_id")
_OPTOUT_COLUMNS = ("opt_out", "optout", "opted_out", "unsubscribed", "do_not_contact", "no_survey", "dnc")
_PERSONA_COLUMNS = ("persona", "segment", "customer_type", "type")
_TRUE = {"1", "y", "yes", "true", "t", "x", "opted out", "unsubscribed"}
_TOKEN_RE = re.compile(r"^([0-9a-f]{12})\.([A-Za-z0-9_-]{16,})$")


@dataclass(frozen=True)
class Invitation:
    """A verified invitation: its id, survey, batch, customer and persona, and whether it was answered."""

    id: str
    survey_id: str
    batch: str
    customer_id: str
    persona: str | None
    answered: bool


@dataclass
class InviteResult:
    """The account of one :func:`invite` run; ``links`` has one row per invited customer (customer_id,
    persona, link and the file's own columns), shown only now."""

    survey_id: str
    batch: str
    read: int = 0
    invited: int = 0
    suppressed: int = 0
    opted_out: int = 0
    duplicates: int = 0
    no_id: int = 0
    links: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in ("survey_id", "batch", "read", "invited", "suppressed", "opted_out", "duplicates", "no_id")
        }


def _hash(salt: str, secret_: str) -> str:
    return hashlib.sha256((salt + secret_).encode()).hexdigest()


def _column(df: pd.DataFrame, names: tuple[str, ...], given: str | None, what: str) -> str | None:
    if given:
        if given not in df.columns:
            raise SurveyError(
                f"column {given!r} (for {what}) is not in the customers file",
                fix=f"pick one of {', '.join(map(str, df.columns[:20]))}",
            )
        return given
    norm = {re.sub(r"[^a-z0-9]+", "_", str(c).lower()).strip("_"): c for c in df.columns}
    return next((norm[n] for n in names if n in norm), None)


def _truthy(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and pd.isna(v)) and str(v).strip().lower() in _TRUE


def invite(
    store: Any,
    survey_id: str,
    customers: pd.DataFrame | str | Path,
    *,
    batch: str,
    suppress_days: int = SUPPRESS_DAYS,
    base_url: str = "",
    id_column: str | None = None,
    persona_column: str | None = None,
    now: datetime | None = None,
) -> InviteResult:
    """Invite the customers who may be asked; see the module docs for the rules and the account."""
    survey = get_survey(store, survey_id)
    if suppress_days < 0:
        raise SurveyError("suppress_days must be 0 or more", fix="e.g. --suppress-days 90")
    if not str(batch).strip():
        raise SurveyError("an invitation batch needs a name", fix="e.g. --batch 2026-06")
    df = customers if isinstance(customers, pd.DataFrame) else pd.read_csv(customers, dtype=str, keep_default_na=False)
    id_col = _column(df, _ID_COLUMNS, id_column, "the customer id")
    if id_col is None:
        raise SurveyError(
            "the customers file has no customer id column",
            fix=f"name it customer_id, or pass --id-column (columns: {', '.join(map(str, df.columns[:20]))})",
        )
    p_col = _column(df, _PERSONA_COLUMNS, persona_column, "the persona")
    o_col = _column(df, _OPTOUT_COLUMNS, None, "opt-outs")
    now = now or datetime.now(UTC)
    res = InviteResult(survey_id=survey.id, batch=str(batch), read=len(df))
    ids = df[id_col].map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip())
    recent = (
        set(
            store.query(
                "SELECT DISTINCT customer_id FROM survey_invitations WHERE created_at >= :since",
                {"since": now - timedelta(days=suppress_days)},
            )["customer_id"].astype(str)
        )
        if suppress_days
        else set()
    )
    opted = set(store.query("SELECT customer_id FROM survey_optouts")["customer_id"].astype(str))
    new_optouts, rows, seen = [], [], set()
    for i, cid in enumerate(ids):
        if not cid:
            res.no_id += 1
            continue
        if o_col is not None and _truthy(df[o_col].iloc[i]):
            res.opted_out += 1
            if cid not in opted:
                new_optouts.append(cid)
                opted.add(cid)
            continue
        if cid in opted:
            res.opted_out += 1
            continue
        if cid in seen:
            res.duplicates += 1
            continue
        seen.add(cid)
        if cid in recent:
            res.suppressed += 1
            continue
        persona = str(df[p_col].iloc[i]).strip() or None if p_col is not None else survey.persona
        inv_id, sec, salt = secrets.token_hex(6), secrets.token_urlsafe(18), secrets.token_hex(8)
        rows.append(
            {
                "id": inv_id,
                "survey_id": survey.id,
                "batch": str(batch),
                "customer_id": cid,
                "persona": persona,
                "salt": salt,
                "token_hash": _hash(salt, sec),
                "created_at": now,
                "_link": f"{base_url.rstrip('/')}/s/{survey.id}/i/{inv_id}.{sec}",
                "_row": i,
            }
        )
    with store.transaction():
        if rows:
            store.executemany(
                "INSERT INTO survey_invitations (id, survey_id, batch, customer_id, persona, salt, token_hash, created_at) "
                "VALUES (:id, :survey_id, :batch, :customer_id, :persona, :salt, :token_hash, :created_at)",
                [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
            )
        if new_optouts:
            store.executemany(
                "INSERT INTO survey_optouts (customer_id, created_at, source) VALUES (:c, :now, :src) "
                "ON CONFLICT DO NOTHING",
                [{"c": c, "now": now, "src": "customers file"} for c in new_optouts],
            )
    res.invited = len(rows)
    keep = [r["_row"] for r in rows]
    own = df.iloc[keep].reset_index(drop=True)
    links = pd.DataFrame(
        {
            "customer_id": [r["customer_id"] for r in rows],
            "persona": [r["persona"] for r in rows],
            "link": [r["_link"] for r in rows],
        }
    )
    res.links = pd.concat([links, own.drop(columns=[c for c in own.columns if c in links.columns])], axis=1)
    total = res.invited + res.suppressed + res.opted_out + res.duplicates + res.no_id
    if total != res.read:  # pragma: no cover - a bug, not bad input
        raise SurveyError(f"invitation rows do not add up ({total} != {res.read})", fix="report this bug")
    return res


def check_invitation(store: Any, survey_id: str, token: str) -> Invitation:
    """The invitation behind a link's token; SurveyError 404 when unknown (or for another survey)."""
    m = _TOKEN_RE.match(str(token or "").strip())
    fix = "open the link exactly as it came in the invitation"
    if not m:
        raise SurveyError("this survey link is not valid", status=404, fix=fix)
    inv_id, sec = m.groups()
    df = store.query(
        "SELECT id, survey_id, batch, customer_id, persona, salt, token_hash, answered_at "
        "FROM survey_invitations WHERE id = :id",
        {"id": inv_id},
    )
    if not len(df) or str(df["survey_id"].iloc[0]) != str(survey_id):
        raise SurveyError("this survey link is not valid", status=404, fix=fix)
    r = df.iloc[0]
    if not hmac.compare_digest(_hash(str(r["salt"]), sec), str(r["token_hash"])):
        raise SurveyError("this survey link is not valid", status=404, fix=fix)
    answered = r["answered_at"] is not None and not pd.isna(r["answered_at"])
    persona = None if r["persona"] is None or pd.isna(r["persona"]) else str(r["persona"])
    return Invitation(inv_id, str(r["survey_id"]), str(r["batch"]), str(r["customer_id"]), persona, answered)


def opt_out(store: Any, customer_id: str, *, source: str = "survey page") -> None:
    """Never invite ``customer_id`` again (kept until removed by hand)."""
    store.execute(
        "INSERT INTO survey_optouts (customer_id, created_at, source) VALUES (:c, :now, :src) ON CONFLICT DO NOTHING",
        {"c": str(customer_id), "now": datetime.now(UTC), "src": source},
    )


def response_rates(store: Any, survey_id: str | None = None) -> pd.DataFrame:
    """Per survey and invitation batch: invited, answered, the response rate with its 95% Wilson interval.

    Columns: survey_id, batch, invited, answered, rate, low, high, first_invited.
    """
    from carlzon.analysis.intervals import wilson_interval

    where, params = ("WHERE survey_id = :s", {"s": survey_id}) if survey_id else ("", {})
    df = store.query(
        "SELECT survey_id, batch, COUNT(*) AS invited, "
        "SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END) AS answered, MIN(created_at) AS first_invited "
        f"FROM survey_invitations {where} GROUP BY survey_id, batch ORDER BY survey_id, first_invited, batch",
        params,
    )
    if not len(df):
        return pd.DataFrame(
            columns=["survey_id", "batch", "invited", "answered", "rate", "low", "high", "first_invited"]
        )
    df["invited"] = df["invited"].astype(int)
    df["answered"] = df["answered"].fillna(0).astype(int)
    df["rate"] = df["answered"] / df["invited"]
    ci = [wilson_interval(int(a), int(n)) for a, n in zip(df["answered"], df["invited"])]
    df["low"] = [c[1] for c in ci]
    df["high"] = [c[2] for c in ci]
    return df[["survey_id", "batch", "invited", "answered", "rate", "low", "high", "first_invited"]]


def mark_answered(store: Any, answered: dict[str, str], *, at: datetime | None = None) -> int:
    """Mark invitations (id -> the answer's interaction id) as answered, each at most once; returns how many.

    An invitation already answered is left as it is (its first answer counts)."""
    at = at or datetime.now(UTC)
    n = 0
    with store.transaction():
        for inv_id, interaction_id in answered.items():
            n += store.execute(
                "UPDATE survey_invitations SET answered_at = :at, interaction_id = :i "
                "WHERE id = :id AND answered_at IS NULL",
                {"at": at, "i": interaction_id, "id": inv_id},
            )
    return n
