"""Read what the report needs from a store, aggregating in SQL where it can.

A million moments become one narrow frame (day, touchpoint, valence, score,
intensity), rating counts come back grouped, and only the strongest moments
bring their text. The same :class:`Scope` filters every query, in portable
SQL with ``:param`` placeholders (SQLite and PostgreSQL).

Example:
    >>> from carlzon.report.query import Scope, where_sql
    >>> where_sql(Scope(channel="survey"))[0]
    ' WHERE m.channel = :channel'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from carlzon.schema import NOT_FROM_TEXT

__all__ = ["Scope", "load_frame", "n_customers", "rating_counts", "segment_match", "strongest", "where_sql"]

_FROM = " FROM moments m LEFT JOIN interactions i ON i.id = m.interaction_id"


@dataclass(frozen=True)
class Scope:
    """Which moments: period (since inclusive, until exclusive), channel, touchpoint, valence,
    segment ``(attribute, value)``, customer and ``locations`` (the places in scope: one place, or the
    places under a region or area of the hierarchy, see :mod:`carlzon.hierarchy`)."""

    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    touchpoint: str | None = None
    valence: str | None = None
    segment: tuple[str, str] | None = None
    customer_id: str | None = None
    locations: tuple[str, ...] | None = None


def segment_match(attributes: pd.Series, key: str, value: str) -> pd.Series:
    """Rows whose attributes JSON has ``key`` equal to ``value`` (compared as text): a :class:`Scope`'s
    ``segment`` applied to moments already read.

    >>> segment_match(pd.Series(['{"Class": "Business"}', None, "{}"]), "Class", "Business").tolist()
    [True, False, False]
    """
    from carlzon.schema import json_object

    def hit(raw: Any) -> bool:
        obj = json_object(raw) if isinstance(raw, str) else {}
        return key in obj and str(obj[key]) == value

    return attributes.map(hit).astype(bool)


def _utc(v: Any) -> datetime:
    ts = pd.Timestamp(v)
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).to_pydatetime()


def _like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def segment_patterns(key: str, value: str) -> list[str]:
    """LIKE patterns that match ``"key": value`` in a JSON object as text (string or bare value,
    with or without a space after the colon), and nothing longer."""
    k = json.dumps(key, ensure_ascii=False)
    pats = []
    for sep in (":", ": "):
        pats.append(f"%{_like(k + sep + json.dumps(value, ensure_ascii=False))}%")
        for end in (",", "}"):
            pats.append(f"%{_like(k + sep + value + end)}%")
    return pats


def where_sql(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (moments ``m``, interactions ``i``) and its parameters."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if scope.since is not None:
        where.append("m.timestamp >= :since")
        params["since"] = _utc(scope.since)
    if scope.until is not None:
        where.append("m.timestamp < :until")
        params["until"] = _utc(scope.until)
    for col in ("channel", "touchpoint", "valence", "customer_id"):
        value = getattr(scope, col)
        if value:
            where.append(f"m.{col} = :{col}")
            params[col] = value
    if scope.segment:
        pats = segment_patterns(*scope.segment)
        where.append("(" + " OR ".join(f"i.attributes LIKE :seg{k} ESCAPE '\\'" for k in range(len(pats))) + ")")
        params.update({f"seg{k}": p for k, p in enumerate(pats)})
    if scope.locations is not None:
        names = [f"loc{k}" for k in range(len(scope.locations))]
        where.append(f"i.location IN ({', '.join(':' + n for n in names)})" if names else "1 = 0")
        params.update(dict(zip(names, scope.locations)))
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _from(scope: Scope) -> str:
    return _FROM if scope.segment or scope.locations is not None else " FROM moments m"


def load_frame(store: Any, scope: Scope = Scope()) -> pd.DataFrame:
    """One narrow row per moment: day (UTC midnight), touchpoint, valence, score, intensity."""
    where, params = where_sql(scope)
    df = store.query(
        "SELECT SUBSTR(CAST(m.timestamp AS TEXT), 1, 10) AS day, m.touchpoint, m.valence, m.score, "
        f"m.intensity{_from(scope)}{where}",
        params or None,
    )
    df["day"] = pd.to_datetime(df["day"], format="%Y-%m-%d", errors="coerce", cache=True).dt.tz_localize("UTC")
    for c in ("score", "intensity"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    return df


def rating_counts(store: Any, scope: Scope = Scope()) -> dict[str, pd.Series]:
    """For nps, csat and stars: a Series value -> number of moments with that rating."""
    where, params = where_sql(scope)
    out = {}
    for col in ("nps", "csat", "stars"):
        cond = f"i.{col} IS NOT NULL"
        sql = (
            f"SELECT i.{col} AS v, COUNT(*) AS n{_FROM}{where + ' AND ' + cond if where else ' WHERE ' + cond} "
            f"GROUP BY i.{col}"
        )
        df = store.query(sql, params or None)
        out[col] = (
            pd.Series(df["n"].astype(int).to_numpy(), index=df["v"].astype(float).to_numpy())
            if len(df)
            else pd.Series(dtype=int)
        )
    return out


def strongest(store: Any, scope: Scope, valence: str, *, k: int = 30) -> pd.DataFrame:
    """The ``k`` strongest moments of ``valence`` read from the text (not only from a rating: a survey's
    comment may speak of something else than the item rated 1/5), with text and evidence."""
    where, params = where_sql(Scope(**{**scope.__dict__, "valence": valence}))
    order = "m.score ASC" if valence == "misery" else "m.score DESC"
    # written so that PostgreSQL's planner reads the basis column's statistics: COALESCE(...) IN (...) is
    # estimated at 1% and turned a 10 ms index walk into a 1.5 s scan at 10M moments
    not_text = ", ".join(f"'{b}'" for b in NOT_FROM_TEXT)
    cond = f"i.text IS NOT NULL AND i.text <> '' AND (m.basis IS NULL OR m.basis NOT IN ({not_text}))"
    sql = (
        "SELECT m.interaction_id, m.customer_id, m.timestamp, m.channel, m.touchpoint, m.valence, m.score, "
        f"m.intensity, m.stakes, m.evidence, i.text{_FROM}{where} AND {cond} "
        f"ORDER BY {order}, m.intensity DESC, m.interaction_id LIMIT :k"
    )
    if store.backend != "postgresql":
        return store.query(sql, {**params, "k": k})
    with store.transaction():
        # PostgreSQL walks the (valence, score) index until k rows match (a few ms at 10M moments); left to
        # itself it starts parallel workers for that walk, which costs 25x more than the walk itself
        store.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return store.query(sql, {**params, "k": k})


def n_customers(store: Any, scope: Scope = Scope()) -> int:
    """Distinct customers among the moments in scope."""
    where, params = where_sql(scope)
    return int(
        store.query(f"SELECT COUNT(DISTINCT m.customer_id) AS n{_from(scope)}{where}", params or None)["n"].iloc[0]
    )
