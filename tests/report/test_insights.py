"""Themes, emerging problems and paths in the report: the event-log rule, escaping, sampling, and what shows."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from carlzon.journey import load_journey
from carlzon.report import build_report
from carlzon.report.insights import event_log, paths_view, themes_view
from carlzon.report.query import Scope
from carlzon.report.synthetic import HOSTILE_STEP, HOSTILE_TEXT, fill_store, synthetic_events
from carlzon.store import open_store

AIRLINE = load_journey("airline")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    st = open_store(str(tmp_path_factory.mktemp("insights") / "carlzon.db"))
    fill_store(st, 2500, seed=3, hostile=True, customers=300, hostile_burst=8, events=250)
    yield st
    st.close()


def _row(id_: str, **kw) -> dict:
    base = {
        "id": id_,
        "customer_id": "X1",
        "timestamp": pd.Timestamp("2026-03-01 10:00", tz="UTC"),
        "channel": "event",
        "source": "t",
        "touchpoint": "check_in",
        "ratings": "{}",
        "measures": "{}",
        "attributes": "{}",
    }
    base.update(kw)
    return base


def test_event_log_rule(tmp_path):
    with open_store(str(tmp_path / "e.db")) as st:
        st.add_interactions(
            pd.DataFrame(
                [
                    _row("ev1"),  # an event: customer, time, step, no text, no rating
                    _row("ev2", channel="visit", touchpoint="gate"),  # a visit with a step is an event too
                    _row("no_step", channel="visit", touchpoint=None),
                    _row("text", text="the gate staff were rude"),
                    _row("rated", nps=3.0),
                    _row("rated_item", ratings=json.dumps({"Seat comfort": 2})),
                    _row("anon", customer_id=None),
                ]
            )
        )
        ev = event_log(st)
        assert sorted(ev["step"]) == ["check_in", "gate"]
        assert list(ev.columns) == ["customer_id", "step", "timestamp"]
        assert len(event_log(st, Scope(since=pd.Timestamp("2026-03-02", tz="UTC")))) == 0


def test_paths_view_without_event_log_says_so(tmp_path):
    with open_store(str(tmp_path / "p.db")) as st:
        fill_store(st, 300, seed=1)
        view = paths_view(st, Scope(), AIRLINE)
        assert view["ran"] is False
        assert "no event log" in view["note"]
        html = build_report(st, None)
        assert "The journey customers really take" in html
        assert "no event log" in html


def test_paths_view_graph_drop_off_and_unmapped(store):
    view = paths_view(store, Scope(), AIRLINE)
    assert view["ran"]
    assert view["n_events"] == len(synthetic_events(250, seed=3, hostile=True))
    steps = {s["step"]: s for s in view["steps"]}
    # mapped by name: "Online booking" in the log is the online_booking touchpoint
    assert "online_booking" in steps
    assert steps["online_booking"]["mapped"]
    s = steps["search"]
    assert 0 <= s["low"] <= s["drop_off"] <= s["high"] <= 1
    assert s["ended_here"] <= s["cases"]
    assert {u["step"] for u in view["unmapped"]} == {"app_crash", HOSTILE_STEP}
    svg = str(view["svg"])
    assert "<script" not in svg
    assert "<img" not in svg
    assert "&lt;script&gt;" in svg


def test_themes_view_labels_counts_examples(store):
    # every theme at the gate (the hostile burst is its smallest): the examples are the comments stored
    view = themes_view(store, Scope(touchpoint="gate", valence="misery"), AIRLINE, per_touchpoint=8)
    assert view["ran"]
    assert list(view["valences"]) == ["misery"]
    rows = view["valences"]["misery"]
    assert rows
    assert all(r["touchpoint"] == "gate" and r["n"] <= r["group_n"] for r in rows)
    assert any(HOSTILE_TEXT in r["examples"] for r in rows)
    assert all(r["trend"] in ("rising", "falling", "stable") and "n = " in r["trend_text"] for r in rows)


def test_themes_view_samples_recent_whole_weeks(store):
    view = themes_view(store, Scope(valence="misery"), AIRLINE, sample=200)
    assert view["sampled"]
    assert 0 < view["n"] <= 200
    assert view["counts"]["misery"] == view["n"]
    monday = view["window"][0].tz_convert(None).to_period("W-SUN").start_time.tz_localize("UTC")
    in_store = store.query(
        "SELECT COUNT(*) AS n FROM moments m JOIN interactions i ON i.id = m.interaction_id WHERE m.valence = 'misery' "
        "AND i.text IS NOT NULL AND i.text <> '' AND m.timestamp >= :t",
        {"t": monday.to_pydatetime()},
    )["n"].iloc[0]
    assert int(in_store) == view["n"]  # every comment of the oldest week shown is in: whole weeks only
    full = themes_view(store, Scope(), AIRLINE)
    assert not full["sampled"]
    assert full["n"] > view["n"]


def test_themes_view_no_text(tmp_path):
    with open_store(str(tmp_path / "t.db")) as st:
        fill_store(st, 200, seed=2, text_every=10_000_000)  # only the first row has a comment
        view = themes_view(st, Scope(since=pd.Timestamp("2026-02-01", tz="UTC")), AIRLINE)
        assert not view["ran"]
        assert "no themes" in view["note"]


def test_report_has_the_new_sections_escaped(store, tmp_path):
    html = build_report(store, None)
    for title in ("What customers talk about", "The journey customers really take", "Emerging problems"):
        assert title in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html  # the hostile step, in the graph and the unmapped list
    assert "Content-Security-Policy" in html
    assert "<script" not in html
    # the emerging problem names what, where, since, how many and quotes the customers
    sec = html.split('id="emerging-problems"')[1].split("</section>")[0]
    assert "Gate" in sec
    assert "all" in sec
    assert " vs " in sec
    assert "&lt;script&gt;" in sec


def test_watch_moments_reads_locations_like_the_full_moments(tmp_path):
    from carlzon.analysis.alerts import find_alerts
    from carlzon.report.insights import watch_moments

    days = pd.date_range("2026-01-01", periods=50, freq="D", tz="UTC")
    rows = []
    for d in days:
        for k, loc in enumerate(("CPH", "OSL", None)):
            rows.append((f"r{d.day_of_year}-{k}", d + pd.Timedelta(hours=9), loc, "slow gate staff again"))
    rows += [(f"b{k}", days[-1] + pd.Timedelta(hours=10), "OSL", "the jet bridge is broken") for k in range(7)]
    inter = pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "customer_id": "C1",
            "timestamp": [r[1] for r in rows],
            "channel": "review",
            "source": "t",
            "text": [r[3] for r in rows],
            "touchpoint": "gate",
            "attributes": [json.dumps({"Class": "Eco", **({"airport": r[2]} if r[2] else {})}) for r in rows],
        }
    )
    moments = pd.DataFrame(
        {
            "interaction_id": inter["id"],
            "customer_id": "C1",
            "timestamp": inter["timestamp"],
            "channel": "review",
            "touchpoint": "gate",
            "touchpoint_confidence": 0.9,
            "valence": "misery",
            "score": -0.6,
            "intensity": 0.6,
            "stakes": "low",
            "moment_of_truth": False,
            "reasons": "t",
            "evidence": "[]",
        }
    )
    with open_store(str(tmp_path / "w.db")) as st:
        st.add_interactions(inter)
        st.add_moments(moments)
        new = watch_moments(st, Scope(), days[-1], days=60)
        old = st.moments()
        assert sorted(new["location"].dropna().unique()) == ["CPH", "OSL"]
        assert new["location"].isna().sum() == 50
        key = lambda a: [(x["touchpoint"], x["location"], x["since"], x["count"], x["theme"]) for x in a]  # noqa: E731
        found = find_alerts(new)
        assert key(found) == key(find_alerts(old))
        assert any(x["location"] == "OSL" for x in found)


def test_a_problem_that_starts_early_in_the_watched_days_is_found_with_its_baseline():
    """The demo's planted problem starts 48 days before the end: the report reads the days before the
    watched 60 as baseline, so it shows the problem from its first day, with that baseline (it showed nothing before)."""
    from carlzon.report.insights import alerts_view
    from carlzon.simulate import simulate, store_simulation

    sim = simulate("airline", seed=0, customers=2000, days=180)
    planted = sim.truth["emerging"]
    with open_store(":memory:") as st:
        store_simulation(sim, st)
        last = pd.Timestamp(sim.truth["today"], tz="UTC")
        cut = last - pd.Timedelta(days=59)
        assert cut < pd.Timestamp(planted["start"], tz="UTC") < cut + pd.Timedelta(days=28)
        view = alerts_view(st, Scope(), AIRLINE)
        where = (planted["touchpoint"], planted["location"], planted["start"])
        found = [x for x in view["alerts"] if (x["touchpoint"], x["location"], x["since"]) == where]
        assert len(found) == 1
        assert found[0]["baseline"] > 0
        sec = build_report(st, None).split('id="emerging-problems"')[1].split("</section>")[0]
        assert planted["start"] in sec
        assert "Baggage claim" in sec
