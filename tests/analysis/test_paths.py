"""JourneyPaths: step mapping, variants, drop-off, directly-follows times, misery along the path, SVG."""

from __future__ import annotations

import pandas as pd
import pytest

from carlzon.analysis.paths import END, START, JourneyPaths, map_steps
from carlzon.errors import AnalysisError, NotEnoughDataError
from carlzon.journey import load_journey


def _log() -> pd.DataFrame:
    t = pd.Timestamp("2026-03-01 08:00", tz="UTC")
    m = pd.Timedelta(minutes=1)
    rows = [
        # a: full trip; check-in to security 30 min (expectation wait_minutes <= 20 at security)
        ("a", "search", t),
        ("a", "Online booking", t + 5 * m),
        ("a", "check_in", t + 60 * m),
        ("a", "security", t + 90 * m),
        # b: same path, security after 10 min
        ("b", "search", t),
        ("b", "Online booking", t + 4 * m),
        ("b", "check_in", t + 50 * m),
        ("b", "security", t + 60 * m),
        # c: drops off after booking; then comes back two days later (a new case)
        ("c", "search", t),
        ("c", "Online booking", t + 3 * m),
        ("c", "search", t + pd.Timedelta(days=2)),
        # d: an app crash the journey does not know
        ("d", "search", t),
        ("d", "app_crash_screen", t + m),
    ]
    return pd.DataFrame(rows, columns=["customer_id", "step", "timestamp"])


def test_mapping_by_id_name_phrase_fuzzy_and_unmapped():
    j = load_journey("airline")
    got = map_steps(["cabin_crew", "Cabin crew", "bag drop", "baggage clam", "session_timeout"], j)
    assert got["touchpoint"].tolist() == ["cabin_crew", "cabin_crew", "check_in", "baggage_claim", None]
    assert got["how"].tolist() == ["id", "id", "phrase", "fuzzy", None]


def test_variants_drop_off_and_unmapped():
    jp = JourneyPaths("airline").fit(_log())
    assert jp.n_cases_ == 5
    assert jp.n_events_ == 13
    assert jp.n_customers_ == 4
    v = jp.variants_.set_index("path")["cases"]
    assert v["search → online_booking → check_in → security"] == 2
    assert v["search → online_booking"] == 1
    assert v["search"] == 1
    assert jp.variants_["share"].sum() == pytest.approx(1.0)
    assert jp.unmapped_.to_dict("records") == [{"step": "app_crash_screen", "events": 1}]
    s = jp.steps_.set_index("step")
    assert s.loc["search", "cases"] == 5
    assert s.loc["search", "ended_here"] == 1
    assert s.loc["online_booking", "drop_off"] == pytest.approx(1 / 3)
    assert s.loc["online_booking", "low"] < 1 / 3 < s.loc["online_booking", "high"]
    # steps in journey order, unmapped ones after
    assert jp.labels_[:4] == ["search", "online_booking", "check_in", "security"]
    assert jp.labels_[-1] == "app_crash_screen"


def test_edges_times_and_expectations():
    jp = JourneyPaths("airline").fit(_log())
    e = jp.edges_.set_index(["source", "target"])
    cs = e.loc[("check_in", "security")]
    assert cs["n"] == 2
    assert cs["median_s"] == pytest.approx(20 * 60)
    assert cs["expectation"] == "wait_minutes <= 20"
    assert cs["met_share"] == pytest.approx(0.5)
    assert e.loc[(START, "search"), "n"] == 5
    assert e.loc[("security", END), "n"] == 2
    assert e.loc[("search", "online_booking"), "share_of_source"] == pytest.approx(3 / 5)


def test_misery_placed_at_the_step_the_customer_was_at():
    t = pd.Timestamp("2026-03-01 08:00", tz="UTC")
    moments = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "zz"],
            "valence": ["misery", "misery", "magic", "misery"],
            "timestamp": [t + pd.Timedelta(minutes=95), t + pd.Timedelta(minutes=55), t, t],
        }
    )
    jp = JourneyPaths("airline").fit(_log(), moments=moments)
    mis = jp.misery_.set_index("step")
    assert mis.loc["security", "misery"] == 1
    assert mis.loc["check_in", "misery"] == 1
    assert mis.loc["security", "per_100_cases"] == pytest.approx(50.0)
    assert jp.n_misery_ == 2 + 1
    assert jp.n_misery_placed_ == 2
    assert jp.summary.loc["security", "misery"] == 1


def test_svg_and_dict():
    jp = JourneyPaths("airline").fit(_log())
    svg = jp.svg()
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert "online_booking" in svg
    assert "app_crash_screen" in svg
    assert "n = 2" in svg
    d = jp.to_dict()
    assert d["cases"] == 5
    assert d["unmapped_steps"][0]["step"] == "app_crash_screen"
    assert {"variants", "steps", "edges", "misery"} <= set(d)


def test_without_journey_steps_are_kept_as_given():
    jp = JourneyPaths().fit(_log())
    assert "Online booking" in jp.labels_
    assert len(jp.unmapped_) == 0


def test_columns_detected_or_named_and_errors():
    df = _log().rename(columns={"customer_id": "case", "step": "activity", "timestamp": "time"})
    assert JourneyPaths("airline").fit(df).n_cases_ == 5
    odd = _log().rename(columns={"step": "what"})
    with pytest.raises(AnalysisError, match="--step"):
        JourneyPaths("airline").fit(odd)
    assert JourneyPaths("airline", step_col="what").fit(odd).n_events_ == 13
    with pytest.raises(NotEnoughDataError):
        JourneyPaths().fit(pd.DataFrame())
    with pytest.raises(AnalysisError, match="case_gap"):
        JourneyPaths(case_gap="soon")


def test_simulated_log_reports_the_planted_unmapped_steps():
    from carlzon.simulate import simulate

    sim = simulate("airline", seed=2, customers=200, days=40)
    jp = JourneyPaths("airline").fit(sim.events)
    assert set(jp.unmapped_["step"]) == set(sim.truth["unmapped_steps"])
    assert jp.n_events_ == len(sim.events)


def test_report_section():
    from carlzon.report.sections import paths_section

    sec = paths_section(JourneyPaths("airline").fit(_log()))
    assert sec.title == "The journey customers really take"
    assert "app_crash_screen" in sec.summary
    assert sec.rows[0][:2] == ["search", 5]


def test_svg_arc_labels_never_overlap_and_the_picture_is_as_tall_as_its_arcs():
    import re

    from carlzon.report.synthetic import synthetic_events

    jp = JourneyPaths("airline").fit(synthetic_events(800, seed=1))
    svg = jp.svg()
    labels = [
        (float(x), float(y), t)
        for x, y, t in re.findall(r'<text class="n" x="([\d.]+)" y="([\d.-]+)"[^>]*>([^<]+)</text>', svg)
    ]
    assert len(labels) >= 5
    boxes = [(x - 2.7 * len(t) - 2, y - 9, x + 2.7 * len(t) + 2, y + 2) for x, y, t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    height = float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg).group(1))
    assert min(y for _, y, _ in labels) > 0
    assert height < 460 + 1
