"""Erasure: a forgotten customer leaves no trace, and every other figure equals a store that never had them.

Each test runs on SQLite and on PostgreSQL. Store A ingests everything, opens and works recovery
cases and then forgets one customer; store B ingests the same minus that customer. Afterwards
every table of A (found from the schema, so tables added later are included) equals B's, no
table, file or report of A holds the customer's id, name, e-mail or words, and the coverage
test fails for a table that holds customers in a way erasure does not reach.
"""

from __future__ import annotations

import json
from datetime import datetime, UTC
from pathlib import Path

import pandas as pd
import pytest

from carlzon.errors import NotFoundError
from carlzon.ingest import ingest
from carlzon.loop.recovery import RecoveryDesk
from carlzon.privacy.forget import NO_CUSTOMER_DATA, coverage, forget, forget_log
from carlzon.report import build_report
from carlzon.store import open_store
from carlzon.store.catalog import tables
from carlzon.store.rollups import rollup_frame, rollup_metrics

PLANTED = "the zebra-striped suitcase from seat 14C never came back to Vättersnäs"
VOLATILE = {"created_at", "forgotten_at", "updated_at"}
"""Columns that hold the time a row was written (differs between two stores built one after the other);
row numbers (ids of cases and events, the order interactions were written in) are left out as well."""
SKIPPED = {"ingest_runs", "forget_log", "schema_migrations", "carlzon_changes"}
"""What was done to a store (its log, its change counter): A honestly differs from B (it ingested more, and forgot)."""


def _subject(df: pd.DataFrame, with_cases: set[str]) -> tuple[str, str, str]:
    """A customer with a recovery case and the most rows, whose name and e-mail no other customer shares."""
    known = df.dropna(subset=["customer_id", "customer_name", "email"])
    per = known.groupby("customer_id").agg(
        n=("response_id", "size"), name=("customer_name", "first"), email=("email", "first")
    )
    per = per[~per["name"].duplicated(keep=False) & ~per["email"].duplicated(keep=False)]
    per = per[per.index.isin(with_cases)]
    cid = str(per.sort_values("n", ascending=False).index[0])
    return cid, str(per.loc[cid, "name"]), str(per.loc[cid, "email"])


def _bad_rows(cid: str, name: str, email: str) -> pd.DataFrame:
    """Rows ingest refuses (NPS out of range): one of the subject's, one of another customer's."""
    return pd.DataFrame(
        {
            "response_id": ["BAD-X", "BAD-Y"],
            "customer_id": [cid, "C-OTHER"],
            "comment": [f"write to {email}, {name} here", "someone else entirely"],
            "nps": [11, 12],
            "created_at": ["2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z"],
        }
    )


def _build(url: str, df: pd.DataFrame, bad: pd.DataFrame) -> None:
    clock = lambda: datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # noqa: E731
    with open_store(url) as st:
        ingest(df, st, journey="airline", source="export.csv")
        for i in range(len(bad)):  # one file each, so that each refused row is row 0 of its file in both stores
            ingest(bad.iloc[[i]], st, journey="airline", source=f"late-{bad['response_id'].iloc[i]}.csv")
        desk = RecoveryDesk(st, "airline", clock=clock)
        ids = desk.open_cases()
        for case_id in ids[:6]:
            desk.note(case_id, "called back, apologised", author="lena", reply=True)
        desk.check_followups()


@pytest.fixture(scope="module")
def pair(new_store, airline):
    """(A after forgetting the subject, B that never had them, the subject's id, name and e-mail, A's result)."""
    a, b = new_store(), new_store()
    with open_store(a) as st:  # whose misery opens cases
        ingest(airline, st, journey="airline")
        RecoveryDesk(st, "airline").open_cases()
        with_cases = set(st.query("SELECT customer_id FROM recovery_cases")["customer_id"].dropna())
    cid, name, email = _subject(airline, with_cases)
    if "://" not in a:
        Path(a).unlink()
        for extra in Path(a).parent.glob(Path(a).name + "-*"):
            extra.unlink()
    else:
        a = new_store()
    df = airline.copy()
    mine = df.index[(df["customer_id"] == cid) & df["comment"].notna()]
    df.loc[mine[0], "comment"] = PLANTED
    _build(a, df, _bad_rows(cid, name, email))
    _build(b, df[df["customer_id"] != cid], _bad_rows(cid, name, email).iloc[1:])
    with open_store(a) as st:
        result = forget(st, cid, actor="dpo")
    return a, b, (cid, name, email), result


def _snapshot(url: str) -> dict[str, list[str]]:
    """Every table's rows as sorted JSON lines, ids of cases replaced by their interaction, write times left out."""
    out = {}
    with open_store(url) as st:
        case_of = dict(
            zip(
                st.query("SELECT id FROM recovery_cases")["id"].astype(str),
                st.query("SELECT interaction_id FROM recovery_cases")["interaction_id"],
            )
        )
        for t in tables(st):
            if t.name in SKIPPED:
                continue
            df = st.query(f'SELECT * FROM "{t.name}"')
            df = df.drop(
                columns=[
                    c
                    for c in df.columns
                    if c in VOLATILE
                    or (c == "id" and t.name in ("recovery_cases", "recovery_events", "quarantine"))
                    or (c == "seq" and t.name == "interactions")
                ]
            )
            if "case_id" in df:
                df["case_id"] = df["case_id"].astype(str).map(case_of)
            rows = [json.dumps(r, sort_keys=True, default=str) for r in df.to_dict("records")]
            out[t.name] = sorted(rows)
    return out


def test_forget_removes_rows_of_every_kind(pair):
    *_, result = pair
    assert {"interactions", "moments", "recovery_cases", "recovery_events", "quarantine"} <= set(result.rows)


def test_every_table_equals_a_store_that_never_had_the_customer(pair):
    a, b, *_ = pair
    sa, sb = _snapshot(a), _snapshot(b)
    assert {k: v for k, v in sa.items() if v != sb.get(k)} == {}


def test_rollups_and_metrics_equal_the_other_store(pair):
    a, b, *_ = pair
    with open_store(a) as sa, open_store(b) as sb:
        pd.testing.assert_frame_equal(rollup_frame(sa), rollup_frame(sb))
        pd.testing.assert_frame_equal(
            rollup_metrics(sa, by="touchpoint").summary, rollup_metrics(sb, by="touchpoint").summary
        )


def test_no_table_holds_the_customer(pair):
    a, _, (cid, name, email), _ = pair
    with open_store(a) as st:
        dump = "\n".join(st.query(f'SELECT * FROM "{t.name}"').to_csv() for t in tables(st)).casefold()
    assert [s for s in (cid, name, email, PLANTED) if s.casefold() in dump] == []


def test_the_store_files_hold_no_trace(pair):
    a, _, (cid, name, email), _ = pair
    if "://" in a:
        pytest.skip("PostgreSQL keeps its files on the server: the tables are checked above")
    data = b"".join(p.read_bytes() for p in Path(a).parent.glob(Path(a).name + "*"))
    assert [s for s in (cid, name, email, PLANTED) if s.encode() in data] == []


def test_the_report_holds_no_trace(pair, tmp_path):
    a, _, (cid, name, email), _ = pair
    html = build_report(a, None)
    assert [s for s in (cid, name, email, PLANTED) if s in html] == []


def test_audit_entry_counts_rows_without_the_customer(pair):
    a, _, (cid, name, email), result = pair
    with open_store(a) as st:
        log = forget_log(st)
    assert (len(log), log[0]["rows"], log[0]["actor"], cid in json.dumps(log, default=str)) == (
        1,
        result.rows,
        "dpo",
        False,
    )


def test_dry_run_lists_what_would_go_and_removes_nothing(new_store, airline):
    url = new_store()
    cid = str(airline["customer_id"].dropna().iloc[0])
    with open_store(url) as st:
        ingest(airline, st, journey="airline")
        before = st.counts()
        plan = forget(st, cid, dry_run=True)
        assert (plan.dry_run, plan.rows["interactions"] > 0, st.counts()) == (True, True, before)


def test_an_unknown_customer_is_an_error_that_names_the_fix(new_store):
    with open_store(new_store()) as st, pytest.raises(NotFoundError, match="check the id"):
        forget(st, "nobody")


def test_every_table_is_reached_or_declared_free_of_customers(new_store):
    """A table added by any migration must hold its customer in a column erasure finds (customer_id,
    interaction_id, a foreign key), or be named in carlzon.privacy.forget.NO_CUSTOMER_DATA."""
    with open_store(new_store()) as st:
        cov = coverage(st)
    assert [t for t, how in cov.items() if how == "NOT COVERED"] == []


def test_declared_tables_exist_or_are_known(new_store):
    with open_store(new_store()) as st:
        names = {t.name for t in tables(st)}
    assert {"interactions", "moments", "recovery_cases", "recovery_events", "quarantine", "forget_log"} <= names


def test_a_new_table_with_personal_text_fails_coverage(new_store):
    with open_store(new_store()) as st:
        st.execute("CREATE TABLE survey_notes (respondent TEXT, note TEXT)")
        assert coverage(st)["survey_notes"] == "NOT COVERED"


def test_a_derived_cache_is_emptied(new_store):
    with open_store(new_store()) as st:
        st.add_interactions(pd.DataFrame({"id": ["i1"], "customer_id": ["c9"], "text": ["fine"]}))
        st.execute("CREATE TABLE derived_views (name TEXT, value TEXT)")
        st.execute("INSERT INTO derived_views VALUES ('themes', 'c9 said fine')")
        forget(st, "c9")
        assert (coverage(st)["derived_views"].startswith("emptied"), len(st.query("SELECT * FROM derived_views"))) == (
            True,
            0,
        )


def test_a_new_table_with_a_customer_column_is_covered_and_emptied(new_store):
    with open_store(new_store()) as st:
        st.add_interactions(pd.DataFrame({"id": ["i1"], "customer_id": ["c9"], "text": ["fine"]}))
        st.execute("CREATE TABLE customer_memory (customer_id TEXT, usual_order TEXT)")
        st.execute("INSERT INTO customer_memory VALUES ('c9', 'flat white'), ('c8', 'tea')")
        forget(st, "c9")
        assert st.query("SELECT customer_id FROM customer_memory")["customer_id"].tolist() == ["c8"]


def test_no_customer_data_names_only_real_tables_or_planned_ones():
    assert all(isinstance(why, str) and why for why in NO_CUSTOMER_DATA.values())
