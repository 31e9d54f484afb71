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

Since migration 403 every sum is exact (counts, and ratings, scores and
intensities as integers in units of 1/10,000: :mod:`carlzon.analysis.sums`), so
the rollups give the same numbers as the moments, bit for bit.
:func:`rollup_metrics` answers the figures of ``carlzon metrics`` (n, magic and
misery rates, moments of truth, NPS, CSAT, CES, stars, each with its n and 95%
interval) with :func:`carlzon.analysis.sums.metrics_from_sums`, the code
:class:`carlzon.analysis.Metrics` finishes with; the dashboard and the report read
them through :mod:`carlzon.report.aggregates`.
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

import pandas as pd

__all__ = ["ROLLUP_COLUMNS", "check_rollups", "interaction_frame", "rebuild_rollups", "rollup_frame", "rollup_metrics"]

# Migration 400's measures (frozen): (column, expression over a moment row m and its interaction i), summed.
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
_FLOAT = {c for c, _ in _MEASURES if c.endswith(("_sum", "_sq"))}
_KEYS = ("day", "touchpoint", "channel")
_DAY = {
    "sqlite": "COALESCE(SUBSTR(m.timestamp, 1, 10), '')",
    "postgresql": "COALESCE(TO_CHAR(m.timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '')",
}


def _table(backend: str) -> str:
    big, dbl = ("INTEGER", "REAL") if backend == "sqlite" else ("BIGINT", "DOUBLE PRECISION")
    cols = ",\n    ".join(f"{c} {dbl if c in _FLOAT else big} NOT NULL DEFAULT 0" for c, _ in _MEASURES)
    return (
        f"CREATE TABLE moment_rollups (\n    day TEXT NOT NULL,\n    touchpoint TEXT NOT NULL,\n"
        f"    channel TEXT NOT NULL,\n    {cols},\n    PRIMARY KEY (day, touchpoint, channel)\n);\n"
        "CREATE INDEX moment_rollups_touchpoint ON moment_rollups (touchpoint, day);\n"
        "CREATE INDEX moment_rollups_channel ON moment_rollups (channel, day);\n"
    )


def _select(
    backend: str,
    source: str,
    sign: int,
    *,
    grouped: bool,
    where: str = "",
    named: bool = False,
    measures: list[tuple[str, str]] | None = None,
) -> str:
    """SELECT the keys and (sums of ``sign`` *) each measure FROM source joined to its interactions."""
    measures = _MEASURES if measures is None else measures
    keys = [f"{_DAY[backend]}", "COALESCE(m.touchpoint, '')", "COALESCE(m.channel, '')"]
    s = "" if sign > 0 else "-"
    vals = [f"{s}SUM({e})" if grouped else f"{s}({e})" for _, e in measures]
    if named:
        keys = [f"{k} AS {n}" for k, n in zip(keys, _KEYS)]
        vals = [f"{v} AS {c}" for v, (c, _) in zip(vals, measures)]
    sql = (
        f"SELECT {', '.join(keys + vals)}\nFROM {source} LEFT JOIN interactions i ON i.id = m.interaction_id\n"
        f"WHERE {where or 'TRUE'}\n"
    )
    return sql + ("GROUP BY 1, 2, 3\n" if grouped else "")


def _upsert(
    backend: str,
    source: str,
    sign: int,
    *,
    grouped: bool,
    where: str = "",
    measures: list[tuple[str, str]] | None = None,
) -> str:
    """INSERT ... SELECT (sums of ``sign`` * each measure) FROM source ... ON CONFLICT add."""
    measures = _MEASURES if measures is None else measures
    cols = tuple(c for c, _ in measures)
    sets = ", ".join(f"{c} = moment_rollups.{c} + excluded.{c}" for c in cols)
    return (
        f"INSERT INTO moment_rollups ({', '.join(_KEYS + cols)})\n"
        + _select(backend, source, sign, grouped=grouped, where=where, measures=measures)
        + f"ON CONFLICT (day, touchpoint, channel) DO UPDATE SET {sets}"
    )


def _new_row(alias: str) -> str:
    cols = (
        "interaction_id",
        "timestamp",
        "channel",
        "touchpoint",
        "valence",
        "score",
        "intensity",
        "stakes",
        "moment_of_truth",
    )
    return "(SELECT " + ", ".join(f"{alias}.{c} AS {c}" for c in cols) + ") m"


# Migration 400 (frozen once shipped: change rollups with a new migration, never by editing these).
SQLITE_400 = (
    _table("sqlite")
    + f"""
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
)

POSTGRESQL_400 = (
    _table("postgresql")
    + f"""
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
)

# Migration 401: on SQLite, per-row triggers cost about 40 us a moment (3-4x the insert itself),
# so the embedded store computes the same rows on the fly from a view; PostgreSQL keeps its table.
SQLITE_401 = (
    """
DROP TRIGGER moments_rollup_replace;
DROP TRIGGER moments_rollup_insert;
DROP TRIGGER moments_rollup_update;
DROP TRIGGER moments_rollup_delete;
DROP TABLE moment_rollups;
CREATE VIEW moment_rollups AS
"""
    + _select("sqlite", "moments m", 1, grouped=True, named=True)
    + ";\n"
)

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


# Migration 403: exact sums. Floating-point sums of scores depend on the order rows are added in,
# so the rollups disagreed with the moments in the last bits. Ratings, scores and intensities are
# now summed as integers in units of 1/10,000 (carlzon.analysis.sums), as Metrics, the report and
# Spark sum them, and score_n / score_uu let the rollups give a touchpoint's mean score with its interval.
def _measures_403(backend: str) -> list[tuple[str, str]]:
    from carlzon.analysis.sums import units_sql

    def u(col: str) -> str:
        return f"CASE WHEN {col} IS NULL THEN 0 ELSE {units_sql(col, backend)} END"

    def uu(col: str) -> str:
        return f"CASE WHEN {col} IS NULL THEN 0 ELSE {units_sql(col, backend)} * {units_sql(col, backend)} END"

    kept = [(c, e) for c, e in _MEASURES if c not in _FLOAT and c != "nps_n"]
    return kept + [
        ("score_n", "CASE WHEN m.score IS NOT NULL THEN 1 ELSE 0 END"),
        ("csat_u", u("i.csat")),
        ("csat_uu", uu("i.csat")),
        ("ces_u", u("i.ces")),
        ("ces_uu", uu("i.ces")),
        ("stars_u", u("i.stars")),
        ("stars_uu", uu("i.stars")),
        ("score_u", u("m.score")),
        ("score_uu", uu("m.score")),
        ("intensity_u", u("m.intensity")),
    ]


def _ordered(sql: str) -> str:
    return sql.replace("GROUP BY 1, 2, 3", "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")


def _postgresql_403() -> str:
    ms = _measures_403("postgresql")
    old = set(c for c, _ in _MEASURES) - set(c for c, _ in ms)
    new = [c for c, _ in ms if c not in {c for c, _ in _MEASURES}]
    alter = ", ".join(
        [f"DROP COLUMN {c}" for c in sorted(old)] + [f"ADD COLUMN {c} BIGINT NOT NULL DEFAULT 0" for c in new]
    )
    return f"""
ALTER TABLE moment_rollups {alter};
CREATE OR REPLACE FUNCTION carlzon_moment_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({_ROLLUP_LOCK});
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_ordered(_upsert("postgresql", "old_rows m", -1, grouped=True, measures=ms))};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_ordered(_upsert("postgresql", "new_rows m", 1, grouped=True, measures=ms))};
    END IF;
    RETURN NULL;
END
$$;
TRUNCATE moment_rollups;
{_upsert("postgresql", "moments m", 1, grouped=True, measures=ms)};
"""


SQLITE_403 = (
    "DROP VIEW moment_rollups;\nCREATE VIEW moment_rollups AS\n"
    + _select("sqlite", "moments m", 1, grouped=True, named=True, measures=_measures_403("sqlite"))
    + ";\n"
)
POSTGRESQL_403 = _postgresql_403()

ROLLUP_COLUMNS = tuple(c for c, _ in _measures_403("sqlite"))
"""The columns of ``moment_rollups`` besides its keys: counts, and exact sums in units (migration 403)."""


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


def rollup_frame(
    store: Any,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    touchpoint: str | None = None,
    channel: str | None = None,
    by: tuple[str, ...] = ("day", "touchpoint", "channel"),
    columns: tuple[str, ...] = ROLLUP_COLUMNS,
) -> pd.DataFrame:
    """Summed rollups grouped by any of day, touchpoint, channel (``()``: one total row); small and fast.

    ``columns``: the sums to read (all of ROLLUP_COLUMNS by default), as int64."""
    from carlzon.errors import StoreError

    bad = [b for b in by if b not in _KEYS] + [c for c in columns if c not in ROLLUP_COLUMNS]
    if bad:
        raise StoreError(
            f"cannot group rollups by, or read, {bad}",
            fix=f"group by day, touchpoint and/or channel; read columns of {', '.join(ROLLUP_COLUMNS)}",
        )
    where, params = _where(since, until, touchpoint, channel)
    cast = "BIGINT" if store.backend == "postgresql" else "INTEGER"  # PostgreSQL's SUM(bigint) is numeric
    sums = ", ".join(f"CAST(SUM({c}) AS {cast}) AS {c}" for c in columns)
    keys = ", ".join(by)
    sql = f"SELECT {keys + ', ' if keys else ''}{sums} FROM moment_rollups{where}"
    if by:
        sql += f" GROUP BY {keys} ORDER BY {keys}"
    df = store.query(sql, params or None)
    for c in columns:  # integers (NULL only in the one total row of no rollups at all)
        if df[c].dtype != "int64":
            df[c] = pd.Series([0 if v is None else int(v) for v in df[c].tolist()], index=df.index, dtype="int64")
    return df


def rollup_metrics(
    store: Any,
    *,
    by: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    touchpoint: str | None = None,
    channel: str | None = None,
    confidence: float = 0.95,
) -> Any:
    """The figures of :class:`carlzon.analysis.Metrics` (``summary``, ``to_dict()``) from the rollups.

    ``by``: None, touchpoint, channel or period:day. Groups are labelled as Metrics labels them
    ('unknown' for no touchpoint or channel).
    """
    from carlzon.analysis.metrics import Metrics
    from carlzon.analysis.sums import metrics_from_sums
    from carlzon.errors import AnalysisError

    key = {
        None: (),
        "all": (),
        "touchpoint": ("touchpoint",),
        "channel": ("channel",),
        "period:day": ("day",),
        "day": ("day",),
    }
    if by not in key:
        raise AnalysisError(
            f"rollups cannot group by {by!r}",
            fix="use touchpoint, channel or period:day (other groupings: carlzon.analysis.Metrics on store.moments())",
        )
    if by == "touchpoint" or touchpoint is not None:  # per touchpoint: its moments, one per interaction there
        df = rollup_frame(store, since=since, until=until, touchpoint=touchpoint, channel=channel, by=key[by])
    else:  # interaction-level: each interaction once, with its overall valence (migration 410)
        df = interaction_frame(store, since=since, until=until, channel=channel, by=key[by])
    columns = ["group", "metric", "value", "ci_low", "ci_high", "n", "note"]
    summary = pd.DataFrame(columns=columns)
    if len(df):
        labels = (
            df[key[by][0]].replace("", "NaT" if by in ("period:day", "day") else "unknown")
            if key[by]
            else pd.Series("all", index=df.index)
        )
        df = df.assign(_g=labels.astype(str)).groupby("_g", sort=True)[list(ROLLUP_COLUMNS)].sum()
        df = df[df["n"] > 0]
        if len(df):
            summary = metrics_from_sums(df, confidence=confidence)
    m = Metrics(by=by, confidence=confidence)
    m.n_ = int(df["n"].sum()) if len(df) else 0
    m.summary_ = summary
    return m


def rebuild_rollups(store: Any) -> int:
    """Recompute the rollups from the moments (after a bulk load with the triggers off); returns rows.

    It also counts as a change for the dashboards' caches (:mod:`carlzon.store.changes`), which
    the load itself, with the triggers off, did not. On SQLite the rollups are a view, always
    current: this only counts its rows."""
    if store.backend == "sqlite":
        return int(store.query("SELECT COUNT(*) AS n FROM moment_rollups")["n"].iloc[0])
    with store.transaction():
        store.execute("DELETE FROM moment_rollups")  # not TRUNCATE: readers keep the old rows until the commit
        store.execute(_upsert(store.backend, "moments m", 1, grouped=True, measures=_measures_403(store.backend)))
        store.execute("DELETE FROM interaction_rollups")
        store.execute(_i_upsert(store.backend, "moments", 1))
        # a load with the triggers off did not count as a change: tell the dashboards' caches (migration 404)
        store.execute("UPDATE carlzon_changes SET n = n + 1 WHERE shard = 0")
    return int(store.query("SELECT COUNT(*) AS n FROM moment_rollups")["n"].iloc[0])


def check_rollups(store: Any) -> dict[str, int]:
    """Totals from the rollups beside a direct count of moments: {moments, rollup_n, magic, rollup_magic, ...}."""
    direct = store.query(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN valence = 'magic' THEN 1 ELSE 0 END) AS magic, "
        "SUM(CASE WHEN valence = 'misery' THEN 1 ELSE 0 END) AS misery FROM moments"
    ).iloc[0]
    roll = rollup_frame(store, by=())
    r = roll.iloc[0] if len(roll) else pd.Series({c: 0 for c in ROLLUP_COLUMNS})
    inter = interaction_frame(store, by=())
    n_int = int(store.query("SELECT COUNT(DISTINCT interaction_id) AS n FROM moments")["n"].iloc[0] or 0)
    return {
        "moments": int(direct["n"] or 0),
        "rollup_n": int(r["n"]),
        "interactions": n_int,
        "rollup_interactions": int(inter["n"].iloc[0]) if len(inter) else 0,
        "magic": int(direct["magic"] or 0),
        "rollup_magic": int(r["magic"]),
        "misery": int(direct["misery"] or 0),
        "rollup_misery": int(r["misery"]),
    }


# Migration 410: one interaction, many moments (migration 10). The moment rollups stay per touchpoint
# (there a moment is one interaction speaking of it); interaction-level figures (NPS, CSAT, magic and
# misery rates of interactions by day or channel) come from ``interaction_rollups``: the lead row of each
# interaction (migration 10), counted once, with its overall valence and score.
_I_KEYS = ("day", "channel")


def _lead_rows(source: str) -> str:
    return (
        "(SELECT interaction_id, timestamp, channel, COALESCE(overall_valence, valence) AS valence, "
        "COALESCE(overall_score, score) AS score, intensity, stakes, moment_of_truth "
        f"FROM {source} WHERE lead) m"
    )


def _i_select(backend: str, source: str, sign: int, *, named: bool = False) -> str:
    ms = _measures_403(backend)
    s = "" if sign > 0 else "-"
    keys = [_DAY[backend], "COALESCE(m.channel, '')"]
    vals = [f"{s}SUM({e})" for _, e in ms]
    if named:
        keys = [f"{k} AS {n}" for k, n in zip(keys, _I_KEYS)]
        vals = [f"{v} AS {c}" for v, (c, _) in zip(vals, ms)]
    return (
        f"SELECT {', '.join(keys + vals)}\nFROM {_lead_rows(source)} LEFT JOIN interactions i ON i.id = "
        "m.interaction_id\nGROUP BY 1, 2\n"
    )


def _i_upsert(backend: str, source: str, sign: int) -> str:
    cols = tuple(c for c, _ in _measures_403(backend))
    sets = ", ".join(f"{c} = interaction_rollups.{c} + excluded.{c}" for c in cols)
    return (
        f"INSERT INTO interaction_rollups ({', '.join(_I_KEYS + cols)})\n"
        + _i_select(backend, source, sign).replace("GROUP BY 1, 2", "GROUP BY 1, 2 ORDER BY 1, 2")
        + f"ON CONFLICT (day, channel) DO UPDATE SET {sets}"
    )


SQLITE_410 = (
    "DROP VIEW IF EXISTS moment_rollups;\nCREATE VIEW moment_rollups AS\n"
    + _select("sqlite", "moments m", 1, grouped=True, named=True, measures=_measures_403("sqlite"))
    + ";\n"
    + "CREATE VIEW interaction_rollups AS\n"
    + _i_select("sqlite", "moments", 1, named=True)
    + ";\n"
)


def _postgresql_410() -> str:
    cols = ",\n    ".join(f"{c} BIGINT NOT NULL DEFAULT 0" for c, _ in _measures_403("postgresql"))
    return f"""
CREATE TABLE interaction_rollups (
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    {cols},
    PRIMARY KEY (day, channel)
);
CREATE FUNCTION carlzon_interaction_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({_ROLLUP_LOCK});
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_i_upsert("postgresql", "old_rows", -1)};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_i_upsert("postgresql", "new_rows", 1)};
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER moments_irollup_insert AFTER INSERT ON moments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carlzon_interaction_rollups();
CREATE TRIGGER moments_irollup_update AFTER UPDATE ON moments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carlzon_interaction_rollups();
CREATE TRIGGER moments_irollup_delete AFTER DELETE ON moments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION carlzon_interaction_rollups();
{_i_upsert("postgresql", "moments", 1)};
"""


POSTGRESQL_410 = _postgresql_410()


def interaction_frame(
    store: Any,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    channel: str | None = None,
    by: tuple[str, ...] = ("day", "channel"),
    columns: tuple[str, ...] = ROLLUP_COLUMNS,
) -> pd.DataFrame:
    """Summed interaction rollups (each interaction once, its overall valence) grouped by day and/or channel."""
    from carlzon.errors import StoreError

    bad = [b for b in by if b not in _I_KEYS] + [c for c in columns if c not in ROLLUP_COLUMNS]
    if bad:
        raise StoreError(
            f"cannot group interaction rollups by, or read, {bad}",
            fix="group by day and/or channel (per touchpoint: rollup_frame)",
        )
    where, params = _where(since, until, None, channel)
    cast = "BIGINT" if store.backend == "postgresql" else "INTEGER"
    sums = ", ".join(f"CAST(SUM({c}) AS {cast}) AS {c}" for c in columns)
    keys = ", ".join(by)
    sql = f"SELECT {keys + ', ' if keys else ''}{sums} FROM interaction_rollups{where}"
    if by:
        sql += f" GROUP BY {keys} ORDER BY {keys}"
    df = store.query(sql, params or None)
    for c in columns:
        if df[c].dtype != "int64":
            df[c] = pd.Series([0 if v is None else int(v) for v in df[c].tolist()], index=df.index, dtype="int64")
    return df
