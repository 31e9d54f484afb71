"""Rollups: counts and sums per touchpoint x day x channel, kept current by the database itself.

Dashboards at tens of millions of moments should not scan moments. On
PostgreSQL, migration 400 adds the table ``moment_rollups`` (one row per UTC
day, touchpoint and channel; ``''`` where the moment has none) and
statement-level triggers on ``moments`` (over transition tables: one grouped
upsert per ``COPY``-fed insert) that add each written moment, with its
interaction's NPS, CSAT, CES and stars, and subtract the one it replaces or
deletes. Any writer keeps the rollups current: ingest, ``carlzon detect``
re-scoring, the API. Moments are written after their interactions (as ingest
does), so the ratings are there to be counted. On SQLite (migration 401) the
same columns come from a view over the moments, computed when read: per-row
triggers would cost ingest about 40 us a moment, and the embedded store is
not where tens of millions of moments live.

:func:`rollup_metrics` answers the dashboard's headline figures (n, magic and
misery rates, moments of truth, NPS, CSAT, CES, stars, each with its n and 95%
interval, from :mod:`carlzon.analysis.intervals`) from the rollups alone.
Periods are whole UTC days: ``since`` counts from its day, ``until`` up to (not
including) its day, or the next when it is not midnight.

Example:
    >>> import pandas as pd
    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as s:
    ...     _ = s.add_interactions(pd.DataFrame({"id": ["a", "b"], "nps": [10.0, 3.0]}))
    ...     _ = s.add_moments(pd.DataFrame({"interaction_id": ["a", "b"], "valence": ["magic", "misery"],
    ...                                     "touchpoint": ["seat", "seat"], "score": [0.8, -0.6]}))
    ...     m = rollup_metrics(s).summary.set_index("metric")
    >>> float(m.loc["nps", "value"]), int(m.loc["nps", "n"]), float(m.loc["magic_rate", "value"])
    (0.0, 2, 0.5)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ROLLUP_COLUMNS", "check_rollups", "rebuild_rollups", "rollup_frame", "rollup_metrics"]

# (column, expression over a moment row m and its interaction i); every one is summed.
_MEASURES: list[tuple[str, str]] = [
    ("n", "1"),
    ("magic", "CASE WHEN m.valence = 'magic' THEN 1 ELSE 0 END"),
    ("misery", "CASE WHEN m.valence = 'misery' THEN 1 ELSE 0 END"),
    ("neutral", "CASE WHEN m.valence = 'neutral' THEN 1 ELSE 0 END"),
    ("valence_n", "CASE WHEN m.valence IS NOT NULL THEN 1 ELSE 0 END"),
    ("moments_of_truth", "CASE WHEN m.moment_of_truth THEN 1 ELSE 0 END"),
    ("mot_n", "CASE WHEN m.moment_of_truth IS NOT NULL THEN 1 ELSE 0 END"),
    ("high_stakes", "CASE WHEN m.stakes = 'high' THEN 1 ELSE 0 END"),
    ("score_sum", "COALESCE(m.score, 0.0)"),
    ("intensity_sum", "COALESCE(m.intensity, 0.0)"),
    ("nps_n", "CASE WHEN i.nps IS NOT NULL THEN 1 ELSE 0 END"),
    ("promoters", "CASE WHEN i.nps >= 9 THEN 1 ELSE 0 END"),
    ("passives", "CASE WHEN i.nps > 6 AND i.nps < 9 THEN 1 ELSE 0 END"),
    ("detractors", "CASE WHEN i.nps <= 6 THEN 1 ELSE 0 END"),
    ("csat_n", "CASE WHEN i.csat IS NOT NULL THEN 1 ELSE 0 END"),
    ("csat_top2", "CASE WHEN i.csat >= 4 THEN 1 ELSE 0 END"),
    ("csat_sum", "COALESCE(i.csat, 0.0)"),
    ("csat_sq", "COALESCE(i.csat * i.csat, 0.0)"),
    ("ces_n", "CASE WHEN i.ces IS NOT NULL THEN 1 ELSE 0 END"),
    ("ces_sum", "COALESCE(i.ces, 0.0)"),
    ("ces_sq", "COALESCE(i.ces * i.ces, 0.0)"),
    ("stars_n", "CASE WHEN i.stars IS NOT NULL THEN 1 ELSE 0 END"),
    ("stars_sum", "COALESCE(i.stars, 0.0)"),
    ("stars_sq", "COALESCE(i.stars * i.stars, 0.0)"),
]
ROLLUP_COLUMNS = tuple(c for c, _ in _MEASURES)
_FLOAT = {c for c in ROLLUP_COLUMNS if c.endswith(("_sum", "_sq"))}
_KEYS = ("day", "touchpoint", "channel")
_DAY = {"sqlite": "COALESCE(SUBSTR(m.timestamp, 1, 10), '')",
        "postgresql": "COALESCE(TO_CHAR(m.timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '')"}


def _table(backend: str) -> str:
    big, dbl = ("INTEGER", "REAL") if backend == "sqlite" else ("BIGINT", "DOUBLE PRECISION")
    cols = ",\n    ".join(f"{c} {dbl if c in _FLOAT else big} NOT NULL DEFAULT 0" for c in ROLLUP_COLUMNS)
    return (f"CREATE TABLE moment_rollups (\n    day TEXT NOT NULL,\n    touchpoint TEXT NOT NULL,\n"
            f"    channel TEXT NOT NULL,\n    {cols},\n    PRIMARY KEY (day, touchpoint, channel)\n);\n"
            "CREATE INDEX moment_rollups_touchpoint ON moment_rollups (touchpoint, day);\n"
            "CREATE INDEX moment_rollups_channel ON moment_rollups (channel, day);\n")


def _select(backend: str, source: str, sign: int, *, grouped: bool, where: str = "", named: bool = False) -> str:
    """SELECT the keys and (sums of ``sign`` *) each measure FROM source joined to its interactions."""
    keys = [f"{_DAY[backend]}", "COALESCE(m.touchpoint, '')", "COALESCE(m.channel, '')"]
    s = "" if sign > 0 else "-"
    vals = [f"{s}SUM({e})" if grouped else f"{s}({e})" for _, e in _MEASURES]
    if named:
        keys = [f"{k} AS {n}" for k, n in zip(keys, _KEYS)]
        vals = [f"{v} AS {c}" for v, c in zip(vals, ROLLUP_COLUMNS)]
    sql = (f"SELECT {', '.join(keys + vals)}\nFROM {source} LEFT JOIN interactions i ON i.id = m.interaction_id\n"
           f"WHERE {where or 'TRUE'}\n")
    return sql + ("GROUP BY 1, 2, 3\n" if grouped else "")


def _upsert(backend: str, source: str, sign: int, *, grouped: bool, where: str = "") -> str:
    """INSERT ... SELECT (sums of ``sign`` * each measure) FROM source ... ON CONFLICT add."""
    sets = ", ".join(f"{c} = moment_rollups.{c} + excluded.{c}" for c in ROLLUP_COLUMNS)
    return (f"INSERT INTO moment_rollups ({', '.join(_KEYS + ROLLUP_COLUMNS)})\n"
            + _select(backend, source, sign, grouped=grouped, where=where)
            + f"ON CONFLICT (day, touchpoint, channel) DO UPDATE SET {sets}")


def _new_row(alias: str) -> str:
    cols = ("interaction_id", "timestamp", "channel", "touchpoint", "valence", "score", "intensity", "stakes",
            "moment_of_truth")
    return "(SELECT " + ", ".join(f"{alias}.{c} AS {c}" for c in cols) + ") m"


# Migration 400 (frozen once shipped: change rollups with a new migration, never by editing these).
SQLITE_400 = _table("sqlite") + f"""
CREATE TRIGGER moments_rollup_replace BEFORE INSERT ON moments
BEGIN
{_upsert("sqlite", "moments m", -1, grouped=False, where="m.interaction_id = NEW.interaction_id")};
END;
CREATE TRIGGER moments_rollup_insert AFTER INSERT ON moments
BEGIN
{_upsert("sqlite", _new_row("NEW"), 1, grouped=False)};
END;
CREATE TRIGGER moments_rollup_update AFTER UPDATE ON moments
BEGIN
{_upsert("sqlite", _new_row("OLD"), -1, grouped=False)};
{_upsert("sqlite", _new_row("NEW"), 1, grouped=False)};
END;
CREATE TRIGGER moments_rollup_delete AFTER DELETE ON moments
BEGIN
{_upsert("sqlite", _new_row("OLD"), -1, grouped=False)};
END;
{_upsert("sqlite", "moments m", 1, grouped=True)};
"""

POSTGRESQL_400 = _table("postgresql") + f"""
CREATE FUNCTION carlzon_moment_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_upsert("postgresql", "old_rows m", -1, grouped=True)};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_upsert("postgresql", "new_rows m", 1, grouped=True)};
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER moments_rollup_insert AFTER INSERT ON moments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carlzon_moment_rollups();
CREATE TRIGGER moments_rollup_update AFTER UPDATE ON moments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carlzon_moment_rollups();
CREATE TRIGGER moments_rollup_delete AFTER DELETE ON moments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carlzon_moment_rollups();
{_upsert("postgresql", "moments m", 1, grouped=True)};
"""

# Migration 401: on SQLite, per-row triggers cost about 40 us a moment (3-4x the insert itself),
# so the embedded store computes the same rows on the fly from a view; PostgreSQL keeps its table.
SQLITE_401 = """
DROP TRIGGER moments_rollup_replace;
DROP TRIGGER moments_rollup_insert;
DROP TRIGGER moments_rollup_update;
DROP TRIGGER moments_rollup_delete;
DROP TABLE moment_rollups;
CREATE VIEW moment_rollups AS
""" + _select("sqlite", "moments m", 1, grouped=True, named=True) + ";\n"

POSTGRESQL_401 = "COMMENT ON TABLE moment_rollups IS 'carlzon: kept current by triggers on moments (migration 400)';"

# Migration 402 (PostgreSQL): concurrent writers upserted rollup rows in different orders and
# could deadlock. The upkeep now takes one transaction-level advisory lock (writers take turns
# for the rollup step only, until they commit) and touches rows in key order.
_ROLLUP_LOCK = 4_242_400

POSTGRESQL_402 = f"""
CREATE OR REPLACE FUNCTION carlzon_moment_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({_ROLLUP_LOCK});
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_upsert("postgresql", "old_rows m", -1, grouped=True).replace("GROUP BY 1, 2, 3", "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_upsert("postgresql", "new_rows m", 1, grouped=True).replace("GROUP BY 1, 2, 3", "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")};
    END IF;
    RETURN NULL;
END
$$;
"""
SQLITE_402 = "SELECT 1;  -- nothing to change: SQLite's rollups are a view (migration 401)"


# ----- reading ---------------------------------------------------------------------------
def _day(v: Any, *, ceil: bool) -> str:
    ts = pd.Timestamp(v)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    d = ts.normalize()
    if ceil and d != ts:
        d = d + timedelta(days=1)
    return d.strftime("%Y-%m-%d")


def _where(since: Any, until: Any, touchpoint: str | None, channel: str | None) -> tuple[str, dict[str, Any]]:
    where, params = [], {}
    if since is not None:
        where.append("day >= :since AND day <> ''")
        params["since"] = _day(since, ceil=False)
    if until is not None:
        where.append("day < :until AND day <> ''")
        params["until"] = _day(until, ceil=True)
    for col, v in (("touchpoint", touchpoint), ("channel", channel)):
        if v is not None:
            where.append(f"{col} = :{col}")
            params[col] = v
    return (" WHERE " + " AND ".join(where)) if where else "", params


def rollup_frame(store: Any, *, since: datetime | None = None, until: datetime | None = None,
                 touchpoint: str | None = None, channel: str | None = None,
                 by: tuple[str, ...] = ("day", "touchpoint", "channel")) -> pd.DataFrame:
    """Summed rollups grouped by any of day, touchpoint, channel (``()``: one total row); small and fast."""
    bad = [b for b in by if b not in _KEYS]
    if bad:
        from carlzon.errors import StoreError

        raise StoreError(f"cannot group rollups by {bad}", fix="group by day, touchpoint and/or channel")
    where, params = _where(since, until, touchpoint, channel)
    sums = ", ".join(f"SUM({c}) AS {c}" for c in ROLLUP_COLUMNS)
    keys = ", ".join(by)
    sql = f"SELECT {keys + ', ' if keys else ''}{sums} FROM moment_rollups{where}"
    if by:
        sql += f" GROUP BY {keys} ORDER BY {keys}"
    df = store.query(sql, params or None)
    for c in ROLLUP_COLUMNS:
        df[c] = pd.to_numeric(df[c]).fillna(0).astype("float64" if c in _FLOAT else "int64")
    return df


_ORDER = ("nps", "csat", "csat_mean", "ces", "stars", "magic_rate", "misery_rate", "moments_of_truth")


def _figures(df: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Metrics rows for every group at once: the formulas of :mod:`carlzon.analysis.intervals`, vectorised
    (hundreds of daily groups in a millisecond; tests/store/test_rollups.py holds them equal to Metrics)."""
    from scipy import stats

    from carlzon.analysis.intervals import small_sample_note

    z = float(stats.norm.ppf(0.5 + confidence / 2))
    g = df.index.astype(str).to_numpy()
    parts = []

    def f(col: str) -> np.ndarray:
        return df[col].to_numpy(dtype=float)

    def add(metric: str, n: np.ndarray, value: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        keep = n > 0
        parts.append(pd.DataFrame({"group": g[keep], "metric": metric, "value": value[keep], "ci_low": lo[keep],
                                   "ci_high": hi[keep], "n": n[keep].astype(np.int64)}))

    def wilson(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with np.errstate(invalid="ignore", divide="ignore"):
            p = k / n
            denom = 1 + z**2 / n
            centre = (p + z**2 / (2 * n)) / denom
            half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        return p, np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)

    def mean(total: np.ndarray, sq: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with np.errstate(invalid="ignore", divide="ignore"):
            m = total / n
            t = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
            half = t * np.sqrt(np.maximum(sq - total * total / n, 0.0) / (n - 1)) / np.sqrt(n)
        half = np.where(n < 2, np.nan, half)
        return m, m - half, m + half

    P, Pa, D = f("promoters"), f("passives"), f("detractors")
    n = P + Pa + D
    with np.errstate(invalid="ignore", divide="ignore"):
        n_adj = n + 3.0
        p_pro, p_det = (P + 0.75) / n_adj, (D + 0.75) / n_adj
        diff = p_pro - p_det
        half = z * np.sqrt(np.maximum((p_pro + p_det - diff**2) / n_adj, 0.0))
        add("nps", n, 100.0 * (P - D) / n, 100.0 * np.maximum(-1.0, diff - half), 100.0 * np.minimum(1.0, diff + half))
    add("csat", f("csat_n"), *wilson(f("csat_top2"), f("csat_n")))
    add("csat_mean", f("csat_n"), *mean(f("csat_sum"), f("csat_sq"), f("csat_n")))
    add("ces", f("ces_n"), *mean(f("ces_sum"), f("ces_sq"), f("ces_n")))
    add("stars", f("stars_n"), *mean(f("stars_sum"), f("stars_sq"), f("stars_n")))
    add("magic_rate", f("valence_n"), *wilson(f("magic"), f("valence_n")))
    add("misery_rate", f("valence_n"), *wilson(f("misery"), f("valence_n")))
    k, nm = f("moments_of_truth"), f("mot_n")
    share = wilson(k, nm)
    add("moments_of_truth", nm, k, share[1] * nm, share[2] * nm)
    out = pd.concat(parts, ignore_index=True)
    out["_m"] = out["metric"].map({m: i for i, m in enumerate(_ORDER)})
    out = out.sort_values(["group", "_m"], kind="stable").drop(columns="_m").reset_index(drop=True)
    notes = {int(v): small_sample_note(int(v)) for v in out["n"].unique()}
    out["note"] = out["n"].map(notes)
    return out


def rollup_metrics(store: Any, *, by: str | None = None, since: datetime | None = None, until: datetime | None = None,
                   touchpoint: str | None = None, channel: str | None = None, confidence: float = 0.95) -> Any:
    """The figures of :class:`carlzon.analysis.Metrics` (``summary``, ``to_dict()``) from the rollups.

    ``by``: None, touchpoint, channel or period:day. Groups are labelled as Metrics labels them
    ('unknown' for no touchpoint or channel).
    """
    from carlzon.analysis.metrics import Metrics
    from carlzon.errors import AnalysisError

    key = {None: (), "all": (), "touchpoint": ("touchpoint",), "channel": ("channel",), "period:day": ("day",),
           "day": ("day",)}
    if by not in key:
        raise AnalysisError(f"rollups cannot group by {by!r}", fix="use touchpoint, channel or period:day "
                            "(other groupings: carlzon.analysis.Metrics on store.moments())")
    df = rollup_frame(store, since=since, until=until, touchpoint=touchpoint, channel=channel, by=key[by])
    columns = ["group", "metric", "value", "ci_low", "ci_high", "n", "note"]
    summary = pd.DataFrame(columns=columns)
    if len(df):
        labels = (df[key[by][0]].replace("", "NaT" if by in ("period:day", "day") else "unknown")
                  if key[by] else pd.Series("all", index=df.index))
        df = df.assign(_g=labels.astype(str)).groupby("_g", sort=True)[list(ROLLUP_COLUMNS)].sum()
        df = df[df["n"] > 0]
        if len(df):
            summary = _figures(df, confidence)[columns]
    m = Metrics(by=by, confidence=confidence)
    m.n_ = int(df["n"].sum()) if len(df) else 0
    m.summary = summary
    return m


def rebuild_rollups(store: Any) -> int:
    """Recompute the rollups from the moments (after a bulk load with the triggers off); returns rows.

    On SQLite the rollups are a view, always current: this only counts its rows."""
    if store.backend == "sqlite":
        return int(store.query("SELECT COUNT(*) AS n FROM moment_rollups")["n"].iloc[0])
    with store.transaction():
        store.execute("DELETE FROM moment_rollups")
        store.execute(_upsert(store.backend, "moments m", 1, grouped=True))
    return int(store.query("SELECT COUNT(*) AS n FROM moment_rollups")["n"].iloc[0])


def check_rollups(store: Any) -> dict[str, int]:
    """Totals from the rollups beside a direct count of moments: {moments, rollup_n, magic, rollup_magic, ...}."""
    direct = store.query("SELECT COUNT(*) AS n, SUM(CASE WHEN valence = 'magic' THEN 1 ELSE 0 END) AS magic, "
                         "SUM(CASE WHEN valence = 'misery' THEN 1 ELSE 0 END) AS misery FROM moments").iloc[0]
    roll = rollup_frame(store, by=())
    r = roll.iloc[0] if len(roll) else pd.Series({c: 0 for c in ROLLUP_COLUMNS})
    return {"moments": int(direct["n"] or 0), "rollup_n": int(r["n"]),
            "magic": int(direct["magic"] or 0), "rollup_magic": int(r["magic"]),
            "misery": int(direct["misery"] or 0), "rollup_misery": int(r["misery"])}
