"""PostgreSQL at team scale: ingest rows per second (COPY vs row inserts) and dashboard query p95 at 10M moments.

Prints, in one run, on a fresh schema of the server it is given (dropped at the end unless --keep):

  1. interactions stored per second through the store's COPY path (``Store.add_interaction_columns``:
     COPY into a staging table, then one INSERT ... ON CONFLICT DO NOTHING) beside row inserts
     (``Store.executemany``, one INSERT per row) of the same rows;
  2. moments stored per second through ``Store.add_moments`` (COPY + upsert) with the rollup
     triggers on, beside the same with the triggers off (the cost of keeping rollups current);
  3. ``--moments`` moments (10M by default) and their interactions bulk-loaded as docs/deploy-team.md
     describes (generated in the server with the secondary indexes and rollup triggers off, then
     indexes and rollups rebuilt), then the dashboard's headline figures (``rollup_metrics``: overall, by touchpoint, by channel, last
     30 days, one channel) timed ``--queries`` times: p50 / p95 / max, beside the same figures
     computed by one GROUP BY over the moments table (the anchor, timed 3 times);
  4. the real dashboard requests through the app (an in-process ASGI client, a viewer token):
     the overview page ``/``, ``/api/metrics``, ``/api/touchpoints``, ``/api/drivers`` and
     ``/api/moments``, under five filters (none, the last 30 days, one channel, one touchpoint,
     a channel over 90 days), ``--requests`` times each with the app's cache emptied before every
     request (a cold filter: what a new filter or the first view after an ingest costs; the
     key-driver model stays fitted, as it does between ingests): p50 / p95 / max per route, beside
     the same requests with the figures computed from the moments (the rollups made to "not
     answer": the anchor, ``--anchor-requests`` per route).

Usage:
    python bench/pg.py [--url postgresql://postgres@127.0.0.1:54329/carlzon_test] [--moments 10000000]
                       [--ingest-rows 200000] [--queries 200] [--requests 20] [--anchor-requests 2] [--keep]
    python bench/pg.py --reuse SCHEMA      # parts 3 and 4 on a schema kept by an earlier --keep run
(--url defaults to $CARLZON_TEST_PG_URL.)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from urllib.parse import quote

import numpy as np
import pandas as pd

TOUCHPOINTS = [
    "search",
    "online_booking",
    "loyalty_programme",
    "check_in",
    "security",
    "gate",
    "boarding",
    "seat",
    "cabin_crew",
    "food",
    "wifi_entertainment",
    "cleanliness",
    "arrival",
    "baggage_claim",
    "delays_cancellations",
    "complaint_handling",
    "sharing",
    "unknown",
]
CHANNELS = ["survey", "review", "ticket", "chat", "social", "visit"]
START = pd.Timestamp("2025-01-01", tz="UTC")
TEXTS = [
    "They lost my bag and nobody called back",
    "The crew were lovely and remembered my name",
    "Two hours on hold to rebook",
    "Smooth check-in, no queue at all",
    "Seat was broken and dirty",
    "Upgraded for free, what a surprise",
    "Flight delayed again without any information",
    "ok",
]


def fresh_schema(url: str) -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}", schema


def synthetic(n: int, offset: int, rng: np.random.Generator, days: int = 365) -> tuple[pd.DataFrame, pd.DataFrame]:
    """n interactions and their moments (ids offset..offset+n), spread over ``days`` days."""
    ids = np.char.add("r", np.arange(offset, offset + n).astype(str))
    ts = START + pd.to_timedelta(rng.integers(0, days * 86_400, n), unit="s")
    channel = np.array(CHANNELS)[rng.integers(0, len(CHANNELS), n)]
    tp = np.array(TOUCHPOINTS)[rng.integers(0, len(TOUCHPOINTS), n)]
    nps = np.where(rng.random(n) < 0.4, rng.integers(0, 11, n), np.nan)
    csat = np.where(rng.random(n) < 0.3, rng.integers(1, 6, n), np.nan)
    stars = np.where(rng.random(n) < 0.2, rng.integers(1, 6, n), np.nan)
    score = np.round(rng.uniform(-1, 1, n), 4)
    valence = np.where(score >= 0.3, "magic", np.where(score <= -0.3, "misery", "neutral"))
    customer = np.char.add("c", rng.integers(0, n // 10 + 1, n).astype(str))
    inter = pd.DataFrame(
        {
            "id": ids,
            "customer_id": customer,
            "timestamp": ts,
            "channel": channel,
            "source": "bench",
            "text": None,
            "nps": nps,
            "csat": csat,
            "ces": np.nan,
            "stars": stars,
            "touchpoint": tp,
            "ratings": "{}",
            "measures": "{}",
            "attributes": "{}",
        }
    )
    mom = pd.DataFrame(
        {
            "interaction_id": ids,
            "customer_id": customer,
            "timestamp": ts,
            "channel": channel,
            "touchpoint": tp,
            "touchpoint_confidence": 0.9,
            "valence": valence,
            "score": score,
            "intensity": np.round(np.abs(score), 4),
            "stakes": "low",
            "moment_of_truth": np.abs(score) > 0.8,
            "reasons": "",
            "evidence": "[]",
        }
    )
    return inter, mom


GEN_INTERACTIONS = (
    """
INSERT INTO interactions (id, customer_id, timestamp, channel, source, text, nps, csat, stars, touchpoint,
                          ratings, measures, attributes)
SELECT 'r' || g, 'c' || (g * 7919 %% 1000003),
       TIMESTAMPTZ '2025-01-01 00:00:00+00' + make_interval(secs => floor(random() * 365 * 86400)),
       (ARRAY['survey', 'review', 'ticket', 'chat', 'social', 'visit'])[1 + floor(random() * 6)::int], 'bench',
       CASE WHEN random() < 0.2 THEN (ARRAY[TEXTS])[1 + floor(random() * NTX)::int] || ' #' || g END,
       CASE WHEN random() < 0.4 THEN floor(random() * 11) END, CASE WHEN random() < 0.3 THEN 1 + floor(random() * 5) END,
       CASE WHEN random() < 0.2 THEN 1 + floor(random() * 5) END,
       (ARRAY[TPS])[1 + floor(random() * NTP)::int], '{}', '{}', '{}'
FROM generate_series(%(a)s::bigint, %(b)s::bigint) g
""".replace("TEXTS", ", ".join(f"'{t}'" for t in TEXTS))
    .replace("NTX", str(len(TEXTS)))
    .replace("TPS", ", ".join(f"'{t}'" for t in TOUCHPOINTS))
    .replace("NTP", str(len(TOUCHPOINTS)))
)
GEN_MOMENTS = """
INSERT INTO moments (interaction_id, customer_id, timestamp, channel, touchpoint, touchpoint_confidence, valence,
                     score, intensity, stakes, moment_of_truth, reasons, evidence)
SELECT id, customer_id, timestamp, channel, touchpoint, 0.9,
       CASE WHEN s >= 0.3 THEN 'magic' WHEN s <= -0.3 THEN 'misery' ELSE 'neutral' END, s, abs(s), 'low', abs(s) > 0.8, '', '[]'
FROM (SELECT i.id, i.customer_id, i.timestamp, i.channel, i.touchpoint, round((random() * 2 - 1)::numeric, 4)::float8 AS s
      FROM interactions i WHERE i.id IN (SELECT 'r' || g FROM generate_series(%(a)s::bigint, %(b)s::bigint) g)) x
"""


def columns_of(st, df: pd.DataFrame) -> dict:
    cols = {c: df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns if c != "timestamp"}
    cols["timestamp"] = st.time_values(df["timestamp"])
    return cols


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs) * 1000, q))


ROUTES = ("/", "/api/metrics", "/api/touchpoints", "/api/drivers", "/api/moments")


def dashboard(url: str, requests: int, anchor_requests: int) -> None:
    """Part 4: p50 / p95 of the dashboard's requests from the rollups, beside the same from the moments."""
    from fastapi.testclient import TestClient

    from carlzon.report import aggregates
    from carlzon.store import open_store
    from carlzon.web import create_app
    from carlzon.web.auth import create_token

    last = START + pd.Timedelta(days=364)
    day = "%Y-%m-%d"
    filters = [
        {},
        {"since": (last - pd.Timedelta(days=29)).strftime(day)},
        {"channel": "survey"},
        {"touchpoint": "baggage_claim"},
        {"channel": "chat", "since": (last - pd.Timedelta(days=89)).strftime(day)},
    ]
    with open_store(url) as st:
        token = create_token(st, role="viewer", name="bench").secret
        app = create_app(st)
        h = {"Authorization": f"Bearer {token}"}
        with TestClient(app) as c:

            def timed(route: str, params: dict) -> float:
                app.state.cache = {k: v for k, v in app.state.cache.items() if k[0] == "drivers"}
                t = time.perf_counter()
                r = c.get(route, params=params, headers=h)
                el = time.perf_counter() - t
                assert r.status_code == 200, (route, params, r.status_code, r.text[:300])
                return el

            for route in ROUTES:  # warm-up: imports, the journey guess, the key-driver model
                timed(route, {})
            fast = {route: [timed(route, filters[i % len(filters)]) for i in range(requests)] for route in ROUTES}
            m = c.get("/api/metrics", headers=h).json()
            print(
                f"dashboard requests through the app, cold cache, {requests} per route over {len(filters)} filters, "
                f"figures from the {m['figures_from']} (n={m['n']:,} moments; customers: "
                f"{m['customers'] if m['customers'] is not None else m['customers_note']}):"
            )
            real = aggregates.rollup_blocker
            aggregates.rollup_blocker = lambda scope: "bench: the anchor computes every figure from the moments"
            try:
                slow = {route: [timed(route, filters[i % 2]) for i in range(anchor_requests)] for route in ROUTES}
            finally:
                aggregates.rollup_blocker = real
            for route in ROUTES:
                xs, ys = fast[route], slow[route]
                print(
                    f"  {route:<16} from rollups: p50 {pct(xs, 50):7.1f} ms, p95 {pct(xs, 95):7.1f} ms, "
                    f"max {max(xs) * 1000:7.1f} ms   | from the moments (anchor): median {pct(ys, 50):9,.0f} ms "
                    f"({len(ys)} requests)"
                )


def ingest_rates(url: str, a: argparse.Namespace, rng: np.random.Generator) -> None:
    """Parts 1 and 2: interactions through COPY vs row inserts; moments with and without rollup upkeep."""
    from carlzon.store import open_store

    with open_store(url) as st:
        # 1. interactions: COPY path vs row inserts
        inter, mom = synthetic(a.ingest_rows, 0, rng)
        cols = columns_of(st, inter)
        t = time.perf_counter()
        stored, _ = st.add_interaction_columns(cols)
        copy_s = time.perf_counter() - t
        ri, _ = synthetic(a.row_insert_rows, 10**9, rng)
        rows = [dict(zip(ri.columns, r)) for r in ri.astype(object).where(ri.notna(), None).itertuples(index=False)]
        names = list(ri.columns)
        t = time.perf_counter()
        st.executemany(
            f"INSERT INTO interactions ({', '.join(names)}) VALUES ({', '.join(':' + c for c in names)}) "
            "ON CONFLICT (id) DO NOTHING",
            rows,
        )
        row_s = time.perf_counter() - t
        print(f"interactions, COPY path (staging + ON CONFLICT): {stored / copy_s:>10,.0f} rows/s  (n={stored:,})")
        print(
            f"interactions, row inserts (executemany):         {len(rows) / row_s:>10,.0f} rows/s  (n={len(rows):,})"
            f"   -> COPY {len(rows) / row_s and (stored / copy_s) / (len(rows) / row_s):.1f}x"
        )
        # 2. moments with and without rollup upkeep
        t = time.perf_counter()
        st.add_moments(mom)
        on_s = time.perf_counter() - t
        st.execute("ALTER TABLE moments DISABLE TRIGGER USER")
        st.execute("DELETE FROM moments")
        t = time.perf_counter()
        st.add_moments(mom)
        off_s = time.perf_counter() - t
        st.execute("ALTER TABLE moments ENABLE TRIGGER USER")
        st.execute("DELETE FROM moments")
        st.execute("DELETE FROM moment_rollups")
        print(f"moments, add_moments with rollup triggers:       {len(mom) / on_s:>10,.0f} rows/s  (n={len(mom):,})")
        print(
            f"moments, add_moments, triggers off (anchor):     {len(mom) / off_s:>10,.0f} rows/s  "
            f"-> rollup upkeep costs {100 * (on_s / off_s - 1):.0f}%"
        )
        st.execute("DELETE FROM interactions")


def bulk_load(url: str, n_moments: int) -> None:
    """Part 3's load: the bulk-load recipe of docs/deploy-team.md (secondary indexes and rollup triggers off,
    rows generated in the server, indexes rebuilt, rollups rebuilt by one GROUP BY)."""
    import psycopg

    from carlzon.store import open_store
    from carlzon.store.rollups import rebuild_rollups

    chunk = 1_000_000
    t = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        idx = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN "
            "('interactions', 'moments') AND indexname NOT LIKE '%pkey' "
            "AND indexname NOT LIKE '%id_key'"
        ).fetchall()
        for (d,) in idx:
            conn.execute("DROP INDEX " + d.split(" INDEX ")[1].split(" ON ")[0])
        conn.execute("ALTER TABLE moments DISABLE TRIGGER USER")
        for off in range(0, n_moments, chunk):
            n = min(chunk, n_moments - off)
            with conn.transaction():
                conn.execute(GEN_INTERACTIONS, {"a": off, "b": off + n - 1})
                conn.execute(GEN_MOMENTS, {"a": off, "b": off + n - 1})
            print(f"  generated {off + n:,} interactions and moments ({time.perf_counter() - t:.0f} s)", flush=True)
        t_idx = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for (d,) in idx:
            conn.execute(d)
        conn.execute("ALTER TABLE moments ENABLE TRIGGER USER")
        t_idx = time.perf_counter() - t_idx
    with open_store(url) as st:
        t_roll = time.perf_counter()
        rebuild_rollups(st)
        t_roll = time.perf_counter() - t_roll
    with psycopg.connect(url, autocommit=True) as conn:
        for tbl in ("interactions", "moments", "moment_rollups"):
            conn.execute(f"ANALYZE {tbl}")
    load_s = time.perf_counter() - t
    print(
        f"bulk load of {n_moments:,} interactions + moments: {load_s:.0f} s in all "
        f"(indexes rebuilt in {t_idx:.0f} s, rollups rebuilt in {t_roll:.0f} s)"
    )


def rollup_queries(url: str, queries: int) -> None:
    """Part 3's timing: rollup_metrics for the dashboard's headline cases, beside one GROUP BY over the moments."""
    from carlzon.store import open_store
    from carlzon.store.rollups import check_rollups, rollup_metrics

    with open_store(url) as st:
        c = check_rollups(st)
        assert c["rollup_n"] == c["moments"], c
        nroll = int(st.query("SELECT COUNT(*) AS n FROM moment_rollups")["n"].iloc[0])
        last = START + pd.Timedelta(days=365)
        cases = [
            {},
            {"by": "touchpoint"},
            {"by": "channel"},
            {"by": "period:day"},
            {"since": last - pd.Timedelta(days=30)},
            {"channel": "survey", "by": "touchpoint"},
            {"touchpoint": "baggage_claim", "since": last - pd.Timedelta(days=90)},
        ]
        rollup_metrics(st)  # warm-up: first-call imports (scipy, pandas paths), as a running server has done
        times: list[float] = []
        for q in range(queries):
            kw = cases[q % len(cases)]
            t = time.perf_counter()
            m = rollup_metrics(st, **kw)
            times.append(time.perf_counter() - t)
            assert len(m.summary)
        print(
            f"dashboard metrics from rollups ({nroll:,} rollup rows), {queries} queries over {len(cases)} "
            f"kinds: p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms, max {max(times) * 1000:.1f} ms"
        )
        anchor = []
        for _ in range(3):
            t = time.perf_counter()
            df = st.query(
                "SELECT m.touchpoint, m.valence, COUNT(*) AS n, SUM(CASE WHEN i.nps >= 9 THEN 1 ELSE 0 END) AS p, "
                "SUM(CASE WHEN i.nps <= 6 THEN 1 ELSE 0 END) AS d, COUNT(i.nps) AS nn "
                "FROM moments m LEFT JOIN interactions i ON i.id = m.interaction_id GROUP BY 1, 2"
            )
            anchor.append(time.perf_counter() - t)
        print(
            f"anchor: the same figures by one GROUP BY over moments joined to interactions: "
            f"median {pct(anchor, 50):,.0f} ms (3 runs, {len(df)} groups)"
        )
        one = rollup_metrics(st, by="touchpoint").summary
        row = one[(one.group == "seat") & (one.metric == "nps")].iloc[0]
        print(f"e.g. NPS at seat: {row.value:.1f} (95% {row.ci_low:.1f} to {row.ci_high:.1f}, n={row.n:,})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=os.environ.get("CARLZON_TEST_PG_URL"))
    ap.add_argument("--moments", type=int, default=10_000_000)
    ap.add_argument("--ingest-rows", type=int, default=200_000)
    ap.add_argument("--row-insert-rows", type=int, default=20_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--requests", type=int, default=20, help="timed dashboard requests per route (part 4)")
    ap.add_argument("--anchor-requests", type=int, default=2, help="the same, computed from the moments")
    ap.add_argument("--keep", action="store_true", help="keep the bench schema (its name is printed)")
    ap.add_argument("--reuse", metavar="SCHEMA", help="run parts 3 (timing only) and 4 on a kept schema")
    a = ap.parse_args()
    if not a.url:
        sys.exit("give --url postgresql://... or set CARLZON_TEST_PG_URL")
    import psycopg

    if a.reuse:
        sep = "&" if "?" in a.url else "?"
        url, schema = f"{a.url}{sep}options={quote(f'-csearch_path={a.reuse}')}", a.reuse
        print(f"PostgreSQL bench on the kept schema {schema}")
    else:
        url, schema = fresh_schema(a.url)
        print(f"PostgreSQL bench in schema {schema}")
    try:
        if not a.reuse:
            ingest_rates(url, a, np.random.default_rng(0))
            bulk_load(url, a.moments)
        rollup_queries(url, a.queries)
        dashboard(url, a.requests, a.anchor_requests)
    finally:
        if a.keep or a.reuse:
            print(f"kept schema {schema}")
        else:
            with psycopg.connect(a.url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
