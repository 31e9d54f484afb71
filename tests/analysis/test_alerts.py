"""Emerging problems: found on their first day, quiet on stable data, what/where/since/how many; the bar."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from carlzon.analysis.alerts import ALERT_FIELDS, EmergingProblems, benjamini_hochberg, find_alerts
from carlzon.errors import AnalysisError

TPS = {
    "gate": ["slow gate staff", "gate changed with no announcement", "rude gate agent"],
    "seat": ["broken seat would not recline", "no legroom at all", "dirty seat pocket"],
    "food": ["cold meal", "they ran out of sandwiches", "stale snack"],
}
LOCS = ["CPH", "ARN", "OSL"]


def _stable(seed: int, days: int = 120, rate: float = 1.5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-01-01", tz="UTC")
    rows = []
    for d in range(days):
        for tp, texts in TPS.items():
            for loc in LOCS:
                for _ in range(rng.poisson(rate)):
                    t = start + pd.Timedelta(days=d, hours=float(rng.uniform(6, 22)))
                    rows.append((t, tp, loc, "misery", str(rng.choice(texts))))
                for _ in range(rng.poisson(rate)):
                    t = start + pd.Timedelta(days=d, hours=float(rng.uniform(6, 22)))
                    rows.append((t, tp, loc, "magic", "lovely crew, great trip"))
    return pd.DataFrame(rows, columns=["timestamp", "touchpoint", "location", "valence", "text"])


def _planted(seed: int, start_day: int = 90, extra: float = 6.0) -> pd.DataFrame:
    rng = np.random.default_rng(1000 + seed)
    base = _stable(seed)
    t0 = pd.Timestamp("2026-01-01", tz="UTC")
    rows = []
    for d in range(start_day, 120):
        for _ in range(rng.poisson(extra)):
            rows.append(
                (
                    t0 + pd.Timedelta(days=d, hours=float(rng.uniform(6, 22))),
                    "gate",
                    "ARN",
                    "misery",
                    str(rng.choice(["the jet bridge is broken again", "jet bridge out of order, stairs in the rain"])),
                )
            )
    return pd.concat([base, pd.DataFrame(rows, columns=base.columns)], ignore_index=True)


def test_planted_rise_found_on_its_first_day_with_what_where_how_many():
    found = 0
    for seed in range(5):
        alerts = find_alerts(_planted(seed))
        hit = [a for a in alerts if a["touchpoint"] == "gate" and a["location"] == "ARN" and a["since"] == "2026-04-01"]
        if hit:
            found += 1
            a = hit[0]
            assert "jet bridge" in a["theme"]
            assert a["count"] > a["baseline"] * 3
            assert a["first_day_count"] >= 2
            assert a["days"] >= 1
            assert any("jet bridge" in e for e in a["examples"])
            assert set(ALERT_FIELDS) <= set(a)
    assert found >= 4


def test_filler_words_never_name_the_theme():
    df = _planted(0)
    spike = (df["location"] == "ARN") & (df["touchpoint"] == "gate") & df["text"].str.contains("jet bridge")
    df.loc[spike, "text"] = "honestly, seriously: " + df.loc[spike, "text"] + ", literally"
    hit = [a for a in find_alerts(df) if a["touchpoint"] == "gate" and a["location"] == "ARN"]
    assert hit
    assert "jet bridge" in hit[0]["theme"]
    assert not {"honestly", "seriously", "literally"} & set(hit[0]["theme"].replace(",", " ").split())


def test_no_theme_spans_the_end_of_a_sentence():
    df = _stable(0)
    day = pd.Timestamp("2026-04-10 12:00", tz="UTC")
    extra = [(day, "seat", "OSL", "misery", "Had a bad experience with the broken lock. Not good enough.")] * 2
    df = pd.concat([df, pd.DataFrame(extra, columns=df.columns)], ignore_index=True)
    assert "lock not" not in set(EmergingProblems().fit(df).vocab_)


def test_the_theme_count_reads_words_beside_punctuation():
    df = _planted(0)
    df["text"] = df["text"].str.replace("jet bridge", "jet bridge!", regex=False)
    hit = [a for a in find_alerts(df) if a["touchpoint"] == "gate" and a["location"] == "ARN"]
    assert hit[0]["theme_count"] > 0


def test_stable_data_raise_almost_no_alerts():
    n = sum(len(find_alerts(_stable(seed))) for seed in range(5))
    # 5 runs x 120 days x 3 touchpoints: at most one false alert per touchpoint-year is about 5 here
    assert n <= 2


def test_location_from_interaction_attributes_and_since_filter():
    df = _planted(0)
    df["attributes"] = [json.dumps({"airport": loc}) for loc in df.pop("location")]
    ep = EmergingProblems().fit(df)
    recs = ep.to_records()
    assert any(a["location"] == "ARN" for a in recs)
    assert ep.to_records(since="2026-12-01") == []
    assert len(ep.to_records(since="2026-04-01")) >= 1
    assert (ep.tests_["tests"] > 0).all()
    assert ep.n_ == len(df)
    assert list(ep.summary.columns[:4]) == ["touchpoint", "theme", "location", "since"]


def test_without_locations_alerts_name_the_touchpoint():
    df = _planted(1).drop(columns=["location"])
    alerts = find_alerts(df)
    assert any(a["touchpoint"] == "gate" and a["location"] is None for a in alerts)


def test_benjamini_hochberg():
    assert benjamini_hochberg(np.array([0.01, 0.03, 0.02, 0.2]), 0.05).tolist() == [True, True, True, False]
    assert benjamini_hochberg(np.array([0.5, 0.9]), 0.05).tolist() == [False, False]
    assert benjamini_hochberg(np.array([]), 0.05).tolist() == []


def test_errors_name_the_fix():
    with pytest.raises(AnalysisError, match="timestamp"):
        EmergingProblems().fit(pd.DataFrame({"text": ["x"]}))
    with pytest.raises(AnalysisError, match="false-discovery"):
        EmergingProblems(fdr=2)
    with pytest.raises(AnalysisError, match="window"):
        EmergingProblems(window=3)
    with pytest.raises(AnalysisError, match="not fitted"):
        EmergingProblems().to_records()


def _sim_moments(seed: int, **kw) -> tuple[pd.DataFrame, dict]:
    from carlzon.ingest import ingest
    from carlzon.simulate import simulate
    from carlzon.store import open_store

    sim = simulate("airline", seed=seed, **kw)
    with open_store(":memory:") as st:
        ingest(sim.interactions, st, journey="airline")
        return st.moments(), sim.truth


def _planted_alert(alerts: pd.DataFrame, truth: dict) -> tuple[pd.Series, pd.Series]:
    e = truth["emerging"]
    cores = [c.lower()[:12] for c in e["example_comments"]]
    themed = alerts["examples"].map(lambda ex: any(any(c in x.lower() for c in cores) for x in ex))
    at = alerts["location"].isna() | (alerts["location"] == e["location"])
    related = ((alerts["touchpoint"] == e["touchpoint"]) | themed) & at & (alerts["since"] >= e["start"])
    on_day = related & (alerts["touchpoint"] == e["touchpoint"]) & (alerts["since"] == e["start"])
    return on_day, related


def test_simulated_problem_found_on_its_first_day():
    m, truth = _sim_moments(3, customers=300, days=60)
    ep = EmergingProblems().fit(m)
    on_day, _ = _planted_alert(ep.alerts_, truth)
    assert on_day.any(), ep.alerts_[["touchpoint", "location", "since"]]


@pytest.mark.slow
def test_bar_twenty_seeds_found_on_day_one_with_few_false_alerts():
    found, false, tp_years = 0, 0, 0.0
    for seed in range(20):
        m, truth = _sim_moments(seed)
        ep = EmergingProblems().fit(m)
        on_day, related = _planted_alert(ep.alerts_, truth)
        found += bool(on_day.any())
        false += int((~related).sum())
        tp_years += (ep.n_days_ - ep.min_history) / 365 * m["touchpoint"].nunique()
    rate = false / tp_years
    print(
        f"\nemerging problem found on its first day in {found}/20 runs; "
        f"{false} false alerts over {tp_years:.1f} touchpoint-years = {rate:.2f} per touchpoint-year"
    )
    assert found >= 19
    assert rate <= 1.0


def test_report_section():
    from carlzon.report.sections import alerts_section

    df = _planted(0)
    sec = alerts_section(df)
    assert sec.title == "Emerging problems"
    assert sec.rows
    assert f"in {len(df):,} moments over 120 days" in sec.summary  # thousands separated, as every count shown
    assert any(r[0] == "gate" and r[2] == "ARN" for r in sec.rows)
    assert alerts_section(_stable(0)).rows == [] or len(alerts_section(_stable(0)).rows) <= 1
